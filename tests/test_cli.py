"""The grader command, in-process with click's CliRunner (kernel runs marked slow)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from grader.report import feedback as report
from grader.cli import main
from grader.submission import collect

SAMPLES = Path(__file__).parents[1] / "assignments" / "gradient_checking" / "samples"


def test_list():
    r = CliRunner().invoke(main, ["list"])
    assert r.exit_code == 0 and "gradient_checking" in r.output and "10 points" in r.output


def test_unknown_assignment_exits_2_with_hint(tmp_path):
    r = CliRunner().invoke(main, ["grade", "gradient_cheking", str(SAMPLES / "correct.ipynb"), "--out", str(tmp_path)])
    assert r.exit_code == 2
    assert "Hint: did you mean gradient_checking?" in r.output


def test_missing_notebook_exits_2(tmp_path):
    r = CliRunner().invoke(main, ["check", str(tmp_path / "nope.ipynb")])
    assert r.exit_code == 2 and "no such notebook" in r.output


def test_unguessable_assignment_exits_2(tmp_path):
    nb = tmp_path / "x.ipynb"
    nb.write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}')
    r = CliRunner().invoke(main, ["check", str(nb)])
    assert r.exit_code == 2 and "--assignment" in r.output


@pytest.mark.slow
def test_grade_writes_one_valid_json_per_notebook_and_exits_0(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("correct", "original_bugs"):
        shutil.copy(SAMPLES / f"{name}.ipynb", subs)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["grade", "gradient_checking", str(subs), "--out", str(out), "--seed", "5"])
    assert r.exit_code == 0, r.output
    docs = {p.stem: json.loads(p.read_text()) for p in out.glob("*.json") if p.stem != "summary"}
    assert set(docs) == {"correct", "original_bugs"}
    for doc in docs.values():
        jsonschema.validate(doc, report.load_schema())
    assert docs["correct"]["score"] == 10 and docs["original_bugs"]["score"] == 9
    assert "original_bugs" in r.output


@pytest.mark.slow
def test_check_exit_codes_and_report(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # works from any directory
    runner = CliRunner()
    ok = runner.invoke(main, ["check", str(SAMPLES / "correct.ipynb")])
    assert ok.exit_code == 0 and "Everything passes" in ok.output
    bad = runner.invoke(main, ["check", str(SAMPLES / "original_bugs.ipynb")])
    assert bad.exit_code == 1
    assert "dW2 is 2.00× the true gradient: look for an extra factor of 2." in bad.output
    as_json = runner.invoke(main, ["check", str(SAMPLES / "original_bugs.ipynb"), "--json"])
    jsonschema.validate(json.loads(as_json.output), report.load_schema())


@pytest.mark.slow
def test_gradescope_format(tmp_path):
    r = CliRunner().invoke(main, ["grade", "gradient_checking", str(SAMPLES / "original_bugs.ipynb"),
                                  "--out", str(tmp_path), "--format", "gradescope"])
    assert r.exit_code == 0, r.output
    doc = json.loads((tmp_path / "results.json").read_text())
    assert doc["score"] == 9 and len([t for t in doc["tests"] if t["visibility"] == "visible"]) == 6
    for t in doc["tests"]:
        assert {"name", "score", "max_score", "output", "visibility"} <= set(t)


@pytest.mark.parametrize("flag, expected", [([], None), (["--run-all-cells"], True)])
def test_run_all_cells_flag_reaches_grading(tmp_path, monkeypatch, flag, expected):
    from grader import batch
    from grader import cli

    seen = []

    def fake_check(spec, path, *, seed, run_all_cells, **kw):
        seen.append(run_all_cells)
        raise SystemExit(0)

    monkeypatch.setattr(cli, "grade_notebook", fake_check)
    CliRunner().invoke(main, ["check", str(SAMPLES / "correct.ipynb"), *flag])

    def fake_run(*args, run_all_cells, **kw):
        seen.append(run_all_cells)
        raise SystemExit(0)

    monkeypatch.setattr(batch, "run", fake_run)
    CliRunner().invoke(main, ["grade", "gradient_checking", str(SAMPLES / "correct.ipynb"), "--out", str(tmp_path), *flag])
    assert seen == [expected, expected]
    task = batch.plan(cli.config.load("gradient_checking"), [collect.Submission("s", SAMPLES / "correct.ipynb", "")],
                      tmp_path, assignment_ref="gradient_checking", seed=0, run_all_cells=expected)[0][0]
    assert task.run_all_cells is expected
