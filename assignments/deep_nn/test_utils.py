"""Comparison helpers the notebook's public tests use (``from test_utils import ...``).

Interface-compatible with the Deep Learning Specialization's ``test_utils.py``: a test
case is a dict ``{"name": kind, "input": [args], "expected": value, "error": text}``
where kind is "datatype_check", "shape_check" or "equation_output_check";
``single_test`` and ``multiple_test`` run a list of them against ``target`` and print
how many passed, raising AssertionError if any failed.
"""

import numpy as np


def datatype_check(expected_output, target_output, error):
    """Same types, recursively through dicts, tuples and lists."""
    if isinstance(target_output, dict):
        return sum(datatype_check(expected_output[k], target_output[k], error) for k in target_output) == len(target_output)
    if isinstance(target_output, (list, tuple)):
        if not isinstance(expected_output, (list, tuple)) or len(expected_output) != len(target_output):
            return False
        return all(datatype_check(e, t, error) for e, t in zip(expected_output, target_output))
    return isinstance(target_output, type(expected_output)) or (
        np.isscalar(target_output) and np.isscalar(expected_output))


def shape_check(expected_output, target_output, error):
    """Same shapes, recursively through dicts, tuples and lists."""
    if isinstance(target_output, dict):
        return all(shape_check(expected_output[k], target_output[k], error) for k in expected_output)
    if isinstance(target_output, (list, tuple)):
        if not isinstance(expected_output, (list, tuple)) or len(expected_output) != len(target_output):
            return False
        return all(shape_check(e, t, error) for e, t in zip(expected_output, target_output))
    return np.shape(expected_output) == np.shape(target_output)


def equation_output_check(expected_output, target_output, error):
    """Equal values (np.allclose), recursively through dicts, tuples and lists."""
    if isinstance(target_output, dict):
        return all(equation_output_check(expected_output[k], target_output[k], error) for k in expected_output)
    if isinstance(target_output, (list, tuple)):
        if not isinstance(expected_output, (list, tuple)) or len(expected_output) != len(target_output):
            return False
        return all(equation_output_check(e, t, error) for e, t in zip(expected_output, target_output))
    try:
        return bool(np.allclose(target_output, expected_output))
    except (TypeError, ValueError):
        return False


_CHECKS = {"datatype_check": datatype_check, "shape_check": shape_check,
           "equation_output_check": equation_output_check}


def comparator(learner, instructor):
    """Layer summaries equal, line by line (Keras notebooks); kept for the import."""
    for a, b in zip(learner, instructor):
        if tuple(a) != tuple(b):
            raise AssertionError(f"Test failed. Expected value: {b}, got {a}")
    print("\033[92mAll tests passed!\033[0m")


def _run(test_cases, target, *, unpack):
    failed = []
    for case in test_cases:
        args = case["input"]
        output = target(*args) if unpack else target(args)
        check = _CHECKS[case["name"]]
        if not check(case["expected"], output, case["error"]):
            failed.append(case["error"])
            print(f"Error: {case['error']}")
    passed = len(test_cases) - len(failed)
    if failed:
        print(f"\033[92m {passed} Tests passed")
        print(f"\033[91m {len(failed)} Tests failed")
        raise AssertionError(f"Not all tests were passed for {target.__name__}. Check your equations and avoid "
                             "using global variables inside the function.")
    print("\033[92m All tests passed.")


def single_test(test_cases, target):
    """Run ``test_cases``, passing each case's input as ONE argument."""
    _run(test_cases, target, unpack=False)


def multiple_test(test_cases, target):
    """Run ``test_cases``, passing each case's input list as positional arguments."""
    _run(test_cases, target, unpack=True)
