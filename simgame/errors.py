"""Span, Issue and ScenarioError: how every scenario problem is reported (imports nothing from simgame)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Span:
    """A position in a scenario file; line and column are 1-based, as editors count them."""

    file: str
    line: int
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding about a scenario: an error that stops loading, or a warning worth reading."""

    severity: Severity
    message: str
    span: Span | None = None
    hint: str | None = None
    """A suggested fix, such as "did you mean 'exit_hall'?"."""

    def __str__(self) -> str:
        where = f"{self.span}: " if self.span else ""
        hint = f" ({self.hint})" if self.hint else ""
        return f"{where}{self.severity}: {self.message}{hint}"

    def to_json(self) -> dict[str, object]:
        """A plain dict for `--json` output; positions are 1-based like the text form."""
        return {
            "severity": self.severity,
            "message": self.message,
            "file": self.span.file if self.span else None,
            "line": self.span.line if self.span else None,
            "column": self.span.column if self.span else None,
            "hint": self.hint,
        }


class ScenarioError(Exception):
    """A scenario cannot be used; `issues` holds every problem found, not just the first.

    Warnings found alongside the errors are kept too, so that a trainer fixing the errors
    sees the whole picture in one run.
    """

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues = tuple(issues)
        super().__init__("\n".join(map(str, self.issues)))

    @property
    def errors(self) -> tuple[Issue, ...]:
        """Only the issues of severity "error"."""
        return tuple(i for i in self.issues if i.severity == "error")


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """A "did you mean" hint for a misspelt id or key, or None when nothing is close.

    >>> did_you_mean("exit_hal", ["exit_hall", "lobby"])
    "did you mean 'exit_hall'?"
    """
    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f"did you mean {matches[0]!r}?" if matches else None
