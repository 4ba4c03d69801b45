"""Where course material lives: the assignments and the instructor's reference modules.

A *course folder* holds ``assignments/<name>/assignment.toml`` and ``reference/``
(the instructor's solutions and :mod:`fcnet`, the reference network the gradient checks
differentiate). This repository is one; an instructor's own course repository with the
same layout is another. Course material is never installed with the grader: the wheel
holds only ``grader``, so a student who installs the checker gets no solution. The
grader finds the course folder, in order:

1. ``GRADER_COURSE`` (an environment variable naming the folder);
2. the checkout the grader runs from (an editable install or ``python -m grader`` from
   the repository), when it has ``assignments/`` or ``reference/``;
3. the current directory, when it has ``assignments/`` or ``reference/``.

Reference modules are loaded *by path*. ``reference = "reference.gradient_checking"``
in a spec names ``<course>/reference/gradient_checking.py`` of the course the
assignment belongs to (the folder above its ``assignments/``; else the course folder
above); ``reference = "solutions/mine.py"`` names a file relative to the assignment
folder. Modules of ``reference/`` are registered as the package ``reference`` in this
process only, so ``from reference import fcnet`` in a reference module (or a test) and
the grader see one module object.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

from grader.errors import AssignmentSpecError, UsageError, closest

COURSE_ENV = "GRADER_COURSE"
PACKAGE = "reference"
_CHECKOUT = Path(__file__).resolve().parents[2]


class ReferenceMissing(AssignmentSpecError):
    """The reference module's file, or the course's reference/ folder, is not there
    (as in a student's release bundle, which is graded from public fixtures instead)."""


def _is_course(folder: Path) -> bool:
    return (folder / "assignments").is_dir() or (folder / PACKAGE).is_dir()


def course_root() -> Path | None:
    """The course folder (see the module docstring), or None when there is none.

    Raises:
        UsageError: GRADER_COURSE names a folder that is not a course folder.
    """
    named = os.environ.get(COURSE_ENV)
    if named:
        folder = Path(named).expanduser().resolve()
        if not _is_course(folder):
            raise UsageError(f"{COURSE_ENV}={named} is not a course folder (it has neither assignments/ nor reference/)",
                             hint="point it at the folder that holds assignments/ and reference/")
        return folder
    for folder in (_CHECKOUT, Path.cwd()):
        if _is_course(folder):
            return folder
    return None


def bundled_root() -> Path:
    """The course's ``assignments/`` folder (may not exist: then nothing is bundled)."""
    root = course_root()
    return (root if root is not None else Path.cwd()) / "assignments"


def bundled_names() -> list[str]:
    return sorted(p.parent.name for p in bundled_root().glob("*/assignment.toml"))


def resolve(name_or_path: str) -> Path:
    """The assignment.toml for a bundled name or a folder path.

    Raises:
        UsageError: neither exists (with the closest bundled names as a hint).
    """
    path = Path(name_or_path)
    if path.is_file() and path.name == "assignment.toml":
        return path
    if (path / "assignment.toml").is_file():
        return path / "assignment.toml"
    bundled = bundled_root() / name_or_path / "assignment.toml"
    if "/" not in name_or_path and bundled.is_file():
        return bundled
    names = bundled_names()
    near = closest(name_or_path, names)
    if near:
        hint = f"did you mean {' or '.join(near)}?"
    elif names:
        hint = f"bundled assignments: {', '.join(names)}"
    else:
        hint = f"no course folder with assignments/ was found; set {COURSE_ENV} or pass the assignment's folder"
    raise UsageError(f"no assignment named {name_or_path!r} (and no assignment.toml in that folder)", hint=hint)


def course_of(assignment_folder: Path) -> Path | None:
    """The course an assignment folder belongs to: the folder above its ``assignments/``
    when that has ``reference/``, else the course folder found as above."""
    folder = assignment_folder.resolve()
    if folder.parent.name == "assignments" and (folder.parent.parent / PACKAGE).is_dir():
        return folder.parent.parent
    return course_root()


def load_reference(name: str, assignment_folder: Path | None = None) -> ModuleType:
    """The reference module a spec names, loaded by path (see the module docstring).

    Raises:
        AssignmentSpecError: the file is not there or does not import.
    """
    where = str(assignment_folder) if assignment_folder is not None else None
    if name.endswith(".py"):
        base = assignment_folder if assignment_folder is not None else Path.cwd()
        return _load_file((base / name).resolve(), where)
    if not name.startswith(PACKAGE + "."):
        raise AssignmentSpecError(f"reference {name!r} must be 'reference.<module>' (a file in the course's "
                                  "reference/ folder) or a path to a .py file relative to the assignment", path=where)
    course = course_of(assignment_folder) if assignment_folder is not None else course_root()
    if course is None or not (course / PACKAGE).is_dir():
        raise ReferenceMissing(f"reference {name!r} needs the course's reference/ folder, and none was found "
                                  f"(set {COURSE_ENV} to the folder that holds reference/)", path=where)
    _register_package(course / PACKAGE)
    module_file = course / PACKAGE / (name[len(PACKAGE) + 1:].replace(".", "/") + ".py")
    if not module_file.is_file():
        raise ReferenceMissing(f"reference {name!r}: {module_file} does not exist", path=where)
    try:
        return importlib.import_module(name)
    except Exception as exc:  # the instructor's module: any failure is a spec error
        raise AssignmentSpecError(f"reference {name!r} ({module_file}) does not import: "
                                  f"{type(exc).__name__}: {exc}", path=where) from exc


def fcnet(assignment_folder: Path | None = None) -> ModuleType:
    """The reference network (``reference/fcnet.py`` of the course): of the reference
    package already loaded in this process, else of the course folder.

    Raises:
        ReferenceMissing: no course folder with reference/fcnet.py was found.
    """
    if PACKAGE in sys.modules:
        return importlib.import_module(f"{PACKAGE}.fcnet")
    return load_reference(f"{PACKAGE}.fcnet", assignment_folder)


def _register_package(folder: Path) -> None:
    """Make ``reference`` name this course's reference/ folder in this process."""
    current = sys.modules.get(PACKAGE)
    if current is not None:
        paths = [Path(p).resolve() for p in getattr(current, "__path__", [])]
        if folder.resolve() in paths:
            return
        raise AssignmentSpecError(f"two course folders in one run: reference/ is already "
                                  f"{', '.join(map(str, paths)) or 'another module'}, and now {folder}",
                                  path=str(folder))
    init = folder / "__init__.py"
    if init.is_file():
        spec = importlib.util.spec_from_file_location(PACKAGE, init, submodule_search_locations=[str(folder)])
    else:  # a namespace-like package: a folder of modules without __init__.py
        spec = importlib.machinery.ModuleSpec(PACKAGE, None, is_package=True)
        spec.submodule_search_locations = [str(folder)]
    if spec is None:  # pragma: no cover - spec_from_file_location only fails on odd loaders
        raise AssignmentSpecError(f"cannot load {folder} as the reference package", path=str(folder))
    module = importlib.util.module_from_spec(spec)
    sys.modules[PACKAGE] = module
    if spec.loader is not None:
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            del sys.modules[PACKAGE]
            raise AssignmentSpecError(f"{init} does not import: {type(exc).__name__}: {exc}", path=str(folder)) from exc


def _load_file(path: Path, where: str | None) -> ModuleType:
    if not path.is_file():
        raise ReferenceMissing(f"reference file {path} does not exist", path=where)
    name = "_grader_reference_" + "".join(c if c.isalnum() else "_" for c in str(path))
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise AssignmentSpecError(f"reference file {path} is not a Python module", path=where)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise AssignmentSpecError(f"reference file {path} does not import: {type(exc).__name__}: {exc}",
                                  path=where) from exc
    return module
