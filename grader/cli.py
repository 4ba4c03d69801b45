"""The ``grader`` command.

    grader grade ASSIGNMENT SUBMISSIONS... --out DIR [--jobs N]  instructors; exit 0 whatever the scores
    grader export DIR                                        the gradebook CSV again from its database
    grader gradescope ASSIGNMENT -o autograder.zip           a Gradescope autograder bundle
    grader release ASSIGNMENT --out DIR                      a student bundle: starter, support, public fixtures
    grader check NOTEBOOK [--assignment NAME] [--json]       students; exit 0 on full marks, else 1
    (grade and check run only the cells grading needs; --run-all-cells runs every cell)
    grader list                                              the bundled assignments
    grader doctor [--assignment NAME] [--json]               what isolation student code gets here

Usage mistakes exit 2 with a hint; an instructor's spec error exits 1 with the file
and key; a student's mistake is never an error here, only a lower score.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

import click

from grader.report import analytics
from grader import batch
from grader.submission import collect
from grader.spec import load as config
from grader import doctor
from grader.report import gradebook
from grader.report import feedback as report
from grader.errors import GraderError, UsageError
from grader.grade import factory_for, grade_notebook
from grader.calls.inputs import SEED_ENV, default_seed


# A flag, not a --prune/--no-prune pair: off means "as the assignment says", which
# may itself be full execution ([execution] run_all_cells = true).
RUN_ALL_HELP = ("Run every code cell (training runs, plots) instead of only the cells the graded functions need. "
                "Also: [execution] run_all_cells = true in assignment.toml.")


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


def _seed(seed: int | None) -> int:
    return default_seed() if seed is None else seed


class _Progress:
    """Count, rate and ETA on a terminal (tqdm); one plain line per finished submission
    otherwise (CI logs, ``| tee``)."""

    def __init__(self, tty: bool) -> None:
        self.tty = tty
        self.bar = None
        self.done = 0
        self.total = 0

    def plan(self, to_grade: int, skipped: int) -> None:
        self.total = to_grade
        if skipped:
            click.echo(f"{skipped} result(s) are current (same notebook, assignment, grader version and seed); "
                       "not regrading them.")
        click.echo(f"Grading {to_grade} submission(s).")
        if self.tty and to_grade:
            from tqdm import tqdm

            # shutil falls back to 80 columns where the terminal reports 0 (tqdm would draw nothing).
            self.bar = tqdm(total=to_grade, unit="nb", file=sys.stderr, ncols=shutil.get_terminal_size().columns)

    def result(self, task, outcome: dict) -> None:
        self.done += 1
        if "broken" in outcome:
            line = click.style(f"could not grade {outcome['broken']}", fg="red")
        else:
            doc = outcome["doc"]
            score = f"{doc['score']:g}/{doc['max_score']:g}" if doc["status"] == "graded" else "not a notebook"
            secs = (doc.get("execution") or {}).get("seconds", 0.0)
            line = f"[{self.done}/{self.total}] {task.student_id}: {score} ({secs:.1f} s)"
        if self.bar is not None:
            if "broken" in outcome:
                self.bar.write(line, file=sys.stderr)
            self.bar.update(1)
        else:
            click.echo(line)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


_ENGINE = click.option(
    "--engine", type=click.Choice(["auto", "warm", "kernel"]), default=None,
    help="Where notebooks run: warm (forked from a pre-warmed worker), kernel (a Jupyter kernel each), "
         "auto (warm where the platform can fork). Default: the assignment's [execution] engine, else auto.")


@main.command()
@click.argument("assignment")
@click.argument("submissions", nargs=-1, required=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Folder for <student id>.json results, gradebook.sqlite/.csv and summary.json.")
@click.option("--jobs", "-j", type=int, default=1, show_default=True, help="Notebooks graded in parallel (local executor).")
@click.option("--executor", type=click.Choice(["local", "dask"]), default="local", show_default=True)
@click.option("--scheduler", default=None, help="dask.distributed scheduler address (with --executor dask).")
@click.option("--force", is_flag=True, help="Regrade submissions whose result is current.")
@click.option("--format", "fmt", type=click.Choice(["json", "gradescope"]), default="json", show_default=True,
              help="gradescope: also write Gradescope results (results.json for one submission, else gradescope/<id>.json).")
@click.option("--seed", type=int, default=None, help=f"Input seed; keep it secret. Default: ${SEED_ENV} or 0.")
@_ENGINE
@click.option("--run-all-cells", is_flag=True, help=RUN_ALL_HELP)
def grade(assignment: str, submissions: tuple[str, ...], out_dir: str, jobs: int, executor: str,
          scheduler: str | None, force: bool, fmt: str, seed: int | None, engine: str | None,
          run_all_cells: bool) -> None:
    """Grade SUBMISSIONS for ASSIGNMENT (a bundled name or a folder).

    SUBMISSIONS are notebooks, folders of notebooks, folders of per-student folders
    (alice/Gradient_Checking.ipynb), or .zip files of either. The student id is the file
    or folder name. A rerun grades only what changed since the last run.
    """
    spec = _load(assignment)
    factory_for(engine or spec.engine)  # a UsageError now rather than in every worker
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {jobs}")
    if executor == "dask":
        if not scheduler:
            raise UsageError("--executor dask needs --scheduler ADDRESS", hint="e.g. --scheduler tcp://10.0.0.5:8786")
        pool = batch.DaskExecutor(scheduler)
    else:
        if scheduler:
            raise UsageError("--scheduler is only used with --executor dask")
        pool = batch.LocalExecutor(jobs)
    out = Path(out_dir)
    with tempfile.TemporaryDirectory(prefix="grader-batch-") as tmp:
        subs, notes = collect.collect(submissions, Path(tmp), preferred=spec.notebook)
        for note in notes:
            click.secho(f"Note: {note}", fg="yellow", err=True)
        progress = _Progress(sys.stderr.isatty())
        try:
            outcome = batch.run(spec, subs, out, pool, assignment_ref=assignment, seed=_seed(seed), force=force,
                                gradescope=fmt == "gradescope", engine=engine, run_all_cells=run_all_cells or None,
                                on_plan=progress.plan, on_result=progress.result)
        except KeyboardInterrupt:
            progress.close()
            click.secho(f"\nInterrupted after {progress.done} of {progress.total}; finished results are saved. "
                        "Run the same command again to grade the rest.", fg="yellow", err=True)
            sys.exit(130)
        progress.close()
    click.echo(analytics.render(outcome.summary))
    click.echo(f"Results: {out}/<student id>.json ({len(outcome.graded)} graded now, {len(outcome.skipped)} current); "
               f"gradebook: {out / gradebook.CSV_NAME}; summary: {out / 'summary.json'}")
    if outcome.broken:
        click.secho(f"{len(outcome.broken)} notebook(s) could not be graded because of a grader problem (see above).",
                    fg="red", err=True)
        sys.exit(1)


@main.command()
@click.argument("out_dir", type=click.Path(file_okay=False))
def export(out_dir: str) -> None:
    """Write OUT_DIR/gradebook.csv again from OUT_DIR/gradebook.sqlite."""
    try:
        path = gradebook.export(Path(out_dir))
    except FileNotFoundError:
        raise UsageError(f"no gradebook in {out_dir}", hint="run `grader grade ... --out DIR` first") from None
    click.echo(f"Wrote {path}")


@main.command(name="gradescope")
@click.argument("assignment")
@click.option("-o", "--output", "output", default="autograder.zip", show_default=True,
              type=click.Path(dir_okay=False), help="The autograder zip to upload to Gradescope.")
@click.option("--seed", type=int, default=None, help="Secret input seed baked into run_autograder.")
def gradescope_(assignment: str, output: str, seed: int | None) -> None:
    """Build a Gradescope autograder bundle (setup.sh, run_autograder, this project) for ASSIGNMENT."""
    from grader.gradescope import build_bundle

    path = build_bundle(assignment, Path(output), seed=seed)
    click.echo(f"Wrote {path}: upload it as the autograder of a Gradescope programming assignment.")


@main.command()
@click.argument("assignment")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="The bundle folder to create (must not exist or be empty).")
def release(assignment: str, out_dir: str) -> None:
    """Build the student bundle of ASSIGNMENT: starter notebook, support modules, spec and
    public fixtures (the reference's answers at the public seed, as data; no solutions)."""
    from grader.calls.fixtures import PUBLIC_SEED
    from grader.release import build, bundle_files

    if os.environ.get(SEED_ENV, "").strip():
        click.secho(f"Note: {SEED_ENV} is ignored: a release always uses the public seed {PUBLIC_SEED}, "
                    "and the secret seed never goes into a bundle.", fg="yellow", err=True)
    out = build(assignment, Path(out_dir))
    click.echo(f"Wrote {out}: {', '.join(bundle_files(config.load(assignment)))}. Give students this folder; "
               "they run `grader check NOTEBOOK` inside it.")


def _bundle_near(notebook: Path) -> str | None:
    """A release bundle (assignment.toml and public fixtures) beside the notebook or in the
    current folder, where a student runs ``grader check`` without --assignment."""
    from grader.calls import fixtures

    for folder in (notebook.resolve().parent, Path.cwd()):
        if (folder / "assignment.toml").is_file() and fixtures.present(folder):
            return str(folder)
    return None


def _guess_assignment(notebook: Path) -> str:
    """A release bundle beside the notebook, else the bundled assignment whose graded
    functions the notebook defines most of."""
    bundle = _bundle_near(notebook)
    if bundle is not None:
        return bundle
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
@click.option("--assignment", default=None,
              help="Bundled name or folder (e.g. a release bundle); guessed from the notebook if omitted.")
@click.option("--json", "as_json", is_flag=True, help="Print the feedback JSON instead of the report.")
@click.option("--seed", type=int, default=None, help="Input seed (default 0).")
@_ENGINE
@click.option("--run-all-cells", is_flag=True, help=RUN_ALL_HELP)
def check(notebook: str, assignment: str | None, as_json: bool, seed: int | None, engine: str | None,
          run_all_cells: bool) -> None:
    """Check your NOTEBOOK before you hand it in."""
    path = Path(notebook)
    if not path.is_file():
        raise UsageError(f"no such notebook: {notebook}")
    spec = _load(assignment or _guess_assignment(path))
    result = grade_notebook(spec, path, seed=_seed(seed), sandbox_factory=factory_for(engine),
                            run_all_cells=run_all_cells or None)
    if as_json:
        click.echo(json.dumps(report.to_feedback(result), indent=2))
    else:
        click.echo(report.render_text(result, colour=sys.stdout.isatty()), nl=False)
    sys.exit(0 if result.status == "graded" and result.score >= result.max_score else 1)


@main.command(name="doctor")
@click.option("--assignment", default=None, help="Use this assignment's [execution] limits (default: built-in).")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def doctor_(assignment: str | None, as_json: bool) -> None:
    """Start a confined process as grading does and report which protections hold.

    Exit 0 when every probe was stopped, 1 otherwise.
    """
    limits = _load(assignment).limits if assignment else doctor.Limits()
    found = doctor.examine(limits)
    click.echo(json.dumps(found.to_dict(), indent=2) if as_json else doctor.render(found))
    sys.exit(0 if found.ok else 1)


@main.command(name="list")
def list_() -> None:
    """List the bundled assignments."""
    for name in config.bundled_names():
        spec = config.load(name)
        click.echo(f"{name:<24} {spec.title} ({len(spec.checks)} checks, {spec.max_score:g} points)")


if __name__ == "__main__":  # pragma: no cover
    main()
