"""What kind of bug a failing gradient block looks like, in numbers and in one sentence.

Two stages. ``coerce`` turns whatever the student returned for a block into an array
of the expected shape, or explains why it cannot be compared (missing, not numbers,
NaN, wrong shape). ``explain`` fits hypotheses to a block that was compared and failed,
cheapest first: all zeros; a scaled copy of the truth (x2, x4, x m, sign); the truth
minus or plus c*W (L2 term missing or doubled); the transpose; then the reference
network's own bug hypotheses (wrong ReLU mask, wrong activation derivative).

A hypothesis is accepted when the student's samples are within ``Tolerances.match``
of it (seed distance), so the same test works on per-entry samples and on the
directional samples of large blocks: ``probe`` maps a full block to its samples.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from grader.records import Diagnosis, Entry

MISSING = object()  # sentinel: the key is absent from the student's dict


class NotAMapping:
    """Stands in for gradients that are not a dict (a list, a tuple, None): every block
    then fails with kind "type" and a sentence naming what was returned."""

    def __init__(self, value: object) -> None:
        self.type_name = type(value).__name__

    def get(self, key: str, default: object = None) -> object:
        return self

    def keys(self) -> list[str]:
        return []


@dataclass(frozen=True)
class Coerced:
    """A student's block made comparable, or the reason it cannot be.

    Attributes:
        values: float64 array of the expected shape, or None when not comparable.
        shape: the shape the student returned (None if not array-like).
        problem: the diagnosis when ``values`` is None, or for a type problem
            ("a list, not an array") whose values can still be compared.
        reshaped: "transposed" or "reshaped" when ``values`` had to be rearranged
            to the expected shape; the block fails whatever the values say.
    """

    values: np.ndarray | None
    shape: tuple[int, ...] | None
    problem: Diagnosis | None = None
    reshaped: str | None = None


def _shape_text(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def coerce(key: str, raw: object, expected: tuple[int, ...], present: Iterable[str] = ()) -> Coerced:
    """Make the student's value for block ``key`` comparable to a (expected,) array."""
    if isinstance(raw, NotAMapping):
        return Coerced(None, None, Diagnosis("type", None, f"{key} cannot be looked up: the gradients are a "
                                             f"{raw.type_name}, not a dict keyed 'dW1', 'db1', ..."))
    if raw is MISSING or raw is None:
        what = "missing from the returned gradients" if raw is MISSING else "None"
        keys = [k for k in present if isinstance(k, str)]
        listed = f" (keys returned: {', '.join(keys)})" if keys and raw is MISSING else ""
        return Coerced(None, None, Diagnosis("missing", None, f"{key} is {what}{listed}: return it in the gradients dict."))
    type_problem = None
    if not isinstance(raw, (np.ndarray, np.generic)):
        kind = type(raw).__name__
        type_problem = Diagnosis("type", None, f"{key} is a {kind}, not a numpy array: return the array itself.")
    try:
        arr = np.asarray(raw)
    except Exception:  # a ragged list, an object that refuses conversion
        arr = np.asarray(0.0)
        type_problem = type_problem or Diagnosis("type", None, f"{key} cannot be read as an array of numbers.")
        return Coerced(None, None, type_problem)
    if arr.dtype.kind not in "biuf":
        text = f"{key} holds {arr.dtype} values, not real numbers: return a float array."
        return Coerced(None, tuple(arr.shape), Diagnosis("type", None, text))
    arr = arr.astype(float)
    bad = ~np.isfinite(arr)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        nans = int(np.isnan(arr).sum())
        infs = int(bad.sum()) - nans
        counts = " and ".join(p for p in (f"{nans} NaN" if nans else "", f"{infs} infinite" if infs else "") if p)
        text = (f"{key} contains {counts} value{'s' if bad.sum() > 1 else ''} (first at {first}): "
                "look for a division by zero, log(0) or an overflow.")
        return Coerced(None, tuple(arr.shape), Diagnosis("nonfinite", None, text))
    if arr.shape == expected:
        return Coerced(arr, tuple(arr.shape), type_problem)
    if arr.ndim == 2 and arr.shape == expected[::-1]:
        return Coerced(arr.T, tuple(arr.shape), type_problem, "transposed")
    if arr.size == int(np.prod(expected)) and sorted(s for s in arr.shape if s != 1) == sorted(s for s in expected if s != 1):
        return Coerced(arr.reshape(expected), tuple(arr.shape), type_problem, "reshaped")
    return Coerced(None, tuple(arr.shape), Diagnosis("shape", None, _shape_sentence(key, arr.shape, expected)))


def _shape_sentence(key: str, got: tuple[int, ...], expected: tuple[int, ...]) -> str:
    text = f"{key} has shape {_shape_text(got)} but should be {_shape_text(expected)}"
    if key.startswith("db") and len(expected) == 2 and expected[1] == 1:
        if len(got) == 2 and got[0] == 1:
            return text + ": it looks summed over the wrong axis; use np.sum(dZ, axis=1, keepdims=True) / m."
        if len(got) < 2:
            return text + ": keep the column shape with np.sum(dZ, axis=1, keepdims=True)."
    return text + "."


def reshaped(key: str, c: Coerced, d: float, expected: tuple[int, ...], tol) -> Diagnosis:
    """The diagnosis of a block that had to be transposed or reshaped to compare."""
    right = d <= tol.match
    if c.reshaped == "transposed" and right:
        return Diagnosis("transposed", None,
                         f"{key} has shape {_shape_text(c.shape)} but should be {_shape_text(expected)}: it is the "
                         "transpose of the right gradient; swap the operands, e.g. np.dot(dZ, A_prev.T).")
    if right:
        return Diagnosis("shape", None,
                         f"{key} has the right values in shape {_shape_text(c.shape)}, but should be "
                         f"{_shape_text(expected)}: keep the shape with keepdims=True or reshape it.")
    return Diagnosis("shape", None, _shape_sentence(key, c.shape, expected))


def _factor_words(f: float) -> str:
    r = round(f)
    return str(int(r)) if abs(f - r) <= 0.01 * abs(f) else f"{f:.3g}"


def _scale_sentence(key: str, f: float, m: int | None) -> str:
    head = f"{key} is {f:.2f}× the true gradient"
    if m and m > 1 and abs(f - m) <= 0.01 * m:
        return f"{head}, which is m = {m} (the number of examples): divide by m."
    if m and m > 1 and abs(f * m - 1) <= 0.01:
        return f"{head}, which is 1/m (m = {m}): it is divided by m twice."
    if f < 0:
        return f"{head}: check its sign, then look for an extra factor of {_factor_words(-f)}."
    if f > 1:
        return f"{head}: look for an extra factor of {_factor_words(f)}."
    return f"{head}: look for a missing factor of {_factor_words(1 / f)}."


def distance(a: np.ndarray, n: np.ndarray) -> float:
    """The seed formula ‖a − n‖₂ / (‖a‖₂ + ‖n‖₂); 0 when both norms are 0.

    Defined here, not in gradcheck, because gradcheck imports this module; both the
    verdict and every hypothesis fit use this one function.
    """
    a = np.asarray(a, dtype=float).ravel()
    n = np.asarray(n, dtype=float).ravel()
    denom = np.linalg.norm(a) + np.linalg.norm(n)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - n) / denom)


def explain(
    key: str,
    value: np.ndarray,
    s: np.ndarray,
    n: np.ndarray,
    probe: Callable[[np.ndarray], np.ndarray],
    param: np.ndarray,
    *,
    lambd: float,
    m: int | None,
    hypotheses: Iterable,
    tol,
) -> Diagnosis:
    """Name the bug in a compared, failing block.

    Args:
        key: gradient key, e.g. "dW2".
        value: the student's block (expected shape).
        s, n: the student's and the numerical samples.
        probe: maps a full block to samples like ``s``.
        param: the parameter the block is the gradient of (W for dW).
        lambd, m: L2 strength and number of examples, for the sentences.
        hypotheses: objects with ``kind``, ``text``, ``grads`` (the reference network's).
        tol: the Tolerances in force (``match``).

    Returns:
        The first hypothesis that fits, else kind "unknown" with the numbers.
    """
    nn = float(n @ n)
    if not np.any(value) and nn > 0:
        return Diagnosis("zero", None, f"{key} is all zeros but the true gradient is not: it is never computed or is overwritten.")
    if nn > 0:
        f = float(s @ n) / nn
        if abs(f - 1) > tol.match and distance(s, f * n) <= tol.match:
            if abs(f + 1) <= 0.01:
                return Diagnosis("sign", -1.0, f"{key} has the wrong sign ({f:.2f}× the true gradient): "
                                 "check the order of a subtraction (A - Y, not Y - A) or a stray minus.")
            return Diagnosis("scale", f, _scale_sentence(key, f, m))
    if key.startswith("dW"):
        w = probe(param)
        ww = float(w @ w)
        if ww > 0:
            c = float((s - n) @ w) / ww
            if distance(s, n + c * w) <= tol.match:
                name = key[1:]
                ratio = f" (λ/m = {lambd:g}/{m} = {lambd / m:.3g})" if lambd and m else ""
                if c < 0:
                    return Diagnosis("missing_l2", -c, f"{key} is missing the L2 term: it equals the true gradient minus "
                                     f"{-c:.3g}·{name}{ratio}; add (lambd / m) * {name}.")
                return Diagnosis("extra_l2", c, f"{key} has too much L2 term: it equals the true gradient plus "
                                 f"{c:.3g}·{name}{ratio}; add (lambd / m) * {name} once.")
    if value.ndim == 2 and value.shape[0] == value.shape[1] and distance(probe(value.T), n) <= tol.match:
        return Diagnosis("transposed", None, f"{key} is the transpose of the true gradient (the block is square, so "
                         "the shape did not show it): swap the operands, e.g. np.dot(dZ, A_prev.T).")
    for h in hypotheses:
        g = h.grads.get(key)
        if g is not None and np.shape(g) == value.shape and distance(s, probe(g)) <= tol.match:
            return Diagnosis(h.kind, None, f"{key} matches the gradient you get when {h.text}.")
    return Diagnosis("unknown", None, f"{key} disagrees with the numerical gradient (relative error {distance(s, n):.1e}) "
                     "in a way that is not a simple scale, sign, L2 or transpose mistake.")


def block_message(key: str, status: str, d: float, max_abs: float, worst: Sequence[Entry], tol) -> str:
    """One sentence: the block, the property, the observed values and the tolerance."""
    if status == "pass":
        return f"{key} matches the numerical gradient: relative error {d:.1e}, tolerance {tol.fail_above:.0e}."
    if status == "warn":
        return (f"{key} is in the warn band: relative error {d:.1e} is between {tol.pass_below:.0e} and "
                f"{tol.fail_above:.0e} even after a recheck; counted as passing.")
    where = ""
    if worst:
        e = worst[0]
        where = f" at {e.index} (yours {e.student:.4g}, numerical {e.numerical:.4g})"
    return (f"{key} disagrees with the numerical gradient: relative error {d:.1e}, max abs error "
            f"{max_abs:.1e}{where}, tolerance {tol.fail_above:.0e}.")
