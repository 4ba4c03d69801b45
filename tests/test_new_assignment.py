"""An assignment written from scratch: an assignment.toml and a notebook, no Python.

The README's "Writing a new assignment" example, made at test time in tmp_path: a
3-4-4-2 network with tanh hidden layers and a softmax output, its forward and cost
checked against the reference functions the grader derives from ``[network]`` (``role``)
and its backward gradient-checked. No support module, no reference module.
"""

from __future__ import annotations

import textwrap

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.spec import load as config
from grader.grade import grade_notebook

SPEC = """
title = "Tanh and softmax"
notebook = "Tanh_Softmax.ipynb"

[network]
layers = [3, 4, 4, 2]
hidden = "tanh"
output = "softmax"
examples = 6
cache = ["Z1", "A1", "W1", "b1", "Z2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3"]


[[checks]]
name = "forward"
type = "value"
function = "forward"
role = "forward"
args = ["X", "parameters"]
returns = ["A3", "cache"]
points = 1

[[checks]]
name = "cost"
type = "value"
function = "cost"
role = "cost"
args = ["AL", "Y"]
returns = ["cost"]
points = 1

[[checks]]
name = "backward"
type = "gradient"
function = "backward"
args = ["X", "Y", "cache"]
forward = "forward"
forward_args = ["X", "parameters"]
points = 3
"""

CODE = """
import numpy as np

def forward(X, parameters):
    W1, b1, W2, b2, W3, b3 = (parameters[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    Z1 = W1 @ X + b1
    A1 = np.tanh(Z1)
    Z2 = W2 @ A1 + b2
    A2 = np.tanh(Z2)
    Z3 = W3 @ A2 + b3
    e = np.exp(Z3 - Z3.max(axis=0, keepdims=True))
    A3 = e / e.sum(axis=0, keepdims=True)
    return A3, (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)

def cost(A3, Y):
    return -np.sum(Y * np.log(A3)) / Y.shape[1]

def backward(X, Y, cache):
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    m = X.shape[1]
    dZ3 = A3 - Y
    dW3 = dZ3 @ A2.T / m
    db3 = dZ3.sum(axis=1, keepdims=True) / m
    dA2 = W3.T @ dZ3
    dZ2 = dA2 * (1 - A2 ** 2)
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dA1 = W2.T @ dZ2
    dZ1 = dA1 * (1 - A1 ** 2)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    return {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2, "dW3": dW3, "db3": db3}
"""


def _notebook(path, code):
    nbformat.write(new_notebook(cells=[new_code_cell(code)]), str(path))


@pytest.fixture
def assignment(tmp_path):
    folder = tmp_path / "tanh_softmax"
    folder.mkdir()
    (folder / "assignment.toml").write_text(textwrap.dedent(SPEC))
    _notebook(folder / "Tanh_Softmax.ipynb", "# YOUR CODE HERE")
    return config.load(folder)


def test_the_spec_alone_loads(assignment):
    assert assignment.reference is None and assignment.support == ()
    assert [c.role for c in assignment.checks] == ["forward", "cost", None]


@pytest.mark.slow
def test_a_correct_and_a_buggy_notebook_are_graded(assignment, tmp_path):
    correct, buggy = tmp_path / "correct.ipynb", tmp_path / "buggy.ipynb"
    _notebook(correct, CODE)
    # Two bugs: the tanh derivative of layer 1 is missing; the cost is not averaged.
    _notebook(buggy, CODE.replace("dZ1 = dA1 * (1 - A1 ** 2)", "dZ1 = dA1").replace(") / Y.shape[1]", ")"))
    good = grade_notebook(assignment, correct, seed=3)
    assert [c.status for c in good.checks] == ["pass", "pass", "pass"] and good.score == 5.0
    bad = {c.name: c for c in grade_notebook(assignment, buggy, seed=3).checks}
    assert bad["forward"].status == "pass"
    assert bad["cost"].status == "fail" and bad["cost"].message.startswith("cost's cost is ")
    back = bad["backward"]
    assert back.status == "fail"
    assert {b.name: b.diagnosis.kind for b in back.blocks if b.status == "fail"} == {"dW1": "activation", "db1": "activation"}
    assert "the tanh derivative of layer 1 is missing" in back.message
