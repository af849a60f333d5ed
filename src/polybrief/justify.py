"""Inter-character justification of Japanese and Chinese lines in the PDF.

WeasyPrint 70 justifies a line by widening its spaces, and Japanese and Chinese text
has almost none: its justified paragraphs end raggedly. :func:`install` shares the
slack of a justified line in either language among the gaps between its characters,
as JIS X 4051, JLREQ and browsers' inter-character justification do: between two
ideographic characters (Han, kana, full-width punctuation), where one meets a Latin
word or a number, and after a space. A line never stretches inside a Latin word, after
an opening bracket, before a closing bracket, comma or full stop, on either side of a
superscript such as a footnote call, or between the two halves of a doubled dash or
ellipsis.

Layout widens the text boxes by the gaps inside them and moves the boxes after a gap;
the glyphs are widened as they are drawn, so the PDF holds the same glyphs and text as
before, only further apart. Lines in other languages, lines that are not justified and
the last line of a paragraph stay as WeasyPrint lays them out.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

LANGUAGES = ("ja", "zh")
WIDENING = "polybrief_widening"   # the attribute of a text box that holds its Widening

# The kinds of character on either side of a gap.
SPACE, IDEOGRAPHIC, OPENING, CLOSING, GLUED, OTHER = range(6)
# Full-width commas, stops and the like: their glyph already holds the space after them.
STOPS = frozenset("、。，．：；！？")
# Doubled, these read as one mark: ―― …… ‥‥
INSEPARABLE = frozenset("—―…‥")


@dataclass(frozen=True)
class Widening:
    """What layout leaves on a text box for drawing: the gaps inside its text.

    Gaps are whole thousandths of an em, the unit in which the PDF places a glyph after
    the one before it: the glyphs then land exactly where layout put them.
    """

    text: str                # the text it was laid out with
    unit: float              # a thousandth of its em, in points
    gaps: dict[int, int]     # the byte offset of each gap -> its width in units


@functools.cache
def install() -> None:
    """Patch WeasyPrint's line justification in this process (once).

    text_align is the one caller of justify_line; draw_text and SVG text look
    draw_first_line up in its module when they run, so no other name holds the old ones.
    """
    from weasyprint.draw import text as wp_text
    from weasyprint.layout import inline

    justify_line = inline.justify_line

    def justify_between_characters(context, line, extra_width):
        """Stretch a Japanese or Chinese line at its gaps, any other at its spaces."""
        if not (_is_cjk(line.style) and _stretch(line, extra_width)):
            justify_line(context, line, extra_width)

    inline.justify_line = justify_between_characters

    draw_first_line = wp_text.draw_first_line

    def draw_with_gaps(stream, textbox, text_overflow, block_ellipsis, matrix):
        """Widen the glyphs before the gaps that layout gave the text box.

        Layout keeps the text box's Pango layout (laying it out again with spacing
        attributes would cost a second shaping per box); the gaps go into the glyph
        widths of the line that draw_first_line reads.
        """
        widening = getattr(textbox, WIDENING, None)
        # draw_first_line draws nothing of a blank or zero-size text; an ellipsis sets
        # the text again, which Pango lays out anew: draw those as they are.
        if (widening is not None and widening.text == textbox.text and textbox.text.strip()
                and textbox.style["font_size"] >= 1e-6 and text_overflow != "ellipsis"
                and block_ellipsis == "none"):
            _widen_glyphs(stream, textbox, widening)
        return draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix)

    wp_text.draw_first_line = draw_with_gaps


def _is_cjk(style) -> bool:
    """Tell whether a block's text is Japanese or Chinese, written left to right."""
    language = (style["lang"] or "").replace("_", "-").split("-")[0].lower()
    return language in LANGUAGES and style["direction"] == "ltr"


def _raised(style) -> bool:
    """Tell whether a box is a superscript or subscript (a footnote call among them):
    WeasyPrint computes ``super`` and ``sub`` as the distance from the baseline."""
    shift = style["vertical_align"]
    return not isinstance(shift, str) and shift != 0


# --- Layout: where the gaps are, and how wide ---------------------------------------------

@functools.cache
def _kind(char: str) -> int:
    """What a character is to the gaps beside it."""
    if char in " \u00a0":
        return SPACE
    category = unicodedata.category(char)
    if category in ("Mn", "Mc", "Me", "Cf"):
        return GLUED
    width = unicodedata.east_asian_width(char)
    # Ambiguous-width punctuation (“ ” — … ※) is full width in Japanese and Chinese fonts.
    if width in ("W", "F") or (width == "A" and category[0] in "PS"):
        if category in ("Ps", "Pi"):
            return OPENING
        if category in ("Pe", "Pf") or char in STOPS:
            return CLOSING
        return IDEOGRAPHIC
    return OTHER


def _stretches(before: int, after: int) -> bool:
    """Tell whether a line may stretch between characters of these two kinds."""
    if before == SPACE:
        return after != GLUED
    if GLUED in (before, after) or after == SPACE or before == OPENING or after == CLOSING:
        return False
    return before in (IDEOGRAPHIC, CLOSING) or after in (IDEOGRAPHIC, OPENING)


STRETCHES = frozenset((before, after) for before in range(OTHER + 1)
                      for after in range(OTHER + 1) if _stretches(before, after))


class _Gaps:
    """The gaps of one line, in logical order: inside its text boxes, or before a box."""

    def __init__(self) -> None:
        self.inside: dict[int, list[int]] = {}   # id(text box) -> byte offsets
        self.units: dict[int, float] = {}        # id(text box) -> 1/1000 em in points
        self.before: dict[int, int] = {}         # id(box) -> gaps just before it
        self.count = 0
        self.left = ""                           # the last character seen
        self.before_kind: int | None = None      # and its kind
        self.opened: list = []                   # boxes begun since that character
        self.flow: dict[int, list] = {}          # id(box) -> its children in the flow

    def children(self, box) -> list:
        """The children of a line or inline box that lie on the line (not floats)."""
        from weasyprint.formatting_structure import boxes

        # Text is always in the flow: ask only the other boxes, which costs more.
        children = self.flow[id(box)] = [
            child for child in box.children
            if isinstance(child, boxes.TextBox) or child.is_in_normal_flow()]
        return children

    def walk(self, box) -> bool:
        """Find the gaps in a box; False when the line is one to leave to WeasyPrint."""
        from weasyprint.formatting_structure import boxes

        if box.style["direction"] != "ltr":
            return False
        self.opened.append(box)
        if isinstance(box, boxes.TextBox):
            offsets = []
            left, before, position = self.left, self.before_kind, 0
            for char in box.text:
                kind = _kind(char)
                if kind != GLUED:   # a combining mark or a joiner stays with its base
                    if (before, kind) in STRETCHES and not (char == left
                                                            and char in INSEPARABLE):
                        if self.opened:
                            self._before_box()
                        else:
                            offsets.append(position)
                    if self.opened:
                        self.opened.clear()
                    left, before = char, kind
                # The UTF-8 length of the character: Pango's offsets are in bytes.
                position += 1 if char < "\x80" else 2 if char < "\u0800" else \
                    3 if char < "\U00010000" else 4
            self.left, self.before_kind = left, before
            if offsets:
                self.inside[id(box)] = offsets
                self.units[id(box)] = box.style["font_size"] / 1000
                self.count += len(offsets)
        elif isinstance(box, boxes.InlineBox):
            if not _raised(box.style):
                return all(self.walk(child) for child in self.children(box))
            # A footnote call or an index stays with the characters around it: a gap
            # beside its small glyphs would also read as a space in the text.
            self.before_kind = GLUED
            walked = all(self.walk(child) for child in self.children(box))
            self.before_kind = GLUED
            return walked
        else:   # an atomic inline: an image, an inline block such as ruby
            if (self.before_kind, IDEOGRAPHIC) in STRETCHES:
                self._before_box()
            self.opened.clear()
            self.left, self.before_kind = "\ufffc", IDEOGRAPHIC
        return True

    def _before_box(self) -> None:
        """Count a gap before the outermost of the boxes that begin at this character."""
        outermost = id(self.opened[0])
        self.before[outermost] = self.before.get(outermost, 0) + 1
        self.count += 1


def _stretch(line, extra_width: float) -> bool:
    """Share a line's slack among its gaps; False (nothing changed) when it has none."""
    gaps = _Gaps()
    if not all(gaps.walk(child) for child in gaps.children(line)) or not gaps.count:
        return False
    # Equal shares: whole units inside the text, what they leave over between boxes.
    share, owed = extra_width / gaps.count, 0.0
    inside = {}
    for key, offsets in gaps.inside.items():
        unit = gaps.units[key]
        widths = inside[key] = {}
        for offset in offsets:
            widths[offset] = round((share + owed) / unit)
            owed += share - widths[offset] * unit
    between = sum(gaps.before.values())
    before = {key: n * (share + owed / between) for key, n in gaps.before.items()}
    _move(line, 0, before, inside, gaps.units, gaps.flow)
    return True


def _move(box, x_advance: float, before: dict[int, float], inside: dict[int, dict[int, int]],
          units: dict[int, float], flow: dict[int, list]) -> float:
    """Widen and move a box and its children as add_word_spacing does for spaces."""
    from weasyprint.formatting_structure import boxes

    x_advance += before.get(id(box), 0)
    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        if (gaps := inside.get(id(box))) is not None:
            widening = Widening(box.text, units[id(box)], gaps)
            setattr(box, WIDENING, widening)
            added = sum(gaps.values()) * widening.unit
            box.width += added
            x_advance += added
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        start = x_advance
        for child in flow[id(box)]:
            x_advance = _move(child, x_advance, before, inside, units, flow)
        box.width += x_advance - start
    else:
        box.translate(x_advance, 0)
    return x_advance


# --- Drawing: the glyphs before each gap, widened ----------------------------------------

def _widen_glyphs(stream, textbox, widening: Widening) -> None:
    """Add each gap to the glyph that ends just before it, in the Pango line drawn next.

    draw_first_line writes a glyph's advance as the font's width and a whole number of
    thousandths of an em after it: each widened glyph gets the width that makes these
    numbers place it where layout put it (within half a thousandth of an em), so that
    the rounding does not add up along the line.
    """
    from weasyprint.text.ffi import FROM_UNITS, TO_UNITS, ffi, pango

    layout = textbox.pango_layout
    # draw_first_line sets this too; set first, its call changes nothing and Pango keeps
    # the line (and the widths given here) instead of laying it out again.
    pango.pango_layout_set_single_paragraph_mode(layout.layout, True)
    line, _ = layout.get_first_line()
    wanted = drawn = 0.0   # pen positions in points: as laid out, as the PDF draws
    gaps, unit = widening.gaps, widening.unit
    empty, unknown = pango.PANGO_GLYPH_EMPTY, pango.PANGO_GLYPH_UNKNOWN_FLAG
    run = line.runs[0]
    while run != ffi.NULL:
        item, glyphs = run.data.item, run.data.glyphs
        run = run.next
        pango_font = item.analysis.font
        font, size = stream.add_font(pango_font)
        if pango.pango_version() < 14802 or font.png:
            size = textbox.style["font_size"]
        count, infos = glyphs.num_glyphs, glyphs.glyphs
        log = ffi.unpack(glyphs.log_clusters, count)
        offset, length = item.offset, item.length
        # A right-to-left run (Arabic quoted in the line) keeps its glyphs as they are;
        # the next glyph widened makes up for its gaps.
        ltr = not item.analysis.level % 2
        for i in range(count):
            info = infos[i]
            geometry, glyph = info.geometry, info.glyph
            width = geometry.width
            end = length if i == count - 1 else log[i + 1]
            add = gaps.get(offset + end, 0) if ltr and end != log[i] else 0
            wanted += width * FROM_UNITS + add * unit
            if glyph == empty:   # drawn as a move of width / 1000
                if add:
                    geometry.width = width = round((wanted - drawn) * 1000)
                drawn += width / 1000
                continue
            if glyph & unknown:
                add = 0   # draw_first_line takes a .notdef glyph's width from Pango's
                logical = round(width * 1000 * FROM_UNITS / size)
            elif (logical := font.widths.get(glyph)) is None:
                pango.pango_font_get_glyph_extents(pango_font, glyph, stream.ink_rect,
                                                   stream.logical_rect)
                logical = font.widths[glyph] = round(
                    stream.logical_rect.width * 1000 * FROM_UNITS / size)
            base = logical + geometry.x_offset / size
            if add:
                # draw_first_line writes int(base - width in thousandths of an em): aim
                # at the middle of the interval that truncates to the number wanted.
                kerning = round(base - (wanted - drawn) * 1000 / size)
                target = kerning + (0.5 if kerning > 0 else -0.5 if kerning < 0 else 0)
                geometry.width = width = round((base - target) * size * TO_UNITS / 1000)
            drawn += (base - int(base - width * 1000 * FROM_UNITS / size)) * size / 1000
