"""Whole callback answers shared through Redis (dashboard.data.callback_answer, wired in
dashboard.hardening): a page's callback is run once and its answer read back — by any
worker, as a second process here shows — until a load commits; a callback outside the
pages that answer from the warehouse alone, and an answer that is not a plain 200, are run
every time, and so is an answer in which a part failed (its notice not shared, the next
request tries again); keys a client adds to an entry do not make a new answer; another
build keeps its answers apart. Each app in a process of its own (one app per process, its cache set when it is
built); Dash's `_prepare_callback` counted there: how many times a callback really ran."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import date

import sqlalchemy as sa

from tests.helpers.inbox_county import (
    CHENGGUAN,
    COUNTY,
    LOAD_DAY,
    SECRET,
    load_county,
    load_one_more_meeting,
    write_inbox,
)
from xieshang.dashboard import data
from xieshang.dashboard.state import State
from xieshang.etl.load import run_load
from xieshang.marts.freshness import META_KEY
from xieshang.warehouse import schema
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


def request_of(outputs: list[str], store: dict | None) -> dict:
    """A callback request of several outputs (a grid's rows, its columns and its note)."""
    named = [dict(zip(("id", "property"), o.rsplit(".", 1), strict=True)) for o in outputs]
    return {**request(outputs[0], store), "output": f"..{'...'.join(outputs)}..", "outputs": named}


KPIS = request("ov-kpis.children", STORE)  # the overview's KPI cards: shared
# 数据质量's 载入记录 (the load runs): shared, but a run that changes no data changes it
RUNS = request_of(
    ["dq-runs-grid.rowData", "dq-runs-grid.columnDefs", "dq-runs-note.children"], STORE
)
TITLE = request("print-title.children", STORE)  # the shell's title line: not a page's
NO_STATE = request("ov-kpis.children", None)  # PreventUpdate: 204, never kept


def serve(url: str, cache_url: str, *bodies: dict, env: dict | None = None) -> list[list[str]]:
    done = subprocess.run(
        [sys.executable, "-c", SERVE, url, json.dumps(list(bodies))],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, data.CACHE_URL_ENV: cache_url, **(env or {})},
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


def test_a_load_that_changes_no_data_keeps_the_charts_answers_not_the_runs(tmp_path, redis_url):
    cache_url, _server = redis_url
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    engine = open_warehouse(url)
    load_county(engine, tmp_path)
    first = serve(url, cache_url, KPIS, RUNS)
    assert [(status, calls) for status, calls, _t, _d in first] == [("200", "1"), ("200", "2")]

    # the hourly timer: the same inbox again, a committed run that changes no row
    report = run_load(engine, write_inbox(tmp_path / "inbox"), secret=SECRET, today=LOAD_DAY)
    assert report["status"] == "committed"
    second = serve(url, cache_url, KPIS, RUNS)
    assert second[0] == ["200", "0", "application/json", first[0][3]]  # the KPIs: read back
    assert second[1][:2] == ["200", "1"]  # the runs: computed again, two of them now
    assert second[1][3] != first[1][3]


def _marts_record(engine, key_now: str, key_then: str) -> None:
    """The marts' record renamed: without it every reader finds the marts stale."""
    with engine.begin() as conn:
        meta = schema.meta
        conn.execute(sa.update(meta).where(meta.c.key == key_now).values(key=key_then))


def test_an_answer_with_a_failed_part_is_not_shared(tmp_path, redis_url):
    cache_url, _server = redis_url
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    engine = open_warehouse(url)
    load_county(engine, tmp_path)
    good = serve(url, cache_url, KPIS)[0][3]
    cache_url = cache_url.rsplit("/", 1)[0] + "/1"  # a cache without that answer

    # the marts stale (a release before its `marts rebuild`): the cards fail, 200 with
    # their error notice, each time run again and each notice its own
    _marts_record(engine, META_KEY, "marts_put_aside")
    failed = serve(url, cache_url, KPIS, KPIS)
    assert [(status, calls) for status, calls, _t, _d in failed] == [("200", "1"), ("200", "2")]
    assert len({digest for *_rest, digest in failed} | {good}) == 3

    # the rebuild done: the next request computes the cards, and they are shared
    _marts_record(engine, "marts_put_aside", META_KEY)
    again = serve(url, cache_url, KPIS, KPIS)
    assert again == [["200", "1", "application/json", good], ["200", "1", "application/json", good]]


def test_keys_a_client_adds_to_an_entry_make_no_new_answer(tmp_path, redis_url):
    cache_url, _server = redis_url
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    load_county(open_warehouse(url), tmp_path)
    padded = {**KPIS, "inputs": [{**KPIS["inputs"][0], "padding": "x" * 100_000}]}
    answers = serve(url, cache_url, KPIS, padded)
    assert [(status, calls) for status, calls, _t, _d in answers] == [("200", "1"), ("200", "1")]
    assert answers[0][3] == answers[1][3]


def test_another_build_keeps_its_answers_apart(tmp_path):
    code = tmp_path / "xieshang"
    (code / "metrics").mkdir(parents=True)
    (code / "__init__.py").write_text("")
    (code / "metrics" / "figures.py").write_text("LABEL = '党员参与率'\n", encoding="utf-8")
    before = data.build(str(code))
    (code / "metrics" / "figures.py").write_text("LABEL = '党员参与度'\n", encoding="utf-8")
    data.build.cache_clear()
    assert data.build(str(code)) != before
    assert (
        data.cache_config({data.CACHE_URL_ENV: "redis://127.0.0.1:6379/0"})["CACHE_KEY_PREFIX"]
        == f"xieshang:{data.build()}:3|Asia/Shanghai:"
    )


def test_a_server_set_apart_shares_no_answers(tmp_path, redis_url):
    """Two servers of one build, one counting a meeting as multi-stakeholder from 2
    categories, not 3 (or one restarted so): the second computes its own KPIs.
    Before: it read the first's, and showed its 一核多元 coverage."""
    cache_url, _server = redis_url
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    load_county(open_warehouse(url), tmp_path)
    three = serve(url, cache_url, KPIS, env={"XIESHANG_STAKEHOLDER_THRESHOLD": "3"})
    two = serve(url, cache_url, KPIS, KPIS, env={"XIESHANG_STAKEHOLDER_THRESHOLD": "2"})
    assert [(status, calls) for status, calls, _t, _d in three + two] == [
        ("200", "1"),
        ("200", "1"),
        ("200", "1"),
    ]
    assert two[0][3] == two[1][3] != three[0][3]


MAP = {
    "output": "..ov-map-graph.figure...ov-map-graph.style..."
    + "...".join(
        json.dumps({"chart": "ov-map", "type": kind}, separators=(",", ":")) + "." + prop
        for kind, prop in (("chart-empty", "children"), ("chart-notes", "children"))
    )
    + "..."
    + json.dumps({"chart": "ov-map", "type": "chart-data"}, separators=(",", ":"))
    + ".data...ov-map-codes.data..."
    + "...".join(
        json.dumps({"chart": "ov-map", "type": kind}, separators=(",", ":")) + ".children"
        for kind in ("chart-title", "chart-info-text")
    )
    + "..",
    "outputs": [
        {"id": "ov-map-graph", "property": "figure"},
        {"id": "ov-map-graph", "property": "style"},
        {"id": {"type": "chart-empty", "chart": "ov-map"}, "property": "children"},
        {"id": {"type": "chart-notes", "chart": "ov-map"}, "property": "children"},
        {"id": {"type": "chart-data", "chart": "ov-map"}, "property": "data"},
        {"id": "ov-map-codes", "property": "data"},
        {"id": {"type": "chart-title", "chart": "ov-map"}, "property": "children"},
        {"id": {"type": "chart-info-text", "chart": "ov-map"}, "property": "children"},
    ],
    "inputs": [
        {"id": "state", "property": "data", "value": STORE},
        {"id": "page-options", "property": "data", "value": {}},
    ],
    "changedPropIds": ["state.data"],
}


def test_new_boundaries_are_drawn_by_every_worker(tmp_path, redis_url):
    """The admin drops in real township boundaries while the servers run (assets/geo/
    README.md): the next map answer draws them. Before: every worker read the map drawn
    with the old file until a load or the hour's timeout."""
    cache_url, _server = redis_url
    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    load_county(open_warehouse(url), tmp_path)
    assets = tmp_path / "assets"
    (assets / "geo").mkdir(parents=True)

    def boundaries(side: float) -> None:
        square = [[0, 0], [side, 0], [side, side], [0, side], [0, 0]]
        feature = {
            "type": "Feature",
            "properties": {"area_code": CHENGGUAN},
            "geometry": {"type": "Polygon", "coordinates": [square]},
        }
        collection = {"type": "FeatureCollection", "features": [feature]}
        (assets / "geo" / "townships.geojson").write_text(json.dumps(collection))

    boundaries(1.0)
    env = {"XIESHANG_ASSETS": str(assets)}
    first = serve(url, cache_url, MAP, MAP, env=env)
    boundaries(2.0)
    second = serve(url, cache_url, MAP, env=env)
    assert [(status, calls) for status, calls, _t, _d in first + second] == [
        ("200", "1"),
        ("200", "1"),
        ("200", "1"),
    ]
    assert first[0][3] == first[1][3] != second[0][3]
