"""Hyphenation in the PDF: at most two hyphenated lines in a row, never a paragraph's last
word, never a heading; search and copy find every hyphenated word whole."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest

from conftest import (
    FIXTURES,
    NOTE_BODY,
    ROOT,
    copy_project,
    edit,
    printed_elements,
    printed_text,
    run,
)
from polybrief.hyphenation import Break

HYPHEN = "\u2010"                # WeasyPrint's hyphenate-character
A4 = (595, 842)                 # points
MARGIN = 22 / 25.4 * 72         # the page's top and bottom margins: running header, page number
HEADING_SIZE = 11               # points: h1, h2 and the subtitle are larger, body text smaller
SPACES = re.compile(r"[\s\u00a0\u202f]+")

# A Russian paragraph in a column 42 mm wide: WeasyPrint alone ends three lines in a row
# with a hyphen, and hyphenates the last word (отно‐/шений.).
NARROW_TEXT = ("Межгосударственное сотрудничество государств Центральной Азии охватывает "
               "транспортную инфраструктуру, энергетические коммуникации, "
               "сельскохозяйственное производство и цифровую экономику; международные "
               "наблюдатели подчёркивают последовательность преобразований и "
               "институционализацию взаимодействия, что свидетельствует о долгосрочности "
               "межгосударственных отношений.")
NARROW_HEADING = "Предыстория межгосударственного водопользования"
NARROW_CSS = "\n.body p { width: 42mm; }\n.body h2 { width: 55mm; }\n"

# Builds without polybrief.hyphenation, to show what it changes.
UNPATCHED_BUILD = """
import sys
import polybrief.hyphenation
from polybrief.cli import main
polybrief.hyphenation.install = lambda: None
sys.exit(main(["build", "-q", "--format", "pdf", *sys.argv[1:]]))
"""


@dataclass(frozen=True)
class Line:
    text: str
    size: float   # the largest font size on the line

    @property
    def hyphenated(self) -> bool:
        return self.text.endswith(HYPHEN)


def pdf_lines(path: Path) -> list[Line]:
    """The lines of a PDF in reading order, as drawn (pdfplumber reads the glyphs and their
    hyphens, not /ActualText), without running headers and page numbers."""
    lines = []
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for line in page.extract_text_lines(strip=True, return_chars=True):
                if MARGIN - 2 < line["top"] and line["bottom"] < page.height - MARGIN + 2:
                    lines.append(Line(line["text"], max(c["size"] for c in line["chars"])))
    return lines


def normal(text: str) -> str:
    return SPACES.sub(" ", text).strip()


def html_texts(path: Path, *tags: str) -> list[str]:
    """The printed text of every element of these kinds in a page's main content, and
    of each footnote, which prints at the foot of the page, as a paragraph of its own."""
    notes = [normal(printed_text(span)) for span in printed_elements(path, "span")
             if NOTE_BODY in span.get("class", "").split()]
    return [normal(printed_text(element, notes=False))
            for element in printed_elements(path, *tags)] + notes


def longest_run(lines: list[Line]) -> int:
    longest = current = 0
    for line in lines:
        current = current + 1 if line.hyphenated else 0
        longest = max(longest, current)
    return longest


def hyphenated_words(lines: list[Line]) -> list[str]:
    """Each word split at the end of a line, joined again."""
    words = []
    for line, after in zip(lines, lines[1:], strict=False):
        if line.hyphenated:
            start = normal(line.text[:-1]).split(" ")[-1]
            rest = normal(after.text).split(" ")[0]
            # Punctuation around the word goes, and a footnote call after it (»1).
            words.append(re.sub(r"^\W+|\W+\d*$", "", start + rest))
    return words


def last_words_hyphenated(lines: list[Line], paragraphs: list[str]) -> list[str]:
    """Hyphenated words that end a paragraph: the next line holds only their rest."""
    found = []
    for line, after in zip(lines, lines[1:], strict=False):
        rest = normal(after.text)
        if line.hyphenated and " " not in rest:
            word = normal(line.text[:-1]).split(" ")[-1] + rest
            if any(paragraph.endswith(word) for paragraph in paragraphs):
                found.append(f"{line.text} / {rest}")
    return found


def pdftotext(path: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def words_not_found_whole(pdf: Path, html: Path) -> list[str]:
    """Hyphenated words that pdftotext, laid out or in reading order, finds fewer times
    than the page's paragraphs hold them."""
    text = " ".join(html_texts(html, "p", "li"))
    missing = []
    for options in ((), ("-layout",)):
        extracted = pdftotext(pdf, *options)
        missing += [f"{word} ({' '.join(options) or 'reading order'})"
                    for word in sorted(set(hyphenated_words(pdf_lines(pdf))))
                    if extracted.count(word) < text.count(word)]
    return missing


def sample_files(sample: Path, lang: str) -> tuple[Path, Path]:
    folder = sample / "dist" / lang
    return folder / f"china-central-asia.{lang}.pdf", folder / "china-central-asia.html"


def build_unpatched(project: Path, out: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-c", UNPATCHED_BUILD, "-C", str(project), "--out",
                    str(out), "--force", *args], check=True, cwd=ROOT)


# --- The shipped sample ---------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ru", "en", "kk"])
def test_sample_has_at_most_two_hyphenated_lines_in_a_row(sample, lang):
    lines = pdf_lines(sample_files(sample, lang)[0])
    assert longest_run(lines) <= 2
    hyphenated = sum(line.hyphenated for line in lines)
    # Kazakh has no hyphenation dictionary: its lines break at spaces only.
    assert hyphenated == 0 if lang == "kk" else hyphenated >= 10, hyphenated


@pytest.mark.parametrize("lang", ["ru", "en", "kk"])
def test_sample_paragraphs_never_end_with_a_hyphenated_word(sample, lang):
    pdf, html = sample_files(sample, lang)
    assert last_words_hyphenated(pdf_lines(pdf), html_texts(html, "p", "li")) == []


@pytest.mark.parametrize("lang", ["ru", "en", "kk"])
def test_sample_headings_are_never_hyphenated(sample, lang):
    pdf, html = sample_files(sample, lang)
    lines = pdf_lines(pdf)
    headings = [line.text for line in lines if line.size > HEADING_SIZE]
    assert len(headings) >= 7
    assert [text for text in headings if text.endswith(HYPHEN)] == []
    drawn = normal(" ".join(line.text for line in lines))
    for heading in html_texts(html, "h1", "h2"):
        for word in heading.split(" "):
            assert word in drawn, word


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_pdftotext_finds_every_hyphenated_sample_word_whole(sample, lang):
    pdf, html = sample_files(sample, lang)
    assert len(hyphenated_words(pdf_lines(pdf))) >= 10
    assert words_not_found_whole(pdf, html) == []
    for options in ((), ("-layout",)):
        assert not re.search(f"{HYPHEN}$", pdftotext(pdf, *options), re.MULTILINE)
    # Search finds the word everywhere, the ones split over two lines included.
    if lang == "ru":
        paragraphs = " ".join(html_texts(html, "p", "li"))
        for word in ("государств", "комментария"):
            assert pdftotext(pdf).count(word) >= paragraphs.count(word) >= 4, word


def test_languages_without_hyphenation_come_out_byte_identical(sample, tmp_path):
    langs = ("ja", "zh-Hans", "kk")
    build_unpatched(sample, tmp_path, *(arg for lang in langs for arg in ("--lang", lang)))
    for lang in langs:
        name = f"{lang}/china-central-asia.{lang}.pdf"
        assert (tmp_path / name).read_bytes() == (sample / "dist" / name).read_bytes(), lang


# --- A paragraph in a narrow column ---------------------------------------------------------

@pytest.fixture(scope="module")
def narrow(tmp_path_factory) -> Path:
    """The mini fixture with a long Russian paragraph in a narrow column and a long
    heading, built in Russian: tagged, untagged, and tagged without polybrief's patch."""
    project = copy_project(FIXTURES / "mini", tmp_path_factory.mktemp("narrow") / "mini")
    edit(project, "locales/ru/LC_MESSAGES/mini.po",
         'msgstr "Амударья и Сырдарья пересекают регион."', f'msgstr "{NARROW_TEXT}"')
    edit(project, "locales/ru/LC_MESSAGES/mini.po",
         'msgstr "Предыстория"', f'msgstr "{NARROW_HEADING}"')
    css = project / "templates" / "print.css.j2"
    css.write_text(css.read_text(encoding="utf-8") + NARROW_CSS, encoding="utf-8")
    assert run(project, "build", "-q", "--lang", "ru") == 0
    assert run(project, "build", "-q", "--lang", "ru", "--format", "pdf", "--pdf-standard",
               "none", "--out", str(project / "untagged")) == 0
    build_unpatched(project, project / "unpatched", "--lang", "ru")
    return project


def narrow_files(project: Path, out: str = "dist") -> tuple[Path, Path]:
    return project / out / "ru" / "mini.ru.pdf", project / "dist" / "ru" / "mini.html"


def test_narrow_column_breaks_every_rule_without_the_patch(narrow):
    """The fixture can fail the checks below: WeasyPrint alone breaks all three."""
    pdf, html = narrow_files(narrow, "unpatched")
    lines = pdf_lines(pdf)
    assert longest_run(lines) >= 3
    last = last_words_hyphenated(lines, html_texts(html, "p"))
    assert len(last) == 1 and last[0].endswith(" отно‐ / шений."), last
    assert words_not_found_whole(pdf, html) != []


def test_narrow_column_has_at_most_two_hyphenated_lines_in_a_row(narrow):
    lines = pdf_lines(narrow_files(narrow)[0])
    assert longest_run(lines) == 2
    assert sum(line.hyphenated for line in lines) >= 8


def test_narrow_column_paragraph_never_ends_with_a_hyphenated_word(narrow):
    pdf, html = narrow_files(narrow)
    lines = pdf_lines(pdf)
    assert last_words_hyphenated(lines, html_texts(html, "p")) == []
    assert any("отношений." in line.text for line in lines)


def test_narrow_column_heading_is_not_hyphenated(narrow):
    """The heading takes three lines, one word each, where its words could hyphenate."""
    h2 = [line.text for line in pdf_lines(narrow_files(narrow)[0]) if 12 < line.size < 15]
    assert h2[:3] == NARROW_HEADING.split(" ")


@pytest.mark.parametrize("out", ["dist", "untagged"])
def test_pdftotext_finds_every_hyphenated_word_whole_in_a_narrow_column(narrow, out):
    pdf, html = narrow_files(narrow, out)
    assert words_not_found_whole(pdf, html) == []
    # The paragraph, read without the running header and page number of a page break.
    width, height = A4
    text = normal(pdftotext(pdf, "-y", str(round(MARGIN)), "-W", str(width),
                            "-H", str(height - 2 * round(MARGIN))))
    assert NARROW_TEXT in text


# --- The text a line gives search and copy --------------------------------------------------

@pytest.mark.parametrize(("text", "lead", "hyphen", "tail", "actual"), [
    ("пяти госу‐", 0, "‐", "дарств", "пяти государств"),
    ("дарств Центральной", 6, "", "", "Центральной"),
    ("дарств, и инфра‐", 7, "‐", "структуры.", "и инфраструктуры."),
    ("государ‐", 16, "‐", "ственного", ""),   # the middle of a word split twice
    ("ственного и", 9, "", "", "и"),
])
def test_a_line_reads_its_hyphenated_word_whole_and_once(text, lead, hyphen, tail, actual):
    assert Break(lead, hyphen, tail, (0, 0)).actual_text(text) == actual
