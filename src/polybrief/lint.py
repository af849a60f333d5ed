"""Catalog checks a translator runs before a release: ``polybrief check``."""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import PoFileError, read_po

from .errors import Problem, ProjectError
from .files import control_problems, decode, excerpt, read_bytes
from .glossary import Glossary
from .i18n import (
    UI_DOMAIN,
    check_po_syntax,
    count_words,
    escape_controls,
    format_problems,
    header_line,
    header_problems,
    parse_language,
    po_lines,
    translation_controls,
)
from .markdown import MARKDOWN, markup_problem, references_in

PLACEHOLDER = re.compile(r"%\(\w+\)[#0\- +]?\d*(?:\.\d+)?[sdifrxXeEgGc]|%[sdif]|\{\w*\}")
RAW_HTML = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
BAD_URL = re.compile(r"\b(?:file|javascript|vbscript|data):", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    path: str
    line: int | None
    message: str
    severity: str = "error"
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        if self.line and self.column:
            where += f":{self.column}"
        label = "warning: " if self.severity == "warning" else ""
        return f"{where}: {label}{self.message}"


def check_locales(locales_dir: Path, root: Path, markdown_domains: set[str],
                  glossary: Glossary | None = None) -> list[Finding]:
    """Check every PO file under locales/; content domains are also checked as Markdown;
    a source translated differently in two catalogs of a language, and a translation
    the glossary finds fault with, are warnings."""
    findings: list[Finding] = []
    readable: dict[str, list[tuple[str, Catalog]]] = {}
    for path in sorted(locales_dir.glob("*/LC_MESSAGES/*.po")):
        display = path.relative_to(root).as_posix()
        found = check_catalog(path, display, path.stem in markdown_domains, root)
        findings.extend(found)
        if not any(f.severity == "error" for f in found):
            text = decode(read_bytes(path, root, display, "catalog"), display)
            readable.setdefault(path.parent.parent.name, []).append(
                (display, read_po(io.StringIO(text))))
    for locale, catalogs in readable.items():
        findings.extend(_inconsistencies(catalogs))
        if glossary is not None and glossary.terms:
            tag = locale.replace("_", "-")
            for display, catalog in catalogs:
                findings.extend(Finding(display, line, message, "warning")
                                for line, message in glossary_problems(glossary, catalog, tag))
    return findings


def glossary_problems(glossary: Glossary, catalog: Catalog, tag: str) -> list[tuple[int, str]]:
    """(line, message) for each translated entry the glossary finds fault with."""
    found = []
    for message in catalog:
        if not message.id or message.fuzzy or not _translated(message.string):
            continue
        pairs = (zip(message.id, message.string, strict=False)
                 if isinstance(message.id, tuple | list) else [(message.id, message.string)])
        for source, string in pairs:
            found += [(message.lineno, problem)
                      for problem in glossary.problems(source, string, tag)]
    return found


def _inconsistencies(catalogs: list[tuple[str, Catalog]]) -> list[Finding]:
    """The same source, in the same context, translated otherwise than where it was
    first met: a warning at each later place, naming the first."""
    first: dict[tuple, tuple[str, int, object]] = {}
    findings = []
    for display, catalog in catalogs:
        for message in catalog:
            if not message.id or message.fuzzy or not _translated(message.string):
                continue
            key = (message.id if isinstance(message.id, str) else tuple(message.id),
                   message.context)
            if key not in first:
                first[key] = (display, message.lineno, message.string)
                continue
            where, line, string = first[key]
            if string != message.string:
                shown = string if isinstance(string, str) else string[0]
                findings.append(Finding(
                    display, message.lineno,
                    f"{excerpt(_source(message.id))} is translated otherwise in {where}:{line} "
                    f"({excerpt(shown)})", "warning"))
    return findings


def _translated(string) -> bool:
    return all(string) if isinstance(string, tuple | list) else bool(string)


def _source(msgid) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _findings(problems: list[Problem]) -> list[Finding]:
    return [Finding(p.path, p.line, p.message, column=p.column) for p in problems]


def check_catalog(path: Path, display: str, markdown: bool, root: Path) -> list[Finding]:
    """Lint one catalog: syntax, headers, plurals, placeholders, Markdown, whitespace."""
    try:
        text = decode(read_bytes(path, root, display, "catalog"), display)
    except ProjectError as exc:
        return _findings(exc.problems)
    if controls := control_problems(text, display) or escape_controls(text, display):
        return _findings(controls)
    syntax = check_po_syntax(text)
    if syntax:
        return [Finding(display, line, message) for line, message in syntax]
    locale = path.parent.parent.name
    try:
        catalog = read_po(io.StringIO(text), abort_invalid=True)
    except PoFileError as exc:
        return [Finding(display, exc.lineno + 1, str(exc).split(" on ")[0])]
    header = _check_header(catalog, text, display, locale)
    findings = _findings(translation_controls(catalog, display)
                         + header_problems(catalog, text, display)) + header
    if path.stem == UI_DOMAIN:
        findings += _findings(format_problems(catalog, display))
    nplurals = Catalog(locale=locale).num_plurals if not header else catalog.num_plurals
    for line, count in _plural_entries(text):
        if count != nplurals:
            findings.append(Finding(display, line, f"{count} plural forms given, the language "
                                                   f"has {nplurals}"))
    for message in catalog:
        if message.id:
            findings.extend(_check_message(message, display, markdown))
    return findings


def _plural_entries(text: str) -> list[tuple[int, int]]:
    """(msgid line, number of msgstr[N]) of every plural entry, as written in the file."""
    entries: list[list[int]] = []
    for number, line in enumerate(po_lines(text), start=1):
        if line.startswith("msgid "):
            entries.append([number, 0, 0])
        elif line.startswith("msgid_plural ") and entries:
            entries[-1][2] = 1
        elif line.startswith("msgstr[") and entries:
            entries[-1][1] += 1
    return [(line, count) for line, count, plural in entries if plural]


def _check_header(catalog: Catalog, text: str, display: str, locale: str) -> list[Finding]:
    findings = []
    try:
        language = parse_language(locale.replace("_", "-"))
    except ValueError as exc:
        return [Finding(display, 1, f"folder '{locale}' is not a known locale: {exc}")]
    declared = str(catalog.locale) if catalog.locale else None
    if declared != language.locale:
        findings.append(Finding(display, header_line(text, "Language"),
                                f"Language header is {excerpt(declared)} but the catalog is in "
                                f"locales/{locale}/"))
    match = re.search(r"nplurals\s*=\s*(\d+)", text)
    wanted = Catalog(locale=language.locale).num_plurals
    if not match:
        findings.append(Finding(display, 1, f"no Plural-Forms header ({language.tag} has "
                                            f"{wanted} plural forms)"))
    elif int(match[1]) != wanted:
        findings.append(Finding(display, header_line(text, "Plural-Forms"),
                                f"Plural-Forms declares nplurals={match[1]} but "
                                f"{language.tag} has {wanted} plural forms in CLDR"))
    return findings


def _check_message(message, display: str, markdown: bool) -> list[Finding]:
    ids = list(message.id) if isinstance(message.id, tuple) else [message.id]
    strings = list(message.string) if isinstance(message.string, tuple) else [message.string]
    line = message.lineno
    findings = []

    def error(text: str, severity: str = "error") -> None:
        findings.append(Finding(display, line, text, severity))

    source = ids[0]
    for index, string in enumerate(strings):
        if not string:
            continue
        reference = ids[min(index, len(ids) - 1)] if len(ids) > 1 else source
        _compare_placeholders(reference if len(ids) == 1 else ids, string, error)
        if RAW_HTML.search(string) and not RAW_HTML.search(source):
            error(f"raw HTML in the translation: {RAW_HTML.search(string)[0][:40]}")
        if BAD_URL.search(string) and not BAD_URL.search(source):
            error(f"unsafe URL in the translation: {BAD_URL.search(string)[0]}…")
        if markdown and (why := markup_problem(string)):
            error(why)
        elif markdown:
            _compare_markdown(source, string, error)
        if _edges(source) != _edges(string):
            error("leading/trailing whitespace differs from the source")
        if string == source and count_words(source) >= 3 and not message.fuzzy:
            error("translation is identical to the source", "warning")
    return findings


def _compare_placeholders(reference, string: str, error) -> None:
    if isinstance(reference, list):
        wanted = set().union(*(set(PLACEHOLDER.findall(r)) for r in reference))
        got = set(PLACEHOLDER.findall(string))
        missing, extra = wanted - got - {"%(num)d"}, got - wanted
    else:
        wanted, got = Counter(PLACEHOLDER.findall(reference)), Counter(PLACEHOLDER.findall(string))
        missing, extra = set(wanted - got), set(got - wanted)
    if missing:
        error(f"placeholder {', '.join(sorted(missing))} missing from the translation")
    if extra:
        error(f"placeholder {', '.join(sorted(extra))} not in the source")


def _markup(text: str) -> Counter:
    """The inline Markdown of a text: link targets, emphasis, strong and code spans,
    footnote references, citations, cross-references and terms kept untranslated."""
    found: Counter = Counter()
    for token in MARKDOWN.parseInline(text):
        for child in token.children or []:
            if child.type == "link_open":
                found[f"link to {child.attrGet('href')}"] += 1
            elif child.type in ("strong_open", "em_open"):
                found[child.type.removesuffix("_open").replace("em", "emphasis")] += 1
            elif child.type == "code_inline":
                found["code span"] += 1
    for kind, name in references_in(text):
        found[f"{kind} {_named(kind, name)}"] += 1
    return found


def _named(kind: str, name: str) -> str:
    return {"footnote": f"[^{name}]", "citation": f"[@{name}]",
            "cross-reference": f"@{name}"}.get(kind, f"'{name}'")


def _compare_markdown(source: str, string: str, error) -> None:
    wanted, got = _markup(source), _markup(string)
    for item in sorted(wanted - got):
        error(f"the translation drops the source's {item}")
    for item in sorted(got - wanted):
        error(f"the translation adds a {item} the source does not have")


def _edges(text: str) -> tuple[str, str]:
    return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()):]

