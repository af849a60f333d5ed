"""Tagged PDFs: PDF/UA-1 by default, PDF/A on request, checked by two independent
validators (outloud and pdfua) and, element by element, with pikepdf."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pikepdf
import pytest

from conftest import FIXTURES, ROOT, copy_project, edit, pdf_text, run

BIN = Path(sys.executable).parent
SAMPLE_LANGS = ("ja", "en", "zh-Hans", "ru", "kk")


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    project = copy_project(ROOT, tmp_path_factory.mktemp("tagged") / "sample")
    assert run(project, "build", "-q") == 0
    return project


@pytest.fixture(scope="module")
def mini_built(tmp_path_factory) -> Path:
    project = copy_project(FIXTURES / "mini", tmp_path_factory.mktemp("tagged") / "mini")
    assert run(project, "build", "-q") == 0
    return project


def sample_pdf(project: Path, lang: str) -> Path:
    return project / "dist" / lang / f"china-central-asia.{lang}.pdf"


# --- Walking the structure tree -----------------------------------------------------------

def elements(pdf: pikepdf.Pdf):
    """Every structure element in document order, with its depth."""
    def walk(node, depth):
        kids = node.get("/K")
        if kids is None:
            return
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                yield kid, depth
                yield from walk(kid, depth + 1)
    yield from walk(pdf.Root.StructTreeRoot, 0)


def kinds(pdf: pikepdf.Pdf) -> list[str]:
    return [str(e.S) for e, _ in elements(pdf)]


def content_of(pdf: pikepdf.Pdf) -> dict[tuple[int, int], str]:
    """Text shown in each marked-content sequence, by (page index, MCID)."""
    texts: dict[tuple[int, int], str] = {}
    for index, page in enumerate(pdf.pages):
        stack: list[int | None] = []
        for operands, operator in pikepdf.parse_content_stream(page):
            op = str(operator)
            if op == "BDC":
                props = operands[1]
                stack.append(int(props.MCID) if isinstance(props, pikepdf.Dictionary)
                             and "/MCID" in props else None)
            elif op == "BMC":
                stack.append(None)
            elif op == "EMC":
                stack.pop()
            elif op in ("Tj", "TJ") and stack and stack[-1] is not None:
                key = (index, stack[-1])
                texts[key] = texts.get(key, "") + "•"   # shown glyphs; codes are font-specific
    return texts


def page_index(pdf: pikepdf.Pdf, page) -> int:
    return next(i for i, p in enumerate(pdf.pages) if p.objgen == page.objgen)


# --- What the validators say ----------------------------------------------------------------

# Heuristics of outloud's semantic layer that misread three correct constructs, each
# accepted only in exactly that form:
# - TAG-002: the running header (the title, on every page but the first), which
#   PDF/UA 7.8 asks to be an artifact, read as prose on documents of 3–5 pages;
# - TBL-010: a table whose header row and header column outnumber its 2 × 2 data cells;
# - TXT-004: several glyphs of one Arabic letter or Indic vowel sign mapped to that one
#   character: the contextual forms a shaping engine chooses between.
# - ORD-001: list markers and ruby, which WeasyPrint paints after the text around them
#   (they are positioned boxes); the tree has them in reading order, and everything
#   else is painted in tree order (checked by test_pages_paint_content_in_tree_order).
def _accepted(finding: dict, title: str | None) -> bool:
    if finding["rule"] == "ORD-001" and finding["severity"] == "warning":
        return True
    if finding["rule"] == "TAG-002":
        return title is not None and finding.get("evidence", "").strip() == title
    if finding["rule"] == "TBL-010":
        numbers = re.findall(r"(\d+) header cells against (\d+) data cells", finding["message"])
        return bool(numbers) and int(numbers[0][1]) <= 4 and int(numbers[0][0]) <= 5
    if finding["rule"] == "TXT-004" and finding["severity"] == "warning":
        char = re.search(r"all map to U\+([0-9A-F]{4,6})", finding["message"])
        if char:
            name = unicodedata.name(chr(int(char[1], 16)), "")
            return name.startswith("ARABIC LETTER") or "VOWEL SIGN" in name
    return False


def outloud(paths: list[Path], tmp_path: Path) -> list[dict]:
    report = tmp_path / "outloud.json"
    subprocess.run([BIN / "outloud", "--json", str(report), "-q", *map(str, paths)],
                   capture_output=True, text=True, timeout=300)
    results = json.loads(report.read_text())["results"]
    assert len(results) == len(paths)
    return results


def titles_of(paths: list[Path]) -> dict[str, str]:
    titles = {}
    for path in paths:
        with pikepdf.open(path) as pdf:
            titles[str(path)] = str(pdf.docinfo.get("/Title", ""))
    return titles


def all_pdfs(*projects: Path) -> list[Path]:
    return sorted(p for project in projects for p in (project / "dist").rglob("*.pdf"))


def test_outloud_finds_no_pdf_ua_failure_in_the_sample_and_fixtures(sample, mini_built,
                                                                   scripts, blocks, tmp_path):
    paths = all_pdfs(sample, mini_built, scripts, blocks)
    assert len(paths) == 5 + 3 + 12 + 6
    titles = titles_of(paths)
    failures = []
    for result in outloud(paths, tmp_path):
        assert not result["error"], result
        for finding in result["findings"]:
            if not finding.get("severity") or finding["severity"] == "info":
                continue
            if _accepted(finding, titles[result["path"]]):
                continue
            failures.append(f"{Path(result['path']).name}: {finding['rule']} "
                            f"{finding['severity']}: {finding['message']}")
    assert not failures, "\n".join(failures)


def test_pdfua_checker_passes_every_pdf(sample, mini_built, scripts, blocks):
    paths = all_pdfs(sample, mini_built, scripts, blocks)
    done = subprocess.run([BIN / "pdfua", "check", *map(str, paths)], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    assert done.stdout.count("result: PASS") == len(paths)


def test_the_validators_catch_an_untagged_pdf(tmp_path, mini):
    """The checks above can fail: an untagged PDF fails both."""
    assert run(mini, "build", "-q", "--lang", "en", "--pdf-standard", "none") == 0
    path = mini / "dist" / "en" / "mini.en.pdf"
    rules = {f["rule"] for f in outloud([path], tmp_path)[0]["findings"] if f.get("severity")}
    assert {"DOC-001", "DOC-002", "DOC-012"} <= rules
    assert subprocess.run([BIN / "pdfua", "check", str(path)], capture_output=True).returncode


def tree_order(pdf: pikepdf.Pdf) -> list[tuple[int, int, str]]:
    """(page index, MCID, structure type) of every marked-content item, in tree order;
    the type of an item inside a list label or ruby is that of the label or ruby."""
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    found = []

    def walk(node, page, kind):
        page = pages.get(node.Pg.objgen, page) if "/Pg" in node else page
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None
                    else []):
            if isinstance(kid, int):
                found.append((page, int(kid), kind or str(node.S)))
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                walk(kid, page, kind or (str(kid.S) if kid.S in POSITIONED else None))
    walk(pdf.Root.StructTreeRoot, None, None)
    return found


# Painted after the text around them: list markers, ruby, and images, which WeasyPrint
# clips to their box (overflow: hidden) and so paints in a stacking context of their own.
POSITIONED = ("/Lbl", "/Ruby", "/Figure")


def paint_order(pdf: pikepdf.Pdf, index: int) -> list[int]:
    return [int(operands[1].MCID)
            for operands, operator in pikepdf.parse_content_stream(pdf.pages[index])
            if str(operator) == "BDC" and isinstance(operands[1], pikepdf.Dictionary)
            and "/MCID" in operands[1]]


def test_pages_paint_content_in_tree_order(sample, scripts, blocks):
    """What a reader hears (the tree) and what the page paints agree, list markers,
    ruby and images aside; in right-to-left documents too."""
    paths = [*all_pdfs(sample, blocks), *(scripts / "dist" / lang / f"scripts.{lang}.pdf"
                                           for lang in ("ar", "he", "fa", "ja"))]
    for path in paths:
        with pikepdf.open(path) as pdf:
            order = tree_order(pdf)
            for index in range(len(pdf.pages)):
                markers = {m for page, m, kind in order
                           if page == index and kind in POSITIONED}
                tree = [m for page, m, _ in order if page == index and m not in markers]
                painted = [m for m in paint_order(pdf, index) if m not in markers]
                assert tree == painted, (path.name, index)
                assert sorted(tree + list(markers)) == sorted(paint_order(pdf, index))


# --- The structure, element by element -----------------------------------------------------

@pytest.mark.parametrize("lang", SAMPLE_LANGS)
def test_document_level_entries(sample, lang):
    with pikepdf.open(sample_pdf(sample, lang)) as pdf:
        assert str(pdf.Root.Lang) == lang
        assert pdf.Root.MarkInfo.Marked is True
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        meta = pdf.open_metadata()
        assert meta.get("pdfuaid:part") == "1"
        xmp = bytes(pdf.Root.Metadata.read_bytes()).decode()
        title = str(pdf.docinfo.Title)
        assert f'xml:lang="{lang}">{_xml(title)}</rdf:li>' in xmp
        for page in pdf.pages:
            if "/Annots" in page:
                assert page.Tabs == "/S"


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("lang", SAMPLE_LANGS)
def test_one_h1_then_h2_by_level(sample, lang):
    with pikepdf.open(sample_pdf(sample, lang)) as pdf:
        headings = [k for k in kinds(pdf) if re.fullmatch(r"/H\d", k)]
        assert headings.count("/H1") == 1 and headings[0] == "/H1"
        levels = [int(h[2]) for h in headings]
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
        assert levels.count(2) >= 5


@pytest.mark.parametrize("lang", SAMPLE_LANGS)
def test_table_header_cells_are_scoped(sample, lang):
    with pikepdf.open(sample_pdf(sample, lang)) as pdf:
        scopes = [str(e.A.Scope) for e, _ in elements(pdf) if e.S == "/TH"]
        assert scopes.count("/Column") == 3 and scopes.count("/Row") == 3, scopes
        tables = [e for e, _ in elements(pdf) if e.S == "/Table"]
        assert len(tables) == 1
        assert any(k.S == "/Caption" for k in tables[0].K if isinstance(k, pikepdf.Dictionary))


@pytest.mark.parametrize("lang", ("ja", "ru"))
def test_lists_are_l_li_lbl_lbody(sample, lang):
    with pikepdf.open(sample_pdf(sample, lang)) as pdf:
        items = [e for e, _ in elements(pdf) if e.S == "/LI"]
        assert len(items) >= 6
        for item in items:
            assert item.P.S == "/L"
            parts = [str(k.S) for k in item.K if isinstance(k, pikepdf.Dictionary)]
            assert "/LBody" in parts, parts


@pytest.mark.parametrize("lang", SAMPLE_LANGS)
def test_contents_are_toc_and_toci_with_references(sample, lang):
    """One contents tree: sections are entries, a section's subsections a nested TOC."""
    with pikepdf.open(sample_pdf(sample, lang)) as pdf:
        tocs = [(e, depth) for e, depth in elements(pdf) if e.S == "/TOC"]
        outer = min(depth for _, depth in tocs)
        assert [depth for _, depth in tocs] == [outer, outer + 1]
        entries = []
        for toc, _ in tocs:
            kids = [k for k in toc.K if isinstance(k, pikepdf.Dictionary)]
            assert {str(k.S) for k in kids} <= {"/TOCI", "/TOC"}, kids
            entries += [k for k in kids if k.S == "/TOCI"]
        assert len(entries) == 6 + 3
        for entry in entries:
            parts = [str(k.S) for k in entry.K if isinstance(k, pikepdf.Dictionary)]
            assert "/Reference" in parts and "/LBody" not in parts, parts


@pytest.mark.parametrize("lang", SAMPLE_LANGS)
def test_every_link_annotation_sits_in_a_link_element_and_says_where_it_goes(sample, lang):
    with pikepdf.open(sample_pdf(sample, lang)) as pdf:
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        parents = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
        count = 0
        for page in pdf.pages:
            for annotation in page.get("/Annots", []):
                count += 1
                assert annotation.Subtype == "/Link"
                assert str(annotation.Contents).strip(), annotation
                assert int(annotation.F) & 4   # printed
                element = parents[int(annotation.StructParent)]
                assert element.S == "/Link"
                assert any(isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"
                           and k.Obj.objgen == annotation.objgen for k in element.K)
        assert count >= 7   # the contents, the sources


def test_link_descriptions_are_the_link_text(sample):
    with pikepdf.open(sample_pdf(sample, "en")) as pdf:
        descriptions = {str(a.Contents) for p in pdf.pages for a in p.get("/Annots", [])}
    assert any(d.startswith("CGTN") or "https://www.cgtn.com/" in d for d in descriptions)
    assert not any(d.startswith("#") for d in descriptions), descriptions


@pytest.mark.parametrize("lang", SAMPLE_LANGS)
def test_running_headers_and_page_numbers_are_artifacts(sample, lang):
    with pikepdf.open(sample_pdf(sample, lang)) as pdf:
        content = content_of(pdf)
        referenced = set()
        nums = pdf.Root.StructTreeRoot.ParentTree.Nums
        for i in range(0, len(nums), 2):
            if isinstance(nums[i + 1], pikepdf.Array):
                referenced |= {(int(nums[i]), m) for m, _ in enumerate(nums[i + 1])}
        assert set(content) <= referenced   # all tagged text is in the tree
        for index, page in enumerate(pdf.pages):
            stream = page.Contents.read_bytes()
            assert re.search(rb"/Artifact\s*<<\s*/Type\s*/Pagination\s*>>\s*BDC", stream), index


def test_fallback_segments_and_foreign_names_carry_their_language(mini, tmp_path):
    edit(mini, "locales/ru/LC_MESSAGES/mini.po", 'msgstr "Реки степи"', 'msgstr ""')
    assert run(mini, "build", "-q", "--lang", "ru") == 0
    with pikepdf.open(mini / "dist" / "ru" / "mini.ru.pdf") as pdf:
        assert str(pdf.Root.Lang) == "ru"
        tagged = [e for e, _ in elements(pdf) if "/Lang" in e]
        assert tagged and all(str(e.Lang) == "en" for e in tagged)
        heading = tagged[0]
        while heading.S not in ("/H1", "/Document"):
            heading = heading.P
        assert heading.S == "/H1"   # the untranslated title


def test_sources_in_another_language_carry_it(sample):
    with pikepdf.open(sample_pdf(sample, "ja")) as pdf:
        langs = {str(e.Lang) for e, _ in elements(pdf) if "/Lang" in e}
    assert "en" in langs   # the English title of a cited source


def test_rtl_structure_follows_the_logical_order(scripts):
    """Arabic and Hebrew: the tree lists blocks in the order the HTML has them."""
    for lang in ("ar", "he", "fa"):
        html = (scripts / "dist" / lang / "scripts.html").read_text(encoding="utf-8")
        body = html[html.index("<main"):]
        expected = [f"/{t.upper()}" if t[0] == "h" else {"p": "/P", "table": "/Table",
                    "ul": "/L", "ol": "/L"}[t]
                    for t in re.findall(r"<(h[1-6]|p|table|ul|ol)[\s>]", body)]
        with pikepdf.open(scripts / "dist" / lang / f"scripts.{lang}.pdf") as pdf:
            found = [k for k in kinds(pdf) if k in set(expected)]
        assert found == expected, lang


@pytest.mark.parametrize("lang", ("ja", "ru"))
def test_compaction_keeps_the_structure(sample, lang, tmp_path):
    out = tmp_path / "full"
    assert run(sample, "build", "-q", "--lang", lang, "--no-compact-fonts", "--out",
               str(out)) == 0
    with pikepdf.open(out / lang / f"china-central-asia.{lang}.pdf") as full, \
            pikepdf.open(sample_pdf(sample, lang)) as compact:
        assert kinds(full) == kinds(compact)
        assert content_of(full).keys() == content_of(compact).keys()


# --- Choosing the standards ----------------------------------------------------------------

def test_pdf_a_2u_with_ua_1_declares_both(mini):
    assert run(mini, "build", "-q", "--lang", "en", "--pdf-standard", "ua-1",
               "--pdf-standard", "a-2u") == 0
    with pikepdf.open(mini / "dist" / "en" / "mini.en.pdf") as pdf:
        meta = pdf.open_metadata()
        assert meta.get("pdfuaid:part") == "1"
        assert meta.get("pdfaid:part") == "2" and meta.get("pdfaid:conformance") == "U"
        xmp = pdf.Root.Metadata.read_bytes().decode()
        assert "<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>" in xmp
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
        assert "/StructTreeRoot" in pdf.Root


def test_ua_2_is_pdf_2(mini):
    assert run(mini, "build", "-q", "--lang", "en", "--pdf-standard", "ua-2") == 0
    with pikepdf.open(mini / "dist" / "en" / "mini.en.pdf") as pdf:
        assert pdf.pdf_version == "2.0"
        assert pdf.open_metadata().get("pdfuaid:part") == "2"


def test_an_empty_list_turns_tagging_off(mini):
    edit(mini, "pyproject.toml", "[tool.polybrief]", "[tool.polybrief]\npdf_standards = []")
    assert run(mini, "build", "-q", "--lang", "en") == 0
    with pikepdf.open(mini / "dist" / "en" / "mini.en.pdf") as pdf:
        assert "/StructTreeRoot" not in pdf.Root and "/MarkInfo" not in pdf.Root


@pytest.mark.parametrize("value, message", [
    ('["ua-2", "a-2u"]', "ua-2 is written as PDF 2.0"),
    ('["ua-1", "ua-2"]', "a PDF conforms to one part of PDF/UA and one of PDF/A at most"),
    ('["a-2b", "a-3u"]', "a PDF conforms to one part of PDF/UA and one of PDF/A at most"),
    ('["ua-1", "ua-1"]', "lists a standard twice"),
    ('["pdf/ua-1"]', "unknown standard 'pdf/ua-1'"),
    ('"ua-1"', "must be a list of standards"),
])
def test_impossible_standards_are_refused_naming_the_key(mini, capsys, value, message):
    edit(mini, "pyproject.toml", "[tool.polybrief]",
         f"[tool.polybrief]\npdf_standards = {value}")
    before = sorted(p.name for p in mini.rglob("*"))
    assert run(mini, "build", "-q") == 1
    err = capsys.readouterr().err
    line = next(n for n, text in enumerate(
        (mini / "pyproject.toml").read_text().splitlines(), 1) if "pdf_standards" in text)
    assert f"pyproject.toml:{line}: [tool.polybrief] 'pdf_standards' {message}" in err, err
    assert sorted(p.name for p in mini.rglob("*")) == before


def test_a_bad_standard_on_the_command_line_is_one_line(mini, capsys):
    assert run(mini, "build", "-q", "--pdf-standard", "ua-3") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("error: --pdf-standard: unknown standard 'ua-3'"), err
    assert not (mini / "dist").exists()


def test_changing_the_standard_rebuilds_the_pdfs(mini, capsys):
    assert run(mini, "build", "--lang", "en") == 0
    assert run(mini, "build", "--lang", "en", "--pdf-standard", "a-2b") == 0
    assert "kept" not in capsys.readouterr().err.splitlines()[-1]
    with pikepdf.open(mini / "dist" / "en" / "mini.en.pdf") as pdf:
        assert pdf.open_metadata().get("pdfaid:part") == "2"
        assert "/StructTreeRoot" in pdf.Root


def test_ruby_is_ruby_rb_rt(scripts):
    with pikepdf.open(scripts / "dist" / "ja" / "scripts.ja.pdf") as pdf:
        rubies = [e for e, _ in elements(pdf) if e.S == "/Ruby"]
        assert len(rubies) >= 2
        for ruby in rubies:
            parts = [str(k.S) for k in ruby.K if isinstance(k, pikepdf.Dictionary)]
            assert parts[0] == "/RB" and "/RT" in parts, parts


def test_tagged_complex_scripts_rebuild_byte_identical(tmp_path):
    """/ActualText, the folded tree and the XMP come out the same every time."""
    project = copy_project(FIXTURES / "scripts", tmp_path / "p")
    langs = [arg for lang in ("hi", "th", "ar", "ja") for arg in ("--lang", lang)]
    for out in ("a", "b"):
        assert run(project, "build", "-q", "--format", "pdf", *langs,
                   "--out", str(tmp_path / out)) == 0
    for lang in ("hi", "th", "ar", "ja"):
        name = f"{lang}/scripts.{lang}.pdf"
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_complex_script_text_extracts_whole(scripts):
    """Searching and copying Devanagari gives the words as written, not a glyph's
    first mapping (स्रोत came out as स्रोति before /ActualText)."""
    text = pdf_text(scripts / "dist" / "hi" / "scripts.hi.pdf")
    html = (scripts / "dist" / "hi" / "scripts.html").read_text(encoding="utf-8")
    for word in ("स्रोत", "लिपियाँ", "कज़ाखस्तान"):
        assert word in html
        assert word in text, word
    assert "स्रोति" not in text
