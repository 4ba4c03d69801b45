"""Reference solutions for the ``gradient_checking`` assignment.

The six graded functions, with exactly the signatures of the Deep Learning Specialization's
"Gradient Checking" notebook (course 2, week 1):

    forward_propagation(x, theta)                      -> J = theta * x
    backward_propagation(x, theta)                     -> dtheta = x
    gradient_check(x, theta, epsilon, print_msg)       -> relative difference (1-D)
    forward_propagation_n(X, Y, parameters)            -> (cost, cache), 3-layer net
    backward_propagation_n(X, Y, cache)                -> gradients dict (bug-free)
    gradient_check_n(parameters, gradients, X, Y, ...) -> relative difference (n-D)

The network is LINEAR -> RELU -> LINEAR -> RELU -> LINEAR -> SIGMOID with a mean binary
cross-entropy cost. ``sigmoid`` and ``relu`` use the same formulas as the assignment's
``gc_utils`` so that reference costs agree bit for bit with the notebook's provided
forward_propagation_n. Nothing here imports from ``assignments``.
"""

import numpy as np

# Flattening order of gc_utils.dictionary_to_vector / gradients_to_vector.
PARAMETER_ORDER = ("W1", "b1", "W2", "b2", "W3", "b3")


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _relu(x):
    return np.maximum(0, x)


def _print_verdict(difference):
    # Same wording and threshold as the notebook, so printed output can be compared.
    if difference > 2e-7:
        print("\033[93m" + "There is a mistake in the backward propagation! difference = " + str(difference) + "\033[0m")
    else:
        print("\033[92m" + "Your backward propagation works perfectly fine! difference = " + str(difference) + "\033[0m")


def _relative_difference(grad, gradapprox):
    # The notebook's formula: ||grad - gradapprox|| / (||grad|| + ||gradapprox||).
    numerator = np.linalg.norm(grad - gradapprox)
    denominator = np.linalg.norm(grad) + np.linalg.norm(gradapprox)
    return numerator / denominator


def forward_propagation(x, theta):
    """Compute J(theta) = theta * x.

    Args:
        x: a real number or numpy array.
        theta: the parameter, a real number or numpy array broadcastable with x.

    Returns:
        J = theta * x.
    """
    return theta * x


def backward_propagation(x, theta):
    """Compute dJ/dtheta for J(theta) = theta * x.

    Args:
        x: a real number or numpy array.
        theta: the parameter (unused: the derivative of a linear function does not depend on it).

    Returns:
        dtheta = x.
    """
    return x


def gradient_check(x, theta, epsilon=1e-7, print_msg=False):
    """Compare backward_propagation with a central difference of forward_propagation.

    Args:
        x: a real number.
        theta: the parameter, a real number.
        epsilon: the shift used for the central difference.
        print_msg: print the notebook's verdict line.

    Returns:
        The relative difference ||grad - gradapprox|| / (||grad|| + ||gradapprox||).
        NaN when both gradients are exactly zero (x == 0), as in the notebook.
    """
    theta_plus = theta + epsilon
    theta_minus = theta - epsilon
    J_plus = forward_propagation(x, theta_plus)
    J_minus = forward_propagation(x, theta_minus)
    gradapprox = (J_plus - J_minus) / (2 * epsilon)

    grad = backward_propagation(x, theta)

    difference = _relative_difference(grad, gradapprox)
    if print_msg:
        _print_verdict(difference)
    return difference


def forward_propagation_n(X, Y, parameters):
    """Forward pass and cost of the 3-layer network.

    Args:
        X: inputs, shape (n_x, m).
        Y: labels in {0, 1}, shape (1, m) (shape (m,) also broadcasts correctly).
        parameters: dict with "W1", "b1", "W2", "b2", "W3", "b3".

    Returns:
        cost: mean binary cross-entropy, a numpy float64 scalar.
        cache: (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3).
    """
    m = X.shape[1]
    W1 = parameters["W1"]
    b1 = parameters["b1"]
    W2 = parameters["W2"]
    b2 = parameters["b2"]
    W3 = parameters["W3"]
    b3 = parameters["b3"]

    Z1 = np.dot(W1, X) + b1
    A1 = _relu(Z1)
    Z2 = np.dot(W2, A1) + b2
    A2 = _relu(Z2)
    Z3 = np.dot(W3, A2) + b3
    A3 = _sigmoid(Z3)

    log_probs = np.multiply(-np.log(A3), Y) + np.multiply(-np.log(1 - A3), 1 - Y)
    cost = 1.0 / m * np.sum(log_probs)

    cache = (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3)
    return cost, cache


def backward_propagation_n(X, Y, cache):
    """Backward pass of the 3-layer network (the notebook's function without its two bugs).

    Args:
        X: inputs, shape (n_x, m).
        Y: labels, shape (1, m).
        cache: the cache returned by forward_propagation_n.

    Returns:
        dict with "dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1":
        gradients of the cost with respect to each parameter, activation and pre-activation.
        The ReLU derivative at exactly 0 is taken as 0, as in the notebook.
    """
    m = X.shape[1]
    (Z1, A1, W1, b1, Z2, A2, W2, b2, Z3, A3, W3, b3) = cache

    dZ3 = A3 - Y
    dW3 = 1.0 / m * np.dot(dZ3, A2.T)
    db3 = 1.0 / m * np.sum(dZ3, axis=1, keepdims=True)

    dA2 = np.dot(W3.T, dZ3)
    dZ2 = np.multiply(dA2, np.int64(A2 > 0))
    dW2 = 1.0 / m * np.dot(dZ2, A1.T)
    db2 = 1.0 / m * np.sum(dZ2, axis=1, keepdims=True)

    dA1 = np.dot(W2.T, dZ2)
    dZ1 = np.multiply(dA1, np.int64(A1 > 0))
    dW1 = 1.0 / m * np.dot(dZ1, X.T)
    db1 = 1.0 / m * np.sum(dZ1, axis=1, keepdims=True)

    return {
        "dZ3": dZ3, "dW3": dW3, "db3": db3,
        "dA2": dA2, "dZ2": dZ2, "dW2": dW2, "db2": db2,
        "dA1": dA1, "dZ1": dZ1, "dW1": dW1, "db1": db1,
    }


def _flatten_parameters(parameters):
    """Flatten parameters into a column vector, like gc_utils.dictionary_to_vector.

    Unlike gc_utils, the shapes are taken from ``parameters`` rather than fixed to 4-5-3-1,
    and the second value is what _unflatten_parameters needs, not per-entry key names.

    Args:
        parameters: dict with "W1", "b1", "W2", "b2", "W3", "b3".

    Returns:
        theta: shape (n, 1), row-major flattening in PARAMETER_ORDER.
        shapes: tuple of (name, shape) pairs needed by _unflatten_parameters.
    """
    theta = np.concatenate([np.reshape(parameters[key], (-1, 1)) for key in PARAMETER_ORDER], axis=0)
    shapes = tuple((key, np.shape(parameters[key])) for key in PARAMETER_ORDER)
    return theta, shapes


def _unflatten_parameters(theta, shapes):
    """Inverse of _flatten_parameters.

    Args:
        theta: array with as many numbers as ``shapes`` describes.
        shapes: (name, shape) pairs as returned by _flatten_parameters.

    Returns:
        dict of arrays (views into theta) with the given names and shapes.
    """
    parameters = {}
    start = 0
    for key, shape in shapes:
        size = int(np.prod(shape))
        parameters[key] = theta[start:start + size].reshape(shape)
        start += size
    return parameters


def _flatten_gradients(gradients):
    """Flatten dW1, db1, dW2, db2, dW3, db3 into a column vector (order of PARAMETER_ORDER)."""
    return np.concatenate([np.reshape(gradients["d" + key], (-1, 1)) for key in PARAMETER_ORDER], axis=0)


def gradient_check_n(parameters, gradients, X, Y, epsilon=1e-7, print_msg=False):
    """Compare backward-propagation gradients with central differences of forward_propagation_n.

    Args:
        parameters: dict with "W1", "b1", "W2", "b2", "W3", "b3".
        gradients: dict with at least "dW1", "db1", "dW2", "db2", "dW3", "db3".
        X: inputs, shape (n_x, m).
        Y: labels, shape (1, m).
        epsilon: the shift used for each central difference.
        print_msg: print the notebook's verdict line.

    Returns:
        The relative difference ||grad - gradapprox|| / (||grad|| + ||gradapprox||)
        over all parameters, a numpy float64 scalar.
    """
    parameters_values, shapes = _flatten_parameters(parameters)
    grad = _flatten_gradients(gradients)
    num_parameters = parameters_values.shape[0]
    gradapprox = np.zeros((num_parameters, 1))

    for i in range(num_parameters):
        theta_plus = np.copy(parameters_values)
        theta_plus[i] = theta_plus[i] + epsilon
        J_plus, _ = forward_propagation_n(X, Y, _unflatten_parameters(theta_plus, shapes))

        theta_minus = np.copy(parameters_values)
        theta_minus[i] = theta_minus[i] - epsilon
        J_minus, _ = forward_propagation_n(X, Y, _unflatten_parameters(theta_minus, shapes))

        gradapprox[i] = (J_plus - J_minus) / (2 * epsilon)

    difference = _relative_difference(grad, gradapprox)
    if print_msg:
        _print_verdict(difference)
    return difference
