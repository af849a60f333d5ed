"""An organisation's theme: name, logo, colours, licence, contact and colophon."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf
import pytest

from conftest import pdf_text, run, structure_elements, tree_digest
from polybrief.theme import contrast

LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 40" width="200" '
        'height="40"><rect width="40" height="40" fill="#1d5f8a"/><text x="50" y="28" '
        'font-family="Noto Sans" font-size="20" fill="#1d5f8a">{name}</text></svg>')
THEME = '''
[tool.polybrief.theme]
organisation = "Steppe Institute"
logo = "logo.svg"
primary = "#1d3557"
accent = "#1d5f8a"
licence = "CC BY 4.0"
contact = "https://example.org/contact"
colophon = "The views are the authors' own."
'''


@pytest.fixture
def themed(tmp_path: Path) -> Path:
    folder = tmp_path / "institute"
    assert run(tmp_path, "new", str(folder), "--languages", "ar", "-q") == 0
    (folder / "logo.svg").write_text(LOGO.format(name="Steppe Institute"), encoding="utf-8")
    (folder / "logo.ar.svg").write_text(LOGO.format(name="معهد السهوب"), encoding="utf-8")
    with (folder / "pyproject.toml").open("a", encoding="utf-8") as config:
        config.write(THEME)
    assert run(folder, "update", "-q") == 0
    return folder


def test_contrast_is_wcag_s():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777", "#fff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#1d5f8a", "#f4f1ea") > 4.5


def test_every_key_shows_in_both_outputs(themed):
    assert run(themed, "build", "-q") == 0
    html = (themed / "dist/en/example.html").read_text(encoding="utf-8")
    assert ":root { --primary: #1d3557; --accent: #1d5f8a; }" in html
    assert re.search(r'<p class="brand"><img class="logo" src="data:image/svg\+xml;base64,'
                     r'[^"]+" alt="Steppe Institute"></p>', html)
    assert "<p>Licence: <bdi>CC BY 4.0</bdi></p>" in html
    assert ('<p>Contact: <a href="https://example.org/contact">https://example.org/contact'
            '</a></p>') in html
    assert "<p>The views are the authors&#39; own.</p>" in html
    text = pdf_text(themed / "dist/en/example.en.pdf")
    for words in ("Licence: CC BY 4.0", "Contact: https://example.org/contact",
                  "The views are the authors' own."):
        assert words in text, words
    with pikepdf.open(themed / "dist/en/example.en.pdf") as pdf:
        alts = [str(e.get("/Alt")) for e in structure_elements(pdf.Root.StructTreeRoot)
                if e.get("/S") == "/Figure"]
    assert alts == ["Steppe Institute"]



def test_a_language_s_own_logo_and_the_theme_s_words_translated(themed):
    import base64

    po = themed / "locales/ar/LC_MESSAGES/messages.po"
    text = po.read_text(encoding="utf-8")
    for source, arabic in (("Steppe Institute", "معهد السهوب"), ("CC BY 4.0", "CC BY 4.0"),
                           ("The views are the authors' own.", "الآراء آراء مؤلفيها.")):
        text = text.replace(f'msgid "{source}"\nmsgstr ""', f'msgid "{source}"\nmsgstr "{arabic}"')
    po.write_text(text, encoding="utf-8")
    pot = (themed / "locales/messages.pot").read_text(encoding="utf-8")
    assert "#. theme.organisation\n#: pyproject.toml:" in pot
    assert run(themed, "build", "-q") == 0
    html = (themed / "dist/ar/example.html").read_text(encoding="utf-8")
    logo = re.search(r'src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]+)"', html)
    assert "معهد السهوب" in base64.b64decode(logo[1]).decode() and logo[2] == "معهد السهوب"
    assert "الآراء آراء مؤلفيها." in html


@pytest.mark.parametrize(("line", "message"), [
    ('logo = "logo.svg"', 'logo = "missing.svg"'),
    ('primary = "#1d3557"', 'primary = "navy"'),
    ('accent = "#1d5f8a"', 'accent = "#8fb3d9"'),
    ('primary = "#1d3557"', 'primary = "#707070"'),
    ('contact = "https://example.org/contact"', 'contact = "http://example.org"'),
    ('colophon = "The views are the authors\' own."', 'colofon = "x"'),
    ('organisation = "Steppe Institute"', ''),
])
def test_bad_values_are_one_line_naming_the_key(themed, capsys, line, message):
    expected = {
        'logo = "missing.svg"': "'theme.logo' missing.svg:",
        'primary = "navy"': "'theme.primary' must be a CSS hex colour such as #1d5f8a "
                            "(got 'navy')",
        'accent = "#8fb3d9"': "'theme.accent' #8fb3d9 has a contrast of 2.",
        'primary = "#707070"': "'theme.primary' #707070 has a contrast of 4.",
        'contact = "http://example.org"': "'theme.contact' must be an https: or mailto: "
                                          "address",
        'colofon = "x"': "'theme.colofon' is not a theme key",
        '': "'theme.logo' needs 'theme.organisation'",
    }[message]
    assert run(themed, "build", "-q") == 0
    before = tree_digest(themed / "dist")
    config = themed / "pyproject.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(line, message),
                      encoding="utf-8")
    assert run(themed, "build") == 1
    err = capsys.readouterr().err
    assert re.search(r"error: pyproject\.toml:\d+: \[tool\.polybrief\] " + re.escape(expected),
                     err), err
    assert "Traceback" not in err
    assert tree_digest(themed / "dist") == before


def test_a_theme_change_rebuilds_every_document(themed, capsys):
    assert run(themed, "build", "-q") == 0
    config = themed / "pyproject.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("#1d5f8a", "#14506f"),
                      encoding="utf-8")
    assert run(themed, "build") == 0
    assert "kept" not in capsys.readouterr().err
    (themed / "logo.svg").write_text(LOGO.format(name="Steppe Institute, Almaty"),
                                     encoding="utf-8")
    assert run(themed, "build") == 0
    err = capsys.readouterr().err
    assert "Built 4 documents" in err and "kept" not in err
