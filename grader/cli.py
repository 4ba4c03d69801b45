"""The ``grader`` command.

    grader grade ASSIGNMENT NOTEBOOK_OR_FOLDER... --out DIR   instructors; exit 0 whatever the scores
    grader check NOTEBOOK [--assignment NAME] [--json]       students; exit 0 on full marks, else 1
    grader list                                              the bundled assignments

Usage mistakes exit 2 with a hint; an instructor's spec error exits 1 with the file
and key; a student's mistake is never an error here, only a lower score.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import click

from . import config, report
from .errors import GraderError, UsageError
from .grade import grade_notebook
from .inputs import SEED_ENV, default_seed
from .records import SubmissionResult


def _fail(exc: GraderError) -> None:
    click.secho(f"Error: {exc}", fg="red", err=True)
    if isinstance(exc, UsageError) and exc.hint:
        click.echo(f"Hint: {exc.hint}", err=True)
    sys.exit(exc.exit_code)


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except GraderError as exc:
            _fail(exc)


@click.group(cls=_Group)
@click.version_option(package_name="backprop-grader")
def main() -> None:
    """Grade hand-written backpropagation notebooks, block by block."""


def _load(name: str) -> config.Assignment:
    return config.load(name)


def _notebooks(paths: tuple[str, ...]) -> list[Path]:
    found: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found += sorted(q for q in p.rglob("*.ipynb") if ".ipynb_checkpoints" not in q.parts)
        elif p.is_file():
            found.append(p)
        else:
            raise UsageError(f"no such file or folder: {raw}")
    if not found:
        raise UsageError("no notebooks to grade", hint="pass .ipynb files or folders that contain them")
    return found


def _seed(seed: int | None) -> int:
    return default_seed() if seed is None else seed


@main.command()
@click.argument("assignment")
@click.argument("notebooks", nargs=-1, required=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder for one result file per notebook.")
@click.option("--format", "fmt", type=click.Choice(["json", "gradescope"]), default="json", show_default=True)
@click.option("--seed", type=int, default=None, help=f"Input seed; keep it secret. Default: ${SEED_ENV} or 0.")
def grade(assignment: str, notebooks: tuple[str, ...], out_dir: str, fmt: str, seed: int | None) -> None:
    """Grade NOTEBOOKS (files or folders) for ASSIGNMENT (a bundled name or a folder)."""
    spec = _load(assignment)
    paths = _notebooks(notebooks)
    out = Path(out_dir)
    results: list[SubmissionResult] = []
    broken: list[str] = []
    for path in paths:
        try:
            result = grade_notebook(spec, path, seed=_seed(seed))
        except GraderError:
            raise
        except Exception as exc:  # the grader's own failure on one file must not lose the batch
            broken.append(f"{path}: {type(exc).__name__}: {exc}")
            click.secho(f"could not grade {path}: {type(exc).__name__}: {exc}", fg="red", err=True)
            continue
        document = report.to_gradescope(result) if fmt == "gradescope" else report.to_feedback(result)
        name = "results.json" if fmt == "gradescope" and len(paths) == 1 else f"{path.stem}.json"
        report.write_json(out / name, document)
        results.append(result)
    click.echo(_summary(results))
    if broken:
        click.secho(f"{len(broken)} notebook(s) could not be graded because of a grader problem (see above).", fg="red", err=True)
        sys.exit(1)


def _summary(results: list[SubmissionResult]) -> str:
    if not results:
        return "No notebooks graded."
    width = max(len(Path(r.path).name) for r in results)
    lines = [f"{'notebook':<{width}}  {'score':>11}  failing checks"]
    for r in results:
        failing = ", ".join(c.name for c in r.checks if c.status != "pass") or "-"
        if r.status == "error":
            failing = f"not a notebook: {r.error}"
        lines.append(f"{Path(r.path).name:<{width}}  {r.score:>5g}/{r.max_score:<5g}  {failing}")
    return "\n".join(lines)


def _guess_assignment(notebook: Path) -> str:
    """The bundled assignment whose graded functions the notebook defines most of."""
    try:
        source = notebook.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageError(f"cannot read {notebook}: {exc.strerror}") from None
    best, best_hits = None, 0
    for name in config.bundled_names():
        functions = {c.function for c in config.load(name).checks}
        hits = sum(1 for f in functions if re.search(rf"def {re.escape(f)}\s*\(", source))
        if hits > best_hits:
            best, best_hits = name, hits
    if best is None:
        raise UsageError(f"cannot tell which assignment {notebook.name} is for",
                         hint=f"pass --assignment NAME (one of: {', '.join(config.bundled_names())})")
    return best


@main.command()
@click.argument("notebook", type=click.Path(dir_okay=False))
@click.option("--assignment", default=None, help="Bundled name or folder; guessed from the notebook if omitted.")
@click.option("--json", "as_json", is_flag=True, help="Print the feedback JSON instead of the report.")
@click.option("--seed", type=int, default=None, help="Input seed (default 0).")
def check(notebook: str, assignment: str | None, as_json: bool, seed: int | None) -> None:
    """Check your NOTEBOOK before you hand it in."""
    path = Path(notebook)
    if not path.is_file():
        raise UsageError(f"no such notebook: {notebook}")
    spec = _load(assignment or _guess_assignment(path))
    result = grade_notebook(spec, path, seed=_seed(seed))
    if as_json:
        click.echo(json.dumps(report.to_feedback(result), indent=2))
    else:
        click.echo(report.render_text(result, colour=sys.stdout.isatty()), nl=False)
    sys.exit(0 if result.status == "graded" and result.score >= result.max_score else 1)


@main.command(name="list")
def list_() -> None:
    """List the bundled assignments."""
    for name in config.bundled_names():
        spec = config.load(name)
        click.echo(f"{name:<24} {spec.title} ({len(spec.checks)} checks, {spec.max_score:g} points)")


if __name__ == "__main__":  # pragma: no cover
    main()
