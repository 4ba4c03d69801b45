"""The deep_nn assignment's support modules, notebooks and fixtures (fast tier).

Every test-case module returns what the notebook's cells expect; the public tests pass
against the reference and fail against broken functions; the committed notebooks are
what the build scripts make.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

from reference import deep_nn as ref

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT_DIR = ROOT / "assignments" / "deep_nn"
FIXTURES_DIR = ROOT / "tests" / "fixtures" / "deep_nn"
TEST_CASE_MODULES = ("testCases", "testCases_v2", "testCases_v3", "testCases_v4", "testCases_v4a")
SUPPORT = ("dnn_utils", "dnn_utils_v2", *TEST_CASE_MODULES, "public_tests", "test_utils")


def _load(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_notebooks = _load(ASSIGNMENT_DIR / "build_notebooks.py", "_deep_nn_content_build_notebooks")
build_fixtures = _load(FIXTURES_DIR / "build_fixtures.py", "_deep_nn_content_build_fixtures")


@pytest.fixture
def support(monkeypatch):
    """The support modules as the kernel imports them: from the notebook's folder."""
    monkeypatch.syspath_prepend(str(ASSIGNMENT_DIR))
    for name in SUPPORT:
        monkeypatch.delitem(sys.modules, name, raising=False)
    yield {name: importlib.import_module(name) for name in SUPPORT}
    for name in SUPPORT:
        sys.modules.pop(name, None)


@pytest.mark.parametrize("module", TEST_CASE_MODULES)
def test_every_test_case_module_returns_the_shapes_the_notebook_expects(support, module, capsys):
    tc = support[module]
    A, W, b = tc.linear_forward_test_case()
    assert (A.shape, W.shape, b.shape) == ((3, 2), (1, 3), (1, 1))
    A_prev, W, b = tc.linear_activation_forward_test_case()
    assert (A_prev.shape, W.shape, b.shape) == ((3, 2), (1, 3), (1, 1))
    X, parameters = tc.L_model_forward_test_case()
    assert X.shape == (5, 4) and len(parameters) == 4
    X, parameters = tc.L_model_forward_test_case_2hidden()
    assert X.shape == (5, 4) and [parameters[f"W{l}"].shape for l in (1, 2, 3)] == [(4, 5), (3, 4), (1, 3)]
    Y, AL = tc.compute_cost_test_case()
    assert Y.shape == AL.shape == (1, 3)
    dZ, (A_prev, W, b) = tc.linear_backward_test_case()
    assert (dZ.shape, A_prev.shape, W.shape, b.shape) == ((3, 4), (5, 4), (3, 5), (3, 1))
    dA, ((A_prev, W, b), Z) = tc.linear_activation_backward_test_case()
    assert dA.shape == Z.shape == (1, 2) and W.shape == (1, 3)
    AL, Y, caches = tc.L_model_backward_test_case()
    assert AL.shape == Y.shape == (1, 2) and len(caches) == 2
    assert [c[0][1].shape for c in caches] == [(3, 4), (1, 3)] and [c[1].shape for c in caches] == [(3, 2), (1, 2)]
    parameters, grads = tc.update_parameters_test_case()
    assert all(grads["d" + k].shape == v.shape for k, v in parameters.items())
    assert tc.initialize_parameters_test_case() == (3, 2, 1) and tc.initialize_parameters_deep_test_case() == [5, 4, 3]
    tc.print_grads(ref.L_model_backward(*tc.L_model_backward_test_case()))
    assert capsys.readouterr().out.startswith("dW1 = ")


def test_dnn_utils_use_the_A_cache_convention(support):
    Z = np.array([[-1.0, 0.0, 2.0]])
    for module in ("dnn_utils", "dnn_utils_v2"):
        utils = support[module]
        A, cache = utils.relu(Z)
        assert cache is Z and A.tolist() == [[0.0, 0.0, 2.0]]
        A, cache = utils.sigmoid(Z)
        assert cache is Z and np.allclose(A, 1 / (1 + np.exp(-Z)))
        assert utils.relu_backward(np.ones_like(Z), Z).tolist() == [[0.0, 0.0, 1.0]]
        assert np.allclose(utils.sigmoid_backward(np.ones_like(Z), Z), A * (1 - A))


GRADED = build_notebooks.GRADED_FUNCTIONS


@pytest.mark.parametrize("name", GRADED)
def test_public_tests_pass_against_the_reference(support, name, capsys):
    getattr(support["public_tests"], f"{name}_test")(getattr(ref, name))
    assert "All tests passed" in capsys.readouterr().out


def _old_dA_convention(AL, Y, caches):
    grads = ref.L_model_backward(AL, Y, caches)
    return {(f"dA{int(k[2:]) + 1}" if k.startswith("dA") else k): v for k, v in grads.items()}


def _mutating_update(parameters, grads, learning_rate):
    for key in list(parameters):
        parameters[key] -= learning_rate * grads["d" + key]
    return parameters


@pytest.mark.parametrize("name, variant", [("L_model_backward", _old_dA_convention), ("update_parameters", _mutating_update)])
def test_public_tests_accept_the_older_conventions(support, name, variant, capsys):
    getattr(support["public_tests"], f"{name}_test")(variant)
    assert "All tests passed" in capsys.readouterr().out


def _broken(name):
    """One typical bug per graded function."""
    def wrong_scale(*args):
        out = getattr(ref, name)(*args)
        if isinstance(out, dict):
            return {k: 2 * v for k, v in out.items()}
        if isinstance(out, tuple):
            return (2 * out[0], *out[1:])
        return 2 * out
    if name == "L_model_backward":
        return lambda AL, Y, caches: {k: -v for k, v in ref.L_model_backward(AL, Y, caches).items()}
    if name == "linear_backward":
        return lambda dZ, cache: (lambda dA, dW, db: (dA, dW, np.sum(dZ, axis=0, keepdims=True)))(*ref.linear_backward(dZ, cache))
    if name == "update_parameters":
        return lambda p, g, lr: copy.deepcopy(p)
    return wrong_scale


@pytest.mark.parametrize("name", GRADED)
def test_public_tests_fail_against_a_broken_function(support, name, capsys):
    with pytest.raises(AssertionError):
        getattr(support["public_tests"], f"{name}_test")(_broken(name))


def test_committed_notebooks_are_what_the_scripts_build(tmp_path, capsys):
    assert build_notebooks.main([str(tmp_path / "a")]) == 0
    assert build_fixtures.main([str(tmp_path / "f")]) == 0
    built = [*(tmp_path / "a").rglob("*.ipynb"), *(tmp_path / "f").iterdir()]
    assert len(built) == 5 + len(build_fixtures.FIXTURES) + 1
    for path in built:
        committed = (ASSIGNMENT_DIR if "/a/" in str(path) else FIXTURES_DIR) / path.relative_to(path.parents[
            1 if path.parent.name == "samples" else 0]).as_posix()
        assert path.read_bytes() == committed.read_bytes(), path.name


def test_starter_and_solution_differ_only_inside_the_student_blocks():
    for name in GRADED:
        starter, solution = build_notebooks.STARTER[name], build_notebooks.SOLUTION[name]
        assert starter != solution
        outside = [line for line in starter.splitlines() if "YOUR CODE" not in line]
        assert starter.count("# YOUR CODE STARTS HERE") >= 1
        kept = [line for line in outside if line in solution.splitlines()]
        assert len(kept) >= len(outside) - 8, name
