"""polybrief: one structured brief, every language, as HTML and PDF."""

from __future__ import annotations

__version__ = "0.1.0"
