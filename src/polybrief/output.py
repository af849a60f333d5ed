"""Output: staged atomic writes into the output folder, and the build manifest."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

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


class Staging:
    """Collects a build's files in a temporary folder, then moves them into place together.

    Until ``commit`` the output folder is untouched, so a failed or killed build
    leaves it exactly as it was; each file then lands by an atomic rename.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
        self.files: list[str] = []

    def write(self, rel: str, data: bytes) -> tuple[int, str]:
        """Stage one file; return its size and SHA-256."""
        result = stage_file(self.tmp, rel, data)
        self.files.append(rel)
        return result

    def adopt(self, rel: str) -> None:
        """Take into the build a file a worker process staged itself."""
        self.files.append(rel)

    def write_if_changed(self, rel: str, data: bytes) -> None:
        """Stage a file unless the output folder already holds exactly these bytes."""
        try:
            if (self.out_dir / rel).read_bytes() == data:
                return
        except OSError:
            pass
        self.write(rel, data)

    def commit(self) -> None:
        """Move every staged file into the output folder, each by an atomic rename."""
        for rel in self.files:
            target = self.out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.tmp / rel, target)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> Staging:
        return self

    def __exit__(self, *exc_info) -> None:
        self.discard()


def source_date_epoch() -> dt.datetime | None:
    """SOURCE_DATE_EPOCH as a UTC time, when set: the date stamped on reproducible outputs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return None


def stage_file(folder: Path, rel: str, data: bytes) -> tuple[int, str]:
    """Write one file under a staging folder; return its size and SHA-256."""
    target = folder / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return len(data), hashlib.sha256(data).hexdigest()


def read_manifest(out_dir: Path) -> list[Output]:
    """Read the previous build's manifest, keeping entries whose files still exist."""
    try:
        entries = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        outputs = [Output(**entry) for entry in entries]
    except (OSError, ValueError, TypeError):
        return []
    return [o for o in outputs if (out_dir / o.path).is_file()]


def merge_manifest(previous: list[Output], current: list[Output]) -> list[Output]:
    """Replace the previous entries of every file this build wrote; sort for stable output."""
    written = {o.path for o in current}
    merged = [o for o in previous if o.path not in written] + current
    return sorted(merged, key=lambda o: (o.brief, o.lang, o.format))


def manifest_bytes(outputs: list[Output]) -> bytes:
    entries = [asdict(o) for o in outputs]
    return (json.dumps(entries, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file by way of a temporary sibling and a rename: never half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


CACHE = ".polybrief-cache.json"
CACHE_FORMAT = "polybrief-cache/1"
log = logging.getLogger(__name__)


class Cache:
    """What each output was made from, as content hashes, kept in the output folder.

    A document whose inputs hash to the recorded key, and whose file is still there
    with the recorded size, is not rendered again. Anything unreadable or foreign is
    discarded with a warning, never trusted.
    """

    def __init__(self, entries: dict[str, dict] | None = None,
                 fonts: dict[str, list] | None = None) -> None:
        self.entries = entries or {}
        self.fonts = fonts or {}

    @classmethod
    def load(cls, out_dir: Path) -> Cache:
        path = out_dir / CACHE
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
                raise ValueError("not a polybrief cache of this version")
            entries, fonts = data["outputs"], data.get("fonts", {})
            for entry in entries.values():
                Output(**entry["output"])
                if not isinstance(entry["key"], str):
                    raise ValueError("bad key")
            return cls(entries, fonts)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning("%s: discarding the build cache (%s); rebuilding everything",
                        path, exc)
            return cls()

    def fresh(self, rel: str, key: str, out_dir: Path) -> Output | None:
        """The recorded output for a path, if its key matches and its file is intact."""
        entry = self.entries.get(rel)
        if not entry or entry["key"] != key:
            return None
        output = Output(**entry["output"])
        target = out_dir / rel
        try:
            if target.stat().st_size != output.bytes:
                return None
        except OSError:
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
