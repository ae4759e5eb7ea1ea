"""示范县 (330281000000), written with the WarehouseBuilder: two townships (101镇, 102镇) of
two villages each (`small_county`), and on it the meetings, attendance and resolution
reports of `build_county`, whose figures tests/test_metrics.py works out by hand.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tests.helpers.warehouse_builder import WarehouseBuilder
from xieshang.warehouse import schema
from xieshang.warehouse.codes import month_key

COUNTY = "330281000000"
T1, V11, V12 = "330281101000", "330281101201", "330281101202"
T2, V21, V22 = "330281102000", "330281102201", "330281102202"
Q1 = (date(2025, 1, 1), date(2025, 3, 31))


def small_county(b: WarehouseBuilder | None = None) -> WarehouseBuilder:
    """A county with two townships of two villages each (codes above)."""
    b = b or WarehouseBuilder()
    b.area(COUNTY, party_members=10, name="示范县")
    for t in ("101", "102"):
        b.area(f"330281{t}000", party_members=4, name=f"{t}镇")
        for v in ("201", "202"):
            b.area(f"330281{t}{v}", party_members=10, name=f"{t}镇{v}村")
    return b


def build_county() -> WarehouseBuilder:
    """Party members: county 10, each township 4, each village 10 (58 in all)."""
    b = small_county()
    m1 = b.meeting(V11, "2025-01-10", form="council", category="roads", led=True)
    m2 = b.meeting(V11, "2025-01-20", form="forum", category="other", led=False, online=True)
    m3 = b.meeting(V11, "2025-03-05", form="council", category="roads", led=True)
    m4 = b.meeting(V12, "2025-02-14", form="hearing", category="environment", led=True)
    m5 = b.meeting(T1, "2025-02-01", form="council", category="other", led=True)  # its own
    m6 = b.meeting(V21, "2025-03-31", form="council", category="roads", led=False)
    m7 = b.meeting(COUNTY, "2025-01-15", form="forum", category="other", led=True)
    m8 = b.meeting(V11, "2024-12-20", form="council", category="roads", led=True)  # before
    m9 = b.meeting(V22, "2025-04-02", form="council", category="roads", led=True)  # after

    for person, party, cat in [
        ("alice", True, "resident_rep"),
        ("bob", False, "npc_deputy"),
        ("carol", True, "cppcc_member"),
        ("dave", False, "resident"),
    ]:
        b.attend(m1, person, party=party, category=cat)  # 3 stakeholder categories
    b.attend(m2, "alice", party=True, category="resident_rep")
    b.attend(m2, "erin", party=False, category="grid_worker")  # 2 categories
    # m3: no attendance rows (0 categories)
    for person, party, cat in [
        ("frank", True, "social_org"),
        ("gina", False, "mass_org"),
        ("hank", False, "local_worthy"),
        ("ivy", False, "other"),
    ]:
        b.attend(m4, person, party=party, category=cat)  # 3 categories
    b.attend(m5, "alice", party=True, category="cadre")
    b.attend(m5, "judy", party=True, category="cadre")  # 0 categories
    for person, party, cat in [
        ("ken", True, "property_co"),
        ("leo", False, "owners_committee"),
        ("mia", False, "resident"),
        ("ned", True, "resident"),
    ]:
        b.attend(m6, person, party=party, category=cat)  # 2 categories
    b.attend(m7, "oscar", party=True, category="cadre")
    b.attend(m7, "alice", party=True, category="cadre")
    b.attend(m8, "alice", party=True, category="resident_rep")  # outside Q1
    b.attend(m9, "pat", party=True, category="npc_deputy")  # outside Q1

    # R1: older meeting, implemented on time, 62 days, satisfaction 90
    b.report(m8, "R1", "2025-01-25", status="in_progress", due="2025-02-28")
    b.report(
        m8,
        "R1",
        "2025-02-25",
        status="implemented",
        due="2025-02-28",
        completed="2025-02-20",
        satisfaction=90,
    )
    # R2: implemented, then back to in_progress: latest wins -> open and overdue on 03-31
    b.report(m1, "R2", "2025-01-25", status="not_started", due="2025-03-15")
    b.report(
        m1,
        "R2",
        "2025-02-25",
        status="implemented",
        due="2025-03-15",
        completed="2025-02-24",
        satisfaction=50,
    )
    b.report(m1, "R2", "2025-03-25", status="in_progress", due="2025-03-15")
    # R3: due exactly on as_of (due, not overdue); implemented only after as_of
    b.report(m1, "R3", "2025-02-25", status="in_progress", due="2025-03-31")
    b.report(
        m1,
        "R3",
        "2025-04-05",
        status="implemented",
        due="2025-03-31",
        completed="2025-04-01",
        satisfaction=60,
    )
    # R4: implemented late (24 days), escalated to the township, satisfaction 70
    b.report(
        m4,
        "R4",
        "2025-03-25",
        status="implemented",
        due="2025-03-01",
        completed="2025-03-10",
        satisfaction=70,
        escalated_to=T1,
    )
    # R5: cancelled: counts nowhere
    b.report(m5, "R5", "2025-02-25", status="cancelled", due="2025-03-20")
    # R6: first reported after as_of: does not exist on 03-31
    b.report(m6, "R6", "2025-04-05", status="in_progress", due="2025-04-30")
    # R7: county's own meeting, implemented late (64 days), no satisfaction score
    b.report(m7, "R7", "2025-01-25", status="in_progress", due="2025-02-10")
    b.report(m7, "R7", "2025-03-25", status="implemented", due="2025-02-10", completed="2025-03-20")
    # R8: old backlog, open and overdue since 2024
    b.report(m8, "R8", "2024-12-25", status="in_progress", due="2024-12-31")
    # R9: due after the period, escalated to the county
    b.report(m2, "R9", "2025-01-25", status="in_progress", due="2025-06-30", escalated_to=COUNTY)
    # R10: implemented on time (15 days), satisfaction 80
    b.report(
        m3,
        "R10",
        "2025-03-25",
        status="implemented",
        due="2025-03-31",
        completed="2025-03-20",
        satisfaction=80,
    )

    b.load_run("2025-04-10")  # the last committed load
    b.load_run("2025-06-01", status="failed")  # ignored
    return b


def add_meeting_without_marts(engine: sa.Engine, meeting_date: date) -> None:
    """What a load that forgot the marts leaves: a new meeting of V22 and a committed run,
    the marts untouched (so they are stale)."""
    with engine.begin() as conn:
        conn.execute(
            sa.insert(schema.meetings).values(
                id=100,
                area_code=V22,
                meeting_id="LATE",
                meeting_date=meeting_date,
                month=month_key(meeting_date),
                form="council",
                topic="t",
                topic_category="other",
                topic_source="other",
                led_by_party=True,
                online=False,
                run_id="r2",
            )
        )
        conn.execute(
            sa.insert(schema.load_runs).values(
                run_id="r2",
                started_at=sa.func.now(),
                finished_at=sa.func.now(),
                loaded_on=date(2025, 4, 20),
                inbox="x",
                operator="x",
                status="committed",
                report="{}",
            )
        )
