"""Per-language typographic passes on text at render time: where a line may not break.

The rules are the ones a reader of each language expects a typesetter to follow. They
turn ordinary spaces into no-break ones (and, in French, add the thin no-break space
before high punctuation); the catalogs keep plain spaces, so translators never type
invisible characters.

- Every language: a dash set off by spaces (`` — ``, `` – ``) never starts a line; a
  number stays with the unit after it (units and their symbols from CLDR, per locale).
- Russian and other East Slavic languages: a one-letter preposition or conjunction
  stays with the word after it.
- French: a narrow no-break space before ``; : ! ?`` and ``»`` and after ``«``.
- Japanese, Chinese and Korean: a number stays with the counter or unit after it
  (``3点``; in ``2025—2026年``, ``2026年``, and ``2025—`` stays whole), in the HTML
  as spans that do not wrap.
"""

from __future__ import annotations

import functools
import re

from markupsafe import Markup, escape

from .i18n import Language

NBSP, NNBSP = "\u00a0", "\u202f"
# Each run of spaces is tried once, from its start: linear however long the run.
SPACED_DASH = re.compile(r"(?<![ \t])[ \t]+(?=[—–][ \t\u00a0])")
# One-letter prepositions and conjunctions, which may not end a line.
SHORT_WORDS = {
    "ru": "авиоксуяАВИОКСУЯ",
    "uk": "авзійоуяАВЗІЙОУЯ",
    "be": "абвзіоуяАБВЗІОУЯ",
}
FRENCH_BEFORE = re.compile(r"(?<![ \u00a0\u202f])[ \u00a0\u202f]*([;:!?»])")
FRENCH_AFTER = re.compile(r"«[ \u00a0\u202f]*")


CJK_SCRIPTS = ("Jpan", "Hans", "Hant", "Kore", "Hani")
MAX_NUMBER_SPANS = 64
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
_NUMBER = r"[0-9０-９]+(?:[.,][0-9]+)*"
# A number and the counter after it (3点); in a range (2025—2026年), the first number
# with its dash, and the last with the counter: the line may break after the dash.
NUMBER_AND_COUNTER = re.compile(rf"({_NUMBER}[—–~〜\-])?({_NUMBER}[{_CJK}％%])")


def typeset_html(text: str, language: Language) -> str:
    """Typeset a run of escaped HTML text; in CJK, keep numbers with their counters."""
    text = typeset(text, language)
    if language.script in CJK_SCRIPTS:
        # Each span is an inline box, and WeasyPrint lays a line's boxes out in time
        # quadratic in their number: a text with very many numbers keeps the first ones.
        spans = iter(range(MAX_NUMBER_SPANS))

        def keep(match: re.Match) -> str:
            if next(spans, None) is None:
                return match[0]
            return "".join(f'<span class="nb">{part}</span>' for part in match.groups() if part)
        text = NUMBER_AND_COUNTER.sub(keep, text)
    return text


def typeset(text: str, language: Language) -> str:
    """Apply the language's no-break rules to a run of plain text."""
    if not text:
        return text
    text = SPACED_DASH.sub(NBSP, text)
    if units := _units(language.locale):
        text = units.sub(NBSP, text)
    code = language.babel.language
    if letters := SHORT_WORDS.get(code):
        text = re.sub(rf"(?<!\w)([{letters}]) (?=\S)", rf"\1{NBSP}", text)
    if code == "fr":
        text = FRENCH_BEFORE.sub(lambda m: _french_before(m, text), text)
        text = FRENCH_AFTER.sub("«" + NNBSP, text)
    return text


def _french_before(match: re.Match, text: str) -> str:
    """A narrow no-break space before high punctuation, except inside a URL or a time."""
    start = match.start()
    mark = match[1]
    if mark == ":" and start > 0 and (text[start - 1].isdigit() or
                                      text[match.end():match.end() + 2] == "//"):
        return match[0]
    if start == 0 or text[start - 1] in "\n( ":
        return match[0]
    return NNBSP + mark


@functools.cache
def _units(locale: str) -> re.Pattern | None:
    """A number followed by a space and a unit of this locale (CLDR's short and narrow
    unit patterns): the space that the rule makes no-break."""
    from babel import Locale

    patterns = Locale.parse(locale)._data.get("unit_patterns", {})
    symbols = set()
    for lengths in patterns.values():
        for length in ("short", "narrow"):
            for pattern in (lengths.get(length) or {}).values():
                if not isinstance(pattern, str) or "{0}" not in pattern:
                    continue
                before, _, after = pattern.partition("{0}")
                symbol = after.strip()
                if not before.strip() and after[:1] in (" ", NBSP, NNBSP) and \
                        symbol and len(symbol) <= 8 and "/" not in symbol and \
                        not symbol[0].isdigit():
                    symbols.add(symbol)
    symbols.add("%")
    if not symbols:
        return None
    alternatives = "|".join(re.escape(s) for s in sorted(symbols, key=len, reverse=True))
    return re.compile(rf"(?<=\d)[ \t](?=(?:{alternatives})(?!\w))")


# A URL may break before a dot, slash, question mark, hash, ampersand or equals sign
# of its host and path (the Chicago Manual's rule), never inside the scheme's "://".
URL_BREAK = re.compile(r"(?<=[^/:])(?=[./?#&=])")
MAX_URL_BREAKS = 64


def url_breaks(url: str) -> Markup:
    """An escaped URL with <wbr> where a line may break inside it."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "", url
    pieces = URL_BREAK.split(rest, maxsplit=MAX_URL_BREAKS)
    return Markup(escape(scheme + sep)) + Markup("<wbr>").join(escape(p) for p in pieces)
