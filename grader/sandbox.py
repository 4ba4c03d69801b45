"""What every execution engine promises: budgets, results and the Sandbox protocol.

An engine runs a student notebook somewhere the grader's process is safe from it
and calls the functions it defined. Two engines implement :class:`Sandbox`:
:class:`grader.execute.KernelSandbox` (a Jupyter kernel per submission) and
:class:`grader.warm.WarmSandbox` (a forked child of a pre-warmed worker).
Student failures are results (:class:`CellError`, :class:`CallResult`); only a
sandbox that cannot start at all raises.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Protocol

import nbformat

_TRACEBACK_CHARS = 50_000
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclasses.dataclass(frozen=True)
class Limits:
    """Time and size budgets for one sandbox.

    Attributes:
        cell_timeout: seconds one notebook cell may run.
        notebook_timeout: seconds all cells of one ``run`` may take together.
        call_timeout: seconds one graded function call may take.
        startup_timeout: seconds the kernel may take to become ready.
        max_result_bytes: array bytes one call may return.
    """

    cell_timeout: float = 30.0
    notebook_timeout: float = 300.0
    call_timeout: float = 30.0
    startup_timeout: float = 60.0
    max_result_bytes: int = 256 * 2**20


@dataclasses.dataclass(frozen=True)
class CellError:
    """A code cell that raised, timed out or took the kernel down.

    Attributes:
        cell: index of the cell in ``nb.cells`` (markdown cells count too).
        ename: exception class name, or "CellTimeoutError" / "DeadKernelError".
        evalue: the exception message.
        traceback: plain-text traceback for instructors (ANSI codes removed).
    """

    cell: int
    ename: str
    evalue: str
    traceback: str

    @classmethod
    def from_reply(cls, cell: int, content: Mapping) -> CellError:
        """The error reported by an ``execute_reply`` whose status is "error"."""
        text = _ANSI.sub("", "\n".join(str(line) for line in content.get("traceback") or ()))
        if len(text) > _TRACEBACK_CHARS:
            text = "...\n" + text[-_TRACEBACK_CHARS:]
        return cls(cell, str(content.get("ename", "Error")), str(content.get("evalue", "")), text)

    @classmethod
    def timeout(cls, cell: int, source: str, seconds: float, *, whole_notebook: bool, killed: bool) -> CellError:
        """A cell stopped for running past its own or the notebook's time limit."""
        limit = f"the notebook's {seconds:g} s total" if whole_notebook else f"the {seconds:g} s cell"
        after = "; it ignored the interrupt, so the kernel was stopped" if killed else ""
        return cls(cell, "CellTimeoutError", f"Cell exceeded {limit} time limit{after}: {first_line(source)}", "")

    @classmethod
    def dead_kernel(cls, cell: int, why: str = "the kernel died while running this cell") -> CellError:
        """A cell during which the kernel process ended."""
        return cls(cell, "DeadKernelError", why, "")


@dataclasses.dataclass(frozen=True)
class ExecutionResult:
    """What happened when a notebook's code cells ran.

    Attributes:
        seconds: wall time of the whole run.
        cells: code cells that were attempted.
        errors: one entry per cell that raised, timed out or killed the kernel.
        timed_out: a cell hit ``cell_timeout`` or the run hit ``notebook_timeout``.
        kernel_died: the kernel is gone; later calls report ``kernel_died``.
        skipped: ``nb.cells`` indices of code cells that never ran.
    """

    seconds: float
    cells: int
    errors: tuple[CellError, ...]
    timed_out: bool
    kernel_died: bool
    skipped: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class CallResult:
    """The outcome of calling one notebook function.

    Attributes:
        ok: the function returned and its value was decoded.
        value: the decoded return value when ``ok``.
        ename: exception class name when not ``ok`` ("NameError" for a missing
            function, "WireError" for an unsendable value, "CallTimeoutError",
            "DeadKernelError").
        evalue: the exception message.
        line: innermost student line, e.g. ``"line 12 in backward: dW2 = ..."``.
        traceback: plain-text traceback for instructors.
        timed_out: the call ran past ``call_timeout`` and was interrupted.
        kernel_died: the kernel is gone (before or during this call).
    """

    ok: bool
    value: object = None
    ename: str | None = None
    evalue: str | None = None
    line: str | None = None
    traceback: str | None = None
    timed_out: bool = False
    kernel_died: bool = False


class Sandbox(Protocol):
    """Runs a notebook somewhere isolated and calls the functions it defines."""

    def run(self, nb: nbformat.NotebookNode) -> ExecutionResult: ...

    def defined_functions(self) -> tuple[str, ...]: ...

    def call(
        self, function: str, args: tuple = (), kwargs: dict | None = None, *, patch: dict[str, str] | None = None
    ) -> CallResult: ...

    def close(self) -> None: ...


def first_line(source: str) -> str:
    """The first non-blank line of a cell, cut to 80 characters, for messages."""
    line = next((s.strip() for s in source.splitlines() if s.strip()), "")
    return line if len(line) <= 80 else line[:77] + "..."
