"""Building the mini fixture: outputs, HTML structure, PDF text, metadata and fonts."""

from __future__ import annotations

import hashlib
import json
import logging
import re

import html5lib
import pytest
from pypdf import PdfReader

from conftest import notdef_glyphs, pdf_fonts, pdf_text, run, tree_digest

NS = {"h": "http://www.w3.org/1999/xhtml"}


def parse_html(path):
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    return parser.parse(path.read_bytes())


@pytest.fixture
def built(mini):
    assert run(mini, "build", "-q") == 0
    return mini / "dist"


def test_build_writes_every_language_and_format(built):
    for lang in ("en", "ru", "ja"):
        assert (built / lang / "mini.html").is_file()
        assert (built / lang / f"mini.{lang}.pdf").read_bytes().startswith(b"%PDF-")
    assert (built / "index.html").is_file()


def test_manifest_lists_outputs_with_matching_sha256(built):
    entries = json.loads((built / "manifest.json").read_text())
    assert {(e["lang"], e["format"]) for e in entries} == {
        (lang, fmt) for lang in ("en", "ru", "ja") for fmt in ("html", "pdf")}
    for entry in entries:
        data = (built / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["bytes"] == len(data)
        assert entry["brief"] == "mini"
        assert (entry["pages"] or 0) >= (1 if entry["format"] == "pdf" else 0)


def test_html_is_valid_html5_with_lang_hreflang_and_switcher(built):
    document = parse_html(built / "ru" / "mini.html")
    root = document.getroot() if hasattr(document, "getroot") else document
    assert root.get("lang") == "ru" and root.get("dir") == "ltr"
    links = list(root.iterfind(".//h:link[@rel='alternate']", NS))
    alternates = {link.get("hreflang"): link.get("href") for link in links
                  if link.get("type") is None}
    assert alternates == {"en": "../en/mini.html", "ru": "../ru/mini.html",
                          "ja": "../ja/mini.html", "x-default": "../en/mini.html"}
    assert [link.get("href") for link in links
            if link.get("type") == "application/pdf"] == ["mini.ru.pdf"]
    switcher = root.find(".//h:nav[@class='languages']", NS)
    names = [a.text for a in switcher.iterfind(".//h:a", NS)]
    assert names == ["English", "русский", "日本語"]
    current = [a.get("hreflang") for a in switcher.iterfind(".//h:a[@aria-current]", NS)]
    assert current == ["ru"]
    assert root.find(".//h:a[@class='pdf-link']", NS).get("href") == "mini.ru.pdf"
    headers = [th.get("scope") for th in root.iterfind(".//h:table//h:th", NS)]
    assert headers == ["col", "col", "row", "row"]
    assert root.find(".//h:h1", NS).text == "Реки степи"


def test_html_requests_nothing_external(built):
    html = (built / "ja" / "mini.html").read_text()
    assert not re.search(r"<(script|img|iframe|object|embed)\b", html)
    assert not re.search(r"<link[^>]+rel=\"stylesheet\"", html)
    assert not re.search(r"url\(", html)
    # Only plain links may point outside: a link in the text and the source.
    external = re.findall(r"(?:src|href)=\"(https?:[^\"]+)\"", html)
    assert external == ["https://example.org/dams", "https://example.org/rivers"]


def test_pdf_text_has_translated_title_locale_date_and_countries(built):
    expected = {
        "en": ["Rivers of the Steppe", "June 17, 2025", "Kazakhstan, Uzbekistan, and Tajikistan",
               "Covers 3 countries"],
        "ru": ["Реки степи", "17 июня 2025 г.", "Казахстан, Узбекистан и Таджикистан",
               "Охватывает 3 страны"],
        "ja": ["草原の川", "2025年6月17日", "カザフスタン、ウズベキスタン、タジキスタン",
               "対象3カ国"],
    }
    for lang, needles in expected.items():
        text = re.sub(r"\s+", " ", pdf_text(built / lang / f"mini.{lang}.pdf"))
        for needle in needles:
            assert needle in text, (lang, needle)


def test_pdf_metadata_and_language(built):
    reader = PdfReader(built / "ja" / "mini.ja.pdf")
    assert reader.metadata.title == "草原の川"
    assert reader.metadata.author == "テスト編集部"
    assert reader.metadata.subject.startswith("二つの川")
    assert "カザフスタン" in reader.metadata["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == "ja"
    assert reader.metadata["/CreationDate"].startswith("D:20250617")
    assert 1 <= len(reader.pages) <= 4


def test_pdf_has_bookmarks_toc_and_localized_page_numbers(built):
    reader = PdfReader(built / "ru" / "mini.ru.pdf")
    titles = [item.title for item in reader.outline]
    assert titles[:3] == ["Предыстория", "Цифры", "Перспективы"]
    text = re.sub(r"\s+", " ", pdf_text(built / "ru" / "mini.ru.pdf"))
    assert "Содержание" in text
    assert re.search(r"Страница 1 из \d", text)


def test_pdf_fonts_are_embedded_subsets_per_language(built):
    ja_fonts = pdf_fonts(built / "ja" / "mini.ja.pdf")
    assert any("CJK-JP" in name for name in ja_fonts)
    assert not any("CJK-SC" in name for name in ja_fonts)
    assert any(name.startswith("Noto-Serif") for name in pdf_fonts(built / "ru" / "mini.ru.pdf"))
    for lang in ("en", "ru", "ja"):
        assert notdef_glyphs(built / lang / f"mini.{lang}.pdf") == 0


def test_two_builds_are_byte_identical(mini, tmp_path):
    assert run(mini, "build", "-q", "--out", str(tmp_path / "a")) == 0
    assert run(mini, "build", "-q", "--out", str(tmp_path / "b")) == 0
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")


def test_source_date_epoch_sets_creation_date(mini, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1750000000")
    assert run(mini, "build", "-q", "--lang", "en", "--format", "pdf") == 0
    reader = PdfReader(mini / "dist" / "en" / "mini.en.pdf")
    assert reader.metadata["/CreationDate"].startswith("D:20250615")


def test_clean_build_logs_no_warnings(mini, caplog, capsys):
    with caplog.at_level(logging.WARNING):
        assert run(mini, "build") == 0
    polybrief_logs = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert polybrief_logs == []
    assert "WARNING" not in capsys.readouterr().err


def test_summary_line_counts_documents_and_pages(mini, capsys):
    assert run(mini, "build") == 0
    err = capsys.readouterr().err
    assert re.search(r"Built 6 documents, \d+ pages in \d+\.\d s", err)


def test_selection_builds_only_what_was_asked(mini):
    assert run(mini, "build", "-q", "--lang", "ru", "--format", "html") == 0
    files = sorted(p.relative_to(mini / "dist").as_posix()
                   for p in (mini / "dist").rglob("*") if p.is_file())
    assert files == [".polybrief-cache.json", "index.html", "manifest.json", "ru/index.html",
                     "ru/mini.html"]


def test_partial_build_keeps_other_manifest_entries(mini):
    assert run(mini, "build", "-q") == 0
    assert run(mini, "build", "-q", "--lang", "ru") == 0
    entries = json.loads((mini / "dist" / "manifest.json").read_text())
    assert len(entries) == 6


def test_untranslated_segment_falls_back_to_source_with_lang(mini, capsys):
    po = mini / "locales" / "ru" / "LC_MESSAGES" / "mini.po"
    text = po.read_text()
    po.write_text(text.replace('msgstr "Орошение"', 'msgstr ""'))
    assert run(mini, "build", "--lang", "ru", "--format", "html") == 0
    html = (mini / "dist" / "ru" / "mini.html").read_text()
    assert '<li lang="en" data-fallback>Irrigation</li>' in html
    assert "mini [ru]: 1 of 21 segments untranslated, shown in en" in capsys.readouterr().err


def test_missing_harfbuzz_subsetter_is_warned_about(mini, capsys, monkeypatch):
    import polybrief.pdf

    monkeypatch.setattr(polybrief.pdf, "harfbuzz_subset_available", lambda: False)
    assert run(mini, "build", "--lang", "en", "--format", "pdf") == 0
    assert "HarfBuzz's subsetter (libharfbuzz-subset0) is missing" in capsys.readouterr().err


def test_harfbuzz_subsetter_is_installed_here():
    from polybrief.pdf import harfbuzz_subset_available

    assert harfbuzz_subset_available(), "make installs libharfbuzz-subset0"


def test_page_budget_warns_and_fails_under_strict(mini, capsys):
    brief = mini / "content" / "mini" / "brief.yaml"
    brief.write_text(brief.read_text().replace("publisher: polybrief\n",
                                               "publisher: polybrief\nmax_pages: 1\n"))
    long = "Water is **shared** by treaty. " * 60
    po = mini / "locales" / "ru" / "LC_MESSAGES" / "mini.po"
    po.write_text(po.read_text().replace('msgstr "Орошение"', f'msgstr "{long.strip()}"'))
    assert run(mini, "build", "--lang", "ru", "--format", "pdf") == 0
    err = capsys.readouterr().err
    assert re.search(r"WARNING: content/mini/brief.yaml:8: the ru PDF has [2-9] pages, over the "
                     r"brief's max_pages of 1", err)
    before = tree_digest(mini / "dist")
    assert run(mini, "build", "--lang", "ru", "--strict") == 1
    assert "over the brief's max_pages of 1" in capsys.readouterr().err
    assert tree_digest(mini / "dist") == before
