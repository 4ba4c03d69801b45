"""The Gradescope bundle: setup.sh and run_autograder at the zip's root, the project as an
sdist, and run_autograder grading a submission under a temporary AUTOGRADER_ROOT."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

import grader
from grader.cli import main

SAMPLES = Path(__file__).resolve().parents[1] / "assignments" / "gradient_checking" / "samples"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    result = CliRunner().invoke(main, ["gradescope", "gradient_checking", "-o", str(out / "autograder.zip"), "--seed", "5"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out / "autograder.zip") as zf:
        zf.extractall(out / "source")
        for info in zf.infolist():  # zipfile does not restore permissions
            mode = info.external_attr >> 16
            if mode:
                os.chmod(out / "source" / info.filename, stat.S_IMODE(mode))
    return out


def test_bundle_layout(bundle):
    with zipfile.ZipFile(bundle / "autograder.zip") as zf:
        names = set(zf.namelist())
        modes = {i.filename: i.external_attr >> 16 for i in zf.infolist()}
    sdist = f"backprop-grader-{grader.__version__}.tar.gz"
    assert {"setup.sh", "run_autograder", sdist} <= names
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    setup = (bundle / "source" / "setup.sh").read_text()
    assert "apt-get install -y python3 python3-pip" in setup and f"pip install ./{sdist}" in setup
    assert "export GRADER_SEED=5" in (bundle / "source" / "run_autograder").read_text()
    with tarfile.open(bundle / "source" / sdist) as tar:
        members = set(tar.getnames())
    top = f"backprop-grader-{grader.__version__}"
    assert {f"{top}/pyproject.toml", f"{top}/grader/grade.py"} <= members
    assert not any("__pycache__" in m for m in members)
    # The grader's sdist carries no course material; the course rides beside it, found
    # through GRADER_COURSE, in the autograder image only (students never see it).
    assert not any(m.startswith((f"{top}/reference", f"{top}/assignments")) for m in members)
    assert {"course/assignments/gradient_checking/assignment.toml", "course/reference/gradient_checking.py",
            "course/reference/fcnet.py"} <= names
    assert 'export GRADER_COURSE="$HERE/course"' in (bundle / "source" / "run_autograder").read_text()


def test_unknown_assignment_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["gradescope", "no_such_assignment", "-o", str(tmp_path / "a.zip")])
    assert result.exit_code == 2
    assert not (tmp_path / "a.zip").exists()


def _root(tmp_path: Path, notebooks: dict[str, bytes]) -> Path:
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    for name, data in notebooks.items():
        (root / "submission" / name).write_bytes(data)
    return root


def _run(bundle: Path, root: Path) -> dict:
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}
    subprocess.run([str(bundle / "source" / "run_autograder")], env=env, check=True, timeout=300,
                   stdout=subprocess.DEVNULL)
    return json.loads((root / "results" / "results.json").read_text())


@pytest.mark.slow
def test_run_autograder_grades_the_submission(bundle, tmp_path):
    root = _root(tmp_path, {"Gradient_Checking.ipynb": (SAMPLES / "original_bugs.ipynb").read_bytes()})
    doc = _run(bundle, root)
    assert doc["score"] == 9.0
    failed = [t["name"] for t in doc["tests"] if t.get("status") == "failed"]
    assert failed == ["N-D backward gradients"]


def test_run_autograder_without_a_notebook_scores_zero(bundle, tmp_path):
    root = _root(tmp_path, {"answers.txt": b"hello"})
    doc = _run(bundle, root)
    assert doc["score"] == 0.0 and "No .ipynb file" in doc["output"]
