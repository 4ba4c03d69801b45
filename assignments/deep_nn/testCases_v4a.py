"""Inputs for the "Building your Deep Neural Network: Step by Step" test cells.

Interface-compatible with the Deep Learning Specialization's ``testCases_v4a.py`` (and,
through the small modules that re-export it, ``testCases``, ``testCases_v2``,
``testCases_v3`` and ``testCases_v4``): the same function names, argument-free, returning
arrays of the shapes the notebook's cells expect. Values are drawn from fixed seeds.
Caches follow the notebook's convention: ``(A_prev, W, b)`` for a linear cache and
``((A_prev, W, b), Z)`` for a layer.
"""

import numpy as np


def initialize_parameters_test_case():
    """n_x, n_h, n_y of the 2-layer network: 3, 2, 1."""
    return 3, 2, 1


def initialize_parameters_deep_test_case():
    """layer_dims of an L-layer network: [5, 4, 3]."""
    return [5, 4, 3]


def linear_forward_test_case():
    """A (3, 2), W (1, 3), b (1, 1)."""
    np.random.seed(1)
    A = np.random.randn(3, 2)
    W = np.random.randn(1, 3)
    b = np.random.randn(1, 1)
    return A, W, b


def linear_activation_forward_test_case():
    """A_prev (3, 2), W (1, 3), b (1, 1)."""
    np.random.seed(2)
    A_prev = np.random.randn(3, 2)
    W = np.random.randn(1, 3)
    b = np.random.randn(1, 1)
    return A_prev, W, b


def _parameters(layer_dims):
    parameters = {}
    for l in range(1, len(layer_dims)):
        parameters["W" + str(l)] = np.random.randn(layer_dims[l], layer_dims[l - 1])
        parameters["b" + str(l)] = np.random.randn(layer_dims[l], 1)
    return parameters


def L_model_forward_test_case():
    """X (5, 4) and the parameters of a 5-4-1 network (one hidden layer)."""
    np.random.seed(6)
    X = np.random.randn(5, 4)
    return X, _parameters([5, 4, 1])


def L_model_forward_test_case_2hidden():
    """X (5, 4) and the parameters of a 5-4-3-1 network (two hidden layers)."""
    np.random.seed(6)
    X = np.random.randn(5, 4)
    return X, _parameters([5, 4, 3, 1])


def compute_cost_test_case():
    """Y (1, 3) of 0/1 labels and AL (1, 3) of probabilities."""
    Y = np.asarray([[1, 1, 0]])
    aL = np.array([[.8, .9, 0.4]])
    return Y, aL


def linear_backward_test_case():
    """dZ (3, 4) and the linear cache (A_prev (5, 4), W (3, 5), b (3, 1))."""
    np.random.seed(1)
    dZ = np.random.randn(3, 4)
    A = np.random.randn(5, 4)
    W = np.random.randn(3, 5)
    b = np.random.randn(3, 1)
    linear_cache = (A, W, b)
    return dZ, linear_cache


def linear_activation_backward_test_case():
    """dA (1, 2) and a layer cache ((A_prev (3, 2), W (1, 3), b (1, 1)), Z (1, 2))."""
    np.random.seed(2)
    dA = np.random.randn(1, 2)
    A = np.random.randn(3, 2)
    W = np.random.randn(1, 3)
    b = np.random.randn(1, 1)
    Z = np.random.randn(1, 2)
    linear_cache = (A, W, b)
    activation_cache = Z
    linear_activation_cache = (linear_cache, activation_cache)
    return dA, linear_activation_cache


def L_model_backward_test_case():
    """AL (1, 2), Y (1, 2) and the caches of a 4-3-1 network (two layers)."""
    np.random.seed(3)
    AL = np.random.randn(1, 2)
    Y = np.array([[1, 0]])
    A1 = np.random.randn(4, 2)
    W1 = np.random.randn(3, 4)
    b1 = np.random.randn(3, 1)
    Z1 = np.random.randn(3, 2)
    linear_cache_activation_1 = ((A1, W1, b1), Z1)
    A2 = np.random.randn(3, 2)
    W2 = np.random.randn(1, 3)
    b2 = np.random.randn(1, 1)
    Z2 = np.random.randn(1, 2)
    linear_cache_activation_2 = ((A2, W2, b2), Z2)
    caches = (linear_cache_activation_1, linear_cache_activation_2)
    return AL, Y, caches


def update_parameters_test_case():
    """The parameters of a 4-3-1 network and gradients of the same shapes."""
    np.random.seed(2)
    W1 = np.random.randn(3, 4)
    b1 = np.random.randn(3, 1)
    W2 = np.random.randn(1, 3)
    b2 = np.random.randn(1, 1)
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
    np.random.seed(3)
    dW1 = np.random.randn(3, 4)
    db1 = np.random.randn(3, 1)
    dW2 = np.random.randn(1, 3)
    db2 = np.random.randn(1, 1)
    grads = {"dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2}
    return parameters, grads


def print_grads(grads):
    """Print dW1, db1 and dA1 (whichever of them the gradients hold: the key of dA1
    depends on the notebook version's convention)."""
    for key in ("dW1", "db1", "dA1"):
        if key in grads:
            print(key + " = " + str(grads[key]))
