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
