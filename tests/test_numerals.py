"""Each language's digits, commas and URL breaks, as CLDR and the Unicode database say."""

from __future__ import annotations

import re

import pdfplumber
import pytest
from babel import Locale
from markupsafe import Markup

from conftest import pdf_text
from polybrief.i18n import Formatter, list_separator, parse_language
from polybrief.numerals import digits, interpolate, localize
from polybrief.typography import url_breaks

PERSIAN = "۰۱۲۳۴۵۶۷۸۹"
BIDI_CONTROLS = "[\u200e\u200f\u202a-\u202e\u2066-\u2069]"   # pdftotext adds them


@pytest.mark.parametrize("tag, expected", [
    ("fa", PERSIAN), ("ar-EG", "٠١٢٣٤٥٦٧٨٩"), ("bn", "০১২৩৪৫৬৭৮৯"), ("mr", "०१२३४५६७८९"),
    ("ar", "0123456789"), ("hi", "0123456789"), ("ja", "0123456789"), ("ru", "0123456789"),
])
def test_digits_follow_cldr_default_numbering_system(tag, expected):
    assert digits(parse_language(tag).babel) == expected


def test_formatter_writes_numbers_dates_and_sizes_in_the_locales_digits():
    import datetime as dt

    fa = Formatter(parse_language("fa"))
    assert fa.number(1234.5) == "۱٬۲۳۴٫۵"
    assert fa.date(dt.date(2025, 6, 17)) == "۱۷ ژوئن ۲۰۲۵"
    assert fa.kilobytes(167_000).startswith("۱۶۷")
    assert not re.search(r"[0-9]", fa.percent_floor(0.5))
    en = Formatter(parse_language("en"))
    assert en.number(1234.5) == "1,234.5" and en.date(dt.date(2025, 6, 17)) == "June 17, 2025"


def test_integer_fields_of_ui_strings_take_the_number_format_and_stay_escaped():
    fa = Formatter(parse_language("fa")).number
    message = Markup("شامل %(num)d کشور: %(list)s")
    out = interpolate(message, {"num": 3, "list": "<b>x</b>"}, fa)
    assert out == "شامل ۳ کشور: &lt;b&gt;x&lt;/b&gt;" and isinstance(out, Markup)
    assert interpolate(Markup("%(num)d items"), {"num": 12345},
                       Formatter(parse_language("en")).number) == "12,345 items"
    # a literal "%%" and text fields are left to ordinary formatting
    assert interpolate(Markup("100%% of %(n)s"), {"n": "<i>"}, fa) == "100% of &lt;i&gt;"


def test_localize_leaves_latin_digit_locales_alone():
    assert localize("2025", Locale.parse("en")) == "2025"
    assert localize("2025", Locale.parse("fa")) == "۲۰۲۵"


@pytest.mark.parametrize("tag, separator", [
    ("ar", "، "), ("fa", "،\u200f "), ("ur", "، "), ("ja", "、"), ("zh_Hans", "、"),
    ("en", ", "), ("ru", ", "), ("he", ", "), ("th", " "),
])
def test_list_separator_comes_from_cldr_list_patterns(tag, separator):
    assert list_separator(Locale.parse(tag)) == separator


def test_url_breaks_before_dots_and_slashes_never_in_the_scheme():
    assert url_breaks("https://www.example.org/a/b?c=1&d=2") == (
        "https://www<wbr>.example<wbr>.org<wbr>/a<wbr>/b<wbr>?c<wbr>=1<wbr>&amp;d<wbr>=2")
    assert "https:<wbr>" not in url_breaks("https://x.org") and "//<wbr>" not in url_breaks(
        "https://x.org")
    assert url_breaks('https://x.org/"><script>') .count("<script>") == 0


# --- In built documents (the twelve-script fixture) --------------------------------------

def test_persian_page_shows_persian_digits(scripts):
    html = (scripts / "dist" / "fa" / "scripts.html").read_text(encoding="utf-8")
    assert "۱۷ ژوئن ۲۰۲۵" in html                   # the date
    assert re.search(r"شامل ۳ کشور", html)          # a count in a UI string
    assert "list-style-type: digits-arabext" in html and "@counter-style digits-arabext" in html
    text = re.sub(BIDI_CONTROLS, "", pdf_text(scripts / "dist" / "fa" / "scripts.fa.pdf"))
    assert re.search(r"صفحه\s*۱\s*از\s*۲", text) and re.search(r"صفحه\s*۲\s*از\s*۲", text)
    assert re.search(r"[.]\s*۱", text)               # list numbers
    assert "17" not in re.sub(r"1,250", "", text).split("WeasyPrint")[0]


def test_latin_digit_languages_are_unchanged(scripts):
    html = (scripts / "dist" / "ar" / "scripts.html").read_text(encoding="utf-8")
    assert ":lang(ar) ol" not in html and re.search(r"\b2025\b", html)
    text = pdf_text(scripts / "dist" / "ar" / "scripts.ar.pdf")
    assert re.search(r"\b2025\b", text) and not re.search(f"[{PERSIAN}]", text)


def test_sources_use_the_languages_comma(scripts):
    ar = (scripts / "dist" / "ar" / "scripts.html").read_text(encoding="utf-8")
    ja = (scripts / "dist" / "ja" / "scripts.html").read_text(encoding="utf-8")
    en = (scripts / "dist" / "en" / "scripts.html").read_text(encoding="utf-8")
    assert "</cite></bdi>، <bdi>Unicode Consortium</bdi>. <a" in ar
    assert "</cite></bdi>、<bdi>Unicode Consortium</bdi>。<a" in ja
    assert "</cite></bdi>, <bdi>Unicode Consortium</bdi>. <a" in en


def test_a_url_in_a_narrow_column_breaks_after_the_host_not_the_scheme(scripts):
    """In the PDF, no line of the sources ends with 'https://'."""
    for lang in ("en", "ar", "ja"):
        with pdfplumber.open(scripts / "dist" / lang / f"scripts.{lang}.pdf") as pdf:
            text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        assert not re.search(r"https?:/?/?\s*$", text, re.MULTILINE), lang
