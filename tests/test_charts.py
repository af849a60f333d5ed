"""Charts from data: translated words, numbers per locale, text as text, RTL axes."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pdfplumber
import pytest

from conftest import FIXTURES, build_fails, copy_project, edit, line_of, pdf_text, run

CAPITALS = "content/capitals/brief.yaml"
CSV = "content/capitals/growth.csv"
TICKS = {"en": ["1.2M", "1.6M", "2M", "2.4M", "2.8M"],
         "ja": ["120万", "160万", "200万", "240万", "280万"],
         "ru": ["1,2\u00a0млн", "1,6\u00a0млн", "2\u00a0млн", "2,4\u00a0млн", "2,8\u00a0млн"],
         "ar": ["1.2\u00a0مليون", "1.6\u00a0مليون", "2\u00a0مليون", "2.4\u00a0مليون",
                "2.8\u00a0مليون"]}
CITIES = {"en": ["Astana", "Bishkek", "Tashkent"], "ja": ["アスタナ", "ビシュケク", "タシケント"],
          "ru": ["Астана", "Бишкек", "Ташкент"], "ar": ["أستانا", "بيشكيك", "طشقند"]}


def charts(project: Path, lang: str) -> list[str]:
    html = (project / "dist" / lang / "capitals.html").read_text(encoding="utf-8")
    return [base64.b64decode(data).decode("utf-8") for data in re.findall(
        r'<figure class="figure chart".*?src="data:image/svg\+xml;base64,([^"]+)"', html, re.S)]


def labels(svg: str) -> list[tuple[float, str]]:
    return [(float(x), text) for x, text in re.findall(r'<text[^>]* x="([\d.]+)"[^>]*>(.*?)</text>',
                                                       svg, re.S)]


@pytest.mark.parametrize("lang", ["en", "ja", "ru", "ar"])
def test_words_are_translated_and_numbers_formatted_for_the_language(blocks, lang):
    bar, line = charts(blocks, lang)
    texts = [text for _, text in labels(line)]
    for tick in TICKS[lang]:
        assert tick in texts, (lang, texts)
    assert set(CITIES[lang]) <= set(texts)
    # The bar chart's unit, translated, goes with its axis title.
    assert {"en": "(per cent)", "ja": "(％)", "ru": "(%)", "ar": "(٪)"}[lang] in bar


def test_right_to_left_charts_read_from_the_right(blocks):
    for lang, rtl in (("en", False), ("ar", True)):
        _, line = charts(blocks, lang)
        found = dict((text, x) for x, text in labels(line))
        cities = [found[city] for city in CITIES[lang]]
        assert (cities == sorted(cities, reverse=True)) is rtl, (lang, cities)
        ticks = [found[tick] for tick in TICKS[lang]]
        assert all(x > max(cities) for x in ticks) is rtl   # the value axis on the right


def test_chart_text_is_text_in_the_pdf_in_the_languages_font(blocks):
    path = blocks / "dist" / "ja" / "capitals.ja.pdf"
    with pdfplumber.open(path) as document:
        fonts = {char["fontname"].split("+")[-1] for page in document.pages
                 for char in page.chars if char["text"] == "万"}
    assert fonts and all("CJK" in font for font in fonts), fonts
    text = pdf_text(blocks / "dist" / "ar" / "capitals.ar.pdf")
    assert "مليون" in text and "أستانا" in text


def test_the_html_offers_the_data_as_a_table(blocks):
    html = (blocks / "dist" / "ru" / "capitals.html").read_text(encoding="utf-8")
    # Beside the figure, not in it: a figure's caption is its first or last child.
    figure = re.search(r'<figure class="figure chart" id="fig-change">.*?</figure>\s*'
                       r'<details class="chart-data no-print">.*?</details>', html, re.S)[0]
    table = re.search(r'<details class="chart-data no-print">.*?</details>', figure, re.S)[0]
    assert "<summary>Данные</summary>" in table
    assert ('<th scope="row">Душанбе</th><td class="num" data-label="2023"><bdi dir="ltr">'
            '-14,2</bdi></td>') in table
    assert re.search(r'<img src="data:image/svg\+xml;base64,[^"]+" alt="Изменение численности '
                     r'населения по годам \(иллюстративно\)" aria-describedby="fig-change-data">',
                     html)


def test_the_same_chart_gives_the_same_bytes(blocks, tmp_path):
    project = copy_project(FIXTURES / "blocks", tmp_path / "again")
    assert run(project, "build", "-q", "--lang", "ar") == 0
    assert charts(project, "ar") == charts(blocks, "ar")
    assert (project / "dist/ar/capitals.ar.pdf").read_bytes() == \
        (blocks / "dist/ar/capitals.ar.pdf").read_bytes()


@pytest.fixture
def fresh(blocks_fresh: Path) -> Path:
    return blocks_fresh


fails_with = build_fails


def test_a_bad_csv_row_is_named_by_its_row(fresh, capsys):
    edit(fresh, CSV, "Bishkek,1100000", "Bishkek,about a million")
    fails_with(fresh, capsys, f"error: {CSV}:3: row 3: 'about a million' is not a number")


@pytest.mark.parametrize("value", ["1e99999", "0.0000000000001", "NaN", "-Infinity"])
def test_a_csv_number_a_chart_cannot_show_is_named_by_its_row(fresh, capsys, value):
    edit(fresh, CSV, "Bishkek,1100000", f"Bishkek,{value}")
    fails_with(fresh, capsys, f"error: {CSV}:3: row 3: '{value}' is not a number")


def test_a_csv_row_of_the_wrong_width(fresh, capsys):
    edit(fresh, CSV, "Tashkent,2800000,", "Tashkent,")
    fails_with(fresh, capsys, f"error: {CSV}:4: row 4 has 4 cells but the header has 5")


@pytest.mark.parametrize(("old", "new", "message"), [
    ("type: line", "type: pie", "'type' of a chart must be one of bar, stacked-bar, line"),
    ("csv: growth.csv", "csv: ../readings/brief.yaml",
     "'csv' must be the name of a .csv file in the brief's folder"),
    ("csv: growth.csv", "csv: nope.csv", "content/capitals/nope.csv: no such file"),
    ("values: [4.2, -1.5, -14.2]", "values: [4.2, -1.5]", "series has 2 values for 3 categories"),
    ("values: [4.2, -1.5, -14.2]", "values: [4.2, -1.5, lots]",
     "a chart value must be a number (got 'lots')"),
    ("values: [4.2, -1.5, -14.2]", "values: [4.2, -1.5, 1.0e+99999]",
     "a chart value must be a number (got '1.0e+99999')"),
])
def test_bad_charts_are_reported_with_file_and_line(fresh, capsys, old, new, message):
    line = line_of(fresh / CAPITALS, old)
    edit(fresh, CAPITALS, old, new)
    err = build_fails(fresh, capsys)
    assert re.search(rf"error: {CAPITALS}:{line}:\d+: {re.escape(message)}", err), err


def test_a_stacked_bar_chart_stacks_its_series(tmp_path):
    from decimal import Decimal

    from polybrief.blocks import Text
    from polybrief.charts import Chart, Series, draw
    from polybrief.i18n import Formatter, parse_language

    def t(text):
        class Shown:
            plain = text.value
        return Shown()

    chart = Chart("stacked-bar", Text("Made up", 1), (Text("A", 1), Text("B", 1)),
                  (Series(Text("x", 1), (Decimal(1), Decimal(2))),
                   Series(Text("y", 1), (Decimal(3), Decimal(4)))))
    svg = draw(chart, t, Formatter(parse_language("en")), ("Noto Sans",), False)
    assert svg == draw(chart, t, Formatter(parse_language("en")), ("Noto Sans",), False)
    bars = re.findall(r'<path d="M ([\d.]+) ([\d.]+) \nL ([\d.]+) ([\d.]+) \nL ([\d.]+) '
                      r'([\d.]+) \nL ([\d.]+) ([\d.]+) \nz\n" clip-path', svg)
    assert len(bars) == 4
    # Each second-series bar starts where the first series' bar of its category ends.
    first, second = bars[:2], bars[2:]
    for low, high in zip(first, second, strict=True):
        assert abs(float(low[5]) - float(high[1])) < 0.01, (low, high)
    texts = [text for _, text in labels(svg)]
    assert "6" in texts or "5" in texts   # the axis reaches the sum, 6


def test_the_glyph_check_reads_the_charts_text(blocks):
    from polybrief.project import load_project, render_page

    project = load_project(blocks)
    brief = next(b for b in project.briefs if b.id == "capitals")
    page = render_page(project, brief, project.language("ru"))
    chart_runs = [run for run in page.runs if "млн" in run.text]
    assert chart_runs and chart_runs[0].path == "content/capitals/brief.yaml"
    assert "Ташкент" in chart_runs[0].text


@pytest.mark.parametrize(("tag", "months"), [
    ("en", ["Jun 2025", "Jul 2025"]), ("ja", ["2025年6月", "2025年7月"]),
    ("ru", ["июнь 2025\u202fг.", "июль 2025\u202fг."]), ("fa", ["ژوئن ۲۰۲۵", "ژوئیه ۲۰۲۵"]),
])
def test_a_time_axis_is_written_by_cldr(tag, months):
    import datetime as dt
    from decimal import Decimal

    from polybrief.blocks import Text
    from polybrief.charts import Chart, Moment, Series, draw
    from polybrief.i18n import Formatter, parse_language

    chart = Chart("line", Text("Made up", 1),
                  (Moment(dt.date(2025, 6, 1), False, 1), Moment(dt.date(2025, 7, 1), False, 1)),
                  (Series(Text("x", 1), (Decimal(1), Decimal(2))),))
    from types import SimpleNamespace

    svg = draw(chart, lambda text: SimpleNamespace(plain=text.value),
               Formatter(parse_language(tag)), ("Noto Sans",), tag == "fa")
    texts = [text for _, text in labels(svg)]
    assert [m for m in months if m in texts] == months, texts


def test_segments_from_a_csv_name_the_csv_and_its_row():
    """A translator's tool shows where a category or series name comes from."""
    from babel.messages.pofile import read_po

    from conftest import FIXTURES

    with (FIXTURES / "blocks" / "locales" / "capitals.pot").open("rb") as pot:
        catalog = read_po(pot)
    csv = "content/capitals/growth.csv"
    header = (FIXTURES / "blocks" / "content" / "capitals" / "growth.csv").read_text(
        encoding="utf-8").splitlines()[0].split(",")
    for name in header[1:]:
        assert (csv, 1) in catalog[name.strip()].locations, name
