"""Public tests called by the Gradient Checking notebook (``from public_tests import *``).

Interface-compatible with the Deep Learning Specialization's ``public_tests.py`` for this
assignment: each ``*_test(target, ...)`` either prints " All tests passed." or raises
AssertionError with a hint. They are student-visible sanity checks only; the grader does
not rely on them. The module imports nothing but numpy so that it also loads outside the
kernel's working directory.
"""

import numpy as np

# Differences the notebook's own test problem (gradient_check_n_test_case) can produce
# with a correct gradient_check_n, depending on which of the two shipped bugs in
# backward_propagation_n (dW2 * 2, db1 * 4) the student has fixed.
_EXPECTED_N_DIFFERENCES = {
    "both bugs still present": 0.2850931567761623,
    "both bugs fixed": 1.1890913024229996e-07,
    "only the dW2 bug fixed": 0.2544229712458523,
    "only the db1 bug fixed": 0.17344196893145924,
}


def _passed():
    print("\033[92m All tests passed.\033[0m")


def forward_propagation_test(target):
    """Check forward_propagation(x, theta) == theta * x on scalars and an array."""
    for x, theta in [(2, 4), (3, 4), (-1.5, 0.5)]:
        J = target(x, theta)
        assert J is not None, "forward_propagation returned None. Did you fill in J?"
        assert np.isclose(J, theta * x), f"Wrong value for x={x}, theta={theta}: expected {theta * x}, got {J}"
    x = np.array([1.0, -2.0, 3.0])
    J = target(x, 2.0)
    assert np.shape(J) == x.shape, f"Wrong shape for an array x of shape {x.shape}: got {np.shape(J)}"
    assert np.allclose(J, 2.0 * x), f"Wrong value for x={x}, theta=2.0: expected {2.0 * x}, got {J}"
    _passed()


def backward_propagation_test(target):
    """Check backward_propagation(x, theta) == x (dJ/dtheta of J = theta * x)."""
    for x, theta in [(2, 4), (3, 4), (-1.5, 0.5)]:
        dtheta = target(x, theta)
        assert dtheta is not None, "backward_propagation returned None. Did you fill in dtheta?"
        assert np.isclose(dtheta, x), f"Wrong value for x={x}, theta={theta}: expected {x}, got {dtheta}"
    x = np.array([1.0, -2.0, 3.0])
    dtheta = target(x, 2.0)
    assert np.allclose(dtheta, x), f"Wrong value for x={x}, theta=2.0: expected {x}, got {dtheta}"
    _passed()


def gradient_check_test(target):
    """Check that gradient_check finds no mistake in a correct 1-D backward propagation."""
    for x, theta in [(3, 4), (2, 4), (-1.5, 0.5)]:
        difference = target(x, theta)
        assert difference is not None, "gradient_check returned None. Did you compute difference?"
        assert not isinstance(difference, np.ndarray), (
            "difference should be a number. Use np.linalg.norm for the numerator and the denominator."
        )
        assert np.isfinite(difference), f"difference is {difference} for x={x}, theta={theta}"
        assert difference < 2e-7, (
            f"difference = {difference} for x={x}, theta={theta} is too large for a correct backward "
            "propagation. Check gradapprox = (J_plus - J_minus) / (2 * epsilon)."
        )
    _passed()


def gradient_check_n_test(target, parameters, gradients, X, Y):
    """Check gradient_check_n on the notebook's test problem.

    Args:
        target: the student's gradient_check_n.
        parameters, gradients, X, Y: as built in the notebook from gradient_check_n_test_case(),
            forward_propagation_n and backward_propagation_n.
    """
    difference = target(parameters, gradients, X, Y)
    assert difference is not None, "gradient_check_n returned None. Did you compute difference?"
    assert not isinstance(difference, np.ndarray), (
        "You are not using np.linalg.norm for numerator or denominator"
    )
    expected_values = list(_EXPECTED_N_DIFFERENCES.values())
    assert np.any(np.isclose(difference, expected_values)), (
        f"Wrong value: difference = {difference}. It is not one of the expected values {expected_values}"
    )
    _passed()
