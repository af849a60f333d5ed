"""The build pipeline: load everything into memory, render, then write."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import gc
import hashlib
import logging
import multiprocessing
import multiprocessing.pool
import os
import re
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from gettext import NullTranslations
from html import unescape
from importlib import metadata
from pathlib import Path

from . import __version__
from .config import Config, load_config
from .content import Brief, load_briefs
from .errors import Problem, Problems, ProjectError
from .i18n import (
    UI_DOMAIN,
    Coverage,
    Formatter,
    Language,
    MessageCatalog,
    catalog_path,
    coverage,
    load_catalogs,
    parse_language,
)
from .layouts import layout_of, max_pages_of
from .markdown import span_languages
from .output import (
    CACHE,
    MANIFEST,
    Cache,
    Output,
    check_output_folder,
    manifest_bytes,
    merge_manifest,
    read_manifest,
)
from .pdf import (
    Fallbacks,
    TextRun,
    check_fonts,
    check_glyphs,
    notdef_pages,
    prepare,
    resolve_family,
    write_pdf,
)
from .render import (
    Localized,
    Renderer,
    font_rules,
    font_sample,
    lang_namespace,
    language_css,
    localize,
)
from .site import default_language, stage_site
from .staging import Staging, locked, stage_file
from .theme import theme_view

log = logging.getLogger(__name__)
FORMATS = ("html", "pdf")


@dataclass
class Project:
    """A project loaded and validated: settings, briefs, catalogs and templates."""

    config: Config
    briefs: list[Brief]
    catalogs: dict[tuple[str, str], MessageCatalog]
    renderer: Renderer

    @property
    def root(self) -> Path:
        return self.config.root

    def catalog(self, language: Language, domain: str) -> MessageCatalog | None:
        return self.catalogs.get((language.tag, domain))

    def brief(self, brief_id: str) -> Brief:
        return next(brief for brief in self.briefs if brief.id == brief_id)

    def language(self, tag: str) -> Language:
        return next(lang for lang in self.config.languages if lang.tag == tag)

    def languages_of(self, brief: Brief) -> tuple[Language, ...]:
        """The configured languages a brief is published in: its own ``languages`` if it
        lists them, else all."""
        if brief.languages is None:
            return self.config.languages
        return tuple(lang for lang in self.config.languages if lang.tag in brief.languages)

    def all_languages(self) -> tuple[Language, ...]:
        """Configured languages plus every brief's source language, for fonts and links."""
        languages = list(self.config.languages)
        for brief in self.briefs:
            if brief.lang not in languages:
                languages.append(brief.lang)
        return tuple(languages)


def load_project(root: Path) -> Project:
    """Read config, content, catalogs and templates, reporting every problem at once."""
    config = load_config(root)
    problems = Problems()
    briefs: list[Brief] = []
    catalogs: dict[tuple[str, str], MessageCatalog] = {}
    renderer = None
    try:
        briefs = load_briefs(config.content_dir, root)
    except ProjectError as exc:
        problems.extend(exc)
    if not briefs and not problems.items:
        problems.add("content", "no briefs found (expected content/<brief-id>/brief.yaml)")
    domains = [UI_DOMAIN] + [brief.id for brief in briefs]
    try:
        catalogs = load_catalogs(config.locales_dir, root, config.languages, domains)
    except ProjectError as exc:
        problems.extend(exc)
    try:
        renderer = Renderer(config)
    except ProjectError as exc:
        problems.extend(exc)
    configured = [language.tag for language in config.languages]
    for brief in briefs:
        for tag in brief.languages or ():
            if tag not in configured:
                problems.add(brief.path, f"'languages': '{tag}' is not in [tool.polybrief] "
                                         f"languages (configured: {', '.join(configured)})",
                             brief.languages_line)
    problems.raise_if_any()
    return Project(config, briefs, catalogs, renderer)


@dataclass(frozen=True)
class Selection:
    """Which briefs, languages and formats to build; empty means all."""

    briefs: tuple[str, ...] = ()
    langs: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()

    def resolve(self, project: Project) -> tuple[list[Brief], list[Language], tuple[str, ...]]:
        problems = Problems()
        ids = {b.id for b in project.briefs}
        for brief_id in self.briefs:
            if brief_id not in ids:
                problems.add("--brief", f"no brief '{brief_id}' (known: {', '.join(sorted(ids))})")
        configured = {language.tag: language for language in project.config.languages}
        for tag in self.langs:
            if tag not in configured:
                try:
                    parse_language(tag)
                    why = "is not in [tool.polybrief] languages"
                except ValueError as exc:
                    why = f"is unknown: {exc}"
                problems.add("--lang", f"'{tag}' {why} (configured: {', '.join(configured)})")
        for fmt in self.formats:
            if fmt not in FORMATS:
                problems.add("--format", f"'{fmt}' is not one of {', '.join(FORMATS)}")
        problems.raise_if_any()
        briefs = [b for b in project.briefs if not self.briefs or b.id in self.briefs]
        langs = [configured[t] for t in configured if not self.langs or t in self.langs]
        return briefs, langs, tuple(f for f in FORMATS if not self.formats or f in self.formats)


@dataclass
class BuildReport:
    """What a build made (``outputs``) and what it kept from the last one (``kept``)."""

    outputs: list[Output] = field(default_factory=list)
    kept: list[Output] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_kb: int = 0

    @property
    def documents(self) -> int:
        return len(self.outputs)

    @property
    def pages(self) -> int:
        return sum(o.pages or 0 for o in self.outputs)


Progress = Callable[[str], None]


def document_coverage(project: Project, brief: Brief, language: Language,
                      use_fuzzy: bool = False) -> Coverage:
    """How much of a brief the language's catalog translates."""
    return coverage(((text.value, text.context) for text in brief.texts()),
                    project.catalog(language, brief.id),
                    use_fuzzy, source=language == brief.lang)


def check_coverage(project: Project, briefs: list[Brief], langs: list[Language],
                   use_fuzzy: bool, strict: bool) -> dict[tuple[str, str], Coverage]:
    """Refuse languages below their min_coverage (or, with strict, any incomplete one)."""
    problems = Problems()
    result = {}
    for brief in briefs:
        for language in (lang for lang in langs if lang in project.languages_of(brief)):
            cov = document_coverage(project, brief, language, use_fuzzy)
            result[brief.id, language.tag] = cov
            required = 100.0 if strict else project.config.required_coverage(language)
            if cov.ratio * 100 < required:
                path = catalog_path(project.config.locales_dir, language, brief.id)
                problems.add(path.relative_to(project.root).as_posix(),
                             f"{language.tag} is {cov.ratio:.0%} translated ({cov.fuzzy} fuzzy, "
                             f"{cov.untranslated} untranslated of {cov.total}); "
                             f"{'--strict' if strict else 'min_coverage'} requires "
                             f"{required:.0f}%")
    problems.raise_if_any()
    return result


@dataclass(frozen=True)
class Shard:
    """One of N equal, deterministic parts of a build (``--shard K/N``)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = re.fullmatch(r"(\d+)/(\d+)", text)
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            raise ValueError(f"--shard must be K/N with 1 ≤ K ≤ N (got {text!r})")
        return cls(int(match[1]), int(match[2]))

    def pick(self, documents: list[tuple[Brief, Language]]) -> list[tuple[Brief, Language]]:
        ordered = sorted(documents, key=lambda doc: (doc[0].id, doc[1].tag))
        return ordered[self.index - 1::self.count]


def build(project: Project, selection: Selection = Selection(), out_dir: Path | None = None,
          use_fuzzy: bool = False, strict: bool = False, jobs: int = 1, force: bool = False,
          shard: Shard | None = None, progress: Progress | None = None,
          before_pdf: Callable[[], None] | None = None,
          compact_fonts: bool | None = None) -> BuildReport:
    """Build the selected documents; the output folder changes only if all of them succeed.

    Documents whose inputs are unchanged since the last build are kept as they are;
    the others are rendered by ``jobs`` worker processes.
    """
    started = time.perf_counter()
    check_fonts(project.config, project.all_languages())
    briefs, langs, formats = selection.resolve(project)
    coverages = check_coverage(project, briefs, langs, use_fuzzy, strict)
    _log_figure_files(project, briefs, langs)
    out_dir = Path(os.path.realpath(out_dir or project.config.out_dir))
    documents = [(brief, language) for brief in briefs for language in langs
                 if language in project.languages_of(brief)]
    if shard:
        documents = shard.pick(documents)
    compact = project.config.compact_fonts if compact_fonts is None else compact_fonts
    report = BuildReport()
    with locked(out_dir):
        check_output_folder(out_dir)
        cache = Cache() if force else Cache.load(out_dir)
        keys = InputKeys(project, cache, use_fuzzy, compact)
        todo = []
        for brief, language in documents:
            key = keys.of(brief, language)
            kept, stale = _kept_and_stale(cache, key, out_dir, brief, language, formats)
            report.kept.extend(kept)
            if stale:
                todo.append(Task(brief.id, language.tag, stale, key,
                                 coverages[brief.id, language.tag].ratio))
        if before_pdf and any("pdf" in task.formats for task in todo):
            before_pdf()
        with Staging(out_dir) as staging:
            for result in run_tasks(project, todo, staging.tmp, use_fuzzy, jobs, compact):
                for output in result.outputs:
                    staging.adopt(output.path)
                    cache.record(result.task.key, output)
                report.outputs.extend(result.outputs)
                report.peak_rss_kb = max(report.peak_rss_kb, result.peak_rss_kb)
                for warning in result.warnings:
                    log.warning("%s", warning)
                if result.fallbacks:
                    log.warning("%s [%s]: %d of %d segments untranslated, shown in %s",
                                result.task.brief, result.task.lang, result.fallbacks,
                                result.segments, project.brief(result.task.brief).lang.tag)
                if progress:
                    progress(f"{result.task.brief} [{result.task.lang}]")
            over_budget = _page_budget(project, briefs, report.outputs + report.kept)
            if strict and over_budget:
                raise ProjectError(over_budget)
            for problem in over_budget:
                log.warning("%s", problem)
            outputs = merge_manifest(read_manifest(out_dir), report.outputs + report.kept)
            stage_site(staging, project, outputs)
            staging.write_if_changed(MANIFEST, manifest_bytes(outputs))
            staging.write_if_changed(CACHE, cache.to_bytes())
            staging.commit()
    report.seconds = time.perf_counter() - started
    return report


def _kept_and_stale(cache: Cache, key: str, out_dir: Path, brief: Brief, language: Language,
                    formats: tuple[str, ...]) -> tuple[list[Output], tuple[str, ...]]:
    """The outputs of a document the cache vouches for, and the formats to render again."""
    kept = {fmt: cache.fresh(rel, key, out_dir)
            for fmt, rel in zip(formats, _paths(brief, language, formats), strict=True)}
    return ([output for output in kept.values() if output],
            tuple(fmt for fmt, output in kept.items() if output is None))


def _paths(brief: Brief, language: Language, formats: Iterable[str]) -> list[str]:
    stem = f"{language.tag}/{brief.id}"
    return [f"{stem}.html" if fmt == "html" else f"{stem}.{language.tag}.pdf" for fmt in formats]


class InputKeys:
    """Content hashes of everything a document is made from."""

    def __init__(self, project: Project, cache: Cache, use_fuzzy: bool, compact: bool) -> None:
        self.project = project
        common = hashlib.sha256()
        for part in (__version__, _code_digest(), metadata.version("weasyprint"),
                     project.config.digest,
                     project.renderer.digest, str(use_fuzzy), str(compact)):
            common.update(part.encode() + b"\0")
        stacks = [project.config.fonts_for(lang) for lang in project.all_languages()]
        for family in sorted({f for stack in stacks if stack for f in stack.serif + stack.sans}):
            for font in resolve_family(family):
                common.update(f"{font.path}:{font.index}:".encode())
                common.update(cache.font_digest(font.path).encode())
        self.common = common.hexdigest()

    def of(self, brief: Brief, language: Language) -> str:
        digest = hashlib.sha256(self.common.encode())
        digest.update(brief.digest.encode())
        for domain in (brief.id, UI_DOMAIN):
            catalog = self.project.catalog(language, domain)
            digest.update(f"{domain}:{catalog.digest if catalog else '-'}".encode())
        return digest.hexdigest()


@functools.cache
def _code_digest() -> str:
    """polybrief's own code, so that an upgrade (or a local change) rebuilds everything."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Task:
    """One brief in one language to render, as sent to a worker process."""

    brief: str
    lang: str
    formats: tuple[str, ...]
    key: str
    coverage: float


@dataclass(frozen=True)
class TaskResult:
    task: Task
    outputs: list[Output]
    fallbacks: int
    segments: int
    peak_rss_kb: int
    warnings: tuple[str, ...] = ()


_WORKER: dict = {}
# A worker renders this many documents, then is replaced: what Pango and Cairo keep
# grows slowly with every document, and a fresh fork from the parent costs little.
TASKS_PER_WORKER = 50
ORPHAN_POLL_SECONDS = 0.2


def run_tasks(project: Project, tasks: list[Task], folder: Path, use_fuzzy: bool,
              jobs: int, compact: bool = True) -> Iterator[TaskResult]:
    """Render tasks in this process, or in a pool of forked workers that stay warm.

    With one job, a build of more than TASKS_PER_WORKER documents also goes to a
    (one-process) pool, so that its memory stays flat however many documents it has.
    """
    if not tasks:
        return
    _WORKER.update(project=project, folder=folder, use_fuzzy=use_fuzzy, compact=compact)
    in_process = len(tasks) <= 1 or (jobs <= 1 and len(tasks) <= TASKS_PER_WORKER)
    workers = max(1, min(jobs, len(tasks)))
    if not in_process and len(tasks) > workers * TASKS_PER_WORKER and \
            any("pdf" in task.formats for task in tasks):
        # Workers will be replaced: warm up once here, and every fork starts warm.
        languages = project.all_languages()
        prepare(project.config, languages, font_sample(project.config, languages))
    _return_freed_memory()
    # The project and what the workers inherit are never garbage: leave them out of
    # every collection, which keeps collections short.
    gc.freeze()
    try:
        if in_process:
            yield from map(_run_task, tasks)
            return
        context = multiprocessing.get_context("fork")
        _register_fork_hook()
        pool = context.Pool(workers, maxtasksperchild=TASKS_PER_WORKER,
                            initializer=_start_worker)
        try:
            yield from pool.imap_unordered(_run_task, tasks, chunksize=1)
        except BaseException:
            _abandon(pool)
            raise
        pool.terminate()
    finally:
        gc.unfreeze()


@functools.cache
def _register_fork_hook() -> None:
    os.register_at_fork(after_in_child=_signals_in_child)


def _abandon(pool) -> None:
    """Stop a pool at once after an error or a signal, waiting for nothing.

    A signal sent to the whole process group may kill a worker while it holds the
    task queue's lock; the pool's own clean-up would then wait on that lock for ever.
    So stop the thread that replaces dead workers, kill every worker, and drop the
    pool's clean-up: the build is ending anyway.
    """
    pool._state = pool._worker_handler._state = multiprocessing.pool.TERMINATE
    for attempt in range(2):  # again for any worker started before the handler stopped
        for worker in list(pool._pool):
            with contextlib.suppress(OSError, ValueError):
                worker.kill()
        if attempt == 0:
            pool._worker_handler.join(timeout=1)
    pool._terminate.cancel()


def _signals_in_child() -> None:
    """Right after a fork, before any of multiprocessing's code: the parent's SIGTERM
    handler must not run in a worker, and Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _start_worker() -> None:
    """Leave interrupts to the parent, which stops the pool; stop when the parent dies.

    Ctrl-C reaches every process of the terminal's group: the parent reports it once
    and terminates the pool. A parent killed outright leaves its workers orphaned:
    a watcher thread ends each of them within a fifth of a second.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(ORPHAN_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="orphan-watch", daemon=True).start()


def _return_freed_memory() -> None:
    """Give the heap freed since loading back to the system before rendering.

    Parsing hundreds of catalogs leaves tens of MB of freed but resident heap, which
    every worker would otherwise inherit: their memory would grow with the project.
    """
    gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc


def _run_task(task: Task) -> TaskResult:
    project, folder = _WORKER["project"], _WORKER["folder"]
    brief, language = project.brief(task.brief), project.language(task.lang)
    page = render_page(project, brief, language, _WORKER["use_fuzzy"], task.coverage)
    outputs = []
    warnings: list[str] = []
    common = dict(brief=brief.id, lang=language.tag, title=page.title.plain,
                  date=brief.date.isoformat(), coverage=round(task.coverage, 4),
                  summary=page.summary.plain, author=page.author,
                  title_lang=page.title.fallback_lang, summary_lang=page.summary.fallback_lang)
    for rel, fmt in zip(_paths(brief, language, task.formats), task.formats, strict=True):
        pages = None
        if fmt == "html":
            data = page.html.encode("utf-8")
        else:
            fallbacks = check_glyphs(project.config, list(page.runs))
            warnings.extend(str(w) for w in fallbacks.warnings)
            rendered = write_pdf(_with_fonts(page.html, project.config, fallbacks),
                                 page.print_css, project.config,
                                 f"{brief.id}/{language.tag}", brief.date,
                                 compact=_WORKER["compact"])
            if bad := notdef_pages(rendered.data):
                raise ProjectError(Problem(brief.path, f"the {language.tag} PDF draws a "
                                           f"missing-glyph box (.notdef) on page {bad[0]}"))
            data, pages = rendered.data, rendered.pages
        size, digest = stage_file(folder, rel, data)
        outputs.append(Output(format=fmt, path=rel, bytes=size, sha256=digest, pages=pages,
                              **common))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return TaskResult(task, outputs, page.fallbacks, page.segments, peak, tuple(warnings))


def _with_fonts(html: str, config: Config, fallbacks: Fallbacks) -> str:
    """The page with the fallback families after each language's stack, in a style
    element of its own (an author style: the print sheet is a user style)."""
    rules = [rule for language, families in fallbacks.families.items()
             for rule in font_rules(config, language, families)]
    if not rules:
        return html
    return html.replace("</head>", "<style>\n" + "\n".join(rules) + "\n</style>\n</head>", 1)


@dataclass(frozen=True)
class Page:
    """One brief in one language, rendered: the HTML page and its paged-media stylesheet."""

    brief: Brief
    language: Language
    title: Localized
    summary: Localized
    author: str
    html: str
    print_css: str
    fallbacks: int
    segments: int
    runs: tuple[TextRun, ...] = ()


def render_page(project: Project, brief: Brief, language: Language,
                use_fuzzy: bool = False, coverage_ratio: float | None = None) -> Page:
    """Translate a brief into one language and render its HTML and print CSS."""
    ui = project.catalog(language, UI_DOMAIN)
    stack = project.config.fonts_for(language)
    view, translator = localize(brief, language, project.catalog(language, brief.id),
                                use_fuzzy, project.renderer.ui_text(ui, use_fuzzy, language),
                                stack.sans if stack else ())
    if coverage_ratio is None:
        coverage_ratio = document_coverage(project, brief, language, use_fuzzy).ratio
    view["layout"] = layout_of(brief, project.config)
    view["coverage"] = {"complete": coverage_ratio >= 1.0,
                        "percent": Formatter(language).percent_floor(coverage_ratio)}
    ui_translations = ui.translations(use_fuzzy) if ui is not None else NullTranslations()
    context = {"brief": view, "lang": lang_namespace(language),
               "site": _site_namespace(project, brief, language),
               "theme": theme_view(project.config.theme, language, ui_translations)}
    html = project.renderer.render("brief.html.j2", ui, use_fuzzy, language, **context)
    runs = translator.runs + [
        TextRun(source.title, parse_language(source.lang) if source.lang else language,
                brief.path, source.line) for source in brief.sources]
    runs.append(TextRun(_printed_text(html, runs), language,
                        ui.display if ui else "templates/brief.html.j2"))
    return Page(brief, language, view["title"], view["summary"],
                view["author"].plain, html,
                project.renderer.render("print.css.j2", ui, use_fuzzy, language, **context),
                translator.fallbacks, translator.total, tuple(runs))


def _printed_text(html: str, runs: list[TextRun]) -> str:
    """The characters of the printed page that no content run accounts for (UI, formats)."""
    body = html[html.find("<main"):]
    seen = set("".join(run.text for run in runs))
    text = unescape(re.sub(r"<[^>]+>", " ", body))
    return "".join(c for c in dict.fromkeys(text) if c not in seen)


def _page_budget(project: Project, briefs: list[Brief], outputs: list[Output]
                 ) -> list[Problem]:
    """Each PDF longer than its brief's page budget: its max_pages, else its layout's
    (translations often run 20–30 % longer)."""
    limits = {brief.id: (brief, limit) for brief in briefs
              if (limit := max_pages_of(brief, project.config))}
    problems = []
    for output in outputs:
        if output.format != "pdf" or output.brief not in limits:
            continue
        brief, limit = limits[output.brief]
        if (output.pages or 0) > limit:
            whose = "brief's max_pages" if brief.max_pages else \
                f"{layout_of(brief, project.config)} layout's page budget"
            problems.append(Problem(brief.path, f"the {output.lang} PDF has {output.pages} "
                                                f"pages, over the {whose} of {limit}",
                                    brief.max_pages_line or brief.layout_line))
    return problems


def _log_figure_files(project: Project, briefs: list[Brief], langs: list[Language]) -> None:
    """Say (with -v) which languages show a figure's own file and which its shared one."""
    from .figures import Figure

    for brief in briefs:
        built = [lang.tag for lang in langs if lang in project.languages_of(brief)]
        for figure in brief.figures():
            if isinstance(figure, Figure) and built:
                own = [tag for tag in built if tag in figure.files]
                shared = [tag for tag in built if tag not in own]
                log.info("%s: shared file in %s; own file in %s", figure.files[""].display,
                         ", ".join(shared) or "no language", ", ".join(own) or "no language")


def _site_namespace(project: Project, brief: Brief, current: Language) -> dict:
    # The PDF needs the rules of the languages it prints; the others (the language
    # switcher's names) go to the screen-only sheet, which WeasyPrint does not read.
    spans = sorted({tag for text in brief.texts() if text.markdown
                    for tag in span_languages(text.value)})
    printed = tuple(dict.fromkeys([current, brief.lang] + [
        parse_language(source.lang) for source in brief.sources if source.lang] + [
        parse_language(tag) for tag in spans]))
    links = [{"tag": lang.tag, "name": lang.native_name, "dir": lang.direction,
              "href": f"../{lang.tag}/{brief.id}.html",
              "pdf": f"../{lang.tag}/{brief.id}.{lang.tag}.pdf",
              "current": lang == current}
             for lang in project.languages_of(brief)]
    default = default_language(project.config, brief)
    base = project.config.base_url
    return {"languages": links, "x_default": f"../{default.tag}/{brief.id}.html",
            "pdf": f"{brief.id}.{current.tag}.pdf", "paper": project.config.paper,
            "canonical": f"{base}{current.tag}/{brief.id}.html" if base else None,
            "og_locale": _og_locale(current),
            "og_alternates": [_og_locale(lang) for lang in project.languages_of(brief)
                              if lang != current],
            "language_css": language_css(project.config, printed),
            "screen_language_css": language_css(
                project.config, tuple(lang for lang in project.all_languages()
                                      if lang not in printed))}


def _og_locale(language: Language) -> str:
    """A language as Open Graph names locales, language_TERRITORY (ja_JP, zh_CN)."""
    from babel.core import get_global

    likely = get_global("likely_subtags").get(language.babel.language, "")
    parts = likely.split("_")
    territory = language.babel.territory or (parts[-1] if len(parts) > 1 else None)
    return f"{language.babel.language}_{territory}" if territory else language.babel.language
