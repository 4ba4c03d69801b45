"""The gradebook: one SQLite row per attempt, the latest per student in CSV, ``grader export``."""

from __future__ import annotations

import csv

from click.testing import CliRunner

from grader.report import gradebook
from grader.cli import main


def _doc(student: str, attempt: str, at: str, scores: dict[str, float], sha: str = "a" * 64) -> dict:
    checks = [{"name": n, "status": "pass" if s else "fail", "score": s, "max_score": 1.0} for n, s in scores.items()]
    return {"status": "graded", "score": sum(scores.values()), "max_score": float(len(scores)), "checks": checks,
            "instructor_detail": {"provenance": {
                "attempt": attempt, "assignment": "gc", "student_id": student, "sha256": sha,
                "graded_at": at, "grader_version": "0.1.0", "seed": 0}}}


def test_every_attempt_is_a_row_and_recording_twice_is_a_no_op(tmp_path):
    con = gradebook.connect(tmp_path)
    assert gradebook.record(con, _doc("alice", "a1", "2025-01-01T00:00:00Z", {"fwd": 1.0, "bwd": 0.0}))
    assert not gradebook.record(con, _doc("alice", "a1", "2025-01-01T00:00:00Z", {"fwd": 1.0, "bwd": 0.0}))
    assert gradebook.record(con, _doc("alice", "a2", "2025-01-02T00:00:00Z", {"fwd": 1.0, "bwd": 1.0}, sha="b" * 64))
    assert con.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 2
    assert con.execute("SELECT COUNT(*) FROM check_scores").fetchone()[0] == 4
    latest = gradebook.latest(con)
    assert [(r["student_id"], r["attempt"], r["score"]) for r in latest] == [("alice", "a2", 2.0)]
    assert latest[0]["checks"] == {"fwd": 1.0, "bwd": 1.0}
    con.close()


def test_csv_has_one_row_per_student_with_check_columns(tmp_path):
    con = gradebook.connect(tmp_path)
    gradebook.record(con, _doc("bob", "b1", "2025-01-02T00:00:00Z", {"fwd": 0.0, "bwd": 1.0}))
    gradebook.record(con, _doc("alice", "a1", "2025-01-01T00:00:00Z", {"fwd": 1.0, "bwd": 0.0}))
    gradebook.record(con, _doc("alice", "a0", "2024-12-31T00:00:00Z", {"fwd": 0.0, "bwd": 0.0}))
    assert gradebook.write_csv(con, tmp_path / "gradebook.csv") == 2
    con.close()
    rows = list(csv.DictReader((tmp_path / "gradebook.csv").read_text().splitlines()))
    assert [(r["student_id"], r["score"], r["fwd"], r["bwd"]) for r in rows] == [
        ("alice", "1.0", "1.0", "0.0"), ("bob", "1.0", "0.0", "1.0")]


def test_export_rewrites_the_csv_from_the_database(tmp_path):
    con = gradebook.connect(tmp_path)
    gradebook.record(con, _doc("alice", "a1", "2025-01-01T00:00:00Z", {"fwd": 1.0}))
    con.close()
    result = CliRunner().invoke(main, ["export", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "gradebook.csv").read_text().splitlines()[1].startswith("alice,gc,1.0,1.0,graded")


def test_export_without_a_database_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(main, ["export", str(tmp_path)])
    assert result.exit_code == 2
    assert "no gradebook" in result.output
