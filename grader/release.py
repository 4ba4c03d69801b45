"""Release bundles: what students get to self-check with (``grader release ASSIGNMENT --out DIR``).

A bundle holds the starter notebook, the support modules, the assignment spec and the
public fixtures (``grader.calls.fixtures``): inputs at the public seed and the reference's
answers there, as data. It never holds the ``reference`` package, the samples, the
tests or any solution, and never the instructor's secret seed: a release always uses
``fixtures.PUBLIC_SEED`` (GRADER_SEED is ignored).

The fixtures are recorded, not derived: the reference grades itself in-process at the
public seed (``_ReferenceSandbox`` plays the student) while ``_RecordingProblem`` and
``_RecordingReference`` write down every question the checks ask of the reference and
its answer. A student's self-check then asks the same questions of the same inputs. The
release refuses to write a bundle unless the reference passes every check.
"""

from __future__ import annotations

import copy
import inspect
import json
import shutil
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from grader.checks import kinds as checks
from grader.spec import course
from grader.spec import load as config
from grader.calls import fixtures
from grader.errors import AssignmentSpecError, UsageError
from grader.calls.inputs import Problem, draw
from grader.run.sandbox import CallResult, ExecutionResult

ASSIGNMENT_FILE = "assignment.toml"
README_FILE = "README.md"

_STUDENT_README = """\
# {title}

Open `{notebook}`, fill in the graded functions, then check your work before you hand it in:

```sh
grader check {notebook}               # run inside this folder
grader check path/to/{notebook} --assignment path/to/this/folder
```

The check runs your notebook and compares your functions with the instructor's answers
at fixed public inputs, stored as data in `{fixtures}` (described in `{manifest}`). The
score is indicative: your instructor grades with other inputs. A check that needs the
instructor's solution on data only your notebook produces (for example dropout masks of
your own) says so and is left to the instructor's grader.
"""


@dataclass(frozen=True)
class _Recording:
    """What the checks asked the reference, and its answers (the fixtures document's lists)."""

    calls: list = field(default_factory=list)
    costs: list = field(default_factory=list)
    forwards: list = field(default_factory=list)
    seed_masks: list = field(default_factory=list)
    current: list = field(default_factory=lambda: [""])  # the check being recorded

    def add(self, kind: str, entry: dict, key: tuple[str, ...]) -> dict:
        """Append ``entry`` to list ``kind`` unless an entry with the same ``key`` fields is there."""
        items = getattr(self, kind)
        for old in items:
            if all(fixtures.same(old[k], entry[k]) for k in key):
                if self.current[0] not in old["checks"]:
                    old["checks"].append(self.current[0])
                return old
        entry["checks"] = [self.current[0]]
        items.append(entry)
        return entry


def _blocks(grads: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Only the parameter gradients (dW, db): the diagnosis needs no dZ or dA."""
    return {k: np.asarray(v, dtype=float) for k, v in grads.items() if k[:2] in ("dW", "db")}


@dataclass(frozen=True)
class _RecordingProblem(Problem):
    """The live Problem, writing down every reference-network answer it gives."""

    recording: _Recording = field(default_factory=_Recording)

    def cost(self, lambd=0.0, masks=None, keep_prob=1.0):
        cost = super().cost(lambd, masks, keep_prob)
        params = self["parameters"]
        entry = {"lambd": float(lambd), "keep_prob": float(keep_prob), "masks": fixtures.masks_list(masks),
                 "J": float(cost(params)), "gradients": _blocks(cost.gradients(params)),
                 "hypotheses": [{"kind": h.kind, "text": h.text, "grads": _blocks(h.grads)}
                                for h in cost.hypotheses(params)]}
        self.recording.add("costs", entry, ("lambd", "keep_prob", "masks"))
        return cost

    def dropout_cache(self, layout, masks, keep_prob):
        AL, cache = super().dropout_cache(layout, masks, keep_prob)
        self.recording.add("forwards", {"layout": list(layout), "keep_prob": float(keep_prob),
                                        "masks": fixtures.masks_list(masks), "AL": AL, "cache": cache},
                           ("layout", "keep_prob", "masks"))
        return AL, cache

    def seed_masks(self, keep_prob):
        masks = super().seed_masks(keep_prob)
        self.recording.add("seed_masks", {"keep_prob": float(keep_prob), "masks": fixtures.masks_list(masks)},
                           ("keep_prob",))
        return masks


class _RecordingReference:
    """The reference module behind ``Context.reference_call``, writing down each call."""

    def __init__(self, module: ModuleType, assignment: config.Assignment, recording: _Recording) -> None:
        self.module, self.assignment, self.recording = module, assignment, recording
        self.__name__ = module.__name__

    def reference_call(self, function: str, args: list, patch: Mapping[str, str] | None = None) -> Any:
        expected = checks.call_reference(self.module, function, args, patch, self.assignment)
        self.recording.add("calls", {"function": function, "patch": dict(patch or {}), "args": copy.deepcopy(list(args)),
                                     "expected": copy.deepcopy(expected)}, ("function", "patch", "args"))
        return expected


class _ReferenceSandbox:
    """Plays the student with the reference module, in-process (only trusted code runs)."""

    def __init__(self, module: ModuleType, assignment: config.Assignment) -> None:
        self.module, self.assignment = module, assignment

    def run(self, nb) -> ExecutionResult:  # pragma: no cover - never called: nothing to execute
        return ExecutionResult(0.0, 0, (), False, False, ())

    def defined_functions(self) -> tuple[str, ...]:
        return tuple(n for n, v in vars(self.module).items() if inspect.isfunction(v))

    def call(self, function: str, args: tuple = (), kwargs: dict | None = None, *, patch=None) -> CallResult:
        if not hasattr(self.module, function):
            return CallResult(False, ename="NameError", evalue=f"name {function!r} is not defined")
        try:
            value = checks.call_reference(self.module, function, list(args), patch, self.assignment)
        except Exception as exc:
            return CallResult(False, ename=type(exc).__name__, evalue=str(exc), traceback=traceback.format_exc())
        return CallResult(True, value=copy.deepcopy(value))

    def close(self) -> None:
        pass


def record(assignment: config.Assignment) -> tuple[dict, list[dict]]:
    """Grade the reference against itself at the public seed, recording the fixtures.

    Returns:
        (the fixtures document for ``fixtures.write``, one manifest entry per check).

    Raises:
        UsageError: the reference package is not installed here.
        AssignmentSpecError: the reference fails one of its own checks.
    """
    from grader import __version__

    try:
        module = course.load_reference(assignment.reference, assignment.folder)
    except course.ReferenceMissing as exc:
        raise UsageError(f"a release needs the reference module {assignment.reference} ({exc})",
                         hint="run `grader release` in the course folder that holds reference/ "
                              "(or set GRADER_COURSE)") from None
    rec = _Recording()
    live = draw(assignment, fixtures.PUBLIC_SEED)
    problem = _RecordingProblem(live.seed, live.values, live.network, recording=rec)
    sandbox = _ReferenceSandbox(module, assignment)
    ctx = checks.Context(assignment, sandbox, problem, _RecordingReference(module, assignment, rec),
                         sandbox.defined_functions())
    entries = []
    for spec in assignment.checks:
        rec.current[0] = spec.name
        result = checks.run(spec, ctx)
        if result.status != "pass":
            raise AssignmentSpecError(f"the reference fails its own check {spec.name!r} at the public seed "
                                      f"{fixtures.PUBLIC_SEED}: {result.message}", path=str(assignment.folder))
        if spec.type == "gradient" and spec.masks_from:
            # A student whose own masks differ from the reference's gets the check on
            # masks drawn from the seed (dropout.frozen_inputs): record those too.
            masks = problem.seed_masks(spec.keep_prob)
            problem.dropout_cache(spec.cache or assignment.network.cache, masks, spec.keep_prob)
            problem.cost(spec.lambd, masks, spec.keep_prob)
        entries.append({"name": spec.name, "type": spec.type, "function": spec.function, "points": spec.points,
                        "inputs": list(spec.args)})
    for entry in entries:
        name = entry["name"]
        entry["recorded"] = {kind: sum(name in e["checks"] for e in getattr(rec, kind))
                             for kind in ("calls", "costs", "forwards", "seed_masks")}
    network = assignment.network
    document = {
        "format": fixtures.FORMAT,
        "assignment": assignment.name,
        "seed": fixtures.PUBLIC_SEED,
        "grader_version": __version__,
        "reference": assignment.reference,
        "network": None if network is None else {"layer_dims": list(network.layers), "hidden": network.hidden,
                                                 "output": network.output},
        "inputs": dict(live.values),
        "calls": rec.calls,
        "costs": rec.costs,
        "forwards": rec.forwards,
        "seed_masks": rec.seed_masks,
    }
    return document, entries


def bundle_files(assignment: config.Assignment) -> list[str]:
    """Every top-level name a bundle of ``assignment`` holds."""
    return sorted({assignment.notebook, *assignment.support, ASSIGNMENT_FILE, README_FILE,
                   fixtures.FIXTURES_FILE, fixtures.MANIFEST_FILE})


def build(assignment_ref: str, out: Path) -> Path:
    """Write the student bundle of an assignment into the folder ``out``.

    Args:
        assignment_ref: a bundled assignment name or an assignment folder.
        out: the bundle folder; created, and it must be empty if it exists.

    Returns:
        ``out``.

    Raises:
        UsageError: ``out`` is not empty, or the reference is not installed.
        AssignmentSpecError: the spec is invalid or the reference fails its own checks.
    """
    from grader import __version__

    spec = config.load(assignment_ref)
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise UsageError(f"{out} exists and is not an empty folder", hint="choose a new --out folder")
    document, entries = record(spec)  # before writing anything: a failure leaves no half bundle
    out.mkdir(parents=True, exist_ok=True)
    shutil.copy2(spec.folder / spec.notebook, out / spec.notebook)
    for name in spec.support:
        src = spec.folder / name
        if src.is_dir():
            shutil.copytree(src, out / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(src, out / name)
    shutil.copy2(spec.folder / ASSIGNMENT_FILE, out / ASSIGNMENT_FILE)
    fixtures.write(out, document)
    manifest = {
        "assignment": spec.name,
        "title": spec.title,
        "seed": fixtures.PUBLIC_SEED,
        "grader_version": __version__,
        "fixtures": fixtures.FIXTURES_FILE,
        "files": bundle_files(spec),
        "inputs": sorted(document["inputs"]),
        "checks": entries,
    }
    (out / fixtures.MANIFEST_FILE).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (out / README_FILE).write_text(_STUDENT_README.format(title=spec.title, notebook=spec.notebook,
                                                          fixtures=fixtures.FIXTURES_FILE,
                                                          manifest=fixtures.MANIFEST_FILE), encoding="utf-8")
    return out
