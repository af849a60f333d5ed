"""PDF: WeasyPrint with a project-only URL fetcher, fonts resolved through Fontconfig."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .config import Config
from .errors import Problem, Problems, ProjectError
from .i18n import Language

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FontFile:
    family: str
    path: Path
    index: int


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
        [fc_list, "--format", "%{file}\t%{index}\t%{family}\n", f":family={family}"],
        capture_output=True, text=True, check=False)
    files = []
    for line in sorted(result.stdout.splitlines()):
        path, index, families = line.split("\t", 2)
        if family in families.split(","):
            files.append(FontFile(family, Path(path), int(index or 0)))
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
        from weasyprint import URLFetcher

        self.root = root.resolve()
        self._inner = URLFetcher(allowed_protocols=("file",))

    def fetch(self, url: str, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file":
            raise ValueError(f"blocked: {url} (only the project's own files may be read)")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self.root):
            raise ValueError(f"blocked: {url} lies outside the project")
        return self._inner.fetch(url, headers)

    __call__ = fetch


def creation_date(brief_date: dt.date) -> str:
    """The PDF's creation date: SOURCE_DATE_EPOCH when set, else the brief's date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        moment = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{brief_date.isoformat()}T00:00:00Z"


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def write_pdf(html: str, print_css: str, config: Config, identity: str,
              date: dt.date) -> RenderedPdf:
    """Lay out an HTML page with its paged-media stylesheet and return the PDF bytes."""
    from weasyprint import CSS, HTML

    fetcher = ProjectFetcher(config.root)
    base_url = config.templates_dir.as_uri() + "/"
    stylesheet = CSS(string=print_css, base_url=base_url, url_fetcher=fetcher)
    document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
        stylesheets=[stylesheet])
    stamp = creation_date(date)
    document.metadata.created = stamp
    document.metadata.modified = stamp
    identifier = hashlib.sha256(identity.encode()).hexdigest()[:32].encode()
    data = document.write_pdf(pdf_identifier=identifier)
    return RenderedPdf(data, len(document.pages))
