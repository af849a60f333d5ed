"""YAML from untrusted text: a node tree with positions, no aliases, bounded nesting.

An alias lets a small file expand into megabytes of text, and deep nesting overflows
libyaml's recursive composer (a segmentation fault): both are refused, with the line
and column where they start, before any node is built.
"""

from __future__ import annotations

import re

import yaml

from .errors import Problem, ProjectError
from .files import control_problems

# libyaml's parser when PyYAML has it (its wheels do): ten times faster than Python's.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 32  # a brief needs 8: brief › sections › section › blocks › table › rows › row

_OPEN = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
         yaml.FlowMappingStartToken, yaml.FlowSequenceStartToken)
_CLOSE = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def compose(source: str, display: str) -> yaml.Node | None:
    """Parse a YAML document into nodes; raise ProjectError with line and column."""
    problems = control_problems(source, display) + _separators(source, display)
    if problems:
        raise ProjectError(problems)
    try:
        _check_tokens(source, display)
        return yaml.compose(source, Loader=LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"invalid YAML: {exc.problem or exc.context}"
        line = source.splitlines()[mark.line] if mark and mark.line < len(
            source.splitlines()) else ""
        if mark and line[mark.column:mark.column + 1] == "\t":
            message += " (a tab: YAML indents with spaces)"
        raise ProjectError(Problem(display, message, mark.line + 1 if mark else None,
                                   mark.column + 1 if mark else None)) from None
    except yaml.YAMLError as exc:  # the reader's errors carry an offset, not a mark
        position = getattr(exc, "position", None)
        line = column = None
        if position is not None:
            line = source.count("\n", 0, position) + 1
            column = position - source.rfind("\n", 0, position)
        reason = getattr(exc, "reason", None) or "unreadable"
        raise ProjectError(Problem(display, f"invalid YAML: {reason}", line, column)) from None


def _separators(source: str, display: str) -> list[Problem]:
    """U+2028 and U+2029 end a line for YAML but not for editors: every later line
    number would be off, so they are refused where they stand."""
    problems = []
    for match in re.finditer("[\u2028\u2029]", source):
        start = match.start()
        problems.append(Problem(display, f"U+{ord(match[0]):04X} (a line or paragraph "
                                         f"separator) is not allowed; use a newline",
                                source.count("\n", 0, start) + 1,
                                start - source.rfind("\n", 0, start)))
    return problems


def _check_tokens(source: str, display: str) -> None:
    """Refuse anchors, aliases and nesting deeper than MAX_DEPTH, scanning tokens only."""
    depth = 0
    for token in yaml.scan(source, Loader=LOADER):
        if isinstance(token, _OPEN):
            depth += 1
            if depth > MAX_DEPTH:
                raise _at(token, display, f"nested more than {MAX_DEPTH} levels deep")
        elif isinstance(token, _CLOSE):
            depth -= 1
        elif isinstance(token, yaml.AnchorToken | yaml.AliasToken):
            raise _at(token, display, "YAML anchors and aliases (&name, *name) are not "
                                      "allowed in a brief; write the text out")


def _at(token: yaml.Token, display: str, message: str) -> ProjectError:
    mark = token.start_mark
    return ProjectError(Problem(display, message, mark.line + 1, mark.column + 1))
