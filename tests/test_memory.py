"""Translation memory: update --fill from the project and TMX files, export-tm."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

from conftest import run, tree_digest
from polybrief.i18n import load_catalog, parse_language

CHANGED = ("The Amu Darya and the Syr Darya cross the region.",
           "The Amu Darya and the Syr Darya both cross the region.")


def add_second_brief(project: Path) -> None:
    """A second brief, the first's text with one sentence changed."""
    text = (project / "content" / "mini" / "brief.yaml").read_text(encoding="utf-8")
    (project / "content" / "second").mkdir()
    (project / "content" / "second" / "brief.yaml").write_text(
        text.replace("id: mini", "id: second", 1).replace(*CHANGED), encoding="utf-8")


def catalog(project: Path, lang: str, domain: str):
    path = project / "locales" / lang.replace("-", "_") / "LC_MESSAGES" / f"{domain}.po"
    return load_catalog(path, path.name, domain, parse_language(lang), project).catalog


def test_fill_translates_exact_matches_and_marks_close_ones_fuzzy(mini, capsys):
    add_second_brief(mini)
    assert run(mini, "update", "--fill") == 0
    err = capsys.readouterr().err
    assert "Filled ru from memory: 20 exact, 1 fuzzy" in err
    second = catalog(mini, "ru", "second")
    assert second["Rivers of the Steppe"].string == "Реки степи"
    assert not second["Rivers of the Steppe"].fuzzy
    close = second[CHANGED[1]]
    assert close.fuzzy and close.string == "Амударья и Сырдарья пересекают регион."
    assert close.previous_id == [CHANGED[0]]
    text = (mini / "locales/ru/LC_MESSAGES/second.po").read_text(encoding="utf-8")
    assert f'#| msgid "{CHANGED[0]}"' in text
    # Filled, and filled again: nothing changes.
    before = tree_digest(mini / "locales")
    assert run(mini, "update", "--fill", "-q") == 0
    assert tree_digest(mini / "locales") == before


def test_fill_never_overwrites_a_translation(mini):
    add_second_brief(mini)
    assert run(mini, "update", "-q") == 0
    po = mini / "locales/ru/LC_MESSAGES/second.po"
    text = po.read_text(encoding="utf-8").replace(
        'msgid "Irrigation"\nmsgstr ""', 'msgid "Irrigation"\nmsgstr "Ирригация"')
    po.write_text(text, encoding="utf-8")
    assert run(mini, "update", "--fill", "-q") == 0
    assert catalog(mini, "ru", "second")["Irrigation"].string == "Ирригация"
    assert catalog(mini, "ru", "mini")["Irrigation"].string == "Орошение"


def test_a_tmx_file_fills_too_and_export_tm_writes_one(mini, tmp_path, capsys):
    assert run(mini, "export-tm", "ru") == 0
    assert "Exported" in capsys.readouterr().err
    tmx = mini / "tm" / "ru.tmx"
    from translate.storage import tmx as tmx_storage

    store = tmx_storage.tmxfile(tmx.read_bytes())
    pairs = {unit.source: unit.target for unit in store.units}
    assert pairs["Rivers of the Steppe"] == "Реки степи"
    # A project with an empty Russian catalog takes the translations from the file.
    po = mini / "locales/ru/LC_MESSAGES/mini.po"
    blank = read_po(po.open("rb"))
    for message in blank:
        if message.id:
            message.string = ("",) * len(message.string) if isinstance(
                message.string, tuple) else ""
    from polybrief.i18n import serialize_catalog

    po.write_bytes(serialize_catalog(blank))
    copy = tmp_path / "ru.tmx"
    copy.write_bytes(tmx.read_bytes())
    assert run(mini, "update", "--tm", str(copy)) == 0
    assert "Filled ru from memory: 21 exact" in capsys.readouterr().err
    assert catalog(mini, "ru", "mini")["Rivers of the Steppe"].string == "Реки степи"


def test_a_bad_tmx_file_is_one_line_and_no_catalog_changes(mini, tmp_path, capsys):
    bad = tmp_path / "bad.tmx"
    bad.write_text("<tmx><body><tu>", encoding="utf-8")
    assert run(mini, "update", "-q") == 0
    before = tree_digest(mini / "locales")
    assert run(mini, "update", "--tm", str(bad)) == 1
    err = capsys.readouterr().err
    assert "bad.tmx: is not a TMX file" in err and "Traceback" not in err
    assert tree_digest(mini / "locales") == before


def test_export_tm_of_an_unknown_language_is_one_line(mini, capsys):
    assert run(mini, "export-tm", "kk") == 1
    assert "'kk' is not a configured language (en, ru, ja)" in capsys.readouterr().err
