"""The three layouts a brief can take, and what each implies beyond its stylesheet.

- ``brief``: the title block, key points and summary, a table of contents, the body.
- ``factsheet``: one or two pages; a title band with the logo, the key points and key
  figures at the top, the body in two columns, no table of contents.
- ``report``: a cover page, a contents page, each section from a new page with its
  heading in the running header, the sources at the end.

A brief names its layout (``layout:``); otherwise the project's ``layout`` key does.
The markup differs only where the structure does (the cover, the contents page); the
rest is in ``layout-<name>.css.j2`` (print) and ``brief.css`` (screen).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .config import Config
    from .content import Brief

LAYOUTS = ("brief", "factsheet", "report")
DEFAULT_LAYOUT = "brief"
# A factsheet that runs longer is a brief: the page budget says so (a warning, an
# error with --strict) unless the brief sets its own max_pages.
DEFAULT_MAX_PAGES = {"factsheet": 2}


def layout_of(brief: Brief, config: Config) -> str:
    """The brief's own layout, else the project's."""
    return brief.layout or config.layout


def max_pages_of(brief: Brief, config: Config) -> int | None:
    """The brief's page budget: its own max_pages, else its layout's default."""
    return brief.max_pages or DEFAULT_MAX_PAGES.get(layout_of(brief, config))
