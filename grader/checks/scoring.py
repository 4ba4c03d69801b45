"""How points are earned. The policy lives here so that every check scores alike.

* value checks are all or nothing: an output is right or it is not;
* gradient checks earn the fraction of gradient blocks that pass, so fixing one of
  two wrong blocks shows up in the score;
* a student's own gradient checker earns half for a small difference on right
  gradients and half for the right (large) difference on wrong ones: a checker that
  cannot fail is worth half.
"""

from __future__ import annotations

from collections.abc import Iterable


def all_or_nothing(points: float, passed: bool) -> float:
    return float(points) if passed else 0.0


def by_blocks(points: float, block_passed: Iterable[bool]) -> float:
    flags = list(block_passed)
    if not flags:
        return 0.0
    return round(float(points) * sum(flags) / len(flags), 6)


def by_parts(points: float, parts_passed: Iterable[bool]) -> float:
    flags = list(parts_passed)
    return round(float(points) * sum(flags) / len(flags), 6) if flags else 0.0
