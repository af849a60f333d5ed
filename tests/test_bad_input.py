"""Bad input: one clear located message per problem, exit 1, and dist/ left as it was."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import edit, pdf_text, run, tree_digest

BRIEF = "content/mini/brief.yaml"


@pytest.fixture
def built(mini: Path) -> Path:
    """The mini project with a complete earlier build in dist/."""
    assert run(mini, "build", "-q") == 0
    return mini


def fails_with(project: Path, capsys, *messages: str, args: tuple[str, ...] = ()) -> str:
    """Run a build that must fail: exit 1, every message shown, dist/ untouched."""
    before = tree_digest(project / "dist")
    code = run(project, "build", *args)
    err = capsys.readouterr().err
    assert code == 1, err
    for message in messages:
        assert message in err, err
    assert "Traceback" not in err
    assert tree_digest(project / "dist") == before
    assert not list(project.glob(".dist.staging-*")), "staging folder left behind"
    return err


def test_broken_yaml_names_file_line_and_column(built, capsys):
    edit(built, BRIEF, "title: Rivers of the Steppe", "title: [Rivers of the Steppe")
    fails_with(built, capsys, f"error: {BRIEF}:4:9: invalid YAML: did not find expected ',' or ']'")


def test_tab_indentation_is_named(built, capsys):
    edit(built, BRIEF, "title: Rivers of the Steppe", "title:\n\tRivers of the Steppe")
    fails_with(built, capsys, f"error: {BRIEF}:4:1: invalid YAML: found character that cannot "
                              "start any token (a tab: YAML indents with spaces)")


def test_missing_required_field(built, capsys):
    edit(built, BRIEF, "summary: Two rivers feed five countries, and their water is shared "
                       "by agreement.\n", "")
    fails_with(built, capsys, f"error: {BRIEF}:1:1: brief: missing required field 'summary'")


def test_wrong_type_and_bad_date_are_all_reported_at_once(built, capsys):
    edit(built, BRIEF, "title: Rivers of the Steppe", "title: 2025")
    edit(built, BRIEF, "date: 2025-06-17", "date: June 2025")
    edit(built, BRIEF, "countries: [KZ, UZ, TJ]", "countries: [KZ, Uzbekistan, TJ]")
    err = fails_with(
        built, capsys,
        f"{BRIEF}:3:8: 'title' must be text (got a number '2025'); quote it",
        f"{BRIEF}:5:7: 'date' must be an ISO date such as 2025-06-17 (got 'June 2025')",
        f"{BRIEF}:12:17: 'countries': 'Uzbekistan' is not an ISO 3166 alpha-2 code",
        "3 errors; nothing was written")
    assert err.count("error: ") == 3
    lines = [int(m) for m in re.findall(rf"{BRIEF}:(\d+):", err)]
    assert lines == sorted(lines)


@pytest.mark.parametrize("bad_id", ["../etc", "mini/evil"])
def test_id_that_is_not_a_slug_is_refused(built, capsys, bad_id):
    edit(built, BRIEF, "id: mini", f"id: {bad_id}")
    fails_with(built, capsys, f"{BRIEF}:1:5: 'id' must be a slug of a-z, 0-9 and '-' "
                              f"(got '{bad_id}')")


def test_unknown_field_and_block_kind(built, capsys):
    edit(built, BRIEF, "      - paragraph: The Amu", "      - para: The Amu")
    edit(built, BRIEF, "author: Test Desk", "author: Test Desk\nauthors: Someone")
    fails_with(built, capsys, "unknown block 'para' (known: paragraph, list, numbered, table, "
                              "quote, callout, figure, chart)",
               "brief: unknown field 'authors'")


def test_table_row_with_wrong_cell_count(built, capsys):
    edit(built, BRIEF, "[Syr Darya, 2200 km]", "[Syr Darya]")
    fails_with(built, capsys, "a table row has 1 cells but the header has 2")


def test_unknown_language_in_config(built, capsys):
    edit(built, "pyproject.toml", '"en", "ru", "ja"', '"en", "ru", "xx-Foo"')
    fails_with(built, capsys, "error: pyproject.toml:6: [tool.polybrief] 'languages': "
                              "unknown language tag 'xx-Foo'")


def test_unknown_config_key_and_bad_paper(built, capsys):
    edit(built, "pyproject.toml", 'paper = "A4"', 'paper = "A0"\noutput = "x"')
    fails_with(built, capsys, "pyproject.toml:7: [tool.polybrief] 'paper' must be one of",
               "pyproject.toml:8: [tool.polybrief] unknown key 'output'")


def test_unknown_language_on_command_line(built, capsys):
    fails_with(built, capsys, "error: --lang: 'kk' is not in [tool.polybrief] languages",
               args=("--lang", "kk"))
    fails_with(built, capsys, "error: --lang: 'xx-Foo' is unknown", args=("--lang", "xx-Foo"))


def test_po_syntax_error_names_catalog_and_line(built, capsys):
    edit(built, "locales/ru/LC_MESSAGES/mini.po", 'msgstr "Орошение"', 'msgstr "Орошение')
    fails_with(built, capsys, "error: locales/ru/LC_MESSAGES/mini.po:")
    err_line = re.compile(r"locales/ru/LC_MESSAGES/mini\.po:(\d+): unterminated")
    edit(built, "locales/ru/LC_MESSAGES/mini.po", 'msgstr "Орошение', 'msgstr "Орошение')
    run(built, "build", "-q")
    capsys.readouterr()
    text = (built / "locales/ru/LC_MESSAGES/mini.po").read_text().splitlines()
    line = next(i for i, t in enumerate(text, 1) if t == 'msgstr "Орошение')
    err = fails_with(built, capsys, "unterminated or badly escaped string")
    assert err_line.search(err).group(1) == str(line)


def test_po_with_wrong_plural_count(built, capsys):
    edit(built, "locales/ru/LC_MESSAGES/messages.po", "nplurals=3", "nplurals=2")
    fails_with(built, capsys, "locales/ru/LC_MESSAGES/messages.po:12: Plural-Forms declares "
                              "nplurals=2 but ru has 3 plural forms")


def test_template_syntax_error_names_template_and_line(built, capsys):
    edit(built, "templates/brief.html.j2", "{% endif %}\n    <p class=\"byline\">",
         "{% endfi %}\n    <p class=\"byline\">")
    fails_with(built, capsys, "error: templates/brief.html.j2:", "template syntax error")


def test_template_runtime_error_names_template_and_line(built, capsys):
    edit(built, "templates/brief.html.j2", "{{ brief.date }}</time>", "{{ brief.nope }}</time>")
    lines = (built / "templates/brief.html.j2").read_text().splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "brief.nope" in text)
    err = fails_with(built, capsys, f"error: templates/brief.html.j2:{line}: template error:")
    assert "nope" in err


def test_missing_font_for_a_language(built, capsys):
    edit(built, "pyproject.toml", 'ja = { serif = ["Noto Serif CJK JP"]',
         'ja = { serif = ["Noto Nonexistent JP"]')
    fails_with(built, capsys, "no installed font for ja (serif): tried Noto Nonexistent JP")


def test_traceback_only_with_verbose(built, capsys):
    from polybrief.errors import ProjectError

    edit(built, BRIEF, "date: 2025-06-17", "date: nope")
    with pytest.raises(ProjectError, match="'date' must be an ISO date"):
        run(built, "build", "-v")


def test_wrong_usage_exits_2(built, capsys):
    with pytest.raises(SystemExit) as exc:
        run(built, "build", "--format", "docx")
    assert exc.value.code == 2


def test_failure_while_rendering_leaves_dist_unchanged(built, capsys, monkeypatch):
    import polybrief.project as project

    calls = []

    def exploding(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    real = project.write_pdf
    monkeypatch.setattr(project, "write_pdf", exploding)
    before = tree_digest(built / "dist")
    assert run(built, "build", "--force", "-j1") == 130
    assert tree_digest(built / "dist") == before
    assert not list(built.glob(".dist-*"))


def test_error_in_a_worker_process_reaches_the_user(built, capsys, monkeypatch):
    import polybrief.project as project
    from polybrief.errors import Problem, ProjectError

    def failing(*args, **kwargs):
        raise ProjectError(Problem("content/mini/brief.yaml", "worker trouble", 3))

    monkeypatch.setattr(project, "write_pdf", failing)
    fails_with(built, capsys, "error: content/mini/brief.yaml:3: worker trouble",
               args=("--force", "-j2"))


HOSTILE = ('<script>alert(1)</script> <img src="file:///etc/passwd"> '
           '<link rel="attachment" href="/etc/passwd"> ![x](file:///etc/passwd) '
           '[click](javascript:alert(1))')


def test_hostile_text_in_content_and_catalogs_stays_text(built, capsys):
    edit(built, BRIEF, "      - paragraph: The Amu Darya and the Syr Darya cross the region.",
         f"      - paragraph: '{HOSTILE}'")
    edit(built, "locales/ru/LC_MESSAGES/mini.po", 'msgstr "Предыстория"',
         'msgstr "<script>x</script><link rel=\\"attachment\\" href=\\"/etc/passwd\\">"')
    edit(built, "locales/ru/LC_MESSAGES/messages.po", 'msgstr "Резюме"',
         'msgstr "<img src=\\"file:///etc/passwd\\">"')
    assert run(built, "build", "-q") == 0
    for lang in ("en", "ru"):
        html = (built / "dist" / lang / "mini.html").read_text()
        assert "<script" not in html and "<img" not in html
        assert 'rel="attachment"' not in html and "javascript:" not in html.replace(
            "[click](javascript:alert(1))", "")
        pdf = built / "dist" / lang / f"mini.{lang}.pdf"
        reader = PdfReader(pdf)
        assert "/EmbeddedFiles" not in str(reader.trailer["/Root"].get("/Names", {}))
        text = pdf_text(pdf)
        assert "root:" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (built / "dist/en/mini.html").read_text()
    ru_html = (built / "dist/ru/mini.html").read_text()
    assert "&lt;img src=&#34;file:///etc/passwd&#34;&gt;" in ru_html
    assert "<script>" in pdf_text(built / "dist/en/mini.en.pdf")
