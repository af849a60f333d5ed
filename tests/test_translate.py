"""Extraction and the catalog workflow: init, update, determinism."""

from __future__ import annotations

from babel.messages.pofile import read_po

from conftest import run
from polybrief.i18n import load_catalog, parse_language


def pot(project, domain):
    return read_po((project / "locales" / f"{domain}.pot").open("rb"))


def test_extract_writes_content_segments_with_yaml_locations(mini):
    (mini / "locales" / "mini.pot").unlink()
    assert run(mini, "extract", "-q") == 0
    catalog = pot(mini, "mini")
    title = catalog.get("Rivers of the Steppe")
    assert title.locations == [("content/mini/brief.yaml", 3)]
    assert catalog.get("2400 km").locations == [("content/mini/brief.yaml", 26)]
    ids = {m.id for m in catalog if m.id}
    assert len(ids) == 21
    for untranslatable in ("mini", "2025-06-17", "KZ", "https://example.org/rivers",
                           "polybrief", "Rivers of Central Asia"):
        assert untranslatable not in ids


def test_extract_collects_ui_strings_with_plurals(mini):
    catalog = pot(mini, "messages")
    message = catalog.get(("Covers %(num)d country: %(list)s",
                           "Covers %(num)d countries: %(list)s"))
    assert message is not None and message.pluralizable
    assert message.locations[0][0] == "templates/brief.html.j2"


def test_extract_twice_leaves_templates_byte_identical(mini):
    assert run(mini, "extract", "-q") == 0
    first = {p.name: p.read_bytes() for p in (mini / "locales").glob("*.pot")}
    assert run(mini, "extract", "-q") == 0
    assert first == {p.name: p.read_bytes() for p in (mini / "locales").glob("*.pot")}


def test_init_creates_catalogs_with_cldr_headers_and_configures_language(mini):
    assert run(mini, "init", "kk", "-q") == 0
    po = mini / "locales" / "kk" / "LC_MESSAGES" / "mini.po"
    catalog = read_po(po.open("rb"))
    assert str(catalog.locale) == "kk"
    assert catalog.plural_forms == "nplurals=2; plural=(n != 1);"
    assert '"en", "ru", "ja", "kk"' in (mini / "pyproject.toml").read_text()
    assert run(mini, "build", "-q", "--lang", "kk") == 0
    assert (mini / "dist" / "kk" / "mini.kk.pdf").is_file()


def test_init_refuses_unknown_tag(mini, capsys):
    assert run(mini, "init", "xx-Foo") == 1
    assert "unknown language tag 'xx-Foo'" in capsys.readouterr().err


def test_update_marks_changed_paragraph_fuzzy_with_previous_msgid(mini):
    brief = mini / "content" / "mini" / "brief.yaml"
    brief.write_text(brief.read_text().replace(
        "The Amu Darya and the Syr Darya cross the region.",
        "The Amu Darya and the Syr Darya both cross the region."))
    assert run(mini, "update", "-q") == 0
    po = mini / "locales" / "ru" / "LC_MESSAGES" / "mini.po"
    catalog = load_catalog(po, "mini.po", "mini", parse_language("ru"), mini).catalog
    message = catalog.get("The Amu Darya and the Syr Darya both cross the region.")
    assert message.fuzzy
    assert message.previous_id == ["The Amu Darya and the Syr Darya cross the region."]
    assert message.string == "Амударья и Сырдарья пересекают регион."
    text = (mini / "locales" / "ru" / "LC_MESSAGES" / "mini.po").read_text()
    assert '#| msgid "The Amu Darya and the Syr Darya cross the region."' in text
    before = {p: p.read_bytes() for p in (mini / "locales").rglob("*.po*")}
    assert run(mini, "update", "-q") == 0
    assert before == {p: p.read_bytes() for p in (mini / "locales").rglob("*.po*")}


def test_update_creates_the_catalogs_of_a_brief_added_after_init(mini, capsys):
    """A second brief arrives after init: update sets up its catalog in every language
    but its source, and the next update changes nothing."""
    second = mini / "content" / "second"
    second.mkdir()
    text = (mini / "content" / "mini" / "brief.yaml").read_text(encoding="utf-8")
    (second / "brief.yaml").write_text(text.replace("id: mini", "id: second", 1),
                                       encoding="utf-8")
    assert run(mini, "update") == 0
    assert "Created catalogs: 2" in capsys.readouterr().err
    for lang in ("ru", "ja"):
        po = mini / "locales" / lang / "LC_MESSAGES" / "second.po"
        catalog = load_catalog(po, po.name, "second", parse_language(lang), mini).catalog
        assert catalog.get("Rivers of the Steppe") is not None
        assert catalog.get("Rivers of the Steppe").string == ""
    assert not (mini / "locales" / "en" / "LC_MESSAGES" / "second.po").exists()
    before = {p: p.read_bytes() for p in (mini / "locales").rglob("*.po*")}
    assert run(mini, "update") == 0
    assert "Created catalogs" not in capsys.readouterr().err
    assert before == {p: p.read_bytes() for p in (mini / "locales").rglob("*.po*")}


def test_readme_example_brief_loads_and_builds(tmp_path):
    import re
    import shutil

    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(id: rivers.*?)```", readme, re.DOTALL)[1]
    project = tmp_path / "readme"
    (project / "content" / "rivers").mkdir(parents=True)
    (project / "content" / "rivers" / "brief.yaml").write_text(example, encoding="utf-8")
    shutil.copytree(ROOT / "templates", project / "templates")
    (project / "pyproject.toml").write_text(
        '[tool.polybrief]\nlanguages = ["en"]\n[tool.polybrief.fonts]\n'
        'Latn = { serif = ["Noto Serif"], sans = ["Noto Sans"] }\n', encoding="utf-8")
    assert run(project, "build", "-q") == 0
    assert (project / "dist" / "en" / "rivers.en.pdf").is_file()


def test_init_of_a_script_without_configured_fonts_leaves_a_project_that_builds(mini, capsys):
    assert run(mini, "init", "ar") == 0
    err = capsys.readouterr().err
    assert "Fonts for ar: Noto Naskh Arabic, Noto Serif (text), Noto Sans Arabic, Noto Sans " \
           "(headings)" in err
    assert 'Arab = { serif = ["Noto Naskh Arabic", "Noto Serif"], sans = ["Noto Sans Arabic", ' \
           '"Noto Sans"] }' in err
    assert run(mini, "init", "he", "-q") == 0  # a second init works too
    assert run(mini, "status", "--json") == 0
    assert run(mini, "build", "-q", "--lang", "ar", "--lang", "he") == 0
    assert (mini / "dist" / "ar" / "mini.ar.pdf").is_file()


def test_each_entry_tells_the_translator_where_it_sits():
    """An extracted comment names the section, the block and the part of it."""
    from conftest import FIXTURES, ROOT

    capitals = pot(FIXTURES / "blocks", "capitals")
    where = {m.id: m.auto_comments for m in capitals if m.id}
    assert where["Overview"] == ["1. Overview › heading"]
    assert "1. Overview › figure fig-capitals: alt text" in where[
        "A schematic of five dots, one for each capital, with its name beside it."]
    assert "1. Overview › 1.2. Sizes › table tbl-sizes, row Astana, column 1" in where["Astana"]
    # Numbered through the document as readers see them: the second table is table 2.
    assert "2. Change › table 2: caption" in where["Change in population, per cent (illustrative)"]
    assert where["Population, made-up figures"] == ["2. Change › chart fig-growth: title"]
    sample = pot(ROOT, "china-central-asia")
    heading = "安全保障面での位置づけ"
    assert sample.get(heading).auto_comments == [f"3. {heading} › heading"]
    assert any(m.auto_comments == ["3. 安全保障面での位置づけ › paragraph 2"] for m in sample)
    assert any(m.auto_comments == ["footnote fn-years"] for m in sample)


def test_only_a_fuzzy_entry_keeps_its_previous_source(tmp_path):
    """A confirmed entry drops the #| msgid of what it was made from when written;
    a fuzzy one keeps it, and it reads back as that entry's previous source."""
    from babel.messages.catalog import Catalog

    from polybrief.i18n import serialize_catalog

    catalog = Catalog(locale="ru")
    catalog.add("New", "Новый", previous_id="Old")
    catalog.add("Changed", "Изменённый", flags=("fuzzy",), previous_id="Change")
    path = tmp_path / "x.po"
    path.write_bytes(serialize_catalog(catalog))
    text = path.read_text(encoding="utf-8")
    assert '#| msgid "Old"' not in text and '#| msgid "Change"' in text
    again = load_catalog(path, "x.po", "x", parse_language("ru"), tmp_path).catalog
    assert again["Changed"].previous_id == ["Change"] and again["New"].previous_id == []
    assert again["New"].user_comments == again["Changed"].user_comments == []
