"""The load test's smoke run (bench/bench_serve.py --quick): the demo county, the Procfile's
gunicorn with sign-in on and the shared cache on Redis, two pages recorded in Chromium and
replayed by six signed-in users (more sign-ins under one name than the default
throttle lets through) for a few seconds. Every answer is the one the browser
got, every request kind recorded is answered so, and the figures print as they should."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),
    pytest.mark.skipif(
        shutil.which("chromium") is None or shutil.which("chromedriver") is None,
        reason="Chromium and chromedriver are needed (scripts/install-test-deps)",
    ),
]

FIGURES = re.compile(r"n=(\d+) p50=(\d+)ms p95=(\d+)ms p99=(\d+)ms")


SERVER = """
import http.server, os
class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Answer).serve_forever()
"""
BENCH_HOLDING_A_SERVER = """
import os, sys, time
from pathlib import Path
sys.path.insert(0, {bench!r})
import bench_serve
env = {{**os.environ, "PORT": {port!r}}}
with bench_serve.gunicorn(env, Path({log!r}), {command!r}) as server:
    print(server.pid, flush=True)
    time.sleep(120)
"""


def _answers(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_the_server_ends_with_a_bench_that_is_killed(tmp_path):
    """A bench killed outright runs no clean-up of its own (the smoke run below, timed out,
    was): its server, in a session of its own, still ends, and frees its port."""
    script = tmp_path / "server.py"
    script.write_text(SERVER, encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    code = BENCH_HOLDING_A_SERVER.format(
        bench=str(ROOT / "bench"),
        port=str(port),
        log=str(tmp_path / "server.log"),
        command=f"{sys.executable} {script}",
    )
    bench = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    server = int(bench.stdout.readline())
    assert _answers(port)
    bench.kill()
    bench.wait(10)
    deadline = time.monotonic() + 10
    while _answers(port) and time.monotonic() < deadline:
        time.sleep(0.1)
    still = _answers(port)
    if still:
        os.killpg(server, signal.SIGKILL)
    assert not still, "the server outlived the bench that started it"


def _redis_up() -> bool:
    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis at 127.0.0.1:6379")
def test_the_quick_load_test_answers_every_request_as_the_browser_got_it():
    bench = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "bench_serve.py"), "--quick", "--redis-db", "14"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        out, err = bench.communicate(timeout=150)
    except subprocess.TimeoutExpired:
        bench.terminate()  # its clean-up ends gunicorn and Chromium; a kill would skip it
        out, err = bench.communicate(timeout=60)
    assert bench.returncode == 0, out[-3000:] + err[-3000:]

    recorded = re.search(r"recorded: 8 steps, (\d+) requests \((\d+) pages, (\d+) callbacks", out)
    assert recorded, out
    assert int(recorded.group(2)) == 2  # the two pages' documents, visited once each
    assert int(recorded.group(3)) > 20

    runs = re.findall(
        r"^users=(\d+)\s+requests=(\d+) seconds=(\d+) rps=([\d.]+) errors=(\d+)", out, re.M
    )
    assert [(users, errors) for users, _, _, _, errors in runs] == [("1", "0"), ("6", "0")]
    assert all(int(requests) > 0 and float(rps) > 0 for _, requests, _, rps, _ in runs)

    for kind in ("all", "callback", "page", "other", "visit", "switch"):
        lines = re.findall(rf"^  {kind}\s+(.*)$", out, re.M)
        assert len(lines) == 2, (kind, out)
        for line in lines:
            n, p50, p95, p99 = map(int, FIGURES.match(line).groups())
            assert n > 0 and p50 <= p95 <= p99
    assert re.search(r"cpu server=[\d.]+s \([\d.]+ cores\) generator=[\d.]+s", out)

    # every request kind the browser sent is answered with what it got (200 and 304 agree)
    kinds = re.findall(r"^  kind (\S+) (.*?) recorded=([\d,]+) answered=(\S+)$", out, re.M)
    assert len(kinds) > 20
    for method, name, want, answered in kinds:
        statuses = {int(part.split("x")[0]) for part in answered.split(",")}
        allowed = {int(w) for w in want.split(",")}
        if allowed & {200, 304}:
            allowed |= {200, 304}
        assert statuses <= allowed, (method, name, want, answered)
    assert {m for m, *_ in kinds} == {"GET", "POST"}
