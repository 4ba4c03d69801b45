"""The bug catalog: one-bug variants of the reference backward pass.

Each mutant takes a Problem (a reference network at a point) and returns the gradients
a student with that one bug would hand in, together with the blocks that must fail and
the diagnosis kind (and factor) each must get.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from reference import fcnet


@dataclass(frozen=True)
class Problem:
    arch: fcnet.Architecture
    params: dict
    X: np.ndarray
    Y: np.ndarray
    lambd: float = 0.0

    @property
    def m(self) -> int:
        return self.X.shape[1]

    def cost(self, lambd: float | None = None) -> fcnet.NetworkCost:
        return fcnet.NetworkCost(self.arch, self.X, self.Y, lambd=self.lambd if lambd is None else lambd)

    def grads(self, **kw) -> dict:
        return self.cost().gradients(self.params, **kw)


def make_problem(dims=(4, 5, 3, 1), m=10, seed=0, lambd=0.0, hidden="relu", output="sigmoid") -> Problem:
    arch = fcnet.Architecture(tuple(dims), hidden, output)
    X, Y = fcnet.make_data(arch, m, seed)
    return Problem(arch, fcnet.init_params(arch, seed), X, Y, lambd)


@dataclass(frozen=True)
class Mutant:
    name: str
    mutate: Callable[[Problem], dict]
    expect: dict[str, tuple[str, float | None]]  # block -> (kind, factor or None)
    dims: tuple[int, ...] = (4, 5, 3, 1)
    lambd: float = 0.0
    notes: str = field(default="")


def _with(p: Problem, **changes) -> dict:
    g = p.grads()
    for key, fn in changes.items():
        g[key] = fn(g[key], p)
    return g


def _drop(key: str) -> Callable[[Problem], dict]:
    def mutate(p: Problem) -> dict:
        g = p.grads()
        del g[key]
        return g
    return mutate


def _nan_in_dW2(g, p):
    g = g.copy()
    g[0, 1] = np.nan
    return g


def _missing_l2(p: Problem) -> dict:
    g = p.grads()
    unreg = p.cost(lambd=0.0).gradients(p.params)
    g["dW2"] = unreg["dW2"]
    return g


CATALOG = [
    Mutant("dW2_times_2", lambda p: _with(p, dW2=lambda g, p: 2 * g), {"dW2": ("scale", 2.0)}),
    Mutant("db1_4_over_m", lambda p: _with(p, db1=lambda g, p: 4 * g), {"db1": ("scale", 4.0)}),
    Mutant("dW3_missing_1_over_m", lambda p: _with(p, dW3=lambda g, p: g * p.m), {"dW3": ("scale", 10.0)}),
    Mutant("db3_sign_flip", lambda p: _with(p, db3=lambda g, p: -g), {"db3": ("sign", -1.0)}),
    Mutant("dW1_transposed_square", lambda p: _with(p, dW1=lambda g, p: g.T), {"dW1": ("transposed", None)},
           dims=(5, 5, 3, 1)),
    Mutant("dW1_transposed_rect", lambda p: _with(p, dW1=lambda g, p: g.T), {"dW1": ("transposed", None)}),
    Mutant("db2_wrong_axis",
           lambda p: _with(p, db2=lambda g, p: np.sum(p.grads()["dZ2"], axis=0, keepdims=True) / p.m),
           {"db2": ("shape", None)}),
    Mutant("relu_mask_wrong_array", lambda p: p.grads(derivatives={2: "relu_from_dA"}),
           {k: ("relu_mask", None) for k in ("dW1", "db1", "dW2", "db2")}),
    Mutant("sigmoid_derivative_for_relu", lambda p: p.grads(derivatives={1: "sigmoid"}),
           {k: ("activation", None) for k in ("dW1", "db1")}),
    Mutant("dW2_missing_l2", _missing_l2, {"dW2": ("missing_l2", 0.07)}, lambd=0.7),
    Mutant("dW3_zeros", lambda p: _with(p, dW3=lambda g, p: np.zeros_like(g)), {"dW3": ("zero", None)}),
    Mutant("dW2_nan", lambda p: _with(p, dW2=_nan_in_dW2), {"dW2": ("nonfinite", None)}),
    Mutant("db2_absent", _drop("db2"), {"db2": ("missing", None)}),
    Mutant("db1_list", lambda p: _with(p, db1=lambda g, p: g.tolist()), {"db1": ("type", None)}),
    Mutant("db3_scalar", lambda p: _with(p, db3=lambda g, p: float(g.sum())), {"db3": ("shape", None)}),
]
