"""Confine the current process before it runs student code.

Both engines call :func:`enter` in the process that is about to run a student's
notebook: the Jupyter engine in a small launcher that then execs ipykernel
(``python confine.py POLICY.json -- KERNEL ARGV...``), the warm engine in the
child it forks for each submission. This file imports only the standard
library, so it can run as a script from an interpreter that cannot import the
grader package.

Contract: ``report = enter(policy)``. When a PID namespace is available it
forks: the caller becomes a supervisor that forwards SIGINT, SIGTERM and SIGHUP
to the confined process and exits with its status, while the confined process
returns from ``enter`` as process 1 of its own PID namespace. SIGKILL of the
supervisor kills the confined process (parent-death signal), and with it the
namespace: every process the student started, daemons and ``setsid()`` escapes
included. ``report`` is a JSON-able dict saying which levels are in force.

The levels, each tried and reported on its own (see SECURITY.md):

- ``namespaces``: new mount, PID, network, IPC and UTS namespaces (as root, or
  inside a new user namespace for an ordinary user where the kernel allows it).
- ``filesystem``: a new root built from scratch on a small tmpfs holding
  read-only binds of the system directories and the Python installation, a
  private size-capped /tmp that also holds the working folder (a copy of the
  caller's, so the host's disk cannot fill up), the grader's exchange folders
  read-write, and nothing else: the reference solutions, the repository, other
  submissions, the output folder and the grader's home do not exist in it.
- ``network``: the new network namespace has only a loopback interface, down.
- ``user``: as root, the student runs as an unprivileged uid with no
  capabilities and ``no_new_privs``.
- ``limits``: address space, CPU seconds, processes, file size, open files.
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import select
import signal
import sys

if __package__:
    from grader.run import mounts
else:  # run as a script by the kernel's launcher: the sibling file (sys.path[0] is this folder),
    import mounts  # type: ignore[no-redef]  without importing the grader package (numpy etc.)

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38

FIRST_UID = 100_000  # unprivileged uids for students start here; none is in /etc/passwd


@dataclasses.dataclass(frozen=True)
class Policy:
    """What to confine the student's process to.

    Attributes:
        workdir: the student's working directory. Under a new root it becomes a
            copy of itself on the private tmpfs; otherwise it is used in place.
        scratch: an empty directory the new root is built in (a mount point
            inside the private mount namespace; nothing is written to it on the host).
        shared: directories the grader exchanges files or sockets through:
            bound read-write at the same path (and made writable by the student's uid).
        hide: directories inside the bound system or Python trees that must not
            be visible (e.g. an installed ``reference`` package): covered by an
            empty read-only tmpfs.
        exchange: a path in the new root that gets a tmpfs of its own, for the
            grader's call files: filling /tmp or the working folder then does not
            stop the grader from calling the student's functions.
        memory_mb: address-space limit (RLIMIT_AS) in MiB.
        cpu_seconds: CPU-time limit; the process is killed when it runs out.
        processes: process limit for the student's uid (only under a private uid).
        file_size_mb: largest file the student can write.
        open_files: open file descriptors.
        disk_mb: size of the private /tmp holding the working folder.
        network: leave the network as it is (off by default).
        uid: the unprivileged uid to run as when root; 0 picks one from the pid.
    """

    workdir: str
    scratch: str | None = None
    shared: tuple[str, ...] = ()
    hide: tuple[str, ...] = ()
    exchange: str | None = None
    memory_mb: int = 4096
    cpu_seconds: int = 900
    processes: int = 128
    file_size_mb: int = 256
    open_files: int = 1024
    disk_mb: int = 512
    network: bool = False
    uid: int = 0

    @classmethod
    def from_dict(cls, data: dict) -> Policy:
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in names}
        return cls(**values)


def enter(policy: Policy) -> dict:
    """Confine the current process; see the module docstring for the contract.

    Args:
        policy: what to allow.

    Returns:
        The report: ``{"namespaces": [...], "filesystem": ..., "network": ...,
        "user": ..., "processes": ..., "limits": {...}, "residual": [...]}``,
        where each level is a short phrase and ``residual`` lists, in sentences,
        what is not protected.

    Raises:
        OSError: only for failures after the process has started changing its
            own root (a half-built confinement must not run student code).
    """
    report: dict = {"namespaces": [], "residual": []}
    residual = report["residual"]
    if not sys.platform.startswith("linux"):
        residual.append(f"no namespaces on {sys.platform}: the student's code can read and write what the grader's "
                        "user can, reach the network, and leave processes running")
        _limits(policy, report, shared_uid=True)
        return report
    libc = mounts.Libc()
    root = os.geteuid() == 0
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | (0 if policy.network else CLONE_NEWNET)
    uid, gid = os.getuid(), os.getgid()
    try:
        libc.unshare(flags | (0 if root else CLONE_NEWUSER))
    except OSError as exc:
        residual.append(f"no namespaces ({exc.strerror}): the student's code can read whatever the grader's user "
                        "can read, including the reference solutions, write where that user can write, reach "
                        "the network, and start processes that outlive the submission")
        report.update(filesystem="shared with the grader", network="host network", user=_whoami(),
                      processes="process group only")
        _limits(policy, report, shared_uid=not root)
        return report
    if not root:
        _map_user(uid, gid)
    report["namespaces"] = ["mount", "pid", "ipc", "uts"] + ([] if policy.network else ["network"]) \
        + ([] if root else ["user"])
    student_uid = (policy.uid or FIRST_UID + os.getpid() % 50_000) if root else None
    alive = _supervise()  # returns in the confined child only
    os.setsid()  # out of the launcher's process group: only the supervisor signals us
    report["network"] = "host network (allowed by the assignment)" if policy.network \
        else "none: a private network namespace with only a loopback interface, down"
    report["processes"] = "a private PID namespace: every process the student starts ends with the submission"
    mounts.new_root(libc, policy, report, student_uid)
    _limits(policy, report, shared_uid=not root)
    libc.drop_bounding_set()
    if root:
        os.setgroups([])
        os.setgid(student_uid)
        os.setuid(student_uid)  # clears the permitted and effective capabilities
        report["user"] = f"unprivileged uid {student_uid}, no capabilities"
    else:
        report["user"] = f"the grader's own user (uid {uid}), no capabilities"
        residual.append("the student's process runs as the grader's own user (mapped in a user namespace); "
                        "the number of processes is not limited, so a fork loop is bounded by the memory "
                        "limit only")
    libc.clear_capabilities()
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1)
    # Last, because changing uid clears it: die with the supervisor. If the
    # supervisor is already gone, its end of the pipe is closed: stop now.
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if select.select([alive], [], [], 0)[0]:
        os._exit(1)
    return report


def _whoami() -> str:
    uid = os.geteuid()
    return "root (the grader's user!)" if uid == 0 else f"the grader's own user (uid {uid})"


def _map_user(uid: int, gid: int) -> None:
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"0 {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"0 {gid} 1")


def _supervise() -> int:
    """Fork; the parent forwards signals to the child and exits with its status.

    Returns (in the child only) the read end of a pipe whose write end only the
    supervisor holds: it becomes readable (EOF) once the supervisor is gone.
    """
    read, write = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(write)
        return read
    os.close(read)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: _forward(child, signum))
    while True:
        try:
            _, status = os.waitpid(child, 0)
        except ChildProcessError:
            os._exit(1)
        if os.WIFEXITED(status):
            os._exit(os.WEXITSTATUS(status))
        if os.WIFSIGNALED(status):
            os._exit(128 + os.WTERMSIG(status))


def _forward(child: int, signum: int) -> None:
    try:
        os.kill(child, signum)
    except OSError:
        pass


def _limits(policy: Policy, report: dict, *, shared_uid: bool) -> None:
    mib = 2**20
    wanted = {
        "memory_mb": (resource.RLIMIT_AS, policy.memory_mb * mib),
        "cpu_seconds": (resource.RLIMIT_CPU, policy.cpu_seconds),
        "file_size_mb": (resource.RLIMIT_FSIZE, policy.file_size_mb * mib),
        "open_files": (resource.RLIMIT_NOFILE, policy.open_files),
    }
    if not shared_uid:  # RLIMIT_NPROC counts every process of the uid, system-wide
        wanted["processes"] = (resource.RLIMIT_NPROC, policy.processes)
    applied = {}
    for name, (which, value) in wanted.items():
        try:
            soft, hard = resource.getrlimit(which)
            value = value if hard == resource.RLIM_INFINITY else min(value, hard)
            resource.setrlimit(which, (value, value))
            applied[name] = getattr(policy, name)
        except (OSError, ValueError) as exc:
            report["residual"].append(f"could not limit {name.replace('_', ' ')}: {exc}")
    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (OSError, ValueError):
        pass
    report["limits"] = applied


def launcher(policy: Policy, folder: str) -> list[str]:
    """Write ``policy`` into ``folder``; the command prefix that runs a program confined by it.

    The launcher writes its report (:func:`read_report`) into the same folder after
    confining itself and before exec'ing the program, so before any student code runs.
    """
    path = os.path.join(folder, "confine.json")
    with open(path, "w") as f:
        json.dump(dataclasses.asdict(policy) | {"report": os.path.join(folder, "isolation.json")}, f)
    return [sys.executable, os.path.abspath(__file__), path, "--"]


def read_report(folder: str) -> dict | None:
    """The report a :func:`launcher` wrote into ``folder``; None if there is none or it is not JSON."""
    try:
        with open(os.path.join(folder, "isolation.json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def _main(argv: list[str]) -> int:
    """``confine.py POLICY.json -- PROGRAM ARGS...``: confine, report, exec.

    POLICY.json holds the :class:`Policy` fields and "report", the file to write the report to.
    """
    if len(argv) < 4 or argv[2] != "--":
        print("usage: confine.py POLICY.json -- PROGRAM [ARGS...]", file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        data = json.load(f)
    report_path = data.pop("report")
    report = enter(Policy.from_dict(data))
    with open(report_path + ".part", "w") as f:
        json.dump(report, f)
    os.replace(report_path + ".part", report_path)
    os.execv(argv[3], argv[3:])
    return 127


if __name__ == "__main__":
    sys.exit(_main(sys.argv))
