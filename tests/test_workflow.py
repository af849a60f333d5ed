"""The translator's workflow end to end: init, translate, build, update, status, check."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
from babel.messages.pofile import read_po

from conftest import pdf_text, run
from polybrief.i18n import serialize_catalog

PARAGRAPH = "The Amu Darya and the Syr Darya cross the region."
RU_PO = "locales/ru/LC_MESSAGES/mini.po"

GERMAN = {
    "Rivers of the Steppe": "Flüsse der Steppe",
    "Water sharing in Central Asia": "Wasserteilung in Zentralasien",
    "Test Desk": "Testredaktion",
    PARAGRAPH: "Amudarja und Syrdarja durchqueren die Region.",
    "Upstream [dams](https://example.org/dams) matter downstream.":
        "[Staudämme](https://example.org/dams) am Oberlauf zählen am Unterlauf.",
}


def fill(po_path, table):
    """Translate a catalog by script, as a translator would in Poedit."""
    catalog = read_po(po_path.open("rb"))
    for message in catalog:
        if message.id in table:
            message.string = table[message.id]
    po_path.write_bytes(serialize_catalog(catalog))


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def status_rows(project, capsys):
    assert run(project, "status", "--json") == 0
    return {(r["domain"], r["lang"]): r for r in json.loads(capsys.readouterr().out)}


def test_new_language_from_init_to_pdf(mini, capsys):
    assert run(mini, "init", "de", "-q") == 0
    po = mini / "locales" / "de" / "LC_MESSAGES" / "mini.po"
    fill(po, GERMAN)
    msgfmt = subprocess.run(["msgfmt", "--check-format", "--check-header", "-o", "/dev/null",
                             str(po)], capture_output=True, text=True)
    assert msgfmt.returncode == 0, msgfmt.stderr
    assert run(mini, "build", "-q", "--lang", "de") == 0
    text = re.sub(r"\s+", " ", pdf_text(mini / "dist" / "de" / "mini.de.pdf"))
    assert "Flüsse der Steppe" in text and "17. Juni 2025" in text
    assert "Kasachstan, Usbekistan und Tadschikistan" in text
    html = (mini / "dist" / "de" / "mini.html").read_text()
    assert '<p lang="en" data-fallback>Two rivers feed five countries' in html
    row = status_rows(mini, capsys)["mini", "de"]
    assert (row["translated"], row["untranslated"], row["segments"]) == (5, 16, 21)


def test_changed_source_goes_fuzzy_and_the_build_falls_back(mini, capsys):
    edit(mini / "content/mini/brief.yaml", PARAGRAPH, "The Amu Darya and the Syr Darya "
         "both cross the region.")
    assert run(mini, "update", "-q") == 0
    assert '#| msgid "The Amu Darya and the Syr Darya cross the region."' in (
        mini / RU_PO).read_text()
    row = status_rows(mini, capsys)["mini", "ru"]
    assert (row["translated"], row["fuzzy"], row["untranslated"]) == (20, 1, 0)
    assert row["percent"] == 95.2

    assert run(mini, "build", "-q", "--lang", "ru") == 0
    html = (mini / "dist" / "ru" / "mini.html").read_text()
    assert ('<p lang="en" data-fallback>The Amu Darya and the Syr Darya both cross the region.'
            in html)
    notice = "Черновик перевода — переведено 95\u00a0%"
    assert notice in html
    assert notice.replace("\u00a0", " ") in pdf_text(mini / "dist" / "ru" / "mini.ru.pdf")
    manifest = json.loads((mini / "dist" / "manifest.json").read_text())
    assert {e["coverage"] for e in manifest if e["lang"] == "ru"} == {0.9524}

    assert run(mini, "build", "-q", "--lang", "ru", "--use-fuzzy") == 0
    html = (mini / "dist" / "ru" / "mini.html").read_text()
    assert "<p>Амударья и\u00a0Сырдарья пересекают регион.</p>" in html
    assert "Черновик перевода" not in html


def test_strict_and_min_coverage_refuse_incomplete_languages(mini, capsys):
    edit(mini / RU_PO, 'msgstr "Орошение"', 'msgstr ""')
    assert run(mini, "build", "-q") == 0
    capsys.readouterr()
    before = (mini / "dist" / "manifest.json").read_bytes()
    assert run(mini, "build", "--strict") == 1
    err = capsys.readouterr().err
    assert (f"error: {RU_PO}: ru is 95% translated (0 fuzzy, 1 untranslated of 21); "
            "--strict requires 100%") in err
    assert (mini / "dist" / "manifest.json").read_bytes() == before

    edit(mini / "pyproject.toml", 'paper = "A4"', 'paper = "A4"\nmin_coverage = { ru = 99 }')
    assert run(mini, "build") == 1
    assert "min_coverage requires 99%" in capsys.readouterr().err
    assert run(mini, "build", "-q", "--lang", "ja") == 0


def test_status_min_coverage_gates_ci(mini, capsys):
    assert run(mini, "status", "--min-coverage", "100") == 0
    edit(mini / RU_PO, 'msgstr "Орошение"', 'msgstr ""')
    capsys.readouterr()
    assert run(mini, "status", "--min-coverage", "100") == 1
    assert "error: mini [ru] is 95.2% translated, below --min-coverage 100%" in (
        capsys.readouterr().err)
    assert run(mini, "status", "--min-coverage", "90") == 0


def test_status_counts_words_and_obsolete(mini, capsys):
    edit(mini / "content/mini/brief.yaml", "          - Hydropower\n", "")
    assert run(mini, "update", "-q") == 0
    assert '#~ msgid "Hydropower"' in (mini / RU_PO).read_text()
    row = status_rows(mini, capsys)["mini", "ru"]
    assert (row["segments"], row["obsolete"], row["words_percent"]) == (20, 1, 100.0)


def test_status_shows_pages_of_built_pdfs(mini, capsys):
    assert run(mini, "build", "-q", "--lang", "ja") == 0
    rows = status_rows(mini, capsys)
    assert rows["mini", "ja"]["pages"] >= 1 and rows["mini", "ru"]["pages"] is None


CHECK_CASES = {
    "syntax": ('msgstr "Орошение"', 'msgstr "Орошение', "unterminated or badly escaped string"),
    "placeholder": (None, None, "placeholder %(list)s missing from the translation"),
    "plural count": (None, None, "2 plural forms given, the language has 3"),
    "header plurals": ("nplurals=3", "nplurals=2",
                       "Plural-Forms declares nplurals=2 but ru has 3 plural forms in CLDR"),
    "link dropped": ('msgstr "[Плотины](https://example.org/dams) в',
                     'msgstr "Плотины в',
                     "the translation drops the source's link to https://example.org/dams"),
    "emphasis dropped": ('msgstr "Вода **делится** по договору."',
                         'msgstr "Вода делится по договору."',
                         "the translation drops the source's strong"),
    "raw html": ('msgstr "Орошение"', 'msgstr "<b>Орошение</b>"',
                 "raw HTML in the translation: <b>"),
    "file url": ('msgstr "Гидроэнергетика"', 'msgstr "[x](file:///etc/passwd)"',
                 "unsafe URL in the translation: file:"),
    "whitespace": ('msgstr "Орошение"', 'msgstr " Орошение"',
                   "leading/trailing whitespace differs from the source"),
}


@pytest.mark.parametrize("case", list(CHECK_CASES))
def test_check_reports_each_problem_with_file_and_line(mini, capsys, case):
    old, new, message = CHECK_CASES[case]
    target = mini / RU_PO
    if case == "placeholder":
        target, old, new = (mini / "locales/ru/LC_MESSAGES/messages.po",
                            'msgstr[0] "Охватывает %(num)d страну: %(list)s"',
                            'msgstr[0] "Охватывает %(num)d страну"')
    if case == "plural count":
        target, old, new = (mini / "locales/ru/LC_MESSAGES/messages.po",
                            'msgstr[2] "Охватывает %(num)d стран: %(list)s"\n', "")
    lines = target.read_text().splitlines()
    edit(target, old, new)
    assert run(mini, "check") == 1
    err = capsys.readouterr().err
    rel = target.relative_to(mini).as_posix()
    found = [line for line in err.splitlines() if message in line]
    assert found, err
    number = int(re.match(rf"{re.escape(rel)}:(\d+): ", found[0]).group(1))
    first = old.splitlines()[0]
    edited = next(i for i, text in enumerate(lines, 1) if first in text)
    entry = max([i for i, text in enumerate(lines[:edited], 1) if text.startswith("msgid ")]
                or [1])
    assert number in (edited, entry), (found[0], edited, entry)


def test_check_warns_about_untranslated_copies_without_failing(mini, capsys):
    edit(mini / RU_PO, 'msgstr "Вода связывает будущее региона."',
         "msgstr \"Water links the region's future.\"")
    assert run(mini, "check") == 0
    out = capsys.readouterr().out
    assert re.search(rf"{RU_PO}:\d+: warning: translation is identical to the source", out)


def test_check_warns_about_a_source_translated_otherwise_in_another_brief(mini, capsys):
    second = mini / "content" / "second"
    second.mkdir()
    text = (mini / "content" / "mini" / "brief.yaml").read_text(encoding="utf-8")
    (second / "brief.yaml").write_text(text.replace("id: mini", "id: second", 1),
                                       encoding="utf-8")
    assert run(mini, "update", "-q") == 0
    other = "locales/ru/LC_MESSAGES/second.po"
    catalog = read_po((mini / RU_PO).open("rb"))
    new = read_po((mini / other).open("rb"))
    for message in catalog:
        if message.id:
            new[message.id].string = message.string
    new["Rivers of the Steppe"].string = "Реки великой равнины"
    (mini / other).write_bytes(serialize_catalog(new))
    assert run(mini, "check") == 0
    out = capsys.readouterr().out
    first = read_po((mini / RU_PO).open("rb"))["Rivers of the Steppe"].lineno
    found = [line for line in out.splitlines() if "translated otherwise" in line]
    assert len(found) == 1, out
    assert re.match(rf"{other}:\d+: warning: 'Rivers of the Steppe' is translated otherwise "
                    rf"in {RU_PO}:{first} \('Реки степи'\)", found[0]), found[0]


def test_check_passes_clean_catalogs_and_msgfmt_agrees(mini, capsys):
    assert run(mini, "check") == 0
    assert "Checked catalogs: 0 errors, 0 warnings" in capsys.readouterr().err
    if shutil.which("msgfmt"):
        for po in (mini / "locales").glob("*/LC_MESSAGES/*.po"):
            assert subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(po)]).returncode == 0


def test_malicious_translation_is_reported_and_rendered_harmless(mini, capsys):
    edit(mini / RU_PO, 'msgstr "Орошение"',
         'msgstr "<script>alert(1)</script><img src=\\"file:///etc/passwd\\">"')
    assert run(mini, "check") == 1
    err = capsys.readouterr().err
    assert "raw HTML in the translation: <script>" in err
    assert "unsafe URL in the translation: file:" in err
    assert run(mini, "build", "-q", "--lang", "ru") == 0
    html = (mini / "dist" / "ru" / "mini.html").read_text()
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in pdf_text(mini / "dist" / "ru" / "mini.ru.pdf")


def test_context_separates_identical_source_text(mini):
    brief = mini / "content/mini/brief.yaml"
    edit(brief, "            - [Syr Darya, 2200 km]",
         "            - [Syr Darya, 2200 km]\n"
         "            - [{text: Irrigation, context: table row}, 1 km]")
    assert run(mini, "update", "-q") == 0
    po = mini / RU_PO
    text = po.read_text()
    assert 'msgctxt "table row"\nmsgid "Irrigation"' in text
    catalog = read_po(po.open("rb"))
    message = catalog.get("Irrigation", "table row")
    assert message.fuzzy and message.string == "Орошение"  # offered from the other entry
    message.string = "Полив"
    message.flags.discard("fuzzy")
    catalog.get("1 km").string = "1 км"
    po.write_bytes(serialize_catalog(catalog))
    assert run(mini, "build", "-q", "--lang", "ru", "--format", "html") == 0
    html = (mini / "dist/ru/mini.html").read_text()
    assert "<li>Орошение</li>" in html
    assert '<th scope="row">Полив</th>' in html
