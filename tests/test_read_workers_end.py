"""A load killed while its worker processes read (kill -9 by hand, a server's timeout)
leaves no worker behind: each was waiting for ever to hand over its results, holding its
memory (about 160 MB each for a 36-month county)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

LOAD = """
import os, time
from xieshang.etl.judge_chunks import worker_pool
with worker_pool(2) as pool:
    print(*sorted({pool.submit(os.getpid).result() for _ in range(8)}), flush=True)
    time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has ended; whoever adopted it reaps it when it will


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's parent-death signal")
def test_workers_end_with_a_killed_load():
    load = subprocess.Popen([sys.executable, "-c", LOAD], stdout=subprocess.PIPE, text=True)
    workers = [int(pid) for pid in load.stdout.readline().split()]
    assert workers and all(_alive(pid) for pid in workers)
    load.kill()
    load.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # not to leave them to the next test
        os.kill(pid, 9)
    assert left == []
