"""The per-language typographic pass: where a line may not break, by each language's rules."""

from __future__ import annotations

import re

import pytest

from conftest import pdf_text
from polybrief.i18n import parse_language
from polybrief.typography import NBSP, NNBSP, typeset


def lang(tag: str):
    return parse_language(tag)


@pytest.mark.parametrize("tag", ["ru", "kk", "en", "de"])
def test_spaced_dash_never_starts_a_line(tag):
    assert typeset("Азия — регион – мост", lang(tag)) == f"Азия{NBSP}— регион{NBSP}– мост"


def test_unspaced_dash_and_hyphen_are_left_alone():
    assert typeset("2025—2026 and well-known", lang("en")) == "2025—2026 and well-known"


def test_russian_one_letter_words_stay_with_the_next_word():
    assert typeset("в Китае и Казахстане, а также у соседей", lang("ru")) == (
        f"в{NBSP}Китае и{NBSP}Казахстане, а{NBSP}также у{NBSP}соседей")


def test_one_letter_rule_is_russian_not_kazakh_or_english():
    assert typeset("a plan and I agree", lang("en")) == "a plan and I agree"
    assert typeset("Қазақстан мен Қытай", lang("kk")) == "Қазақстан мен Қытай"


@pytest.mark.parametrize(("tag", "text", "expected"), [
    ("en", "a river of 2400 km and 15 %", f"a river of 2400{NBSP}km and 15{NBSP}%"),
    ("ru", "длина 2400 км, рост 3 %", f"длина 2400{NBSP}км, рост 3{NBSP}%"),
    ("kk", "ұзындығы 2400 км", f"ұзындығы 2400{NBSP}км"),
    ("en", "3 countries in 2025", "3 countries in 2025"),
])
def test_number_stays_with_its_unit_from_cldr(tag, text, expected):
    assert typeset(text, lang(tag)) == expected


def test_french_high_punctuation_gets_a_narrow_no_break_space():
    got = typeset("Pourquoi ? Parce que : voilà ; « oui » !", lang("fr"))
    assert got == (f"Pourquoi{NNBSP}? Parce que{NNBSP}: voilà{NNBSP}; «{NNBSP}oui{NNBSP}»"
                   f"{NNBSP}!")


def test_french_rule_leaves_urls_and_times_alone():
    assert typeset("https://example.org à 10:30", lang("fr")) == "https://example.org à 10:30"


def test_cjk_text_is_unchanged():
    text = "2025年6月、中国と中央アジア5カ国は協力を深めた。"
    assert typeset(text, lang("ja")) == text


def test_shipped_russian_and_kazakh_pages_have_no_breakable_space_before_a_dash(sample):
    for tag in ("ru", "kk"):
        html = (sample / "dist" / tag / "china-central-asia.html").read_text(encoding="utf-8")
        body = html[html.index("<main"):]
        assert not re.search(r"[ \n]—", body), tag
        assert body.count(f"{NBSP}—") >= 10, tag
        text = pdf_text(sample / "dist" / tag / f"china-central-asia.{tag}.pdf")
        starts = [line.strip() for line in text.splitlines() if line.strip().startswith("—")]
        # Only the quote's attribution line begins with a dash, by design.
        assert len(starts) == 1 and "«" in starts[0], starts


def test_catalogs_keep_plain_spaces(sample):
    for po in (sample / "locales").glob("*/LC_MESSAGES/*.po"):
        assert NBSP not in po.read_text(encoding="utf-8"), po


def test_chinese_ui_strings_have_no_spaces_around_numbers(sample):
    html = (sample / "dist" / "zh-Hans" / "china-central-asia.html").read_text(encoding="utf-8")
    assert re.search(r"涉及\d+个国家", html)
    assert "于 " not in html and " 发布" not in html


def test_cjk_numbers_are_kept_with_their_counters_in_html():
    from polybrief.typography import typeset_html

    assert typeset_html("論点を3点に、2025—2026年を", lang("ja")) == (
        '論点を<span class="nb">3点</span>に、<span class="nb">2025—</span>'
        '<span class="nb">2026年</span>を')
    assert typeset_html("from 3 to 5 years", lang("en")) == "from 3 to 5 years"


@pytest.mark.parametrize("tag", ["ja", "zh-Hans"])
def test_no_pdf_line_breaks_between_a_number_and_its_counter(sample, tag):
    lines = [line.strip() for line in pdf_text(
        sample / "dist" / tag / f"china-central-asia.{tag}.pdf").splitlines()]
    broken = [(a[-12:], b[:6]) for a, b in zip(lines, lines[1:], strict=False)
              if re.search(r"[0-9]$", a) and re.match(r"[\u3040-\u30ff\u4e00-\u9fff]", b)
              or re.search(r"[0-9]$", a) and re.match(r"[—–]", b)]
    assert broken == []


def test_arabic_emphasis_is_bold_not_a_synthesized_slant(mini):
    import subprocess

    from conftest import run

    assert run(mini, "init", "ar", "-q") == 0
    po = mini / "locales" / "ar" / "LC_MESSAGES" / "mini.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgid "Background"\nmsgstr ""',
                        'msgid "Background"\nmsgstr "خلفية"')
    text = text.replace('msgid "The Amu Darya and the Syr Darya cross the region."\nmsgstr ""',
                        'msgid "The Amu Darya and the Syr Darya cross the region."\n'
                        'msgstr "يعبر النهران *المنطقة* كلها."')
    po.write_text(text, encoding="utf-8")
    assert run(mini, "build", "-q", "--lang", "ar") == 0
    html = (mini / "dist" / "ar" / "mini.html").read_text(encoding="utf-8")
    assert "<em>المنطقة</em>" in html
    assert ":lang(ar) :is(em, i) { font-style: normal; font-weight: bold; }" in html
    fonts = subprocess.run(["pdffonts", str(mini / "dist" / "ar" / "mini.ar.pdf")],
                           capture_output=True, text=True, check=True).stdout
    assert "Noto-Naskh-Arabic-Bold" in fonts, fonts
