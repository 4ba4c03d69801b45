"""The private root a confined student sees, and the libc calls that build it.

Part of :mod:`grader.run.confine` (stdlib only, for the same reason: the kernel's
launcher runs confine.py as a script). ``new_root`` builds a root from scratch in the
policy's scratch folder and pivots into it: read-only binds of the system folders and
the Python prefixes, a private /tmp holding a copy of the working folder, a fresh
/proc, a few /dev nodes; nothing else of the host exists there.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import platform
import shutil
import sys
from typing import Any

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_MOVE = 8192
MS_REC = 16384
MS_PRIVATE = 1 << 18
MS_NOATIME = 1024
MS_NODIRATIME = 2048
MS_RELATIME = 1 << 21
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_SET_NO_NEW_PRIVS = 38
PR_CAPBSET_DROP = 24

_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32", "/etc")
_DEVICES = ("null", "zero", "full", "random", "urandom")

class Libc:
    def __init__(self) -> None:
        self.lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)

    def _check(self, result: int, what: str) -> int:
        if result != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"{what}: {os.strerror(err)}")
        return result

    def unshare(self, flags: int) -> None:
        self._check(self.lib.unshare(ctypes.c_int(flags)), "unshare")

    def mount(self, source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
        enc = [None if s is None else s.encode() for s in (source, target, fstype, data)]
        result = self.lib.mount(enc[0], enc[1], enc[2], ctypes.c_ulong(flags), enc[3])
        self._check(result, f"mount {source or ''} on {target}")

    def umount(self, target: str) -> None:
        self._check(self.lib.umount2(target.encode(), ctypes.c_int(MNT_DETACH)), f"umount {target}")

    def prctl(self, option: int, arg: int) -> None:
        self._check(self.lib.prctl(ctypes.c_int(option), ctypes.c_ulong(arg), ctypes.c_ulong(0),
                                   ctypes.c_ulong(0), ctypes.c_ulong(0)), f"prctl {option}")

    def pivot_root(self, new: str, old: str) -> None:
        number = _PIVOT_ROOT.get(platform.machine())
        if number is None:
            raise OSError(errno.ENOSYS, "pivot_root: unknown syscall number on this machine")
        self._check(self.lib.syscall(ctypes.c_long(number), new.encode(), old.encode()), "pivot_root")

    def drop_bounding_set(self) -> None:
        """Drop every capability from the bounding set (needs CAP_SETPCAP, so before setuid)."""
        for cap in range(64):
            if self.lib.prctl(PR_CAPBSET_DROP, ctypes.c_ulong(cap), ctypes.c_ulong(0),
                              ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0:
                break  # past the last capability this kernel knows

    def clear_capabilities(self) -> None:
        """Empty the effective, permitted and inheritable sets."""
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        data = (ctypes.c_uint32 * 6)()
        self._check(self.lib.capset(header, data), "capset")


def new_root(libc: Libc, policy: Any, report: dict, student_uid: int | None) -> None:
    """Build the new root in ``policy.scratch`` (a :class:`grader.run.confine.Policy`) and pivot into it."""
    if not policy.scratch:
        report["filesystem"] = "shared with the grader (no scratch directory given)"
        report["residual"].append("no private root: the student's code sees the grader's file system")
        return
    new = os.path.realpath(policy.scratch)
    workdir = os.path.realpath(policy.workdir)
    libc.mount(None, "/", None, MS_REC | MS_PRIVATE)
    libc.mount("tmpfs", new, "tmpfs", MS_NOSUID | MS_NODEV, "size=16m,mode=0755")

    def inside(path: str) -> str:
        return os.path.join(new, path.lstrip("/"))

    def bind(source: str, *, writable: bool = False) -> None:
        real = os.path.realpath(source)
        target = inside(source)
        if os.path.islink(source) and os.path.dirname(source) == "/":
            if not os.path.lexists(target):  # /bin -> usr/bin on merged-/usr systems
                os.symlink(os.readlink(source), target)
            return
        if os.path.isdir(real):
            os.makedirs(target, exist_ok=True)
        else:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            open(target, "a").close()
        libc.mount(real, target, None, MS_BIND | (0 if writable else MS_REC))
        flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | (0 if writable else MS_RDONLY)
        # Keep the source's noexec and atime flags: in a user namespace they are
        # locked, and a remount that would change them is refused.
        held = os.statvfs(real).f_flag
        for st, ms in ((os.ST_NOEXEC, MS_NOEXEC), (os.ST_NOATIME, MS_NOATIME),
                       (os.ST_NODIRATIME, MS_NODIRATIME), (os.ST_RELATIME, MS_RELATIME)):
            if held & st:
                flags |= ms
        libc.mount(None, target, None, flags)

    # /tmp: private, size-capped; the working folder is copied into it (or onto its
    # own tmpfs when it lives elsewhere), so no write reaches the host's disk. Mounted
    # before the binds, which may live under /tmp (a venv in a clone under /tmp).
    tmp = inside("/tmp")
    os.makedirs(tmp, exist_ok=True)
    size = f"size={policy.disk_mb}m"
    libc.mount("tmpfs", tmp, "tmpfs", MS_NOSUID | MS_NODEV, f"{size},mode=1777")
    python = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
              os.path.dirname(os.path.realpath(sys.executable))}
    for path in _SYSTEM_DIRS + tuple(sorted(python)):
        if os.path.lexists(path) and not any(path != p and path.startswith(p + "/") for p in _SYSTEM_DIRS):
            bind(path)
    for path in policy.hide:
        if os.path.isdir(inside(path)):
            libc.mount("tmpfs", inside(path), "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4k,mode=0555")
    # /dev: a few harmless devices, nothing else.
    dev = inside("/dev")
    os.makedirs(dev, exist_ok=True)
    libc.mount("tmpfs", dev, "tmpfs", MS_NOSUID | MS_NOEXEC, "size=64k,mode=0755")
    for name in _DEVICES:
        if os.path.exists(f"/dev/{name}"):
            open(os.path.join(dev, name), "a").close()
            libc.mount(f"/dev/{name}", os.path.join(dev, name), None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, os.path.join(dev, name))
    # A private pseudo-terminal instance: IPython runs "!cmd" through a pty.
    os.makedirs(os.path.join(dev, "pts"))
    try:
        libc.mount("devpts", os.path.join(dev, "pts"), "devpts", MS_NOSUID | MS_NOEXEC,
                   "newinstance,ptmxmode=0666,mode=0620")
        os.symlink("pts/ptmx", os.path.join(dev, "ptmx"))
    except OSError as exc:
        report["residual"].append(f"no pseudo-terminals ({exc.strerror}): shell escapes (!cmd) fail")
    os.makedirs(os.path.join(dev, "shm"))
    libc.mount("tmpfs", os.path.join(dev, "shm"), "tmpfs", MS_NOSUID | MS_NODEV, "size=64m,mode=1777")
    os.makedirs(inside("/proc"), exist_ok=True)
    libc.mount("proc", inside("/proc"), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    target = inside(workdir)
    if not workdir.startswith("/tmp/"):
        os.makedirs(target, exist_ok=True)
        libc.mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"{size},mode=0700")
    shutil.copytree(workdir, target, symlinks=True, dirs_exist_ok=True)
    for path in policy.shared:
        bind(os.path.realpath(path), writable=True)
    if policy.exchange:
        os.makedirs(inside(policy.exchange), exist_ok=True)
        libc.mount("tmpfs", inside(policy.exchange), "tmpfs", MS_NOSUID | MS_NODEV, f"{size},mode=0700")
    if student_uid is not None:
        exchange = [inside(policy.exchange)] if policy.exchange else []
        for path in [target, *exchange, *(inside(os.path.realpath(p)) for p in policy.shared)]:
            chown_tree(path, student_uid)
    os.makedirs(inside("/.old"))
    os.chdir(new)
    try:
        libc.pivot_root(".", ".old")
        os.chdir("/")
        libc.umount("/.old")
        os.rmdir("/.old")
    except OSError:  # e.g. an unknown architecture: move the new root over / and chroot
        os.rmdir(inside("/.old"))
        libc.mount(new, "/", None, MS_MOVE)
        os.chroot(".")
    libc.mount(None, "/", None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(workdir)
    report["filesystem"] = ("a private read-only root: system and Python directories read-only, a private "
                            f"{policy.disk_mb} MiB /tmp holding a copy of the working folder, the grader's "
                            "exchange folder read-write; the reference solutions, the repository, other "
                            "submissions and the output folder are not visible")


def chown_tree(path: str, uid: int) -> None:
    for dirpath, dirnames, filenames in os.walk(path):
        os.chown(dirpath, uid, uid)
        for name in filenames:
            os.chown(os.path.join(dirpath, name), uid, uid, follow_symlinks=False)
