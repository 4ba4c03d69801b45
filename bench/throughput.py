"""Throughput of batch grading, side by side with other ways to run the same notebooks.

    python bench/throughput.py --copies 4 --jobs 1 [--nbgrader] [--gradcheck]

grades COPIES copies of each sample notebook with ``grader.batch`` (sandboxed execution,
every check, result files, gradebook) on the warm engine and on the kernel engine and,
in the same run, executes the same notebooks with plain
``nbclient.NotebookClient(allow_errors=True).execute()`` (one kernel per notebook), with
``nbgrader autograde`` (``--nbgrader``: in its own venv under build/, skipped with the
reason where it cannot be installed) and as the bare limit: the same cells exec'd in an
already-warm Python. It prints seconds and notebooks/s per column, ratios to the warm
grader, and our per-notebook overhead beyond the bare limit. ``--gradcheck`` also times
the 784-128-64-10 network check against a full per-entry central-difference check.
Numbers depend on the machine; nothing asserts on them.
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

from grader import batch
from grader.submission import collect
from grader.spec import load as config

sys.path.insert(0, str(Path(__file__).resolve().parent))
import breakdown  # noqa: E402  (bench/breakdown.py: where our time goes, memory over a batch)
import others  # noqa: E402  (bench/others.py: the columns that are not our grader)


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


def _time_grader(spec: config.Assignment, notebooks: list[Path], tmp: Path, jobs: int, assignment: str,
                 engine: str) -> float:
    subs, _ = collect.collect([str(p) for p in notebooks], tmp / f"work-{engine}", preferred=spec.notebook)
    started = time.perf_counter()
    batch.run(spec, subs, tmp / f"grades-{engine}", batch.LocalExecutor(jobs), assignment_ref=assignment, seed=0,
              engine=engine)
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", "-n", type=int, default=2, help="copies of each sample notebook (default 2)")
    parser.add_argument("--jobs", "-j", type=int, default=2, help="worker processes for both (default 2)")
    parser.add_argument("--assignment", default="gradient_checking")
    parser.add_argument("--samples", nargs="*", default=None,
                        help="sample notebook names or paths (default: every sample of the assignment)")
    parser.add_argument("--nbgrader", action="store_true",
                        help="also time nbgrader autograde (installs it into build/bench-nbgrader-venv)")
    parser.add_argument("--otter", action="store_true",
                        help="also time otter run (installs otter-grader into build/bench-otter-venv)")
    parser.add_argument("--no-breakdown", action="store_true",
                        help="skip the per-stage breakdown (it grades the notebooks once more, profiled)")
    parser.add_argument("--rss", type=int, default=0, metavar="N",
                        help="also grade N notebooks in one batch and print the grader's RSS at the start and end")
    parser.add_argument("--gradcheck", action="store_true",
                        help="also time the 784-128-64-10 check against a full central-difference check")
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
        columns = {"grader, warm engine": _time_grader(spec, notebooks, tmp, args.jobs, args.assignment, "warm")}
        columns["grader, kernel engine"] = _time_grader(spec, notebooks, tmp, args.jobs, args.assignment, "kernel")
        plain = columns["plain nbclient execute"] = _time_plain(notebooks, spec.support_paths(), tmp, args.jobs)
        if args.nbgrader:
            columns["nbgrader autograde"] = others.time_nbgrader(notebooks, spec, tmp)
        if args.otter:
            columns["otter run"] = others.time_otter(notebooks, spec, tmp)
        bare = columns["bare limit (cells exec'd, warm Python)"] = others.time_bare(notebooks, spec, tmp)
        stages = [] if args.no_breakdown else breakdown.breakdown(spec, notebooks, tmp / "profiled")
        rss = _rss(spec, samples, tmp, args.rss, args.jobs, args.assignment) if args.rss else None
    ours = columns["grader, warm engine"]
    print(f"notebooks: {n} ({args.copies} copies of {len(samples)} samples), jobs: {args.jobs}")
    print(f"{'':40} {'seconds':>9} {'nb/s':>8} {'warm grader throughput / this':>30}")
    for name, seconds in columns.items():
        if isinstance(seconds, str):
            print(f"{name:40} skipped: {seconds}")
            continue
        print(f"{name:40} {seconds:9.2f} {n / seconds:8.2f} {seconds / ours:29.2f}x")
    print(f"ratio grader/nbclient throughput: {(n / ours) / (n / plain):.2f}")
    print(f"warm grader overhead beyond the bare limit: {(ours - bare) / n * 1000:.0f} ms per notebook "
          f"({ours / bare:.2f}x the bare limit)")
    if stages:
        total = stages[-1][1]
        print(f"where our time goes (warm engine, profiled in one process, {n} notebooks):")
        for name, seconds in stages:
            print(f"  {name:30} {seconds:8.2f} s {seconds / n * 1000:8.1f} ms/notebook {seconds / total * 100:6.1f}%")
    if rss is not None:
        print(f"memory over a batch of {args.rss} notebooks (jobs {args.jobs}): {rss}")
    if args.gradcheck:
        others.print_gradcheck()
    return 0


def _rss(spec: config.Assignment, samples: list[Path], tmp: Path, count: int, jobs: int, assignment: str) -> str:
    folder = tmp / "rss-in"
    folder.mkdir()
    for k in range(count):
        s = samples[k % len(samples)]
        shutil.copy(s, folder / f"{s.stem}-rss{k}.ipynb")
    subs, _ = collect.collect([str(folder)], tmp / "work-rss", preferred=spec.notebook)
    with breakdown.RssSampler() as sampler:
        batch.run(spec, subs, tmp / "grades-rss", batch.LocalExecutor(jobs), assignment_ref=assignment, seed=0,
                  engine="warm")
    return sampler.summary()


if __name__ == "__main__":
    raise SystemExit(main())
