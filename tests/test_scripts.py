"""Typography in twelve languages: fonts per script, RTL, phrases, ruby, glyph coverage."""

from __future__ import annotations

import re

import budoux
import pdfplumber
import pytest

from conftest import copy_project, edit, notdef_glyphs, pdf_fonts, pdf_text, run

LANGS = ("en", "ja", "zh-Hans", "zh-Hant", "ko", "ru", "kk", "ar", "fa", "he", "th", "hi")
RTL = ("ar", "fa", "he")
MARGIN = 56.7  # 20 mm in points


def pdf(project, lang):
    return project / "dist" / lang / f"scripts.{lang}.pdf"


def test_every_language_builds_without_missing_glyphs(scripts):
    for lang in LANGS:
        assert notdef_glyphs(pdf(scripts, lang)) == 0, lang
        assert 1 <= len(pdfplumber.open(pdf(scripts, lang)).pages) <= 2, lang


@pytest.mark.parametrize("lang, variant", [("ja", "CJK-JP"), ("zh-Hans", "CJK-SC"),
                                           ("zh-Hant", "CJK-TC"), ("ko", "CJK-KR")])
def test_han_languages_use_their_own_cjk_variant(scripts, lang, variant):
    cjk = {name for name in pdf_fonts(pdf(scripts, lang)) if "CJK" in name}
    assert cjk and all(variant in name for name in cjk), cjk


@pytest.mark.parametrize("lang, family", [("ar", "Naskh-Arabic"), ("he", "Hebrew"),
                                          ("th", "Thai"), ("hi", "Devanagari")])
def test_scripts_use_their_configured_noto_family(scripts, lang, family):
    assert any(family in name for name in pdf_fonts(pdf(scripts, lang)))


@pytest.mark.parametrize("lang", RTL)
def test_rtl_documents_are_mirrored(scripts, lang):
    html = (scripts / "dist" / lang / "scripts.html").read_text()
    assert f'<html lang="{lang}" dir="rtl">' in html
    assert "<bdi>WeasyPrint</bdi>" in html
    with pdfplumber.open(pdf(scripts, lang)) as document:
        page = document.pages[0]
        title = [c for c in page.chars if c["size"] > 15]
        assert abs(max(c["x1"] for c in title) - (page.width - MARGIN)) < 2
        assert min(c["x0"] for c in title) > MARGIN + 20
        # The summary and key-points boxes have their rule on the reader's starting side.
        assert border_side(page) == "right"


def border_side(page) -> str:
    """Which side of the first accent-coloured panel its border strip is drawn on."""
    accent = [r for r in page.rects if r.get("non_stroking_color") == (0.541176, 0.109804,
                                                                       0.168627)]
    panel = [r for r in accent if abs(r["top"] - accent[-1]["top"]) < 1]
    inner = min(panel, key=lambda r: r["width"])
    outer = max(panel, key=lambda r: r["width"])
    assert inner["width"] < outer["width"]
    return "right" if abs(inner["x0"] - outer["x0"]) < 0.5 else "left"


def test_ltr_documents_start_at_the_left_margin(scripts):
    with pdfplumber.open(pdf(scripts, "en")) as document:
        page = document.pages[0]
        title = [c for c in page.chars if c["size"] > 15]
        assert abs(min(c["x0"] for c in title) - MARGIN) < 2
        assert border_side(page) == "left"


def test_latin_runs_keep_their_order_inside_arabic(scripts):
    text = pdf_text(pdf(scripts, "ar"))
    assert "WeasyPrint" in text and "1,250" in text
    assert "https://www.unicode.org/reports/tr9/" in text  # the source's address, unscrambled
    html = (scripts / "dist" / "ar" / "scripts.html").read_text()
    assert "<bdi>WeasyPrint</bdi> " in html and "<bdi>PDF</bdi>،" in html


def test_english_hyphenates_in_a_narrow_column(scripts):
    # The drawn lines, as pdfplumber reads them (pdftotext joins hyphenated words,
    # through the /ActualText of their lines).
    with pdfplumber.open(pdf(scripts, "en")) as document:
        lines = [line for page in document.pages for line in page.extract_text().splitlines()]
    assert any(re.search(r"[a-z][\u2010-]$", line) for line in lines), lines


def test_japanese_heading_breaks_only_between_phrases(scripts):
    project = scripts.parent / "long-heading"
    if not project.exists():
        copy_project(scripts, project)
        heading = "言語ごとに最適な書体を選び、読者が自然に読める紙面を組み上げるための工夫"
        po = project / "locales" / "ja" / "LC_MESSAGES" / "scripts.po"
        text = po.read_text()
        po.write_text(re.sub(r'(msgid "How it works"\nmsgstr )"[^"]*"', rf'\1"{heading}"', text))
        assert run(project, "build", "-q", "--lang", "ja", "--force") == 0
    html = (project / "dist" / "ja" / "scripts.html").read_text()
    assert '<span class="phrase">' in re.search(r'<h2 id="s1-h">.*?</h2>', html)[0]
    phrases = budoux.load_default_japanese_parser().parse(
        "言語ごとに最適な書体を選び、読者が自然に読める紙面を組み上げるための工夫")
    boundaries = {sum(len(p) for p in phrases[:i]) for i in range(len(phrases) + 1)}
    with pdfplumber.open(pdf(project, "ja")) as document:
        chars = [c for page in document.pages for c in page.chars
                 if 12.5 < c["size"] < 13.5 and c["text"].strip()]
        lines: dict[float, str] = {}
        for c in chars:
            lines.setdefault(round(c["top"]), "")
            lines[round(c["top"])] += c["text"]
    heading_lines = [t for t in lines.values() if t and t in
                     "言語ごとに最適な書体を選び、読者が自然に読める紙面を組み上げるための工夫"]
    assert len(heading_lines) >= 2, lines
    position = 0
    for line in heading_lines[:-1]:
        position += len(line)
        assert position in boundaries, (line, phrases)


def test_ruby_in_html_and_stacked_in_pdf(scripts):
    html = (scripts / "dist" / "ja" / "scripts.html").read_text()
    assert "<ruby>結合文字<rp>(</rp><rt>けつごうもじ</rt><rp>)</rp></ruby>" in html
    assert "結合文字を形作る" in pdf_text(pdf(scripts, "ja")).replace("\n", "")
    with pdfplumber.open(pdf(scripts, "ja")) as document:
        chars = document.pages[0].chars + (document.pages[1].chars
                                           if len(document.pages) > 1 else [])
    text = "".join(c["text"] for c in chars)
    start = text.index("結合文字")
    base_line = chars[start:start + 4]
    size = base_line[0]["size"]
    reading = [c for c in chars if c["text"] in "けつごうもじ" and c["size"] < size * 0.6
               and base_line[0]["top"] - 1.5 * size < c["top"] < base_line[0]["top"]]
    assert "".join(c["text"] for c in reading) == "けつごうもじ"
    assert max(c["bottom"] for c in reading) <= min(c["top"] for c in base_line) + 2
    centre = lambda cs: (min(c["x0"] for c in cs) + max(c["x1"] for c in cs)) / 2  # noqa: E731
    assert abs(centre(reading) - centre(base_line)) < 2
    # Without the readings the page is laid out the same: ruby does not open the lines.
    plain = scripts.parent / "no-ruby"
    copy_project(scripts, plain)
    po = plain / "locales" / "ja" / "LC_MESSAGES" / "scripts.po"
    po.write_text(re.sub(r"\{([^|{}]+)\|[^{}]+\}", r"\1", po.read_text()))
    assert run(plain, "build", "-q", "--lang", "ja", "--format", "pdf", "--force") == 0
    with pdfplumber.open(pdf(plain, "ja")) as document:
        without = [(c["text"], round(c["top"], 1)) for p in document.pages for c in p.chars]
    with pdfplumber.open(pdf(scripts, "ja")) as document:
        with_ruby = [(c["text"], round(c["top"], 1)) for p in document.pages for c in p.chars
                     if not (c["text"] in "けつごうもじかたちづく" and c["size"] < size * 0.6)]
    assert sorted(with_ruby) == sorted(without)


def test_japanese_lines_never_start_with_closing_punctuation(sample):
    closing = "、。，．・：；？！ー」』）】〉》〕"
    for lang in ("ja", "zh-Hans"):
        path = sample / "dist" / lang / f"china-central-asia.{lang}.pdf"
        for line in pdf_text(path).splitlines():
            stripped = line.strip()
            assert not stripped or stripped[0] not in closing, (lang, line)


def test_korean_words_stay_whole(scripts):
    html = (scripts / "dist" / "ko" / "scripts.html").read_text()
    body = html[html.index("<main"):]
    assert body.count('<span class="phrase">') > 20


def _build_with_title(mini, capsys, title: str) -> tuple[int, str, int]:
    """Build the Russian brief with this title translation: exit code, stderr and the
    line of the title's catalog entry."""
    edit(mini, "locales/ru/LC_MESSAGES/mini.po", 'msgstr "Реки степи"', f'msgstr "{title}"')
    code = run(mini, "build", "--lang", "ru")
    return code, capsys.readouterr().err, _po_line(mini, "ru", "Реки степи")


def test_a_character_no_installed_font_has_is_an_error_naming_the_line(mini, capsys):
    # U+1CF00, a Znamenny combining mark, which no package make installs draws.
    code, err, line = _build_with_title(mini, capsys, "Реки степи \U0001cf00")
    assert code == 1
    assert (f"error: locales/ru/LC_MESSAGES/mini.po:{line}: U+1CF00 '\U0001cf00' (ru) is in "
            f"no installed font — fonts configured for ru: Noto Serif, Noto Sans") in err, err
    assert not (mini / "dist").exists()


def test_a_character_outside_the_stack_falls_back_with_a_warning_at_its_po_line(mini, capsys):
    """U+2212 MINUS SIGN, which Noto Serif lacks, in a Russian translation."""
    code, err, line = _build_with_title(mini, capsys, "Реки степи \u2212 2")
    assert code == 0
    assert (f"WARNING: locales/ru/LC_MESSAGES/mini.po:{line}: U+2212 '\u2212' (ru) is in no "
            f"font configured for ru: drawn with DejaVu Serif") in err, err
    pdf = mini / "dist" / "ru" / "mini.ru.pdf"
    assert "DejaVuSerif" in "".join(pdf_fonts(pdf)).replace(" ", "").replace("-", "")
    assert notdef_glyphs(pdf) == 0
    assert "\u2212" in pdf_text(pdf)


def test_a_han_character_falls_back_to_the_languages_han_variant(mini, capsys):
    """A Japanese name quoted in a Russian text is drawn by the Chinese (SC) face, as
    Russian has no Han variant of its own; in Japanese, the JP face draws it."""
    code, err, _ = _build_with_title(mini, capsys, "Реки степи (東京)")
    assert code == 0 and "drawn with Noto Serif CJK SC" in err
    fonts = {name.replace("-", " ") for name in pdf_fonts(mini / "dist" / "ru" / "mini.ru.pdf")}
    assert "Noto Sans CJK SC Bold" in fonts   # the title, a heading
    assert not any("CJK JP" in name for name in fonts)


def test_a_long_text_in_another_script_costs_one_search_and_one_warning(mini, capsys):
    han = "".join(chr(0x4E00 + i) for i in range(3000))
    edit(mini, "locales/ru/LC_MESSAGES/mini.po", 'msgstr "Амударья и Сырдарья пересекают регион."',
         f'msgstr "Амударья и Сырдарья пересекают регион. {han}"')
    assert run(mini, "build", "--lang", "ru", "--format", "pdf") == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "WARNING" in line]
    assert len(warnings) == 1, warnings
    assert "and 2995 more (ru) are in no font configured for ru: drawn with Noto Serif CJK SC" \
        in warnings[0]


def _po_line(project, lang: str, msgstr: str) -> int:
    """The line of the entry (its msgid) whose translation starts with msgstr."""
    lines = (project / "locales" / lang / "LC_MESSAGES" / "mini.po").read_text().splitlines()
    return next(n for n, text in enumerate(lines, 1) if text.startswith(f'msgstr "{msgstr}')) - 1


def test_notdef_in_a_pdf_is_detected(tmp_path):
    from weasyprint import HTML

    from polybrief.pdf import notdef_pages

    data = HTML(string='<p style="font-family: Noto Serif">abc</p><p style="break-before: '
                       'page; font-family: Noto Serif">xyz</p>').write_pdf(uncompressed_pdf=True)
    assert notdef_pages(data) == []
    arrays = re.findall(rb"\[<[0-9a-f]{4}>[^\]]*\] ?TJ", data)
    assert len(arrays) == 2
    broken = data.replace(arrays[1], b"[<0000>] TJ")
    assert notdef_pages(broken) == [2]
