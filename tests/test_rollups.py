"""The marts' county rollups (schema.mart_county_days, mart_county_party): their rows for
明州市 (tests/helpers/city.py) and two February meetings, worked out by hand; which
computations read them (an unfiltered county or city, or its counties, every period
starting on the first of a month) and which do not; and that every figure read through
them equals the figure read from the marts themselves. On SQLite and PostgreSQL. (That a
load's update writes them as a rebuild does: tests/test_marts_incremental.py.)
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers.city import (
    CITY,
    COUNTY_A,
    COUNTY_B,
    TOWN_A1,
    VILLAGE_A1,
    VILLAGE_B1,
    build_city,
)
from tests.helpers.sent_sql import statements_sent
from xieshang import metrics
from xieshang.contract.columns import STAKEHOLDER_CATEGORIES
from xieshang.marts import PAST, to_day
from xieshang.metrics import Filters, compute, statements
from xieshang.warehouse import schema

JAN, FEB = date(2025, 1, 1), date(2025, 2, 1)
JAN_FEB = (JAN, date(2025, 2, 28))
A, B = COUNTY_A[:6], COUNTY_B[:6]


def _bits(*categories: str) -> int:
    return sum(1 << STAKEHOLDER_CATEGORIES.index(c) for c in categories)


def city_with_february(engine, directory=None) -> None:
    """明州市's January, and in February: alice (a Party member of 甲县's first meeting)
    at 乙一村 on 02-03 — her first in 乙县, her second in the city — and a second meeting
    of 甲一村 on 02-20, attended by alice again (a village's second meeting of a month
    is not its first)."""
    b = build_city()
    m4 = b.meeting(VILLAGE_B1, "2025-02-03", led=False)
    b.attend(m4, "alice", party=True, category="resident_rep")
    b.attend(m4, "ivan", category="mass_org")
    m5 = b.meeting(VILLAGE_A1, "2025-02-05", led=True)
    b.attend(m5, "bob", party=True, category="npc_deputy")
    m6 = b.meeting(VILLAGE_A1, "2025-02-20", led=True)
    b.attend(m6, "alice", party=True, category="resident_rep")
    b.load_run("2025-02-28")
    b.write(engine)


def _rows(engine, table) -> list[tuple]:
    with engine.connect() as conn:
        return conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()


def _day(text: str) -> int:
    return to_day(date.fromisoformat(text))


def _covered(n: int) -> tuple[int, ...]:
    """meetings_covered_1 … _10 of one meeting with n stakeholder categories."""
    return tuple(int(k <= n) for k in range(1, len(STAKEHOLDER_CATEGORIES) + 1))


@pytest.mark.warehouse(fill=city_with_february)
def test_the_county_days_are_the_hand_worked_ones(engine):
    # area, day, meetings, led, attendance rows, party rows, covered_1…10, mask,
    # village firsts, due, implemented, on time, resolutions of the meetings, escalated
    meeting_day = {
        # 甲一村 01-10: alice (P, resident_rep), bob (P, npc_deputy), carol (cppcc_member);
        # R1 (due 01-20, implemented 01-18) is of this meeting
        (A, "2025-01-10"): (1, 1, 3, 2, *_covered(3))
        + (_bits("resident_rep", "npc_deputy", "cppcc_member"), 1, 0, 0, 0, 1, 0),
        (A, "2025-01-12"): (1, 0, 1, 1, *_covered(1)) + (_bits("resident_rep"), 1, 0, 0, 0, 0, 0),
        (A, "2025-01-20"): (0, 0, 0, 0, *_covered(0)) + (0, 0, 1, 1, 1, 0, 0),  # R1 due
        # 甲一村's first February meeting, then its second (no village first)
        (A, "2025-02-05"): (1, 1, 1, 1, *_covered(1)) + (_bits("npc_deputy"), 1, 0, 0, 0, 0, 0),
        (A, "2025-02-20"): (1, 1, 1, 1, *_covered(1)) + (_bits("resident_rep"), 0, 0, 0, 0, 0, 0),
        # 乙一村 01-15: erin, frank, gina (P: resident_rep, grid_worker, social_org), hank
        # (resident, not a stakeholder category); R2 (due 01-25, in progress)
        (B, "2025-01-15"): (1, 1, 4, 3, *_covered(3))
        + (_bits("resident_rep", "grid_worker", "social_org"), 1, 0, 0, 0, 1, 0),
        (B, "2025-01-25"): (0, 0, 0, 0, *_covered(0)) + (0, 0, 1, 0, 0, 0, 0),  # R2 due
        (B, "2025-02-03"): (1, 0, 2, 1, *_covered(2))
        + (_bits("resident_rep", "mass_org"), 1, 0, 0, 0, 0, 0),
    }
    want = sorted((area, _day(day), *sums) for (area, day), sums in meeting_day.items())
    assert _rows(engine, schema.mart_county_days) == want


@pytest.mark.warehouse(fill=city_with_february)
def test_the_county_party_rows_bucket_the_previous_attendance_by_month(engine):
    jan = _day("2025-01-01")
    rows = {  # (area, day) -> (Party rows with prev_4 before, … with prev_6 before)
        # January: everyone's first attendance anywhere
        (A, "2025-01-10"): ({PAST: 2}, {PAST: 2}),
        (A, "2025-01-12"): ({PAST: 1}, {PAST: 1}),
        (B, "2025-01-15"): ({PAST: 3}, {PAST: 3}),
        # alice at 乙一村: her second in the city (after 01-10), her first in 乙县
        (B, "2025-02-03"): ({jan: 1}, {PAST: 1}),
        # bob's second, in 甲县; alice's third in the city, second in 甲县 (after 01-10)
        (A, "2025-02-05"): ({jan: 1}, {jan: 1}),
        (A, "2025-02-20"): ({_day("2025-02-01"): 1}, {jan: 1}),
    }
    want = sorted(
        (area, _day(day), width, prev_month, n)
        for (area, day), by_width in rows.items()
        for width, buckets in zip((4, 6), by_width, strict=True)
        for prev_month, n in buckets.items()
    )
    assert _rows(engine, schema.mart_county_party) == want


def _reads_rollups(engine, action) -> bool:
    return any("mart_county_" in statement for statement in statements_sent(engine, action))


@pytest.mark.warehouse(fill=city_with_february)
def test_only_unfiltered_counties_and_cities_from_a_month_s_first_day_read_the_rollups(engine):
    period = JAN_FEB
    mid = (date(2025, 1, 11), date(2025, 2, 28))
    form = Filters(form="council")
    read = [
        ("city", lambda: metrics.figures(engine, CITY, *period), True),
        ("county", lambda: metrics.figures(engine, COUNTY_A, *period), True),
        ("city by county", lambda: metrics.figures_by_child(engine, CITY, *period), True),
        ("months", lambda: metrics.monthly_series(engine, CITY, *period), True),
        ("from the 11th", lambda: metrics.figures(engine, CITY, *mid), False),
        ("months from the 11th", lambda: metrics.monthly_series(engine, CITY, *mid), False),
        ("filtered", lambda: metrics.figures(engine, CITY, *period, form), False),
        ("township", lambda: metrics.figures(engine, TOWN_A1, *period), False),
        ("county by township", lambda: metrics.figures_by_child(engine, COUNTY_A, *period), False),
    ]
    assert {name: _reads_rollups(engine, call) for name, call, _ in read} == {
        name: want for name, _, want in read
    }


class _FromTheMarts(statements.Shape):
    """A Shape that never reads the rollups."""

    @classmethod
    def of(cls, *args, **kwargs):
        return statements.Shape.of(*args[:7], month_starts=False)


PERIODS = [
    (date(2025, 1, 1), date(2025, 1, 31)),
    (date(2025, 2, 1), date(2025, 2, 28)),
    JAN_FEB,
    (date(2025, 1, 1), date(2025, 1, 20)),  # as_of before R2's due day
    (date(2025, 2, 1), date(2025, 2, 4)),
    (date(2024, 12, 1), date(2025, 3, 31)),
]


@pytest.mark.warehouse(fill=city_with_february)
def test_every_figure_through_the_rollups_is_the_marts_own(engine, monkeypatch):
    def every():
        out = []
        for start, end in PERIODS:
            for scope in (CITY, COUNTY_A, COUNTY_B):
                out.append(metrics.figures(engine, scope, start, end))
                out.append(metrics.monthly_series(engine, scope, start, end))
            out.append(metrics.figures_by_child(engine, CITY, start, end))
        return out

    through_rollups = every()
    monkeypatch.setattr(compute, "Shape", _FromTheMarts)
    assert not _reads_rollups(engine, lambda: metrics.figures(engine, CITY, *JAN_FEB))
    assert through_rollups == every()
    # and the hand-worked ones: alice counts once in the city, once in each county
    city = metrics.figures(engine, CITY, *JAN_FEB)
    assert city["counts"]["party_members_attending"] == 6
    assert [c["counts"]["party_members_attending"] for c in through_rollups[-1]] == [3, 4]
    feb = metrics.figures_by_child(engine, CITY, *PERIODS[1])
    assert [c["counts"]["party_members_attending"] for c in feb] == [2, 1]
    assert city["counts"]["village_months_with_meeting"] == 5  # 甲一村 twice in February
    assert city["counts"]["meetings"] == 6 and city["counts"]["stakeholder_categories"] == 6


@pytest.mark.warehouse(fill=city_with_february)
def test_the_coverage_threshold_is_read_when_a_figure_is_computed(engine, monkeypatch):
    # meetings with 3, 1, 3, 2, 1, 1 categories: covered at 2 → 3, at 3 → 2, at 4 → 0
    covered = {}
    for threshold in (0, 2, 3, 4, 11):
        monkeypatch.setattr(statements, "STAKEHOLDER_THRESHOLD", threshold)
        statements.statements_for.cache_clear()
        covered[threshold] = metrics.figures(engine, CITY, *JAN_FEB)["counts"]["meetings_covered"]
    statements.statements_for.cache_clear()
    assert covered == {0: 6, 2: 3, 3: 2, 4: 0, 11: 0}
