"""Command line: parse arguments, set up logging and progress, call the library."""

from __future__ import annotations

import argparse
import errno
import logging
import os
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from . import __version__
from .errors import Problem, ProjectError
from .files import EnvironmentFailure

log = logging.getLogger("polybrief")

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_ENVIRONMENT = 0, 1, 2, 3
EXIT_INTERRUPT, EXIT_TERMINATED = 130, 143


class Terminated(BaseException):
    """SIGTERM arrived: unwind like Ctrl-C, so that staging folders and workers go."""


class DuplicateFilter(logging.Filter):
    """Drop repeated identical messages."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: set[tuple[str, str]] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.getMessage())
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="polybrief", description="Build multilingual briefs as HTML and PDF.")
    parser.add_argument("--version", action="version", version=f"polybrief {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-C", "--project", type=Path, default=Path("."), metavar="DIR",
                        help="project folder (default: the current folder)")
    common.add_argument("-v", "--verbose", action="store_true",
                        help="say more, and show tracebacks")
    common.add_argument("-q", "--quiet", action="store_true", help="print only errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    build = sub.add_parser("build", parents=[common], help="build HTML and PDF (the default)")
    build.add_argument("--brief", action="append", default=[], metavar="ID",
                       help="build only this brief (repeatable)")
    build.add_argument("--lang", action="append", default=[], metavar="TAG",
                       help="build only this language, a BCP 47 tag (repeatable)")
    build.add_argument("--format", action="append", default=[], choices=("html", "pdf"),
                       help="build only this format (repeatable)")
    build.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: dist)")
    build.add_argument("--use-fuzzy", action="store_true",
                       help="use fuzzy (unconfirmed) translations instead of the source text")
    build.add_argument("--strict", action="store_true",
                       help="fail on any incomplete translation (for release builds)")
    build.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                       help="worker processes (default: the number of cores)")
    build.add_argument("--force", action="store_true",
                       help="ignore the build cache and render everything")
    build.add_argument("--no-compact-fonts", dest="compact_fonts", action="store_false",
                       default=None, help="keep WeasyPrint's font subsets as they are "
                                          "(larger PDFs; default from compact_fonts)")
    build.add_argument("--pdf-standard", action="append", default=[], metavar="NAME",
                       dest="pdf_standards",
                       help="make PDFs conform to this standard (repeatable: ua-1, ua-2, a-2b, "
                            "a-2u, a-3b, a-3u; 'none' for untagged PDFs; default from "
                            "pdf_standards)")
    build.add_argument("--shard", metavar="K/N",
                       help="build only the K-th of N equal parts (for a CI matrix)")

    sub.add_parser("extract", parents=[common],
                   help="regenerate the POT templates in locales/ from templates and content")
    init = sub.add_parser("init", parents=[common],
                          help="add a language: create its catalogs and configure it")
    init.add_argument("tag", metavar="LANG", help="BCP 47 language tag, e.g. kk or zh-Hant")
    update = sub.add_parser("update", parents=[common],
                            help="extract, then merge every catalog with the new templates")
    update.add_argument("--fill", action="store_true",
                        help="fill empty entries from the project's other catalogs "
                             "(exact matches translated, close ones fuzzy)")
    update.add_argument("--tm", type=Path, action="append", default=[], metavar="FILE",
                        help="a TMX file to fill from as well (repeatable; implies --fill)")
    export_tm = sub.add_parser("export-tm", parents=[common],
                               help="write a language's confirmed translations as TMX")
    export_tm.add_argument("tag", metavar="LANG", help="a configured language, e.g. ru")
    export_tm.add_argument("--out", type=Path, metavar="FILE",
                           help="the TMX file (default: tm/<LANG>.tmx)")
    stat = sub.add_parser("status", parents=[common],
                          help="translation coverage per brief and language")
    stat.add_argument("--json", action="store_true", help="print JSON for machines")
    stat.add_argument("--min-coverage", type=float, metavar="N",
                      help="exit 1 when any language is below N %% translated")
    sub.add_parser("check", parents=[common],
                   help="lint every catalog: syntax, plurals, placeholders, Markdown")
    export = sub.add_parser("export-xliff", parents=[common],
                            help="write a language's catalogs as XLIFF 1.2 for CAT tools")
    export.add_argument("tag", metavar="LANG", help="a configured language, e.g. ru")
    export.add_argument("--out", type=Path, metavar="DIR",
                        help="folder for <LANG>/<catalog>.xlf (default: xliff)")
    imported = sub.add_parser("import-xliff", parents=[common],
                              help="merge XLIFF files from a CAT tool into their catalogs")
    imported.add_argument("files", nargs="+", type=Path, metavar="FILE",
                          help="XLIFF files written by export-xliff and translated")
    new = sub.add_parser("new", parents=[common],
                         help="create a ready project in a new or empty folder")
    new.add_argument("folder", type=Path, metavar="DIR", help="the folder to create")
    new.add_argument("--source", default="en", metavar="LANG",
                     help="the language briefs are written in (default: en)")
    new.add_argument("--languages", default="", metavar="LANG,…",
                     help="the languages to translate into, comma-separated")
    rev = sub.add_parser("review", parents=[common],
                         help="a side-by-side review PDF and HTML of each brief in a language")
    rev.add_argument("tag", metavar="LANG", help="a configured language, e.g. ru")
    rev.add_argument("--out", type=Path, metavar="DIR",
                     help="output folder (default: dist): files go to DIR/review/LANG/")
    serve = sub.add_parser("serve", parents=[common],
                           help="build, serve the output on http://127.0.0.1:8000/ and "
                                "rebuild and reload the pages on every change")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--host", default="127.0.0.1",
                       help="interface to bind (default: 127.0.0.1, this machine only)")
    serve.add_argument("--no-pdf", dest="pdf", action="store_false",
                       help="rebuild the HTML pages only")
    merge = sub.add_parser("merge-manifests", parents=[common],
                           help="combine shard builds (--shard K/N) into one output folder")
    merge.add_argument("folders", nargs="+", type=Path, metavar="DIR",
                       help="output folders of the shard builds")
    merge.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: dist)")
    return parser


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    commands = {"build", "extract", "init", "update", "status", "check", "merge-manifests",
                "export-xliff", "import-xliff", "export-tm", "serve", "review", "new"}
    if not any(arg in commands for arg in argv) and not {"-h", "--help", "--version"} & set(argv):
        argv.insert(0, "build")
    return parser.parse_args(argv)


def _setup_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.ERROR if quiet else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s: %(message)s"))
    handler.addFilter(DuplicateFilter())
    for name in ("polybrief", "weasyprint"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.propagate = False
        logger.setLevel(level if name == "polybrief" else max(level, logging.WARNING))
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    logging.captureWarnings(True)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = parse_args(argv)
    _setup_logging(args.verbose, args.quiet)
    commands = {"extract": _extract, "init": _init, "update": _update, "status": _status,
                "check": _check, "merge-manifests": _merge, "export-xliff": _export_xliff,
                "import-xliff": _import_xliff, "export-tm": _export_tm, "serve": _serve,
                "review": _review, "new": _new}
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        return commands.get(args.command, _build)(args)
    except ProjectError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        count = len(exc.problems)
        print(f"{count} error{'s' if count != 1 else ''}; nothing was written", file=sys.stderr)
        if args.verbose:
            raise
        return EXIT_INPUT
    except (KeyboardInterrupt, Terminated, EnvironmentFailure, MemoryError, OSError) as exc:
        message, code = _failure(exc)
        print(message, file=sys.stderr)
        if args.verbose:
            raise
        return code
    finally:
        signal.signal(signal.SIGTERM, previous)


def _terminate(signum, frame) -> None:
    raise Terminated()


def _failure(exc: BaseException) -> tuple[str, int]:
    """The one line and the exit code for a failure that is not the input's fault."""
    unchanged = "the output folder is as it was"
    if isinstance(exc, KeyboardInterrupt):
        return f"interrupted (Ctrl-C); {unchanged}", EXIT_INTERRUPT
    if isinstance(exc, Terminated):
        return f"terminated (SIGTERM); {unchanged}", EXIT_TERMINATED
    if isinstance(exc, EnvironmentFailure):
        return f"error: {exc}", EXIT_ENVIRONMENT
    if isinstance(exc, MemoryError):
        return f"error: out of memory; {unchanged}", EXIT_ENVIRONMENT
    assert isinstance(exc, OSError)
    return f"error: {_describe(exc)}; {unchanged}", EXIT_ENVIRONMENT


def _describe(exc: OSError) -> str:
    """One line for a failure of the machine: what, and on which file."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    where = exc.filename if isinstance(exc.filename, str) else ""
    if exc.errno == errno.ENOSPC:
        reason = "no space left on the device"
    return f"{_display(Path(where))}: {reason}" if where else reason


def _build(args: argparse.Namespace) -> int:
    from .pdf import harfbuzz_subset_available
    from .project import Selection, Shard, build, load_project

    started = time.perf_counter()
    if args.jobs < 1:
        _parser().error("--jobs must be at least 1")
    try:
        shard = Shard.parse(args.shard) if args.shard else None
    except ValueError as exc:
        _parser().error(str(exc))
    project = load_project(args.project.resolve())
    if args.pdf_standards:
        standards = tuple(s for s in args.pdf_standards if s != "none")
        project = replace(project, config=project.config.with_pdf_standards(standards))
    selection = Selection(tuple(args.brief), tuple(args.lang), tuple(args.format))
    out_dir = args.out.resolve() if args.out else None
    with _progress(args.quiet) as progress:
        report = build(project, selection, out_dir=out_dir, use_fuzzy=args.use_fuzzy,
                       strict=args.strict, jobs=args.jobs, force=args.force, shard=shard,
                       compact_fonts=args.compact_fonts,
                       progress=progress, before_pdf=lambda: _warn_harfbuzz(
                           harfbuzz_subset_available))
    seconds = time.perf_counter() - started
    if not args.quiet:
        kept = f", kept {len(report.kept)} unchanged" if report.kept else ""
        print(f"Built {_count(report.documents, 'document')}, "
              f"{_count(report.pages, 'page')} in {seconds:.1f} s{kept} "
              f"→ {_display(out_dir or project.config.out_dir)}", file=sys.stderr)
    return EXIT_OK


def _warn_harfbuzz(available) -> None:
    if not available():
        log.warning("HarfBuzz's subsetter (libharfbuzz-subset0) is missing: WeasyPrint falls "
                    "back to fontTools and CJK PDFs take ~30x longer to write. "
                    "Install it: apt-get install libharfbuzz-subset0 (or run 'make')")


def _extract(args: argparse.Namespace) -> int:
    from .project import load_project
    from .translate import extract_templates

    written = extract_templates(load_project(args.project.resolve()))
    return _report_files(args, written, "wrote", "Extracted templates")


def _report_files(args: argparse.Namespace, paths: list[Path], verb: str, what: str) -> int:
    for path in paths:
        log.info("%s %s", verb, _display(path))
    if not args.quiet:
        print(f"{what}: {len(paths)} changed", file=sys.stderr)
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    from .fonts import toml_line
    from .i18n import parse_language
    from .project import load_project
    from .translate import init_language

    project = load_project(args.project.resolve())
    written, configured = init_language(project, args.tag)
    for path in written:
        log.info("created %s", _display(path))
    if not configured:
        print(f"Add \"{args.tag}\" to 'languages' in [tool.polybrief] of pyproject.toml",
              file=sys.stderr)
    language = parse_language(args.tag)
    stack = project.config.fonts_for(language)
    if stack is None:
        print(f"No installed font covers {args.tag}: install one (for example from "
              f"fonts-noto-core or fonts-noto-extra), or set its fonts in "
              f"[tool.polybrief.fonts] of pyproject.toml; the build needs them",
              file=sys.stderr)
    elif not args.quiet:
        print(f"Fonts for {args.tag}: {', '.join(stack.serif)} (text), "
              f"{', '.join(stack.sans)} (headings); to choose others, add to "
              f"[tool.polybrief.fonts]:\n  {toml_line(language.script or args.tag, stack)}",
              file=sys.stderr)
    if not args.quiet:
        print(f"Initialised {args.tag}: {len(written)} catalogs; translate them, then build",
              file=sys.stderr)
    return EXIT_OK


def _update(args: argparse.Namespace) -> int:
    from .memory import tmx_memories
    from .project import load_project
    from .translate import update_catalogs

    root = args.project.resolve()
    project = load_project(root)
    # TMX files are read first: a bad one stops the command before any catalog changes.
    memories = tmx_memories(project, [(path.resolve(), _display(path.resolve()))
                                      for path in args.tm])
    changed, created = update_catalogs(project)
    for path in created:
        log.info("created %s", _display(path))
    if created and not args.quiet:
        print(f"Created catalogs: {len(created)} (a brief new to a language)",
              file=sys.stderr)
    code = _report_files(args, changed, "updated", "Updated catalogs")
    if args.fill or args.tm:
        _fill(args, load_project(root), memories)
    return code


def _fill(args: argparse.Namespace, project, memories: dict) -> None:
    """update --fill: every language from the project's catalogs, then the TMX files."""
    from .memory import fill_languages

    for tag, filled in fill_languages(project, memories):
        for path in filled.changed:
            log.info("filled %s", _display(path))
        if (filled.exact or filled.fuzzy) and not args.quiet:
            print(f"Filled {tag} from memory: {filled.exact} exact, {filled.fuzzy} fuzzy",
                  file=sys.stderr)


def _new(args: argparse.Namespace) -> int:
    import datetime as dt

    from .starter import new_project

    folder = args.folder.resolve()
    others = [tag.strip() for tag in args.languages.split(",") if tag.strip()]
    made = new_project(folder, args.source, others, dt.date.today().isoformat())
    for path in made.files:
        log.info("wrote %s", path.relative_to(folder))
    if not args.quiet:
        count = len(made.languages)
        print(f"Created {_display(folder)}: {count} language{'s' if count != 1 else ''}, "
              f"{made.catalogs} catalogs to translate; build it with "
              f"'polybrief build -C {_display(folder)}'", file=sys.stderr)
    return EXIT_OK


def _review(args: argparse.Namespace) -> int:
    from .project import load_project
    from .review import review

    project = load_project(args.project.resolve())
    language = _configured(project, args.tag, "review")
    out_dir = (args.out or project.config.out_dir).resolve()
    written = review(project, language, out_dir)
    return _report_files(args, written, "wrote", f"Review edition in {language.tag}: files")


def _serve(args: argparse.Namespace) -> int:
    from .serve import Preview, is_loopback, start

    preview = Preview(args.project.resolve(), pdf=args.pdf)
    if not is_loopback(args.host):
        print(f"warning: serving on {args.host}: other machines can read the output "
              f"folder while this runs", file=sys.stderr)
    try:
        server = start(preview, args.host, args.port)
    except OSError as exc:
        raise EnvironmentFailure(f"cannot serve on {args.host}:{args.port}: "
                                 f"{exc.strerror or exc}") from None
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"Serving {_display(preview.out_dir)} on http://{host}:{server.server_port}/ "
          f"(Ctrl+C to stop)", file=sys.stderr)
    try:
        preview.rebuild()
        preview.watch()
    except KeyboardInterrupt:
        pass
    finally:
        preview.stop.set()
        server.shutdown()
        server.server_close()
    return EXIT_OK


def _export_tm(args: argparse.Namespace) -> int:
    from .memory import export_tm
    from .project import load_project

    project = load_project(args.project.resolve())
    language = _configured(project, args.tag, "export-tm")
    path = (args.out if args.out else project.root / "tm" / f"{language.tag}.tmx").resolve()
    count = export_tm(project, language, path)
    if not args.quiet:
        print(f"Exported {count} {language.tag} translations → {_display(path)}",
              file=sys.stderr)
    return EXIT_OK


def _configured(project, tag: str, command: str):
    """The configured language with this tag; else one line naming the configured ones."""
    language = next((lang for lang in project.config.languages if lang.tag == tag), None)
    if language is None:
        tags = ", ".join(lang.tag for lang in project.config.languages)
        raise ProjectError(Problem(command, f"{tag!r} is not a configured language ({tags})"))
    return language


def _status(args: argparse.Namespace) -> int:
    import json

    from .project import load_project
    from .translate import figure_use, status

    project = load_project(args.project.resolve())
    rows = status(project)
    if args.json:
        print(json.dumps([row.as_dict() for row in rows], ensure_ascii=False, indent=2))
    else:
        _print_status(rows)
        _print_figures(figure_use(project))
    if args.min_coverage is not None:
        low = [r for r in rows if r.coverage.ratio * 100 < args.min_coverage]
        for row in low:
            print(f"error: {row.domain} [{row.lang}] is {row.coverage.ratio:.1%} translated, "
                  f"below --min-coverage {args.min_coverage:g}%", file=sys.stderr)
        return EXIT_INPUT if low else EXIT_OK
    return EXIT_OK


def _print_status(rows) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Translation status", title_justify="left")
    for name in ("domain", "lang", "translated", "fuzzy", "untranslated", "obsolete",
                 "% segments", "% words", "glossary", "pages"):
        table.add_column(name, justify="left" if name in ("domain", "lang") else "right")
    for row in rows:
        c = row.coverage
        cells = (("source", "", "", "", "100.0", "100.0") if row.source else
                 (str(c.translated), str(c.fuzzy), str(c.untranslated), str(c.obsolete),
                  f"{c.ratio * 100:.1f}", f"{c.word_ratio * 100:.1f}"))
        table.add_row(row.domain, row.lang, *cells, "" if row.source else str(row.glossary),
                      str(row.pages or ""))
    Console(width=110).print(table)


def _print_figures(uses) -> None:
    """Which languages show a figure's shared file: the ones whose labels may need a file."""
    if not uses:
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Figure files", title_justify="left")
    for name in ("domain", "file", "own file", "shared file"):
        table.add_column(name)
    for use in uses:
        table.add_row(use.brief, use.src, ", ".join(use.own) or "—",
                      ", ".join(use.shared) or "—")
    Console(width=110).print(table)


def _check(args: argparse.Namespace) -> int:
    from .config import load_config
    from .glossary import load_glossary
    from .lint import check_locales

    root = args.project.resolve()
    config = load_config(root)
    domains = {path.parent.name for path in config.content_dir.glob("*/brief.yaml")}
    findings = check_locales(config.locales_dir, root, domains, load_glossary(root))
    for finding in findings:
        print(finding, file=sys.stderr if finding.severity == "error" else sys.stdout)
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    if not args.quiet:
        print(f"Checked catalogs: {_count(errors, 'error')}, {_count(warnings, 'warning')}",
              file=sys.stderr)
    return EXIT_INPUT if errors else EXIT_OK


def _export_xliff(args: argparse.Namespace) -> int:
    from .project import load_project
    from .xliff import export_language

    project = load_project(args.project.resolve())
    language = _configured(project, args.tag, "export-xliff")
    out_dir = (args.out if args.out else project.root / "xliff").resolve()
    written = export_language(project, language, out_dir)
    return _report_files(args, written, "wrote", f"Exported {language.tag} as XLIFF 1.2")


def _import_xliff(args: argparse.Namespace) -> int:
    from .project import load_project
    from .xliff import import_file

    project = load_project(args.project.resolve())
    changed = [path for file in args.files
               if (path := import_file(project, file.resolve(), _display(file.resolve())))]
    return _report_files(args, changed, "updated", "Imported XLIFF: catalogs")


def _merge(args: argparse.Namespace) -> int:
    from .project import load_project
    from .shards import merge_shards

    project = load_project(args.project.resolve())
    out_dir = args.out.resolve() if args.out else project.config.out_dir
    outputs = merge_shards(project, [folder.resolve() for folder in args.folders], out_dir)
    if not args.quiet:
        print(f"Merged {_count(len(outputs), 'output')} from "
              f"{_count(len(args.folders), 'folder')} → {_display(out_dir)}", file=sys.stderr)
    return EXIT_OK


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def _display(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix() or "."
    except ValueError:
        return str(path)


class _progress:
    """A progress line on a terminal; silent elsewhere."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self._progress = None

    def __enter__(self):
        if not self.enabled:
            return None
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"),
                                  TimeElapsedColumn(), transient=True)
        self._progress.start()
        task = self._progress.add_task("building")
        return lambda text: self._progress.update(task, description=f"built {text}")

    def __exit__(self, *exc_info) -> None:
        if self._progress is not None:
            self._progress.stop()
