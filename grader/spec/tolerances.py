"""The numerical policy of gradient checks: step, thresholds, budgets.

Defaults live here, once; an assignment spec may override them (``[tolerances]``), and
:mod:`grader.checks.gradcheck` applies them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace


@dataclass(frozen=True)
class Tolerances:
    """Numerical policy of a gradient check. Defaults are measured, not guessed.

    Attributes:
        eps: finite-difference step. With the reference networks' stable cost (log
            sigmoid via softplus) correct code measured <= 1.4e-9 at eps = 1e-5; a naive
            log(A) cost at eps = 1e-7 measured up to 1.2e-7, so 1e-5 with a stable cost.
        pass_below: a block passes at or below this distance. 2e-7 is ~140x the stable
            noise floor, above the naive-form worst case (1.2e-7), and the threshold the
            Deep Learning Specialization notebooks themselves print.
        fail_above: a block fails above this distance. The subtlest real bug measured
            (one wrong entry in a 100k block) gave 4.5e-3, 450x above it. Between the
            two is the warn band: the block is measured again at a second point.
        match: how close a bug hypothesis (x2, sign, missing L2 term, transposed ...)
            must fit the student's values to be named: 1e-4, five orders above the
            noise floor and well below the distance of any other bug.
        noise_floor: absolute floor in units of machine epsilon * max(1, |J|) / eps:
            differences that small are finite-difference round-off, not bugs (matters
            for blocks whose true gradient is itself ~1e-9, where the relative
            distance of correct code is large).
        sketch_above: blocks with more entries are always checked by the sketch.
        budget: cost evaluations one check should spend before rechecks and
            localization. Blocks are checked entry by entry while that fits; when it
            does not, the largest blocks are sketched first. 500 keeps a
            784-128-64-10 network (109k parameters) at ~150 evaluations.
        localize_evaluations: the most evaluations spent finding the wrong entries of
            a failing sketched block by group testing (halving random subsets).
        sketch_directions: random directions per sketched block (2 evaluations each).
        worst_entries: how many worst entries a failing full block lists.
        max_kink_retries: fresh directions tried when one crosses a ReLU kink.
    """

    eps: float = 1e-5
    pass_below: float = 2e-7
    fail_above: float = 1e-5
    match: float = 1e-4
    noise_floor: float = 100.0
    sketch_above: int = 4096
    budget: int = 500
    localize_evaluations: int = 160
    sketch_directions: int = 12
    worst_entries: int = 5
    max_kink_retries: int = 3

    def __post_init__(self) -> None:
        if not (self.eps > 0 and math.isfinite(self.eps)):
            raise ValueError(f"eps must be a positive finite number, got {self.eps!r}")
        if not 0 < self.pass_below <= self.fail_above:
            raise ValueError(
                f"need 0 < pass_below <= fail_above, got pass_below={self.pass_below!r}, "
                f"fail_above={self.fail_above!r}"
            )
        if self.sketch_directions < 1 or self.sketch_above < 1 or self.worst_entries < 0:
            raise ValueError("sketch_directions and sketch_above must be >= 1, worst_entries >= 0")

    def merged(self, **overrides: float | int) -> Tolerances:
        """A copy with some fields replaced (unknown names raise ValueError)."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(overrides) - known)
        if unknown:
            raise ValueError(f"unknown tolerance setting(s) {unknown}; known: {sorted(known)}")
        return replace(self, **overrides)


DEFAULT_TOLERANCES = Tolerances()
