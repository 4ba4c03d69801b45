"""The bench's reference columns: nbgrader autograde, the bare limit, the full gradient check.

Used by bench/throughput.py; each function returns seconds, or a sentence saying why
the column was skipped.
"""

from __future__ import annotations

import json
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
support, notebooks, work = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
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
    out = subprocess.run([sys.executable, "-c", _BARE, str(support), json.dumps(sources), str(tmp)],
                         capture_output=True, text=True, cwd=support, timeout=600,
                         env={"PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg", "HOME": str(support)})
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return float(out.stdout.strip().splitlines()[-1])


def _nbgrader() -> Path | str:
    """The nbgrader executable in the bench's own venv (installed on first use), or why not."""
    exe = NBGRADER_VENV / "bin" / "nbgrader"
    if exe.exists():
        return exe
    try:
        if not (NBGRADER_VENV / "bin" / "pip").exists():
            subprocess.run(["python3", "-m", "venv",
                            str(NBGRADER_VENV)], check=True, capture_output=True, timeout=300)
        pip = subprocess.run([str(NBGRADER_VENV / "bin" / "pip"), "install", "-q", "nbgrader"],
                             capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"could not create {NBGRADER_VENV}: {exc}"
    if pip.returncode != 0 or not exe.exists():
        lines = [ln for ln in pip.stderr.splitlines() if "ERROR" in ln] or pip.stderr.splitlines()[-1:]
        return f"pip install nbgrader failed: {' '.join(lines)[:300]}"
    return exe


def time_nbgrader(notebooks: list[Path], spec, tmp: Path) -> float | str:
    """Seconds for ``nbgrader autograde`` of the notebooks (one student each), or why skipped."""
    exe = _nbgrader()
    if isinstance(exe, str):
        return exe
    course = tmp / "nbgrader-course"
    source = course / "source" / "ps1"
    source.mkdir(parents=True)
    shutil.copy(spec.folder / spec.notebook, source / spec.notebook)
    for s in spec.support_paths():
        (shutil.copytree if s.is_dir() else shutil.copy)(s, source / s.name)
    (course / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.db_assignments = [dict(name='ps1')]\n"
                                              f"c.CourseDirectory.db_students = {[dict(id=f's{i}') for i in range(len(notebooks))]!r}\n"
                                              "c.ExecutePreprocessor.timeout = 600\n")
    for i, nb in enumerate(notebooks):
        dest = course / "submitted" / f"s{i}" / "ps1"
        dest.mkdir(parents=True)
        shutil.copy(nb, dest / spec.notebook)
    run = lambda *a: subprocess.run([str(exe), *a], cwd=course, capture_output=True, text=True, timeout=1800)  # noqa: E731
    prepared = run("generate_assignment", "ps1", "--force")
    if prepared.returncode != 0:
        return f"nbgrader generate_assignment failed: {prepared.stderr.strip().splitlines()[-1:]}"
    started = time.perf_counter()
    graded = run("autograde", "ps1", "--force")
    seconds = time.perf_counter() - started
    if graded.returncode != 0:
        return f"nbgrader autograde failed: {graded.stderr.strip().splitlines()[-1:]}"
    return seconds


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
