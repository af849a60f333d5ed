#!/usr/bin/env python3
"""Compare the sample's PDF sizes with Typst setting the same text in the same fonts.

Needs the ``typst`` Python binding (``.venv/bin/pip install -e '.[bench]'``). For each CJK
language it sets the brief's translated text (title, summary, key points,
headings, paragraphs, list items, table cells) as a plain Typst document in the
same Noto CJK fonts on A4, and prints pages, bytes and bytes per page next to
polybrief's PDF of the same language:

    python benchmarks/typst_compare.py
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from polybrief.project import load_project  # noqa: E402

FONTS = {"ja": ("Noto Serif CJK JP", "Noto Sans CJK JP"),
         "zh-Hans": ("Noto Serif CJK SC", "Noto Sans CJK SC")}


def typst_source(project, lang: str) -> str:
    brief = project.briefs[0]
    language = project.language(lang)
    catalog = project.catalog(language, brief.id)

    def t(text) -> str:
        value = (catalog.lookup(text.value) if catalog else None) or text.value
        value = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", value).replace("*", "")
        return re.sub(r"([#$@<>\[\]\\_`~])", r"\\\1", value)

    serif, sans = FONTS[lang]
    lines = ['#set page(paper: "a4", margin: 20mm)',
             f'#set text(font: "{serif}", lang: "{lang[:2]}", size: 10pt)',
             "#set par(justify: true, leading: 0.8em)",
             f'#show heading: set text(font: "{sans}")',
             f"= {t(brief.title)}", t(brief.summary), ""]
    lines += [f"- {t(point)}" for point in brief.key_points] + [""]
    for text in brief.texts():
        if text in (brief.title, brief.summary) or text in brief.key_points:
            continue
        lines += [t(text), ""]
    return "\n".join(lines)


def main() -> int:
    try:
        import typst
    except ImportError:
        print("typst is not installed: .venv/bin/pip install -e '.[bench]'", file=sys.stderr)
        return 1
    project = load_project(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, str(ROOT / "build.py"), "-q", "--force", "--out", tmp],
                       check=True)
        print(f"{'lang':<8} {'typst pages':>11} {'typst KB':>9} {'KB/page':>8}   "
              f"{'polybrief pages':>15} {'polybrief KB':>12} {'KB/page':>8}")
        for lang in FONTS:
            source = Path(tmp) / f"{lang}.typ"
            source.write_text(typst_source(project, lang), encoding="utf-8")
            data = typst.compile(str(source), font_paths=["/usr/share/fonts"])
            pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
            ours = Path(tmp) / lang / f"{project.briefs[0].id}.{lang}.pdf"
            our_pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(
                ["pdfinfo", str(ours)], capture_output=True, text=True).stdout)[1])
            size = ours.stat().st_size
            print(f"{lang:<8} {pages:>11} {len(data) / 1000:>9.1f} {len(data) / pages / 1000:>8.1f}"
                  f"   {our_pages:>15} {size / 1000:>12.1f} {size / our_pages / 1000:>8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
