"""The data-quality page's builders against the small county (tests/dashboard_inbox.py),
with two rejected rows and one held row added to its warehouse."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import insert, select

from dashboard.state import State
from dashboard.views import data_quality as view
from tests.dashboard_inbox import (
    CHENGGUAN,
    COUNTY,
    DONGHU,
    JIEFANG,
    LIUSHU,
    XINHUA,
    YANGJIA,
    build_warehouse,
)
from tests.test_dashboard_overview import text, walk
from xieshang import quality, schema

START, END = date(2025, 1, 1), date(2025, 6, 30)
DEFAULT = State(COUNTY, START, END)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = build_warehouse(tmp_path_factory.mktemp("quality"))
    with eng.begin() as conn:
        run_id = conn.execute(select(schema.load_runs.c.run_id)).scalar()
        base = {"run_id": run_id, "sheet": None, "rule": "bad_date"}
        conn.execute(
            insert(schema.rejects),
            [
                {
                    **base,
                    "kind": "meetings",
                    "path": "会议台账.csv",
                    "row_number": 8,
                    "column_name": "会议日期",
                    "value": "2025-13-01",
                    "reason_zh": "日期无效",
                    "reason_en": "invalid date",
                    "area_code": LIUSHU,
                    "township_code": DONGHU,
                },
                {
                    **base,
                    "kind": "meetings",
                    "path": "会议台账.csv",
                    "row_number": 9,
                    "column_name": "区划代码",
                    "value": "123",
                    "reason_zh": "区划代码无效",
                    "reason_en": "invalid area code",
                    "area_code": None,
                    "township_code": None,
                },
            ],
        )
        conn.execute(
            insert(schema.held_rows),
            [
                {
                    "kind": "attendance",
                    "row_key": "k1",
                    "area_code": XINHUA,
                    "meeting_id": "HY-9",
                    "township_code": CHENGGUAN,
                    "run_id": run_id,
                    "path": "参会签到.csv",
                    "sheet": None,
                    "row_number": 11,
                    "payload": "{}",
                }
            ],
        )
    yield eng
    eng.dispose()


def counts(tree) -> dict:
    return {
        node.id["key"]: node.children
        for node in walk(tree)
        if isinstance(getattr(node, "id", None), dict) and node.id.get("type") == "dq-count"
    }


def test_summary_counts(engine):
    assert counts(view.build_summary(engine, DEFAULT)) == {
        "rejected_rows": "2",
        "held_rows": "1",
        "missing_months": "20",  # 4 villages × 6 months − 4 village-months with a meeting
        "party_participation_over_100": "0",
        "status_regressions": "0",
        "due_dates_moved_later": "0",
    }
    assert counts(view.build_summary(engine, DEFAULT.replace(scope=DONGHU)))["rejected_rows"] == "1"


def test_villages_not_submitted_in_the_last_month(engine):
    rows, defs, note = view.build_missing(engine, DEFAULT)
    # June 2025: HY-5 is the township's own meeting, so no village held one
    assert [(r["area_code"], r["township_name"]) for r in rows] == [
        (XINHUA, "城关街道"),
        (JIEFANG, "城关街道"),
        (LIUSHU, "东湖镇"),
        (YANGJIA, "东湖镇"),
    ]
    assert rows[0]["month__text"] == "2025年6月"
    assert rows[0]["note"] == "该乡镇本月尚未报送"
    assert note is None
    # in May only 解放社区 met
    may = DEFAULT.replace(scope=CHENGGUAN, end=date(2025, 5, 31))
    rows, _, _ = view.build_missing(engine, may)
    assert [r["area_name"] for r in rows] == ["新华社区"]
    # April: 柳树村 met, 杨家村 did not
    rows, _, _ = view.build_missing(engine, DEFAULT.replace(scope=DONGHU, end=date(2025, 4, 30)))
    assert [r["area_name"] for r in rows] == ["杨家村"]


def test_every_village_submitted(engine):
    state = State(LIUSHU, date(2025, 3, 1), date(2025, 3, 31))
    rows, _, note = view.build_missing(engine, state)
    assert rows == [] and text(note) == "2025年3月各村（社区）均已报送"


def test_party_participation_over_100(engine):
    rows, defs, note = view.build_over_100(engine, DEFAULT)
    assert rows == [] and text(note) == "没有单位的党员参与率超过100%"
    assert [d["field"] for d in defs][-1] == "party_participation_rate"


def test_held_and_rejected_by_township(engine):
    rows, _, note = view.build_held(engine, DEFAULT)
    assert [
        (r["township_code"], r["area_name"], r["held"], r["rejected"], r["rejected_last_run"])
        for r in rows
    ] == [
        (CHENGGUAN, "城关街道", 1, 0, 0),
        (DONGHU, "东湖镇", 0, 1, 1),
        (None, "（乡镇不明）", 0, 1, 1),
    ]
    assert note is None


def test_rejected_rows_with_reasons_filtered_by_township(engine):
    rows, defs, _ = view.build_rejects(engine, DEFAULT)
    assert [(r["row_number"], r["township_name"], r["reason"]) for r in rows] == [
        (8, "东湖镇", "日期无效"),
        (9, "（乡镇不明）", "区划代码无效"),
    ]
    assert rows[0]["kind"] == "会议台账" and rows[0]["value"] == "2025-13-01"
    assert rows[0]["loaded_on"] == "2025-06-30"
    rows, _, _ = view.build_rejects(engine, DEFAULT.replace(scope=DONGHU))
    assert [r["row_number"] for r in rows] == [8]
    rows, _, note = view.build_rejects(engine, DEFAULT.replace(scope=CHENGGUAN))
    assert rows == [] and text(note) == "没有拒收的行"
    rows, _, _ = view.build_rejects(engine, DEFAULT.replace(scope=LIUSHU, lang="en"))
    assert [(r["reason"], r["kind"]) for r in rows] == [("invalid date", "Meetings")]
    assert len(quality.rejected_rows(engine, COUNTY, limit=1)) == 1


def test_load_runs(engine):
    rows, defs, note = view.build_runs(engine, DEFAULT)
    assert len(rows) == 1 and note is None
    run = rows[0]
    assert (run["loaded_on"], run["status"], run["files_loaded"]) == ("2025-06-30", "已提交", 4)
    # 7 areas + 6 meetings + 9 attendance + 5 resolutions
    assert (run["read"], run["inserted"], run["rejected"], run["held"]) == (27, 27, 0, 0)


def test_an_empty_warehouse(tmp_path):
    from xieshang.db import open_warehouse

    empty = open_warehouse(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    state = State(None, START, END)
    assert "xieshang demo" in text(view.build_summary(empty, state))
    for builder in (view.build_missing, view.build_over_100, view.build_held, view.build_rejects):
        rows, _, note = builder(empty, state)
        assert rows == [] and "xieshang demo" in text(note)
    rows, _, note = view.build_runs(empty, state)
    assert rows == [] and "xieshang demo" in text(note)
    empty.dispose()
