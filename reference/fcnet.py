"""Reference fully connected network: forward, numerically stable cost, exact backward.

The grader checks a student's gradients against central differences of *this* cost,
never of the student's own forward pass. Conventions follow the Deep Learning
Specialization notebooks students hand in: X has shape (n_x, m) (one example per
column), W_l has shape (n_l, n_{l-1}), b_l has shape (n_l, 1), and dropout multiplies a
hidden activation by a 0/1 mask and divides it by keep_prob (inverted dropout).

The cost is computed from the output logits Z_L, not from A_L: log(sigmoid(z)) is
evaluated as -softplus(-z), which keeps the cost exact where A_L rounds to 0 or 1. At
eps = 1e-5 that is what holds the finite-difference noise of correct code near 1e-9.

Dropout with explicit masks is *frozen*: the masks are inputs, so the cost is a
deterministic function of the parameters and can be differentiated numerically.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

HIDDEN = ("relu", "tanh", "sigmoid")
OUTPUT = ("sigmoid", "softmax")


@dataclass(frozen=True)
class Architecture:
    """A fully connected network.

    Attributes:
        layer_dims: sizes from input to output, e.g. (4, 5, 3, 1); at least two entries.
        hidden: activation of every hidden layer: "relu", "tanh" or "sigmoid".
        output: "sigmoid" (binary cross-entropy) or "softmax" (categorical cross-entropy).
    """

    layer_dims: tuple[int, ...]
    hidden: str = "relu"
    output: str = "sigmoid"

    def __post_init__(self) -> None:
        dims = tuple(int(d) for d in self.layer_dims)
        object.__setattr__(self, "layer_dims", dims)
        if len(dims) < 2 or min(dims) < 1:
            raise ValueError(f"layer_dims must list at least two positive sizes, got {dims}")
        if self.hidden not in HIDDEN:
            raise ValueError(f"hidden activation must be one of {HIDDEN}, got {self.hidden!r}")
        if self.output not in OUTPUT:
            raise ValueError(f"output activation must be one of {OUTPUT}, got {self.output!r}")
        if self.output == "softmax" and dims[-1] < 2:
            raise ValueError("a softmax output needs at least two units")

    @property
    def depth(self) -> int:
        """Number of layers with parameters (L)."""
        return len(self.layer_dims) - 1

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """Parameter names in block order (W1, b1, ..., WL, bL) with their shapes."""
        shapes: dict[str, tuple[int, ...]] = {}
        for l in range(1, self.depth + 1):
            shapes[f"W{l}"] = (self.layer_dims[l], self.layer_dims[l - 1])
            shapes[f"b{l}"] = (self.layer_dims[l], 1)
        return shapes


def init_params(arch: Architecture, seed: int = 0, *, bias_scale: float = 0.1) -> dict[str, np.ndarray]:
    """He-scaled random weights and small random biases (non-zero, so db is exercised)."""
    rng = np.random.default_rng(seed)
    params = {}
    for name, shape in arch.param_shapes().items():
        if name.startswith("W"):
            params[name] = rng.standard_normal(shape) * np.sqrt(2.0 / shape[1])
        else:
            params[name] = rng.standard_normal(shape) * bias_scale
    return params


def make_data(arch: Architecture, m: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random inputs X (n_x, m) and valid labels Y: 0/1 for sigmoid, one-hot for softmax."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((arch.layer_dims[0], m))
    n_out = arch.layer_dims[-1]
    if arch.output == "sigmoid":
        Y = (rng.random((n_out, m)) < 0.5).astype(float)
    else:
        Y = np.eye(n_out)[:, rng.integers(0, n_out, size=m)]
    return X, Y


def make_masks(arch: Architecture, m: int, keep_prob: float, seed: int = 0) -> dict[int, np.ndarray]:
    """Dropout masks D_l (0/1 floats) for every hidden layer l = 1 .. L-1."""
    rng = np.random.default_rng(seed)
    return {
        l: (rng.random((arch.layer_dims[l], m)) < keep_prob).astype(float) for l in range(1, arch.depth)
    }


# --- activations --------------------------------------------------------------------


def _sigmoid(z: np.ndarray) -> np.ndarray:
    # Two-branch form: exp of a non-positive number only, so no overflow warnings.
    out = np.empty_like(z, dtype=float)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def _activate(z: np.ndarray, kind: str) -> np.ndarray:
    if kind == "relu":
        return np.maximum(z, 0.0)
    if kind == "tanh":
        return np.tanh(z)
    if kind == "sigmoid":
        return _sigmoid(z)
    if kind == "softmax":
        e = np.exp(z - z.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)
    raise ValueError(f"unknown activation {kind!r}")


def _derivative(kind: str, Z: np.ndarray, dA: np.ndarray) -> np.ndarray:
    """g'(Z) for a hidden activation; ``kind`` may also name one of the wrong variants
    listed in WRONG_DERIVATIVES, which the diagnosis uses as bug hypotheses.

    Computed from Z, not from the cached A: with dropout the cached A is masked and
    rescaled, and 1 - A**2 of that is not tanh'(Z).
    """
    if kind == "relu":
        return (Z > 0).astype(float)
    if kind == "tanh":
        return 1.0 - np.tanh(Z) ** 2
    if kind == "sigmoid":
        s = _sigmoid(Z)
        return s * (1.0 - s)
    if kind == "relu_from_dA":
        return (dA > 0).astype(float)
    if kind == "none":
        return np.ones_like(Z)
    raise ValueError(f"unknown derivative {kind!r}")


# Wrong activation derivatives students write, per true hidden activation, with the
# sentence that says what the student did. Used to build Hypothesis objects.
WRONG_DERIVATIVES: dict[str, dict[str, str]] = {
    "relu": {
        "relu_from_dA": "the ReLU derivative of layer {l} is taken from dA{l} instead of Z{l}: use dZ{l} = dA{l} * (Z{l} > 0)",
        "none": "the ReLU derivative of layer {l} is missing: dZ{l} must be dA{l} * (Z{l} > 0), not dA{l}",
        "sigmoid": "layer {l} is back-propagated as a sigmoid, but its forward activation is ReLU: use dZ{l} = dA{l} * (Z{l} > 0)",
        "tanh": "layer {l} is back-propagated as tanh, but its forward activation is ReLU: use dZ{l} = dA{l} * (Z{l} > 0)",
    },
    "tanh": {
        "relu": "layer {l} is back-propagated with a ReLU mask, but its activation is tanh: use dZ{l} = dA{l} * (1 - A{l}**2)",
        "none": "the tanh derivative of layer {l} is missing: dZ{l} must be dA{l} * (1 - A{l}**2)",
        "sigmoid": "layer {l} is back-propagated as a sigmoid, but its activation is tanh: use dZ{l} = dA{l} * (1 - A{l}**2)",
    },
    "sigmoid": {
        "relu": "layer {l} is back-propagated with a ReLU mask, but its activation is sigmoid: use dZ{l} = dA{l} * A{l} * (1 - A{l})",
        "none": "the sigmoid derivative of layer {l} is missing: dZ{l} must be dA{l} * A{l} * (1 - A{l})",
        "tanh": "layer {l} is back-propagated as tanh, but its activation is sigmoid: use dZ{l} = dA{l} * A{l} * (1 - A{l})",
    },
}


# --- forward, cost, backward --------------------------------------------------------


def forward(
    X: np.ndarray,
    params: Mapping[str, np.ndarray],
    arch: Architecture,
    *,
    masks: Mapping[int, np.ndarray] | None = None,
    keep_prob: float = 1.0,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Forward pass.

    Args:
        X: inputs, shape (n_x, m).
        params: W1, b1, ..., WL, bL.
        arch: the network.
        masks: dropout masks per hidden layer (1-based); None disables dropout.
        keep_prob: the inverted-dropout scale; ignored without masks.

    Returns:
        (A_L, cache) where cache maps "A0" (= X), and for every layer l "Z{l}", "A{l}"
        (after dropout, as the next layer sees it) and, with masks, "D{l}".
    """
    cache: dict[str, np.ndarray] = {"A0": X}
    A = X
    L = arch.depth
    for l in range(1, L + 1):
        Z = params[f"W{l}"] @ A + params[f"b{l}"]
        A = _activate(Z, arch.hidden if l < L else arch.output)
        if masks is not None and l < L:
            D = masks[l]
            A = A * D / keep_prob
            cache[f"D{l}"] = D
        cache[f"Z{l}"] = Z
        cache[f"A{l}"] = A
    return A, cache


def cost_from_logits(ZL: np.ndarray, Y: np.ndarray, output: str) -> float:
    """Mean cross-entropy computed from the output logits in a numerically stable form."""
    m = Y.shape[1]
    if output == "sigmoid":
        # -[y log s(z) + (1-y) log(1-s(z))] = max(z,0) - z*y + log(1 + exp(-|z|))
        loss = np.maximum(ZL, 0.0) - ZL * Y + np.log1p(np.exp(-np.abs(ZL)))
        return float(np.sum(loss) / m)
    shifted = ZL - ZL.max(axis=0, keepdims=True)
    log_softmax = shifted - np.log(np.sum(np.exp(shifted), axis=0, keepdims=True))
    return float(-np.sum(Y * log_softmax) / m)


def l2_term(params: Mapping[str, np.ndarray], lambd: float, m: int) -> float:
    """lambd/(2m) * sum of squared weights (biases are not regularized)."""
    if lambd == 0:
        return 0.0
    return float(lambd / (2 * m) * sum(np.sum(np.square(v)) for k, v in params.items() if k.startswith("W")))


def backward(
    X: np.ndarray,
    Y: np.ndarray,
    params: Mapping[str, np.ndarray],
    cache: Mapping[str, np.ndarray],
    arch: Architecture,
    *,
    lambd: float = 0.0,
    keep_prob: float = 1.0,
    derivatives: Mapping[int, str] | None = None,
) -> dict[str, np.ndarray]:
    """Exact gradients of cost + L2 term with respect to every parameter.

    Args:
        X, Y: the batch the forward pass saw.
        params, cache: the forward pass's parameters and cache.
        arch: the network.
        lambd: L2 strength (0 disables it).
        keep_prob: inverted-dropout scale; used only where the cache holds masks.
        derivatives: per hidden layer, the name of the activation derivative to use
            instead of the correct one; only the diagnosis sets it, to build bug
            hypotheses ("what would a student who did X have returned?").

    Returns:
        dW{l}, db{l}, dZ{l} for every layer and dA{l} for every hidden layer.
    """
    m = X.shape[1]
    L = arch.depth
    derivatives = dict(derivatives or {})
    grads: dict[str, np.ndarray] = {}
    dZ = cache[f"A{L}"] - Y  # sigmoid + BCE and softmax + CE share this form
    for l in range(L, 0, -1):
        A_prev = cache[f"A{l - 1}"]
        W = params[f"W{l}"]
        grads[f"dZ{l}"] = dZ
        grads[f"dW{l}"] = dZ @ A_prev.T / m + (lambd / m) * W
        grads[f"db{l}"] = np.sum(dZ, axis=1, keepdims=True) / m
        if l == 1:
            break
        dA = W.T @ dZ
        if f"D{l - 1}" in cache:
            dA = dA * cache[f"D{l - 1}"] / keep_prob
        grads[f"dA{l - 1}"] = dA
        kind = derivatives.get(l - 1, arch.hidden)
        dZ = dA * _derivative(kind, cache[f"Z{l - 1}"], dA)
    return grads


# --- the cost the grader differentiates -------------------------------------------


class Hypothesis(NamedTuple):
    """A known bug and the gradients a student who made it would have returned."""

    kind: str
    text: str
    grads: dict[str, np.ndarray]


class NetworkCost:
    """J(params) of one batch, with the extras the gradient checker looks for.

    ``__call__`` is the plain cost. ``evaluate`` also returns which ReLU units are
    active, so the checker can tell when a +-eps perturbation crosses a kink.
    ``gradients`` is the exact analytic gradient, ``hypotheses`` the gradients of
    common wrong backward passes, for the diagnosis.
    """

    def __init__(
        self,
        arch: Architecture,
        X: np.ndarray,
        Y: np.ndarray,
        *,
        lambd: float = 0.0,
        masks: Mapping[int, np.ndarray] | None = None,
        keep_prob: float = 1.0,
    ) -> None:
        self.arch = arch
        self.X = np.asarray(X, dtype=float)
        self.Y = np.asarray(Y, dtype=float)
        self.lambd = float(lambd)
        self.masks = None if masks is None else {int(k): np.asarray(v, dtype=float) for k, v in masks.items()}
        self.keep_prob = float(keep_prob)
        self.m = self.X.shape[1]

    def _forward(self, params: Mapping[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        return forward(self.X, params, self.arch, masks=self.masks, keep_prob=self.keep_prob)

    def evaluate(self, params: Mapping[str, np.ndarray]) -> tuple[float, np.ndarray | None]:
        """(J, relu_pattern): the cost and the on/off state of every ReLU unit (None without ReLU)."""
        _, cache = self._forward(params)
        J = cost_from_logits(cache[f"Z{self.arch.depth}"], self.Y, self.arch.output)
        J += l2_term(params, self.lambd, self.m)
        pattern = None
        if self.arch.hidden == "relu" and self.arch.depth > 1:
            pattern = np.concatenate([(cache[f"Z{l}"] > 0).ravel() for l in range(1, self.arch.depth)])
        return J, pattern

    def __call__(self, params: Mapping[str, np.ndarray]) -> float:
        return self.evaluate(params)[0]

    def gradients(self, params: Mapping[str, np.ndarray], derivatives: Mapping[int, str] | None = None) -> dict[str, np.ndarray]:
        """Exact analytic gradients (with ``derivatives``: of a deliberately wrong backward)."""
        _, cache = self._forward(params)
        return backward(
            self.X, self.Y, params, cache, self.arch,
            lambd=self.lambd, keep_prob=self.keep_prob, derivatives=derivatives,
        )

    def hypotheses(self, params: Mapping[str, np.ndarray]) -> list[Hypothesis]:
        """Gradients of the wrong backward passes students commonly write, one bug each.

        One hidden layer at a time first, then (with two or more hidden layers) the same
        mistake in every hidden layer, as a loop over the layers makes it.
        """
        out = []
        hidden = range(1, self.arch.depth)
        for l in hidden:
            for wrong, sentence in WRONG_DERIVATIVES[self.arch.hidden].items():
                out.append(Hypothesis(self._kind(wrong), sentence.format(l=l), self.gradients(params, {l: wrong})))
        if len(hidden) > 1:
            for wrong, sentence in WRONG_DERIVATIVES[self.arch.hidden].items():
                text = f"{sentence.format(l='[l]')}, in every hidden layer l = 1 to {self.arch.depth - 1}"
                out.append(Hypothesis(self._kind(wrong), text, self.gradients(params, dict.fromkeys(hidden, wrong))))
        return out

    def _kind(self, wrong: str) -> str:
        return "relu_mask" if self.arch.hidden == "relu" and wrong in ("relu_from_dA", "none") else "activation"

