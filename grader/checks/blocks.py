"""Parameter blocks: their order, their gradient keys, flattening to one vector.

Block order is the order students and the notebooks' own helpers use:
W1, b1, W2, b2, ..., WL, bL (by layer number, weights before biases). Names that do
not end in a layer number sort after the numbered ones, alphabetically.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

_NAME = re.compile(r"^(?P<stem>[A-Za-z_]+?)(?P<layer>\d+)$")
_STEM_RANK = {"W": 0, "b": 1}


def layer_of(name: str) -> int | None:
    """The layer number in a parameter or gradient name ("W2" -> 2, "db3" -> 3)."""
    match = _NAME.match(name)
    return int(match["layer"]) if match else None


def _sort_key(name: str) -> tuple:
    match = _NAME.match(name)
    if not match:
        return (1, 0, 0, name)
    return (0, int(match["layer"]), _STEM_RANK.get(match["stem"], 2), name)


def block_order(names: Iterable[str]) -> list[str]:
    """Parameter names in block order: W1, b1, W2, b2, ..."""
    return sorted(names, key=_sort_key)


def grad_key(param: str) -> str:
    """The gradient key of a parameter: "W1" -> "dW1"."""
    return f"d{param}"


@dataclass(frozen=True)
class Layout:
    """Where each block sits in a flat vector: names in order, shapes and offsets."""

    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]
    offsets: tuple[int, ...]

    @property
    def size(self) -> int:
        return self.offsets[-1] + int(np.prod(self.shapes[-1])) if self.names else 0


def flatten(blocks: Mapping[str, np.ndarray]) -> tuple[np.ndarray, Layout]:
    """One float64 vector of all blocks in block order, and the layout to undo it."""
    names = tuple(block_order(blocks))
    shapes, offsets, parts, offset = [], [], [], 0
    for name in names:
        arr = np.asarray(blocks[name], dtype=float)
        shapes.append(arr.shape)
        offsets.append(offset)
        parts.append(arr.ravel())
        offset += arr.size
    vector = np.concatenate(parts) if parts else np.zeros(0)
    return vector, Layout(names, tuple(shapes), tuple(offsets))


def unflatten(vector: np.ndarray, layout: Layout) -> dict[str, np.ndarray]:
    """The blocks of a flat vector laid out by ``flatten`` (copies, in block order)."""
    vector = np.asarray(vector, dtype=float).ravel()
    if vector.size != layout.size:
        raise ValueError(f"vector has {vector.size} entries but the layout needs {layout.size}")
    out = {}
    for name, shape, offset in zip(layout.names, layout.shapes, layout.offsets):
        n = int(np.prod(shape))
        out[name] = vector[offset:offset + n].reshape(shape).copy()
    return out
