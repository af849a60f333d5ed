"""Fixture projects copied into tmp_path, and helpers to read what a build made."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from polybrief.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def copy_project(source: Path, dest: Path) -> Path:
    """Copy a project without its outputs; give it the product's templates if it has none."""
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns(
        "dist", ".venv", ".stamps", "tests", "src", "benchmarks", ".git", "*.egg-info"))
    if not (dest / "templates").exists():
        shutil.copytree(ROOT / "templates", dest / "templates")
    return dest


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """The small three-language fixture project (source en; ru and ja translated)."""
    return copy_project(FIXTURES / "mini", tmp_path / "mini")


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sample project, built once into its dist/."""
    project = copy_project(ROOT, tmp_path_factory.mktemp("sample") / "project")
    assert main(["build", "-C", str(project), "-q"]) == 0
    return project


@pytest.fixture(scope="session")
def scripts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The twelve-language typography fixture, built once."""
    project = copy_project(FIXTURES / "scripts", tmp_path_factory.mktemp("scripts") / "p")
    assert run(project, "build", "-q") == 0
    return project


@pytest.fixture(scope="session")
def blocks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture of every kind of block, footnote and reference (en, ja, ru, ar), built once."""
    project = copy_project(FIXTURES / "blocks", tmp_path_factory.mktemp("blocks") / "p")
    assert run(project, "build", "-q") == 0
    return project


@pytest.fixture(scope="session")
def layouts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A factsheet and a report with an organisation's theme (en, ja, ar), built once with
    --strict: fully translated, and the factsheet within its two pages."""
    project = copy_project(FIXTURES / "layouts", tmp_path_factory.mktemp("layouts") / "p")
    assert run(project, "build", "-q", "--strict") == 0
    return project


@pytest.fixture
def blocks_fresh(tmp_path: Path) -> Path:
    """A copy of the blocks fixture with an English build in dist/, to break and rebuild."""
    project = copy_project(FIXTURES / "blocks", tmp_path / "p")
    assert run(project, "build", "-q", "--lang", "en") == 0
    return project


def build_fails(project: Path, capsys, *messages: str) -> str:
    """A build that must fail: exit 1, every message shown, no traceback, dist/ untouched."""
    before = tree_digest(project / "dist")
    assert run(project, "build") == 1
    err = capsys.readouterr().err
    for message in messages:
        assert message in err, err
    assert "Traceback" not in err
    assert tree_digest(project / "dist") == before
    return err


def line_of(path: Path, text: str) -> int:
    """The line (from 1) of a file on which a text first begins."""
    content = path.read_text(encoding="utf-8")
    assert text in content, text
    return content[:content.index(text)].count("\n") + 1


def edit(project: Path, rel: str, old: str, new: str) -> None:
    """Replace the first occurrence of old in a project file, which must hold it."""
    path = project / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run(project: Path, *args: str) -> int:
    return main([*args[:1], "-C", str(project), *args[1:]])


def pdf_text(path: Path, page: int | None = None) -> str:
    """The text of a PDF as pdftotext lays it out: of one page (from 1), or all."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(["pdftotext", "-layout", *pages, str(path), "-"],
                          capture_output=True, text=True, check=True).stdout


def pdf_fonts(path: Path) -> set[str]:
    """Base names of the embedded fonts, subset prefix removed."""
    names = set()
    for page in PdfReader(path).pages:
        fonts = page["/Resources"].get("/Font", {})
        for ref in fonts.values():
            names.add(re.sub(r"^[A-Z]{6}\+", "", str(ref.get_object()["/BaseFont"])[1:]))
    return names


def notdef_glyphs(path: Path) -> int:
    """Count glyph 0 (.notdef) drawn in a PDF whose fonts are Identity-H CID fonts."""
    count = 0
    for page in PdfReader(path).pages:
        content = page.get_contents().get_data()
        for hexstring in re.findall(rb"<([0-9a-fA-F\s]*)>", content):
            digits = re.sub(rb"\s", b"", hexstring)
            count += sum(1 for i in range(0, len(digits), 4) if digits[i:i + 4] == b"0000")
    return count


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under a folder with its SHA-256: to prove a failed build changed nothing."""
    if not folder.exists():
        return {}
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# --- A page's text as the PDF prints it -----------------------------------------------------

XHTML = "{http://www.w3.org/1999/xhtml}"
PRINT_HIDDEN = {"footnotes", "no-print"}   # classes print.css does not print
NOTE_BODY = "fn-print"                     # a footnote's text, printed at the page foot


def printed_elements(path: Path, *tags: str) -> list:
    """Every element of these kinds in a page's main content that the PDF prints."""
    import html5lib

    main = html5lib.parse(path.read_bytes()).find(f".//{XHTML}main")
    found = []

    def walk(element):
        if PRINT_HIDDEN & set(element.get("class", "").split()):
            return
        if element.tag in {XHTML + tag for tag in tags}:
            found.append(element)
        for child in element:
            walk(child)

    walk(main)
    return found


def printed_text(element, notes: bool = True) -> str:
    """An element's text without what print hides; without footnote texts unless
    ``notes``, for the text of the lines the element itself prints on."""
    classes = set(element.get("class", "").split())
    if PRINT_HIDDEN & classes or (not notes and NOTE_BODY in classes):
        return ""
    return (element.text or "") + "".join(printed_text(child, notes) + (child.tail or "")
                                          for child in element)


def structure_elements(node):
    """Every structure element under a node of a PDF's structure tree, in order."""
    import pikepdf

    kids = node.get("/K")
    for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
            yield kid
            yield from structure_elements(kid)
