#!/usr/bin/env python3
"""Live preview latency: a one-paragraph edit of the sample to the reloaded HTML page, and
to the new PDF of the language being viewed.

Run from the project root: ``python benchmarks/serve.py [--runs N]`` (or ``make
bench-serve``). A copy of the sample is built and served in this process, as ``polybrief
serve`` does; the Japanese page is requested (so Japanese is the language viewed). Each
run rewrites one paragraph of the brief on disk, then measures the time until the event
stream announces the new build and the page served holds the new text ("HTML"), and
until the Japanese PDF on disk holds it ("PDF"). Medians of N runs; the targets are
0.5 s and 1.5 s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
BRIEF = "content/china-central-asia/brief.yaml"
PARAGRAPH = "もっとも、ここで示されているのは主として中国側の見方である。"


def copy_sample(folder: Path) -> Path:
    for name in ("content", "locales", "templates", "pyproject.toml"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, folder / name)
    return folder


def pdf_has(path: Path, text: str) -> bool:
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True)
    return text in result.stdout.replace("\n", "").replace(" ", "")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1750118400")
    logging.getLogger("polybrief").setLevel(logging.ERROR)   # untranslated-segment notes
    from polybrief.serve import EVENTS, Preview, start

    with tempfile.TemporaryDirectory() as tmp:
        project = copy_sample(Path(tmp))
        preview = Preview(project)
        preview.rebuild()
        server = start(preview, "127.0.0.1", 0)
        port = server.server_port
        threading.Thread(target=preview.watch, daemon=True).start()
        time.sleep(0.5)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/ja/china-central-asia.html")
        connection.getresponse().read()
        events = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        events.request("GET", EVENTS)
        stream = events.getresponse()
        stream.readline()
        stream.readline()
        brief = project / BRIEF
        original = brief.read_text(encoding="utf-8")
        html_times, pdf_times = [], []
        for run in range(args.runs):
            marker = f"（編集{run}）"
            text = original.replace(PARAGRAPH, PARAGRAPH[:-1] + marker + "。")
            pdf = preview.out_dir / "ja" / "china-central-asia.ja.pdf"
            started = time.perf_counter()
            brief.write_text(text, encoding="utf-8")
            while True:
                line = stream.readline().decode()
                if line.startswith("data: ") and not json.loads(line[6:])["errors"]:
                    connection.request("GET", "/ja/china-central-asia.html")
                    if marker in connection.getresponse().read().decode():
                        break
            html_times.append(time.perf_counter() - started)
            while not pdf_has(pdf, marker):
                time.sleep(0.01)
            pdf_times.append(time.perf_counter() - started)
            time.sleep(4)   # the other languages' PDFs
            print(f"run {run + 1}: HTML {html_times[-1]:.3f} s, PDF {pdf_times[-1]:.3f} s",
                  flush=True)
        preview.stop.set()
        server.shutdown()
    print(f"median of {args.runs}: HTML {statistics.median(html_times):.3f} s "
          f"(target 0.5), ja PDF {statistics.median(pdf_times):.3f} s (target 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
