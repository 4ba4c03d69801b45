"""config: the constant inputs and the dropout keys of [[checks]] (fast tier)."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from grader.spec import load as config
from grader.errors import AssignmentSpecError
from grader.calls.inputs import draw

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
    inputs = ('zero = { value = 0.0 }\nrow = { value = [[1, 2.5]] }\nu = { uniform = [0, 1] }\n'
              'n = { value = 3 }\ndims = { value = [5, 4, 3] }\nact = { value = "relu" }')
    a = _load(tmp_path, inputs=inputs)
    values = draw(a, seed=4).values
    assert values["zero"] == 0.0 and isinstance(values["zero"], float)
    np.testing.assert_array_equal(values["row"], [[1.0, 2.5]])
    # TOML's integers stay integers: np.random.randn(n, ...) needs them.
    assert values["n"] == 3 and isinstance(values["n"], int)
    assert values["dims"].dtype == np.int64 and values["dims"].tolist() == [5, 4, 3]
    assert values["act"] == "relu"
    # A constant draws nothing: the uniform input is the same with or without it.
    (tmp_path / "b").mkdir()
    alone = _load(tmp_path / "b", inputs="u = { uniform = [0, 1] }")
    assert draw(alone, seed=4)["u"] == values["u"]


@pytest.mark.parametrize(
    "inputs, words",
    [
        ('c = { value = 1.0, uniform = [0, 1] }', "[inputs.c.uniform] cannot be combined with 'value'"),
        ('c = { value = 1.0, shape = [2] }', "give either 'value' or 'uniform'"),
        ('c = { value = true }', "must be a number, a string or a (nested) list of numbers"),
        ('c = { value = [[1, 2], [3]] }', "must be a number, a string or a (nested) list of numbers"),
        ('c = { tuple = [] }', "[inputs.c.tuple] must be a non-empty list of input names"),
        ('c = { tuple = ["a b"] }', "[inputs.c.tuple] must be a non-empty list of input names"),
        ('c = { tuple = ["d"] }\nd = { value = 1 }', "[inputs.c.tuple] names ['d'], declared after it or itself"),
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


def test_tuple_inputs_nest_other_inputs(tmp_path):
    inputs = 'A = { uniform = [0, 1], shape = [3, 2] }\nZ = { value = [[1.0, 2.0]] }\ncache = { tuple = [["A", "parameters"], "Z"] }'
    values = draw(_load(tmp_path, inputs=inputs), seed=2).values
    (A, params), Z = values["cache"]
    assert A is values["A"] and params is values["parameters"] and Z is values["Z"]


def test_a_tuple_naming_an_unknown_input_is_an_instructor_error(tmp_path):
    a = _load(tmp_path, inputs='c = { tuple = ["nope"] }')
    with pytest.raises(AssignmentSpecError, match=r"\[inputs.c.tuple\] names the input 'nope'"):
        draw(a, seed=0)


def test_a_check_with_its_own_layers_gets_inputs_of_that_network(tmp_path):
    check = 'type = "gradient"\nfunction = "f"\nargs = ["AL", "Y", "caches"]\nlayers = [2, 3, 3, 3, 1]'
    a = _load(tmp_path, check=check, inputs="u = { uniform = [0, 1] }")
    assert a.checks[0].layers == (2, 3, 3, 3, 1)
    default, deep = draw(a, seed=3), draw(a, seed=3, layers=(2, 3, 3, 3, 1))
    assert deep["u"] == default["u"]  # only the network inputs change
    assert len(deep["caches"]) == 4 and deep["AL"].shape == (1, 5)
    (A_prev, W, b), Z = deep["caches"][3]
    assert W.shape == (1, 3) and A_prev.shape == (3, 5) and Z.shape == (1, 5)


@pytest.mark.parametrize(
    "check, words",
    [
        ('type = "gradient"\nfunction = "f"\nargs = ["X"]\nlayers = [3]', "[checks[0].layers] must be a list of at least two"),
        ('type = "gradient"\nfunction = "f"\nargs = ["X"]\nlayers = [2, 1]', "[checks[0].layers] does not fit [network] cache"),
        ('type = "value"\nfunction = "f"\nargs = ["X"]\nrole = "predict"', "[checks[0].role] must be one of"),
        ('type = "gradient"\nfunction = "f"\nargs = ["X"]\nrole = "cost"', "[checks[0].role] only applies to value checks"),
    ],
)
def test_bad_layers_and_roles_are_rejected(tmp_path, check, words):
    assert words in _error(tmp_path, check=check)


def test_without_a_reference_module_every_value_check_needs_a_role(tmp_path):
    (tmp_path / "n.ipynb").write_text("{}")
    text = textwrap.dedent(BASE).format(check='type = "value"\nfunction = "f"\nargs = ["X"]', inputs="")
    (tmp_path / "assignment.toml").write_text(text.replace('reference = "reference.regularization"\n', ""))
    with pytest.raises(AssignmentSpecError, match=r"\[reference\] is required by the check 'f'"):
        config.load(tmp_path)
    (tmp_path / "assignment.toml").write_text(text.replace('reference = "reference.regularization"\n', "")
                                              .replace('args = ["X"]', 'args = ["X", "parameters"]\nrole = "forward"'))
    assert config.load(tmp_path).reference is None
