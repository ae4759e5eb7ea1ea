"""metrics.open_due_by_status: the resolutions due but not implemented — overdue on as_of
(已逾期, by the rule of overdue_open), else by the status their report valid on as_of gives
(推进中 / 未启动) — per child unit, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers.builder_county import COUNTY, T1, T2, V11, V12, V21, V22, small_county
from xieshang import metrics

START = date(2025, 1, 1)


@pytest.fixture
def county(engine):
    b = small_county()
    m1 = b.meeting(V11, "2025-01-10")
    # R1: not started, then under way from 03-05 (due 03-01)
    b.report(m1, "R1", "2025-02-01", status="not_started", due="2025-03-01")
    b.report(m1, "R1", "2025-03-05", status="in_progress", due="2025-03-01")
    # R2: implemented on 02-20 (due 03-10)
    b.report(m1, "R2", "2025-02-20", status="implemented", due="2025-03-10", completed="2025-02-20")
    # R3: not started (due 02-15), cancelled on 03-10
    b.report(m1, "R3", "2025-02-01", status="not_started", due="2025-02-15")
    b.report(m1, "R3", "2025-03-10", status="cancelled", due="2025-02-15")
    m2 = b.meeting(V21, "2025-01-20", form="hearing")
    b.report(m2, "R4", "2025-02-01", status="in_progress", due="2025-03-20")
    b.report(m2, "R5", "2025-02-01", status="not_started", due="2025-05-01")  # not due yet
    b.load_run("2025-03-31")
    b.write(engine)
    return engine


def _open(engine, scope, end, **kwargs) -> list[tuple]:
    rows = metrics.open_due_by_status(engine, scope, START, end, **kwargs)
    return [(r["area_code"], r["overdue"], r["in_progress"], r["not_started"]) for r in rows]


def test_open_resolutions_overdue_or_by_their_status_on_as_of(county):
    # as_of 03-31: R1 (due 03-01) and R4 (due 03-20) are past due: overdue, whatever
    # their status; R3 cancelled, R2 done, R5 due in May
    assert _open(county, COUNTY, date(2025, 3, 31)) == [(T1, 1, 0, 0), (T2, 1, 0, 0)]
    # as_of 03-02: R1 and R3 (due 02-15, cancelled only on 03-10) overdue; R4 not due
    assert _open(county, COUNTY, date(2025, 3, 2)) == [(T1, 2, 0, 0), (T2, 0, 0, 0)]
    # as_of 03-01: R1 due that very day is due, not overdue: by its status, not started
    assert _open(county, COUNTY, date(2025, 3, 1)) == [(T1, 1, 0, 1), (T2, 0, 0, 0)]
    # as_of 03-20: R4 due that day, under way; R1 overdue; R3 cancelled on 03-10
    assert _open(county, COUNTY, date(2025, 3, 20)) == [(T1, 1, 0, 0), (T2, 0, 1, 0)]
    # villages of a township, and every village of the county
    assert _open(county, T1, date(2025, 3, 1)) == [(V11, 1, 0, 1), (V12, 0, 0, 0)]
    assert _open(county, COUNTY, date(2025, 3, 31), level="village") == [
        (V11, 1, 0, 0),
        (V12, 0, 0, 0),
        (V21, 1, 0, 0),
        (V22, 0, 0, 0),
    ]
    assert _open(county, V11, date(2025, 3, 31)) == []  # a village has no children


def test_overdue_is_the_rule_of_overdue_open(county):
    # every resolution of the county falls due in 2025: the mix's overdue are the
    # backlog overdue_open counts (R1, R4), by the same rule
    end = date(2025, 3, 31)
    still_open = metrics.open_due_by_status(county, COUNTY, START, end)
    assert sum(o["overdue"] for o in still_open) == 2
    assert metrics.figures(county, COUNTY, START, end, keys=["overdue_open"])["overdue_open"] == 2


def test_the_filters_apply(county):
    hearing = metrics.Filters(form="hearing")
    assert _open(county, COUNTY, date(2025, 3, 31), filters=hearing) == [
        (T1, 0, 0, 0),
        (T2, 1, 0, 0),
    ]
    assert _open(county, COUNTY, date(2025, 3, 20), filters=hearing) == [
        (T1, 0, 0, 0),
        (T2, 0, 1, 0),
    ]


@pytest.mark.parametrize(
    "end", [date(2025, 2, 28), date(2025, 3, 1), date(2025, 3, 2), date(2025, 3, 31)]
)
def test_they_add_up_to_the_resolutions_due_not_implemented(county, end):
    kids = metrics.figures_by_child(county, COUNTY, START, end, keys=["implementation_rate"])
    still_open = metrics.open_due_by_status(county, COUNTY, START, end)
    assert [o["overdue"] + o["in_progress"] + o["not_started"] for o in still_open] == [
        k["counts"]["resolutions_due"] - k["counts"]["implemented"] for k in kids
    ]
