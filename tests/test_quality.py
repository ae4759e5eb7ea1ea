"""Data-quality signals (xieshang.quality) on hand-made warehouses."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from tests.test_metrics import Q1, T1, T2, V11, V12, V21, V22, build_county
from tests.warehouse_builder import COUNTY, small_county
from xieshang import quality, schema


def test_signals(engine):
    b = build_county()
    # V22 registers 10 members; 12 more attend in April besides pat (m9): 130%
    m = b.meeting(V22, "2025-04-03")
    for i in range(12):
        b.attend(m, f"member{i}", party=True)
    # R11: in_progress -> not_started (backwards) and a due date moved later twice
    b.report(m, "R11", "2025-04-05", status="in_progress", due="2025-04-20")
    b.report(m, "R11", "2025-04-06", status="not_started", due="2025-05-20")
    b.report(m, "R11", "2025-04-07", status="not_started", due="2025-06-20")
    b.write(engine)

    april = (date(2025, 4, 1), date(2025, 4, 30))
    over = quality.party_participation_over_100(engine, COUNTY, *april)
    assert [(r["area_code"], r["level"]) for r in over] == [(V22, "village")]
    assert over[0]["party_participation_rate"] == 1.3
    assert over[0]["party_members_attending"] == 13
    assert quality.party_participation_over_100(engine, V22, *april)[0]["area_code"] == V22
    assert quality.party_participation_over_100(engine, COUNTY, *Q1) == []

    # Q1: 4 villages x 3 months, meetings in (V11,1) (V11,3) (V12,2) (V21,3)
    missing = quality.missing_months(engine, COUNTY, *Q1)
    assert [(r["month"], r["area_code"]) for r in missing] == [
        ("2025-01", V12),
        ("2025-01", V21),
        ("2025-01", V22),
        ("2025-02", V11),
        ("2025-02", V21),
        ("2025-02", V22),
        ("2025-03", V12),
        ("2025-03", V22),
    ]
    assert missing[0]["township_code"] == T1
    # a month cut by the period: only its days count (V11 met on 01-10 and 01-20)
    cut = quality.missing_months(engine, V11, date(2025, 1, 11), date(2025, 1, 19))
    assert [(r["month"], r["area_code"]) for r in cut] == [("2025-01", V11)]

    back = quality.status_regressions(engine, COUNTY)
    assert [(r["resolution_id"], r["old_value"], r["new_value"]) for r in back] == [
        ("R11", "in_progress", "not_started"),
        ("R2", "implemented", "in_progress"),
    ]
    assert back[1]["updated_on"] == date(2025, 3, 25)
    assert back[1]["previous_updated_on"] == date(2025, 2, 25)
    assert back[1]["meeting_id"] == "M1" and back[1]["area_name"] == "101镇201村"
    assert quality.status_regressions(engine, V21) == []
    assert len(quality.status_regressions(engine, T2)) == 1
    assert len(quality.status_regressions(engine, COUNTY, *Q1)) == 1

    later = quality.due_dates_moved_later(engine, COUNTY)
    assert [(r["old_value"], r["new_value"]) for r in later] == [
        ("2025-05-20", "2025-06-20"),
        ("2025-04-20", "2025-05-20"),
    ]
    assert quality.due_dates_moved_later(engine, T1) == []

    summary = quality.summary(engine, COUNTY, *april)
    assert summary == {
        "party_participation_over_100": 1,
        "missing_months": 3,  # V11 V12 V21 held nothing in April
        "held_rows": 0,
        "rejected_rows": 0,
        "status_regressions": 1,
        "due_dates_moved_later": 2,
    }


def test_held_and_rejected_per_township(engine):
    small_county().write(engine)
    with engine.begin() as conn:
        for run_id, day in (("run-a", 1), ("run-b", 2)):
            conn.execute(
                sa.insert(schema.load_runs).values(
                    run_id=run_id,
                    started_at=datetime(2025, 5, day),
                    finished_at=datetime(2025, 5, day),
                    loaded_on=date(2025, 5, day),
                    inbox="x",
                    operator="x",
                    status="committed",
                    report="{}",
                )
            )
        rejects = [
            ("run-a", T1),
            ("run-a", T1),
            ("run-b", T1),
            ("run-b", T2),
            ("run-b", None),
        ]
        conn.execute(
            sa.insert(schema.rejects),
            [
                dict(
                    run_id=run,
                    kind="meetings",
                    path="a.csv",
                    row_number=i + 2,
                    rule="missing",
                    reason_zh="必填项为空",
                    reason_en="required value is empty",
                    township_code=town,
                )
                for i, (run, town) in enumerate(rejects)
            ],
        )
        conn.execute(
            sa.insert(schema.held_rows),
            [
                dict(
                    kind="attendance",
                    row_key=f"k{i}",
                    area_code=V21,
                    meeting_id="M9",
                    township_code=T2,
                    run_id="run-b",
                    path="b.csv",
                    row_number=i + 2,
                    payload="{}",
                )
                for i in range(3)
            ],
        )
    rows = quality.held_and_rejected(engine)
    assert rows == [
        {
            "township_code": T1,
            "area_name": "101镇",
            "held": 0,
            "rejected": 3,
            "rejected_last_run": 1,
        },
        {
            "township_code": T2,
            "area_name": "102镇",
            "held": 3,
            "rejected": 1,
            "rejected_last_run": 1,
        },
        {
            "township_code": None,
            "area_name": None,
            "held": 0,
            "rejected": 1,
            "rejected_last_run": 1,
        },
    ]
    assert [r["township_code"] for r in quality.held_and_rejected(engine, T2)] == [T2]
    assert [r["township_code"] for r in quality.held_and_rejected(engine, V12)] == [T1]
