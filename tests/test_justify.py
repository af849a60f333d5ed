"""Inter-character justification of Japanese and Chinese paragraphs in the PDF."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pdfplumber
import pytest
from babel.messages.pofile import read_po

from conftest import ROOT, copy_project, pdf_text, printed_elements, printed_text, run
from polybrief import pdf

BRIEF = "china-central-asia"
CJK = ("ja", "zh-Hans")
MARGIN = 56.69  # 20 mm in points
EDGE = 0.5      # how close to the right edge a full line ends
SAME = 0.01     # how close two positions of one glyph are to be the same
QUOTES = str.maketrans("", "", "「」“”")   # drawn by CSS around a quotation
# A Python that builds as polybrief did before justification.
UNJUSTIFIED = ("import sys\nfrom polybrief import justify\njustify.install = lambda: None\n"
               "from polybrief.cli import main\nsys.exit(main(sys.argv[1:]))")


@pytest.fixture(scope="module")
def ragged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with its Japanese and Chinese paragraphs set text-align: start."""
    project = copy_project(ROOT, tmp_path_factory.mktemp("ragged") / "project")
    css = project / "templates" / "brief.css"
    css.write_text(css.read_text(encoding="utf-8")
                   + "\n:lang(ja) p, :lang(zh) p { text-align: start; }\n", encoding="utf-8")
    assert run(project, "build", "-q", "--lang", "ja", "--lang", "zh-Hans") == 0
    return project


def pdf_path(project: Path, lang: str) -> Path:
    return project / "dist" / lang / f"{BRIEF}.{lang}.pdf"


def paragraphs(project: Path, lang: str) -> list[str]:
    """The text of each paragraph of the page as printed in its lines (footnote texts
    print at the page foot), without spaces."""
    page = project / "dist" / lang / f"{BRIEF}.html"
    return [re.sub(r"\s+", "", printed_text(p, notes=False)).translate(QUOTES)
            for p in printed_elements(page, "p")]


def page_reference(lang: str) -> re.Pattern:
    """What print adds after a cross-reference: its target's page, "（2ページ）"."""
    folder = ROOT / "locales" / lang.replace("-", "_") / "LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po:
        form = read_po(po)["(p. %(page)s)"].string.replace(" ", "")
    return re.compile(re.escape(form).replace(re.escape("%(page)s"), r"\d+"))


def lines(pdf: Path) -> list[dict]:
    """Every line of text in the PDF, in reading order: page, chars, text without spaces.

    A line's characters are those that overlap it by half their height: a footnote call
    raised above the line belongs to it.
    """
    found = []
    with pdfplumber.open(pdf) as document:
        for number, page in enumerate(document.pages):
            for top, chars in rows(page.chars):
                text = "".join(c["text"] for c in chars if not c["text"].isspace())
                found.append({"page": number, "top": top, "chars": chars,
                              "x1": max(c["x1"] for c in chars), "width": page.width,
                              "text": text.translate(QUOTES)})
    return found


def rows(chars: list[dict]) -> list[tuple[float, list[dict]]]:
    """Characters in lines, top to bottom, each line's from left to right."""
    found: list[tuple[float, float, list[dict]]] = []
    for char in sorted(chars, key=lambda c: (-c["size"], c["top"])):
        height = char["bottom"] - char["top"]
        row = next((row for row in found
                    if min(row[1], char["bottom"]) - max(row[0], char["top"]) >= height / 2),
                   None)
        if row is None:
            found.append((char["top"], char["bottom"], [char]))
        else:
            row[2].append(char)
    return [(round(top, 1), sorted(row, key=lambda c: c["x0"]))
            for top, _, row in sorted(found, key=lambda row: row[0])]


def paragraph_lines(project: Path, lang: str) -> list[dict]:
    """The lines of the page's paragraphs, each marked "full" or "last" (of its paragraph).

    Lines follow the paragraphs' text in order; running headers, headings, lists and
    footnotes between them are left unmarked.
    """
    texts = paragraphs(project, lang)
    page_numbers = page_reference(lang)
    found = lines(pdf_path(project, lang))
    index, position = 0, 0
    for line in found:
        line["role"] = None
        text = page_numbers.sub("", line["text"])
        if not text:
            continue
        if position and not texts[index].startswith(text, position):
            position = 0   # the paragraph went on elsewhere: a footnote, the next page
        if position == 0:
            start = next((i for i in range(index, len(texts))
                          if texts[i].startswith(text)), None)
            if start is None:
                continue
            index = start
        if texts[index].startswith(text, position):
            position += len(text)
            line["role"] = "last" if position == len(texts[index]) else "full"
            if line["role"] == "last":
                index, position = index + 1, 0
    return found


def right_edges(marked: list[dict]) -> dict[float, list[float]]:
    """Where the full lines end, by the column (left edge) they start in."""
    columns = defaultdict(list)
    for line in marked:
        if line["role"] == "full":
            columns[round(line["chars"][0]["x0"], 1)].append(line["x1"])
    return columns


# --- The sample brief -----------------------------------------------------------------------

@pytest.mark.parametrize("lang", CJK)
def test_full_lines_of_cjk_paragraphs_end_at_the_right_edge(sample, lang):
    marked = paragraph_lines(sample, lang)
    columns = right_edges(marked)
    assert sum(len(ends) for ends in columns.values()) >= 25, columns
    for left, ends in columns.items():
        assert max(ends) - min(ends) <= EDGE, (left, sorted(ends))
    body = columns[round(MARGIN, 1)]
    edge = marked[0]["width"] - MARGIN
    assert all(abs(end - edge) <= EDGE for end in body), sorted(body)


@pytest.mark.parametrize("lang", CJK)
def test_start_aligned_cjk_paragraphs_stay_ragged(ragged, lang):
    """The measure above fails on paragraphs that are not justified."""
    body = right_edges(paragraph_lines(ragged, lang))[round(MARGIN, 1)]
    assert max(body) - min(body) > 5, sorted(body)


@pytest.mark.parametrize("lang", CJK)
def test_justification_keeps_every_line_break(sample, ragged, lang):
    justified = [(line["page"], line["text"]) for line in lines(pdf_path(sample, lang))]
    assert justified == [(line["page"], line["text"]) for line in lines(pdf_path(ragged, lang))]


@pytest.mark.parametrize("lang", CJK)
def test_last_lines_of_cjk_paragraphs_keep_natural_spacing(sample, ragged, lang):
    justified = paragraph_lines(sample, lang)
    natural = lines(pdf_path(ragged, lang))
    last = [(line, plain) for line, plain in zip(justified, natural, strict=True)
            if line["role"] == "last"]
    assert len(last) >= 15
    for line, plain in last:
        assert [c["x0"] for c in line["chars"]] == \
            pytest.approx([c["x0"] for c in plain["chars"]], abs=SAME), line["text"]
        assert line["x1"] < line["width"] - MARGIN + SAME
    # Most end well before the edge: they would have been stretched.
    assert sum(line["x1"] < line["width"] - MARGIN - 10 for line, _ in last) >= 10


def test_latin_words_in_japanese_lines_keep_their_letter_spacing(sample, ragged):
    justified = paragraph_lines(sample, "ja")
    natural = lines(pdf_path(ragged, "ja"))
    words = []
    for line, plain in zip(justified, natural, strict=True):
        if line["role"] != "full":
            continue
        chars, plain_chars = line["chars"], plain["chars"]
        for i in range(1, len(chars)):
            if re.fullmatch(r"[A-Za-z]{2}", chars[i - 1]["text"] + chars[i]["text"]):
                words.append(chars[i - 1]["text"] + chars[i]["text"])
                gap = chars[i]["x0"] - chars[i - 1]["x0"]
                assert gap == pytest.approx(plain_chars[i]["x0"] - plain_chars[i - 1]["x0"],
                                            abs=SAME), (line["text"], words[-1])
        if "CGTN" in line["text"]:
            assert line["x1"] > plain["x1"] + 1   # the line itself was stretched
    assert {"CG", "GT", "TN", "EU"} <= set(words), words


def test_japanese_text_extracts_as_before(sample, ragged):
    """Only glyph positions change: text extraction inserts no spaces."""
    assert pdf_text(pdf_path(sample, "ja")) == pdf_text(pdf_path(ragged, "ja"))


def test_chinese_text_extracts_the_same_characters(sample, ragged):
    squeeze = lambda text: re.sub(r"\s+", "", text)  # noqa: E731
    assert squeeze(pdf_text(pdf_path(sample, "zh-Hans"))) == \
        squeeze(pdf_text(pdf_path(ragged, "zh-Hans")))


def test_other_languages_are_byte_identical_to_a_build_without_justification(sample,
                                                                            tmp_path):
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-c", UNJUSTIFIED, "build", "-C", str(sample), "-q",
                    "--lang", "en", "--lang", "ru", "--lang", "ja", "--format", "pdf",
                    "--out", str(out)], check=True)
    for lang in ("en", "ru"):
        assert (out / lang / f"{BRIEF}.{lang}.pdf").read_bytes() == \
            pdf_path(sample, lang).read_bytes(), lang
    # The build without justification is one: Japanese comes out otherwise.
    assert (out / "ja" / f"{BRIEF}.ja.pdf").read_bytes() != pdf_path(sample, "ja").read_bytes()


# --- Where a line stretches, character by character -------------------------------------------

RULES = ("「中国」とCGTN、……は協力の枠組みである。"
         "長期にわたる友好、その原則を法的文書として明文化した。")
# The pairs of characters of the first line of RULES that do not move apart.
UNSTRETCHED = {"「中", "国」", "CG", "GT", "TN", "N、", "……", "る。"}


def first_lines(lang: str, align: str, text: str = RULES) -> list[list[dict]]:
    """The lines of a paragraph 300 pt wide, as polybrief draws them; chars per line."""
    from weasyprint import HTML

    pdf._patch_weasyprint()
    page = (f'<html lang="{lang}"><style>@page {{ size: 420pt 300pt; margin: 50pt }}'
            f'body {{ margin: 0 }} p {{ font: 10pt "Noto Serif CJK JP"; width: 300pt;'
            f' margin: 0; text-align: {align} }}</style><p>{text}</p></html>')
    with pdfplumber.open(io.BytesIO(HTML(string=page).write_pdf())) as document:
        return [chars for _, chars in rows(document.pages[0].chars)]


def gaps(justified: list[dict], natural: list[dict]) -> list[tuple[str, float]]:
    """How much further apart each pair of neighbouring characters is when justified."""
    assert [c["text"] for c in justified] == [c["text"] for c in natural]
    shifts = [j["x0"] - n["x0"] for j, n in zip(justified, natural, strict=True)]
    return [(justified[i - 1]["text"] + justified[i]["text"], shifts[i] - shifts[i - 1])
            for i in range(1, len(shifts))]


def test_japanese_line_stretches_between_characters_but_not_inside_latin_words():
    justified, natural = first_lines("ja", "justify"), first_lines("ja", "start")
    assert justified[0][-1]["x1"] == pytest.approx(350, abs=EDGE)
    assert natural[0][-1]["x1"] < 349
    widened = gaps(justified[0], natural[0])
    assert UNSTRETCHED <= {pair for pair, _ in widened}
    for pair, extra in widened:
        if pair in UNSTRETCHED:
            assert extra == pytest.approx(0, abs=SAME), pair
    stretched = [extra for pair, extra in widened if pair not in UNSTRETCHED]
    # Equal shares, to the thousandth of an em that the PDF positions glyphs by.
    assert max(stretched) - min(stretched) <= 2 * SAME, widened
    assert min(stretched) > 0.05
    # The last line is left as it is.
    assert all(abs(extra) <= SAME for _, extra in gaps(justified[-1], natural[-1]))


@pytest.mark.parametrize("lang", ["ko", "en"])
def test_other_languages_are_not_stretched_between_characters(lang):
    justified, natural = first_lines(lang, "justify"), first_lines(lang, "start")
    assert [[c["x0"] for c in line] for line in justified] == \
        [[c["x0"] for c in line] for line in natural]


def test_line_ending_in_a_forced_break_keeps_natural_spacing():
    text = "協力の枠組み<br>" + RULES
    justified, natural = first_lines("ja", "justify", text), first_lines("ja", "start", text)
    assert [c["x0"] for c in justified[0]] == [c["x0"] for c in natural[0]]
    assert justified[1][-1]["x1"] == pytest.approx(350, abs=EDGE)


def test_a_footnote_call_stays_with_the_characters_around_it():
    """No stretch on either side of the raised call: it reads 年」1と, not 年」 1 と."""
    note = ('<span style="float: footnote">注記</span>')
    text = RULES.replace("枠組みである", "枠組み" + note + "である")
    justified, natural = first_lines("ja", "justify", text), first_lines("ja", "start", text)
    assert justified[0][-1]["x1"] == pytest.approx(350, abs=EDGE)
    widened = dict(gaps(justified[0], natural[0]))
    assert widened["み1"] == pytest.approx(0, abs=SAME)
    assert widened["1で"] == pytest.approx(0, abs=SAME)
    assert widened["組み"] > 0.05
