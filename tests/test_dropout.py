"""grader.checks.dropout: reading the student's masks and naming a missing 1/keep_prob (fast tier)."""

from __future__ import annotations

import numpy as np
import pytest

from grader.checks.dropout import keep_prob_note, read_masks
from grader.records import BlockReport, Diagnosis, GradientReport
from reference import fcnet

ARCH = fcnet.Architecture((2, 4, 3, 1))
LAYOUT = ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")
M = 5


def _output(D1=None, D2=None):
    rng = np.random.default_rng(0)
    D1 = (rng.random((4, M)) < 0.8).astype(int) if D1 is None else D1
    D2 = (rng.random((3, M)) < 0.8) if D2 is None else D2
    cache = [np.zeros(1)] * len(LAYOUT)
    cache[1], cache[6] = D1, D2
    return np.zeros((1, M)), tuple(cache)


def test_int_and_bool_masks_are_read_as_floats():
    masks, problem = read_masks(_output(), "fwd", LAYOUT, ARCH, M)
    assert problem is None
    assert set(masks) == {1, 2}
    assert masks[2].dtype == float and set(np.unique(masks[2])) <= {0.0, 1.0}


@pytest.mark.parametrize(
    "out, words",
    [
        ("not a tuple", "fwd() should return (A3, cache) but returned a str"),
        ((np.zeros((1, M)), (1, 2, 3)), "fwd's cache should be a tuple of 14 items (Z1, D1, A1"),
        (_output(D1=None, D2=np.ones((M, 3))), "fwd's cache[6] (D2) has shape (5, 3), but the mask of layer 2 must "
                                                "have the shape of A2, (3, 5)."),
        (_output(D1=np.full((4, M), 0.3)), "fwd's cache[1] (D1) holds values other than 0 and 1 (20 of 20, e.g. 0.3 at (0, 0))"),
        (_output(D1=np.ones((4, M)) / 0.8), "holds values other than 0 and 1"),
    ],
)
def test_bad_masks_are_reported_in_plain_words(out, words):
    masks, problem = read_masks(out, "fwd", LAYOUT, ARCH, M)
    assert masks is None
    assert words in problem


def test_a_none_mask_is_reported():
    out = _output()
    cache = list(out[1])
    cache[1] = None
    masks, problem = read_masks((out[0], tuple(cache)), "fwd", LAYOUT, ARCH, M)
    assert masks is None and problem == "fwd's cache[1] (D1) should be a 0/1 mask array of shape (4, 5) but is None."


def _report(factors: dict[str, float | None]) -> GradientReport:
    blocks = {}
    for key, factor in factors.items():
        diag = None if factor is None else Diagnosis("scale", factor, f"{key} is scaled")
        blocks[key] = BlockReport(key, "pass" if factor is None else "fail", 0.1, (1, 1), (1, 1), "full", 2, 0.1, 0,
                                  (), False, diag, "")
    return GradientReport(passed=False, relative_error=0.1, blocks=blocks, eps=1e-5, seed=0, evaluations=0)


def test_keep_prob_note_names_the_powers_of_keep_prob():
    note = keep_prob_note(_report({"dW1": 0.86**2, "dW2": 0.86, "dW3": None}), 0.86)
    assert "dW1 (keep_prob^2), dW2 (keep_prob) are short by powers of keep_prob = 0.86" in note


def test_keep_prob_note_is_silent_for_other_factors_and_without_dropout():
    assert keep_prob_note(_report({"dW2": 2.0}), 0.86) == ""
    assert keep_prob_note(_report({"dW2": 0.5}), 1.0) == ""
