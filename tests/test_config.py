"""assignment.toml: loaded into frozen dataclasses; bad specs name the key and the problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader import AssignmentSpecError
from grader import UsageError
from grader.spec import load as config

BUNDLED = Path(__file__).parents[1] / "assignments" / "gradient_checking"


def test_bundled_assignment_loads():
    a = config.load("gradient_checking")
    assert a.name == "gradient_checking" and a.max_score == 10
    assert a.network.layers == (4, 5, 3, 1) and a.network.cache[9] == "A3"
    assert [c.type for c in a.checks].count("gradient") == 1
    assert all(p.is_file() for p in a.support_paths())
    assert "gradient_checking" in config.bundled_names()


def test_load_by_folder_path():
    assert config.load(str(BUNDLED)).name == "gradient_checking"


def test_misspelt_name_suggests_the_closest():
    with pytest.raises(UsageError) as info:
        config.load("gradient_cheking")
    assert "gradient_checking" in info.value.hint


def _spec(tmp_path: Path, replace: tuple[str, str] | None = None, append: str = "") -> Path:
    folder = tmp_path / "a"
    shutil.copytree(BUNDLED, folder, ignore=shutil.ignore_patterns("samples", "__pycache__"))
    text = (folder / "assignment.toml").read_text()
    if replace:
        assert replace[0] in text
        text = text.replace(*replace)
    (folder / "assignment.toml").write_text(text + append)
    return folder


@pytest.mark.parametrize("replace, words", [
    (('hidden = "relu"', 'hidden = "gelu"'), "[network.hidden] must be one of"),
    (("layers = [4, 5, 3, 1]", "layers = [4]"), "[network.layers] must be a list of at least two"),
    (('type = "value"', 'type = "values"'), "[checks[0].type] must be one of"),
    (("points = 3", "points = -3"), "points] must be a number >= 0"),
    (('"Z1", "A1"', '"Z1", "A9"'), "[network.cache] names ['A9']"),
    (('notebook = "Gradient_Checking.ipynb"', 'notebook = "nope.ipynb"'), "[notebook] names 'nope.ipynb'"),
    (("cell_timeout = 60.0", "cell_timeout = -1"), "[execution.cell_timeout] must be a positive number"),
    (("call_timeout = 30.0", "call_timeut = 30.0"), "did you mean 'call_timeout'"),
    (('args = ["x", "theta"]\nreturns = ["J"]', 'args = "x"\nreturns = ["J"]'), "args] must be a list of strings"),
    (('wrong = { replace = { gradients = "gradients_wrong" } }\n', ''), "[checks[5].wrong] is required"),
])
def test_bad_specs_name_key_and_problem(tmp_path, replace, words):
    folder = _spec(tmp_path, replace)
    with pytest.raises(AssignmentSpecError) as info:
        config.load(str(folder))
    assert words in str(info.value)
    assert "assignment.toml" in str(info.value)


def test_tolerance_overrides_and_bad_ones(tmp_path):
    a = config.load(str(_spec(tmp_path, append="\n[tolerances]\neps = 1e-6\n")))
    assert a.tolerances.eps == 1e-6 and a.tolerances.pass_below == 2e-7
    with pytest.raises(AssignmentSpecError, match="unknown tolerance"):
        config.load(str(_spec(tmp_path / "b", append="\n[tolerances]\nepsilon = 1e-6\n")))


def test_invalid_toml(tmp_path):
    folder = _spec(tmp_path, append="\n[[checks]\n")
    with pytest.raises(AssignmentSpecError, match="not valid TOML"):
        config.load(str(folder))


def test_duplicate_check_names(tmp_path):
    folder = _spec(tmp_path, ('name = "1-D backward"', 'name = "1-D forward"'))
    with pytest.raises(AssignmentSpecError, match="duplicate check names"):
        config.load(str(folder))


def test_specs_are_frozen():
    a = config.load("gradient_checking")
    with pytest.raises(AttributeError):
        a.name = "x"  # type: ignore[misc]


def test_run_all_cells_is_an_execution_key(tmp_path):
    assert config.load("gradient_checking").run_all_cells is False
    folder = _spec(tmp_path, ("cell_timeout = 60.0", "cell_timeout = 60.0\nrun_all_cells = true"))
    assert config.load(folder).run_all_cells is True
    with pytest.raises(AssignmentSpecError) as info:
        config.load(_spec(tmp_path / "b", ("cell_timeout = 60.0", "cell_timeout = 60.0\nrun_all_cells = 1")))
    assert "[execution.run_all_cells] must be true or false" in str(info.value)
