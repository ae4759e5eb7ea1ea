"""The ETL benchmark's run (bench/bench_etl.py) on a small county in a folder of the test's
own: the floor, the load, a month into the months before and the reload all run, and the
figures print as they should (a month of 1 township × 2 villages: its rows, the reload
changing nothing)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_etl_bench_runs_every_phase_on_a_small_county(tmp_path):
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "bench_etl.py"),
            *("--months", "3", "--townships", "1", "--villages-per-township", "2"),
            *("--out", str(tmp_path)),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    read = re.search(r"^inbox: ([\d,]+) files; rows read: ([\d,]+)", out, re.M)
    loaded = re.search(r"^xieshang load end to end: [\d.]+ s", out, re.M)
    month = re.search(r"^monthly load .*?: [\d.]+ s, ([\d,]+) rows, [\d.]+% of the full", out, re.M)
    reload = re.search(
        r"^reload of the same inbox: [\d.]+ s, (\d+) rows changed, (\d+) files", out, re.M
    )
    assert read and loaded and month and reload, out
    rows = int(read.group(2).replace(",", ""))
    assert 0 < int(month.group(1).replace(",", "")) < rows
    assert reload.group(1) == "0" and reload.group(2) == read.group(1).replace(",", "")
    assert (tmp_path / "warehouse.sqlite").is_file()
