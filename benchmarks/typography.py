#!/usr/bin/env python3
"""What the typography costs per document of the sample: the typographic pass on the
HTML, and inter-character justification, CJK–Latin spacing and hyphenation limits in the PDF.

Run from the project root: ``python benchmarks/typography.py [--runs N]`` (or
``make bench-typography``). The HTML is rendered with and without the pass in one
process, the two taking turns; the PDFs are written in fresh processes, as shipped and
with polybrief's justification, spacing and hyphenation patches left out, the two kinds of
process taking turns. Medians of N runs.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

CHILD = """
import gc, json, sys, time
sys.path.insert(0, {src!r})
from pathlib import Path
if {plain}:
    import polybrief.autospace, polybrief.hyphenation, polybrief.justify
    polybrief.justify.install = polybrief.hyphenation.install = lambda: None
    polybrief.autospace.install = lambda: None
from polybrief.pdf import write_pdf
from polybrief.project import load_project, render_page
project = load_project(Path({root!r}))
times = {{}}
for brief in project.briefs:
    for language in project.config.languages:
        page = render_page(project, brief, language)
        write_pdf(page.html, page.print_css, project.config, "x", brief.date)   # warm
        runs = []
        for _ in range({runs}):
            gc.collect()
            started = time.perf_counter()
            write_pdf(page.html, page.print_css, project.config, "x", brief.date)
            runs.append(time.perf_counter() - started)
        times[language.tag] = runs
print(json.dumps(times))
"""


def pdf_times(plain: bool, runs: int) -> dict[str, list[float]]:
    code = CHILD.format(src=str(ROOT / "src"), root=str(ROOT), plain=plain, runs=runs)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1750118400"})
    return json.loads(done.stdout)


def html_times(runs: int) -> dict[str, tuple[float, float]]:
    """Median seconds to render each document's HTML with and without the pass."""
    from polybrief import render
    from polybrief.project import load_project, render_page

    project = load_project(ROOT)
    shipped = (render.typeset, render.typeset_html)
    bare = (lambda text, language: text, lambda html, language: html)
    result = {}
    for brief in project.briefs:
        for language in project.config.languages:
            times: dict[bool, list[float]] = {True: [], False: []}
            for run in range(runs):
                for with_pass in (True, False) if run % 2 else (False, True):
                    render.typeset, render.typeset_html = shipped if with_pass else bare
                    gc.collect()
                    started = time.perf_counter()
                    render_page(project, brief, language)
                    times[with_pass].append(time.perf_counter() - started)
            render.typeset, render.typeset_html = shipped
            result[language.tag] = (statistics.median(times[True]),
                                    statistics.median(times[False]))
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--processes", type=int, default=3,
                        help="fresh processes of each kind, taking turns")
    args = parser.parse_args()

    html = html_times(args.runs)
    shipped: dict[str, list[float]] = {}
    plain: dict[str, list[float]] = {}
    for _ in range(args.processes):
        for kind, into in ((False, shipped), (True, plain)):
            for tag, runs in pdf_times(kind, args.runs).items():
                into.setdefault(tag, []).extend(runs)
    print(f"{'lang':<8} {'html ms':>8} {'no pass':>8} {'pdf ms':>8} {'no patch':>8} "
          f"{'pass':>7} {'patches':>8} {'together':>9}")
    for tag, (with_pass, without) in html.items():
        pdf, bare = statistics.median(shipped[tag]), statistics.median(plain[tag])
        total = with_pass + pdf
        base = without + bare
        print(f"{tag:<8} {with_pass * 1000:8.1f} {without * 1000:8.1f} {pdf * 1000:8.1f} "
              f"{bare * 1000:8.1f} {(with_pass - without) / base * 100:+6.1f}% "
              f"{(pdf - bare) / base * 100:+7.1f}% {(total / base - 1) * 100:+8.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
