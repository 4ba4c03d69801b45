"""Assignment specs: ``assignments/<name>/assignment.toml`` loaded into frozen dataclasses.

Every key is validated at load time; a bad spec raises AssignmentSpecError naming the
file, the key and what is wrong (an instructor error, so it aborts the run). The format
is documented in the README ("Assignment spec").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from pathlib import Path
from types import MappingProxyType
from typing import Any

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

import numpy as np

from grader.errors import AssignmentSpecError, closest
from grader.run.sandbox import Limits
from grader.spec.course import bundled_names, bundled_root, resolve
from grader.spec.model import (CHECK_TYPES, ENGINES, HIDDEN, OUTPUT, ROLES, Assignment, CheckSpec, InputSpec,
                               NetworkSpec)
from grader.spec.tolerances import DEFAULT_TOLERANCES, Tolerances

__all__ = ["Assignment", "CheckSpec", "InputSpec", "NetworkSpec", "bundled_names", "bundled_root", "load", "resolve"]


def load(name_or_path: str | Path) -> Assignment:
    """Load and validate an assignment spec.

    Raises:
        UsageError: the assignment cannot be found.
        AssignmentSpecError: the spec is invalid.
    """
    path = resolve(str(name_or_path))
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise AssignmentSpecError(f"not valid TOML: {exc}", path=str(path)) from None
    return _parse(raw, path)


class _Reader:
    """Typed access to one table of the spec, with errors that name the key."""

    def __init__(self, table: Mapping[str, Any], path: Path, where: str) -> None:
        self.table, self.path, self.where = table, path, where
        self.used: set[str] = set()

    def error(self, key: str, message: str) -> AssignmentSpecError:
        return AssignmentSpecError(message, path=str(self.path), key=f"{self.where}{key}" if self.where else key)

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ..., *, check=None, what: str = "") -> Any:
        self.used.add(key)
        if key not in self.table:
            if default is ...:
                raise self.error(key, "is required but missing")
            return default
        value = self.table[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.error(key, f"must be {what or names}, got {value!r}")
        if check is not None and not check(value):
            raise self.error(key, f"must be {what}, got {value!r}")
        return value

    def strings(self, key: str, default: Any = ...) -> tuple[str, ...]:
        value = self.get(key, list, default if default is ... else list(default), what="a list of strings")
        if not all(isinstance(v, str) for v in value):
            raise self.error(key, f"must be a list of strings, got {value!r}")
        return tuple(value)

    def finish(self, known: set[str] | None = None) -> None:
        unknown = sorted(set(self.table) - self.used - (known or set()))
        if unknown:
            choices = sorted(self.used | (known or set()))
            near = closest(unknown[0], choices)
            hint = f" (did you mean {near[0]!r}?)" if near else f" (known keys: {', '.join(choices)})"
            raise self.error(unknown[0], f"is not a known key{hint}")


def _parse(raw: Mapping[str, Any], path: Path) -> Assignment:
    top = _Reader(raw, path, "")
    folder = path.parent
    title = top.get("title", str, folder.name)
    notebook = top.get("notebook", str)
    support = top.strings("support", ())
    for name in (notebook, *support):
        if not (folder / name).exists():
            raise top.error("support" if name in support else "notebook", f"names {name!r}, which is not in {folder}")
    reference = top.get("reference", str, None)
    network = _network(top.get("network", dict, None), path)
    inputs = tuple(_input(name, spec, path) for name, spec in top.get("inputs", dict, {}).items())
    _check_tuples(inputs, path)
    checks_raw = top.get("checks", list, what="an array of [[checks]] tables")
    checks = tuple(_check(i, c, path) for i, c in enumerate(checks_raw))
    if not checks:
        raise top.error("checks", "must list at least one check")
    names = [c.name for c in checks]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise top.error("checks", f"has duplicate check names {dupes}")
    if network is None and any(c.type == "gradient" for c in checks):
        raise top.error("network", "is required by the gradient checks but missing")
    for i, c in enumerate(checks):
        _cross_check(i, c, network, path)
        if reference is None and (c.type == "gradcheck_function" or (c.type == "value" and not c.role)):
            raise top.error("reference", f"is required by the check {c.name!r} (a {c.type} check without a "
                            f"'role' compares with the reference module's {c.function}()) but missing")
    execution = top.get("execution", dict, {})
    limits, run_all_cells = _execution(execution, path)
    engine = _Reader(execution, path, "execution.").get(
        "engine", str, "auto", check=lambda v: v in ENGINES, what=f"one of {ENGINES}")
    tolerances = _tolerances(top.get("tolerances", dict, {}), path)
    top.finish()
    return Assignment(folder.name, title, folder, notebook, support, reference, network, inputs, checks, limits,
                      tolerances, engine, run_all_cells)


def _network(table: Mapping[str, Any] | None, path: Path) -> NetworkSpec | None:
    if table is None:
        return None
    r = _Reader(table, path, "network.")
    layers = r.get("layers", list, what="a list of at least two positive integers", check=_layers)
    spec = NetworkSpec(
        layers=tuple(layers),
        hidden=r.get("hidden", str, "relu", check=lambda v: v in HIDDEN, what=f"one of {HIDDEN}"),
        output=r.get("output", str, "sigmoid", check=lambda v: v in OUTPUT, what=f"one of {OUTPUT}"),
        examples=r.get("examples", int, 8, check=lambda v: v >= 1, what="a positive integer"),
        cache=r.strings("cache", ()),
        lambd=r.get("lambd", float, 0.7, check=lambda v: v >= 0, what="a number >= 0"),
        keep_prob=r.get("keep_prob", float, 0.86, check=lambda v: 0 < v <= 1, what="a number in (0, 1]"),
    )
    r.finish()
    problem = _layout_problem(spec.cache, spec.layers)
    if problem:
        raise r.error("cache", problem)
    return spec


def _layers(value: Any) -> bool:
    return len(value) >= 2 and all(isinstance(x, int) and not isinstance(x, bool) and x > 0 for x in value)


def _layout_problem(layout: tuple[str, ...], layers: tuple[int, ...]) -> str | None:
    """Why ``layout`` is not a cache layout of the network ``layers``, or None."""
    L = len(layers) - 1
    allowed = {f"{p}{l}" for l in range(1, L + 1) for p in ("Z", "A", "W", "b")} | {f"D{l}" for l in range(1, L)} | {"A0"}
    bad = [c for c in layout if c not in allowed]
    return f"names {bad}, which a {L}-layer network does not have" if bad else None


def _input(name: str, table: Any, path: Path) -> InputSpec:
    if not isinstance(table, dict):
        raise AssignmentSpecError(f"must be a table like {{ uniform = [-1, 1] }}, got {table!r}", path=str(path), key=f"inputs.{name}")
    r = _Reader(table, path, f"inputs.{name}.")
    kinds = [k for k in ("value", "uniform", "tuple") if k in table]
    if len(kinds) > 1:
        raise r.error(kinds[1], f"cannot be combined with {kinds[0]!r}: give one of 'value', 'uniform' "
                      "(with an optional 'shape') or 'tuple'")
    if "tuple" in table:
        items = r.get("tuple", list, what="a non-empty list of input names (or lists of them)", check=_names_tree)
        r.finish()
        return InputSpec(name, items=_frozen_names(items))
    if "value" in table:
        if "shape" in table:
            raise r.error("value", "is a constant: give either 'value' or 'uniform' (with an optional 'shape'), not both")
        value = r.get("value", (int, float, str, list), what="a number, a string or a (nested) list of numbers",
                      check=lambda v: not isinstance(v, list) or _numeric_array(v))
        r.finish()
        return InputSpec(name, value=_frozen(value))
    bounds = r.get("uniform", list, what="[low, high] with low < high",
                   check=lambda v: len(v) == 2 and all(isinstance(x, (int, float)) for x in v) and v[0] < v[1])
    shape = r.get("shape", list, [], what="a list of positive integers",
                  check=lambda v: all(isinstance(x, int) and x > 0 for x in v))
    r.finish()
    return InputSpec(name, float(bounds[0]), float(bounds[1]), tuple(shape))


def _numeric_array(value: list) -> bool:
    """A non-empty rectangular nested list of numbers."""
    try:
        return np.array(value, dtype=float).size > 0
    except (TypeError, ValueError):  # ragged, or not numbers
        return False


def _frozen(value: float | int | str | list) -> float | int | str | tuple:
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    return value if isinstance(value, (int, str)) else float(value)


def _names_tree(value: Any) -> bool:
    """A non-empty list whose items are identifiers or such lists."""
    return isinstance(value, list) and bool(value) and all(
        (isinstance(v, str) and v.isidentifier()) or _names_tree(v) for v in value)


def _frozen_names(value: list) -> tuple:
    return tuple(_frozen_names(v) if isinstance(v, list) else v for v in value)


def _check_tuples(inputs: tuple[InputSpec, ...], path: Path) -> None:
    """A tuple input may name only inputs declared before it (so there are no cycles)
    or the inputs the [network] provides (checked when the check runs)."""
    declared: set[str] = set()

    def names(items: tuple) -> list[str]:
        return [n for v in items for n in (names(v) if isinstance(v, tuple) else [v])]

    for spec in inputs:
        if spec.items is not None:
            later = [n for n in names(spec.items) if n not in declared and any(s.name == n for s in inputs)]
            if later:
                raise AssignmentSpecError(f"names {later}, declared after it or itself: a tuple may only name "
                                          "inputs declared before it", path=str(path), key=f"inputs.{spec.name}.tuple")
        declared.add(spec.name)


def _check(index: int, table: Any, path: Path) -> CheckSpec:
    if not isinstance(table, dict):
        raise AssignmentSpecError("must be a table", path=str(path), key=f"checks[{index}]")
    r = _Reader(table, path, f"checks[{index}].")
    kind = r.get("type", str, check=lambda v: v in CHECK_TYPES, what=f"one of {CHECK_TYPES}")
    function = r.get("function", str, check=str.isidentifier, what="a Python function name")
    kwargs = r.get("kwargs", dict, {})
    wrong = r.get("wrong", dict, {})
    for part, mapping in wrong.items():
        if part not in ("patch", "replace") or not isinstance(mapping, dict):
            raise r.error("wrong", "must be a table with 'patch' and/or 'replace' sub-tables")
    spec = CheckSpec(
        name=r.get("name", str, function),
        type=kind,
        function=function,
        args=r.strings("args", ()),
        kwargs=MappingProxyType(dict(kwargs)),
        points=r.get("points", float, 1.0, check=lambda v: v >= 0, what="a number >= 0"),
        returns=r.strings("returns", ()),
        forward=r.get("forward", str, None),
        forward_args=r.strings("forward_args", ()),
        lambd=r.get("lambd", float, 0.0, check=lambda v: v >= 0, what="a number >= 0"),
        keep_prob=r.get("keep_prob", float, 1.0, check=lambda v: 0 < v <= 1, what="a number in (0, 1]"),
        cache=r.strings("cache", ()),
        masks_from=r.get("masks_from", str, None, check=str.isidentifier, what="a Python function name"),
        masks_args=r.strings("masks_args", ()),
        wrong=MappingProxyType({k: MappingProxyType(dict(v)) for k, v in wrong.items()}),
        rtol=r.get("rtol", float, 1e-6, check=lambda v: v >= 0, what="a number >= 0"),
        atol=r.get("atol", float, 1e-9, check=lambda v: v >= 0, what="a number >= 0"),
        layers=tuple(r.get("layers", list, [], what="a list of at least two positive integers",
                           check=lambda v: not v or _layers(v))),
        role=r.get("role", str, None, check=lambda v: v in ROLES, what=f"one of {ROLES}"),
    )
    r.finish()
    if kind == "gradcheck_function" and not wrong:
        raise r.error("wrong", "is required for a gradcheck_function check: how to make the gradients wrong")
    if spec.forward and not spec.forward_args:
        raise r.error("forward_args", "is required when 'forward' is given")
    if spec.masks_from and spec.type != "gradient":
        raise r.error("masks_from", f"only applies to gradient checks, not {kind!r}")
    if spec.masks_from and not spec.masks_args:
        raise r.error("masks_args", "is required when 'masks_from' is given")
    if spec.masks_args and not spec.masks_from:
        raise r.error("masks_args", "only applies with 'masks_from'")
    if spec.role and kind != "value":
        raise r.error("role", f"only applies to value checks, not {kind!r}")
    if spec.keep_prob != 1.0 and kind not in ("gradient", "dropout_forward"):
        raise r.error("keep_prob", f"only applies to gradient and dropout_forward checks, not {kind!r}")
    return spec


def _cross_check(index: int, spec: CheckSpec, network: NetworkSpec | None, path: Path) -> None:
    """What one check needs from the [network]: a valid cache layout, masks in it."""
    def error(key: str, message: str) -> AssignmentSpecError:
        return AssignmentSpecError(message, path=str(path), key=f"checks[{index}].{key}")

    if network is None:
        if spec.type in ("gradient", "dropout_forward") or spec.cache or spec.layers or spec.role:
            raise AssignmentSpecError(f"is required by the check {spec.name!r} but missing", path=str(path), key="network")
        return
    layers = spec.layers or network.layers
    if spec.layers and (problem := _layout_problem(network.cache, layers)) and not spec.cache:
        raise error("layers", f"does not fit [network] cache, which {problem.replace('names', 'names entries')}: "
                    "give this check its own 'cache' layout")
    problem = _layout_problem(spec.cache, layers)
    if problem:
        raise error("cache", problem)
    layout = spec.cache or network.cache
    masks = sorted(n for n in layout if n.startswith("D"))
    hidden = [f"D{l}" for l in range(1, len(layers) - 1)]
    if (spec.type == "dropout_forward" or spec.masks_from) and masks != hidden:
        raise error("cache", f"must name the dropout masks {', '.join(hidden)} (the layout of the cache the dropout "
                    f"forward returns), got {list(layout)}")
    if spec.type == "gradient" and masks and "cache" not in spec.args:
        raise error("args", "must pass 'cache': the layout names dropout masks, so the grader builds the cache")


def _execution(table: Mapping[str, Any], path: Path) -> tuple[Limits, bool]:
    """The [execution] table: the time limits, and whether to run every cell."""
    r = _Reader(table, path, "execution.")
    values = {f.name: r.get(f.name, bool, f.default, what="true or false") if isinstance(f.default, bool)
              else r.get(f.name, type(f.default), f.default, check=lambda v: v > 0, what="a positive number")
              for f in fields(Limits)}
    run_all_cells = r.get("run_all_cells", bool, False, what="true or false")
    r.finish(known={"engine"})
    return Limits(**values), run_all_cells


def _tolerances(table: Mapping[str, Any], path: Path) -> Tolerances:
    try:
        return DEFAULT_TOLERANCES.merged(**table)
    except (TypeError, ValueError) as exc:
        raise AssignmentSpecError(str(exc), path=str(path), key="tolerances") from None
