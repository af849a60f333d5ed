"""The project's glossary: the terms every translation must use, and the ones it must not.

``glossary.csv`` at the project's root has a header row ``term`` followed by one column
per language tag (``term,en,ru,kk``), optional columns ``!ru``, ``!kk``… for forbidden
variants, and ``note``. Each following row is a term: a source text holds it when it
holds the ``term`` cell or any language's form (so the column of a brief's source
language counts too). A cell may list accepted
alternatives or inflected forms separated by ``|``; a form ending in ``*`` is a stem
that any ending completes (``Центральн* Ази*``). Matching ignores case.

``check`` reports, at the catalog entry, a translation whose source holds a term but
which holds none of the language's forms, and any forbidden variant; ``status`` counts
them; extraction writes each entry's terms into its comment for translators.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, ProjectError
from .files import decode, excerpt, read_bytes
from .i18n import parse_language

FILE = "glossary.csv"
MAX_TERMS = 20_000


@dataclass(frozen=True)
class Term:
    """One row: how sources write it, and per language tag the forms to use and avoid."""

    source: tuple[str, ...]               # the term column
    required: dict[str, tuple[str, ...]]  # tag -> accepted forms
    forbidden: dict[str, tuple[str, ...]]  # tag -> forbidden variants
    note: str
    line: int


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...] = ()

    def found_in(self, source: str) -> list[Term]:
        """The terms a source text holds."""
        return [term for term in self.terms
                if any(_holds(source, form) for form in term.source + tuple(
                    form for forms in term.required.values() for form in forms))]

    def problems(self, source: str, translation: str, tag: str) -> list[str]:
        """What is wrong with a translation into ``tag`` by the glossary: one message each."""
        found = []
        for term in self.found_in(source):
            required = term.required.get(tag)
            if required and not any(_holds(translation, form) for form in required):
                found.append(f"the source has the glossary term {excerpt(term.source[0])}; the "
                             f"translation has none of {excerpt(' | '.join(required))}")
        for term in self.terms:
            for variant in term.forbidden.get(tag, ()):
                if _holds(translation, variant):
                    found.append(f"the translation uses {excerpt(variant)}, which the "
                                 f"glossary forbids for {excerpt(term.source[0])}")
        return found

    def comment(self, source: str) -> str | None:
        """The glossary terms of a source text, for the translator's comment."""
        terms = self.found_in(source)
        if not terms:
            return None
        parts = []
        for term in terms:
            forms = "; ".join(f"{tag}: {' | '.join(forms)}"
                              for tag, forms in sorted(term.required.items()))
            parts.append(f"{term.source[0]} ({forms})" + (f" — {term.note}" if term.note
                                                             else ""))
        return "glossary: " + "; ".join(parts)


def _holds(text: str, form: str) -> bool:
    """Tell whether a text holds a form: case ignored, a trailing * any word ending."""
    pattern = _pattern(form)
    return pattern is not None and pattern.search(text) is not None


_PATTERNS: dict[str, re.Pattern | None] = {}


def _pattern(form: str) -> re.Pattern | None:
    """A form as a pattern: its words in order, any run of spaces between them; a word
    ending in * takes any ending; a cased letter at either end may not continue a word
    (scripts written without spaces have no word ends to look for)."""
    if form not in _PATTERNS:
        words = [w for w in form.split() if w.strip("*")]
        if not words:
            _PATTERNS[form] = None
        else:
            parts = [re.escape(w.rstrip("*")) + (r"\w*" if w.endswith("*") else "")
                     for w in words]
            start = r"(?<!\w)" if _cased(words[0][0]) else ""
            end = r"(?!\w)" if _cased(words[-1][-1]) else ""
            _PATTERNS[form] = re.compile(start + r"\s+".join(parts) + end, re.IGNORECASE)
    return _PATTERNS[form]


def _cased(char: str) -> bool:
    return char.lower() != char.upper()


def load_glossary(root: Path) -> Glossary:
    """Read glossary.csv if the project has one; raise ProjectError naming file and line."""
    path = root / FILE
    if not path.exists():
        return Glossary()
    text = decode(read_bytes(path, root, FILE, "config"), FILE)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not rows[0] or rows[0][0].strip() != "term":
        raise ProjectError(Problem(FILE, "the header row must start with 'term', then one "
                                         "column per language tag, '!tag' columns for "
                                         "forbidden variants and 'note'", 1))
    columns = []
    for name in (cell.strip() for cell in rows[0][1:]):
        if name == "note":
            columns.append(("note", ""))
            continue
        kind, tag = ("forbidden", name[1:]) if name.startswith("!") else ("required", name)
        try:
            tag = parse_language(tag).tag
        except ValueError:
            raise ProjectError(Problem(FILE, f"column {excerpt(name)} is not a language tag, "
                                             f"'!' and a tag, or 'note'", 1)) from None
        columns.append((kind, tag))
    if len(rows) - 1 > MAX_TERMS:
        raise ProjectError(Problem(FILE, f"{len(rows) - 1:,} terms is over {MAX_TERMS:,}", 1))
    terms = []
    for line, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(columns) + 1:
            raise ProjectError(Problem(FILE, f"row has {len(row)} cells but the header has "
                                             f"{len(columns) + 1}", line))
        if not row[0].strip():
            raise ProjectError(Problem(FILE, "the term (first cell) is empty", line))
        required: dict[str, tuple[str, ...]] = {}
        forbidden: dict[str, tuple[str, ...]] = {}
        note = ""
        for (kind, tag), cell in zip(columns, row[1:], strict=False):
            forms = tuple(f.strip() for f in cell.split("|") if f.strip())
            if kind == "note":
                note = cell.strip()
            elif forms:
                (required if kind == "required" else forbidden)[tag] = forms
        terms.append(Term((row[0].strip(),), required, forbidden, note, line))
    return Glossary(tuple(terms))
