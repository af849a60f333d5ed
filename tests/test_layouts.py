"""Layouts (brief, factsheet, report) and key figures, in English, Japanese and Arabic."""

from __future__ import annotations

import re
from pathlib import Path

import html5lib
import pdfplumber
import pytest
from pypdf import PdfReader

from conftest import FIXTURES, build_fails, copy_project, edit, line_of, pdf_text, run

LANGS = ("en", "ja", "ar")
FACTSHEET = "mechanism-factsheet"
REPORT = "mechanism-report"


def _html(project: Path, lang: str, brief: str) -> str:
    page = (project / "dist" / lang / f"{brief}.html").read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(page)
    return page


@pytest.mark.parametrize("lang", LANGS)
def test_a_factsheet_is_at_most_two_pages_with_key_figures_on_top_and_no_contents(layouts,
                                                                                  lang):
    pdf = layouts / "dist" / lang / f"{FACTSHEET}.{lang}.pdf"
    assert len(PdfReader(pdf).pages) <= 2
    page = _html(layouts, lang, FACTSHEET)
    assert '<body class="layout-factsheet">' in page
    assert 'class="toc"' not in page
    # The key figures come first after the title band, then the key points.
    assert page.index('class="key-figures"') < page.index('class="key-points"') \
        < page.index('class="summary"') < page.index('class="sections"')
    assert len(re.findall(r'<span class="figure-value">', page)) == 4
    assert 'class="logo"' in page
    first = pdf_text(pdf, 1)
    assert re.search(r"\b6\b", first) and re.search(r"\b5\b", first)


def test_a_factsheet_sets_its_body_in_two_columns(layouts):
    """Words of one section stand both left and right of the page's middle, at one height."""
    pdf = layouts / "dist" / "en" / f"{FACTSHEET}.en.pdf"
    with pdfplumber.open(pdf) as document:
        page = document.pages[0]
        middle = page.width / 2
        lines: dict[int, set[str]] = {}
        for word in page.extract_words():
            side = "left" if word["x1"] < middle - 5 else "right" if word["x0"] > middle + 5 \
                else "across"
            lines.setdefault(round(word["top"]), set()).add(side)
    two_columns = [top for top, sides in lines.items() if sides == {"left", "right"}]
    assert len(two_columns) >= 5, lines


@pytest.mark.parametrize("lang", LANGS)
def test_a_report_has_a_cover_a_contents_page_and_each_section_on_its_own_page(layouts,
                                                                               lang):
    pdf = layouts / "dist" / lang / f"{REPORT}.{lang}.pdf"
    page = _html(layouts, lang, REPORT)
    assert '<body class="layout-report">' in page
    headings = [_squeeze(re.sub(r"<[^>]+>", "", h)) for h in
                re.findall(r'<section class="body"[^>]*>\s*<h2 id="[^"]+">(.*?)</h2>', page)]
    assert len(headings) == 4
    count = len(PdfReader(pdf).pages)
    texts = [_squeeze(pdf_text(pdf, n)) for n in range(1, count + 1)]
    tops = [_header(pdf, n) for n in range(1, count + 1)]
    title = _squeeze(re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)[1]))
    assert title in texts[0] and tops[0] == ""
    # Page 2: the contents, and nothing of the body.
    contents = _squeeze(re.search(r'<h2 id="toc">(.*?)</h2>', page)[1])
    assert contents in texts[1] and all(heading in texts[1] for heading in headings)
    # A section starts a page (its text begins below the running header with the
    # heading), and its heading is the running header until the next one.
    starts = [next((n for n in range(2, count)
                    if texts[n].removeprefix(tops[n]).startswith(heading)), None)
              for heading in headings]
    assert None not in starts and starts == sorted(set(starts)) and starts[0] > 2, starts
    for heading, start, end in zip(headings, starts, starts[1:] + [count], strict=True):
        for number in range(start, end):
            if not (number == end - 1 and heading == headings[-1]):
                assert tops[number] == heading, (number, tops[number])
    sources = _squeeze(re.search(r'<h2 id="sources">(.*?)</h2>', page)[1])
    assert sources in texts[-1] and tops[-1] == sources


def _squeeze(text: str) -> str:
    """Text without spaces or the bidi controls pdftotext adds around embedded runs, and
    without lam, alef and Arabic marks: pdftotext gives a lam-alef ligature's letters in
    glyph order (الإقليمي comes out as اإلقليمي) and may move a shadda."""
    return re.sub(r"[\s\u202a-\u202e\u2066-\u2069\u064b-\u065f\u0644\u0627\u0622\u0623\u0625]+", "",
                  text)


def _header(pdf: Path, page: int) -> str:
    """The text of a page's top margin, where the running header stands."""
    import subprocess

    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-x", "0", "-y", "0",
                          "-W", "600", "-H", "50", str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    return _squeeze(out)


@pytest.mark.parametrize("layout", ["brief", "factsheet", "report"])
def test_every_layout_is_tagged_with_the_same_structure(layouts, layout, tmp_path):
    from conftest import structure_elements

    project = copy_project(layouts, tmp_path / "p")
    edit(project, "pyproject.toml", 'paper = "A4"', f'paper = "A4"\nlayout = "{layout}"')
    for brief in ("mechanism-factsheet", "mechanism-report"):
        edit(project, f"content/{brief}/brief.yaml", f"layout: {brief.split('-')[1]}\n", "")
    assert run(project, "build", "-q", "--lang", "ar", "--brief", "mechanism-report",
               "--format", "pdf") == 0
    pdf = project / "dist/ar/mechanism-report.ar.pdf"
    import pikepdf

    with pikepdf.open(pdf) as document:
        kinds = [str(element.get("/S")) for element in
                 structure_elements(document.Root.StructTreeRoot)]
    assert kinds.count("/H1") == 1 and kinds.count("/H2") >= 6, kinds
    assert "/L" in kinds and "/TOC" in kinds or layout == "factsheet", kinds


def test_key_figures_are_written_as_each_language_writes_numbers(tmp_path):
    project = copy_project(FIXTURES / "blocks", tmp_path / "p")
    edit(project, "content/capitals/brief.yaml", "countries: [KZ",
         "key_figures:\n  - value: 1234567.5\n    label: people\n  - value: 12.5\n"
         "    format: percent\n    label: share\n  - value: 1997\n    format: year\n"
         "    label: moved\ncountries: [KZ")
    assert run(project, "build", "-q", "--format", "html", "--brief", "capitals",
               "--lang", "en", "--lang", "ru", "--lang", "ja") == 0
    values = {lang: re.findall(r'<span class="figure-value"><bdi dir="ltr">([^<]+)</bdi>',
                               (project / f"dist/{lang}/capitals.html").read_text("utf-8"))
              for lang in ("en", "ru", "ja")}
    assert values["en"] == ["1,234,567.5", "12.5%", "1997"]
    assert values["ru"] == ["1\u00a0234\u00a0567,5", "12,5\u00a0%", "1997"]
    assert values["ja"] == ["1,234,567.5", "12.5%", "1997"]
    # Their labels are translatable, located in the brief.
    pot = (project / "locales/capitals.pot")
    assert run(project, "update", "-q") == 0
    assert 'msgid "people"' in pot.read_text(encoding="utf-8")
    assert "#. key figure 1" in pot.read_text(encoding="utf-8")


@pytest.mark.parametrize(("snippet", "message"), [
    ("key_figures:\n  - value: many\n    label: x\n",
     "a key figure's 'value' must be a number such as 6 or 12.5, with at most 15 digits "
     "before the point and 12 after (got 'many')"),
    ("key_figures:\n  - value: 1.0e+99999\n    label: x\n",
     "a key figure's 'value' must be a number such as 6 or 12.5, with at most 15 digits "
     "before the point and 12 after (got '1.0e+99999')"),
    ("key_figures:\n  - value: 1\n    label: x\n    colour: red\n",
     "key figure: unknown field 'colour'"),
    ("key_figures:\n  - value: 1\n",
     "key figure: missing required field 'label'"),
    ("key_figures:\n  - value: 1\n    label: x\n    format: money\n",
     "'format' must be one of number, percent, year (got 'money')"),
    ("key_figures:\n" + "  - value: 1\n    label: x\n" * 5,
     "'key_figures' has 5 entries; a brief shows at most 4"),
    ("layout: poster\n", "'layout' must be one of brief, factsheet, report (got 'poster')"),
])
def test_bad_key_figures_and_layouts_are_one_line_each_with_their_line(tmp_path, capsys,
                                                                       snippet, message):
    project = copy_project(FIXTURES / "mini", tmp_path / "p")
    assert run(project, "build", "-q", "--lang", "en") == 0
    brief = next(project.glob("content/*/brief.yaml"))
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("\nsections:", "\n" + snippet.rstrip("\n") + "\nsections:", 1),
                     encoding="utf-8")
    first = snippet.splitlines()[0]
    err = build_fails(project, capsys, message)
    rel = brief.relative_to(project).as_posix()
    assert re.search(rf"{re.escape(rel)}:\d+(:\d+)?: ", err), err
    assert line_of(brief, first) <= int(re.search(rf"{re.escape(rel)}:(\d+)", err)[1])


def test_a_bad_project_layout_names_the_key(tmp_path, capsys):
    project = copy_project(FIXTURES / "mini", tmp_path / "p")
    assert run(project, "build", "-q", "--lang", "en") == 0
    edit(project, "pyproject.toml", "[tool.polybrief]\n", '[tool.polybrief]\nlayout = "zine"\n')
    build_fails(project, capsys, "[tool.polybrief] 'layout' must be one of brief, factsheet, "
                                 "report (got 'zine')")


def test_a_factsheet_over_two_pages_is_over_its_page_budget(tmp_path, capsys):
    project = copy_project(FIXTURES / "blocks", tmp_path / "p")
    edit(project, "pyproject.toml", 'paper = "A4"', 'paper = "A4"\nlayout = "factsheet"')
    assert run(project, "build", "--lang", "en", "--format", "pdf") == 0
    err = capsys.readouterr().err
    assert re.search(r"content/\w+/brief\.yaml: the en PDF has \d pages, over the factsheet "
                     r"layout's page budget of 2", err), err
    assert run(project, "build", "--lang", "en", "--format", "pdf", "--strict") == 1
    # A brief that names the layout itself is located at that line.
    edit(project, "content/readings/brief.yaml", "countries: [KZ]",
         "layout: factsheet\ncountries: [KZ]")
    line = line_of(project / "content/readings/brief.yaml", "layout: factsheet")
    capsys.readouterr()
    assert run(project, "build", "--lang", "en", "--format", "pdf") == 0
    assert f"content/readings/brief.yaml:{line}: the en PDF has 3 pages, over the factsheet " \
           f"layout's page budget of 2" in capsys.readouterr().err
