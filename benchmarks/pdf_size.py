#!/usr/bin/env python3
"""Benchmark font compaction on the sample: bytes before and after, ratio, time per PDF.

Run from the project root: ``python benchmarks/pdf_size.py [--runs N] [--verify]``.
The sample is built twice in fresh processes, as a user runs it: with
``--no-compact-fonts`` (WeasyPrint's own PDFs) and as it ships (compacted).
Then, in this process, each PDF is written N times both ways after a warm-up,
and the median time of each is reported: compaction also saves WeasyPrint's
deflating of the large fonts, so its net cost is the difference. ``--verify``
also checks with poppler and qpdf that every page rasterises (``pdftoppm -r
100``) and extracts (``pdftotext``) exactly as before, and that ``qpdf --check``
is clean.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def build_sample(out: Path, *options: str) -> dict[str, Path]:
    subprocess.run([sys.executable, str(ROOT / "build.py"), "-q", *options,
                    "--force", "--out", str(out)], cwd=ROOT, check=True)
    return {path.name: path for path in sorted(out.rglob("*.pdf"))}


def write_times(runs: int) -> dict[str, tuple[float, float]]:
    """Median seconds to write each sample PDF without and with compaction, warm."""
    from polybrief.pdf import write_pdf
    from polybrief.project import load_project, render_page

    project = load_project(ROOT)
    times = {}
    for brief in project.briefs:
        for language in project.config.languages:
            page = render_page(project, brief, language)
            medians = []
            for compact in (False, True):
                arguments = (page.html, page.print_css, project.config, "bench", brief.date)
                write_pdf(*arguments, compact=compact)
                samples = []
                for _ in range(runs):
                    started = time.perf_counter()
                    write_pdf(*arguments, compact=compact)
                    samples.append(time.perf_counter() - started)
                medians.append(statistics.median(samples))
            times[f"{brief.id}.{language.tag}.pdf"] = (medians[0], medians[1])
    return times


def pages(path: Path) -> int:
    import pikepdf

    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def same_output(before: Path, after: Path, work: Path) -> str:
    """'ok', or what differs between two PDFs for poppler and qpdf."""
    problems = []
    rasters = []
    for name, pdf in (("a", before), ("b", after)):
        subprocess.run(["pdftoppm", "-r", "100", str(pdf), str(work / name)], check=True)
        rasters.append([p.read_bytes() for p in sorted(work.glob(f"{name}-*.ppm"))])
    if rasters[0] != rasters[1]:
        problems.append("rasters")
    for options in ((), ("-layout",)):
        texts = [subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True,
                                check=True).stdout for pdf in (before, after)]
        if texts[0] != texts[1]:
            problems.append("text" + "".join(options))
    check = subprocess.run(["qpdf", "--check", str(after)], capture_output=True, text=True)
    if check.returncode or "warning" in (check.stdout + check.stderr).lower():
        problems.append("qpdf --check")
    return ", ".join(problems) or "ok"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--verify", action="store_true",
                        help="check rasters, text and qpdf --check before/after")
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1750118400")

    with tempfile.TemporaryDirectory() as tmp:
        before_pdfs = build_sample(Path(tmp) / "before", "--no-compact-fonts")
        after_pdfs = build_sample(Path(tmp) / "after")
        times = write_times(args.runs)
        header = (f"{'document':<34} {'pages':>5} {'before B':>9} {'after B':>9} {'ratio':>6} "
                  f"{'write ms':>9} {'compacted':>9} {'net':>6}")
        print(header + ("  check" if args.verify else ""))
        total_before = total_after = 0
        for name, before in before_pdfs.items():
            after = after_pdfs[name]
            size_before, size_after = before.stat().st_size, after.stat().st_size
            total_before += size_before
            total_after += size_after
            plain, compacted = times[name]
            line = (f"{name:<34} {pages(before):5d} {size_before:9d} {size_after:9d} "
                    f"{size_after / size_before:6.1%} {plain * 1000:9.1f} "
                    f"{compacted * 1000:9.1f} {(compacted - plain) * 1000:+6.1f}")
            if args.verify:
                work = Path(tmp) / before.stem
                work.mkdir()
                line += f"  {same_output(before, after, work)}"
            print(line)
        print(f"{'all':<34} {'':>5} {total_before:9d} {total_after:9d} "
              f"{total_after / total_before:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
