"""Charts from data: bar, stacked-bar and line charts drawn by Matplotlib as SVG.

A chart's data is inline (``categories`` and ``series``) or a CSV file of the brief's
folder whose first row names the series. Its title, axis titles, unit, categories and
series names are catalog segments; every number on an axis or label is written by
Babel for the language (``1.5M``, ``1,5 млн``, ``150万``, in its digits). The SVG keeps
its text as text (``svg.fonttype: none``), set in the language's fonts, so that the PDF
can be searched and the glyph check sees it; right-to-left languages get the category
axis running from the right and the value axis on the right, as Arabic publications set
them. The same data and language always give the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import re
import warnings
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import yaml

from . import numerals
from .files import decode, excerpt, inside, plain_relative, read_bytes

CHART_TYPES = ("bar", "stacked-bar", "line")
MAX_POINTS = 2000                # categories × series: far beyond a readable chart
PALETTE = ("#8a1c2b", "#1d5f8a", "#b07d1a", "#3d7a3a", "#5a6470", "#7a3d8a")


@dataclass(frozen=True)
class Series:
    name: object                 # Text
    values: tuple[Decimal | None, ...]


@dataclass(frozen=True)
class Chart:
    type: str
    title: object                # Text
    categories: tuple[object, ...]   # Text each
    series: tuple[Series, ...]
    x: object | None = None
    y: object | None = None
    unit: object | None = None
    anchor: str | None = None
    source: str | None = None    # the CSV file, as messages name it
    digest: str | None = None    # of the CSV file: a change rebuilds the documents


def read_chart(r, node: yaml.Node, read_anchor) -> Chart | None:
    """A ``chart:`` block; ``r`` is the brief's reader, which knows the brief's folder."""
    f = r.mapping(node, "chart", required=("type", "title"),
                  optional=("x", "y", "unit", "id", "categories", "series", "csv"))
    if f is None or "type" not in f or "title" not in f:
        return None
    kind = r.choice(f["type"], "'type' of a chart", CHART_TYPES)
    title = r.text(f["title"], "chart title")
    texts = {name: r.text(f.get(name), f"chart {name}") for name in ("x", "y", "unit")}
    anchor = read_anchor(r, f.get("id"), "figure")
    if "csv" in f:
        if "categories" in f or "series" in f:
            r.error(f["csv"], "a chart takes its data from 'csv' or from 'categories' and "
                              "'series', not both")
            return None
        data = _from_csv(r, f["csv"])
    else:
        data = _inline(r, f, node)
    if kind is None or title is None or data is None:
        return None
    categories, series, source, digest = data
    return Chart(kind, title, categories, series, texts["x"], texts["y"], texts["unit"],
                 anchor, source, digest)


# A time axis: categories that are all ISO dates or months are written by CLDR.
ISO_DATE = re.compile(r"(\d{4})-(\d{2})(?:-(\d{2}))?")


@dataclass(frozen=True)
class Moment:
    """A category on a time axis: a day, or a month when ``day`` is None."""

    date: dt.date
    day: bool
    line: int


def _moment(text: str, line: int) -> Moment | None:
    match = ISO_DATE.fullmatch(text.strip())
    if not match:
        return None
    try:
        return Moment(dt.date(int(match[1]), int(match[2]), int(match[3] or 1)),
                      match[3] is not None, line)
    except ValueError:
        return None


def _category(r, node: yaml.Node):
    """A category: an ISO date or month (``2025-06``) is a moment, anything else text."""
    if isinstance(node, yaml.ScalarNode) and (moment := _moment(node.value,
                                                                 node.start_mark.line + 1)):
        return moment
    return r.text(node, "category")


def _inline(r, f: dict, node: yaml.Node):
    if "categories" not in f or "series" not in f:
        r.error(node, "a chart needs 'categories' and 'series', or 'csv'")
        return None
    categories = [_category(r, n) for n in r.sequence(f["categories"], "categories")]
    series = []
    for series_node in r.sequence(f["series"], "series"):
        s = r.mapping(series_node, "series", required=("name", "values"))
        if s is None or "name" not in s or "values" not in s:
            return None
        values = []
        for value_node in r.sequence(s["values"], "values"):
            value = r.scalar(value_node, "values")
            number = numerals.shown_number(value) if value is not None else None
            if value_node.tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float") \
                    or number is None:
                r.error(value_node, f"a chart value must be a number (got {excerpt(value)})")
                return None
            values.append(number)
        if len(values) != len(categories):
            r.error(s["values"], f"series has {len(values)} values for {len(categories)} "
                                 f"categories")
            return None
        series.append(Series(r.text(s["name"], "series name"), tuple(values)))
    if not all(categories) or not all(s.name for s in series) or not series:
        return None
    if len(categories) * len(series) > MAX_POINTS:
        r.error(f["series"], f"a chart of {len(categories) * len(series):,} values is over "
                             f"{MAX_POINTS:,}")
        return None
    return tuple(categories), tuple(series), None, None


def _from_csv(r, node: yaml.Node):
    """``csv: trade.csv``: the first row names the series, the first column the
    categories; an empty cell is a missing value."""
    from .blocks import Text

    name = r.scalar(node, "csv")
    if name is None:
        return None
    if plain_relative(name) is None or "/" in name or not name.lower().endswith(".csv"):
        r.error(node, f"'csv' must be the name of a .csv file in the brief's folder "
                      f"(got {excerpt(name)})")
        return None
    folder: Path = r.folder
    display = f"{Path(r.path).parent.as_posix()}/{name}"
    if inside(folder / name, folder) is None:
        r.error(node, f"{display} is a link to a file outside the brief's folder")
        return None
    from .errors import ProjectError

    try:
        data = read_bytes(folder / name, r.root, display, "asset")
        text = decode(data, display)
    except ProjectError as exc:   # no such file, not a file, too large: where it is named
        for problem in exc.problems:
            if problem.line is None:
                r.error(node, f"{problem.path}: {problem.message}")
            else:   # inside the file: not UTF-8
                r.problems.add(problem.path, problem.message, problem.line, problem.column)
        return None
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2 or len(rows[0]) < 2:
        r.problems.add(display, "a chart's CSV needs a header row (the category column, "
                                "then one column per series) and at least one row", 1)
        return None
    header = rows[0]
    if (len(rows) - 1) * (len(header) - 1) > MAX_POINTS:
        r.problems.add(display, f"{(len(rows) - 1) * (len(header) - 1):,} values is over "
                                f"{MAX_POINTS:,}", 1)
        return None
    categories, columns = [], [[] for _ in header[1:]]
    for number, row in enumerate(rows[1:], 2):
        if len(row) != len(header):
            r.problems.add(display, f"row {number} has {len(row)} cells but the header has "
                                    f"{len(header)}", number)
            return None
        if not row[0].strip() or re.search(r"[\x00-\x08\x0b-\x1f]", "".join(row)):
            r.problems.add(display, f"row {number}: the category (first cell) must be text",
                           number)
            return None
        categories.append(_moment(row[0], number) or Text(row[0].strip(), number,
                                                            path=display))
        for column, cell in zip(columns, row[1:], strict=True):
            value = numerals.shown_number(cell) if cell.strip() else None
            if cell.strip() and value is None:
                r.problems.add(display, f"row {number}: {excerpt(cell)} is not a number",
                               number)
                return None
            column.append(value)
    series = tuple(Series(Text(name.strip(), 1, path=display), tuple(values))
                   for name, values in zip(header[1:], columns, strict=True))
    if not all(s.name.value for s in series):
        r.problems.add(display, "every series needs a name in the header row", 1)
        return None
    return tuple(categories), series, display, hashlib.sha256(data).hexdigest()


# --- Drawing -------------------------------------------------------------------------------

def draw(chart: Chart, t, formatter, families: tuple[str, ...], rtl: bool) -> str:
    """The chart as SVG for one language: its words translated by ``t``, its numbers
    formatted by ``formatter``, its text in ``families``."""
    import matplotlib

    matplotlib.use("svg")
    from matplotlib import pyplot as plt
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    def word(text) -> str:
        if isinstance(text, Moment):   # CLDR's pattern for the language: "Jun 2025", "2025年6月"
            return formatter.moment(text.date, text.day)
        return t(text).plain if text is not None else ""

    categories = [word(c) for c in chart.categories]
    if rtl:   # Arabic and Hebrew charts read from the right
        categories = categories[::-1]
    values = [[float(v) if v is not None else float("nan") for v in s.values]
              for s in chart.series]
    if rtl:
        values = [v[::-1] for v in values]
    style = {"svg.fonttype": "none", "svg.hashsalt": "polybrief",
             "font.family": list(families) + ["sans-serif"], "font.size": 9,
             "axes.edgecolor": "#5a6470", "axes.labelcolor": "#1d2329",
             "xtick.color": "#1d2329", "ytick.color": "#1d2329"}
    # Matplotlib measures the labels with the fonts it finds; WeasyPrint sets them, with
    # the language's fallbacks. Its notes on missing glyphs and families are not the user's.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    with matplotlib.rc_context(style), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        figure, axes = plt.subplots(figsize=(6.4, 3.4))
        try:
            positions = range(len(categories))
            if chart.type == "line":
                for index, (series, row) in enumerate(zip(chart.series, values, strict=True)):
                    axes.plot(positions, row, marker="o", linewidth=2, markersize=4,
                              color=PALETTE[index % len(PALETTE)], label=word(series.name))
            else:
                count = len(chart.series)
                width = 0.8 if chart.type == "stacked-bar" else 0.8 / count
                bottoms = [0.0] * len(categories)
                for index, (series, row) in enumerate(zip(chart.series, values, strict=True)):
                    if chart.type == "stacked-bar":
                        xs = list(positions)
                        axes.bar(xs, row, width, bottom=bottoms, label=word(series.name),
                                 color=PALETTE[index % len(PALETTE)])
                        bottoms = [b + (v if v == v else 0) for b, v in zip(bottoms, row,
                                                                           strict=True)]
                    else:
                        # The first series first in reading order: rightmost in RTL.
                        step = width * (index + 0.5)
                        xs = [p + 0.4 - step if rtl else p - 0.4 + step for p in positions]
                        axes.bar(xs, row, width, label=word(series.name),
                                 color=PALETTE[index % len(PALETTE)])
            axes.set_xticks(list(positions), categories)
            axes.yaxis.set_major_locator(MaxNLocator(nbins=6))
            axes.yaxis.set_major_formatter(FuncFormatter(
                lambda value, _: formatter.compact(value)))
            axes.grid(axis="y", color="#d9d4c7", linewidth=0.6)
            axes.set_axisbelow(True)
            for side in ("top", "left" if rtl else "right"):
                axes.spines[side].set_visible(False)
            if rtl:
                axes.yaxis.tick_right()
                axes.yaxis.set_label_position("right")
            y_title = " ".join(filter(None, (word(chart.y),
                                             f"({word(chart.unit)})" if chart.unit else "")))
            if y_title:
                axes.set_ylabel(y_title)
            if chart.x is not None:
                axes.set_xlabel(word(chart.x))
            if len(chart.series) > 1:
                axes.legend(frameon=False, loc="upper right" if not rtl else "upper left")
            figure.tight_layout()
            out = io.StringIO()
            figure.savefig(out, format="svg", metadata={"Date": None, "Creator": None})
        finally:
            plt.close(figure)
    return out.getvalue()
