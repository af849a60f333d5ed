"""Languages, gettext catalogs, message extraction and locale formatting (CLDR via Babel)."""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date, format_skeleton
from babel.lists import format_list
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, unescape, write_po
from babel.numbers import format_compact_decimal, format_decimal, format_percent
from babel.support import Translations
from babel.units import format_unit
from markupsafe import Markup

from . import numerals
from .errors import Problem, Problems, ProjectError
from .files import control_problems, decode, describe_control, excerpt, read_bytes

UI_DOMAIN = "messages"
PO_WIDTH = 76


@dataclass(frozen=True)
class Language:
    """A language to build, named by its BCP 47 tag and described by CLDR."""

    tag: str
    locale: str
    script: str
    direction: str

    @property
    def babel(self) -> Locale:
        return Locale.parse(self.locale)

    @property
    def native_name(self) -> str:
        return self.babel.get_display_name(self.babel)

    def __str__(self) -> str:
        return self.tag


def parse_language(tag: str) -> Language:
    """Resolve a BCP 47 tag (``zh-Hans``) through CLDR; ValueError if CLDR does not know it."""
    if not isinstance(tag, str) or not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", tag):
        raise ValueError(f"'{tag}' is not a BCP 47 language tag (e.g. 'ja', 'zh-Hans')")
    try:
        locale = Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError):
        raise ValueError(f"unknown language tag '{tag}': CLDR has no locale for it") from None
    script = locale.script
    if not script:
        likely = get_global("likely_subtags").get(locale.language, "")
        script = next((part for part in likely.split("_")[1:] if len(part) == 4), "")
    return Language(tag=tag, locale=str(locale), script=script or "",
                    direction=locale.text_direction)


# --- Catalogs -------------------------------------------------------------------------

_STRING = r'"(?:[^"\\]|\\.)*"'
_KEYWORD_LINE = re.compile(rf"^(msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\])\s+({_STRING})\s*$")
_CONTINUATION = re.compile(rf"^{_STRING}\s*$")
_KEYWORD_START = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+"')


def po_lines(text: str) -> list[str]:
    """A PO file's lines as editors and msgfmt count them: split at line feeds only."""
    return [line.removesuffix("\r") for line in text.split("\n")]


def check_po_syntax(text: str) -> list[tuple[int, str]]:
    """Return (line, message) for every line of a PO file that is not valid PO syntax."""
    problems: list[tuple[int, str]] = []
    previous = None
    for number, raw in enumerate(po_lines(text), start=1):
        line = raw.strip()
        if line.startswith("#~"):
            line = line[2:].strip()
            if not line:
                continue
        if not line or line.startswith("#"):
            previous = None if not line else previous
            continue
        if _CONTINUATION.match(line):
            if previous is None:
                problems.append((number, "string continuation without a keyword before it"))
            continue
        match = _KEYWORD_LINE.match(line)
        keyword_only = None if match else _KEYWORD_START.match(line)
        if not match and not keyword_only:
            problems.append((number, f"not a PO keyword or string: {excerpt(line)}"))
            previous = None
            continue
        if not match:
            problems.append((number, "unterminated or badly escaped string"))
        keyword = (match or keyword_only)[1]
        if keyword.startswith("msgstr") and previous not in ("msgid", "msgid_plural", "msgstr"):
            problems.append((number, f"'{keyword}' without a msgid before it"))
        if keyword == "msgid" and previous == "msgid":
            problems.append((number, "'msgid' follows a msgid that has no msgstr"))
        previous = "msgstr" if keyword.startswith("msgstr") else keyword
    return problems


@dataclass
class MessageCatalog:
    """One PO file: a domain's translations into one language."""

    path: Path
    display: str
    domain: str
    language: Language
    catalog: Catalog
    digest: str = ""
    _compiled: dict[bool, Translations] = field(default_factory=dict, repr=False)

    def lookup(self, msgid: str, use_fuzzy: bool = False,
               context: str | None = None) -> str | None:
        """Return the translation of a segment, or None when it has none to use."""
        message = self.catalog.get(msgid, context)
        if message is None or not message.string or (message.fuzzy and not use_fuzzy):
            return None
        return message.string if isinstance(message.string, str) else None

    def translations(self, use_fuzzy: bool = False) -> Translations:
        """Compile the catalog in memory into a gettext Translations object (once)."""
        if use_fuzzy not in self._compiled:
            buffer = io.BytesIO()
            write_mo(buffer, self.catalog, use_fuzzy=use_fuzzy)
            buffer.seek(0)
            self._compiled[use_fuzzy] = Translations(buffer, domain=self.domain)
        return self._compiled[use_fuzzy]


def catalog_path(locales_dir: Path, language: Language, domain: str) -> Path:
    return locales_dir / language.locale / "LC_MESSAGES" / f"{domain}.po"


def load_catalog(path: Path, display: str, domain: str, language: Language,
                 root: Path) -> MessageCatalog:
    """Parse a PO file strictly; raise ProjectError naming file and line."""
    raw = read_bytes(path, root, display, "catalog")
    text = decode(raw, display)
    problems = control_problems(text, display) or escape_controls(text, display) or [
        Problem(display, message, line) for line, message in check_po_syntax(text)]
    if problems:
        raise ProjectError(problems)
    _check_plural_header(text, display, language)
    try:
        catalog = read_po(io.StringIO(text), locale=language.locale, domain=domain,
                          abort_invalid=True)
    except PoFileError as exc:
        raise ProjectError(Problem(display, str(exc).split(" on ")[0],
                                   exc.lineno + 1)) from None
    except (ValueError, UnknownLocaleError) as exc:
        raise ProjectError(Problem(display, str(exc))) from None
    problems = translation_controls(catalog, display) + header_problems(catalog, text, display)
    if domain == UI_DOMAIN:
        problems += format_problems(catalog, display)
    if problems:
        raise ProjectError(problems)
    _restore_previous_ids(text, catalog)
    return MessageCatalog(path, display, domain, language, catalog,
                          hashlib.sha256(raw).hexdigest())


_ESCAPE = re.compile(r"\\(.)")
_CONTROL_ESCAPES = set("abfv01234567x")  # C escapes msgfmt turns into control characters


def escape_controls(text: str, display: str) -> list[Problem]:
    """Escapes in PO strings that stand for control characters (\\f, \\v, \\x01, \\033)."""
    problems = []
    for number, line in enumerate(po_lines(text), start=1):
        quoted = line.find('"')
        if quoted < 0 or line.lstrip().startswith("#") and not line.startswith("#~"):
            continue
        for match in _ESCAPE.finditer(line, quoted):
            if match[1] in _CONTROL_ESCAPES:
                problems.append(Problem(display, f"escape \\{match[1]} stands for a control "
                                                 f"character; only \\t and \\n are allowed",
                                        number, match.start() + 1))
    return problems


_SPEC = re.compile(r"%\((\w+)\)([#0\- +]*\d*(?:\.\d+)?)([a-zA-Z%])")
_PLURAL = re.compile(r"plural\s*=\s*([^;]*)")


def header_problems(catalog: Catalog, text: str, display: str) -> list[Problem]:
    """A header the build cannot use: a charset other than UTF-8, a broken plural rule."""
    problems = []
    charset = (catalog.charset or "utf-8").lower().replace("_", "-")
    if charset not in ("utf-8", "utf8"):
        problems.append(Problem(display, f"Content-Type declares charset "
                                         f"{excerpt(catalog.charset)}; catalogs are UTF-8",
                                header_line(text, "Content-Type")))
    plural_forms = dict(catalog.mime_headers).get("Plural-Forms", "")
    if match := _PLURAL.search(plural_forms):
        if why := _plural_rule_problem(match[1].strip(), catalog.num_plurals):
            problems.append(Problem(display, f"Plural-Forms: {why}",
                                    header_line(text, "Plural-Forms")))
    return problems


@functools.cache
def _plural_rule_problem(expression: str, count: int) -> str | None:
    """Why a gettext plural expression cannot serve, or None; tried on many numbers."""
    try:
        rule = gettext.c2py(expression)
        for n in (*range(0, 1001), 10**6, 10**9, 2**31 - 1):
            if not 0 <= int(rule(n)) < count:
                return f"the plural rule gives form {int(rule(n))} for {n}, of {count} forms"
    except (ValueError, ArithmeticError, RecursionError, SyntaxError, TypeError) as exc:
        return f"the plural rule {excerpt(expression)} is not usable ({excerpt(str(exc), 60)})"
    return None


def header_line(text: str, name: str) -> int:
    """The line of a PO header field, or 1 when it is missing."""
    index = text.find(f'"{name}:')
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


_SAMPLE = {**dict.fromkeys("diouxX", 1), **dict.fromkeys("eEfFgG", 1.5)}


def format_problems(catalog: Catalog, display: str) -> list[Problem]:
    """UI translations that the templates' %-formatting would fail on, with their line.

    Jinja formats every UI string with the template's named values, so a translation
    may use only the source's ``%(name)s`` placeholders, and a literal % must be %%.
    """
    problems = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        # Values of the types the source's conversions stand for, formatted as Jinja
        # does: through Markup, which hands %d and %c a wrapper, not the number.
        names = {name: _SAMPLE.get(conversion, "x")
                 for msgid in ids for name, _width, conversion in _SPEC.findall(msgid)}
        if isinstance(message.id, (list, tuple)):
            names.setdefault("num", 1)
        strings = message.string if isinstance(message.string, (list, tuple)) else (
            message.string,)
        specs = {spec.groups() for msgid in ids for spec in _SPEC.finditer(msgid)}
        for string in filter(None, strings):
            widths = [m[0] for m in _SPEC.finditer(string) if m[2] and m.groups() not in specs]
            if widths:
                problems.append(Problem(display, f"the translation of {excerpt(message.id)} "
                                                 f"gives {excerpt(widths[0])} a width or "
                                                 f"precision its source does not have",
                                        message.lineno))
                break
            try:
                Markup(string) % names
            except (KeyError, ValueError, TypeError) as exc:
                why = f"unknown placeholder %({exc.args[0]})s" if isinstance(
                    exc, KeyError) else "a placeholder or a single % that cannot be " \
                                        "formatted (write a literal % as %%)"
                problems.append(Problem(display, f"the translation of {excerpt(message.id)} "
                                                 f"has {why}", message.lineno))
                break
    return problems


def translation_controls(catalog: Catalog, display: str) -> list[Problem]:
    """Control characters that a translation holds as escapes such as \\r."""
    problems = []
    for message in catalog:
        strings = message.string if isinstance(message.string, (list, tuple)) else [
            message.string]
        for string in [message.context or ""] + [s or "" for s in strings]:
            if name := describe_control(string):
                problems.append(Problem(display, f"the translation of {excerpt(message.id)} "
                                                 f"holds {name}; only tab "
                                                 f"and newline are allowed", message.lineno))
                break
    return problems


def _restore_previous_ids(text: str, catalog: Catalog) -> None:
    """Read the ``#| msgid`` comments that Babel's parser skips, so they survive a merge."""
    if not text.startswith("#|") and "\n#|" not in text:
        return
    previous: list[str] = []
    current: list[str] | None = None
    msgid: list[str] | None = None
    for line in po_lines(text) + [""]:
        if line.startswith("#| msgid "):
            previous, current = [unescape(line[9:].strip())], None
        elif line.startswith('#| "') and previous and current is None:
            previous[-1] += unescape(line[3:].strip())
        elif line.startswith("msgid ") and previous:
            msgid = [unescape(line[6:].strip())]
        elif line.startswith('"') and msgid is not None:
            msgid[-1] += unescape(line.strip())
        elif msgid is not None:
            message = catalog.get(msgid[0])
            if message is not None and not message.previous_id:
                message.previous_id = previous
            previous, msgid = [], None
    for message in catalog:  # Babel reads "#|" lines as translator comments
        message.user_comments = [c for c in message.user_comments if not c.startswith("|")]


@functools.cache
def _plural_forms(locale: str) -> int:
    return Catalog(locale=locale).num_plurals


def _check_plural_header(text: str, display: str, language: Language) -> None:
    """A catalog must declare as many plural forms as CLDR gives its language."""
    match = re.search(r"nplurals\s*=\s*(\d+)", text)
    if not match:
        return
    wanted = _plural_forms(language.locale)
    if int(match[1]) != wanted:
        line = text.count("\n", 0, match.start()) + 1
        raise ProjectError(Problem(
            display, f"Plural-Forms declares nplurals={match[1]} but {language.tag} has "
                     f"{wanted} plural forms in CLDR", line))


def load_catalogs(locales_dir: Path, root: Path, languages: Iterable[Language],
                  domains: Iterable[str]) -> dict[tuple[str, str], MessageCatalog]:
    """Load every existing catalog for languages × domains, reporting all problems at once."""
    problems = Problems()
    found: dict[tuple[str, str], MessageCatalog] = {}
    domains = list(domains)
    for language in languages:
        for domain in domains:
            path = catalog_path(locales_dir, language, domain)
            if not path.exists() and not path.is_symlink():
                continue
            display = path.relative_to(root).as_posix()
            try:
                found[language.tag, domain] = load_catalog(path, display, domain, language,
                                                           root)
            except ProjectError as exc:
                problems.extend(exc)
    problems.raise_if_any()
    return found


# --- Extraction -----------------------------------------------------------------------

@dataclass(frozen=True)
class Segment:
    """A translatable source string and where it stands."""

    text: str
    path: str
    line: int
    plural: str | None = None
    context: str | None = None
    comment: str | None = None   # where it sits, for translators ("figure fig-map: alt text")


def build_template(domain: str, segments: Iterable[Segment], locale: str | None = None) -> Catalog:
    """Make a POT catalog from segments, merging locations of identical strings."""
    catalog = Catalog(locale=locale, domain=domain, project="polybrief", version=None,
                      charset="utf-8", fuzzy=False,
                      header_comment=f"# Translation template for the '{domain}' domain.\n#")
    for segment in segments:
        msgid = (segment.text, segment.plural) if segment.plural else segment.text
        existing = catalog.get(msgid, segment.context)
        location = (segment.path, segment.line)
        comments = [segment.comment] if segment.comment else []
        if existing is not None:
            if location not in existing.locations:
                existing.locations.append(location)
            existing.auto_comments += [c for c in comments if c not in existing.auto_comments]
            continue
        catalog.add(msgid, locations=[location], context=segment.context,
                    auto_comments=comments,
                    flags=("python-brace-format",) if "{" in segment.text and segment.plural is None
                    and re.search(r"\{\w+\}", segment.text) else ())
    return catalog


def serialize_catalog(catalog: Catalog) -> bytes:
    """Write a catalog as PO text, deterministically.

    Only a fuzzy entry keeps its previous source (``#| msgid``): Babel writes it for any
    entry but reads it back only beside the fuzzy flag, and as a comment otherwise.
    """
    for message in catalog:
        if not message.fuzzy:
            message.previous_id = []
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=PO_WIDTH, include_previous=True, sort_output=False)
    return buffer.getvalue()


# --- Formatting -----------------------------------------------------------------------

@dataclass
class Formatter:
    """Locale formats for one language, all from CLDR, in its default numbering system."""

    language: Language
    _locale: Locale = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._locale = self.language.babel

    def date(self, value: dt.date, format: str = "long") -> str:
        return numerals.localize(format_date(value, format=format, locale=self._locale),
                                 self._locale)

    def number(self, value: float | int) -> str:
        return numerals.localize(format_decimal(value, locale=self._locale,
                                                numbering_system="default"), self._locale)

    def moment(self, value: dt.date, day: bool) -> str:
        """A date on a time axis, by CLDR's skeletons: "Jun 17, 2025" or "Jun 2025"."""
        return numerals.localize(format_skeleton("yMMMd" if day else "yMMM", value,
                                                 locale=self._locale), self._locale)

    def compact(self, value: float) -> str:
        """A number on a chart's axis: short for large values ("1.5M", "1,5 млн",
        "150万"), in the language's digits."""
        if abs(value) < 1000:
            text = format_decimal(round(value, 2), locale=self._locale,
                                  numbering_system="default")
        else:
            text = format_compact_decimal(value, format_type="short", fraction_digits=1,
                                          locale=self._locale, numbering_system="default")
        return numerals.localize(text, self._locale)

    def country(self, code: str) -> str:
        return self._locale.territories.get(code.upper(), code)

    def list(self, items: Iterable[str], style: str = "standard") -> str:
        return format_list(list(items), style=style, locale=self._locale)

    @property
    def separator(self) -> str:
        """The comma between the parts of a composed line, such as a source's title,
        publisher and date: "، " in Arabic, "、" in Japanese and Chinese."""
        return list_separator(self._locale)

    @property
    def full_stop(self) -> str:
        """What ends such a line before a URL: "。" where the comma is ideographic."""
        return "。" if self.separator == "、" else ". "

    def percent_floor(self, ratio: float) -> str:
        """A percentage rounded down, so that anything short of complete never shows 100."""
        return numerals.localize(format_percent(int(ratio * 100) / 100, locale=self._locale,
                                                numbering_system="default"), self._locale)

    def kilobytes(self, size: int) -> str:
        return numerals.localize(format_unit(round(size / 1000), "digital-kilobyte",
                                             length="short", locale=self._locale,
                                             numbering_system="default"), self._locale)



@functools.cache
def list_separator(locale: Locale) -> str:
    """The separator of the locale's lists in CLDR, without a conjunction.

    Most locales separate list items with their comma ("{0}, {1}", "{0}、{1}"); Arabic
    joins every item with "و" (and), and has its comma only in the pattern that adds
    one before "و" ("{0}، و{1}"), so the letters are dropped from that one.
    """
    patterns = []
    for style in ("standard", "unit", "unit-short", "standard-narrow"):
        try:
            patterns.append(locale.list_patterns[style]["start"])
        except (KeyError, TypeError):
            continue
    separators = [p.replace("{0}", "").replace("{1}", "") for p in patterns if p]
    for separator in separators:
        if not any(char.isalpha() for char in separator):
            return separator
    for separator in separators:
        bare = "".join(char for char in separator if not char.isalpha()).rstrip() + " "
        if bare.strip():
            return bare
    return ", "


# --- Coverage -------------------------------------------------------------------------

_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]"
                   r"|[^\W_]+(?:['’\-][^\W_]+)*")


def count_words(text: str) -> int:
    """Source words, counted as translation vendors do: each CJK character is one word."""
    return len(_WORD.findall(text))


@dataclass(frozen=True)
class Coverage:
    """How much of a domain's current source one catalog translates."""

    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int
    words: int
    words_translated: int

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.untranslated

    @property
    def ratio(self) -> float:
        return self.translated / self.total if self.total else 1.0

    @property
    def word_ratio(self) -> float:
        return self.words_translated / self.words if self.words else 1.0

    @property
    def complete(self) -> bool:
        return self.translated == self.total


def coverage(msgids: Iterable[str | tuple[str, str | None]], catalog: MessageCatalog | None,
             use_fuzzy: bool = False, source: bool = False) -> Coverage:
    """Count translated, fuzzy and untranslated segments; the source language is complete."""
    translated = fuzzy = untranslated = words = words_done = 0
    for key in dict.fromkeys(msgids):
        msgid, context = key if isinstance(key, tuple) else (key, None)
        n = count_words(msgid)
        words += n
        message = catalog.catalog.get(msgid, context) if catalog else None
        if source or (message is not None and message.string and
                      (not message.fuzzy or use_fuzzy) and _has_all_forms(message)):
            translated += 1
            words_done += n
        elif message is not None and message.string and message.fuzzy:
            fuzzy += 1
        else:
            untranslated += 1
    obsolete = len(catalog.catalog.obsolete) if catalog else 0
    return Coverage(translated, fuzzy, untranslated, obsolete, words, words_done)


def _has_all_forms(message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return all(strings)
