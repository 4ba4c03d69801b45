"""Smoke test of bench/throughput.py: it runs and prints both rates and their ratio
(no assertion on wall-clock numbers)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_throughput_bench_runs(tmp_path):
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "throughput.py"), "--copies", "2", "--jobs", "1",
                           "--samples", "correct.ipynb"], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "command:" in proc.stdout and "notebooks: 2 " in proc.stdout
    assert "ratio grader/nbclient throughput:" in proc.stdout
    assert not list(tmp_path.iterdir())  # everything went to a temporary folder
