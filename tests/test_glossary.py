"""The project glossary: required terms and forbidden variants, in check, status and comments."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from conftest import run, tree_digest
from polybrief.glossary import Glossary, load_glossary

RU_PO = "locales/ru/LC_MESSAGES/mini.po"
GLOSSARY = """term,en,ru,ja,!ru,note
Central Asia,,Центральн* Ази*,中央アジア,Средн* Ази*,the five states
Amu Darya,,Амударь*|Аму-Дарь*,アムダリヤ,,
treaty,,соглашени*,条約,договор*,the word the agreements use
"""


def with_glossary(project: Path, text: str = GLOSSARY) -> Path:
    (project / "glossary.csv").write_text(text, encoding="utf-8")
    return project


def line_of_msgid(project: Path, msgid: str) -> int:
    return read_po((project / RU_PO).open("rb"))[msgid].lineno


def test_check_names_a_missing_term_and_a_forbidden_variant(mini, capsys):
    with_glossary(mini)
    assert run(mini, "check") == 0      # warnings: a release decision, not a broken file
    out = capsys.readouterr().out
    line = line_of_msgid(mini, "Water is **shared** by treaty.")
    assert (f"{RU_PO}:{line}: warning: the source has the glossary term 'treaty'; the "
            f"translation has none of 'соглашени*'") in out
    assert (f"{RU_PO}:{line}: warning: the translation uses 'договор*', which the glossary "
            f"forbids for 'treaty'") in out


def test_inflected_forms_and_case_are_tolerated(mini, capsys):
    """«в Центральной Азии» and «Амударья» match the stems; nothing is reported for them."""
    with_glossary(mini)
    assert run(mini, "check") == 0
    out = capsys.readouterr().out
    assert "Central Asia" not in out and "Amu Darya" not in out
    glossary = load_glossary(mini)
    assert glossary.problems("Central Asia", "ЦЕНТРАЛЬНАЯ АЗИЯ", "ru") == []
    assert glossary.problems("Central Asia", "Средняя Азия", "ru") == [
        "the source has the glossary term 'Central Asia'; the translation has none of "
        "'Центральн* Ази*'",
        "the translation uses 'Средн* Ази*', which the glossary forbids for 'Central Asia'"]
    # A term is a whole word in cased scripts: "EU" is not in "EUROPE".
    eu = Glossary(load_glossary(with_glossary(mini, "term,ru\nEU,ЕС\n")).terms)
    assert eu.found_in("EUROPE") == [] and len(eu.found_in("the EU said")) == 1


def test_status_counts_glossary_problems(mini, capsys):
    with_glossary(mini)
    assert run(mini, "status", "--json") == 0
    rows = {(r["domain"], r["lang"]): r for r in json.loads(capsys.readouterr().out)}
    assert rows[("mini", "ru")]["glossary"] == 2
    assert rows[("mini", "ja")]["glossary"] == 0   # its catalog writes 条約 and 中央アジア


def test_update_puts_the_terms_in_the_entry_comment(mini):
    with_glossary(mini)
    assert run(mini, "update", "-q") == 0
    message = read_po((mini / RU_PO).open("rb"))["The Amu Darya and the Syr Darya cross the "
                                                 "region."]
    assert any(c.startswith("glossary: Amu Darya (ja: アムダリヤ; ru: Амударь* | Аму-Дарь*)")
               for c in message.auto_comments), message.auto_comments


@pytest.mark.parametrize(("text", "message"), [
    ("name,ru\nx,y\n", "glossary.csv:1: the header row must start with 'term'"),
    ("term,russian\nx,y\n", "glossary.csv:1: column 'russian' is not a language tag"),
    ("term,ru\nx,y,z\n", "glossary.csv:2: row has 3 cells but the header has 2"),
    ("term,ru\n,y\n", "glossary.csv:2: the term (first cell) is empty"),
])
def test_a_bad_glossary_is_one_line_naming_file_and_line(mini, capsys, text, message):
    with_glossary(mini, text)
    before = tree_digest(mini / "locales")
    assert run(mini, "check") == 1
    err = capsys.readouterr().err
    assert re.search(rf"error: {re.escape(message)}", err), err
    assert "Traceback" not in err
    assert tree_digest(mini / "locales") == before
