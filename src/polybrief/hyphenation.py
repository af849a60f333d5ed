"""Hyphenation quality in the PDF.

WeasyPrint 70 hyphenates (``hyphens: auto``) every line it can: it ends up to four lines
in a row with a hyphen and splits the last word of a paragraph, leaving a fragment alone
on the last line. It implements neither ``hyphenate-limit-lines`` nor
``hyphenate-limit-last``. :func:`install` makes line breaking keep to the equivalent of
``hyphenate-limit-lines: 2`` and of ``hyphenate-limit-last: always`` for the last word
of a paragraph (not of a page): such a line breaks at the space before the word instead,
unless the word alone starts the line and nothing shorter would fit.

WeasyPrint also draws the hyphen it adds (the ``hyphenate-character``, U+2010) as text:
search and copy find "госу‐" and "дарств", never "государств". Poppler's pdftotext
joins two lines only in its reading-order mode and only at a U+002D hyphen (neither
``-layout`` nor ``-raw`` ever joins); pdfminer and pdfplumber never join, and neither
reads /ActualText. So the marked-content sequence of a line ending with an added hyphen
gets the /ActualText of its text with the whole word instead, and the next line's
sequence its text without the rest of that word: poppler in every mode, Acrobat and
screen readers then read each word whole, once, on its first line. The glyphs drawn are
unchanged; lines that are not hyphenated, and so documents in languages that are not
hyphenated, come out exactly as before.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .actualtext import tagged_sequence

LIMIT_LINES = 2    # hyphenated lines in a row, at most
FIELD = "polybrief_break"   # the attribute of a text box that holds its Break
STATE = "polybrief_hyphenation"   # the attribute of a layout context that holds its State
LOOKAHEAD = 64     # characters after a hyphenation point searched for a break opportunity
WORD = re.compile(r"\S*")


@dataclass(frozen=True)
class Break:
    """How a text box's line ends and starts, for the text it gives search and copy."""

    lead: int                  # characters at its start that end the last line's word
    hyphen: str                # the hyphenate character added at its end, or ""
    tail: str                  # the rest of the word that hyphen splits
    next_line: tuple[int, int]  # the source text box and byte offset the next line starts at

    def actual_text(self, text: str) -> str:
        """The box's text with its hyphenated word whole, without what the line before has."""
        if self.hyphen:
            text = text[:-len(self.hyphen)]
        if self.lead:
            return "" if self.lead >= len(text) else text[self.lead:].lstrip() + self.tail
        return text + self.tail


@dataclass(frozen=True)
class Run:
    """The hyphenated lines that end just before a line: how many, and the word split."""

    count: int = 0
    continued: tuple[int, int] | None = None   # where the word's rest starts, as in Break
    lead: int = 0                               # and its length in characters


NO_RUN = Run()


@dataclass
class Line:
    """The line being laid out: its paragraph, and what may end it."""

    paragraph: object        # the source LineBox of the paragraph
    run: Run                 # the hyphenated lines just before it


@dataclass
class State:
    """What one document's layout knows of its hyphenated lines."""

    lines: list[Line]                          # the lines being laid out, innermost last
    runs: dict[tuple[int, object], Run]        # (id(paragraph), line start) -> lines before
    following: dict[int, dict[int, str]]       # id(paragraph) -> id(text box) -> text after


@functools.cache
def install() -> None:
    """Patch WeasyPrint's line breaking in this process (once)."""
    from weasyprint import draw as wp_draw
    from weasyprint.draw import text as wp_text
    from weasyprint.layout import block, inline

    iter_line_boxes = inline.iter_line_boxes

    def lines_counting_hyphens(context, box, position_y, bottom_space, skip_stack, *args):
        """Lay a paragraph's lines out, each knowing the hyphenated lines just before it.

        WeasyPrint makes the lines one by one, and again from any line after a page
        break: what a line may do is kept by where it starts. The loop is wrapped, not
        get_next_linebox, because a generator's frame stays off the interpreter's stack:
        CPython 3.11 allocates that stack in 16 kB chunks, and a frame more under every
        line made the hottest calls of the layout cross a chunk boundary, mapping and
        unmapping memory on each (a tenth more time for a whole document).
        """
        state = _state(context)
        lines = iter_line_boxes(context, box, position_y, bottom_space, skip_stack, *args)
        while True:
            run = state.runs.get((id(box), _key(skip_stack)), NO_RUN)
            state.lines.append(Line(box, run))
            try:
                item = next(lines, None)
            finally:
                state.lines.pop()
            if item is None:
                return
            line, skip_stack = item
            if skip_stack is not None:
                last = _last_break(line)
                state.runs[(id(box), _key(skip_stack))] = (
                    Run(run.count + 1, last.next_line, len(last.tail))
                    if last is not None and last.hyphen else NO_RUN)
            yield item

    inline.iter_line_boxes = block.iter_line_boxes = lines_counting_hyphens

    split_text_box = inline.split_text_box

    def split_text_box_limited(context, box, available_width, skip, is_line_start=True):
        """Split a text box for a line, breaking before the word instead of hyphenating
        it where the line may not end with a hyphen; mark the box's Break."""
        new_box, resume, preserved = split_text_box(context, box, available_width, skip,
                                                    is_line_start)
        if new_box is None:
            return new_box, resume, preserved
        state = _state(context)
        line = state.lines[-1] if state.lines else None
        hyphen = _added_hyphen(box, new_box, skip, resume)
        if hyphen and line is not None and not _may_hyphenate(
                state, line, box, new_box.text[:-len(hyphen)], resume, is_line_start):
            plain = box.copy()
            plain.style = box.style.copy()
            plain.style["hyphens"] = "manual"   # the author's soft hyphens still apply
            new_box, resume, preserved = split_text_box(context, plain, available_width,
                                                        skip, is_line_start)
            if new_box is None:
                return new_box, resume, preserved
            new_box.style = box.style
            hyphen = _added_hyphen(box, new_box, skip, resume)
        lead = line.run.lead if line is not None and line.run.continued == (id(box), skip) \
            else 0
        tail = WORD.match(box.text.encode()[resume:].decode())[0] if hyphen else ""
        setattr(new_box, FIELD, Break(lead, hyphen, tail, (id(box), resume))
                if lead or hyphen else None)
        return new_box, resume, preserved

    inline.split_text_box = split_text_box_limited

    draw_text = wp_draw.draw_text

    def draw_text_whole_words(stream, textbox, *args):
        """Give a text box whose line ends or starts inside a word its /ActualText.

        It goes on the marked-content sequence WeasyPrint opens for the text box in a
        tagged PDF (after drawing, so that it replaces the line's text that actualtext.py
        gives complex scripts), in a /Span of its own in an untagged one.
        """
        import pydyf

        mark = getattr(textbox, FIELD, None)
        # args: offset_x, text-overflow, block-ellipsis. An ellipsis shortens the text
        # as it is drawn: leave that text as it is.
        if mark is None or args[1:] != ("clip", "none"):
            return draw_text(stream, textbox, *args)
        actual = pydyf.String(mark.actual_text(textbox.text))
        properties = tagged_sequence(stream.stream)
        if properties is not None:
            draw_text(stream, textbox, *args)
            properties["ActualText"] = actual
        else:
            stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": actual}))
            draw_text(stream, textbox, *args)
            stream.end_marked_content()

    wp_draw.draw_text = wp_text.draw_text = draw_text_whole_words


def _state(context) -> State:
    state = getattr(context, STATE, None)
    if state is None:
        state = State([], {}, {})
        setattr(context, STATE, state)
    return state


def _key(skip_stack: dict | None) -> object:
    """A skip stack (WeasyPrint's nested dictionaries of offsets) as a dictionary key."""
    if skip_stack is None:
        return None
    return tuple((index, _key(inner)) for index, inner in skip_stack.items())


def _added_hyphen(box, new_box, skip: int, resume: int | None) -> str:
    """The hyphenate character line breaking added at the end of a split text box, or ""."""
    hyphen = box.style["hyphenate_character"]
    if resume is None or not hyphen or not new_box.text.endswith(hyphen):
        return ""
    # A hyphen that is in the text (a line may break after U+2010) is not added.
    return "" if box.text.encode()[skip:resume].decode().endswith(hyphen) else hyphen


def _may_hyphenate(state: State, line: Line, box, before: str, resume: int,
                   is_line_start: bool) -> bool:
    """Tell whether a line may end with the word it hyphenates (``before``: the line's
    text up to the hyphen)."""
    from weasyprint.text.line_break import can_break_text

    lang = box.style["lang"]
    if line.run.count < LIMIT_LINES and not _is_last_word(state, line, box, resume):
        return True
    # The word alone, at the start of the line, is wider than it: keep the hyphen.
    return is_line_start and not can_break_text(before, lang)


def _is_last_word(state: State, line: Line, box, resume: int) -> bool:
    """Tell whether the word hyphenated at ``resume`` is the paragraph's last one."""
    from weasyprint.text.line_break import can_break_text

    after = state.following.get(id(line.paragraph))
    if after is None:
        after = state.following[id(line.paragraph)] = _text_after(line.paragraph)
    if id(box) not in after:
        return False   # not one of the paragraph's own text boxes (a ::first-line copy)
    rest = box.text.encode()[resume:resume + 4 * LOOKAHEAD].decode(errors="ignore")
    return not can_break_text((rest + after[id(box)])[:LOOKAHEAD], box.style["lang"])


def _text_after(paragraph) -> dict[int, str]:
    """The first characters of the text after each text box of a paragraph, by box id;
    an atomic inline (an image, an inline block) reads as U+FFFC."""
    from weasyprint.formatting_structure import boxes

    after: dict[int, str] = {}
    text = ""
    for leaf in _reversed_leaves(paragraph):
        if isinstance(leaf, boxes.TextBox):
            after[id(leaf)] = text
            text = (leaf.text + text)[:LOOKAHEAD]
        else:
            text = ("\ufffc" + text)[:LOOKAHEAD]
    return after


def _last_break(line) -> Break | None:
    """The Break of the last text box on a laid-out line, if it has one."""
    from weasyprint.formatting_structure import boxes

    for leaf in _reversed_leaves(line):
        if not isinstance(leaf, boxes.TextBox):
            return None
        if leaf.text:
            return getattr(leaf, FIELD, None)
    return None


def _reversed_leaves(box):
    """The text boxes and atomic inlines of a line or inline box in the flow, last first."""
    from weasyprint.formatting_structure import boxes

    for child in reversed(box.children):
        if isinstance(child, boxes.InlineBox):
            yield from _reversed_leaves(child)
        elif isinstance(child, boxes.TextBox) or child.is_in_normal_flow():
            yield child
