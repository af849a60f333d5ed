"""Inter-character justification of Japanese and Chinese lines in the PDF."""

from __future__ import annotations

import functools


@functools.cache
def install() -> None:
    """Patch WeasyPrint's line justification in this process (once)."""
