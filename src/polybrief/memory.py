"""Translation memory: ``update --fill``, ``update --tm FILE`` and ``export-tm LANG``.

A project's translations are its memory. ``update --fill`` fills each empty entry of a
language's catalogs from the others of that language and from any TMX file given:

- the same source (in the same context) translated elsewhere fills it as translated;
- a source at least 85 % alike (RapidFuzz's ratio) fills it as fuzzy, with the source
  it matched as the entry's previous source (``#| msgid``), so a PO editor shows what
  differs;
- an entry that has a translation, even a fuzzy one, is never touched.

``export-tm LANG`` writes the language's confirmed translations as TMX 1.4 for other
tools. Both TMX directions go through translate-toolkit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog

from .errors import Problem, ProjectError
from .files import excerpt, read_bytes, write_atomic
from .i18n import Language, parse_language, serialize_catalog
from .project import Project

CLOSE = 85          # the least RapidFuzz ratio, in per cent, for a fuzzy match
MAX_FUZZY_SOURCES = 50_000   # compared per entry: a memory far beyond any project's


@dataclass
class Memory:
    """Translations into one language, by (source, context)."""

    pairs: dict[tuple[str, str | None], str] = field(default_factory=dict)
    plurals: dict[tuple[str, str | None], tuple[str, ...]] = field(default_factory=dict)

    def add(self, source: str, context: str | None, target: str) -> None:
        self.pairs.setdefault((source, context), target)

    def exact(self, source: str, context: str | None) -> str | None:
        return self.pairs.get((source, context))

    def close(self, source: str) -> tuple[str, str] | None:
        """The most alike source of at least CLOSE %, and its translation."""
        from rapidfuzz import fuzz, process

        choices = [s for s, _ in self.pairs][:MAX_FUZZY_SOURCES]
        found = process.extractOne(source, choices, scorer=fuzz.ratio, score_cutoff=CLOSE)
        if found is None:
            return None
        match = found[0]
        target = next(t for (s, _), t in self.pairs.items() if s == match)
        return match, target


@dataclass(frozen=True)
class Filled:
    exact: int
    fuzzy: int
    changed: tuple[Path, ...]


def _confirmed(catalog: Catalog):
    """The confirmed, singular translations of a catalog."""
    for message in catalog:
        if (message.id and isinstance(message.id, str) and not message.fuzzy
                and isinstance(message.string, str) and message.string):
            yield message


def _confirmed_plurals(catalog: Catalog):
    """The confirmed translations of plural entries, every form given."""
    for message in catalog:
        if (message.id and not isinstance(message.id, str) and not message.fuzzy
                and all(message.string)):
            yield message


def project_memory(project: Project, language: Language) -> Memory:
    memory = Memory()
    for (tag, _), catalog in sorted(project.catalogs.items()):
        if tag == language.tag:
            for message in _confirmed(catalog.catalog):
                memory.add(message.id, message.context, message.string)
    return memory


def read_tmx(path: Path, display: str, language: Language, memory: Memory) -> int:
    """Add a TMX file's translations into ``language`` to the memory; return how many."""
    from translate.storage import tmx

    data = read_bytes(path, path.parent, display, "catalog")
    if b"<!ENTITY" in data.upper():
        raise ProjectError(Problem(display, "a TMX file with entity declarations is not "
                                            "accepted"))
    try:
        store = tmx.tmxfile(data)
    except Exception as exc:  # lxml's syntax errors
        raise ProjectError(Problem(display, f"is not a TMX file ({excerpt(str(exc))})")) \
            from None
    added = 0
    for unit in store.units:
        texts = {}
        for node in unit.getlanguageNodes():
            tag = node.get("{http://www.w3.org/XML/1998/namespace}lang") or node.get("lang")
            if tag:
                texts[tag] = unit.getNodeText(node) or ""
        target = next((text for tag, text in texts.items() if _same_language(tag, language)),
                      None)
        if not target:
            continue
        for tag, source in texts.items():
            if source and not _same_language(tag, language):
                memory.add(source, None, target)
                added += 1
    return added


def _same_language(tag: str, language: Language) -> bool:
    try:
        return parse_language(tag) == language
    except ValueError:
        return tag.lower().replace("_", "-") == language.tag.lower()


def fill(project: Project, language: Language, memory: Memory,
         close: bool = True) -> Filled:
    """Fill the empty entries of a language's catalogs from the memory (with ``close``,
    close matches too, as fuzzy)."""
    exact = fuzzy = 0
    changed = []
    for (tag, _), catalog in sorted(project.catalogs.items()):
        if tag != language.tag:
            continue
        touched = False
        for message in catalog.catalog:
            if not message.id or message.fuzzy:
                continue
            if not isinstance(message.id, str):   # plural forms: the same entry only
                found = memory.plurals.get((message.id[0], message.context))
                if not any(message.string) and found and len(found) == len(message.string):
                    message.string = found
                    exact += 1
                    touched = True
                continue
            if message.string:
                continue
            found = memory.exact(message.id, message.context)
            if found is not None:
                message.string = found
                exact += 1
                touched = True
                continue
            match = memory.close(message.id) if close else None
            if match is not None:
                message.string = match[1]
                message.flags.add("fuzzy")
                message.previous_id = [match[0]]
                fuzzy += 1
                touched = True
        if touched:
            write_atomic(catalog.path, serialize_catalog(catalog.catalog))
            changed.append(catalog.path)
    return Filled(exact, fuzzy, tuple(changed))


# polybrief's own translations of its UI strings (src/polybrief/locales links to the
# repository's locales/, whose messages.po are the sample's).
SHIPPED = Path(__file__).resolve().parent / "locales"
# The UI strings in the languages the sample is not translated into.
SHIPPED_UI = Path(__file__).resolve().parent / "ui"


def shipped_ui_memory(language: Language) -> Memory:
    """polybrief's translations of its UI strings into a language, if it ships them."""
    from babel.messages.pofile import read_po

    memory = Memory()
    path = SHIPPED / language.locale / "LC_MESSAGES" / "messages.po"
    if not path.is_file():
        path = SHIPPED_UI / language.locale / "LC_MESSAGES" / "messages.po"
    if path.is_file():
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=language.locale)
        for message in _confirmed(catalog):
            memory.add(message.id, message.context, message.string)
        for message in _confirmed_plurals(catalog):
            memory.plurals.setdefault((message.id[0], message.context), tuple(message.string))
    return memory


def export_tm(project: Project, language: Language, path: Path) -> int:
    """Write a language's confirmed translations as TMX 1.4; return how many units."""
    from translate.storage import tmx

    from .translate import UI_SOURCE

    sources = {brief.id: brief.lang.tag for brief in project.briefs}
    store = tmx.tmxfile(sourcelanguage=UI_SOURCE, targetlanguage=language.tag)
    seen = set()
    for (tag, domain), catalog in sorted(project.catalogs.items()):
        if tag != language.tag:
            continue
        source_tag = sources.get(domain, UI_SOURCE)
        for message in _confirmed(catalog.catalog):
            if (message.id, source_tag) in seen:
                continue
            seen.add((message.id, source_tag))
            store.addtranslation(message.id, source_tag, message.string, language.tag)
    if not seen:
        raise ProjectError(Problem("export-tm", f"{language.tag} has no confirmed "
                                                f"translation to export"))
    write_atomic(path, bytes(store))
    return len(seen)


def tmx_memories(project: Project, files: list[tuple[Path, str]]) -> dict[str, Memory]:
    """The translations of TMX files (path, display) into each configured language."""
    memories = {}
    for language in project.config.languages:
        memories[language.tag] = memory = Memory()
        for path, display in files:
            read_tmx(path, display, language, memory)
    return memories


def fill_languages(project: Project, memories: dict[str, Memory]):
    """Fill every language from the project's catalogs, then from ``memories``; yield
    (tag, Filled)."""
    for language in project.config.languages:
        memory = project_memory(project, language)
        for (source, context), target in memories.get(language.tag, Memory()).pairs.items():
            memory.add(source, context, target)
        yield language.tag, fill(project, language, memory)
