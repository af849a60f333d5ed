"""The blocks of a section: their model, how brief.yaml writes them, and their text in
each language.

Blocks are paragraphs, bullet (``list``) and ``numbered`` lists, tables, quotes and
callouts. A table cell written as a YAML number (``1423``, ``-14.2``) is a number: it
is formatted for each language by Babel, set end-aligned and never sent to translators.
"""

from __future__ import annotations

import base64
import copy
import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import yaml
from markupsafe import Markup, escape

from . import numerals
from .charts import Chart, draw, read_chart
from .figures import SVG, Figure, data_url, figure_bytes, read_figure, svg_text
from .files import excerpt
from .pdf import TextRun

BLOCK_KINDS = ("paragraph", "list", "numbered", "table", "quote", "callout", "figure",
               "chart")
CALLOUT_KINDS = ("note", "important", "example")
NUMBER_FORMATS = ("number", "percent", "year")
MAX_DECIMALS = 6
# Ids that text can refer to; the prefix says what they name.
ID_PREFIXES = {"section": "sec", "table": "tbl", "callout": "box", "figure": "fig"}
ID = re.compile(r"[a-z]+-[a-z0-9]+(?:-[a-z0-9]+)*")
# Far beyond a printed table (10,000 rows of 10 columns is some 350 pages), small
# enough that laying it out stays within minutes and a worker's memory.
MAX_TABLE_CELLS = 100_000
YAML_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


@dataclass(frozen=True)
class Text:
    """A translatable string of the source language and the line it stands on."""

    value: str
    line: int
    markdown: bool = False
    context: str | None = None
    path: str | None = None    # the file it stands in when not the brief (a chart's CSV)


@dataclass(frozen=True)
class Number:
    """A number in a table cell, as written, and its line."""

    value: Decimal
    line: int

    @property
    def decimals(self) -> int:
        """How many digits it was written with after the decimal point."""
        exponent = self.value.as_tuple().exponent
        return -exponent if isinstance(exponent, int) and exponent < 0 else 0


Cell = Text | Number


@dataclass(frozen=True)
class Column:
    """How a table column shows its numbers."""

    format: str = "number"          # number, percent (of 100) or year (no grouping)
    decimals: int | None = None     # None: as many as each number was written with
    unit: Text | None = None        # shown in the column's header


@dataclass(frozen=True)
class Paragraph:
    text: Text


@dataclass(frozen=True)
class BulletList:
    items: tuple[Text, ...]


@dataclass(frozen=True)
class NumberedList:
    items: tuple[Text, ...]


@dataclass(frozen=True)
class Table:
    header: tuple[Text, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: Text | None = None
    columns: tuple[Column, ...] = ()
    total: tuple[Cell, ...] | None = None
    notes: tuple[Text, ...] = ()
    anchor: str | None = None


@dataclass(frozen=True)
class Quote:
    text: Text
    attribution: Text | None = None


@dataclass(frozen=True)
class Callout:
    kind: str
    paragraphs: tuple[Text, ...]
    title: Text | None = None
    anchor: str | None = None


Block = Paragraph | BulletList | NumberedList | Table | Quote | Callout | Figure | Chart


def block_texts(block: Block) -> Iterator[Text]:
    """Every translatable string of a block, in reading order (numbers are not)."""
    return (text for text, _ in described_texts(block, ""))


# What each kind of block is called where a translator is told where a string sits.
BLOCK_NAMES = {Paragraph: "paragraph", BulletList: "list", NumberedList: "numbered list",
               Table: "table", Quote: "quote", Callout: "callout", Figure: "figure",
               Chart: "chart"}


def block_name(block: Block, ordinal: int) -> str:
    """"table tbl-capitals", or "paragraph 2": the block's id, else its place among the
    blocks of its kind in its section."""
    anchor = getattr(block, "anchor", None)
    return f"{BLOCK_NAMES[type(block)]} {anchor or ordinal}"


def described_texts(block: Block, name: str) -> Iterator[tuple[Text, str]]:
    """Every translatable string of a block with where it sits in it, for translators:
    "table tbl-capitals, row Astana, column 2" (``name`` is the block's)."""
    match block:
        case Paragraph(text):
            yield text, name
        case BulletList(items) | NumberedList(items):
            yield from ((item, f"{name}, item {i}") for i, item in enumerate(items, 1))
        case Table():
            if block.caption:
                yield block.caption, f"{name}: caption"
            yield from ((cell, f"{name}, header, column {i}")
                        for i, cell in enumerate(block.header, 1))
            yield from ((column.unit, f"{name}, column {i}: unit")
                        for i, column in enumerate(block.columns, 1) if column.unit)
            rows = [(row, f"row {_label(row[0])}") for row in block.rows]
            if block.total:
                rows.append((block.total, "total row"))
            for row, where in rows:
                yield from ((cell, f"{name}, {where}, column {i}")
                            for i, cell in enumerate(row, 1) if isinstance(cell, Text))
            yield from ((note, f"{name}: note {i}") for i, note in enumerate(block.notes, 1))
        case Quote(text, attribution):
            yield text, name
            if attribution:
                yield attribution, f"{name}: attribution"
        case Callout():
            if block.title:
                yield block.title, f"{name}: title"
            yield from ((paragraph, f"{name}, paragraph {i}")
                        for i, paragraph in enumerate(block.paragraphs, 1))
        case Figure():
            for text, part in ((block.alt, "alt text"), (block.caption, "caption"),
                               (block.credit, "credit")):
                if text:
                    yield text, f"{name}: {part}"
        case Chart():
            for text, part in ((block.title, "title"), (block.x, "x axis title"),
                               (block.y, "y axis title"), (block.unit, "unit")):
                if text:
                    yield text, f"{name}: {part}"
            yield from ((category, f"{name}: category {i}")   # dates are not translated
                        for i, category in enumerate(block.categories, 1)
                        if isinstance(category, Text))
            yield from ((series.name, f"{name}: series {i}")
                        for i, series in enumerate(block.series, 1))


def _label(cell: Cell) -> str:
    """A row's first cell as it names the row, shortened."""
    text = cell.value if isinstance(cell, Text) else str(cell.value)
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:39] + "…"


def block_anchor(block: Block) -> tuple[str, int] | None:
    """The id a block carries and its line, if any."""
    match block:
        case Table(anchor=str(anchor)):
            return anchor, block.header[0].line if block.header else 0
        case Callout(anchor=str(anchor)):
            return anchor, block.paragraphs[0].line
        case Figure(anchor=str(anchor)):
            return anchor, block.alt.line
        case Chart(anchor=str(anchor)):
            return anchor, block.title.line
    return None


# --- Reading brief.yaml ---------------------------------------------------------------------

def read_anchor(r, node: yaml.Node | None, kind: str) -> str | None:
    """An optional ``id``: a slug with the prefix of its kind (``tbl-capitals``)."""
    if node is None:
        return None
    value = r.scalar(node, "id")
    prefix = ID_PREFIXES[kind]
    if value is not None and not (ID.fullmatch(value) and value.startswith(prefix + "-")):
        r.error(node, f"'id' of a {kind} must be '{prefix}-' and a slug of a-z, 0-9 and '-' "
                      f"(got {excerpt(value)})")
        return None
    return value


def read_block(r, node: yaml.Node) -> Block | None:
    """One block of a section's ``blocks`` list; problems go to the reader."""
    if not isinstance(node, yaml.MappingNode) or len(node.value) != 1:
        r.error(node, f"a block must be a mapping with one of: {', '.join(BLOCK_KINDS)}")
        return None
    key, value = node.value[0]
    kind = key.value
    if kind == "paragraph":
        text = r.text(value, "paragraph", markdown=True)
        return Paragraph(text) if text else None
    if kind in ("list", "numbered"):
        what = "list item" if kind == "list" else "numbered item"
        items = [r.text(n, what, markdown=True) for n in r.sequence(value, kind)]
        if not items or not all(items):
            return None
        return BulletList(tuple(items)) if kind == "list" else NumberedList(tuple(items))
    if kind == "table":
        return _table(r, value)
    if kind == "quote":
        f = r.mapping(value, "quote", required=("text",), optional=("attribution",))
        if f is None:
            return None
        text = r.text(f.get("text"), "quote text", markdown=True)
        return Quote(text, r.text(f.get("attribution"), "attribution")) if text else None
    if kind == "callout":
        return _callout(r, value)
    if kind == "figure":
        return read_figure(r, value, read_anchor)
    if kind == "chart":
        return read_chart(r, value, read_anchor)
    r.error(key, f"unknown block '{kind}' (known: {', '.join(BLOCK_KINDS)})")
    return None


def _callout(r, node: yaml.Node) -> Callout | None:
    f = r.mapping(node, "callout", required=("kind", "text"), optional=("title", "id"))
    if f is None or "kind" not in f or "text" not in f:
        return None
    kind = r.choice(f["kind"], "'kind' of a callout", CALLOUT_KINDS)
    text_node = f["text"]
    nodes = r.sequence(text_node, "text") if isinstance(text_node, yaml.SequenceNode) \
        else [text_node]
    paragraphs = [r.text(n, "callout text", markdown=True) for n in nodes]
    anchor = read_anchor(r, f.get("id"), "callout")
    title = r.text(f.get("title"), "callout title", markdown=True)
    if kind is None or not paragraphs or not all(paragraphs):
        return None
    return Callout(kind, tuple(paragraphs), title, anchor)


def _table(r, node: yaml.Node) -> Table | None:
    f = r.mapping(node, "table", required=("header", "rows"),
                  optional=("caption", "columns", "total", "notes", "id"))
    if f is None:
        return None
    header = [r.text(n, "header cell", markdown=True)
              for n in r.sequence(f.get("header"), "header")]
    row_nodes = r.sequence(f.get("rows"), "rows")
    if len(row_nodes) * max(len(header), 1) > MAX_TABLE_CELLS:
        r.error(f["rows"], f"a table of {len(row_nodes):,} rows × {len(header)} columns is "
                           f"over {MAX_TABLE_CELLS:,} cells; split it or publish the data "
                           f"as a file")
        return None
    rows = [_row(r, n, len(header), "row") for n in row_nodes]
    total = _row(r, f["total"], len(header), "total row") if "total" in f else None
    columns = _columns(r, f.get("columns"), len(header))
    notes = [r.text(n, "table note", markdown=True) for n in r.sequence(f.get("notes"), "notes")]
    anchor = read_anchor(r, f.get("id"), "table")
    caption = r.text(f.get("caption"), "caption")
    if (not all(header) or not all(rows) or columns is None or not all(notes)
            or ("total" in f and not total)):
        return None
    return Table(tuple(header), tuple(rows), caption, columns, total, tuple(notes), anchor)


def _row(r, node: yaml.Node, width: int, what: str) -> tuple[Cell, ...] | None:
    cells = [_cell(r, n) for n in r.sequence(node, what)]
    if width and len(cells) != width:
        r.error(node, f"a table {what} has {len(cells)} cells but the header has {width}")
        return None
    return tuple(cells) if all(cells) else None


def _cell(r, node: yaml.Node) -> Cell | None:
    """A cell: a YAML number is a number; anything else is translatable text."""
    if isinstance(node, yaml.ScalarNode) and node.tag in YAML_NUMBERS:
        if (value := yaml_number(node)) is None:
            r.error(node, f"a table cell holds {excerpt(node.value)}, which is not a number "
                          f"a table can show (at most {numerals.MAX_WHOLE_DIGITS} digits before "
                          f"the point and {numerals.MAX_WRITTEN_DECIMALS} after); quote it to "
                          f"show it as text")
            return None
        return Number(value, node.start_mark.line + 1)
    return r.text(node, "table cell", markdown=True)


def yaml_number(node: yaml.Node) -> Decimal | None:
    """A YAML int or float as written (``1_000``, ``12.50``), or None if it is not one a
    brief can show (see shown_number)."""
    if not isinstance(node, yaml.ScalarNode) or node.tag not in YAML_NUMBERS:
        return None
    return numerals.shown_number(node.value)


def _columns(r, node: yaml.Node | None, width: int) -> tuple[Column, ...] | None:
    if node is None:
        return ()
    nodes = r.sequence(node, "columns")
    if len(nodes) != width:
        r.error(node, f"'columns' has {len(nodes)} entries but the header has {width}; "
                      f"give one per column ({{}} for a column as it is)")
        return None
    columns = []
    for column_node in nodes:
        f = r.mapping(column_node, "column", required=(), optional=("format", "decimals", "unit"))
        if f is None:
            return None
        number_format = r.choice(f["format"], "'format'", NUMBER_FORMATS) \
            if "format" in f else "number"
        if number_format is None:
            return None
        decimals = None
        if "decimals" in f:
            value = f["decimals"].value if isinstance(f["decimals"], yaml.ScalarNode) else ""
            if f["decimals"].tag != "tag:yaml.org,2002:int" or not value.isdigit() \
                    or int(value) > MAX_DECIMALS:
                r.error(f["decimals"], f"'decimals' must be a whole number from 0 to "
                                       f"{MAX_DECIMALS} (got {excerpt(value)})")
                return None
            decimals = int(value)
        unit = r.text(f.get("unit"), "unit") if "unit" in f else None
        if number_format is None or ("unit" in f and unit is None):
            return None
        columns.append(Column(number_format, decimals, unit))
    return tuple(columns)


# --- In each language -----------------------------------------------------------------------

def format_number(number: Number, column: Column, formatter) -> str:
    """A table's number as the language writes it: separators, digits, percent sign."""
    locale = formatter.language.babel
    decimals = number.decimals if column.decimals is None else column.decimals
    value = number.value
    if column.format == "percent":
        pattern = copy.copy(locale.percent_formats[None])
        value = value / 100
    else:
        pattern = copy.copy(locale.decimal_formats[None])
    pattern.frac_prec = (decimals, decimals)
    text = pattern.apply(value, locale, group_separator=column.format != "year",
                         numbering_system="default")
    return numerals.localize(text, locale)


def localize_block(block: Block, t, formatter) -> dict:
    """A block's view for the templates, its strings translated by ``t``."""
    match block:
        case Paragraph(text):
            return {"kind": "paragraph", "text": t(text)}
        case BulletList(items):
            return {"kind": "list", "entries": [t(item) for item in items]}
        case NumberedList(items):
            return {"kind": "numbered", "entries": [t(item) for item in items]}
        case Quote(text, attribution):
            return {"kind": "quote", "text": t(text), "attribution": t(attribution)}
        case Callout():
            return {"kind": "callout", "type": block.kind, "title": t(block.title),
                    "paragraphs": [t(p) for p in block.paragraphs], "anchor": block.anchor}
        case Table():
            return _localize_table(block, t, formatter)
        case Figure():
            file = block.file_for(formatter.language.tag)
            data = figure_bytes(file)
            if file.mime == SVG:
                # The glyph check reads the labels an SVG figure draws, in the page's fonts.
                t.runs.append(TextRun(svg_text(data), formatter.language, file.display))
            return {"kind": "figure", "src": data_url(file, data), "alt": t(block.alt),
                    "caption": t(block.caption), "credit": t(block.credit),
                    "anchor": block.anchor, "width": block.width,
                    "pixels": file.pixels, "file": file.display}
        case Chart():
            return _localize_chart(block, t, formatter)
    raise TypeError(block)


def _category_cell(category, t, formatter):
    """A chart's category for its data table: translated text, or a date by CLDR."""
    if isinstance(category, Text):
        return t(category)
    text = formatter.moment(category.date, category.day)
    return {"html": Markup(escape(text)), "lang_attr": Markup(""), "plain": text}


def _localize_chart(chart: Chart, t, formatter) -> dict:
    """The chart drawn for the language, and its data as a table for readers of the page."""
    language = formatter.language
    svg = draw(chart, t, formatter, t.families or ("Noto Sans",), language.direction == "rtl")
    # The glyph check reads the chart's text too: its numbers' words ("млн", "万") as well.
    labels = "".join(html.unescape(text) for text in re.findall(r"<text[^>]*>(.*?)</text>", svg))
    t.runs.append(TextRun(labels, language, t.brief.path, chart.title.line))
    src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
    column = Column(decimals=max((Number(v, 0).decimals for s in chart.series
                                  for v in s.values if v is not None), default=0))
    rows = [[_category_cell(category, t, formatter)] + [
        format_number(Number(s.values[i], 0), column, formatter) if s.values[i] is not None
        else "–" for s in chart.series] for i, category in enumerate(chart.categories)]
    return {"kind": "chart", "src": src, "title": t(chart.title), "anchor": chart.anchor,
            "series": [t(s.name) for s in chart.series], "rows": rows,
            "unit": t(chart.unit), "x": t(chart.x)}


def _localize_table(table: Table, t, formatter) -> dict:
    columns = table.columns or (Column(),) * len(table.header)
    numeric = [any(isinstance(row[i], Number) for row in table.rows)
               for i in range(len(table.header))]

    def cell(value: Cell, index: int, first_column_phrases: bool) -> dict:
        if isinstance(value, Number):
            text = format_number(value, columns[index], formatter)
            # A number reads left to right in every script; isolated, its minus sign
            # stays before it in right-to-left text.
            html = Markup('<bdi dir="ltr">%s</bdi>') % text
            return {"html": html, "number": True, "lang_attr": Markup(""), "label": text}
        shown = t(value, phrases=first_column_phrases and index == 0)
        # Text in a column of numbers ("—", "n/a") stands where a number would.
        return {"html": shown.html, "number": numeric[index], "lang_attr": shown.lang_attr,
                "label": shown.label, "fallback_lang": shown.fallback_lang}

    header = []
    for index, text in enumerate(table.header):
        shown = t(text, phrases=True)
        unit = t(columns[index].unit)
        html = shown.html if unit is None else Markup("%s <span class=\"unit\">(%s)</span>") % (
            shown.html, unit.html)
        header.append({"html": html, "label": shown.label, "lang_attr": shown.lang_attr,
                       "number": numeric[index]})
    rows = [[cell(value, i, True) for i, value in enumerate(row)] for row in table.rows]
    total = [cell(value, i, True) for i, value in enumerate(table.total)] \
        if table.total else None
    return {"kind": "table", "caption": t(table.caption), "header": header, "rows": rows,
            "total": total, "notes": [t(note) for note in table.notes],
            "anchor": table.anchor, "numeric": numeric}
