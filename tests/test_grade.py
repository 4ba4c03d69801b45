"""End to end: every fixture notebook graded in a real kernel, verdicts asserted.

Each fixture is the correct solution with one behaviour changed (see
tests/fixtures/gradient_checking/README.md). Graded once per session with short time
limits; the tests below read the shared results.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import jsonschema
import pytest

from grader.spec import load as config
from grader.report import feedback as report
from grader.run.sandbox import Limits
from grader.grade import grade_notebook
from grader.submission.notebook import read_notebook

FIXTURES = Path(__file__).parent / "fixtures" / "gradient_checking"
BACKWARD = "N-D backward gradients"
OTHERS = ["1-D forward", "1-D backward", "1-D gradient check", "N-D forward", "N-D gradient check"]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def assignment():
    a = config.load("gradient_checking")
    return dataclasses.replace(a, limits=Limits(cell_timeout=4.0, notebook_timeout=60.0, call_timeout=10.0))


@pytest.fixture(scope="module")
def graded(assignment):
    paths = sorted(FIXTURES.glob("*.ipynb"))
    return {p.stem: grade_notebook(assignment, p, seed=1234) for p in paths}


@pytest.fixture(scope="module")
def graded_full(assignment):
    """Every cell run (--run-all-cells): what grading gave before pruning, and the only
    way to see cells that grading does not need (1/0, while True, os._exit) fail."""
    paths = sorted(FIXTURES.glob("*.ipynb"))
    return {p.stem: grade_notebook(assignment, p, seed=1234, run_all_cells=True) for p in paths}


def _checks(result):
    return {c.name: c for c in result.checks}


def _failing_blocks(check):
    return {b.name: b.diagnosis.kind for b in check.blocks if b.status == "fail"}


def test_every_feedback_document_matches_the_schema(graded):
    schema = report.load_schema()
    for name, result in graded.items():
        doc = json.loads(json.dumps(report.to_feedback(result), allow_nan=False))
        jsonschema.validate(doc, schema)
        assert doc["status"] == "graded", name


def test_correct_notebook_gets_full_marks(graded):
    r = graded["correct"]
    assert r.score == r.max_score == 10
    assert r.execution.errors == () and not r.execution.kernel_died


@pytest.mark.parametrize(
    "fixture, blocks",
    [
        ("dW2_times_2", {"dW2": "scale"}),
        ("db1_4_over_m", {"db1": "scale"}),
        ("dW3_missing_1_over_m", {"dW3": "scale"}),
        ("db3_sign_flip", {"db3": "sign"}),
        ("db2_wrong_axis", {"db2": "shape"}),
        ("relu_mask_wrong_array", {"dW1": "relu_mask", "db1": "relu_mask", "dW2": "relu_mask", "db2": "relu_mask"}),
        ("dW3_zeros", {"dW3": "zero"}),
        ("dW2_nan", {"dW2": "nonfinite"}),
        ("db2_absent", {"db2": "missing"}),
        ("dW1_transposed", {"dW1": "transposed"}),
        ("original_bugs", {"dW2": "scale", "db1": "scale"}),
        ("returns_list", {k: "type" for k in ("dW1", "db1", "dW2", "db2", "dW3", "db3")}),
    ],
)
def test_backward_bug_catalog(graded, fixture, blocks):
    checks = _checks(graded[fixture])
    backward = checks[BACKWARD]
    assert backward.status == "fail" and backward.origin == "backward"
    assert _failing_blocks(backward) == blocks
    for name in OTHERS:
        assert checks[name].status == "pass", (name, checks[name].message)
    passing = 6 - len(blocks)
    assert backward.score == pytest.approx(3 * passing / 6)


def test_scale_factors_are_named(graded):
    def factor(fixture, block):
        check = _checks(graded[fixture])[BACKWARD]
        return next(b.diagnosis for b in check.blocks if b.name == block)

    assert factor("dW2_times_2", "dW2").factor == pytest.approx(2, rel=0.01)
    assert factor("db1_4_over_m", "db1").factor == pytest.approx(4, rel=0.01)
    d = factor("dW3_missing_1_over_m", "dW3")
    assert d.factor == pytest.approx(5, rel=0.01) and "m = 5" in d.text  # the toml's 5 examples
    assert "dW2 is 2.00× the true gradient" in _checks(graded["original_bugs"])[BACKWARD].message


def test_float32_gradients_pass(graded):
    assert _checks(graded["float32"])[BACKWARD].status == "pass"


@pytest.mark.parametrize("fixture, ename", [
    ("cell_raises", "ZeroDivisionError"),
    ("syntax_error", "SyntaxError"),
    ("colab_import", "ModuleNotFoundError"),
])
def test_broken_cells_are_recorded_and_grading_goes_on(graded_full, fixture, ename):
    r = graded_full[fixture]
    assert [e.ename for e in r.execution.errors if e.ename == ename]
    nb = read_notebook((FIXTURES / f"{fixture}.ipynb").read_bytes())[0]
    bad = next(e.cell for e in r.execution.errors if e.ename == ename)
    assert nb.cells[bad].cell_type == "code"
    assert r.score == r.max_score


def test_missing_function_suggests_the_close_name(graded):
    c = _checks(graded["missing_function"])[BACKWARD]
    assert c.status == "missing" and c.score == 0
    assert "backward_propagation_N" in c.message


def test_infinite_loop_times_out_and_functions_still_graded(graded_full):
    r = graded_full["infinite_loop"]
    assert r.execution.timed_out
    assert any(e.ename == "CellTimeoutError" for e in r.execution.errors)
    assert r.score == r.max_score


def test_dead_kernel_is_reported_and_earlier_cells_rerun(graded_full):
    r = graded_full["kernel_dies"]
    assert r.execution.kernel_died
    assert len(r.execution.rerun_without) == 1
    assert r.score == r.max_score  # the functions defined before the fatal cell are graded


def test_fake_score_gets_what_its_functions_deserve(graded):
    fake, honest = graded["fake_score"], graded["dW2_times_2"]
    assert _failing_blocks(_checks(fake)[BACKWARD]) == {"dW2": "scale"}
    assert fake.score <= honest.score < fake.max_score


def test_functions_that_mutate_their_inputs_get_fresh_copies(graded):
    assert _checks(graded["mutates_cache"])[BACKWARD].status == "pass"


def test_starter_notebook(graded, graded_full):
    checks = _checks(graded["starter"])
    assert checks["1-D forward"].status == "fail" and "None" in checks["1-D forward"].message
    assert checks["N-D forward"].status == "pass"
    assert _failing_blocks(checks[BACKWARD]) == {"dW2": "scale", "db1": "scale"}
    assert checks["N-D gradient check"].status == "error"
    assert "TypeError" in checks["N-D gradient check"].message
    assert len(graded_full["starter"].execution.errors) >= 3  # the public-test cells; pruning skips them


def test_pruning_grades_every_fixture_as_a_full_run_does(graded, graded_full):
    for name, pruned in graded.items():
        full = graded_full[name]
        assert [(c.name, c.status, c.score) for c in pruned.checks] == \
            [(c.name, c.status, c.score) for c in full.checks], name
        assert full.execution.pruning == "off" and not full.execution.skipped


@pytest.mark.parametrize("fixture, first_line", [
    ("cell_raises", "1/0"), ("infinite_loop", "while True:"), ("kernel_dies", "import os; os._exit(1)")])
def test_cells_grading_does_not_need_are_skipped_not_run(graded, fixture, first_line):
    ex = graded[fixture].execution
    assert ex.pruning == "pruned" and not ex.errors and not ex.timed_out and not ex.kernel_died
    assert any(s.reason.endswith(first_line) for s in ex.skipped)
    assert graded[fixture].score == graded[fixture].max_score


def test_missing_function_falls_back_to_every_cell(graded):
    ex = graded["missing_function"].execution
    assert ex.pruning == "fallback" and "no cell defines backward_propagation_n" in ex.pruning_note


def test_forward_bug_is_located_in_the_forward_pass(assignment):
    r = grade_notebook(assignment, Path("assignments/gradient_checking/samples/forward_bug.ipynb"), seed=7)
    checks = _checks(r)
    assert checks["N-D forward"].status == "fail" and "Z2" in checks["N-D forward"].message
    assert checks[BACKWARD].status == "pass" and checks[BACKWARD].origin == "forward"
    assert "forward pass" in checks[BACKWARD].message


def test_lazy_gradient_checkers_lose_points(assignment):
    r = grade_notebook(assignment, Path("assignments/gradient_checking/samples/lazy_gradient_check.ipynb"), seed=7)
    checks = _checks(r)
    for name in ("1-D gradient check", "N-D gradient check"):
        assert checks[name].status == "fail" and checks[name].score == checks[name].max_score / 2
        assert "cannot catch a bug" in checks[name].message


def test_secret_seed_changes_the_inputs(assignment, tmp_path):
    # A notebook that hard-codes the self-check's answer for forward_propagation
    # passes with seed 0 and fails with another seed.
    from grader.calls.inputs import draw

    x, theta = draw(assignment, 0)["x"], draw(assignment, 0)["theta"]
    nb = json.loads((FIXTURES / "correct.ipynb").read_text())
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if "def forward_propagation(" in src:
            cell["source"] = f"def forward_propagation(x, theta):\n    return {x * theta!r}\n"
    path = tmp_path / "hardcoded.ipynb"
    path.write_text(json.dumps(nb))
    assert _checks(grade_notebook(assignment, path, seed=0))["1-D forward"].status == "pass"
    assert _checks(grade_notebook(assignment, path, seed=99))["1-D forward"].status == "fail"


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00garbage\xff", "UTF-8"),
    (b"{not json", "not valid JSON"),
    (b'{"hello": 1}', "not a notebook"),
])
def test_unreadable_files_are_an_error_result(assignment, tmp_path, content, words):
    path = tmp_path / "sub.ipynb"
    path.write_bytes(content)
    r = grade_notebook(assignment, path)
    assert r.status == "error" and words in r.error
    assert r.score == 0 and all(c.status == "error" for c in r.checks)
    jsonschema.validate(report.to_feedback(r), report.load_schema())


def test_markdown_only_notebook_is_graded_with_everything_missing(assignment, tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# nothing here")])
    path = tmp_path / "md.ipynb"
    nbformat.write(nb, path)
    r = grade_notebook(assignment, path)
    assert r.status == "graded" and r.score == 0
    assert {c.status for c in r.checks} == {"missing"}
