"""The 党员参与 page's builders against the small county
(tests/dashboard_inbox.py), with the values worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.state import State
from dashboard.views import participation
from tests.dashboard_inbox import CHENGGUAN, COUNTY, DONGHU, LIUSHU, YANGJIA, build_warehouse
from tests.test_dashboard_overview import card, text

START, END = date(2025, 1, 1), date(2025, 6, 30)
DEFAULT = State(COUNTY, START, END)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = build_warehouse(tmp_path_factory.mktemp("participation"))
    yield eng
    eng.dispose()


def ranked(values) -> list[tuple]:
    *_, table = values
    return [(r["area_code"], r["value"], r.get("k"), r.get("n")) for r in table["rows"]]


def test_participation_kpis(engine):
    tree = participation.build_kpis(engine, DEFAULT)
    # P1, P3, P5 of 290 registered; previous period P8 alone (1/290)
    assert card(tree, "party_participation_rate") == (
        "1.0%",
        "3 / 290 名党员",
        "▲ 0.7 个百分点 较上期",
        "kpi-change kpi-good",
    )
    assert card(tree, "party_led_rate")[:3] == ("80.0%", "4 / 5 次会议", "▼ 20.0 个百分点 较上期")
    # 4 of the 8 attendances were Party members' (HY-6 alone before: 1/1)
    assert card(tree, "party_share")[:3] == ("50.0%", "4 / 8 人次", "▼ 50.0 个百分点 较上期")
    assert card(tree, "meetings")[0] == "5"


def test_participation_rankings(engine):
    rate = participation.build_ranking(engine, DEFAULT, "party_participation_rate")
    # 东湖镇 P1, P3 of 60 + 30 + 10; 城关街道 P5 of 80 + 40 + 20
    assert ranked(rate) == [(DONGHU, 0.02, 2, 100), (CHENGGUAN, pytest.approx(1 / 140), 1, 140)]
    led = participation.build_ranking(engine, DEFAULT, "party_led_rate")
    assert ranked(led) == [(DONGHU, 1.0, 3, 3), (CHENGGUAN, 0.5, 1, 2)]
    villages = participation.build_ranking(
        engine, DEFAULT.replace(scope=DONGHU), "party_participation_rate"
    )
    # 柳树村 P1, P3 of 30; 杨家村 nobody of 10
    assert ranked(villages) == [(LIUSHU, pytest.approx(2 / 30), 2, 30), (YANGJIA, 0.0, 0, 10)]


def test_an_empty_warehouse(tmp_path):
    from xieshang.db import open_warehouse

    empty = open_warehouse(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    state = State(None, START, END)
    for view in (participation,):
        assert "xieshang demo" in text(view.build_kpis(empty, state))
        assert "xieshang load" in text(view.build_ranking(empty, state, view.RANKINGS[0])[2])
    empty.dispose()
