"""Property test: on small random warehouses, every figure of xieshang.metrics (SQL over
the marts) equals the plain pandas reference written from metrics.md
(tests/metrics_reference.py), for one scope, for every child and for every month.
"""

from __future__ import annotations

import dataclasses
import math
import os
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.builder_county import COUNTY
from tests.helpers.warehouse_builder import WarehouseBuilder
from tests.metrics_reference import reference
from xieshang import metrics
from xieshang.metrics import FIGURES, Filters

DAY0 = date(2025, 1, 1)
SPAN = 150  # days of activity
AREAS = [
    (COUNTY, "county"),
    ("330281101000", "township"),
    ("330281101201", "village"),
    ("330281101202", "village"),
    ("330281102000", "township"),
    ("330281102201", "village"),
]
PERSONS = ["p1", "p2", "p3", "p4", "p5", "p6"]
CATEGORIES = ["resident_rep", "npc_deputy", "cppcc_member", "grid_worker", "resident", "other"]
STATUSES = ["not_started", "in_progress", "implemented", "cancelled"]


def day(n: int) -> date:
    return DAY0 + timedelta(days=n)


@st.composite
def warehouses(draw):
    b = WarehouseBuilder()
    for code, _ in AREAS:
        b.area(code, party_members=draw(st.integers(0, 3)))
    n_meetings = draw(st.integers(0, 8))
    for _ in range(n_meetings):
        area = draw(st.sampled_from([code for code, _ in AREAS]))
        pk = b.meeting(
            area,
            day(draw(st.integers(0, SPAN))),
            form=draw(st.sampled_from(["council", "forum"])),
            category=draw(st.sampled_from(["roads", "other"])),
            led=draw(st.booleans()),
            online=draw(st.booleans()),
        )
        people = draw(st.lists(st.sampled_from(PERSONS), unique=True, max_size=5))
        for person in people:
            b.attend(
                pk,
                person,
                party=draw(st.booleans()),
                category=draw(st.sampled_from(CATEGORIES)),
            )
    for pk in range(1, n_meetings + 1):
        meeting_day = b.meetings[pk - 1]["meeting_date"]
        for r in range(draw(st.integers(0, 2))):
            offsets = draw(st.lists(st.integers(0, 120), unique=True, min_size=1, max_size=3))
            for offset in sorted(offsets):
                updated = meeting_day + timedelta(days=offset)
                status = draw(st.sampled_from(STATUSES))
                completed = None
                if status == "implemented" or draw(st.booleans()):
                    completed = meeting_day + timedelta(days=draw(st.integers(0, offset)))
                b.report(
                    pk,
                    f"R{pk}-{r}",
                    updated,
                    status=status,
                    due=meeting_day + timedelta(days=draw(st.integers(0, 90))),
                    completed=completed,
                    satisfaction=draw(st.one_of(st.none(), st.integers(0, 100))),
                    escalated_to=draw(st.sampled_from([None, COUNTY])),
                )
    for _ in range(draw(st.integers(0, 2))):
        b.load_run(
            day(draw(st.integers(0, SPAN + 60))),
            status=draw(st.sampled_from(["committed", "committed", "failed"])),
        )
    return b


@st.composite
def queries(draw):
    scope = draw(st.sampled_from([code for code, _ in AREAS]))
    start = draw(st.integers(-10, SPAN + 30))
    length = draw(st.integers(0, 130))
    filters = Filters(
        form=draw(st.sampled_from([None, None, "council", "forum"])),
        category=draw(st.sampled_from([None, None, "roads"])),
        online=draw(st.sampled_from([None, None, True, False])),
    )
    return scope, day(start), day(start + length), filters


def same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def compare(actual: dict, expected: dict, label) -> None:
    assert actual["as_of"] == expected["as_of"], label
    for key in FIGURES:
        assert same(actual[key], expected[key]), (label, key, actual[key], expected[key])


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@settings(
    max_examples=int(os.environ.get("XIESHANG_PROPERTY_EXAMPLES", "35")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(warehouse=warehouses(), query=queries())
def test_sql_equals_reference(engine, warehouse, query):
    warehouse.write(engine, clear=True)
    frames = warehouse.frames()
    scope, start, end, filters = query
    f = dataclasses.asdict(filters)

    result = metrics.figures(engine, scope, start, end, filters)
    compare(result, reference(frames, scope, start, end, **f), ("figures", scope))

    for row in metrics.figures_by_child(engine, scope, start, end, filters):
        expected = reference(frames, row["area_code"], start, end, **f)
        compare(row, expected, ("child", row["area_code"]))

    for row in metrics.monthly_series(engine, scope, start, end, filters):
        expected = reference(frames, scope, row["from"], row["to"], **f)
        compare(row, expected, ("month", row["month"]))
