"""Rendering: the Jinja environment, Markdown, and the per-language template context."""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from gettext import NullTranslations
from pathlib import Path

import budoux
import jinja2
import pyphen
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from . import numerals
from .blocks import localize_block
from .config import Config
from .content import Brief, Text
from .errors import Problem, ProjectError
from .files import control_problems, plain_relative, read_bytes, read_text
from .fonts import FontStack
from .i18n import Formatter, Language, MessageCatalog
from .keyfigures import localize_key_figures
from .markdown import MAX_MARKUP, RUBY, markup_problem, render_inline, strip_inline
from .pdf import TextRun
from .references import References, UnknownReference
from .typography import CJK_SCRIPTS, typeset, typeset_html, url_breaks

SPACED_SCRIPTS = ("Latn", "Cyrl", "Grek")
MAX_PHRASED = 1000  # characters of a title or heading, which are set phrase by phrase
UNSLANTED_SCRIPTS = ("Arab", "Hebr", "Syrc", "Thaa", "Nkoo")  # emphasis is bold, not italic
UNJUSTIFIED_SCRIPTS = ("Thai",)  # justification would stretch only the rare spaces
HEADING_TAGS = ("h1", "h2", "h3", "h4", "th", "caption", ".sans")


# --- Line breaking and bidi: what WeasyPrint's CSS cannot say --------------------------

PHRASE_PARSERS = {"ja": budoux.load_default_japanese_parser,
                  "zh-Hans": budoux.load_default_simplified_chinese_parser,
                  "zh-Hant": budoux.load_default_traditional_chinese_parser,
                  "th": budoux.load_default_thai_parser}
TAG = re.compile(r"(<[^>]*>|&#?\w+;)")
_LTR_WORD = r"[A-Za-z0-9](?:[\w.,:;/@&%+\-–#?=~]*[A-Za-z0-9/%])?"
LTR_RUN = re.compile(rf"{_LTR_WORD}(?:[ \u00a0]+{_LTR_WORD})*", re.ASCII)


@functools.cache
def _phrase_parser(tag: str):
    loader = PHRASE_PARSERS.get(tag) or PHRASE_PARSERS.get(tag.split("-")[0])
    return loader() if loader else None


def _map_text(html: str, transform: Callable[[str], str]) -> Markup:
    """Apply a transformation to the text of an escaped HTML fragment, tags and entities aside."""
    parts = TAG.split(html)
    inside_ruby = False
    for i, part in enumerate(parts):
        if i % 2:  # a tag or a character reference: left as it is
            if part.startswith("<"):
                inside_ruby = part.startswith("<ruby") or (inside_ruby and part != "</ruby>")
        elif part and not inside_ruby:
            parts[i] = transform(part)
    return Markup("".join(parts))


# Where a long Japanese phrase may still break: between kanji and katakana words
# (中央アジア|協力|メカニズムの) and after a nakaguro (中国・|中央アジア).
LONG_PHRASE = 8
WORD_SEAM = re.compile(r"(?<=[\u4e00-\u9fff々])(?=[\u30a1-\u30fa])"
                       r"|(?<=[\u30a1-\u30fa\u30fc])(?=[\u4e00-\u9fff])|(?<=・)(?=\S)")


def _split_long_phrase(chunk: str) -> list[str]:
    """A BudouX phrase too long for a narrow line, cut at the seams between its words."""
    if len(chunk) <= LONG_PHRASE:
        return [chunk]
    return [part for part in WORD_SEAM.split(chunk) if part]


def wrap_phrases(html: str, language: Language) -> Markup:
    """Let lines break only between phrases: BudouX for CJK and Thai, words for Korean."""
    if language.babel.language == "ko":
        return _map_text(html, lambda text: re.sub(
            r"(\S+)", r'<span class="phrase">\1</span>', text))
    parser = _phrase_parser(language.tag)
    if parser is None:
        return Markup(html)

    def phrases(text: str) -> str:
        chunks = parser.parse(text)
        if language.babel.language == "ja":
            chunks = [part for chunk in chunks for part in _split_long_phrase(chunk)]
        return "<wbr>".join(f'<span class="phrase">{chunk}</span>' if len(chunk) > 1 else chunk
                            for chunk in chunks)
    return _map_text(html, phrases)


def isolate_ltr(html: str) -> Markup:
    """Isolate Latin words, numbers and URLs inside right-to-left text so they keep order."""
    return _map_text(html, lambda text: LTR_RUN.sub(lambda m: f"<bdi>{m[0]}</bdi>", text))


@dataclass(frozen=True)
class Localized:
    """A content string in the document's language, or its source when untranslated."""

    plain: str
    html: Markup
    fallback_lang: str | None = None
    label: str = ""  # the plain text as set on the page, for labels CSS draws from attributes
    fallback_dir: str | None = None   # the source's direction, when it is not the page's

    @property
    def lang_attr(self) -> Markup:
        """Attributes for the element holding the text: the source's lang when it fell back
        (and its direction: English shown in an Arabic page keeps its full stop at the end)."""
        if not self.fallback_lang:
            return Markup("")
        if self.fallback_dir:
            return Markup(' lang="%s" dir="%s" data-fallback') % (self.fallback_lang,
                                                                   self.fallback_dir)
        return Markup(' lang="%s" data-fallback') % self.fallback_lang

    def __html__(self) -> str:
        if not self.fallback_lang:
            return self.html
        return Markup('<span%s>%s</span>') % (self.lang_attr, self.html)

    def __str__(self) -> str:
        return self.plain


@dataclass
class ContentTranslator:
    """Translates a brief's strings through its catalog, counting what fell back."""

    brief: Brief
    language: Language
    catalog: MessageCatalog | None
    use_fuzzy: bool = False
    total: int = 0
    fallbacks: int = 0
    runs: list[TextRun] = field(default_factory=list)
    references: References | None = None
    families: tuple[str, ...] = ()       # the language's sans-serif fonts, for charts

    def __call__(self, text: Text | None, phrases: bool = False) -> Localized | None:
        if text is None:
            return None
        self.total += 1
        value, fallback = text.value, None
        if self.language != self.brief.lang:
            found = (self.catalog.lookup(text.value, self.use_fuzzy, text.context)
                     if self.catalog else None)
            if found is None:
                self.fallbacks += 1
                fallback = self.brief.lang.tag
            else:
                value = found
        translated = fallback is None and self.language != self.brief.lang
        if translated and text.markdown and (why := markup_problem(value)):
            raise self._problem(text, translated, why)
        if phrases and len(value) > MAX_PHRASED:
            # BudouX makes each phrase an inline box; see markdown.MAX_MARKUP.
            raise self._problem(text, translated, f"a title or heading of {len(value):,} "
                                                  f"characters; at most {MAX_PHRASED:,}")
        shown_in = self.brief.lang if fallback else self.language
        try:
            rendered = render_inline(value, self.references) if text.markdown \
                else Markup(escape(value))
        except UnknownReference as exc:
            raise self._problem(text, translated, str(exc)) from None
        html = _map_text(rendered, lambda run: typeset_html(run, shown_in))
        plain = strip_inline(value) if text.markdown else value  # metadata: as written
        self.runs.append(TextRun(plain + "".join(m[2] for m in RUBY.finditer(value)), shown_in,
                                 *self._where(text, translated)))
        if phrases or (shown_in.babel.language == "ko" and value.count(" ") < MAX_MARKUP):
            html = wrap_phrases(html, shown_in)
        if shown_in.direction == "rtl":
            html = isolate_ltr(html)
        direction = shown_in.direction if fallback and \
            shown_in.direction != self.language.direction else None
        return Localized(plain, html, fallback, typeset(plain, shown_in), direction)

    def _where(self, text: Text, translated: bool) -> tuple[str, int | None]:
        """Where a string shown comes from: its catalog entry when it is a translation."""
        if translated:
            return self.catalog.display, self.catalog.catalog.get(text.value,
                                                                  text.context).lineno
        return text.path or self.brief.path, text.line

    def _problem(self, text: Text, translated: bool, message: str) -> ProjectError:
        """A problem of a string, located in the catalog when it is a translation."""
        path, line = self._where(text, translated)
        return ProjectError(Problem(path, message, line))


@dataclass(frozen=True)
class UiText:
    """A language's UI catalog as the labels written into the text use it."""

    gettext: Callable[..., str]                    # (message, **variables)
    ngettext: Callable[..., str]                   # (singular, plural, n, context=, **v)
    translates: Callable[[str, str | None], bool]  # has a translation (in that context)
    source: bool = False                           # no catalog: the messages as written


def source_ui_text() -> UiText:
    """The UI messages as written (English), for a language without a UI catalog."""
    return UiText(lambda message, **v: message % v,
                  lambda singular, plural, n, context=None, **v: (
                      singular if n == 1 else plural) % {"num": n, **v},
                  lambda message, context=None: False, source=True)


def localize(brief: Brief, language: Language, catalog: MessageCatalog | None,
             use_fuzzy: bool, ui: UiText | None = None,
             families: tuple[str, ...] = ()) -> tuple[dict, ContentTranslator]:
    """Build the ``brief`` namespace of the template context for one language.

    Strings are translated in reading order, so that notes and sources are numbered in
    the order the document first refers to them.
    """
    t = ContentTranslator(brief, language, catalog, use_fuzzy, families=families)
    t.references = References(brief, ui or source_ui_text(), language.babel,
                              lambda note: t(brief.notes[note]).html)
    fmt = Formatter(language)
    view = {
        "id": brief.id,
        "source_lang": brief.lang.tag,
        "title": t(brief.title, phrases=True),
        "subtitle": t(brief.subtitle, phrases=True),
        "author": t(brief.author),
        "publisher": brief.publisher,
        "summary": t(brief.summary),
        "key_points": [t(p) for p in brief.key_points],
        "key_figures": localize_key_figures(brief.key_figures, t, fmt),
    }
    sections = []
    for section in brief.sections:
        sections.append({
            "heading": t(section.heading, phrases=True), "anchor": section.anchor,
            "blocks": [localize_block(block, t, fmt) for block in section.blocks],
            "subsections": [{"heading": t(sub.heading, phrases=True), "anchor": sub.anchor,
                             "blocks": [localize_block(block, t, fmt) for block in sub.blocks]}
                            for sub in section.subsections]})
    for kinds in (("table",), ("figure", "chart"), ("callout",)):   # numbered per document
        found = [block for section in sections for part in (section, *section["subsections"])
                 for block in part["blocks"] if block["kind"] in kinds]
        for number, block in enumerate(found, 1):
            block["number"] = numerals.localize(str(number), language.babel)
    countries = [fmt.country(code) for code in brief.countries]
    references = t.references
    view.update({
        "date": fmt.date(brief.date),
        "date_iso": brief.date.isoformat(),
        "countries": countries,
        "countries_text": fmt.list(countries),
        "sections": sections,
        "notes": [{"id": note, "number": numerals.localize(str(number), language.babel),
                   "html": references.note_html[note]}
                  for note, number in references.notes.items()],
        "sources": [{"title": s.title_original or s.title, "publisher": s.publisher,
                     "url": s.url, "lang": s.lang,
                     "key": s.key, "translated_title": t(s.title_text),
                     "date": fmt.date(s.date) if s.date else None,
                     "date_iso": s.date.isoformat() if s.date else None}
                    for s in references.sources_in_order()],
    })
    return view, t


def language_css(config: Config, languages: tuple[Language, ...]) -> Markup:
    """CSS per language: its configured fonts for body and headings, and its justification."""
    rules = []
    for language in languages:
        tag = language.tag
        rules.extend(font_rules(config, language))
        if counter := numerals.counter_name(language.babel):
            # Ordered lists numbered in the language's own digits, as its numbers are.
            rules.append(numerals.counter_style(language.babel))
            rules.append(f":lang({tag}) ol {{ list-style-type: {counter}; }}")
            rules.append(f':lang({tag}) .toc ol ol > li::before {{ '
                         f'content: counters(list-item, ".", {counter}) "\\a0\\a0"; }}')
        if language.script in UNSLANTED_SCRIPTS:
            # These scripts have no italics: a synthesized slant is barely visible.
            rules.append(f":lang({tag}) :is(em, i) {{ font-style: normal; "
                         f"font-weight: bold; }}")
        if language.script in UNJUSTIFIED_SCRIPTS or (
                language.script in SPACED_SCRIPTS
                and not pyphen.language_fallback(language.locale)):
            # Justified text without hyphenation opens rivers: set it ragged instead.
            rules.append(f":lang({tag}) p, :lang({tag}) li {{ text-align: start; }}")
    return Markup("\n".join(rules))


def font_sample(config: Config, languages: tuple[Language, ...]) -> str:
    """A page setting each language's name in each of its faces: body, headings, bold, italic."""
    sections = []
    for language in languages:
        name = escape(language.native_name)
        sections.append(f'<section lang="{language.tag}" dir="{language.direction}"><h2>{name}</h2>'
                        f"<p>{name} <strong>{name}</strong> <em>{name}</em></p></section>")
    return (f"<!doctype html><html><head><style>{language_css(config, languages)}</style>"
            f"</head><body>{''.join(sections)}</body></html>")


def font_rules(config: Config, language: Language,
               fallbacks: tuple[FontStack, ...] = ()) -> list[str]:
    """The font-family rules of a language: its stack, then the fallback faces that
    draw characters the stack lacks."""
    stack = config.fonts_for(language)
    if stack is None and not fallbacks:
        return []
    serif = tuple(dict.fromkeys((stack.serif if stack else ()) +
                                tuple(f for face in fallbacks for f in face.serif)))
    sans = tuple(dict.fromkeys((stack.sans if stack else ()) +
                               tuple(f for face in fallbacks for f in face.sans)))
    tag = language.tag
    heading = ", ".join(f"{h}:lang({tag}), {h} :lang({tag})" for h in HEADING_TAGS)
    rules = [f":lang({tag}) {{ font-family: {_families(serif, 'serif')}; }}",
             f"{heading} {{ font-family: {_families(sans, 'sans-serif')}; }}"]
    if language.script in CJK_SCRIPTS:
        # In CJK body text, bold is set in the gothic (sans) face, as printers do.
        rules.append(f":lang({tag}) :is(strong, b, em) {{ "
                     f"font-family: {_families(sans, 'sans-serif')}; }}")
    return rules


def _families(names: tuple[str, ...], generic: str) -> str:
    return ", ".join([f'"{name}"' for name in names] + [generic])


def css_content(template: str, style: str | None = None, target: bool = False,
                **counters: str) -> Markup:
    """Turn a translated label such as 'Page {page} of {pages}' into a CSS content value,
    its counters in the counter style given (the language's digits); with ``target``,
    the counters of the element a link points to (``target-counter``)."""
    if isinstance(template, Markup):
        template = template.unescape()
    parts = []
    for piece in re.split(r"(\{\w+\})", template):
        name = piece[1:-1] if piece.startswith("{") and piece.endswith("}") else None
        if name in counters:
            arguments = ", ".join(filter(None, (counters[name], style)))
            parts.append(f"target-counter(attr(href), {arguments})" if target
                         else f"counter({arguments})")
        elif piece:
            parts.append(css_string(piece))
    return Markup(" ".join(parts) or '""')


def css_string(text: str) -> str:
    """Serialize text as a CSS string (CSSOM's rules), safe inside a <style> element too.

    Quotes and backslashes are escaped; line feeds, carriage returns, form feeds, every
    other control and '<', '>', '&' become hexadecimal escapes.
    """
    out = []
    for char in text:
        code = ord(char)
        if code == 0:
            out.append("\ufffd")
        elif code < 0x20 or 0x7f <= code <= 0x9f or char in "<>&":
            out.append(f"\\{code:x} ")
        elif char in '"\\':
            out.append("\\" + char)
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


# The templates and styles that ship with polybrief; a project's templates/ overrides
# any of them by file name.
DEFAULT_TEMPLATES = Path(os.path.realpath(Path(__file__).parent / "templates"))


def template_files(config: Config) -> dict[str, tuple[Path, Path]]:
    """Every template a project renders with, by name: its file and the folder it is
    read from (the project's own, else polybrief's default)."""
    found = {path.name: (path, DEFAULT_TEMPLATES)
             for path in sorted(DEFAULT_TEMPLATES.iterdir()) if path.is_file()}
    if config.templates_dir.is_dir():
        for path in sorted(config.templates_dir.rglob("*")):
            if path.is_file() or path.is_symlink():
                rel = path.relative_to(config.templates_dir).as_posix()
                found[rel] = (path, config.root)
    return found


class ProjectLoader(jinja2.BaseLoader):
    """Loads templates from the project's templates/ by the rules of every project file,
    and those it does not have from polybrief's defaults."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def get_source(self, environment: jinja2.Environment, template: str):
        if plain_relative(template) is None:
            raise jinja2.TemplateNotFound(template)
        path, root = self.config.templates_dir / template, self.config.root
        if not path.exists() and not path.is_symlink():
            path, root = DEFAULT_TEMPLATES / template, DEFAULT_TEMPLATES
            if not path.is_file():
                raise jinja2.TemplateNotFound(template)
        text = read_text(path, root, f"templates/{template}", "template")
        if problems := control_problems(text, f"templates/{template}"):
            raise ProjectError(problems)
        return text, str(path), lambda: False


class Renderer:
    """Owns the Jinja environment; renders briefs and the index to HTML strings."""

    def __init__(self, config: Config) -> None:
        self.config = config
        # Sandboxed: a template reaches only what the context hands it, never Python's
        # internals (os, files, subprocesses) through attribute tricks.
        self.env = SandboxedEnvironment(
            loader=ProjectLoader(config),
            autoescape=lambda name: not (name or "").endswith(".css.j2"),
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters["css_content"] = css_content
        self.env.filters["bdi"] = lambda text: Markup("<bdi>%s</bdi>") % text
        self.env.filters["url_breaks"] = url_breaks
        self.templates = {name: self._load(name)
                          for name in ("brief.html.j2", "print.css.j2", "index.html.j2",
                                       "language-index.html.j2")}
        digest = hashlib.sha256()
        for rel, (path, root) in sorted(template_files(config).items()):
            digest.update(rel.encode())
            digest.update(hashlib.sha256(read_bytes(
                path, root, f"templates/{rel}", "template")).digest())
        self.digest = digest.hexdigest()

    def _load(self, name: str) -> jinja2.Template:
        display = f"templates/{name}"
        try:
            return self.env.get_template(name)
        except jinja2.TemplateSyntaxError as exc:
            where = exc.filename or display
            try:
                where = Path(where).resolve().relative_to(self.config.root.resolve()).as_posix()
            except ValueError:
                pass
            raise ProjectError(Problem(where, f"template syntax error: {exc.message}",
                                       exc.lineno)) from None
        except jinja2.TemplateNotFound as exc:
            raise ProjectError(Problem(f"templates/{exc.name}", "template not found")) from None

    @classmethod
    def ui_text(cls, ui: MessageCatalog | None, use_fuzzy: bool,
                language: Language) -> UiText:
        """The UI catalog of one language as labels in the text use it."""
        def translates(message: str, context: str | None = None) -> bool:
            entry = ui.catalog.get(message, context=context) if ui is not None else None
            if entry is None or (entry.fuzzy and not use_fuzzy):
                return False
            return all(entry.string) if isinstance(entry.string, tuple) else bool(entry.string)

        return UiText(cls.gettext(ui, use_fuzzy, language),
                      cls.ngettext(ui, use_fuzzy, language), translates, ui is None)

    @staticmethod
    def gettext(ui: MessageCatalog | None, use_fuzzy: bool,
                language: Language) -> Callable[..., Markup]:
        """The UI catalog's gettext for templates and labels: the catalog's text
        escaped (a translation is untrusted, never markup), integers in the language's
        numbering system."""
        translations = ui.translations(use_fuzzy) if ui is not None else NullTranslations()
        number = Formatter(language).number

        def gettext(message: str, **variables) -> Markup:
            return numerals.interpolate(escape(translations.gettext(message)), variables,
                                        number)
        return gettext

    @staticmethod
    def ngettext(ui: MessageCatalog | None, use_fuzzy: bool,
                 language: Language) -> Callable[..., Markup]:
        translations = ui.translations(use_fuzzy) if ui is not None else NullTranslations()
        number = Formatter(language).number

        def ngettext(singular: str, plural: str, n: int, context: str | None = None,
                     **variables) -> Markup:
            variables.setdefault("num", n)
            text = translations.npgettext(context, singular, plural, n) if context else \
                translations.ngettext(singular, plural, n)
            return numerals.interpolate(escape(text), variables, number)
        return ngettext

    def render(self, name: str, ui: MessageCatalog | None, use_fuzzy: bool,
               language: Language, **context) -> str:
        """Render a template with one language's UI strings installed; integers in them
        are written in the language's numbering system."""
        self.env.install_gettext_callables(self.gettext(ui, use_fuzzy, language),
                                           self.ngettext(ui, use_fuzzy, language),
                                           newstyle=False)
        try:
            return self.templates[name].render(**context)
        except jinja2.TemplateError as exc:
            line = _template_line(exc)
            raise ProjectError(Problem(f"templates/{name}", f"template error: {exc}",
                                       line)) from None


def _template_line(exc: BaseException) -> int | None:
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def lang_namespace(language: Language) -> dict:
    """The ``lang`` namespace of the templates: tag, direction, name, number forms."""
    counter_style = numerals.counter_style(language.babel)
    return {"tag": language.tag, "locale": language.locale, "dir": language.direction,
            "name": language.native_name, "script": language.script,
            "counter_style": Markup(counter_style or ""),
            "counter": numerals.counter_name(language.babel),
            "separator": Formatter(language).separator,
            "full_stop": Formatter(language).full_stop}
