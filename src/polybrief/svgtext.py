"""SVG text set as whole strings, so that Arabic is shaped and right-to-left.

WeasyPrint 70 lays out and draws an SVG ``<text>`` one character at a time, to honour
per-character positions (``x="1 2 3"``, ``dx``, ``rotate``). Drawn apart, Arabic letters
lose their joined forms and their order, and Latin text its kerning. :func:`install`
draws a text element that places its characters no differently from one another (at
most one ``x`` and one ``y``, no ``dx``, ``dy``, ``rotate``, letter spacing or
``textLength``, no child elements) as one Pango line, right-to-left when its first
strong character is, as the Unicode bidirectional algorithm says. Chart labels and
figure captions drawn by polybrief are all of that kind; anything else is drawn as
before.
"""

from __future__ import annotations

import functools
import unicodedata
from math import inf


def _direction(text: str) -> str:
    """The direction of a text by its first strong character (rule P2 of UAX #9)."""
    for char in text:
        bidi = unicodedata.bidirectional(char)
        if bidi in ("R", "AL"):
            return "rtl"
        if bidi == "L":
            return "ltr"
    return "ltr"


def _whole(node) -> bool:
    """Tell whether a text element can be set as one string."""
    attributes = node.attrib
    return (bool(node.text) and next(iter(node), None) is None
            and all(len(attributes.get(name, "").replace(",", " ").split()) <= 1
                    for name in ("x", "y"))
            and not any(name in attributes for name in ("dx", "dy", "rotate", "textLength"))
            and attributes.get("letter-spacing") in (None, "", "normal", "0"))


@functools.cache
def install() -> None:
    """Patch WeasyPrint's SVG text drawing in this process (once)."""
    import importlib

    from weasyprint import svg

    module = importlib.import_module("weasyprint.svg.text")
    original = module.text

    def text(svg_drawer, node, font_size):
        if not _whole(node):
            return original(svg_drawer, node, font_size)
        return _draw_whole(svg_drawer, node, font_size)

    for tag, function in list(svg.TAGS.items()):
        if function is original:
            svg.TAGS[tag] = text
    # draw_node compares a node's drawing function with the package's name for it.
    svg.text = text


def _draw_whole(svg, node, font_size) -> None:
    from weasyprint.css.properties import INITIAL_VALUES
    from weasyprint.draw.text import draw_emojis, draw_first_line
    from weasyprint.matrix import Matrix
    from weasyprint.svg.bounding_box import extend_bounding_box
    from weasyprint.svg.text import Style, TextBox
    from weasyprint.svg.utils import normalize, size
    from weasyprint.text.line_break import split_first_line

    style = Style()
    style.update(INITIAL_VALUES)
    style.font_config = svg.font_config
    style["font_family"] = [font.strip("\"'") for font in
                            node.get("font-family", "sans-serif").split(",")]
    style["font_style"] = node.get("font-style", "normal")
    weight = node.get("font-weight", 400)
    style["font_weight"] = {"normal": 400, "bold": 700}.get(weight, weight)
    try:
        style["font_weight"] = int(style["font_weight"])
    except ValueError:
        style["font_weight"] = 400
    style["font_size"] = font_size
    style["direction"] = node.get("direction") if node.get("direction") in ("ltr", "rtl") \
        else _direction(node.text)

    layout, _, _, width, height, baseline = split_first_line(
        node.text, style, svg.context, inf, 0)
    x = y = None
    if "x" in node.attrib:
        x = size(normalize(node.attrib["x"]).strip(), font_size, svg.inner_width)
    if "y" in node.attrib:
        y = size(normalize(node.attrib["y"]).strip(), font_size, svg.inner_height)
    x = svg.cursor_position[0] if x is None else x
    y = svg.cursor_position[1] if y is None else y
    svg.cursor_d_position[0] = svg.cursor_d_position[1] = 0
    svg.cursor_position = x + width, y
    node.text_bounding_box = extend_bounding_box(
        node.text_bounding_box, ((x, y - baseline), (x + width, y - baseline + height)))

    svg.stream.push_state()
    fill, stroke = svg.set_graphical_state(node, font_size)
    svg.stream.begin_text()
    layout.reactivate(style)
    svg.fill_stroke(fill, stroke, text=True)
    text_box = TextBox(layout, style)
    text_box.baseline = baseline
    emojis = draw_first_line(svg.stream, text_box, "none", "none", Matrix(d=-1, e=x, f=y))
    svg.stream.end_text()
    svg.stream.pop_state()
    draw_emojis(svg.stream, style, x, y, emojis)
