"""What every notebook build script shares: cells from a layout, deterministic writing,
fixture READMEs and the ``[OUT_DIR]`` command line.

The scripts ``assignments/*/build_notebooks.py`` and ``tests/fixtures/*/build_fixtures.py``
are the source of truth of the committed notebooks; each keeps only what is its own (the
function cells, the layout, the samples or fixtures) and calls this module for the rest.
It lives beside the assignments, not in ``grader``, because it is authoring tooling: the
grader reads notebooks and never writes them. A script run by path puts the checkout's
root on sys.path first, so it imports this checkout's copy.

Output is deterministic: cell ids are fixed and nbformat writes sorted keys, so
regenerating produces byte-identical files.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"name": "python", "pygments_lexer": "ipython3"}
SAMPLES_DIRNAME = "samples"
OPEN = "    # YOUR CODE STARTS HERE\n"
CLOSE = "    # YOUR CODE ENDS HERE\n"


def replace_once(text: str, old: str, new: str) -> str:
    """Return ``text`` with the single occurrence of ``old`` replaced by ``new``.

    Raises:
        ValueError: ``old`` occurs zero times or more than once. A substitution that
            silently does nothing would produce a "buggy" notebook that is correct.
    """
    count = text.count(old)
    if count != 1:
        raise ValueError(f"expected exactly one occurrence of {old!r}, found {count}")
    return text.replace(old, new)


def fill(code: str, blocks: Iterable[tuple[str, str]]) -> str:
    """``code`` with each (placeholder, answer) substituted once: a starter made a solution."""
    for placeholder, answer in blocks:
        code = replace_once(code, placeholder, answer)
    return code


def with_changes(base: Mapping[str, str], **changed: str) -> dict[str, str]:
    """A copy of ``base`` with some function cells replaced."""
    functions = dict(base)
    functions.update(changed)
    return functions


def build(layout: Sequence[tuple[str, str, str]], functions: Mapping[str, str],
          custom: Mapping[str, Callable[[str], str]] | None = None) -> nbformat.NotebookNode:
    """A notebook from ``layout``: (cell id, kind, text) per cell.

    Args:
        layout: kind "markdown" and "code" cells hold ``text``; a "function" cell holds
            ``functions[text]``; any other kind holds ``custom[kind](text)`` (code).
        functions: the code of each function cell, by name.
        custom: code-cell builders for the script's own kinds (e.g. a training loop with
            fewer iterations for the fixtures).

    Raises:
        KeyError: ``functions`` or ``custom`` lacks an entry the layout names.
    """
    cells = []
    for cell_id, kind, text in layout:
        if kind == "markdown":
            cells.append(new_markdown_cell(text, id=cell_id))
        elif kind == "code":
            cells.append(new_code_cell(text, id=cell_id))
        elif kind == "function":
            # Cell sources carry no trailing newline, as notebook front ends save them.
            cells.append(new_code_cell(functions[text].rstrip("\n"), id=cell_id))
        else:
            cells.append(new_code_cell((custom or {})[kind](text), id=cell_id))
    return new_notebook(cells=cells, metadata={"kernelspec": dict(KERNELSPEC), "language_info": dict(LANGUAGE_INFO)})


def write_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    """Validate ``nb`` and write it to ``path`` (UTF-8, sorted keys, trailing newline)."""
    nbformat.validate(nb)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="\n") as f:
        nbformat.write(nb, f)


def write_assignment(out_dir: Path, starter_filename: str, starter: nbformat.NotebookNode,
                     samples: Mapping[str, nbformat.NotebookNode]) -> list[Path]:
    """Write the starter notebook and ``samples/<stem>.ipynb``; returns the paths, starter first."""
    written = [out_dir / starter_filename]
    write_notebook(starter, written[0])
    for stem, nb in samples.items():
        path = out_dir / SAMPLES_DIRNAME / f"{stem}.ipynb"
        write_notebook(nb, path)
        written.append(path)
    return written


@dataclass(frozen=True)
class Fixture:
    """One fixture notebook.

    Attributes:
        name: file stem, named by behaviour.
        behaviour: what the submission does differently from the correct solution.
        outcome: what the grader should report for it.
        build: returns the notebook.
    """

    name: str
    behaviour: str
    outcome: str
    build: Callable[[], nbformat.NotebookNode]


def fixtures_by_name(fixtures: Iterable[Fixture]) -> dict[str, Fixture]:
    """``fixtures`` keyed by name.

    Raises:
        ValueError: two fixtures share a name.
    """
    fixtures = tuple(fixtures)
    by_name = {fixture.name: fixture for fixture in fixtures}
    if len(by_name) != len(fixtures):
        raise ValueError("duplicate fixture names")
    return by_name


def readme_text(header: str, fixtures: Iterable[Fixture]) -> str:
    """``header`` and one line per fixture: file → behaviour. Expected: outcome."""
    lines = [f"- `{f.name}.ipynb` → {f.behaviour}. Expected: {f.outcome}.\n" for f in fixtures_by_name(fixtures).values()]
    return header + "".join(lines)


def write_fixtures(out_dir: Path, fixtures: Iterable[Fixture], header: str) -> list[Path]:
    """Write every fixture notebook and README.md under ``out_dir``; returns the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fixture in fixtures_by_name(fixtures).items():
        path = out_dir / f"{name}.ipynb"
        write_notebook(fixture.build(), path)
        written.append(path)
    readme = out_dir / "README.md"
    readme.write_text(readme_text(header, fixtures), encoding="utf-8", newline="\n")
    written.append(readme)
    return written


def main(argv: list[str] | None, write_all: Callable[[Path], list[Path]], script: str | Path) -> int:
    """Command line of a build script: ``SCRIPT [OUT_DIR]`` (default: the script's folder).

    Prints every path written; returns the exit code (2 on a usage mistake).
    """
    args = sys.argv[1:] if argv is None else argv
    script = Path(script)
    if len(args) > 1:
        print(f"usage: {script.name} [OUT_DIR]", file=sys.stderr)
        return 2
    out_dir = Path(args[0]) if args else script.resolve().parent
    for path in write_all(out_dir):
        print(path)
    return 0
