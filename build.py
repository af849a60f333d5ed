#!/usr/bin/env python3
"""Build every brief in every language: ``python build.py --help``."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from polybrief.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
