"""``grader doctor``: what isolation this machine gives student code, tested for real.

Reading the confinement report is not enough: the doctor starts a confined
process exactly as the engines do (:func:`grader.run.confine.enter` through the
launcher script) and has it try what a hostile notebook would: read the
reference solutions, write outside its folder, reach a port the grader opened
on loopback, leave a process behind. Each attempt's outcome is a
:class:`Probe`; the levels the launcher reported come with them.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.run import confine
from grader.spec import course
from grader.records import Isolation
from grader.run.sandbox import Limits, confinement

# Runs inside the confined process; prints one JSON object.
_PROBE = r'''
import json, os, socket, subprocess, sys, time
out = {}
def attempt(name, fn):
    try:
        out[name] = [True, str(fn())[:200]]
    except Exception as exc:
        out[name] = [False, f"{type(exc).__name__}: {exc}"[:200]]
secret, outside, port, token = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
attempt("read_secret", lambda: os.listdir(secret))
attempt("write_outside", lambda: open(outside, "w").write("x"))
attempt("write_home", lambda: open(os.path.expanduser("~/.grader-doctor"), "w").write("x"))
attempt("connect_loopback", lambda: socket.create_connection(("127.0.0.1", port), timeout=2).close())
attempt("uid", os.getuid)
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", token], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(json.dumps(out))
'''


@dataclasses.dataclass(frozen=True)
class Probe:
    """One thing a hostile notebook would try, and what happened.

    Attributes:
        name: what was tried.
        protected: the attempt failed, as it should.
        detail: the evidence (the error the student's code saw, or what it got).
    """

    name: str
    protected: bool
    detail: str


@dataclasses.dataclass(frozen=True)
class DoctorReport:
    """The doctor's findings.

    Attributes:
        isolation: the levels the confinement launcher reported.
        probes: the attempts and their outcomes.
        seconds: time to start the confined process and run the probes.
    """

    isolation: Isolation
    probes: tuple[Probe, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(p.protected for p in self.probes)

    def to_dict(self) -> dict:
        return {"ok": self.ok, "seconds": round(self.seconds, 3), "isolation": self.isolation.to_dict(),
                "probes": [dataclasses.asdict(p) for p in self.probes]}


def examine(limits: Limits = Limits(), secret: Path | None = None) -> DoctorReport:
    """Start a confined process as the engines do and probe its walls.

    Args:
        limits: the limits to confine with (an assignment's ``[execution]``).
        secret: a folder the student must not read; default: the installed
            ``reference`` package.

    Returns:
        The report. Nothing raises for a missing protection: it is a finding.
    """
    if secret is None:
        root = course.course_root()
        secret = (root if root is not None else Path(inspect.getfile(confine)).parents[2]) / course.PACKAGE
    token = f"grader-doctor-{os.getpid()}-{time.monotonic_ns()}"
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="grader-doctor-") as tmp, socket.socket() as listener:
        root = Path(tmp)
        work, runtime, scratch = root / "work", root / "runtime", root / "root"
        for path in (work, runtime, scratch):
            path.mkdir()
        (work / "probe.py").write_text(_PROBE)
        outside = root / "outside.txt"
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        policy = confinement(limits, workdir=work, scratch=scratch, shared=[runtime])
        launcher = confine.launcher(policy, str(runtime)) if limits.confine else []
        command = [*launcher, sys.executable, "probe.py", str(secret), str(outside),
                   str(listener.getsockname()[1]), token]
        env = {"PATH": os.environ.get("PATH", os.defpath), "HOME": str(work), "LANG": "C.UTF-8"}
        done = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=120)
        seconds = time.monotonic() - started
        isolation = Isolation.from_report("kernel", confine.read_report(str(runtime))) if limits.confine \
            else Isolation.unconfined("kernel")
        try:
            seen = json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, ValueError):
            probe = Probe("start a confined process", False,
                          f"the probe did not report (exit {done.returncode}): {done.stderr.strip()[-300:]}")
            return DoctorReport(isolation, (probe,), seconds)
        written = outside.exists()
    time.sleep(0.2)  # the supervisor has exited; give the kernel a moment to reap the namespace
    survivors = _processes_with(token)
    for pid in survivors or ():  # the doctor cleans up after itself whatever it finds
        try:
            os.kill(pid, 9)
        except OSError:
            pass
    uid_ok, uid = seen["uid"]
    probes = (
        Probe(f"read the reference solutions ({secret})", not seen["read_secret"][0], seen["read_secret"][1]),
        Probe("write a file outside the working folder", not written and not seen["write_outside"][0],
              seen["write_outside"][1] if not written else f"{outside} was written"),
        Probe("connect to a port the grader opened on 127.0.0.1", not seen["connect_loopback"][0],
              seen["connect_loopback"][1]),
        Probe("run as a user other than the grader's", uid_ok and (os.geteuid() != 0 or uid != "0"),
              f"uid {uid} (the grader is uid {os.geteuid()})"),
        Probe("leave a setsid() daemon running after the submission", survivors == [],
              "cannot be checked without /proc" if survivors is None
              else f"{len(survivors)} left running (killed by the doctor)" if survivors else "none survived"),
    )
    return DoctorReport(isolation, probes, seconds)


def render(report: DoctorReport) -> str:
    """The report as lines for a terminal."""
    iso = report.isolation
    lines = [f"Isolation of student code on this machine ({report.seconds:.2f} s to start and probe):",
             f"  namespaces:  {', '.join(iso.namespaces) or 'none'}",
             f"  filesystem:  {iso.filesystem}", f"  network:     {iso.network}",
             f"  user:        {iso.user}", f"  processes:   {iso.processes}",
             "  limits:      " + (", ".join(f"{k}={v}" for k, v in iso.limits.items()) or "none"), "",
             "What a hostile notebook tried:"]
    lines += [f"  [{'ok' if p.protected else 'EXPOSED'}] {p.name}: {p.detail}" for p in report.probes]
    if iso.residual:
        lines += ["", "Not protected:"] + [f"  - {r}" for r in iso.residual]
    lines += ["", "All probes were stopped." if report.ok else "Some probes got through: see SECURITY.md."]
    return "\n".join(lines)


def _processes_with(token: str) -> list[int] | None:
    """Live pids whose command line holds ``token``; None where there is no /proc."""
    if not Path("/proc/self").exists():
        return None
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                continue
            if token.encode() in cmdline and state != "Z":
                pids.append(int(entry.name))
    return pids
