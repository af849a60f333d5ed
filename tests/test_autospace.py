"""A quarter-em between Japanese or Chinese characters and Latin letters or digits in the PDF."""

from __future__ import annotations

import io
import re
import subprocess
from collections import defaultdict
from itertools import pairwise

import pdfplumber
import pytest

from conftest import pdf_text
from polybrief import autospace, pdf

BRIEF = "china-central-asia"
QUARTER = 0.25
CLOSE = 0.01   # of an em: the PDF places glyphs in thousandths of one
# A Latin letter or digit beside a Han or kana character, with a space between.
IDEOGRAPH = r"[\u3041-\u30ff\u4e00-\u9fff]"
SPACED_OUT = re.compile(rf"[0-9A-Za-z] {IDEOGRAPH}|{IDEOGRAPH} [0-9A-Za-z]")


def boundary_gaps(chars: list[dict]) -> list[tuple[str, float]]:
    """The space between each two neighbours on a line that meet at a boundary, in ems."""
    rows = defaultdict(list)
    for char in chars:
        rows[round(char["top"], 1)].append(char)
    found = []
    for row in rows.values():
        row.sort(key=lambda c: c["x0"])
        for a, b in pairwise(row):
            if autospace.BOUNDARY.match(a["text"] + b["text"]):
                found.append((a["text"] + b["text"], (b["x0"] - a["x1"]) / a["size"]))
    return found


def render(body: str, lang: str = "ja", variant: str | None = None, width: str = "auto",
           align: str = "start") -> bytes:
    from weasyprint import HTML

    pdf._patch_weasyprint()
    page = (f'<html lang="{lang}"><style>@page {{ size: 420pt 300pt; margin: 50pt }}'
            f'body {{ margin: 0 }} p {{ font: 10pt "Noto Serif CJK JP"; margin: 0;'
            f' width: {width}; text-align: {align} }}</style><p>{body}</p></html>')
    return HTML(string=page).write_pdf(pdf_variant=variant)


def chars_of(data: bytes) -> list[dict]:
    with pdfplumber.open(io.BytesIO(data)) as document:
        return [char for page in document.pages for char in page.chars]


def text_of(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode().strip()


# --- Where the boundaries are ---------------------------------------------------------------

@pytest.mark.parametrize(("text", "spaced"), [
    ("2025年", ["5"]), ("EUと中国", ["U"]), ("第2回", ["第", "2"]), ("AI規制", ["I"]),
    ("会合AI", ["合"]), ("カタカナABC", ["ナ"]), ("2025 年", []), ("「EU」と", []),
    ("、2", []), ("中国", []), ("abc", []), ("Москва東京", ["а"]),
])
def test_boundaries_are_between_an_ideograph_or_kana_and_a_letter_or_digit(text, spaced):
    encoded = text.encode()
    assert [encoded[start:end].decode() for start, end in autospace.boundaries(text)] == spaced


def test_the_space_after_a_first_character_goes_before_the_second():
    # "第2回": the space after 第 is put before 2, the one after 2 stays after it.
    assert autospace._spacing("第2回") == [(3, 4, 1, 1)]
    assert autospace._spacing("2025年") == [(3, 4, 0, 1)]
    assert autospace._spacing("EUと中国AI") == [(1, 2, 0, 1), (8, 11, 0, 1)]


# --- Drawn ----------------------------------------------------------------------------------

@pytest.mark.parametrize("variant", [None, "pdf/ua-1"])
def test_a_quarter_em_within_and_across_inline_elements(variant):
    body = ('中国<a href="#x">EU</a>と第<span>2回</span>の<em>会合</em>AIと2025年、'
            '<span>2025年</span>至<span>2026年</span>。<bdi>polybrief</bdi>于2025年')
    data = render(body, variant=variant)
    gaps = boundary_gaps(chars_of(data))
    assert len(gaps) == 14, gaps
    for pair, gap in gaps:
        assert gap == pytest.approx(QUARTER, abs=CLOSE), pair
    # Search and copy read the text as it is written, without spaces.
    plain = re.sub(r"<[^>]+>", "", body)
    assert text_of(data).replace("\n", "") == plain


def test_a_quarter_em_across_inline_elements_in_a_footnote():
    """A footnote leaves the box tree as it is built: its text is spaced all the same."""
    note = '<span style="float: footnote">注記第<b>2</b>回と<a href="#x">EU</a>と</span>'
    gaps = boundary_gaps(chars_of(render("本文" + note + "です。")))
    assert [pair for pair, _ in gaps] == ["第2", "2回", "とE", "Uと"]
    for pair, gap in gaps:
        assert gap == pytest.approx(QUARTER, abs=CLOSE), pair


def test_punctuation_and_typed_spaces_get_nothing_more():
    chars = chars_of(render("中国と日本、「EU」と中国、2"))
    pairs = [(a["text"] + b["text"], (b["x0"] - a["x1"]) / a["size"])
             for a, b in pairwise(chars) if a["text"] + b["text"] != "EU"]   # EU is kerned
    assert len(pairs) == 13 and all(gap == pytest.approx(0, abs=CLOSE) for _, gap in pairs), pairs
    # A space typed between the two keeps its own width: no quarter-em is added to it.
    typed = [char for char in chars_of(render("中国 EU と中国")) if char["text"] != " "]
    space = [(b["x0"] - a["x1"]) / a["size"] for a, b in pairwise(typed)
             if a["text"] + b["text"] in ("国E", "Uと")]
    assert len(space) == 2 and all(0.2 < gap < QUARTER + CLOSE for gap in space), space


@pytest.mark.parametrize("lang", ["en", "ko", "ru"])
def test_other_languages_have_no_space_added(lang):
    gaps = boundary_gaps(chars_of(render("Tokyo東京と2025年", lang=lang)))
    assert gaps and all(gap == pytest.approx(0, abs=CLOSE) for _, gap in gaps), gaps


@pytest.mark.parametrize("text", ["2回", "页a", "中国EU", "第1页，共4页", "a中国"])
def test_a_box_as_wide_as_its_text_holds_it_on_one_line(text):
    """Pango measures spaced first and last characters wider than it sets them."""
    from weasyprint import HTML

    pdf._patch_weasyprint()
    page = (f'<html lang="zh-Hans"><style>@page {{ size: 300pt 200pt; margin: 40pt;'
            f' @bottom-center {{ content: "{text}"; font: 8pt "Noto Serif CJK SC" }} }}'
            f' body {{ font: 10pt "Noto Serif CJK SC" }} .float {{ float: left }}'
            f' .block {{ display: inline-block }}</style>'
            f'<table><tr><td>{text}</td></tr></table><div class="float">{text}</div>'
            f'<p style="clear: both"><span class="block">{text}</span></p></html>')
    lines = text_of(HTML(string=page).write_pdf()).split()
    assert lines == [text] * 4, lines


def test_justified_lines_keep_the_quarter_em_and_end_at_the_edge():
    body = ("中国とEUは2025年に会合を開き、AI規制について2026年まで議論する予定である。"
            "これは長い文章で、行をまたいでWeasyPrintの動作を確かめるため、"
            "英単語Centralや数字123を混ぜる。さらに<b>IT</b>分野の話題を追加し、"
            "第<span>3回</span>会合について述べる。")
    chars = chars_of(render(body, width="300pt", align="justify"))
    rows = defaultdict(list)
    for char in chars:
        rows[round(char["top"], 1)].append(char)
    lines = [sorted(row, key=lambda c: c["x0"]) for _, row in sorted(rows.items())]
    assert len(lines) >= 3
    for line in lines[:-1]:
        assert line[-1]["x1"] == pytest.approx(350, abs=0.5)
    for pair, gap in boundary_gaps(chars):
        # The quarter-em, and the line's share of its slack on top.
        assert QUARTER - CLOSE <= gap <= QUARTER + 0.1, pair


# --- The sample -----------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["ja", "zh-Hans"])
def test_sample_has_a_quarter_em_at_every_boundary(sample, lang):
    path = sample / "dist" / lang / f"{BRIEF}.{lang}.pdf"
    with pdfplumber.open(path) as document:
        gaps = [gap for page in document.pages for gap in boundary_gaps(page.chars)]
    assert len(gaps) >= 30
    # A justified line adds its share of slack. Set apart by more: the running header's
    # words, and the figure's and the callout's labels from the text after them.
    body = [(pair, gap) for pair, gap in gaps if gap < 0.5]
    assert len(body) >= len(gaps) - 3
    assert all(gap >= QUARTER - CLOSE for _, gap in body), sorted(body, key=lambda g: g[1])[:5]


@pytest.mark.parametrize("lang", ["ja", "zh-Hans"])
def test_sample_text_reads_without_spaces_at_boundaries(sample, lang):
    text = pdf_text(sample / "dist" / lang / f"{BRIEF}.{lang}.pdf")
    assert "2025年6月17日" in text
    # Only the spaces typed in the text ("polybrief 地域分析チーム") and after the
    # numbers that label a subsection in the contents ("4.1 実務"), a footnote, a
    # figure ("図1 中国…") or a callout ("コラム1 注").
    labels = re.compile(r"(?:^\s*(?:\d+\.)?|[図表图]|コラム|专栏)\d+ ", re.MULTILINE)
    spaced = SPACED_OUT.findall(labels.sub("", text))
    assert [m for m in spaced if m not in ("f 地", "f 区")] == []


def test_two_moves_in_a_row_stay_two_numbers():
    # draw_first_line writes <335e>-9<>-249.98<0012>: a kerning, then a glyph's offset.
    assert autospace._array(["335e", b"-9", b"-249.98", "0012"]) == "<335e>-9 -249.98<0012>"


def test_a_reference_without_its_page_keeps_the_quarter_em_after_it():
    """"図1に": the page ("（2ページ）") is dropped on the figure's own page."""
    from weasyprint import CSS, HTML
    from weasyprint.css.counters import CounterStyle

    pdf._patch_weasyprint()
    styles = CounterStyle()
    sheet = CSS(string='@counter-style polybrief-here { system: cyclic; symbols: ""; }'
                       ' a::after { content: "（" target-counter(attr(href), page) "ページ）"'
                       ' counter(page, polybrief-here); }', counter_style=styles)
    page = ('<html lang="ja"><p style="font: 10pt \'Noto Serif CJK JP\'">'
            '<span id="f">図</span>は<a href="#f">図1</a>に示す。</p></html>')
    data = HTML(string=page).write_pdf(stylesheets=[sheet], counter_style=styles)
    assert text_of(data) == "図は図1に示す。"
    gaps = dict(boundary_gaps(chars_of(data)))
    assert gaps["1に"] == pytest.approx(QUARTER, abs=CLOSE)


def test_text_that_fits_only_without_its_end_space_breaks_inside_not_before():
    """A text box that ends at a boundary with the next box (…この<span>2年</span>) and
    fits the rest of a line only without that space is broken inside: the line is not
    broken before it, which left a justified line of a few stretched characters."""
    from weasyprint import HTML

    pdf._patch_weasyprint()
    body = ('第<span class="nb">2回</span>中国・中央アジアサミットを経て、中国と中央アジア'
            '<span class="nb">5カ</span>国は恒久的な善隣友好協力条約で結ばれ、'
            '<span class="nb">2025年</span>と<span class="nb">2026年</span>を「質の高い'
            '発展の年」と定めた。本報告書は、この機構の成り立ち、この<span class="nb">2年</span>'
            '間で何を変えようとしているのか。')
    short = []
    for width in range(4500, 4560, 2):    # tenths of a point, around where it happened
        page = (f'<html lang="ja"><style>@page {{ size: 520pt 400pt; margin: 20pt }}'
                f'p {{ font: 10pt "Noto Serif CJK JP"; margin: 0; width: {width / 10}pt;'
                f' text-align: justify }} .nb {{ white-space: nowrap }}</style>'
                f'<p>{body}</p></html>')
        lines = defaultdict(list)
        for char in chars_of(HTML(string=page).write_pdf()):
            lines[round(char["top"])].append(char["text"])
        counts = [len(lines[top]) for top in sorted(lines)]
        if min(counts[:-1]) < 0.8 * max(counts):
            short.append((width / 10, counts))
    assert not short
