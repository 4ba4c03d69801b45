"""The grader's exceptions.

Only instructor or configuration mistakes raise; a student's mistake becomes a
graded result (a failing check with a message), never an exception.

    GraderError                      base of everything the grader raises on purpose
    ├── AssignmentSpecError          assignment.toml is missing, malformed or inconsistent
    ├── NotebookExecutionError       the sandbox itself could not be started or used
    │                                (not: a student cell that raised, timed out or killed the kernel)
    ├── FunctionNotFoundError        a graded function is not defined (carries close matches);
    │                                caught by the grader and turned into a "missing" check
    └── UsageError                   a command-line mistake (exit code 2, with a hint)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class GraderError(Exception):
    """Base class of every error the grader raises deliberately."""

    exit_code = 1


class AssignmentSpecError(GraderError):
    """An assignment spec is wrong; the message names the file, the key and the problem."""

    def __init__(self, message: str, *, path: str | None = None, key: str | None = None) -> None:
        self.path = path
        self.key = key
        where = ""
        if path:
            where = f"{path}: "
        if key:
            where += f"[{key}] "
        super().__init__(f"{where}{message}")


class NotebookExecutionError(GraderError):
    """The execution sandbox could not be started or talked to (an environment problem)."""


class FunctionNotFoundError(GraderError):
    """A graded function is not defined by the notebook.

    Attributes:
        name: the function the assignment grades.
        defined: the names the notebook does define.
        suggestions: up to three defined names closest to ``name``.
    """

    def __init__(self, name: str, defined: Iterable[str]) -> None:
        self.name = name
        self.defined = sorted(set(defined))
        self.suggestions = tuple(closest(name, self.defined))
        hint = f" Did you mean {' or '.join(repr(s) for s in self.suggestions)}?" if self.suggestions else ""
        super().__init__(f"{name}() is not defined by the notebook.{hint}")


class UsageError(GraderError):
    """A command-line mistake: bad argument, unknown assignment, unreadable path."""

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.hint = hint
        super().__init__(message)


def closest(name: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates closest to ``name`` (case-insensitive), best first."""
    candidates = list(candidates)
    lowered = {c.lower(): c for c in candidates}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.6)
    return [lowered[h] for h in hits]
