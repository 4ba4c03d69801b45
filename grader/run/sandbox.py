"""What every execution engine promises: budgets, results and the Sandbox protocol.

An engine runs a student notebook somewhere the grader's process is safe from it
and calls the functions it defined. Two engines implement :class:`Sandbox`:
:class:`grader.run.kernel.KernelSandbox` (a Jupyter kernel per submission) and
:class:`grader.run.warm.WarmSandbox` (a forked child of a pre-warmed worker).
Student failures are results (:class:`CellError`, :class:`CallResult`); only a
sandbox that cannot start at all raises.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
import shutil
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

import nbformat

from grader.run.confine import Policy
from grader.records import Isolation

_TRACEBACK_CHARS = 50_000
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclasses.dataclass(frozen=True)
class Limits:
    """Time and size budgets for one sandbox.

    Attributes:
        cell_timeout: seconds one notebook cell may run.
        notebook_timeout: seconds all cells of one ``run`` may take together.
        call_timeout: seconds one graded function call may take.
        startup_timeout: seconds the kernel may take to become ready.
        max_result_bytes: array bytes one call may return.
        memory_mb: address space of the student's process (RLIMIT_AS), MiB.
        cpu_seconds: CPU time of the student's process before it is killed.
        processes: processes and threads the student's uid may have (only
            enforced when the student runs under a uid of its own, i.e. as root).
        file_size_mb: largest file the student's code may write, MiB.
        open_files: open file descriptors.
        disk_mb: size of the private /tmp holding the working folder, MiB.
        network: let student code reach the network (off by default).
        confine: apply :mod:`grader.run.confine` (namespaces, private root,
            unprivileged uid, limits); off only for debugging the grader.
    """

    cell_timeout: float = 30.0
    notebook_timeout: float = 300.0
    call_timeout: float = 30.0
    startup_timeout: float = 60.0
    max_result_bytes: int = 256 * 2**20
    # Confinement limits: the defaults are grader.run.confine.Policy's.
    memory_mb: int = Policy.memory_mb
    cpu_seconds: int = Policy.cpu_seconds
    processes: int = Policy.processes
    file_size_mb: int = Policy.file_size_mb
    open_files: int = Policy.open_files
    disk_mb: int = Policy.disk_mb
    network: bool = Policy.network
    confine: bool = True


@dataclasses.dataclass(frozen=True)
class CellError:
    """A code cell that raised, timed out or took the kernel down.

    Attributes:
        cell: index of the cell in ``nb.cells`` (markdown cells count too).
        ename: exception class name, or "CellTimeoutError" / "DeadKernelError".
        evalue: the exception message.
        traceback: plain-text traceback for instructors (ANSI codes removed).
    """

    cell: int
    ename: str
    evalue: str
    traceback: str

    @classmethod
    def from_reply(cls, cell: int, content: Mapping) -> CellError:
        """The error reported by an ``execute_reply`` whose status is "error"."""
        text = _ANSI.sub("", "\n".join(str(line) for line in content.get("traceback") or ()))
        if len(text) > _TRACEBACK_CHARS:
            text = "...\n" + text[-_TRACEBACK_CHARS:]
        return cls(cell, str(content.get("ename", "Error")), str(content.get("evalue", "")), text)

    @classmethod
    def timeout(cls, cell: int, source: str, seconds: float, *, whole_notebook: bool, killed: bool) -> CellError:
        """A cell stopped for running past its own or the notebook's time limit."""
        limit = f"the notebook's {seconds:g} s total" if whole_notebook else f"the {seconds:g} s cell"
        after = "; it ignored the interrupt, so the kernel was stopped" if killed else ""
        return cls(cell, "CellTimeoutError", f"Cell exceeded {limit} time limit{after}: {first_line(source)}", "")

    @classmethod
    def dead_kernel(cls, cell: int, why: str = "the kernel died while running this cell") -> CellError:
        """A cell during which the kernel process ended."""
        return cls(cell, "DeadKernelError", why, "")


@dataclasses.dataclass(frozen=True)
class ExecutionResult:
    """What happened when a notebook's code cells ran.

    Attributes:
        seconds: wall time of the whole run.
        cells: code cells that were attempted.
        errors: one entry per cell that raised, timed out or killed the kernel.
        timed_out: a cell hit ``cell_timeout`` or the run hit ``notebook_timeout``.
        kernel_died: the kernel is gone; later calls report ``kernel_died``.
        skipped: ``nb.cells`` indices of code cells that never ran.
    """

    seconds: float
    cells: int
    errors: tuple[CellError, ...]
    timed_out: bool
    kernel_died: bool
    skipped: tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class CallResult:
    """The outcome of calling one notebook function.

    Attributes:
        ok: the function returned and its value was decoded.
        value: the decoded return value when ``ok``.
        ename: exception class name when not ``ok`` ("NameError" for a missing
            function, "WireError" for an unsendable value, "CallTimeoutError",
            "DeadKernelError").
        evalue: the exception message.
        line: innermost student line, e.g. ``"line 12 in backward: dW2 = ..."``.
        traceback: plain-text traceback for instructors.
        timed_out: the call ran past ``call_timeout`` and was interrupted.
        kernel_died: the kernel is gone (before or during this call).
    """

    ok: bool
    value: object = None
    ename: str | None = None
    evalue: str | None = None
    line: str | None = None
    traceback: str | None = None
    timed_out: bool = False
    kernel_died: bool = False


class Sandbox(Protocol):
    """Runs a notebook somewhere isolated and calls the functions it defines.

    Attributes:
        isolation: the isolation levels in force (known once the sandbox started).
    """

    isolation: Isolation

    def run(self, nb: nbformat.NotebookNode) -> ExecutionResult: ...

    def defined_functions(self) -> tuple[str, ...]: ...

    def call(
        self, function: str, args: tuple = (), kwargs: dict | None = None, *, patch: dict[str, str] | None = None
    ) -> CallResult: ...

    def close(self) -> None: ...


def cell_source(cell: Mapping) -> str:
    """A cell's source as one string (nbformat allows a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def run_cells(nb: nbformat.NotebookNode, limits: Limits, run_one: Callable[[int, str, float], tuple[str, list[CellError]]],
              dead: Callable[[], bool], started: float) -> ExecutionResult:
    """Run the code cells of ``nb`` in order under ``limits``: the loop both engines share.

    Args:
        nb: the notebook.
        limits: the cell and notebook time limits.
        run_one: runs one cell, ``(index, source, seconds allowed)`` ->
            ``(state, errors)``; state is "done", "dead", "interrupted" or "killed"
            (the last two are turned into a timeout error here).
        dead: whether the student's process is gone (the remaining cells are skipped).
        started: when the run began (``time.monotonic()``), start-up included; the
            notebook's time limit counts from now, as start-up has its own.

    Returns:
        The execution result.
    """
    deadline = time.monotonic() + limits.notebook_timeout
    code = [(i, cell_source(c)) for i, c in enumerate(nb.cells) if c.get("cell_type") == "code"]
    errors: list[CellError] = []
    attempted, timed_out, skipped = 0, False, ()
    for position, (index, source) in enumerate(code):
        if dead() or time.monotonic() >= deadline:
            timed_out = timed_out or not dead()
            skipped = tuple(i for i, _ in code[position:])
            break
        attempted += 1
        if not source.strip():
            continue
        budget = min(limits.cell_timeout, deadline - time.monotonic())
        state, found = run_one(index, source, budget)
        if state in ("interrupted", "killed"):
            timed_out = True
            whole = budget < limits.cell_timeout
            seconds = limits.notebook_timeout if whole else limits.cell_timeout
            errors.append(CellError.timeout(index, source, seconds, whole_notebook=whole, killed=state == "killed"))
        else:
            errors.extend(found)
    return ExecutionResult(time.monotonic() - started, attempted, tuple(errors), timed_out, dead(), skipped)


def checked_patch(patch: dict[str, str] | None) -> dict[str, str]:
    """A copy of a call's ``patch`` after checking it maps identifiers to expression source.

    Raises:
        ValueError: a key is not an identifier or its source does not compile.
    """
    patch = dict(patch or {})
    for name, source in patch.items():
        if not (isinstance(name, str) and name.isidentifier() and isinstance(source, str)):
            raise ValueError(f"patch must map identifiers to expression source, got {name!r}: {source!r}")
        try:
            compile(source, f"<patch {name}>", "eval")
        except SyntaxError as exc:
            raise ValueError(f"patch for {name!r} is not a valid expression: {exc}") from None
    return patch


def scrubbed_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment the student's process starts from; nothing of the grader's leaks.

    HOME and the temporary folders (:func:`scratch_dirs`) are each engine's to add.
    """
    return {
        # The venv's bin first, as activation would: "!python" and "!pip" in a cell
        # then mean the interpreter the student's process runs on.
        "PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", os.defpath)]),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
        "MPLBACKEND": "Agg",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        # "!pip install ..." in a notebook would otherwise change the grader's own
        # environment (the student's process shares its interpreter).
        "PIP_NO_INDEX": "1",
        **(extra or {}),
    }


def kill_group_and_remove(group: list[int], root: Path | None) -> None:
    """SIGKILL the student's process group (once) and delete the sandbox folder.

    Both engines start the student's process as a group leader, so its pid is the
    group id, reused only once every member is gone. Under confinement the group
    leader is the supervisor, whose death ends the whole PID namespace.
    """
    while group:
        try:
            os.killpg(group.pop(), signal.SIGKILL)
        except OSError:
            pass
    if root is not None:
        shutil.rmtree(root, ignore_errors=True)


def first_line(source: str) -> str:
    """The first non-blank line of a cell, cut to 80 characters, for messages."""
    line = next((s.strip() for s in source.splitlines() if s.strip()), "")
    return line if len(line) <= 80 else line[:77] + "..."


# The Limits fields that are confinement settings, passed on to the Policy as they are.
_CONFINEMENT_LIMITS = ("memory_mb", "cpu_seconds", "processes", "file_size_mb", "open_files", "disk_mb", "network")

# Packages whose files must stay out of the student's sight even when they are
# installed inside a tree the sandbox exposes read-only (site-packages).
SECRET_PACKAGES = ("reference", "assignments")


def confinement(limits: Limits, *, workdir: Path, scratch: Path, shared: Sequence[Path] = (),
                exchange: str | None = None) -> Policy:
    """The :class:`grader.run.confine.Policy` for one sandbox with these limits.

    Args:
        limits: the assignment's budgets (memory, CPU, processes, ...).
        workdir: the student's working folder, holding the support files.
        scratch: an empty folder the confined process builds its new root in.
        shared: folders the grader exchanges files or sockets through.
        exchange: a private folder for the call files of an engine that keeps them
            in the student's process (the warm engine), on a tmpfs of its own.

    Returns:
        The policy; ``hide`` lists the installed locations of the reference
        solutions and the assignments (samples hold solutions too).
    """
    hide = []
    for name in SECRET_PACKAGES:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):  # not installed (a student's release bundle), or blocked
            continue
        if spec is not None and spec.submodule_search_locations:
            hide.extend(str(Path(p).resolve()) for p in spec.submodule_search_locations)
    return Policy(
        workdir=str(workdir), scratch=str(scratch), shared=tuple(str(p) for p in shared), hide=tuple(hide),
        exchange=exchange, **{name: getattr(limits, name) for name in _CONFINEMENT_LIMITS},
    )


def scratch_dirs(tmp: Path) -> dict[str, str]:
    """Environment variables that keep IPython's, matplotlib's and other caches under ``tmp``."""
    return {"TMPDIR": str(tmp), "IPYTHONDIR": str(tmp / ".ipython"), "MPLCONFIGDIR": str(tmp / ".matplotlib"),
            "XDG_CACHE_HOME": str(tmp / ".cache")}
