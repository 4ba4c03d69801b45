"""Tests for what only the warm engine has: a shared worker, fresh children, its protocol.

The Sandbox semantics both engines share are tested in test_execute.py.
"""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.run import warm
from grader.run.warm_worker import FrameReader, ProtocolError
from grader.run import warm_pool
from grader.run.warm import WarmSandbox

pytestmark = pytest.mark.skipif(not warm.available(), reason="the warm engine needs fork")

MUTATE = """
import os, sys, types
import numpy as np
import matplotlib
import matplotlib.pyplot as plt
import helpers
LEAK = 1
sys.modules["leaked_module"] = types.ModuleType("leaked_module")
helpers.scale = lambda x, k: "hacked"
np.allclose = lambda *a, **k: True
with open("leaked.txt", "w") as fh:
    fh.write("leak")
os.environ["LEAKED"] = "1"
np.random.seed(0)
matplotlib.rcParams["lines.linewidth"] = 42.0
plt.figure()
plt.plot([1, 2])
"""

PROBE = """
import os, sys
import numpy as np
import matplotlib
import matplotlib.pyplot as plt
import helpers

def probe():
    return {
        "global": "LEAK" in globals(),
        "module": "leaked_module" in sys.modules,
        "reference": "reference" in sys.modules,
        "support": helpers.scale(2, 3),
        "allclose": bool(np.allclose(1.0, 2.0)),
        "files": sorted(os.listdir(".")),
        "env": os.environ.get("LEAKED"),
        "linewidth": float(matplotlib.rcParams["lines.linewidth"]),
        "figures": len(plt.get_fignums()),
    }

def draw():
    return float(np.random.random())
"""

SEEDED_FIRST_DRAW = float(np.random.RandomState(0).random_sample())


def notebook(*cells):
    return new_notebook(cells=[new_code_cell(c) for c in cells])


@pytest.fixture(scope="module")
def support(tmp_path_factory):
    root = tmp_path_factory.mktemp("support")
    (root / "helpers.py").write_text("def scale(x, k):\n    return x * k\n")
    return [root / "helpers.py"]


def grade(support, *cells, calls=("probe",)):
    with WarmSandbox(support_files=support) as sandbox:
        result = sandbox.run(notebook(*cells))
        assert result.errors == (), result.errors
        values = {name: sandbox.call(name) for name in calls}
        return sandbox, {name: r.value for name, r in values.items() if r.ok}


@pytest.mark.slow
def test_nothing_one_submission_changes_reaches_the_next(support):
    _, first = grade(support, MUTATE, PROBE, "LEAK = 1", calls=("probe", "draw"))
    # The mutations took effect in the first submission ...
    assert first["probe"]["support"] == "hacked" and first["probe"]["allclose"] is True
    assert first["probe"]["env"] == "1" and "leaked.txt" in first["probe"]["files"]
    assert first["probe"]["linewidth"] == 42.0 and first["probe"]["figures"] == 1
    assert first["draw"] == SEEDED_FIRST_DRAW
    # ... and none reached the second, served by the same worker.
    worker_pids = {w.proc.pid for w in warm_pool._WORKERS.values()}
    _, second = grade(support, PROBE, calls=("probe", "draw"))
    assert {w.proc.pid for w in warm_pool._WORKERS.values()} == worker_pids
    assert second["probe"] == {
        "global": False, "module": False, "reference": False, "support": 6, "allclose": False,
        "files": ["helpers.py"], "env": None, "linewidth": 1.5, "figures": 0,
    }
    assert second["draw"] != SEEDED_FIRST_DRAW


@pytest.mark.slow
def test_each_child_gets_a_fresh_random_state(support):
    draws = {grade(support, PROBE, calls=("draw",))[1]["draw"] for _ in range(3)}
    assert len(draws) == 3


@pytest.mark.slow
def test_support_modules_are_imported_once_by_the_worker(support):
    sandbox, _ = grade(support, PROBE)
    assert sandbox.isolation.engine == "warm"
    if sandbox.isolation.namespaces:  # confined: the support files the child sees are its own copy
        assert "pid" in sandbox.isolation.namespaces and sandbox.isolation.limits
    worker = next(w for key, w in warm_pool._WORKERS.items() if key[0] == tuple(p.resolve() for p in support))
    assert {"numpy", "IPython", "helpers"} <= set(worker.preloaded)


@pytest.mark.slow
def test_garbage_on_inherited_descriptors_stops_only_that_child(support):
    garbage = ("import os\n"
               "for fd in range(3, 256):\n"
               "    try:\n"
               "        os.write(fd, b'not a frame' * 100)\n"
               "    except OSError:\n"
               "        pass\n")
    with WarmSandbox(support_files=support) as sandbox:
        result = sandbox.run(notebook("x = 1", garbage, "y = 2"))
        assert result.kernel_died
        assert [(e.cell, e.ename) for e in result.errors] == [(1, "DeadKernelError")]
        assert "protocol" in result.errors[0].evalue
        assert sandbox.call("x").kernel_died
    _, values = grade(support, PROBE)
    assert values["probe"]["support"] == 6


@pytest.mark.slow
def test_a_forged_oversized_frame_is_refused(support):
    forge = ("import os, struct\n"
             "for fd in range(3, 256):\n"
             "    try:\n"
             "        os.write(fd, struct.pack('>4sQQ', b'GRW1', 1, 2**60))\n"
             "    except OSError:\n"
             "        pass\n"
             "import time\n"
             "time.sleep(5)\n")
    with WarmSandbox(support_files=support) as sandbox:
        result = sandbox.run(notebook(forge))
        assert result.kernel_died and result.errors[0].ename == "DeadKernelError"


@pytest.mark.slow
def test_a_dead_worker_is_restarted(support):
    grade(support, PROBE)
    worker = next(w for key, w in warm_pool._WORKERS.items() if key[0] == tuple(p.resolve() for p in support))
    os.kill(worker.proc.pid, signal.SIGKILL)
    worker.proc.wait()
    _, values = grade(support, PROBE)
    assert values["probe"]["support"] == 6
    assert all(w is not worker for w in warm_pool._WORKERS.values())


def test_frame_reader_validates_headers():
    reader = FrameReader()
    reader.feed(b"GRW")
    assert reader.next(100) is None
    reader.feed(b"1" + (7).to_bytes(8, "big") + (3).to_bytes(8, "big") + b"abcGRW1")
    assert reader.next(100) == (7, b"abc")
    assert reader.next(100) is None
    bad = FrameReader()
    bad.feed(b"junk")
    with pytest.raises(ProtocolError, match="magic"):
        bad.next(100)
    long = FrameReader()
    long.feed(b"GRW1" + (1).to_bytes(8, "big") + (10**6).to_bytes(8, "big"))
    with pytest.raises(ProtocolError, match="more than"):
        long.next(100)
