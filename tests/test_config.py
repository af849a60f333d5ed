"""[tool.polybrief]: every key validated, every problem named."""

from __future__ import annotations

import pytest

from polybrief.config import load_config
from polybrief.errors import ProjectError


def write(tmp_path, body: str):
    (tmp_path / "pyproject.toml").write_text(body, encoding="utf-8")
    return tmp_path


def test_config_reads_languages_fonts_and_defaults(tmp_path):
    config = load_config(write(tmp_path, '[tool.polybrief]\nlanguages = ["ja", "zh-Hans"]\n'
                                         '[tool.polybrief.fonts]\nHans = { serif = "A" }\n'))
    assert [lang.tag for lang in config.languages] == ["ja", "zh-Hans"]
    assert config.out_dir == tmp_path / "dist" and config.paper == "A4"
    assert config.fonts_for(config.languages[1]).serif == ("A",)
    assert config.fonts_for(config.languages[1]).sans == ("A",)
    # ja has no configured stack: the installed Noto CJK JP faces, then Latin ones
    ja = config.fonts_for(config.languages[0])
    assert ja.serif == ("Noto Serif CJK JP", "Noto Serif")
    assert ja.sans == ("Noto Sans CJK JP", "Noto Sans")


@pytest.mark.parametrize(("tag", "serif", "sans"), [
    ("en", "Noto Serif", "Noto Sans"),
    ("kk", "Noto Serif", "Noto Sans"),
    ("ar", "Noto Naskh Arabic", "Noto Sans Arabic"),
    ("he", "Noto Serif Hebrew", "Noto Sans Hebrew"),
    ("hi", "Noto Serif Devanagari", "Noto Sans Devanagari"),
    ("th", "Noto Serif Thai", "Noto Sans Thai"),
    ("ka", "Noto Serif Georgian", "Noto Sans Georgian"),
    ("ko", "Noto Serif CJK KR", "Noto Sans CJK KR"),
    ("zh-Hans", "Noto Serif CJK SC", "Noto Sans CJK SC"),
    ("zh-Hant", "Noto Serif CJK TC", "Noto Sans CJK TC"),
    ("zh-Hant-HK", "Noto Serif CJK HK", "Noto Sans CJK HK"),
])
def test_default_font_stack_comes_from_installed_noto_families(tag, serif, sans):
    from polybrief.fonts import default_stack
    from polybrief.i18n import parse_language

    stack = default_stack(parse_language(tag))
    assert stack.serif[0] == serif and stack.sans[0] == sans


def test_configured_fonts_override_the_defaults_by_language_or_script(tmp_path):
    body = ('[tool.polybrief]\nlanguages = ["ar", "fa"]\n[tool.polybrief.fonts]\n'
            'fa = { serif = "B" }\nArab = { serif = "A" }\n')
    config = load_config(write(tmp_path, body))
    assert config.fonts_for(config.languages[0]).serif == ("A",)
    assert config.fonts_for(config.languages[1]).serif == ("B",)


def test_config_reports_every_problem_with_its_line(tmp_path):
    with pytest.raises(ProjectError) as exc:
        load_config(write(tmp_path, '[tool.polybrief]\nlanguages = ["ja", "ja"]\n'
                                    'paper = "A9"\ncolour = 1\n'
                                    '[tool.polybrief.fonts]\nja = { serif = ["a</style>"] }\n'))
    messages = [str(p) for p in exc.value.problems]
    assert messages == [
        "pyproject.toml:2: [tool.polybrief] 'languages': 'ja' is listed twice",
        "pyproject.toml:3: [tool.polybrief] 'paper' must be one of A3, A4, A5, B4, B5, letter, "
        "legal, ledger (got 'A9')",
        "pyproject.toml:4: [tool.polybrief] unknown key 'colour' (known: languages, out_dir, "
        "paper, fonts, min_coverage, compact_fonts, pdf_standards, theme, base_url, layout)",
        "pyproject.toml:6: [tool.polybrief] 'fonts.ja.serif' must be a list of font family names",
    ]


def test_config_toml_syntax_error_has_line_and_column(tmp_path):
    with pytest.raises(ProjectError) as exc:
        load_config(write(tmp_path, '[tool.polybrief]\nlanguages = ["ja"\n'))
    problem = exc.value.problems[0]
    assert (problem.path, problem.line) == ("pyproject.toml", 3)


def test_config_without_table(tmp_path):
    with pytest.raises(ProjectError, match=r"missing the \[tool.polybrief\] table"):
        load_config(write(tmp_path, "[project]\nname = 'x'\n"))
