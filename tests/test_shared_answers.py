"""Whole callback answers shared through Redis (dashboard.data.callback_answer, wired in
dashboard.hardening): a page's callback is run once and its answer read back — by any
worker, as a second process here shows — until a load commits; a callback outside the
pages that answer from the warehouse alone, and an answer that is not a plain 200, are run
every time. Each app in a process of its own (one app per process, its cache set when it is
built); Dash's `_prepare_callback` counted there: how many times a callback really ran."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import date

from tests.helpers.inbox_county import (
    COUNTY,
    load_county,
    load_one_more_meeting,
)
from xieshang.dashboard import data
from xieshang.dashboard.state import State
from xieshang.warehouse.engine import open_warehouse

SERVE = textwrap.dedent(
    """
    import hashlib, json, sys
    from xieshang.dashboard.app import create_app

    app = create_app(sys.argv[1])
    client = app.server.test_client()
    client.get("/")  # Dash's first request adds the pages' callbacks
    calls = []
    real = app._prepare_callback

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    app._prepare_callback = counted
    for body in json.loads(sys.argv[2]):
        response = client.post(
            "/_dash-update-component", data=json.dumps(body), content_type="application/json"
        )
        digest = hashlib.sha256(response.get_data()).hexdigest()[:12]
        print(response.status_code, len(calls), response.content_type.replace(" ", ""), digest)
    """
)

STORE = State(COUNTY, date(2025, 1, 1), date(2025, 6, 30)).to_store()


def request(output: str, store: dict | None) -> dict:
    component, prop = output.rsplit(".", 1)
    return {
        "output": output,
        "outputs": {"id": component, "property": prop},
        "inputs": [{"id": "state", "property": "data", "value": store}],
        "changedPropIds": ["state.data"],
    }


KPIS = request("ov-kpis.children", STORE)  # the overview's KPI cards: shared
TITLE = request("print-title.children", STORE)  # the shell's title line: not a page's
NO_STATE = request("ov-kpis.children", None)  # PreventUpdate: 204, never kept


def serve(url: str, cache_url: str, *bodies: dict) -> list[list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", SERVE, url, json.dumps(list(bodies))],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, data.CACHE_URL_ENV: cache_url},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return [line.split() for line in done.stdout.splitlines()]


def test_a_pages_answer_is_computed_once_for_every_worker_until_a_load(tmp_path, redis_url):
    cache_url, _server = redis_url
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    engine = open_warehouse(url)
    load_county(engine, tmp_path)

    first = serve(url, cache_url, KPIS, KPIS, TITLE, TITLE, NO_STATE, NO_STATE)
    statuses = [(status, int(calls)) for status, calls, _type, _digest in first]
    # the KPIs ran once; the title line and the PreventUpdate ran every time
    assert statuses == [("200", 1), ("200", 1), ("200", 2), ("200", 3), ("204", 4), ("204", 5)]
    assert first[0][2:] == first[1][2:]  # the same answer, byte for byte, and its type
    assert first[0][2] == "application/json"

    # another worker: the KPIs answered from Redis, run by no one here
    second = serve(url, cache_url, KPIS)
    assert second == [["200", "0", "application/json", first[0][3]]]

    # a load commits (a 6th meeting in the period): the next answer is computed again
    load_one_more_meeting(engine, tmp_path)
    third = serve(url, cache_url, KPIS, KPIS)
    assert [(status, calls) for status, calls, _t, _d in third] == [("200", "1"), ("200", "1")]
    assert third[0][3] != first[0][3]  # six meetings now, not five
