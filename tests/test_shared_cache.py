"""The shared figure cache (dashboard.data over Redis, XIESHANG_CACHE_URL): an answer is
computed once and then read back — by any process, as two apps here show — a load that
commits invalidates it (the run in the key), and with Redis gone the answers are still
given, computed. A redis-server of the test's own, so stopping it disturbs nothing else."""

from __future__ import annotations

import shutil
import time
from datetime import date

import pytest
import redis
from flask import Flask

from tests.helpers.inbox_county import (
    COUNTY,
    load_county,
    load_one_more_meeting,
)
from xieshang.dashboard import data
from xieshang.dashboard.state import State
from xieshang.metrics import compute

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server")

PERIOD = State(COUNTY, date(2025, 1, 1), date(2025, 6, 30))


def app_with_cache(url: str, monkeypatch) -> Flask:
    monkeypatch.setenv(data.CACHE_URL_ENV, url)
    app = Flask(__name__)
    data.init_cache(app)
    return app


def counted(monkeypatch) -> list[int]:
    """How many times the figures are computed (the real function, counted)."""
    calls = [0]
    real = compute.figures

    def figures(*args, **kwargs):
        calls[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(data.metrics, "figures", figures)
    return calls


def test_every_process_shares_one_answer_until_a_load(engine, tmp_path, redis_url, monkeypatch):
    url, _server = redis_url
    load_county(engine, tmp_path)
    calls = counted(monkeypatch)
    first, second = app_with_cache(url, monkeypatch), app_with_cache(url, monkeypatch)
    with first.app_context():
        figures = data.figures(engine, PERIOD)
    with second.app_context():  # another worker, another app server: the same Redis
        assert data.figures(engine, PERIOD) == figures
    assert calls[0] == 1
    assert figures["meetings"] == 5

    # a load commits: the next answer is computed again, with the new meeting
    load_one_more_meeting(engine, tmp_path)
    time.sleep(data.VERSION_SECONDS + 0.1)  # the latest run is looked up again
    with second.app_context():
        assert data.figures(engine, PERIOD)["meetings"] == 6
    assert calls[0] == 2
    keys = redis.Redis.from_url(url).keys("xieshang:*")
    assert keys, "the answers are in Redis"


def test_with_redis_gone_the_answers_are_computed(engine, tmp_path, redis_url, monkeypatch):
    url, server = redis_url
    load_county(engine, tmp_path)
    calls = counted(monkeypatch)
    app = app_with_cache(url, monkeypatch)
    with app.app_context():
        assert data.figures(engine, PERIOD)["meetings"] == 5
        server.terminate()
        server.wait(10)
        monkeypatch.setattr(data, "_unreachable_until", 0.0)
        started = time.monotonic()
        assert data.figures(engine, PERIOD.replace(end=date(2025, 5, 31)))["meetings"] == 4
        assert data.figures(engine, PERIOD)["meetings"] == 5  # not from a cache: computed
        assert time.monotonic() - started < 5
    assert calls[0] == 3
