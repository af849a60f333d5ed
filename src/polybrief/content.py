"""The content model and its loader: ``content/<brief-id>/brief.yaml`` with positions."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import yaml

from .blocks import (  # noqa: F401
    MAX_TABLE_CELLS,
    Block,
    BulletList,
    Callout,
    Cell,
    Column,
    Number,
    NumberedList,
    Paragraph,
    Quote,
    Table,
    Text,
    block_anchor,
    block_name,
    block_texts,
    described_texts,
    read_anchor,
    read_block,
)
from .charts import Chart
from .errors import Problem, Problems, ProjectError
from .figures import Figure
from .files import describe_control, excerpt, read_text
from .i18n import Language, Segment, parse_language
from .keyfigures import KeyFigure, read_key_figures
from .layouts import LAYOUTS
from .markdown import NOTE_ID, markup_problem, references_in, span_languages, strip_inline
from .yamlread import compose

LOG = logging.getLogger("polybrief")
SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
NOTE_KEY = re.compile(NOTE_ID)
COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class Subsection:
    heading: Text
    blocks: tuple[Block, ...]
    anchor: str


@dataclass(frozen=True)
class Section:
    heading: Text
    blocks: tuple[Block, ...]
    anchor: str
    subsections: tuple[Subsection, ...] = ()


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str | None = None
    url: str | None = None
    date: dt.date | None = None
    lang: str | None = None
    line: int | None = None
    key: str | None = None                 # what citations call it: [@key]
    title_original: str | None = None      # given: ``title`` is translated, this kept
    title_text: Text | None = None         # the translatable title, with title_original


@dataclass(frozen=True)
class Brief:
    """One brief in its source language, as written by the analyst."""

    id: str
    path: str
    lang: Language
    title: Text
    date: dt.date
    author: Text
    publisher: str
    summary: Text
    key_points: tuple[Text, ...]
    countries: tuple[str, ...]
    sections: tuple[Section, ...]
    sources: tuple[Source, ...]
    subtitle: Text | None = None
    max_pages: int | None = None
    max_pages_line: int | None = None
    notes: dict[str, Text] = field(default_factory=dict)   # footnotes by id
    languages: tuple[str, ...] | None = None   # its own subset of the project's, if given
    languages_line: int | None = None
    key_figures: tuple[KeyFigure, ...] = ()
    layout: str | None = None     # brief, factsheet or report; None: the project's default
    layout_line: int | None = None
    digest: str = ""

    def texts(self) -> Iterator[Text]:
        """Yield every translatable string, in reading order."""
        return (text for text, _ in self.described_texts())

    def described_texts(self) -> Iterator[tuple[Text, str]]:
        """Every translatable string in reading order, with where it sits for a
        translator: "3. Security › paragraph 2", "footnote fn-years"."""
        yield self.title, "title"
        if self.subtitle:
            yield self.subtitle, "subtitle"
        yield self.author, "author"
        yield self.summary, "summary"
        yield from ((point, f"key point {i}") for i, point in enumerate(self.key_points, 1))
        for number, figure in enumerate(self.key_figures, 1):
            yield from ((text, f"key figure {number}") for text in figure.texts())
        numbers: dict[str, int] = {}
        for number, section in enumerate(self.sections, 1):
            where = f"{number}. {_heading(section.heading)}"
            yield section.heading, f"{where} › heading"
            yield from _described_blocks(section.blocks, where, numbers)
            for sub_number, subsection in enumerate(section.subsections, 1):
                inner = f"{where} › {number}.{sub_number}. {_heading(subsection.heading)}"
                yield subsection.heading, f"{inner} › heading"
                yield from _described_blocks(subsection.blocks, inner, numbers)
        yield from ((note, f"footnote {note_id}") for note_id, note in self.notes.items())
        yield from ((source.title_text, f"source {source.key or number}: title")
                    for number, source in enumerate(self.sources, 1) if source.title_text)

    def figures(self) -> Iterator[Figure | Chart]:
        """The figures and charts, in document order."""
        for section in self.sections:
            for part in (section, *section.subsections):
                yield from (block for block in part.blocks
                            if isinstance(block, Figure | Chart))

    def segments(self) -> Iterator[Segment]:
        for text, where in self.described_texts():
            yield Segment(text.value, text.path or self.path, text.line, context=text.context,
                          comment=where)


# Numbered through the document, as readers see them ("table 2" is Table 2).
NUMBERED = {Table: "table", Figure: "figure", Chart: "figure", Callout: "callout"}


def _described_blocks(blocks, where: str,
                      numbers: dict[str, int]) -> Iterator[tuple[Text, str]]:
    """The strings of a section's blocks, each block named by its id, else by its
    number (tables, figures, charts, callouts) or its place among the blocks of its
    kind in the section ("paragraph 2"). ``numbers`` counts through the document."""
    counts: dict[str, int] = {}
    for block in blocks:
        kind = NUMBERED.get(type(block), type(block).__name__)
        tally = numbers if type(block) in NUMBERED else counts
        tally[kind] = tally.get(kind, 0) + 1
        name = block_name(block, tally[kind])
        yield from ((text, f"{where} › {part}") for text, part in described_texts(block, name))


def _heading(text: Text) -> str:
    """A heading as a translator's comment names it: plain, on one line, shortened."""
    plain = " ".join(strip_inline(text.value).split())
    return plain if len(plain) <= 60 else plain[:59] + "…"


# --- Loading --------------------------------------------------------------------------

class _Reader:
    """Walks a YAML node tree, building the model and collecting every problem."""

    def __init__(self, path: str, problems: Problems) -> None:
        self.path = path
        self.problems = problems

    def error(self, node: yaml.Node, message: str) -> None:
        mark = node.start_mark
        self.problems.add(self.path, message, mark.line + 1, mark.column + 1)

    def mapping(self, node: yaml.Node, what: str, required: tuple[str, ...],
                optional: tuple[str, ...] = ()) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping of fields")
            return None
        fields: dict[str, yaml.Node] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else None
            if name in fields:
                self.error(key, f"{what}: field '{name}' is given twice")
            elif name not in required + optional:
                known = ", ".join(required + optional)
                self.error(key, f"{what}: unknown field '{name}' (known: {known})")
            else:
                fields[name] = value
        for name in required:
            if name not in fields:
                self.error(node, f"{what}: missing required field '{name}'")
        return fields

    def scalar(self, node: yaml.Node, what: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag == "tag:yaml.org,2002:null":
            kind = {yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list"}.get(
                type(node), "empty")
            self.error(node, f"'{what}' must be text (got {kind})")
            return None
        if name := describe_control(node.value):
            self.error(node, f"'{what}': {name} (written as an escape) "
                             f"is not allowed in text")
            return None
        return node.value

    def text(self, node: yaml.Node | None, what: str, markdown: bool = False,
             numbers: bool = False) -> Text | None:
        """A translatable string, or ``{text: …, context: …}`` when the same words must be
        translated differently in different places (the context becomes the msgctxt)."""
        if node is None:
            return None
        if isinstance(node, yaml.MappingNode):
            fields = self.mapping(node, what, required=("text", "context"))
            if fields is None or "text" not in fields or "context" not in fields:
                return None
            text = self.text(fields["text"], what, markdown)
            context = self.scalar(fields["context"], f"{what} context")
            return Text(text.value, text.line, markdown, context) if text and context else None
        value = self.scalar(node, what)
        if value is None:
            return None
        numeric = node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
        if node.tag != "tag:yaml.org,2002:str" and not (numbers and numeric):
            self.error(node, f"'{what}' must be text (got {_kind(node)} {excerpt(value)}); "
                             f"quote it")
            return None
        if not value.strip():
            self.error(node, f"'{what}' must not be empty")
            return None
        if markdown and (why := markup_problem(value)):
            self.error(node, f"'{what}': {why}")
            return None
        return Text(value.strip(), node.start_mark.line + 1, markdown)

    def choice(self, node: yaml.Node, what: str, allowed: tuple[str, ...]) -> str | None:
        """One of a fixed set of words (a callout's kind, a chart's type), or None."""
        value = self.scalar(node, what.split()[0].strip("'"))
        if value is not None and value not in allowed:
            self.error(node, f"{what} must be one of {', '.join(allowed)} (got {excerpt(value)})")
            return None
        return value

    def sequence(self, node: yaml.Node | None, what: str, allow_empty: bool = False
                 ) -> list[yaml.Node]:
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"'{what}' must be a list")
            return []
        if not node.value and not allow_empty:
            self.error(node, f"'{what}' must not be empty")
        return list(node.value)

    def date(self, node: yaml.Node | None, what: str) -> dt.date | None:
        if node is None:
            return None
        value = self.scalar(node, what)
        if value is None:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            self.error(node, f"'{what}' must be an ISO date such as 2025-06-17 "
                             f"(got {excerpt(value)})")
            return None


def _kind(node: yaml.ScalarNode) -> str:
    return {"tag:yaml.org,2002:int": "a number", "tag:yaml.org,2002:float": "a number",
            "tag:yaml.org,2002:bool": "a boolean",
            "tag:yaml.org,2002:timestamp": "a date"}.get(node.tag, "a value")


def load_brief(file: Path, display: str, root: Path) -> Brief:
    """Parse and validate one brief.yaml; raise ProjectError listing every problem."""
    source = read_text(file, root, display, "brief")
    root_node = compose(source, display)
    problems = Problems()
    if root_node is None:
        raise ProjectError(Problem(display, "the file is empty"))
    reader = _Reader(display, problems)
    reader.folder, reader.root = file.parent, root
    fields = reader.mapping(
        root_node, "brief",
        required=("id", "lang", "title", "date", "author", "publisher", "summary",
                  "key_points", "sections"),
        optional=("subtitle", "countries", "sources", "max_pages", "languages", "notes",
                  "key_figures", "layout"))
    if fields is None:
        problems.raise_if_any()
    brief = _build_brief(reader, fields, file, display)
    problems.raise_if_any()
    assert brief is not None
    digest = hashlib.sha256(source.encode("utf-8"))
    for figure in brief.figures():   # a changed image or CSV rebuilds the documents
        if isinstance(figure, Chart):
            digest.update(f"\0csv\0{figure.digest}".encode())
            continue
        for tag, figure_file in sorted(figure.files.items()):
            digest.update(f"\0{tag}\0{figure_file.digest}".encode())
    return replace(brief, digest=digest.hexdigest())


def _build_brief(r: _Reader, f: dict[str, yaml.Node], file: Path, display: str) -> Brief | None:
    brief_id = r.scalar(f["id"], "id") if "id" in f else None
    if brief_id is not None:
        if not SLUG.fullmatch(brief_id):
            r.error(f["id"], f"'id' must be a slug of a-z, 0-9 and '-' "
                             f"(got {excerpt(brief_id)})")
        elif brief_id != file.parent.name:
            r.error(f["id"], f"'id' is {excerpt(brief_id)} but the brief's folder is "
                             f"'{file.parent.name}'; they must be the same")
    lang = None
    if "lang" in f and (tag := r.scalar(f["lang"], "lang")) is not None:
        try:
            lang = parse_language(tag)
        except ValueError as exc:
            r.error(f["lang"], f"'lang': {exc}")
    countries = []
    for node in r.sequence(f.get("countries"), "countries"):
        code = r.scalar(node, "countries")
        if code is not None and not COUNTRY.fullmatch(code):
            r.error(node, f"'countries': {excerpt(code)} is not an ISO 3166 alpha-2 code "
                          f"such as 'KZ'")
        elif code is not None:
            countries.append(code)
    publisher = r.scalar(f["publisher"], "publisher") if "publisher" in f else None
    max_pages = None
    if "max_pages" in f:
        node = f["max_pages"]
        value = node.value if isinstance(node, yaml.ScalarNode) else ""
        if node.tag != "tag:yaml.org,2002:int" or not re.fullmatch(r"[0-9]{1,6}", value) \
                or int(value) < 1:
            r.error(node, f"'max_pages' must be a whole number of pages "
                          f"(got {excerpt(value)})")
        else:
            max_pages = int(value)
    brief = dict(
        max_pages=max_pages,
        max_pages_line=f["max_pages"].start_mark.line + 1 if "max_pages" in f else None,
        id=brief_id, path=display, lang=lang,
        title=r.text(f.get("title"), "title"),
        subtitle=r.text(f.get("subtitle"), "subtitle"),
        date=r.date(f.get("date"), "date"),
        author=r.text(f.get("author"), "author"),
        publisher=publisher,
        summary=r.text(f.get("summary"), "summary"),
        key_points=tuple(filter(None, (r.text(n, "key_points", markdown=True)
                                       for n in r.sequence(f.get("key_points"), "key_points")))),
        countries=tuple(countries),
        sections=tuple(filter(None, (
            _section(r, n, i)
            for i, n in enumerate(r.sequence(f.get("sections"), "sections"), 1)))),
        sources=tuple(filter(None, (
            _source(r, n) for n in r.sequence(f.get("sources"), "sources", allow_empty=True)))),
    )
    languages = None
    if "languages" in f:
        languages = []
        for node in r.sequence(f["languages"], "languages"):
            tag = r.scalar(node, "languages")
            if tag is None:
                continue
            try:
                languages.append(parse_language(tag).tag)
            except ValueError as exc:
                r.error(node, f"'languages': {exc}")
        brief["languages"] = tuple(languages)
        brief["languages_line"] = f["languages"].start_mark.line + 1
    brief["notes"] = _notes(r, f.get("notes"))
    brief["key_figures"] = read_key_figures(r, f.get("key_figures"))
    if "layout" in f:
        brief["layout"] = r.choice(f["layout"], "'layout'", LAYOUTS)
        brief["layout_line"] = f["layout"].start_mark.line + 1
    _check_ids(r, brief["sections"])
    if r.problems.items:
        return None
    result = Brief(**brief)
    _check_references(r, result)
    return None if r.problems.items else result


def _notes(r: _Reader, node: yaml.Node | None) -> dict[str, Text]:
    """The brief's footnotes: ``notes: {fn-id: text}``."""
    if node is None:
        return {}
    if not isinstance(node, yaml.MappingNode):
        r.error(node, "'notes' must be a mapping of note ids to their text")
        return {}
    notes = {}
    for key, value in node.value:
        note_id = r.scalar(key, "note id")
        if note_id is None:
            continue
        if not NOTE_KEY.fullmatch(note_id):
            r.error(key, f"a note id must be letters, digits, '-' and '_' (got {excerpt(note_id)})")
        elif note_id in notes:
            r.error(key, f"note '{note_id}' is given twice")
        elif (text := r.text(value, f"note {note_id}", markdown=True)) is not None:
            if any(kind == "footnote" for kind, _ in references_in(text.value)):
                r.error(value, f"note '{note_id}' refers to a footnote; notes cannot")
            notes[note_id] = text
    return notes


def _check_references(r: _Reader, brief: Brief) -> None:
    """Every footnote, citation and cross-reference of the source text names something;
    every note and source is used (a warning)."""
    from .references import numbered, unknown_target

    targets = numbered(brief)
    keys = {source.key for source in brief.sources if source.key}
    used: set[tuple[str, str]] = set()
    for text in brief.texts():
        if not text.markdown:
            continue
        for tag in span_languages(text.value):
            try:
                parse_language(tag)
            except ValueError as exc:
                r.problems.add(r.path, f"a span marked {{lang={tag}}}: {exc}", text.line)
        for kind, name in references_in(text.value):
            used.add((kind, name))
            if kind == "footnote" and name not in brief.notes:
                r.problems.add(r.path, f"footnote [^{name}] is not among the brief's notes",
                               text.line)
            elif kind == "citation" and name not in keys:
                r.problems.add(r.path, f"citation [@{name}] names no source of the brief "
                                       f"(known keys: {', '.join(sorted(keys)) or 'none'})",
                               text.line)
            elif kind == "cross-reference" and name not in targets:
                r.problems.add(r.path, unknown_target(name), text.line)
    for note_id, text in brief.notes.items():
        if ("footnote", note_id) not in used:
            LOG.warning("%s:%d: note '%s' is never referred to ([^%s])", r.path, text.line,
                        note_id, note_id)
    for source in brief.sources:
        if source.key and ("citation", source.key) not in used:
            LOG.warning("%s:%d: source '%s' is never cited ([@%s])", r.path, source.line,
                        source.key, source.key)


def _check_ids(r: _Reader, sections: tuple[Section, ...]) -> None:
    """Every id of a brief names one thing."""
    seen: dict[str, int] = {}
    for section in sections:
        found = [(section.anchor, section.heading.line)]
        for part in (section, *section.subsections):
            if part is not section:
                found.append((part.anchor, part.heading.line))
            found += [anchor for block in part.blocks if (anchor := block_anchor(block))]
        for anchor, line in found:
            if anchor in seen:
                r.problems.add(r.path, f"id '{anchor}' is given twice (first on line "
                                       f"{seen[anchor]})", line)
            else:
                seen[anchor] = line


def _section(r: _Reader, node: yaml.Node, number: int) -> Section | None:
    f = r.mapping(node, f"section {number}", required=("heading", "blocks"),
                  optional=("id", "subsections"))
    if f is None:
        return None
    blocks = tuple(filter(None, (read_block(r, b) for b in r.sequence(f.get("blocks"), "blocks"))))
    subsections = tuple(filter(None, (
        _subsection(r, n, f"s{number}-{index}")
        for index, n in enumerate(r.sequence(f.get("subsections"), "subsections"), 1))))
    heading = r.text(f.get("heading"), "heading")
    anchor = read_anchor(r, f.get("id"), "section") or f"s{number}"
    return Section(heading, blocks, anchor, subsections) if heading else None


def _subsection(r: _Reader, node: yaml.Node, default_anchor: str) -> Subsection | None:
    f = r.mapping(node, "subsection", required=("heading", "blocks"), optional=("id",))
    if f is None:
        return None
    blocks = tuple(filter(None, (read_block(r, b) for b in r.sequence(f.get("blocks"), "blocks"))))
    heading = r.text(f.get("heading"), "heading")
    anchor = read_anchor(r, f.get("id"), "section") or default_anchor
    return Subsection(heading, blocks, anchor) if heading else None


def _source(r: _Reader, node: yaml.Node) -> Source | None:
    f = r.mapping(node, "source", required=("title",),
                  optional=("publisher", "url", "date", "lang", "key", "title_original"))
    if f is None:
        return None
    url = r.scalar(f["url"], "url") if "url" in f else None
    if url is not None and not re.match(r"https?://[^\s/]+", url):
        r.error(f["url"], f"'url' must be an http(s) address (got {excerpt(url)})")
    title = r.scalar(f["title"], "title") if "title" in f else None
    publisher = r.scalar(f["publisher"], "publisher") if "publisher" in f else None
    lang = r.scalar(f["lang"], "lang") if "lang" in f else None
    if lang is not None:
        try:
            parse_language(lang)
        except ValueError as exc:
            r.error(f["lang"], f"'lang': {exc}")
    key = r.scalar(f["key"], "key") if "key" in f else None
    if key is not None and not NOTE_KEY.fullmatch(key):
        r.error(f["key"], f"'key' must be letters, digits, '-' and '_' (got {excerpt(key)})")
    original = r.scalar(f["title_original"], "title_original") if "title_original" in f else None
    title_text = r.text(f["title"], "title") if original is not None else None
    return Source(title or "", publisher, url, r.date(f.get("date"), "date"), lang,
                  node.start_mark.line + 1, key, original, title_text)


def load_briefs(content_dir: Path, root: Path) -> list[Brief]:
    """Load every brief under content/, reporting the problems of all of them at once."""
    problems = Problems()
    briefs = []
    for file in sorted(content_dir.glob("*/brief.yaml")):
        display = file.relative_to(root).as_posix()
        try:
            briefs.append(load_brief(file, display, root))
        except ProjectError as exc:
            problems.extend(exc)
    problems.raise_if_any()
    return briefs
