"""Subsections, numbered lists, callouts, tables of numbers and per-brief languages."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pymupdf
import pytest
from pypdf import PdfReader

from conftest import build_fails, edit, line_of, pdf_text, run
from polybrief.blocks import Column, Number, format_number
from polybrief.i18n import Formatter, parse_language

LANGS = ("en", "ja", "ru", "ar")
CAPITALS = "content/capitals/brief.yaml"


@pytest.fixture
def fresh(blocks_fresh: Path) -> Path:
    return blocks_fresh


def page(project: Path, lang: str, brief: str = "capitals") -> str:
    return (project / "dist" / lang / f"{brief}.html").read_text(encoding="utf-8")


def pdf(project: Path, lang: str, brief: str = "capitals") -> Path:
    return project / "dist" / lang / f"{brief}.{lang}.pdf"


fails_with = build_fails


# --- Numbers, per language ------------------------------------------------------------------

@pytest.mark.parametrize(("tag", "column", "value", "shown"), [
    ("en", Column(), "1423", "1,423"),
    ("ru", Column(), "1423", "1\u00a0423"),
    ("ru", Column(), "-14.2", "-14,2"),
    ("de", Column(decimals=2), "-14.2", "-14,20"),
    ("en", Column(format="percent", decimals=1), "7.1", "7.1%"),
    ("ru", Column(format="percent", decimals=1), "7.1", "7,1\u00a0%"),
    ("en", Column(format="year"), "1830", "1830"),
    ("ar-EG", Column(), "1423.5", "١٬٤٢٣٫٥"),
    ("fa", Column(), "1423", "۱٬۴۲۳"),
    ("hi", Column(), "1234567", "12,34,567"),
])
def test_numbers_are_formatted_by_cldr_for_each_language(tag, column, value, shown):
    formatter = Formatter(parse_language(tag))
    assert format_number(Number(Decimal(value), 1), column, formatter) == shown


def test_numbers_are_not_sent_to_translators(blocks):
    pot = (blocks / "locales" / "capitals.pot").read_text(encoding="utf-8")
    ids = re.findall(r'^msgid "(.*)"', pot, re.M)
    assert "Astana" in ids and "All five" in ids and "thousands" in ids
    # Only header cells written as quoted text ("2023") and a CSV's series names are text.
    assert {i for i in ids if re.fullmatch(r"[-0-9., ]+", i)} == {"2021", "2022", "2023",
                                                                  "2024"}, ids
    readings = (blocks / "locales" / "readings.pot").read_text(encoding="utf-8")
    assert "50.5" not in readings and '"1.1"' not in readings


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", ["1,423", "797.3", "7.1%", "1830", "-14.2", "7,755"]),
    ("ru", ["1 423", "797,3", "7,1 %", "1830", "-14,2", "7 755"]),
    ("ja", ["1,423", "797.3", "7.1%", "1830", "-14.2"]),
    ("ar", ["1,423", "797.3", "7.1%", "1830", "-14.2"]),
])
def test_pdf_and_html_show_the_numbers_of_the_language(blocks, lang, expected):
    text = pdf_text(pdf(blocks, lang)).replace("\u00a0", " ")
    html = page(blocks, lang).replace("\u00a0", " ")
    for number in expected:
        assert number in text, (number, lang)
        assert f'<bdi dir="ltr">{number}</bdi>' in html, (number, lang)


def test_number_cells_are_end_aligned(blocks):
    for lang in ("en", "ar"):
        with pdfplumber.open(pdf(blocks, lang)) as document:
            words = [w for p in document.pages for w in p.extract_words()]
        # The thousands of the population column end at one x, whatever their width.
        ends = {round(w["x1"]) for w in words if w["text"] in ("1,423", "1,145", "7,755")}
        assert len(ends) == 1, (lang, ends)
    html = page(blocks, "en")
    assert '<td data-label="Population" class="num"><bdi dir="ltr">1,423</bdi></td>' in html
    assert '<th scope="col" class="num">Population <span class="unit">(thousands)</span></th>' \
        in html


def test_minus_sign_stays_before_its_number_in_arabic(blocks):
    html = page(blocks, "ar")
    assert '<bdi dir="ltr">-14.2</bdi>' in html
    # On the page, read left to right along each baseline, the minus sign is drawn to the
    # left of the digits.
    rows: dict[tuple[int, int], list[dict]] = {}
    with pdfplumber.open(pdf(blocks, "ar")) as document:
        for number, pdf_page in enumerate(document.pages):
            for char in pdf_page.chars:
                rows.setdefault((number, round(char["matrix"][5])), []).append(char)
    seen = " ".join("".join(c["text"] for c in sorted(row, key=lambda c: c["x0"]))
                    for row in rows.values())
    for number in ("-14.2", "-1.5", "-200"):
        assert number in seen, number
    assert "14.2-" not in seen and "1.5-" not in seen


def test_total_row_and_notes(blocks):
    html = page(blocks, "ru")
    total = re.search(r'<tr class="total">(.*?)</tr>', html, re.S)[1]
    assert "7\u00a0755" in total
    assert html.count('class="table-note"') == 2
    text = pdf_text(pdf(blocks, "ja"))
    notes = re.findall(r'<p class="table-note"[^>]*>(.*?)</p>', page(blocks, "ja"))
    assert len(notes) == 2 and all(note.strip() for note in notes)
    assert notes[0][:6] in text.replace(" ", "")


def test_a_long_table_breaks_with_its_header_on_every_page(blocks):
    for lang in ("en", "ar"):
        path = pdf(blocks, lang, "readings")
        pages = [pdf_text(path, page) for page in range(1, len(PdfReader(path).pages) + 1)]
        header = "Point" if lang == "en" else "المستوى"   # "Level"
        with_rows = [i for i, text in enumerate(pages) if re.search(r"\b60\b|\b17\b", text)]
        assert len(pages) >= 3
        # The header on each page the table runs over, the caption with the first rows.
        assert all(header in pages[i] for i in range(len(pages)) if i >= min(with_rows))
        first = pages[0]
        assert ("Sixty made-up readings" in first) if lang == "en" else True
        assert re.search(r"\b1\.1\b|\b50\.5\b", first)


# --- Structure ------------------------------------------------------------------------------

def test_subsections_are_numbered_in_the_contents_and_are_bookmarks(blocks):
    html = page(blocks, "en")
    toc = re.search(r'<nav class="toc".*?</nav>', html, re.S)[0]
    assert '<a href="#sec-founding">' in toc and '<a href="#s1-2">' in toc
    assert re.search(r"<ol>\s*<li><a href=\"#sec-founding\">", toc)
    assert '<section class="subsection" id="sec-founding" aria-labelledby="sec-founding-h">' \
        in html
    text = pdf_text(pdf(blocks, "en"))
    assert re.search(r"1\.1\s+Founding and renaming", text)
    assert re.search(r"1\.2\s+Sizes", text)
    for lang in LANGS:
        toc = pymupdf.open(pdf(blocks, lang)).get_toc()
        levels = [level for level, _, _ in toc]
        assert levels[:3] == [1, 2, 2], (lang, toc)


BOX = {"en": "Box %(num)s", "ja": "コラム%(num)s", "ru": "Врезка %(num)s", "ar": "الإطار %(num)s"}


def test_numbered_lists_and_callouts_in_every_language(blocks):
    labels = {"en": ("Note", "Important", "Example"), "ja": ("注", "重要", "例"),
              "ru": ("Примечание", "Важно", "Пример"), "ar": ("ملاحظة", "مهم", "مثال")}
    for lang, words in labels.items():
        html = page(blocks, lang)
        assert html.count('<ol class="numbered">') == 1
        for kind, word in zip(("note", "important", "example"), words, strict=True):
            assert re.search(rf'<div class="callout callout-{kind}" role="note"'
                             rf'[^>]*aria-label="{word}"',
                             html), (lang, kind)
            # Callouts are numbered in document order, so that text can refer to them.
            number = ("note", "important", "example").index(kind) + 1
            box = BOX[lang] % {"num": number}
            assert (f'<p class="callout-label"><span class="figure-label">{box}</span> '
                    f'{word}</p>') in html
        assert '<div class="callout callout-important" role="note" id="box-names"' in html
        text = pdf_text(pdf(blocks, lang))
        assert all(word in text for word in words), lang


def test_callout_text_may_be_several_paragraphs(blocks):
    box = re.search(r'<div class="callout callout-important".*?</div>', page(blocks, "en"),
                    re.S)[0]
    assert box.count("<p") == 4  # label, title, two paragraphs
    assert '<p class="callout-title">A changed name</p>' in box


# --- Per-brief languages --------------------------------------------------------------------

def test_a_brief_is_built_only_in_its_languages(blocks):
    assert pdf(blocks, "ar", "readings").exists() and pdf(blocks, "en", "readings").exists()
    assert not (blocks / "dist" / "ja" / "readings.html").exists()
    assert not (blocks / "dist" / "ru" / "readings.html").exists()
    assert not (blocks / "locales" / "ja" / "LC_MESSAGES" / "readings.po").exists()
    switcher = re.search(r'<nav class="languages".*?</nav>', page(blocks, "en", "readings"),
                         re.S)[0]
    assert re.findall(r'hreflang="([\w-]+)"', switcher) == ["en", "ar"]
    assert re.findall(r'hreflang="([\w-]+)"', re.search(
        r'<nav class="languages".*?</nav>', page(blocks, "en"), re.S)[0]) == list(LANGS)


def test_status_lists_a_brief_only_in_its_languages(blocks, capsys):
    assert run(blocks, "status") == 0
    out = capsys.readouterr().out
    assert re.findall(r"readings\W+(\w+)", out) == ["en", "ar"]


def test_a_brief_language_must_be_configured(fresh, capsys):
    line = line_of(fresh / "content/readings/brief.yaml", "languages: [en, ar]")
    edit(fresh, "content/readings/brief.yaml", "languages: [en, ar]", "languages: [en, fr]")
    fails_with(fresh, capsys, f"error: content/readings/brief.yaml:{line}: 'languages': 'fr' "
                              f"is not "
                              "in [tool.polybrief] languages (configured: en, ja, ru, ar)")


# --- Bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize(("old", "new", "message"), [
    ("- {format: year}", "- {format: date}",
     ":28: 'format' must be one of number, percent, year (got 'date')"),
    ("- {format: percent, decimals: 1}", "- {format: percent, decimals: 9}",
     ":47: 'decimals' must be a whole number from 0 to 6 (got '9')"),
    ("- {}\n                - {unit: thousands}\n", "- {unit: thousands}\n",
     ":17: 'columns' has 4 entries but the header has 5"),
    ("[All five, 7755, 1866.6, 10.2, \"—\"]", "[All five, 7755]",
     ":22: a table total row has 2 cells but the header has 5"),
    ("[Astana, 1423, 797.3, 7.1, 1830]", "[Astana, .inf, 797.3, 7.1, 1830]",
     ":28: a table cell holds '.inf', which is not a number a table can show"),
    # Written out in full, these would be a hundred thousand digits long.
    ("[Astana, 1423, 797.3, 7.1, 1830]", "[Astana, 1.0e+99999, 797.3, 7.1, 1830]",
     ":28: a table cell holds '1.0e+99999', which is not a number a table can show (at "
     "most 15 digits before the point and 12 after)"),
    ("[Astana, 1423, 797.3, 7.1, 1830]", "[Astana, 1.0e-99999, 797.3, 7.1, 1830]",
     ":28: a table cell holds '1.0e-99999'"),
    ("kind: note", "kind: warning",
     ":17: 'kind' of a callout must be one of note, important, example (got 'warning')"),
    ("id: box-names", "id: names", ":19: 'id' of a callout must be 'box-' and a slug"),
    ("id: tbl-sizes", "id: sec-founding", ":19: 'id' of a table must be 'tbl-' and a slug"),
])
def test_bad_blocks_are_reported_with_file_and_line(fresh, capsys, old, new, message):
    line = line_of(fresh / CAPITALS, old)
    edit(fresh, CAPITALS, old, new)
    fails_with(fresh, capsys, f"error: {CAPITALS}:{line}{message}")


def test_an_id_given_twice_is_reported_at_both_places(fresh, capsys):
    first = line_of(fresh / CAPITALS, "  - heading: Overview")
    second = line_of(fresh / CAPITALS, "      - heading: Founding and renaming")
    edit(fresh, CAPITALS, "id: sec-founding", "id: sec-overview")
    fails_with(fresh, capsys, f"error: {CAPITALS}:{second}: id 'sec-overview' is given twice "
                              f"(first on line {first})")
