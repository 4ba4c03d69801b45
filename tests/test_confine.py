"""Tests for grader.run.confine and grader.doctor: the walls around student code, probed for real.

Each test starts a real confined process through the launcher script, as the
engines do. Where this machine cannot create namespaces (neither root nor user
namespaces), the strong assertions are replaced by the report's own admission,
so a missing protection is never silently reported as present.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.run import confine
from grader import doctor
from grader.records import Isolation
from grader.run.sandbox import Limits, confinement


def namespaces_available() -> bool:
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "true"] if os.geteuid() else
                           ["unshare", "--net", "true"], capture_output=True)
    return sys.platform.startswith("linux") and probe.returncode == 0


NAMESPACES = namespaces_available()


def run_confined(tmp_path: Path, code: str, **limits) -> tuple[dict, subprocess.CompletedProcess]:
    """Run ``code`` with the sandbox's launcher; returns (report, completed process)."""
    work, runtime, scratch = tmp_path / "work", tmp_path / "runtime", tmp_path / "root"
    for path in (work, runtime, scratch):
        path.mkdir()
    (work / "student.py").write_text(code)
    policy = confinement(Limits(**limits), workdir=work, scratch=scratch, shared=[runtime])
    command = [*confine.launcher(policy, str(runtime)), sys.executable, "student.py"]
    done = subprocess.run(command, cwd=work, capture_output=True, text=True, timeout=120,
                          env={"PATH": os.environ["PATH"], "HOME": str(work)})
    return confine.read_report(str(runtime)), done


def test_doctor_finds_every_probe_stopped():
    found = doctor.examine()
    if not NAMESPACES:
        assert not found.ok and found.isolation.residual
        return
    assert found.ok, doctor.render(found)
    assert {"mount", "pid", "network"} <= set(found.isolation.namespaces)
    assert "All probes were stopped" in doctor.render(found)


def test_doctor_reports_exposure_when_confinement_is_off():
    found = doctor.examine(Limits(confine=False))
    exposed = {p.name.split(" (")[0] for p in found.probes if not p.protected}
    assert "read the reference solutions" in exposed
    assert "leave a setsid() daemon running after the submission" in exposed
    assert "EXPOSED" in doctor.render(found) and found.isolation.residual


@pytest.mark.skipif(not NAMESPACES, reason="needs namespaces (root or user namespaces)")
def test_student_code_cannot_reach_the_repository_home_or_network(tmp_path):
    repo = Path(__file__).resolve().parents[1]
    report, done = run_confined(tmp_path, f"""
import os, socket
def tries(fn):
    try:
        fn()
        return "allowed"
    except OSError as exc:
        return type(exc).__name__
print(tries(lambda: os.listdir({str(repo / 'reference')!r})))
print(tries(lambda: open({str(repo / 'grader' / '__init__.py')!r}, "a")))
print(tries(lambda: open("/etc/grader-canary", "w")))
print(tries(lambda: os.listdir("/root/.ssh") if os.path.isdir("/root/.ssh") else open("/root/x", "w")))
print(tries(lambda: socket.create_connection(("127.0.0.1", 9), timeout=1)))
print(tries(lambda: open("mine.txt", "w").write("fine")))
""")
    assert done.returncode == 0, done.stderr
    # reference/ and the grader's source do not exist in the new root; / is read-only;
    # the grader's home is absent or unreadable; the network is unreachable.
    lines = done.stdout.split()
    assert lines[:3] == ["FileNotFoundError", "FileNotFoundError", "OSError"], done.stderr
    assert lines[3] in ("PermissionError", "FileNotFoundError", "OSError")
    assert lines[4:] == ["OSError", "allowed"]
    assert not (tmp_path / "work" / "mine.txt").exists()  # written to the private copy only
    assert not Path("/etc/grader-canary").exists()
    assert "network" in report["namespaces"]


@pytest.mark.skipif(not NAMESPACES, reason="needs namespaces (root or user namespaces)")
def test_limits_stop_memory_and_disk_bombs(tmp_path):
    report, done = run_confined(tmp_path, """
import errno, numpy as np
try:
    np.ones(2**30 // 8 * 2)          # 2 GiB, over the 1 GiB address space
    print("memory allowed")
except MemoryError:
    print("MemoryError")
try:
    with open("/tmp/fill", "wb") as fh:
        for _ in range(100):
            fh.write(b"x" * 2**20)    # 100 MiB into a 32 MiB /tmp
    print("disk allowed")
except OSError as exc:
    print(errno.errorcode[exc.errno])
""", memory_mb=1024, disk_mb=32)
    assert done.stdout.split() == ["MemoryError", "ENOSPC"], done.stderr
    assert report["limits"]["memory_mb"] == 1024


@pytest.mark.skipif(os.geteuid() != 0 or not NAMESPACES, reason="the process limit needs a uid of its own (root)")
def test_a_fork_loop_hits_the_process_limit(tmp_path):
    report, done = run_confined(tmp_path, """
import os, time
made = 0
try:
    while made < 1000:
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        made += 1
except OSError as exc:
    print("stopped", made < 1000)
""", processes=20)
    assert done.stdout.split() == ["stopped", "True"], done.stderr
    assert report["user"].startswith("unprivileged uid")


def test_policy_round_trips_through_json():
    policy = confinement(Limits(memory_mb=123), workdir=Path("/w"), scratch=Path("/s"), shared=[Path("/r")])
    again = confine.Policy.from_dict(json.loads(json.dumps(dataclasses.asdict(policy))) | {"report": "x"})
    assert again == policy and again.memory_mb == 123


def test_isolation_record_reads_malformed_reports_as_unprotected():
    assert Isolation.from_report("kernel", None).residual
    odd = Isolation.from_report("kernel", {"namespaces": "pid", "limits": {"memory_mb": "1"}, "network": 3})
    assert odd.namespaces == () and dict(odd.limits) == {} and odd.network == "host network"
    good = Isolation.from_report("warm", {"namespaces": ["pid"], "limits": {"memory_mb": 5}, "residual": ["r"]})
    assert good.to_dict()["limits"] == {"memory_mb": 5} and good.residual == ("r",)
