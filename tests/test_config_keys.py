"""config: the constant inputs and the dropout keys of [[checks]] (fast tier)."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from grader import config
from grader.errors import AssignmentSpecError
from grader.inputs import draw

DROPOUT_CACHE = '["Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3"]'

BASE = """
title = "t"
notebook = "n.ipynb"
reference = "reference.regularization"

[network]
layers = [2, 4, 3, 1]
examples = 5
cache = ["Z1", "A1", "W1", "b1", "Z2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3"]

[inputs]
{inputs}

[[checks]]
{check}
"""

GRADIENT = 'type = "gradient"\nfunction = "f"\nargs = ["X", "Y", "cache"]'


def _load(tmp_path, check: str = GRADIENT, inputs: str = "") -> config.Assignment:
    (tmp_path / "n.ipynb").write_text("{}")
    (tmp_path / "assignment.toml").write_text(textwrap.dedent(BASE).format(check=check, inputs=inputs))
    return config.load(tmp_path)


def _error(tmp_path, **kw) -> str:
    with pytest.raises(AssignmentSpecError) as info:
        _load(tmp_path, **kw)
    return str(info.value)


def test_constant_inputs_are_drawn_as_given(tmp_path):
    a = _load(tmp_path, inputs='zero = { value = 0 }\nrow = { value = [[1, 2.5]] }\nu = { uniform = [0, 1] }')
    values = draw(a, seed=4).values
    assert values["zero"] == 0.0 and isinstance(values["zero"], float)
    np.testing.assert_array_equal(values["row"], [[1.0, 2.5]])
    # A constant draws nothing: the uniform input is the same with or without it.
    (tmp_path / "b").mkdir()
    alone = _load(tmp_path / "b", inputs="u = { uniform = [0, 1] }")
    assert draw(alone, seed=4)["u"] == values["u"]


@pytest.mark.parametrize(
    "inputs, words",
    [
        ('c = { value = 1.0, uniform = [0, 1] }', "give either 'value' or 'uniform'"),
        ('c = { value = "x" }', "must be a number or a (nested) list of numbers"),
        ('c = { value = [[1, 2], [3]] }', "must be a number or a (nested) list of numbers"),
    ],
)
def test_bad_constant_inputs_are_rejected(tmp_path, inputs, words):
    assert words in _error(tmp_path, inputs=inputs)


def test_dropout_keys_load(tmp_path):
    check = (f'{GRADIENT}\ncache = {DROPOUT_CACHE}\nkeep_prob = 0.8\n'
             'masks_from = "fwd"\nmasks_args = ["X", "parameters", "keep_prob"]')
    (spec,) = _load(tmp_path, check=check).checks
    assert spec.keep_prob == 0.8 and spec.masks_from == "fwd" and spec.cache[1] == "D1"
    forward = f'type = "dropout_forward"\nfunction = "fwd"\nargs = ["X", "parameters", "keep_prob"]\ncache = {DROPOUT_CACHE}'
    (tmp_path / "b").mkdir()
    assert _load(tmp_path / "b", check=forward).checks[0].type == "dropout_forward"


@pytest.mark.parametrize(
    "extra, words",
    [
        ("keep_prob = 0.0", "[checks[0].keep_prob] must be a number in (0, 1]"),
        ('masks_from = "fwd"', "[checks[0].masks_args] is required when 'masks_from' is given"),
        ('masks_args = ["X"]', "[checks[0].masks_args] only applies with 'masks_from'"),
        ('masks_from = "fwd"\nmasks_args = ["X"]', "must name the dropout masks D1, D2"),
        ('cache = ["Z1", "D3"]', "[checks[0].cache] names ['D3'], which a 3-layer network does not have"),
    ],
)
def test_bad_dropout_keys_are_rejected(tmp_path, extra, words):
    assert words in _error(tmp_path, check=f"{GRADIENT}\n{extra}")


def test_keep_prob_on_a_value_check_is_rejected(tmp_path):
    check = 'type = "value"\nfunction = "f"\nargs = ["X"]\nkeep_prob = 0.5'
    assert "only applies to gradient and dropout_forward checks" in _error(tmp_path, check=check)


def test_masks_from_on_a_value_check_is_rejected(tmp_path):
    check = 'type = "value"\nfunction = "f"\nargs = ["X"]\nmasks_from = "g"\nmasks_args = ["X"]'
    assert "[checks[0].masks_from] only applies to gradient checks" in _error(tmp_path, check=check)


def test_dropout_forward_needs_masks_in_its_layout(tmp_path):
    check = 'type = "dropout_forward"\nfunction = "fwd"\nargs = ["X", "parameters", "keep_prob"]'
    assert "must name the dropout masks D1, D2" in _error(tmp_path, check=check)


def test_a_gradient_check_on_a_dropout_cache_must_pass_the_cache(tmp_path):
    check = f'type = "gradient"\nfunction = "f"\nargs = ["X", "Y"]\ncache = {DROPOUT_CACHE}'
    assert "must pass 'cache'" in _error(tmp_path, check=check)


def test_the_bundled_regularization_spec_loads():
    a = config.load("regularization")
    kinds = [(c.type, c.lambd, c.keep_prob, c.masks_from) for c in a.checks]
    assert ("gradient", 0.0, 1.0, None) in kinds and ("gradient", 0.7, 1.0, None) in kinds
    assert ("gradient", 0.0, 0.86, "forward_propagation_with_dropout") in kinds
    assert a.limits.cell_timeout >= 60 and a.max_score == 9.0
