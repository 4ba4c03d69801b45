"""Grading the regularization fixtures end to end in real kernels (slow tier).

Each fixture notebook is graded once (module-scoped cache) and the tests assert the
verdict of every check: which check fails, which blocks, and the diagnosis kind. The
fixtures train ``model`` for 10 iterations instead of 30,000, so a notebook takes a few
seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.spec import load as config
from grader.grade import grade_notebook
from grader.records import SubmissionResult

pytestmark = pytest.mark.slow

FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures" / "regularization"
SEED = 11
KEEP_PROB = 0.86

COST = "L2 cost"
L2_AT_0 = "L2 backward, lambd = 0"
L2_AT_07 = "L2 backward, lambd = 0.7"
FORWARD = "dropout forward"
DROPOUT_OFF = "dropout backward, keep_prob = 1"
DROPOUT_MASKS = "dropout backward, your masks"
ALL = (COST, L2_AT_0, L2_AT_07, FORWARD, DROPOUT_OFF, DROPOUT_MASKS)


@pytest.fixture(scope="module")
def graded():
    assignment = config.load("regularization")
    cache: dict[str, SubmissionResult] = {}

    def grade(name: str) -> SubmissionResult:
        if name not in cache:
            cache[name] = grade_notebook(assignment, FIXTURES_DIR / f"{name}.ipynb", seed=SEED)
        return cache[name]

    return grade


def _checks(result: SubmissionResult) -> dict:
    return {c.name: c for c in result.checks}


def _statuses(result: SubmissionResult) -> dict[str, str]:
    return {c.name: c.status for c in result.checks}


def _only_failing(result: SubmissionResult, *failing: str) -> None:
    expected = {name: ("fail" if name in failing else "pass") for name in ALL}
    assert _statuses(result) == expected


def _failing_blocks(check) -> dict[str, tuple[str, float | None]]:
    return {b.name: (b.diagnosis.kind, b.diagnosis.factor) for b in check.blocks if b.status == "fail"}


def test_correct_scores_full_marks(graded):
    result = graded("correct")
    assert result.status == "graded"
    assert result.execution.errors == ()
    _only_failing(result)
    assert result.score == result.max_score == 9.0


def test_starter_scores_zero_and_says_why(graded):
    result = graded("starter")
    checks = _checks(result)
    assert result.score == 0.0
    for name in (COST, L2_AT_0, L2_AT_07, DROPOUT_OFF, DROPOUT_MASKS):
        assert checks[name].status == "error"
        assert "raised TypeError" in checks[name].message
    assert checks[FORWARD].status == "fail"
    assert "(D1) should be a 0/1 mask array of shape (20, 10) but is None" in checks[FORWARD].message


def test_missing_l2_term_in_dW2(graded):
    result = graded("l2_dW2_missing")
    _only_failing(result, L2_AT_07)
    check = _checks(result)[L2_AT_07]
    ((kind, factor),) = _failing_blocks(check).values()
    assert _failing_blocks(check).keys() == {"dW2"}
    assert kind == "missing_l2"
    assert factor == pytest.approx(0.7 / 10, rel=1e-3)
    assert "dW2 is missing the L2 term" in check.message and "(lambd / m) * W2" in check.message


def test_l2_term_counted_twice_in_dW3(graded):
    result = graded("l2_dW3_twice")
    _only_failing(result, L2_AT_07)
    check = _checks(result)[L2_AT_07]
    assert {k: v[0] for k, v in _failing_blocks(check).items()} == {"dW3": "extra_l2"}


def test_l2_cost_over_m_instead_of_2m(graded):
    result = graded("l2_cost_over_m")
    _only_failing(result, COST)
    assert "compute_cost_with_regularization's cost is" in _checks(result)[COST].message


def test_dropout_backward_without_keep_prob(graded):
    result = graded("dropout_backward_no_keep_prob")
    _only_failing(result, DROPOUT_MASKS)
    check = _checks(result)[DROPOUT_MASKS]
    blocks = _failing_blocks(check)
    assert blocks.keys() == {"dW1", "db1", "dW2", "db2"}
    assert all(kind == "scale" for kind, _ in blocks.values())
    assert blocks["dW2"][1] == pytest.approx(KEEP_PROB, rel=1e-4)
    assert blocks["db2"][1] == pytest.approx(KEEP_PROB, rel=1e-4)
    assert blocks["dW1"][1] == pytest.approx(KEEP_PROB**2, rel=1e-4)
    assert "short by powers of keep_prob = 0.86" in check.message


def test_dropout_forward_without_keep_prob(graded):
    result = graded("dropout_forward_no_keep_prob")
    _only_failing(result, FORWARD)
    message = _checks(result)[FORWARD].message
    assert message.startswith("A1 and A2 are masked but not divided by keep_prob")
    assert "cache[2] (A1)" in message


def test_mask_not_binary_is_reported_and_backward_falls_back(graded):
    result = graded("dropout_mask_not_binary")
    _only_failing(result, FORWARD)
    checks = _checks(result)
    assert "cache[1] (D1) holds values other than 0 and 1" in checks[FORWARD].message
    assert "used masks drawn by the grader" in checks[DROPOUT_MASKS].message
