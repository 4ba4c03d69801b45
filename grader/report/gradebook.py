"""The gradebook: every graded attempt in SQLite, the latest one per student in CSV.

``DIR/gradebook.sqlite`` holds one row per graded attempt (``attempts``) and its
per-check scores (``check_scores``); the view ``latest`` picks each student's most
recent attempt per assignment. ``DIR/gradebook.csv`` is derived from the database
(one row per student, one column per check) and can be rewritten with ``grader export``.

Only the batch's parent process writes here, one transaction per result, so a crash
leaves the database consistent. An attempt is keyed by the ``attempt`` id stored in the
result's provenance: recording the same result twice (as a resumed run does for results
a killed run wrote but never recorded) is a no-op.
"""

from __future__ import annotations

import csv
import os
import sqlite3
import tempfile
from pathlib import Path

DB_NAME = "gradebook.sqlite"
CSV_NAME = "gradebook.csv"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    attempt        TEXT PRIMARY KEY,
    assignment     TEXT NOT NULL,
    student_id     TEXT NOT NULL,
    sha256         TEXT NOT NULL,
    status         TEXT NOT NULL,
    score          REAL NOT NULL,
    max_score      REAL NOT NULL,
    graded_at      TEXT NOT NULL,   -- ISO 8601, UTC
    grader_version TEXT NOT NULL,
    seed           INTEGER
);
CREATE INDEX IF NOT EXISTS attempts_student ON attempts (assignment, student_id, graded_at);
CREATE TABLE IF NOT EXISTS check_scores (
    attempt    TEXT NOT NULL REFERENCES attempts (attempt),
    position   INTEGER NOT NULL,
    name       TEXT NOT NULL,
    status     TEXT NOT NULL,
    score      REAL NOT NULL,
    max_score  REAL NOT NULL,
    PRIMARY KEY (attempt, name)
);
CREATE VIEW IF NOT EXISTS latest AS
    SELECT * FROM (
        SELECT a.*, ROW_NUMBER() OVER (
            PARTITION BY assignment, student_id ORDER BY graded_at DESC, rowid DESC) AS rn
        FROM attempts AS a)
    WHERE rn = 1;
"""


def connect(out_dir: Path) -> sqlite3.Connection:
    """Open (creating if needed) ``out_dir/gradebook.sqlite``."""
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(Path(out_dir) / DB_NAME)
    con.executescript(_SCHEMA)
    return con


def record(con: sqlite3.Connection, doc: dict) -> bool:
    """Record one result document (with provenance); False if it was already recorded."""
    p = doc["instructor_detail"]["provenance"]
    with con:
        cur = con.execute(
            "INSERT OR IGNORE INTO attempts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (p["attempt"], p["assignment"], p["student_id"], p["sha256"], doc["status"], doc["score"],
             doc["max_score"], p["graded_at"], p["grader_version"], p.get("seed")))
        if cur.rowcount == 0:
            return False
        con.executemany(
            "INSERT INTO check_scores VALUES (?, ?, ?, ?, ?, ?)",
            [(p["attempt"], i, c["name"], c["status"], c["score"], c["max_score"])
             for i, c in enumerate(doc["checks"])])
    return True


def latest(con: sqlite3.Connection) -> list[dict]:
    """Each student's latest attempt (per assignment), with a ``checks`` mapping name -> score."""
    con.row_factory = sqlite3.Row
    try:
        rows = [dict(r) for r in con.execute(
            "SELECT * FROM latest ORDER BY assignment, student_id")]
        for r in rows:
            r.pop("rn", None)
            r["checks"] = {c["name"]: c["score"] for c in con.execute(
                "SELECT name, score FROM check_scores WHERE attempt = ? ORDER BY position", (r["attempt"],))}
    finally:
        con.row_factory = None
    return rows


def write_csv(con: sqlite3.Connection, path: Path) -> int:
    """Write the latest attempt of every student as CSV (atomically); return the row count."""
    rows = latest(con)
    check_names: list[str] = []
    for r in rows:
        check_names += [n for n in r["checks"] if n not in check_names]
    head = ["student_id", "assignment", "score", "max_score", "status", "graded_at", "grader_version", "sha256"]
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(head + check_names)
            for r in rows:
                w.writerow([r[k] for k in head] + [r["checks"].get(n, "") for n in check_names])
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(rows)


def export(out_dir: Path) -> Path:
    """Rewrite ``out_dir/gradebook.csv`` from ``out_dir/gradebook.sqlite``.

    Raises:
        FileNotFoundError: there is no database in ``out_dir``.
    """
    db = Path(out_dir) / DB_NAME
    if not db.is_file():
        raise FileNotFoundError(db)
    con = connect(out_dir)
    try:
        write_csv(con, Path(out_dir) / CSV_NAME)
    finally:
        con.close()
    return Path(out_dir) / CSV_NAME
