"""Confine the current process before it runs student code (work in progress).

Contract used by both engines:

``report = enter(policy)`` is called in the process that is about to run student
code (the kernel launcher before it execs ipykernel; the warm engine's forked
child). It may fork: the calling process then becomes a small supervisor that
forwards SIGINT and SIGTERM to the confined process and exits with its status,
while the confined process returns from ``enter``. SIGKILL of the supervisor ends
the confined process and everything it started. ``report`` is a plain dict
(JSON-able) saying which isolation levels are in force.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Policy:
    """What to confine the student's process to.

    Attributes:
        workdir: the student's working directory, the only writable place
            besides a private /tmp.
        shared: directories the grader exchanges files or sockets through;
            writable by the student's process.
        memory_mb, cpu_seconds, processes, file_size_mb, open_files: resource limits.
        network: allow network access (off by default).
    """

    workdir: str
    shared: tuple[str, ...] = ()
    memory_mb: int = 4096
    cpu_seconds: int = 900
    processes: int = 64
    file_size_mb: int = 256
    open_files: int = 1024
    network: bool = False


def enter(policy: Policy) -> dict:
    """Apply ``policy`` to the current process; see the module docstring."""
    return {"level": "none"}
