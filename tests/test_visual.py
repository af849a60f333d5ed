"""Visual regression: page 1 of every language, the pages of the blocks fixture with a
figure, a chart and footnotes, and the factsheet and report layouts, against reviewed
reference images.

Regenerate the references after a reviewed layout change with
``POLYBRIEF_UPDATE_REFERENCES=1 pytest tests/test_visual.py`` and look at each one.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from test_sample import EXPECTED as SAMPLE_LANGS
from test_scripts import LANGS as SCRIPT_LANGS

REFERENCES = Path(__file__).parent / "visual"
DPI = 40
TOLERANCE = 0.02  # share of pixels allowed to differ: hinting noise, not layout


def rasterise(pdf: Path, out: Path, page: int = 1) -> Image.Image:
    stem = out.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(stem)], check=True)
    return Image.open(stem.with_suffix(".png")).convert("L")


def compare(actual: Image.Image, name: str, out_dir: Path) -> None:
    reference_path = REFERENCES / f"{name}.png"
    if os.environ.get("POLYBRIEF_UPDATE_REFERENCES"):
        actual.save(reference_path, optimize=True)
        pytest.skip(f"reference written: {reference_path}")
    assert reference_path.exists(), f"no reference image {reference_path}"
    expected = Image.open(reference_path).convert("L")
    if expected.size != actual.size:
        actual.save(out_dir / f"{name}.actual.png")
        pytest.fail(f"{name}: size {actual.size} != reference {expected.size}; "
                    f"see {out_dir / (name + '.actual.png')}")
    diff = ImageChops.difference(expected, actual).point(lambda v: 255 if v > 48 else 0)
    changed = sum(diff.histogram()[255:]) / (diff.width * diff.height)
    if changed > TOLERANCE:
        actual.save(out_dir / f"{name}.actual.png")
        expected.save(out_dir / f"{name}.expected.png")
        diff.save(out_dir / f"{name}.diff.png")
        pytest.fail(f"{name}: {changed:.1%} of pixels differ (tolerance {TOLERANCE:.0%}); "
                    f"see {out_dir}/{name}.{{actual,expected,diff}}.png")


@pytest.mark.parametrize("lang", SCRIPT_LANGS)
def test_scripts_page_one_matches_reference(scripts, lang, tmp_path):
    pdf = scripts / "dist" / lang / f"scripts.{lang}.pdf"
    compare(rasterise(pdf, tmp_path / f"{lang}.png"), f"scripts-{lang}", tmp_path)


@pytest.mark.parametrize("lang", list(SAMPLE_LANGS))
def test_sample_page_one_matches_reference(sample, lang, tmp_path):
    pdf = sample / "dist" / lang / f"china-central-asia.{lang}.pdf"
    compare(rasterise(pdf, tmp_path / f"{lang}.png"), f"sample-{lang}", tmp_path)


@pytest.mark.parametrize(("lang", "page"), [("en", 2), ("en", 3), ("ja", 2), ("ja", 3),
                                          ("ar", 2), ("ar", 3)])
def test_pages_with_a_figure_a_chart_and_footnotes_match_reference(blocks, lang, page,
                                                                   tmp_path):
    """The blocks fixture: its figure and table (page 2), its chart and a footnote (3)."""
    pdf = blocks / "dist" / lang / f"capitals.{lang}.pdf"
    compare(rasterise(pdf, tmp_path / f"{lang}-{page}.png", page), f"blocks-{lang}-{page}",
            tmp_path)


@pytest.mark.parametrize(("brief", "page"), [("mechanism-factsheet", 1),
                                             ("mechanism-report", 1), ("mechanism-report", 4)])
@pytest.mark.parametrize("lang", ["en", "ja", "ar"])
def test_each_layout_matches_reference(layouts, brief, page, lang, tmp_path):
    """The factsheet's page, the report's cover and a report page with a running header."""
    pdf = layouts / "dist" / lang / f"{brief}.{lang}.pdf"
    name = f"{brief.split('-')[1]}-{lang}-{page}"
    compare(rasterise(pdf, tmp_path / f"{name}.png", page), name, tmp_path)


def test_layout_breakage_is_caught(sample, tmp_path):
    """The comparison fails on a real layout change, not only on identical pages."""
    if os.environ.get("POLYBRIEF_UPDATE_REFERENCES"):
        pytest.skip("references are being written")
    pdf = sample / "dist" / "en" / "china-central-asia.en.pdf"
    actual = rasterise(pdf, tmp_path / "en.png")
    shifted = ImageChops.offset(actual, 0, 12)
    with pytest.raises(pytest.fail.Exception, match="of pixels differ"):
        compare(shifted, "sample-en", tmp_path)
