"""Plain-data codec for values that cross the sandbox boundary.

Student code runs in a separate kernel process. Arguments go in and return
values come out as one ``.npz`` file: numeric arrays stored as ``.npy``
members, plus a JSON manifest (a 0-d unicode array under ``__manifest__``)
that describes the structure around them. Pickle is never used in either
direction: unpickling a file written by the kernel would run arbitrary student
code inside the grader.

Supported values: ``None``, ``bool``, ``int``, ``float``, short ``str``,
``list``, ``tuple``, ``dict`` with ``str`` keys (key order kept), numpy arrays
of bool/int/uint/float dtype (dtype kept, so float32 stays float32) and numpy
scalars of those dtypes. Anything else encodes as a marker that decodes to
:class:`Unsupported`; encoding never raises on a student value.

This module is also sent as source text into the kernel and exec'd there
(see ``execute.py``), so it imports only the standard library and numpy, and it
binds the numpy functions it needs at import time: a student who later writes
``np.savez = None`` or replaces ``np.asarray`` still gets results returned.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re

import numpy as np

MAX_DEPTH = 16
"""Containers may be nested this many levels deep; deeper ones become Unsupported."""
MAX_NODES = 10_000
"""Values in one file, counting every container and leaf."""
MAX_STR = 10_000
"""Characters in one string or dict key."""
MAX_MANIFEST_CHARS = 4_000_000
MANIFEST_KEY = "__manifest__"
FORMAT = 1

_ARRAY_KINDS = "biuf"
_INT_TEXT = re.compile(r"-?[0-9]{1,4300}")
_MEMBER = re.compile(r"(a[0-9]{1,6}|__manifest__)\.npy")

# Bound now, not looked up on ``np`` at call time (see module docstring).
_asarray = np.asarray
_array = np.array
_savez = np.savez
_load = np.load
_ndarray = np.ndarray
_generic = np.generic
_NpzFile = np.lib.npyio.NpzFile
_read_magic = np.lib.format.read_magic
_read_headers = {
    (1, 0): np.lib.format.read_array_header_1_0,
    (2, 0): np.lib.format.read_array_header_2_0,
}
_BytesIO = io.BytesIO
_dumps = json.dumps
_loads = json.loads


class WireError(ValueError):
    """A wire file is malformed, inconsistent or larger than allowed."""


@dataclasses.dataclass(frozen=True)
class Unsupported:
    """Stands in for a value that cannot cross the boundary.

    Attributes:
        type_name: the Python type of the original value, e.g. ``"function"``.
        detail: why it could not be sent, e.g. ``"array of dtype complex128"``.
    """

    type_name: str
    detail: str


class _TooLarge(Exception):
    """Internal: the value has more nodes than a file may hold."""


def encode(value: object) -> tuple[str, dict[str, np.ndarray]]:
    """Describe ``value`` as a JSON manifest plus the numpy arrays it contains.

    Args:
        value: any Python object; unsupported parts become Unsupported markers.

    Returns:
        ``(manifest, arrays)``: the manifest text and the arrays by key.
    """
    arrays: dict[str, np.ndarray] = {}
    try:
        root = _encode_node(value, 0, arrays, [0])
        manifest = _dumps({"format": FORMAT, "root": root}, ensure_ascii=True, allow_nan=False)
        if len(manifest) <= MAX_MANIFEST_CHARS:
            return manifest, arrays
        detail = f"too large to send: its description exceeds {MAX_MANIFEST_CHARS} characters"
    except _TooLarge as exc:
        detail = f"too large to send: {exc}"
    except Exception as exc:  # defensive: encoding must never fail on a student value
        detail = f"could not be encoded ({type(exc).__name__})"
    return _dumps({"format": FORMAT, "root": _marker(_type_name(value), detail)}, ensure_ascii=True), {}


def write(path, value: object, *, max_bytes: int | None = None) -> None:
    """Encode ``value`` and store manifest and arrays in one ``.npz`` file.

    Args:
        path: file to create (overwritten if it exists).
        value: the value to store.
        max_bytes: refuse values holding more array data than this.

    Raises:
        WireError: the arrays exceed ``max_bytes``.
    """
    members = _members(value, max_bytes)
    with open(path, "wb") as fh:
        _savez(fh, allow_pickle=False, **members)


def dumps(value: object, *, max_bytes: int | None = None) -> bytes:
    """The bytes :func:`write` would store for ``value`` (for pipes and sockets).

    Raises:
        WireError: the arrays exceed ``max_bytes``.
    """
    members = _members(value, max_bytes)
    buffer = _BytesIO()
    _savez(buffer, allow_pickle=False, **members)
    return buffer.getvalue()


def _members(value: object, max_bytes: int | None) -> dict[str, np.ndarray]:
    """The .npz members for ``value``, checked against ``max_bytes`` before anything is written."""
    manifest, arrays = encode(value)
    total = sum(int(a.nbytes) for a in arrays.values())
    if max_bytes is not None and total > max_bytes:
        raise WireError(f"the value holds {total} bytes of array data, more than the limit of {max_bytes} bytes")
    return {MANIFEST_KEY: _array(manifest), **arrays}


def read(path, *, max_bytes: int) -> object:
    """Load a value written by :func:`write`, validating everything first.

    Args:
        path: the ``.npz`` file.
        max_bytes: the most array data (sum of ``nbytes``) to accept.

    Returns:
        The decoded value; unsupported parts are :class:`Unsupported` instances.

    Raises:
        WireError: the file is not a valid wire file, its manifest and arrays
            disagree, or it holds more than ``max_bytes`` or ``MAX_NODES``.
    """
    try:
        fh = open(path, "rb")  # opened here so it is closed even when np.load fails
    except OSError as exc:
        raise WireError(f"cannot open the file: {exc}") from None
    return _read_from(fh, max_bytes)


def loads(data: bytes, *, max_bytes: int) -> object:
    """Decode bytes made by :func:`dumps`, validating everything as :func:`read` does.

    Raises:
        WireError: see :func:`read`.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise WireError(f"expected bytes, got {type(data).__name__}")
    return _read_from(_BytesIO(data), max_bytes)


def _read_from(fh, max_bytes: int) -> object:
    with fh:
        try:
            npz = _load(fh, allow_pickle=False)
        except Exception as exc:
            raise WireError(f"not a readable .npz file: {type(exc).__name__}: {exc}") from None
        if not isinstance(npz, _NpzFile):
            raise WireError("not an .npz archive")
        with npz:
            headers = _read_all_headers(npz, max_bytes)
            try:
                loaded = {key: npz[key] for key in headers}
            except Exception as exc:
                raise WireError(f"array data is corrupt: {type(exc).__name__}: {exc}") from None
    text = loaded.pop(MANIFEST_KEY)[()]
    try:
        document = _loads(str(text))
    except (ValueError, RecursionError) as exc:
        raise WireError(f"manifest is not valid JSON: {exc}") from None
    if not isinstance(document, dict) or set(document) != {"format", "root"} or document["format"] != FORMAT:
        raise WireError("manifest lacks the expected format header")
    used: set[str] = set()
    value = _decode_node(document["root"], 0, loaded, used, [0])
    if used != set(loaded):
        raise WireError(f"arrays not referenced by the manifest: {sorted(set(loaded) - used)}")
    return value


def _read_all_headers(npz, max_bytes: int) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """Check every member's ``.npy`` header before any array data is read."""
    names = npz.zip.namelist()
    if len(names) > MAX_NODES + 1:
        raise WireError(f"the archive has {len(names)} members")
    headers, total = {}, 0
    for name in names:
        key = name[: -len(".npy")]
        if not _MEMBER.fullmatch(name) or key in headers:
            raise WireError(f"unexpected archive member {name!r}")
        try:
            with npz.zip.open(name) as fh:
                shape, _, dtype = _read_headers[_read_magic(fh)](fh)
        except Exception as exc:
            raise WireError(f"member {name!r} has no valid .npy header ({exc})") from None
        if key == MANIFEST_KEY:
            if dtype.kind != "U" or shape != () or dtype.itemsize > 4 * MAX_MANIFEST_CHARS:
                raise WireError("the manifest is not a short 0-d unicode array")
        elif dtype.kind not in _ARRAY_KINDS or dtype.fields is not None:
            raise WireError(f"array {key!r} has unsupported dtype {dtype}")
        else:
            count = 1
            for n in shape:
                count *= n
            total += count * dtype.itemsize
            if total > max_bytes:
                raise WireError(f"the file holds more than {max_bytes} bytes of array data")
        headers[key] = (shape, dtype)
    if MANIFEST_KEY not in headers:
        raise WireError("the file has no manifest")
    return headers


def _type_name(value: object) -> str:
    try:
        return str(type(value).__name__)[:200]
    except Exception:
        return "object"


def _marker(type_name: str, detail: str) -> dict:
    return {"t": "unsupported", "type": type_name, "detail": detail}


def _add_array(arrays: dict, array: np.ndarray) -> str:
    key = f"a{len(arrays)}"
    arrays[key] = array
    return key


def _encode_node(value: object, depth: int, arrays: dict, count: list[int]) -> dict:
    """One manifest node; a value whose own methods raise becomes a marker in place."""
    first_new = len(arrays)
    try:
        return _encode_value(value, depth, arrays, count)
    except _TooLarge:
        raise
    except Exception as exc:
        for key in list(arrays)[first_new:]:  # drop arrays of the half-encoded value
            del arrays[key]
        return _marker(_type_name(value), f"could not be encoded ({type(exc).__name__})")


def _encode_value(value: object, depth: int, arrays: dict, count: list[int]) -> dict:
    count[0] += 1
    if count[0] > MAX_NODES:
        raise _TooLarge(f"more than {MAX_NODES} values")
    if value is None:
        return {"t": "none"}
    if isinstance(value, Unsupported):
        return _marker(str(value.type_name), str(value.detail))
    if isinstance(value, _generic):
        if value.dtype.kind in _ARRAY_KINDS:
            array = _asarray(value)
            return {"t": "scalar", "key": _add_array(arrays, array), "dtype": array.dtype.str}
        if not isinstance(value, str):
            return _marker(_type_name(value), f"numpy scalar of dtype {value.dtype}")
    if type(value) is _ndarray:
        if value.dtype.kind not in _ARRAY_KINDS or value.dtype.fields is not None:
            return _marker("ndarray", f"array of dtype {value.dtype}")
        return {"t": "array", "key": _add_array(arrays, value), "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, _ndarray):
        return _marker(_type_name(value), "ndarray subclass; return a plain numpy array")
    if isinstance(value, bool):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, int):
        try:
            return {"t": "int", "v": str(int(value))}
        except ValueError:
            return _marker("int", "integer with more than 4300 digits")
    if isinstance(value, float):
        return {"t": "float", "v": repr(float(value))}
    if isinstance(value, str):
        if len(value) > MAX_STR:
            return _marker("str", f"string of {len(value)} characters (limit {MAX_STR})")
        return {"t": "str", "v": str(value)}
    if isinstance(value, (list, tuple, dict)):
        if depth >= MAX_DEPTH:
            return _marker(_type_name(value), f"nested more than {MAX_DEPTH} levels deep")
        if isinstance(value, dict):
            items = list(value.items())
            for key, _ in items:
                if not isinstance(key, str) or len(key) > MAX_STR:
                    return _marker(_type_name(value), f"dict key of type {_type_name(key)} (only short str keys)")
            return {"t": "dict", "items": [[str(k), _encode_node(v, depth + 1, arrays, count)] for k, v in items]}
        kind = "tuple" if isinstance(value, tuple) else "list"
        return {"t": kind, "items": [_encode_node(v, depth + 1, arrays, count) for v in value]}
    if isinstance(value, complex):
        return _marker(_type_name(value), "complex numbers are not supported")
    return _marker(_type_name(value), f"a {_type_name(value)} cannot cross the sandbox boundary")


_FIELDS = {
    "none": {"t"},
    "bool": {"t", "v"},
    "int": {"t", "v"},
    "float": {"t", "v"},
    "str": {"t", "v"},
    "list": {"t", "items"},
    "tuple": {"t", "items"},
    "dict": {"t", "items"},
    "array": {"t", "key", "dtype", "shape"},
    "scalar": {"t", "key", "dtype"},
    "unsupported": {"t", "type", "detail"},
}


def _short_str(value: object, what: str) -> str:
    if not isinstance(value, str) or len(value) > MAX_STR:
        raise WireError(f"{what} is not a string of at most {MAX_STR} characters")
    return value


def _decode_node(node: object, depth: int, arrays: dict, used: set, count: list[int]) -> object:
    count[0] += 1
    if count[0] > MAX_NODES:
        raise WireError(f"the manifest describes more than {MAX_NODES} values")
    if not isinstance(node, dict) or not isinstance(node.get("t"), str) or _FIELDS.get(node["t"]) != set(node):
        raise WireError(f"malformed manifest node at depth {depth}")
    kind = node["t"]
    if kind == "none":
        return None
    if kind == "bool":
        if not isinstance(node["v"], bool):
            raise WireError("bool node without a bool value")
        return node["v"]
    if kind == "int":
        if not isinstance(node["v"], str) or not _INT_TEXT.fullmatch(node["v"]):
            raise WireError("int node without a decimal value")
        return int(node["v"])
    if kind == "float":
        try:
            return float(_short_str(node["v"], "float value"))
        except ValueError:
            raise WireError("float node without a numeric value") from None
    if kind == "str":
        return _short_str(node["v"], "str value")
    if kind == "unsupported":
        return Unsupported(_short_str(node["type"], "type name"), _short_str(node["detail"], "detail"))
    if kind in ("array", "scalar"):
        return _decode_array(node, arrays, used)
    if depth >= MAX_DEPTH:
        raise WireError(f"containers nested more than {MAX_DEPTH} levels deep")
    items = node["items"]
    if not isinstance(items, list):
        raise WireError(f"{kind} node without an item list")
    if kind == "dict":
        out = {}
        for pair in items:
            if not isinstance(pair, list) or len(pair) != 2:
                raise WireError("dict item is not a [key, value] pair")
            key = _short_str(pair[0], "dict key")
            if key in out:
                raise WireError(f"duplicate dict key {key!r}")
            out[key] = _decode_node(pair[1], depth + 1, arrays, used, count)
        return out
    values = [_decode_node(item, depth + 1, arrays, used, count) for item in items]
    return tuple(values) if kind == "tuple" else values


def _decode_array(node: dict, arrays: dict, used: set) -> object:
    key = node["key"]
    if not isinstance(key, str) or key not in arrays or key in used:
        raise WireError(f"manifest refers to a missing or reused array {key!r}")
    used.add(key)
    array = arrays[key]
    if node["dtype"] != array.dtype.str:
        raise WireError(f"array {key!r} has dtype {array.dtype.str}, manifest says {node['dtype']!r}")
    if node["t"] == "scalar":
        if array.shape != ():
            raise WireError(f"scalar {key!r} is stored with shape {array.shape}")
        return array[()]
    shape = node["shape"]
    if not isinstance(shape, list) or tuple(shape) != array.shape:
        raise WireError(f"array {key!r} has shape {array.shape}, manifest says {shape!r}")
    return array
