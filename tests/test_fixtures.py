"""The fixture-backed reference: the same verdicts as the live reference, at the public seed.

Fast: no kernel. The "student" is a reference module, or a one-bug copy of one, called
in-process (``release._ReferenceSandbox``); each is checked once against the live
reference and once against the public fixtures of a freshly built bundle.
"""

from __future__ import annotations

import importlib
import inspect
import types

import numpy as np
import pytest

from grader.checks import kinds as checks
from grader.spec import load as config
from grader.calls import fixtures
from grader import release
from grader.calls.inputs import draw

GC_BUGS = {
    "correct": [],
    "dW2 doubled": [("dW2 = 1.0 / m * np.dot(dZ2, A1.T)", "dW2 = 2.0 / m * np.dot(dZ2, A1.T)")],
    "db1 4/m, relu mask from dA": [("db1 = 1.0 / m", "db1 = 4.0 / m"),
                                   ("np.int64(A2 > 0)", "np.int64(dA2 > 0)")],
    "checker always zero": [("    difference = _relative_difference(grad, gradapprox)\n    if print_msg:\n"
                             "        _print_verdict(difference)\n    return difference\n\n\ndef forward_propagation_n",
                             "    difference = 0.0\n    return difference\n\n\ndef forward_propagation_n")],
}
REG_BUGS = {
    "correct": [],
    "L2 missing in dW2": [("dW2 = 1.0 / m * np.dot(dZ2, A1.T) + lambd / m * W2", "dW2 = 1.0 / m * np.dot(dZ2, A1.T)")],
    "backward without keep_prob": [("dA2 = dA2 * D2 / keep_prob", "dA2 = dA2 * D2"),
                                   ("dA1 = dA1 * D1 / keep_prob", "dA1 = dA1 * D1")],
    "forward without keep_prob": [("A1 = A1 * D1 / keep_prob", "A1 = A1 * D1"),
                                  ("A2 = A2 * D2 / keep_prob", "A2 = A2 * D2")],
    "own masks": [("np.random.seed(1)", "np.random.seed(7)")],
}


def _mutant(module: types.ModuleType, edits) -> types.ModuleType:
    source = inspect.getsource(module)
    for old, new in edits:
        assert source.count(old) >= 1, old
        source = source.replace(old, new)
    out = types.ModuleType(f"{module.__name__}_mutant")
    exec(compile(source, out.__name__, "exec"), vars(out))  # noqa: S102 - our own test code
    return out


def _grade(spec, student, problem, reference):
    sandbox = release._ReferenceSandbox(student, spec)
    ctx = checks.Context(spec, sandbox, problem, reference, sandbox.defined_functions())
    return {c.name: checks.run(c, ctx) for c in spec.checks}


def _verdict(result):
    return (result.status, result.score, result.origin,
            tuple((b.name, b.status, b.diagnosis.kind if b.diagnosis else None) for b in result.blocks))


@pytest.fixture(scope="module", params=["gradient_checking", "regularization"])
def built(request, tmp_path_factory):
    spec = config.load(request.param)
    out = release.build(request.param, tmp_path_factory.mktemp("bundle") / request.param)
    return spec, fixtures.load(out)


def test_fixtures_give_the_live_verdicts(built):
    spec, public = built
    module = importlib.import_module(spec.reference)
    live_problem = draw(spec, fixtures.PUBLIC_SEED)
    bugs = GC_BUGS if spec.name == "gradient_checking" else REG_BUGS
    for bug, edits in bugs.items():
        student = _mutant(module, edits)
        live = _grade(spec, student, live_problem, module)
        local = _grade(spec, student, public.problem, public.reference)
        for name in live:
            if bug == "own masks" and name == "dropout forward":
                assert live[name].status == "pass"
                assert local[name].status == "unchecked" and local[name].score == 0
                assert "instructor's grader only" in local[name].message
                continue
            assert _verdict(local[name]) == _verdict(live[name]), (bug, name, local[name].message, live[name].message)
            if bug == "own masks" and name == "dropout backward, your masks":
                assert "self-check used masks drawn by the grader" in local[name].message
        if bug == "correct":
            assert all(r.status == "pass" for r in local.values())


def test_diagnoses_are_named_from_fixtures(tmp_path):
    spec = config.load("gradient_checking")
    public = fixtures.load(release.build("gradient_checking", tmp_path / "bundle"))
    module = importlib.import_module(spec.reference)
    student = _mutant(module, GC_BUGS["dW2 doubled"])
    local = _grade(spec, student, public.problem, public.reference)
    assert "dW2 is 2.00× the true gradient" in local["N-D backward gradients"].message


def test_answers_only_at_the_public_points(built):
    spec, public = built
    p = public.problem
    assert p.seed == fixtures.PUBLIC_SEED
    with pytest.raises(fixtures.Unavailable):
        p.cost(lambd=0.123)
    with pytest.raises(fixtures.Unavailable):
        public.reference.reference_call(spec.checks[0].function, [np.zeros(3)])
    masks = {l: np.ones((n, p["m"])) for l, n in enumerate(p.network.layer_dims[1:-1], start=1)}
    assert p.can_freeze(masks, 0.5) is False


def test_linear_cost_differences_are_the_recorded_gradients():
    point = {"W1": np.array([[1.0, -2.0]]), "b1": np.array([[0.5]])}
    grads = {"dW1": np.array([[0.3, -0.7]]), "db1": np.array([[0.01]])}
    cost = fixtures.LinearCost(point, 0.69, grads)
    assert cost(point) == pytest.approx(0.69)
    from grader import check_gradients

    assert check_gradients(cost, point, grads).passed
    wrong = {"dW1": 2 * grads["dW1"], "db1": grads["db1"]}
    report = check_gradients(cost, point, wrong)
    assert report.failing == ("dW1",) and report.blocks["dW1"].diagnosis.kind == "scale"


def test_load_without_fixtures_is_a_usage_error(tmp_path):
    from grader.errors import UsageError

    with pytest.raises(UsageError, match="holds no public_fixtures.npz"):
        fixtures.load(tmp_path)
