#!/usr/bin/env python3
"""What figures and charts cost per document.

Two briefs, each built with its figures and charts and without them:

- the sample, whose one figure is an SVG diagram in a five-page brief;
- the blocks fixture's capitals brief, a short brief of one SVG figure and two charts.

"Without" is the same project with the figure and chart blocks taken out of the brief,
and every cross-reference to them pointed at a table of the brief instead, in the brief
and its catalogs alike (so that the translations still match, and both variants lay out
the same number of references to a page). In one process, each document's page is rendered
(charts drawn, figure files read) and its PDF written, the two variants taking turns,
N times each. The table gives the medians of the whole document's time with and
without, and, within "with", the time Matplotlib takes to draw the charts and WeasyPrint
to draw the figures and charts into the PDF ("own": the two against the document
without them); then the PDF's kilobytes and pages.

Run from the project root: ``python benchmarks/figures.py [--runs N]`` (or ``make
bench-figures``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
FIXTURE = ROOT / "tests" / "fixtures" / "blocks"
# (name, project folder, brief, the table that references to figures point to instead)
CASES = (("sample", ROOT, "china-central-asia", "@tbl-comparison"),
         ("capitals", FIXTURE, "capitals", "@tbl-sizes"))
BLOCK = re.compile(r"^(\s*)- (figure|chart):")
REFERENCE = re.compile(r"\[@fig-[\w-]+(?:;\s*@fig-[\w-]+)*\]|@fig-[\w-]*\w")


def without_figures(text: str, stand_in: str) -> str:
    """The brief with its figure and chart blocks left out, references to them
    pointing at ``stand_in``."""
    out, skipping = [], None
    for line in text.splitlines(keepends=True):
        indent = len(line) - len(line.lstrip())
        if skipping is not None and (indent > skipping or not line.strip()):
            continue
        skipping = None
        if match := BLOCK.match(line):
            skipping = len(match[1])
            continue
        out.append(line)
    return REFERENCE.sub(stand_in, "".join(out))


def unreferenced_catalogs(locales: Path, stand_in: str) -> None:
    """Point the references to figures in every message and translation at ``stand_in``."""
    from babel.messages.pofile import read_po

    from polybrief.i18n import serialize_catalog

    for path in locales.rglob("*.po"):
        with path.open("rb") as handle:
            catalog = read_po(handle)
        for message in list(catalog):
            if not message.id or not isinstance(message.id, str):
                continue
            if REFERENCE.search(message.id):
                del catalog[message.id, message.context]
                message.id = REFERENCE.sub(stand_in, message.id)
                message.string = REFERENCE.sub(stand_in, message.string)
                catalog[message.id] = message
        path.write_bytes(serialize_catalog(catalog))


def project_copy(source: Path, folder: Path, brief: str, stand_in: str | None) -> Path:
    """A copy of a project; with ``stand_in``, without figures and charts."""
    ignore = shutil.ignore_patterns("dist", ".venv", ".git", ".stamps", "tests", "build",
                                    "*.egg-info", "__pycache__", "benchmarks")
    shutil.copytree(source, folder, ignore=ignore)
    if not (folder / "templates").exists():
        shutil.copytree(ROOT / "templates", folder / "templates")
    if stand_in:
        path = folder / "content" / brief / "brief.yaml"
        path.write_text(without_figures(path.read_text(encoding="utf-8"), stand_in),
                        encoding="utf-8")
        unreferenced_catalogs(folder / "locales", stand_in)
    return folder


def timed(owner, name: str, calls: list[float]) -> None:
    """Add the time each call of ``owner.name`` takes to ``calls``."""
    function = getattr(owner, name)

    def timed_call(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            calls.append(time.perf_counter() - started)

    setattr(owner, name, timed_call)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1750118400")

    from weasyprint import images

    from polybrief import blocks
    from polybrief.pdf import write_pdf
    from polybrief.project import load_project, render_page

    charts: list[float] = []    # Matplotlib drawing a chart (blocks.py calls charts.draw)
    drawing: list[float] = []   # WeasyPrint drawing a figure or chart into the PDF
    timed(blocks, "draw", charts)
    timed(images.SVGImage, "draw", drawing)
    timed(images.RasterImage, "draw", drawing)
    print(f"{'brief':9} {'lang':6} {'with ms':>8} {'without':>8} {'cost':>7} "
          f"{'charts':>7} {'drawing':>8} {'own':>6} {'with KB':>8} {'without':>8} "
          f"{'pages':>6}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, source, brief_id, stand_in in CASES:
            projects = {kind: load_project(project_copy(
                source, Path(tmp) / name / kind, brief_id, stand_in if kind == "plain" else None))
                for kind in ("with", "plain")}
            for language in projects["with"].languages_of(
                    next(b for b in projects["with"].briefs if b.id == brief_id)):
                times = {kind: [] for kind in projects}
                sizes, pages, charts_ms, drawing_ms = {}, {}, [], []
                for run in range(args.runs + 1):   # the first warms both
                    for kind, project in projects.items():
                        brief = next(b for b in project.briefs if b.id == brief_id)
                        charts.clear()
                        drawing.clear()
                        started = time.perf_counter()
                        page = render_page(project, brief, language)
                        pdf = write_pdf(page.html, page.print_css, project.config, "x",
                                        brief.date)
                        elapsed = time.perf_counter() - started
                        if run:
                            times[kind].append(elapsed)
                            if kind == "with":
                                charts_ms.append(sum(charts) * 1000)
                                drawing_ms.append(sum(drawing) * 1000)
                        sizes[kind], pages[kind] = len(pdf.data), pdf.pages
                with_ms = statistics.median(times["with"]) * 1000
                plain_ms = statistics.median(times["plain"]) * 1000
                own = statistics.median(charts_ms) + statistics.median(drawing_ms)
                print(f"{name:9} {language.tag:6} {with_ms:8.0f} {plain_ms:8.0f} "
                      f"{with_ms / plain_ms - 1:+7.1%} {statistics.median(charts_ms):7.0f} "
                      f"{statistics.median(drawing_ms):8.0f} {own / plain_ms:+6.1%} "
                      f"{sizes['with'] / 1000:8.1f} {sizes['plain'] / 1000:8.1f} "
                      f"{pages['with']:>3}/{pages['plain']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
