"""Publishing metadata: the PDF as an alternate, and with base_url canonical and Open Graph."""

from __future__ import annotations

import re
from pathlib import Path

import html5lib
import pytest

from conftest import run, tree_digest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "p"
    assert run(tmp_path, "new", str(folder), "--source", "ja", "--languages", "en,ar",
               "-q") == 0
    return folder


def set_base_url(project: Path, value: str) -> None:
    config = project / "pyproject.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        'paper = "A4"\n', f'paper = "A4"\nbase_url = "{value}"\n'), encoding="utf-8")


def test_every_page_names_its_pdf_and_only_a_published_one_has_a_canonical(project):
    assert run(project, "build", "-q") == 0
    page = (project / "dist/en/example.html").read_text(encoding="utf-8")
    assert ('<link rel="alternate" type="application/pdf" hreflang="en" '
            'href="example.en.pdf">') in page
    assert "canonical" not in page and "og:" not in page


def test_base_url_gives_canonical_and_open_graph(project):
    set_base_url(project, "https://example.org/briefs")
    assert run(project, "build", "-q") == 0
    page = (project / "dist/ar/example.html").read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(page)
    assert '<link rel="canonical" href="https://example.org/briefs/ar/example.html">' in page
    assert '<meta property="og:url" content="https://example.org/briefs/ar/example.html">' \
        in page
    assert '<meta property="og:locale" content="ar_EG">' in page
    assert re.findall(r'og:locale:alternate" content="([^"]+)"', page) == ["ja_JP", "en_US"]
    assert '<meta property="og:type" content="article">' in page
    assert re.search(r'<meta property="og:title" content="[^"]+">', page)


@pytest.mark.parametrize("value", ["http://example.org/", "example.org", "https://",
                                   "https://example.org/a b", "javascript:alert(1)"])
def test_a_bad_base_url_is_one_line_naming_the_key(project, capsys, value):
    assert run(project, "build", "-q") == 0
    before = tree_digest(project / "dist")
    set_base_url(project, value)
    assert run(project, "build") == 1
    err = capsys.readouterr().err
    assert re.search(r"error: pyproject\.toml:\d+: \[tool\.polybrief\] 'base_url' must be an "
                     r"absolute https URL", err), err
    assert tree_digest(project / "dist") == before
