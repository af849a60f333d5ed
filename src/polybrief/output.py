"""Output records: the build manifest and the incremental cache, both read as untrusted."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import re
import stat
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import Problem, Problems, ProjectError
from .files import EnvironmentFailure, excerpt, inside_no_links, plain_relative, read_bytes

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Output:
    """One file the build produced, as the manifest lists it."""

    brief: str
    lang: str
    format: str
    path: str
    bytes: int
    sha256: str
    pages: int | None = None
    title: str | None = None
    date: str | None = None
    coverage: float | None = None
    summary: str | None = None    # as plain text, for the indexes and feeds
    author: str | None = None
    title_lang: str | None = None     # the source's language, when the title is untranslated
    summary_lang: str | None = None   # the same for the summary


_SHA256 = re.compile(r"[0-9a-f]{64}")


def output_from_json(entry: object) -> Output:
    """An Output from a manifest or cache entry; ValueError unless every field has its type."""
    if not isinstance(entry, dict):
        raise ValueError("an entry is not a table")
    output = Output(**entry)  # TypeError on a missing or unknown field
    texts = (output.brief, output.lang, output.format, output.path, output.sha256)
    if not all(isinstance(value, str) for value in texts) or \
            output.format not in ("html", "pdf") or not _SHA256.fullmatch(output.sha256):
        raise ValueError(f"entry for {excerpt(output.path)} has a wrong field")
    for value, kinds in ((output.bytes, int), (output.pages, (int, type(None))),
                         (output.title, (str, type(None))), (output.date, (str, type(None))),
                         (output.summary, (str, type(None))), (output.author, (str, type(None))),
                         (output.title_lang, (str, type(None))),
                         (output.summary_lang, (str, type(None))),
                         (output.coverage, (int, float, type(None)))):
        if isinstance(value, bool) or not isinstance(value, kinds):
            raise ValueError(f"entry for {excerpt(output.path)} has a wrong field")
    if not 0 <= output.bytes < 2**53 or not 0 <= (output.pages or 0) < 10**6 or \
            not 0 <= (output.coverage or 0) <= 1:
        raise ValueError(f"entry for {excerpt(output.path)} has a number out of range")
    if output.date is not None:
        dt.date.fromisoformat(output.date)
    return output


def outputs_from_json(data: bytes) -> list[Output]:
    """Every entry of a manifest; ValueError (or TypeError) for anything else."""
    try:
        entries = json.loads(data)
    except RecursionError:
        raise ValueError("nested too deeply") from None
    if not isinstance(entries, list):
        raise ValueError("not a list of entries")
    return [output_from_json(entry) for entry in entries]


def source_date_epoch() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as a UTC time, when set: the date stamped on reproducible outputs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return None
    try:
        moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    except (ValueError, OverflowError, OSError):
        moment = None
    if moment is None or moment.year > 9999 or int(epoch) < 0:
        raise EnvironmentFailure(f"SOURCE_DATE_EPOCH={excerpt(epoch)}: not a number of seconds "
                                 f"since 1970 before the year 10000")
    return moment


def read_manifest(out_dir: Path) -> list[Output]:
    """Read a build's manifest, keeping entries whose files still exist.

    A manifest that is missing or unreadable counts as empty; an entry whose path is
    not a plain relative path inside the folder is an error: it was not written by
    polybrief, and following it would read or write outside the folder.
    """
    path = out_dir / MANIFEST
    display = _display(path)
    if not path.exists() and not path.is_symlink():
        return []
    try:
        outputs = outputs_from_json(read_bytes(path, out_dir, display, "manifest"))
    except (ValueError, TypeError) as exc:
        log.warning("%s: not a polybrief manifest (%s); starting a new one", display,
                    excerpt(str(exc), 80))
        return []
    except ProjectError as exc:
        log.warning("%s; starting a new manifest", exc.problems[0])
        return []
    check_paths(outputs, out_dir, display)
    return [o for o in outputs if (out_dir / o.path).is_file()]


def check_output_folder(out_dir: Path) -> None:
    """Refuse to take over a folder that holds something other than a polybrief build.

    A build replaces its output folder as a whole, so a folder that is neither empty
    nor a previous build (no manifest, no cache) is refused rather than swallowed.
    """
    display = _display(out_dir)
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise ProjectError(Problem(display, "the output folder is not a folder"))
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (
            (out_dir / MANIFEST).exists() or (out_dir / CACHE).exists()):
        raise ProjectError(Problem(display, "the output folder is not empty and holds no "
                                            "polybrief build (no manifest.json); choose an "
                                            "empty or new folder"))


def check_paths(outputs: list[Output], folder: Path, display: str) -> None:
    """Every output's path must be a plain relative path inside folder, through no link."""
    problems = Problems()
    for number, output in enumerate(outputs, 1):
        rel = plain_relative(output.path)
        if rel is None or inside_no_links(folder, rel) is None:
            problems.add(display, f"entry {number}: path {excerpt(output.path)} is not a plain "
                                  f"relative path inside {folder.name}/ (no '..', no absolute "
                                  f"path, no link); remove the file or the entry")
    problems.raise_if_any()


def file_digest(folder: Path, rel: str) -> str | None:
    """SHA-256 of a file inside folder, or None if it is missing, a link or not a file."""
    target = inside_no_links(folder, rel) if plain_relative(rel) else None
    if target is None:
        return None
    try:
        fd = os.open(target, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None
    with os.fdopen(fd, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _display(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def merge_manifest(previous: list[Output], current: list[Output]) -> list[Output]:
    """Replace the previous entries of every file this build wrote; sort for stable output."""
    written = {o.path for o in current}
    merged = [o for o in previous if o.path not in written] + current
    return sorted(merged, key=lambda o: (o.brief, o.lang, o.format))


def manifest_bytes(outputs: list[Output]) -> bytes:
    entries = [asdict(o) for o in outputs]
    return (json.dumps(entries, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


CACHE = ".polybrief-cache.json"
CACHE_FORMAT = "polybrief-cache/1"
log = logging.getLogger(__name__)


class Cache:
    """What each output was made from, as content hashes, kept in the output folder.

    A document whose inputs hash to the recorded key, and whose file still has the
    recorded SHA-256, is not rendered again. Anything unreadable or foreign is
    discarded with a warning, never trusted; a path that leaves the folder is an error.
    """

    def __init__(self, entries: dict[str, dict] | None = None,
                 fonts: dict[str, list] | None = None) -> None:
        self.entries = entries or {}
        self.fonts = fonts or {}

    @classmethod
    def load(cls, out_dir: Path) -> Cache:
        path = out_dir / CACHE
        display = _display(path)
        if not path.exists() and not path.is_symlink():
            return cls()
        try:
            data = json.loads(read_bytes(path, out_dir, display, "manifest"))
            if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
                raise ValueError("not a polybrief cache of this version")
            entries, fonts = data["outputs"], data.get("fonts", {})
            if not isinstance(entries, dict) or not isinstance(fonts, dict):
                raise ValueError("'outputs' and 'fonts' must be tables")
            outputs = []
            for rel, entry in entries.items():
                outputs.append(output_from_json(entry["output"]))
                if not isinstance(entry["key"], str) or outputs[-1].path != rel:
                    raise ValueError(f"bad entry for {excerpt(rel)}")
            for known in fonts.values():
                if not (isinstance(known, list) and len(known) == 3
                        and all(isinstance(v, int) for v in known[:2])
                        and isinstance(known[2], str)):
                    raise ValueError("bad font entry")
        except (ValueError, KeyError, TypeError, RecursionError, ProjectError) as exc:
            reason = exc.problems[0].message if isinstance(exc, ProjectError) else exc
            log.warning("%s: discarding the build cache (%s); rebuilding everything",
                        display, excerpt(str(reason), 80))
            return cls()
        check_paths(outputs, out_dir, display)
        return cls(entries, fonts)

    def fresh(self, rel: str, key: str, out_dir: Path) -> Output | None:
        """The recorded output for a path, if its key matches and its file has its hash."""
        entry = self.entries.get(rel)
        if not entry or entry["key"] != key:
            return None
        output = Output(**entry["output"])
        if file_digest(out_dir, rel) != output.sha256:
            return None
        return output

    def record(self, key: str, output: Output) -> None:
        self.entries[output.path] = {"key": key, "output": asdict(output)}

    def font_digest(self, path: Path) -> str:
        """SHA-256 of a font file, remembered by size and modification time."""
        stat = path.stat()
        known = self.fonts.get(str(path))
        if known and known[:2] == [stat.st_size, stat.st_mtime_ns]:
            return known[2]
        with path.open("rb") as handle:  # in pieces: CJK fonts are 20–27 MB
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
        self.fonts[str(path)] = [stat.st_size, stat.st_mtime_ns, digest]
        return digest

    def to_bytes(self) -> bytes:
        data = {"format": CACHE_FORMAT, "outputs": dict(sorted(self.entries.items())),
                "fonts": dict(sorted(self.fonts.items()))}
        return (json.dumps(data, ensure_ascii=False, indent=1) + "\n").encode("utf-8")
