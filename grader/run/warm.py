"""Run a student notebook in a child forked from a pre-warmed worker (the warm engine).

Starting a Jupyter kernel costs about half a second per submission, a hundred times
what a typical student's code takes. :class:`WarmSandbox` pays that once per grading
job instead: a worker interpreter (see :mod:`grader.run.warm_worker`) is started with
subprocess, never forked from the grader, whose memory holds the secret seed and
the reference solutions. It imports numpy, IPython, matplotlib and the assignment's
support modules once, then forks one child per submission. The child runs the cells
with ``InteractiveShell.run_cell`` (so magics and ``!cmd`` work as in Jupyter),
confined by :func:`grader.run.confine.enter`, and dies with the sandbox: nothing a
student does reaches the next submission.

Semantics and result types are those of :class:`grader.run.kernel.KernelSandbox`. Only
:mod:`grader.run.wire` bytes cross the boundary, as validated frames on a Unix socket;
a child that writes anything else is stopped and reported as a dead process.
"""

from __future__ import annotations

import dataclasses
import os
import select
import signal
import socket
import tempfile
import time
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path

import nbformat
import numpy as np

from grader.run import wire
from grader.run.warm_pool import MAX_REPLY as _MAX_REPLY, POLL as _POLL, _retire, _worker_for
from grader.run.warm_worker import EXCHANGE, FrameReader, ProtocolError, send_frame
from grader.errors import NotebookExecutionError
from grader.records import Isolation
from grader.run.sandbox import (CallResult, CellError, ExecutionResult, Limits, checked_patch, confinement,
                            kill_group_and_remove, run_cells, scrubbed_environment)

_INTERRUPT_GRACE = 3.0  # seconds a SIGINT gets to stop student code before the child is killed
_TIMEOUT = object()


def available() -> bool:
    """Whether this platform can run the warm engine (it needs fork and Unix sockets)."""
    return hasattr(os, "fork") and hasattr(socket, "AF_UNIX") and hasattr(socket, "send_fds")


class WarmSandbox:
    """A :class:`Sandbox` backed by a child forked from a pre-warmed worker.

    The child starts on first use. The worker is shared by every WarmSandbox in this
    process with the same support files and environment, and is restarted if it dies.
    Not thread-safe; use as a context manager or call :meth:`close`.

    Args:
        support_files: files or directories copied into the working directory (and
            imported in advance by the worker when they are Python modules).
        limits: time and size budgets.
        env: extra variables added to the child's environment.

    Attributes:
        limits: the budgets in force.
        workdir: the child's working directory (and HOME); removed by close().
        isolation: the report of :func:`grader.run.confine.enter` once the child started.

    Raises:
        NotebookExecutionError: a support file does not exist.
    """

    def __init__(self, *, support_files: Sequence[Path] = (), limits: Limits = Limits(),
                 env: Mapping[str, str] | None = None) -> None:
        self.limits = limits
        self._support = tuple(Path(p).resolve() for p in support_files)
        for path in self._support:
            if not path.exists():
                raise NotebookExecutionError(f"could not copy support file {path}: no such file or directory")
        self._extra_env = dict(env or {})
        self._root = Path(tempfile.mkdtemp(prefix="grader-sandbox-"))
        self.workdir = self._root / "work"
        self.isolation = Isolation("warm", residual=("the sandbox has not started",))
        self._sock: socket.socket | None = None
        self._reader = FrameReader()
        self._pid = 0
        self._pidfd = -1
        self._rid = 0
        self._dead = False
        self._broken: str | None = None  # why the child was stopped for breaking the protocol
        self._closed = False
        self._group: list[int] = []  # the child's process group, until it is killed
        self._cleanup = weakref.finalize(self, kill_group_and_remove, self._group, self._root)

    def __enter__(self) -> WarmSandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run(self, nb: nbformat.NotebookNode) -> ExecutionResult:
        """Execute every code cell of ``nb`` in order, continuing after errors.

        Args:
            nb: the notebook; it is not modified and no outputs are kept.

        Returns:
            Which cells failed, timed out or were skipped.

        Raises:
            NotebookExecutionError: the worker or the child could not be started.
        """
        started = time.monotonic()
        self._start()
        return run_cells(nb, self.limits, self._run_cell, lambda: self._dead, started)

    def _run_cell(self, index: int, source: str, budget: float) -> tuple[str, list[CellError]]:
        request = {"op": "run", "source": np.frombuffer(source.encode("utf-8", "surrogatepass"), np.uint8)}
        state, replies = self._execute(request, None, budget)
        if state in ("interrupted", "killed"):
            return state, []
        reply = None if state == "dead" else self._cell_reply(replies[0])
        if reply is None:
            why = f"the process was stopped: {self._broken}" if self._broken else None
            return state, [CellError.dead_kernel(index, why) if why else CellError.dead_kernel(index)]
        errors = [CellError.from_reply(index, reply)] if reply.get("status") == "error" else []
        if reply["exit"]:
            errors.append(CellError.dead_kernel(index, "the cell called exit(), which stops the kernel"))
            self._stop()
        return state, errors

    def defined_functions(self) -> tuple[str, ...]:
        """Names of the callables in the notebook's namespace, for "did you mean".

        Returns:
            Sorted names not starting with "_", without IPython's own. Best effort:
            empty if the child is gone or the names cannot be listed.

        Raises:
            NotebookExecutionError: the child could not be started.
        """
        self._start()
        if self._dead:
            return ()
        state, replies = self._execute({"op": "functions"}, None, self.limits.call_timeout)
        if state != "done":
            return ()
        try:
            names = wire.loads(replies[0], max_bytes=0)
        except wire.WireError:
            return ()
        return tuple(n for n in names if isinstance(n, str)) if isinstance(names, list) else ()

    def call(
        self, function: str, args: tuple = (), kwargs: dict | None = None, *, patch: dict[str, str] | None = None
    ) -> CallResult:
        """Call ``function`` in the child with fresh copies of the arguments.

        Args:
            function: a name in the notebook's namespace.
            args: positional arguments (wire-encodable values).
            kwargs: keyword arguments (wire-encodable values).
            patch: global names mapped to Python expression source, replaced in
                the notebook's namespace for the duration of the call only.

        Returns:
            The decoded value, or why there is none. Student failures never raise.

        Raises:
            ValueError: a patch key is not an identifier or its source does not compile.
            NotebookExecutionError: the child could not be started.
        """
        patch = checked_patch(patch)
        self._start()
        if self._dead or not self._alive():
            self._stop()
            return CallResult(False, ename="DeadKernelError", evalue="the kernel is not running", kernel_died=True)
        arguments = wire.dumps({"args": tuple(args), "kwargs": dict(kwargs or {})})
        request = {"op": "call", "function": str(function), "patch": patch, "max_bytes": self.limits.max_result_bytes}
        state, replies = self._execute(request, arguments, self.limits.call_timeout)
        if state == "dead":
            why = f"; it was stopped: {self._broken}" if self._broken else ""
            return CallResult(False, ename="DeadKernelError", evalue=f"the kernel died while running {function}(){why}",
                              kernel_died=True)
        if state != "done":
            after = "; it ignored the interrupt, so the kernel was stopped" if state == "killed" else ""
            evalue = f"{function}() did not return within {self.limits.call_timeout:g} s{after}"
            return CallResult(False, ename="CallTimeoutError", evalue=evalue, timed_out=True, kernel_died=self._dead)
        try:
            status = wire.loads(replies[0], max_bytes=0)
            fields = ("ename", "evalue", "line", "traceback")
            if isinstance(status, dict) and set(status) == {"failed"}:
                evalue = f"the sandbox could not exchange data with the notebook ({status['failed']})"
                return CallResult(False, ename="WireError", evalue=evalue)
            if not (isinstance(status, dict) and set(status) == {"ok", *fields} and isinstance(status["ok"], bool)
                    and all(status[k] is None or isinstance(status[k], str) for k in fields)):
                raise wire.WireError("the call status has an unexpected structure")
            if not status["ok"]:
                return CallResult(False, **{k: status[k] for k in fields})
            if len(replies) < 2 or not replies[1]:
                raise wire.WireError("the call returned no value")
            return CallResult(True, value=wire.loads(replies[1], max_bytes=self.limits.max_result_bytes))
        except wire.WireError as exc:
            return CallResult(False, ename="WireError", evalue=str(exc))

    def close(self) -> None:
        """Kill the child and every process in its group, then delete the directory.

        Safe to call more than once. The worker stays warm for the next sandbox.
        """
        if self._closed:
            return
        self._closed = True
        self._stop()
        self._cleanup()

    # -- the child ----------------------------------------------------------------------

    def _start(self) -> None:
        """Fork the child from a warm worker and wait for it to be ready, once."""
        if self._closed:
            raise NotebookExecutionError("the sandbox is closed")
        if self._sock is not None:
            return
        env = scrubbed_environment(self._extra_env)
        problem = ""
        for _attempt in range(2):  # a worker that died since its last fork is replaced once
            worker = _worker_for(self._support, env, self.limits.startup_timeout)
            try:
                self._pid, self._sock = worker.fork(self._root, self._policy(), self.limits.startup_timeout)
                break
            except (OSError, ProtocolError, wire.WireError, NotebookExecutionError) as exc:
                problem = f"{type(exc).__name__}: {exc}"
                _retire(worker)
        else:
            raise NotebookExecutionError(f"the warm worker could not start a child: {problem}")
        self._group.append(self._pid)
        try:
            self._pidfd = os.pidfd_open(self._pid)
        except (AttributeError, OSError):  # not Linux, or the child is already gone
            self._pidfd = -1
        payload = self._await(0, time.monotonic() + self.limits.startup_timeout, _MAX_REPLY)
        try:
            hello = wire.loads(payload, max_bytes=0) if isinstance(payload, bytes) else None
        except wire.WireError:
            hello = None
        if not (isinstance(hello, dict) and hello.get("ready") is True and isinstance(hello.get("isolation"), dict)):
            self._stop()
            raise NotebookExecutionError("the warm worker's child did not start "
                                         f"({self._broken or 'it exited or did not answer'})")
        self.isolation = Isolation.from_report("warm", hello["isolation"]) if self.limits.confine \
            else Isolation.unconfined("warm")

    def _policy(self) -> dict | None:
        """The confinement policy of this sandbox's child, as plain data for the worker."""
        if not self.limits.confine:
            return None
        policy = confinement(self.limits, workdir=self.workdir, scratch=self._root / "root", exchange=EXCHANGE)
        return dataclasses.asdict(policy)

    def _execute(self, request: dict, extra: bytes | None, timeout: float) -> tuple[str, list[bytes] | None]:
        """Send one request; interrupt after ``timeout`` s and kill the child if that fails.

        Returns:
            ``(state, replies)``: state is "done", "interrupted" (stopped by SIGINT),
            "killed" (ignored the interrupt; child stopped) or "dead" (the child
            ended or broke the protocol). A call's reply is two frames (status,
            value), everything else one.
        """
        self._rid += 1
        rid = self._rid
        try:
            self._sock.settimeout(max(timeout, 0.1))  # a child that stops reading must not hang us
            send_frame(self._sock, rid, wire.dumps(request))
            if extra is not None:
                send_frame(self._sock, rid, extra)
        except OSError:
            self._stop()
            return "dead", None
        reply = self._await(rid, time.monotonic() + max(timeout, 0.0), _MAX_REPLY)
        state = "done"
        if reply is _TIMEOUT:
            self._signal(signal.SIGINT)
            reply = self._await(rid, time.monotonic() + _INTERRUPT_GRACE, _MAX_REPLY)
            state = "interrupted"
            if reply is _TIMEOUT:
                self._stop()
                return "killed", None
        if reply is None:
            self._stop()
            return "dead", None
        replies = [reply]
        if request["op"] == "call" and state == "done" and not _is_single(reply):
            value = self._await(rid, time.monotonic() + max(timeout, 1.0),
                                self.limits.max_result_bytes + _MAX_REPLY)
            if not isinstance(value, bytes):
                self._stop()
                return "dead", None
            replies.append(value)
        elif _is_single(reply) == "interrupted":
            state = "interrupted"
        return state, replies

    def _await(self, rid: int, deadline: float, max_len: int) -> bytes | None | object:
        """The payload of the next frame for ``rid``, None if the child ended or broke
        the protocol, or _TIMEOUT."""
        waitables = [self._sock] + ([self._pidfd] if self._pidfd >= 0 else [])
        while True:
            try:
                frame = self._reader.next(max_len)
            except ProtocolError as exc:
                self._broken = f"it wrote something other than the grader's protocol to its channel ({exc})"
                return None
            if frame is not None:
                if frame[0] == rid:
                    return frame[1]
                continue  # a stale reply to a request we gave up on
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return _TIMEOUT
            ready, _, _ = select.select(waitables, [], [], min(remaining, _POLL))
            if self._sock in ready:
                try:
                    data = self._sock.recv(1 << 20)
                except OSError:
                    data = b""
                if not data:
                    return None
                self._reader.feed(data)
            elif ready or (self._pidfd < 0 and not _pid_alive(self._pid)):
                return None  # the process ended and nothing more is coming

    def _cell_reply(self, payload: bytes) -> dict | None:
        """The execute_reply-like dict of a run request, or None (child stopped) if malformed."""
        try:
            reply = wire.loads(payload, max_bytes=_MAX_REPLY)
        except wire.WireError as exc:
            reply, problem = None, str(exc)
        else:
            problem = "a cell reply has an unexpected structure"
        if isinstance(reply, dict) and set(reply) == {"failed"}:
            return {"status": "error", "ename": "WireError", "evalue": str(reply["failed"]), "traceback": [],
                    "exit": False}
        ok = isinstance(reply, dict) and reply.get("status") in ("ok", "error") and isinstance(reply.get("exit"), bool)
        if ok and reply["status"] == "error":
            ok = (isinstance(reply.get("ename"), str) and all(
                isinstance(reply.get(k), np.ndarray) and reply[k].dtype == np.uint8 for k in ("evalue", "traceback")))
        if not ok:
            self._broken = f"it sent a malformed reply ({problem})"
            self._stop()
            return None
        if reply["status"] == "error":
            reply["evalue"] = reply["evalue"].tobytes().decode("utf-8", "replace")
            reply["traceback"] = [reply["traceback"].tobytes().decode("utf-8", "replace")]
        return reply

    def _alive(self) -> bool:
        if self._pidfd >= 0:
            return not select.select([self._pidfd], [], [], 0)[0]
        return _pid_alive(self._pid)

    def _signal(self, signum: int) -> None:
        try:
            if self._pidfd >= 0:
                signal.pidfd_send_signal(self._pidfd, signum)
            else:
                os.kill(self._pid, signum)
        except OSError:
            pass

    def _stop(self) -> None:
        """Kill the child's process group and forget the child."""
        if self._dead:
            return
        self._dead = True
        kill_group_and_remove(self._group, None)
        if self._sock is not None:
            self._sock.close()
        if self._pidfd >= 0:
            os.close(self._pidfd)
            self._pidfd = -1


def _is_single(payload: bytes) -> str | None:
    """"interrupted" or "failed" when a call's first frame is the whole reply, else None."""
    if len(payload) > 4096:
        return None
    try:
        doc = wire.loads(payload, max_bytes=0)
    except wire.WireError:
        return None
    if isinstance(doc, dict) and set(doc) in ({"interrupted"}, {"failed"}):
        return next(iter(doc))
    return None


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
