"""A quarter-em between Japanese or Chinese characters and Latin letters or digits.

JLREQ (3.2.4, 和欧間) sets a quarter-em between an ideograph or kana and a Latin word or
number that touches it (``2025年``, ``EUと``), and Typst does by default; WeasyPrint 70
has no ``text-autospace``. :func:`install` gives the character before each such
boundary a letter spacing of a quarter of its em when Pango lays the text out, so that
line breaking and justification know the width; a space already there is never
doubled (the boundary is only between two characters that touch).

A gap that wide reads as a space to text extraction (``2025 年``): in a tagged PDF the
line's marked-content sequence gets its text as /ActualText, in an untagged one a /Span
of its own does, so that search and copy find ``2025年``.
"""

from __future__ import annotations

import functools
import math
import re

LANGUAGES = ("ja", "zh")
AMOUNT = 0.25   # of the font size

# Han, kana and the prolonged sound mark: the characters JLREQ calls ideographic here.
# Punctuation (、。「」・) is not among them: its glyph carries its own space.
_IDEOGRAPH = ("\u3005\u3007\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fc-\u30ff"
              "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9d"
              "\U00020000-\U0003ffff")
# Format characters WeasyPrint's text may hold between two letters.
INVISIBLE = "\u200b\u200c\u200d\u2060\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e\ufeff"
# Letters and digits of the scripts set with spaces: Latin, Greek, Cyrillic.
_ALPHANUMERIC = "0-9A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u0370-\u03ff\u0400-\u052f"
# The character before a boundary, in either order.
BOUNDARY = re.compile(f"[{_IDEOGRAPH}](?=[{_ALPHANUMERIC}])|[{_ALPHANUMERIC}](?=[{_IDEOGRAPH}])")


def applies(style) -> bool:
    """Tell whether text in this style is Japanese or Chinese."""
    language = (style["lang"] or "").replace("_", "-").split("-")[0].lower()
    return language in LANGUAGES


def boundaries(text: str) -> list[tuple[int, int]]:
    """Where the characters before boundaries are, as UTF-8 byte ranges (Pango's)."""
    ranges, byte, last = [], 0, 0
    for match in BOUNDARY.finditer(text):
        byte += len(text[last:match.start()].encode())
        ranges.append((byte, byte + len(match[0].encode())))
        last = match.start()
    return ranges


# A text box whose last character meets the next box's first at a boundary
# (``第<span>2回</span>``, ``<a>EU</a>と``) has this attribute set by _mark_ends, which
# WeasyPrint's copies of the box keep; the line of it that ends the box has the width
# of the space added, in END_SPACE.
SPACED_END = "polybrief_spaced_end"
# A text box followed by generated content that layout may leave empty (a cross-reference's
# page on the target's own page, see pagerefs.py) has that content's box here: the text
# box ends at a boundary with the text after it when the box is empty.
SPACED_IF_EMPTY = "polybrief_spaced_if_empty"
END_SPACE = "polybrief_end_space"


@functools.cache
def install() -> None:
    """Patch WeasyPrint's box building, text layout and drawing in this process (once).

    Installed after justify.install: the slack of a justified line is shared out once
    the space at its end is taken off.
    """
    from weasyprint import document
    from weasyprint import draw as wp_draw
    from weasyprint.draw import text as wp_text
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    build = document.build_formatting_structure

    def build_marking_ends(*args, **kwargs):
        root = build(*args, **kwargs)
        _mark_ends(root)
        # Footnotes leave the tree as it is built, for the footnote area of their page.
        footnotes = kwargs.get("footnotes", args[-1] if len(args) >= 7 else ())
        for footnote in footnotes:
            _mark_ends(footnote)
        return root

    document.build_formatting_structure = build_marking_ends

    set_text = line_break.Layout.set_text

    def set_text_spaced(layout, text, justify=False):
        set_text(layout, text, justify)
        if applies(layout.style) and BOUNDARY.search(layout.text):
            _space(layout)

    line_break.Layout.set_text = set_text_spaced

    split_text_box = inline.split_text_box

    def split_text_box_spaced(context, box, available_width, *args, **kwargs):
        new_box, resume, preserved = split_text_box(context, box, available_width, *args,
                                                    **kwargs)
        if new_box is None or not applies(box.style):
            return new_box, resume, preserved
        amount = AMOUNT * box.style["font_size"]
        ends_spaced = getattr(box, SPACED_END, False) or _emptied(box)
        if resume is None and ends_spaced and new_box.width + amount > available_width:
            # The text fits only without the space after it: break it inside instead, as
            # WeasyPrint would have had Pango known the space. Left as it was, the box
            # overflows and the line breaks before it, at the previous box.
            retry = split_text_box(context, box, available_width - amount, *args, **kwargs)
            if retry[0] is not None and retry[1] is not None:
                new_box, resume, preserved = retry
        if resume is None:
            # Only the line that ends the box ends at the boundary with the next.
            if ends_spaced:
                setattr(new_box, END_SPACE, amount)
                new_box.width += amount
        elif len(new_box.text) > 2:
            # A line that breaks at a boundary was measured with half the space after
            # its last character (Pango drops the other half at the end of a line);
            # drawn alone, its text has no boundary there.
            following = box.text.encode()[resume:resume + 4].decode(errors="ignore")[:1]
            if BOUNDARY.match(new_box.text[-1] + following):
                new_box.width -= amount / 2
        return new_box, resume, preserved

    inline.split_text_box = split_text_box_spaced

    justify_line = inline.justify_line

    def justify_without_end_space(context, line, extra_width):
        """A space at the end of a line is no space: share it out with the slack."""
        justify_line(context, line, extra_width + _drop_end_space(line))

    inline.justify_line = justify_without_end_space

    draw_text = wp_draw.draw_text

    def draw_text_searchable(stream, textbox, *args):
        """Draw a text box, with its text as /ActualText if it has spaced characters.

        args: offset_x, text-overflow, block-ellipsis; an ellipsis shortens the text as
        it is drawn: leave that text as it is. Text that already has an /ActualText
        (a hyphenated word's) keeps it.
        """
        import pydyf

        from .actualtext import tagged_sequence

        if (args[1:] != ("clip", "none") or not applies(textbox.style)
                or not _spaced(textbox)):
            return draw_text(stream, textbox, *args)
        actual = pydyf.String(textbox.text)
        properties = tagged_sequence(stream.stream)
        if properties is not None:
            draw_text(stream, textbox, *args)
            properties.setdefault("ActualText", actual)
        else:
            stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": actual}))
            draw_text(stream, textbox, *args)
            stream.end_marked_content()

    wp_draw.draw_text = wp_text.draw_text = draw_text_searchable

    draw_first_line = wp_text.draw_first_line

    def draw_spaced_after(stream, textbox, *args):
        if not (applies(textbox.style) and _spaced(textbox)):
            return draw_first_line(stream, textbox, *args)
        last = _space_after(stream, textbox)
        space = getattr(textbox, END_SPACE, 0)
        if last is None or not space:
            return draw_first_line(stream, textbox, *args)
        return _with_character_spacing(stream, last, space, draw_first_line, textbox, *args)

    wp_text.draw_first_line = draw_spaced_after


def _spaced(textbox) -> bool:
    """Tell whether a text box has a character with space after it."""
    return bool(getattr(textbox, END_SPACE, 0) or BOUNDARY.search(textbox.text))


def _mark_ends(root) -> None:
    """Mark the Japanese and Chinese text boxes that end at a boundary with the next."""
    from weasyprint.formatting_structure import boxes

    previous = None   # the last text box met in this line of inline content
    generated = None  # the text box before generated content, and that content's box

    def meets(before, text: str) -> bool:
        return (before is not None and applies(before.style)
                and bool(BOUNDARY.match(before.text.rstrip(INVISIBLE)[-1] + text[0])))

    def walk(box) -> None:
        nonlocal previous, generated
        if isinstance(box, boxes.TextBox):
            # Bidi isolates (<bdi> begins and ends with U+2068 and U+2069) and joiners
            # take no room: the boundary is between the letters on either side.
            text = box.text.strip(INVISIBLE)
            if text:
                if meets(previous, text):
                    setattr(previous, SPACED_END, True)
                if generated is not None and not _inside(box, generated[1]):
                    if meets(generated[0], text):
                        setattr(generated[0], SPACED_IF_EMPTY, generated[1])
                    generated = None
                previous = box
        elif isinstance(box, (boxes.InlineBox, boxes.LineBox)):
            if box.element_tag.endswith("::after") and previous is not None:
                generated = (previous, box)
            for child in box.children:
                walk(child)
        else:   # a block, or an atomic inline (an image, an inline block): a new start
            previous = None
            for child in getattr(box, "children", ()):
                walk(child)
            previous = None

    walk(root)


def _inside(box, parent) -> bool:
    return any(child is box or _inside(box, child) for child in getattr(parent, "children", ()))


def _emptied(box) -> bool:
    """Tell whether the generated content after a text box has been left empty."""
    generated = getattr(box, SPACED_IF_EMPTY, None)
    return generated is not None and not any(
        getattr(child, "text", "") for child in _descendants(generated))


def _descendants(box):
    for child in getattr(box, "children", ()):
        yield child
        yield from _descendants(child)


def _drop_end_space(line) -> float:
    """Take the space after the last text box of a line off its width; return it."""
    from weasyprint.formatting_structure import boxes

    chain, box = [line], line
    while isinstance(box, (boxes.LineBox, boxes.InlineBox)) and box.children:
        box = box.children[-1]
        chain.append(box)
    space = getattr(box, END_SPACE, 0) if isinstance(box, boxes.TextBox) else 0
    if space:
        setattr(box, END_SPACE, 0)
        for ancestor in chain:
            ancestor.width -= space
    return space


def _spacing(text: str) -> list[tuple[int, int, int]]:
    """The characters of a text that have space before or after them, as UTF-8 byte
    ranges (Pango's) with the number of quarter-ems before and after each.

    Pango measures a line for breaking with both halves of the letter spacing of its
    first and last characters, and lays it out without the outer ones: a text with
    either spaced does not fit in its own width (a running footer wraps). So the
    space after the first character goes before the second; a text of two characters
    has the space on its last, and _space widens its layout by what Pango adds.
    """
    spaced: dict[int, list[int]] = {}
    for start, end in boundaries(text):
        if start == 0:
            second = spaced.setdefault(end, [end + len(text[1].encode()), 0, 0])
            second[1] += 1
        else:
            spaced.setdefault(start, [end, 0, 0])[2] += 1
    return sorted((start, end, before, after) for start, (end, before, after) in spaced.items())


def _space(layout) -> None:
    """Add letter spacing to the characters beside boundaries in a Pango layout."""
    from weasyprint.text.ffi import TO_UNITS, ffi, pango

    attributes = pango.pango_layout_get_attributes(layout.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    amount = AMOUNT * layout.style["font_size"]
    base = _letter_spacing(layout.style)
    size = len(layout.text.encode())
    for start, end, before, after in _spacing(layout.text):
        # Pango gives half the letter spacing to each side of a character, and only
        # the half before to the last character of the text.
        share = 2 if end == size else 1
        attribute = pango.pango_attr_letter_spacing_new(
            int((base + share * (before + after) * amount) * TO_UNITS))
        attribute.start_index, attribute.end_index = start, end
        pango.pango_attr_list_change(attributes, attribute)
        if share == 2 and len(layout.text) == 2 and _wraps(layout):
            # Its last character is spaced: give back what Pango measures of it and
            # does not set, or the text breaks in a box as wide as itself.
            # (Rounded up, and a Pango unit more: Pango breaks a line as wide as this.)
            pango.pango_layout_set_width(
                layout.layout, math.ceil((max(0, layout.max_width) + amount) * TO_UNITS) + 1)
    pango.pango_layout_set_attributes(layout.layout, attributes)


def _wraps(layout) -> bool:
    """Tell whether WeasyPrint gave a Pango layout a width to wrap at (create_layout)."""
    return (layout.max_width is not None and layout.max_width < 2 ** 21
            and layout.style["white_space"] in ("normal", "pre-wrap", "pre-line"))


def _letter_spacing(style) -> float:
    letter_spacing = style["letter_spacing"]
    return 0 if letter_spacing == "normal" else letter_spacing


def _space_after(stream, textbox) -> int | None:
    """Put the letter spacing of each spaced character on the side of its boundary.

    Pango shares it between the two sides of a character (the glyph moved right by
    half of it); the boundary is on one side. Return the place of the line's last glyph
    among those draw_first_line writes (None for bitmap fonts).
    """
    from weasyprint.text.ffi import ffi, pango

    layout = textbox.pango_layout
    # draw_first_line sets this too; set first, its call changes nothing and Pango keeps
    # the line (and the offsets changed here) instead of laying it out again.
    pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    line, _ = layout.get_first_line()
    amount = AMOUNT * textbox.style["font_size"]
    half = _letter_spacing(textbox.style) / 2
    before = {start: before for start, _, before, _ in _spacing(layout.text)}
    drawn, bitmap = 0, False
    run = line.runs[0]
    while run != ffi.NULL:
        item, glyphs = run.data.item, run.data.glyphs
        run = run.next
        bitmap |= stream.add_font(item.analysis.font)[0].bitmap
        log = ffi.unpack(glyphs.log_clusters, glyphs.num_glyphs)
        for i, cluster in enumerate(log):
            info = glyphs.glyphs[i]
            start = item.offset + cluster
            if start in before and (i == 0 or log[i - 1] != cluster):
                # draw_first_line divides x_offset by the font size to get thousandths
                # of an em: for it, a point (a CSS pixel here) is a thousand.
                info.geometry.x_offset = round((half + before[start] * amount) * 1000)
            drawn += info.glyph != pango.PANGO_GLYPH_EMPTY   # that one is written as a move
    # A bitmap font's glyphs are two hexadecimal digits: _with_character_spacing reads four.
    return drawn - 1 if drawn and not bitmap else None


def _with_character_spacing(stream, last: int, space: float, draw, *args):
    """Draw a line whose last glyph has the boundary with the next text box after it,
    that space written as the glyph's character spacing.

    Drawn as a gap before the next box, it lies between this box's marked-content
    sequence and the next one's, where text extraction reads it as a word space
    (``第 2回``); character spacing (``3 Tc [<5e03>] TJ 0 Tc``) belongs to the glyph,
    and so to this box's /ActualText. A move written after the glyph joins it.
    """
    show_text, set_font_size = stream.show_text, stream.set_font_size
    state = {"glyph": 0, "size": 1.0}

    def font_size_set(font, size):
        state["size"] = size
        set_font_size(font, size)

    def show(text):
        # Glyphs (four hexadecimal digits, as str) and moves (as written, in bytes).
        tokens: list[str | bytes] = []
        for piece in re.split(r"(<[0-9a-f]*>)", text):
            if piece.startswith("<"):
                tokens += [piece[i:i + 4] for i in range(1, len(piece) - 1, 4)]
            elif piece:
                tokens.append(piece.encode())
        places = [i for i, token in enumerate(tokens) if isinstance(token, str)]
        index = last - state["glyph"]
        state["glyph"] += len(places)
        if not 0 <= index < len(places):
            return show_text(text)
        position = places[index]
        after = tokens[position + 1:position + 2]
        move = float(after[0]) if after else 0.0
        if position:
            show_text(_array(tokens[:position]))
        spacing = space - min(move, 0) * state["size"] / 1000
        stream.stream.append(f"{spacing:.3f} Tc".encode())
        show_text(f"<{tokens[position]}>")
        stream.stream.append(b"0 Tc")
        rest = tokens[position + 2:] if move < 0 else tokens[position + 1:]
        if rest:
            show_text(_array(rest))

    stream.show_text, stream.set_font_size = show, font_size_set
    try:
        return draw(stream, *args)
    finally:
        del stream.show_text, stream.set_font_size


def _array(tokens: list) -> str:
    """A TJ array's content from glyphs and moves, as draw_first_line writes it."""
    text, glyphs, moved = "", "", False
    for token in tokens:
        if isinstance(token, bytes):
            if glyphs:
                text, glyphs = f"{text}<{glyphs}>", ""
            # Two moves in a row (draw_first_line wrote an empty string between them):
            # a space keeps them two numbers.
            text += (" " if moved else "") + token.decode()
            moved = True
        else:
            glyphs += token
            moved = False
    return text + (f"<{glyphs}>" if glyphs else "")
