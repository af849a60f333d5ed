"""The build engine: worker processes, the incremental cache, shards and merged manifests."""

from __future__ import annotations

import json
import shutil

from conftest import run, tree_digest

LANGS = ("en", "ru", "ja")


def outputs(project, out="dist"):
    return tree_digest(project / out)


def built_paths(capsys) -> str:
    return capsys.readouterr().err


def test_parallel_build_matches_serial_build_byte_for_byte(mini, tmp_path):
    assert run(mini, "build", "-q", "-j1", "--out", str(tmp_path / "one")) == 0
    assert run(mini, "build", "-q", "-j2", "--out", str(tmp_path / "two")) == 0
    one, two = tree_digest(tmp_path / "one"), tree_digest(tmp_path / "two")
    assert one == two and len(one) == 12   # 3 × (page, PDF, index), root index, manifest, cache


def test_workers_replaced_during_a_build_start_warm_and_match_serial_output(
        mini, tmp_path, monkeypatch):
    from polybrief import pdf, project

    assert run(mini, "build", "-q", "-j1", "--out", str(tmp_path / "serial")) == 0
    prepared = []
    monkeypatch.setattr(project, "TASKS_PER_WORKER", 1)
    monkeypatch.setattr(project, "prepare", lambda *args: prepared.append(args) or
                        pdf.prepare(*args))
    # Longer than one worker's share: a pool even with one job, its workers replaced.
    for jobs in ("1", "2"):
        assert run(mini, "build", "-q", "-j", jobs, "--out", str(tmp_path / jobs)) == 0
        assert tree_digest(tmp_path / jobs) == tree_digest(tmp_path / "serial")
    assert len(prepared) == 2
    _config, languages, sample = prepared[0]
    assert {lang.tag for lang in languages} == set(LANGS)
    for lang in languages:  # every language's faces are warmed: body, headings, bold, italic
        assert f'<section lang="{lang.tag}"' in sample
    assert "<h2>" in sample and "<strong>" in sample and "<em>" in sample


def test_nothing_changed_renders_nothing(mini, capsys):
    assert run(mini, "build", "-q") == 0
    before = {p: p.stat().st_mtime_ns for p in (mini / "dist").rglob("*") if p.is_file()}
    assert run(mini, "build") == 0
    assert "Built 0 documents, 0 pages" in capsys.readouterr().err
    after = {p: p.stat().st_mtime_ns for p in (mini / "dist").rglob("*") if p.is_file()}
    assert before == after


def test_changed_catalog_rebuilds_only_its_language(mini, capsys):
    assert run(mini, "build", "-q") == 0
    before = outputs(mini)
    po = mini / "locales" / "ru" / "LC_MESSAGES" / "mini.po"
    po.write_text(po.read_text().replace('msgstr "Орошение"', 'msgstr "Ирригация"'))
    assert run(mini, "build") == 0
    assert "Built 2 documents" in capsys.readouterr().err
    after = outputs(mini)
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed == {"ru/mini.html", "ru/mini.ru.pdf", "manifest.json",
                       ".polybrief-cache.json"}


def test_changed_template_rebuilds_everything(mini, capsys):
    assert run(mini, "build", "-q") == 0
    css = mini / "templates" / "brief.css"
    css.write_text(css.read_text() + "\n/* a change */\n")
    assert run(mini, "build") == 0
    assert "Built 6 documents" in capsys.readouterr().err


def test_deleted_output_is_rebuilt_and_force_rebuilds_all(mini, capsys):
    assert run(mini, "build", "-q") == 0
    (mini / "dist" / "ja" / "mini.ja.pdf").unlink()
    assert run(mini, "build") == 0
    assert "Built 1 document," in capsys.readouterr().err
    assert (mini / "dist" / "ja" / "mini.ja.pdf").is_file()
    assert run(mini, "build", "--force") == 0
    assert "Built 6 documents" in capsys.readouterr().err


def test_corrupt_or_foreign_cache_is_discarded_with_a_warning(mini, capsys):
    assert run(mini, "build", "-q") == 0
    cache = mini / "dist" / ".polybrief-cache.json"
    cache.write_text("{not json")
    assert run(mini, "build") == 0
    err = capsys.readouterr().err
    assert "discarding the build cache" in err and "Built 6 documents" in err
    cache.write_text(json.dumps({"format": "someone-else/9", "outputs": {}}))
    assert run(mini, "build") == 0
    assert "not a polybrief cache of this version" in capsys.readouterr().err
    data = json.loads(cache.read_text())
    entry = data["outputs"]["ru/mini.html"]
    entry["key"] = "0" * 64
    cache.write_text(json.dumps(data))
    assert run(mini, "build") == 0
    assert "Built 1 document," in capsys.readouterr().err


def test_shards_split_the_documents_and_merge_into_one_dist(mini, tmp_path, capsys):
    for k in (1, 2, 3):
        assert run(mini, "build", "-q", "--shard", f"{k}/3", "--out", str(tmp_path / f"s{k}")) == 0
    shards = [json.loads((tmp_path / f"s{k}" / "manifest.json").read_text()) for k in (1, 2, 3)]
    docs = [{(e["brief"], e["lang"]) for e in shard} for shard in shards]
    assert all(len(d) == 1 for d in docs) and set.union(*docs) == {("mini", lang)
                                                                    for lang in LANGS}
    merged = tmp_path / "merged"
    assert run(mini, "merge-manifests", *(str(tmp_path / f"s{k}") for k in (1, 2, 3)),
               "--out", str(merged)) == 0
    assert run(mini, "build", "-q", "--out", str(tmp_path / "whole")) == 0
    whole = tree_digest(tmp_path / "whole")
    whole.pop(".polybrief-cache.json")
    assert tree_digest(merged) == whole


def test_merge_refuses_a_shard_whose_files_do_not_match(mini, tmp_path, capsys):
    assert run(mini, "build", "-q", "--shard", "1/2", "--out", str(tmp_path / "a")) == 0
    assert run(mini, "build", "-q", "--shard", "2/2", "--out", str(tmp_path / "b")) == 0
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    (tmp_path / "a" / manifest[0]["path"]).write_bytes(b"tampered")
    capsys.readouterr()
    assert run(mini, "merge-manifests", str(tmp_path / "a"), str(tmp_path / "b"),
               "--out", str(tmp_path / "m")) == 1
    assert "does not match its manifest" in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_bad_shard_and_jobs_are_usage_errors(mini):
    import pytest

    for args in (("--shard", "4/3"), ("--shard", "x"), ("--jobs", "0")):
        with pytest.raises(SystemExit) as exc:
            run(mini, "build", *args)
        assert exc.value.code == 2
    shutil.rmtree(mini / "dist", ignore_errors=True)


def test_fonts_are_compacted_by_default_and_can_be_left_alone(mini, tmp_path):
    assert run(mini, "build", "-q", "--lang", "ja", "--format", "pdf",
               "--out", str(tmp_path / "small")) == 0
    assert run(mini, "build", "-q", "--lang", "ja", "--format", "pdf", "--no-compact-fonts",
               "--out", str(tmp_path / "large")) == 0
    small = (tmp_path / "small" / "ja" / "mini.ja.pdf").stat().st_size
    large = (tmp_path / "large" / "ja" / "mini.ja.pdf").stat().st_size
    assert small < 0.55 * large
    config = mini / "pyproject.toml"
    config.write_text(config.read_text().replace('paper = "A4"',
                                                 'paper = "A4"\ncompact_fonts = false'))
    assert run(mini, "build", "-q", "--lang", "ja", "--format", "pdf",
               "--out", str(tmp_path / "configured")) == 0
    assert (tmp_path / "configured" / "ja" / "mini.ja.pdf").stat().st_size == large


DEFERRED_FONT_PROBE = """
import sys
import weasyprint
from weasyprint.pdf import fonts
copies = []
load = fonts.get_hb_object_data
def counting(hb_object, ot_color=None, glyph=None):
    data = load(hb_object, ot_color, glyph)
    copies.append(len(data or b""))
    return data
fonts.get_hb_object_data = counting
if sys.argv[1] == "deferred":
    from polybrief.pdf import _defer_font_copies
    _defer_font_copies()
html = '<p lang="ja" style="font-family: Noto Serif CJK JP">日本語の本文、English text.</p>'
sys.stdout.buffer.write(weasyprint.HTML(string=html).write_pdf())
sys.stderr.write(str(max(copies)))
"""


def test_pdf_bytes_do_not_change_when_font_files_are_not_copied():
    import subprocess
    import sys

    runs = {mode: subprocess.run([sys.executable, "-c", DEFERRED_FONT_PROBE, mode],
                                 capture_output=True, check=True)
            for mode in ("copied", "deferred")}
    assert runs["deferred"].stdout == runs["copied"].stdout
    assert runs["deferred"].stdout.startswith(b"%PDF")
    # WeasyPrint alone copies the whole Noto CJK collection (> 10 MB); deferred, only subsets.
    assert int(runs["copied"].stderr) > 10_000_000
    assert int(runs["deferred"].stderr) < 1_000_000
