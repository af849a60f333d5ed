"""Footnotes, citations, cross-references and spans in another language, in every language."""

from __future__ import annotations

import re
from pathlib import Path

import pdfplumber
import pytest

from conftest import build_fails, edit, line_of, pdf_text, run

LANGS = ("en", "ja", "ru", "ar")
CAPITALS = "content/capitals/brief.yaml"
NOTE = {"en": "Political, economic and cultural roles", "ja": "政治・経済・文化面での役割",
        "ru": "Политическая, экономическая и культурная роль",
        "ar": "الأدوار السياسية والاقتصادية والثقافية"}
# In running text: Russian writes the abbreviation ("см. табл. 1"), its caption "Таблица 1".
TABLE = {"en": "Table 1", "ja": "表1", "ru": "табл. 1", "ar": "الجدول 1"}
PAGE = {"en": "(p. 2)", "ja": "（2ページ）", "ru": "(с. 2)", "ar": "(ص 2)"}


@pytest.fixture
def fresh(blocks_fresh: Path) -> Path:
    return blocks_fresh


def page(project: Path, lang: str) -> str:
    return (project / "dist" / lang / "capitals.html").read_text(encoding="utf-8")


def pdf(project: Path, lang: str) -> Path:
    return project / "dist" / lang / f"capitals.{lang}.pdf"


@pytest.mark.parametrize("lang", LANGS)
def test_a_footnote_is_at_the_foot_of_the_page_of_its_call(blocks, lang):
    path = pdf(blocks, lang)
    with pdfplumber.open(path) as document:
        count = len(document.pages)
    note = NOTE[lang].replace(" ", "")
    pages = [[line.replace(" ", "") for line in pdf_text(path, n).splitlines() if line.strip()]
             for n in range(1, count + 1)]
    found = [(n, i) for n, lines in enumerate(pages) for i, line in enumerate(lines)
             if note in line]
    assert len(found) == 1, found
    number, index = found[0]
    # On the page of the paragraph that calls it, the last line but the page number.
    assert index == len(pages[number]) - 2, pages[number][-3:]
    assert any("2" not in line for line in pages[number][:index])


def test_footnotes_link_both_ways_in_html(blocks):
    html = page(blocks, "en")
    assert ('<sup class="fnref fnref-first"><a href="#fn-fn-roles" id="fnref-fn-roles" '
            'role="doc-noteref">1</a></sup>') in html
    notes = re.search(r'<section class="footnotes".*?</section>', html, re.S)[0]
    assert re.findall(r'<li id="(fn-[\w-]+)">', notes) == ["fn-fn-roles", "fn-fn-names"]
    assert 'href="#fnref-fn-roles" role="doc-backlink"' in notes
    # The note of a note may refer to a table too.
    assert '<a class="xref" href="#tbl-sizes">Table 1</a>' in notes


@pytest.mark.parametrize("lang", LANGS)
def test_cross_references_are_labelled_numbered_and_paged(blocks, lang):
    html = page(blocks, lang)
    label = re.search(r'<a class="xref" href="#tbl-sizes">(.*?)</a>', html)[1]
    assert re.sub(r"</?bdi>", "", label) == TABLE[lang]
    assert 'href="#box-names"' in html and 'href="#sec-founding"' in html
    # pdftotext marks the direction of runs in right-to-left text.
    text = re.sub("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", pdf_text(pdf(blocks, lang)))
    flat = re.sub(r"\s+", "", text)
    if lang == "ar":
        # pdftotext reorders digits and brackets in right-to-left lines ("الجدول ( 1ص )2").
        assert "الجدولالجدول" not in flat and flat.count("الجدول") >= 2
        assert re.search(r"\(?ص\)?", flat)
    else:
        assert TABLE[lang].replace(" ", "") in flat
        assert PAGE[lang].strip("()（）").replace(" ", "") in flat


def test_citations_are_numbered_in_order_of_first_citation(blocks):
    html = page(blocks, "en")
    assert '<a class="cite" href="#src-demo" role="doc-biblioref">[1, p. 4]</a>' in html
    assert '<a class="cite" href="#src-atlas" role="doc-biblioref">[2]</a>' in html
    sources = re.search(r'<section class="sources".*?</section>', html, re.S)[0]
    assert re.findall(r'<li id="src-(\w+)">', sources) == ["demo", "atlas"]
    # A translated title keeps the original beside it.
    ja = re.search(r'<section class="sources".*?</section>', page(blocks, "ja"), re.S)[0]
    assert "中央アジア都市地図帳" in ja and "Атлас городов Центральной Азии" in ja


def test_spans_in_another_language_and_kept_terms(blocks):
    for lang in LANGS:
        html = page(blocks, lang)
        assert '<span lang="kk" dir="auto">Тәуелсіздік</span>' in html
        assert re.search(r'<span class="notranslate" translate="no">(<bdi>)?Tashkent City'
                         r'(</bdi>)?</span>', html)
        assert "Тәуелсіздік" in pdf_text(pdf(blocks, lang))


@pytest.mark.parametrize(("old", "new", "message"), [
    ("role[^fn-roles]", "role[^fn-rolls]", "footnote [^fn-rolls] is not among the brief's notes"),
    ("[@atlas]", "[@atlass]", "citation [@atlass] names no source of the brief "
                              "(known keys: atlas, demo)"),
    ("as in @sec-founding", "as in @sec-found", "@sec-found names no section of the brief"),
    ("see @tbl-sizes for", "see @tbl-size for", "@tbl-size names no table of the brief"),
    ("[@fig-change; @fig-growth]", "[@fig-change; @tbl-sizes]",
     "a group of cross-references names things of one kind: @fig-change; @tbl-sizes"),
    ("[@fig-change; @fig-growth]", "[@fig-change; @fig-grow]",
     "@fig-grow names no figure of the brief"),
    ("{lang=kk}", "{lang=zz}", "a span marked {lang=zz}: unknown language tag 'zz'"),
])
def test_unknown_references_are_errors_with_file_and_line(fresh, capsys, old, new, message):
    line = line_of(fresh / CAPITALS, old)
    edit(fresh, CAPITALS, old, new)
    build_fails(fresh, capsys, f"error: {CAPITALS}:{line}: {message}")


def test_unknown_reference_in_a_translation_points_at_the_catalog(fresh, capsys):
    po = "locales/ru/LC_MESSAGES/capitals.po"
    edit(fresh, po, "размеры см. в @tbl-sizes.", "размеры см. в @tbl-nope.")
    assert run(fresh, "build", "--lang", "ru") == 1
    err = capsys.readouterr().err
    lines = (fresh / po).read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "@tbl-nope" in text)
    assert re.search(rf"error: {po}:{line - 1}|error: {po}:{line - 2}: @tbl-nope names no table",
                     err), err


def test_check_reports_dropped_references_and_kept_terms(fresh, capsys):
    po = "locales/ru/LC_MESSAGES/capitals.po"
    edit(fresh, po, "ролью[^fn-roles]; @tbl-sizes", "ролью; таблица")
    edit(fresh, po, "[@demo, с. 4]", "")
    edit(fresh, po, 'район [Tashkent "\n"City]{.notranslate}', 'район Ташкент "\n"Сити')
    assert run(fresh, "check") == 1
    out = capsys.readouterr()
    text = out.out + out.err
    for dropped in ("footnote [^fn-roles]", "cross-reference @tbl-sizes", "citation [@demo]",
                    "kept term 'Tashkent City'"):
        assert f"the translation drops the source's {dropped}" in text, text


def test_unused_notes_and_sources_are_warnings(fresh, capsys):
    edit(fresh, CAPITALS, "every language[^fn-names]", "every language")
    edit(fresh, CAPITALS, "and an atlas [@atlas]", "and an atlas")
    assert run(fresh, "build", "--lang", "en") == 0
    err = capsys.readouterr().err
    line = line_of(fresh / CAPITALS, "  fn-names:")
    assert f"{CAPITALS}:{line}: note 'fn-names' is never referred to ([^fn-names])" in err, err
    assert re.search(rf"{CAPITALS}:\d+: source 'atlas' is never cited \(\[@atlas\]\)", err), err


# [@fig-change; @fig-growth]: the label's plural from the catalog, each number linked;
# Arabic takes the dual, in the oblique case it has after a preposition.
GROUPED = {"en": "Figures 2 and 3", "ja": "図2、3", "ru": "рис. 2 и 3", "ar": "الشكلين 2 و3"}


@pytest.mark.parametrize("lang", LANGS)
def test_several_things_of_a_kind_take_the_plural_label(blocks, lang):
    html = page(blocks, lang)
    assert '<a class="xref" href="#fig-change">' in html
    assert '<a class="xref" href="#fig-growth">' in html
    text = re.sub(r"<[^>]+>", "", html)
    assert GROUPED[lang] in text
    # In the PDF the plural label too (each number followed by its page where needed).
    flat = re.sub(r"[\s\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", pdf_text(pdf(blocks, lang)))
    assert GROUPED[lang].split("2")[0].replace(" ", "") in flat


def test_running_text_and_captions_use_their_own_forms(blocks):
    html = page(blocks, "ru")
    assert '<a class="xref" href="#fig-capitals">рис. 1</a>' in html
    assert '<span class="figure-label">Рисунок 1</span>' in html


def test_without_an_in_text_form_the_caption_label_is_used(fresh):
    """A catalog that leaves the context "cross-reference" untranslated still reads."""
    po = fresh / "locales/ru/LC_MESSAGES/messages.po"
    text = po.read_text(encoding="utf-8")
    text = re.sub(r'(msgctxt "cross-reference"\nmsgid "Figure %\(num\)s"\n'
                  r'msgid_plural "Figures %\(num\)s"\n)(msgstr\[\d\] "[^"]*"\n)+',
                  lambda m: m[1] + 'msgstr[0] ""\nmsgstr[1] ""\nmsgstr[2] ""\n', text)
    assert 'msgstr[0] "рис. %(num)s"' not in text
    po.write_text(text, encoding="utf-8")
    assert run(fresh, "build", "-q", "--lang", "ru") == 0
    html = page(fresh, "ru")
    assert '<a class="xref" href="#fig-capitals">Рисунок 1</a>' in html
    assert re.search(r'<a class="xref" href="#fig-change">Рисунок 2</a> и '
                     r'<a class="xref" href="#fig-growth">Рисунок 3</a>', html)
    assert '<a class="xref" href="#tbl-sizes">табл. 1</a>' in html
