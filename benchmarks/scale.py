#!/usr/bin/env python3
"""Benchmark the build engine at scale on synthetic projects (see generate.py).

For each project size it reports, as medians of --runs fresh-process builds:
documents/s and pages/s with --jobs 1 and --jobs 2, the no-op rebuild, the rebuild
after one catalog changed, peak RSS per worker process, and PDF bytes per page per
script. Run from the project root:

    python benchmarks/scale.py --counts 12 100 400 --runs 3

A document is one brief in one language, HTML + PDF; the projects have 4 languages,
so the smallest has 12 documents (3 briefs), the nearest multiple of 4 to 10.
Cost per document is reported two ways: wall time over documents, which falls as
the fixed start-up (Python, imports, loading the project, warming the fonts) is
shared by more documents, and the cost of each added document, the slope between
one project size and the previous: (wall - previous wall) / (documents - previous
documents). The slope is what would grow if a large build made each document dearer.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402

LANGUAGES = ["ja", "en", "zh-Hans", "ru"]
SCRIPT = {"ja": "CJK (ja)", "zh-Hans": "CJK (zh)", "en": "Latin", "ru": "Cyrillic"}
RUNNER = """
import json, sys, time
sys.path.insert(0, {src!r})
from pathlib import Path
started = time.perf_counter()
from polybrief.project import build, load_project
report = build(load_project(Path({project!r})), jobs={jobs}, force={force})
print(json.dumps({{"seconds": time.perf_counter() - started, "documents": report.documents,
                  "pages": report.pages, "rss_kb": report.peak_rss_kb}}))
"""


def timed_build(project: Path, jobs: int, force: bool) -> dict:
    """One build in a fresh interpreter; wall time includes Python start-up."""
    code = RUNNER.format(src=str(ROOT / "src"), project=str(project), jobs=jobs, force=force)
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    stats = json.loads(result.stdout.strip().splitlines()[-1])
    stats["wall"] = time.perf_counter() - started
    return stats


def bytes_per_page(project: Path) -> dict[str, float]:
    manifest = json.loads((project / "dist" / "manifest.json").read_text())
    sizes: dict[str, list[float]] = {}
    for entry in manifest:
        if entry["format"] == "pdf":
            sizes.setdefault(SCRIPT[entry["lang"]], []).append(entry["bytes"] / entry["pages"])
    return {script: statistics.median(values) for script, values in sizes.items()}


def measure(count: int, runs: int, workdir: Path) -> dict:
    briefs = max(1, count // len(LANGUAGES))
    count = briefs * len(LANGUAGES)
    project = generate(workdir / f"p{count}", briefs, LANGUAGES)
    row: dict = {"documents": count}
    for jobs in (1, 2):
        stats = [timed_build(project, jobs, force=True) for _ in range(runs)]
        wall = statistics.median(s["wall"] for s in stats)
        row[f"j{jobs}_wall"] = wall
        row[f"j{jobs}_docs_s"] = count / wall  # a document: one brief × language, HTML + PDF
        row[f"j{jobs}_pages_s"] = stats[0]["pages"] / wall
        row[f"j{jobs}_rss_mb"] = max(s["rss_kb"] for s in stats) / 1024
    row["speedup"] = row["j1_wall"] / row["j2_wall"]
    row["per_doc_ms"] = row["j2_wall"] / count * 1000
    row["noop"] = statistics.median(timed_build(project, 2, False)["wall"] for _ in range(runs))
    changed = []
    po = project / "locales" / "ru" / "LC_MESSAGES" / "brief-001.po"
    for run in range(runs):
        text = po.read_text(encoding="utf-8")
        po.write_text(re.sub(r"\(1(, v\d+)?\)\"", f'(1, v{run})"', text, count=1),
                      encoding="utf-8")
        stats = timed_build(project, 2, False)
        assert stats["documents"] == 2, stats
        changed.append(stats["wall"])
    row["one_po"] = statistics.median(changed)
    row["bytes_per_page"] = bytes_per_page(project)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[12, 100, 400],
                        help="documents (brief × language, each HTML + PDF) per project")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in args.counts:
            row = measure(count, args.runs, Path(tmp))
            rows.append(row)
            print(json.dumps(row), file=sys.stderr)
    for previous, r in zip([None] + rows[:-1], rows, strict=True):
        r["added_ms"] = None if previous is None else (
            (r["j2_wall"] - previous["j2_wall"]) / (r["documents"] - previous["documents"]) * 1000)
    print("| documents | j1 s | j2 s | speed-up | docs/s j1 | docs/s j2 | pages/s j1 | "
          "pages/s j2 | ms/doc j2 | ms per added doc j2 | no-op s | one PO s | "
          "worker RSS MB |")
    print("| ---: " * 13 + "|")
    for r in rows:
        added = "—" if r["added_ms"] is None else f"{r['added_ms']:.0f}"
        print(f"| {r['documents']} | {r['j1_wall']:.1f} | {r['j2_wall']:.1f} | "
              f"{r['speedup']:.2f}× | {r['j1_docs_s']:.1f} | {r['j2_docs_s']:.1f} | "
              f"{r['j1_pages_s']:.1f} | {r['j2_pages_s']:.1f} | {r['per_doc_ms']:.0f} | "
              f"{added} | {r['noop']:.2f} | {r['one_po']:.2f} | "
              f"{r['j2_rss_mb']:.0f} |")
    print("\nPDF bytes per page (median):")
    for r in rows:
        sizes = ", ".join(f"{k} {v / 1000:.1f} KB" for k, v in sorted(r["bytes_per_page"].items()))
        print(f"  {r['documents']} documents: {sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
