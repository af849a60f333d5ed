"""Output: staged atomic writes into the output folder, and the build manifest."""

from __future__ import annotations

import hashlib
import json
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
        target = self.tmp / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.files.append(rel)
        return len(data), hashlib.sha256(data).hexdigest()

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
