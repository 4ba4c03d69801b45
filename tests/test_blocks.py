from __future__ import annotations

import numpy as np
import pytest

from grader import flatten
from grader import unflatten
from grader.checks.blocks import block_order, grad_key, layer_of


def test_block_order_is_layer_then_weight_before_bias():
    assert block_order(["b2", "W10", "b1", "W2", "W1", "b10", "gamma"]) == ["W1", "b1", "W2", "b2", "W10", "b10", "gamma"]


def test_flatten_roundtrip_and_order():
    blocks = {"b1": np.array([[5.0], [6.0]]), "W1": np.arange(4.0).reshape(2, 2)}
    vec, layout = flatten(blocks)
    assert vec.tolist() == [0.0, 1.0, 2.0, 3.0, 5.0, 6.0]
    back = unflatten(vec, layout)
    assert list(back) == ["W1", "b1"]
    assert all(np.array_equal(back[k], blocks[k]) for k in blocks)
    with pytest.raises(ValueError, match="6"):
        unflatten(vec[:-1], layout)


def test_names():
    assert grad_key("W3") == "dW3" and layer_of("db12") == 12 and layer_of("gamma") is None
