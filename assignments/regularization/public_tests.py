"""Public tests called by the Regularization notebook (``from public_tests import *``).

Interface-compatible with the Deep Learning Specialization's ``public_tests.py`` for this
assignment: each ``*_test(target)`` either prints "All tests passed." or raises
AssertionError with a hint. They are student-visible sanity checks only; the grader does
not rely on them. The module imports nothing but numpy (it draws its own small seeded
problems) so that it also loads outside the kernel's working directory.
"""

import numpy as np

_GRADIENT_KEYS = ("dW1", "db1", "dW2", "db2", "dW3", "db3")


def _passed():
    print("\033[92mAll tests passed.\033[0m")


def _problem(seed, m=5):
    rng = np.random.RandomState(seed)
    X = rng.randn(3, m)
    Y = (rng.rand(1, m) < 0.5).astype(int)
    parameters = {"W1": rng.randn(2, 3), "b1": rng.randn(2, 1), "W2": rng.randn(3, 2),
                  "b2": rng.randn(3, 1), "W3": rng.randn(1, 3), "b3": rng.randn(1, 1)}
    return X, Y, parameters


def _forward(X, p, D1=None, D2=None, keep_prob=1.0):
    Z1 = np.dot(p["W1"], X) + p["b1"]
    A1 = np.maximum(0, Z1) if D1 is None else np.maximum(0, Z1) * D1 / keep_prob
    Z2 = np.dot(p["W2"], A1) + p["b2"]
    A2 = np.maximum(0, Z2) if D2 is None else np.maximum(0, Z2) * D2 / keep_prob
    Z3 = np.dot(p["W3"], A2) + p["b3"]
    return Z1, A1, Z2, A2, Z3, 1 / (1 + np.exp(-Z3))


def _gradients(X, Y, p, lambd=0.0, D1=None, D2=None, keep_prob=1.0):
    m = X.shape[1]
    Z1, A1, Z2, A2, Z3, A3 = _forward(X, p, D1, D2, keep_prob)
    dZ3 = A3 - Y
    dA2 = np.dot(p["W3"].T, dZ3) * (1 if D2 is None else D2 / keep_prob)
    dZ2 = dA2 * (Z2 > 0)
    dA1 = np.dot(p["W2"].T, dZ2) * (1 if D1 is None else D1 / keep_prob)
    dZ1 = dA1 * (Z1 > 0)
    out = {}
    for l, (dZ, A_prev) in {1: (dZ1, X), 2: (dZ2, A1), 3: (dZ3, A2)}.items():
        out[f"dW{l}"] = np.dot(dZ, A_prev.T) / m + lambd / m * p[f"W{l}"]
        out[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True) / m
    out["dA1"], out["dA2"] = dA1, dA2
    return out


def _check_gradients(got, want, function, keys=_GRADIENT_KEYS):
    assert isinstance(got, dict), f"{function} should return a dict of gradients, got {type(got).__name__}"
    for key in keys:
        assert key in got, f"{function} does not return {key}"
        assert np.shape(got[key]) == np.shape(want[key]), (
            f"Wrong shape for {key}: expected {np.shape(want[key])}, got {np.shape(got[key])}")
        assert np.allclose(got[key], want[key]), f"Wrong values for {key}"


def compute_cost_with_regularization_test(target):
    """Check the cost: cross-entropy plus lambd / (2m) times the sum of squared weights."""
    for seed, lambd in [(1, 0.1), (2, 0.7), (3, 0.0)]:
        _, Y, parameters = _problem(seed)
        A3 = np.random.RandomState(seed + 10).uniform(0.05, 0.95, size=Y.shape)
        m = Y.shape[1]
        cross_entropy = -np.sum(Y * np.log(A3) + (1 - Y) * np.log(1 - A3)) / m
        l2 = lambd / (2 * m) * sum(np.sum(np.square(parameters[k])) for k in ("W1", "W2", "W3"))
        cost = target(A3, Y, parameters, lambd)
        assert cost is not None, "compute_cost_with_regularization returned None. Did you fill in the L2 cost?"
        assert np.size(cost) == 1, f"The cost should be a number, got an array of shape {np.shape(cost)}"
        assert np.isclose(cost, cross_entropy + l2), (
            f"Wrong cost for lambd={lambd}: expected {cross_entropy + l2}, got {cost}. "
            "The L2 term is (1/m) * (lambd/2) * (sum of squares of W1, W2 and W3).")
    _passed()


def backward_propagation_with_regularization_test(target):
    """Check the gradients: each dW gets (lambd / m) * W, the db do not change."""
    for seed, lambd in [(1, 0.7), (2, 0.0), (3, 1.5)]:
        X, Y, p = _problem(seed)
        Z1, A1, Z2, A2, Z3, A3 = _forward(X, p)
        cache = (Z1, A1, p["W1"], p["b1"], Z2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])
        got = target(X, Y, cache, lambd)
        _check_gradients(got, _gradients(X, Y, p, lambd), "backward_propagation_with_regularization")
    _passed()


def forward_propagation_with_dropout_test(target):
    """Check the masks (0/1, the shape of A1 and A2) and the output computed with them."""
    for seed, keep_prob in [(1, 0.7), (2, 0.86)]:
        X, _, p = _problem(seed)
        out = target(X, p, keep_prob)
        assert isinstance(out, tuple) and len(out) == 2, "forward_propagation_with_dropout should return (A3, cache)"
        A3, cache = out
        assert len(cache) == 14, "The cache should be (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)"
        D1, D2 = np.asarray(cache[1], dtype=float), np.asarray(cache[6], dtype=float)
        assert D1.shape == (2, X.shape[1]) and D2.shape == (3, X.shape[1]), "D1 and D2 must have the shapes of A1 and A2"
        assert np.all((D1 == 0) | (D1 == 1)) and np.all((D2 == 0) | (D2 == 1)), (
            "D1 and D2 must hold only 0 and 1: D = (np.random.rand(...) < keep_prob).astype(int)")
        want = _forward(X, p, D1, D2, keep_prob)
        assert np.allclose(cache[2], want[1]), "Wrong A1: shut down units with D1, then divide by keep_prob"
        assert np.allclose(cache[7], want[3]), "Wrong A2: shut down units with D2, then divide by keep_prob"
        assert np.allclose(A3, want[5]), "Wrong A3"
    _passed()


def backward_propagation_with_dropout_test(target):
    """Check the gradients with fixed masks: dA1 and dA2 are masked and divided by keep_prob."""
    for seed, keep_prob in [(1, 0.8), (2, 0.6)]:
        X, Y, p = _problem(seed)
        rng = np.random.RandomState(seed + 20)
        D1 = (rng.rand(2, X.shape[1]) < keep_prob).astype(int)
        D2 = (rng.rand(3, X.shape[1]) < keep_prob).astype(int)
        Z1, A1, Z2, A2, Z3, A3 = _forward(X, p, D1, D2, keep_prob)
        cache = (Z1, D1, A1, p["W1"], p["b1"], Z2, D2, A2, p["W2"], p["b2"], Z3, A3, p["W3"], p["b3"])
        got = target(X, Y, cache, keep_prob)
        want = _gradients(X, Y, p, D1=D1, D2=D2, keep_prob=keep_prob)
        _check_gradients(got, want, "backward_propagation_with_dropout", ("dA1", "dA2", *_GRADIENT_KEYS))
    _passed()
