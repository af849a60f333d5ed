"""Figures: an SVG, PNG or JPEG file of the brief's folder, its alt text, caption and credit.

A figure file is untrusted like every project file, and more: its type must match its
content, its size and pixels are bounded, and an SVG may refer to nothing outside
itself (no external image, font, stylesheet or link, no script, no entity). A language
may have its own file: ``map.ja.svg`` beside ``map.svg`` is used for Japanese. Both
outputs carry the image inline (a ``data:`` URL): the HTML makes no request, and the
build writes no file besides the page and its PDF.
"""

from __future__ import annotations

import base64
import hashlib
import io
import logging
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import Problem, ProjectError
from .files import excerpt, inside, plain_relative, read_bytes

LOG = logging.getLogger("polybrief")
SVG = "image/svg+xml"
KINDS = {".svg": SVG, ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
WIDTHS = ("full", "half")
MAX_PIXELS = 40_000_000          # a 40-megapixel photograph; a page needs far fewer
MIN_PPI = 150                    # below this a raster prints visibly soft
PRINTED_MM = {"full": 170, "half": 82}   # the text column of an A4 page, and half of it
# What an SVG may not hold: it would run code, or reach outside the file.
FORBIDDEN_ELEMENTS = {"script", "foreignObject", "iframe", "embed", "object", "audio",
                      "video", "handler", "listener"}
OUTSIDE = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import", re.IGNORECASE)


@dataclass(frozen=True)
class FigureFile:
    path: str                    # absolute, resolved: read again when the page is made
    display: str                 # as the messages name it
    mime: str
    digest: str                  # SHA-256 of its bytes: a change rebuilds the documents
    pixels: tuple[int, int] | None   # width and height of a raster


@dataclass(frozen=True)
class Figure:
    src: str
    alt: object                  # Text
    files: dict[str, FigureFile]     # "" for the shared file, else a language tag
    caption: object | None = None    # Text
    credit: object | None = None     # Text
    anchor: str | None = None
    width: str = "full"

    def file_for(self, tag: str) -> FigureFile:
        """The language's own file, or the shared one."""
        return self.files.get(tag) or self.files[""]

    def languages_with_own_file(self) -> list[str]:
        return sorted(tag for tag in self.files if tag)


def read_figure(r, node: yaml.Node, read_anchor) -> Figure | None:
    """A ``figure:`` block; ``r`` is the brief's reader, which knows the brief's folder."""
    f = r.mapping(node, "figure", required=("src", "alt"),
                  optional=("caption", "credit", "id", "width"))
    if f is None or "src" not in f or "alt" not in f:
        return None
    alt = r.text(f["alt"], "alt")
    caption = r.text(f.get("caption"), "caption", markdown=True)
    credit = r.text(f.get("credit"), "credit", markdown=True)
    anchor = read_anchor(r, f.get("id"), "figure")
    width = r.choice(f["width"], "'width'", WIDTHS) if "width" in f else "full"
    src = r.scalar(f["src"], "src")
    files = _files(r, f["src"], src, width or "full") if src is not None else None
    if alt is None or width is None or files is None:
        return None
    return Figure(src, alt, files, caption, credit, anchor, width)


def _files(r, node: yaml.Node, src: str, width: str) -> dict[str, FigureFile] | None:
    """The shared file and every language's own, each read and checked."""
    suffix = Path(src).suffix.lower()
    if plain_relative(src) is None or "/" in src:
        r.error(node, f"'src' must be the name of a file in the brief's folder "
                      f"(got {excerpt(src)})")
        return None
    if suffix not in KINDS:
        r.error(node, f"'src' must be an SVG, PNG or JPEG file (got {excerpt(src)})")
        return None
    folder: Path = r.folder
    files = {"": _read(r, node, folder / src, suffix, width)}
    stem = src[:-len(suffix)]
    pattern = re.compile(rf"{re.escape(stem)}\.([A-Za-z]{{2,3}}(?:-[A-Za-z0-9]{{2,8}})*)"
                         rf"{re.escape(Path(src).suffix)}")
    for sibling in sorted(folder.iterdir()):
        match = pattern.fullmatch(sibling.name)
        if match:
            files[match[1]] = _read(r, node, sibling, suffix, width)
    return files if all(files.values()) else None


def _read(r, node: yaml.Node, path: Path, suffix: str, width: str) -> FigureFile | None:
    display = f"{Path(r.path).parent.as_posix()}/{path.name}"
    if inside(path, r.folder) is None:
        r.error(node, f"{display} is a link to a file outside the brief's folder")
        return None
    try:
        data = read_bytes(path, r.root, display, "asset")
    except ProjectError as exc:  # no such file, not a regular file, too large
        for problem in exc.problems:
            r.error(node, f"{problem.path}: {problem.message}")
        return None
    why, pixels = check_image(data, suffix)
    if why:
        r.error(node, f"{display}: {why}")
        return None
    if pixels:
        ppi = pixels[0] / (PRINTED_MM[width] / 25.4)
        if ppi < MIN_PPI:
            LOG.warning("%s: %d pixels wide, printed %d mm wide: %d ppi, below %d", display,
                        pixels[0], PRINTED_MM[width], ppi, MIN_PPI)
    return FigureFile(str(Path(path).resolve()), display, KINDS[suffix],
                      hashlib.sha256(data).hexdigest(), pixels)


def check_image(data: bytes, suffix: str) -> tuple[str | None, tuple[int, int] | None]:
    """Why an image cannot be used (None if it can), and a raster's size in pixels."""
    if suffix == ".svg":
        return svg_problem(data), None
    expected = "PNG" if suffix == ".png" else "JPEG"
    signature = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG"}
    found = next((kind for magic, kind in signature.items() if data.startswith(magic)), None)
    if found != expected:
        return f"is named {suffix} but is not a {expected} image", None
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:   # reads the header only
            size = image.size
    except Exception:  # a truncated or corrupt header
        return f"is not a readable {expected} image", None
    if size[0] * size[1] > MAX_PIXELS:
        return (f"has {size[0]:,} × {size[1]:,} pixels, over the {MAX_PIXELS:,} a figure "
                f"may have"), None
    return None, size


def svg_problem(data: bytes) -> str | None:
    """Why an SVG cannot be used: not SVG, or it reaches outside itself or runs code."""
    head = data[:4096].lower()
    if b"<!doctype" in head or b"<!entity" in data.lower():
        return "an SVG with a DOCTYPE or entities is not accepted"
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        return f"is not well-formed SVG ({exc})"
    if _local(root.tag) != "svg":
        return "is named .svg but is not an SVG image"
    for element in root.iter():
        name = _local(element.tag)
        if name in FORBIDDEN_ELEMENTS:
            return f"holds a <{name}> element; an SVG figure may hold no code or embedded page"
        for attribute, value in element.attrib.items():
            local = _local(attribute)
            if local.lower().startswith("on"):
                return f"has an event handler ({local}); an SVG figure may hold no code"
            if local == "href" and not value.strip().startswith("#"):
                return (f"refers to {excerpt(value)}; an SVG figure may refer only to its "
                        f"own parts (#id)")
            if OUTSIDE.search(value):
                return f"refers outside itself in {local}={excerpt(value)}"
        if name == "style" and element.text and OUTSIDE.search(element.text):
            return "has a stylesheet that refers outside the file (url() or @import)"
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def figure_bytes(file: FigureFile) -> bytes:
    """The figure's bytes, read again by the rules of every project file (a regular
    file, not a link, bounded), and the same bytes the build checked."""
    path = Path(file.path)
    data = read_bytes(path, path.parent, file.display, "asset")
    if hashlib.sha256(data).hexdigest() != file.digest:
        raise ProjectError(Problem(file.display, "changed while the build ran"))
    return data


def data_url(file: FigureFile, data: bytes) -> str:
    return f"data:{file.mime};base64,{base64.b64encode(data).decode('ascii')}"


def svg_text(data: bytes) -> str:
    """The text an SVG figure draws (its <text> elements), for the glyph check."""
    root = ElementTree.fromstring(data)   # checked by svg_problem when the brief was read
    return "".join("".join(element.itertext()) for element in root.iter()
                   if _local(element.tag) == "text")
