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
from typing import TYPE_CHECKING

from babel.lists import format_list
from markupsafe import Markup, escape

from . import numerals
from .blocks import Callout, Chart, Table
from .content import Brief
from .figures import Figure

if TYPE_CHECKING:
    from .render import UiText

# The labels of numbered things, extracted into the UI catalog with the templates' strings.
LABELS = {
    "fig": "Figure %(num)s",
    "tbl": "Table %(num)s",
    "box": "Box %(num)s",
    "sec": "Section %(num)s",
}
# In running text, a label in the catalog's context IN_TEXT with its plural: a language
# may refer to "рис. 2" beside a caption's "Рисунок 2", or decline the label; several
# things of a kind at once ([@fig-a; @fig-b]) take the plural, "Figures 1 and 2".
IN_TEXT = "cross-reference"
PLURALS = {
    "fig": "Figures %(num)s",
    "tbl": "Tables %(num)s",
    "box": "Boxes %(num)s",
    "sec": "Sections %(num)s",
}
UI_MESSAGES = tuple(LABELS.values())
UI_PLURALS = tuple((LABELS[kind], PLURALS[kind]) for kind in LABELS)


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
    ui: UiText                           # the UI catalog, for the labels
    locale: object                       # Babel's Locale, for the digits and lists
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
        return self.cross_references([target])

    def cross_references(self, targets: list[str]) -> str:
        """One label for one or more things of a kind: "Table 2", "Tables 2 and 3",
        each number linked; in the PDF with its page when that is another one."""
        for target in targets:
            if target not in self.numbers:
                raise UnknownReference(unknown_target(target))
        kinds = {self.numbers[target][0] for target in targets}
        if len(kinds) > 1:
            raise UnknownReference("a group of cross-references names things of one kind: "
                                   + "; ".join(f"@{target}" for target in targets))
        kind = kinds.pop()
        numbers = [self._digits(self.numbers[target][1]) for target in targets]
        if len(targets) == 1:
            return Markup('<a class="xref" href="#%s">%s</a>') % (
                targets[0], self._label(kind, numbers[0]))
        links = [Markup('<a class="xref" href="#%s">%s</a>') % (target, number)
                 for target, number in zip(targets, numbers, strict=True)]
        if self.ui.source or self.ui.translates(LABELS[kind], IN_TEXT):
            listed = Markup(format_list([escape(link) for link in links], locale=self.locale))
            return self.ui.ngettext(LABELS[kind], PLURALS[kind], len(targets),
                                    context=IN_TEXT, num=listed)
        # No plural in the catalog: each label whole, "Рисунок 1 и Рисунок 2".
        labels = [Markup('<a class="xref" href="#%s">%s</a>') % (target,
                                                                self._label(kind, number))
                  for target, number in zip(targets, numbers, strict=True)]
        return Markup(format_list([escape(label) for label in labels], locale=self.locale))

    def _label(self, kind: str, number: str) -> str:
        """A label in running text: the catalog's in-text form, else the caption's."""
        if self.ui.source or self.ui.translates(LABELS[kind], IN_TEXT):
            return self.ui.ngettext(LABELS[kind], PLURALS[kind], 1, context=IN_TEXT,
                                    num=number)
        return self.ui.gettext(LABELS[kind], num=number)

    def sources_in_order(self) -> list:
        """The brief's sources, cited ones first in the order of first citation."""
        return sorted(self.brief.sources,
                      key=lambda source: self.cited.get(source.key, len(self.cited) + 1))


LABEL_NAMES = {"fig": "figure", "tbl": "table", "box": "callout", "sec": "section"}


def unknown_target(target: str) -> str:
    return f"@{target} names no {LABEL_NAMES[target.split('-')[0]]} of the brief"
