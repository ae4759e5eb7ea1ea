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


JUDGE_INTERRUPTED = """
import os, signal, sys
from datetime import date
from pathlib import Path
import xieshang.etl.judge_chunks as chunks
chunks.MIN_BYTES = 0
made = chunks.worker_pool

def pool(workers):
    made_pool = made(workers)
    submit = made_pool.submit

    def first(*args, **kwargs):  # Ctrl-C as the runs are handed out, the workers starting
        made_pool.submit = submit
        os.kill(os.getpid(), signal.SIGINT)
        return submit(*args, **kwargs)

    made_pool.submit = first
    return made_pool

chunks.worker_pool = pool
inbox = Path(sys.argv[1])
paths = sorted(str(p.relative_to(inbox)) for p in inbox.rglob("*.csv"))
try:
    chunks.judged_in_runs(inbox, paths, set(), date(2026, 12, 7), None, lambda n: None)
    print("went on")
except KeyboardInterrupt:
    print("interrupted")
"""


def test_a_ctrl_c_while_the_workers_start_stops_the_load(tmp_path):
    """SIGINT is ignored only around each worker's start, which the worker inherits: a
    Ctrl-C while the runs are handed out (the workers starting, seconds on a busy
    machine) was lost there, and the load went on to commit."""
    inbox = tmp_path / "inbox"
    subprocess.run(
        [sys.executable, "-m", "xieshang.cli", "generate", str(inbox), "--months", "1"],
        check=True,
        capture_output=True,
    )
    done = subprocess.run(
        [sys.executable, "-c", JUDGE_INTERRUPTED, str(inbox)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "XIESHANG_READ_WORKERS": "2"},
    )
    assert (done.stdout, done.stderr) == ("interrupted\n", "")


SLOW_RUN = """
import time
from xieshang.etl import judge_chunks


def judge(*args):
    time.sleep(5)
    return judge_chunks._judge_run(*args)
"""

JUDGE_SLOWLY_INTERRUPTED = """
import os, signal, sys, time
from datetime import date
from pathlib import Path
import slow_run
import xieshang.etl.judge_chunks as chunks
chunks.MIN_BYTES = 0
chunks.RUNS_PER_WORKER = 8
chunks._judge_run = slow_run.judge  # each run 5 s more: 8 runs a worker, 40 s in all

def progress(done):  # Ctrl-C once the first run is back
    os.kill(os.getpid(), signal.SIGINT)

inbox = Path(sys.argv[1])
paths = sorted(str(p.relative_to(inbox)) for p in inbox.rglob("*.csv"))
try:
    chunks.judged_in_runs(inbox, paths, set(), date(2026, 12, 7), None, progress)
    print("went on")
except KeyboardInterrupt:
    print("interrupted", round(time.monotonic() - float(sys.argv[2])), flush=True)
"""


def test_a_ctrl_c_while_the_workers_read_stops_them_at_once(tmp_path):
    """A Ctrl-C while the workers read and judge ends them: the pool's own end waited for
    every run handed out, the whole inbox read (minutes for a city) before the load said
    it was interrupted, the workers meanwhile reading on."""
    inbox = tmp_path / "inbox"
    subprocess.run(
        [sys.executable, "-m", "xieshang.cli", "generate", str(inbox), "--months", "2"],
        check=True,
        capture_output=True,
    )
    (tmp_path / "slow_run.py").write_text(SLOW_RUN)
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    start = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", JUDGE_SLOWLY_INTERRUPTED, str(inbox), str(start)],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "XIESHANG_READ_WORKERS": "2", "PYTHONPATH": path},
    )
    assert done.stdout.startswith("interrupted"), (done.stdout, done.stderr)
    assert done.stderr == ""
    # the first run back after 5 s (and the workers' start): not the 40 s of all of them
    seconds = time.monotonic() - start
    assert seconds < 25, seconds
