"""Reference functions implied by an assignment's ``[network]``, for specs without Python.

An instructor who writes a new fully connected network assignment gives only an
``assignment.toml`` and a starter notebook. Gradient checks need no reference function
(they differentiate the reference cost of ``reference.fcnet``); a value check names the
``role`` of the graded function instead, and the grader compares with:

* ``forward``: ``f(X, parameters) -> (AL, cache)``, the cache in the check's layout
  (``cache``, else ``[network] cache``), or, without a layout, the step-by-step
  notebooks' list of per-layer ``((A_prev, W, b), Z)``;
* ``cost``: ``f(AL, Y) -> float``, the mean cross-entropy of the output activation
  (binary for sigmoid, categorical for softmax), computed from AL as notebooks do;
* ``backward``: ``f(X, Y, cache) -> gradients`` in the same layout, keyed like the
  notebooks (dZ3, dW3, db3, dA2, ...).

The network's sizes come from the arguments (W1, W2, ... in ``parameters``), so one role
function serves a check with its own ``layers``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from grader.spec import course
from grader.spec.load import NetworkSpec
from grader.calls.inputs import dls_order, layer_caches

if TYPE_CHECKING:  # imported where used: a student's release bundle has no reference package
    from reference import fcnet


def _arch(network: NetworkSpec, parameters: Mapping[str, np.ndarray], X: np.ndarray) -> fcnet.Architecture:
    fcnet = course.fcnet()
    L = sum(1 for k in parameters if k.startswith("W"))
    dims = [X.shape[0]] + [parameters[f"W{l}"].shape[0] for l in range(1, L + 1)]
    return fcnet.Architecture(tuple(dims), network.hidden, network.output)


def _dict(cache: Sequence[Any], layout: Sequence[str]) -> dict[str, Any]:
    return dict(zip(layout, cache))


def function(role: str, network: NetworkSpec, layout: tuple[str, ...]) -> Callable[..., Any]:
    """The reference function of ``role`` for ``network``, with caches in ``layout``."""
    fcnet = course.fcnet()

    if role == "forward":
        def forward(X, parameters):
            arch = _arch(network, parameters, X)
            AL, cache = fcnet.forward(np.asarray(X, dtype=float), parameters, arch)
            if not layout:
                return AL, layer_caches(cache, parameters, arch.depth)
            both = {**cache, **parameters}
            return AL, tuple(both[n] for n in layout)
        return forward
    if role == "cost":
        def cost(AL, Y):
            AL, Y = np.asarray(AL, dtype=float), np.asarray(Y, dtype=float)
            m = Y.shape[1]
            if network.output == "softmax":
                return float(-np.sum(Y * np.log(AL)) / m)
            return float(-np.sum(Y * np.log(AL) + (1 - Y) * np.log(1 - AL)) / m)
        return cost
    if role == "backward":
        def backward(X, Y, cache):
            named = _dict(cache, layout)
            params = {k: v for k, v in named.items() if k[0] in "Wb"}
            arch = _arch(network, params, X)
            full = {"A0": np.asarray(X, dtype=float), **{k: v for k, v in named.items() if k[0] in "ZAD"}}
            grads = fcnet.backward(np.asarray(X, dtype=float), np.asarray(Y, dtype=float), params, full, arch)
            return dls_order(grads, arch.depth)
        return backward
    raise ValueError(f"unknown role {role!r}")
