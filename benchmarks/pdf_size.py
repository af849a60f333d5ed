#!/usr/bin/env python3
"""Benchmark font compaction on the sample: bytes before and after, ratio, time per PDF.

Run from the project root: ``python benchmarks/pdf_size.py [--runs N] [--verify]``.
The sample is built by ``build.py --no-compact-fonts`` into a temporary folder (a
fresh process, as a user runs it); each PDF is then compacted in this process, once to warm up, then
N times, and the median time is reported. ``--verify`` also checks with poppler
and qpdf that every page rasterises (``pdftoppm -r 100``) and extracts
(``pdftotext``) exactly as before, and that ``qpdf --check`` is clean.
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


def build_sample(out: Path) -> list[Path]:
    subprocess.run([sys.executable, str(ROOT / "build.py"), "-q", "--no-compact-fonts",
                    "--force", "--out", str(out)], cwd=ROOT, check=True)
    return sorted(out.rglob("*.pdf"))


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

    from polybrief.compact import compact_pdf_fonts

    with tempfile.TemporaryDirectory() as tmp:
        pdfs = build_sample(Path(tmp) / "dist")
        header = (f"{'document':<34} {'pages':>5} {'before B':>9} {'after B':>9} {'ratio':>6} "
                  f"{'median ms':>9}")
        print(header + ("  check" if args.verify else ""))
        total_before = total_after = 0
        for path in pdfs:
            data = path.read_bytes()
            result = compact_pdf_fonts(data)  # warm-up: imports, caches
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                again = compact_pdf_fonts(data)
                times.append(time.perf_counter() - started)
                assert again == result, "compaction is not deterministic"
            total_before += len(data)
            total_after += len(result)
            line = (f"{path.name:<34} {pages(path):5d} {len(data):9d} {len(result):9d} "
                    f"{len(result) / len(data):6.1%} {statistics.median(times) * 1000:9.1f}")
            if args.verify:
                work = Path(tmp) / path.stem
                work.mkdir()
                compacted = work / "compacted.pdf"
                compacted.write_bytes(result)
                line += f"  {same_output(path, compacted, work)}"
            print(line)
        print(f"{'all':<34} {'':>5} {total_before:9d} {total_after:9d} "
              f"{total_after / total_before:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
