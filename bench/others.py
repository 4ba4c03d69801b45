"""The bench's reference columns: nbgrader autograde, the bare limit, the full gradient check.

Used by bench/throughput.py; each function returns seconds, or a sentence saying why
the column was skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBGRADER_VENV = ROOT / "build" / "bench-nbgrader-venv"

# Runs in a fresh interpreter: warm it up (numpy, the support modules), then time only
# exec'ing every code cell of every notebook, each in a fresh namespace and folder copy.
_BARE = r"""
import json, os, shutil, sys, time, importlib
import numpy, matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot
from IPython.core.inputtransformer2 import TransformerManager
support, work = sys.argv[1], sys.argv[3]
with open(sys.argv[2]) as f:  # a file, not argv: hundreds of notebooks overflow ARG_MAX
    notebooks = json.load(f)
os.chdir(support); sys.path.insert(0, "")
for name in os.listdir("."):
    if name.endswith(".py"):
        try:
            importlib.import_module(name[:-3])
        except Exception:
            pass
cells = [[TransformerManager().transform_cell(c) for c in nb] for nb in notebooks]
started = time.perf_counter()
for i, nb in enumerate(cells):
    ns = {"__name__": "__main__"}
    for source in nb:
        try:
            exec(compile(source, f"<cell>", "exec"), ns)
        except BaseException:
            pass
print(time.perf_counter() - started)
"""


def time_bare(notebooks: list[Path], spec, tmp: Path) -> float:
    """Seconds to exec the notebooks' cells in an already-warm Python (the limit)."""
    support = tmp / "bare-support"
    support.mkdir()
    for s in spec.support_paths():
        (shutil.copytree if s.is_dir() else shutil.copy)(s, support / s.name)
    sources = []
    for nb in notebooks:
        doc = json.loads(nb.read_text())
        sources.append(["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                        for c in doc["cells"] if c.get("cell_type") == "code"])
    listing = tmp / "bare-sources.json"
    listing.write_text(json.dumps(sources))
    out = subprocess.run([sys.executable, "-c", _BARE, str(support), str(listing), str(tmp)],
                         capture_output=True, text=True, cwd=support, timeout=600,
                         env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg", "HOME": str(support)})
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return float(out.stdout.strip().splitlines()[-1])


def _nbgrader() -> Path | str:
    """The nbgrader executable in the bench's own venv (installed on first use), or why not."""
    return _venv_tool(NBGRADER_VENV, "nbgrader", "nbgrader")


def _nbgrader_metadata(cell: dict, index: int) -> dict | None:
    """The nbgrader metadata a source notebook gives this code cell: function cells are
    solution cells, the cells that call them are autograded test cells (1 point each),
    the rest (imports, helpers) stay plain read-only cells."""
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    grade_id = str(cell.get("id") or f"cell-{index}")
    base = {"grade_id": grade_id, "schema_version": 3, "task": False}
    if source.lstrip().startswith(("# GRADED FUNCTION", "def ")):
        return {**base, "grade": False, "locked": False, "solution": True}
    if str(cell.get("id", "")).startswith("test-"):
        return {**base, "grade": True, "locked": True, "points": 1, "solution": False}
    return None


def _with_nbgrader_cells(notebook: Path, dest: Path) -> None:
    """Copy ``notebook`` to ``dest`` with nbgrader cell metadata on its code cells (by
    cell id, the same in the starter and every sample), as an instructor would add with
    nbgrader's "Create Assignment" toolbar."""
    doc = json.loads(notebook.read_text(encoding="utf-8"))
    for i, cell in enumerate(doc["cells"]):
        meta = _nbgrader_metadata(cell, i) if cell.get("cell_type") == "code" else None
        if meta is not None:
            cell.setdefault("metadata", {})["nbgrader"] = meta
    dest.write_text(json.dumps(doc, indent=1), encoding="utf-8")


def time_nbgrader(notebooks: list[Path], spec, tmp: Path) -> float | str:
    """Seconds for ``nbgrader autograde`` of the notebooks (one student each), or why skipped.

    The source notebook is the assignment's starter with nbgrader cell metadata, so
    ``generate_assignment`` accepts it; each submission carries the same metadata (a
    student's copy of the released notebook does), so autograde matches its cells.
    """
    exe = _nbgrader()
    if isinstance(exe, str):
        return exe
    course = tmp / "nbgrader-course"
    source = course / "source" / "ps1"
    source.mkdir(parents=True)
    _with_nbgrader_cells(spec.folder / spec.notebook, source / spec.notebook)
    for s in spec.support_paths():
        (shutil.copytree if s.is_dir() else shutil.copy)(s, source / s.name)
    students = [f"s{i}" for i in range(len(notebooks))]
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        "c.CourseDirectory.db_assignments = [dict(name='ps1')]\n"
        f"c.CourseDirectory.db_students = {[dict(id=s) for s in students]!r}\n"
        "c.ExecutePreprocessor.timeout = 600\n"
        "c.ClearSolutions.code_stub = {'python': '# YOUR CODE HERE\\nraise NotImplementedError()'}\n")
    for student, nb in zip(students, notebooks):
        dest = course / "submitted" / student / "ps1"
        dest.mkdir(parents=True)
        _with_nbgrader_cells(nb, dest / spec.notebook)
        for s in spec.support_paths():
            (shutil.copytree if s.is_dir() else shutil.copy)(s, dest / s.name)
    env = _venv_env(exe, course)

    def run(*a: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(exe), *a], cwd=course, capture_output=True, text=True, timeout=3600, env=env)

    prepared = run("generate_assignment", "ps1", "--force")
    if prepared.returncode != 0:
        return f"nbgrader generate_assignment failed: {_last_error(prepared)}"
    started = time.perf_counter()
    graded = run("autograde", "ps1", "--force")
    seconds = time.perf_counter() - started
    if graded.returncode != 0:
        return f"nbgrader autograde failed: {_last_error(graded)}"
    done = list((course / "autograded").glob(f"*/ps1/{spec.notebook}"))
    if len(done) != len(notebooks):
        return f"nbgrader autograde graded {len(done)} of {len(notebooks)} notebooks: {_last_error(graded)}"
    return seconds


def _last_error(proc: subprocess.CompletedProcess) -> str:
    lines = [ln for ln in (proc.stderr + proc.stdout).splitlines() if "ERROR" in ln or "Error" in ln]
    return " | ".join(lines[-3:])[:400] or (proc.stderr.strip().splitlines() or ["(no output)"])[-1][:400]


OTTER_VENV = ROOT / "build" / "bench-otter-venv"


def _venv_tool(venv: Path, package: str, tool: str) -> Path | str:
    """``tool`` in the bench's own venv for ``package`` (installed on first use), or why not."""
    exe = venv / "bin" / tool
    if exe.exists():
        return exe
    try:
        if not (venv / "bin" / "pip").exists():
            subprocess.run(["python3", "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
        pip = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", package, "ipykernel", "numpy", "scipy",
                              "matplotlib"],
                             capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"could not create {venv}: {exc}"
    if pip.returncode != 0 or not exe.exists():
        lines = [ln for ln in pip.stderr.splitlines() if "ERROR" in ln] or pip.stderr.splitlines()[-1:]
        return f"pip install {package} failed: {' '.join(lines)[:300]}"
    return exe


def _venv_env(exe: Path, home: Path) -> dict[str, str]:
    """The environment a peer tool runs in: its venv's bin first on PATH (its helper
    executables, e.g. alembic, and its venv's python3 kernel), a HOME of its own."""
    bin_dir = str(exe.parent)
    return {**os.environ, "HOME": str(home), "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
            "VIRTUAL_ENV": str(exe.parent.parent), "JUPYTER_PATH": str(exe.parent.parent / "share" / "jupyter")}


def _raw(text: str) -> dict:
    return {"cell_type": "raw", "metadata": {}, "source": text}


def _otter_master(spec, starter: Path) -> dict:
    """An Otter-format master notebook from the starter: one question per graded function
    cell, whose hidden test calls the function the way the notebook's own test cell does."""
    doc = json.loads(starter.read_text(encoding="utf-8"))
    files = [s.name for s in spec.support_paths()]
    cells = [_raw("# ASSIGNMENT CONFIG\nrequirements: null\nrun_tests: false\ninit_cell: false\n"
                  "check_all_cell: false\nexport_cell: false\nfiles:\n" + "".join(f"  - {f}\n" for f in files))]
    by_id = {c.get("id"): c for c in doc["cells"]}
    for cell in doc["cells"]:
        cid = str(cell.get("id", ""))
        if cell.get("cell_type") != "code" or not cid.startswith("def-"):
            cells.append(cell)
            continue
        name = cid[len("def-"):]
        test = by_id.get(f"test-{name}")
        cells.append(_raw(f"# BEGIN QUESTION\nname: {name}\npoints: 1"))
        cells.append(cell)
        if test is not None:
            source = "".join(test["source"]) if isinstance(test["source"], list) else test["source"]
            cells.append(_raw("# BEGIN TESTS"))
            cells.append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                          "source": '""" # BEGIN TEST CONFIG\nhidden: true\n""" # END TEST CONFIG\n' + source})
            cells.append(_raw("# END TESTS"))
        cells.append(_raw("# END QUESTION"))
    doc["cells"] = cells
    for cell in doc["cells"]:
        cell.pop("id", None)
    doc["nbformat_minor"] = 4
    return doc


def time_otter(notebooks: list[Path], spec, tmp: Path) -> float | str:
    """Seconds for ``otter run`` of each notebook against an autograder built by
    ``otter assign`` from the starter (one question per graded function), or why skipped."""
    exe = _venv_tool(OTTER_VENV, "otter-grader", "otter")
    if isinstance(exe, str):
        return exe
    work = tmp / "otter"
    work.mkdir()
    for s in spec.support_paths():
        (shutil.copytree if s.is_dir() else shutil.copy)(s, work / s.name)
    (work / "master.ipynb").write_text(json.dumps(_otter_master(spec, spec.folder / spec.notebook), indent=1))
    env = _venv_env(exe, work)
    assigned = subprocess.run([str(exe), "assign", "master.ipynb", "dist"], cwd=work, capture_output=True,
                              text=True, timeout=1800, env=env)
    zips = list((work / "dist" / "autograder").glob("*.zip"))
    if assigned.returncode != 0 or not zips:
        return f"otter assign failed: {_last_error(assigned)}"
    started = time.perf_counter()
    for i, nb in enumerate(notebooks):
        out = work / "out" / str(i)
        out.mkdir(parents=True)
        ran = subprocess.run([str(exe), "run", "-a", str(zips[0]), "-o", str(out), str(nb)], cwd=work,
                             capture_output=True, text=True, timeout=1800, env=env)
        if ran.returncode != 0:
            return f"otter run failed on {nb.name}: {_last_error(ran)}"
    return time.perf_counter() - started


def print_gradcheck() -> None:
    """Time our 784-128-64-10 check against a full per-entry central-difference check.

    The full check costs two cost evaluations per parameter entry; it is timed on a
    sample of entries and extrapolated (running all ~110,000 entries takes minutes).
    """
    sys.path.insert(0, str(ROOT / "tests"))
    from mutants.backward import make_problem

    from grader import check_gradients

    p = make_problem((784, 128, 64, 10), m=16, seed=2, output="softmax")
    net, grads = p.cost(), p.grads()
    started = time.perf_counter()
    report = check_gradients(net, p.params, grads)
    ours = time.perf_counter() - started
    entries = sum(v.size for v in p.params.values())
    sample, eps = 2000, 1e-7
    work = {k: v.copy() for k, v in p.params.items()}
    w = work["W1"].reshape(-1)
    started = time.perf_counter()
    for i in range(sample // 2):
        old = w[i]
        w[i] = old + eps
        net(work)
        w[i] = old - eps
        net(work)
        w[i] = old
    full = (time.perf_counter() - started) / sample * 2 * entries
    print(f"784-128-64-10 gradient check: ours {ours:.2f} s ({report.evaluations} cost evaluations, "
          f"passed={report.passed}); full central differences ~{full:.0f} s ({2 * entries} evaluations, "
          f"extrapolated from {sample}): {full / ours:.0f}x faster")
