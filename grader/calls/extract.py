"""Calling the student's functions in the sandbox and judging the shape of what comes back.

Everything here turns a sandbox CallResult into either a value or a ``Failure`` whose
sentence a student can act on: the function is missing (with the closest names the
notebook does define), it raised (exception and line), it ran too long, the process
died, or it returned something that is not plain numbers and arrays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.errors import FunctionNotFoundError
from grader.run.sandbox import CallResult, Sandbox
from grader.run.wire import Unsupported


@dataclass(frozen=True)
class Failure:
    """Why a call produced no usable value.

    Attributes:
        status: "missing" or "error" (the check's status).
        message: the student-facing sentence.
        detail: staff-facing evidence (traceback).
    """

    status: str
    message: str
    detail: str = ""


def call(
    sandbox: Sandbox,
    function: str,
    args: Sequence[Any] = (),
    kwargs: Mapping[str, Any] | None = None,
    *,
    defined: Sequence[str] = (),
    patch: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> tuple[Any, Failure | None]:
    """Call ``function`` in the student's process; (value, None) or (None, Failure)."""
    result: CallResult = sandbox.call(function, tuple(args), dict(kwargs or {}), patch=dict(patch) if patch else None)
    if result.ok:
        return result.value, None
    return None, _failure(function, result, defined, timeout)


def _failure(function: str, r: CallResult, defined: Sequence[str], timeout: float | None) -> Failure:
    if r.kernel_died:
        return Failure("error", f"{function}() could not run: the notebook's Python process died "
                       "(a cell or this call ended it, e.g. with os._exit or by running out of memory).",
                       r.traceback or "")
    if r.timed_out:
        limit = f" within {timeout:g} s" if timeout else ""
        return Failure("error", f"{function}() did not return{limit}: look for an endless loop.", r.traceback or "")
    if r.ename == "NameError" and function not in defined:
        missing = FunctionNotFoundError(function, defined)
        return Failure("missing", str(missing))
    if r.ename == "WireError":
        return Failure("error", f"{function}() returned something the grader cannot read back: {r.evalue}",
                       r.traceback or "")
    where = f" at {r.line}" if r.line else ""
    return Failure("error", f"{function}() raised {r.ename}: {r.evalue}{where}.", r.traceback or "")


def describe(value: Any) -> str:
    """A few words for what a value is: "None", "a list of 3 items", "a float32 array of shape (5, 4)"."""
    if value is None:
        return "None"
    if isinstance(value, Unsupported):
        return f"a {value.type_name} object"
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {tuple(value.shape)}"
    if isinstance(value, (bool, np.bool_)):
        return f"a bool ({value})"
    if isinstance(value, (int, float, np.number)):
        return f"a number ({float(value):.6g})"
    if isinstance(value, tuple):
        return f"a tuple of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, list):
        return f"a list of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, dict):
        keys = ", ".join(map(str, list(value)[:8])) + (", ..." if len(value) > 8 else "")
        return f"a dict with keys {keys}" if value else "an empty dict"
    return f"a {type(value).__name__}"


def numeric(value: Any) -> np.ndarray | None:
    """``value`` as a float64 array if it is a real number or a numeric array, else None."""
    if isinstance(value, (bool, np.bool_)) or isinstance(value, Unsupported):
        return None
    if isinstance(value, (int, float, np.number)) and not isinstance(value, complex):
        return np.asarray(float(value))
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return value.astype(float)
    return None


def compare(got: Any, expected: Any, label: str, *, rtol: float, atol: float) -> list[str]:
    """Every way ``got`` differs from the reference value ``expected``, one sentence each.

    Tuples are compared by position, dicts by the expected keys, numbers and arrays by
    shape then values (a size-1 array stands for a number: costs come back either way).
    """
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)):
            return [f"{label} should be a tuple of {len(expected)} items but is {describe(got)}."]
        if len(got) != len(expected):
            return [f"{label} should have {len(expected)} items but has {len(got)}."]
        names = getattr(expected, "_labels", None)
        out: list[str] = []
        for i, (g, e) in enumerate(zip(got, expected)):
            sub = f"{label}[{i}]" + (f" ({names[i]})" if names else "")
            out += compare(g, e, sub, rtol=rtol, atol=atol)
        return out
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return [f"{label} should be a dict but is {describe(got)}."]
        missing = [k for k in expected if k not in got]
        out = [f"{label} lacks the key{'s' if len(missing) > 1 else ''} {', '.join(map(repr, missing))}."] if missing else []
        for k in expected:
            if k in got:
                out += compare(got[k], expected[k], f"{label}[{k!r}]", rtol=rtol, atol=atol)
        return out
    exp = np.asarray(expected, dtype=float)
    g = numeric(got)
    if g is None:
        return [f"{label} should be {'a number' if exp.size == 1 else f'an array of shape {exp.shape}'} but is {describe(got)}."]
    if exp.size == 1 and g.size == 1:
        g, exp = g.reshape(()), exp.reshape(())
    elif g.shape != exp.shape:
        return [f"{label} has shape {tuple(g.shape)} but should be {tuple(exp.shape)}."]
    if not np.all(np.isfinite(g)):
        return [f"{label} contains NaN or infinite values."]
    if np.allclose(g, exp, rtol=rtol, atol=atol):
        return []
    err = np.abs(g - exp)
    if exp.ndim == 0:
        return [f"{label} is {float(g):.6g} but should be {float(exp):.6g}."]
    idx = tuple(int(i) for i in np.unravel_index(np.argmax(err), err.shape))
    bad = int(np.sum(~np.isclose(g, exp, rtol=rtol, atol=atol)))
    return [f"{label} differs in {bad} of {exp.size} entries; largest at {idx}: {g[idx]:.6g} instead of {exp[idx]:.6g}."]


class Labeled(tuple):
    """A tuple whose items have names, so messages can say "cache[9] (A3)"."""

    _labels: tuple[str, ...]

    def __new__(cls, items: Sequence[Any], labels: Sequence[str]) -> Labeled:
        obj = super().__new__(cls, items)
        obj._labels = tuple(labels)
        return obj
