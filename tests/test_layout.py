"""The package's layout: one sub-package per stage of the data flow, no import reaching a
later stage, no import cycle, no module past ~400 lines, and no course material packaged.

These read the source (``ast``); nothing is imported or run.
"""

from __future__ import annotations

import ast
try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "grader"
MAX_LINES = 410

# The data flow, in order. A module may import the shared modules, its own stage and
# earlier stages, never a later one. The commands on top may import anything.
SHARED = ("errors", "records")
STAGES = ("submission", "run", "spec", "calls", "checks", "report")
COMMANDS = "commands"


def _stage(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "grader":
        raise ValueError(module)
    if len(parts) == 1:
        return COMMANDS
    if parts[1] in SHARED:
        return "shared"
    if parts[1] in STAGES:
        return parts[1]
    return COMMANDS


def _rank(stage: str) -> int:
    if stage == "shared":
        return 0
    if stage == COMMANDS:
        return len(STAGES) + 1
    return STAGES.index(stage) + 1


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
        out[".".join(parts)] = path
    return out


def _imports(module: str, path: Path) -> set[str]:
    """Every grader module that ``module`` imports, anywhere in its source."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    known = _modules()
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in known:
                name = name.rpartition(".")[0]
            if name.startswith("grader") and name != module:
                found.add(name)
    return found


def test_every_stage_is_a_package_whose_docstring_says_what_enters_and_leaves():
    for stage in STAGES:
        init = PACKAGE / stage / "__init__.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert "Enters:" in doc and "Leaves:" in doc, f"grader/{stage}/__init__.py must say what enters and leaves"


def test_only_commands_and_shared_records_sit_at_the_top():
    top = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "__main__"))
    assert set(top) <= set(SHARED) | {"cli", "grade", "batch", "release", "doctor", "gradescope", "selfcheck"}, top


def test_no_stage_imports_a_later_stage():
    wrong = []
    for module, path in _modules().items():
        if path.name == "__init__.py" and module == "grader":
            continue  # the public face re-exports from the stages
        mine = _stage(module)
        for target in _imports(module, path):
            theirs = _stage(target)
            if _rank(theirs) > _rank(mine) or (mine == "shared" and theirs != "shared"):
                wrong.append(f"{module} ({mine}) imports {target} ({theirs})")
    assert wrong == []


def test_no_import_cycles():
    graph = {m: _imports(m, p) for m, p in _modules().items() if m != "grader"}
    graph = {m: {t for t in targets if t != "grader"} for m, targets in graph.items()}
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            # A package's __init__ importing its own modules is not a cycle through them.
            if state.get(nxt) == 1 and not node.startswith(nxt + "."):
                cycles.append(" -> ".join(trail[trail.index(nxt):] + [nxt]) if nxt in trail else f"{node} -> {nxt}")
            elif nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_stay_one_concern_sized(path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines: split it by concern"


def test_no_utils_grab_bag():
    assert not [p for p in PACKAGE.rglob("*.py") if p.stem in ("utils", "util", "helpers", "misc")]


def test_course_material_is_not_packaged():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools = project["tool"]["setuptools"]
    assert setuptools["packages"]["find"]["include"] == ["grader*"]
    assert set(setuptools.get("package-data", {})) <= {"grader"}


def test_every_sub_package_is_a_stage():
    packages = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    assert packages == sorted(STAGES)
