"""Where our grading time goes, and whether the grader's memory stays flat over a batch.

Used by bench/throughput.py. ``breakdown`` grades notebooks one after another in this
process (``LocalExecutor(1)`` does the same) under cProfile and charges the cumulative
time of a few entry points to the stages people ask about; ``rss`` grades a long batch
and samples the resident memory of the grader (this process and its pool workers, not
the students' sandboxes) as it goes.
"""

from __future__ import annotations

import cProfile
import os
import pstats
import threading
import time
from pathlib import Path

# (stage, module path suffix, function name): cumulative time of that function.
# Nested entries are subtracted from their parents below, so the stages add up.
_ENTRIES = (
    ("worker start-up", "run/warm_pool.py", "__init__"),
    ("fork + confinement", "run/warm.py", "_start"),
    ("cells", "run/warm.py", "_run_cell"),
    ("calls", "run/warm.py", "call"),
    ("listing functions", "run/warm.py", "defined_functions"),
    ("checks (grader side)", "checks/kinds.py", "run"),
    ("writing results", "report/feedback.py", "write_json"),
    ("whole notebook", "grader/grade.py", "grade_notebook"),
)


def _cumulative(stats: pstats.Stats) -> dict[str, float]:
    out = {stage: 0.0 for stage, _, _ in _ENTRIES}
    for (filename, _, name), (_, _, _, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        for stage, suffix, fn in _ENTRIES:
            if name == fn and filename.endswith(suffix):
                out[stage] += cumtime
    return out


def breakdown(spec, notebooks: list[Path], out_dir: Path) -> list[tuple[str, float]]:
    """Seconds per stage for grading ``notebooks`` one by one in this process.

    "checks" is the checks' own time (their calls into the sandbox are under "calls");
    "other" is what the whole-notebook time leaves (reading, pruning, re-runs, bookkeeping).
    """
    from grader.grade import grade_notebook
    from grader.report import feedback
    from grader.run import warm_pool

    warm_pool.shutdown()  # start-up is part of what is measured

    out_dir.mkdir(parents=True, exist_ok=True)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for i, nb in enumerate(notebooks):
        result = grade_notebook(spec, nb, seed=0)
        feedback.write_json(out_dir / f"{i}.json", feedback.to_feedback(result))
    profiler.disable()
    total = time.perf_counter() - started
    c = _cumulative(pstats.Stats(profiler))
    checks = max(c["checks (grader side)"] - c["calls"], 0.0)
    start = c["worker start-up"]
    fork = max(c["fork + confinement"] - start, 0.0)
    calls = c["calls"] + c["listing functions"]
    known = start + fork + c["cells"] + calls + checks + c["writing results"]
    return [("worker start-up", start), ("fork + confinement", fork), ("cells", c["cells"]), ("calls", calls),
            ("checks (grader side)", checks), ("writing results", c["writing results"]),
            ("other", max(total - known, 0.0)), ("total (profiled)", total)]


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _grader_tree(root: int) -> list[int]:
    """``root`` and its descendants that run as our own user (sandboxes run as others)."""
    me = os.getuid()
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if os.stat(f"/proc/{entry}").st_uid != me:
                continue
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


class RssSampler:
    """Samples the grader's resident memory (process tree, our uid) every ``period`` s."""

    def __init__(self, period: float = 0.5) -> None:
        self.period = period
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _loop(self) -> None:
        root = os.getpid()
        while not self._stop.is_set():
            main = _rss_kib(root)
            tree = sum(_rss_kib(p) for p in _grader_tree(root))
            self.samples.append((main, tree))
            self._stop.wait(self.period)

    def summary(self) -> str:
        if len(self.samples) < 4:
            return "too few samples"
        k = max(1, len(self.samples) // 10)
        first, last = self.samples[:k], self.samples[-k:]
        peak = lambda xs, i: max(s[i] for s in xs) / 1024  # noqa: E731
        return (f"grader process peak RSS: first tenth {peak(first, 0):.0f} MiB, last tenth {peak(last, 0):.0f} MiB; "
                f"with its workers: {peak(first, 1):.0f} MiB -> {peak(last, 1):.0f} MiB")
