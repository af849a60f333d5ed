"""XLIFF 1.2 for CAT tools: export-xliff, import-xliff, and the round trip between them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from lxml import etree

from conftest import FIXTURES, ROOT, copy_project, run, tree_digest

NS = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
RU_PO = "locales/ru/LC_MESSAGES/mini.po"
RU_XLF = "xliff/ru/mini.xlf"


def catalogs(project: Path) -> dict[str, bytes]:
    return {p.relative_to(project).as_posix(): p.read_bytes()
            for p in (project / "locales").rglob("*.po")}


@pytest.mark.parametrize("source", [ROOT, *(FIXTURES / name for name in
                                            ("mini", "blocks", "scripts"))],
                         ids=["sample", "mini", "blocks", "scripts"])
def test_every_shipped_catalog_comes_back_byte_identical(source, tmp_path, capsys):
    project = copy_project(source, tmp_path / "project")
    before = catalogs(project)
    tags = sorted({path.split("/")[1] for path in before})
    for tag in tags:
        language = tag.replace("_", "-")
        assert run(project, "export-xliff", language, "-q") == 0
        files = sorted((project / "xliff" / language).glob("*.xlf"))
        assert len(files) == sum(path.startswith(f"locales/{tag}/") for path in before)
        assert run(project, "import-xliff", *map(str, files)) == 0
        assert "Imported XLIFF: catalogs: 0 changed" in capsys.readouterr().err
    assert catalogs(project) == before


def xliff_of(project: Path) -> etree._ElementTree:
    return etree.parse(str(project / RU_XLF))


def unit(tree, source: str):
    return next(u for u in tree.iterfind(".//x:trans-unit", NS)
                if "".join(u.find("x:source", NS).itertext()) == source)


def test_export_is_xliff_1_2_with_notes_locations_contexts_and_plurals(mini):
    assert run(mini, "export-xliff", "ru", "-q") == 0
    tree = xliff_of(mini)
    root = tree.getroot()
    assert root.get("version") == "1.2" and root.nsmap[None] == NS["x"]
    file = root.find("x:file", NS)
    assert (file.get("original"), file.get("source-language"), file.get("target-language")) \
        == (RU_PO, "en", "ru")
    title = unit(tree, "Rivers of the Steppe")
    assert title.find("x:target", NS).get("state") == "translated"
    assert title.get("approved") == "yes"
    assert title.find("x:note[@from='developer']", NS).text == "title"
    location = [c.text for c in title.iterfind("x:context-group/x:context", NS)]
    assert location == ["content/mini/brief.yaml", "3"]
    # The UI catalog: a plural entry is a group of forms; a context is kept.
    assert run(mini, "export-xliff", "ru", "-q") == 0
    ui = etree.parse(str(mini / "xliff/ru/messages.xlf"))
    group = ui.find(".//x:group[@restype='x-gettext-plurals']", NS)
    forms = group.findall("x:trans-unit", NS)
    assert len(forms) == 3 and forms[0].get("id").endswith("[0]")
    contexts = [c.text for c in ui.iterfind(".//x:context[@context-type='x-po-msgctxt']", NS)]
    assert "cross-reference" in contexts


def test_inline_markdown_and_placeholders_are_protected_codes(mini):
    assert run(mini, "export-xliff", "ru", "-q") == 0
    text = (mini / RU_XLF).read_text(encoding="utf-8")
    # A link's text is translatable; its markup and address are one code each.
    linked = re.search(r"<source>[^<]*<ph id=\"1\">\[</ph>[^<]+<ph id=\"2\">\]\(https?://[^)]+\)"
                       r"</ph>", text)
    assert linked, text[:2000]
    ui = (mini / "xliff/ru/messages.xlf").read_text(encoding="utf-8")
    assert '<ph id="1">%(num)d</ph>' in ui or '<ph id="1">%(num)s</ph>' in ui


def set_unit(project: Path, source: str, target: str | None, state: str) -> None:
    tree = xliff_of(project)
    element = unit(tree, source)
    found = element.find("x:target", NS)
    if found is None:
        found = etree.SubElement(element, f"{{{NS['x']}}}target")
        element.find("x:source", NS).addnext(found)
    if target is not None:
        found.text = target
    found.set("state", state)
    if state == "translated":
        element.set("approved", "yes")
    else:
        element.attrib.pop("approved", None)
    tree.write(str(project / RU_XLF), xml_declaration=True, encoding="UTF-8")


def entry(project: Path, msgid: str):
    return read_po((project / RU_PO).open("rb"))[msgid]


def test_states_map_both_ways(mini, capsys):
    assert run(mini, "export-xliff", "ru", "-q") == 0
    set_unit(mini, "Rivers of the Steppe", "Реки Великой степи", "translated")
    set_unit(mini, "Irrigation", None, "needs-review-translation")
    assert run(mini, "import-xliff", str(mini / RU_XLF)) == 0
    assert "Imported XLIFF: catalogs: 1 changed" in capsys.readouterr().err
    assert entry(mini, "Rivers of the Steppe").string == "Реки Великой степи"
    assert not entry(mini, "Rivers of the Steppe").fuzzy
    assert entry(mini, "Irrigation").fuzzy
    # And back: a fuzzy entry goes out as needing review.
    assert run(mini, "export-xliff", "ru", "-q") == 0
    target = unit(xliff_of(mini), "Irrigation").find("x:target", NS)
    assert target.get("state") == "needs-review-translation"


@pytest.mark.parametrize(("change", "message"), [
    (lambda t: t.replace('target-language="ru"', 'target-language="kk"'),
     "is for language 'kk', but locales/ru/LC_MESSAGES/mini.po is ru"),
    (lambda t: t.replace(f'original="{RU_PO}"', 'original="locales/ru/LC_MESSAGES/other.po"'),
     "is for 'locales/ru/LC_MESSAGES/other.po', which is not a catalog of this project"),
    (lambda t: t.replace("<source>Irrigation</source>", "<source>Irrigation!</source>"),
     "the source text of 'Irrigation' changed since the export; export again"),
    (lambda t: t.replace('<?xml version="1.0" encoding="UTF-8"?>',
                         '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "x">]>'),
     "an XLIFF file with a DOCTYPE or entities is not accepted"),
    (lambda t: t[:200], "is not XLIFF 1.2"),
])
def test_a_wrong_file_is_refused_and_no_catalog_changes(mini, capsys, change, message):
    assert run(mini, "export-xliff", "ru", "-q") == 0
    path = mini / RU_XLF
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")
    before = tree_digest(mini / "locales")
    assert run(mini, "import-xliff", str(path)) == 1
    err = capsys.readouterr().err
    assert message in err, err
    assert "Traceback" not in err
    assert tree_digest(mini / "locales") == before


def test_a_changed_source_names_the_line_of_its_unit(mini, capsys):
    assert run(mini, "export-xliff", "ru", "-q") == 0
    path = mini / RU_XLF
    text = path.read_text(encoding="utf-8").replace("<source>Irrigation</source>",
                                                    "<source>Irrigated</source>")
    path.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "Irrigated" in row)
    assert run(mini, "import-xliff", str(path)) == 1
    assert re.search(rf"error: xliff/ru/mini.xlf:{line - 1}|error: .*mini.xlf:{line - 1}",
                     capsys.readouterr().err)


def test_an_unknown_language_is_one_line(mini, capsys):
    assert run(mini, "export-xliff", "kk") == 1
    assert "'kk' is not a configured language (en, ru, ja)" in capsys.readouterr().err


def test_footnote_calls_citations_and_cross_references_are_codes(blocks_fresh):
    assert run(blocks_fresh, "export-xliff", "ja", "-q") == 0
    text = (blocks_fresh / "xliff/ja/capitals.xlf").read_text(encoding="utf-8")
    for code in ("[^fn-roles]", "@tbl-sizes", "[@demo, p. 4]", "[@fig-change; @fig-growth]",
                 "]{lang=kk}", "]{.notranslate}"):
        assert re.search(rf'<ph id="\d+">{re.escape(code)}</ph>', text), code
