"""The user's mistakes, with the place they were made."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One mistake in the project's input, located as precisely as known."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.message}"


class ProjectError(Exception):
    """One or more problems in the project's input; the build must stop."""

    def __init__(self, problems: list[Problem] | Problem) -> None:
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # to cross from a worker process intact
        return (type(self), (self.problems,))


class Problems:
    """Collects every problem of a stage so that all are reported in one run."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, path: str, message: str, line: int | None = None,
            column: int | None = None) -> None:
        self.items.append(Problem(path, message, line, column))

    def extend(self, error: ProjectError) -> None:
        self.items.extend(error.problems)

    def raise_if_any(self) -> None:
        if self.items:
            order = {path: i for i, path in reversed(list(enumerate(p.path for p in self.items)))}
            raise ProjectError(sorted(self.items, key=lambda p: (
                order[p.path], p.line or 0, p.column or 0)))


def relpath(path: Path, root: Path) -> str:
    """Show a path relative to the project root when it lies inside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
