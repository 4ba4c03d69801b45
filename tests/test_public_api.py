"""The public surface: __all__ lists exactly the supported names, and they exist."""

from __future__ import annotations

import grader


def test_all_names_exist():
    for name in grader.__all__:
        assert hasattr(grader, name), name


def test_all_is_sorted_and_unique():
    assert grader.__all__ == sorted(set(grader.__all__), key=grader.__all__.index)
    assert len(grader.__all__) == len(set(grader.__all__))


def test_no_unlisted_public_names():
    import types

    public = {n for n, v in vars(grader).items()
              if not n.startswith("_") and not isinstance(v, types.ModuleType)}
    assert public <= set(grader.__all__), public - set(grader.__all__)
