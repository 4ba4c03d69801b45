"""Grade one notebook: read it, run it in a sandbox, run every check, collect results.

notebook file -> ``read_notebook`` -> sandbox ``run`` -> ``checks.run`` per check
-> SubmissionResult (``report`` turns it into JSON, Gradescope results or a table).

A cell that kills the student's process must not cost the student the functions
defined before it (or after it): the notebook is run again in a fresh sandbox without
that cell, up to MAX_RERUNS times, and the feedback says which cells were left out.
Likewise a graded function that kills the process (os._exit, a loop that ignores the
interrupt) costs only its own check: the checks after it get a fresh sandbox.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import nbformat

from . import checks
from .config import Assignment
from .execute import KernelSandbox
from .sandbox import ExecutionResult, Sandbox
from .inputs import draw
from .records import CellFailure, CheckResult, ExecutionSummary, SubmissionResult

MAX_RERUNS = 3
MAX_NOTEBOOK_BYTES = 64 * 2**20

SandboxFactory = Callable[[Assignment], Sandbox]


def kernel_sandbox(assignment: Assignment) -> Sandbox:
    """The default sandbox: an ipykernel in a fresh folder holding the support files."""
    return KernelSandbox(support_files=assignment.support_paths(), limits=assignment.limits)


def read_notebook(data: bytes) -> tuple[nbformat.NotebookNode | None, str | None]:
    """Parse a submission; (notebook, None) or (None, a sentence saying why it is not one)."""
    if not data.strip():
        return None, "The file is empty: it is not a notebook."
    if len(data) > MAX_NOTEBOOK_BYTES:
        return None, f"The file is {len(data) / 2**20:.0f} MiB, over the {MAX_NOTEBOOK_BYTES // 2**20} MiB limit for a notebook."
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, f"The file is not UTF-8 text (byte {exc.start}): it is not a notebook (.ipynb)."
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"The file is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}): it is not a notebook."
    if not isinstance(raw, dict) or not isinstance(raw.get("cells", raw.get("worksheets")), list):
        return None, "The file is JSON but not a notebook: it has no list of cells."
    try:
        nb = nbformat.reads(text, as_version=4)  # converts nbformat 3 notebooks
    except Exception as exc:  # nbformat raises a variety of types for malformed input
        return None, f"The file could not be read as a notebook: {type(exc).__name__}: {exc}"
    cells = nb.get("cells")
    if not isinstance(cells, list) or not all(isinstance(c, dict) and isinstance(c.get("source", ""), str) for c in cells):
        return None, "The notebook's cells are malformed (a cell without text source)."
    return nb, None


def _without(nb: nbformat.NotebookNode, cells: set[int]) -> nbformat.NotebookNode:
    out = nbformat.from_dict(nb)
    for i in cells:
        out.cells[i] = nbformat.v4.new_code_cell("")
    return out


def _execute(assignment: Assignment, nb, factory: SandboxFactory,
             skip: frozenset[int] = frozenset()) -> tuple[Sandbox, ExecutionSummary]:
    """Run the notebook (without the cells in ``skip``); if a cell kills the process,
    run again without that cell too."""
    first: ExecutionResult | None = None
    left_out: set[int] = set(skip)
    started = time.monotonic()
    for attempt in range(MAX_RERUNS + 1):
        sandbox = factory(assignment)
        try:
            result = sandbox.run(_without(nb, left_out) if left_out else nb)
        except BaseException:
            sandbox.close()
            raise
        first = first or result
        fatal = [e.cell for e in result.errors if e.ename in ("DeadKernelError", "CellTimeoutError")]
        if not result.kernel_died or not fatal or attempt == MAX_RERUNS or fatal[-1] in left_out:
            break
        sandbox.close()
        left_out.add(fatal[-1])
    summary = ExecutionSummary(
        seconds=time.monotonic() - started,
        cells=first.cells,
        errors=tuple(CellFailure(e.cell, e.ename, e.evalue) for e in first.errors),
        timed_out=first.timed_out,
        kernel_died=first.kernel_died,
        rerun_without=tuple(sorted(left_out)),
    )
    return sandbox, summary


def grade_notebook(
    assignment: Assignment,
    path: Path,
    *,
    seed: int = 0,
    sandbox_factory: SandboxFactory = kernel_sandbox,
) -> SubmissionResult:
    """Grade one submission.

    Args:
        assignment: the loaded spec.
        path: the submitted notebook file.
        seed: the input seed (secret in instructor runs).
        sandbox_factory: makes the sandbox; the default runs an ipykernel.

    Returns:
        The SubmissionResult; status "error" only when the file is not a readable notebook.

    Raises:
        OSError: the file cannot be read at all (the caller's problem, not the student's).
        AssignmentSpecError: the spec names inputs or reference functions that do not exist.
    """
    data = Path(path).read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    nb, why = read_notebook(data)
    base = dict(assignment=assignment.name, path=str(path), sha256=sha, seed=seed, max_score=assignment.max_score)
    if nb is None:
        unread = tuple(CheckResult(c.name, c.function, "error", 0.0, c.points, "The notebook could not be read.")
                       for c in assignment.checks)
        return SubmissionResult(status="error", error=why, checks=unread, execution=None, **base)
    started = time.monotonic()
    problem = draw(assignment, seed)
    reference = importlib.import_module(assignment.reference)
    sandbox, summary = _execute(assignment, nb, sandbox_factory)
    try:
        watched = _Watched(sandbox)
        defined = sandbox.defined_functions()
        results = []
        for spec in assignment.checks:
            if watched.died:  # the previous check's function ended the process
                sandbox.close()
                sandbox, _ = _execute(assignment, nb, sandbox_factory, frozenset(summary.rerun_without))
                watched = _Watched(sandbox)
            results.append(checks.run(spec, checks.Context(assignment, watched, problem, reference, defined)))
        results = tuple(results)
    finally:
        sandbox.close()
    summary = dataclasses.replace(summary, seconds=time.monotonic() - started)
    return SubmissionResult(status="graded", error=None, checks=results, execution=summary, **base)


class _Watched:
    """A sandbox that remembers whether a call found its process dead."""

    def __init__(self, inner: Sandbox) -> None:
        self.inner = inner
        self.died = False

    def run(self, nb) -> ExecutionResult:
        return self.inner.run(nb)

    def defined_functions(self) -> tuple[str, ...]:
        return self.inner.defined_functions()

    def call(self, function: str, args: tuple = (), kwargs: dict | None = None, *, patch=None):
        result = self.inner.call(function, args, kwargs, patch=patch)
        self.died = self.died or result.kernel_died
        return result

    def close(self) -> None:
        self.inner.close()
