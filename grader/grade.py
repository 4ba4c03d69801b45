"""Grade one notebook: read it, run it in a sandbox, run every check, collect results.

notebook file -> ``read_notebook`` -> sandbox ``run`` -> ``checks.run`` per check
-> SubmissionResult (``report`` turns it into JSON, Gradescope results or a table).

A cell that kills the student's process must not cost the student the functions
defined before it (or after it): the notebook is run again in a fresh sandbox without
that cell, up to MAX_RERUNS times, and the feedback says which cells were left out.
Likewise a graded function that kills the process (os._exit, a loop that ignores the
interrupt) costs only its own check: the checks after it get a fresh sandbox.

By default only the cells grading needs run (``grader.submission.prune``); skipped cells are
replaced by empty ones so cell indices keep their meaning. If the pruned run looks
broken (a NameError), the notebook is graded again from a full run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable
from pathlib import Path

import nbformat

from grader.checks import kinds as checks
from grader.calls import fixtures
from grader.submission import prune
from grader.submission.notebook import read_notebook

from grader.spec import course
from grader.spec.load import Assignment
from grader.errors import UsageError
from grader.run.kernel import KernelSandbox
from grader.run.sandbox import ExecutionResult, Sandbox
from grader.calls.inputs import SEED_ENV, draw
from grader.records import CellFailure, CheckResult, ExecutionSummary, SubmissionResult

MAX_RERUNS = 3

SandboxFactory = Callable[[Assignment], Sandbox]


def kernel_sandbox(assignment: Assignment) -> Sandbox:
    """An ipykernel in a fresh folder holding the support files."""
    return KernelSandbox(support_files=assignment.support_paths(), limits=assignment.limits)


def warm_sandbox(assignment: Assignment) -> Sandbox:
    """A child forked from this process's warm worker for the assignment (started once)."""
    from grader.run.warm import WarmSandbox

    return WarmSandbox(support_files=assignment.support_paths(), limits=assignment.limits)


def factory_for(engine: str | None = None) -> SandboxFactory:
    """The factory for an engine name; None means the assignment's ``[execution] engine``.

    "auto" is "warm" where the platform can fork, else "kernel".

    Raises:
        UsageError: "warm" was asked for where the platform cannot fork.
    """
    from grader.run.warm import available

    if engine is None:
        return lambda assignment: factory_for(assignment.engine)(assignment)
    if engine == "auto":
        engine = "warm" if available() else "kernel"
    if engine == "warm" and not available():
        raise UsageError("the warm engine needs fork() and Unix sockets, which this platform lacks",
                         hint="use --engine kernel")
    return {"warm": warm_sandbox, "kernel": kernel_sandbox}[engine]


def default_sandbox(assignment: Assignment) -> Sandbox:
    """The sandbox the assignment asks for (warm by default where the platform allows it)."""
    return factory_for(None)(assignment)


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
    left_out: set[int] = set()
    started = time.monotonic()
    for attempt in range(MAX_RERUNS + 1):
        sandbox = factory(assignment)
        try:
            result = sandbox.run(_without(nb, left_out | skip) if left_out or skip else nb)
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
        cells=first.cells - len(skip - set(first.skipped)),
        errors=tuple(CellFailure(e.cell, e.ename, e.evalue) for e in first.errors),
        timed_out=first.timed_out,
        kernel_died=first.kernel_died,
        rerun_without=tuple(sorted(left_out)),
        isolation=getattr(sandbox, "isolation", None),
    )
    return sandbox, summary


def _run_and_check(assignment: Assignment, nb, factory: SandboxFactory, problem, reference,
                   plan: prune.Plan | None) -> tuple[tuple[CheckResult, ...], ExecutionSummary, str | None]:
    """Run the notebook (all of it when ``plan`` is None) and every check; (results,
    summary, why a pruned run's results may be wrong or None)."""
    skip = plan.skipped_cells if plan else frozenset()
    sandbox, summary = _execute(assignment, nb, factory, skip)
    watch = prune.Watch(sandbox)
    try:
        defined = sandbox.defined_functions()
        results = []
        for spec in assignment.checks:
            if watch.died:  # the previous check's function ended the process: a fresh one
                sandbox.close()
                sandbox, _ = _execute(assignment, nb, factory, skip | set(summary.rerun_without))
                watch = prune.Watch(sandbox, name_errors=watch.name_errors)
            results.append(checks.run(spec, checks.Context(assignment, watch, problem, reference, defined)))
        results = tuple(results)
    finally:
        sandbox.close()
    if plan is None:
        return results, summary, None
    mode = "fallback" if plan.fell_back else "pruned"
    summary = dataclasses.replace(summary, pruning=mode, skipped=plan.skipped, pruning_note=plan.why)
    return results, summary, prune.doubt(summary.errors, watch) if plan.skipped else None


def grade_notebook(
    assignment: Assignment,
    path: Path,
    *,
    seed: int = 0,
    sandbox_factory: SandboxFactory = default_sandbox,
    public_fixtures: fixtures.PublicFixtures | None = None,
    run_all_cells: bool | None = None,
) -> SubmissionResult:
    """Grade one submission.

    Args:
        assignment: the loaded spec.
        path: the submitted notebook file.
        seed: the input seed (secret in instructor runs).
        sandbox_factory: makes the sandbox; the default follows the assignment's engine.
        public_fixtures: check against these instead of the reference. Without them the
            reference module is used, or, when it is not installed (a student's release
            bundle), the fixtures in the assignment's folder.
        run_all_cells: run every code cell, not only those grading needs; None
            means the assignment's ``[execution] run_all_cells``.

    Returns:
        The SubmissionResult; status "error" only when the file is not a readable notebook.

    Raises:
        OSError: the file cannot be read at all (the caller's problem, not the student's).
        AssignmentSpecError: the spec names inputs or reference functions that do not exist.
        UsageError: the reference is not installed and there are no public fixtures for ``seed``.
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
    problem, reference, public = _reference(assignment, seed, public_fixtures)
    full = assignment.run_all_cells if run_all_cells is None else run_all_cells
    plan = None if full else prune.plan_notebook(nb, assignment)
    results, summary, doubt = _run_and_check(assignment, nb, sandbox_factory, problem, reference, plan)
    if doubt:  # a name the plan left out may be missing: grade a full run instead
        results, summary, _ = _run_and_check(assignment, nb, sandbox_factory, problem, reference, None)
        summary = dataclasses.replace(summary, pruning="fallback", pruning_note=doubt)
    summary = dataclasses.replace(summary, seconds=time.monotonic() - started)
    return SubmissionResult(status="graded", error=None, checks=results, execution=summary,
                            public_fixtures=public, **base)


def _reference(assignment: Assignment, seed: int, public: fixtures.PublicFixtures | None):
    """(problem, reference, from public fixtures?): the live reference if it is installed,
    else the public fixtures of the release bundle the assignment was loaded from."""
    if public is None and not assignment.reference:  # a toml-only assignment: roles of reference/fcnet.py
        return draw(assignment, seed), None, False
    if public is None:
        try:
            reference = course.load_reference(assignment.reference, assignment.folder)
        except course.ReferenceMissing:
            # Only the reference itself being absent means "a student's bundle"; a
            # module the reference imports being absent is an installation error.
            public = fixtures.load(assignment.folder)
        else:
            return draw(assignment, seed), reference, False
    if seed != public.seed:
        raise UsageError(f"the public fixtures were made at seed {public.seed}, not {seed}",
                         hint=f"drop --seed (and unset {SEED_ENV}): other seeds need the instructor's reference")
    return public.problem, public.reference, True
