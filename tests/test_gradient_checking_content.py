"""Content of the bundled gradient_checking assignment (fast tier: no kernels).

Checks the reference solutions numerically, the support modules students import, the
public tests, and the generated notebooks: valid nbformat, each fixture carrying exactly
the behaviour its name promises, and build scripts that regenerate the committed files
byte for byte. Function cells are executed in-process (only the cells that define
functions, so fixtures that kill the kernel or loop forever are safe to inspect).
"""

from __future__ import annotations

import copy
import importlib.util
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

import reference.gradient_checking as ref

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT_DIR = REPO / "assignments" / "gradient_checking"
SAMPLES_DIR = ASSIGNMENT_DIR / "samples"
FIXTURES_DIR = REPO / "tests" / "fixtures" / "gradient_checking"

PARAMETER_SHAPES = {"W1": (5, 4), "b1": (5, 1), "W2": (3, 5), "b2": (3, 1), "W3": (1, 3), "b3": (1, 1)}
GRADIENT_KEYS = tuple("d" + key for key in PARAMETER_SHAPES)

# The notebook's printed differences on gradient_check_n_test_case(), from the original course.
ORIGINAL_DIFFERENCE_WITH_BUGS = 0.2850931567761623
ORIGINAL_DIFFERENCE_CORRECT = 1.1890913024229996e-07


def _load(path: Path, name: str):
    """Import a module from ``path`` without putting its folder on sys.path."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    # dataclasses look the defining module up in sys.modules while the class is created.
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


gc_utils = _load(ASSIGNMENT_DIR / "gc_utils.py", "_gc_content_gc_utils")
test_cases = _load(ASSIGNMENT_DIR / "testCases.py", "_gc_content_testCases")
public_tests = _load(ASSIGNMENT_DIR / "public_tests.py", "_gc_content_public_tests")
build_notebooks = _load(ASSIGNMENT_DIR / "build_notebooks.py", "_gc_content_build_notebooks")
build_fixtures = _load(FIXTURES_DIR / "build_fixtures.py", "_gc_content_build_fixtures")


def _problem(seed: int, m: int):
    """A well-conditioned random problem for the 4-5-3-1 network.

    Weights are scaled by 0.5 so that Z3 stays small: with a saturated sigmoid,
    -log(1 - A3) loses digits and central differences stop being accurate to 1e-7.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((4, m))
    Y = rng.integers(0, 2, size=(1, m)).astype(float)
    parameters = {key: 0.5 * rng.standard_normal(shape) for key, shape in PARAMETER_SHAPES.items()}
    return X, Y, parameters


def _central_differences(parameters, X, Y, epsilon):
    """Numerical gradient of the reference cost, entry by entry (no flattening helpers)."""
    numerical = {}
    for key, value in parameters.items():
        gradient = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            plus = {k: v.copy() for k, v in parameters.items()}
            minus = {k: v.copy() for k, v in parameters.items()}
            plus[key][index] += epsilon
            minus[key][index] -= epsilon
            J_plus, _ = ref.forward_propagation_n(X, Y, plus)
            J_minus, _ = ref.forward_propagation_n(X, Y, minus)
            gradient[index] = (J_plus - J_minus) / (2 * epsilon)
        numerical["d" + key] = gradient
    return numerical


def _relative_difference(a, b):
    return np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b))


def _flat(gradients):
    return np.concatenate([np.ravel(gradients[key]) for key in GRADIENT_KEYS])


# ---------------------------------------------------------------------------
# Reference solutions
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_reference_backward_matches_central_differences(seed):
    X, Y, parameters = _problem(seed, m=5 + seed)
    _, cache = ref.forward_propagation_n(X, Y, parameters)
    analytic = ref.backward_propagation_n(X, Y, cache)
    # epsilon 1e-6 rather than the notebook's 1e-7: less round-off in the estimate.
    numerical = _central_differences(parameters, X, Y, epsilon=1e-6)
    for key in GRADIENT_KEYS:
        assert analytic[key].shape == numerical[key].shape, key
    assert _relative_difference(_flat(analytic), _flat(numerical)) <= 1e-7


def test_reference_backward_returns_every_intermediate_gradient():
    X, Y, parameters = test_cases.gradient_check_n_test_case()
    _, cache = ref.forward_propagation_n(X, Y, parameters)
    gradients = ref.backward_propagation_n(X, Y, cache)
    assert set(gradients) == {"dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"}


def test_reference_forward_cost_is_a_float_and_cache_is_ordered():
    X, Y, parameters = test_cases.gradient_check_n_test_case()
    cost, cache = ref.forward_propagation_n(X, Y, parameters)
    assert isinstance(cost, float)  # np.float64 subclasses float
    assert np.ndim(cost) == 0
    assert len(cache) == 12
    assert cache[2] is parameters["W1"] and cache[6] is parameters["W2"] and cache[10] is parameters["W3"]
    assert cache[9].shape == (1, 3)


def test_reference_scalar_functions():
    assert ref.forward_propagation(2, 4) == 8
    assert ref.backward_propagation(3, 4) == 3
    np.testing.assert_array_equal(ref.forward_propagation(np.array([1.0, 2.0]), 3.0), [3.0, 6.0])


def test_reference_gradient_check_is_tiny_for_a_correct_backward(capsys):
    assert ref.gradient_check(2, 4) < 1e-7
    ref.gradient_check(3, 4, print_msg=True)
    assert "works perfectly fine" in capsys.readouterr().out


def test_reference_gradient_check_n_separates_correct_from_buggy():
    X, Y, parameters = test_cases.gradient_check_n_test_case()
    _, cache = ref.forward_propagation_n(X, Y, parameters)
    gradients = ref.backward_propagation_n(X, Y, cache)
    assert ref.gradient_check_n(parameters, gradients, X, Y) < 2e-7

    buggy = dict(gradients, dW2=gradients["dW2"] * 2)
    assert ref.gradient_check_n(parameters, buggy, X, Y) > 1e-2


def test_reference_reproduces_the_original_notebook_numbers():
    X, Y, parameters = test_cases.gradient_check_n_test_case()
    _, cache = ref.forward_propagation_n(X, Y, parameters)
    gradients = ref.backward_propagation_n(X, Y, cache)
    shipped = dict(gradients, dW2=gradients["dW2"] * 2, db1=gradients["db1"] * 4)
    assert np.isclose(ref.gradient_check_n(parameters, gradients, X, Y), ORIGINAL_DIFFERENCE_CORRECT)
    assert np.isclose(ref.gradient_check_n(parameters, shipped, X, Y), ORIGINAL_DIFFERENCE_WITH_BUGS)
    assert np.isclose(ref.gradient_check(3, 4), 7.814075313343006e-11, rtol=1e-3, atol=0)


# ---------------------------------------------------------------------------
# Support modules
# ---------------------------------------------------------------------------


def test_test_case_shapes_and_seed():
    X, Y, parameters = test_cases.gradient_check_n_test_case()
    assert X.shape == (4, 3)
    assert Y.shape == (1, 3)
    assert {key: value.shape for key, value in parameters.items()} == PARAMETER_SHAPES
    X_again, _, parameters_again = test_cases.gradient_check_n_test_case()
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(parameters["W3"], parameters_again["W3"])


def test_dictionary_to_vector_round_trip():
    _, _, parameters = test_cases.gradient_check_n_test_case()
    theta, keys = gc_utils.dictionary_to_vector(parameters)
    assert theta.shape == (47, 1)
    assert keys == [key for key, shape in PARAMETER_SHAPES.items() for _ in range(int(np.prod(shape)))]
    np.testing.assert_array_equal(theta[:20, 0], parameters["W1"].ravel())
    np.testing.assert_array_equal(theta[46, 0], parameters["b3"][0, 0])

    restored = gc_utils.vector_to_dictionary(theta)
    assert list(restored) == list(PARAMETER_SHAPES)
    for key, value in parameters.items():
        assert restored[key].shape == value.shape
        np.testing.assert_array_equal(restored[key], value)


def test_gradients_to_vector_uses_the_parameter_order_and_ignores_other_keys():
    _, _, parameters = test_cases.gradient_check_n_test_case()
    gradients = {"d" + key: value for key, value in parameters.items()}
    gradients["dZ1"] = np.ones((5, 3))
    theta, _ = gc_utils.dictionary_to_vector(parameters)
    np.testing.assert_array_equal(gc_utils.gradients_to_vector(gradients), theta)


def test_activations():
    np.testing.assert_array_equal(gc_utils.relu(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 2.0])
    assert gc_utils.sigmoid(0.0) == 0.5


# ---------------------------------------------------------------------------
# Public tests (the notebook's own checks)
# ---------------------------------------------------------------------------


def test_public_tests_pass_on_the_reference(capsys):
    public_tests.forward_propagation_test(ref.forward_propagation)
    public_tests.backward_propagation_test(ref.backward_propagation)
    public_tests.gradient_check_test(ref.gradient_check)
    X, Y, parameters = test_cases.gradient_check_n_test_case()
    _, cache = ref.forward_propagation_n(X, Y, parameters)
    gradients = ref.backward_propagation_n(X, Y, cache)
    public_tests.gradient_check_n_test(ref.gradient_check_n, parameters, gradients, X, Y)
    assert capsys.readouterr().out.count("All tests passed.") == 4


@pytest.mark.parametrize(
    "test_name, wrong",
    [
        ("forward_propagation_test", lambda x, theta: theta + x),
        ("forward_propagation_test", lambda x, theta: None),
        ("backward_propagation_test", lambda x, theta: theta),
        ("gradient_check_test", lambda x, theta, epsilon=1e-7, print_msg=False: 0.5),
        ("gradient_check_test", lambda x, theta, epsilon=1e-7, print_msg=False: np.array([0.0])),
    ],
)
def test_public_tests_reject_wrong_implementations(test_name, wrong):
    with pytest.raises(AssertionError):
        getattr(public_tests, test_name)(wrong)


def test_public_gradient_check_n_test_rejects_a_lazy_check():
    X, Y, parameters = test_cases.gradient_check_n_test_case()
    _, cache = ref.forward_propagation_n(X, Y, parameters)
    gradients = ref.backward_propagation_n(X, Y, cache)
    with pytest.raises(AssertionError):
        public_tests.gradient_check_n_test(lambda *args, **kwargs: 0.0, parameters, gradients, X, Y)


# ---------------------------------------------------------------------------
# Generated notebooks
# ---------------------------------------------------------------------------

ALL_NOTEBOOKS = sorted(
    [ASSIGNMENT_DIR / build_notebooks.STARTER_FILENAME, *SAMPLES_DIR.glob("*.ipynb"), *FIXTURES_DIR.glob("*.ipynb")]
)


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=nbformat.NO_CONVERT)


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_notebook_is_valid_nbformat_v4(path):
    nb = _read(path)
    nbformat.validate(nb)
    assert nb.nbformat == 4
    assert nb.metadata.kernelspec.name == "python3"


def test_starter_structure():
    nb = _read(ASSIGNMENT_DIR / build_notebooks.STARTER_FILENAME)
    sources = [cell.source for cell in nb.cells if cell.cell_type == "code"]
    imports = sources[0].splitlines()
    for line in (
        "import numpy as np",
        "from testCases import *",
        "from public_tests import *",
        "from gc_utils import sigmoid, relu, dictionary_to_vector, vector_to_dictionary, gradients_to_vector",
        "%load_ext autoreload",
        "%autoreload 2",
    ):
        assert line in imports
    for name in ("forward_propagation", "backward_propagation", "gradient_check", "gradient_check_n"):
        (cell,) = [s for s in sources if s.startswith(f"# GRADED FUNCTION: {name}\n")]
        assert "# YOUR CODE STARTS HERE" in cell and "# YOUR CODE ENDS HERE" in cell
    backward_n = next(s for s in sources if s.startswith("def backward_propagation_n("))
    assert "dW2 = 1. / m * np.dot(dZ2, A1.T) * 2\n" in backward_n
    assert "db1 = 4. / m * np.sum(dZ1, axis=1, keepdims=True)\n" in backward_n
    assert sources[-1].splitlines()[-1] == "gradient_check_n_test(gradient_check_n, parameters, gradients, X, Y)"


def test_sample_starter_is_the_starter():
    assert (SAMPLES_DIR / "starter.ipynb").read_bytes() == (
        ASSIGNMENT_DIR / build_notebooks.STARTER_FILENAME
    ).read_bytes()


def test_solution_differs_from_starter_only_inside_the_student_blocks():
    for name in ("forward_propagation", "backward_propagation", "gradient_check", "gradient_check_n"):
        outside = [
            _outside_student_blocks(build_notebooks.STARTER[name]),
            _outside_student_blocks(build_notebooks.SOLUTION[name]),
        ]
        assert outside[0] == outside[1], name


def _outside_student_blocks(code: str) -> list[str]:
    lines, inside = [], False
    for line in code.splitlines():
        if "# YOUR CODE STARTS HERE" in line:
            inside = True
        elif "# YOUR CODE ENDS HERE" in line:
            inside = False
        elif not inside:
            lines.append(line)
    return lines


# --- executing the function cells in-process --------------------------------


def _define_functions(path: Path) -> dict:
    """Execute the cells of ``path`` that define functions; return the namespace."""
    namespace = {"np": np}
    for name in ("sigmoid", "relu", "dictionary_to_vector", "vector_to_dictionary", "gradients_to_vector"):
        namespace[name] = getattr(gc_utils, name)
    for cell in _read(path).cells:
        if cell.cell_type == "code" and cell.id.startswith("def-"):
            exec(compile(cell.source, f"{path.name}:{cell.id}", "exec"), namespace)
    return namespace


def _reference_backward(X, Y, parameters):
    _, cache = ref.forward_propagation_n(X, Y, parameters)
    return ref.backward_propagation_n(X, Y, cache)


def _student_backward(namespace, X, Y, parameters, name="backward_propagation_n"):
    """Call the notebook's backward on fresh copies of X, Y and the reference cache."""
    _, cache = ref.forward_propagation_n(X, Y, copy.deepcopy(parameters))
    return namespace[name](X.copy(), Y.copy(), copy.deepcopy(cache))


def _differing_keys(got: dict, want: dict) -> set[str]:
    differing = set()
    for key in GRADIENT_KEYS:
        if key not in got or np.shape(got[key]) != np.shape(want[key]) or not np.allclose(got[key], want[key]):
            differing.add(key)
    return differing


def test_correct_sample_matches_the_reference():
    namespace = _define_functions(SAMPLES_DIR / "correct.ipynb")
    X, Y, parameters = test_cases.gradient_check_n_test_case()
    assert namespace["forward_propagation"](2, 4) == ref.forward_propagation(2, 4)
    assert namespace["backward_propagation"](3, 4) == ref.backward_propagation(3, 4)
    assert namespace["gradient_check"](2, 4) == ref.gradient_check(2, 4)
    cost, _ = namespace["forward_propagation_n"](X, Y, parameters)
    assert cost == ref.forward_propagation_n(X, Y, parameters)[0]
    gradients = _student_backward(namespace, X, Y, parameters)
    assert not _differing_keys(gradients, _reference_backward(X, Y, parameters))
    assert np.isclose(namespace["gradient_check_n"](parameters, gradients, X, Y), ORIGINAL_DIFFERENCE_CORRECT)


def test_starter_sample_functions_are_unfilled():
    namespace = _define_functions(SAMPLES_DIR / "starter.ipynb")
    X, Y, parameters = test_cases.gradient_check_n_test_case()
    assert namespace["forward_propagation"](2, 4) is None
    assert namespace["backward_propagation"](3, 4) is None
    assert namespace["gradient_check"](3, 4) is None
    with pytest.raises(TypeError):
        namespace["gradient_check"](3, 4, print_msg=True)
    gradients = _student_backward(namespace, X, Y, parameters)
    with pytest.raises(TypeError):
        namespace["gradient_check_n"](parameters, gradients, X, Y)


def test_original_bugs_sample_reproduces_the_original_difference():
    namespace = _define_functions(SAMPLES_DIR / "original_bugs.ipynb")
    X, Y, parameters = test_cases.gradient_check_n_test_case()
    gradients = _student_backward(namespace, X, Y, parameters)
    assert _differing_keys(gradients, _reference_backward(X, Y, parameters)) == {"dW2", "db1"}
    assert np.isclose(namespace["gradient_check_n"](parameters, gradients, X, Y), ORIGINAL_DIFFERENCE_WITH_BUGS)


def test_lazy_gradient_check_sample_cannot_detect_bugs():
    namespace = _define_functions(SAMPLES_DIR / "lazy_gradient_check.ipynb")
    X, Y, parameters = test_cases.gradient_check_n_test_case()
    gradients = _reference_backward(X, Y, parameters)
    buggy = dict(gradients, dW2=gradients["dW2"] * 2)
    assert namespace["gradient_check_n"](parameters, buggy, X, Y) == 0.0
    # gradient_check never calls backward_propagation, so a wrong one goes unnoticed.
    namespace["backward_propagation"] = lambda x, theta: 2 * x
    assert namespace["gradient_check"](3, 4) < 2e-7


def test_forward_bug_sample_changes_the_cost_but_stays_finite():
    namespace = _define_functions(SAMPLES_DIR / "forward_bug.ipynb")
    X, Y, parameters = test_cases.gradient_check_n_test_case()
    cost, _ = namespace["forward_propagation_n"](X, Y, parameters)
    assert np.isfinite(cost)
    assert not np.isclose(cost, ref.forward_propagation_n(X, Y, parameters)[0])


# --- fixtures ---------------------------------------------------------------

# Inputs with m = 6, so that a (1, m) shape cannot be confused with (3, 1).
_M = 6


def _scaled(factor):
    def check(key):
        def verify(got, want):
            np.testing.assert_allclose(got[key], factor * want[key], rtol=1e-12, atol=0)
        return verify
    return check


# fixture -> (gradient keys that must differ from the reference, extra check or None)
BACKWARD_FIXTURES = {
    "correct": (set(), None),
    "cell_raises": (set(), None),
    "syntax_error": (set(), None),
    "colab_import": (set(), None),
    "infinite_loop": (set(), None),
    "kernel_dies": (set(), None),
    "dW2_times_2": ({"dW2"}, _scaled(2)("dW2")),
    "fake_score": ({"dW2"}, _scaled(2)("dW2")),
    "db1_4_over_m": ({"db1"}, _scaled(4)("db1")),
    "dW3_missing_1_over_m": ({"dW3"}, _scaled(_M)("dW3")),
    "db3_sign_flip": ({"db3"}, _scaled(-1)("db3")),
    "original_bugs": ({"dW2", "db1"}, None),
    "starter": ({"dW2", "db1"}, None),
    "db2_wrong_axis": ({"db2"}, lambda got, want: _assert_shape(got["db2"], (1, _M))),
    "dW3_zeros": ({"dW3"}, lambda got, want: _assert_true(not got["dW3"].any())),
    "dW2_nan": ({"dW2"}, lambda got, want: _assert_true(np.isnan(got["dW2"]).sum() == 1 and np.isnan(got["dW2"][0, 0]))),
    "db2_absent": ({"db2"}, lambda got, want: _assert_true("db2" not in got)),
    "dW1_transposed": ({"dW1"}, lambda got, want: np.testing.assert_allclose(got["dW1"].T, want["dW1"])),
}


def _assert_shape(array, shape):
    assert np.shape(array) == shape


def _assert_true(condition):
    assert condition


@pytest.mark.parametrize("name", sorted(BACKWARD_FIXTURES))
def test_fixture_backward_has_exactly_its_bug(name):
    expected_differing, check = BACKWARD_FIXTURES[name]
    namespace = _define_functions(FIXTURES_DIR / f"{name}.ipynb")
    X, Y, parameters = _problem(seed=0, m=_M)
    got = _student_backward(namespace, X, Y, parameters)
    want = _reference_backward(X, Y, parameters)
    assert _differing_keys(got, want) == expected_differing
    if check is not None:
        check(got, want)


def test_fixture_relu_mask_wrong_array_breaks_layer_two():
    namespace = _define_functions(FIXTURES_DIR / "relu_mask_wrong_array.ipynb")
    X, Y, parameters = _problem(seed=0, m=_M)
    differing = _differing_keys(_student_backward(namespace, X, Y, parameters), _reference_backward(X, Y, parameters))
    assert "dW2" in differing
    assert differing <= {"dW2", "db2", "dW1", "db1"}


def test_fixture_returns_list():
    namespace = _define_functions(FIXTURES_DIR / "returns_list.ipynb")
    X, Y, parameters = _problem(seed=0, m=_M)
    got = _student_backward(namespace, X, Y, parameters)
    assert isinstance(got, list) and len(got) == 11


def test_fixture_float32():
    namespace = _define_functions(FIXTURES_DIR / "float32.ipynb")
    X, Y, parameters = _problem(seed=0, m=_M)
    got = _student_backward(namespace, X, Y, parameters)
    want = _reference_backward(X, Y, parameters)
    for key in GRADIENT_KEYS:
        assert got[key].dtype == np.float32
        np.testing.assert_allclose(got[key], want[key], rtol=1e-6, atol=1e-7)


def test_fixture_mutates_cache_returns_correct_values_and_zeroes_its_inputs():
    namespace = _define_functions(FIXTURES_DIR / "mutates_cache.ipynb")
    X, Y, parameters = _problem(seed=0, m=_M)
    _, cache = ref.forward_propagation_n(X, Y, copy.deepcopy(parameters))
    X_given = X.copy()
    got = namespace["backward_propagation_n"](X_given, Y.copy(), cache)
    assert not _differing_keys(got, _reference_backward(X, Y, parameters))
    assert not X_given.any() and not cache[1].any() and not cache[5].any()


def test_fixture_missing_function_is_renamed():
    namespace = _define_functions(FIXTURES_DIR / "missing_function.ipynb")
    X, Y, parameters = _problem(seed=0, m=_M)
    assert "backward_propagation_n" not in namespace
    got = _student_backward(namespace, X, Y, parameters, name="backward_propagation_N")
    assert not _differing_keys(got, _reference_backward(X, Y, parameters))


@pytest.mark.parametrize(
    "name, marker",
    [
        ("cell_raises", "1/0"),
        ("syntax_error", 'print "'),
        ("infinite_loop", "while True:"),
        ("kernel_dies", "os._exit(1)"),
        ("colab_import", "from google.colab import drive"),
        ("fake_score", "np.linalg.norm = lambda"),
    ],
)
def test_broken_fixture_has_its_extra_cell(name, marker):
    cells = _read(FIXTURES_DIR / f"{name}.ipynb").cells
    extra = [cell for cell in cells if cell.id.startswith("extra-")]
    assert len(extra) == 1 and marker in extra[0].source
    correct_ids = [cell.id for cell in _read(FIXTURES_DIR / "correct.ipynb").cells]
    assert [cell.id for cell in cells if cell is not extra[0]] == correct_ids


# --- README and determinism -------------------------------------------------


def test_fixture_readme_lists_every_fixture_and_nothing_else():
    listed = []
    for line in (FIXTURES_DIR / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("- `"):
            listed.append(line[len("- `"):line.index("`", 3)])
    on_disk = sorted(path.name for path in FIXTURES_DIR.glob("*.ipynb"))
    assert sorted(listed) == on_disk
    assert len(listed) == len(set(listed))


def _assert_same_tree(generated: list[Path], out_dir: Path, committed_dir: Path):
    for path in generated:
        committed = committed_dir / path.relative_to(out_dir)
        assert committed.exists(), f"{committed} is not committed"
        assert path.read_bytes() == committed.read_bytes(), f"{committed} differs from a fresh build"


def test_build_notebooks_is_deterministic(tmp_path, capsys):
    assert build_notebooks.main([str(tmp_path)]) == 0
    generated = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    _assert_same_tree(generated, tmp_path, ASSIGNMENT_DIR)
    assert sorted(p.name for p in SAMPLES_DIR.glob("*.ipynb")) == sorted(
        p.name for p in (tmp_path / "samples").glob("*.ipynb")
    )


def test_build_fixtures_is_deterministic(tmp_path, capsys):
    assert build_fixtures.main([str(tmp_path)]) == 0
    generated = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    _assert_same_tree(generated, tmp_path, FIXTURES_DIR)
    assert sorted(p.name for p in generated) == sorted(
        p.name for p in FIXTURES_DIR.iterdir() if p.suffix in {".ipynb", ".md"}
    )
