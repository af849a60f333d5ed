"""The side-by-side review edition: source and translation in reading order, with states."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pikepdf
from babel.messages.pofile import read_po

from conftest import ROOT, copy_project, pdf_fonts, pdf_text, run

RU_PO = "locales/ru/LC_MESSAGES/mini.po"
CHANGED = ("The Amu Darya and the Syr Darya cross the region.",
           "The Amu Darya and the Syr Darya both cross the region.")


def rows(page: Path) -> list[dict]:
    """The table rows of a review page: class, cells' text and attributes."""
    found = []
    for row in re.findall(r'<tr class="([^"]*)">(.*?)</tr>', page.read_text(encoding="utf-8"),
                          re.S):
        cells = re.findall(r"<td([^>]*)>(.*?)</td>", row[1], re.S)
        found.append({"class": row[0], "cells": [
            (attrs, html.unescape(re.sub(r"<[^>]+>", " ", text)).strip())
            for attrs, text in cells]})
    return found


def test_review_shows_every_segment_with_its_state_and_entry(mini, capsys):
    brief = mini / "content/mini/brief.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace(*CHANGED), encoding="utf-8")
    assert run(mini, "update", "-q") == 0
    po = mini / RU_PO
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "Орошение"', 'msgstr ""'),
                  encoding="utf-8")
    (mini / "glossary.csv").write_text("term,ru\ntreaty,соглашени*\n", encoding="utf-8")
    assert run(mini, "review", "ru") == 0
    assert "Review edition in ru: files: 2 changed" in capsys.readouterr().err
    page = mini / "dist/review/ru/mini.review.html"
    found = rows(page)
    catalog = read_po(po.open("rb"))
    segments = [m for m in catalog if m.id]
    assert len(found) == len(segments)
    first = found[0]["cells"]
    assert first[0][1] == "title" and first[1][1] == "Rivers of the Steppe"
    assert first[2][1] == "Реки степи"
    assert f"{RU_PO}:{catalog['Rivers of the Steppe'].lineno}" in first[3][1]
    assert 'lang="en" dir="ltr"' in first[1][0] and 'lang="ru" dir="ltr"' in first[2][0]
    by_source = {row["cells"][1][1].split(" translated from:")[0]: row for row in found}
    fuzzy = by_source[CHANGED[1]]
    assert fuzzy["class"] == "fuzzy" and f"translated from: {CHANGED[0]}" in \
        fuzzy["cells"][1][1]
    assert by_source["Irrigation"]["class"] == "untranslated"
    glossary = by_source["Water is **shared** by treaty."]
    assert glossary["class"] == "translated glossary"
    assert "the source has the glossary term 'treaty'" in glossary["cells"][3][1]
    pdf = mini / "dist/review/ru/mini.review.pdf"
    text = pdf_text(pdf)
    assert "Rivers of the Steppe" in text and "Реки степи" in text
    with pikepdf.open(pdf) as document:
        assert "/StructTreeRoot" in document.Root


def test_arabic_beside_japanese_in_its_own_fonts_and_direction(tmp_path):
    project = copy_project(ROOT, tmp_path / "sample")
    assert run(project, "init", "ar", "-q") == 0
    po = project / "locales/ar/LC_MESSAGES/china-central-asia.po"
    text = po.read_text(encoding="utf-8")
    for source, arabic in (("中国・中央アジア協力メカニズムの射程",
                            "آلية التعاون بين الصين وآسيا الوسطى: نطاقها وأهميتها"),
                           ("安全保障面での位置づけ", "مكانتها في مجال الأمن")):
        text = text.replace(f'msgid "{source}"\nmsgstr ""', f'msgid "{source}"\nmsgstr "{arabic}"')
    po.write_text(text, encoding="utf-8")
    assert run(project, "review", "ar", "-q") == 0
    page = project / "dist/review/ar/china-central-asia.review.html"
    found = rows(page)
    title = found[0]["cells"]
    assert 'lang="ja" dir="ltr"' in title[1][0] and 'lang="ar" dir="rtl"' in title[2][0]
    assert title[2][1].startswith("آلية التعاون")
    assert sum(row["class"] == "translated" for row in found) == 2
    pdf = project / "dist/review/ar/china-central-asia.review.pdf"
    fonts = pdf_fonts(pdf)
    assert any("CJK-JP" in name for name in fonts), fonts
    assert any("Arabic" in name for name in fonts), fonts
