"""Serializing results: feedback JSON, Gradescope results.json, and the terminal report.

This is the only module that decides what a result looks like on the outside. The
feedback JSON is described by ``feedback.schema.json`` beside this file; every
document written is validated against it in the tests. Students see ``message``s;
``instructor_detail`` (tracebacks, the seed) is for staff and is kept out of the
student-visible Gradescope output.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from grader.records import CheckResult, SubmissionResult

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).with_name("feedback.schema.json")


def to_feedback(result: SubmissionResult) -> dict:
    """The feedback document of one submission (schema_version 1)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "assignment": result.assignment,
        "submission": {"path": result.path, "sha256": result.sha256},
        "status": result.status,
        "error": result.error,
        "score": round(result.score, 6),
        "max_score": result.max_score,
        "execution": None if result.execution is None else result.execution.to_dict(),
        "checks": [_check(c) for c in result.checks],
        "public_fixtures": result.public_fixtures,
        "instructor_detail": {
            "seed": result.seed,
            "checks": {c.name: c.detail for c in result.checks if c.detail},
        },
    }


def _check(c: CheckResult) -> dict:
    d = c.to_dict()
    d["student_message"] = c.message
    return d


def to_gradescope(result: SubmissionResult) -> dict:
    """Gradescope's results.json: one test per check; staff detail hidden from students."""
    tests = []
    for c in result.checks:
        tests.append({
            "name": c.name,
            "score": c.score,
            "max_score": c.max_score,
            "status": "passed" if c.status == "pass" else "failed",
            "output": c.message,
            "visibility": "visible",
        })
        if c.detail:
            tests.append({"name": f"{c.name} (staff detail)", "score": 0.0, "max_score": 0.0,
                          "output": c.detail, "visibility": "hidden"})
    seconds = result.execution.seconds if result.execution else 0.0
    output = result.error or _execution_line(result)
    return {"score": round(result.score, 6), "execution_time": round(seconds, 3), "output": output,
            "tests": tests, "visibility": "visible", "stdout_visibility": "hidden"}


def _execution_line(result: SubmissionResult) -> str:
    ex = result.execution
    if ex is None:
        return ""
    parts = [f"Ran {ex.cells} code cells in {ex.seconds:.1f} s."]
    if ex.errors:
        cells = ", ".join(f"{e.cell} ({e.ename})" for e in ex.errors[:5])
        parts.append(f"Cells that failed: {cells}{' ...' if len(ex.errors) > 5 else ''}; grading went on.")
    if ex.rerun_without:
        parts.append(f"Cell(s) {', '.join(map(str, ex.rerun_without))} stopped the notebook's process; "
                     "the notebook was run again without them.")
    if ex.skipped:
        cells = ", ".join(str(s.cell) for s in ex.skipped)
        parts.append(f"Skipped {len(ex.skipped)} cell(s) grading does not need (training, plots, prints): {cells}; "
                     "--run-all-cells runs them.")
    elif ex.pruning == "fallback" and ex.pruning_note:
        parts.append(f"Ran every cell: {ex.pruning_note}.")
    return " ".join(parts)


def write_json(path: Path, document: dict) -> None:
    """Write JSON atomically: a reader never sees half a file, a crash leaves the old one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(document, fh, indent=2, allow_nan=False)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


# --- the terminal report ------------------------------------------------------------

_MARK = {"pass": "PASS", "fail": "FAIL", "error": "ERROR", "missing": "MISSING", "warn": "WARN", "unchecked": "SKIP"}
_COLOUR = {"pass": "green", "fail": "red", "error": "red", "missing": "yellow", "warn": "yellow", "unchecked": "yellow"}
PUBLIC_FIXTURES_SENTENCE = ("Checked against the public fixtures of the release bundle, not the instructor's "
                            "reference: the score is indicative; your instructor grades with other inputs.")


def render_text(result: SubmissionResult, *, colour: bool = False) -> str:
    """The report a student reads after ``grader check``: a table of checks and blocks,
    then one sentence per failure."""
    import click  # the CLI's dependency; imported here so the library stays light

    def mark(status: str) -> str:
        text = f"{_MARK[status]:<7}"
        return click.style(text, fg=_COLOUR[status], bold=True) if colour else text

    lines = [f"{result.assignment}: {Path(result.path).name}"]
    if result.status == "error":
        lines.append(f"  Could not grade: {result.error}")
        return "\n".join(lines) + "\n"
    ex = result.execution
    if ex is not None:
        lines.append("  " + _execution_line(result))
    if result.public_fixtures:
        lines.append("  " + PUBLIC_FIXTURES_SENTENCE)
    lines.append("")
    width = max((len(c.name) for c in result.checks), default=10)
    for c in result.checks:
        lines.append(f"  {mark(c.status)} {c.name:<{width}}  {c.score:g}/{c.max_score:g}")
        for b in c.blocks:
            err = f"{b.relative_error:.1e}" if b.relative_error is not None else "-"
            lines.append(f"           {mark(b.status)} {b.name:<5} relative error {err}")
    lines.append("")
    lines.append(f"  Score: {result.score:g} / {result.max_score:g}")
    failures = [c for c in result.checks if c.status != "pass" or c.origin]
    if failures:
        lines.append("")
        for c in failures:
            lines.append(f"  {c.name}: {c.message}")
    else:
        lines.append("  Everything passes. Well done!")
    return "\n".join(lines) + "\n"
