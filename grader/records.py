"""Typed, frozen result records of a gradient check.

The numbers are computed first and stored here; every sentence a student or an
instructor reads is built from these fields, never parsed back out of text.
``to_dict`` gives the JSON-ready form that ``report.py`` assembles into feedback.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

BlockStatus = Literal["pass", "warn", "fail"]

# Kinds of gradient bug the diagnosis names. "relu_mask" and "activation" come from
# the reference network's bug hypotheses; "extra_l2" is the L2 term counted twice.
DIAGNOSIS_KINDS = (
    "scale", "sign", "missing_l2", "extra_l2", "transposed", "shape", "zero",
    "nonfinite", "missing", "type", "relu_mask", "activation", "unknown",
)


def _finite_or_none(x: float | None) -> float | None:
    if x is None or not math.isfinite(x):
        return None
    return float(x)


@dataclass(frozen=True)
class Diagnosis:
    """What kind of mistake a failing block looks like.

    Attributes:
        kind: one of DIAGNOSIS_KINDS.
        factor: the fitted factor for "scale" (student = factor x true), -1 for "sign",
            c for "missing_l2"/"extra_l2" (student = true -/+ c*W); None otherwise.
        text: one sentence for the student that names the block and the numbers.
    """

    kind: str
    factor: float | None
    text: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "factor": _finite_or_none(self.factor), "text": self.text}


@dataclass(frozen=True)
class Entry:
    """One entry of a block where the student's value and the numerical one differ most."""

    index: tuple[int, ...]
    student: float
    numerical: float

    def to_dict(self) -> dict:
        return {"index": list(self.index), "student": _finite_or_none(self.student),
                "numerical": _finite_or_none(self.numerical)}


@dataclass(frozen=True)
class BlockReport:
    """The verdict on one gradient block, e.g. dW2.

    Attributes:
        name: the gradient key, "dW2".
        status: "pass", "warn" (in the grey band even after a recheck; counts as
            passing, flagged for a human) or "fail".
        relative_error: seed distance |a-n| / (|a|+|n|) over the compared samples;
            None when the block could not be compared (missing, wrong shape, NaN).
        shape: the shape the student returned (None when missing or not an array).
        expected_shape: the parameter's shape.
        method: "full" (every entry differenced) or "sketch" (directional derivatives
            along random directions, for large blocks); "none" if not compared.
        evaluations: cost evaluations spent on this block, rechecks included.
        max_abs_error: largest |student - numerical| over the compared samples.
        excluded: entries or directions left out because +-eps crossed a ReLU kink.
        worst: for failing full-method blocks, the entries that differ most.
        rechecked: the first distance fell in the warn band and a second
            point (another eps, fresh directions) was measured.
        diagnosis: None when passing; else what the bug looks like.
        message: one sentence naming the block, the property and the observed values.
    """

    name: str
    status: BlockStatus
    relative_error: float | None
    shape: tuple[int, ...] | None
    expected_shape: tuple[int, ...]
    method: str
    evaluations: int
    max_abs_error: float | None
    excluded: int
    worst: tuple[Entry, ...]
    rechecked: bool
    diagnosis: Diagnosis | None
    message: str

    @property
    def passed(self) -> bool:
        return self.status != "fail"

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "status": self.status,
            "relative_error": _finite_or_none(self.relative_error),
            "shape": None if self.shape is None else list(self.shape),
            "expected_shape": list(self.expected_shape),
            "method": self.method,
            "evaluations": self.evaluations,
            "max_abs_error": _finite_or_none(self.max_abs_error),
            "excluded": self.excluded,
            "worst": [e.to_dict() for e in self.worst],
            "rechecked": self.rechecked,
            "diagnosis": None if self.diagnosis is None else self.diagnosis.to_dict(),
            "message": self.message,
        }


@dataclass(frozen=True)
class GradientReport:
    """The result of ``check_gradients``.

    Attributes:
        passed: no block failed.
        relative_error: seed distance over all compared samples of all blocks; None when
            any block could not be compared.
        blocks: per gradient key ("dW1", "db1", ...), in block order.
        eps: the finite-difference step used.
        seed: the seed of the random directions and recheck.
        evaluations: cost evaluations spent in all.
        notes: sentences about the check itself (kinks excluded, rechecks, where a
            chain of failures starts).
    """

    passed: bool
    relative_error: float | None
    blocks: Mapping[str, BlockReport]
    eps: float
    seed: int
    evaluations: int
    notes: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "blocks", MappingProxyType(dict(self.blocks)))

    @property
    def failing(self) -> tuple[str, ...]:
        """Names of the failing blocks, in block order."""
        return tuple(name for name, b in self.blocks.items() if b.status == "fail")

    def to_dict(self) -> dict:
        return {
            "passed": self.passed,
            "relative_error": _finite_or_none(self.relative_error),
            "eps": self.eps,
            "seed": self.seed,
            "evaluations": self.evaluations,
            "notes": list(self.notes),
            "blocks": [b.to_dict() for b in self.blocks.values()],
        }


CheckStatus = Literal["pass", "fail", "error", "missing", "unchecked"]


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one graded check of a submission.

    Attributes:
        name: the check's name from the spec.
        function: the graded notebook function.
        status: "pass"; "fail" (ran, wrong result); "error" (the function raised,
            timed out, or the kernel died); "missing" (not defined by the notebook);
            "unchecked" (a self-check from public fixtures cannot judge it: only the
            instructor's grader, with the reference, can; no points locally).
        score, max_score: points earned and available.
        message: for the student: numbers first, then one exact sentence per failure.
        detail: for staff only: tracebacks, raw values; never shown to students.
        lambd: the L2 strength of a gradient check, else None.
        keep_prob: the dropout keep probability of a gradient check's reference
            network (1 without dropout), else None.
        layers: the layer sizes of a gradient check's reference network, else None.
        relative_error: overall seed distance of a gradient check, else None.
        origin: where a gradient fault lies, "forward" or "backward", else None.
        blocks: the per-block reports of a gradient check.
    """

    name: str
    function: str
    status: CheckStatus
    score: float
    max_score: float
    message: str
    detail: str = ""
    lambd: float | None = None
    keep_prob: float | None = None
    layers: tuple[int, ...] | None = None
    relative_error: float | None = None
    origin: str | None = None
    blocks: tuple[BlockReport, ...] = ()

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "function": self.function,
            "status": self.status,
            "score": self.score,
            "max_score": self.max_score,
            "message": self.message,
            "lambd": self.lambd,
            "keep_prob": self.keep_prob,
            "layers": None if self.layers is None else list(self.layers),
            "relative_error": _finite_or_none(self.relative_error),
            "origin": self.origin,
            "blocks": [b.to_dict() for b in self.blocks],
        }


@dataclass(frozen=True)
class Isolation:
    """Which isolation levels were in force for the student's process (see SECURITY.md).

    Built from the report :func:`grader.run.confine.enter` writes before any student
    code runs. Each level is one phrase; ``residual`` lists, in sentences, what
    was not protected.

    Attributes:
        engine: "kernel" (a Jupyter kernel) or "warm" (a forked worker).
        namespaces: Linux namespaces the process runs in ("mount", "pid", ...).
        filesystem, network, user, processes: one phrase each.
        limits: resource limits applied, by name (memory_mb, cpu_seconds, ...).
        residual: what is not protected, one sentence each.
    """

    engine: str
    namespaces: tuple[str, ...] = ()
    filesystem: str = "shared with the grader"
    network: str = "host network"
    user: str = "the grader's own user"
    processes: str = "process group only"
    limits: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    residual: tuple[str, ...] = ()

    @classmethod
    def unconfined(cls, engine: str) -> Isolation:
        """The record for an assignment that turned confinement off."""
        return cls(engine, residual=("confinement is off for this assignment (execution.confine = false): the "
                                     "student's code runs with the grader's rights",))

    @classmethod
    def from_report(cls, engine: str, report: object) -> Isolation:
        """Read a confine report defensively; anything malformed means "not confined"."""
        if not isinstance(report, Mapping):
            return cls(engine, residual=("the sandbox did not report its isolation: assume none",))

        def text(key: str, default: str) -> str:
            value = report.get(key, default)
            return value[:300] if isinstance(value, str) else default

        names = report.get("namespaces")
        limits = report.get("limits")
        residual = report.get("residual")
        base = cls(engine)
        return cls(
            engine,
            tuple(n for n in names if isinstance(n, str))[:8] if isinstance(names, list) else (),
            text("filesystem", base.filesystem), text("network", base.network), text("user", base.user),
            text("processes", base.processes),
            MappingProxyType({k: v for k, v in limits.items() if isinstance(k, str) and isinstance(v, int)})
            if isinstance(limits, Mapping) else MappingProxyType({}),
            tuple(r[:500] for r in residual if isinstance(r, str))[:10] if isinstance(residual, list) else (),
        )

    def to_dict(self) -> dict:
        return {"engine": self.engine, "namespaces": list(self.namespaces), "filesystem": self.filesystem,
                "network": self.network, "user": self.user, "processes": self.processes,
                "limits": dict(self.limits), "residual": list(self.residual)}


@dataclass(frozen=True)
class CellFailure:
    """A notebook cell that raised, timed out or killed the kernel."""

    cell: int
    ename: str
    evalue: str

    def to_dict(self) -> dict:
        return {"cell": self.cell, "ename": self.ename, "evalue": self.evalue}


@dataclass(frozen=True)
class SkippedCell:
    """A code cell not run because grading does not need it (see ``grader.submission.prune``).

    Attributes:
        cell: index of the cell in ``nb.cells`` (markdown cells count too).
        reason: one line for people: why, and the cell's first line of code.
    """

    cell: int
    reason: str

    def to_dict(self) -> dict:
        return {"cell": self.cell, "reason": self.reason}


PruningMode = Literal["off", "pruned", "fallback"]


@dataclass(frozen=True)
class ExecutionSummary:
    """How running the notebook went, as the feedback reports it.

    Attributes:
        seconds: wall time of execution and checks.
        cells: code cells executed.
        errors: cells that failed (execution went on after each).
        timed_out: a cell or the whole notebook hit its time limit.
        kernel_died: the student process died; the grader re-ran the notebook
            without the cells that killed it (``rerun_without``).
        rerun_without: cells left out of the re-run.
        isolation: the isolation in force while the notebook ran.
        pruning: "pruned" (only the cells grading needs ran; ``skipped`` lists the
            others), "fallback" (pruning was on but every cell ran; ``pruning_note``
            says why) or "off" (full execution was asked for).
        skipped: cells not run because grading does not need them.
        pruning_note: why pruning fell back, else None.
    """

    seconds: float
    cells: int
    errors: tuple[CellFailure, ...]
    timed_out: bool
    kernel_died: bool
    rerun_without: tuple[int, ...] = ()
    isolation: Isolation | None = None
    pruning: PruningMode = "off"
    skipped: tuple[SkippedCell, ...] = ()
    pruning_note: str | None = None

    def to_dict(self) -> dict:
        return {
            "seconds": round(self.seconds, 3),
            "cells": self.cells,
            "errors": [e.to_dict() for e in self.errors],
            "timed_out": self.timed_out,
            "kernel_died": self.kernel_died,
            "rerun_without": list(self.rerun_without),
            "isolation": None if self.isolation is None else self.isolation.to_dict(),
            "pruning": self.pruning,
            "pruning_note": self.pruning_note,
            "skipped_cells": [s.to_dict() for s in self.skipped],
        }


@dataclass(frozen=True)
class SubmissionResult:
    """Everything the grader found about one submitted notebook.

    Attributes:
        assignment: the assignment's name.
        path, sha256: the submitted file.
        status: "graded", or "error" when the file is not a readable notebook.
        error: the sentence saying why, when status is "error".
        checks: one result per check of the spec, in spec order.
        execution: None when the notebook was never run.
        seed: the input seed (staff detail: it is secret in instructor runs).
        public_fixtures: checked against a release bundle's public fixtures instead
            of the reference (a student's self-check): the score is indicative.
    """

    assignment: str
    path: str
    sha256: str
    status: Literal["graded", "error"]
    error: str | None
    checks: tuple[CheckResult, ...]
    execution: ExecutionSummary | None
    seed: int
    max_score: float
    public_fixtures: bool = False

    @property
    def score(self) -> float:
        return float(sum(c.score for c in self.checks))
