#!/usr/bin/env python3
"""Make a synthetic polybrief project: N briefs × M languages of realistic length.

Each brief is the sample brief (Japanese source, 4–5 pages, CJK and Latin text)
under its own id and title, with complete catalogs in every language:

    python benchmarks/generate.py /tmp/bench --briefs 100 --languages ja en zh-Hans ru
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from babel.messages.pofile import read_po  # noqa: E402

from polybrief.i18n import parse_language, serialize_catalog  # noqa: E402

SAMPLE = "china-central-asia"


def generate(dest: Path, briefs: int, languages: list[str]) -> Path:
    """Write the project under dest (replacing it) and return its path."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    shutil.copytree(ROOT / "templates", dest / "templates")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    table = pyproject[pyproject.index("[tool.polybrief]"):]
    tags = ", ".join(f'"{tag}"' for tag in languages)
    table = re.sub(r"^languages = .*$", f"languages = [{tags}]", table, count=1,
                   flags=re.MULTILINE)
    (dest / "pyproject.toml").write_text(table, encoding="utf-8")
    source = (ROOT / "content" / SAMPLE / "brief.yaml").read_text(encoding="utf-8")
    title = re.search(r"^title: (.*)$", source, re.MULTILINE)[1]
    for number in range(1, briefs + 1):
        brief_id = f"brief-{number:03d}"
        folder = dest / "content" / brief_id
        folder.mkdir(parents=True)
        text = source.replace(f"id: {SAMPLE}", f"id: {brief_id}", 1).replace(
            f"title: {title}", f"title: {title}（{number}）", 1)
        (folder / "brief.yaml").write_text(text, encoding="utf-8")
        for asset in sorted((ROOT / "content" / SAMPLE).iterdir()):   # its figures
            if asset.name != "brief.yaml" and asset.is_file():
                shutil.copy(asset, folder / asset.name)
        for tag in languages:
            locale = parse_language(tag).locale
            out = dest / "locales" / locale / "LC_MESSAGES"
            out.mkdir(parents=True, exist_ok=True)
            messages = ROOT / "locales" / locale / "LC_MESSAGES" / "messages.po"
            if messages.exists() and not (out / "messages.po").exists():
                shutil.copy(messages, out / "messages.po")
            po = ROOT / "locales" / locale / "LC_MESSAGES" / f"{SAMPLE}.po"
            if not po.exists():
                continue
            catalog = read_po(po.open("rb"), locale=locale, domain=brief_id)
            original = catalog[title]
            catalog.delete(title)
            catalog.add(f"{title}（{number}）", f"{original.string} ({number})",
                        locations=original.locations)
            (out / f"{brief_id}.po").write_bytes(serialize_catalog(catalog))
    return dest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--briefs", type=int, default=10)
    parser.add_argument("--languages", nargs="+", default=["ja", "en", "zh-Hans", "ru"])
    args = parser.parse_args()
    generate(args.dest, args.briefs, args.languages)
    print(f"{args.dest}: {args.briefs} briefs × {len(args.languages)} languages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
