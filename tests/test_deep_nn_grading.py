"""Grading the deep_nn fixtures and samples end to end in real kernels (slow tier).

Each notebook is graded once (module-scoped cache, short time limits) and the tests
assert the verdict of every check: which check fails, which blocks, the diagnosis kind.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from grader.spec import load as config
from grader.report import feedback as report
from grader.grade import grade_notebook
from grader.records import SubmissionResult
from grader.run.sandbox import Limits

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
FIXTURES_DIR = ROOT / "tests" / "fixtures" / "deep_nn"
SAMPLES_DIR = ROOT / "assignments" / "deep_nn" / "samples"
SEED = 5
M = 8  # [network] examples

BACKWARD = ("L_model_backward, L = 2", "L_model_backward, L = 3", "L_model_backward, L = 4")
LINEAR_BACKWARD = ("linear_backward", "linear_activation_backward, relu", "linear_activation_backward, sigmoid")


@pytest.fixture(scope="module")
def graded():
    assignment = config.load("deep_nn")
    assignment = dataclasses.replace(assignment, limits=Limits(cell_timeout=20.0, notebook_timeout=90.0, call_timeout=15.0))
    cache: dict[str, SubmissionResult] = {}

    def grade(path: Path) -> SubmissionResult:
        if path.stem not in cache:
            cache[path.stem] = grade_notebook(assignment, path, seed=SEED)
        return cache[path.stem]

    return grade


def _fixture(graded, name):
    return graded(FIXTURES_DIR / f"{name}.ipynb")


def _checks(result: SubmissionResult) -> dict:
    return {c.name: c for c in result.checks}


def _failing(result: SubmissionResult) -> set[str]:
    return {c.name for c in result.checks if c.status != "pass"}


def _failing_blocks(check) -> dict[str, str]:
    return {b.name: b.diagnosis.kind for b in check.blocks if b.status == "fail"}


def _depth(name: str) -> int:
    return int(name.rsplit("= ", 1)[1])


def test_correct_scores_full_marks_and_feedback_matches_the_schema(graded):
    result = _fixture(graded, "correct")
    assert result.execution.errors == ()
    assert _failing(result) == set() and result.score == result.max_score == 18.0
    doc = json.loads(json.dumps(report.to_feedback(result), allow_nan=False))
    jsonschema.validate(doc, report.load_schema())
    by_name = {c["name"]: c for c in doc["checks"]}
    assert [by_name[n]["layers"] for n in BACKWARD] == [[5, 4, 1], [5, 4, 3, 1], [5, 8, 6, 4, 1]]
    assert all(by_name[n]["keep_prob"] == 1.0 and by_name[n]["lambd"] == 0.0 for n in BACKWARD)
    assert by_name["compute_cost"]["keep_prob"] is None


@pytest.mark.parametrize("sample", ["old_dA_convention", "old_mutating_update"])
def test_old_conventions_are_not_penalized(graded, sample):
    result = graded(SAMPLES_DIR / f"{sample}.ipynb")
    assert _failing(result) == set() and result.score == 18.0


def test_starter_scores_zero(graded):
    result = graded(SAMPLES_DIR / "starter.ipynb")
    assert result.score == 0.0
    checks = _checks(result)
    assert checks["L_model_forward"].message == ("L_model_forward → AL should be an array of shape (1, 8) but is None. "
                                                 "L_model_forward → caches should have 3 items but has 0.")
    assert all(checks[n].status in ("fail", "error") for n in BACKWARD)


def test_dAL_with_the_wrong_sign_flips_every_block(graded):
    result = _fixture(graded, "dAL_wrong_sign")
    assert _failing(result) == set(BACKWARD)
    for name in BACKWARD:
        check = _checks(result)[name]
        L = _depth(name)
        assert _failing_blocks(check) == {f"d{p}{l}": "sign" for l in range(1, L + 1) for p in "Wb"}
        assert check.score == 0.0 and check.origin == "backward"
        assert "has the wrong sign (-1.00× the true gradient)" in check.message


def test_dW_without_1_over_m_is_scaled_by_m(graded):
    result = _fixture(graded, "dW_without_1_over_m")
    assert _failing(result) == set(BACKWARD) | set(LINEAR_BACKWARD)
    checks = _checks(result)
    assert checks["linear_backward"].message.startswith("linear_backward → dW differs in 6 of 6 entries")
    for name in BACKWARD:
        check = checks[name]
        blocks = {b.name: b for b in check.blocks if b.status == "fail"}
        assert set(blocks) == {f"dW{l}" for l in range(1, _depth(name) + 1)}
        assert all(b.diagnosis.kind == "scale" and b.diagnosis.factor == pytest.approx(M) for b in blocks.values())
        assert f"is 8.00× the true gradient, which is m = {M} (the number of examples): divide by m." in check.message
        assert check.score == pytest.approx(1.0)  # half the blocks (every db) pass


def test_db_over_the_wrong_axis_is_a_shape_error(graded):
    result = _fixture(graded, "db_wrong_axis")
    assert _failing(result) == set(BACKWARD) | set(LINEAR_BACKWARD)
    assert _checks(result)["linear_backward"].message == "linear_backward → db has shape (1, 4) but should be (2, 1)."
    for name in BACKWARD:
        check = _checks(result)[name]
        assert _failing_blocks(check) == {f"db{l}": "shape" for l in range(1, _depth(name) + 1)}
        assert "it looks summed over the wrong axis" in check.message


def test_sigmoid_in_the_hidden_layers_backward_is_named(graded):
    result = _fixture(graded, "sigmoid_hidden_backward")
    assert _failing(result) == set(BACKWARD)
    for name in BACKWARD:
        check = _checks(result)[name]
        L = _depth(name)
        assert _failing_blocks(check) == {f"d{p}{l}": "activation" for l in range(1, L) for p in "Wb"}
        assert "back-propagated as a sigmoid, but its forward activation is ReLU" in check.message
    deep = _checks(result)["L_model_backward, L = 4"].message
    assert "dW1, db1, dW2, db2 match the gradient you get when" in deep and "in every hidden layer l = 1 to 3" in deep


def test_relu_on_the_output_layer_is_a_forward_fault(graded):
    result = _fixture(graded, "relu_output_forward")
    assert _failing(result) == {"L_model_forward"}
    forward = _checks(result)["L_model_forward"].message
    assert forward.startswith("L_model_forward → AL differs in 8 of 8 entries") and "caches" not in forward
    for name in BACKWARD:
        check = _checks(result)[name]
        assert check.status == "pass" and check.origin == "forward"
        assert "the fault is in the forward pass, not here" in check.message


def test_cost_without_the_mean(graded):
    result = _fixture(graded, "cost_without_mean")
    assert _failing(result) == {"compute_cost"}
    assert _checks(result)["compute_cost"].message.startswith("compute_cost's cost is ")
