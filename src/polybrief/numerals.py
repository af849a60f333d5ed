"""The digits of a language's default numbering system, as CLDR names it.

CLDR gives each locale a default numbering system: Latin digits for most, and, among
others, Arabic-Indic for Egyptian or Saudi Arabic (``arab``), extended Arabic-Indic for
Persian (``arabext``), Bangla digits for Bengali (``beng``). Babel knows which system a
locale uses and formats the separators of its numbers, but writes every digit in Latin
(``1٬234٫5`` for Persian). This module finds the system's digits in the Unicode
Character Database and puts them in numbers, dates and page numbers.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation

from babel import Locale
from fontTools import unicodedata

LATIN = "0123456789"
# The two systems whose name is not an ISO 15924 script code: both are Arabic script.
ARABIC_SYSTEMS = {"arab": "ARABIC-INDIC DIGIT ZERO", "arabext": "EXTENDED ARABIC-INDIC DIGIT ZERO"}


@functools.cache
def _zeros() -> dict[str, str]:
    """The digit zero of each script that has its own decimal digits."""
    zeros: dict[str, str] = {}
    for code in range(0x80, 0x20000):
        char = chr(code)
        if unicodedata.category(char) == "Nd" and unicodedata.digit(char, None) == 0:
            zeros.setdefault(unicodedata.script(char).lower(), char)
    return zeros


@functools.cache
def digits(locale: Locale) -> str:
    """The ten digits of the locale's default numbering system ("0123456789" for latn)."""
    system = locale.default_numbering_system
    if system == "latn":
        return LATIN
    if system in ARABIC_SYSTEMS:
        zero = unicodedata.lookup(ARABIC_SYSTEMS[system])
    else:
        zero = _zeros().get(system)
        if zero is None:   # a system with no decimal digits of its own (e.g. hanidec)
            return LATIN
    return "".join(chr(ord(zero) + value) for value in range(10))


def localize(text: str, locale: Locale) -> str:
    """Write the Latin digits of text formatted by Babel in the locale's own digits."""
    native = digits(locale)
    return text if native == LATIN else text.translate(str.maketrans(LATIN, native))


INTEGER_FIELD = re.compile(r"%\((\w+)\)d")


def interpolate(message: str, variables: dict, number) -> str:
    """``message % variables`` with each ``%(name)d`` field written by ``number``.

    ``number`` formats an integer for the locale (its separators and digits); the
    catalog checks made sure every such field is given an integer.
    """
    numbers = {name: number(variables[name]) for name in INTEGER_FIELD.findall(message)
               if isinstance(variables.get(name), int)}
    if not numbers:
        return message % variables
    template = INTEGER_FIELD.sub(lambda m: f"%({m[1]})s" if m[1] in numbers else m[0],
                                 message)
    # Keep an escaped message escaped (Markup), so that its fields are escaped too.
    return type(message)(template) % {**variables, **numbers}


def counter_name(locale: Locale) -> str | None:
    """The name of the CSS counter style for the locale's digits (None for Latin)."""
    return None if digits(locale) == LATIN else f"digits-{locale.default_numbering_system}"


def counter_style(locale: Locale) -> str | None:
    """A CSS counter style writing list and page numbers in the locale's digits."""
    name = counter_name(locale)
    if name is None:
        return None
    symbols = " ".join(f'"{digit}"' for digit in digits(locale))
    return f"@counter-style {name} {{ system: numeric; symbols: {symbols}; }}"


# The numbers a brief can show, as written: 999 trillion, or a millionth of a millionth.
MAX_WHOLE_DIGITS = 15
MAX_WRITTEN_DECIMALS = 12


def shown_number(text: str) -> Decimal | None:
    """A number as written, or None unless it is finite with at most MAX_WHOLE_DIGITS
    digits before the point and MAX_WRITTEN_DECIMALS after it: ``1.0e+99999`` would be
    written out in full (or make Babel fail) when it is formatted."""
    try:
        value = Decimal(text.strip().replace("_", ""))
    except InvalidOperation:
        return None
    exponent = value.as_tuple().exponent if value.is_finite() else 0
    if not value.is_finite() or (value and value.adjusted() >= MAX_WHOLE_DIGITS) or \
            (isinstance(exponent, int) and -exponent > MAX_WRITTEN_DECIMALS):
        return None
    return value
