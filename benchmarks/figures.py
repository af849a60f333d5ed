#!/usr/bin/env python3
"""What figures and charts cost per document: the blocks fixture's capitals brief, whose
one figure (an SVG) and two charts are drawn for each language, against the same brief
with those three blocks left out.

Run from the project root: ``python benchmarks/figures.py [--runs N]`` (or ``make
bench-figures``). In one process, each document's page is rendered and its PDF written
with and without the figures and charts, the two taking turns, N times each; medians.
The time counts rendering the page (drawing the charts, reading the figure files) and
writing the PDF; the bytes are the PDF's.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
FIXTURE = ROOT / "tests" / "fixtures" / "blocks"
BRIEF = "content/capitals/brief.yaml"


def without_figures(text: str) -> str:
    """The brief with its figure and chart blocks left out (their ids unreferenced)."""
    lines, out, skipping = text.splitlines(keepends=True), [], None
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if skipping is not None and (indent > skipping or not line.strip()):
            continue
        skipping = None
        if line.lstrip().startswith(("- figure:", "- chart:")):
            skipping = indent
            continue
        out.append(line)
    text = "".join(out)
    for target in ("@fig-capitals", "@fig-change"):
        text = text.replace(f"; the cities are shown in {target}", "")
    return text


def project_copy(folder: Path, plain: bool) -> Path:
    shutil.copytree(FIXTURE, folder)
    shutil.copytree(ROOT / "templates", folder / "templates")
    if plain:
        brief = folder / BRIEF
        brief.write_text(without_figures(brief.read_text(encoding="utf-8")), encoding="utf-8")
    return folder


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1750118400")

    from polybrief.pdf import write_pdf
    from polybrief.project import load_project, render_page

    with tempfile.TemporaryDirectory() as tmp:
        projects = {kind: load_project(project_copy(Path(tmp) / kind, kind == "plain"))
                    for kind in ("with", "plain")}
        times = {kind: {} for kind in projects}
        sizes = {kind: {} for kind in projects}
        for language in projects["with"].config.languages:
            for kind, project in projects.items():   # warm both
                brief = next(b for b in project.briefs if b.id == "capitals")
                page = render_page(project, brief, language)
                sizes[kind][language.tag] = len(write_pdf(
                    page.html, page.print_css, project.config, "x", brief.date).data)
                times[kind][language.tag] = []
            for _ in range(args.runs):
                for kind, project in projects.items():
                    brief = next(b for b in project.briefs if b.id == "capitals")
                    started = time.perf_counter()
                    page = render_page(project, brief, language)
                    write_pdf(page.html, page.print_css, project.config, "x", brief.date)
                    times[kind][language.tag].append(time.perf_counter() - started)
    print(f"{'lang':6} {'with ms':>8} {'without':>8} {'cost':>7} {'with KB':>8} {'without':>8}")
    for tag in times["with"]:
        with_ms = statistics.median(times["with"][tag]) * 1000
        plain_ms = statistics.median(times["plain"][tag]) * 1000
        print(f"{tag:6} {with_ms:8.0f} {plain_ms:8.0f} {with_ms / plain_ms - 1:+7.1%} "
              f"{sizes['with'][tag] / 1000:8.1f} {sizes['plain'][tag] / 1000:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
