"""Inputs for the Regularization notebook's test cells (``from testCases import *``).

Interface-compatible with the Deep Learning Specialization's ``testCases.py`` for this
assignment: the same function names and return values, for the small 3-2-3-1 network
the original test cases use (X has 3 features, m = 5). The values are drawn from fixed
seeds; caches are computed by a forward pass instead of being typed in.
"""

import numpy as np


def _parameters():
    return {
        "W1": np.random.randn(2, 3), "b1": np.random.randn(2, 1),
        "W2": np.random.randn(3, 2), "b2": np.random.randn(3, 1),
        "W3": np.random.randn(1, 3), "b3": np.random.randn(1, 1),
    }


def _forward(X, p, D1=None, D2=None, keep_prob=1.0):
    Z1 = np.dot(p["W1"], X) + p["b1"]
    A1 = np.maximum(0, Z1)
    if D1 is not None:
        A1 = A1 * D1 / keep_prob
    Z2 = np.dot(p["W2"], A1) + p["b2"]
    A2 = np.maximum(0, Z2)
    if D2 is not None:
        A2 = A2 * D2 / keep_prob
    Z3 = np.dot(p["W3"], A2) + p["b3"]
    A3 = 1 / (1 + np.exp(-Z3))
    return Z1, A1, Z2, A2, Z3, A3


def compute_cost_with_regularization_test_case():
    """Returns (a3 (1, 5), Y_assess (1, 5), parameters of a 3-2-3-1 network)."""
    np.random.seed(1)
    Y_assess = np.array([[1, 1, 0, 1, 0]])
    parameters = _parameters()
    a3 = np.array([[0.40682402, 0.01629284, 0.16722898, 0.10118111, 0.40682402]])
    return a3, Y_assess, parameters


def backward_propagation_with_regularization_test_case():
    """Returns (X_assess (3, 5), Y_assess (1, 5), cache (Z1, A1, W1, b1, ..., Z3, A3, W3, b3))."""
    np.random.seed(1)
    X_assess = np.random.randn(3, 5)
    Y_assess = np.array([[1, 1, 0, 1, 0]])
    p = _parameters()
    Z1, A1, Z2, A2, Z3, A3 = _forward(X_assess, p)
    cache = (Z1, A1, p["W1"], p["b1"], Z2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])
    return X_assess, Y_assess, cache


def forward_propagation_with_dropout_test_case():
    """Returns (X_assess (3, 5), parameters of a 3-2-3-1 network)."""
    np.random.seed(1)
    X_assess = np.random.randn(3, 5)
    parameters = _parameters()
    return X_assess, parameters


def backward_propagation_with_dropout_test_case():
    """Returns (X_assess, Y_assess, cache (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)).

    The masks are boolean, as in the original test case, and the cache was made with
    keep_prob = 0.8 (the value the notebook's test cell passes).
    """
    np.random.seed(1)
    X_assess = np.random.randn(3, 5)
    Y_assess = np.array([[1, 1, 0, 1, 0]])
    p = _parameters()
    D1 = np.random.rand(2, 5) < 0.8
    D2 = np.random.rand(3, 5) < 0.8
    Z1, A1, Z2, A2, Z3, A3 = _forward(X_assess, p, D1, D2, 0.8)
    cache = (Z1, D1, A1, p["W1"], p["b1"], Z2, D2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])
    return X_assess, Y_assess, cache
