"""A user's scope on the server (xieshang.access.scope, applied by dashboard.data,
page_kit.state_or_stop and url_sync): the rules themselves, then a staff user of 东湖镇
forging callback requests, page addresses and picker values on the real app with sign-in
on, over the small county of tests/helpers/scoped_county.py (SQLite and PostgreSQL) — and
receiving 东湖镇's numbers only.

The forged requests are built from the app's own `/_dash-dependencies`: for every callback
that reads the view state, the same request once with 东湖镇's state and once with each
forged scope (the other township, the county, a village of the other township, codes not
in the roster, no code at all); the answers must be the same.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import insert, select

from tests.helpers.inbox_county import (
    CHENGGUAN,
    COUNTY,
    DONGHU,
    JIEFANG,
    LIUSHU,
    XINHUA,
    YANGJIA,
)
from tests.helpers.scoped_county import (
    ADMIN,
    EVALUATOR,
    LEADER,
    STAFF,
    county_with_users,
)
from tests.helpers.signin import sign_in, signin_app
from xieshang import metrics
from xieshang.access import users
from xieshang.access.scope import (
    FILES,
    OUTSIDE,
    allowed_scope,
    effective_scope,
    home_scope,
    may_download,
    sees,
)
from xieshang.dashboard import fmt
from xieshang.dashboard.state import State, to_query
from xieshang.warehouse import schema

START, END = date(2025, 1, 1), date(2025, 6, 30)
DISPATCH = "/_dash-update-component"

pytestmark = pytest.mark.warehouse(fill=county_with_users)


# --- the rules -------------------------------------------------------------------------------------------


def test_what_each_role_sees():
    for user in (ADMIN, LEADER, EVALUATOR):
        assert all(sees(user, code) for code in (COUNTY, CHENGGUAN, LIUSHU, None))
        assert home_scope(user, COUNTY) == COUNTY
    assert [sees(STAFF, c) for c in (DONGHU, LIUSHU, YANGJIA)] == [True, True, True]
    assert [sees(STAFF, c) for c in (COUNTY, CHENGGUAN, XINHUA, None, "3302811", 7)] == [False] * 6
    assert home_scope(STAFF, COUNTY) == DONGHU


def test_a_scope_outside_is_replaced_with_a_reason():
    assert allowed_scope(STAFF, None, COUNTY) == (DONGHU, None)
    assert allowed_scope(STAFF, LIUSHU, COUNTY) == (LIUSHU, None)
    for forged in (COUNTY, CHENGGUAN, XINHUA, "330281999999"):
        assert allowed_scope(STAFF, forged, COUNTY) == (DONGHU, OUTSIDE)
    assert allowed_scope(LEADER, CHENGGUAN, COUNTY) == (CHENGGUAN, None)
    assert allowed_scope(LEADER, None, COUNTY) == (COUNTY, None)
    assert effective_scope(STAFF, None) == DONGHU and effective_scope(ADMIN, None) is None
    assert effective_scope(STAFF, {"scope": COUNTY}) == DONGHU


def test_the_role_by_file_table():
    table = {file: sorted(r for r in users.ROLES if r in roles) for file, roles in FILES.items()}
    assert table == {
        "assessment.csv": ["admin", "evaluator", "staff"],
        "assessment.xlsx": ["admin", "evaluator", "staff"],
        "overdue.csv": ["admin", "evaluator", "staff"],
        "rejects.csv": ["admin", "staff"],
        "rejects.xlsx": ["admin", "staff"],
        "held-rows.csv": ["admin", "staff"],
        "resolution-events.csv": ["admin", "staff"],
        "brief.pdf": ["admin", "evaluator", "leader", "staff"],
        "brief.docx": ["admin", "evaluator", "leader", "staff"],
    }
    assert not may_download(ADMIN, "brief.xlsx") and not may_download(ADMIN, "../etc/passwd")


# --- forged requests on the running app ------------------------------------------------------------------


@pytest.fixture
def app(engine, monkeypatch):
    with signin_app(engine, monkeypatch) as dash_app:
        yield dash_app


def signed_in(app, name: str):
    client = sign_in(app.server.test_client(), name)
    assert client.get("/").status_code == 200  # Dash's first page adds the pages' callbacks
    return client


def store(scope) -> dict:
    return {**State(DONGHU, START, END).to_store(), "scope": scope}


FORGED = [CHENGGUAN, COUNTY, XINHUA, JIEFANG, "330281999999", "330281100", "garbage", None, 7]


def _component(ident: str):
    return json.loads(ident) if ident.startswith("{") else ident


def _outputs(output: str):
    parts = output[2:-2].split("...") if output.startswith("..") else [output]
    entries = []
    for part in parts:
        ident, prop = part.rsplit(".", 1)
        entries.append({"id": _component(ident), "property": prop})
    return entries if output.startswith("..") else entries[0]


def _value(spec: dict, state_store):
    name = f"{spec['id']}.{spec['property']}"
    if name == "state.data":
        return state_store
    if name == "page-options.data":
        return {}
    if spec["property"] == "n_clicks":
        return 1
    return None


def body(dependency: dict, state_store, changed: str | None = None, **values) -> dict:
    """The request the renderer sends for `dependency` (an entry of /_dash-dependencies):
    the view state `state_store`, buttons clicked, `values` ({"id.property": value}) and
    None elsewhere; the first input (or `changed`) as the one that changed."""

    def entry(spec):
        name = f"{spec['id']}.{spec['property']}"
        value = values[name] if name in values else _value(spec, state_store)
        return {"id": _component(spec["id"]), "property": spec["property"], "value": value}

    inputs = dependency["inputs"]
    first = f"{inputs[0]['id']}.{inputs[0]['property']}"
    return {
        "output": dependency["output"],
        "outputs": _outputs(dependency["output"]),
        "inputs": [entry(s) for s in inputs],
        "state": [entry(s) for s in dependency["state"]],
        "changedPropIds": [changed or first],
    }


def post(client, request_body: dict):
    return client.post(DISPATCH, json=request_body)


def reads_the_state(dependency: dict) -> bool:
    """A callback that reads the view state, with no pattern-matching wildcard (those
    only echo what the browser sent: chart cards' tables; the tabs' links)."""
    ids = [s["id"] for s in dependency["inputs"] + dependency["state"]]
    wildcard = '["' in dependency["output"] or any('["' in i for i in ids)
    return "state" in ids and not wildcard


def dependencies(client) -> list[dict]:
    return [d for d in client.get("/_dash-dependencies").get_json() if reads_the_state(d)]


def test_forged_states_get_the_users_own_township_in_every_callback(app):
    client = signed_in(app, "wang")
    found = dependencies(client)
    outputs = " ".join(d["output"] for d in found)
    for part in ("ov-kpis", "ov-map", "rs-overdue-grid", "as-download", "dq-rejects-download"):
        assert part in outputs  # every page's parts are among them
    assert len(found) >= 40
    for dependency in found:
        own = post(client, body(dependency, store(DONGHU)))
        assert own.status_code in (200, 204), dependency["output"]
        assert "错误编号" not in own.get_data(as_text=True), dependency["output"]
        for forged in FORGED:
            answer = post(client, body(dependency, store(forged)))
            if "...state.data..." in dependency["output"]:
                # the address sync writes the state when it differs from the one sent
                assert answer.get_json()["response"]["state"]["data"]["scope"] == DONGHU
                continue
            assert (answer.status_code, answer.get_json()) == (own.status_code, own.get_json()), (
                dependency["output"],
                forged,
            )


def kpi_values(response) -> dict[str, str]:
    """key -> the shown value of every KPI card in a callback's answer."""
    values = {}

    def walk(node):
        if isinstance(node, dict):
            ident = node.get("props", {}).get("id") if "props" in node else None
            if isinstance(ident, dict) and ident.get("type") == "kpi-value":
                values[ident["key"]] = node["props"]["children"]
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(response.get_json())
    return values


def test_the_numbers_are_those_of_the_users_township(app, engine):
    client = signed_in(app, "wang")
    kpis = next(d for d in dependencies(client) if d["output"] == "ov-kpis.children")
    shown = kpi_values(post(client, body(kpis, store(COUNTY))))
    own = metrics.figures(engine, DONGHU, START, END)
    assert shown == {key: fmt.figure_value(key, own[key]) for key in shown}
    assert (shown["meetings"], shown["implementation_rate"], shown["overdue_open"]) == (
        "3",
        "50.0%",
        "1",
    )
    # the county's are different (5 meetings): the forged scope was not served
    admin = signed_in(app, "li")
    assert kpi_values(post(admin, body(kpis, store(COUNTY))))["meetings"] == "5"


def grid_rows(response, grid: str) -> list[dict]:
    return response.get_json()["response"][grid]["rowData"]


def test_the_data_quality_lists_are_the_users_townships(app):
    client = signed_in(app, "wang")
    by_output = {d["output"]: d for d in dependencies(client)}

    def rows(part: str, scope) -> list[dict]:
        output = f"..{part}-grid.rowData...{part}-grid.columnDefs...{part}-note.children.."
        return grid_rows(post(client, body(by_output[output], store(scope))), f"{part}-grid")

    for scope in (COUNTY, CHENGGUAN, None):
        assert [(r["township_name"], r["row_number"]) for r in rows("dq-rejects", scope)] == [
            ("东湖镇", 8)
        ]
        assert [(r["area_code"], r["row_number"]) for r in rows("dq-held-rows", scope)] == [
            (YANGJIA, 12)
        ]
        assert [r["township_code"] for r in rows("dq-held", scope)] == [DONGHU]
        assert rows("dq-runs", scope) == []  # the whole county's files: not for staff
    admin = signed_in(app, "li")
    output = "..dq-rejects-grid.rowData...dq-rejects-grid.columnDefs...dq-rejects-note.children.."
    everything = grid_rows(post(admin, body(by_output[output], store(COUNTY))), "dq-rejects-grid")
    assert sorted(r["row_number"] for r in everything) == [8, 9, 10]


def test_the_raw_lists_are_shown_to_whom_their_files_are(app):
    """The rejected rows, the held rows and the resolutions' events: on the page to staff
    and admins only, as /download/rejects.csv and the others are."""
    lists = {"dq-rejects": [8, 9, 10], "dq-held-rows": [11, 12], "dq-events": None}
    for name in ("zhao", "qian", "li"):
        client = signed_in(app, name)
        by_output = {d["output"]: d for d in dependencies(client)}
        for part, rows in lists.items():
            output = f"..{part}-grid.rowData...{part}-grid.columnDefs...{part}-note.children.."
            response = post(client, body(by_output[output], store(COUNTY)))
            shown = grid_rows(response, f"{part}-grid")
            text = response.get_data(as_text=True)
            if name == "li":
                if rows is not None:
                    assert sorted(r["row_number"] for r in shown) == rows, part
                assert "您的角色只看上方的汇总数字" not in text
            else:
                assert shown == [], (name, part)
                assert (
                    "明细供乡镇工作人员和管理员核改报送文件使用，您的角色只看上方的汇总数字" in text
                )


def county_with_a_row_sent_across(engine, directory) -> None:
    """The county of scoped_county, plus a row 东湖镇 sent for 新华社区 (城关街道's village):
    rejected 超出本乡镇范围 and kept as 东湖镇's (xieshang.etl.merge: write_rejects), as a
    staff upload of tests/test_submissions_api.py leaves it."""
    county_with_users(engine, directory)
    with engine.begin() as conn:
        run_id = conn.execute(select(schema.load_runs.c.run_id)).scalar()
        conn.execute(
            insert(schema.rejects).values(
                run_id=run_id,
                kind="meetings",
                path="东湖镇/会议台账-7月.xlsx",
                sheet="Sheet1",
                row_number=13,
                rule="outside_township",
                column_name="area_code",
                value=XINHUA,
                reason_zh="超出本乡镇范围",
                reason_en="outside your township",
                area_code=XINHUA,
                township_code=DONGHU,
            )
        )


@pytest.mark.warehouse(fill=county_with_a_row_sent_across)
def test_a_villages_rejects_are_its_townships_not_a_row_another_sent_for_it(app):
    """A row one township sent for another's village is the sender's (its file, its row
    to delete): listed to the sender, never to the village's staff — not at the village's
    scope either, where the list is the village's part of its township's."""

    def rejected(name: str, scope: str) -> list[int]:
        client = signed_in(app, name)
        output = (
            "..dq-rejects-grid.rowData...dq-rejects-grid.columnDefs...dq-rejects-note.children.."
        )
        dependency = next(d for d in dependencies(client) if d["output"] == output)
        shown = grid_rows(post(client, body(dependency, store(scope))), "dq-rejects-grid")
        file = client.get(f"/download/rejects.csv?scope={scope}").data.decode("utf-8-sig")
        rows = [int(r["行号"]) for r in csv.DictReader(io.StringIO(file))]
        assert sorted(r["row_number"] for r in shown) == sorted(rows), (name, scope)
        return sorted(rows)

    # 城关街道's staff: their village's own rejected row (row 9), not 东湖镇's row 13
    assert rejected("chen", CHENGGUAN) == [9]
    assert rejected("chen", XINHUA) == [9]
    # 东湖镇's staff: their own rows, the one sent for 新华社区 among them
    assert rejected("wang", DONGHU) == [8, 13]
    assert rejected("wang", LIUSHU) == [8]
    # an admin: each village's list is its part of its township's
    assert rejected("li", XINHUA) == [9]
    assert rejected("li", COUNTY) == [8, 9, 10, 13]


def test_leaders_do_not_get_the_overdue_list(app):
    overdue = "..rs-overdue-grid.rowData...rs-overdue-grid.columnDefs...rs-overdue-note.children.."
    shown = {}
    for name in ("zhao", "qian", "wang", "li"):
        client = signed_in(app, name)
        dependency = next(d for d in dependencies(client) if d["output"] == overdue)
        response = post(client, body(dependency, store(COUNTY)))
        shown[name] = [r["resolution_id"] for r in grid_rows(response, "rs-overdue-grid")]
        if name == "zhao":
            assert "仅向考核人员、乡镇工作人员和管理员显示" in response.get_data(as_text=True)
    assert shown == {"zhao": [], "qian": ["JY-2"], "wang": ["JY-2"], "li": ["JY-2"]}


# --- the address and the pickers --------------------------------------------------------------------------


def url_sync(client) -> dict:
    return next(
        d
        for d in client.get("/_dash-dependencies").get_json()
        if d["output"].startswith(".._pages_location.search...address-fix.data...state.data")
    )


def test_a_crafted_address_shows_the_users_township_with_a_notice(app):
    client = signed_in(app, "wang")
    sync = url_sync(client)
    for forged in (CHENGGUAN, COUNTY, XINHUA):
        search = f"?scope={forged}&from=2025-01-01&to=2025-06-30"
        answer = post(client, body(sync, None, **{"_pages_location.search": search}))
        out = answer.get_json()["response"]
        assert out["state"]["data"]["scope"] == DONGHU
        assert f"scope=“{forged}” 不在您的查看范围内，已显示本乡镇" in json.dumps(
            out["notices"], ensure_ascii=False
        )
        # the address says what is shown: a link copied from it shows the same to anyone
        # without the forged scope: a link copied from it shows the user's default
        assert out["address-fix"]["data"]["search"] == "?from=2025-01-01&to=2025-06-30"
        assert "_pages_location" not in out  # written in place, not pushed
        assert out["f-first"]["value"] == DONGHU
        assert out["f-first"]["options"] == [{"label": "东湖镇", "value": DONGHU}]
        assert out["f-second"]["options"] == [
            {"label": "柳树村", "value": LIUSHU},
            {"label": "杨家村", "value": YANGJIA},
        ]
    # no scope: the user's township, no notice; a village of it: as asked
    out = post(client, body(sync, None, **{"_pages_location.search": ""})).get_json()["response"]
    assert out["state"]["data"]["scope"] == DONGHU and out["notices"]["children"] is None
    search = f"?scope={LIUSHU}"
    out = post(client, body(sync, None, **{"_pages_location.search": search})).get_json()
    assert out["response"]["state"]["data"]["scope"] == LIUSHU
    # every page address answers with the shell: the data come through the callbacks above
    for path in ("/", "/participation", "/resolutions", "/stakeholders", "/assessment"):
        assert client.get(f"{path}?scope={COUNTY}").status_code == 200


def test_forged_picker_values_keep_the_users_township(app):
    client = signed_in(app, "wang")
    sync = url_sync(client)
    for name, value in (("f-first", CHENGGUAN), ("f-second", XINHUA), ("f-second", JIEFANG)):
        values = {"f-first.value": DONGHU, f"{name}.value": value}
        values |= {"f-dates.start_date": "2025-01-01", "f-dates.end_date": "2025-06-30"}
        answer = post(client, body(sync, store(LIUSHU), changed=f"{name}.value", **values))
        out = answer.get_json()["response"]
        assert out["state"]["data"]["scope"] == DONGHU
        assert out["_pages_location"]["search"] == to_query(State(DONGHU, START, END))
        assert [o["value"] for o in out["f-first"]["options"]] == [DONGHU]


def test_the_pickers_of_the_other_roles_offer_the_whole_roster(app):
    for name in ("zhao", "li"):
        client = signed_in(app, name)
        out = post(client, body(url_sync(client), None)).get_json()["response"]
        assert out["state"]["data"]["scope"] == COUNTY
        assert [o["value"] for o in out["f-first"]["options"]] == [CHENGGUAN, DONGHU]
    client = signed_in(app, "chen")
    out = post(client, body(url_sync(client), None)).get_json()["response"]
    assert out["state"]["data"]["scope"] == CHENGGUAN
    assert [o["value"] for o in out["f-first"]["options"]] == [CHENGGUAN]
    assert [o["value"] for o in out["f-second"]["options"]] == [XINHUA, JIEFANG]


def test_a_staff_users_township_picker_is_shown_fixed(app):
    """The township picker of a staff user offers their township only: it shows it,
    without a clear mark and disabled; the village picker below stays theirs to change.
    Leaders' and admins' pickers are unchanged (the server confines staff either way)."""

    def pickers(name):
        client = signed_in(app, name)
        out = post(client, body(url_sync(client), None)).get_json()["response"]
        return [
            (out[f"f-{p}"]["disabled"], out[f"f-{p}"]["clearable"]) for p in ("first", "second")
        ]

    for name in ("wang", "chen"):
        assert pickers(name) == [(True, False), (False, True)], name
    for name in ("zhao", "li"):
        # the village picker waits for a township
        assert pickers(name) == [(False, True), (True, True)], name
