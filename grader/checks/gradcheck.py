"""The gradient-check engine: central differences of a reference cost, per block.

All numerical policy lives here (step, thresholds, sketch size, seeds); an assignment
spec may override it through ``Tolerances.merged``, nothing else does.

For every parameter block the engine builds *samples*, pairs of numbers that should be
equal if the student's gradient is right:

* ``full`` (small blocks): the student's entry vs. (J(θ+εe_i) − J(θ−εe_i)) / 2ε, for
  every entry i;
* ``sketch`` (large blocks): the student's directional derivative ⟨g, v⟩ vs.
  (J(θ+εv) − J(θ−εv)) / 2ε along k random unit directions v. A block of 100k
  entries costs 2k evaluations instead of 200k; a wrong gradient changes ⟨g, v⟩ by
  ⟨g − g*, v⟩, which is as large relative to ⟨g*, v⟩ as the error is relative to g*
  (in expectation over Gaussian v), so the seed distance means the same thing.

The seed distance ‖a − n‖ / (‖a‖ + ‖n‖) of the samples decides the verdict.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from grader.checks import diagnose
from grader.checks.blocks import block_order, grad_key, layer_of
from grader.checks.diagnose import distance
from grader.records import BlockReport, Entry, GradientReport
from grader.spec.tolerances import DEFAULT_TOLERANCES, Tolerances



Cost = Callable[[Mapping[str, np.ndarray]], float]


class _Evaluator:
    """Calls the cost, counts evaluations, and reads ReLU patterns where the cost has them."""

    def __init__(self, cost: Cost) -> None:
        self._cost = cost
        self._with_pattern = getattr(cost, "evaluate", None)
        self.count = 0

    def __call__(self, params: Mapping[str, np.ndarray]) -> tuple[float, np.ndarray | None]:
        self.count += 1
        if self._with_pattern is not None:
            value, pattern = self._with_pattern(params)
        else:
            value, pattern = self._cost(params), None
        return float(value), pattern


@dataclass
class _Samples:
    """Paired samples of one block and how they were taken."""

    student: np.ndarray
    numerical: np.ndarray
    probe: Callable[[np.ndarray], np.ndarray]  # full array of the block's shape -> samples
    method: str
    excluded: int
    evaluations: int
    numerical_full: np.ndarray | None = None  # per-entry numerical gradient (full method)
    kept: np.ndarray | None = None  # boolean mask of compared entries (full method)


def _crossed(pattern: np.ndarray | None, base: np.ndarray | None) -> bool:
    return pattern is not None and base is not None and not np.array_equal(pattern, base)


def _full_samples(ev, work, name, student, eps, base_pattern) -> _Samples:
    P = work[name]
    numerical = np.empty(P.shape)
    kept = np.ones(P.shape, dtype=bool)
    start = ev.count
    for idx in np.ndindex(P.shape):
        orig = P[idx]
        P[idx] = orig + eps
        j_plus, p_plus = ev(work)
        step = P[idx] - orig  # the step actually taken, exact in floating point
        P[idx] = orig - eps
        j_minus, p_minus = ev(work)
        step += orig - P[idx]
        P[idx] = orig
        numerical[idx] = (j_plus - j_minus) / step
        if _crossed(p_plus, base_pattern) or _crossed(p_minus, base_pattern):
            kept[idx] = False
    flat_kept = kept.ravel()

    def probe(x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=float).ravel()[flat_kept]

    return _Samples(probe(student), numerical.ravel()[flat_kept], probe, "full",
                    int((~kept).sum()), ev.count - start, numerical, kept)


def _directional(ev, work, P, orig, v, eps, base_pattern) -> float | None:
    """(J(θ+εv) − J(θ−εv)) / 2ε along unit direction v of block P (restored after),
    or None when the step crosses a ReLU kink."""
    P[...] = orig + eps * v
    j_plus, p_plus = ev(work)
    P[...] = orig - eps * v
    j_minus, p_minus = ev(work)
    P[...] = orig
    if _crossed(p_plus, base_pattern) or _crossed(p_minus, base_pattern):
        return None
    return (j_plus - j_minus) / (2 * eps)


def _sketch_samples(ev, work, name, student, eps, base_pattern, rng, tol: Tolerances) -> _Samples:
    P = work[name]
    orig = P.copy()
    directions, numerical, excluded = [], [], 0
    start = ev.count
    for _ in range(tol.sketch_directions):
        for _attempt in range(tol.max_kink_retries + 1):
            v = rng.standard_normal(P.shape)
            v /= np.linalg.norm(v)
            derivative = _directional(ev, work, P, orig, v, eps, base_pattern)
            if derivative is not None:
                directions.append(v.ravel())
                numerical.append(derivative)
                break
            excluded += 1
    V = np.array(directions).reshape(len(directions), -1)

    def probe(x: np.ndarray) -> np.ndarray:
        return V @ np.asarray(x, dtype=float).ravel()

    return _Samples(probe(student), np.array(numerical), probe, "sketch", excluded, ev.count - start)


def _errors(s: _Samples) -> tuple[float, float]:
    """(seed distance, max abs difference) of a block's samples."""
    max_abs = float(np.max(np.abs(s.student - s.numerical))) if s.student.size else 0.0
    return distance(s.student, s.numerical), max_abs


def _verdict(d: float, max_abs: float, floor: float, tol: Tolerances) -> str:
    if d <= tol.pass_below or max_abs <= floor:
        return "pass"
    if d > tol.fail_above:
        return "fail"
    return "warn"


def _worst(s: _Samples, student: np.ndarray, k: int) -> tuple[Entry, ...]:
    if s.numerical_full is None or k == 0:
        return ()
    err = np.abs(np.asarray(student, dtype=float) - s.numerical_full)
    err[~s.kept] = -1.0
    order = np.argsort(err, axis=None)[::-1][:k]
    out = []
    for flat in order:
        idx = tuple(int(i) for i in np.unravel_index(flat, err.shape))
        if err[idx] <= 0:
            break
        out.append(Entry(idx, float(student[idx]), float(s.numerical_full[idx])))
    return tuple(out)


def check_gradients(
    cost: Cost,
    params: Mapping[str, np.ndarray],
    grads: Mapping[str, object],
    *,
    lambd: float = 0.0,
    eps: float | None = None,
    seed: int = 0,
    m: int | None = None,
    tolerances: Tolerances | None = None,
) -> GradientReport:
    """Check a student's analytic gradients against central differences of ``cost``.

    Args:
        cost: J(params) -> float, already including any L2 term. If it also has
            ``evaluate(params) -> (J, relu_pattern)`` the engine excludes coordinates
            whose ±eps perturbation flips a ReLU unit (a kink), and if it has
            ``hypotheses(params)`` (objects with ``kind``, ``text``, ``grads``) the
            diagnosis can name bugs such as a wrong ReLU mask.
        params: "W1", "b1", ... -> arrays; the point at which ``grads`` were computed.
        grads: the student's gradients, "dW1", "db1", ...; extra keys (dZ1, dA1) are
            ignored. Values may be anything a student returns: a missing key, None, a
            list, a wrong shape or NaN each make that block fail with a diagnosis.
        lambd: the L2 strength in ``cost``, used to name a missing L2 term.
        eps: finite-difference step; defaults to ``tolerances.eps``.
        seed: seeds the sketch directions and the recheck.
        m: number of examples, used to name a missing 1/m.
        tolerances: numerical policy; defaults to DEFAULT_TOLERANCES.

    Returns:
        A GradientReport with one BlockReport per parameter, in block order.

    Raises:
        TypeError, ValueError: ``params`` is not a mapping of finite float arrays
            (a grader or instructor error, not a student's).
    """
    tol = tolerances or DEFAULT_TOLERANCES
    if eps is not None:
        tol = tol.merged(eps=float(eps))
    if not isinstance(params, Mapping) or not params:
        raise TypeError("params must be a non-empty mapping of parameter name -> array")
    if not isinstance(grads, Mapping):
        grads = diagnose.NotAMapping(grads)
    names = block_order(params)
    work = {}
    for name in names:
        arr = np.array(params[name], dtype=float)
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"parameter {name} is not finite: cannot check gradients there")
        work[name] = arr

    ev = _Evaluator(cost)
    j0, base_pattern = ev(work)
    if not math.isfinite(j0):
        raise ValueError(f"the reference cost is {j0} at these parameters; choose another point")
    floor = tol.noise_floor * np.finfo(float).eps * max(1.0, abs(j0)) / tol.eps
    hypotheses = list(getattr(cost, "hypotheses", lambda p: [])(work))
    sketched = _plan_sketch({n: work[n].size for n in names}, tol)

    reports: dict[str, BlockReport] = {}
    compared: list[tuple[np.ndarray, np.ndarray]] = []
    comparable_all = True
    notes: list[str] = []
    for b_index, name in enumerate(names):
        key = grad_key(name)
        expected = work[name].shape
        c = diagnose.coerce(key, grads.get(key, diagnose.MISSING), expected, grads.keys())
        if c.values is None:
            comparable_all = False
            reports[key] = _unfit_report(key, c, expected)
            continue
        value = c.values
        rng = np.random.default_rng([seed, b_index])
        s = _take(ev, work, name, value, tol.eps, base_pattern, rng, tol, sketched)
        d, max_abs = _errors(s)
        status = _verdict(d, max_abs, floor, tol)
        rechecked = False
        evaluations = s.evaluations
        if status == "warn":
            # A second point: another step and fresh directions. Round-off noise moves
            # with them, a real bug does not, so the better of the two decides.
            rechecked = True
            rng2 = np.random.default_rng([seed, b_index, 1])
            s2 = _take(ev, work, name, value, tol.eps * math.sqrt(10), base_pattern, rng2, tol, sketched)
            evaluations += s2.evaluations
            d2, max2 = _errors(s2)
            if d2 < d:
                s, d, max_abs = s2, d2, max2
            status = _verdict(d, max_abs, floor, tol)
        compared.append((s.student, s.numerical))
        diag = None
        worst: tuple[Entry, ...] = ()
        if c.reshaped:
            # Right values in the wrong shape still fail: the student's code would
            # break (or silently broadcast) wherever the gradient is used.
            status = "fail"
            diag = diagnose.reshaped(key, c, d, expected, tol)
        elif status == "fail":
            diag = diagnose.explain(key, value, s.student, s.numerical, s.probe, work[name],
                                    lambd=lambd, m=m, hypotheses=hypotheses, tol=tol)
            worst = _worst(s, value, tol.worst_entries)
            if s.method == "sketch":
                start = ev.count
                worst = _localize(ev, work, name, value, tol.eps, base_pattern, floor, rng, tol)
                evaluations += ev.count - start
        elif c.problem is not None:
            status, diag = "fail", c.problem
        if s.excluded:
            unit = "entries" if s.method == "full" else "directions"
            notes.append(f"{key}: {s.excluded} {unit} excluded because ±eps crossed a ReLU kink.")
        reports[key] = BlockReport(
            name=key, status=status, relative_error=d, shape=c.shape, expected_shape=expected,
            method=s.method, evaluations=evaluations, max_abs_error=max_abs, excluded=s.excluded,
            worst=worst, rechecked=rechecked, diagnosis=diag,
            message=diag.text if diag is not None and not worst
            else diagnose.block_message(key, status, d, max_abs, worst, tol),
        )

    overall = None
    if comparable_all and compared:
        overall = distance(np.concatenate([a for a, _ in compared]), np.concatenate([n for _, n in compared]))
    notes.extend(_chain_sentence(reports))
    return GradientReport(
        passed=all(r.status != "fail" for r in reports.values()),
        relative_error=overall,
        blocks=reports,
        eps=tol.eps,
        seed=seed,
        evaluations=ev.count,
        notes=tuple(notes),
    )


def _take(ev, work, name, student, eps, base_pattern, rng, tol: Tolerances, sketched: set[str]) -> _Samples:
    if name in sketched:
        return _sketch_samples(ev, work, name, student, eps, base_pattern, rng, tol)
    return _full_samples(ev, work, name, student, eps, base_pattern)


def _plan_sketch(sizes: Mapping[str, int], tol: Tolerances) -> set[str]:
    """Which blocks to sketch: those above sketch_above, then the largest until the
    whole check fits the evaluation budget."""
    per_sketch = 2 * tol.sketch_directions
    sketched = {n for n, size in sizes.items() if size > tol.sketch_above}

    def total() -> int:
        return sum(per_sketch if n in sketched else 2 * size for n, size in sizes.items())

    for name in sorted(sizes, key=lambda n: -sizes[n]):
        if total() <= tol.budget:
            break
        if name not in sketched and 2 * sizes[name] > per_sketch:
            sketched.add(name)
    return sketched


def _localize(ev, work, name, student, eps, base_pattern, floor, rng, tol: Tolerances) -> tuple[Entry, ...]:
    """Find wrong entries of a large block without differencing every entry.

    Group testing: the directional derivative along the normalized indicator of a
    subset S differs from the student's <g, 1_S>/sqrt|S| exactly when S holds wrong
    entries (beyond round-off). Halving a random ordering depth-first reaches a single
    wrong entry of a 100k block in ~17 halvings (~70 evaluations). When nearly every
    entry is wrong (a scaled block) the budget runs out first and nothing is listed:
    the diagnosis names that kind of bug from the samples already.
    """
    P = work[name]
    orig = P.copy()
    flat_student = np.asarray(student, dtype=float).ravel()
    spent, found = 0, []
    stack = [rng.permutation(P.size)]
    while stack and spent + 2 <= tol.localize_evaluations and len(found) < tol.worst_entries:
        subset = stack.pop()
        halves = [subset] if subset.size == 1 else np.array_split(subset, 2)
        for half in halves[::-1]:
            if spent + 2 > tol.localize_evaluations:
                break
            v = np.zeros(P.size)
            v[half] = 1.0 / np.sqrt(half.size)
            numerical = _directional(ev, work, P, orig, v.reshape(P.shape), eps, base_pattern)
            spent += 2
            if numerical is None:
                continue
            if abs(float(flat_student[half] @ v.ravel()[half]) - numerical) <= floor:
                continue
            if half.size == 1:
                idx = tuple(int(i) for i in np.unravel_index(int(half[0]), P.shape))
                found.append(Entry(idx, float(flat_student[half[0]]), float(numerical)))
            elif subset.size > 1:
                stack.append(half)
    return tuple(found)


def _unfit_report(key: str, c: diagnose.Coerced, expected: tuple[int, ...]) -> BlockReport:
    return BlockReport(
        name=key, status="fail", relative_error=None, shape=c.shape, expected_shape=expected,
        method="none", evaluations=0, max_abs_error=None, excluded=0, worst=(), rechecked=False,
        diagnosis=c.problem, message=c.problem.text,
    )


def _chain_sentence(reports: Mapping[str, BlockReport]) -> list[str]:
    """Point at the top of a chain of failures when lower blocks are unexplained.

    Backprop runs from layer L down, so an error in layer k spoils every block below
    it; when a lower block's failure has no name of its own, the top is the place to look.
    """
    failing = {k: r for k, r in reports.items() if r.status == "fail" and layer_of(k)}
    if not failing:
        return []
    top = max(layer_of(k) for k in failing)
    unexplained = [k for k, r in failing.items()
                   if layer_of(k) < top and r.diagnosis is not None and r.diagnosis.kind == "unknown"]
    if not unexplained:
        return []
    return [f"{', '.join(unexplained)} may fail only because of the error in layer {top} above "
            f"{'them' if len(unexplained) > 1 else 'it'}: backprop runs downward, so fix layer {top} first."]
