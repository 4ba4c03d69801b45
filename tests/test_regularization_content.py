"""Content of the bundled regularization assignment (fast tier: no kernels).

Checks the reference solutions against the reference network's exact gradients, the
support modules and public tests students import, the shipped dataset, and the
generated notebooks: each fixture carries exactly the bug its name promises, and the
build scripts regenerate the committed files byte for byte.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

import reference.regularization as ref
from reference import fcnet

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT_DIR = REPO / "assignments" / "regularization"
SAMPLES_DIR = ASSIGNMENT_DIR / "samples"
FIXTURES_DIR = REPO / "tests" / "fixtures" / "regularization"
ARCH = fcnet.Architecture((2, 20, 3, 1))
GRADIENT_KEYS = ("dW1", "db1", "dW2", "db2", "dW3", "db3")


def _load(path: Path, name: str):
    """Import a module from ``path`` without putting its folder on sys.path."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look the module up while the class is created
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


reg_utils = _load(ASSIGNMENT_DIR / "reg_utils.py", "_reg_content_reg_utils")
test_cases = _load(ASSIGNMENT_DIR / "testCases.py", "_reg_content_testCases")
public_tests = _load(ASSIGNMENT_DIR / "public_tests.py", "_reg_content_public_tests")
build_notebooks = _load(ASSIGNMENT_DIR / "build_notebooks.py", "_reg_content_build_notebooks")
build_dataset = _load(ASSIGNMENT_DIR / "build_dataset.py", "_reg_content_build_dataset")
build_fixtures = _load(FIXTURES_DIR / "build_fixtures.py", "_reg_content_build_fixtures")


def _problem(seed=0, m=7):
    X, Y = fcnet.make_data(ARCH, m, seed)
    return X, Y, fcnet.init_params(ARCH, seed + 1)


def _cache12(X, params):
    _, c = fcnet.forward(X, params, ARCH)
    names = ("Z1", "A1", "W1", "b1", "Z2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3")
    return tuple({**c, **params}[n] for n in names)


# --- reference -----------------------------------------------------------------


def test_reference_cost_is_cross_entropy_plus_l2():
    X, Y, params = _problem()
    A3, cache = fcnet.forward(X, params, ARCH)
    want = fcnet.cost_from_logits(cache["Z3"], Y, "sigmoid") + fcnet.l2_term(params, 0.7, X.shape[1])
    assert ref.compute_cost_with_regularization(A3, Y, params, 0.7) == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("lambd", [0.0, 0.7])
def test_reference_l2_backward_is_exact(lambd):
    X, Y, params = _problem()
    got = ref.backward_propagation_with_regularization(X, Y, _cache12(X, params), lambd)
    want = fcnet.NetworkCost(ARCH, X, Y, lambd=lambd).gradients(params)
    for key in GRADIENT_KEYS:
        np.testing.assert_allclose(got[key], want[key], rtol=1e-12, atol=1e-15)


def test_reference_dropout_forward_and_backward_match_frozen_masks():
    X, Y, params = _problem()
    A3, cache = ref.forward_propagation_with_dropout(X, params, keep_prob=0.86)
    masks = {1: cache[1], 2: cache[6]}
    assert set(np.unique(cache[1])) <= {0, 1} and cache[1].shape == (20, 7)
    want_A3, want = fcnet.forward(X, params, ARCH, masks=masks, keep_prob=0.86)
    np.testing.assert_allclose(A3, want_A3, rtol=1e-12)
    np.testing.assert_allclose(cache[2], want["A1"], rtol=1e-12)
    got = ref.backward_propagation_with_dropout(X, Y, cache, 0.86)
    exact = fcnet.NetworkCost(ARCH, X, Y, masks=masks, keep_prob=0.86).gradients(params)
    for key in GRADIENT_KEYS:
        np.testing.assert_allclose(got[key], exact[key], rtol=1e-12, atol=1e-15)


# --- support modules, public tests, dataset -------------------------------------


def test_public_tests_pass_on_the_reference(capsys):
    public_tests.compute_cost_with_regularization_test(ref.compute_cost_with_regularization)
    public_tests.backward_propagation_with_regularization_test(ref.backward_propagation_with_regularization)
    public_tests.forward_propagation_with_dropout_test(ref.forward_propagation_with_dropout)
    public_tests.backward_propagation_with_dropout_test(ref.backward_propagation_with_dropout)
    assert capsys.readouterr().out.count("All tests passed.") == 4


def test_public_tests_reject_the_typical_bugs():
    def cost_over_m(A3, Y, parameters, lambd):
        return ref.compute_cost_with_regularization(A3, Y, parameters, 2 * lambd)

    def no_rescale(X, Y, cache, keep_prob):
        return ref.backward_propagation_with_dropout(X, Y, cache, 1.0)

    with pytest.raises(AssertionError):
        public_tests.compute_cost_with_regularization_test(cost_over_m)
    with pytest.raises(AssertionError):
        public_tests.backward_propagation_with_regularization_test(lambda X, Y, cache, lambd: ref.backward_propagation_with_regularization(X, Y, cache, 0.0))
    with pytest.raises(AssertionError):
        public_tests.backward_propagation_with_dropout_test(no_rescale)


def test_the_cost_test_case_reproduces_the_original_expected_value():
    A3, Y, parameters = test_cases.compute_cost_with_regularization_test_case()
    # The original notebook prints cost = 1.7864859451590758 for this test case.
    assert ref.compute_cost_with_regularization(A3, Y, parameters, lambd=0.1) == pytest.approx(1.7864859451590758, rel=1e-12)


def test_test_cases_have_the_notebook_shapes():
    X, Y, cache = test_cases.backward_propagation_with_regularization_test_case()
    assert X.shape == (3, 5) and Y.shape == (1, 5) and len(cache) == 12
    X, Y, cache = test_cases.backward_propagation_with_dropout_test_case()
    assert len(cache) == 14 and cache[1].dtype == bool and cache[6].shape == (3, 5)
    X, parameters = test_cases.forward_propagation_with_dropout_test_case()
    assert parameters["W1"].shape == (2, 3)


def test_dataset_has_the_original_shapes_and_is_reproducible(monkeypatch):
    monkeypatch.chdir(ASSIGNMENT_DIR)
    train_X, train_Y, test_X, test_Y = reg_utils.load_2D_dataset()
    assert (train_X.shape, train_Y.shape, test_X.shape, test_Y.shape) == ((2, 211), (1, 211), (2, 200), (1, 200))
    assert set(np.unique(train_Y)) == {0.0, 1.0}
    fresh = build_dataset.make_dataset()
    np.testing.assert_array_equal(train_X, fresh["X"].T)
    np.testing.assert_array_equal(test_Y, fresh["yval"].T)


def test_reg_utils_matches_the_reference_network():
    X, Y, params = _problem()
    A3, cache = reg_utils.forward_propagation(X, params)
    np.testing.assert_allclose(A3, fcnet.forward(X, params, ARCH)[0], rtol=1e-12)
    grads = reg_utils.backward_propagation(X, Y, cache)
    np.testing.assert_allclose(grads["dW1"], fcnet.NetworkCost(ARCH, X, Y).gradients(params)["dW1"], rtol=1e-10)
    assert reg_utils.predict_dec(params, X).shape == (1, 7)


# --- notebooks ----------------------------------------------------------------------


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


def _define_functions(path: Path) -> dict:
    """Execute the cells of ``path`` that define graded functions; return the namespace."""
    namespace = {"np": np, "relu": reg_utils.relu, "sigmoid": reg_utils.sigmoid, "compute_cost": reg_utils.compute_cost}
    for cell in _read(path).cells:
        if cell.cell_type == "code" and cell.id.startswith("def-"):
            exec(compile(cell.source, f"{path.name}:{cell.id}", "exec"), namespace)
    return namespace


def test_starter_keeps_the_original_imports_and_trainings():
    sources = {c.id: c.source for c in _read(ASSIGNMENT_DIR / build_notebooks.STARTER_FILENAME).cells}
    for line in ("import sklearn.datasets", "import scipy.io", "from testCases import *", "from public_tests import *",
                 "from reg_utils import compute_cost, predict, forward_propagation, backward_propagation, update_parameters"):
        assert line in sources["imports"].splitlines()
    assert "num_iterations = 30000" in sources["model"]
    assert "lambd = 0.7" in sources["train-l2"] and "keep_prob = 0.86" in sources["train-dropout"]


def test_correct_sample_matches_the_reference():
    ns = _define_functions(SAMPLES_DIR / "correct.ipynb")
    X, Y, params = _problem(seed=3)
    A3, cache = ns["forward_propagation_with_dropout"](X, params, 0.86)
    want_A3, want_cache = ref.forward_propagation_with_dropout(X, params, 0.86)
    np.testing.assert_allclose(A3, want_A3)
    got = ns["backward_propagation_with_dropout"](X, Y, cache, 0.86)
    want = ref.backward_propagation_with_dropout(X, Y, want_cache, 0.86)
    got_l2 = ns["backward_propagation_with_regularization"](X, Y, _cache12(X, params), 0.7)
    want_l2 = ref.backward_propagation_with_regularization(X, Y, _cache12(X, params), 0.7)
    for key in GRADIENT_KEYS:
        np.testing.assert_allclose(got[key], want[key])
        np.testing.assert_allclose(got_l2[key], want_l2[key])


# fixture -> (function, gradient keys or outputs that must differ from the reference)
def _differing_l2(ns, lambd=0.7):
    X, Y, params = _problem(seed=5)
    got = ns["backward_propagation_with_regularization"](X, Y, _cache12(X, params), lambd)
    want = ref.backward_propagation_with_regularization(X, Y, _cache12(X, params), lambd)
    return {k for k in GRADIENT_KEYS if not np.allclose(got[k], want[k])}


def _differing_dropout_backward(ns, keep_prob=0.86):
    X, Y, params = _problem(seed=5)
    _, cache = ref.forward_propagation_with_dropout(X, params, keep_prob)
    got = ns["backward_propagation_with_dropout"](X, Y, cache, keep_prob)
    want = ref.backward_propagation_with_dropout(X, Y, cache, keep_prob)
    return {k for k in GRADIENT_KEYS if not np.allclose(got[k], want[k])}


@pytest.mark.parametrize(
    "name, l2, dropout",
    [
        ("correct", set(), set()),
        ("l2_dW2_missing", {"dW2"}, set()),
        ("l2_dW3_twice", {"dW3"}, set()),
        ("l2_cost_over_m", set(), set()),
        ("dropout_backward_no_keep_prob", set(), {"dW1", "db1", "dW2", "db2"}),
        ("dropout_forward_no_keep_prob", set(), set()),
        ("dropout_mask_not_binary", set(), set()),
    ],
)
def test_fixture_backward_functions_have_exactly_their_bug(name, l2, dropout):
    ns = _define_functions(FIXTURES_DIR / f"{name}.ipynb")
    assert _differing_l2(ns) == l2
    assert _differing_l2(ns, lambd=0.0) == set()
    assert _differing_dropout_backward(ns) == dropout
    assert _differing_dropout_backward(ns, keep_prob=1.0) == set()


def test_fixture_forward_and_cost_bugs():
    X, Y, params = _problem(seed=5)
    A3 = np.full((1, 7), 0.3)
    cost = _define_functions(FIXTURES_DIR / "l2_cost_over_m.ipynb")["compute_cost_with_regularization"]
    assert cost(A3, Y, params, 0.7) == pytest.approx(ref.compute_cost_with_regularization(A3, Y, params, 1.4))
    _, unscaled = _define_functions(FIXTURES_DIR / "dropout_forward_no_keep_prob.ipynb")["forward_propagation_with_dropout"](X, params, 0.86)
    _, want = ref.forward_propagation_with_dropout(X, params, 0.86)
    np.testing.assert_allclose(unscaled[2], want[2] * 0.86)
    _, raw = _define_functions(FIXTURES_DIR / "dropout_mask_not_binary.ipynb")["forward_propagation_with_dropout"](X, params, 0.86)
    assert not np.all((raw[1] == 0) | (raw[1] == 1))
    np.testing.assert_allclose(raw[2], want[2])


def test_fixtures_train_briefly():
    for path in FIXTURES_DIR.glob("*.ipynb"):
        model = next(c.source for c in _read(path).cells if c.id == "model")
        assert f"num_iterations = {build_fixtures.FIXTURE_ITERATIONS}," in model


def test_fixture_readme_lists_every_fixture_and_nothing_else():
    listed = [line[3:line.index("`", 3)] for line in (FIXTURES_DIR / "README.md").read_text().splitlines()
              if line.startswith("- `")]
    assert sorted(listed) == sorted(p.name for p in FIXTURES_DIR.glob("*.ipynb"))


def _assert_same_tree(out_dir: Path, committed_dir: Path):
    generated = sorted(p for p in out_dir.rglob("*") if p.is_file())
    assert generated
    for path in generated:
        committed = committed_dir / path.relative_to(out_dir)
        assert committed.exists(), f"{committed} is not committed"
        assert path.read_bytes() == committed.read_bytes(), f"{committed} differs from a fresh build"


def test_build_notebooks_is_deterministic(tmp_path, capsys):
    assert build_notebooks.main([str(tmp_path)]) == 0
    _assert_same_tree(tmp_path, ASSIGNMENT_DIR)


def test_build_fixtures_is_deterministic(tmp_path, capsys):
    assert build_fixtures.main([str(tmp_path)]) == 0
    _assert_same_tree(tmp_path, FIXTURES_DIR)
