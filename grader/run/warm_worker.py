"""The warm engine's worker side: a pre-warmed interpreter that forks one child per submission.

This module runs in two kinds of process, never in the grader's:

- the **worker** (zygote): a fresh interpreter that :mod:`grader.run.warm` starts with
  subprocess and a scrubbed environment. It imports numpy, IPython (an
  InteractiveShell ready to fork), matplotlib with the Agg backend and the
  assignment's support modules from its own copy of the support files, then waits
  on its control socket for "fork" requests. It never imports ``reference``.
- the **child**: one per submission, forked from the worker. It becomes a session
  leader, makes a private working directory holding the support files, calls
  ``grader.run.confine.enter`` and then runs cells, lists functions and calls them
  for the grader over its own socket. Student stdout and stderr go to /dev/null.

Messages are frames (:func:`send_frame`): a magic, a request id and a length,
followed by :mod:`grader.run.wire` bytes (npz, never pickle). The grader validates
every frame it reads, so a student who writes to the socket only breaks its own
child.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import struct
import sys
import tempfile
from pathlib import Path

MAGIC = b"GRW1"
HEADER = struct.Struct(">4sQQ")  # magic, request id, payload length
FORK = b"F"  # one byte carrying the child's socket (SCM_RIGHTS) on the control socket
EXCHANGE = "/run/grader-exchange"  # in the confined child's new root: call files, on a tmpfs of their own
HIDDEN = ("exit", "quit", "get_ipython", "In", "Out")


class ProtocolError(Exception):
    """A frame that does not follow the protocol (bad magic, too long, truncated)."""


def send_frame(sock: socket.socket, rid: int, payload: bytes) -> None:
    """Send one frame: header, then the payload (not copied into one buffer)."""
    sock.sendall(HEADER.pack(MAGIC, rid, len(payload)))
    if payload:
        sock.sendall(payload)


class FrameReader:
    """Cuts frames out of a byte stream, validating each header before its payload."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def next(self, max_len: int) -> tuple[int, bytes] | None:
        """The next complete frame ``(request id, payload)``, or None if more bytes are needed.

        Raises:
            ProtocolError: the stream does not start with a valid header, or the
                announced payload is longer than ``max_len``.
        """
        if len(self._buffer) < HEADER.size:
            if not MAGIC.startswith(bytes(self._buffer[: len(MAGIC)])):
                raise ProtocolError(f"bad frame magic {bytes(self._buffer[:4])!r}")
            return None
        magic, rid, length = HEADER.unpack_from(self._buffer)
        if magic != MAGIC:
            raise ProtocolError(f"bad frame magic {magic!r}")
        if length > max_len:
            raise ProtocolError(f"a frame announces {length} bytes, more than the {max_len} allowed")
        end = HEADER.size + length
        if len(self._buffer) < end:
            return None
        payload = bytes(self._buffer[HEADER.size:end])
        del self._buffer[:end]
        return rid, payload


def recv_frame(sock: socket.socket, reader: FrameReader, max_len: int) -> tuple[int, bytes] | None:
    """Block until one frame arrives; None at end of stream. Used by worker and child only."""
    while True:
        frame = reader.next(max_len)
        if frame is not None:
            return frame
        data = sock.recv(1 << 20)
        if not data:
            return None
        reader.feed(data)


# --- the worker ------------------------------------------------------------------------

def main(control_fd: int) -> None:
    """Warm up, say ready, then fork a child for every request until the grader hangs up."""
    from grader.run import confine  # noqa: F401  (imported before any fork)
    from grader.run import wire  # noqa: F401  (imported before any fork)

    control = socket.socket(fileno=control_fd)
    support = Path.cwd()
    shell, preloaded = _warm_up(support)
    harness = _load_harness()
    signal.signal(signal.SIGCHLD, _reap)
    send_frame(control, 0, wire.dumps({"ready": True, "preloaded": preloaded, "pid": os.getpid()}))
    reader = FrameReader()
    while True:
        try:
            byte, fds, _, _ = socket.recv_fds(control, 1, 1)
        except OSError:
            break
        if not byte:
            break
        frame = recv_frame(control, reader, 1 << 20)
        if byte != FORK or len(fds) != 1 or frame is None:
            for fd in fds:
                os.close(fd)
            break
        rid, payload = frame
        request = wire.loads(payload, max_bytes=0)
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                control.close()
                code = _child(socket.socket(fileno=fds[0]), request, support, shell, harness)
            finally:
                os._exit(code)
        os.close(fds[0])
        send_frame(control, rid, wire.dumps({"pid": pid}))
    # The grader hung up (or exited): the support copy goes with the worker.
    shutil.rmtree(support.parent, ignore_errors=True)


def _warm_up(support: Path) -> tuple[object, list[str]]:
    """Import what every submission needs, so that each fork starts with it loaded."""
    import importlib

    import numpy  # noqa: F401
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    preloaded = ["numpy", "IPython"]
    for name in ("matplotlib", "matplotlib.pyplot", "matplotlib_inline.backend_inline", "scipy", "scipy.io"):
        try:
            importlib.import_module(name)
            preloaded.append(name)
        except Exception:  # optional: a notebook that needs it gets the ImportError itself
            pass
    if "matplotlib.pyplot" in preloaded:
        # Load fonts and the Agg renderer once, not in every child's first plot.
        import matplotlib.pyplot as plt

        figure = plt.figure()
        figure.gca().plot([0, 1], [0, 1])
        figure.gca().set_title("warm")
        figure.canvas.draw()
        plt.close("all")

    class Shell(InteractiveShell):
        """Keeps the last error as ipykernel reports it: ename, evalue, traceback lines."""

        def _showtraceback(self, etype, evalue, stb):
            try:
                text = str(evalue)
            except Exception:
                text = "<the exception message could not be shown>"
            self.grader_error = (getattr(etype, "__name__", "Error"), text, list(stb))

        def ask_exit(self):
            # exit() / quit(): as in ipykernel, the process stops after this cell.
            self.exit_now = True

        def enable_gui(self, gui=None):
            # As in ipykernel: "%matplotlib inline" needs no GUI event loop.
            pass

    config = Config()
    # No history thread or database file: a thread must not be running when we fork.
    config.HistoryManager.enabled = False
    config.HistoryManager.hist_file = ":memory:"
    shell = Shell.instance(config=config)
    shell.grader_error = None
    # Nobody reads the outputs: do not render figures (or anything) to PNG/HTML after
    # each cell, which "%matplotlib inline" would otherwise do for every plot.
    shell.display_formatter.active_types = ["text/plain"]
    # Support modules: top-level .py files and packages of the support copy, imported
    # as a notebook would import them (cwd first on sys.path).
    for path in sorted(support.iterdir()):
        name = path.stem if path.suffix == ".py" else path.name if (path / "__init__.py").is_file() else None
        if name and name.isidentifier():
            try:
                importlib.import_module(name)
                preloaded.append(name)
            except BaseException:  # a support module that cannot load in advance loads (or fails) later
                sys.modules.pop(name, None)
    return shell, preloaded


def _load_harness():
    """grader.run.harness compiled as "<grader-harness>", as the kernel engine does, so
    that tracebacks shown to students leave out the grader's own frames."""
    import types

    module = types.ModuleType("_grader_harness")
    path = Path(__file__).with_name("harness.py")
    exec(compile(path.read_text(encoding="utf-8"), "<grader-harness>", "exec"), module.__dict__)
    sys.modules["_grader_harness"] = module
    return module


def _reap(signum: int, frame: object) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


# --- the child -------------------------------------------------------------------------

def _child(sock: socket.socket, request: dict, support: Path, shell, harness) -> int:
    """Set up one submission's process and serve the grader until it hangs up."""
    import builtins

    import numpy as np
    from IPython.core.error import StdinNotImplementedError

    from grader.run import confine
    from grader.run import wire

    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.setsid()  # its own process group: the grader kills the group, leftovers included
    root = Path(request["root"])
    work = root / "work"
    shutil.copytree(support, work, symlinks=False)
    _make_writable(work)
    os.chdir(work)
    policy = request.get("policy")
    if isinstance(policy, dict):
        # Confined: a private root in which the working folder is a copy on a
        # private /tmp; the grader's folders are out of sight from here on.
        (root / "root").mkdir(mode=0o700)
        report = confine.enter(confine.Policy.from_dict(policy))
        tmp = Path("/tmp")
    else:
        report = {}  # the grader records an unconfined run itself
        tmp = root / "tmp"
        tmp.mkdir(mode=0o700)
    # The exchange files of calls stay in the child (bytes go over the socket), on a
    # tmpfs of their own when confined, so a student who fills /tmp can still be graded.
    runtime = Path(policy["exchange"]) if isinstance(policy, dict) and policy.get("exchange") \
        else Path(tempfile.mkdtemp(prefix=".grader-", dir=tmp))
    os.environ.update(HOME=str(work), TMPDIR=str(tmp), IPYTHONDIR=str(tmp / ".ipython"),
                      MPLCONFIGDIR=str(tmp / ".matplotlib"), XDG_CACHE_HOME=str(tmp / ".cache"))
    tempfile.tempdir = None
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)
    # A fresh interpreter seeds numpy's global generator from the OS; a fork would
    # otherwise repeat the worker's state in every submission.
    np.random.seed()

    def no_input(prompt=""):
        raise StdinNotImplementedError("raw_input was called, but this frontend does not support input requests.")

    builtins.input = no_input
    harness.setup(wire, shell.user_ns, HIDDEN)
    send_frame(sock, 0, wire.dumps({"ready": True, "isolation": report}))
    return _serve(sock, shell, runtime, harness, wire)


def _make_writable(top: Path) -> None:
    """The worker's pristine copy is read-only; the student's copy must not be."""
    for path in (top, *top.rglob("*")):
        try:
            path.chmod(0o700 if path.is_dir() else 0o600)
        except OSError:
            pass


def _serve(sock: socket.socket, shell, runtime: Path, harness, wire) -> int:
    busy = [False]

    def on_sigint(signum, frame):
        # Only student code is interrupted; a late interrupt while idle is dropped.
        if busy[0]:
            raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_sigint)
    reader = FrameReader()
    while True:
        frame = recv_frame(sock, reader, 1 << 62)
        if frame is None:
            return 0
        rid, payload = frame
        request = wire.loads(payload, max_bytes=1 << 62)
        extra = recv_frame(sock, reader, 1 << 62) if request["op"] == "call" else None
        replies: list[bytes]
        exit_now = False
        try:
            busy[0] = True
            if request["op"] == "run":
                reply, exit_now = _run_cell(shell, bytes(request["source"]).decode("utf-8"))
                replies = [wire.dumps(reply)]
            elif request["op"] == "functions":
                out = runtime / "names.npz"
                harness.functions(str(out))
                replies = [out.read_bytes()]
            else:
                replies = _call(harness, runtime, request, extra[1])
            busy[0] = False
        except KeyboardInterrupt:
            busy[0] = False
            replies = [wire.dumps({"interrupted": True})]
        except Exception as exc:  # the harness itself failed, e.g. the student broke what it uses
            busy[0] = False
            replies = [wire.dumps({"failed": f"{type(exc).__name__}: {exc}"[:2000]})]
        for data in replies:
            send_frame(sock, rid, data)
        if exit_now:
            return 0


def _run_cell(shell, source: str) -> tuple[dict, bool]:
    import numpy as np

    shell.grader_error = None
    shell.exit_now = False
    result = shell.run_cell(source, store_history=True, silent=False)
    reply: dict = {"status": "ok", "exit": bool(shell.exit_now)}
    if not result.success:
        exc = result.error_before_exec or result.error_in_exec
        ename, evalue, stb = shell.grader_error or (type(exc).__name__, str(exc), [])
        text = "\n".join(str(line) for line in stb)
        reply.update(status="error", ename=ename[:200],
                     evalue=np.frombuffer(evalue.encode("utf-8", "replace"), np.uint8),
                     traceback=np.frombuffer(text.encode("utf-8", "replace"), np.uint8))
    return reply, bool(shell.exit_now)


def _call(harness, runtime: Path, request: dict, args: bytes) -> list[bytes]:
    paths = [runtime / f"call-{part}.npz" for part in ("in", "out", "status")]
    for path in paths:
        path.unlink(missing_ok=True)
    paths[0].write_bytes(args)
    harness.call(request["function"], [str(p) for p in paths], request["patch"], request["max_bytes"])
    out = paths[1].read_bytes() if paths[1].exists() else b""
    return [paths[2].read_bytes(), out]
