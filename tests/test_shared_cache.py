"""The shared figure cache (dashboard.data over Redis, XIESHANG_CACHE_URL): an answer is
computed once and then read back — by any process, as two apps here show — a load that
changes data invalidates it (the run in the key), one that changes none (the hourly
timer's over an unchanged inbox) does not, unless it moves the last load's day, while
the list of runs shows it at once; and with Redis gone the answers are still given,
computed. A redis-server of the test's own, so stopping it disturbs nothing else."""

from __future__ import annotations

import json
import shutil
import time
from datetime import date

import pytest
import redis
import sqlalchemy as sa
from flask import Flask

from tests.helpers.inbox_county import (
    COUNTY,
    LIUSHU,
    LOAD_DAY,
    ROSTER,
    SECRET,
    load_county,
    load_one_more_meeting,
    write_inbox,
)
from tests.helpers.inbox_files import write_csv
from xieshang.dashboard import data
from xieshang.dashboard.state import State
from xieshang.etl.load import run_load
from xieshang.marts import DATA_RUN, freshness
from xieshang.metrics import compute
from xieshang.warehouse import schema

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="no redis-server")

PERIOD = State(COUNTY, date(2025, 1, 1), date(2025, 6, 30))


def app_with_cache(url: str, monkeypatch) -> Flask:
    """An app server's process of its own: it trusts no version the test before it looked
    up (data._recent, kept a few seconds by the process, for the PostgreSQL tests' one
    URL: the previous warehouse's runs)."""
    monkeypatch.setenv(data.CACHE_URL_ENV, url)
    monkeypatch.setattr(data, "_recent", {})
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


def load_again(engine, tmp_path, day: date = LOAD_DAY) -> None:
    """The small county's inbox loaded again, as the hourly timer does: a committed run
    that changes no row."""
    report = run_load(engine, write_inbox(tmp_path / "inbox"), secret=SECRET, today=day)
    assert report["status"] == "committed", report.get("error")
    assert not any(k["inserted"] + k["updated"] for k in report["kinds"].values()), report


def test_a_load_that_changes_no_data_leaves_the_figures_warm(
    engine, tmp_path, redis_url, monkeypatch
):
    url, _server = redis_url
    load_county(engine, tmp_path)
    calls = counted(monkeypatch)
    app = app_with_cache(url, monkeypatch)
    with app.app_context():
        assert data.figures(engine, PERIOD)["meetings"] == 5
        assert len(data.load_runs(engine)) == 1

    load_again(engine, tmp_path)
    time.sleep(data.VERSION_SECONDS + 0.1)  # the versions are looked up again
    with app.app_context():
        assert data.figures(engine, PERIOD)["meetings"] == 5
        assert calls[0] == 1  # read back: the run changed no figure
        assert [r["status"] for r in data.load_runs(engine)] == ["committed", "committed"]

    load_one_more_meeting(engine, tmp_path)  # a run that changes data
    time.sleep(data.VERSION_SECONDS + 0.1)
    with app.app_context():
        assert data.figures(engine, PERIOD)["meetings"] == 6
        assert len(data.load_runs(engine)) == 3
    assert calls[0] == 2


def test_a_load_on_a_later_day_moves_the_figures_as_of(engine, tmp_path, redis_url, monkeypatch):
    """The same inbox loaded a fortnight later changes no row, but a period running past
    the last load's day is counted to the new one (as_of)."""
    url, _server = redis_url
    year = State(COUNTY, date(2025, 1, 1), date(2025, 12, 31))
    load_county(engine, tmp_path)
    calls = counted(monkeypatch)
    app = app_with_cache(url, monkeypatch)
    with app.app_context():
        assert data.figures(engine, year)["as_of"] == date(2025, 6, 30)
    load_again(engine, tmp_path, day=date(2025, 7, 15))
    time.sleep(data.VERSION_SECONDS + 0.1)
    with app.app_context():
        assert data.figures(engine, year)["as_of"] == date(2025, 7, 15)
    assert calls[0] == 2


def test_a_load_changing_only_the_roster_is_seen_at_once(engine, tmp_path, redis_url, monkeypatch):
    """No mart follows the roster's Party members, the figures do: 柳树村's 30 made 40."""
    url, _server = redis_url
    load_county(engine, tmp_path)
    calls = counted(monkeypatch)
    app = app_with_cache(url, monkeypatch)
    with app.app_context():
        assert data.figures(engine, PERIOD)["counts"]["party_members_registered"] == 290
    roster = [row[:4] + [40] + row[5:] if row[0] == LIUSHU else row for row in ROSTER]
    write_csv(tmp_path / "roster" / "区划名册.csv", roster)
    report = run_load(engine, tmp_path / "roster", secret=SECRET, today=LOAD_DAY)
    assert report["kinds"]["areas"]["updated"] == 1, report
    time.sleep(data.VERSION_SECONDS + 0.1)
    with app.app_context():
        assert data.figures(engine, PERIOD)["counts"]["party_members_registered"] == 300
    assert calls[0] == 2


def test_marts_of_an_earlier_release_stay_warm_after_one_load(
    engine, tmp_path, redis_url, monkeypatch
):
    """Marts written by a release that did not record the run that last changed data:
    the first load that changes none records itself as that run, and the next keeps it.
    Before: each hourly run over an unchanged inbox made every figure cold again."""
    url, _server = redis_url
    load_county(engine, tmp_path)
    with engine.begin() as conn:
        state = freshness.read_state(conn)
        del state[DATA_RUN]
        conn.execute(
            sa.update(schema.meta)
            .where(schema.meta.c.key == freshness.META_KEY)
            .values(value=json.dumps(state))
        )
    load_again(engine, tmp_path)
    calls = counted(monkeypatch)
    app = app_with_cache(url, monkeypatch)
    with app.app_context():
        assert data.figures(engine, PERIOD)["meetings"] == 5
    load_again(engine, tmp_path)
    time.sleep(data.VERSION_SECONDS + 0.1)
    with app.app_context():
        assert data.figures(engine, PERIOD)["meetings"] == 5
        assert [r["status"] for r in data.load_runs(engine)] == ["committed"] * 3
    assert calls[0] == 1
