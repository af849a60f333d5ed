"""Hyphenation quality in the PDF."""

from __future__ import annotations

import functools


@functools.cache
def install() -> None:
    """Patch WeasyPrint's line breaking in this process (once)."""
