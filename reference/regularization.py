"""Reference solutions for the ``regularization`` assignment.

The four graded functions, with exactly the signatures of the Deep Learning
Specialization's "Regularization" notebook (course 2, week 1):

    compute_cost_with_regularization(A3, Y, parameters, lambd)  -> cross-entropy + L2 cost
    backward_propagation_with_regularization(X, Y, cache, lambd) -> gradients dict
    forward_propagation_with_dropout(X, parameters, keep_prob)   -> (A3, cache with D1, D2)
    backward_propagation_with_dropout(X, Y, cache, keep_prob)    -> gradients dict

The network is LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID; the functions work
for any layer sizes (the notebook trains 2-20-3-1, its test cases use 3-2-3-1). The
cross-entropy uses the same formula as the assignment's ``reg_utils.compute_cost`` so the
cost agrees bit for bit with a correct notebook. Nothing here imports from ``assignments``.
"""

import numpy as np


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _relu(x):
    return np.maximum(0, x)


def compute_cost(a3, Y):
    """Mean binary cross-entropy, as ``reg_utils.compute_cost`` (np.nansum of the log-losses)."""
    m = Y.shape[1]
    logprobs = np.multiply(-np.log(a3), Y) + np.multiply(-np.log(1 - a3), 1 - Y)
    return 1.0 / m * np.nansum(logprobs)


def compute_cost_with_regularization(A3, Y, parameters, lambd):
    """Cross-entropy cost plus the L2 term lambd / (2m) * (|W1|^2 + |W2|^2 + |W3|^2).

    Args:
        A3: post-activation output of forward propagation, shape (1, m).
        Y: labels, shape (1, m).
        parameters: dict with "W1", "W2", "W3" (biases are not regularized).
        lambd: the regularization strength.

    Returns:
        The regularized cost, a numpy float64.
    """
    m = Y.shape[1]
    W1, W2, W3 = parameters["W1"], parameters["W2"], parameters["W3"]
    cross_entropy_cost = compute_cost(A3, Y)
    L2_regularization_cost = lambd / (2 * m) * (np.sum(np.square(W1)) + np.sum(np.square(W2)) + np.sum(np.square(W3)))
    return cross_entropy_cost + L2_regularization_cost


def _backward(X, Y, Z1, A1, W1, Z2, A2, W2, A3, W3, *, lambd=0.0, D1=None, D2=None, keep_prob=1.0):
    """The 3-layer backward pass, with an optional L2 term and optional dropout masks."""
    m = X.shape[1]
    dZ3 = A3 - Y
    dW3 = 1.0 / m * np.dot(dZ3, A2.T) + lambd / m * W3
    db3 = 1.0 / m * np.sum(dZ3, axis=1, keepdims=True)
    dA2 = np.dot(W3.T, dZ3)
    if D2 is not None:
        dA2 = dA2 * D2 / keep_prob
    dZ2 = np.multiply(dA2, np.int64(Z2 > 0))
    dW2 = 1.0 / m * np.dot(dZ2, A1.T) + lambd / m * W2
    db2 = 1.0 / m * np.sum(dZ2, axis=1, keepdims=True)
    dA1 = np.dot(W2.T, dZ2)
    if D1 is not None:
        dA1 = dA1 * D1 / keep_prob
    dZ1 = np.multiply(dA1, np.int64(Z1 > 0))
    dW1 = 1.0 / m * np.dot(dZ1, X.T) + lambd / m * W1
    db1 = 1.0 / m * np.sum(dZ1, axis=1, keepdims=True)
    return {
        "dZ3": dZ3, "dW3": dW3, "db3": db3, "dA2": dA2,
        "dZ2": dZ2, "dW2": dW2, "db2": db2, "dA1": dA1,
        "dZ1": dZ1, "dW1": dW1, "db1": db1,
    }


def backward_propagation_with_regularization(X, Y, cache, lambd):
    """Gradients of the L2-regularized cost.

    Args:
        X: inputs, shape (n_x, m).
        Y: labels, shape (1, m).
        cache: (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) from forward_propagation.
        lambd: the regularization strength.

    Returns:
        dict with dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1; each dW has the
        extra (lambd / m) * W of the L2 term.
    """
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache
    return _backward(X, Y, Z1, A1, W1, Z2, A2, W2, A3, W3, lambd=lambd)


def forward_propagation_with_dropout(X, parameters, keep_prob=0.5):
    """Forward pass with inverted dropout on both hidden layers.

    The masks are drawn after np.random.seed(1), as in the notebook, from
    np.random.rand(...) < keep_prob.

    Args:
        X: inputs, shape (n_x, m).
        parameters: dict with "W1", "b1", "W2", "b2", "W3", "b3".
        keep_prob: probability of keeping a hidden unit.

    Returns:
        A3: output, shape (1, m).
        cache: (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3), where D1, D2 are
            0/1 integer masks and A1, A2 the masked activations divided by keep_prob.
    """
    np.random.seed(1)
    W1, b1 = parameters["W1"], parameters["b1"]
    W2, b2 = parameters["W2"], parameters["b2"]
    W3, b3 = parameters["W3"], parameters["b3"]
    Z1 = np.dot(W1, X) + b1
    A1 = _relu(Z1)
    D1 = (np.random.rand(A1.shape[0], A1.shape[1]) < keep_prob).astype(int)
    A1 = A1 * D1 / keep_prob
    Z2 = np.dot(W2, A1) + b2
    A2 = _relu(Z2)
    D2 = (np.random.rand(A2.shape[0], A2.shape[1]) < keep_prob).astype(int)
    A2 = A2 * D2 / keep_prob
    Z3 = np.dot(W3, A2) + b3
    A3 = _sigmoid(Z3)
    cache = (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3)
    return A3, cache


def backward_propagation_with_dropout(X, Y, cache, keep_prob):
    """Gradients of the cost of a forward pass with (frozen) dropout masks.

    Args:
        X: inputs, shape (n_x, m).
        Y: labels, shape (1, m).
        cache: (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) from
            forward_propagation_with_dropout.
        keep_prob: the probability the forward pass kept a unit with.

    Returns:
        dict with dZ3, dW3, db3, dA2, dZ2, dW2, db2, dA1, dZ1, dW1, db1; dA1 and dA2 are
        masked and divided by keep_prob, as the forward pass did to A1 and A2.
    """
    (Z1, D1, A1, W1, b1, Z2, D2, A2, W2, b2, Z3, A3, W3, b3) = cache
    return _backward(X, Y, Z1, A1, W1, Z2, A2, W2, A3, W3, D1=D1, D2=D2, keep_prob=keep_prob)
