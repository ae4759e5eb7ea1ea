"""Failed sign-ins are counted once for every process (issue 13): two app servers over one
warehouse and one Redis (XIESHANG_CACHE_URL) share the count, so tries spread over them
are throttled as if sent to one; with Redis gone each counts in its own memory."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.helpers.redis_server import free_port
from xieshang.access import users
from xieshang.warehouse.engine import open_warehouse

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server"),
]

SESSION_KEY = "an-example-session-key-of-40-characters!!"
PASSWORD = "correct horse battery"


def serve(db: str, cache_url: str) -> tuple[str, subprocess.Popen]:
    port = free_port()
    env = {**os.environ, "XIESHANG_SESSION_KEY": SESSION_KEY, "XIESHANG_CACHE_URL": cache_url}
    env.pop("XIESHANG_SIGNIN_LIMIT", None)  # the default: 5 failures a minute
    process = subprocess.Popen(
        [sys.executable, "-m", "xieshang.cli", "serve", "--db", db, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while True:
        try:
            if requests.get(f"{base}/login", timeout=2).status_code == 200:
                return base, process
        except requests.ConnectionError:
            pass
        assert process.poll() is None and time.time() < deadline, "the server did not start"
        time.sleep(0.2)


@pytest.fixture
def two_servers(tmp_path, redis_url) -> Iterator[tuple[str, str, subprocess.Popen]]:
    db = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    users.add_user(open_warehouse(db), "li", "admin", PASSWORD, by="test")
    url, redis_process = redis_url
    (a, first), (b, second) = serve(db, url), serve(db, url)
    try:
        yield a, b, redis_process
    finally:
        for process in (first, second):
            process.terminate()
            process.wait(10)


def attempt(
    base: str, password: str, ready: threading.Barrier | None = None, name: str = "li"
) -> int:
    """One sign-in as `name`, from a fresh browser session (its own CSRF token); sent once
    every party of `ready` has its form."""
    with requests.Session() as browser:
        form = browser.get(f"{base}/login", timeout=10).text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        if ready is not None:
            ready.wait(30)
        answer = browser.post(
            f"{base}/login",
            data={"username": name, "password": password, "csrf_token": csrf},
            allow_redirects=False,
            timeout=60,
        )
        return answer.status_code


def test_failures_on_two_servers_add_up(two_servers):
    a, b, _redis = two_servers
    assert [attempt(a, "wrong") for _ in range(3)] == [401, 401, 401]
    assert [attempt(b, "wrong") for _ in range(2)] == [401, 401]
    # five failures in all: the sixth try is refused on either server, right password or not
    assert attempt(b, PASSWORD) == 429
    assert attempt(a, PASSWORD) == 429


def test_with_redis_gone_each_server_counts_on_its_own(two_servers):
    a, b, redis_process = two_servers
    redis_process.terminate()
    redis_process.wait(10)
    started = time.monotonic()
    assert [attempt(a, "wrong") for _ in range(5)] == [401] * 5
    assert attempt(a, PASSWORD) == 429
    assert attempt(b, PASSWORD) == 302  # b's own count is empty
    assert time.monotonic() - started < 20  # no try waits long on the missing Redis


def test_tries_sent_at_once_pass_the_limit_no_more_than_one_by_one(two_servers):
    a, b, _redis = two_servers
    tries = 40
    ready = threading.Barrier(tries)
    with ThreadPoolExecutor(tries) as pool:
        answers = list(pool.map(lambda n: attempt((a, b)[n % 2], "wrong", ready), range(tries)))
    # five wrong passwords checked, whichever server and whatever their order
    assert Counter(answers) == {401: 5, 429: 35}
    assert attempt(a, PASSWORD) == 429


def test_an_office_signing_in_at_once_from_one_address_is_let_in(two_servers, tmp_path):
    a, b, _redis = two_servers
    engine = open_warehouse(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    names = [f"staff{n}" for n in range(12)]
    for name in names:
        users.add_user(engine, name, "leader", PASSWORD, by="test")
    engine.dispose()
    ready = threading.Barrier(len(names))
    with ThreadPoolExecutor(len(names)) as pool:
        answers = list(
            pool.map(lambda n: attempt((a, b)[n % 2], PASSWORD, ready, names[n]), range(12))
        )
    # per address only failures count; each name tried once
    assert answers == [302] * 12
    assert attempt(a, PASSWORD) == 302
