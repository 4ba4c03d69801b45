"""The hostile and broken submissions of tests/test_hostile.py, built at test time.

Every notebook is the correct solution of ``gradient_checking``
(assignments/gradient_checking/samples/correct.ipynb) with one behaviour changed: a
hostile cell appended (or inserted first), a graded function made hostile, or the
file itself broken. Each :class:`Case` says what a well-isolated grader must report
for it, so a test can check that the result is what the functions deserve.

Escapes that the grader should prevent are written so that *success shows in the
grade*: a cell that manages to read the secret seed, reach the network, exceed the
memory or process budget... redefines ``forward_propagation`` to return a string,
which costs the "1-D forward" point. A case that expects full marks therefore also
asserts that the escape failed, whatever engine ran it. Escapes that leave traces on
the host (files, processes, connections) name a :class:`Targets` entry the test
checks after grading.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell

REPO = Path(__file__).resolve().parents[1]
CORRECT = REPO / "assignments" / "gradient_checking" / "samples" / "correct.ipynb"

# The limits the battery grades with (seconds); see test_hostile.ASSIGNMENT_LIMITS.
CELL_TIMEOUT = 3.0
CALL_TIMEOUT = 5.0

FULL = 10.0  # max score of gradient_checking
FORWARD, BACKWARD = "1-D forward", "N-D backward gradients"
HARNESS = ("student code can replace the in-kernel harness (sys.modules['_grader_harness'], _grader_wire); "
           "needs the engines to re-inject or verify it (execute.py, warm.py)")
BUILTINS = ("the warm engine's request loop in the student's process uses the builtins the cell replaced, so "
            "the process dies at the first call and no cell is blamed; needs a harness health check after the "
            "run and a re-run without the cell that broke it")


@dataclass(frozen=True)
class Targets:
    """Host paths and resources a hostile cell aims at; the test checks them afterwards.

    Attributes:
        token: unique per test run; in every marker file name and leftover process.
        outside: a folder of the test's tmp_path, outside every working folder.
        canary: a file the grader must never change.
        home: a marker path in the real home directory (the grader's user).
        grader_source: a marker path inside the grader package of this worktree.
        reference: the reference solution module the students must not read.
        out_dir: the batch's output folder.
        port: a loopback port the test listens on.
    """

    token: str
    outside: Path
    canary: Path
    home: Path
    grader_source: Path
    reference: Path
    out_dir: Path
    port: int


@dataclass(frozen=True)
class Case:
    """One submission of the battery and its asserted outcome.

    Attributes:
        name: the file stem (student id in the batch).
        what: the behaviour, for people.
        build: returns the file's bytes.
        status: "graded", or "error" for a file that is not a notebook.
        error_words: words the error sentence must contain (status "error").
        score: the exact score the functions deserve.
        at_most: ``score`` is an upper bound (a cell that breaks the student's own
            helpers, e.g. np.linalg.norm, may cost more; it must never gain).
        checks: check name -> status for checks that do not pass (others must pass).
        blocks: failing backward blocks -> diagnosis kind ("*" any kind).
        cell_errors: enames of which at least one must be recorded ({"any"}: any
            error); empty: no cell may fail; None: not asserted (the hostile code
            may or may not take the student's own cells down with it).
        rerun: the kernel died, so the notebook was run again without that cell.
        targets: host effects that must not happen ("home", "grader_source",
            "outside", "canary", "out_dir", "listener", "processes").
        xfail: why the strong outcome cannot hold yet (None: it must hold today).
    """

    name: str
    what: str
    build: Callable[[Targets], bytes]
    status: str = "graded"
    error_words: str = ""
    score: float = FULL
    at_most: bool = False
    checks: Mapping[str, str] = field(default_factory=dict)
    blocks: Mapping[str, str] = field(default_factory=dict)
    cell_errors: frozenset[str] | None = frozenset()
    rerun: bool = False
    targets: tuple[str, ...] = ()
    xfail: str | None = None


# --- building blocks ------------------------------------------------------------------

def _correct() -> nbformat.NotebookNode:
    return nbformat.read(CORRECT, as_version=4)


def _dump(nb: nbformat.NotebookNode) -> bytes:
    return nbformat.writes(nb).encode()


def _replace_in(nb: nbformat.NotebookNode, function: str, old: str, new: str) -> nbformat.NotebookNode:
    """Substitute ``old`` (exactly once) in the cell that defines ``function``."""
    cells = [c for c in nb.cells if c.cell_type == "code" and f"def {function}(" in c.source]
    assert len(cells) == 1 and cells[0].source.count(old) == 1, (function, old)
    cells[0].source = cells[0].source.replace(old, new)
    return nb


def _dw2_times_2() -> nbformat.NotebookNode:
    return _replace_in(_correct(), "backward_propagation_n", "dW2 = 1. / m * np.dot(dZ2, A1.T)",
                       "dW2 = 1. / m * np.dot(dZ2, A1.T) * 2")


def comm_mark(token: str) -> str:
    """The process name (15 characters at most) forked children of fork_loop give themselves."""
    return token[-10:] + "fork"


def escaped(what: str) -> str:
    """Source that makes an escape visible in the grade: it breaks forward_propagation."""
    return (f"def forward_propagation(x, theta):\n"
            f"    return 'escaped: ' + {what!r}\n")


def with_cell(source: str | Callable[[Targets], str], *, base: Callable[[], nbformat.NotebookNode] = _correct,
              first: bool = False) -> Callable[[Targets], bytes]:
    """A builder: ``base`` with one more code cell, last (or first)."""
    def build(t: Targets) -> bytes:
        nb = base()
        cell = new_code_cell(source(t) if callable(source) else source)
        nb.cells.insert(0, cell) if first else nb.cells.append(cell)
        return _dump(nb)
    return build


def with_function(function: str, old: str, new: str) -> Callable[[Targets], bytes]:
    """A builder: the correct solution with one substitution in a graded function."""
    return lambda t: _dump(_replace_in(_correct(), function, old, new))


RETURN = "    return gradients"
PROC = ("import sys, subprocess\n"
        "_SLEEPER = ('import signal, time\\n'\n"
        "            'for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP): signal.signal(s, signal.SIG_IGN)\\n'\n"
        "            'time.sleep(3600)')\n")


# --- the cases ------------------------------------------------------------------------

def _cases() -> list[Case]:
    return [
        # Controls: what the hostile variants are compared with.
        Case("control_correct", "the correct solution", lambda t: _dump(_correct())),
        Case("control_dW2_times_2", "dW2 twice the true gradient", lambda t: _dump(_dw2_times_2()),
             score=9.5, checks={BACKWARD: "fail"}, blocks={"dW2": "scale"}),

        # Faking the grade.
        Case("fake_score_stdout", "prints SCORE: 100/100, a JSON score and All tests passed",
             with_cell('print("SCORE: 100/100")\nprint(\'{"score": 10, "max_score": 10, "status": "graded"}\')\n'
                       'print("All tests passed.")\n', base=_dw2_times_2),
             score=9.5, checks={BACKWARD: "fail"}, blocks={"dW2": "scale"}),
        Case("forged_results_in_cwd", "writes results.json, feedback and summary files into its working folder",
             with_cell('import json\nforged = {"score": 10, "max_score": 10, "status": "graded", "tests": []}\n'
                       'for name in ("results.json", "control_dW2_times_2.json", "forged_results_in_cwd.json",\n'
                       '             "summary.json", "gradebook.csv"):\n'
                       '    open(name, "w").write(json.dumps(forged))\n', base=_dw2_times_2),
             score=9.5, checks={BACKWARD: "fail"}, blocks={"dW2": "scale"}),
        Case("forged_results_in_out_dir", "writes a forged result for itself and another student into the output folder",
             with_cell(lambda t: (
                 'import json, os\nforged = {"score": 10, "max_score": 10, "status": "graded"}\n'
                 f'out = {str(t.out_dir)!r}\n'
                 'for name in ("forged_results_in_out_dir.json", "zz_forged_student.json"):\n'
                 '    open(os.path.join(out, name), "w").write(json.dumps(forged))\n'), base=_dw2_times_2),
             score=9.5, checks={BACKWARD: "fail"}, blocks={"dW2": "scale"}, cell_errors=frozenset({"any"}),
             targets=("out_dir",)),
        Case("numpy_monkeypatched", "np.allclose, np.isclose, np.linalg.norm and np.testing patched to pass everything",
             with_cell('import numpy as np\nnp.allclose = lambda *a, **k: True\nnp.isclose = lambda a, b, *r, **k: np.ones(np.shape(a), bool)\n'
                       'np.array_equal = lambda *a, **k: True\nnp.linalg.norm = lambda *a, **k: 0.0\n'
                       'np.testing.assert_allclose = lambda *a, **k: None\n', base=_dw2_times_2),
             score=9.5, at_most=True, checks={BACKWARD: "fail"}, blocks={"dW2": "scale"}),
        Case("builtins_monkeypatched", "abs, max, min, sum, round, len-free builtins and print replaced",
             with_cell('import builtins\nbuiltins.abs = lambda x: 0\nbuiltins.max = lambda *a, **k: 0\n'
                       'builtins.min = lambda *a, **k: 0\nbuiltins.sum = lambda *a, **k: 0\n'
                       'builtins.round = lambda *a, **k: 0\nbuiltins.all = lambda *a: True\n'
                       'builtins.any = lambda *a: False\nbuiltins.print = lambda *a, **k: None\n'),
             cell_errors=None, xfail=BUILTINS),
        Case("builtins_open_and_isinstance", "builtins.open and builtins.isinstance replaced",
             with_cell('import builtins\n_isinstance = builtins.isinstance\nbuiltins.open = None\n'
                       'builtins.isinstance = lambda o, t: _isinstance(o, t) and not _isinstance(o, dict)\n'),
             cell_errors=None),
        Case("harness_redefined", "replaces the grader's in-kernel harness and wire functions",
             with_cell('import sys\nfor name in ("_grader_harness", "_grader_wire"):\n'
                       '    mod = sys.modules.get(name)\n'
                       '    for attr in ("call", "functions", "write", "read", "setup"):\n'
                       '        if hasattr(mod, attr):\n'
                       '            setattr(mod, attr, lambda *a, **k: None)\n'
                       'sys.modules.pop("_grader_harness", None)\n'),
             xfail=HARNESS),
        Case("reads_reference", "imports or reads the reference solution to replace its buggy backward pass",
             with_cell(lambda t: (
                 'import importlib.util, pathlib\n'
                 f'paths = [pathlib.Path({str(t.reference)!r})]\n'
                 'spec = importlib.util.find_spec("reference.gradient_checking") if importlib.util.find_spec("reference") else None\n'
                 'if spec and spec.origin:\n'
                 '    paths.append(pathlib.Path(spec.origin))\n'
                 'for p in paths:\n'
                 '    try:\n'
                 '        ns = {}\n'
                 '        exec(compile(p.read_text(), str(p), "exec"), ns)\n'
                 '        backward_propagation_n = ns["backward_propagation_n"]\n'
                 '        break\n'
                 '    except Exception:\n'
                 '        pass\n'), base=_dw2_times_2),
             score=9.5, checks={BACKWARD: "fail"}, blocks={"dW2": "scale"}),
        Case("reads_seed", "looks for the secret seed in its environment and every process's environ and cmdline",
             with_cell('import os, glob\nfound = [k for k in os.environ if k.startswith("GRADER")]\n'
                       'for path in glob.glob("/proc/[0-9]*/environ") + glob.glob("/proc/[0-9]*/cmdline"):\n'
                       '    try:\n'
                       '        data = open(path, "rb").read()\n'
                       '    except OSError:\n'
                       '        continue\n'
                       '    if b"GRADER_SEED=" in data or b"--seed" in data:\n'
                       '        found.append(path)\n'
                       'if found:\n' + "    " + escaped("seed visible").replace("\n", "\n    ").rstrip() + "\n"),
             ),

        # Time.
        Case("infinite_loop", "while True: pass", with_cell("while True:\n    pass\n"),
             cell_errors=frozenset({"CellTimeoutError"})),
        Case("ignores_sigint", "a loop that ignores SIGINT",
             with_cell("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"),
             cell_errors=frozenset({"CellTimeoutError"}), rerun=True),
        Case("sleeps_forever", "time.sleep(1e9)", with_cell("import time\ntime.sleep(1e9)\n"),
             cell_errors=frozenset({"CellTimeoutError"})),
        Case("just_under_time_limit", "a cell that finishes 1 s before its time limit",
             with_cell(f"import time\ntime.sleep({CELL_TIMEOUT - 1.0})\n")),
        Case("hostile_first_cell", "a first cell that loops forever, before the imports and definitions",
             with_cell("while True:\n    pass\n", first=True), cell_errors=frozenset({"CellTimeoutError"})),

        # Resources.
        # bytearray is calloc'd: 5 GiB are granted at once unless a memory limit refuses
        # them, so the outcome does not depend on how fast the machine fills pages.
        Case("memory_bomb", "allocates 1 GiB blocks until refused (stops itself at 5 GiB)",
             with_cell('blocks = []\nfor _ in range(5):\n'
                       '    blocks.append(bytearray(2**30))\n' + escaped("5 GiB allocated")),
             cell_errors=frozenset({"MemoryError", "DeadKernelError"})),
        Case("fills_disk", "writes 128 MiB files into its folder until refused (stops itself at 1 GiB)",
             with_cell('block = b"x" * 2**20\nfor i in range(8):\n    with open(f"fill{i}.bin", "wb") as f:\n'
                       '        for _ in range(128):\n            f.write(block)\n' + escaped("1 GiB written")),
             cell_errors=frozenset({"OSError", "DeadKernelError"})),
        Case("fork_loop", "forks children that ignore signals until refused (stops itself at 300)",
             with_cell(lambda t: 'import ctypes, os, signal, time\nfor i in range(300):\n    if os.fork() == 0:\n'
                       f'        ctypes.CDLL(None).prctl(15, {comm_mark(t.token).encode()!r}, 0, 0, 0)\n'
                       '        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):\n'
                       '            signal.signal(s, signal.SIG_IGN)\n'
                       '        while True:\n            time.sleep(1)\n' + escaped("300 processes")),
             cell_errors=frozenset({"BlockingIOError", "OSError"}), targets=("processes",)),
        Case("forty_children", "starts 40 child processes that ignore signals and leaves them running",
             with_cell(lambda t: PROC + 'kids = [subprocess.Popen([sys.executable, "-c", _SLEEPER, '
                       f'{t.token + "-forty_children"!r}]) for _ in range(40)]\n'),
             targets=("processes",)),
        Case("setsid_daemon", "double-forks a daemon into its own session and leaves it running",
             with_cell(lambda t: PROC + 'subprocess.Popen([sys.executable, "-c", _SLEEPER, '
                       f'{t.token + "-setsid_daemon"!r}], start_new_session=True,\n'
                       '                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n'),
             targets=("processes",)),
        Case("thread_left_running", "a thread that burns CPU and writes files for ever",
             with_cell('import threading, os\ndef spin():\n    n = 0\n    while True:\n'
                       '        n += 1\n        if n % 100000 == 0:\n'
                       '            open(f"spam{n % 7}.txt", "w").write(str(n))\n'
                       'threading.Thread(target=spin, daemon=False).start()\n')),
        Case("stderr_flood", "writes 10 MB straight to file descriptors 1 and 2",
             with_cell('import os\nchunk = b"student noise " * 7000 + b"\\n"\nfor _ in range(100):\n'
                       '    os.write(1, chunk)\n    os.write(2, chunk)\n'),
             targets=("grader_output",)),
        Case("stdout_100mb", "prints 100 MB", with_cell('import sys\nline = "x" * 999 + "\\n"\n'
                                                         'for _ in range(100_000):\n    sys.stdout.write(line)\n')),

        # Ending the process or the grader.
        Case("os_exit", "os._exit(1)", with_cell("import os\nos._exit(1)\n"),
             cell_errors=frozenset({"DeadKernelError"}), rerun=True),
        Case("sys_exit", "sys.exit(0)", with_cell("import sys\nsys.exit(0)\n"), cell_errors=frozenset({"any"})),
        Case("kills_parent", "os.kill(os.getppid(), SIGTERM)",
             with_cell("import os, signal\nos.kill(os.getppid(), signal.SIGTERM)\nimport time\ntime.sleep(1)\n"),
             ),

        # Reaching out.
        Case("loopback_connect", "connects to a port listening on 127.0.0.1",
             with_cell(lambda t: ('import socket\ns = socket.create_connection(("127.0.0.1", '
                                  f'{t.port}), timeout=2)\ns.sendall({t.token!r}.encode())\ns.close()\n'
                                  + escaped("network"))),
             cell_errors=frozenset({"any"}), targets=("listener",)),
        Case("writes_home", "writes a file into the grader user's real home directory",
             with_cell(lambda t: f'open({str(t.home)!r}, "w").write("pwned")\n' + escaped("home")),
             cell_errors=frozenset({"any"}), targets=("home",)),
        Case("writes_grader_source", "writes a module into the grader's own package",
             with_cell(lambda t: f'open({str(t.grader_source)!r}, "w").write("pwned = True")\n' + escaped("source")),
             cell_errors=frozenset({"any"}), targets=("grader_source",)),
        Case("writes_outside", "writes outside its working folder and overwrites a canary file",
             with_cell(lambda t: (f'open({str(t.outside / (t.token + "-outside"))!r}, "w").write("pwned")\n'
                                  f'open({str(t.canary)!r}, "w").write("pwned")\n' + escaped("outside"))),
             cell_errors=frozenset({"any"}), targets=("outside", "canary")),

        # Hostile graded functions.
        Case("function_loops", "backward_propagation_n never returns",
             with_function("backward_propagation_n", RETURN, "    while True:\n        pass\n" + RETURN),
             score=7.0, checks={BACKWARD: "error"}),
        Case("function_ignores_sigint", "backward_propagation_n ignores SIGINT and never returns",
             with_function("backward_propagation_n", RETURN,
                           "    import signal\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                           "    while True:\n        pass\n" + RETURN),
             score=7.0, checks={BACKWARD: "error"}),
        Case("function_exits", "backward_propagation_n calls os._exit",
             with_function("backward_propagation_n", RETURN, "    import os\n    os._exit(3)\n" + RETURN),
             score=7.0, checks={BACKWARD: "error"}),
        Case("function_sys_exit", "backward_propagation_n calls sys.exit",
             with_function("backward_propagation_n", RETURN, "    import sys\n    sys.exit(0)\n" + RETURN),
             score=7.0, checks={BACKWARD: "error"}),

        # Returned values.
        Case("returns_nan", "every gradient NaN",
             with_function("backward_propagation_n", RETURN,
                           "    gradients = {k: v * np.nan for k, v in gradients.items()}\n" + RETURN),
             score=7.0, checks={BACKWARD: "fail"},
             blocks={b: "nonfinite" for b in ("dW1", "db1", "dW2", "db2", "dW3", "db3")}),
        Case("returns_inf", "dW1 infinite",
             with_function("backward_propagation_n", RETURN, "    gradients['dW1'] = gradients['dW1'] + np.inf\n" + RETURN),
             score=9.5, checks={BACKWARD: "fail"}, blocks={"dW1": "nonfinite"}),
        Case("returns_float32", "every gradient float32",
             with_function("backward_propagation_n", RETURN,
                           "    gradients = {k: v.astype(np.float32) for k, v in gradients.items()}\n" + RETURN)),
        Case("returns_ints", "every gradient truncated to int64",
             with_function("backward_propagation_n", RETURN,
                           "    gradients = {k: v.astype(np.int64) for k, v in gradients.items()}\n" + RETURN),
             score=7.0, checks={BACKWARD: "fail"}, blocks={b: "*" for b in ("dW1", "db1", "dW2", "db2", "dW3", "db3")}),
        Case("returns_python_lists", "every gradient as nested Python lists of the right numbers",
             with_function("backward_propagation_n", RETURN,
                           "    gradients = {k: v.tolist() for k, v in gradients.items()}\n" + RETURN),
             score=7.0, checks={BACKWARD: "fail"}, blocks={b: "type" for b in ("dW1", "db1", "dW2", "db2", "dW3", "db3")}),
        Case("returns_object_arrays", "every gradient as an object array",
             with_function("backward_propagation_n", RETURN,
                           "    gradients = {k: v.astype(object) for k, v in gradients.items()}\n" + RETURN),
             score=7.0, checks={BACKWARD: "fail"}, blocks={b: "type" for b in ("dW1", "db1", "dW2", "db2", "dW3", "db3")}),
        Case("returns_1gb_array", "dW1 replaced by a 1 GiB array",
             with_function("backward_propagation_n", RETURN, "    gradients['dW1'] = np.zeros(2**27)\n" + RETURN),
             score=7.0, checks={BACKWARD: "error"}),
        Case("mutates_inputs", "forward_propagation_n empties the parameters dict, backward zeroes X and the cache",
             lambda t: _dump(_replace_in(
                 _replace_in(_correct(), "forward_propagation_n", "    return cost, cache",
                             "    parameters.clear()\n    return cost, cache"),
                 "backward_propagation_n", RETURN, "    X[...] = 0\n    A1[...] = 0\n    A2[...] = 0\n" + RETURN)),
             cell_errors=None),  # the notebook's own test cell then fails on the emptied dict

        # Files that are not (ordinary) notebooks.
        Case("not_json", "text that is not JSON", lambda t: b"this is not a notebook {", status="error",
             error_words="not valid JSON", score=0.0),
        Case("json_not_notebook", "a JSON list", lambda t: b'[{"cells": []}]', status="error",
             error_words="not a notebook", score=0.0),
        Case("nbformat_3", "the correct solution saved as nbformat 3",
             lambda t: nbformat.writes(nbformat.convert(_correct(), 3), version=3).encode()),
        Case("zero_bytes", "an empty file", lambda t: b"", status="error", error_words="empty", score=0.0),
        Case("binary_garbage", "random bytes", lambda t: bytes(range(256)) * 64 + b"\xff\xfe\x00",
             status="error", error_words="UTF-8", score=0.0),
        Case("notebook_50mb", "the correct solution with 50 MB of cell output",
             lambda t: _with_big_output(50 * 2**20)),
        Case("ten_thousand_cells", "the correct solution followed by 10,000 code cells",
             lambda t: _dump(_many_cells(10_000)), cell_errors=None),  # may run out of notebook time
        Case("markdown_only", "one markdown cell", lambda t: _dump(nbformat.v4.new_notebook(
             cells=[new_markdown_cell("# I did not do the assignment")])),
             score=0.0, checks={n: "missing" for n in ("1-D forward", "1-D backward", "1-D gradient check",
                                                        "N-D forward", BACKWARD, "N-D gradient check")}),
    ]


def _with_big_output(size: int) -> bytes:
    nb = _correct()
    cell = next(c for c in nb.cells if c.cell_type == "code")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="y" * size)]
    return _dump(nb)


def _many_cells(n: int) -> nbformat.NotebookNode:
    nb = _correct()
    nb.cells.extend(new_code_cell(f"x_{i} = {i}") for i in range(n))
    return nb


CASES: tuple[Case, ...] = tuple(_cases())
BY_NAME: dict[str, Case] = {c.name: c for c in CASES}
assert len(BY_NAME) == len(CASES)


def write_all(folder: Path, targets: Targets) -> dict[str, Path]:
    """Write every case as ``folder/<name>.ipynb``; return the paths by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for case in CASES:
        paths[case.name] = folder / f"{case.name}.ipynb"
        paths[case.name].write_bytes(case.build(targets))
    return paths
