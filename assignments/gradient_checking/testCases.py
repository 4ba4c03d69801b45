"""Inputs for the Gradient Checking notebook (``from testCases import *``).

Interface-compatible with the Deep Learning Specialization's ``testCases.py`` for this
assignment: the same seed and draw order, so the notebook's expected outputs
(difference = 0.2850931567761623 with the shipped bugs, 1.1890913024229996e-07 without)
are reproduced exactly.
"""

import numpy as np


def gradient_check_n_test_case():
    """Return a small, seeded problem for the 4-5-3-1 network.

    Returns:
        X: inputs, shape (4, 3).
        Y: labels, shape (1, 3).
        parameters: dict with "W1" (5, 4), "b1" (5, 1), "W2" (3, 5), "b2" (3, 1),
            "W3" (1, 3), "b3" (1, 1).
    """
    # Seed and draw order are part of the interface: they fix the notebook's expected values.
    np.random.seed(1)
    X = np.random.randn(4, 3)
    Y = np.array([[1, 1, 0]])
    W1 = np.random.randn(5, 4)
    b1 = np.random.randn(5, 1)
    W2 = np.random.randn(3, 5)
    b2 = np.random.randn(3, 1)
    W3 = np.random.randn(1, 3)
    b3 = np.random.randn(1, 1)
    parameters = {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "W3": W3, "b3": b3}
    return X, Y, parameters
