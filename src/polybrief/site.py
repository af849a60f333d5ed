"""The publishable site around the briefs: indexes, Atom feeds and the sitemap.

``dist/`` goes onto any static web server as it is:

- ``index.html`` links every language's index and lists every brief × language;
- ``<lang>/index.html`` lists that language's briefs, newest first;
- with ``base_url``: ``<lang>/feed.xml`` (Atom, the PDF as enclosure) and
  ``sitemap.xml`` (every page and PDF with its ``xhtml:link`` hreflang alternates).

Every link between pages is relative and names its file (``ja/index.html``, never
``ja/``), so the site works from a sub-path and from ``file://``. Only feeds and the
sitemap hold absolute URLs, as their formats require.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from gettext import NullTranslations
from typing import TYPE_CHECKING

from markupsafe import Markup

from .i18n import UI_DOMAIN, Formatter, Language, parse_language
from .output import Output
from .render import lang_namespace, language_css
from .theme import theme_view

if TYPE_CHECKING:
    from .config import Config
    from .content import Brief
    from .project import Project
    from .staging import Staging

ATOM = "http://www.w3.org/2005/Atom"
SITEMAP = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML = "http://www.w3.org/1999/xhtml"
FEED = "feed.xml"
INDEX = "index.html"


@dataclass(frozen=True)
class Entry:
    """One brief in one language, as the manifest has it: its page, its PDF or both."""

    brief: str
    language: Language
    title: str
    date: dt.date
    summary: str
    author: str
    coverage: float
    html: Output | None
    pdf: Output | None
    title_lang: str | None = None     # set when the title is the source's, untranslated
    summary_lang: str | None = None


def site_files(project: Project, outputs: list[Output]) -> dict[str, bytes | None]:
    """Every site file by its path in the output folder; None for one not to keep."""
    entries = list(_entries(project, outputs))
    # A language has an index (and a feed) once it has a brief in the output folder.
    languages = tuple(lang for lang in project.all_languages()
                      if any(entry.language == lang for entry in entries))
    files: dict[str, bytes | None] = {
        INDEX: _root_index(project, entries, languages).encode("utf-8")}
    for language in languages:
        files[f"{language.tag}/{INDEX}"] = _language_index(
            project, language, entries, languages).encode("utf-8")
    base = project.config.base_url
    for language in project.all_languages():
        own = [entry for entry in entries if entry.language == language]
        files[f"{language.tag}/{FEED}"] = _feed(project, language, own, base) \
            if base and own else None
    defaults = {brief.id: default_language(project.config, brief).tag
                for brief in project.briefs}
    files["sitemap.xml"] = _sitemap(entries, languages, defaults, base) if base else None
    return files


def default_language(config: Config, brief: Brief) -> Language:
    """The language of a brief's page for readers of none of its languages (x-default)."""
    return brief.lang if brief.lang in config.languages else config.languages[0]


def stage_site(staging: Staging, project: Project, outputs: list[Output]) -> None:
    """Put the site files into a build; drop those no longer made (no base_url)."""
    for rel, data in site_files(project, outputs).items():
        if data is None:
            staging.drop(rel)
        else:
            staging.write_if_changed(rel, data)


def _entries(project: Project, outputs: list[Output]) -> Iterator[Entry]:
    """The manifest's outputs paired up by brief and language, in the project's order."""
    by_tag = {lang.tag: lang for lang in project.all_languages()}
    pairs: dict[tuple[str, str], dict[str, Output]] = {}
    for output in outputs:
        if output.lang in by_tag:
            pairs.setdefault((output.brief, output.lang), {})[output.format] = output
    order = {lang.tag: i for i, lang in enumerate(by_tag.values())}
    for (brief, tag), formats in sorted(pairs.items(), key=lambda p: (p[0][0], order[p[0][1]])):
        first = formats.get("html") or formats["pdf"]
        yield Entry(brief, by_tag[tag], first.title or brief,
                    dt.date.fromisoformat(first.date) if first.date else dt.date.min,
                    first.summary or "", first.author or "",
                    1.0 if first.coverage is None else first.coverage,
                    formats.get("html"), formats.get("pdf"), first.title_lang, first.summary_lang)


def _render(project: Project, template: str, language: Language, **context) -> str:
    ui = project.catalog(language, UI_DOMAIN)
    context["site"]["language_css"] = language_css(project.config, project.all_languages())
    return project.renderer.render(template, ui, False, language,
                                   lang=lang_namespace(language), **context)


def _switcher(languages: tuple[Language, ...], current: Language | None, prefix: str
              ) -> list[dict]:
    return [{"tag": lang.tag, "name": lang.native_name, "dir": lang.direction,
             "href": f"{prefix}{lang.tag}/{INDEX}", "current": lang == current}
            for lang in languages]


def _file_view(entry: Entry, formatter: Formatter, prefix: str) -> dict:
    pdf = entry.pdf
    return {"title": entry.title, "summary": entry.summary, "date_iso": entry.date.isoformat(),
            "title_attr": _lang_attr(entry.title_lang, entry.language),
            "summary_attr": _lang_attr(entry.summary_lang, entry.language),
            "date": formatter.date(entry.date) if entry.date != dt.date.min else "",
            "tag": entry.language.tag, "dir": entry.language.direction,
            "name": entry.language.native_name,
            "html": prefix + entry.html.path if entry.html else None,
            "pdf": prefix + pdf.path if pdf else None,
            "pages": (pdf.pages or 0) if pdf else 0,
            "pages_text": formatter.number(pdf.pages or 0) if pdf else "",
            "size": formatter.kilobytes(pdf.bytes) if pdf else "",
            "complete": entry.coverage >= 1.0,
            "percent": formatter.percent_floor(entry.coverage)}


def _lang_attr(tag: str | None, page: Language) -> Markup:
    """lang (and dir, when it differs) for a text shown untranslated, in its source's language."""
    if not tag:
        return Markup("")
    try:
        direction = parse_language(tag).direction
    except ValueError:
        return Markup("")
    if direction != page.direction:
        return Markup(' lang="%s" dir="%s"') % (tag, direction)
    return Markup(' lang="%s"') % tag


def _language_index(project: Project, language: Language, entries: list[Entry],
                    languages: tuple[Language, ...]) -> str:
    """One language's briefs, newest first (then by title), with their draft state."""
    formatter = Formatter(language)
    own = sorted((entry for entry in entries if entry.language == language),
                 key=lambda entry: (-entry.date.toordinal(), entry.title))
    # Files of the language's own folder: the pages sit beside the index.
    briefs = [_file_view(entry, formatter, "../") for entry in own]
    site = {"briefs": briefs, "languages": _switcher(languages, language, "../"),
            "feed": FEED if project.config.base_url else None,
            "canonical": f"{project.config.base_url}{language.tag}/{INDEX}"
            if project.config.base_url else None}
    return _render(project, "language-index.html.j2", language, site=site,
                   theme=_theme(project, language))


def _root_index(project: Project, entries: list[Entry], languages: tuple[Language, ...]
                ) -> str:
    """Every brief × language with its title, date, pages and PDF size; the languages."""
    source = project.config.languages[0]
    briefs: dict[str, dict] = {}
    for entry in entries:
        formatter = Formatter(entry.language)   # a row is in its own language: its numbers too
        brief = briefs.setdefault(entry.brief, {"id": entry.brief, "title": entry.title,
                                                "languages": []})
        if entry.language == source:
            brief["title"] = entry.title
        brief["languages"].append(_file_view(entry, formatter, ""))
    site = {"briefs": list(briefs.values()), "languages": _switcher(languages, None, ""),
            "canonical": f"{project.config.base_url}{INDEX}" if project.config.base_url
            else None}
    return _render(project, "index.html.j2", source, site=site, theme=_theme(project, source))


def _theme(project: Project, language: Language) -> dict:
    ui = project.catalog(language, UI_DOMAIN)
    return theme_view(project.config.theme, language,
                      ui.translations(False) if ui is not None else NullTranslations())


def _timestamp(date: dt.date) -> str:
    """A brief's date as an RFC 3339 instant: its start, in UTC (the same bytes every build)."""
    return f"{date.isoformat()}T00:00:00Z"


def _feed(project: Project, language: Language, entries: list[Entry], base: str) -> bytes:
    """The language's Atom feed (RFC 4287): its briefs, newest first, the PDF as enclosure."""
    ui = project.catalog(language, UI_DOMAIN)
    gettext = ui.translations(False).gettext if ui is not None else (lambda text: text)
    folder = f"{base}{language.tag}/"
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang":
                                          language.tag})
    organisation = project.config.theme.organisation
    title = gettext("Briefs")
    _sub(feed, "id", folder + FEED)
    _sub(feed, "title", f"{organisation}: {title}" if organisation else title)
    dated = [entry.date for entry in entries if entry.date != dt.date.min]
    _sub(feed, "updated", _timestamp(max(dated, default=dt.date(1970, 1, 1))))
    _sub(feed, "link", rel="self", type="application/atom+xml", href=folder + FEED)
    _sub(feed, "link", rel="alternate", type="text/html", hreflang=language.tag,
         href=folder + INDEX)
    _sub(feed, "generator", "polybrief")
    for entry in sorted(entries, key=lambda entry: (-entry.date.toordinal(), entry.title)):
        item = _sub(feed, "entry")
        page = entry.html or entry.pdf
        assert page is not None
        _sub(item, "id", base + page.path)
        _sub(item, "title", entry.title)
        _sub(item, "updated", _timestamp(entry.date))
        _sub(item, "published", _timestamp(entry.date))
        _sub(_sub(item, "author"), "name", entry.author or organisation or "polybrief")
        if entry.html:
            _sub(item, "link", rel="alternate", type="text/html", hreflang=language.tag,
                 href=base + entry.html.path)
        if entry.pdf:
            _sub(item, "link", rel="enclosure" if entry.html else "alternate",
                 type="application/pdf", hreflang=language.tag, length=str(entry.pdf.bytes),
                 href=base + entry.pdf.path)
        if entry.summary:
            _sub(item, "summary", entry.summary)
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _sub(parent: ET.Element, name: str, text: str | None = None, **attributes: str
         ) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{name}", attributes)
    element.text = text
    return element


def _sitemap(entries: list[Entry], languages: tuple[Language, ...], defaults: dict[str, str],
             base: str) -> bytes:
    """Every page and every PDF, each with its other languages as hreflang alternates, and
    for pages the one for readers of none of them (x-default), as the pages name it."""
    ET.register_namespace("", SITEMAP)
    ET.register_namespace("xhtml", XHTML)
    urlset = ET.Element(f"{{{SITEMAP}}}urlset")

    def add(path: str, date: dt.date | None, versions: list[tuple[str, str]]) -> None:
        url = ET.SubElement(urlset, f"{{{SITEMAP}}}url")
        ET.SubElement(url, f"{{{SITEMAP}}}loc").text = base + path
        if date:
            ET.SubElement(url, f"{{{SITEMAP}}}lastmod").text = date.isoformat()
        for tag, other in versions if len(versions) > 1 else ():
            ET.SubElement(url, f"{{{XHTML}}}link", rel="alternate", hreflang=tag,
                          href=base + other)

    dated = [entry.date for entry in entries if entry.date != dt.date.min]
    add(INDEX, max(dated, default=None), [])
    indexes = [(lang.tag, f"{lang.tag}/{INDEX}") for lang in languages] + [("x-default", INDEX)]
    for _tag, path in indexes[:-1]:
        add(path, None, indexes)
    for fmt in ("html", "pdf"):
        by_brief: dict[str, list[tuple[Entry, Output]]] = {}
        for entry in entries:
            if output := getattr(entry, fmt):
                by_brief.setdefault(entry.brief, []).append((entry, output))
        for brief, versions in by_brief.items():
            alternates = [(entry.language.tag, output.path) for entry, output in versions]
            default = [path for tag, path in alternates if tag == defaults.get(brief)]
            if fmt == "html" and default:
                alternates.append(("x-default", default[0]))
            for entry, output in versions:
                add(output.path, entry.date if entry.date != dt.date.min else None, alternates)
    ET.indent(urlset)
    return ET.tostring(urlset, encoding="utf-8", xml_declaration=True) + b"\n"
