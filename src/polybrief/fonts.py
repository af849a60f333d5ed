"""Font stacks: the families a language is set in, configured or chosen from what is installed.

A project needs no font configuration for any language that an installed Noto family
covers: Fontconfig says which families support the language, and the default stack
takes its Noto serif (or Naskh, for Arabic script) and sans families, with Noto
Serif and Noto Sans after them for Latin words in non-Latin text. Han characters
differ by region, so Japanese, Korean and each Chinese gets its own CJK variant.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from dataclasses import dataclass

from fontTools import unicodedata

from .i18n import Language

# Which Noto CJK variant draws a language's Han characters the way its readers write them.
HAN_VARIANTS = {"ja": "JP", "ko": "KR", "Hans": "SC", "Hant": "TC"}
HAN_REGIONS = {"HK": "HK", "MO": "HK"}
# Families Fontconfig lists for a language that are not text faces.
NOT_TEXT = re.compile(r"Mono|Display|\bUI\b|Looped|Rashi|Kufi|Nastaliq|Math|Music|Symbols")
LATIN_SCRIPTS = ("Latn", "Cyrl", "Grek")


@dataclass(frozen=True)
class FontStack:
    """Font families for one language or script: body text and headings."""

    serif: tuple[str, ...]
    sans: tuple[str, ...]


@functools.cache
def default_stack(language: Language) -> FontStack | None:
    """The installed Noto families for a language, or None when none covers it."""
    families = _noto_families(language.locale.split("_")[0])
    if language.script in ("Jpan", "Kore", "Hans", "Hant", "Hani"):
        variant = _han_variant(language)
        families = [f for f in families if f.endswith(f"CJK {variant}")]
    families = [f for f in families if not NOT_TEXT.search(f)]
    serif = _shortest(f for f in families if "Serif" in f or "Naskh" in f)
    sans = _shortest(f for f in families if "Sans" in f)
    if not serif and not sans:
        return None
    latin = () if language.script in LATIN_SCRIPTS else ("Noto Serif", "Noto Sans")
    serif_stack = tuple(f for f in (serif or sans, latin[0] if latin else None) if f)
    sans_stack = tuple(f for f in (sans or serif, latin[1] if latin else None) if f)
    return FontStack(serif_stack, sans_stack)


def toml_line(key: str, stack: FontStack) -> str:
    """The stack as a line of [tool.polybrief.fonts] in pyproject.toml."""
    def quote(names: tuple[str, ...]) -> str:
        return ", ".join(f'"{name}"' for name in names)
    return f"{key} = {{ serif = [{quote(stack.serif)}], sans = [{quote(stack.sans)}] }}"


def _han_variant(language: Language) -> str:
    territory = language.babel.territory or ""
    if territory in HAN_REGIONS:
        return HAN_REGIONS[territory]
    return HAN_VARIANTS.get(language.babel.language) or HAN_VARIANTS.get(
        language.script, "SC")


def _shortest(names) -> str | None:
    return min(names, key=lambda name: (len(name), name), default=None)


@functools.cache
def _noto_families(lang: str) -> list[str]:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    result = subprocess.run([fc_list, f":lang={lang}", "family"], capture_output=True,
                            text=True, check=False)
    return sorted({line.split(",")[0] for line in result.stdout.splitlines()
                   if line.startswith("Noto")})


@functools.cache
def fallback_family(char: str, language: Language) -> str | None:
    """An installed family that draws a character a language's stack lacks, or None.

    A Han character takes the Noto CJK face of the language's Han variant (a Japanese
    name in an Uzbek text is drawn the Chinese way unless the language is Japanese).
    Any other character takes a face that also supports the language (U+2212 MINUS
    SIGN in Kazakh: DejaVu Serif), else a Noto text face, else any face; serif first.
    """
    families = _families_with(ord(char), "")
    if not families:
        return None
    noto = [f for f in families if f.startswith("Noto") and not NOT_TEXT.search(f)]
    if unicodedata.script(char) == "Hani":
        variant = _han_variant(language)
        noto = [f for f in noto if f.endswith(f"CJK {variant}")] or noto
        candidates = noto or families
    else:
        lang = language.locale.split("_")[0]
        candidates = ([f for f in _families_with(ord(char), lang) if not NOT_TEXT.search(f)]
                      or noto or families)
    serif = [f for f in candidates if "Serif" in f or "Naskh" in f]
    return _shortest(serif) or _shortest(candidates)


def sans_counterpart(family: str, char: str) -> str:
    """The sans face of a serif fallback family, for headings, when it has the character."""
    sans = family.replace("Serif", "Sans").replace("Naskh", "Sans")
    return sans if sans in _families_with(ord(char), "") else family


@functools.cache
def _families_with(code: int, lang: str) -> list[str]:
    """Installed families with a glyph for a code point (and supporting lang, if given)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return []
    pattern = f":charset={code:x}" + (f":lang={lang}" if lang else "")
    result = subprocess.run([fc_list, pattern, "family"], capture_output=True, text=True,
                            check=False)
    return sorted({line.split(",")[0] for line in result.stdout.splitlines() if line})
