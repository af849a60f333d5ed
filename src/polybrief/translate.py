"""The translator's workflow: extract templates, add a language, merge catalogs."""

from __future__ import annotations

import datetime as dt
import inspect
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from . import references
from .config import line_of as config_line
from .errors import Problem, ProjectError
from .files import read_bytes, read_text, write_atomic
from .glossary import load_glossary
from .i18n import (
    UI_DOMAIN,
    Coverage,
    Language,
    Segment,
    build_template,
    catalog_path,
    coverage,
    parse_language,
    serialize_catalog,
)
from .lint import glossary_problems
from .output import read_manifest, source_date_epoch
from .project import Project, document_coverage
from .render import template_files
from .theme import TEXT_KEYS

log = logging.getLogger(__name__)
UI_SOURCE = "en"  # the language of the templates' msgids
TEMPLATE_KEYWORDS = ("_", "gettext", "ngettext")


def template_segments(project: Project) -> list[Segment]:
    """Extract the UI strings of every template, with template file and line."""
    segments = []
    for name, (path, root) in sorted(template_files(project.config).items()):
        if not name.endswith(".j2") or "/" in name:
            continue
        display = f"templates/{name}"
        handle = io.BytesIO(read_bytes(path, root, display, "template"))
        for line, func, message, _comments in babel_extract(
                handle, TEMPLATE_KEYWORDS, [], {"extensions": "jinja2.ext.i18n"}):
            strings = [m for m in (message if isinstance(message, tuple) else (message,))
                       if isinstance(m, str)]
            if not strings:
                continue
            plural = strings[1] if func == "ngettext" and len(strings) > 1 else None
            segments.append(Segment(strings[0], display, line, plural=plural))
    # Labels the package writes into text: "Table 2" for @tbl-… (references.py).
    source = inspect.getsourcelines(references)
    def line_of(message: str) -> int:
        return next(i for i, text in enumerate(source[0], source[1]) if f'"{message}"' in text)

    for message in references.UI_MESSAGES:
        segments.append(Segment(message, "polybrief/references.py", line_of(message)))
    for singular, plural in references.UI_PLURALS:
        segments.append(Segment(singular, "polybrief/references.py", line_of(plural),
                                plural=plural, context=references.IN_TEXT))
    # The theme's words readers see: the organisation, its licence and colophon.
    config = read_text(project.root / "pyproject.toml", project.root, "pyproject.toml",
                       "config")
    for key in TEXT_KEYS:
        value = getattr(project.config.theme, key)
        if value:
            segments.append(Segment(value, "pyproject.toml", config_line(config, key) or 0,
                                    comment=f"theme.{key}"))
    return segments


@dataclass(frozen=True)
class Template:
    """A POT template: its domain, where it lives, and its messages."""

    domain: str
    path: Path
    catalog: Catalog

    def render(self, created: dt.datetime) -> bytes:
        self.catalog.creation_date = created
        return serialize_catalog(self.catalog)


def templates(project: Project) -> list[Template]:
    """Make the POT template of the UI strings and of every brief."""
    locales = project.config.locales_dir
    glossary = load_glossary(project.root)
    result = [Template(UI_DOMAIN, locales / f"{UI_DOMAIN}.pot",
                       build_template(UI_DOMAIN, template_segments(project)))]
    for brief in project.briefs:
        catalog = build_template(brief.id, brief.segments())
        for message in catalog:   # the glossary's terms, for the translator
            if message.id and (comment := glossary.comment(message.id)):
                message.auto_comments.append(comment)
        result.append(Template(brief.id, locales / f"{brief.id}.pot", catalog))
    return result


def extract_templates(project: Project) -> list[Path]:
    """Write the POT files whose messages changed; return the paths written.

    An unchanged template keeps its bytes, creation date included, so that
    extracting twice never shows up in version control.
    """
    written = []
    for template in templates(project):
        if template.path.exists() or template.path.is_symlink():
            old = read_bytes(template.path, project.root,
                             template.path.relative_to(project.root).as_posix(), "catalog")
            previous = read_po(io.BytesIO(old)).creation_date
            if template.render(previous) == old:
                continue
        write_atomic(template.path, template.render(now()))
        written.append(template.path)
    return written


def now() -> dt.datetime:
    """The time stamped on changed templates: SOURCE_DATE_EPOCH when set."""
    return source_date_epoch() or dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


def _domains_for(project: Project, language: Language) -> list[Template]:
    """The templates a language needs a catalog of: UI strings, and briefs in other languages."""
    source = {brief.id: brief.lang for brief in project.briefs}
    source[UI_DOMAIN] = parse_language(UI_SOURCE)
    # A brief that lists its own languages has no catalog in the others.
    elsewhere = {brief.id for brief in project.briefs
                 if brief.languages is not None and language.tag not in brief.languages}
    return [t for t in templates(project)
            if source.get(t.domain) != language and t.domain not in elsewhere]


def init_language(project: Project, tag: str) -> tuple[list[Path], bool]:
    """Create empty catalogs for a new language and add it to the configuration.

    Return the catalogs written and whether pyproject.toml was updated.
    """
    try:
        language = parse_language(tag)
    except ValueError as exc:
        raise ProjectError(Problem("init", str(exc))) from None
    extract_templates(project)
    written = []
    for template in _domains_for(project, language):
        path = catalog_path(project.config.locales_dir, language, template.domain)
        if path.exists():
            log.info("%s exists; left as it is", path.relative_to(project.root))
            continue
        catalog = new_catalog(template.catalog, language)
        write_atomic(path, serialize_catalog(catalog))
        written.append(path)
    configured = language in project.config.languages or add_language_to_config(
        project.root / "pyproject.toml", tag)
    return written, configured


def new_catalog(template: Catalog, language: Language) -> Catalog:
    """An empty catalog for one language with headers from CLDR (Language, Plural-Forms)."""
    catalog = Catalog(locale=language.locale, domain=template.domain,
                      project=template.project, version=template.version,
                      creation_date=template.creation_date, revision_date=now(),
                      language_team=f"{language.babel.english_name} <>",
                      charset="utf-8", fuzzy=False,
                      header_comment=f"# {language.babel.english_name} translations of the "
                                     f"'{template.domain}' domain.\n#")
    for message in template:
        if message.id:
            catalog.add(message.id, None, locations=message.locations, flags=message.flags,
                        auto_comments=message.auto_comments, context=message.context)
    return catalog


def add_language_to_config(pyproject: Path, tag: str) -> bool:
    """Append a tag to ``languages = [...]`` in [tool.polybrief]; False if it cannot."""
    text = read_text(pyproject, pyproject.parent, pyproject.name, "config")
    table = re.search(r"^\[tool\.polybrief\]\s*$", text, re.MULTILINE)
    if not table:
        return False
    pattern = re.compile(r"^(languages\s*=\s*\[)([^\]]*)(\])", re.MULTILINE)
    match = pattern.search(text, table.end())
    if not match or "\n[" in text[table.end():match.start()]:
        return False
    items = match[2].rstrip()
    joined = f'{items}, "{tag}"' if items.strip() else f'"{tag}"'
    updated = text[:match.start()] + match[1] + joined + match[3] + text[match.end():]
    write_atomic(pyproject, updated.encode("utf-8"))
    return True


def update_catalogs(project: Project) -> tuple[list[Path], list[Path]]:
    """Extract, then merge every catalog with its template; return the files that
    changed and the catalogs created.

    New segments arrive empty; changed ones keep their old translation as fuzzy with
    the previous msgid; removed ones become obsolete. Unchanged files keep their bytes.
    A brief added since a language was set up gets its empty catalog in that language.
    """
    extract_templates(project)
    changed, created = [], []
    for language in project.config.languages:
        for template in _domains_for(project, language):
            path = catalog_path(project.config.locales_dir, language, template.domain)
            existing = project.catalog(language, template.domain)
            if existing is None:
                write_atomic(path, serialize_catalog(new_catalog(template.catalog, language)))
                created.append(path)
                continue
            old = read_bytes(path, project.root, existing.display, "catalog")
            catalog = existing.catalog
            previous = {m.id: m.previous_id for m in catalog if m.fuzzy and m.previous_id}
            catalog.update(template.catalog, update_creation_date=False)
            for message in catalog:
                # Babel forgets what a still-fuzzy entry was made from; keep showing it.
                if message.fuzzy and not message.previous_id and message.id in previous:
                    message.previous_id = previous[message.id]
            data = serialize_catalog(catalog)
            if data != old:
                write_atomic(path, data)
                changed.append(path)
    return changed, created


@dataclass(frozen=True)
class StatusRow:
    """Translation state of one domain in one language."""

    domain: str
    lang: str
    coverage: Coverage
    source: bool
    pages: int | None
    glossary: int = 0            # translations the glossary finds fault with

    def as_dict(self) -> dict:
        c = self.coverage
        return {"domain": self.domain, "lang": self.lang, "source": self.source,
                "translated": c.translated, "fuzzy": c.fuzzy, "untranslated": c.untranslated,
                "obsolete": c.obsolete, "segments": c.total,
                "percent": round(c.ratio * 100, 1), "words_percent": round(c.word_ratio * 100, 1),
                "pages": self.pages, "glossary": self.glossary}


def status(project: Project) -> list[StatusRow]:
    """Coverage of every brief and of the UI strings, per configured language."""
    pages = {(o.brief, o.lang): o.pages for o in read_manifest(project.config.out_dir)
             if o.format == "pdf"}
    ui_ids = [segment.text for segment in template_segments(project)]
    ui_source = parse_language(UI_SOURCE)
    glossary = load_glossary(project.root)
    rows = []
    for brief in project.briefs:
        for language in project.languages_of(brief):
            catalog = project.catalog(language, brief.id)
            faults = len(glossary_problems(glossary, catalog.catalog, language.tag)) \
                if catalog is not None and glossary.terms else 0
            rows.append(StatusRow(brief.id, language.tag,
                                  document_coverage(project, brief, language),
                                  language == brief.lang, pages.get((brief.id, language.tag)),
                                  faults))
    for language in project.config.languages:
        is_source = language == ui_source
        rows.append(StatusRow(UI_DOMAIN, language.tag,
                              coverage(ui_ids, project.catalog(language, UI_DOMAIN),
                                       source=is_source), is_source, None))
    return rows


@dataclass(frozen=True)
class FigureUse:
    """Which languages of a brief show a figure's own file for them, and which its shared one."""

    brief: str
    src: str                     # the shared file, as messages name it
    own: tuple[str, ...]         # languages with a file of their own
    shared: tuple[str, ...]      # languages that show the shared file


def figure_use(project: Project) -> list[FigureUse]:
    from .figures import Figure

    uses = []
    for brief in project.briefs:
        languages = [language.tag for language in project.languages_of(brief)]
        for figure in brief.figures():
            if not isinstance(figure, Figure):
                continue
            own = tuple(tag for tag in languages if tag in figure.files)
            uses.append(FigureUse(brief.id, figure.files[""].display, own,
                                  tuple(tag for tag in languages if tag not in own)))
    return uses
