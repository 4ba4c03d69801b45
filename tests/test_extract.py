"""Comparing returned values with the reference, and describing them, in plain words."""

from __future__ import annotations

import numpy as np

from grader.run.sandbox import CallResult
from grader.calls.extract import Labeled, _failure, compare, describe


def test_describe():
    assert describe(None) == "None"
    assert describe([1, 2]) == "a list of 2 items"
    assert describe(np.zeros((2, 3), np.float32)) == "a float32 array of shape (2, 3)"
    assert describe({"dW1": 1}) == "a dict with keys dW1"
    assert describe((1,)) == "a tuple of 1 item"


def test_compare_numbers_and_arrays():
    assert compare(2.0, 2.0, "f", rtol=1e-6, atol=0) == []
    assert compare(np.array([[2.0]]), 2.0, "cost", rtol=1e-6, atol=0) == []  # a size-1 array stands for a number
    assert compare(3.0, 2.0, "f()", rtol=1e-6, atol=0) == ["f() is 3 but should be 2."]
    [msg] = compare(np.ones((2, 2)), np.zeros((2, 2)), "A", rtol=1e-6, atol=1e-9)
    assert msg.startswith("A differs in 4 of 4 entries")
    assert compare(np.ones(3), np.ones((3, 1)), "A", rtol=0, atol=0) == ["A has shape (3,) but should be (3, 1)."]
    assert compare(None, 1.0, "J", rtol=0, atol=0) == ["J should be a number but is None."]
    assert compare(np.array([np.nan]), np.array([1.0]), "J", rtol=0, atol=0) == ["J contains NaN or infinite values."]


def test_compare_structures_names_the_path():
    expected = Labeled((np.zeros(2), np.ones(2)), ("Z1", "A1"))
    [msg] = compare((np.zeros(2), np.zeros(2)), expected, "f → cache", rtol=1e-6, atol=1e-9)
    assert msg.startswith("f → cache[1] (A1) differs")
    assert compare([1.0], expected, "c", rtol=0, atol=0) == ["c should have 2 items but has 1."]
    assert compare({"a": 1.0}, {"a": 1.0, "b": 2.0}, "g", rtol=0, atol=0) == ["g lacks the key 'b'."]
    assert compare("x", {"a": 1.0}, "g", rtol=0, atol=0) == ["g should be a dict but is a str."]


def test_call_failures_become_sentences():
    f = _failure("backward", CallResult(False, ename="NameError", evalue="x"), ["backwards", "forward"], 5)
    assert f.status == "missing" and "Did you mean 'backwards'" in f.message
    f = _failure("backward", CallResult(False, ename="ZeroDivisionError", evalue="division by zero",
                                        line="line 3 in backward: 1/0"), ["backward"], 5)
    assert f.status == "error" and f.message == "backward() raised ZeroDivisionError: division by zero at line 3 in backward: 1/0."
    assert "did not return within 5 s" in _failure("f", CallResult(False, timed_out=True), ["f"], 5).message
    assert "process died" in _failure("f", CallResult(False, kernel_died=True), ["f"], 5).message
