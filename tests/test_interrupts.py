"""Killed, interrupted and concurrent builds: dist/ is always one complete build, never a mix,
nothing is left beside it, and no worker process outlives its build."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT, copy_project, edit, run, tree_digest

BUILD = ROOT / "build.py"
BRIEF = "content/mini/brief.yaml"
RU_MINI = "locales/ru/LC_MESSAGES/mini.po"
JA_MINI = "locales/ja/LC_MESSAGES/mini.po"
WAITING = "another polybrief build is writing this folder; waiting for it to finish"
TERMINATED = "terminated (SIGTERM); the output folder is as it was"
INTERRUPTED = "interrupted (Ctrl-C); the output folder is as it was"
ORPHAN_GRACE = 1.5
KILLS = 8

HOOKED = """
import sys, time
from pathlib import Path
sys.path.insert(0, {src!r})
from polybrief import cli, staging
marks, pause = Path(sys.argv[1]), float(sys.argv[2])
real_carry, real_switch = staging._carry_over, staging.switch
def carry(*args):
    (marks / "carry").touch()
    time.sleep(pause)
    return real_carry(*args)
def switch(*args):
    (marks / "switch").touch()
    time.sleep(pause)
    old = real_switch(*args)
    (marks / "switched").touch()
    time.sleep(pause)
    return old
staging._carry_over, staging.switch = carry, switch
sys.exit(cli.main(sys.argv[3:]))
""".format(src=str(ROOT / "src"))


@dataclass
class Build:
    """A build running in its own process group, its stderr going to a file."""

    proc: subprocess.Popen
    err_path: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def err(self) -> str:
        return self.err_path.read_text(encoding="utf-8", errors="replace")


@dataclass
class States:
    """The mini project with inputs edited since build A; B is their complete build from A."""

    project: Path
    a_copy: Path
    a: dict[str, str]
    b: dict[str, str]
    seconds: float

    @property
    def dist(self) -> Path:
        return self.project / "dist"

    def restore_a(self) -> None:
        shutil.rmtree(self.dist, ignore_errors=True)
        shutil.copytree(self.a_copy, self.dist)
        assert tree_digest(self.dist) == self.a
        assert leftovers(self.project) == []


STARTED: list[Build] = []


@pytest.fixture(autouse=True)
def stop_what_a_test_started():
    """Builds and workers that a failed test left running are killed with their group."""
    yield
    while STARTED:
        build = STARTED.pop()
        if build.proc.poll() is None or group(build.pid):
            try:
                os.killpg(build.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        build.proc.wait(timeout=10)


def start(project: Path, logs: Path, *args: str, hooked: tuple[str, ...] | None = None) -> Build:
    """Start a build of project in a new session, as a terminal starts a foreground job."""
    logs.mkdir(parents=True, exist_ok=True)
    err_path = logs / f"stderr-{time.monotonic_ns()}.txt"
    argv = ["build", "-C", str(project), *args]
    command = ([sys.executable, "-c", HOOKED, *hooked, *argv] if hooked is not None
               else [sys.executable, str(BUILD), *argv])
    with open(err_path, "wb") as err:
        proc = subprocess.Popen(command, cwd=project, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    STARTED.append(Build(proc, err_path))
    return STARTED[-1]


def finish(project: Path, logs: Path, *args: str) -> Build:
    build = start(project, logs, *args)
    assert build.proc.wait(timeout=60) == 0, build.err()
    return build


def leftovers(project: Path) -> list[str]:
    return sorted(p.name for p in project.iterdir()
                  if p.name.startswith(".dist.staging-") or p.name == ".dist.previous")


def processes() -> dict[int, tuple[str, int, int]]:
    """Every process still running (zombies left out): pid → (state, parent pid, group)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path("/proc", entry, "stat").read_text()
        except OSError:
            continue
        state, ppid, pgrp = stat[stat.rindex(")") + 2:].split()[:3]
        if state not in ("Z", "X"):
            found[int(entry)] = (state, int(ppid), int(pgrp))
    return found


def workers(pid: int) -> set[int]:
    """The processes the build forked (not the compilers ctypes runs to find libraries)."""
    try:
        command = Path("/proc", str(pid), "cmdline").read_bytes()
    except OSError:
        return set()
    found = set()
    for child, (_, ppid, _) in processes().items():
        try:
            if ppid == pid and Path("/proc", str(child), "cmdline").read_bytes() == command:
                found.add(child)
        except OSError:
            pass
    return found


def group(pgid: int) -> set[int]:
    return {pid for pid, (_, _, pgrp) in processes().items() if pgrp == pgid}


def started(pid: int) -> bool:
    """A worker has run its initializer: it ignores SIGINT or runs its watcher thread."""
    try:
        status = dict(line.split(":\t", 1) for line in
                      Path("/proc", str(pid), "status").read_text().splitlines())
    except (OSError, ValueError):
        return False
    ignored = int(status["SigIgn"], 16) & (1 << (signal.SIGINT - 1))
    return bool(ignored) or int(status["Threads"]) > 1


def wait_for(condition: Callable[[], object], timeout: float, step: float = 0.005) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
    return True


def ready_workers(build: Build, count: int) -> set[int]:
    """Wait until the build has count workers that have finished their start-up."""
    found: set[int] = set()

    def ready() -> bool:
        found.clear()
        found.update(workers(build.pid))
        return len(found) >= count and all(map(started, found))

    assert wait_for(ready, 30), f"workers did not start: {found}; {build.err()}"
    assert build.proc.poll() is None, build.err()
    return set(found)


def differences(tree: dict[str, str], a: dict[str, str], b: dict[str, str]) -> str:
    def diff(other: dict[str, str]) -> list[str]:
        return sorted(rel for rel in set(tree) | set(other) if tree.get(rel) != other.get(rel))

    return f"dist/ is neither A nor B: differs from A in {diff(a)}, from B in {diff(b)}"


def manifest_matches_files(dist: Path) -> list[dict]:
    entries = json.loads((dist / "manifest.json").read_text(encoding="utf-8"))
    for entry in entries:
        digest = hashlib.sha256((dist / entry["path"]).read_bytes()).hexdigest()
        assert digest == entry["sha256"], entry["path"]
    return entries


def settle(states: States, build: Build) -> None:
    """After a kill: orphaned workers stop, and the next build leaves nothing beside dist/."""
    assert wait_for(lambda: not group(build.pid), ORPHAN_GRACE), group(build.pid)
    assert run(states.project, "build", "-q", "--lang", "en", "--format", "html") == 0
    assert leftovers(states.project) == []


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> States:
    """Build A, edit the brief's date (every document changes), build B from A; restore A."""
    base = tmp_path_factory.mktemp("interrupts")
    project = copy_project(FIXTURES / "mini", base / "mini")
    finish(project, base / "logs", "-q", "-j", "2")
    shutil.copytree(project / "dist", base / "a")
    a = tree_digest(project / "dist")
    edit(project, BRIEF, "date: 2025-06-17", "date: 2025-06-18")
    begun = time.monotonic()
    finish(project, base / "logs", "-q", "-j", "2")
    seconds = time.monotonic() - begun
    b = tree_digest(project / "dist")
    assert set(b) == set(a)
    assert all(b[rel] != a[rel] for rel in a if rel.endswith((".html", ".pdf")))
    assert leftovers(project) == []
    return States(project, base / "a", a, b, seconds)


def test_build_killed_at_random_moments_leaves_dist_a_or_b(states, tmp_path):
    """SIGKILL at any moment of a build leaves dist/ as build A or build B, file for file."""
    rng = random.Random(20250617)
    for attempt in range(KILLS):
        states.restore_a()
        delay = states.seconds * 1.1 * (attempt + rng.random()) / KILLS
        build = start(states.project, tmp_path, "-q", "-j", "2")
        time.sleep(delay)
        os.kill(build.pid, signal.SIGKILL)
        build.proc.wait(timeout=10)
        tree = tree_digest(states.dist)
        assert tree in (states.a, states.b), f"kill after {delay:.2f} s: " + differences(
            tree, states.a, states.b)
        settle(states, build)


@pytest.mark.parametrize(("mark", "after", "expected"), [
    ("carry", 0.05, "A"),
    ("switch", 0.05, "A"),
    ("switch", 0.29, "AB"),
    ("switch", 0.31, "AB"),
    ("switched", 0.0, "B"),
    ("switched", 0.15, "B"),
    ("switched", 0.3, "B"),
], ids=["carrying-over", "before-switch", "at-switch-early", "at-switch-late",
        "just-after-switch", "before-old-removed", "removing-old"])
def test_build_killed_around_the_switch_leaves_dist_a_or_b(states, tmp_path, mark, after,
                                                          expected):
    """SIGKILL while carrying over, at the exchange of folders or just after leaves A or B."""
    states.restore_a()
    marks = tmp_path / "marks"
    marks.mkdir()
    build = start(states.project, tmp_path, "-q", "-j", "2", hooked=(str(marks), "0.3"))
    assert wait_for((marks / mark).exists, 30), build.err()
    time.sleep(after)
    os.kill(build.pid, signal.SIGKILL)
    build.proc.wait(timeout=10)
    tree = tree_digest(states.dist)
    wanted = [{"A": states.a, "B": states.b}[state] for state in expected]
    assert tree in wanted, differences(tree, states.a, states.b)
    if mark == "switched" and after < 0.3:
        assert leftovers(states.project), "the old build was removed before the kill"
    settle(states, build)


def test_workers_of_a_killed_build_stop_long_before_their_documents_are_done(mini, tmp_path):
    """SIGKILL to a -j 2 build whose PDFs take seconds: every orphaned worker ends in 1.5 s."""
    appendix = "".join(f"      - paragraph: Paragraph {number} of a long appendix.\n"
                       for number in range(3000))
    edit(mini, BRIEF, "  - heading: Outlook\n",
         f"  - heading: Appendix\n    blocks:\n{appendix}  - heading: Outlook\n")
    build = start(mini, tmp_path, "-q", "-j", "2")
    forked = ready_workers(build, 2)
    time.sleep(0.2)
    assert build.proc.poll() is None, "the build finished before it could be killed"
    os.kill(build.pid, signal.SIGKILL)
    build.proc.wait(timeout=10)
    killed = time.monotonic()
    assert wait_for(lambda: not forked & set(processes()), ORPHAN_GRACE), (
        f"workers still running {time.monotonic() - killed:.1f} s after the kill: "
        f"{forked & set(processes())}")
    assert not group(build.pid)
    assert not (mini / "dist").exists()


@pytest.mark.parametrize(("signum", "code", "message", "whole_group"), [
    (signal.SIGTERM, 143, TERMINATED, False),
    (signal.SIGINT, 130, INTERRUPTED, True),
    (signal.SIGTERM, 143, TERMINATED, True),
], ids=["SIGTERM", "SIGINT-to-group", "SIGTERM-to-group"])
def test_build_stopped_by_signal_is_one_line_and_leaves_dist_as_it_was(
        states, tmp_path, signum, code, message, whole_group):
    """SIGTERM (143) or Ctrl-C to the group (130): one line, dist/ is A, workers end."""
    states.restore_a()
    build = start(states.project, tmp_path, "-j", "2")
    forked = ready_workers(build, 2)
    time.sleep(0.1)
    assert build.proc.poll() is None, "the build finished before it could be stopped"
    if whole_group:
        os.killpg(build.pid, signum)
    else:
        os.kill(build.pid, signum)
    assert build.proc.wait(timeout=10) == code, build.err()
    err = build.err()
    assert "Traceback" not in err, err
    assert "ForkPoolWorker" not in err, err
    assert err.splitlines() == [message], err
    assert tree_digest(states.dist) == states.a
    assert leftovers(states.project) == []
    assert wait_for(lambda: not forked & set(processes()), ORPHAN_GRACE), forked
    assert not group(build.pid)


@pytest.mark.parametrize(("signum", "code", "whole_group"), [
    (signal.SIGTERM, 143, False),
    (signal.SIGINT, 130, True),
], ids=["SIGTERM", "SIGINT-to-group"])
def test_signal_once_the_new_build_is_in_place_does_not_say_dist_is_as_it_was(
        states, tmp_path, signum, code, whole_group):
    """A signal between the exchange and the end of the build: dist/ is B and no line denies it."""
    states.restore_a()
    marks = tmp_path / "marks"
    marks.mkdir()
    build = start(states.project, tmp_path, "-j", "2", hooked=(str(marks), "0.3"))
    assert wait_for((marks / "switched").exists, 30), build.err()
    if whole_group:
        os.killpg(build.pid, signum)
    else:
        os.kill(build.pid, signum)
    assert build.proc.wait(timeout=10) in (0, code), build.err()
    err = build.err()
    assert tree_digest(states.dist) == states.b
    assert leftovers(states.project) == []
    assert "Traceback" not in err, err
    assert len(err.splitlines()) == 1, err
    assert "the output folder is as it was" not in err, err


def test_second_build_waits_for_the_lock_then_finishes(states, tmp_path):
    """A build that finds the lock held says it waits, waits, and builds B once it is free."""
    states.restore_a()
    fd = os.open(states.project / ".dist.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        build = start(states.project, tmp_path, "-j", "2")
        line = f"WARNING: {os.path.realpath(states.dist)}: {WAITING}"
        assert wait_for(lambda: line in build.err().splitlines(), 10), build.err()
        time.sleep(0.5)
        assert build.proc.poll() is None, build.err()
        assert tree_digest(states.dist) == states.a
    finally:
        os.close(fd)
    assert build.proc.wait(timeout=30) == 0, build.err()
    assert tree_digest(states.dist) == states.b
    assert leftovers(states.project) == []


def test_two_builds_of_different_languages_at_once_both_land(mini, tmp_path, capsys):
    """Builds of ru and of ja started together: both succeed and the manifest holds both."""
    assert run(mini, "build", "-q") == 0
    before = tree_digest(mini / "dist")
    edit(mini, RU_MINI, 'msgstr "Реки степи"', 'msgstr "Реки великой степи"')
    edit(mini, JA_MINI, 'msgstr "草原の川"', 'msgstr "大草原の川"')
    builds = [start(mini, tmp_path, "-q", "-j", "2", "--lang", lang) for lang in ("ru", "ja")]
    for build in builds:
        assert build.proc.wait(timeout=60) == 0, build.err()
        assert "Traceback" not in build.err()
    dist = mini / "dist"
    entries = manifest_matches_files(dist)
    assert sorted(entry["path"] for entry in entries) == sorted(
        rel for rel in before if "/" in rel and rel.endswith((".html", ".pdf"))
        and not rel.endswith("/index.html"))
    assert "Реки великой степи" in (dist / "ru/mini.html").read_text(encoding="utf-8")
    assert "大草原の川" in (dist / "ja/mini.html").read_text(encoding="utf-8")
    after = tree_digest(dist)
    for rel in ("ru/mini.html", "ru/mini.ru.pdf", "ja/mini.html", "ja/mini.ja.pdf"):
        assert after[rel] != before[rel], rel
    for rel in ("en/mini.html", "en/mini.en.pdf"):
        assert after[rel] == before[rel], rel
    assert leftovers(mini) == []
    capsys.readouterr()
    assert run(mini, "build") == 0
    assert "Built 0 documents, 0 pages" in capsys.readouterr().err
    assert tree_digest(dist) == after
