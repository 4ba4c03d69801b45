"""Batch grading: collecting submissions (folders, per-student folders, LMS zips), unique
ids, resuming after Ctrl-C or kill -9, and the local and dask executors agreeing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

import grader
from grader import batch
from grader.submission import collect
from grader.spec import load as config
from grader.report import gradebook
from grader.report import feedback as report
from grader.cli import main
from grader.errors import UsageError

SAMPLES = Path(__file__).resolve().parents[1] / "assignments" / "gradient_checking" / "samples"
FOUR = ["correct", "forward_bug", "original_bugs", "starter"]


def _nb(folder: Path, rel: str, content: bytes = b"{}") -> Path:
    p = folder / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(content)
    return p


# --- collecting (fast) --------------------------------------------------------------

def test_folder_of_notebooks_uses_file_stems(tmp_path):
    _nb(tmp_path / "in", "bob.ipynb")
    _nb(tmp_path / "in", "alice.ipynb")
    _nb(tmp_path / "in", ".ipynb_checkpoints/alice-checkpoint.ipynb")
    subs, notes = collect.collect([str(tmp_path / "in")], tmp_path / "work")
    assert [s.student_id for s in subs] == ["alice", "bob"]
    assert notes == []


def test_per_student_folders_use_the_folder_name_and_prefer_the_assignment_notebook(tmp_path):
    _nb(tmp_path / "in", "alice/Gradient_Checking.ipynb")
    _nb(tmp_path / "in", "alice/scratch.ipynb")
    _nb(tmp_path / "in", "bob/my work/anything.ipynb")
    subs, _ = collect.collect([str(tmp_path / "in")], tmp_path / "work", preferred="Gradient_Checking.ipynb")
    assert [(s.student_id, s.path.name) for s in subs] == [("alice", "Gradient_Checking.ipynb"), ("bob", "anything.ipynb")]


def test_colliding_ids_are_made_unique_and_reported(tmp_path):
    a = _nb(tmp_path / "x", "alice.ipynb")
    b = _nb(tmp_path / "y", "alice.ipynb")
    s = _nb(tmp_path / "z", "summary.ipynb")
    subs, notes = collect.collect([str(a), str(b), str(s)], tmp_path / "work")
    assert sorted(x.student_id for x in subs) == ["alice", "alice-2", "summary-2"]
    assert any("'alice' is already taken" in n and "'alice-2'" in n for n in notes)
    assert any("'summary' is a reserved name" in n for n in notes)


def test_zip_of_per_student_folders_with_a_top_folder(tmp_path):
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("submissions/alice/Gradient_Checking.ipynb", "{}")
        zf.writestr("submissions/bob/Gradient_Checking.ipynb", "{}")
        zf.writestr("__MACOSX/submissions/._alice", "junk")
    subs, _ = collect.collect([str(archive)], tmp_path / "work")
    assert [s.student_id for s in subs] == ["alice", "bob"]
    assert all(s.path.is_relative_to(tmp_path / "work") for s in subs)


@pytest.mark.parametrize("member", ["../evil.ipynb", "/etc/evil.ipynb", "a/../../evil.ipynb", "C:/evil.ipynb"])
def test_unsafe_zip_members_are_refused(tmp_path, member):
    archive = tmp_path / "bad.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(member, "{}")
    with pytest.raises(UsageError, match="unsafe member"):
        collect.collect([str(archive)], tmp_path / "work")
    assert not (tmp_path / "evil.ipynb").exists()


def test_zip_bombs_are_refused_by_total_size(tmp_path):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.ipynb", b"0" * 2_000_000)
    with pytest.raises(UsageError, match="limit"):
        collect.extract_zip(archive, tmp_path / "work", max_bytes=1_000_000)


def test_missing_path_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="no such file"):
        collect.collect([str(tmp_path / "nope")], tmp_path / "work")


def test_is_current_needs_same_notebook_assignment_version_and_seed():
    doc = {"instructor_detail": {"provenance": {"sha256": "a", "assignment": "x", "grader_version": "1", "seed": 0}}}
    assert batch.is_current(doc, sha256="a", assignment="x", version="1", seed=0)
    assert not batch.is_current(doc, sha256="b", assignment="x", version="1", seed=0)
    assert not batch.is_current(doc, sha256="a", assignment="x", version="2", seed=0)
    assert not batch.is_current(doc, sha256="a", assignment="x", version="1", seed=7)
    assert not batch.is_current(None, sha256="a", assignment="x", version="1", seed=0)


@pytest.mark.parametrize("args, message", [
    (["--jobs", "0"], "--jobs must be at least 1"),
    (["--executor", "dask"], "needs --scheduler"),
    (["--scheduler", "tcp://x:1"], "only used with --executor dask"),
])
def test_grade_usage_errors_exit_2(tmp_path, args, message):
    result = CliRunner().invoke(main, ["grade", "gradient_checking", str(SAMPLES / "correct.ipynb"),
                                       "--out", str(tmp_path), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output


# --- grading (slow: real kernels) ---------------------------------------------------

def _verdicts(doc: dict) -> tuple:
    """What must not depend on the executor: scores, statuses, block verdicts, diagnoses."""
    return (doc["status"], doc["score"], tuple(
        (c["name"], c["status"], c["score"],
         tuple((b["name"], b["status"], (b["diagnosis"] or {}).get("kind")) for b in c["blocks"]))
        for c in doc["checks"]))


def _results(out: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in out.glob("*.json") if p.stem != "summary"}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The four samples graded once in this process: what every other route must match."""
    out = tmp_path_factory.mktemp("reference")
    spec = config.load("gradient_checking")
    subs, _ = collect.collect([str(SAMPLES / f"{n}.ipynb") for n in FOUR], out / "work")
    outcome = batch.run(spec, subs, out / "grades", batch.LocalExecutor(1), assignment_ref="gradient_checking", seed=0)
    return out / "grades", outcome


@pytest.mark.slow
def test_batch_writes_valid_results_with_provenance(reference):
    out, outcome = reference
    docs = _results(out)
    assert sorted(docs) == FOUR == sorted(outcome.graded)
    schema = report.load_schema()
    for sid, doc in docs.items():
        jsonschema.validate(doc, schema)
        p = doc["instructor_detail"]["provenance"]
        assert p["student_id"] == sid and p["grader_version"] == grader.__version__
        assert p["sha256"] == batch.sha256_of(SAMPLES / f"{sid}.ipynb")
    assert docs["correct"]["score"] == docs["correct"]["max_score"]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["submissions"] == 4
    assert {"name": "N-D backward gradients → db1 scaled ×4", "count": 2, "of": 4} in summary["diagnoses"]
    con = gradebook.connect(out)
    assert con.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 4
    con.close()


@pytest.mark.slow
def test_a_rerun_has_nothing_to_grade(reference):
    out, _ = reference
    spec = config.load("gradient_checking")
    subs, _ = collect.collect([str(SAMPLES / f"{n}.ipynb") for n in FOUR], out.parent / "work2")
    tasks, current = batch.plan(spec, subs, out, assignment_ref="gradient_checking", seed=0)
    assert tasks == [] and sorted(current) == FOUR
    tasks, _ = batch.plan(spec, subs, out, assignment_ref="gradient_checking", seed=1)
    assert len(tasks) == 4  # another seed is another grading


@pytest.mark.slow
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_kill_9_mid_batch_then_rerun_completes_without_regrading(reference, tmp_path, jobs):
    ref_out, _ = reference
    inbox = tmp_path / "inbox"
    for n in FOUR:  # a folder of per-student folders, as an LMS hands it out
        _nb(inbox, f"{n}/Gradient_Checking.ipynb", (SAMPLES / f"{n}.ipynb").read_bytes())
    out = tmp_path / "grades"
    cmd = [sys.executable, "-m", "grader", "grade", "gradient_checking", str(inbox), "--out", str(out),
           "--jobs", jobs, "--seed", "0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not (out.exists() and _results(out)):
            assert proc.poll() is None, "the batch ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    finally:
        try:  # the orphaned kernel, if any: processes this test started
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    # Written atomically: whatever the kill interrupted, every visible result is whole.
    finished = {sid: doc["instructor_detail"]["provenance"]["attempt"] for sid, doc in _results(out).items()}
    assert 1 <= len(finished) < len(FOUR)

    result = CliRunner().invoke(main, ["grade", "gradient_checking", str(inbox), "--out", str(out), "--seed", "0"])
    assert result.exit_code == 0, result.output
    assert f"{len(finished)} result(s) are current" in result.output
    docs = _results(out)
    assert sorted(docs) == FOUR
    for sid, attempt in finished.items():
        assert docs[sid]["instructor_detail"]["provenance"]["attempt"] == attempt  # not regraded
    expected = _results(ref_out)
    assert {k: _verdicts(v) for k, v in docs.items()} == {k: _verdicts(v) for k, v in expected.items()}
    con = gradebook.connect(out)
    rows = con.execute("SELECT student_id, COUNT(*) FROM attempts GROUP BY student_id").fetchall()
    con.close()
    assert sorted(rows) == [(n, 1) for n in FOUR]  # results written but not recorded are recorded once
    assert len((out / "gradebook.csv").read_text().splitlines()) == 1 + len(FOUR)


@pytest.mark.slow
def test_process_pool_matches_in_process(reference, tmp_path):
    ref_out, _ = reference
    zipped = tmp_path / "bulk.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        for n in FOUR[:3]:
            zf.write(SAMPLES / f"{n}.ipynb", f"{n}/Gradient_Checking.ipynb")
    out = tmp_path / "grades"
    result = CliRunner().invoke(main, ["grade", "gradient_checking", str(zipped), "--out", str(out),
                                       "--jobs", "2", "--seed", "0"])
    assert result.exit_code == 0, result.output
    assert "[3/3]" in result.output and "Class summary: 3 submissions" in result.output
    expected = _results(ref_out)
    assert {k: _verdicts(v) for k, v in _results(out).items()} == {k: _verdicts(expected[k]) for k in FOUR[:3]}


@pytest.mark.slow
def test_dask_cluster_matches_local_executor(reference, tmp_path):
    distributed = pytest.importorskip("distributed")
    ref_out, _ = reference
    out = tmp_path / "grades"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        result = CliRunner().invoke(main, ["grade", "gradient_checking", *(str(SAMPLES / f"{n}.ipynb") for n in FOUR),
                                           "--out", str(out), "--executor", "dask",
                                           "--scheduler", cluster.scheduler_address, "--seed", "0"])
    assert result.exit_code == 0, result.output
    assert {k: _verdicts(v) for k, v in _results(out).items()} == {k: _verdicts(v) for k, v in _results(ref_out).items()}
