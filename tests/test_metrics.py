"""Hand-computed figures of metrics.md on a small county, on SQLite and PostgreSQL.

The county (`build_county`, tests/helpers/builder_county.py) is spelled out there; every
expected number in these tests is worked out by hand from it (see its comments), not from
the code.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers.builder_county import (
    COUNTY,
    Q1,
    T1,
    T2,
    V11,
    V12,
    V21,
    V22,
    add_meeting_without_marts,
    build_county,
    small_county,
)
from tests.helpers.sent_sql import statements_sent
from tests.helpers.warehouse_builder import WarehouseBuilder
from xieshang import marts, metrics
from xieshang.metrics import FIGURES, Filters
from xieshang.warehouse import schema


@pytest.fixture
def county(engine):
    build_county().write(engine)
    return engine


def approx(value):
    return pytest.approx(value, rel=1e-12, abs=1e-12)


def check(result: dict, expected: dict) -> None:
    for key, value in expected.items():
        if value is None or isinstance(value, int | date | str):
            assert result[key] == value, key
        else:
            assert result[key] == approx(value), key


def test_county_quarter(county):
    r = metrics.figures(county, COUNTY, *Q1)
    assert r["scope"] == COUNTY and r["scope_name"] == "示范县"
    assert (r["from"], r["to"], r["as_of"]) == (*Q1, date(2025, 3, 31))
    check(
        r,
        {
            "meetings": 7,  # m1..m7
            "regularity": 4 / 12,  # (V11,1) (V11,3) (V12,2) (V21,3) of 4 villages x 3 months
            "party_led_rate": 5 / 7,  # m1 m3 m4 m5 m7
            "party_participation_rate": 7 / 58,  # alice carol frank judy ken ned oscar
            "party_share": 10 / 18,
            "stakeholder_coverage": 2 / 7,  # m1 m4
            "stakeholder_breadth": 9 / 10,  # all but resident_unit
            "resolutions_due": 6,  # R1 R2 R3 R4 R7 R10
            "implementation_rate": 4 / 6,  # R1 R4 R7 R10
            "on_time_rate": 2 / 6,  # R1 R10
            "overdue_open": 2,  # R2 R8
            "median_days_to_implement": 43.0,  # 15 24 | 62 64
            "satisfaction": 80.0,  # 90 70 80 (R7 has none; R2's 50 is not its state)
            "escalation_rate": 2 / 6,  # R4 R9 of R2 R3 R4 R7 R9 R10
        },
    )
    c = r["counts"]
    assert c["party_members_attending"] == 7 and c["party_members_registered"] == 58
    assert c["village_months_with_meeting"] == 4 and c["village_months"] == 12
    assert c["implemented"] == 4 and c["resolutions_due"] == 6
    assert c["implemented_in_period"] == 4 and c["satisfaction_scores"] == 3
    assert c["stakeholder_categories"] == 9


def test_township_counts_its_own_party_members_and_meetings(county):
    r = metrics.figures(county, T1, *Q1)
    check(
        r,
        {
            "meetings": 5,  # m1 m2 m3 m4 and the township's own m5
            "regularity": 3 / 6,
            "party_led_rate": 4 / 5,
            "party_participation_rate": 4 / 24,  # alice carol frank judy of 4 + 10 + 10
            "party_share": 6 / 12,
            "stakeholder_coverage": 2 / 5,
            "stakeholder_breadth": 7 / 10,
            "resolutions_due": 5,  # R1 R2 R3 R4 R10
            "implementation_rate": 3 / 5,
            "on_time_rate": 2 / 5,
            "overdue_open": 2,
            "median_days_to_implement": 24.0,  # 15 24 62
            "satisfaction": 80.0,
            "escalation_rate": 2 / 5,  # R4 R9 of R2 R3 R4 R9 R10
        },
    )
    assert r["counts"]["party_members_registered"] == 24


def test_village_and_even_median(county):
    check(
        metrics.figures(county, V11, *Q1),
        {
            "meetings": 3,
            "regularity": 2 / 3,
            "party_led_rate": 2 / 3,
            "party_participation_rate": 2 / 10,
            "party_share": 3 / 6,
            "stakeholder_coverage": 1 / 3,
            "stakeholder_breadth": 4 / 10,
            "resolutions_due": 4,  # R1 R2 R3 R10
            "implementation_rate": 2 / 4,
            "on_time_rate": 2 / 4,
            "overdue_open": 2,
            "median_days_to_implement": 38.5,  # (15 + 62) / 2
            "satisfaction": 85.0,
            "escalation_rate": 1 / 4,
        },
    )


def test_township_without_resolutions_gives_nulls(county):
    check(
        metrics.figures(county, T2, *Q1),
        {
            "meetings": 1,
            "regularity": 1 / 6,
            "party_led_rate": 0.0,
            "party_participation_rate": 2 / 24,
            "party_share": 2 / 4,
            "stakeholder_coverage": 0.0,
            "stakeholder_breadth": 2 / 10,
            "resolutions_due": 0,
            "implementation_rate": None,
            "on_time_rate": None,
            "overdue_open": 0,
            "median_days_to_implement": None,
            "satisfaction": None,
            "escalation_rate": None,  # R6 does not exist on as_of
        },
    )


def test_empty_period(county):
    r = metrics.figures(county, V22, date(2025, 1, 1), date(2025, 1, 31))
    check(
        r,
        {
            "meetings": 0,
            "regularity": 0.0,  # a village, no meeting: 0, not null
            "party_led_rate": None,
            "party_participation_rate": 0.0,
            "party_share": None,
            "stakeholder_coverage": None,
            "stakeholder_breadth": None,
            "resolutions_due": 0,
            "implementation_rate": None,
            "on_time_rate": None,
            "overdue_open": 0,
            "median_days_to_implement": None,
            "satisfaction": None,
            "escalation_rate": None,
        },
    )


def test_nulls_without_villages_or_party_members(engine):
    b = WarehouseBuilder()
    b.area(COUNTY, party_members=0)
    b.area(T1, party_members=0)  # a township with no villages in the roster
    b.meeting(T1, "2025-01-05")
    b.write(engine)
    r = metrics.figures(engine, T1, *Q1)
    assert r["meetings"] == 1
    assert r["regularity"] is None
    assert r["party_participation_rate"] is None
    assert r["party_share"] is None  # no attendance rows
    assert r["stakeholder_coverage"] == 0.0  # no attendance: 0 categories
    assert r["stakeholder_breadth"] == 0.0
    assert r["as_of"] == Q1[1]  # no committed load: the period's last day


def test_as_of_is_the_last_committed_load(county):
    r = metrics.figures(county, COUNTY, date(2025, 1, 1), date(2025, 12, 31))
    assert r["as_of"] == date(2025, 4, 10)  # not the failed run of 06-01
    # on 04-10 R3 is implemented (its 04-05 report counts now, completed 04-01, 81
    # days, late) and R6 exists (due 04-30: after as_of, not due)
    check(
        r,
        {
            "meetings": 8,  # m1..m7 and m9
            "resolutions_due": 6,  # R1 R2 R3 R4 R7 R10
            "implementation_rate": 5 / 6,
            "on_time_rate": 2 / 6,  # R1 R10
            "overdue_open": 2,  # R2 R8
            "median_days_to_implement": 62.0,  # 15 24 62 64 81
            "satisfaction": 75.0,  # 90 60 70 80
            "escalation_rate": 2 / 7,  # R4 R9 of R2 R3 R4 R6 R7 R9 R10
        },
    )


def test_a_report_after_as_of_does_not_count(county):
    # Q1 ends 03-31 (before the load): R3's 04-05 report and R6 do not exist yet
    r = metrics.figures(county, V11, *Q1)
    assert r["counts"]["implemented"] == 2  # R1 R10, not R3
    r = metrics.figures(county, V21, *Q1)
    assert r["counts"]["resolutions_of_period_meetings"] == 0


def test_history_latest_report_wins(county):
    # R2 was implemented on 02-25, back in progress on 03-25
    feb = metrics.figures(county, V11, date(2025, 2, 1), date(2025, 2, 28))
    mar = metrics.figures(county, V11, date(2025, 3, 1), date(2025, 3, 31))
    # on 02-28 R2 is implemented (completed 02-24, 45 days after 01-10), R1 too (62 d)
    assert feb["counts"]["implemented_in_period"] == 2
    assert feb["median_days_to_implement"] == 53.5  # (45 + 62) / 2
    assert feb["satisfaction"] == 70.0  # R1 90, R2 50
    assert feb["overdue_open"] == 1  # R8 only (R2 due 03-15 not yet)
    # on 03-31 R2 is open again and overdue; only R10 implemented in March
    assert mar["counts"]["implemented_in_period"] == 1
    assert mar["overdue_open"] == 2


def test_due_on_as_of_is_due_not_overdue(county):
    r = metrics.figures(county, V11, date(2025, 3, 16), date(2025, 3, 31))
    # due in [03-16, 03-31]: R3 (03-31, open) and R10 (03-31, implemented)
    assert r["resolutions_due"] == 2
    assert r["overdue_open"] == 2  # R2 (03-15) and R8, not R3


def test_filters_narrow_meetings_not_denominators(county):
    r = metrics.figures(county, COUNTY, *Q1, Filters(form="council"))
    check(
        r,
        {
            "meetings": 4,  # m1 m3 m5 m6
            "regularity": 3 / 12,  # same 4 villages x 3 months
            "party_led_rate": 3 / 4,
            "party_participation_rate": 5 / 58,  # alice carol judy ken ned; all members
            "resolutions_due": 4,  # R1 R2 R3 R10 (meetings m8 m1 m3 are councils)
            "implementation_rate": 2 / 4,
            "overdue_open": 2,  # R2 R8
            "median_days_to_implement": 38.5,
        },
    )
    online = metrics.figures(county, COUNTY, *Q1, Filters.parse(online="yes"))
    assert online["meetings"] == 1 and online["escalation_rate"] == 1.0  # m2 / R9
    assert online["regularity"] == approx(1 / 12)
    roads = metrics.figures(county, COUNTY, *Q1, Filters.parse(category="道路交通"))
    assert roads["meetings"] == 3  # m1 m3 m6
    both = metrics.figures(county, COUNTY, *Q1, Filters.parse(form="议事会", category="roads"))
    assert both["meetings"] == 3


def test_filters_parse_codes_and_labels():
    assert Filters.parse("议事会", "养老托育", "否") == Filters("council", "elderly_child", False)
    assert Filters.parse("Council", None, "yes") == Filters("council", None, True)
    assert Filters.parse("民主恳谈会") == Filters(form="dialogue")
    assert Filters.parse("", "", "") == Filters()
    with pytest.raises(ValueError, match="unknown form 'tea party'"):
        Filters.parse("tea party")
    with pytest.raises(ValueError, match="online must be yes or no"):
        Filters.parse(online="maybe")


def test_regularity_over_partial_months(engine):
    b = small_county()
    b.meeting(V11, "2025-01-05")  # before the period: does not count
    b.meeting(V11, "2025-01-20")
    b.meeting(V12, "2025-03-10")  # the last day
    b.meeting(V12, "2025-03-11")  # after
    b.meeting(V21, "2025-02-28")
    b.meeting(V21, "2025-02-02")  # same village-month: once
    b.write(engine)
    r = metrics.figures(engine, COUNTY, date(2025, 1, 15), date(2025, 3, 10))
    # 3 months touched x 4 villages = 12; pairs (V11,1) (V12,3) (V21,2)
    assert r["counts"]["village_months"] == 12
    assert r["regularity"] == approx(3 / 12)
    series = metrics.monthly_series(engine, COUNTY, date(2025, 1, 15), date(2025, 3, 10))
    assert [s["month"] for s in series] == ["2025-01", "2025-02", "2025-03"]
    assert [s["regularity"] for s in series] == [approx(1 / 4), approx(1 / 4), approx(1 / 4)]
    assert series[0]["from"] == date(2025, 1, 15) and series[-1]["to"] == date(2025, 3, 10)


def test_by_child_equals_each_child_as_a_scope(county):
    rows = metrics.figures_by_child(county, COUNTY, *Q1)
    assert [r["area_code"] for r in rows] == [T1, T2]
    for row in rows:
        single = metrics.figures(county, row["area_code"], *Q1)
        for key in FIGURES:
            assert row[key] == single[key], (row["area_code"], key)
        assert row["counts"] == single["counts"]
    villages = metrics.figures_by_child(county, T1, *Q1, Filters(form="council"))
    assert [r["area_code"] for r in villages] == [V11, V12]
    for row in villages:
        single = metrics.figures(county, row["area_code"], *Q1, Filters(form="council"))
        assert {k: row[k] for k in FIGURES} == {k: single[k] for k in FIGURES}
    assert metrics.figures_by_child(county, V11, *Q1) == []
    by_level = metrics.figures_by_child(county, COUNTY, *Q1, level="village")
    assert [r["area_code"] for r in by_level] == [V11, V12, V21, V22]


def test_each_village_counts_a_party_member_who_attends_several(engine):
    """A village counts a Party member at their first attendance there in the period
    (prev_12), not at their first in the township: zoe attends V11, then V12, then V11."""
    b = small_county()
    first = b.meeting(V11, "2025-01-10")
    b.attend(first, "zoe", party=True)
    b.attend(first, "yan", party=True)
    b.attend(b.meeting(V12, "2025-02-10"), "zoe", party=True)
    b.attend(b.meeting(V11, "2025-03-10"), "zoe", party=True)
    b.attend(b.meeting(V12, "2024-12-15"), "yan", party=True)  # before the quarter
    b.write(engine, clear=True)

    def attending(start: date, end: date) -> dict[str, int]:
        rows = metrics.figures_by_child(engine, COUNTY, start, end, level="village")
        by_child = {r["area_code"]: r["counts"]["party_members_attending"] for r in rows}
        for code, n in by_child.items():  # each as its own scope counts the same
            assert (
                metrics.figures(engine, code, start, end)["counts"]["party_members_attending"] == n
            )
        return by_child

    assert attending(*Q1) == {V11: 2, V12: 1, V21: 0, V22: 0}
    assert attending(date(2025, 2, 1), date(2025, 2, 28)) == {V11: 0, V12: 1, V21: 0, V22: 0}
    assert attending(date(2025, 3, 1), date(2025, 3, 31)) == {V11: 1, V12: 0, V21: 0, V22: 0}
    assert attending(date(2024, 12, 1), date(2025, 1, 31)) == {V11: 2, V12: 1, V21: 0, V22: 0}


def _count_statements(engine, fn) -> int:
    seen = []

    def listener(*args):
        seen.append(1)

    sa.event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def test_by_child_runs_a_constant_number_of_statements(engine):
    def county_with(n_townships: int) -> int:
        b = WarehouseBuilder()
        b.area(COUNTY, 1)
        for t in range(n_townships):
            town = f"330281{101 + t}000"
            b.area(town, 1)
            b.area(town[:9] + "201", 1)
            b.meeting(town[:9] + "201", "2025-01-05")
        b.write(engine, clear=True)
        return _count_statements(engine, lambda: metrics.figures_by_child(engine, COUNTY, *Q1))

    assert county_with(2) == county_with(7)


def _party_sql(engine, fn) -> str:
    """The statement `fn` sent that counts Party members attending."""
    (statement,) = [s for s in statements_sent(engine, fn) if "mart_party_attendance" in s]
    return statement


def test_each_kind_of_party_count_has_its_own_statement(county):
    council = Filters(form="council")
    # filtered, one scope or each child: count(DISTINCT person) (the previous-attendance
    # columns ignore the filters)
    alone = _party_sql(county, lambda: metrics.figures(county, COUNTY, *Q1, council))
    children = _party_sql(county, lambda: metrics.figures_by_child(county, COUNTY, *Q1, council))
    for statement in (alone, children):
        assert "count(DISTINCT mart_party_attendance.person_pk)" in statement
    assert "GROUP BY substr(mart_party_attendance.area_code, 1, 9)" in children
    # one village: count(DISTINCT person) too, over its few rows
    village = _party_sql(county, lambda: metrics.figures(county, V11, *Q1))
    assert "count(DISTINCT mart_party_attendance.person_pk)" in village
    # each village, unfiltered: the rows whose previous attendance there is before the start
    villages = _party_sql(county, lambda: metrics.figures_by_child(county, T1, *Q1))
    assert "mart_party_attendance.prev_12 <" in villages and "DISTINCT" not in villages
    # their values: test_by_child_equals_each_child_as_a_scope


def test_monthly_series_equals_each_month(county):
    series = metrics.monthly_series(county, COUNTY, date(2025, 1, 1), date(2025, 4, 15))
    assert [s["month"] for s in series] == ["2025-01", "2025-02", "2025-03", "2025-04"]
    for s in series:
        single = metrics.figures(county, COUNTY, s["from"], s["to"])
        assert s["as_of"] == single["as_of"]
        for key in FIGURES:
            assert s[key] == single[key], (s["month"], key)
    assert series[-1]["as_of"] == date(2025, 4, 10)  # April: cut at the last load
    some = metrics.monthly_series(county, T1, *Q1, keys=["meetings", "regularity"])
    assert [s["meetings"] for s in some] == [2, 2, 1]
    assert "party_led_rate" not in some[0]


def test_the_monthly_series_of_the_longest_period_an_address_takes(county):
    """?from=2000-01-01&to=2999-12-31 is a valid address: its 12,000 months in one UNION
    ALL were more than SQLite takes (500) and PostgreSQL's stack depth allows, so the
    trend charts failed after up to a minute; the months go in statements of a bounded
    number."""
    series = metrics.monthly_series(
        county, T1, date(2000, 1, 1), date(2999, 12, 31), keys=["meetings", "regularity"]
    )
    assert len(series) == 12_000
    assert (series[0]["month"], series[-1]["month"]) == ("2000-01", "2999-12")
    # T1's six meetings: 2024-12-20; 2025-01-10, 01-20; 02-01, 02-14; 03-05
    months = series[299:304]
    assert [s["month"] for s in months] == ["2024-12", "2025-01", "2025-02", "2025-03", "2025-04"]
    assert [s["meetings"] for s in months] == [1, 2, 2, 1, 0]
    assert sum(s["meetings"] for s in series) == 6


def test_stale_marts_are_refused_until_rebuilt(county):
    before = metrics.figures(county, V22, date(2025, 4, 1), date(2025, 4, 30))["meetings"]
    add_meeting_without_marts(county, date(2025, 4, 3))  # a load that forgot the marts
    with county.connect() as conn:
        assert not marts.is_fresh(conn)
    with pytest.raises(metrics.StaleMarts, match="xieshang marts rebuild"):
        metrics.figures(county, V22, date(2025, 4, 1), date(2025, 4, 30))
    marts.rebuild(county)  # what `xieshang marts rebuild` runs
    after = metrics.figures(county, V22, date(2025, 4, 1), date(2025, 4, 30))
    assert after["meetings"] == before + 1
    with county.connect() as conn:
        assert marts.is_fresh(conn)


def test_roster_helpers(county):
    assert metrics.root_area(county) == COUNTY
    assert metrics.children(county, COUNTY) == [(T1, "101镇"), (T2, "102镇")]
    assert metrics.children(county, "330281101") == [(V11, "101镇201村"), (V12, "101镇202村")]
    assert metrics.last_load_day(county) == date(2025, 4, 10)


def test_arguments_are_checked(county):
    with pytest.raises(metrics.UnknownScope):
        metrics.figures(county, "330281999000", *Q1)
    with pytest.raises(ValueError, match="ends"):
        metrics.figures(county, COUNTY, date(2025, 2, 1), date(2025, 1, 1))
    with pytest.raises(ValueError, match="6, 9 or 12 digits"):
        metrics.figures(county, "33028", *Q1)
    with pytest.raises(ValueError, match="unknown figure"):
        metrics.figures(county, COUNTY, *Q1, keys=["nope"])
    assert metrics.figures(county, "330281", *Q1)["scope"] == COUNTY  # padded


def test_kpi_json_shape(county):
    out = metrics.kpi_json(county, COUNTY, *Q1)
    assert list(out) == ["scope", "from", "to", "as_of", *FIGURES]
    assert out["from"] == "2025-01-01" and out["as_of"] == "2025-03-31"
    assert out["implementation_rate"] == approx(4 / 6)


def test_marts_of_another_layout_are_recreated(county):
    before = metrics.figures(county, COUNTY, *Q1)
    with county.begin() as conn:  # as if written by another release
        conn.execute(
            sa.update(schema.meta).where(schema.meta.c.key == marts.VERSION_KEY).values(value="0")
        )
        marts.refresh(conn)
        version = conn.execute(
            sa.select(schema.meta.c.value).where(schema.meta.c.key == marts.VERSION_KEY)
        ).scalar()
    assert version == str(marts.MARTS_VERSION)
    assert metrics.figures(county, COUNTY, *Q1) == before
