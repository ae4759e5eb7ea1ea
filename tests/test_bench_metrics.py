"""The metrics benchmark (bench/bench_metrics.py) on a warehouse that is not there yet
says, in one line, how to make it, rather than failing on a missing table."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_without_a_warehouse_it_says_how_to_make_one(tmp_path):
    url = f"sqlite:///{tmp_path / 'county.sqlite'}"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_metrics.py"), "--db", url],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        f"bench_metrics.py: error: {url} holds no warehouse:"
        " run `python bench/fill_warehouse.py` first"
    )
    assert "Traceback" not in done.stderr
