"""PDF: WeasyPrint with a project-only URL fetcher, fonts resolved through Fontconfig."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
import io
import logging
import mimetypes
import re
import shutil
import subprocess
import unicodedata
from array import array
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import autospace, hyphenation, justify, pagerefs, svgtext, tagging
from .config import Config
from .errors import Problem, Problems, ProjectError
from .files import read_bytes
from .fonts import FontStack, fallback_family, sans_counterpart
from .i18n import Language
from .output import source_date_epoch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FontFile:
    family: str
    path: Path
    index: int
    style: str = ""


def harfbuzz_subset_available() -> bool:
    """Tell whether WeasyPrint found HarfBuzz's subsetter (fontTools is ~30× slower on CJK)."""
    from weasyprint.text import ffi

    return ffi.harfbuzz_subset is not None


@functools.cache
def resolve_family(family: str) -> tuple[FontFile, ...]:
    """Return the installed font files of one family, exactly as Fontconfig names it."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise ProjectError(Problem("fc-list", "Fontconfig's fc-list is not installed "
                                              "(run 'make' to install the system packages)"))
    result = subprocess.run(
        [fc_list, "--format", "%{file}\t%{index}\t%{family}\t%{style}\n", f":family={family}"],
        capture_output=True, text=True, check=False)
    files = []
    for line in sorted(result.stdout.splitlines()):
        path, index, families, style = line.split("\t", 3)
        if family in families.split(","):
            files.append(FontFile(family, Path(path), int(index or 0), style))
    return tuple(files)


def check_fonts(config: Config, languages: tuple[Language, ...]) -> None:
    """Fail when a language has no font stack, or when none of its families is installed."""
    problems = Problems()
    for language in languages:
        stack = config.fonts_for(language)
        where = "pyproject.toml"
        if stack is None:
            problems.add(where, f"[tool.polybrief.fonts] no fonts configured for "
                                f"'{language.tag}' or its script '{language.script}'")
            continue
        for role, families in (("serif", stack.serif), ("sans", stack.sans)):
            if not any(resolve_family(name) for name in families):
                problems.add(where, f"[tool.polybrief.fonts] no installed font for "
                                    f"{language.tag} ({role}): tried {', '.join(families)} "
                                    f"(install them, e.g. fonts-noto-core / fonts-noto-cjk)")
    problems.raise_if_any()


class ProjectFetcher:
    """Let WeasyPrint read files inside the project only: no network, nothing else on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def fetch(self, url: str, headers=None):
        from weasyprint.urls import URLFetcherResponse

        parts = urlsplit(url)
        if parts.scheme == "data":   # a figure, inline: no network, no file
            header, _, payload = url[5:].partition(",")
            mime, _, encoding = header.partition(";")
            if encoding != "base64" or not mime.startswith("image/"):
                raise ValueError("blocked: a data: URL other than a base64 image")
            return URLFetcherResponse(url, body=base64.b64decode(payload, validate=True),
                                      headers={"Content-Type": mime})
        if parts.scheme != "file":
            raise ValueError(f"blocked: {url} (only the project's own files may be read)")
        path = Path(unquote(parts.path))
        display = path.relative_to(self.root).as_posix() if path.is_relative_to(
            self.root) else str(path)
        try:  # the rules of every project file: inside after links, regular, bounded
            data = read_bytes(path, self.root, display, "asset")
        except ProjectError as exc:
            raise ValueError(f"blocked: {exc}") from None
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=data, headers={"Content-Type": mime_type})

    __call__ = fetch


def creation_date(brief_date: dt.date) -> str:
    """The PDF's creation date: SOURCE_DATE_EPOCH when set, else the brief's date."""
    if moment := source_date_epoch():
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{brief_date.isoformat()}T00:00:00Z"


BASE_STYLE = re.compile(r'<style id="base-style">(.*?)</style>', re.DOTALL)


@functools.lru_cache(maxsize=8)
def _parsed_css(text: str, base_url: str, root: Path):
    from weasyprint import CSS

    return CSS(string=text, base_url=base_url, url_fetcher=ProjectFetcher(root))


class _FaceData:
    """A HarfBuzz face's whole font file, copied out only when somebody reads it."""

    __slots__ = ("face",)

    def __init__(self, face) -> None:
        self.face = face  # keeps the (garbage-collected) face alive

    def __len__(self) -> int:
        from weasyprint.text.ffi import harfbuzz

        blob = harfbuzz.hb_face_reference_blob(self.face)
        try:
            return harfbuzz.hb_blob_get_length(blob)
        finally:
            harfbuzz.hb_blob_destroy(blob)


class _DeferredContent:
    """``Font.file_content`` that copies the font file on first read, not on creation."""

    def __init__(self, load) -> None:
        self.load = load

    def __get__(self, font, owner=None):
        if font is None:
            return self
        value = font.__dict__["_file_content"]
        if isinstance(value, _FaceData):
            value = font.__dict__["_file_content"] = self.load(value.face)
        return value

    def __set__(self, font, value) -> None:
        font.__dict__["_file_content"] = value


def _patch_weasyprint() -> None:
    """Everything polybrief changes in WeasyPrint's layout, applied once per process."""
    _defer_font_copies()
    justify.install()
    autospace.install()
    hyphenation.install()
    svgtext.install()
    pagerefs.install()


@functools.cache
def _defer_font_copies() -> None:
    """Stop WeasyPrint copying every font file it uses into memory for each PDF.

    WeasyPrint 70 copies a font's whole file (a Noto CJK collection is 20–27 MB)
    when a document first uses it, and reads the copy only when HarfBuzz cannot
    subset the font. Deferring the copy leaves every byte of the PDF as it was.
    """
    from weasyprint.pdf import fonts

    load = fonts.get_hb_object_data

    def face_data(hb_object, ot_color=None, glyph=None):
        if ot_color is None and glyph is None:
            return _FaceData(hb_object)
        return load(hb_object, ot_color, glyph)

    fonts.get_hb_object_data = face_data
    fonts.Font.file_content = _DeferredContent(load)


@functools.cache
def _font_config():
    """One Fontconfig configuration and Pango font map per process, shared by every PDF.

    A fresh one per document would load the configuration again and reopen every font,
    computing the coverage of each CJK font's 65,000 glyphs anew.
    """
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def prepare(config: Config, languages: tuple[Language, ...], sample_html: str) -> None:
    """Do once what every PDF needs, so that processes forked afterwards start warm.

    Importing WeasyPrint takes about 0.3 s, and reading the character maps of the
    fonts (for the glyph check) and opening them in Pango as much again for CJK.
    ``sample_html`` should set some text in every face the documents use.
    """
    import pikepdf  # noqa: F401 (imported for the processes forked after this)
    from weasyprint import HTML

    from . import compact  # noqa: F401

    _patch_weasyprint()
    for language in languages:
        stack_coverage(_families(config, language))
    HTML(string=sample_html, url_fetcher=ProjectFetcher(config.root)).render(
        font_config=_font_config())


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def write_pdf(html: str, print_css: str, config: Config, identity: str,
              date: dt.date, compact: bool = True) -> RenderedPdf:
    """Lay out an HTML page with its paged-media stylesheet and return the PDF bytes.

    With ``compact``, embedded fonts are rewritten to carry only the glyphs used
    (WeasyPrint's subsets keep every glyph slot of the original font).
    """
    from weasyprint import CSS, HTML
    from weasyprint.css.counters import CounterStyle

    _patch_weasyprint()
    fetcher = ProjectFetcher(config.root)
    base_url = config.templates_dir.as_uri() + "/"
    # The page's base style is the same for every document: parse it once per process.
    sheets = []
    if match := BASE_STYLE.search(html):
        sheets.append(_parsed_css(match[1], base_url, config.root))
        html = html[:match.start()] + html[match.end():]
    # The print sheet's counter styles and the page's are one set, as in one sheet.
    counter_styles = CounterStyle()
    sheets.append(CSS(string=print_css, base_url=base_url, url_fetcher=fetcher,
                      counter_style=counter_styles))
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=sheets, font_config=_font_config(), counter_style=counter_styles)
    stamp = creation_date(date)
    document.metadata.created = stamp
    document.metadata.modified = stamp
    identifier = hashlib.sha256(identity.encode()).hexdigest()[:32].encode()
    # Compaction replaces the large fonts: let it deflate the streams, once, afterwards.
    data = document.write_pdf(pdf_identifier=identifier, uncompressed_pdf=compact,
                              pdf_variant=tagging.variant(config.pdf_standards))
    if compact:
        from .compact import compact_pdf_fonts

        data = compact_pdf_fonts(data, compress=True)
    return RenderedPdf(data, len(document.pages))


# --- Glyph coverage: never a missing-glyph box ------------------------------------------

@dataclass(frozen=True)
class TextRun:
    """Text shown in one language, and where it comes from (for the error message)."""

    text: str
    language: Language
    path: str
    line: int | None = None


@functools.cache
def _charset(path: Path, index: int) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


@functools.cache
def stack_coverage(families: tuple[str, ...]) -> frozenset[int]:
    """Every code point some font of the given families has a glyph for."""
    covered: set[int] = set()
    for family in families:
        fonts = resolve_family(family)
        # The weights of one family cover the same characters: read the regular one.
        regular = [f for f in fonts if "Regular" in f.style] or list(fonts)
        for font in regular[:1]:
            covered |= _charset(font.path, font.index)
    return frozenset(covered)


def _drawn(char: str) -> bool:
    return not unicodedata.category(char).startswith(("Z", "C")) and char != "\u00ad"


@dataclass(frozen=True)
class Fallbacks:
    """Families that draw what a language's stack lacks, and the warnings saying so."""

    families: dict[Language, tuple[FontStack, ...]]   # serif and sans face of each
    warnings: tuple[Problem, ...]


MAX_FALLBACK_LOOKUPS = 64   # Fontconfig searches per document (each takes ~10 ms)


def check_glyphs(config: Config, runs: list[TextRun]) -> Fallbacks:
    """Find a font for every character drawn; fail when no installed font has one.

    A character outside its language's stack falls back to an installed family that
    has it (see fonts.fallback_family), with a warning at the first text using it;
    only a character that no installed font has is an error. A family already chosen
    for the language is tried first, so that a long text in another script costs one
    search, and the searches are bounded.
    """
    missing: dict[TextRun, list[str]] = {}
    drawn_with: dict[TextRun, dict[str, list[str]]] = {}
    families: dict[Language, dict[FontStack, None]] = {}
    seen: set[tuple[str, str]] = set()
    lookups = 0
    for run in sorted(runs, key=lambda r: (r.line is None, r.line or 0)):
        covered = stack_coverage(_families(config, run.language))
        chosen = families.setdefault(run.language, {})
        for char in dict.fromkeys(run.text):
            if ord(char) in covered or not _drawn(char) or (char, run.language.tag) in seen:
                continue
            seen.add((char, run.language.tag))
            family = next((face.serif[0] for face in chosen
                           if ord(char) in stack_coverage(face.serif)), None)
            if family is None and lookups < MAX_FALLBACK_LOOKUPS:
                lookups += 1
                family = fallback_family(char, run.language)
                if family is not None:
                    chosen[FontStack((family,), (sans_counterpart(family, char),))] = None
            if family is None:
                missing.setdefault(run, []).append(char)
            else:
                drawn_with.setdefault(run, {}).setdefault(family, []).append(char)
    warnings = [Problem(run.path, f"{_characters(chars)} ({run.language.tag}) "
                                  f"{'is' if len(chars) == 1 else 'are'} in no font configured"
                                  f" for {run.language.tag}: drawn with {family}", run.line)
                for run, by_family in drawn_with.items() for family, chars in by_family.items()]
    problems = Problems()
    for run, chars in missing.items():
        verb = "is" if len(chars) == 1 else "are"
        tried = ", ".join(_families(config, run.language)) or "none"
        where = ("in no installed font" if lookups < MAX_FALLBACK_LOOKUPS else
                 f"in no font found in {MAX_FALLBACK_LOOKUPS} searches for other fonts")
        problems.add(run.path, f"{_characters(chars)} ({run.language.tag}) {verb} {where} — "
                               f"fonts configured for {run.language.tag}: {tried}", run.line)
    problems.raise_if_any()
    return Fallbacks({lang: tuple(faces) for lang, faces in families.items() if faces},
                     tuple(warnings))


def _characters(chars: list[str]) -> str:
    shown = ", ".join(f"U+{ord(c):04X} {c!r}" for c in chars[:5])
    return shown + (f" and {len(chars) - 5} more" if len(chars) > 5 else "")


def _families(config: Config, language: Language) -> tuple[str, ...]:
    stack = config.fonts_for(language)
    return tuple(dict.fromkeys(stack.serif + stack.sans)) if stack else ()


TEXT_OPERATORS = re.compile(rb"/([^\s/\[\]<>(){}%]+)\s+[-+\d.]+\s+Tf"
                            rb"|\[([^\]]*)\]\s*TJ|<([0-9A-Fa-f\s]*)>\s*Tj")
HEX_STRING = re.compile(rb"<([0-9A-Fa-f\s]*)>")
WHITESPACE = re.compile(rb"\s+")


def notdef_pages(data: bytes) -> list[int]:
    """Pages of a PDF that draw glyph 0 (.notdef, the missing-glyph box) of a CID font.

    WeasyPrint shows text as hex strings in ``Tj``/``TJ`` with Identity-H CID fonts,
    so the content streams are scanned as bytes rather than parsed into objects.
    """
    import pikepdf

    pages = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, start=1):
            fonts = page.obj.get("/Resources", {}).get("/Font", {})
            contents = page.obj.get("/Contents")
            streams = contents if isinstance(contents, pikepdf.Array) else [contents]
            content = b"\n".join(s.read_bytes() for s in streams if s is not None)
            if _draws_zero(_cid_strings(content, fonts)):
                pages.append(number)
    return pages


def _cid_strings(content: bytes, fonts) -> list[bytes]:
    """The hex digits of every string a content stream shows with a Type0 (CID) font."""
    shown = []
    cid_font = False
    for match in TEXT_OPERATORS.finditer(content):
        if match[1] is not None:
            font = fonts.get("/" + match[1].decode("latin-1"))
            cid_font = font is not None and font.get("/Subtype") == "/Type0"
        elif cid_font:
            shown.extend(HEX_STRING.findall(match[2]) if match[2] is not None else [match[3]])
    return shown


def _draws_zero(strings: list[bytes]) -> bool:
    """Tell whether any of these hex strings of 2-byte codes holds code 0."""
    codes = array("H")
    for digits in strings:
        digits = WHITESPACE.sub(b"", digits)
        codes.frombytes(bytes.fromhex(digits[:len(digits) - len(digits) % 4].decode()))
    return 0 in codes
