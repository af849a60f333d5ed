"""The output folder's life: one build at a time, and a switch to the next build in one step.

A build writes into a staging folder beside the output folder (``.dist.staging-*``),
links into it every file of the previous build that it did not make again, and then
exchanges the two folders with one ``renameat2(RENAME_EXCHANGE)`` system call. At every
instant a reader of ``dist/`` sees the previous complete build or the new one, never a
mix. Where the file system cannot exchange, two renames with a recovery step at the next
start take its place: then, for an instant, ``dist/`` is missing, but it is never mixed.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import hashlib
import logging
import os
import shutil
import signal
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import Problem, ProjectError
from .files import EnvironmentFailure, default_mode, umask
from .output import file_digest

log = logging.getLogger(__name__)
RENAME_EXCHANGE = 2
AT_FDCWD = -100


def _sibling(out_dir: Path, what: str) -> Path:
    return out_dir.parent / f".{out_dir.name}.{what}"


@contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """Hold the output folder's lock; a second build waits, saying so, until the first ends.

    The lock is an advisory ``flock`` on ``.dist.lock`` beside the folder: the system
    releases it when its holder exits, however it exits, so a killed build never
    leaves the folder locked. Holding it, recover what an interrupted build left.
    """
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    path = _sibling(out_dir, "lock")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, default_mode())
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            raise
        raise ProjectError(Problem(str(path), "the output folder's lock file is a link; "
                                              "remove it")) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("%s: another polybrief build is writing this folder; waiting for it "
                        "to finish", out_dir)
            fcntl.flock(fd, fcntl.LOCK_EX)
        recover(out_dir)
        yield
    finally:
        os.close(fd)


def recover(out_dir: Path) -> None:
    """Finish what an interrupted switch began and remove staging folders left by a kill."""
    previous = _sibling(out_dir, "previous")
    if previous.exists() and not out_dir.exists():
        os.rename(previous, out_dir)  # killed between the two renames: roll back
    prefix = f".{out_dir.name}.staging-"
    for entry in out_dir.parent.iterdir():
        if entry.name.startswith(prefix) or entry == previous:
            _remove_tree(entry)


def check_writable(out_dir: Path) -> None:
    """Refuse to replace an output folder that its owner made read-only, in any part."""
    if not os.access(out_dir.parent, os.W_OK):
        raise EnvironmentFailure(f"{out_dir.parent}: permission denied: polybrief cannot "
                                 f"create the next build of {out_dir.name}/ there")
    if not out_dir.exists():
        return
    for folder, _dirs, _files in os.walk(out_dir):
        if not os.access(folder, os.W_OK):
            raise EnvironmentFailure(f"{folder}: read-only folder in the output; make it "
                                     f"writable or build into another --out")


class Staging:
    """The next build of the output folder, made beside it and switched in at once.

    Until ``commit`` the output folder is untouched, so a failed or killed build
    leaves it exactly as it was. Call inside ``locked(out_dir)``.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        check_writable(out_dir)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-",
                                         dir=out_dir.parent))
        os.chmod(self.tmp, stat.S_IMODE(out_dir.stat().st_mode) if out_dir.is_dir()
                 else 0o777 & ~umask())
        self.files: set[str] = set()

    def write(self, rel: str, data: bytes) -> tuple[int, str]:
        """Stage one file; return its size and SHA-256."""
        result = stage_file(self.tmp, rel, data)
        self.files.add(rel)
        return result

    def write_if_changed(self, rel: str, data: bytes) -> None:
        """Stage a file unless the output folder holds these bytes: the old file is kept."""
        if file_digest(self.out_dir, rel) != hashlib.sha256(data).hexdigest():
            self.write(rel, data)

    def drop(self, rel: str) -> None:
        """Leave a file of the previous build out of this one (a feed no longer made)."""
        self.files.add(rel)

    def adopt(self, rel: str) -> None:
        """Take into the build a file a worker process staged itself."""
        self.files.add(rel)

    def commit(self) -> None:
        """Carry over the previous build's other files, then switch folders in one step.

        From the switch on the new build is in place: an interrupt that arrives while
        the old one is removed is noted and dropped, so that nobody is told the output
        folder is as it was when it is not.
        """
        if self.out_dir.is_dir():
            _carry_over(self.out_dir, self.tmp, self.files)
        with _signals_deferred():
            old = switch(self.tmp, self.out_dir)
            if old is not None:
                _remove_tree(old)

    def discard(self) -> None:
        _remove_tree(self.tmp)

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc_info) -> None:
        self.discard()


def stage_file(folder: Path, rel: str, data: bytes) -> tuple[int, str]:
    """Write one file under a staging folder; return its size and SHA-256.

    The staging folder itself is never created here: a worker that outlives its
    build must not bring back a folder the next build has removed.
    """
    target = folder
    for part in rel.split("/")[:-1]:
        target = target / part
        target.mkdir(exist_ok=True)
    (folder / rel).write_bytes(data)
    return len(data), hashlib.sha256(data).hexdigest()


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """Note SIGINT and SIGTERM instead of acting on them, for the length of the block."""
    noted: list[int] = []
    try:
        previous = {sig: signal.signal(sig, lambda number, frame: noted.append(number))
                    for sig in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread: signals cannot reach this code anyway
        yield
        return
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if noted:
            log.debug("interrupt received after the new build was in place; it is complete")


def _carry_over(source: Path, dest: Path, made: set[str]) -> None:
    """Hard-link (or copy) every file of the previous build this one did not make again."""
    for folder, dirs, files in os.walk(source):
        rel_folder = Path(folder).relative_to(source)
        for name in list(dirs):
            target = dest / rel_folder / name
            if target.is_symlink() or (target.exists() and not target.is_dir()):
                dirs.remove(name)  # the new build made a file there: it wins
                continue
            target.mkdir(exist_ok=True)
            shutil.copymode(Path(folder, name), target)
        for name in files:
            rel = (rel_folder / name).as_posix()
            target = dest / rel
            if rel in made or target.exists() or target.is_symlink():
                continue
            try:
                os.link(Path(folder, name), target, follow_symlinks=False)
            except OSError:
                shutil.copy2(Path(folder, name), target, follow_symlinks=False)


def switch(new: Path, current: Path) -> Path | None:
    """Put ``new`` in the place of ``current`` in one step; return where the old one is."""
    if not current.exists() and not current.is_symlink():
        os.rename(new, current)
        return None
    if _exchange(new, current):
        return new
    previous = _sibling(current, "previous")
    os.rename(current, previous)
    os.rename(new, current)
    return previous


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); False where that is not supported."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def _remove_tree(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    else:
        shutil.rmtree(path, ignore_errors=True)
