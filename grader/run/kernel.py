"""Run a student notebook in a separate IPython kernel and call what it defines.

Student code never runs in the grader's process. :class:`KernelSandbox` starts
an ipykernel on the grader's own interpreter in a throwaway working directory,
runs the notebook's code cells one by one as Jupyter would, and then calls
functions the notebook defined with inputs the grader chooses. Values cross the
process boundary only as plain-data files (:mod:`grader.run.wire`), never pickles.

The kernel is driven with jupyter_client directly rather than nbclient's
NotebookClient because the sandbox never subscribes to the IOPub channel: what a
student prints is dropped by ZeroMQ inside the kernel (a PUB socket without
subscribers) and never reaches, or piles up in, the grader. Errors are read
from the execute_reply on the shell channel, which carries ename, evalue and
the traceback.
"""

from __future__ import annotations

import inspect
import os
import queue
import shutil
import subprocess
import tempfile
import time
import uuid
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path

import nbformat
from jupyter_client import KernelManager
from jupyter_client.kernelspec import NATIVE_KERNEL_NAME, KernelSpecManager

from grader.run import harness as _harness
from grader.run import confine
from grader.run import wire
from grader.errors import NotebookExecutionError
from grader.records import Isolation
from grader.run.sandbox import (CallResult, CellError, ExecutionResult, Limits, checked_patch, confinement,
                            kill_group_and_remove, run_cells, scratch_dirs, scrubbed_environment)



_INTERRUPT_GRACE = 3.0  # seconds a SIGINT gets to stop student code before the kernel is killed
_SHUTDOWN_GRACE = 2.0
_POLL = 0.2  # how often a wait checks that the kernel process is still alive
_HIDDEN = ("exit", "quit", "get_ipython", "In", "Out")
_TIMEOUT = object()

_BOOT = r'''
import sys, types
from IPython import get_ipython
_wire = sys.modules["_grader_wire"] = types.ModuleType("_grader_wire")  # dataclasses looks it up
exec(compile(WIRE, "<grader-wire>", "exec"), _wire.__dict__)
_harness = types.ModuleType("_grader_harness")
exec(compile(HARNESS, "<grader-harness>", "exec"), _harness.__dict__)
_harness.setup(_wire, get_ipython().user_ns, HIDDEN)
sys.modules["_grader_harness"] = _harness
'''


class KernelSandbox:
    """A :class:`Sandbox` backed by an ipykernel process in a temporary directory.

    The kernel starts on first use. It gets a scrubbed environment with HOME set
    to the working directory. Not thread-safe; use as a context manager or call
    :meth:`close`.

    Args:
        support_files: files or directories copied into the working directory.
        limits: time and size budgets.
        kernel_name: kernelspec to launch; "python3" always means ipykernel on
            ``sys.executable``, even if a user-level kernelspec overrides it.
        env: extra variables added to the kernel's environment.

    Attributes:
        limits: the budgets in force.
        workdir: the kernel's working directory (and HOME); removed by close().

    Raises:
        NotebookExecutionError: a support file could not be copied.
    """

    def __init__(
        self,
        *,
        support_files: Sequence[Path] = (),
        limits: Limits = Limits(),
        kernel_name: str = "python3",
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.limits = limits
        self._kernel_name = kernel_name
        self._root = Path(tempfile.mkdtemp(prefix="grader-sandbox-"))
        self.workdir = self._root / "work"
        self._runtime = self._root / "runtime"  # sockets, call files, IPython profile, TMPDIR
        self._scratch = self._root / "root"  # the confined kernel builds its new root here
        for path in (self.workdir, self._runtime, self._runtime / "tmp", self._scratch):
            path.mkdir(mode=0o700)
        for source in map(Path, support_files):
            try:
                if source.is_dir():
                    shutil.copytree(source, self.workdir / source.name)
                else:
                    shutil.copy2(source, self.workdir / source.name)
            except OSError as exc:
                shutil.rmtree(self._root, ignore_errors=True)
                raise NotebookExecutionError(f"could not copy support file {source}: {exc}") from exc
        self._env = scrubbed_environment({
            "HOME": str(self.workdir),
            # Keep IPython's profile, matplotlib's font cache and temporary files
            # out of the student's working directory; they go with the sandbox:
            # in the confined kernel's private /tmp, or else in the runtime folder.
            **scratch_dirs(Path("/tmp") if limits.confine else self._runtime / "tmp"),
            **(env or {}),
        })
        self.isolation = Isolation("kernel", residual=("the kernel has not started",))
        self._km: KernelManager | None = None
        self._kc = None
        self._group: list[int] = []  # the kernel's process group id, until it is killed
        self._dead = False
        self._closed = False
        # Last resort for a sandbox that is never closed: at garbage collection or
        # interpreter exit, kill the process group and delete the directory.
        self._cleanup = weakref.finalize(self, kill_group_and_remove, self._group, self._root)

    def __enter__(self) -> KernelSandbox:
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
            NotebookExecutionError: the kernel could not be started.
        """
        started = time.monotonic()
        self._start()
        return run_cells(nb, self.limits, self._run_cell, lambda: self._dead, started)

    def _run_cell(self, index: int, source: str, budget: float) -> tuple[str, list[CellError]]:
        state, reply = self._execute(source, budget, silent=False)
        if state != "done":
            return state, [CellError.dead_kernel(index)] if state == "dead" else []
        if reply.get("status") == "error":
            return state, [CellError.from_reply(index, reply)]
        if any(p.get("source") == "ask_exit" and not p.get("keepkernel") for p in reply.get("payload") or ()):
            # exit() / quit(): the kernel stops itself right after replying.
            self._stop_kernel(graceful=False)
            return state, [CellError.dead_kernel(index, "the cell called exit(), which stops the kernel")]
        return state, []

    def defined_functions(self) -> tuple[str, ...]:
        """Names of the callables in the notebook's namespace, for "did you mean".

        Returns:
            Sorted names not starting with "_", without IPython's own (exit,
            get_ipython, ...). Best effort: empty if the kernel is gone or the
            names cannot be listed.

        Raises:
            NotebookExecutionError: the kernel could not be started.
        """
        self._start()
        path = self._runtime / f"names-{uuid.uuid4().hex}.npz"
        try:
            if self._dead or not self._km.is_alive():
                return ()
            state, reply = self._execute(_harness_call("functions", str(path)), self.limits.call_timeout, silent=True)
            if state != "done" or reply.get("status") != "ok":
                return ()
            names = wire.read(path, max_bytes=0)
        except wire.WireError:
            return ()
        finally:
            path.unlink(missing_ok=True)
        return tuple(n for n in names if isinstance(n, str)) if isinstance(names, list) else ()

    def call(
        self, function: str, args: tuple = (), kwargs: dict | None = None, *, patch: dict[str, str] | None = None
    ) -> CallResult:
        """Call ``function`` in the kernel with fresh copies of the arguments.

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
            NotebookExecutionError: the kernel could not be started.
        """
        patch = checked_patch(patch)
        self._start()
        if self._dead or not self._km.is_alive():
            self._stop_kernel(graceful=False)
            return CallResult(False, ename="DeadKernelError", evalue="the kernel is not running", kernel_died=True)
        token = uuid.uuid4().hex
        # In the private runtime directory rather than the working directory, so
        # that a function listing its cwd sees only the notebook's own files.
        paths = [self._runtime / f"call-{token}-{part}.npz" for part in ("in", "out", "status")]
        try:
            wire.write(paths[0], {"args": tuple(args), "kwargs": dict(kwargs or {})})
            code = _harness_call("call", str(function), [str(p) for p in paths], patch, self.limits.max_result_bytes)
            state, reply = self._execute(code, self.limits.call_timeout, silent=True)
            return self._call_result(str(function), state, reply, paths)
        finally:
            for path in paths:
                path.unlink(missing_ok=True)

    def close(self) -> None:
        """Stop the kernel and every process in its group, then delete the directory.

        Safe to call more than once.
        """
        if self._closed:
            return
        self._closed = True
        self._stop_kernel(graceful=True)
        self._cleanup()

    def _call_result(self, function: str, state: str, reply: dict | None, paths: list[Path]) -> CallResult:
        if state == "dead":
            evalue = f"the kernel died while running {function}()"
            return CallResult(False, ename="DeadKernelError", evalue=evalue, kernel_died=True)
        if state != "done":
            after = "; it ignored the interrupt, so the kernel was stopped" if state == "killed" else ""
            evalue = f"{function}() did not return within {self.limits.call_timeout:g} s{after}"
            return CallResult(False, ename="CallTimeoutError", evalue=evalue, timed_out=True, kernel_died=self._dead)
        if reply.get("status") != "ok":
            # The harness itself failed, e.g. the student broke something it relies on.
            cause = f"{reply.get('ename')}: {reply.get('evalue')}"
            evalue = f"the sandbox could not exchange data with the notebook ({cause})"
            return CallResult(False, ename="WireError", evalue=evalue)
        try:
            status = wire.read(paths[2], max_bytes=0)
            fields = ("ename", "evalue", "line", "traceback")
            if not (isinstance(status, dict) and set(status) == {"ok", *fields} and isinstance(status["ok"], bool)
                    and all(status[k] is None or isinstance(status[k], str) for k in fields)):
                raise wire.WireError("the call status file has an unexpected structure")
            if not status["ok"]:
                return CallResult(False, **{k: status[k] for k in fields})
            return CallResult(True, value=wire.read(paths[1], max_bytes=self.limits.max_result_bytes))
        except wire.WireError as exc:
            return CallResult(False, ename="WireError", evalue=str(exc))

    def _start(self) -> None:
        """Start the kernel and inject the harness, once."""
        if self._closed:
            raise NotebookExecutionError("the sandbox is closed")
        if self._km is not None:
            return
        runtime = str(self._runtime)
        # IPC (Unix sockets in the private runtime directory) rather than TCP: no
        # ports to race for and nothing reachable over the network. Socket paths
        # are limited to ~107 bytes, so a very long TMPDIR falls back to TCP on
        # 127.0.0.1.
        transport = "ipc" if len(runtime) < 80 else "tcp"
        # For "python3" search no kernelspec directories, so jupyter_client falls
        # back to ipykernel's built-in spec, which runs sys.executable; a user's
        # own "python3" spec may point at another interpreter.
        specs = KernelSpecManager(kernel_dirs=[]) if self._kernel_name == NATIVE_KERNEL_NAME else KernelSpecManager()
        try:
            self._km = _ConfinedKernelManager(
                kernel_name=self._kernel_name, transport=transport, kernel_spec_manager=specs,
                connection_file=os.path.join(runtime, "kernel.json"),
            )
            self._km.launcher = self._launcher()
            # The kernel's own stdout and stderr (not the cells' output, which goes
            # over IOPub) are dropped too: os.write(1, ...) in a cell must not
            # flood the grader's terminal or log.
            self._km.start_kernel(cwd=str(self.workdir), env=self._env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if self._km.provisioner.pgid:
                self._group.append(self._km.provisioner.pgid)
            self._kc = self._km.client()
            self._kc.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
            self._wait_ready(time.monotonic() + self.limits.startup_timeout)
            self.isolation = self._read_isolation()
            boot = f"exec(compile({_BOOT!r}, '<grader-boot>', 'exec'), " + repr(
                {"__name__": "_grader_boot", "WIRE": inspect.getsource(wire), "HARNESS": inspect.getsource(_harness), "HIDDEN": _HIDDEN}
            ) + ")"
            state, reply = self._execute(boot, self.limits.startup_timeout, silent=True)
            if state != "done" or reply.get("status") != "ok":
                detail = f"{reply.get('ename')}: {reply.get('evalue')}" if reply else state
                raise NotebookExecutionError(f"could not set up the {self._kernel_name!r} kernel: {detail}")
        except NotebookExecutionError:
            self._stop_kernel(graceful=False)
            raise
        except Exception as exc:
            self._stop_kernel(graceful=False)
            raise NotebookExecutionError(f"could not start the {self._kernel_name!r} kernel: {exc}") from exc

    def _launcher(self) -> list[str]:
        """The command prefix that confines the kernel, or [] when confinement is off."""
        if not self.limits.confine:
            return []
        policy = confinement(self.limits, workdir=self.workdir, scratch=self._scratch, shared=[self._runtime])
        return confine.launcher(policy, str(self._runtime))

    def _read_isolation(self) -> Isolation:
        # Written by the launcher after confining itself and before exec'ing the
        # kernel, so before any student code could touch it.
        if not self.limits.confine:
            return Isolation.unconfined("kernel")
        return Isolation.from_report("kernel", confine.read_report(str(self._runtime)))

    def _wait_ready(self, deadline: float) -> None:
        while True:
            self._kc.kernel_info()
            try:
                if self._kc.get_shell_msg(timeout=1.0)["msg_type"] == "kernel_info_reply":
                    return
            except queue.Empty:
                pass
            if not self._km.is_alive():
                raise NotebookExecutionError(f"the {self._kernel_name!r} kernel exited during startup")
            if time.monotonic() > deadline:
                raise NotebookExecutionError(f"the kernel was not ready after {self.limits.startup_timeout:g} s")

    def _execute(self, code: str, timeout: float, *, silent: bool) -> tuple[str, dict | None]:
        """Run ``code``, interrupting it after ``timeout`` s and killing the kernel if that fails.

        Returns:
            ``(state, reply)``: state is "done" (reply is the execute_reply
            content), "interrupted" (stopped by SIGINT), "killed" (ignored the
            interrupt; kernel stopped) or "dead" (the kernel process ended).
        """
        msg_id = self._kc.execute(code, silent=silent, store_history=not silent, allow_stdin=False, stop_on_error=False)
        reply = self._await_reply(msg_id, time.monotonic() + max(timeout, 0.0))
        state = "done"
        if reply is _TIMEOUT:
            self._km.interrupt_kernel()  # SIGINT to the kernel's process group
            reply = self._await_reply(msg_id, time.monotonic() + _INTERRUPT_GRACE)
            state = "interrupted"
            if reply is _TIMEOUT:
                self._stop_kernel(graceful=False)
                return "killed", None
        if reply is None:
            self._stop_kernel(graceful=False)
            return "dead", None
        return state, reply

    def _await_reply(self, msg_id: str, deadline: float) -> dict | None | object:
        """The reply content, None if the kernel died, or _TIMEOUT."""
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return _TIMEOUT
            try:
                msg = self._kc.get_shell_msg(timeout=min(remaining, _POLL))
            except queue.Empty:
                if not self._km.is_alive():
                    return None
                continue
            if msg["parent_header"].get("msg_id") == msg_id:  # drop stale replies
                return msg["content"]

    def _stop_kernel(self, *, graceful: bool) -> None:
        """Stop the kernel (politely if asked and alive) and kill its whole process group."""
        if self._km is None or self._dead:
            return
        self._dead = True
        if self._kc is not None:
            self._kc.stop_channels()
        try:
            if graceful and self._km.is_alive():
                self._km.shutdown_wait_time = _SHUTDOWN_GRACE
                self._km.shutdown_kernel(now=False)
            else:
                self._km.shutdown_kernel(now=True)
        except Exception:  # a half-started or already-reaped kernel; the group kill below still runs
            pass
        kill_group_and_remove(self._group, None)


class _ConfinedKernelManager(KernelManager):
    """A KernelManager that starts the kernel through the confinement launcher."""

    launcher: list[str] = []

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        return [*self.launcher, *super().format_kernel_cmd(extra_arguments)]


def _harness_call(name: str, *args: object) -> str:
    """Source that calls ``_grader_harness.<name>(*args)``; args must be literals."""
    return f"__import__('sys').modules['_grader_harness'].{name}({', '.join(map(repr, args))})"
