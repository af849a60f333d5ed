"""polybrief new: a ready project from nothing, and templates overridden by file name."""

from __future__ import annotations

from pathlib import Path

import html5lib
import pytest

from conftest import ROOT, pdf_text, run, tree_digest
from polybrief.render import DEFAULT_TEMPLATES


def files_of(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_new_then_build_with_nothing_else(tmp_path, capsys):
    folder = tmp_path / "my-briefs"
    assert run(tmp_path, "new", str(folder)) == 0
    assert "Created" in capsys.readouterr().err
    assert files_of(folder) == [".gitignore", "README.md", "content/example/brief.yaml",
                                "locales/example.pot", "locales/messages.pot",
                                "pyproject.toml"]
    assert 'languages = ["en"]' in (folder / "pyproject.toml").read_text(encoding="utf-8")
    assert "/dist/" in (folder / ".gitignore").read_text(encoding="utf-8")
    assert not (folder / "templates").exists()      # polybrief's own templates apply
    assert run(folder, "build", "-q") == 0
    page = folder / "dist" / "en" / "example.html"
    html5lib.HTMLParser(strict=True).parse(page.read_bytes())
    assert "An example brief" in pdf_text(folder / "dist" / "en" / "example.en.pdf")


def test_new_with_a_source_and_languages_translates_the_ui(tmp_path):
    folder = tmp_path / "desk"
    assert run(tmp_path, "new", str(folder), "--source", "ja", "--languages", "en,ar",
               "-q") == 0
    text = (folder / "pyproject.toml").read_text(encoding="utf-8")
    assert 'languages = ["ja", "en", "ar"]' in text
    assert "lang: ja" in (folder / "content/example/brief.yaml").read_text(encoding="utf-8")
    for catalog in ("ja/LC_MESSAGES/messages.po", "en/LC_MESSAGES/example.po",
                    "ar/LC_MESSAGES/example.po", "ar/LC_MESSAGES/messages.po"):
        assert (folder / "locales" / catalog).is_file(), catalog
    assert run(folder, "build", "-q") == 0
    japanese = pdf_text(folder / "dist/ja/example.ja.pdf")
    assert "ブリーフの見本" in japanese and "要旨" in japanese   # the UI, translated


SHIPPED_UI = ["ja", "zh_Hans", "ru", "kk", "ar", "fa", "he", "hi", "ko", "th", "zh_Hant"]


@pytest.mark.parametrize("locale", SHIPPED_UI)
def test_polybrief_ships_every_ui_string_translated(locale):
    """What `new` fills a project's UI catalogs from: every string of the default
    templates, confirmed, with every plural form."""
    from babel.messages.pofile import read_po

    from polybrief import memory

    root = ROOT / "locales" / locale
    path = (root if root.is_dir() else memory.SHIPPED_UI / locale) / "LC_MESSAGES/messages.po"
    with (ROOT / "locales/messages.pot").open("rb") as handle:
        wanted = [m for m in read_po(handle) if m.id]
    with path.open("rb") as handle:
        shipped = read_po(handle, locale=locale)
    missing = [m.id for m in wanted if not (found := shipped.get(m.id, context=m.context))
               or found.fuzzy or not all(found.string if isinstance(found.string, tuple)
                                         else [found.string])]
    assert not missing, missing


def test_a_right_to_left_source_gets_its_ui_translated(tmp_path):
    folder = tmp_path / "desk"
    assert run(tmp_path, "new", str(folder), "--source", "ar", "-q") == 0
    assert run(folder, "build", "-q", "--format", "html") == 0
    page = (folder / "dist/ar/example.html").read_text(encoding="utf-8")
    assert "<h2 id=\"summary\">ملخص</h2>" in page and "Summary" not in page


@pytest.mark.parametrize(("source", "title"), [("ar", "موجز نموذجي"), ("ru", "Пример записки"),
                                               ("zh-Hans", "简报示例")])
def test_the_example_is_written_in_its_source_language(tmp_path, source, title):
    folder = tmp_path / "p"
    assert run(tmp_path, "new", str(folder), "--source", source, "-q") == 0
    assert run(folder, "build", "-q") == 0
    page = (folder / "dist" / source / "example.html").read_text(encoding="utf-8")
    assert title in page
    if source == "ar":
        assert '<html lang="ar" dir="rtl">' in page


def test_a_source_without_an_example_gets_english_text_marked_as_english(tmp_path):
    folder = tmp_path / "p"
    assert run(tmp_path, "new", str(folder), "--source", "kk", "-q") == 0
    brief = (folder / "content/example/brief.yaml").read_text(encoding="utf-8")
    assert 'title: "An example brief"' in brief
    assert '- "[One source text, translated in gettext catalogs.]{lang=en}"' in brief
    assert run(folder, "build", "-q") == 0
    page = (folder / "dist/kk/example.html").read_text(encoding="utf-8")
    assert '<span lang="en" dir="auto">One source text, translated in gettext' in page


def test_new_refuses_a_folder_that_is_not_empty_and_a_bad_language(tmp_path, capsys):
    folder = tmp_path / "taken"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    assert run(tmp_path, "new", str(folder)) == 1
    assert "is not an empty folder" in capsys.readouterr().err
    assert files_of(folder) == ["notes.txt"]
    assert run(tmp_path, "new", str(tmp_path / "other"), "--languages", "xx-Nope") == 1
    err = capsys.readouterr().err
    assert "xx-Nope" in err and "Traceback" not in err
    assert not (tmp_path / "other").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["taken"]   # no staging folder left


def test_a_project_overrides_one_template_and_one_stylesheet_by_name(tmp_path, capsys):
    folder = tmp_path / "p"
    assert run(tmp_path, "new", str(folder), "-q") == 0
    assert run(folder, "build", "-q") == 0
    before = tree_digest(folder / "dist")
    templates = folder / "templates"
    templates.mkdir()
    page = (DEFAULT_TEMPLATES / "brief.html.j2").read_text(encoding="utf-8")
    (templates / "brief.html.j2").write_text(
        page.replace("<main", "<!-- our own template -->\n<main", 1), encoding="utf-8")
    (templates / "screen.css").write_text(
        (DEFAULT_TEMPLATES / "screen.css").read_text(encoding="utf-8")
        + "\n/* our own screen style */\n", encoding="utf-8")
    assert run(folder, "build") == 0
    assert "kept" not in capsys.readouterr().err          # a template change rebuilds
    html = (folder / "dist/en/example.html").read_text(encoding="utf-8")
    assert "<!-- our own template -->" in html and "/* our own screen style */" in html
    # print.css.j2 and brief.css still come from polybrief.
    assert "text-autospace" in html or "--ink" in html
    assert tree_digest(folder / "dist") != before


def test_untranslated_text_keeps_its_direction_in_a_right_to_left_page(tmp_path):
    """English shown in place of a missing Arabic translation is set left to right."""
    folder = tmp_path / "p"
    assert run(tmp_path, "new", str(folder), "--languages", "ar", "-q") == 0
    assert run(folder, "build", "-q") == 0
    page = (folder / "dist/ar/example.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in page
    assert '<p lang="en" dir="ltr" data-fallback>This brief shows the parts' in page
    assert '<span lang="en" dir="ltr" data-fallback>An example brief</span>' in page
