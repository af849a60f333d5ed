#!/usr/bin/env python3
"""Benchmark the sample build: per-document render time, pages, bytes, memory, wall time,
and what tagging the PDFs costs (each PDF written tagged and untagged in turn).

Run from the project root: ``python benchmarks/build_sample.py [--runs N]``
(or ``make bench``). Wall times are fresh processes, Python start-up included;
medians of N runs are reported.
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def wall_times(runs: int) -> tuple[list[float], int]:
    """Time full builds as a user runs them; return the times and the peak RSS in KiB."""
    times = []
    peak = 0
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "build.py"), "-q", "--out", out],
                           cwd=ROOT, check=True)
            times.append(time.perf_counter() - started)
        peak = max(peak, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    return times, peak


def per_document(runs: int) -> list[tuple[str, str, float, float, int, int]]:
    """Render each document in one warm process; median HTML and PDF seconds per document."""
    from polybrief.pdf import write_pdf
    from polybrief.project import load_project, render_page

    project = load_project(ROOT)
    untagged = project.config.with_pdf_standards(())
    rows = []
    for brief in project.briefs:
        for language in project.config.languages:
            html_times, pdf_times, untagged_times = [], [], []
            sizes = {}
            for run in range(runs):
                started = time.perf_counter()
                page = render_page(project, brief, language)
                html_times.append(time.perf_counter() - started)
                # Tagged (the default) and untagged take turns going first, each after
                # a garbage collection, so that drift and collections hit both alike.
                pair = [(untagged, untagged_times), (project.config, pdf_times)]
                for config, times in pair if run % 2 else pair[::-1]:
                    gc.collect()
                    started = time.perf_counter()
                    pdf = write_pdf(page.html, page.print_css, config,
                                    f"{brief.id}/{language.tag}", brief.date)
                    times.append(time.perf_counter() - started)
                    sizes[config is untagged] = len(pdf.data)
            rows.append((brief.id, language.tag, statistics.median(html_times),
                         statistics.median(pdf_times), statistics.median(untagged_times),
                         pdf.pages, sizes[False], sizes[True]))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1750118400")

    print(f"{'brief':<22} {'lang':<8} {'html ms':>8} {'pdf ms':>8} {'untagged':>8} "
          f"{'tagging':>7} {'pages':>5} {'PDF KB':>7} {'untagged':>8}")
    rows = per_document(args.runs)
    for brief, lang, html_s, pdf_s, plain_s, pages, size, plain_size in rows:
        print(f"{brief:<22} {lang:<8} {html_s * 1000:8.1f} {pdf_s * 1000:8.1f} "
              f"{plain_s * 1000:8.1f} {(pdf_s / plain_s - 1) * 100:+6.1f}% {pages:5d} "
              f"{size / 1000:7.1f} {plain_size / 1000:8.1f}")
    tagged, plain = sum(r[3] for r in rows), sum(r[4] for r in rows)
    print(f"tagging (PDF/UA-1) against untagged, all documents: {(tagged / plain - 1) * 100:+.1f}%")
    times, peak = wall_times(args.runs)
    print(f"\nfull build, fresh process ({args.runs} runs): "
          f"median {statistics.median(times):.2f} s "
          f"(min {min(times):.2f}, max {max(times):.2f}); peak RSS {peak / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
