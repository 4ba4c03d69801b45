"""The warm workers: one interpreter per support-file set, shared by a process's sandboxes.

A worker is started with subprocess (never forked from the grader, whose memory holds
the secret seed and the reference), preloads numpy, IPython, matplotlib and the support
modules, and forks a child per submission on request (:mod:`grader.run.warm_worker`).
:class:`grader.run.warm.WarmSandbox` talks to the child; this module owns the workers.
"""

from __future__ import annotations

import atexit
import collections
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from grader.errors import NotebookExecutionError
from grader.run import wire
from grader.run.warm_worker import FORK, FrameReader, send_frame

POLL = 0.2  # how often a wait checks that the child is still alive without a pidfd
MAX_REPLY = 16 * 2**20  # bytes of one non-value frame (cell replies, names, call status)
_MAX_WORKERS = 2  # distinct support-file sets kept warm in one grader process
_PACKAGE = Path(__file__).resolve().parents[1]  # the grader package

# Run with ``python -c``: sys.path[0] is then the worker's cwd (its support copy), not
# grader/, and the grader package is loaded from this very file's folder.
_BOOT = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("grader", sys.argv[1], submodule_search_locations=[sys.argv[2]])
module = importlib.util.module_from_spec(spec)
sys.modules["grader"] = module
spec.loader.exec_module(module)
from grader.run import warm_worker as _warm_worker
_warm_worker.main(int(sys.argv[3]))
"""


# -- the workers, one per support-file set, shared by this process's sandboxes ---------

class _Worker:
    """A warm interpreter (see grader.run.warm_worker) and the control socket to it."""

    def __init__(self, support: tuple[Path, ...], env: dict[str, str], timeout: float) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="grader-warm-"))
        copy = self.root / "support"
        copy.mkdir()
        for name in ("ipython", "matplotlib", "tmp"):
            (self.root / name).mkdir()
        try:
            for source in support:
                if source.is_dir():
                    shutil.copytree(source, copy / source.name)
                else:
                    shutil.copy2(source, copy / source.name)
        except OSError as exc:
            shutil.rmtree(self.root, ignore_errors=True)
            raise NotebookExecutionError(f"could not copy support file {source}: {exc}") from exc
        for path in sorted(copy.rglob("*"), reverse=True):  # the pristine copy every child starts from
            path.chmod(0o500 if path.is_dir() else 0o400)
        env = {**env, "HOME": str(copy), "TMPDIR": str(self.root / "tmp"),
               "IPYTHONDIR": str(self.root / "ipython"), "MPLCONFIGDIR": str(self.root / "matplotlib")}
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.lock = threading.Lock()
        self.reader = FrameReader()
        self.rid = 0
        log = open(self.root / "worker.log", "wb")
        try:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", _BOOT, str(_PACKAGE / "__init__.py"), str(_PACKAGE), str(theirs.fileno())],
                cwd=copy, env=env, pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        finally:
            theirs.close()
            log.close()
        hello = self._reply(0, time.monotonic() + timeout)
        if not (isinstance(hello, dict) and hello.get("ready") is True):
            detail = (self.root / "worker.log").read_text(errors="replace")[-2000:].strip()
            self.close()
            raise NotebookExecutionError(f"the warm worker did not start within {timeout:g} s: {detail or hello!r}")
        self.preloaded = tuple(hello.get("preloaded") or ())

    def alive(self) -> bool:
        return self.proc.poll() is None

    def fork(self, root: Path, policy: dict | None, timeout: float) -> tuple[int, socket.socket]:
        """Ask for a child whose files live under ``root``, confined by ``policy``
        (a :class:`grader.run.confine.Policy` as a dict; None: not confined); its pid and a socket to it."""
        with self.lock:
            ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                self.rid += 1
                socket.send_fds(self.control, [FORK], [theirs.fileno()])
                request = {"root": str(root)} | ({} if policy is None else {"policy": policy})
                send_frame(self.control, self.rid, wire.dumps(request))
            finally:
                theirs.close()
            reply = self._reply(self.rid, time.monotonic() + timeout)
        if not (isinstance(reply, dict) and isinstance(reply.get("pid"), int) and reply["pid"] > 0):
            ours.close()
            raise NotebookExecutionError(f"the warm worker did not fork: {reply!r}")
        return reply["pid"], ours

    def _reply(self, rid: int, deadline: float) -> object:
        while True:
            frame = self.reader.next(MAX_REPLY)
            if frame is not None:
                if frame[0] == rid:
                    return wire.loads(frame[1], max_bytes=0)
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if select.select([self.control], [], [], min(remaining, POLL))[0]:
                data = self.control.recv(1 << 16)
                if not data:
                    return None
                self.reader.feed(data)
            elif self.proc.poll() is not None:
                return None

    def close(self) -> None:
        self.control.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        shutil.rmtree(self.root, ignore_errors=True)


_WORKERS: collections.OrderedDict[tuple, _Worker] = collections.OrderedDict()
_WORKERS_LOCK = threading.Lock()


def _worker_for(support: tuple[Path, ...], env: dict[str, str], timeout: float) -> _Worker:
    """The warm worker for these support files and environment, started or restarted as needed."""
    key = (support, tuple(sorted(env.items())))
    with _WORKERS_LOCK:
        worker = _WORKERS.get(key)
        if worker is not None and worker.alive():
            _WORKERS.move_to_end(key)
            return worker
        if worker is not None:
            del _WORKERS[key]
            worker.close()
        while len(_WORKERS) >= _MAX_WORKERS:
            _WORKERS.popitem(last=False)[1].close()
        worker = _WORKERS[key] = _Worker(support, env, timeout)
        return worker


def _retire(worker: _Worker) -> None:
    with _WORKERS_LOCK:
        for key, w in list(_WORKERS.items()):
            if w is worker:
                del _WORKERS[key]
    worker.close()


def shutdown() -> None:
    """Stop every warm worker of this process (also done at interpreter exit)."""
    with _WORKERS_LOCK:
        while _WORKERS:
            _WORKERS.popitem()[1].close()


atexit.register(shutdown)
