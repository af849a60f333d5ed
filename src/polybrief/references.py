"""Footnotes, citations and cross-references of one document in one language.

Text refers to a note (``[^fn-id]``), a source (``[@key]``, ``[@key, p. 4]``) or a
numbered thing (``@tbl-capitals``, ``@fig-map``, ``@box-names``, ``@sec-history``). A
:class:`References` turns each into its number and links as the text is rendered:
notes and sources are numbered in the order the document first refers to them, tables
and callouts in document order, sections as in the contents. Labels ("Table 2", "表2")
come from the UI catalog, numbers in the language's digits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from markupsafe import Markup

from . import numerals
from .blocks import Callout, Chart, Table
from .content import Brief
from .figures import Figure

# The labels of numbered things, extracted into the UI catalog with the templates' strings.
LABELS = {
    "fig": "Figure %(num)s",
    "tbl": "Table %(num)s",
    "box": "Box %(num)s",
    "sec": "Section %(num)s",
}
UI_MESSAGES = tuple(LABELS.values())


class UnknownReference(LookupError):
    """Text refers to a note, source or id the brief does not have."""


def numbered(brief: Brief) -> dict[str, tuple[str, str]]:
    """Every id of a brief → (its kind's prefix, its number as written: "2", "2.1")."""
    found: dict[str, tuple[str, str]] = {}
    counts = {"fig": 0, "tbl": 0, "box": 0}
    for index, section in enumerate(brief.sections, 1):
        found[section.anchor] = ("sec", str(index))
        groups = [section.blocks]
        for number, sub in enumerate(section.subsections, 1):
            found[sub.anchor] = ("sec", f"{index}.{number}")
            groups.append(sub.blocks)
        for blocks in groups:
            for block in blocks:
                kind = "tbl" if isinstance(block, Table) else \
                    "box" if isinstance(block, Callout) else \
                    "fig" if isinstance(block, Figure | Chart) else None
                if kind:
                    counts[kind] += 1
                    if block.anchor:
                        found[block.anchor] = (kind, str(counts[kind]))
    return found


@dataclass
class References:
    """The resolver markdown.render_inline calls for one document in one language."""

    brief: Brief
    gettext: Callable[..., str]          # the UI catalog's, for the labels
    locale: object                       # Babel's Locale, for the digits
    render_note: Callable[[str], Markup]  # a note's text, translated and rendered
    numbers: dict[str, tuple[str, str]] = field(init=False)
    notes: dict[str, int] = field(default_factory=dict)       # id -> number, in order
    note_html: dict[str, Markup] = field(default_factory=dict)
    cited: dict[str, int] = field(default_factory=dict)       # source key -> number

    def __post_init__(self) -> None:
        self.numbers = numbered(self.brief)
        self.keys = {source.key for source in self.brief.sources if source.key}

    def _digits(self, text: str) -> str:
        return numerals.localize(text, self.locale)

    def footnote(self, note_id: str) -> str:
        """A call to a note: its number, linked; in the PDF the note goes to the foot
        of the page the first call falls on."""
        if note_id not in self.brief.notes:
            raise UnknownReference(f"footnote [^{note_id}] is not among the brief's notes")
        first = note_id not in self.notes
        if first:
            self.notes[note_id] = len(self.notes) + 1
            self.note_html[note_id] = self.render_note(note_id)
        number = self._digits(str(self.notes[note_id]))
        # The PDF numbers a first call itself (::footnote-call); later ones are links.
        call = Markup('<sup class="fnref%s"><a href="#fn-%s"%s role="doc-noteref">%s</a></sup>'
                      ) % (" fnref-first" if first else "", note_id,
                           Markup(' id="fnref-%s"') % note_id if first else Markup(""), number)
        if first:
            call += Markup('<span class="fn-print">%s</span>') % self.note_html[note_id]
        return call

    def citation(self, key: str, locator: str | None) -> str:
        """A numbered reference to a source, [3] or [3, p. 4], linked to the list."""
        if key not in self.keys:
            raise UnknownReference(f"citation [@{key}] names no source of the brief "
                                   f"(known keys: {', '.join(sorted(self.keys)) or 'none'})")
        number = self.cited.setdefault(key, len(self.cited) + 1)
        text = self._digits(str(number))
        if locator:
            text = f"{text}, {locator}"
        return Markup('<a class="cite" href="#src-%s" role="doc-biblioref">[%s]</a>') % (
            key, text)

    def cross_reference(self, target: str) -> str:
        """"Table 2", linked to it; in the PDF with its page."""
        if target not in self.numbers:
            raise UnknownReference(unknown_target(target))
        kind, number = self.numbers[target]
        label = self.gettext(LABELS[kind], num=self._digits(number))
        return Markup('<a class="xref" href="#%s">%s</a>') % (target, label)

    def sources_in_order(self) -> list:
        """The brief's sources, cited ones first in the order of first citation."""
        return sorted(self.brief.sources,
                      key=lambda source: self.cited.get(source.key, len(self.cited) + 1))


LABEL_NAMES = {"fig": "figure", "tbl": "table", "box": "callout", "sec": "section"}


def unknown_target(target: str) -> str:
    return f"@{target} names no {LABEL_NAMES[target.split('-')[0]]} of the brief"
