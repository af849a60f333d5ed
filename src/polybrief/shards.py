"""Combining shard builds (``build --shard K/N``) into one output folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

from .errors import Problems, ProjectError
from .files import excerpt, read_bytes
from .output import (
    MANIFEST,
    Output,
    check_output_folder,
    check_paths,
    manifest_bytes,
    merge_manifest,
    outputs_from_json,
    read_manifest,
)
from .project import Project
from .site import stage_site
from .staging import Staging, locked

OUTPUT_LIMIT = "output"


def merge_shards(project: Project, folders: list[Path], out_dir: Path) -> list[Output]:
    """Combine the outputs of shard builds into one output folder with one manifest.

    Shard folders are untrusted: every path their manifests name must be a plain
    relative path inside the shard folder, and every file must have its listed SHA-256.
    """
    problems = Problems()
    chosen: dict[str, tuple[Output, bytes, str]] = {}
    for folder in folders:
        path = folder / MANIFEST
        display = str(path)
        try:
            outputs = outputs_from_json(read_bytes(path, folder, display, "manifest"))
            check_paths(outputs, folder, display)
        except ProjectError as exc:
            problems.extend(exc)
            continue
        except (ValueError, TypeError) as exc:
            problems.add(display, f"not a readable polybrief manifest "
                                  f"({excerpt(str(exc), 80)})")
            continue
        for number, output in enumerate(outputs, 1):
            source = f"{folder}/{output.path}"
            try:
                data = read_bytes(folder / output.path, folder, source, OUTPUT_LIMIT)
            except ProjectError:
                problems.add(display, f"entry {number}: {output.path} is listed but missing "
                                      f"or not a regular file")
                continue
            if hashlib.sha256(data).hexdigest() != output.sha256:
                problems.add(source, "does not match its manifest's sha256")
            elif output.path in chosen and chosen[output.path][0].sha256 != output.sha256:
                problems.add(source, f"differs from {chosen[output.path][2]}")
            else:
                chosen[output.path] = (output, data, source)
    for rel, (_output, _data, source) in sorted(chosen.items()):
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            if (folder_path := "/".join(parts[:depth])) in chosen:
                problems.add(source, f"{rel} needs {folder_path} to be a folder, but "
                                     f"{chosen[folder_path][2]} is a file there")
    problems.raise_if_any()
    out_dir = out_dir.resolve()
    with locked(out_dir):
        check_output_folder(out_dir)
        with Staging(out_dir) as staging:
            for rel, (_output, data, _source) in sorted(chosen.items()):
                staging.write(rel, data)
            outputs = merge_manifest(read_manifest(out_dir), [o for o, _, _ in chosen.values()])
            stage_site(staging, project, outputs)
            staging.write(MANIFEST, manifest_bytes(outputs))
            staging.commit()
    return outputs
