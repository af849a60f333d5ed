"""The benchmarks' synthetic projects build: a benchmark that cannot run measures nothing."""

from __future__ import annotations

import sys

from conftest import ROOT, run


def test_the_generated_project_builds(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate import generate
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    project = generate(tmp_path / "p", 2, ["ja", "en"])
    assert run(project, "build", "-q", "--format", "html", "--strict") == 0
    assert sorted(p.name for p in (project / "dist/en").glob("brief-*.html")) == [
        "brief-001.html", "brief-002.html"]
