"""Gradescope autograder bundles: ``grader gradescope ASSIGNMENT -o autograder.zip``.

The zip holds, at its root, what Gradescope's Docker image expects:

    setup.sh                         apt-get python3 + pip, a venv, pip install the sdist below
    run_autograder                   grades /autograder/submission/*.ipynb
    backprop-grader-<version>.tar.gz the grader's source distribution (the grader alone)
    course/reference/                the course's reference modules (found through
                                     GRADER_COURSE; students never see the autograder)
    course/assignments/<name>/       the assignment, when ASSIGNMENT is a bundled name
    assignment/                      the assignment, when ASSIGNMENT is a folder

``run_autograder`` calls ``python -m grader.gradescope``, which writes
``$AUTOGRADER_ROOT/results/results.json`` (AUTOGRADER_ROOT defaults to /autograder, so
a test can point it at a temporary folder with the same layout).
"""

from __future__ import annotations

import argparse
import io
import os
import tarfile
import zipfile
from pathlib import Path

from grader.spec import course
from grader.spec import load as config
from grader.report import feedback as report
from grader.errors import UsageError
from grader.grade import grade_notebook
from grader.calls.inputs import SEED_ENV

ROOT_ENV = "AUTOGRADER_ROOT"
_SOURCE_PARTS = ("pyproject.toml", "README.md", "grader")
_EXCLUDE = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image (from /autograder/source).
set -euo pipefail
cd "$(dirname "$0")"
apt-get update
DEBIAN_FRONTEND=noninteractive apt-get install -y python3 python3-pip python3-venv
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install ./{sdist}
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission. AUTOGRADER_ROOT (default /autograder) holds
# submission/ and results/; GRADER_PYTHON overrides the interpreter (tests use their own).
set -euo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
HERE="$(cd "$(dirname "$0")" && pwd)"
PY="${{GRADER_PYTHON:-/autograder/venv/bin/python}}"
if [ -d "$HERE/course" ]; then export GRADER_COURSE="$HERE/course"; fi
{seed_line}ASSIGNMENT={assignment}
if [ -d "$HERE/assignment" ]; then ASSIGNMENT="$HERE/assignment"; fi
exec "$PY" -m grader.gradescope --root "$ROOT" --assignment "$ASSIGNMENT"
"""


def source_root() -> Path:
    """This project's source tree (the bundle ships it as an sdist).

    Raises:
        UsageError: grader was installed from a wheel, without its source tree.
    """
    root = Path(__file__).resolve().parent.parent
    if not (root / "pyproject.toml").is_file():
        raise UsageError("cannot find the project's source tree next to the installed grader package",
                         hint="run `grader gradescope` from a checkout (pip install -e .)")
    return root


def _sdist(root: Path, version: str) -> tuple[str, bytes]:
    name = f"backprop-grader-{version}"
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for part in _SOURCE_PARTS:
            src = root / part
            if src.exists():
                tar.add(src, arcname=f"{name}/{part}",
                        filter=lambda t: None if _EXCLUDE & set(Path(t.name).parts) else t)
    return f"{name}.tar.gz", buf.getvalue()


def _add_text(zf: zipfile.ZipFile, name: str, text: str, mode: int = 0o644) -> None:
    info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, text)


def build_bundle(assignment: str, out_zip: Path, *, seed: int | None = None) -> Path:
    """Write the Gradescope autograder zip for ``assignment`` (bundled name or folder).

    Args:
        assignment: checked by loading it here, so a bad spec fails now, not on Gradescope.
        out_zip: where to write the zip.
        seed: the secret input seed baked into run_autograder (default: the grader's default).

    Raises:
        UsageError, AssignmentSpecError: unknown assignment, or no source tree to ship.
    """
    from grader import __version__

    spec = config.load(assignment)
    folder = None if assignment in config.bundled_names() else spec.folder
    sdist_name, sdist = _sdist(source_root(), __version__)
    seed_line = f"export {SEED_ENV}={int(seed)}\n" if seed is not None else ""
    out_zip = Path(out_zip)
    out_zip.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out_zip, "w") as zf:
        _add_text(zf, "setup.sh", SETUP_SH.format(sdist=sdist_name), 0o755)
        _add_text(zf, "run_autograder",
                  RUN_AUTOGRADER.format(seed_line=seed_line, assignment=spec.name if folder is None else "assignment"),
                  0o755)
        zf.writestr(sdist_name, sdist)
        _add_tree(zf, spec.folder, "assignment" if folder is not None else f"course/assignments/{spec.name}")
        home = course.course_of(spec.folder)
        if home is not None and (home / course.PACKAGE).is_dir():
            _add_tree(zf, home / course.PACKAGE, f"course/{course.PACKAGE}")
    return out_zip


def _add_tree(zf: zipfile.ZipFile, folder: Path, prefix: str) -> None:
    for p in sorted(folder.rglob("*")):
        if p.is_file() and not (_EXCLUDE & set(p.parts)) and p.suffix != ".pyc":
            zf.write(p, f"{prefix}/{p.relative_to(folder).as_posix()}")


def run_autograder(root: Path, assignment: str) -> dict:
    """Grade the notebook in ``root/submission`` into ``root/results/results.json``.

    A submission without a notebook gets a zero score and a sentence saying so.
    """
    from grader.calls.inputs import default_seed

    spec = config.load(assignment)
    found = sorted(p for p in (Path(root) / "submission").rglob("*.ipynb") if not (_EXCLUDE & set(p.parts)))
    preferred = [p for p in found if p.name == spec.notebook]
    out = Path(root) / "results" / "results.json"
    if not found:
        doc = {"score": 0.0, "output": f"No .ipynb file found in your submission; please upload {spec.notebook}.",
               "tests": [], "visibility": "visible"}
    else:
        doc = report.to_gradescope(grade_notebook(spec, (preferred or found)[0], seed=default_seed()))
        if len(found) > 1:
            doc["output"] = f"Graded {(preferred or found)[0].name} ({len(found)} notebooks submitted). " + doc["output"]
    report.write_json(out, doc)
    return doc


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.gradescope", description="Gradescope run_autograder")
    parser.add_argument("--root", default=os.environ.get(ROOT_ENV, "/autograder"))
    parser.add_argument("--assignment", required=True)
    args = parser.parse_args(argv)
    run_autograder(Path(args.root), args.assignment)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
