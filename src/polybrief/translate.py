"""The translator's workflow: extract translatable strings into POT templates."""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.pofile import read_po

from .i18n import UI_DOMAIN, Segment, build_template, serialize_catalog
from .output import write_atomic
from .project import Project

log = logging.getLogger(__name__)
TEMPLATE_KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}


def template_segments(project: Project) -> list[Segment]:
    """Extract the UI strings of every template, with template file and line."""
    segments = []
    for path in sorted(project.config.templates_dir.glob("*.j2")):
        display = path.relative_to(project.root).as_posix()
        with path.open("rb") as handle:
            for line, _func, message, _comments in extract(
                    "jinja2.ext:babel_extract", handle, keywords=TEMPLATE_KEYWORDS,
                    options={"extensions": "jinja2.ext.i18n", "trimmed": "false"}):
                if isinstance(message, tuple):
                    segments.append(Segment(message[0], display, line, plural=message[1]))
                else:
                    segments.append(Segment(message, display, line))
    return segments


@dataclass(frozen=True)
class Template:
    """A POT template: its domain, where it lives, and its messages."""

    domain: str
    path: Path
    catalog: Catalog

    def render(self, created: dt.datetime) -> bytes:
        self.catalog.creation_date = created
        return serialize_catalog(self.catalog)


def templates(project: Project) -> list[Template]:
    """Make the POT template of the UI strings and of every brief."""
    locales = project.config.locales_dir
    result = [Template(UI_DOMAIN, locales / f"{UI_DOMAIN}.pot",
                       build_template(UI_DOMAIN, template_segments(project)))]
    for brief in project.briefs:
        result.append(Template(brief.id, locales / f"{brief.id}.pot",
                               build_template(brief.id, brief.segments())))
    return result


def extract_templates(project: Project) -> list[Path]:
    """Write the POT files whose messages changed; return the paths written.

    An unchanged template keeps its bytes, creation date included, so that
    extracting twice never shows up in version control.
    """
    written = []
    for template in templates(project):
        if template.path.is_file():
            old = template.path.read_bytes()
            previous = read_po(io.BytesIO(old)).creation_date
            if template.render(previous) == old:
                continue
        write_atomic(template.path, template.render(now()))
        written.append(template.path)
    return written


def now() -> dt.datetime:
    """The time stamped on changed templates: SOURCE_DATE_EPOCH when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
