"""Hostile and unlucky input: nothing outside the project is read or written, every
failure is one located line with its own exit code, and dist/ stays one complete build."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
import time
from pathlib import Path

import pytest
import tinycss2

from conftest import edit, run, tree_digest
from polybrief import files
from polybrief.render import css_string

BRIEF = "content/mini/brief.yaml"
RU_UI = "locales/ru/LC_MESSAGES/messages.po"
RU_MINI = "locales/ru/LC_MESSAGES/mini.po"
CANARY = "canary-3f9a1c: a file outside the project"


@pytest.fixture
def built(mini: Path) -> Path:
    """The mini project with a complete earlier build in dist/."""
    assert run(mini, "build", "-q") == 0
    return mini


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    """A file outside the project whose text must never show up anywhere."""
    outside = tmp_path / "outside"
    outside.mkdir()
    path = outside / "secret.txt"
    path.write_text(f"{CANARY}\nmsgid \"x\"\n" * 3, encoding="utf-8")
    return path


def fails(project: Path, capsys, *messages: str, command: str = "build",
          args: tuple[str, ...] = (), code: int = 1) -> str:
    """Run a command that must fail: its exit code, every message, dist/ untouched."""
    before = tree_digest(project / "dist")
    result = run(project, command, *args)
    captured = capsys.readouterr()
    err = captured.err + captured.out
    assert result == code, err
    for message in messages:
        assert message in err, err
    assert "Traceback" not in err
    assert CANARY not in err
    assert tree_digest(project / "dist") == before
    assert not list(project.glob(".dist.staging-*")), "staging folder left behind"
    return err


# --- Reading only the project's files -------------------------------------------------

@pytest.mark.parametrize("rel", [RU_MINI, BRIEF, "templates/print.css.j2"])
def test_link_to_a_file_outside_the_project_is_refused_unread(built, canary, capsys, rel):
    (built / rel).unlink()
    (built / rel).symlink_to(canary)
    fails(built, capsys, f"error: {rel}: is a link to a file outside the project")


def test_check_refuses_a_catalog_linked_outside_the_project(built, canary, capsys):
    (built / "locales/kk/LC_MESSAGES").mkdir(parents=True)
    (built / "locales/kk/LC_MESSAGES/x.po").symlink_to(canary)
    fails(built, capsys, "locales/kk/LC_MESSAGES/x.po: is a link to a file outside the project",
          command="check")


def test_link_inside_the_project_is_followed(built, capsys):
    moved = built / "content/mini/real.yaml"
    (built / BRIEF).rename(moved)
    (built / BRIEF).symlink_to(moved)
    assert run(built, "build", "-q", "--force") == 0


def test_folder_in_place_of_a_brief_is_refused(built, capsys):
    (built / BRIEF).unlink()
    (built / BRIEF).mkdir()
    fails(built, capsys, f"error: {BRIEF}: is not a regular file (a folder, FIFO or device)")


def test_os_error_without_a_file_name_is_still_one_line(built, capsys, monkeypatch):
    from polybrief import project

    def broken(*args):
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(project, "stage_file", broken)
    edit(built, BRIEF, "Rivers of the Steppe", "Rivers of the Plain")
    err = fails(built, capsys, code=3, args=("-j", "1"))
    assert one_line(err) == "error: Input/output error; the output folder is as it was"


def test_fifo_in_place_of_a_brief_is_refused_without_waiting(built, capsys):
    (built / BRIEF).unlink()
    os.mkfifo(built / BRIEF)
    started = time.monotonic()
    fails(built, capsys, f"error: {BRIEF}: is not a regular file (a folder, FIFO or device)")
    assert time.monotonic() - started < 30


def test_oversized_brief_and_catalog_are_refused(built, capsys, monkeypatch):
    monkeypatch.setitem(files.LIMITS, "brief", 1000)
    monkeypatch.setitem(files.LIMITS, "catalog", 1000)
    fails(built, capsys, f"error: {BRIEF}: is larger than a brief may be (1,000 bytes)",
          f"error: {RU_UI}: is larger than a catalog may be (1,000 bytes)")


def test_messages_quote_only_a_short_excerpt_of_the_users_text(built, capsys):
    long_date = "June " + "x" * 5000
    edit(built, BRIEF, "date: 2025-06-17", f"date: {long_date}")
    err = fails(built, capsys, f"error: {BRIEF}:5:7: 'date' must be an ISO date")
    assert max(len(line) for line in err.splitlines()) < 200


# --- Writing only into the output folder ------------------------------------------------

def shard_with_entry(built: Path, tmp_path: Path, path: str, data: bytes) -> Path:
    shard = tmp_path / "shard"
    assert run(built, "build", "-q", "--out", str(shard)) == 0
    manifest = json.loads((shard / "manifest.json").read_text())
    manifest.append(dict(manifest[0], path=path, bytes=len(data),
                         sha256=hashlib.sha256(data).hexdigest()))
    (shard / "manifest.json").write_text(json.dumps(manifest))
    return shard


@pytest.mark.parametrize("path", ["../../payload.txt", "/tmp/payload.txt", "en/../../x",
                                  "en//x.html", "link/payload.txt"])
def test_merge_refuses_manifest_paths_outside_the_shard(built, tmp_path, capsys, path):
    (tmp_path / "payload.txt").write_bytes(b"payload\n")
    shard = shard_with_entry(built, tmp_path, path, b"payload\n")
    (shard / "link").symlink_to(tmp_path)
    out = tmp_path / "merged"
    before = tree_digest(tmp_path)
    fails(built, capsys, f"error: {shard / 'manifest.json'}: entry 7: path ",
          "is not a plain relative path inside shard/", command="merge-manifests",
          args=(str(shard), "--out", str(out)))
    assert not out.exists()
    assert tree_digest(tmp_path) == before


def test_cache_entry_pointing_outside_the_output_folder_is_an_error(built, capsys):
    cache_path = built / "dist/.polybrief-cache.json"
    cache = json.loads(cache_path.read_text())
    rel, entry = next(iter(cache["outputs"].items()))
    cache["outputs"]["../evil.html"] = {"key": entry["key"],
                                        "output": dict(entry["output"], path="../evil.html")}
    cache_path.write_text(json.dumps(cache))
    edit(built, BRIEF, "Rivers of the Steppe", "Rivers of the Plain")
    fails(built, capsys, "dist/.polybrief-cache.json: entry ",
          "path '../evil.html' is not a plain relative path inside dist/")


def test_init_and_update_write_ordinary_modes_and_keep_existing_ones(built):
    old = os.umask(0o022)
    try:
        (built / "pyproject.toml").chmod(0o640)
        assert run(built, "init", "kk", "-q") == 0
        new_po = built / "locales/kk/LC_MESSAGES/mini.po"
        assert stat.S_IMODE(new_po.stat().st_mode) == 0o644
        assert stat.S_IMODE((built / "locales/mini.pot").stat().st_mode) == 0o644
        assert stat.S_IMODE((built / "pyproject.toml").stat().st_mode) == 0o640
        new_po.chmod(0o664)
        edit(built, BRIEF, "Rivers of the Steppe", "Rivers of the Plain")
        assert run(built, "update", "-q") == 0
        assert stat.S_IMODE(new_po.stat().st_mode) == 0o664
        assert stat.S_IMODE((built / "locales/mini.pot").stat().st_mode) == 0o644
        assert run(built, "build", "-q") == 0
        for path in (built / "dist").rglob("*"):
            wanted = 0o755 if path.is_dir() else 0o644
            assert stat.S_IMODE(path.stat().st_mode) == wanted, path
    finally:
        os.umask(old)


def test_out_dir_in_config_must_stay_inside_the_project(built, capsys):
    edit(built, "pyproject.toml", 'paper = "A4"', 'paper = "A4"\nout_dir = "../elsewhere"')
    fails(built, capsys, "'out_dir' must be a folder inside the project")


def test_output_folder_linked_outside_the_project_is_refused(built, tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (built / "dist").rename(tmp_path / "old-dist")
    (built / "dist").symlink_to(elsewhere)
    fails(built, capsys, "'out_dir' 'dist' is a link to a folder outside the project")
    assert not any(elsewhere.iterdir())


def test_a_folder_that_is_not_a_build_is_never_taken_over(built, tmp_path, capsys):
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "letter.txt").write_text("keep me")
    fails(built, capsys, "the output folder is not empty and holds no polybrief build",
          args=("--out", str(foreign)))
    assert (foreign / "letter.txt").read_text() == "keep me"


# --- No injection through catalogs ----------------------------------------------------

INJECTION = ('Бет %(page)s / %(pages)s{}}} @page {{ background: red }} h1 {{ color: red }} '
             '.x{{ .y{{')


@pytest.mark.parametrize("escape", ["\\r", "\\f", "\\v", "\\x0c", "\\033"])
def test_catalog_cannot_break_out_of_the_print_stylesheet(built, capsys, escape):
    edit(built, RU_UI, 'msgstr "Страница %(page)s из %(pages)s"',
         f'msgstr "{INJECTION.format(escape)}"')
    fails(built, capsys, f"error: {RU_UI}:")
    fails(built, capsys, f"{RU_UI}:", command="check")


@pytest.mark.parametrize("text", ['a"b', "a\\b", "a\nb", "a\rb", "a\fb", "a\x0bb", "}{;",
                                  "</style><script>", "\x01\x1f\x7f\x85", "Бет 1 / 2"])
def test_css_string_round_trips_through_a_css_parser(text):
    tokens = tinycss2.parse_component_value_list(css_string(text))
    assert [token.type for token in tokens] == ["string"]
    assert tokens[0].value == text
    assert "<" not in css_string(text)


def test_quote_and_newline_in_a_page_label_stay_inside_the_string(built):
    edit(built, RU_UI, 'msgstr "Страница %(page)s из %(pages)s"',
         'msgstr "Стр. \\"%(page)s\\"\\n} h1 { color: red } %(pages)s"')
    assert run(built, "build", "-q", "--lang", "ru") == 0
    from polybrief.project import load_project, render_page

    project = load_project(built)
    page = render_page(project, project.briefs[0], project.language("ru"))
    rules = [r for r in tinycss2.parse_stylesheet(page.print_css, skip_whitespace=True)
             if r.type == "qualified_rule"]
    assert not any(tinycss2.serialize(r.prelude).strip() == "h1" and "red" in
                   tinycss2.serialize(r.content) for r in rules)


# --- Control characters and invalid text -----------------------------------------------

def test_nul_byte_in_a_brief_is_located(built, capsys):
    edit(built, BRIEF, "title: Rivers of the Steppe", "title: Rivers\x00 of the Steppe")
    fails(built, capsys, f"error: {BRIEF}:3:14: control character U+0000 is not allowed")


def test_invalid_utf8_in_a_brief_is_located(built, capsys):
    path = built / BRIEF
    path.write_bytes(path.read_bytes().replace(b"Rivers of the", b"Rivers \xff of the", 1))
    fails(built, capsys, f"error: {BRIEF}:3:15: not valid UTF-8 (byte 0xff)")


@pytest.mark.parametrize("char", ["\x01", "\u0007", "\x1b", "\x85", "\u009f"])
def test_control_characters_in_content_are_located(built, capsys, char):
    edit(built, BRIEF, "Two rivers feed", f"Two{char} rivers feed")
    fails(built, capsys, f"error: {BRIEF}:8:13: control character U+{ord(char):04X}")


@pytest.mark.parametrize(("written", "char"), [("\ufffe", "FFFE"), ("\\uFFFF", "FFFF"),
                                             ("\\uFDD0", "FDD0")])
def test_noncharacters_in_content_are_located(built, capsys, written, char):
    """Raw or as a YAML escape: no XML file (the feed, the sitemap) may hold them."""
    edit(built, BRIEF, "title: Rivers of the Steppe", f'title: "Rivers{written} of the Steppe"')
    fails(built, capsys, f"error: {BRIEF}:3:", f"noncharacter U+{char}")


def test_a_noncharacter_in_a_catalog_is_located(built, capsys):
    edit(built, RU_MINI, "msgstr \"", "msgstr \"\ufdef", )
    fails(built, capsys, f"{RU_MINI}:", "noncharacter U+FDEF")


@pytest.mark.parametrize("command", ["build", "check"])
def test_control_characters_in_a_catalog_are_located(built, capsys, command):
    edit(built, RU_MINI, "msgstr \"", "msgstr \"\x01", )
    fails(built, capsys, f"{RU_MINI}:", "control character U+0001", command=command)


@pytest.mark.parametrize("command", ["build", "check"])
def test_invalid_utf8_catalog_fails_build_and_check(built, capsys, command):
    path = built / RU_MINI
    data = path.read_bytes()
    line = data[:data.index(b'msgstr "\xd0')].count(b"\n") + 1
    path.write_bytes(data.replace(b'msgstr "\xd0', b'msgstr "\xff\xd0', 1))
    fails(built, capsys, f"{RU_MINI}:{line}:9: not valid UTF-8", command=command)


# --- Inputs that crash or hang ----------------------------------------------------------

def test_yaml_aliases_are_refused_before_they_expand(built, capsys):
    text = (built / BRIEF).read_text()
    text = text.replace("summary: Two", "summary: &big Two")
    text = text.replace("    blocks:\n", "    blocks:\n" + "      - paragraph: *big\n" * 2000, 1)
    (built / BRIEF).write_text(text)
    fails(built, capsys, f"error: {BRIEF}:8:10: YAML anchors and aliases")


def test_deeply_nested_yaml_is_refused(built, capsys):
    edit(built, BRIEF, "- paragraph: The Amu", "- paragraph: " + "[" * 30000 + "x" +
         "]" * 30000 + "\n      - paragraph: The Amu")
    fails(built, capsys, "nested more than 32 levels deep")


@pytest.mark.parametrize(("markdown", "message"), [
    ("*" * 20000 + "x" + "*" * 20000, "inline Markdown nested 10000 levels deep (at most 16)"),
    ("*a " * 5000 + "x" + " a*" * 5000, "inline Markdown nested 5000 levels deep"),
    ("**_" * 3000 + "x" + "_**" * 3000, "4001 pieces of inline Markdown (emphasis, links, "
                                        "code) in one text (at most 256)"),
])
def test_deeply_nested_or_overlong_markdown_is_refused(built, capsys, markdown, message):
    edit(built, BRIEF, "The Amu Darya and the Syr Darya cross the region.",
         json.dumps(markdown))
    fails(built, capsys, f"error: {BRIEF}:16:20: 'paragraph': {message}")


def test_deeply_nested_markdown_in_a_translation_is_refused(built, capsys):
    edit(built, RU_MINI, 'msgstr "Амударья', 'msgstr "' + "*" * 100 + "Амударья" + "*" * 100
         + '"\n"')
    fails(built, capsys, f"error: {RU_MINI}:", "inline Markdown nested")
    fails(built, capsys, "inline Markdown nested", command="check")


def test_large_legitimate_inputs_keep_working(built, capsys):
    paragraph = " ".join(["The river carries water to the fields of the valley"] * 20000)
    rows = "".join(f"            - [River {i}, {i} km]\n" for i in range(10000))
    text = (built / BRIEF).read_text()
    text = text.replace("The Amu Darya and the Syr Darya cross the region.", paragraph)
    text = text.replace("            - [Amu Darya, 2400 km]\n", rows)
    (built / BRIEF).write_text(text)
    assert len(paragraph) > 1_000_000
    assert run(built, "build", "-q", "--lang", "en", "--format", "html") == 0
    html = (built / "dist/en/mini.html").read_text()
    assert html.count("<tr") >= 10000 and "River 9999" in html


def test_table_over_the_cell_limit_is_refused(built, capsys, monkeypatch):
    from polybrief import blocks

    monkeypatch.setattr(blocks, "MAX_TABLE_CELLS", 3)
    fails(built, capsys, f"error: {BRIEF}:26:13: a table of 2 rows × 2 columns is over 3 "
                         "cells; split it or publish the data as a file")


def test_catalog_of_100000_entries_loads(tmp_path):
    from polybrief.i18n import load_catalog, parse_language

    entries = "".join(f'msgid "Segment {i}"\nmsgstr "Сегмент {i}"\n\n' for i in range(100000))
    header = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
              '"Language: ru\\n"\n"Plural-Forms: nplurals=3; plural=(n%10==1 && n%100!=11 ? '
              '0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"\n\n')
    (tmp_path / "big.po").write_text(header + entries, encoding="utf-8")
    catalog = load_catalog(tmp_path / "big.po", "big.po", "big", parse_language("ru"), tmp_path)
    assert catalog.lookup("Segment 99999") == "Сегмент 99999"


# --- Every failure is one clear line and the right exit code ---------------------------

def one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    return lines[0]


def test_disk_full_is_one_line_exit_3_and_dist_unchanged(built, capsys, monkeypatch):
    from polybrief import project

    def full(folder, rel, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder / rel))

    monkeypatch.setattr(project, "stage_file", full)
    edit(built, BRIEF, "Rivers of the Steppe", "Rivers of the Plain")
    err = fails(built, capsys, code=3, args=("-j", "1"))
    assert "no space left on the device" in one_line(err)


def test_read_only_output_subfolder_is_one_line_exit_3(built, capsys, monkeypatch):
    ru = built / "dist" / "ru"
    if os.geteuid() == 0:  # root writes anywhere: show the check what a user would see
        real = os.access
        monkeypatch.setattr(os, "access", lambda path, mode: real(path, mode) and
                            Path(path) != ru)
    ru.chmod(0o555)
    try:
        edit(built, BRIEF, "Rivers of the Steppe", "Rivers of the Plain")
        err = fails(built, capsys, code=3)
        assert one_line(err) == f"error: {ru}: read-only folder in the output; make it " \
                                "writable or build into another --out"
    finally:
        ru.chmod(0o755)


def test_unreadable_input_is_one_line_exit_3(built, capsys, monkeypatch):
    brief = str((built / BRIEF).resolve())
    real = os.open

    def denied(path, flags, *args, **kwargs):
        if str(path) == brief:
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real(path, flags, *args, **kwargs)

    monkeypatch.setattr(files.os, "open", denied)
    err = fails(built, capsys, code=3)
    assert one_line(err) == f"error: {BRIEF}: permission denied (cannot read it)"


def test_damaged_cache_is_one_warning_and_a_full_rebuild(built, capsys):
    cache_path = built / "dist/.polybrief-cache.json"
    cache = json.loads(cache_path.read_text())
    cache["fonts"] = "x"
    cache_path.write_text(json.dumps(cache))
    assert run(built, "build") == 0
    err = capsys.readouterr().err
    assert "discarding the build cache" in err and "Traceback" not in err
    assert "Built 6 documents" in err


# --- dist/ is always one complete build -------------------------------------------------

def test_output_damaged_in_place_with_the_same_size_is_rebuilt(built, capsys):
    pdf = built / "dist/ru/mini.ru.pdf"
    good = pdf.read_bytes()
    pdf.write_bytes(good[:-8] + b"%damaged")
    assert run(built, "build") == 0
    assert "Built 1 document" in capsys.readouterr().err
    assert pdf.read_bytes() == good


def test_a_build_replaces_dist_in_one_step_and_leaves_nothing_beside_it(built, monkeypatch):
    from polybrief import staging

    switched = []
    real = staging.switch

    def watch(new: Path, current: Path):
        switched.append((tree_digest(current), tree_digest(new)))
        return real(new, current)

    monkeypatch.setattr(staging, "switch", watch)
    before = tree_digest(built / "dist")
    edit(built, BRIEF, "Rivers of the Steppe", "Rivers of the Plain")
    assert run(built, "build", "-q", "--lang", "ru") == 0
    (old, new), = switched
    assert old == before
    assert tree_digest(built / "dist") == new
    assert set(new) == set(old)  # the other languages' files were carried over
    assert sorted(p.name for p in built.iterdir() if p.name.startswith(".dist")) == [
        ".dist.lock"]


def test_weasyprint_reads_through_the_same_gate(tmp_path, canary):
    from polybrief.pdf import ProjectFetcher

    root = tmp_path / "project"
    root.mkdir()
    (root / "style.css").write_text("p { color: black }")
    (root / "away.css").symlink_to(canary)
    os.mkfifo(root / "pipe.css")
    fetcher = ProjectFetcher(root)
    response = fetcher.fetch((root / "style.css").as_uri())
    assert response.read() == b"p { color: black }"
    for url, reason in [((root / "away.css").as_uri(), "outside the project"),
                        ((root / "pipe.css").as_uri(), "not a regular file"),
                        (canary.as_uri(), "outside the project"),
                        ("https://example.org/x.css", "only the project's own files")]:
        with pytest.raises(ValueError, match=reason) as caught:
            fetcher.fetch(url)
        assert CANARY not in str(caught.value)


@pytest.mark.parametrize("damage", [
    lambda entries: [dict(entries[0], bytes="x")] + entries[1:],
    lambda entries: [dict(entries[0], date="June 2025")] + entries[1:],
    lambda entries: [dict(entries[0], sha256=None)] + entries[1:],
    lambda entries: [dict(entries[0], format="exe")] + entries[1:],
    lambda entries: [dict(entries[0], extra=1)] + entries[1:],
    lambda entries: {"not": "a list"},
    lambda entries: json.loads("[" * 100000 + "]" * 100000),
], ids=["bytes", "date", "sha256", "format", "field", "table", "nested"])
def test_merge_reports_a_damaged_shard_manifest_in_one_line(built, tmp_path, capsys, damage):
    shard = tmp_path / "shard"
    assert run(built, "build", "-q", "--out", str(shard)) == 0
    manifest = shard / "manifest.json"
    try:
        damaged = damage(json.loads(manifest.read_text()))
        manifest.write_text(json.dumps(damaged))
    except RecursionError:
        manifest.write_text("[" * 100000 + "]" * 100000)
    fails(built, capsys, f"error: {manifest}: not a readable polybrief manifest",
          command="merge-manifests", args=(str(shard), "--out", str(tmp_path / "merged")))
    assert not (tmp_path / "merged").exists()


@pytest.mark.parametrize(("translation", "why"), [
    ("Бет %(nope)s", "has unknown placeholder %(nope)s"),
    ("Бет %d / %s", "has a placeholder or a single % that cannot be formatted"),
    ("Бет %(page)s / %(pages)s, 100%", "has a placeholder or a single % that cannot be "
                                        "formatted (write a literal % as %%)"),
])
@pytest.mark.parametrize("command", ["build", "check"])
def test_ui_translation_that_cannot_be_formatted_is_located(built, capsys, translation, why,
                                                            command):
    edit(built, RU_UI, 'msgstr "Страница %(page)s из %(pages)s"', f'msgstr "{translation}"')
    lines = (built / RU_UI).read_text(encoding="utf-8").splitlines()
    line = lines.index('msgid "Page %(page)s of %(pages)s"') + 1
    fails(built, capsys, f"{RU_UI}:{line}: the translation of 'Page %(page)s of %(pages)s' {why}",
          command=command)


def test_ui_translation_with_a_literal_percent_sign_builds(built):
    edit(built, RU_UI, 'msgstr "Страница %(page)s из %(pages)s"',
         'msgstr "Страница %(page)s из %(pages)s (100%%)"')
    assert run(built, "build", "-q", "--lang", "ru") == 0


@pytest.mark.parametrize(("old", "new", "message"), [
    ("charset=utf-8", "charset=latin1",
     f"{RU_UI}:15: Content-Type declares charset 'latin1'; catalogs are UTF-8"),
    ("plural=(n%10==1", "plural=(n/0==1",
     f"{RU_UI}:12: Plural-Forms: the plural rule '(n/0==1 && n%100!=11 ? 0 : n%10>=2 && n%…' "
     "is not usable ('integer division or modulo by zero')"),
    ("plural=(n%10==1", "plural=(__import__(1)==1", "invalid token in plural form: __import__"),
    ("plural=(n%10==1", "plural=(" + "(" * 200 + "n" + ")" * 200 + "==1",
     "plural form expression is too complex"),
    ("plural=(n%10==1 && n%100!=11 ? 0", "plural=(n%10==1 && n%100!=11 ? 7",
     "the plural rule gives form 7 for 1, of 3 forms"),
])
@pytest.mark.parametrize("command", ["build", "check"])
def test_catalog_header_the_build_cannot_use_is_located(built, capsys, old, new, message,
                                                        command):
    edit(built, RU_UI, old, new)
    fails(built, capsys, message, command=command)


@pytest.mark.parametrize("translation", ["Охватывает %(num)d стран: %(list)d",
                                         "Охватывает %(num)c стран: %(list)s"])
def test_ui_placeholder_of_another_type_than_the_source_is_located(built, capsys, translation):
    path = built / RU_UI
    text = path.read_text(encoding="utf-8")
    start = text.index('msgid "Covers %(num)d country: %(list)s"')
    line = text.count("\n", 0, start) + 1
    forms = text.index("msgstr[0]", start)
    end = text.index("\n\n", forms)
    path.write_text(text[:forms] + "\n".join(
        f'msgstr[{i}] "{translation}"' for i in range(3)) + text[end:], encoding="utf-8")
    fails(built, capsys, f"{RU_UI}:{line}: the translation of ", "cannot be formatted")


def test_manifest_number_out_of_range_is_a_damaged_manifest(built, tmp_path, capsys):
    shard = tmp_path / "shard"
    assert run(built, "build", "-q", "--out", str(shard)) == 0
    manifest = json.loads((shard / "manifest.json").read_text())
    manifest[0]["bytes"] = 10 ** 400
    (shard / "manifest.json").write_text(json.dumps(manifest))
    fails(built, capsys, "not a readable polybrief manifest", command="merge-manifests",
          args=(str(shard), "--out", str(tmp_path / "merged")))


@pytest.mark.parametrize("body", ['tool = "x"\n', "tool = [1]\n", "[tool]\npolybrief = 3\n"])
def test_pyproject_whose_tool_table_is_not_a_table_is_one_line(tmp_path, capsys, body):
    (tmp_path / "pyproject.toml").write_text(body, encoding="utf-8")
    assert run(tmp_path, "build") == 1
    err = capsys.readouterr().err
    assert "error: pyproject.toml: missing the [tool.polybrief] table" in err
    assert "Traceback" not in err


# --- Found by trying it as a hostile user ------------------------------------------------

def test_template_cannot_reach_python_internals(built, capsys):
    edit(built, "templates/brief.html.j2", "<title>{{ brief.title.plain }}</title>",
         '<title>{{ cycler.__init__.__globals__.os.popen("id").read() }}</title>')
    err = fails(built, capsys, "error: templates/brief.html.j2:", "template error:")
    assert "uid=" not in err


def test_lock_file_that_is_a_link_is_refused(built, tmp_path, capsys):
    target = tmp_path / "outside" / "created-by-lock"
    target.parent.mkdir()
    (built / ".dist.lock").unlink()
    (built / ".dist.lock").symlink_to(target)
    fails(built, capsys, "the output folder's lock file is a link; remove it")
    assert not target.exists()


def test_long_runs_of_spaces_are_typeset_in_linear_time():
    from polybrief.i18n import parse_language
    from polybrief.typography import typeset

    text = "a" + " " * 200_000 + "b — c ;" + " " * 200_000 + "!"
    started = time.monotonic()
    for tag in ("ru", "fr"):
        assert typeset(text, parse_language(tag)).startswith("a ")
    assert time.monotonic() - started < 10  # quadratic, this took minutes


def test_overlong_heading_is_refused_with_its_line(built, capsys):
    edit(built, BRIEF, "heading: Background", "heading: " + "Background " * 200)
    fails(built, capsys, f"error: {BRIEF}:14: a title or heading of 2,199 characters; "
                         "at most 1,000")


def test_overlong_translated_heading_names_the_catalog(built, capsys):
    edit(built, "locales/ja/LC_MESSAGES/mini.po", 'msgstr "背景"',
         'msgstr "' + "東京の大学で勉強します。" * 100 + '"')
    fails(built, capsys, "error: locales/ja/LC_MESSAGES/mini.po:", "a title or heading of "
                         "1,200 characters; at most 1,000")


def test_ui_placeholder_width_the_source_does_not_have_is_refused(built, capsys):
    edit(built, RU_UI, 'msgstr[1] "Охватывает %(num)d', 'msgstr[1] "Охватывает %(num)100000d')
    fails(built, capsys, f"{RU_UI}:", "gives '%(num)100000d' a width or precision its source "
                         "does not have")


def test_merge_refuses_a_file_where_another_shard_needs_a_folder(built, tmp_path, capsys):
    def entry(path: str, data: bytes) -> dict:
        return dict(brief="mini", lang="en", format="html", path=path, bytes=len(data),
                    sha256=hashlib.sha256(data).hexdigest(), pages=None, title="t",
                    date="2025-01-01", coverage=1.0)

    a, b = tmp_path / "a", tmp_path / "b"
    (b / "en").mkdir(parents=True)
    a.mkdir()
    (a / "en").write_bytes(b"x")
    (a / "manifest.json").write_text(json.dumps([entry("en", b"x")]))
    (b / "en" / "mini.html").write_bytes(b"y")
    (b / "manifest.json").write_text(json.dumps([entry("en/mini.html", b"y")]))
    fails(built, capsys, "en/mini.html needs en to be a folder", command="merge-manifests",
          args=(str(a), str(b), "--out", str(tmp_path / "out")))


def test_folder_where_the_build_writes_a_file_is_replaced(built, capsys):
    (built / "dist/index.html").unlink()
    (built / "dist/index.html").mkdir()
    (built / "dist/index.html/stray.txt").write_text("x")
    assert run(built, "build", "-q", "--force") == 0
    assert (built / "dist/index.html").is_file()


@pytest.mark.parametrize("epoch", ["253402300800", "99999999999999999999", "-5", "soon"])
def test_source_date_epoch_out_of_range_is_one_line_exit_3(built, capsys, monkeypatch, epoch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    err = fails(built, capsys, code=3, args=("--force",))
    assert one_line(err).startswith(f"error: SOURCE_DATE_EPOCH='{epoch}': not a number of "
                                    "seconds since 1970")
