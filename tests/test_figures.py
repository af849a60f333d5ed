"""Figures: checked files, a language's own file, inline in both outputs, numbered."""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from conftest import FIXTURES, build_fails, edit, line_of, pdf_text, run, tree_digest

LANGS = ("en", "ja", "ru", "ar")
CAPITALS = "content/capitals/brief.yaml"
LABEL = {"en": "Figure 1", "ja": "図1", "ru": "Рисунок 1", "ar": "الشكل 1"}
ALT = {"en": "A schematic of five dots", "ja": "首都ごとに一つの点を置き",
       "ru": "Схема из пяти точек", "ar": "مخطط من خمس نقاط"}
SRC_LINE = line_of(FIXTURES / "blocks" / CAPITALS, "src: capitals.svg")


@pytest.fixture
def fresh(blocks_fresh: Path) -> Path:
    return blocks_fresh


def figure_of(project: Path, lang: str) -> str:
    html = (project / "dist" / lang / "capitals.html").read_text(encoding="utf-8")
    return re.search(r'<figure class="figure figure-full" id="fig-capitals">.*?</figure>',
                     html, re.S)[0]


def svg_of(figure: str) -> str:
    data = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', figure)[1]
    return base64.b64decode(data).decode("utf-8")


@pytest.mark.parametrize("lang", LANGS)
def test_figure_is_inline_with_alt_text_and_numbered_label(blocks, lang):
    figure = figure_of(blocks, lang)
    assert re.search(rf'alt="{ALT[lang]}[^"]*"', figure), figure[-400:]
    label = re.search(r'<span class="figure-label">(.*?)</span>', figure)[1]
    assert re.sub(r"</?bdi>", "", label) == LABEL[lang]
    # Nothing to fetch: no other file is written and no address is requested.
    assert not re.search(r'src="(?!data:)', figure)


def test_a_language_uses_its_own_file_where_there_is_one(blocks):
    assert "アスタナ" in svg_of(figure_of(blocks, "ja"))
    for lang in ("en", "ru", "ar"):
        assert ">Astana</text>" in svg_of(figure_of(blocks, lang))
    # The SVG's text is text in the PDF, next to its caption.
    pages = [pdf_text(blocks / "dist/ja/capitals.ja.pdf", n) for n in (1, 2, 3)]
    page = next(text for text in pages if "図1" in text.replace(" ", ""))
    assert "ドゥシャンベ" in page
    written = sorted(p.relative_to(blocks / "dist").as_posix()
                     for p in (blocks / "dist").rglob("*") if p.is_file())
    assert all(re.fullmatch(r"(index\.html|manifest\.json|\.polybrief-cache\.json|"
                            r"\w+/\w+\.(html|\w+\.pdf))", p)
               for p in written), written


def test_cross_reference_to_a_figure(blocks):
    html = (blocks / "dist" / "ru" / "capitals.html").read_text(encoding="utf-8")
    assert '<a class="xref" href="#fig-capitals">рис. 1</a>' in html


def test_a_changed_image_rebuilds_the_documents_and_a_rebuild_is_identical(fresh, capsys):
    before = tree_digest(fresh / "dist")
    assert run(fresh, "build", "--lang", "en", "--force") == 0
    assert tree_digest(fresh / "dist") == before          # byte-identical
    capsys.readouterr()
    edit(fresh, "content/capitals/capitals.svg", ">Astana<", ">Astana (capital)<")
    assert run(fresh, "build", "--lang", "en") == 0
    # The capitals brief's page and PDF; the other brief is kept.
    assert "Built 2 documents, 4 pages" in (err := capsys.readouterr().err), err
    assert "kept 2 unchanged" in err
    assert "Astana (capital)" in svg_of(figure_of(fresh, "en"))


fails_with = build_fails


def write_svg(project: Path, body: str) -> None:
    (project / "content/capitals/capitals.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'viewBox="0 0 10 10">{body}</svg>', encoding="utf-8")


@pytest.mark.parametrize(("body", "why"), [
    ('<image href="https://example.org/x.png"/>',
     "refers to 'https://example.org/x.png'; an SVG figure may refer only to its own parts"),
    ('<image xlink:href="file:///etc/passwd"/>', "refers to 'file:///etc/passwd'"),
    ('<style>@import url(x.css);</style>', "has a stylesheet that refers outside the file"),
    ('<rect style="fill: url(http://x.org/p)"/>', "refers outside itself in style="),
    ('<script>alert(1)</script>', "holds a <script> element"),
    ('<rect onload="alert(1)"/>', "has an event handler (onload)"),
    ('<foreignObject><p>x</p></foreignObject>', "holds a <foreignObject> element"),
])
def test_an_svg_that_reaches_outside_itself_is_refused(fresh, capsys, body, why):
    write_svg(fresh, body)
    fails_with(fresh, capsys, f"error: {CAPITALS}:{SRC_LINE}:16: content/capitals/"
                              f"capitals.svg: {why}")


def test_an_svg_with_entities_is_refused(fresh, capsys):
    (fresh / "content/capitals/capitals.svg").write_text(
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa">]>'
        '<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>', encoding="utf-8")
    fails_with(fresh, capsys, "capitals.svg: an SVG with a DOCTYPE or entities is not accepted")


@pytest.mark.parametrize(("src", "why"), [
    ("nope.svg", "content/capitals/nope.svg: no such file"),
    ("../readings/brief.yaml", "'src' must be the name of a file in the brief's folder"),
    ("/etc/hostname", "'src' must be the name of a file in the brief's folder"),
    ("capitals.gif", "'src' must be an SVG, PNG or JPEG file"),
])
def test_a_figure_file_must_be_in_the_briefs_folder(fresh, capsys, src, why):
    edit(fresh, CAPITALS, "src: capitals.svg", f"src: {src}")
    fails_with(fresh, capsys, f"error: {CAPITALS}:{SRC_LINE}:16: {why}")


def test_a_link_out_of_the_folder_is_refused(fresh, capsys, tmp_path):
    (tmp_path / "outside.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (fresh / "content/capitals/linked.svg").symlink_to(tmp_path / "outside.svg")
    edit(fresh, CAPITALS, "src: capitals.svg", "src: linked.svg")
    fails_with(fresh, capsys, "content/capitals/linked.svg is a link to a file outside the "
                              "brief's folder")


def test_the_type_must_match_the_content(fresh, capsys):
    (fresh / "content/capitals/photo.png").write_bytes(b"GIF89a not a png")
    edit(fresh, CAPITALS, "src: capitals.svg", "src: photo.png")
    fails_with(fresh, capsys, "content/capitals/photo.png: is named .png but is not a PNG image")


def test_too_many_pixels_is_refused_and_a_soft_raster_is_a_warning(fresh, capsys):
    from PIL import Image

    Image.new("1", (10_000, 5_000)).save(fresh / "content/capitals/big.png")
    edit(fresh, CAPITALS, "src: capitals.svg", "src: big.png")
    fails_with(fresh, capsys, "content/capitals/big.png: has 10,000 × 5,000 pixels, over the "
                              "40,000,000 a figure may have")
    Image.new("RGB", (500, 300), "white").save(fresh / "content/capitals/small.png")
    edit(fresh, CAPITALS, "src: big.png", "src: small.png")
    assert run(fresh, "build", "--lang", "en") == 0
    err = capsys.readouterr().err
    assert ("content/capitals/small.png: 500 pixels wide, printed 170 mm wide: 74 ppi, "
            "below 150") in err, err
    figure = figure_of(fresh, "en")
    assert 'src="data:image/png;base64,' in figure and 'width="500" height="300"' in figure


def test_alt_text_is_required(fresh, capsys):
    edit(fresh, CAPITALS, "          alt: A schematic of five dots, one for each capital, with "
                          "its name beside it.\n", "")
    fails_with(fresh, capsys, "figure: missing required field 'alt'")


def test_unknown_figure_is_an_error(fresh, capsys):
    edit(fresh, CAPITALS, "shown in @fig-capitals", "shown in @fig-capital")
    fails_with(fresh, capsys, "@fig-capital names no figure of the brief")


def test_status_and_build_say_which_languages_use_the_shared_file(fresh, capsys):
    assert run(fresh, "status") == 0
    out = capsys.readouterr().out
    assert re.search(r"capitals\s*│ content/capitals/capitals\.svg\s*│ ja\s*│ en, ru, ar", out), out
    assert run(fresh, "build", "-v", "--lang", "en", "--lang", "ja") == 0
    assert ("content/capitals/capitals.svg: shared file in en; own file in ja"
            in capsys.readouterr().err)


def test_the_glyph_check_reads_an_svg_figures_labels(fresh, capsys):
    """A label no installed font draws is an error naming the language's own file."""
    edit(fresh, "content/capitals/capitals.ja.svg", ">アスタナ<", ">アスタナ\U0001cf00<")
    build_fails(fresh, capsys, "error: content/capitals/capitals.ja.svg: U+1CF00 '\U0001cf00' "
                               "(ja) is in no installed font")


def test_the_labels_of_a_language_s_own_svg_are_checked_in_that_language(blocks):
    from polybrief.project import load_project, render_page

    project = load_project(blocks)
    brief = next(b for b in project.briefs if b.id == "capitals")
    runs = render_page(project, brief, project.language("ja")).runs
    labels = [run for run in runs if run.path == "content/capitals/capitals.ja.svg"]
    assert len(labels) == 1 and "ビシュケク" in labels[0].text
    assert labels[0].language.tag == "ja"
