"""Font compaction: smaller PDFs whose pages draw and extract exactly as before."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zlib
from pathlib import Path

import pikepdf
import pytest
from fontTools.cffLib import CFFFontSet
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont

from polybrief import compact
from polybrief.compact import compact_pdf_fonts

FAMILIES = ("Noto Serif CJK JP", "Noto Sans CJK JP", "Noto Sans CJK SC", "Noto Serif")


def _installed(family: str) -> bool:
    result = subprocess.run(["fc-list", f":family={family}", "family"], capture_output=True,
                            text=True, check=False)
    return any(family in line.split(",") for line in result.stdout.splitlines())


pytestmark = [
    pytest.mark.skipif(not all(shutil.which(tool) for tool in ("pdftoppm", "pdftotext",
                                                               "pdffonts", "qpdf", "fc-list")),
                       reason="poppler-utils, qpdf and fontconfig are needed"),
]


@pytest.fixture(scope="module", autouse=True)
def _fonts_installed():
    missing = [family for family in FAMILIES if not _installed(family)]
    if missing:
        pytest.skip(f"fonts not installed: {', '.join(missing)}")


# --------------------------------------------------------------------------- documents

JA_SENTENCES = (
    "第2回中国・中央アジアサミットにおいて、中国と中央アジア5カ国は恒久的な善隣友好協力条約に"
    "署名し、協力の「質の高い発展の年」とすることで合意した。本稿は、この枠組みの成り立ちと安全"
    "保障面での役割を概観し、米国・EU・G7などとの相違点として論じられている3点を整理する。"
)
ZH_SENTENCES = (
    "在第二届中国—中亚峰会上，中国与中亚五国签署了永久睦邻友好合作条约，并商定将两年定为合作"
    "“高质量发展之年”。本文概述这一机制的形成及其在安全领域的作用，并整理与美国、欧盟和七国"
    "集团等机制相比较时常被讨论的三点差异。"
)


def _ideographs(start: int, count: int) -> str:
    """`count` different CJK ideographs spread over the whole URO block (Noto CJK has them all)."""
    return "".join(chr(0x4E00 + (start + 37 * i) % 20902) for i in range(count))


def _cjk_html(sentences: str, body: str, heading: str, lang: str) -> str:
    paragraphs = []
    for n in range(10):
        paragraphs.append(f"<h2>第{n + 1}節 {sentences[:12]}</h2>")
        paragraphs.append(f"<p>{sentences}<strong>{sentences[20:40]}</strong>"
                          f"{_ideographs(45 * n, 45)}{sentences}{sentences[::-1]}"
                          f'<span class="latin">Central Asia {2025 + n}, ratio {n}.5 %</span></p>')
    return f"""<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><style>
      @page {{ size: A4; margin: 2cm }}
      body {{ font-family: "{body}"; font-size: 11pt; line-height: 1.7 }}
      h1, h2 {{ font-family: "{heading}"; font-weight: bold }}
      strong {{ font-weight: bold }}
      .latin {{ font-family: "Noto Serif" }}
    </style></head><body><h1>{sentences[:16]}</h1>{''.join(paragraphs)}</body></html>"""


JA_HTML = _cjk_html(JA_SENTENCES, "Noto Serif CJK JP", "Noto Sans CJK JP", "ja")
ZH_HTML = _cjk_html(ZH_SENTENCES, "Noto Sans CJK SC", "Noto Sans CJK SC", "zh-Hans")
LATIN_HTML = """<!doctype html><html lang="en"><head><meta charset="utf-8"><style>
  body { font-family: "Noto Serif"; font-size: 11pt }
  h1 { font-weight: bold }
</style></head><body>
  <h1>China and Central Asia — Қазақстан, Кыргызстан</h1>
  <p>The <strong>Treaty on Permanent Good-Neighbourliness</strong> was signed in <em>Astana</em>;
  café, naïve, façade, Ærø, Łódź, Việt Nam, “quotes”, 1 234,5 €.</p>
  <p>Договор о вечном добрососедстве, дружбе и сотрудничестве подписан в Астане: ёлка, йод,
  <strong>Жаңа кезең</strong> — әріптестік, ғылым, қоғам, өңір, ұйым, үкімет, һәм, іс.</p>
</body></html>"""


def _write_pdf(html: str, path: Path) -> Path:
    import weasyprint

    identifier = path.stem.encode().ljust(32, b"0")  # as polybrief.pdf.write_pdf gives one
    path.write_bytes(weasyprint.HTML(string=html).write_pdf(pdf_identifier=identifier))
    return path


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The test documents, each rendered once by WeasyPrint from its HTML string."""
    folder = tmp_path_factory.mktemp("compact")
    return {name: _write_pdf(html, folder / f"{name}.pdf")
            for name, html in (("ja", JA_HTML), ("zh-Hans", ZH_HTML), ("latin", LATIN_HTML))}


def _compacted(source: Path, dest: Path) -> Path:
    dest.write_bytes(compact_pdf_fonts(source.read_bytes()))
    return dest


# --------------------------------------------------------------------------- checks


def _rasters(pdf: Path, folder: Path) -> list[bytes]:
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "100", str(pdf), str(folder / "page")], check=True)
    return [page.read_bytes() for page in sorted(folder.glob("page-*.ppm"))]


def _text(pdf: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout


def _assert_same_pages(before: Path, after: Path, tmp_path: Path) -> None:
    old, new = _rasters(before, tmp_path / "before"), _rasters(after, tmp_path / "after")
    assert len(old) == len(new) > 0
    for number, (a, b) in enumerate(zip(old, new, strict=True), 1):
        assert a == b, f"page {number} draws differently"
    assert _text(before) == _text(after)
    assert _text(before, "-layout") == _text(after, "-layout")


def _assert_qpdf_clean(pdf: Path) -> None:
    result = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower()


def _fonts(pdf: Path) -> list[tuple[str, str, tuple[str, str, str]]]:
    """(name, type, (emb, sub, uni)) of each font pdffonts lists."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                         check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        match = re.match(r"(\S+)\s+(.+?)\s+Identity-[HV]\s+(yes|no)\s+(yes|no)\s+(yes|no)\s", line)
        assert match, line
        rows.append((match[1], match[2], (match[3], match[4], match[5])))
    return rows


def _assert_fonts_embedded(pdf: Path) -> None:
    fonts = _fonts(pdf)
    assert fonts
    for name, _kind, flags in fonts:
        assert flags == ("yes", "yes", "yes"), f"{name}: emb/sub/uni {flags}"


def _cid_fonts(pdf: pikepdf.Pdf) -> dict[str, pikepdf.Dictionary]:
    """Descendant CIDFonts by BaseFont."""
    found = {}
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type0":
            found[str(obj.BaseFont)] = obj.DescendantFonts[0]
    return found


def _widths(descendant: pikepdf.Dictionary) -> set[int]:
    cids: set[int] = set()
    items = list(descendant.W)
    i = 0
    while i < len(items):
        if isinstance(items[i + 1], pikepdf.Array):
            cids.update(range(int(items[i]), int(items[i]) + len(items[i + 1])))
            i += 2
        else:
            cids.update(range(int(items[i]), int(items[i + 1]) + 1))
            i += 3
    return cids


def _charstrings_by_cid(descendant: pikepdf.Dictionary) -> tuple[dict[int, bytes], int]:
    """CID → charstring bytes of a CID-keyed CFF CIDFont, and its glyph count."""
    program = descendant.FontDescriptor.FontFile3
    data = program.read_bytes()
    if program.Subtype == "/OpenType":
        data = TTFont(io.BytesIO(data)).reader["CFF "]
    fonts = CFFFontSet()
    fonts.decompile(io.BytesIO(data), None)
    top = fonts[fonts.fontNames[0]]
    charstrings = top.CharStrings
    by_cid = {}
    for name in top.charset:
        cid = 0 if name == ".notdef" else int(name[3:])
        charstring = charstrings[name]
        charstring.compile()
        by_cid[cid] = charstring.bytecode
    return by_cid, len(top.charset)


def _outlines_by_cid(descendant: pikepdf.Dictionary, cids: set[int]) -> dict[int, list]:
    """CID → decomposed outline of a TrueType CIDFont, through its CIDToGIDMap."""
    font = TTFont(io.BytesIO(descendant.FontDescriptor.FontFile2.read_bytes()))
    order = font.getGlyphOrder()
    mapping = descendant.get("/CIDToGIDMap")
    if isinstance(mapping, pikepdf.Stream):
        table = mapping.read_bytes()
        gid_of = {cid: int.from_bytes(table[2 * cid:2 * cid + 2], "big") for cid in cids}
    else:
        gid_of = {cid: cid for cid in cids}
    glyphs = font.getGlyphSet()
    outlines = {}
    for cid, gid in gid_of.items():
        pen = DecomposingRecordingPen(glyphs)
        glyphs[order[gid]].draw(pen)
        outlines[cid] = pen.value
    return outlines


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("lang", ["ja", "zh-Hans"])
def test_cjk_pdf_shrinks_and_every_page_draws_and_extracts_the_same(documents, lang, tmp_path):
    before = documents[lang]
    after = _compacted(before, tmp_path / "compact.pdf")
    ratio = after.stat().st_size / before.stat().st_size
    print(f"{lang}: {before.stat().st_size} -> {after.stat().st_size} bytes ({ratio:.1%})")
    assert ratio <= 0.55
    _assert_same_pages(before, after, tmp_path)
    _assert_qpdf_clean(after)
    _assert_fonts_embedded(after)
    kinds = {name: kind for name, kind, _ in _fonts(after)}
    assert kinds == {name: kind.replace(" (OT)", "") for name, kind, _ in _fonts(before)}
    assert any(kind == "CID Type 0C" for kind in kinds.values())


@pytest.mark.parametrize("lang", ["ja", "zh-Hans"])
def test_content_widths_and_unicode_maps_are_untouched(documents, lang, tmp_path):
    before = documents[lang]
    after = _compacted(before, tmp_path / "compact.pdf")
    with pikepdf.open(before) as old, pikepdf.open(after) as new:
        for old_page, new_page in zip(old.pages, new.pages, strict=True):
            assert old_page.Contents.read_bytes() == new_page.Contents.read_bytes()
        old_fonts, new_fonts = _cid_fonts(old), _cid_fonts(new)
        assert old_fonts.keys() == new_fonts.keys()
        for name, descendant in new_fonts.items():
            assert _widths(descendant) == _widths(old_fonts[name])
        for obj in old.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") == "/Type0":
                match = [o for o in new.objects if isinstance(o, pikepdf.Dictionary)
                         and o.get("/BaseFont") == obj.BaseFont and o.get("/Subtype") == "/Type0"]
                assert match[0].ToUnicode.read_bytes() == obj.ToUnicode.read_bytes()


def test_compacted_cff_keeps_the_outline_of_every_cid_drawn_and_drops_the_rest(documents,
                                                                               tmp_path):
    before = documents["ja"]
    after = _compacted(before, tmp_path / "compact.pdf")
    with pikepdf.open(before) as old, pikepdf.open(after) as new:
        old_fonts, new_fonts = _cid_fonts(old), _cid_fonts(new)
        cff_fonts = [name for name, d in new_fonts.items() if d.Subtype == "/CIDFontType0"]
        assert len(cff_fonts) == 3  # serif, serif bold, sans bold
        for name in cff_fonts:
            drawn = _widths(new_fonts[name])
            old_glyphs, old_count = _charstrings_by_cid(old_fonts[name])
            new_glyphs, new_count = _charstrings_by_cid(new_fonts[name])
            assert new_fonts[name].FontDescriptor.FontFile3.Subtype == "/CIDFontType0C"
            assert drawn <= set(new_glyphs)
            for cid in drawn | {0}:
                assert new_glyphs[cid] == old_glyphs[cid], f"{name} CID {cid}"
            assert new_count == len(new_glyphs) < old_count / 20
            assert set(new_glyphs) - drawn == {0}  # .notdef, first, and nothing else


def test_compaction_is_deterministic_and_idempotent(documents):
    data = documents["ja"].read_bytes()
    once = compact_pdf_fonts(data)
    assert compact_pdf_fonts(data) == once
    assert compact_pdf_fonts(once) == once
    with pikepdf.open(io.BytesIO(data)) as old, pikepdf.open(io.BytesIO(once)) as new:
        assert new.trailer.ID[0] == old.trailer.ID[0]  # same document, new revision


def test_an_uncompressed_pdf_is_compacted_and_deflated_once(documents, tmp_path):
    import weasyprint

    raw = weasyprint.HTML(string=JA_HTML).write_pdf(pdf_identifier=b"ja".ljust(32, b"0"),
                                                    uncompressed_pdf=True)
    result = compact_pdf_fonts(raw, compress=True)
    assert compact_pdf_fonts(raw, compress=True) == result
    after = tmp_path / "once.pdf"
    after.write_bytes(result)
    _assert_same_pages(documents["ja"], after, tmp_path)
    _assert_qpdf_clean(after)
    # The same size as compacting WeasyPrint's compressed output, give or take the xref.
    compressed = len(compact_pdf_fonts(documents["ja"].read_bytes()))
    assert abs(len(result) - compressed) < compressed * 0.01
    with pikepdf.open(after) as pdf:
        assert b"/ObjStm" in result
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.get("/Type") != "/XRef":
                assert obj.get("/Filter") == "/FlateDecode", obj.objgen


def test_an_uncompressed_pdf_with_nothing_to_compact_is_still_deflated(tmp_path):
    import weasyprint

    raw = weasyprint.HTML(string=LATIN_HTML).write_pdf(uncompressed_pdf=True)
    compressed = weasyprint.HTML(string=LATIN_HTML).write_pdf()
    result = compact_pdf_fonts(raw, compress=True)
    assert len(result) < len(raw) / 2
    assert abs(len(result) - len(compressed)) < len(compressed) * 0.05
    before, after = tmp_path / "raw.pdf", tmp_path / "deflated.pdf"
    before.write_bytes(raw)
    after.write_bytes(result)
    _assert_same_pages(before, after, tmp_path)
    _assert_qpdf_clean(after)


def test_small_truetype_subsets_are_not_rewritten(documents, monkeypatch):
    def refuse(*args):
        raise AssertionError("small TrueType subsets need no content scan")

    monkeypatch.setattr(compact, "_shown_codes", refuse)
    data = documents["latin"].read_bytes()
    assert compact_pdf_fonts(data) == data


def test_latin_and_cyrillic_pdf_never_grows_and_draws_the_same(documents, tmp_path):
    before = documents["latin"]
    after = _compacted(before, tmp_path / "compact.pdf")
    assert after.stat().st_size <= before.stat().st_size
    _assert_same_pages(before, after, tmp_path)
    _assert_qpdf_clean(after)
    _assert_fonts_embedded(after)


def test_truetype_fonts_get_a_cid_to_gid_map_and_keep_their_outlines(documents, tmp_path,
                                                                     monkeypatch):
    # Flate squeezes the empty slots of these small subsets so well that rewriting them
    # costs more than it saves; force it to check the TrueType path.
    monkeypatch.setattr(compact, "_MIN_GAIN", -10**9)
    monkeypatch.setattr(compact, "TRUETYPE_MIN_SLOTS", 0)
    before = documents["latin"]
    after = _compacted(before, tmp_path / "compact.pdf")
    _assert_same_pages(before, after, tmp_path)
    _assert_qpdf_clean(after)
    _assert_fonts_embedded(after)
    with pikepdf.open(before) as old, pikepdf.open(after) as new:
        old_fonts, new_fonts = _cid_fonts(old), _cid_fonts(new)
        assert len(new_fonts) >= 3  # regular, bold, italic
        for name, descendant in new_fonts.items():
            assert descendant.Subtype == "/CIDFontType2"
            assert isinstance(descendant.CIDToGIDMap, pikepdf.Stream)
            drawn = _widths(descendant)
            assert _outlines_by_cid(descendant, drawn) == _outlines_by_cid(old_fonts[name], drawn)
            old_count = TTFont(io.BytesIO(
                old_fonts[name].FontDescriptor.FontFile2.read_bytes()))["maxp"].numGlyphs
            font = TTFont(io.BytesIO(descendant.FontDescriptor.FontFile2.read_bytes()))
            assert font["maxp"].numGlyphs < old_count
            assert font["maxp"].numGlyphs <= len(drawn) + 20  # + .notdef, blank, components
            assert font.getGlyphOrder()[0] == ".notdef"
            assert descendant.FontDescriptor.FontFile2.Length1 == len(
                descendant.FontDescriptor.FontFile2.read_bytes())
    assert compact_pdf_fonts(after.read_bytes()) == after.read_bytes()


def test_text_painted_from_a_form_xobject_keeps_its_glyphs(tmp_path):
    html = """<html><body style="font-family: 'Noto Serif CJK JP'">
      <p>見出しの前の本文。</p><p style="opacity: 0.5">半透明の段落は別のフォームに描かれる。</p>
      </body></html>"""
    before = _write_pdf(html, tmp_path / "opacity.pdf")
    with pikepdf.open(before) as pdf:
        forms = [o for o in pdf.objects
                 if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Form"]
        assert any(b"TJ" in form.read_bytes() or b"Tj" in form.read_bytes() for form in forms)
    after = _compacted(before, tmp_path / "compact.pdf")
    assert after.stat().st_size < before.stat().st_size * 0.55
    _assert_same_pages(before, after, tmp_path)


def test_glyphs_are_kept_for_the_codes_shown_even_without_widths(documents, tmp_path):
    """The content streams alone decide too: drop /W, and every drawn glyph stays."""
    source = tmp_path / "no-widths.pdf"
    with pikepdf.open(documents["ja"]) as pdf:
        for descendant in _cid_fonts(pdf).values():
            del descendant["/W"]
        pdf.save(source)
    after = _compacted(source, tmp_path / "compact.pdf")
    assert after.stat().st_size < source.stat().st_size * 0.55
    _assert_same_pages(source, after, tmp_path)


def test_a_font_program_that_cannot_be_read_is_left_as_it_is(documents, tmp_path):
    source = tmp_path / "broken-font.pdf"
    with pikepdf.open(documents["ja"]) as pdf:
        descendant = _cid_fonts(pdf)[next(n for n in _cid_fonts(pdf) if "Sans-CJK" in n)]
        program = descendant.FontDescriptor.FontFile3
        program.write(zlib.compress(b"OTTO" + bytes(200)), filter=pikepdf.Name.FlateDecode)
        broken = program.read_raw_bytes()
        pdf.save(source)
    after = _compacted(source, tmp_path / "compact.pdf")
    assert after.stat().st_size < source.stat().st_size * 0.55  # the other fonts shrank
    _assert_qpdf_clean(after)
    with pikepdf.open(after) as pdf:
        programs = [d.FontDescriptor.FontFile3 for n, d in _cid_fonts(pdf).items()
                    if "Sans-CJK" in n]
        assert programs[0].read_raw_bytes() == broken
        assert programs[0].Subtype == "/OpenType"


def test_a_document_with_a_form_keeps_every_glyph_that_draws(documents, tmp_path):
    source = tmp_path / "form.pdf"
    with pikepdf.open(documents["ja"]) as pdf:
        pdf.Root.AcroForm = pdf.make_indirect(pikepdf.Dictionary(Fields=pikepdf.Array()))
        pdf.save(source)
    plain = _compacted(documents["ja"], tmp_path / "plain.pdf")
    after = _compacted(source, tmp_path / "compact.pdf")
    assert plain.stat().st_size < after.stat().st_size < source.stat().st_size * 0.55
    _assert_same_pages(source, after, tmp_path)


def test_a_pdf_a_1_stays_pdf_1_4_and_its_cid_sets_list_the_glyphs_kept(tmp_path):
    import weasyprint

    html = ("<html><body style=\"font-family: 'Noto Serif CJK JP'\"><p>日本語の文章。"
            "<b>太字の見出し</b></p></body></html>")
    before = tmp_path / "pdfa.pdf"
    before.write_bytes(weasyprint.HTML(string=html).write_pdf(pdf_variant="pdf/a-1b"))
    after = _compacted(before, tmp_path / "compact.pdf")
    assert after.stat().st_size < before.stat().st_size * 0.55
    _assert_same_pages(before, after, tmp_path)
    _assert_qpdf_clean(after)
    with pikepdf.open(after) as pdf:
        assert pdf.pdf_version == "1.4"
        assert b"/ObjStm" not in after.read_bytes() and b"/XRef" not in after.read_bytes()
        checked = 0
        for descendant in _cid_fonts(pdf).values():
            if descendant.Subtype != "/CIDFontType0":
                continue
            bits = descendant.FontDescriptor.CIDSet.read_bytes()
            listed = {i for i in range(8 * len(bits)) if bits[i >> 3] & (0x80 >> (i & 7))}
            assert listed == set(_charstrings_by_cid(descendant)[0])
            checked += 1
        assert checked == 2


def test_what_is_not_a_pdf_comes_back_unchanged():
    assert compact_pdf_fonts(b"not a PDF") == b"not a PDF"


def test_a_pdf_without_fonts_comes_back_unchanged(tmp_path):
    import weasyprint

    data = weasyprint.HTML(string="<div style='width: 2cm; height: 2cm; background: red'>"
                                  "</div>").write_pdf()
    assert compact_pdf_fonts(data) == data
