"""Public fixtures: the reference's answers at the public inputs, as plain data.

A release bundle (``grader release``, see ``grader.release``) gives students the
starter notebook and support modules, but not the ``reference`` package. Instead it
holds what the checks would ask the reference at the public seed, recorded while the
reference graded itself:

* the inputs (``Problem.values``: X, Y, parameters, cache, gradients, ...);
* every reference call (function, patch, arguments -> expected value): the ``value``
  checks' outputs and the ``gradcheck_function`` checks' expected wrong difference;
* every reference cost a gradient check differentiates (L2 strength, keep_prob,
  dropout masks -> J and the analytic gradients at the public parameters, and the
  gradients of the known wrong backward passes, for the diagnosis);
* every dropout forward with frozen masks (masks -> A_L and cache), and the masks
  drawn from the seed.

``load`` turns a bundle back into a ``PublicProblem`` and a ``PublicReference`` that
answer exactly those questions; any other question (a student's own dropout masks,
another seed) raises ``Unavailable``, which a check reports as "unchecked" rather
than guessing.

A gradient check needs a cost it can evaluate near the public parameters.
``LinearCost`` is the reference cost to first order there: its central differences
are the reference's analytic gradient up to round-off, which is what the live
reference's central differences measure too (to ~1e-10 away from ReLU kinks).

Files (no pickle anywhere): ``public_fixtures.npz`` (``grader.run.wire`` format) and
``fixtures.json``, a manifest for people (assignment, seed, grader version, and per
check the inputs it uses and what was recorded).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from grader.run import wire
from grader.errors import UsageError
from grader.calls.inputs import Problem

FIXTURES_FILE = "public_fixtures.npz"
MANIFEST_FILE = "fixtures.json"
FORMAT = 1
PUBLIC_SEED = 0
"""The seed of every release bundle, and the default seed of ``grader check``: public by design."""
MAX_BYTES = 64 * 2**20


class Unavailable(Exception):
    """The public fixtures hold no answer to this question; only the reference does."""


@dataclass(frozen=True)
class Network:
    """The sizes and activations of the reference network (``fcnet.Architecture``
    without its maths), for reading masks and naming activations."""

    layer_dims: tuple[int, ...]
    hidden: str
    output: str

    @property
    def depth(self) -> int:
        return len(self.layer_dims) - 1


@dataclass(frozen=True)
class Hypothesis:
    """A known bug and the gradients it gives at the public point (see ``fcnet.Hypothesis``)."""

    kind: str
    text: str
    grads: Mapping[str, np.ndarray]


class LinearCost:
    """J(θ) = J0 + Σ_blocks ⟨g, θ − θ0⟩: the reference cost to first order at θ0.

    Only meaningful within a finite-difference step of ``point``; ``check_gradients``
    evaluates it nowhere else.
    """

    def __init__(self, point: Mapping[str, np.ndarray], value: float, gradients: Mapping[str, np.ndarray],
                 hypotheses: Sequence[Hypothesis] = ()) -> None:
        self.point = {k: np.asarray(v, dtype=float) for k, v in point.items()}
        self.value = float(value)
        self.gradients = {k: np.asarray(v, dtype=float) for k, v in gradients.items()}
        self._hypotheses = tuple(hypotheses)

    def __call__(self, params: Mapping[str, np.ndarray]) -> float:
        step = sum(float(np.sum(self.gradients[f"d{k}"] * (np.asarray(params[k], dtype=float) - p0)))
                   for k, p0 in self.point.items())
        return self.value + step

    def hypotheses(self, params: Mapping[str, np.ndarray]) -> list[Hypothesis]:
        return list(self._hypotheses)


def same(a: Any, b: Any) -> bool:
    """Exact structural equality of plain data (containers, numbers, arrays of any dtype)."""
    if isinstance(a, Mapping) or isinstance(b, Mapping):
        return (isinstance(a, Mapping) and isinstance(b, Mapping) and list(a) == list(b)
                and all(same(a[k], b[k]) for k in a))
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return (isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and len(a) == len(b)
                and all(same(x, y) for x, y in zip(a, b)))
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return a == b
    x, y = np.asarray(a), np.asarray(b)
    return x.shape == y.shape and bool(np.array_equal(x, y))


def masks_list(masks: Mapping[int, np.ndarray] | None) -> list[np.ndarray] | None:
    """Masks {1: D1, 2: D2} as [D1, D2] (the wire format has only string keys)."""
    return None if masks is None else [np.asarray(masks[l], dtype=float) for l in sorted(masks)]


def _masks_dict(masks: Sequence[np.ndarray] | None) -> dict[int, np.ndarray] | None:
    return None if masks is None else {l: np.asarray(D) for l, D in enumerate(masks, start=1)}


def _same_masks(stored: Sequence[np.ndarray] | None, masks: Mapping[int, np.ndarray] | None) -> bool:
    return same(stored, masks_list(masks))


class PublicReference:
    """Answers ``reference_call`` from recorded calls, at the recorded arguments only."""

    def __init__(self, name: str, calls: Iterable[Mapping[str, Any]]) -> None:
        self.__name__ = name
        self.calls = tuple(calls)

    def reference_call(self, function: str, args: Sequence[Any], patch: Mapping[str, str] | None = None) -> Any:
        for c in self.calls:
            if c["function"] == function and dict(c["patch"]) == dict(patch or {}) and same(c["args"], list(args)):
                return copy.deepcopy(c["expected"])
        raise Unavailable(f"The public fixtures hold no reference answer for {function}() with these inputs.")


@dataclass(frozen=True)
class PublicProblem(Problem):
    """A Problem whose reference network answers come from recorded fixtures."""

    costs: tuple[Mapping[str, Any], ...] = ()
    forwards: tuple[Mapping[str, Any], ...] = ()
    seed_mask_sets: tuple[Mapping[str, Any], ...] = ()

    def cost(self, lambd: float = 0.0, masks: Mapping[int, np.ndarray] | None = None,
             keep_prob: float = 1.0) -> LinearCost:
        for c in self.costs:
            if c["lambd"] == lambd and c["keep_prob"] == keep_prob and _same_masks(c["masks"], masks):
                hyps = [Hypothesis(h["kind"], h["text"], h["grads"]) for h in c["hypotheses"]]
                return LinearCost(self["parameters"], c["J"], c["gradients"], hyps)
        raise Unavailable(f"The public fixtures hold no reference cost for lambd = {lambd:g}, keep_prob = "
                          f"{keep_prob:g}{' and these dropout masks' if masks is not None else ''}.")

    def dropout_cache(self, layout: tuple[str, ...], masks: Mapping[int, np.ndarray],
                      keep_prob: float) -> tuple[np.ndarray, tuple]:
        for f in self.forwards:
            if tuple(f["layout"]) == tuple(layout) and f["keep_prob"] == keep_prob and _same_masks(f["masks"], masks):
                return copy.deepcopy(f["AL"]), copy.deepcopy(tuple(f["cache"]))
        raise Unavailable("Your dropout masks differ from the ones the public fixtures hold (the reference's, "
                          "drawn the way the starter notebook draws them), so the reference forward with your "
                          "masks is not available here.")

    def can_freeze(self, masks: Mapping[int, np.ndarray], keep_prob: float) -> bool:
        return any(f["keep_prob"] == keep_prob and _same_masks(f["masks"], masks) for f in self.forwards)

    def seed_masks(self, keep_prob: float) -> dict[int, np.ndarray]:
        for s in self.seed_mask_sets:
            if s["keep_prob"] == keep_prob:
                return _masks_dict(s["masks"])
        raise Unavailable(f"The public fixtures hold no dropout masks for keep_prob = {keep_prob:g}.")


@dataclass(frozen=True)
class PublicFixtures:
    """A loaded bundle's fixtures: what ``grade_notebook`` uses instead of the reference.

    Attributes:
        assignment: the assignment's name when the fixtures were made.
        seed: the public seed they were made at.
        grader_version: the grader that made them.
        problem: the inputs and the recorded reference network answers.
        reference: the recorded reference function calls.
    """

    assignment: str
    seed: int
    grader_version: str
    problem: PublicProblem
    reference: PublicReference


def present(folder: Path) -> bool:
    """Whether ``folder`` holds a release bundle's fixtures."""
    return (Path(folder) / FIXTURES_FILE).is_file()


def load(folder: Path) -> PublicFixtures:
    """Read the public fixtures of the bundle in ``folder``.

    Raises:
        UsageError: there are none, or they are not fixtures this grader can read.
    """
    path = Path(folder) / FIXTURES_FILE
    if not path.is_file():
        raise UsageError(f"the instructor's reference is not installed and {folder} holds no {FIXTURES_FILE}",
                         hint="run `grader check` inside the folder your instructor released "
                              "(or pass --assignment FOLDER)")
    try:
        data = wire.read(path, max_bytes=MAX_BYTES)
    except wire.WireError as exc:
        raise UsageError(f"{path} is not readable public fixtures: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise UsageError(f"{path} has fixture format {data.get('format') if isinstance(data, dict) else '?'}, "
                         f"this grader reads format {FORMAT}", hint="install the grader version the bundle names "
                                                                    f"in {MANIFEST_FILE}")
    net = data["network"]
    network = None if net is None else Network(tuple(net["layer_dims"]), net["hidden"], net["output"])
    problem = PublicProblem(
        seed=int(data["seed"]), values=MappingProxyType(dict(data["inputs"])), network=network,
        costs=tuple(data["costs"]), forwards=tuple(data["forwards"]), seed_mask_sets=tuple(data["seed_masks"]),
    )
    return PublicFixtures(str(data["assignment"]), int(data["seed"]), str(data["grader_version"]), problem,
                          PublicReference(str(data["reference"]), data["calls"]))


def write(folder: Path, document: Mapping[str, Any]) -> Path:
    """Store a fixtures document (built by ``grader.release``) in ``folder``."""
    path = Path(folder) / FIXTURES_FILE
    wire.write(path, dict(document), max_bytes=MAX_BYTES)
    return path
