"""The resolutions page's builders against the small county (tests/dashboard_inbox.py)."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.state import State
from dashboard.views import resolutions as view
from tests.dashboard_inbox import CHENGGUAN, COUNTY, DONGHU, LIUSHU, build_warehouse
from tests.test_dashboard_overview import card, text
from xieshang import metrics

START, END = date(2025, 1, 1), date(2025, 6, 30)
DEFAULT = State(COUNTY, START, END)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = build_warehouse(tmp_path_factory.mktemp("resolutions"))
    yield eng
    eng.dispose()


def test_kpi_cards_of_the_county(engine):
    tree = view.build_kpis(engine, DEFAULT)
    assert card(tree, "implementation_rate")[:2] == ("66.7%", "2 / 3 项到期决议")
    assert card(tree, "on_time_rate")[:2] == ("33.3%", "1 / 3 项到期决议")
    assert card(tree, "overdue_open") == (
        "1",
        "截至 2025-06-30",
        "▲ 1 较上期",
        "kpi-change kpi-bad",
    )
    # (73 + 23) / 2 = 48.0 against JY-5's 35 days in the previous period
    assert card(tree, "median_days_to_implement") == (
        "48.0",
        "2 项已落实决议",
        "▲ 13.0 天 较上期",
        "kpi-change kpi-bad",
    )
    assert card(tree, "satisfaction")[:3] == ("86.0", "2 项有评分", "▼ 4.0 分 较上期")
    # JY-1…JY-4 come from meetings in the period; none was escalated
    assert card(tree, "escalation_rate")[:2] == ("0.0%", "0 / 4 项决议")


def test_ranking_of_implementation_by_township(engine):
    figure, _, _, _, table = view.build_ranking(engine, DEFAULT)
    assert list(figure.layout.yaxis.ticktext) == ["城关街道", "东湖镇"]
    assert [(r["area_code"], r["k"], r["n"], r["value"]) for r in table["rows"]] == [
        (CHENGGUAN, 1, 1, 1.0),
        (DONGHU, 1, 2, 0.5),
    ]


def test_buckets():
    assert [view.bucket(d) for d in (1, 30, 31, 90, 91, 400)] == [
        "≤30天",
        "≤30天",
        "31–90天",
        "31–90天",
        ">90天",
        ">90天",
    ]
    assert view.bucket(91, "en") == ">90 days"


def test_overdue_resolutions(engine):
    rows, defs, note = view.build_overdue(engine, DEFAULT)
    # JY-2 (柳树村, due 2025-06-15, in progress) is 15 days late on 2025-06-30
    assert [
        (r["resolution_id"], r["area_code"], r["days_late"], r["bucket"], r["due_date"])
        for r in rows
    ] == [("JY-2", LIUSHU, 15, "≤30天", "2025-06-15")]
    assert (rows[0]["content"], rows[0]["responsible_unit"], rows[0]["meeting_id"]) == (
        "清淤河塘",
        "村委会",
        "HY-3",
    )
    assert note is None
    assert len(rows) == metrics.figures(engine, COUNTY, START, END)["overdue_open"]
    rows, _, note = view.build_overdue(engine, DEFAULT.replace(scope=CHENGGUAN))
    assert rows == [] and text(note) == "没有逾期未落实的决议"
    # a meeting-form filter the resolution's meeting (议事会) does not match
    rows, _, _ = view.build_overdue(engine, DEFAULT.replace(form="hearing"))
    assert rows == []


def test_overdue_csv(engine):
    download = view.overdue_csv(engine, DEFAULT)
    assert download["filename"] == "overdue-resolutions.csv"
    assert download["content"] == (
        "\ufeff逾期时长,逾期天数,单位,决议编号,决议内容,责任单位,完成时限,会议编号,区划代码\r\n"
        f"≤30天,15,柳树村,JY-2,清淤河塘,村委会,2025-06-15,HY-3,{LIUSHU}\r\n"
    )


def test_an_empty_warehouse(tmp_path):
    from xieshang.db import open_warehouse

    empty = open_warehouse(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    state = State(None, START, END)
    assert "xieshang demo" in text(view.build_kpis(empty, state))
    assert "xieshang demo" in text(view.build_overdue(empty, state)[2])
    assert view.overdue_csv(empty, state) is None
    empty.dispose()
