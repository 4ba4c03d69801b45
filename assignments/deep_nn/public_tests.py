"""Public tests called by the "Building your Deep Neural Network: Step by Step" notebook.

Interface-compatible with the Deep Learning Specialization's ``public_tests.py`` for
this assignment (``from public_tests import *``): each ``*_test(target)`` prints "All
tests passed." or raises AssertionError. They are student-visible sanity checks only;
the grader does not rely on them. The expected values are computed here by a small
correct implementation, on the inputs of ``testCases_v4a``.

Both conventions of ``L_model_backward``'s dA keys (``dA{l-1}`` as now, ``dA{l}`` in
older versions) pass, and an ``update_parameters`` that changes its input dict passes.
"""

import copy

import numpy as np

from testCases_v4a import (L_model_backward_test_case, L_model_forward_test_case_2hidden, compute_cost_test_case,
                           linear_activation_backward_test_case, linear_activation_forward_test_case,
                           linear_backward_test_case, linear_forward_test_case, update_parameters_test_case)
from test_utils import multiple_test


def _sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


def _linear_forward(A, W, b):
    return np.dot(W, A) + b, (A, W, b)


def _activation_forward(A_prev, W, b, activation):
    Z, linear_cache = _linear_forward(A_prev, W, b)
    A = _sigmoid(Z) if activation == "sigmoid" else np.maximum(0, Z)
    return A, (linear_cache, Z)


def _model_forward(X, parameters):
    L = len(parameters) // 2
    A, caches = X, []
    for l in range(1, L + 1):
        A, cache = _activation_forward(A, parameters[f"W{l}"], parameters[f"b{l}"], "relu" if l < L else "sigmoid")
        caches.append(cache)
    return A, caches


def _linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) / m, np.sum(dZ, axis=1, keepdims=True) / m


def _activation_backward(dA, cache, activation):
    linear_cache, Z = cache
    if activation == "sigmoid":
        s = _sigmoid(Z)
        dZ = dA * s * (1 - s)
    else:
        dZ = np.where(Z > 0, dA, 0.0)
    return _linear_backward(dZ, linear_cache)


def _model_backward(AL, Y, caches):
    """dW{l}, db{l} and, keyed by layer, the input gradient of every layer (dA_prev[l])."""
    L = len(caches)
    Y = Y.reshape(AL.shape)
    dA = -(np.divide(Y, AL) - np.divide(1 - Y, 1 - AL))
    grads, dA_prev = {}, {}
    for l in range(L, 0, -1):
        dA, grads[f"dW{l}"], grads[f"db{l}"] = _activation_backward(dA, caches[l - 1], "sigmoid" if l == L else "relu")
        dA_prev[l] = dA
    return grads, dA_prev


def _passed():
    print("\033[92m All tests passed.\033[0m")


def initialize_parameters_test(target):
    """Shapes (W1 (2, 3), b1 (2, 1), W2 (1, 2), b2 (1, 1)), zero biases, the seeded small weights."""
    parameters = target(3, 2, 1)
    shapes = {"W1": (2, 3), "b1": (2, 1), "W2": (1, 2), "b2": (1, 1)}
    assert isinstance(parameters, dict), f"initialize_parameters should return a dict, got {type(parameters).__name__}"
    for key, shape in shapes.items():
        assert key in parameters, f"initialize_parameters does not return {key}"
        assert np.shape(parameters[key]) == shape, f"Wrong shape for {key}: expected {shape}, got {np.shape(parameters[key])}"
    for key in ("b1", "b2"):
        assert not np.any(parameters[key]), f"{key} should be initialized with zeros"
    _check_weights(parameters, 1, [3, 2, 1])
    _passed()


def _check_weights(parameters, seed, layer_dims):
    """The weights the notebook's recipe draws: np.random.seed(seed), then randn(...) * 0.01 per layer."""
    state = np.random.get_state()
    np.random.seed(seed)
    for l in range(1, len(layer_dims)):
        expected = np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01
        assert np.allclose(parameters[f"W{l}"], expected), (
            f"Wrong values for W{l}: use np.random.randn(layer_dims[l], layer_dims[l - 1]) * 0.01, in layer order")
    np.random.set_state(state)


def initialize_parameters_deep_test(target):
    """Shapes of a [5, 4, 3] network, zero biases, the seeded small weights."""
    parameters = target([5, 4, 3])
    shapes = {"W1": (4, 5), "b1": (4, 1), "W2": (3, 4), "b2": (3, 1)}
    assert isinstance(parameters, dict), f"initialize_parameters_deep should return a dict, got {type(parameters).__name__}"
    for key, shape in shapes.items():
        assert key in parameters, f"initialize_parameters_deep does not return {key}"
        assert np.shape(parameters[key]) == shape, f"Wrong shape for {key}: expected {shape}, got {np.shape(parameters[key])}"
    assert not np.any(parameters["b1"]) and not np.any(parameters["b2"]), "biases should be initialized with zeros"
    _check_weights(parameters, 3, [5, 4, 3])
    _passed()


def linear_forward_test(target):
    A, W, b = linear_forward_test_case()
    expected = _linear_forward(A, W, b)
    multiple_test([
        {"name": "datatype_check", "input": [A, W, b], "expected": expected, "error": "Datatype mismatch"},
        {"name": "shape_check", "input": [A, W, b], "expected": expected, "error": "Wrong shape"},
        {"name": "equation_output_check", "input": [A, W, b], "expected": expected, "error": "Wrong output"},
    ], target)


def linear_activation_forward_test(target):
    A_prev, W, b = linear_activation_forward_test_case()
    cases = []
    for activation in ("sigmoid", "relu"):
        args = [A_prev, W, b, activation]
        expected = _activation_forward(*args)
        cases += [
            {"name": "shape_check", "input": args, "expected": expected, "error": f"Wrong shape with {activation}"},
            {"name": "equation_output_check", "input": args, "expected": expected, "error": f"Wrong output with {activation}"},
        ]
    multiple_test(cases, target)


def L_model_forward_test(target):
    X, parameters = L_model_forward_test_case_2hidden()
    expected = _model_forward(X, parameters)
    multiple_test([
        {"name": "shape_check", "input": [X, parameters], "expected": expected, "error": "Wrong shape"},
        {"name": "equation_output_check", "input": [X, parameters], "expected": expected, "error": "Wrong output"},
    ], target)


def compute_cost_test(target):
    Y, AL = compute_cost_test_case()
    m = Y.shape[1]
    expected = np.squeeze(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m)
    cost = target(AL, Y)
    assert np.size(cost) == 1, f"compute_cost should return a number, got shape {np.shape(cost)}"
    assert np.isclose(float(np.squeeze(cost)), float(expected)), f"Wrong cost: expected {expected}, got {cost}"
    _passed()


def linear_backward_test(target):
    dZ, linear_cache = linear_backward_test_case()
    expected = _linear_backward(dZ, linear_cache)
    multiple_test([
        {"name": "shape_check", "input": [dZ, linear_cache], "expected": expected, "error": "Wrong shape"},
        {"name": "equation_output_check", "input": [dZ, linear_cache], "expected": expected, "error": "Wrong output"},
    ], target)


def linear_activation_backward_test(target):
    dA, cache = linear_activation_backward_test_case()
    cases = []
    for activation in ("sigmoid", "relu"):
        args = [dA, cache, activation]
        expected = _activation_backward(*args)
        cases += [
            {"name": "shape_check", "input": args, "expected": expected, "error": f"Wrong shape with {activation}"},
            {"name": "equation_output_check", "input": args, "expected": expected, "error": f"Wrong output with {activation}"},
        ]
    multiple_test(cases, target)


def L_model_backward_test(target):
    """dW and db of every layer; dA under either key convention."""
    AL, Y, caches = L_model_backward_test_case()
    expected, dA_prev = _model_backward(AL, Y, caches)
    grads = target(AL, Y, caches)
    assert isinstance(grads, dict), f"L_model_backward should return a dict, got {type(grads).__name__}"
    for key, value in expected.items():
        assert key in grads, f"L_model_backward does not return {key}"
        assert np.shape(grads[key]) == np.shape(value), f"Wrong shape for {key}: expected {np.shape(value)}, got {np.shape(grads[key])}"
        assert np.allclose(grads[key], value), f"Wrong values for {key}"
    L = len(caches)
    for shift in (1, 0):  # dA{l-1} (now) or dA{l} (older versions) holds layer l's input gradient
        keys = {f"dA{l - shift}": dA_prev[l] for l in range(1, L + 1)}
        if all(k in grads and np.shape(grads[k]) == np.shape(v) and np.allclose(grads[k], v) for k, v in keys.items()):
            _passed()
            return
    raise AssertionError("Wrong dA values: grads['dA' + str(l - 1)] should be the gradient of the cost with "
                         "respect to the input of layer l")


def update_parameters_test(target):
    parameters, grads = update_parameters_test_case()
    learning_rate = 0.1
    expected = {k: v - learning_rate * grads["d" + k] for k, v in parameters.items()}
    got = target(copy.deepcopy(parameters), grads, learning_rate)
    assert isinstance(got, dict), f"update_parameters should return a dict, got {type(got).__name__}"
    for key, value in expected.items():
        assert key in got, f"update_parameters does not return {key}"
        assert np.shape(got[key]) == np.shape(value), f"Wrong shape for {key}"
        assert np.allclose(got[key], value), f"Wrong values for {key}"
    _passed()
