"""Activation helpers of the "Building your Deep Neural Network" notebooks (``from dnn_utils import *``).

Interface-compatible with the Deep Learning Specialization's ``dnn_utils.py``: each
forward activation returns ``(A, cache)`` with ``cache = Z``; each backward one takes
``(dA, cache)`` and returns dZ.
"""

import numpy as np


def sigmoid(Z):
    """Sigmoid activation.

    Returns:
        A: sigmoid(Z), same shape as Z.
        cache: Z, for the backward pass.
    """
    A = 1 / (1 + np.exp(-Z))
    cache = Z
    return A, cache


def relu(Z):
    """ReLU activation.

    Returns:
        A: max(0, Z), same shape as Z.
        cache: Z, for the backward pass.
    """
    A = np.maximum(0, Z)
    assert A.shape == Z.shape
    cache = Z
    return A, cache


def relu_backward(dA, cache):
    """dZ of a ReLU unit: dA where Z > 0, else 0."""
    Z = cache
    dZ = np.array(dA, copy=True)
    dZ[Z <= 0] = 0
    assert dZ.shape == Z.shape
    return dZ


def sigmoid_backward(dA, cache):
    """dZ of a sigmoid unit: dA * s * (1 - s)."""
    Z = cache
    s = 1 / (1 + np.exp(-Z))
    dZ = dA * s * (1 - s)
    assert dZ.shape == Z.shape
    return dZ
