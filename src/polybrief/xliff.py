"""XLIFF 1.2 for CAT tools: ``export-xliff LANG`` and ``import-xliff FILE``.

Agencies translate in Trados, memoQ or Phrase, which exchange XLIFF; all three read
and write XLIFF 1.2, and translate-toolkit writes and reads it with the rich inline
content those tools need. Each catalog of a language becomes one file, one
``trans-unit`` per entry (a ``group`` of them for plural forms), and comes back into
the same catalog:

- the unit's id is a digest of the entry's context and source, so the file finds its
  entries again however the catalog was reordered;
- the extracted comment (where the text sits) is a developer note, the locations are
  a location context group, the ``msgctxt`` a context of its own;
- inline Markdown, references and placeholders are ``<ph>`` inline codes, so a CAT
  tool moves them as wholes and never breaks a link or a footnote call;
- states map both ways: translated ↔ ``translated`` (approved), fuzzy ↔
  ``needs-review-translation``, untranslated ↔ ``new``.

An import refuses a file for another language or catalog, or whose source text no
longer matches the catalog's, with one line per problem. Importing a file exported
and left as it was writes nothing: every catalog keeps its bytes.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message

from .errors import Problem, ProjectError
from .files import excerpt, read_bytes, write_atomic
from .i18n import Language, serialize_catalog
from .project import Project

XLIFF_12 = "urn:oasis:names:tc:xliff:document:1.2"
PLURALS = "x-gettext-plurals"
# Inline codes: footnote calls, citations and grouped cross-references, cross-references,
# the markup around link and span text, emphasis and code, and placeholders.
INLINE = re.compile(
    r"\[\^[^\]\n]+\]"                      # [^fn-id]
    r"|\[@[^\]\n]+\]"                      # [@key, p. 4], [@fig-a; @fig-b]
    r"|@(?:fig|tbl|sec|box)-[a-z0-9-]*[a-z0-9]"
    r"|\]\([^)\n]*\)|\]\{[^}\n]*\}|\["     # ](url), ]{lang=kk}, and the opening [
    r"|`[^`\n]*`|\*\*|\*"                  # code, strong and emphasis marks
    r"|%\(\w+\)[sd]|%[sd]|\{\w+\}"         # %(num)s, {page}
)


def _xliff_class():
    from translate.storage import xliff

    class Unit12(xliff.Xliff1Unit):
        namespace = XLIFF_12

    class Xliff12(xliff.Xliff1File):
        UnitClass = Unit12
        XMLskeleton = (f"<?xml version='1.0' ?>\n<xliff version='1.2' xmlns='{XLIFF_12}'>\n"
                       "<file original='NoName' source-language='en' datatype='po'>\n"
                       "<body>\n</body>\n</file>\n</xliff>")
        namespace = XLIFF_12

    return Xliff12


@dataclass(frozen=True)
class Entry:
    """A catalog entry as one trans-unit: ``form`` is its plural form, or None."""

    message: Message
    form: int | None

    @property
    def source(self) -> str:
        ids = self.message.id if isinstance(self.message.id, tuple | list) else (
            self.message.id,)
        return ids[min(self.form or 0, len(ids) - 1)]


def unit_id(message: Message) -> str:
    """A stable id: the entry's context and source, digested."""
    source = message.id if isinstance(message.id, str) else message.id[0]
    key = f"{message.context or ''}\x04{source}"
    return "m" + hashlib.sha256(key.encode()).hexdigest()[:16]


def _entries(catalog: Catalog) -> dict[str, Entry]:
    """Every entry of a catalog by the id of its unit: "m…", or "m…[1]" for a form."""
    found = {}
    for message in catalog:
        if not message.id:
            continue
        base = unit_id(message)
        if message.pluralizable:
            for form in range(catalog.num_plurals):
                found[f"{base}[{form}]"] = Entry(message, form)
        else:
            found[base] = Entry(message, None)
    return found


def _rich(text: str):
    """Text with its inline codes as <ph> elements."""
    from translate.storage.placeables import StringElem
    from translate.storage.placeables.xliff import Ph

    parts, position, number = [], 0, 0
    for match in INLINE.finditer(text):
        if match.start() > position:
            parts.append(text[position:match.start()])
        number += 1
        parts.append(Ph(id=str(number), sub=[match[0]]))
        position = match.end()
    if position < len(text):
        parts.append(text[position:])
    return [StringElem(parts)]


def export_language(project: Project, language: Language, out_dir: Path) -> list[Path]:
    """Write one XLIFF file per catalog of a language; return the files written."""
    Xliff12 = _xliff_class()
    from translate.storage import xliff

    written = []
    catalogs = sorted((domain, catalog) for (tag, domain), catalog in project.catalogs.items()
                      if tag == language.tag)
    if not catalogs:
        raise ProjectError(Problem("export-xliff", f"no catalogs for {language.tag}: run "
                                                   f"'init {language.tag}' first"))
    for domain, catalog in catalogs:
        store = Xliff12()
        store.setsourcelanguage(_source_language(project, domain).tag)
        store.settargetlanguage(language.tag)
        filenode = next(store.document.getroot().iterchildren(store.namespaced("file")))
        filenode.set("original", catalog.display)
        for unit_key, entry in _entries(catalog.catalog).items():
            unit = store.UnitClass(entry.source)
            unit.setid(unit_key)
            unit.rich_source = _rich(entry.source)
            target = _target(entry)
            if target:
                unit.rich_target = _rich(target)
            message = entry.message
            unit.set_state_n(unit.S_UNTRANSLATED if not target else unit.S_NEEDS_REVIEW
                             if message.fuzzy else unit.S_TRANSLATED)
            for comment in message.auto_comments:
                unit.addnote(comment, origin="developer")
            for comment in message.user_comments:
                unit.addnote(comment, origin="translator")
            for path, line in message.locations:
                unit.addlocation(f"{path}:{line}" if line else path)
            if message.context:
                unit.createcontextgroup("po-entry", [("x-po-msgctxt", message.context)],
                                        purpose="information")
            store.addunit(unit)
        _group_plurals(store, xliff)
        path = out_dir / language.tag / f"{domain}.xlf"
        write_atomic(path, bytes(store))
        written.append(path)
    return written


def _group_plurals(store, xliff) -> None:
    """Put the forms of a plural entry ("m…[0]", "m…[1]") in a group, as po2xliff does."""
    from lxml import etree

    groups: dict[str, object] = {}
    for unit in list(store.units):
        key = unit.xmlelement.get("id", "").rsplit("[", 1)
        if len(key) != 2:
            continue
        element = unit.xmlelement
        group = groups.get(key[0])
        if group is None:
            group = etree.Element(store.namespaced("group"), id=key[0], restype=PLURALS)
            element.addprevious(group)
            groups[key[0]] = group
        group.append(element)


def _target(entry: Entry) -> str:
    string = entry.message.string
    if isinstance(string, tuple | list):
        return string[entry.form or 0] if (entry.form or 0) < len(string) else ""
    return string or ""


def _source_language(project: Project, domain: str) -> Language:
    from .i18n import parse_language
    from .translate import UI_SOURCE

    brief = next((b for b in project.briefs if b.id == domain), None)
    return brief.lang if brief is not None else parse_language(UI_SOURCE)


# --- Import ----------------------------------------------------------------------------

def import_file(project: Project, path: Path, display: str) -> Path | None:
    """Merge one XLIFF file into its catalog; return the catalog if it changed."""
    data = read_bytes(path, path.parent, display, "catalog")
    if b"<!DOCTYPE" in data[:4096].upper() or b"<!ENTITY" in data.upper():
        raise ProjectError(Problem(display, "an XLIFF file with a DOCTYPE or entities is "
                                            "not accepted"))
    Xliff12 = _xliff_class()
    try:
        store = Xliff12(data)
    except Exception as exc:  # lxml's syntax errors, translate-toolkit's version check
        raise ProjectError(Problem(display, f"is not XLIFF 1.2 ({excerpt(str(exc))})")) \
            from None
    filenode = next(store.document.getroot().iterchildren(store.namespaced("file")), None)
    if filenode is None:
        raise ProjectError(Problem(display, "has no <file> element"))
    original = filenode.get("original", "")
    target_language = filenode.get("target-language", "")
    catalog = next((c for c in project.catalogs.values() if c.display == original), None)
    if catalog is None:
        raise ProjectError(Problem(display, f"is for {excerpt(original)}, which is not a "
                                            f"catalog of this project"))
    if target_language != catalog.language.tag:
        raise ProjectError(Problem(display, f"is for language {excerpt(target_language)}, "
                                            f"but {original} is {catalog.language.tag}"))
    entries = _entries(catalog.catalog)
    problems, changes = [], {}
    for unit in store.units:
        line = unit.xmlelement.sourceline
        key = unit.xmlelement.get("id", "")
        entry = entries.get(key)
        if entry is None:
            problems.append(Problem(display, f"unit {excerpt(key)} has no entry in "
                                             f"{original}: exported from another version",
                                    line))
            continue
        if unit.source != entry.source:
            problems.append(Problem(display, f"the source text of {excerpt(entry.source)} "
                                             f"changed since the export; export again",
                                    line))
            continue
        changes[key] = (unit.target or "", bool(unit.target) and unit.isfuzzy())
    if problems:
        raise ProjectError(problems)
    _apply(catalog.catalog, entries, changes)
    data = serialize_catalog(catalog.catalog)
    old = read_bytes(catalog.path, project.root, catalog.display, "catalog")
    if data == old:
        return None
    write_atomic(catalog.path, data)
    return catalog.path


def _apply(catalog: Catalog, entries: dict[str, Entry],
           changes: dict[str, tuple[str, bool]]) -> None:
    """Set each entry's translation and state from its units."""
    by_message: dict[int, list[tuple[Entry, str, bool]]] = {}
    for key, (target, fuzzy) in changes.items():
        entry = entries[key]
        by_message.setdefault(id(entry.message), []).append((entry, target, fuzzy))
    for units in by_message.values():
        message = units[0][0].message
        if message.pluralizable:
            forms = list(message.string) if isinstance(message.string, tuple | list) else \
                [""] * catalog.num_plurals
            for entry, target, _ in units:
                forms[entry.form or 0] = target
            message.string = tuple(forms)
            translated = all(forms)
        else:
            message.string = units[0][1]
            translated = bool(message.string)
        fuzzy = translated and any(unit_fuzzy for _, _, unit_fuzzy in units)
        if fuzzy:
            message.flags.add("fuzzy")
        else:
            message.flags.discard("fuzzy")
            message.previous_id = []
