"""Tests for grader.run.wire: the plain-data codec used across the sandbox boundary."""

from __future__ import annotations

import ast
import inspect
import json
import os
import pickle
import types
import zipfile

import numpy as np
import pytest

from grader.run import wire
from grader.run.wire import Unsupported, WireError


def roundtrip(tmp_path, value, max_bytes=2**30):
    path = tmp_path / "value.npz"
    wire.write(path, value)
    return wire.read(path, max_bytes=max_bytes)


def write_raw(path, document, **arrays):
    """An .npz with a hand-written manifest, for the reader's validation."""
    text = document if isinstance(document, str) else json.dumps(document)
    np.savez(path, __manifest__=np.array(text), **arrays)
    return path


# -- round trips ---------------------------------------------------------------------------


def test_nested_structure_round_trips_with_dtypes_and_types(tmp_path):
    value = {
        "z": [1, -2**70, 2.5, True, None, "text"],
        "a": (np.arange(6, dtype=np.float32).reshape(2, 3), np.array([1, 2], dtype=np.int8)),
        "m": {
            "u16": np.array([7], dtype=np.uint16),
            "mask": np.array([True, False]),
            "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)),
            "big_endian": np.array([1.5, 2.5], dtype=">f8"),
            "empty": np.zeros((0, 3), dtype=np.float64),
            "zero_d": np.array(4.0, dtype=np.float16),
        },
        "scalars": [np.float32(1.25), np.float64(2.5), np.int64(-3), np.uint8(200), np.bool_(True)],
    }
    out = roundtrip(tmp_path, value)

    assert list(out) == ["z", "a", "m", "scalars"]  # key order kept
    assert out["z"] == [1, -2**70, 2.5, True, None, "text"]
    assert [type(v) for v in out["z"]] == [int, int, float, bool, type(None), str]
    assert type(out["a"]) is tuple
    for key in ("a",):
        for got, want in zip(out[key], value[key]):
            assert got.dtype == want.dtype and got.shape == want.shape
            np.testing.assert_array_equal(got, want)
    for name, want in value["m"].items():
        got = out["m"][name]
        assert type(got) is np.ndarray, name
        assert got.dtype == want.dtype and got.shape == want.shape, name
        np.testing.assert_array_equal(got, want)
    assert [type(v) for v in out["scalars"]] == [np.float32, np.float64, np.int64, np.uint8, np.bool_]
    assert out["scalars"] == value["scalars"]


def test_float32_and_float64_stay_distinguishable(tmp_path):
    out = roundtrip(tmp_path, [np.ones(3, np.float32), np.ones(3, np.float64), 1.0])
    assert [out[0].dtype, out[1].dtype] == [np.float32, np.float64]
    assert type(out[2]) is float


def test_special_floats_and_empty_containers_round_trip(tmp_path):
    out = roundtrip(tmp_path, [float("inf"), float("-inf"), float("nan"), [], (), {}])
    assert out[0] == float("inf") and out[1] == float("-inf") and out[2] != out[2]
    assert out[3:] == [[], (), {}] and type(out[4]) is tuple


def test_nesting_to_max_depth_round_trips(tmp_path):
    value = 1
    for _ in range(wire.MAX_DEPTH):
        value = [value]
    assert roundtrip(tmp_path, value) == value


# -- unsupported values become markers -----------------------------------------------------


class _Evil(list):
    def __iter__(self):
        raise RuntimeError("student object misbehaves")


@pytest.mark.parametrize(
    ("value", "type_name", "detail"),
    [
        (np.array([object()], dtype=object), "ndarray", "object"),
        (np.array([1 + 2j]), "ndarray", "complex128"),
        (np.array(["a", "b"]), "ndarray", "<U1"),
        (lambda x: x, "function", "function"),
        (1 + 2j, "complex", "complex"),
        (np.complex64(1j), "complex64", "complex64"),
        ({1, 2}, "set", "set"),
        (b"bytes", "bytes", "bytes"),
        (np.ma.array([1.0, 2.0], mask=[0, 1]), "MaskedArray", "subclass"),
        ({1: "int key"}, "dict", "key of type int"),
        ("x" * (wire.MAX_STR + 1), "str", "10001 characters"),
        (_Evil([1]), "_Evil", "could not be encoded"),
    ],
)
def test_unsupported_values_decode_to_markers(tmp_path, value, type_name, detail):
    out = roundtrip(tmp_path, {"ok": 1, "bad": value})
    assert out["ok"] == 1
    assert isinstance(out["bad"], Unsupported)
    assert out["bad"].type_name == type_name
    assert detail in out["bad"].detail


def test_too_deep_and_cyclic_values_become_markers(tmp_path):
    deep = 1
    for _ in range(wire.MAX_DEPTH + 1):
        deep = [deep]
    out = roundtrip(tmp_path, deep)
    for _ in range(wire.MAX_DEPTH):
        out = out[0]
    assert out == Unsupported("list", f"nested more than {wire.MAX_DEPTH} levels deep")

    cyclic: list = []
    cyclic.append(cyclic)
    assert roundtrip(tmp_path, cyclic)  # encodes, does not recurse forever


def test_too_many_values_become_one_marker(tmp_path):
    out = roundtrip(tmp_path, list(range(wire.MAX_NODES + 1)))
    assert isinstance(out, Unsupported) and "10000" in out.detail


def test_unsupported_round_trips_as_itself(tmp_path):
    marker = Unsupported("function", "a function cannot cross the sandbox boundary")
    assert roundtrip(tmp_path, [marker]) == [marker]


def test_write_enforces_max_bytes(tmp_path):
    with pytest.raises(WireError, match="8000 bytes"):
        wire.write(tmp_path / "v.npz", np.zeros(1000), max_bytes=7999)
    assert not (tmp_path / "v.npz").exists()


# -- the reader refuses bad files ----------------------------------------------------------


def test_read_refuses_pickled_data_without_unpickling(tmp_path):
    marker = tmp_path / "unpickled"
    payload = np.empty(1, dtype=object)
    payload[0] = _Reducer(str(marker))
    path = tmp_path / "pickle.npz"
    np.savez(path, __manifest__=np.array(json.dumps({"format": 1, "root": {"t": "none"}})), a0=payload)
    with pytest.raises(WireError):
        wire.read(path, max_bytes=2**20)
    raw = tmp_path / "raw.pickle"
    raw.write_bytes(pickle.dumps(_Reducer(str(marker))))
    with pytest.raises(WireError):
        wire.read(raw, max_bytes=2**20)
    assert not marker.exists()


class _Reducer:
    """Unpickling this creates a directory: proof that pickle ran."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (self.path,))


@pytest.mark.parametrize(
    ("root", "arrays", "message"),
    [
        ({"t": "array", "key": "a0", "dtype": "<f8", "shape": [3]}, {"a0": np.zeros(3, np.float32)}, "dtype"),
        ({"t": "array", "key": "a0", "dtype": "<f4", "shape": [4]}, {"a0": np.zeros(3, np.float32)}, "shape"),
        ({"t": "array", "key": "a1", "dtype": "<f4", "shape": [3]}, {"a0": np.zeros(3, np.float32)}, "missing"),
        ({"t": "none"}, {"a0": np.zeros(3)}, "not referenced"),
        ({"t": "list", "items": [{"t": "scalar", "key": "a0", "dtype": "<f8"}] * 2}, {"a0": np.zeros(())}, "reused"),
        ({"t": "scalar", "key": "a0", "dtype": "<f8"}, {"a0": np.zeros(2)}, "shape"),
        ({"t": "int", "v": 3}, {}, "decimal"),
        ({"t": "float", "v": "pi"}, {}, "numeric"),
        ({"t": "bool", "v": 1}, {}, "bool"),
        ({"t": "str", "v": "x" * (wire.MAX_STR + 1)}, {}, "string"),
        ({"t": "none", "extra": 1}, {}, "malformed"),
        ({"t": "pickle"}, {}, "malformed"),
        ({"t": ["none"]}, {}, "malformed"),
        ({"t": "dict", "items": [["k", {"t": "none"}], ["k", {"t": "none"}]]}, {}, "duplicate"),
        ({"t": "dict", "items": [[1, {"t": "none"}]]}, {}, "dict key"),
        ({"t": "list", "items": [{"t": "none"}] * (wire.MAX_NODES + 1)}, {}, "more than 10000"),
    ],
)
def test_read_refuses_manifest_array_mismatch(tmp_path, root, arrays, message):
    path = write_raw(tmp_path / "bad.npz", {"format": 1, "root": root}, **arrays)
    with pytest.raises(WireError, match=message):
        wire.read(path, max_bytes=2**20)


def test_read_refuses_over_deep_manifest(tmp_path):
    node: dict = {"t": "none"}
    for _ in range(wire.MAX_DEPTH + 1):
        node = {"t": "list", "items": [node]}
    with pytest.raises(WireError, match="nested"):
        wire.read(write_raw(tmp_path / "deep.npz", {"format": 1, "root": node}), max_bytes=0)
    with pytest.raises(WireError, match="JSON"):
        wire.read(write_raw(tmp_path / "json.npz", "[" * 200_000), max_bytes=0)


def test_read_refuses_more_than_max_bytes(tmp_path):
    path = tmp_path / "big.npz"
    wire.write(path, {"w": np.zeros(1000), "b": np.zeros(1000)})
    assert wire.read(path, max_bytes=16_000)["w"].shape == (1000,)
    with pytest.raises(WireError, match="more than 15999 bytes"):
        wire.read(path, max_bytes=15_999)


def test_read_refuses_garbage_truncated_and_foreign_files(tmp_path):
    garbage = tmp_path / "garbage.npz"
    garbage.write_bytes(os.urandom(4096))
    empty = tmp_path / "empty.npz"
    empty.write_bytes(b"")
    good = tmp_path / "good.npz"
    wire.write(good, np.arange(100.0))
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[:700])
    plain_npy = tmp_path / "plain.npy"
    np.save(plain_npy, np.arange(3))
    no_manifest = tmp_path / "no_manifest.npz"
    np.savez(no_manifest, a0=np.arange(3))
    stray = tmp_path / "stray.npz"
    with zipfile.ZipFile(stray, "w") as zf:
        zf.writestr("__manifest__.npy", good.read_bytes())
        zf.writestr("notes.txt", "hello")
    for path in (garbage, empty, truncated, plain_npy, no_manifest, stray, tmp_path / "missing.npz"):
        with pytest.raises(WireError):
            wire.read(path, max_bytes=2**20)


def test_read_refuses_wrong_format_header(tmp_path):
    path = write_raw(tmp_path / "v2.npz", {"format": 2, "root": {"t": "none"}})
    with pytest.raises(WireError, match="format"):
        wire.read(path, max_bytes=0)


# -- the module is shipped into the kernel as source ---------------------------------------


def test_wire_source_is_self_contained():
    source = inspect.getsource(wire)
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "dataclasses", "io", "json", "re", "numpy"}


def test_wire_source_works_when_execd_into_a_private_module(tmp_path, monkeypatch):
    import sys

    module = types.ModuleType("_grader_wire_test")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    exec(compile(inspect.getsource(wire), "<grader-wire>", "exec"), module.__dict__)
    # A student's monkeypatching after the module was loaded must not matter.
    monkeypatch.setattr(np, "savez", None)
    monkeypatch.setattr(np, "load", None)
    monkeypatch.setattr(np, "asarray", None)
    module.write(tmp_path / "v.npz", {"x": np.float32(2.0), "y": np.ones(2)})
    out = module.read(tmp_path / "v.npz", max_bytes=100)
    assert type(out["x"]) is np.float32 and out["y"].tolist() == [1.0, 1.0]


def test_dumps_and_loads_round_trip_in_memory():
    value = {"W1": np.ones((2, 3), dtype=np.float32), "names": ["a", "b"], "n": 3}
    got = wire.loads(wire.dumps(value), max_bytes=1 << 20)
    assert list(got) == ["W1", "names", "n"] and got["W1"].dtype == np.float32 and got["n"] == 3
    with pytest.raises(wire.WireError):
        wire.loads(b"not an npz archive", max_bytes=1 << 20)
    with pytest.raises(wire.WireError):
        wire.dumps(np.zeros(100), max_bytes=10)
