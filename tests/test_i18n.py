"""Languages, catalogs and locale formats, all from CLDR."""

from __future__ import annotations

import datetime as dt

import pytest

from polybrief.i18n import Formatter, check_po_syntax, parse_language


def test_parse_language_resolves_locale_script_and_direction():
    zh = parse_language("zh-Hans")
    assert (zh.locale, zh.script, zh.direction) == ("zh_Hans", "Hans", "ltr")
    assert parse_language("ru").script == "Cyrl"
    assert parse_language("ar").direction == "rtl"
    assert parse_language("ja").native_name == "日本語"


@pytest.mark.parametrize("tag", ["xx-Foo", "zz", "en_US", "", "ja/../x"])
def test_parse_language_refuses_unknown_tags(tag):
    with pytest.raises(ValueError):
        parse_language(tag)


def test_formatter_dates_lists_and_countries_per_locale():
    day = dt.date(2025, 6, 17)
    assert Formatter(parse_language("ja")).date(day) == "2025年6月17日"
    assert Formatter(parse_language("en")).date(day) == "June 17, 2025"
    assert Formatter(parse_language("ru")).date(day) == "17 июня 2025\u202fг."
    assert Formatter(parse_language("ja")).list(["A", "B", "C"]) == "A、B、C"
    assert Formatter(parse_language("en")).list(["A", "B", "C"]) == "A, B, and C"
    assert Formatter(parse_language("ru")).country("KZ") == "Казахстан"
    assert Formatter(parse_language("de")).number(1234.5) == "1.234,5"


def test_po_syntax_check_finds_each_kind_of_error():
    good = 'msgid ""\nmsgstr ""\n"Language: ru\\n"\n\n#: a.yaml:3\nmsgid "a"\nmsgstr "b"\n'
    assert check_po_syntax(good) == []
    assert check_po_syntax('msgid "a\nmsgstr "b"\n') == [
        (1, "unterminated or badly escaped string")]
    assert check_po_syntax('msgid "a"\nmsgstr "b"\nnonsense\n') == [
        (3, "not a PO keyword or string: 'nonsense'")]
    assert check_po_syntax('msgstr "b"\n') == [(1, "'msgstr' without a msgid before it")]
    assert check_po_syntax('msgid "a"\nmsgid "b"\nmsgstr ""\n') == [
        (2, "'msgid' follows a msgid that has no msgstr")]
    assert check_po_syntax('#~ msgid "old"\n#~ msgstr "x"\n') == []
