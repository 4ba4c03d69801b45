"""The grader's code that runs inside the student's process (either engine).

This module is never imported by the grader itself for its own use: the kernel
engine sends its source to the kernel and execs it into a private module named
``_grader_harness``; the warm engine imports it in the forked child. It keeps
references to the wire module and the user namespace taken at set-up, before any
student cell runs, so a student who rebinds names in the notebook cannot change
what it calls. Only stdlib imports: the kernel may not see the grader package.
"""

import re as _re
import traceback as _traceback

_CELL_FILE = _re.compile(r"(ipykernel_[0-9]+/[0-9]+\.py|<ipython-input-[^>]*>)$")
_MISSING = object()
_TEXT = 4000  # wire strings are capped at 10_000 characters

def setup(wire, user_ns, hidden):
    global _wire, _ns, _hidden, _baseline
    _wire, _ns, _hidden = wire, user_ns, frozenset(hidden)
    _baseline = dict(user_ns)  # IPython's own names (ipykernel also adds open)

def _clip(text):
    return text if len(text) <= _TEXT else text[: _TEXT - 3] + "..."

def _failure(ename, evalue, line=None, text=None):
    return {"ok": False, "ename": ename, "evalue": _clip(evalue), "line": line, "traceback": text}

def _describe(exc):
    frames = [f for f in _traceback.extract_tb(exc.__traceback__) if f.filename != "<grader-harness>"]
    cells = [f for f in frames if _CELL_FILE.search(f.filename)]
    line = None
    if cells:
        f = cells[-1]
        line = _clip(f"line {f.lineno} in {f.name}: {(f.line or '').strip()}")
    try:
        evalue = str(exc)
    except Exception:
        evalue = "<the exception message could not be shown>"
    text = "".join(_traceback.format_list(frames)) + f"{type(exc).__name__}: {evalue}"
    return _failure(type(exc).__name__, evalue, line, text[-_TEXT:])

def call(name, paths, patch, max_bytes):
    in_path, out_path, status_path = paths
    function = _ns.get(name)
    if not callable(function):
        problem = "is not callable" if name in _ns else "is not defined"
        _wire.write(status_path, _failure("NameError", f"name {name!r} {problem}"))
        return
    # Read the arguments afresh for every call: a function that mutates its
    # input must not change what the next call receives.
    payload = _wire.read(in_path, max_bytes=2 ** 62)
    saved = {}
    try:
        for key, source in patch.items():
            saved[key] = _ns.get(key, _MISSING)
            _ns[key] = eval(source, _ns)
        value = function(*payload["args"], **payload["kwargs"])
    except KeyboardInterrupt:  # the grader's timeout interrupt: let the reply say so
        raise
    except BaseException as exc:  # SystemExit too: sys.exit() in student code is a failure
        status = _describe(exc)
    else:
        status = {"ok": True, "ename": None, "evalue": None, "line": None, "traceback": None}
        try:
            _wire.write(out_path, value, max_bytes=max_bytes)
        except Exception as exc:
            status = _failure("WireError", f"the return value could not be sent: {exc}")
    finally:
        for key, old in reversed(saved.items()):
            if old is _MISSING:
                _ns.pop(key, None)
            else:
                _ns[key] = old
    _wire.write(status_path, status)

def functions(out_path):
    names = [k for k, v in list(_ns.items())
             if isinstance(k, str) and not k.startswith("_") and k not in _hidden
             and callable(v) and _baseline.get(k, _MISSING) is not v]
    _wire.write(out_path, sorted(names))
