"""The 多元参与 page's builders against the small county
(tests/dashboard_inbox.py), with the values worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from dashboard.state import State
from dashboard.views import stakeholders
from tests.dashboard_inbox import CHENGGUAN, COUNTY, DONGHU, build_warehouse
from tests.test_dashboard_overview import card, text

START, END = date(2025, 1, 1), date(2025, 6, 30)
DEFAULT = State(COUNTY, START, END)


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    eng = build_warehouse(tmp_path_factory.mktemp("stakeholders"))
    yield eng
    eng.dispose()


def ranked(values) -> list[tuple]:
    *_, table = values
    return [(r["area_code"], r["value"], r.get("k"), r.get("n")) for r in table["rows"]]


def test_stakeholder_kpis(engine):
    tree = stakeholders.build_kpis(engine, DEFAULT)
    assert card(tree, "stakeholder_coverage") == (
        "40.0%",
        "2 / 5 次会议",
        "▲ 40.0 个百分点 较上期",
        "kpi-change kpi-good",
    )
    assert card(tree, "stakeholder_breadth")[:2] == ("60.0%", "6 / 10 类主体")
    assert card(tree, "regularity")[:2] == ("16.7%", "4 / 24 个村·月")


def test_stakeholder_rankings(engine):
    coverage = stakeholders.build_ranking(engine, DEFAULT, "stakeholder_coverage")
    # 城关街道 HY-4 of HY-2, HY-4; 东湖镇 HY-1 of HY-1, HY-3, HY-5
    assert ranked(coverage) == [(CHENGGUAN, 0.5, 1, 2), (DONGHU, pytest.approx(1 / 3), 1, 3)]
    figure, *_ = stakeholders.build_ranking(engine, DEFAULT, "stakeholder_breadth")
    assert list(figure.layout.yaxis.ticktext) == ["东湖镇", "城关街道"]


def test_an_empty_warehouse(tmp_path):
    from xieshang.db import open_warehouse

    empty = open_warehouse(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    state = State(None, START, END)
    for view in (stakeholders,):
        assert "xieshang demo" in text(view.build_kpis(empty, state))
        assert "xieshang load" in text(view.build_ranking(empty, state, view.RANKINGS[0])[2])
    empty.dispose()
