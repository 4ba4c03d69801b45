"""Dropout checks: read the student's masks, then freeze them in the reference network.

Dropout makes a forward pass random, so as it stands it can be neither compared with a
reference nor differentiated numerically. The grader freezes it: it reads the masks
D1, D2, ... from the cache the student's own dropout forward returned, makes sure they
are masks (the shape of A_l, only 0 and 1), and runs the reference network with exactly
those masks (``fcnet.NetworkCost(..., masks={1: D1, 2: D2}, keep_prob=...)``).

* ``check_dropout_forward`` (check type "dropout_forward"): the output and every cache
  entry equal the reference forward's with the student's masks.
* ``frozen_inputs``: for a gradient check whose cache layout names masks, the cache to
  pass (the reference forward's, with the masks frozen) and the masks the reference cost
  uses: the student's (``masks_from``), or masks drawn from the seed without it or when
  the student's are unusable, so a forward bug is not charged to the backward pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy.special import expit

from grader.calls.extract import Labeled, compare, describe, numeric
from grader.checks.context import Context, failed_result
from grader.records import CheckResult, GradientReport

if TYPE_CHECKING:
    from reference import fcnet

    from grader.spec.load import CheckSpec

# A scale diagnosis within this relative margin of keep_prob**k is named as a missing 1/keep_prob.
_KEEP_PROB_MATCH = 0.01


def layout_of(spec: CheckSpec, ctx: Context) -> tuple[str, ...]:
    """The cache layout a check passes or compares: its own, else the network's."""
    return spec.cache or ctx.assignment.network.cache


def read_masks(out: Any, function: str, layout: Sequence[str], arch: fcnet.Architecture,
               m: int) -> tuple[dict[int, np.ndarray] | None, str | None]:
    """The masks in a dropout forward's return value ``(A_L, cache)``.

    Returns:
        ({layer: 0/1 float mask}, None), or (None, a sentence saying what is wrong).
    """
    L = arch.depth
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        return None, f"{function}() should return (A{L}, cache) but returned {describe(out)}."
    cache = out[1]
    if not isinstance(cache, (tuple, list)) or len(cache) != len(layout):
        return None, (f"{function}'s cache should be a tuple of {len(layout)} items ({', '.join(layout)}) "
                      f"but is {describe(cache)}.")
    masks = {}
    for l in range(1, L):
        i = layout.index(f"D{l}")
        label = f"{function}'s cache[{i}] (D{l})"
        expected = (arch.layer_dims[l], m)
        D = numeric(cache[i])
        if D is None:
            return None, f"{label} should be a 0/1 mask array of shape {expected} but is {describe(cache[i])}."
        if D.shape != expected:
            return None, (f"{label} has shape {tuple(D.shape)}, but the mask of layer {l} must have the shape "
                          f"of A{l}, {expected}.")
        bad = ~((D == 0) | (D == 1))
        if bad.any():
            at = tuple(int(k) for k in np.argwhere(bad)[0])
            return None, (f"{label} holds values other than 0 and 1 ({int(bad.sum())} of {D.size}, e.g. "
                          f"{D[at]:.3g} at {at}): a mask is (np.random.rand(...) < keep_prob) as 0/1; apply it "
                          f"with A{l} = A{l} * D{l} / keep_prob but keep D{l} itself unscaled.")
        masks[l] = D
    return masks, None


def frozen_inputs(spec: CheckSpec, ctx: Context) -> tuple[list[Any], dict[int, np.ndarray] | None, str]:
    """The arguments of a gradient check, with the dropout cache built by the grader.

    Returns:
        (args, masks, note): ``masks`` is None when the check's layout names no masks
        (the reference cost then has no dropout); ``note`` is a sentence for the
        student when their own masks could not be used.
    """
    layout = layout_of(spec, ctx)
    if not spec.cache and not any(n.startswith("D") for n in layout):
        return ctx.inputs(spec.args), None, ""
    p = ctx.problem
    masks, note = None, ""
    if any(n.startswith("D") for n in layout):
        if spec.masks_from:
            out, failure = ctx.call(spec.masks_from, ctx.inputs(spec.masks_args))
            masks, problem = (None, failure.message) if failure else read_masks(out, spec.masks_from, layout,
                                                                                  p.network, p["m"])
            if masks is None:
                note = (f" The masks of your {spec.masks_from}() could not be used, so this check used masks "
                        f"drawn by the grader: {problem}")
            elif not p.can_freeze(masks, spec.keep_prob):
                masks = None
                note = (f" Your {spec.masks_from}() drew other masks than the public fixtures hold, so this "
                        "self-check used masks drawn by the grader; the instructor's grader uses your own.")
        if masks is None:
            masks = p.seed_masks(spec.keep_prob)
    _, cache = p.dropout_cache(layout, masks, spec.keep_prob)
    args = [cache if name == "cache" else ctx.inputs([name])[0] for name in spec.args]
    return args, masks, note


def keep_prob_note(report: GradientReport, keep_prob: float) -> str:
    """A sentence when failing blocks are keep_prob**k times the truth (a missing 1/keep_prob)."""
    if keep_prob >= 1:
        return ""
    hits = []
    for key in report.failing:
        diag = report.blocks[key].diagnosis
        if diag is None or diag.kind != "scale" or not diag.factor:
            continue
        k = round(np.log(diag.factor) / np.log(keep_prob)) if diag.factor > 0 else 0
        if k >= 1 and abs(diag.factor - keep_prob ** k) <= _KEEP_PROB_MATCH * keep_prob ** k:
            hits.append(f"{key} (keep_prob{'' if k == 1 else f'^{k}'})")
    if not hits:
        return ""
    return (f" {', '.join(hits)} {'is' if len(hits) == 1 else 'are'} short by powers of keep_prob = {keep_prob:g}: "
            "after applying a mask in the backward pass, divide dA by keep_prob as the forward pass divided A.")


def check_dropout_forward(spec: CheckSpec, ctx: Context) -> CheckResult:
    """The output and cache equal the reference forward's with the student's own masks."""

    args = ctx.inputs(spec.args)
    out, failure = ctx.call(spec.function, args)
    if failure:
        return failed_result(spec, failure)
    p = ctx.problem
    layout = layout_of(spec, ctx)
    masks, problem = read_masks(out, spec.function, layout, p.network, p["m"])
    if masks is None:
        return CheckResult(spec.name, spec.function, "fail", 0.0, spec.points, problem)
    AL, cache = p.dropout_cache(layout, masks, spec.keep_prob)
    L = p.network.depth
    kw = {"rtol": spec.rtol, "atol": spec.atol}
    problems = compare(out[0], AL, f"{spec.function} → A{L}", **kw)
    problems += compare(out[1], Labeled(cache, layout), f"{spec.function} → cache", **kw)
    if not problems:
        return CheckResult(spec.name, spec.function, "pass", spec.points, spec.points,
                           f"{spec.function}() returns the right A{L} and cache with its own masks "
                           f"(keep_prob = {spec.keep_prob:g}).")
    hints = _forward_hints(out[1], layout, masks, p.network, spec.keep_prob)
    text = " ".join(problems[:3])
    if len(problems) > 3:
        text += f" ({len(problems) - 3} more difference{'s' if len(problems) > 4 else ''} not shown.)"
    return CheckResult(spec.name, spec.function, "fail", 0.0, spec.points, " ".join([*hints, text]))


def _forward_hints(got: Sequence[Any], layout: Sequence[str], masks: Mapping[int, np.ndarray],
                   arch: fcnet.Architecture, keep_prob: float) -> list[str]:
    """Name the usual mistakes in each hidden A_l, judged from the student's own Z_l."""
    scaled, unmasked = [], []
    for l in sorted(masks):
        if f"A{l}" not in layout or f"Z{l}" not in layout:
            continue
        A, Z = numeric(got[layout.index(f"A{l}")]), numeric(got[layout.index(f"Z{l}")])
        if A is None or Z is None or A.shape != masks[l].shape or Z.shape != A.shape:
            continue
        plain = _hidden_activation(Z, arch.hidden)
        if np.allclose(A, plain * masks[l] / keep_prob):
            continue
        if keep_prob < 1 and np.allclose(A, plain * masks[l]):
            scaled.append(l)
        elif np.allclose(A, plain) or np.allclose(A, plain / keep_prob):
            unmasked.append(l)
    out = []
    for layers, what in ((scaled, "masked but not divided by keep_prob"), (unmasked, "not multiplied by its mask")):
        if layers:
            names = " and ".join(f"A{l}" for l in layers)
            fix = "; ".join(f"A{l} = A{l} * D{l} / keep_prob" for l in layers)
            out.append(f"{names} {'is' if len(layers) == 1 else 'are'} {what}: use {fix}.")
    return out


def _hidden_activation(Z: np.ndarray, kind: str) -> np.ndarray:
    """relu, tanh or sigmoid of Z (the support modules give students the same three),
    here so that the hints need no reference package."""
    if kind == "relu":
        return np.maximum(Z, 0.0)
    if kind == "tanh":
        return np.tanh(Z)
    return expit(Z)
