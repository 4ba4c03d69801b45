"""The inputs the grader chooses for the student's functions, drawn from one seed.

Instructors grade with a secret seed (``--seed`` or GRADER_SEED), so the inputs differ
from the ones a student saw while self-checking and a hard-coded answer fails.

Named inputs a check can pass (``args = ["X", "Y", "cache"]``):

* every ``[inputs.NAME]`` of the spec (uniform scalars or arrays, or constants);
* with a ``[network]``: ``X``, ``Y``, ``parameters`` (W1, b1, ...), ``cache`` (the
  reference forward's cache in the spec's layout), ``gradients`` (the reference
  backward's dZ/dW/db/dA), ``gradients_wrong`` (the same with the last hidden layer's
  dW doubled, to see whether a student's gradient checker notices), ``lambd``,
  ``keep_prob`` and ``m``; and, for the layer-by-layer notebooks ("Building your Deep
  Neural Network: Step by Step"), ``AL`` (the reference forward's output) and ``caches``
  (its list of per-layer caches ``((A_prev, W, b), Z)``).

A check with its own ``layers`` gets the network inputs of a network of those sizes
(``draw(..., layers=...)``); every other input is the same as in the default draw.

A gradient check whose cache layout names dropout masks does not use ``cache``: it
builds its own with ``Problem.dropout_cache`` (see ``grader.checks.dropout``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np

from grader.spec.load import Assignment, NetworkSpec
from grader.spec import course
from grader.errors import AssignmentSpecError

if TYPE_CHECKING:
    from reference import fcnet

# ``reference.fcnet`` (the reference network: forward, cost, backward) is imported where
# it is used, not here: a student's self-check runs without the ``reference`` package,
# from the public fixtures of a release bundle (``grader.calls.fixtures``).

SEED_ENV = "GRADER_SEED"


def default_seed() -> int:
    """The seed from GRADER_SEED, else 0 (the student self-check's seed)."""
    raw = os.environ.get(SEED_ENV, "").strip()
    return int(raw) if raw.lstrip("-").isdigit() else 0


@dataclass(frozen=True)
class Problem:
    """One draw of inputs. ``values`` must be copied before a student function sees them;
    the sandbox sends copies across the process boundary anyway."""

    seed: int
    values: Mapping[str, Any]
    network: fcnet.Architecture | None

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def cost(self, lambd: float = 0.0, masks: Mapping[int, np.ndarray] | None = None, keep_prob: float = 1.0) -> fcnet.NetworkCost:
        """The reference cost J(parameters) on this problem's X, Y."""
        fcnet = course.fcnet()

        return fcnet.NetworkCost(self.network, self["X"], self["Y"], lambd=lambd, masks=masks, keep_prob=keep_prob)

    def dropout_cache(self, layout: tuple[str, ...], masks: Mapping[int, np.ndarray], keep_prob: float) -> tuple[np.ndarray, tuple]:
        """The reference forward with frozen dropout ``masks``: (A_L, cache in ``layout``)."""
        fcnet = course.fcnet()

        AL, cache = fcnet.forward(self["X"], self["parameters"], self.network, masks=masks, keep_prob=keep_prob)
        return AL, _layout(cache, self["parameters"], layout)

    def can_freeze(self, masks: Mapping[int, np.ndarray], keep_prob: float) -> bool:
        """Whether the reference network can be run with these dropout ``masks``: always
        here; the public fixtures (``grader.calls.fixtures``) hold only the masks they were built with."""
        return True

    def seed_masks(self, keep_prob: float) -> dict[int, np.ndarray]:
        """Dropout masks drawn from this problem's seed (all ones when keep_prob = 1)."""
        fcnet = course.fcnet()

        return fcnet.make_masks(self.network, self["m"], keep_prob, seed=self.seed)


def _layout(cache: Mapping[str, np.ndarray], params: Mapping[str, np.ndarray], names: tuple[str, ...]) -> tuple:
    both = {**cache, **params}
    return tuple(both[n] for n in names)


def _network_values(spec: NetworkSpec, rng: np.random.Generator) -> tuple[fcnet.Architecture, dict[str, Any]]:
    fcnet = course.fcnet()

    arch = fcnet.Architecture(spec.layers, spec.hidden, spec.output)
    seeds = rng.integers(0, 2**31, size=2)
    X, Y = fcnet.make_data(arch, spec.examples, int(seeds[0]))
    params = fcnet.init_params(arch, int(seeds[1]))
    _, cache = fcnet.forward(X, params, arch)
    grads = fcnet.backward(X, Y, params, cache, arch)
    wrong = {k: v.copy() for k, v in grads.items()}
    target = f"dW{max(1, arch.depth - 1)}"
    wrong[target] = 2 * wrong[target]
    values = {
        "X": X, "Y": Y, "parameters": params, "m": spec.examples,
        "gradients": dls_order(grads, arch.depth), "gradients_wrong": dls_order(wrong, arch.depth),
        "lambd": spec.lambd, "keep_prob": spec.keep_prob,
    }
    if spec.cache and set(spec.cache) <= {*cache, *params}:  # a check's own layers may not fit it
        values["cache"] = _layout(cache, params, spec.cache)
    values["AL"] = cache[f"A{arch.depth}"]
    values["caches"] = layer_caches(cache, params, arch.depth)
    return arch, values


def layer_caches(cache: Mapping[str, np.ndarray], params: Mapping[str, np.ndarray], L: int) -> list[tuple]:
    """The reference forward's cache as the step-by-step notebooks keep it: one
    ``((A_prev, W, b), Z)`` per layer, in a list."""
    return [((cache[f"A{l - 1}"], params[f"W{l}"], params[f"b{l}"]), cache[f"Z{l}"]) for l in range(1, L + 1)]


def dls_order(grads: Mapping[str, np.ndarray], L: int) -> dict[str, np.ndarray]:
    """Gradients keyed like the notebooks return them: dZ3, dW3, db3, dA2, dZ2, ..."""
    out = {}
    for l in range(L, 0, -1):
        for key in (f"dZ{l}", f"dW{l}", f"db{l}", f"dA{l - 1}"):
            if key in grads:
                out[key] = grads[key]
    return out


def draw(assignment: Assignment, seed: int, layers: tuple[int, ...] = ()) -> Problem:
    """Draw every named input of ``assignment`` from ``seed``.

    Args:
        assignment: the spec.
        seed: the run's seed.
        layers: layer sizes replacing ``[network] layers`` (a check's own ``layers``).
    """
    rng = np.random.default_rng([seed, 0x5EED])
    values: dict[str, Any] = {}
    arch = None
    if assignment.network is not None:
        network = dataclasses.replace(assignment.network, layers=tuple(layers)) if layers else assignment.network
        arch, net_values = _network_values(network, rng)
        values.update(net_values)
    for spec in assignment.inputs:
        if spec.items is not None:
            continue  # built below, from the other inputs
        if spec.value is not None:
            # Constants draw nothing, so adding one leaves every other input unchanged.
            values[spec.name] = _constant(spec.value)
            continue
        sample = rng.uniform(spec.low, spec.high, size=spec.shape or None)
        values[spec.name] = float(sample) if not spec.shape else sample
    for spec in assignment.inputs:
        if spec.items is not None:
            values[spec.name] = _assemble(spec.items, values, spec.name)
    return Problem(seed, MappingProxyType(values), arch)


def _constant(value: float | int | str | tuple) -> Any:
    if not isinstance(value, tuple):
        return value

    def flat(v):
        return [x for item in v for x in (flat(item) if isinstance(item, tuple) else [item])]

    ints = all(isinstance(x, int) for x in flat(value))
    return np.array(value, dtype=np.int64 if ints else float)


def _assemble(items: tuple, values: Mapping[str, Any], name: str) -> tuple:
    """The tuple input ``name``: other inputs by name, nested as declared."""
    out = []
    for item in items:
        if isinstance(item, tuple):
            out.append(_assemble(item, values, name))
        elif item in values:
            out.append(values[item])
        else:
            raise AssignmentSpecError(f"[inputs.{name}.tuple] names the input {item!r}, which is not defined; "
                                      f"inputs: {', '.join(sorted(values))}")
    return tuple(out)
