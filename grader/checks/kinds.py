"""The kinds of graded check. Each is a plain function ``(spec, ctx) -> CheckResult``.

A student's mistake never raises out of here: a missing function, an exception, a
wrong type or wrong numbers each become a CheckResult with a message. Only an
instructor's mistake (a spec naming an input or reference function that does not
exist) raises AssignmentSpecError.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from grader.calls import extract
from grader.calls.extract import Labeled, compare, describe
from grader.calls.fixtures import Unavailable
from grader.calls.inputs import draw
from grader.checks import dropout, scoring
from grader.checks.context import Context, call_reference, failed_result  # noqa: F401  (the kinds' shared API)
from grader.checks.gradcheck import check_gradients
from grader.spec.model import CheckSpec
from grader.records import CheckResult, GradientReport

# A student's gradient checker must report at most this for right gradients. The
# notebooks use eps = 1e-7 with a naive log cost, measured up to 1.2e-7: 5x margin.
RIGHT_DIFFERENCE_BELOW = 1e-6
# ... and, for wrong gradients, the true difference within this relative margin.
WRONG_DIFFERENCE_RTOL = 0.1


def _join(problems: list[str], limit: int = 3) -> str:
    text = " ".join(problems[:limit])
    if len(problems) > limit:
        text += f" ({len(problems) - limit} more difference{'s' if len(problems) - limit > 1 else ''} not shown.)"
    return text


def check_value(spec: CheckSpec, ctx: Context) -> CheckResult:
    """The function's outputs equal the reference function's on the same inputs."""
    args = ctx.inputs(spec.args)
    got, failure = ctx.call(spec.function, args)
    if failure:
        return failed_result(spec, failure)
    expected = ctx.reference_value(spec, args)
    problems = _compare_returns(got, expected, spec, ctx)
    if problems:
        return CheckResult(spec.name, spec.function, "fail", 0.0, spec.points, _join(problems))
    what = " and ".join(spec.returns) if spec.returns else "value"
    return CheckResult(spec.name, spec.function, "pass", spec.points, spec.points,
                       f"{spec.function}() returns the right {what}.")


def _compare_returns(got: Any, expected: Any, spec: CheckSpec, ctx: Context) -> list[str]:
    kw = {"rtol": spec.rtol, "atol": spec.atol}
    label = f"{spec.function}()"
    if len(spec.returns) <= 1:
        label = f"{spec.function}'s {spec.returns[0]}" if spec.returns else f"the value of {spec.function}()"
        return compare(got, expected, label, **kw)
    if not isinstance(got, (tuple, list)) or len(got) != len(spec.returns):
        return [f"{label} should return a tuple ({', '.join(spec.returns)}) but returned {describe(got)}."]
    layout = ctx.assignment.network.cache if ctx.assignment.network else ()
    out = []
    for name, g, e in zip(spec.returns, got, expected):
        if name == "cache" and layout and isinstance(e, tuple) and len(e) == len(layout):
            e = Labeled(e, layout)
        out += compare(g, e, f"{spec.function} → {name}", **kw)
    return out


def check_gradient(spec: CheckSpec, ctx: Context) -> CheckResult:
    """The returned gradients pass a per-block check against the reference cost.

    The backward function is called on the reference forward's cache; if that passes
    and the student also wrote the forward, it is called again on the student's own
    cache: a failure only then means the fault is in the forward pass.
    """
    args, masks, note = dropout.frozen_inputs(spec, ctx)
    grads, failure = ctx.call(spec.function, args)
    if failure:
        return failed_result(spec, failure, lambd=spec.lambd, keep_prob=spec.keep_prob,
                             layers=ctx.problem.network.layer_dims)
    report = _gradcheck(grads, spec, ctx, masks)
    lead = "" if isinstance(grads, dict) else f"{spec.function}() should return a dict of gradients but returned {describe(grads)}. "
    extra = dict(lambd=spec.lambd, keep_prob=spec.keep_prob, layers=ctx.problem.network.layer_dims,
                 relative_error=report.relative_error, blocks=tuple(report.blocks.values()))
    if not report.passed:
        score = scoring.by_blocks(spec.points, (b.passed for b in report.blocks.values()))
        message = lead + _blocks_message(report) + dropout.keep_prob_note(report, spec.keep_prob) + note
        return CheckResult(spec.name, spec.function, "fail", score, spec.points, message, origin="backward", **extra)
    origin, forward_note = _forward_origin(spec, ctx, args, masks)
    rel = f" (relative error {report.relative_error:.1e})" if report.relative_error is not None else ""
    message = f"All {len(report.blocks)} gradient blocks match the numerical gradient{rel}." + forward_note + note
    return CheckResult(spec.name, spec.function, "pass", spec.points, spec.points, message, origin=origin, **extra)


def _gradcheck(grads: Any, spec: CheckSpec, ctx: Context, masks: dict | None = None) -> GradientReport:
    p = ctx.problem
    cost = p.cost(lambd=spec.lambd, masks=masks, keep_prob=spec.keep_prob if masks else 1.0)
    return check_gradients(cost, p["parameters"], grads,
                           lambd=spec.lambd, seed=p.seed, m=p["m"], tolerances=ctx.assignment.tolerances)


def _blocks_message(report: GradientReport) -> str:
    failing = report.failing
    head = f"{len(failing)} of {len(report.blocks)} gradient blocks are wrong: {', '.join(failing)}."
    # Blocks explained by the same bug hypothesis (one wrong ReLU mask spoils every
    # block below it) share one sentence instead of repeating it per block.
    groups: dict[str, list[str]] = {}
    for key in failing:
        diag = report.blocks[key].diagnosis
        if diag is None:
            continue
        shared = diag.kind in ("relu_mask", "activation") and diag.text.startswith(key + " matches ")
        groups.setdefault(diag.text[len(key) + len(" matches "):] if shared else diag.text, []).append(key)
    sentences = []
    for text, keys in groups.items():
        if len(keys) > 1:
            sentences.append(f"{', '.join(keys)} match {text}")
        elif report.blocks[keys[0]].diagnosis.text == text:
            sentences.append(text)
        else:
            sentences.append(f"{keys[0]} matches {text}")
    return " ".join([head, *sentences, *report.notes])


# Arguments of a backward function that the forward function's outputs replace, to
# learn whether a fault lies in the forward pass: its first output (the network's
# output) and its last (the cache).
_FROM_FORWARD_FIRST = ("AL",)
_FROM_FORWARD_LAST = ("cache", "caches")


def _forward_origin(spec: CheckSpec, ctx: Context, args: list[Any], masks: dict | None) -> tuple[str | None, str]:
    if not spec.forward or not set(_FROM_FORWARD_LAST) & set(spec.args):
        return None, ""
    out, failure = ctx.call(spec.forward, ctx.inputs(spec.forward_args))
    if failure or not isinstance(out, (tuple, list)) or not out:
        return None, ""  # the forward's own check reports this
    args = list(args)
    for i, name in enumerate(spec.args):
        if name in _FROM_FORWARD_LAST:
            args[i] = out[-1]
        elif name in _FROM_FORWARD_FIRST:
            args[i] = out[0]
    grads, failure = ctx.call(spec.function, args)
    if failure:
        return "forward", (f" But with the cache from your {spec.forward}() it fails ({failure.message}): "
                           f"the fault is in the forward pass.")
    own = _gradcheck(grads, spec, ctx, masks)
    if own.passed:
        return None, ""
    return "forward", (f" But with the cache from your {spec.forward}() the gradients are wrong "
                       f"({', '.join(own.failing)}): the fault is in the forward pass, not here.")


def check_gradcheck_function(spec: CheckSpec, ctx: Context) -> CheckResult:
    """The student's own gradient checker: small for right gradients, right for wrong ones."""
    args = ctx.inputs(spec.args)
    right, failure = ctx.call(spec.function, args)
    if failure:
        return failed_result(spec, failure)
    wrong_args = ctx.inputs(spec.args, spec.wrong.get("replace"))
    patch = spec.wrong.get("patch")
    wrong, failure = ctx.call(spec.function, wrong_args, patch=patch)
    if failure:
        return failed_result(spec, failure)
    expected_wrong = float(np.asarray(ctx.reference_call(spec.function, wrong_args, patch)).reshape(-1)[0])
    problems, ok = [], []
    r = extract.numeric(right)
    if r is None or r.size != 1:
        problems.append(f"{spec.function}() should return the difference as a number but returned {describe(right)}.")
        ok.append(False)
    else:
        ok.append(bool(float(r.reshape(-1)[0]) <= RIGHT_DIFFERENCE_BELOW))
        if not ok[-1]:
            problems.append(f"For right gradients {spec.function}() returned {float(r.reshape(-1)[0]):.3g}; "
                            f"it should be below {RIGHT_DIFFERENCE_BELOW:g}.")
    w = extract.numeric(wrong)
    if w is None or w.size != 1:
        ok.append(False)
        problems.append(f"For wrong gradients {spec.function}() returned {describe(wrong)}, not a number.")
    else:
        got = float(w.reshape(-1)[0])
        ok.append(abs(got - expected_wrong) <= WRONG_DIFFERENCE_RTOL * expected_wrong)
        if not ok[-1]:
            problems.append(f"For deliberately wrong gradients {spec.function}() returned {got:.3g} instead of about "
                            f"{expected_wrong:.3g}: it cannot catch a bug. Compare the backward pass's gradient "
                            "with the numerical one computed from the forward pass.")
    score = scoring.by_parts(spec.points, ok)
    if all(ok):
        return CheckResult(spec.name, spec.function, "pass", score, spec.points,
                           f"{spec.function}() reports a small difference for right gradients and "
                           f"{float(w.reshape(-1)[0]):.3g} for wrong ones, as it should.")
    return CheckResult(spec.name, spec.function, "fail", score, spec.points, " ".join(problems))


KINDS: dict[str, Callable[[CheckSpec, Context], CheckResult]] = {
    "value": check_value,
    "gradient": check_gradient,
    "gradcheck_function": check_gradcheck_function,
    "dropout_forward": dropout.check_dropout_forward,
}


def run(spec: CheckSpec, ctx: Context) -> CheckResult:
    """Run one check of any kind (on a network of its own ``layers``, if it has them).

    With public fixtures instead of the reference, a check that needs the reference at
    a point the fixtures do not hold (e.g. a dropout forward with masks of its own) is
    "unchecked": no points locally, and a sentence saying the instructor's grader checks it.
    """
    if spec.layers:
        ctx = dataclasses.replace(ctx, problem=draw(ctx.assignment, ctx.problem.seed, spec.layers))
    try:
        return KINDS[spec.type](spec, ctx)
    except Unavailable as exc:
        return CheckResult(spec.name, spec.function, "unchecked", 0.0, spec.points,
                           f"{exc} This check is done by the instructor's grader only; it is not scored here.")
