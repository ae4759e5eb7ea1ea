"""metrics.days_to_implement_histogram: the (days, n) pairs behind median_days_to_implement,
hand-checked on the county of tests/helpers/builder_county.py and on the dashboard's small
county (tests/helpers/inbox_county.py), on SQLite and PostgreSQL.

Days are completed_date − meeting_date of the resolutions implemented on as_of with
completed_date in the period (builder_county.build_county):

    R1  m8  2024-12-20 → 2025-02-20   11 + 31 + 20 = 62
    R2  m1  2025-01-10 → 2025-02-24   21 + 24      = 45  (implemented on 02-28 only)
    R3  m1  2025-01-10 → 2025-04-01   21 + 28 + 31 + 1 = 81  (implemented from 04-05)
    R4  m4  2025-02-14 → 2025-03-10   14 + 10      = 24
    R7  m7  2025-01-15 → 2025-03-20   16 + 28 + 20 = 64  (the county's own meeting)
    R10 m3  2025-03-05 → 2025-03-20   15
    R11 m10 2025-03-05 → 2025-03-20   15  (added here: a second resolution of 15 days)
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers.builder_county import COUNTY, Q1, T1, T2, V11, V21, build_county
from tests.helpers.inbox_county import COUNTY as INBOX_COUNTY
from tests.helpers.inbox_county import DONGHU, load_county
from xieshang import metrics
from xieshang.metrics import Filters, days_to_implement_histogram


@pytest.fixture
def county(engine):
    b = build_county()
    m10 = b.meeting(V21, "2025-03-05", form="forum", category="roads", led=True)
    b.report(
        m10,
        "R11",
        "2025-03-25",
        status="implemented",
        due="2025-03-31",
        completed="2025-03-20",
        satisfaction=70,
    )
    b.write(engine)
    return engine


def median(engine, scope, start, end, filters=metrics.NO_FILTERS):
    return metrics.figures(engine, scope, start, end, filters, keys=["median_days_to_implement"])[
        "median_days_to_implement"
    ]


@pytest.mark.parametrize(
    ("scope", "start", "end", "expected", "middle"),
    [
        # Q1, as_of 03-31: R10 and R11 (15), R4, R1, R7; R2 is back in progress, R3 not
        # yet; five values, the third is 24
        (COUNTY, *Q1, [(15, 2), (24, 1), (62, 1), (64, 1)], 24.0),
        # the township: R7 is the county's own, R11 is in the other township
        (T1, *Q1, [(15, 1), (24, 1), (62, 1)], 24.0),
        (V11, *Q1, [(15, 1), (62, 1)], 38.5),  # R10 R1 (R4 is V12's)
        (T2, *Q1, [(15, 1)], 15.0),  # R11
        # the year, as_of the load of 04-10: R3 implemented on 04-01 counts now
        (
            COUNTY,
            date(2025, 1, 1),
            date(2025, 12, 31),
            [(15, 2), (24, 1), (62, 1), (64, 1), (81, 1)],
            43.0,  # six values: (24 + 62) / 2
        ),
        # February, before the last report (the historic mart): R2 and R1
        (V11, date(2025, 2, 1), date(2025, 2, 28), [(45, 1), (62, 1)], 53.5),
        # nothing completed in January
        (COUNTY, date(2025, 1, 1), date(2025, 1, 31), [], None),
    ],
)
def test_histogram_and_its_median(county, scope, start, end, expected, middle):
    pairs = days_to_implement_histogram(county, scope, start, end)
    assert pairs == expected
    assert metrics.median_of_histogram(pairs) == middle
    assert median(county, scope, start, end) == middle


def test_filters_narrow_the_meetings(county):
    council = Filters(form="council")
    # R1 (m8) and R10 (m3) come from council meetings; R4 (hearing), R7 and R11 (forum) not
    assert days_to_implement_histogram(county, COUNTY, *Q1, council) == [(15, 1), (62, 1)]
    assert median(county, COUNTY, *Q1, council) == 38.5


def test_bad_arguments(county):
    with pytest.raises(ValueError):
        days_to_implement_histogram(county, COUNTY, Q1[1], Q1[0])
    with pytest.raises(metrics.UnknownScope):
        days_to_implement_histogram(county, "330281999000", *Q1)


def test_the_dashboard_county(shared_warehouse):
    # tests/helpers/inbox_county.py: JY-1 (HY-1 2025-03-08 → 2025-05-20: 23 + 30 + 20 = 73) and
    # JY-3 (HY-4 2025-05-20 → 2025-06-12: 11 + 12 = 23) in the first half of 2025; JY-5
    # (HY-6 2024-11-15 → 2024-12-20: 15 + 20 = 35) in the half before
    engine = shared_warehouse(load_county)
    half = (date(2025, 1, 1), date(2025, 6, 30))
    assert days_to_implement_histogram(engine, INBOX_COUNTY, *half) == [(23, 1), (73, 1)]
    assert median(engine, INBOX_COUNTY, *half) == 48.0
    assert days_to_implement_histogram(engine, DONGHU, *half) == [(73, 1)]
    previous = (date(2024, 7, 4), date(2024, 12, 31))
    assert days_to_implement_histogram(engine, INBOX_COUNTY, *previous) == [(35, 1)]
