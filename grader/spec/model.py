"""The assignment spec as typed, frozen records: what is graded, how and worth what.

Parsed and validated by :mod:`grader.spec.load`; read by every later stage.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from grader.run.sandbox import Limits
from grader.spec.tolerances import Tolerances

CHECK_TYPES = ("value", "gradient", "gradcheck_function", "dropout_forward")
# Reference functions the grader derives from the [network] (see grader.checks.roles).
ROLES = ("forward", "cost", "backward")
HIDDEN = ("relu", "tanh", "sigmoid")
OUTPUT = ("sigmoid", "softmax")
ENGINES = ("auto", "warm", "kernel")


@dataclass(frozen=True)
class InputSpec:
    """A named input: drawn uniformly from [low, high) with the run's seed, a constant,
    or a tuple of other inputs.

    Attributes:
        name: the name checks pass in ``args``.
        low, high: bounds of a uniform draw (unused for a constant).
        shape: the drawn array's shape; () draws a float.
        value: a constant instead of a draw: a number, a string (``"relu"``), or a nested
            list of numbers, e.g. ``zero = { value = 0.0 }`` to call a function with
            lambd = 0. An integer stays an integer (``n_x = { value = 3 }``), a list of
            integers becomes an integer array (``layer_dims = { value = [5, 4, 3] }``),
            other lists float arrays.
        items: a tuple built from other inputs, by name; an item may itself be a list
            of names (a nested tuple): ``cache = { tuple = [["A_prev", "W", "b"], "Z"] }``.
    """

    name: str
    low: float = 0.0
    high: float = 1.0
    shape: tuple[int, ...] = ()
    value: float | int | str | tuple | None = None
    items: tuple | None = None


@dataclass(frozen=True)
class NetworkSpec:
    """The reference network the gradient checks differentiate.

    Attributes:
        layers: sizes from input to output, e.g. (4, 5, 3, 1).
        hidden, output: activations (see reference.fcnet).
        examples: m, the number of examples in X.
        cache: the student's cache layout, e.g. ("Z1", "A1", "W1", "b1", ...).
        lambd: the L2 strength used for the named input ``lambd``.
        keep_prob: the dropout keep probability for the named input ``keep_prob``.
    """

    layers: tuple[int, ...]
    hidden: str = "relu"
    output: str = "sigmoid"
    examples: int = 8
    cache: tuple[str, ...] = ()
    lambd: float = 0.7
    keep_prob: float = 0.86


@dataclass(frozen=True)
class CheckSpec:
    """One graded check.

    Attributes:
        name: shown to students and instructors; unique within the assignment.
        type: "value" (outputs equal the reference function's), "gradient" (the
            returned gradients pass a per-block check against the reference cost) or
            "gradcheck_function" (the student's own gradient checker returns a small
            difference for right gradients and a large one for wrong ones) or
            "dropout_forward" (the output and cache equal the reference forward's with
            the masks the student's function drew; see ``grader.checks.dropout``).
        function: the graded notebook function.
        args: names of the inputs passed positionally (see ``grader.calls.inputs``).
        kwargs: inputs passed by keyword: keyword -> input name.
        points: the check's weight.
        returns: names of the returned tuple's parts ("cost", "cache"); a single
            name means the function returns one value.
        forward: gradient checks: the student's forward function that makes the cache
            (so the result can say whether a fault is in the forward or backward pass).
        forward_args: its inputs.
        lambd: gradient checks: L2 strength of the reference cost (0 disables it).
        keep_prob: gradient and dropout_forward checks: the dropout keep probability
            of the reference network (1 disables dropout). Must equal the value the
            check passes to the student's function.
        cache: the layout of the cache this check passes or compares, when it differs
            from ``[network] cache`` (a dropout cache holds D1, D2, ...). A gradient
            check whose layout names D entries builds the cache with dropout masks.
        masks_from: the student's dropout forward function whose returned cache holds
            the masks D1, D2, ... to freeze in the reference cost; without it the
            grader draws masks from the seed (all ones when keep_prob = 1).
        masks_args: the inputs ``masks_from`` is called with.
        wrong: gradcheck_function checks: how to make the gradients wrong: a mapping
            with "patch" (global name -> Python expression evaluated in the student's
            kernel for the call) and/or "replace" (argument name -> input name).
        rtol, atol: value and dropout_forward checks: comparison tolerances.
        layers: the layer sizes of this check's reference network when they differ from
            ``[network] layers`` (same activations and examples): the network inputs
            (X, Y, parameters, cache, caches, AL, ...) are drawn for these sizes, so
            one assignment can check an L-layer function at several depths.
        role: value checks: compare with the reference function the grader derives from
            the [network] ("forward", "cost" or "backward"; see ``grader.checks.roles``)
            instead of the function of the same name in the ``reference`` module.
    """

    name: str
    type: str
    function: str
    args: tuple[str, ...] = ()
    kwargs: Mapping[str, str] = field(default_factory=dict)
    points: float = 1.0
    returns: tuple[str, ...] = ()
    forward: str | None = None
    forward_args: tuple[str, ...] = ()
    lambd: float = 0.0
    keep_prob: float = 1.0
    cache: tuple[str, ...] = ()
    masks_from: str | None = None
    masks_args: tuple[str, ...] = ()
    wrong: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    rtol: float = 1e-6
    atol: float = 1e-9
    layers: tuple[int, ...] = ()
    role: str | None = None


@dataclass(frozen=True)
class Assignment:
    """A loaded, validated assignment spec.

    Attributes:
        name: the folder name, used on the command line.
        title: for people.
        folder: where assignment.toml lives.
        notebook: the starter notebook's file name.
        support: support files copied into the student's working directory.
        reference: dotted module path of the instructor's reference functions; None
            when every value check names a ``role`` (no Python needed).
        network: the reference network, if any check needs one.
        inputs: extra named inputs.
        checks: the graded checks, in order.
        limits: execution time limits.
        tolerances: gradient-check policy with the spec's overrides applied.
        engine: ``[execution] engine``: "warm" (a child forked from a pre-warmed
            worker), "kernel" (a Jupyter kernel per submission) or "auto" (warm
            where the platform can fork, else kernel).
        run_all_cells: run every code cell instead of only those grading needs
            (``[execution] run_all_cells = true``; see ``grader.submission.prune``).
    """

    name: str
    title: str
    folder: Path
    notebook: str
    support: tuple[str, ...]
    reference: str | None
    network: NetworkSpec | None
    inputs: tuple[InputSpec, ...]
    checks: tuple[CheckSpec, ...]
    limits: Limits
    tolerances: Tolerances
    engine: str = "auto"
    run_all_cells: bool = False

    @property
    def max_score(self) -> float:
        return float(sum(c.points for c in self.checks))

    def support_paths(self) -> list[Path]:
        return [self.folder / s for s in self.support]

