"""``grader release``: what a student bundle holds, and ``grader check`` from it without the reference.

The end-to-end tests run ``python -m grader check`` in a subprocess whose import system
refuses the ``reference`` package (a meta-path blocker installed before the grader is
imported), as on a student's machine.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import reference.fcnet
import reference.gradient_checking
import reference.regularization
from grader.spec import load as config
from grader.calls import fixtures
from grader import release
from grader.report import feedback as report
from grader.cli import main

ROOT = Path(__file__).parents[1]
ASSIGNMENTS = ["gradient_checking", "regularization"]
REFERENCE_MODULES = [reference.fcnet, reference.gradient_checking, reference.regularization]

# Run the grader CLI with the reference package hidden, as a student's install has it.
_HIDE_REFERENCE = """
import importlib.abc, runpy, sys

class _NoReference(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "reference" or name.startswith("reference."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoReference())
sys.argv = ["grader", *sys.argv[1:]]
try:
    runpy.run_module("grader", run_name="__main__")
finally:
    assert not any(m == "reference" or m.startswith("reference.") for m in sys.modules)
"""


def _reference_lines() -> set[str]:
    """Every code line of every function body in the reference modules (docstrings left out)."""
    lines = set()
    for module in REFERENCE_MODULES:
        source = inspect.getsource(module)
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = node.body[1:] if ast.get_docstring(node) else node.body
            for stmt in body:
                for line in ast.get_source_segment(source, stmt).splitlines():
                    line = line.strip()
                    if len(line) >= 10 and not line.startswith("#"):
                        lines.add(line)
    return lines


@pytest.fixture(scope="module")
def bundles(tmp_path_factory):
    root = tmp_path_factory.mktemp("bundles")
    return {name: release.build(name, root / name) for name in ASSIGNMENTS}


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_bundle_holds_the_expected_files_and_no_solutions(bundles, name):
    spec = config.load(name)
    out = bundles[name]
    assert sorted(p.name for p in out.iterdir()) == release.bundle_files(spec)
    # Copied verbatim: the starter notebook, the support files and the spec.
    for rel in (spec.notebook, "assignment.toml", *spec.support):
        src, dst = spec.folder / rel, out / rel
        files = [p.relative_to(src) for p in src.rglob("*") if p.is_file()] if src.is_dir() else [Path()]
        for f in files:
            assert (dst / f).read_bytes() == (src / f).read_bytes(), rel
    assert not list(out.rglob("*.pyc")) and not list(out.rglob("reference*"))
    # What the release wrote itself holds no line of any reference function.
    with zipfile.ZipFile(out / fixtures.FIXTURES_FILE) as z:
        assert all(n.endswith(".npy") for n in z.namelist())  # wire format: arrays and a JSON manifest, no pickle
        written = [z.read("__manifest__.npy").decode("latin-1", errors="replace")]
    written += [(out / f).read_text(encoding="utf-8") for f in (fixtures.MANIFEST_FILE, release.README_FILE)]
    text = "\n".join(written)
    leaked = sorted(line for line in _reference_lines() if line in text)
    assert leaked == []
    for module in REFERENCE_MODULES:
        for fn in (n for n, v in vars(module).items() if inspect.isfunction(v)):
            assert f"def {fn}(" not in text
    manifest = json.loads((out / fixtures.MANIFEST_FILE).read_text())
    assert manifest["seed"] == fixtures.PUBLIC_SEED and manifest["assignment"] == name
    assert [c["name"] for c in manifest["checks"]] == [c.name for c in spec.checks]


def test_release_ignores_the_secret_seed_and_refuses_a_full_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_SEED", "918273")
    runner = CliRunner()
    r = runner.invoke(main, ["release", "gradient_checking", "--out", str(tmp_path / "b")])
    assert r.exit_code == 0, r.output
    assert "GRADER_SEED is ignored" in r.output
    assert fixtures.load(tmp_path / "b").seed == fixtures.PUBLIC_SEED
    assert b"918273" not in b"".join(p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file())
    again = runner.invoke(main, ["release", "gradient_checking", "--out", str(tmp_path / "b")])
    assert again.exit_code == 2 and "not an empty folder" in again.output


_STUDENT_SITE: list[Path] = []


def _student_env() -> dict[str, str]:
    """The environment of a student who installed the checker: the grader package alone
    in a folder of its own (as a wheel installs it), no course folder, no reference."""
    if not _STUDENT_SITE:
        site = Path(tempfile.mkdtemp(prefix="grader-student-site-"))
        shutil.copytree(ROOT / "grader", site / "grader", ignore=shutil.ignore_patterns("__pycache__"))
        _STUDENT_SITE.append(site)
    env = {**os.environ, "PYTHONPATH": str(_STUDENT_SITE[0])}
    env.pop("GRADER_SEED", None)
    env.pop("GRADER_COURSE", None)
    return env


def _check(notebook: Path, assignment: str | Path, *, hide_reference: bool, cwd: Path) -> tuple[int, dict]:
    env = _student_env() if hide_reference else {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GRADER_SEED", None)
    args = ["check", str(notebook), "--assignment", str(assignment), "--json"]
    cmd = [sys.executable, "-c", _HIDE_REFERENCE, *args] if hide_reference else [sys.executable, "-m", "grader", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd, env=env, timeout=900)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


def _verdicts(doc: dict) -> dict:
    return {c["name"]: (c["status"], c["score"], c["origin"],
                        tuple((b["name"], b["status"], (b.get("diagnosis") or {}).get("kind")) for b in c["blocks"]))
            for c in doc["checks"]}


@pytest.mark.slow
@pytest.mark.parametrize("name, buggy", [("gradient_checking", "original_bugs"), ("regularization", "l2_only")])
def test_check_from_a_bundle_without_the_reference(bundles, tmp_path, name, buggy):
    samples = ROOT / "assignments" / name / "samples"
    bundle = bundles[name]
    schema = report.load_schema()

    code, doc = _check(samples / "correct.ipynb", bundle, hide_reference=True, cwd=tmp_path)
    jsonschema.validate(doc, schema)
    assert code == 0 and doc["public_fixtures"] is True
    assert doc["score"] == doc["max_score"] and all(c["status"] == "pass" for c in doc["checks"])

    code, local = _check(samples / f"{buggy}.ipynb", bundle, hide_reference=True, cwd=tmp_path)
    _, live = _check(samples / f"{buggy}.ipynb", name, hide_reference=False, cwd=tmp_path)
    jsonschema.validate(local, schema)
    assert code == 1 and local["public_fixtures"] is True and live["public_fixtures"] is False
    assert _verdicts(local) == _verdicts(live)
    assert local["score"] == live["score"] < local["max_score"]


@pytest.mark.slow
def test_check_inside_a_bundle_finds_it_and_says_scores_are_indicative(bundles, tmp_path):
    bundle = bundles["gradient_checking"]
    work = tmp_path / "student"
    work.mkdir()
    for p in bundle.iterdir():
        (work / p.name).write_bytes(p.read_bytes())
    nb = work / "Gradient_Checking.ipynb"
    nb.write_bytes((ROOT / "assignments" / "gradient_checking" / "samples" / "original_bugs.ipynb").read_bytes())
    env = _student_env()
    proc = subprocess.run([sys.executable, "-c", _HIDE_REFERENCE, "check", nb.name], capture_output=True, text=True,
                          cwd=work, env=env, timeout=900)
    assert proc.returncode == 1, proc.stderr
    assert report.PUBLIC_FIXTURES_SENTENCE in proc.stdout
    assert "dW2 is 2.00× the true gradient: look for an extra factor of 2." in proc.stdout


def test_without_the_reference_the_grader_imports_and_refuses_other_seeds(bundles, tmp_path):
    # The seed is checked before the notebook runs: no kernel starts here.
    env = _student_env()
    nb = ROOT / "assignments" / "gradient_checking" / "samples" / "correct.ipynb"
    proc = subprocess.run([sys.executable, "-c", _HIDE_REFERENCE, "check", str(nb), "--assignment",
                           str(bundles["gradient_checking"]), "--seed", "5"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 2, proc.stderr
    assert "made at seed 0, not 5" in proc.stderr and "Hint: drop --seed" in proc.stderr
    empty = tmp_path / "not_a_bundle"
    empty.mkdir()
    (empty / "assignment.toml").write_bytes((bundles["gradient_checking"] / "assignment.toml").read_bytes())
    for name in config.load(bundles["gradient_checking"]).support + ("Gradient_Checking.ipynb",):
        (empty / name).write_bytes((bundles["gradient_checking"] / name).read_bytes())
    proc = subprocess.run([sys.executable, "-c", _HIDE_REFERENCE, "check", str(nb), "--assignment", str(empty)],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 2 and "holds no public_fixtures.npz" in proc.stderr
