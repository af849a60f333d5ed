"""The one way to read a project file and to write a file polybrief makes.

A project's files are untrusted: a read must stay inside the project folder after
following links, take only regular files (a FIFO would hang the build), and stop at a
size no real project reaches. A write goes by a temporary sibling and a rename, with
the permissions an ordinary file gets, or those of the file it replaces.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from pathlib import Path

from .errors import Problem, ProjectError

MB = 1024 * 1024
# Far above any real project, low enough that a mistake cannot exhaust memory.
LIMITS = {"brief": 4 * MB, "catalog": 64 * MB, "template": 2 * MB, "config": 1 * MB,
          "manifest": 64 * MB, "output": 512 * MB, "asset": 16 * MB}
EXCERPT = 40

# C0 and C1 controls other than tab and newline, and the Basic Multilingual Plane's
# noncharacters (U+FDD0 … U+FDEF, U+FFFE, U+FFFF): a feed or sitemap may not hold
# U+FFFE or U+FFFF, and HTML reports every noncharacter as an error. (Those of the other
# planes are left out: XML allows them, and listing them makes the scan ten times slower.)
# In a file, the carriage return of a CRLF line end is a line end too.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff]")


class EnvironmentFailure(Exception):
    """The machine, not the project, stopped the work: disk full, permissions, a lock."""


def excerpt(text: str, limit: int = EXCERPT) -> str:
    """A short, quoted piece of the user's text for a message: never a whole line."""
    text = str(text)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def inside(path: Path, root: Path) -> Path | None:
    """The path with links resolved, if it lies inside root; else None."""
    resolved = Path(os.path.realpath(path))
    try:
        resolved.relative_to(os.path.realpath(root))
    except ValueError:
        return None
    return resolved


def read_bytes(path: Path, root: Path, display: str, kind: str) -> bytes:
    """Read a project file: inside root after links, a regular file, within its size limit."""
    resolved = inside(path, root)
    if resolved is None:
        raise ProjectError(Problem(display, "is a link to a file outside the project; "
                                            "polybrief reads only the project's own files"))
    limit = LIMITS[kind]
    try:
        fd = os.open(resolved, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError:
        raise ProjectError(Problem(display, "no such file")) from None
    except PermissionError:
        raise EnvironmentFailure(f"{display}: permission denied (cannot read it)") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # swapped for a link since it was resolved
            raise ProjectError(Problem(display, "changed into a link while being read")) \
                from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ProjectError(Problem(display, "is not a regular file (a folder, FIFO or "
                                            "device); polybrief reads only files"))
    with os.fdopen(fd, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ProjectError(Problem(display, f"is larger than a {kind} may be "
                                            f"({size_text(limit)})"))
    return data


def size_text(size: int) -> str:
    return f"{size // MB} MB" if size >= MB and size % MB == 0 else f"{size:,} bytes"


def decode(data: bytes, display: str) -> str:
    """UTF-8 text of a file, or an error naming the line and column of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = len(data[data.rfind(b"\n", 0, exc.start) + 1:exc.start].decode(
            "utf-8", "replace")) + 1
        raise ProjectError(Problem(display, f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                                   line, column)) from None


def read_text(path: Path, root: Path, display: str, kind: str) -> str:
    """A project file as text; control characters are the caller's to check."""
    return decode(read_bytes(path, root, display, kind), display)


def control_problems(text: str, display: str) -> list[Problem]:
    """Every control character of a text other than tab and newline, by line and column."""
    problems = []
    for match in CONTROL.finditer(text):
        if match[0] == "\r" and text[match.end():match.end() + 1] == "\n":
            continue
        start = match.start()
        line = text.count("\n", 0, start) + 1
        column = start - text.rfind("\n", 0, start)
        problems.append(Problem(display, f"{_character_name(match[0])} is not allowed in text",
                                line, column))
    return problems


def describe_control(text: str) -> str | None:
    """Name the first control character or noncharacter of a string (other than tab and
    newline), if any: "control character U+0007", "noncharacter U+FFFE"."""
    match = CONTROL.search(text)
    return _character_name(match[0]) if match else None


def _character_name(char: str) -> str:
    kind = "control character" if ord(char) < 0xa0 else "noncharacter"
    return f"{kind} U+{ord(char):04X}"


def plain_relative(rel: object) -> str | None:
    """A path as a manifest or cache may hold it: relative, '/'-separated, no '..'; else None."""
    if not isinstance(rel, str) or not rel or "\\" in rel or CONTROL.search(rel):
        return None
    parts = rel.split("/")
    if rel.startswith("/") or any(part in ("", ".", "..") for part in parts):
        return None
    return rel


def inside_no_links(folder: Path, rel: str) -> Path | None:
    """folder/rel when no part of rel is a link and it stays inside folder; else None."""
    target = Path(folder, rel)
    real = Path(os.path.realpath(target))
    if real != Path(os.path.realpath(folder), rel):
        return None
    return target


def umask() -> int:
    """The process's file mode creation mask."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def default_mode() -> int:
    """The mode a new ordinary file gets under the current umask."""
    return 0o666 & ~umask()


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file by way of a temporary sibling and a rename: never half-written.

    A file that replaces another keeps its mode; a new one gets the umask's.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = default_mode()
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
