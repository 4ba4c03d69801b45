"""Tests for both execution engines: grader.run.kernel (kernel) and grader.run.warm (warm).

The same tests prove the same semantics for both: the ``engine`` fixture is the
sandbox class. Most tests share one sandbox that ran one notebook (module-scoped
fixture); behaviours that end the process get their own sandbox.
"""

from __future__ import annotations

import importlib.util
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import nbformat
import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grader.errors import NotebookExecutionError
from grader.run.kernel import KernelSandbox
from grader.run.sandbox import Limits
from grader.run.warm import WarmSandbox, available

ENGINES = [KernelSandbox, pytest.param(WarmSandbox, marks=pytest.mark.skipif(not available(), reason="needs fork"))]

HAS_MATPLOTLIB = importlib.util.find_spec("matplotlib") is not None

DEFINITIONS = '''import os, sys, time
import numpy as np
from helpers import scale

OFFSET = 1.0

def affine(x, w, b):
    return x @ w + b

def double_in_place(x):
    x *= 2
    return x

def broken(x):
    y = x + 1
    return y[5]

def helper(x):
    return x

def uses_helper(x):
    return helper(x) + OFFSET

def has_new_name():
    return "NEW_NAME" in globals()

def returns(kind):
    return {
        "list": [1, 2],
        "none": None,
        "float32": np.arange(4, dtype=np.float32),
        "dict": {"W1": np.ones((2, 2)), "b1": 0.5, "cache": (1, "two")},
        "tuple": (np.float32(1.5), [True], {}),
    }[kind]

def huge():
    return np.zeros(300 * 2**20, dtype=np.uint8)

def slow():
    time.sleep(60)

def environment():
    return {"cwd": os.getcwd(), "files": sorted(os.listdir(".")), "executable": sys.executable,
            "env": {k: os.environ.get(k) for k in ("HOME", "MPLBACKEND", "PYTHONHASHSEED", "GRADER_TEST_SECRET")}}

_NUMPY = (np.savez, np.load, np.asarray, np.allclose)

def sabotage_numpy():
    np.savez, np.load, np.asarray = None, None, None
    np.allclose = lambda *a, **k: True

def restore_numpy():
    np.savez, np.load, np.asarray, np.allclose = _NUMPY

def read_text(name):
    with open(name) as fh:
        return fh.read()

def _private():
    pass

NOT_CALLABLE = 3
'''


def notebook(*cells):
    """Code cells from strings, markdown cells from ("md", text) tuples."""
    return new_notebook(
        cells=[new_markdown_cell(c[1]) if isinstance(c, tuple) else new_code_cell(c) for c in cells]
    )


def process_alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (a zombie has already died)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.fixture(scope="module")
def support(tmp_path_factory):
    root = tmp_path_factory.mktemp("support")
    (root / "helpers.py").write_text("def scale(x, k):\n    return x * k\n")
    (root / "datasets").mkdir()
    (root / "datasets" / "train.csv").write_text("x,y\n1,2\n")
    return [root / "helpers.py", root / "datasets"]


@pytest.fixture(scope="module", params=ENGINES, ids=["kernel", "warm"])
def engine(request):
    return request.param


@pytest.fixture(scope="module")
def main(engine, support):
    """One sandbox that ran a notebook exercising most cell behaviours."""
    magics = "%load_ext autoreload\n%autoreload 2\n%time _ = 1\n!echo shell-ok > shell.txt"
    if HAS_MATPLOTLIB:
        magics = "%matplotlib inline\n" + magics
    nb = notebook(
        ("md", "# Backprop assignment"),
        magics,                                   # 1
        DEFINITIONS,                              # 2
        ("md", "## Part 2"),
        "1 / 0",                                  # 4
        "def oops(:\n    pass",                   # 5
        "while True:\n    pass",                  # 6: cell timeout
        "print('x' * 100_000_000)",               # 7: 100 MB of output
        "def after():\n    return 'after'",       # 8
        "name = input('Your name? ')",            # 9: no stdin: fails instead of hanging
    )
    before = nbformat.writes(nb)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GRADER_TEST_SECRET", "must-not-leak")
        sandbox = engine(support_files=support, limits=Limits(cell_timeout=2, call_timeout=3))
        # tracemalloc sees Python objects (e.g. stored outputs); the resident-set
        # high-water mark also sees messages buffered inside ZeroMQ.
        max_rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        tracemalloc.start()
        try:
            result = sandbox.run(nb)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - max_rss_before
    yield sandbox, result, (peak, rss_growth), nbformat.writes(nb) == before
    sandbox.close()


# -- run ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_run_records_each_failing_cell_by_notebook_index_and_continues(main):
    _, result, _, _ = main
    assert [(e.cell, e.ename) for e in result.errors] == [
        (4, "ZeroDivisionError"),
        (5, "SyntaxError"),
        (6, "CellTimeoutError"),
        (9, "StdinNotImplementedError"),
    ]
    assert result.cells == 8 and result.skipped == ()
    assert result.timed_out and not result.kernel_died
    zero = result.errors[0]
    assert zero.evalue == "division by zero"
    assert "1 / 0" in zero.traceback and "\x1b[" not in zero.traceback
    assert "2 s" in result.errors[2].evalue and "while True:" in result.errors[2].evalue


@pytest.mark.slow
def test_cells_after_errors_and_timeouts_still_run(main):
    sandbox, *_ = main
    result = sandbox.call("after")
    assert result.ok and result.value == "after"


@pytest.mark.slow
def test_magics_and_shell_commands_run_in_the_working_directory(main):
    sandbox, result, _, _ = main
    assert all(e.cell != 1 for e in result.errors)
    assert sandbox.call("read_text", ("shell.txt",)).value.strip() == "shell-ok"
    # The confined kernel writes into a private copy of the working folder.
    assert not (sandbox.workdir / "shell.txt").exists()


@pytest.mark.slow
def test_printed_output_is_not_kept(main):
    _, _, (peak, rss_growth), notebook_unchanged = main
    assert peak < 20 * 2**20, f"the grader held {peak / 2**20:.0f} MiB while the notebook printed 100 MB"
    assert rss_growth < 50 * 2**20, f"the grader grew by {rss_growth / 2**20:.0f} MiB while the notebook printed 100 MB"
    assert notebook_unchanged


# -- call -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_call_returns_the_computed_array(main):
    sandbox, *_ = main
    rng = np.random.default_rng(0)
    x, w, b = rng.normal(size=(4, 3)), rng.normal(size=(3, 2)), rng.normal(size=2)
    result = sandbox.call("affine", (x, w), {"b": b})
    assert result.ok, result
    assert result.value.dtype == np.float64
    np.testing.assert_allclose(result.value, x @ w + b)


@pytest.mark.slow
def test_each_call_gets_fresh_arguments(main):
    sandbox, *_ = main
    x = np.arange(3.0)
    first = sandbox.call("double_in_place", (x,))
    second = sandbox.call("double_in_place", (x,))
    np.testing.assert_array_equal(first.value, [0.0, 2.0, 4.0])
    np.testing.assert_array_equal(second.value, [0.0, 2.0, 4.0])
    np.testing.assert_array_equal(x, [0.0, 1.0, 2.0])


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("list", [1, 2]),
        ("none", None),
        ("float32", np.arange(4, dtype=np.float32)),
        ("dict", {"W1": np.ones((2, 2)), "b1": 0.5, "cache": (1, "two")}),
        ("tuple", (np.float32(1.5), [True], {})),
    ],
)
@pytest.mark.slow
def test_return_values_decode_exactly(main, kind, expected):
    sandbox, *_ = main
    result = sandbox.call("returns", (kind,))
    assert result.ok, result
    assert_same(result.value, expected)


def assert_same(got, expected):
    assert type(got) is type(expected), (got, expected)
    if isinstance(expected, np.ndarray):
        assert got.dtype == expected.dtype and got.shape == expected.shape
        np.testing.assert_array_equal(got, expected)
    elif isinstance(expected, dict):
        assert list(got) == list(expected)
        for key in expected:
            assert_same(got[key], expected[key])
    elif isinstance(expected, (list, tuple)):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_same(g, e)
    else:
        assert got == expected


@pytest.mark.slow
def test_raising_function_reports_the_student_line(main):
    sandbox, *_ = main
    result = sandbox.call("broken", (np.zeros(3),))
    assert not result.ok and result.ename == "IndexError"
    assert "index 5 is out of bounds" in result.evalue
    lineno = DEFINITIONS.splitlines().index("    return y[5]") + 1
    assert result.line == f"line {lineno} in broken: return y[5]"
    assert "return y[5]" in result.traceback and "grader-harness" not in result.traceback


@pytest.mark.slow
@pytest.mark.parametrize("name", ["no_such_function", "NOT_CALLABLE"])
def test_missing_or_uncallable_name_is_a_name_error(main, name):
    sandbox, *_ = main
    result = sandbox.call(name)
    assert not result.ok and result.ename == "NameError" and name in result.evalue


@pytest.mark.slow
def test_patch_replaces_globals_only_during_the_call(main):
    sandbox, *_ = main
    patched = sandbox.call("uses_helper", (2.0,), patch={"helper": "lambda x: x * 100", "OFFSET": "0.0"})
    assert patched.value == 200.0
    assert sandbox.call("uses_helper", (2.0,)).value == 3.0

    raising = sandbox.call("uses_helper", (2.0,), patch={"helper": "lambda x: 1 / 0"})
    assert raising.ename == "ZeroDivisionError"
    assert sandbox.call("uses_helper", (2.0,)).value == 3.0

    assert sandbox.call("has_new_name", patch={"NEW_NAME": "1"}).value is True
    assert sandbox.call("has_new_name").value is False


def test_patch_must_be_valid_python(engine):
    with engine() as sandbox:  # validation happens before the kernel starts
        with pytest.raises(ValueError, match="not a valid expression"):
            sandbox.call("f", patch={"helper": "lambda x:"})
        with pytest.raises(ValueError, match="identifiers"):
            sandbox.call("f", patch={"a.b": "1"})


@pytest.mark.slow
def test_oversized_return_value_is_a_wire_error(main):
    sandbox, *_ = main
    result = sandbox.call("huge")
    assert not result.ok and result.ename == "WireError"
    assert str(256 * 2**20) in result.evalue
    assert sandbox.call("after").value == "after"


@pytest.mark.slow
def test_slow_call_is_interrupted_and_the_kernel_survives(main):
    sandbox, *_ = main
    start = time.monotonic()
    result = sandbox.call("slow")
    assert result.timed_out and not result.ok and not result.kernel_died
    assert result.ename == "CallTimeoutError"
    assert time.monotonic() - start < 3 + 5
    assert sandbox.call("after").value == "after"


@pytest.mark.slow
def test_calls_survive_a_student_monkeypatching_numpy(main):
    sandbox, *_ = main
    assert sandbox.call("sabotage_numpy").ok
    try:
        result = sandbox.call("returns", ("float32",))
        assert result.ok, result
        np.testing.assert_array_equal(result.value, np.arange(4, dtype=np.float32))
        doubled = sandbox.call("double_in_place", (np.arange(3.0),))
        np.testing.assert_array_equal(doubled.value, [0.0, 2.0, 4.0])
    finally:
        assert sandbox.call("restore_numpy").ok


@pytest.mark.slow
def test_kernel_gets_a_clean_working_directory_and_environment(main):
    sandbox, *_ = main
    env = sandbox.call("environment").value
    assert Path(env["cwd"]) == sandbox.workdir != Path.cwd()
    assert env["files"] == ["datasets", "helpers.py", "shell.txt"]
    assert env["executable"] == sys.executable
    assert env["env"] == {"HOME": str(sandbox.workdir), "MPLBACKEND": "Agg", "PYTHONHASHSEED": "0",
                          "GRADER_TEST_SECRET": None}
    assert sandbox.call("scale", (2, 3)).value == 6  # a support module imports


@pytest.mark.slow
def test_defined_functions_lists_the_notebooks_callables(main):
    sandbox, *_ = main
    names = sandbox.defined_functions()
    assert {"affine", "broken", "after", "scale", "uses_helper"} <= set(names)
    assert not {"_private", "NOT_CALLABLE", "OFFSET", "exit", "quit", "get_ipython", "In", "Out", "open"} & set(names)
    assert list(names) == sorted(names)


# -- behaviours that end the kernel ---------------------------------------------------------


@pytest.mark.slow
def test_cell_ignoring_the_interrupt_gets_the_kernel_killed(engine):
    stubborn = (
        "while True:\n"
        "    try:\n"
        "        while True:\n"
        "            pass\n"
        "    except KeyboardInterrupt:\n"
        "        pass\n"
    )
    nb = notebook("x = 1", stubborn, "y = 2", ("md", "note"), "z = 3")
    with engine(limits=Limits(cell_timeout=1)) as sandbox:
        start = time.monotonic()
        result = sandbox.run(nb)
        assert time.monotonic() - start < 15
        assert result.kernel_died and result.timed_out
        assert [(e.cell, e.ename) for e in result.errors] == [(1, "CellTimeoutError")]
        assert "ignored the interrupt" in result.errors[0].evalue
        assert result.skipped == (2, 4) and result.cells == 2
        start = time.monotonic()
        assert sandbox.call("x").kernel_died
        assert time.monotonic() - start < 2


@pytest.mark.slow
def test_cell_that_exits_the_process_is_a_dead_kernel(engine):
    nb = notebook(("md", "intro"), "import os\ndef f():\n    return 1", "os._exit(1)", "x = 1", "y = 2")
    with engine() as sandbox:
        result = sandbox.run(nb)
        assert result.kernel_died and not result.timed_out
        assert [(e.cell, e.ename) for e in result.errors] == [(2, "DeadKernelError")]
        assert result.skipped == (3, 4) and result.cells == 2
        start = time.monotonic()
        call = sandbox.call("f")
        assert call.kernel_died and not call.ok
        assert sandbox.defined_functions() == ()
        assert time.monotonic() - start < 2


@pytest.mark.slow
def test_cell_calling_exit_is_a_dead_kernel(engine):
    with engine() as sandbox:
        result = sandbox.run(notebook("x = 1", "exit()", "y = 2"))
        assert result.kernel_died
        assert [(e.cell, e.ename) for e in result.errors] == [(1, "DeadKernelError")]
        assert "exit()" in result.errors[0].evalue and result.skipped == (2,)


@pytest.mark.slow
def test_notebook_time_budget_skips_the_remaining_cells(engine):
    nb = notebook("import time", "time.sleep(1.0)", "time.sleep(30)", "x = 1")
    with engine(limits=Limits(notebook_timeout=2.5)) as sandbox:
        result = sandbox.run(nb)
        assert result.timed_out and not result.kernel_died
        assert [(e.cell, e.ename) for e in result.errors] == [(2, "CellTimeoutError")]
        assert "notebook" in result.errors[0].evalue
        assert result.skipped == (3,)
        assert result.seconds < 2.5 + 4


def host_processes_with(token: str) -> list[int]:
    """Host pids whose command line contains ``token`` (pids inside a namespace differ)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if token.encode() in cmdline and process_alive(int(entry.name)):
                pids.append(int(entry.name))
    return pids


@pytest.mark.slow
def test_close_kills_student_processes_and_removes_the_directory(engine):
    token = f"grader-test-{time.monotonic_ns()}"
    start_children = f"""
import subprocess, sys, os, time
sleeper = subprocess.Popen(["sh", "-c", "sleep 1000; : " + {token!r}])
stubborn = subprocess.Popen([sys.executable, "-c",
    "import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "signal.signal(signal.SIGTERM, signal.SIG_IGN); open('ready', 'w').close(); time.sleep(1000)", {token!r}])
# A daemon that leaves the kernel's session and process group.
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1000)", {token!r}], start_new_session=True)
while not os.path.exists("ready"):
    time.sleep(0.05)
"""
    sandbox = engine()
    result = sandbox.run(notebook(start_children))
    assert result.errors == ()
    pids = host_processes_with(token)
    assert len(pids) == 3
    root = sandbox.workdir.parent
    sandbox.close()
    deadline = time.monotonic() + 5
    while any(process_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(process_alive(pid) for pid in pids)
    assert not root.exists()
    sandbox.close()  # harmless
    with pytest.raises(NotebookExecutionError):
        sandbox.call("f")


def test_unknown_kernel_raises_notebook_execution_error():
    sandbox = KernelSandbox(kernel_name="no-such-kernel-xyz")
    with pytest.raises(NotebookExecutionError, match="no-such-kernel-xyz"):
        sandbox.run(notebook("x = 1"))
    sandbox.close()
    assert not sandbox.workdir.exists()


def test_missing_support_file_raises_notebook_execution_error(engine, tmp_path):
    with pytest.raises(NotebookExecutionError, match="support file"):
        engine(support_files=[tmp_path / "absent.py"])


@pytest.mark.slow
def test_both_engines_confine_the_student_and_say_so(engine):
    import reference

    secret = str(Path(reference.__file__).resolve().parent)
    with engine() as sandbox:
        result = sandbox.run(notebook("import os\ndef sees(path):\n    return os.path.exists(path)\n"
                                      "def uid():\n    return os.getuid()\n"))
        assert result.errors == ()
        iso = sandbox.isolation
        assert iso.engine in ("kernel", "warm") and iso.limits["memory_mb"] == Limits().memory_mb
        if "mount" not in iso.namespaces:  # no namespaces on this machine: it must say what is exposed
            assert iso.residual
            return
        assert sandbox.call("sees", (secret,)).value is False
        assert sandbox.call("sees", (str(sandbox.workdir),)).value is True
        assert {"pid", "network"} <= set(iso.namespaces)
        if os.geteuid() == 0:
            assert sandbox.call("uid").value != 0
