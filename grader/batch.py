"""Grading a class: collect submissions, grade them on an executor, resume where a run stopped.

    SUBMISSIONS (files, folders, LMS .zip) -> ``collect`` -> [Submission(student_id, path)]
    -> ``pending`` (drop the ones whose result is current) -> executor.run(grade_one tasks)
    -> DIR/<student id>.json, written atomically by the worker as each one finishes.

A result is *current* when its ``instructor_detail.provenance`` names the same notebook
sha256, assignment, grader version and seed: a rerun skips it. Because every result is
written atomically the moment it is finished, Ctrl-C or ``kill -9`` loses at most the
submissions in flight; the next run grades only those.

Executors share one contract, ``run(tasks) -> iterator of (task, outcome)`` in
completion order, so the local process pool and a dask.distributed cluster do exactly
the same per-submission work (``grade_one``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import signal
import sys
import uuid
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from grader.report import analytics
from grader.spec import load as config
from grader.report import gradebook
from grader.report import feedback as report
from grader.errors import GraderError, UsageError
from grader.grade import factory_for, grade_notebook
from grader.submission.collect import Submission

@dataclass(frozen=True)
class Task:
    """The picklable unit of work sent to a worker (a process or a dask worker)."""

    assignment: str  # bundled name or folder: workers load the spec themselves
    student_id: str
    notebook: str
    out_dir: str
    seed: int
    gradescope: str | None = None  # also write Gradescope results to this file under out_dir
    engine: str | None = None  # "warm", "kernel", "auto"; None: the assignment's choice
    run_all_cells: bool | None = None  # None: the assignment's [execution] run_all_cells


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def provenance(doc: dict) -> dict:
    return (doc.get("instructor_detail") or {}).get("provenance") or {}


def read_result(path: Path) -> dict | None:
    """A stored result document, or None when absent or unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def is_current(doc: dict | None, *, sha256: str, assignment: str, version: str, seed: int) -> bool:
    """Whether a stored result still stands: same notebook, assignment, grader and seed."""
    if doc is None:
        return False
    p = provenance(doc)
    return (p.get("sha256") == sha256 and p.get("assignment") == assignment
            and p.get("grader_version") == version and p.get("seed") == seed)


# --- the per-submission work --------------------------------------------------------

@functools.lru_cache(maxsize=8)
def _spec(name_or_path: str) -> config.Assignment:
    return config.load(name_or_path)


def result_path(out_dir: str | Path, student_id: str) -> Path:
    return Path(out_dir) / f"{student_id}.json"


def grade_one(task: Task) -> dict:
    """Grade one submission and write ``<out_dir>/<student_id>.json`` atomically.

    Runs in a worker process (or a dask worker). Returns ``{"doc": feedback}`` or, when
    the grader itself failed on this file, ``{"broken": sentence}`` so one bad file
    never loses the batch. Instructor errors (GraderError) propagate and abort the run.
    """
    from grader import __version__

    try:
        spec = _spec(task.assignment)
        # The warm worker behind the factory lives in this process (a pool worker or a
        # dask worker) and is reused by every task it grades.
        result = grade_notebook(spec, Path(task.notebook), seed=task.seed, sandbox_factory=factory_for(task.engine),
                                run_all_cells=task.run_all_cells)
    except GraderError:
        raise
    except Exception as exc:  # the grader's own failure on one file
        return {"broken": f"{task.notebook}: {type(exc).__name__}: {exc}"}
    doc = report.to_feedback(result)
    doc["instructor_detail"]["provenance"] = {
        "student_id": task.student_id,
        "sha256": result.sha256,
        "assignment": result.assignment,
        "grader_version": __version__,
        "seed": task.seed,
        "attempt": uuid.uuid4().hex,
        "graded_at": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
    }
    if task.gradescope:
        report.write_json(Path(task.out_dir) / task.gradescope, report.to_gradescope(result))
    # Written last: the feedback file is what marks this submission as done.
    report.write_json(result_path(task.out_dir, task.student_id), doc)
    return {"doc": doc}


# --- executors ----------------------------------------------------------------------

class LocalExecutor:
    """``jobs`` worker processes (forkserver: workers do not inherit the parent's state);
    ``jobs=1`` grades in this process, which is simplest to debug and interrupt.

    A worker that dies (killed by the OOM killer, or by a submission that signals its
    parent) breaks a ProcessPoolExecutor and fails every future in it. That must cost
    at most the submission that killed it, not the batch: the unfinished tasks are run
    again in a fresh pool, and the ones that were running when it broke are retried
    one at a time, alone; one that breaks its worker even then is reported "broken".
    """

    def __init__(self, jobs: int = 1) -> None:
        if jobs < 1:
            raise UsageError(f"--jobs must be at least 1, not {jobs}")
        self.jobs = jobs

    def run(self, tasks: list[Task]) -> Iterator[tuple[Task, dict]]:
        if self.jobs == 1 or len(tasks) <= 1:
            for t in tasks:
                yield t, grade_one(t)
            return
        todo, suspects = list(tasks), []
        while todo:
            unfinished, running = yield from self._pool(todo, self.jobs)
            running = running or unfinished  # no future was marked running: suspect them all
            suspects += running
            todo = [t for t in unfinished if t not in running]
        for t in suspects:
            unfinished, _ = yield from self._pool([t], 1)
            if unfinished:
                yield t, {"broken": f"{t.notebook}: the worker process grading it died (twice)"}

    @staticmethod
    def _pool(tasks: list[Task], jobs: int):
        """Run ``tasks`` in a fresh pool, yielding results; return (unfinished, running)
        when the pool broke, else ([], [])."""
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        pool = ProcessPoolExecutor(max_workers=min(jobs, len(tasks)), mp_context=ctx, initializer=_worker_init)
        futures = {pool.submit(grade_one, t): t for t in tasks}
        todo = set(futures)
        try:
            while todo:
                running = [futures[f] for f in todo if f.running()]
                done, todo = wait(todo, return_when=FIRST_COMPLETED)
                broken = [f for f in done if isinstance(f.exception(), BrokenProcessPool)]
                for f in done:
                    if isinstance(f.exception(), SystemExit):  # _worker_init's SIGTERM, sent back
                        yield futures[f], {"broken": f"{futures[f].notebook}: the worker process grading it "
                                                     f"was terminated (SIGTERM) and closed its sandbox"}
                    elif f not in broken:
                        yield futures[f], f.result()
                if broken:
                    unfinished = [futures[f] for f in futures if f in broken or f in todo]
                    return unfinished, [t for t in running if t in unfinished]
            return [], []
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


def _worker_init() -> None:
    """In a pool worker: SIGTERM unwinds (SystemExit) so that the submission's sandbox
    is closed, and its processes killed, instead of being orphaned."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


class DaskExecutor:
    """The same work on a dask.distributed cluster (``pip install 'backprop-grader[dask]'``).

    Workers must be able to import ``grader`` and load the assignment by the same name
    or path, and write to ``--out`` (a shared file system on a cluster).
    """

    def __init__(self, scheduler: str) -> None:
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise UsageError("--executor dask needs dask.distributed",
                             hint="pip install 'backprop-grader[dask]'") from None
        self.scheduler = scheduler

    def run(self, tasks: list[Task]) -> Iterator[tuple[Task, dict]]:
        from distributed import Client, as_completed

        with Client(self.scheduler) as client:
            # pure=False: a resubmitted notebook is graded again, never served from cache.
            futures = {client.submit(grade_one, t, pure=False, key=f"grade-{t.student_id}-{uuid.uuid4().hex[:8]}"): t
                       for t in tasks}
            try:
                for f in as_completed(futures):
                    yield futures[f], f.result()
            finally:
                client.cancel(list(futures))



# --- a whole batch ------------------------------------------------------------------

@dataclass
class BatchOutcome:
    """What a batch run did.

    Attributes:
        docs: the current result of every submission that has one, by student id.
        graded: student ids graded in this run.
        skipped: student ids whose stored result was current.
        broken: one sentence per file the grader itself failed on.
        summary: the class analytics (None when the run was interrupted).
    """

    docs: dict[str, dict]
    graded: list[str]
    skipped: list[str]
    broken: list[str]
    summary: dict | None = None


def plan(spec: config.Assignment, submissions: list[Submission], out_dir: Path, *,
         assignment_ref: str, seed: int, force: bool = False,
         gradescope: bool = False, engine: str | None = None,
         run_all_cells: bool | None = None) -> tuple[list[Task], dict[str, dict]]:
    """Split submissions into tasks to grade and current results to keep (by student id).

    With ``gradescope``, each task also writes Gradescope's format: ``results.json`` for
    a single submission (what Gradescope reads), else ``gradescope/<student id>.json``.
    """
    from grader import __version__

    tasks: list[Task] = []
    current: dict[str, dict] = {}
    for sub in submissions:
        doc = None if force else read_result(result_path(out_dir, sub.student_id))
        if is_current(doc, sha256=sha256_of(sub.path), assignment=spec.name, version=__version__, seed=seed):
            current[sub.student_id] = doc
        else:
            gs = None if not gradescope else "results.json" if len(submissions) == 1 else f"gradescope/{sub.student_id}.json"
            tasks.append(Task(assignment_ref, sub.student_id, str(sub.path), str(out_dir), seed, gs, engine,
                              run_all_cells))
    return tasks, current


def run(spec: config.Assignment, submissions: list[Submission], out_dir: Path, executor, *,
        assignment_ref: str, seed: int, force: bool = False, gradescope: bool = False,
        engine: str | None = None, run_all_cells: bool | None = None, on_plan=None, on_result=None) -> BatchOutcome:
    """Grade what is not current, record every result in the gradebook, summarize the class.

    Args:
        spec: the loaded assignment; ``assignment_ref`` is how workers load it again.
        executor: a LocalExecutor or DaskExecutor.
        force: regrade even current results.
        engine: the execution engine ("warm", "kernel", "auto"); None: the assignment's.
        run_all_cells: True runs every code cell; None leaves it to the assignment.
        on_plan(to_grade, skipped): called once before grading starts.
        on_result(task, outcome): called as each submission finishes (outcome has
            "doc" or "broken").

    A KeyboardInterrupt propagates after the gradebook CSV is written for what finished.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tasks, docs = plan(spec, submissions, out_dir, assignment_ref=assignment_ref, seed=seed,
                       force=force, gradescope=gradescope, engine=engine, run_all_cells=run_all_cells)
    outcome = BatchOutcome(docs=docs, graded=[], skipped=list(docs), broken=[])
    if on_plan:
        on_plan(len(tasks), len(docs))
    con = gradebook.connect(out_dir)
    try:
        for doc in docs.values():  # a killed run may have written results it never recorded
            gradebook.record(con, doc)
        for task, result in executor.run(tasks):
            if "doc" in result:
                gradebook.record(con, result["doc"])
                outcome.docs[task.student_id] = result["doc"]
                outcome.graded.append(task.student_id)
            else:
                outcome.broken.append(result["broken"])
            if on_result:
                on_result(task, result)
    finally:
        gradebook.write_csv(con, out_dir / gradebook.CSV_NAME)
        con.close()
    order = [s.student_id for s in submissions if s.student_id in outcome.docs]
    outcome.summary = analytics.summarize([outcome.docs[i] for i in order])
    report.write_json(out_dir / "summary.json", outcome.summary)
    return outcome
