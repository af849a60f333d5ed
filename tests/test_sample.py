"""The shipped sample brief, built in every configured language."""

from __future__ import annotations

import re
import unicodedata

import pikepdf
import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader

from conftest import ROOT, notdef_glyphs, pdf_fonts, pdf_text, run, structure_elements

BRIEF = "china-central-asia"
EXPECTED = {
    "ja": ("2025年6月17日", "カザフスタン、キルギス、タジキスタン"),
    "en": ("June 17, 2025", "Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan, and Uzbekistan"),
    "zh-Hans": ("2025年6月17日", "哈萨克斯坦、吉尔吉斯斯坦、塔吉克斯坦"),
    "ru": ("17 июня 2025 г.", "Таджикистан, Туркменистан и Узбекистан"),
    "kk": ("2025 ж. 17 маусым", "Тәжікстан, Түрікменстан және Өзбекстан"),
}
LOCALES = {"ja": "ja", "en": "en", "zh-Hans": "zh_Hans", "ru": "ru", "kk": "kk"}


def translations(lang: str, drawn: bool = False) -> list[str]:
    """Every translated content string of the sample in one language (ja: the source);
    with ``drawn``, only those printed on the page (not the figure's alt text)."""
    source = (ROOT / "content" / BRIEF / "brief.yaml").read_text(encoding="utf-8").splitlines()

    def printed(message) -> bool:
        return not any(source[line - 1].lstrip().startswith("alt:")
                       for _, line in message.locations)

    if lang == "ja":
        path = ROOT / "locales" / f"{BRIEF}.pot"
        return [m.id for m in read_po(path.open("rb")) if m.id and (not drawn or printed(m))]
    path = ROOT / "locales" / LOCALES[lang] / "LC_MESSAGES" / f"{BRIEF}.po"
    return [m.string for m in read_po(path.open("rb"))
            if m.id and (not drawn or printed(m))]


def plain(markdown: str) -> str:
    """The text a Markdown segment shows: links' text, no emphasis marks, and no
    footnote, citation or cross-reference syntax (those print as numbers)."""
    text = re.sub(r"\[\^[\w-]+\]|\[@[^\]]*\]|@(?:fig|tbl|box|sec)-[\w-]*\w", "", markdown)
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    return re.sub(r"[*_`]", "", text)


@pytest.mark.parametrize("lang", list(EXPECTED))
def test_sample_pdf_has_title_date_and_countries(sample, lang):
    pdf = sample / "dist" / lang / f"{BRIEF}.{lang}.pdf"
    text = re.sub(r"\s+", " ", pdf_text(pdf))
    title = translations(lang)[0]
    date, countries = EXPECTED[lang]
    squeezed = text.replace(" ", "")
    assert title.replace(" ", "") in squeezed
    assert date.replace(" ", "") in squeezed
    assert countries.replace(" ", "") in squeezed
    reader = PdfReader(pdf)
    assert reader.metadata.title == title
    assert reader.trailer["/Root"]["/Lang"] == lang
    assert 2 <= len(reader.pages) <= 8


@pytest.mark.parametrize("lang", list(EXPECTED))
def test_sample_pdf_draws_every_character_of_its_text(sample, lang):
    """The embedded fonts cover the document: each character comes back from the PDF."""
    pdf = sample / "dist" / lang / f"{BRIEF}.{lang}.pdf"
    extracted = set(pdf_text(pdf))
    wanted = {c for s in translations(lang, drawn=True) for c in plain(s)
              if not c.isspace() and unicodedata.category(c)[0] != "C"}
    missing = sorted(wanted - extracted)
    assert missing == [], f"{lang}: not in the PDF text: {missing[:20]}"
    assert notdef_glyphs(pdf) == 0


def test_sample_uses_japanese_and_chinese_han_variants(sample):
    ja = pdf_fonts(sample / "dist" / "ja" / f"{BRIEF}.ja.pdf")
    zh = pdf_fonts(sample / "dist" / "zh-Hans" / f"{BRIEF}.zh-Hans.pdf")
    cjk_ja = {name for name in ja if "CJK" in name}
    cjk_zh = {name for name in zh if "CJK" in name}
    assert cjk_ja and all("CJK-JP" in name for name in cjk_ja), ja
    assert cjk_zh and all("CJK-SC" in name for name in cjk_zh), zh


def test_sample_kazakh_letters_render(sample):
    text = pdf_text(sample / "dist" / "kk" / f"{BRIEF}.kk.pdf")
    for letter in "ӘҒҚҢӨҰҮІәғқңөұүһі":
        if any(letter in s for s in translations("kk")):
            assert letter in text, letter
    assert {"Ә", "Қ", "Ө", "Ү", "І"} <= set(text.upper())


def test_sample_catalogs_are_complete(sample):
    for lang in ("en", "zh-Hans", "ru", "kk"):
        assert all(translations(lang)), lang


def test_sample_catalogs_pass_msgfmt_check():
    import shutil
    import subprocess

    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is installed by 'make'"
    for po in sorted((ROOT / "locales").glob("*/LC_MESSAGES/*.po")):
        result = subprocess.run([msgfmt, "--check-format", "--check-header", "-o", "/dev/null",
                                 str(po)], capture_output=True, text=True)
        assert result.returncode == 0, (po, result.stderr)


def test_sample_builds_cleanly_with_no_warnings(sample, tmp_path, capsys):
    assert run(sample, "build", "--force", "--out", str(tmp_path / "out")) == 0
    err = capsys.readouterr().err
    assert "WARNING" not in err and "error" not in err
    assert re.search(r"Built 10 documents, \d+ pages", err)


def test_shipped_catalogs_are_up_to_date_with_the_source(tmp_path):
    from conftest import copy_project, tree_digest

    project = copy_project(ROOT, tmp_path / "project")
    before = tree_digest(project / "locales")
    assert run(project, "update", "-q") == 0
    assert tree_digest(project / "locales") == before, "run 'python build.py update'"


@pytest.mark.parametrize("lang", list(EXPECTED))
def test_sample_figure_carries_its_translated_alt_text(sample, lang):
    """The alt text is not drawn: it is the Figure element's /Alt, in the page's language."""
    alt = sorted(set(translations(lang)) - set(translations(lang, drawn=True)))
    assert len(alt) == 1, alt
    with pikepdf.open(sample / "dist" / lang / f"{BRIEF}.{lang}.pdf") as pdf:
        figures = [str(element.Alt) for element in structure_elements(pdf.Root.StructTreeRoot)
                   if element.get("/S") == "/Figure"]
    assert figures == [plain(alt[0])]

