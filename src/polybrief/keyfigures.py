"""Key figures: up to four numbers with a translatable label, shown at a brief's top.

    key_figures:
      - value: 6
        label: countries in the mechanism
      - value: 12.5
        format: percent
        label: share of trade
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import yaml

from .blocks import NUMBER_FORMATS, Column, Number, Text, format_number, yaml_number
from .files import excerpt
from .numerals import MAX_WHOLE_DIGITS, MAX_WRITTEN_DECIMALS

MAX_KEY_FIGURES = 4


@dataclass(frozen=True)
class KeyFigure:
    """A number as written, how to show it, and what it counts."""

    value: Number
    label: Text
    format: str = "number"
    unit: Text | None = None

    def texts(self) -> Iterator[Text]:
        yield self.label
        if self.unit:
            yield self.unit


def read_key_figures(r, node: yaml.Node | None) -> tuple[KeyFigure, ...]:
    """The brief's ``key_figures:`` list; problems go to the reader, with their line."""
    nodes = r.sequence(node, "key_figures")
    if len(nodes) > MAX_KEY_FIGURES:
        r.error(node, f"'key_figures' has {len(nodes)} entries; a brief shows at most "
                      f"{MAX_KEY_FIGURES}")
        return ()
    figures = []
    for item in nodes:
        f = r.mapping(item, "key figure", required=("value", "label"),
                      optional=("format", "unit"))
        if f is None or "value" not in f or "label" not in f:
            continue
        value = _number(r, f["value"])
        label = r.text(f["label"], "label")
        number_format = r.choice(f["format"], "'format'", NUMBER_FORMATS) \
            if "format" in f else "number"
        unit = r.text(f["unit"], "unit") if "unit" in f else None
        if value and label and number_format and ("unit" not in f or unit):
            figures.append(KeyFigure(value, label, number_format, unit))
    return tuple(figures)


def _number(r, node: yaml.Node) -> Number | None:
    if (value := yaml_number(node)) is not None:
        return Number(value, node.start_mark.line + 1)
    shown = node.value if isinstance(node, yaml.ScalarNode) else ""
    r.error(node, f"a key figure's 'value' must be a number such as 6 or 12.5, with at "
                  f"most {MAX_WHOLE_DIGITS} digits before the point and "
                  f"{MAX_WRITTEN_DECIMALS} after (got {excerpt(shown)})")
    return None


def localize_key_figures(figures: tuple[KeyFigure, ...], t, formatter) -> list[dict]:
    """The figures as the language writes its numbers, their words translated by ``t``."""
    return [{"value": format_number(figure.value, Column(figure.format), formatter),
             "label": t(figure.label), "unit": t(figure.unit) if figure.unit else None}
            for figure in figures]
