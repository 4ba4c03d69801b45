"""Throughput of batch grading against plain nbclient execution of the same notebooks.

    python bench/throughput.py --copies 4 --jobs 2

grades COPIES copies of each sample notebook with ``grader.batch`` (sandboxed execution,
every check, result files, gradebook) and, in the same run, executes the same notebooks
with plain ``nbclient.NotebookClient(allow_errors=True).execute()`` (one kernel per
notebook, the same number of worker processes), then prints notebooks/s for both and
their ratio. Numbers depend on the machine; nothing asserts on them.
"""

from __future__ import annotations

import argparse
import multiprocessing
import shlex
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from grader import batch, config


def _plain(args: tuple[str, str]) -> None:
    """Execute one notebook with nbclient in its own working folder (support files copied)."""
    import nbformat
    from nbclient import NotebookClient

    notebook, workdir = args
    nb = nbformat.read(notebook, as_version=4)
    NotebookClient(nb, allow_errors=True, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": workdir}}).execute()


def _time_plain(notebooks: list[Path], support: list[Path], tmp: Path, jobs: int) -> float:
    work = []
    for i, nb in enumerate(notebooks):
        d = tmp / "plain" / str(i)
        d.mkdir(parents=True)
        for s in support:
            shutil.copy(s, d / s.name)
        work.append((str(nb), str(d)))
    started = time.perf_counter()
    if jobs == 1:
        for w in work:
            _plain(w)
    else:
        ctx = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            list(pool.map(_plain, work))
    return time.perf_counter() - started


def _time_grader(spec: config.Assignment, notebooks: list[Path], tmp: Path, jobs: int, assignment: str) -> float:
    subs, _ = batch.collect([str(p) for p in notebooks], tmp / "work", preferred=spec.notebook)
    started = time.perf_counter()
    batch.run(spec, subs, tmp / "grades", batch.LocalExecutor(jobs), assignment_ref=assignment, seed=0)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", "-n", type=int, default=2, help="copies of each sample notebook (default 2)")
    parser.add_argument("--jobs", "-j", type=int, default=2, help="worker processes for both (default 2)")
    parser.add_argument("--assignment", default="gradient_checking")
    parser.add_argument("--samples", nargs="*", default=None,
                        help="sample notebook names or paths (default: every sample of the assignment)")
    args = parser.parse_args(argv)
    spec = config.load(args.assignment)
    sample_dir = spec.folder / "samples"
    samples = [Path(s) if Path(s).is_file() else sample_dir / s for s in args.samples] if args.samples \
        else sorted(sample_dir.glob("*.ipynb"))
    print("command:", shlex.join([Path(sys.executable).name, *sys.argv]) if argv is None
          else shlex.join(["python", "bench/throughput.py", *argv]))
    with tempfile.TemporaryDirectory(prefix="grader-bench-") as tmp_name:
        tmp = Path(tmp_name)
        notebooks = []
        for k in range(args.copies):
            for s in samples:
                dest = tmp / "in" / f"{s.stem}-{k}.ipynb"
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(s, dest)
                notebooks.append(dest)
        n = len(notebooks)
        ours = _time_grader(spec, notebooks, tmp, args.jobs, args.assignment)
        plain = _time_plain(notebooks, spec.support_paths(), tmp, args.jobs)
    print(f"notebooks: {n} ({args.copies} copies of {len(samples)} samples), jobs: {args.jobs}")
    print(f"grader (execute + checks + results): {ours:7.2f} s  {n / ours:6.2f} notebooks/s")
    print(f"plain nbclient execute:              {plain:7.2f} s  {n / plain:6.2f} notebooks/s")
    print(f"ratio grader/nbclient throughput: {(n / ours) / (n / plain):.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
