"""prune: which cells grading needs, over many cell patterns (fast tier)."""

from __future__ import annotations

import textwrap
from typing import ClassVar

import pytest

from grader.submission import prune


def _plan(*sources: str, needed=("f",), graded=None, local=("reg_utils",)):
    cells = [(i, textwrap.dedent(s)) for i, s in enumerate(sources)]
    return prune.plan(cells, needed, graded=needed if graded is None else graded, local_modules=local)


def _skipped(p) -> set[int]:
    return {s.cell for s in p.skipped}


def test_training_loop_and_plot_are_skipped():
    p = _plan(
        "import numpy as np\nimport matplotlib.pyplot as plt",
        "def f(x):\n    return np.tanh(x)",
        "def model(X, n=30000):\n    for i in range(n):\n        X = f(X)\n    return X",
        "np.random.seed(3)\nparams = model(np.ones(3))\nprint(params)",
        "plt.plot(params)\nplt.title('cost')",
    )
    assert p.run == (0, 1) and _skipped(p) == {2, 3, 4} and not p.fell_back
    reasons = {s.cell: s.reason for s in p.skipped}
    assert reasons[3] == "sets nothing the graded functions read: np.random.seed(3)"


def test_helper_function_is_needed_transitively():
    p = _plan("def helper(z):\n    return inner(z) * 2", "def inner(z):\n    return z", "def f(x):\n    return helper(x)",
              "unused = f(3)")
    assert p.run == (0, 1, 2) and _skipped(p) == {3}


def test_global_constant_and_its_inputs_are_needed():
    p = _plan("SCALE = 2.0", "BASE = SCALE * 3", "OTHER = 7", "def f(x):\n    return x * BASE")
    assert p.run == (0, 1, 3) and _skipped(p) == {2}


def test_default_values_and_decorators_are_needed():
    p = _plan("EPS = 1e-7", "def deco(fn):\n    return fn", "WIDTH = 3",
              "@deco\ndef f(x, eps=EPS):\n    return x + eps")
    assert p.run == (0, 1, 3) and _skipped(p) == {2}


def test_mutation_of_a_needed_dict_in_a_later_cell_runs():
    p = _plan("CONFIG = {'scale': 1}", "def f(x):\n    return x * CONFIG['scale']",
              "CONFIG['scale'] = 2\nexpensive = sum(range(10))", "print(CONFIG)",
              "setattr(CONFIG, 'y', 1)")
    # Cell 3 only prints, but it reads a needed data global: a method call or an
    # alias could change it, so it runs too.
    assert p.run == (0, 1, 2, 3, 4)


def test_a_method_call_on_a_needed_list_runs():
    p = _plan("LAYERS = []", "def f(x):\n    return LAYERS", "LAYERS.append(3)", "other = [1]\nother.append(2)")
    assert p.run == (0, 1, 2) and _skipped(p) == {3}


def test_attribute_assignment_on_an_imported_module_a_function_uses_runs():
    p = _plan("import numpy as np", "def f(x):\n    return np.sum(x)", "np.sum = lambda x: 0",
              "np.random.seed(1)\nresult = f([1, 2])")
    assert p.run == (0, 1, 2) and _skipped(p) == {3}


def test_star_import_cell_runs_even_with_training_in_it():
    p = _plan("from testCases import *\nparams = train()", "def f(x):\n    return x", "params = train()")
    assert p.run == (0, 1) and _skipped(p) == {2}


def test_support_module_import_runs_even_when_unused():
    p = _plan("from reg_utils import plot\nplot()", "def f(x):\n    return x")
    assert p.run == (0, 1)


def test_pure_import_and_setup_cells_always_run():
    p = _plan("import scipy.io\n%matplotlib inline\nplt.rcParams['x'] = 1.0\n%load_ext autoreload\n%autoreload 2",
              "def f(x):\n    return x")
    assert p.run == (0, 1)


def test_setup_magic_in_a_training_cell_does_not_force_it():
    p = _plan("%matplotlib inline\nparams = train()", "def f(x):\n    return x")
    assert _skipped(p) == {0}


@pytest.mark.parametrize("source", ["!pip install tqdm", "%cd data", "np.seterr(all='raise')",
                                    "sys.path.append('..')", "warnings.filterwarnings('error')"])
def test_process_state_changes_always_run(source):
    p = _plan(f"{source}\nparams = train()", "def f(x):\n    return x")
    assert p.run == (0, 1)


@pytest.mark.parametrize("source, words", [
    ("exec('def f(x): return 2')", "uses exec"),
    ("globals()['g'] = 1", "uses globals"),
    ("%run helpers.py", "uses %run"),
    ("%load helpers.py", "uses %load"),
    ("%%sql\nSELECT 1", "uses %%sql"),
    ("import sys\nsys.modules['numpy'] = None", "sys.modules"),
    ("def g():\n    return eval('1')", "uses eval"),
    ("ip = get_ipython()\nip.user_ns['g'] = 1", "uses get_ipython"),
])
def test_unsure_analysis_falls_back_to_every_cell(source, words):
    p = _plan("def f(x):\n    return x", source, "params = train()")
    assert p.fell_back and words in p.why and p.run == (0, 1, 2) and not p.skipped


def test_graded_function_defined_nowhere_falls_back():
    p = _plan("def f_typo(x):\n    return x", "params = train()")
    assert p.fell_back and "no cell defines f" in p.why and p.run == (0, 1)


def test_syntax_error_cell_runs_and_does_not_force_others():
    p = _plan("def f(x):\n    return x", "print 'hello'", "params = train()", "%matplotlib inline\nx = (")
    assert p.run == (0, 1, 3) and _skipped(p) == {2} and not p.fell_back


def test_global_statement_in_a_function_called_at_module_level():
    p = _plan("def setup():\n    global SCALE\n    SCALE = 3", "def f(x):\n    return x * SCALE",
              "setup()", "def other():\n    global JUNK\n    JUNK = 1", "other()")
    assert p.run == (0, 1, 2) and _skipped(p) == {3, 4}


def test_function_that_mutates_a_needed_global_through_another_function():
    p = _plan("STATE = {}", "def f(x):\n    return STATE.get('k', x)", "def put():\n    STATE['k'] = 1",
              "def outer():\n    put()", "outer()")
    assert p.run == (0, 1, 2, 3, 4)


def test_class_definitions_and_their_methods_dependencies():
    p = _plan("def act(z):\n    return z", "class Net:\n    def forward(self, x):\n        return act(x)",
              "NET = Net()", "def f(x):\n    return NET.forward(x)", "class Unused:\n    pass")
    assert p.run == (0, 1, 2, 3) and _skipped(p) == {4}


def test_conditional_definition_runs():
    p = _plan("FAST = True", "if FAST:\n    def f(x):\n        return x\nelse:\n    def f(x):\n        return 2 * x",
              "unused = 1")
    assert p.run == (0, 1) and _skipped(p) == {2}


def test_redefinition_in_a_later_cell_runs_both_in_order():
    p = _plan("def f(x):\n    return helper1(x)", "def helper1(x):\n    return x", "params = train()",
              "def f(x):\n    return 2 * x")
    assert p.run == (0, 1, 3) and _skipped(p) == {2}


def test_cell_that_defines_a_needed_function_and_trains_runs_with_what_training_needs():
    p = _plan("X_train = load()", "def model(X):\n    return X", "def f(x):\n    return x\nparams = model(X_train)",
              "plot(params)")
    assert p.run == (0, 1, 2) and _skipped(p) == {3}


def test_patched_globals_are_needed():
    p = _plan("def backward(x):\n    return x", "def check(x):\n    return backward(x)", "def other(x):\n    return x",
              needed=("check", "backward", "other_patch"), graded=("check",))
    assert p.run == (0, 1) and _skipped(p) == {2}


def test_time_magics_run_their_code_as_the_notebook_would():
    p = _plan("%time SCALE = 3", "%%time\nOFFSET = 1\nparams = train()", "def f(x):\n    return x * SCALE + OFFSET",
              "%timeit train()")
    assert p.run == (0, 1, 2) and _skipped(p) == {3}


def test_capture_cell_magic_binds_its_variable_and_runs_its_body():
    p = _plan("%%capture out\nimport time", "def f(x):\n    return out", "%%html\n<b>hi</b>")
    assert p.run == (0, 1) and _skipped(p) == {2}


def test_shell_output_assigned_to_a_name_binds_it():
    p = _plan("files = !ls", "def f(x):\n    return files")
    assert p.run == (0, 1)


def test_walrus_and_for_target_bind_names():
    p = _plan("if (LIMIT := 3):\n    pass", "for STEP in range(2):\n    pass", "def f(x):\n    return x + LIMIT + STEP")
    assert p.run == (0, 1, 2)


def test_del_of_a_needed_name_runs():
    p = _plan("SCALE = 1", "def f(x):\n    return x * SCALE", "del SCALE")
    assert p.run == (0, 1, 2)


def test_comprehension_variables_are_not_mistaken_for_globals():
    p = _plan("x = 5", "def f(v):\n    return [x for x in v]")
    assert _skipped(p) == {0}


def test_lambda_bound_at_module_level_counts_as_a_read_of_its_cell():
    p = _plan("def helper(z):\n    return z", "g = lambda z: helper(z)", "def f(x):\n    return g(x)")
    assert p.run == (0, 1, 2)


def test_empty_and_comment_cells_are_neither_run_nor_listed_as_skipped():
    p = _plan("", "# just a note", "def f(x):\n    return x")
    assert not p.skipped


def test_needed_names_of_the_bundled_assignments():
    from grader.spec import load as config

    needed, graded = prune.needed_names(config.load("gradient_checking"))
    assert "backward_propagation" in needed  # patched by the 1-D gradient check
    assert {"forward_propagation_n", "gradient_check_n"} <= graded
    needed, graded = prune.needed_names(config.load("regularization"))
    assert "forward_propagation_with_dropout" in graded  # a check's masks_from too
    assert prune.local_modules(config.load("regularization")) >= {"reg_utils", "testCases", "datasets"}


def _result(**execution):
    from grader.records import ExecutionSummary, SubmissionResult

    ex = ExecutionSummary(seconds=1.0, cells=5, errors=(), timed_out=False, kernel_died=False, **execution)
    return SubmissionResult("regularization", "nb.ipynb", "0" * 64, "graded", None, (), ex, 0, 0.0)


def test_feedback_lists_skipped_cells_and_validates():
    import jsonschema

    from grader.report import feedback as report
    from grader.records import SkippedCell

    r = _result(pruning="pruned", skipped=(SkippedCell(7, "sets nothing the graded functions read: model(X)"),
                                           SkippedCell(8, "sets nothing the graded functions read: plt.plot()")))
    doc = report.to_feedback(r)
    jsonschema.validate(doc, report.load_schema())
    assert doc["execution"]["pruning"] == "pruned"
    assert doc["execution"]["skipped_cells"][0] == {"cell": 7, "reason": "sets nothing the graded functions read: model(X)"}
    assert "Skipped 2 cell(s) grading does not need (training, plots, prints): 7, 8" in report.render_text(r)


def test_feedback_says_why_pruning_fell_back():
    import jsonschema

    from grader.report import feedback as report

    r = _result(pruning="fallback", pruning_note="cell 3 uses exec, which can bind names the grader cannot see")
    jsonschema.validate(report.to_feedback(r), report.load_schema())
    assert "Ran every cell: cell 3 uses exec" in report.render_text(r)


class _FakeSandbox:
    """Runs nothing; graded calls fail with NameError when any code cell was blanked."""

    runs: ClassVar[list[list[str]]] = []

    def __init__(self, assignment) -> None:
        self.pruned = False

    def run(self, nb):
        from grader.run.sandbox import ExecutionResult

        sources = [c.source for c in nb.cells if c.cell_type == "code"]
        _FakeSandbox.runs.append(sources)
        self.pruned = any(not s.strip() for s in sources)
        return ExecutionResult(0.0, len(sources), (), False, False, ())

    def defined_functions(self):
        return ("forward_propagation",)

    def call(self, function, args=(), kwargs=None, *, patch=None):
        from grader.run.sandbox import CallResult

        ename = "NameError" if self.pruned else "ZeroDivisionError"
        return CallResult(ok=False, ename=ename, evalue="boom")

    def close(self):
        pass


def test_a_name_error_after_pruning_regrades_a_full_run():
    from pathlib import Path

    from grader.spec import load as config
    from grader.grade import grade_notebook

    _FakeSandbox.runs = []
    path = Path(__file__).parents[1] / "assignments" / "gradient_checking" / "samples" / "correct.ipynb"
    r = grade_notebook(config.load("gradient_checking"), path, sandbox_factory=_FakeSandbox)
    assert len(_FakeSandbox.runs) == 2
    assert any(not s.strip() for s in _FakeSandbox.runs[0]) and all(s.strip() for s in _FakeSandbox.runs[1])
    ex = r.execution
    assert ex.pruning == "fallback" and "raised NameError when only the cells grading needs ran" in ex.pruning_note
    assert not ex.skipped and ex.cells == len(_FakeSandbox.runs[1])
    assert all("ZeroDivisionError" in c.message for c in r.checks)  # graded from the full run


@pytest.mark.slow
@pytest.mark.parametrize("sample", ["correct", "l2_only", "starter"])
def test_regularization_samples_grade_the_same_without_their_training_cells(sample):
    from pathlib import Path

    import nbformat

    from grader.spec import load as config
    from grader.grade import grade_notebook

    path = Path(__file__).parents[1] / "assignments" / "regularization" / "samples" / f"{sample}.ipynb"
    assignment = config.load("regularization")
    pruned = grade_notebook(assignment, path, seed=3)
    full = grade_notebook(assignment, path, seed=3, run_all_cells=True)
    assert [(c.name, c.status, c.score) for c in pruned.checks] == [(c.name, c.status, c.score) for c in full.checks]
    nb = nbformat.read(path, as_version=4)
    training = {i for i, c in enumerate(nb.cells) if c.cell_type == "code" and "= model(" in c.source}
    assert len(training) == 3
    assert pruned.execution.pruning == "pruned" and training <= {s.cell for s in pruned.execution.skipped}
    assert full.execution.pruning == "off" and not full.execution.skipped
