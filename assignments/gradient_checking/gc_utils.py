"""Helpers imported by the Gradient Checking notebook (``from gc_utils import ...``).

Interface-compatible with the ``gc_utils.py`` of the Deep Learning Specialization
(course 2, week 1), so student notebooks written against that file run unchanged.
The vector helpers are tied to the notebook's fixed 4-5-3-1 network:

    W1 (5, 4)  b1 (5, 1)  W2 (3, 5)  b2 (3, 1)  W3 (1, 3)  b3 (1, 1)   -> 47 numbers

Flattening is row-major (``np.reshape(..., (-1, 1))``) in the order W1, b1, W2, b2, W3, b3,
and gradients are flattened in the matching order dW1, db1, ..., db3.
"""

import numpy as np

# (name, shape) in flattening order; the notebook's network is fixed, so this is too.
_PARAMETER_SHAPES = (
    ("W1", (5, 4)),
    ("b1", (5, 1)),
    ("W2", (3, 5)),
    ("b2", (3, 1)),
    ("W3", (1, 3)),
    ("b3", (1, 1)),
)


def sigmoid(x):
    """Compute the sigmoid of x.

    Args:
        x: a scalar or numpy array of any size.

    Returns:
        sigmoid(x), same shape as x.
    """
    return 1 / (1 + np.exp(-x))


def relu(x):
    """Compute the ReLU of x.

    Args:
        x: a scalar or numpy array of any size.

    Returns:
        max(0, x) element-wise, same shape as x.
    """
    return np.maximum(0, x)


def dictionary_to_vector(parameters):
    """Flatten the parameters dictionary into a single column vector.

    Args:
        parameters: dict with "W1", "b1", "W2", "b2", "W3", "b3".

    Returns:
        theta: column vector of shape (n, 1), the parameters concatenated in the order above.
        keys: list of length n; keys[i] names the parameter that theta[i] came from
            (e.g. "W1" repeated 20 times, then "b1" 5 times, ...).
    """
    pieces = []
    keys = []
    for key, _ in _PARAMETER_SHAPES:
        column = np.reshape(parameters[key], (-1, 1))
        pieces.append(column)
        keys = keys + [key] * column.shape[0]
    theta = np.concatenate(pieces, axis=0)
    return theta, keys


def vector_to_dictionary(theta):
    """Unroll a column vector back into the parameters dictionary of the 4-5-3-1 network.

    Args:
        theta: array of 47 numbers (shape (47, 1) as returned by dictionary_to_vector).

    Returns:
        dict with "W1" (5, 4), "b1" (5, 1), "W2" (3, 5), "b2" (3, 1), "W3" (1, 3), "b3" (1, 1).
        The arrays are views into theta, exactly as in the original helper.
    """
    parameters = {}
    start = 0
    for key, shape in _PARAMETER_SHAPES:
        size = int(np.prod(shape))
        parameters[key] = theta[start:start + size].reshape(shape)
        start += size
    return parameters


def gradients_to_vector(gradients):
    """Flatten the gradients dictionary into a single column vector.

    Args:
        gradients: dict with at least "dW1", "db1", "dW2", "db2", "dW3", "db3"
            (other entries such as "dZ1" or "dA2" are ignored).

    Returns:
        column vector of shape (n, 1), in the same order as dictionary_to_vector.
    """
    pieces = [np.reshape(gradients["d" + key], (-1, 1)) for key, _ in _PARAMETER_SHAPES]
    return np.concatenate(pieces, axis=0)
