"""Data-quality signals (xieshang.metrics.quality) on hand-made warehouses."""

from __future__ import annotations

from datetime import date, datetime

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
    build_county,
    small_county,
)
from tests.helpers.city import CITY, COUNTY_A, COUNTY_B, TOWN_B1, write_city
from tests.helpers.inbox_files import write_csv
from tests.helpers.minimal_inbox import ATTENDANCE_HEADER, MEETING_HEADER, ROSTER_HEADER, load
from xieshang import marts
from xieshang.metrics import quality
from xieshang.warehouse import schema
from xieshang.warehouse.codes import township_of


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

    # both kinds in one list: newest first, then area, resolution, kind
    events = quality.resolution_events(engine, COUNTY)
    assert [
        (r["updated_on"].isoformat(), r["resolution_id"], r["kind"], r["old_value"], r["new_value"])
        for r in events
    ] == [
        ("2025-04-07", "R11", "due_later", "2025-05-20", "2025-06-20"),
        ("2025-04-06", "R11", "due_later", "2025-04-20", "2025-05-20"),
        ("2025-04-06", "R11", "status_backwards", "in_progress", "not_started"),
        ("2025-03-25", "R2", "status_backwards", "implemented", "in_progress"),
    ]
    assert [(r["area_code"], r["township_code"]) for r in events[2:]] == [(V22, T2), (V11, T1)]
    assert events[1]["previous_updated_on"] == date(2025, 4, 5)
    assert [r["resolution_id"] for r in quality.resolution_events(engine, T1)] == ["R2"]
    assert quality.resolution_events(engine, V21) == []

    summary = quality.summary(engine, COUNTY, *april)
    in_april = quality.resolution_events(engine, COUNTY, *april)
    assert len(in_april) == summary["status_regressions"] + summary["due_dates_moved_later"]
    assert summary == {
        "party_participation_over_100": 1,
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
    # a village: only rows of its own area code (these rejects have none; the held rows
    # are V21's)
    assert quality.held_and_rejected(engine, V12) == []
    assert quality.held_and_rejected(engine, V21) == [
        {
            "township_code": T2,
            "area_name": "102镇",
            "held": 3,
            "rejected": 0,
            "rejected_last_run": 0,
        }
    ]


def _runs(conn, *runs: tuple[str, int, str]) -> None:
    """load_runs (run_id, day of May 2025 it finished, status), and the marts rebuilt as
    a load leaves them."""
    conn.execute(
        sa.insert(schema.load_runs),
        [
            dict(
                run_id=run_id,
                started_at=datetime(2025, 5, day),
                finished_at=datetime(2025, 5, day, 1),
                loaded_on=date(2025, 5, day),
                inbox="x",
                operator="x",
                status=status,
                report="{}",
            )
            for run_id, day, status in runs
        ],
    )
    marts.refresh(conn)


def test_rejects_superseded_by_a_file_read_again(engine):
    # run-a reads a.csv b.csv c.csv d.csv; run-b reads a fixed a.csv and finds b.csv
    # unchanged; run-c reads nothing but rejects a row of c.csv held since run-a (its
    # meeting arrived); run-d read d.csv again but failed
    small_county().write(engine)
    with engine.begin() as conn:
        _runs(conn, ("run-a", 1, "committed"), ("run-b", 2, "committed"))
        _runs(conn, ("run-c", 3, "committed"), ("run-d", 4, "failed"))
        files = [
            ("run-a", "a.csv", "loaded"),
            ("run-a", "b.csv", "loaded"),
            ("run-a", "c.csv", "loaded"),
            ("run-a", "d.csv", "loaded"),
            ("run-b", "a.csv", "loaded"),
            ("run-b", "b.csv", "unchanged"),
            ("run-d", "d.csv", "loaded"),
        ]
        conn.execute(
            sa.insert(schema.load_files),
            [dict(run_id=r, path=p, status=s) for r, p, s in files],
        )
        # (run, file, row, township, area code: None when the code itself was bad)
        rejects = [
            ("run-a", "a.csv", 2, T1, V12),
            ("run-a", "a.csv", 3, T2, None),
            ("run-a", "b.csv", 2, T1, None),
            ("run-a", "c.csv", 2, T2, None),
            ("run-a", "d.csv", 2, None, None),
            ("run-b", "a.csv", 3, T2, None),  # still wrong after the fix
            ("run-c", "c.csv", 5, T2, None),
        ]
        conn.execute(
            sa.insert(schema.rejects),
            [
                dict(
                    run_id=run,
                    kind="meetings",
                    path=path,
                    row_number=row,
                    rule="missing",
                    reason_zh="必填项为空",
                    reason_en="required value is empty",
                    township_code=town,
                    area_code=area,
                )
                for run, path, row, town, area in rejects
            ],
        )

    def listed(scope, include_superseded=False):
        rows = quality.rejected_rows(engine, scope, None, include_superseded)
        assert quality.rejected_count(engine, scope, include_superseded) == len(rows)
        return [(r["run_id"], r["path"], r["row_number"], r["superseded"]) for r in rows]

    # only run-a's a.csv rows are superseded: the others' files were not read again
    # after their run (b.csv unchanged, c.csv not at all, d.csv only in a failed run)
    assert listed(COUNTY) == [
        ("run-c", "c.csv", 5, False),
        ("run-b", "a.csv", 3, False),
        ("run-a", "b.csv", 2, False),
        ("run-a", "c.csv", 2, False),
        ("run-a", "d.csv", 2, False),
    ]
    assert listed(COUNTY, include_superseded=True) == [
        ("run-c", "c.csv", 5, False),
        ("run-b", "a.csv", 3, False),
        ("run-a", "a.csv", 2, True),
        ("run-a", "a.csv", 3, True),
        ("run-a", "b.csv", 2, False),
        ("run-a", "c.csv", 2, False),
        ("run-a", "d.csv", 2, False),
    ]
    assert listed(T1) == [("run-a", "b.csv", 2, False)]
    # a village lists its own rows only, not its township's rows of unknown area
    assert listed(V12, include_superseded=True) == [("run-a", "a.csv", 2, True)]
    assert listed(V12) == []
    assert [r[:3] for r in listed(T2)] == [
        ("run-c", "c.csv", 5),
        ("run-b", "a.csv", 3),
        ("run-a", "c.csv", 2),
    ]
    assert len(quality.rejected_rows(engine, COUNTY, limit=2)) == 2

    def per_township(include_superseded):
        rows = quality.held_and_rejected(engine, COUNTY, include_superseded)
        return [(r["township_code"], r["rejected"], r["rejected_last_run"]) for r in rows]

    # the last committed run is run-c (run-d failed)
    assert per_township(False) == [(T1, 1, 0), (T2, 3, 1), (None, 1, 0)]
    assert per_township(True) == [(T1, 2, 0), (T2, 4, 1), (None, 1, 0)]
    # the summary counts what rejected_rows lists
    assert quality.summary(engine, T2, *Q1)["rejected_rows"] == 3
    assert quality.summary(engine, T2, *Q1, include_superseded=True)["rejected_rows"] == 4


def test_a_marked_workbook_supersedes_the_file_it_answers(engine):
    # run-a reads a.csv (two rows rejected); staff fix the marked-up workbook of its
    # rejects, which names a.csv as the file it replaces, and send it under another name
    small_county().write(engine)
    marked = "西城街道-拒收行-a-2025-05-02.xlsx"
    with engine.begin() as conn:
        _runs(conn, ("run-a", 1, "committed"), ("run-b", 2, "committed"))
        conn.execute(
            sa.insert(schema.load_files),
            [
                dict(run_id="run-a", path="a.csv", status="loaded", replaces=None),
                dict(run_id="run-b", path=marked, status="loaded", replaces="a.csv"),
            ],
        )
        conn.execute(
            sa.insert(schema.rejects),
            [
                dict(
                    run_id=run,
                    kind="meetings",
                    path=path,
                    row_number=row,
                    rule="missing",
                    reason_zh="必填项为空",
                    reason_en="required value is empty",
                    township_code=T1,
                )
                for run, path, row in (
                    ("run-a", "a.csv", 2),
                    ("run-a", "a.csv", 3),
                    ("run-b", marked, 2),
                )
            ],
        )
    rows = quality.rejected_rows(engine, COUNTY, None, include_superseded=True)
    assert [(r["path"], r["row_number"], r["superseded"]) for r in rows] == [
        (marked, 2, False),
        ("a.csv", 2, True),
        ("a.csv", 3, True),
    ]
    assert quality.rejected_count(engine, T1) == 1


def test_held_rows_one_by_one(engine):
    small_county().write(engine)
    person = "ab" * 32  # a hashed person id, as the loader keeps it
    with engine.begin() as conn:
        _runs(conn, ("run-a", 1, "committed"))
        held = [
            # kind, area, meeting, file, sheet, row, run
            ("attendance", V21, "M9", "c-attendance.xlsx", "s2", 4, "run-a"),
            ("attendance", V11, "M8", "c-attendance.xlsx", "s1", 7, "run-a"),
            ("resolutions", V11, "M8", "a-resolutions.csv", None, 3, "run-a"),
            ("attendance", T2, "M7", "c-attendance.xlsx", "s1", 2, "run-a"),
            ("resolutions", COUNTY, "M6", "b-county.csv", None, 2, "run-gone"),
        ]
        conn.execute(
            sa.insert(schema.held_rows),
            [
                dict(
                    kind=kind,
                    row_key=f"{area}|{meeting}|{person}",
                    area_code=area,
                    meeting_id=meeting,
                    township_code=township_of(area),
                    run_id=run,
                    path=path,
                    sheet=sheet,
                    row_number=row,
                    payload=f'{{"person_hash": "{person}"}}',
                )
                for kind, area, meeting, path, sheet, row, run in held
            ],
        )

    def listed(scope):
        rows = quality.held_rows(engine, scope)
        assert quality.held_count(engine, scope) == len(rows)
        return [(r["path"], r["sheet"], r["row_number"]) for r in rows]

    rows = quality.held_rows(engine, COUNTY)
    # by file, sheet and row; the county's own row (township unknown) too
    assert [(r["path"], r["sheet"], r["row_number"], r["area_code"]) for r in rows] == [
        ("a-resolutions.csv", None, 3, V11),
        ("b-county.csv", None, 2, COUNTY),
        ("c-attendance.xlsx", "s1", 2, T2),
        ("c-attendance.xlsx", "s1", 7, V11),
        ("c-attendance.xlsx", "s2", 4, V21),
    ]
    assert rows[3] == {
        "kind": "attendance",
        "area_code": V11,
        "area_name": "101镇201村",
        "township_code": T1,
        "township_name": "101镇",
        "meeting_id": "M8",
        "path": "c-attendance.xlsx",
        "sheet": "s1",
        "row_number": 7,
        "run_id": "run-a",
        "loaded_on": date(2025, 5, 1),
        "reason_zh": "会议尚未报送（暂存，待会议报送后自动关联）",
        "reason_en": "unknown meeting (held until it arrives)",
    }
    # a run no longer in load_runs loses the date, not the row
    assert (rows[1]["township_code"], rows[1]["loaded_on"]) == (None, None)
    assert not any(person in str(r) for r in rows)
    # a village sees its own rows, a township its villages' and its own
    assert listed(V11) == [("a-resolutions.csv", None, 3), ("c-attendance.xlsx", "s1", 7)]
    assert {r["township_name"] for r in quality.held_rows(engine, V11)} == {"101镇"}
    assert listed(V12) == []
    assert listed(T2) == [("c-attendance.xlsx", "s1", 2), ("c-attendance.xlsx", "s2", 4)]
    assert len(quality.held_rows(engine, COUNTY, limit=2)) == 2
    assert quality.summary(engine, T1, *Q1)["held_rows"] == 2


def test_overdue_resolutions_read_the_report_valid_on_as_of(engine):
    b = small_county()
    m = b.meeting(V11, "2025-01-10")
    b.report(m, "R9", "2025-02-01", due="2025-02-15", content="修路", unit="村委会")
    b.report(m, "R9", "2025-03-01", due="2025-02-15", content="修路并亮化", unit="镇交通办")
    b.report(m, "R8", "2025-02-01", due="2025-03-10", content="清淤")
    b.load_run("2025-03-31")
    b.write(engine)
    march = quality.overdue_resolutions(engine, COUNTY, date(2025, 3, 1), date(2025, 3, 31))
    # as_of 03-31: R9 is 44 days late, R8 21; R9 as its 03-01 report words it
    assert [
        (r["resolution_id"], r["days_late"], r["content"], r["responsible_unit"]) for r in march
    ] == [("R9", 44, "修路并亮化", "镇交通办"), ("R8", 21, "清淤", "单位")]
    # as_of 02-20: R8 not due yet; R9 (5 days late) as its 02-01 report had it
    feb = quality.overdue_resolutions(engine, COUNTY, date(2025, 2, 1), date(2025, 2, 20))
    assert [(r["resolution_id"], r["days_late"], r["content"]) for r in feb] == [("R9", 5, "修路")]


def test_the_overdue_list_cut_by_the_database_is_the_head_of_the_whole_list(engine):
    b = small_county()
    m = b.meeting(V11, "2025-01-10")
    # due 02-10, 02-10, 02-20, 03-01: on 03-31 late 49, 49, 39, 30 days
    for rid, due in (("R3", "2025-02-10"), ("R1", "2025-02-10"), ("R2", "2025-02-20")):
        b.report(m, rid, "2025-02-01", due=due)
    b.report(b.meeting(V12, "2025-01-12"), "R0", "2025-02-01", due="2025-03-01")
    b.load_run("2025-03-31")
    b.write(engine)
    march = (date(2025, 3, 1), date(2025, 3, 31))

    def listed(limit):
        rows = quality.overdue_resolutions(engine, COUNTY, *march, limit=limit)
        return [(r["area_code"], r["resolution_id"], r["days_late"]) for r in rows]

    whole = [(V11, "R1", 49), (V11, "R3", 49), (V11, "R2", 39), (V12, "R0", 30)]
    assert listed(None) == whole
    assert [listed(n) for n in (0, 1, 2, 3)] == [whole[:n] for n in (0, 1, 2, 3)]
    assert quality.overdue_count(engine, COUNTY, *march) == 4
    assert quality.overdue_count(engine, V12, *march) == 1
    # on 02-11 only the two due 02-10; on 02-10 none (due, not overdue)
    assert quality.overdue_count(engine, COUNTY, date(2025, 2, 1), date(2025, 2, 11)) == 2
    assert quality.overdue_count(engine, COUNTY, date(2025, 2, 1), date(2025, 2, 10)) == 0


def test_a_county_organs_own_rows_are_listed_at_its_scope(engine):
    # 乙县's own office (本级, no township) sent a rejected row and a held one; at 乙县's
    # scope in the city they are listed and counted as the 报送情况 grid counts them
    write_city(engine)
    with engine.begin() as conn:
        _runs(conn, ("run-a", 1, "committed"))
        conn.execute(
            sa.insert(schema.rejects).values(
                run_id="run-a",
                kind="meetings",
                path="乙县本级会议.csv",
                row_number=2,
                rule="bad_vocab",
                reason_zh="不在规定取值范围内",
                reason_en="not one of the allowed values",
                area_code=COUNTY_B,
                township_code=None,
            )
        )
        conn.execute(
            sa.insert(schema.held_rows).values(
                kind="attendance",
                row_key=f"{COUNTY_B}|XY-1|{'ab' * 32}",
                area_code=COUNTY_B,
                meeting_id="XY-1",
                township_code=None,
                run_id="run-a",
                path="乙县本级签到.csv",
                row_number=2,
                payload="{}",
            )
        )
    for scope in (COUNTY_B, CITY):
        assert quality.rejected_count(engine, scope) == 1
        assert quality.held_count(engine, scope) == 1
        (reject,) = quality.rejected_rows(engine, scope)
        (held,) = quality.held_rows(engine, scope)
        assert reject["township_name"] == held["township_name"] == "乙县（本级）"
        assert quality.held_and_rejected(engine, scope) == [
            {
                "township_code": COUNTY_B,
                "area_name": "乙县（本级）",
                "held": 1,
                "rejected": 1,
                "rejected_last_run": 1,
            }
        ]
    assert quality.rejected_count(engine, COUNTY_A) == 0
    assert quality.held_and_rejected(engine, TOWN_B1) == []


def test_a_city_lists_its_counties_above_100_percent(engine, tmp_path):
    """A county over 100% is a data-quality signal at the city's scope too, as the
    counties' ranking there marks it: 甲县's organs held a meeting of 5 Party members,
    and the county registers 0 + 2 (its town) + 2 (its village) = 4, so 5/4 = 125%;
    its town and village held none (0%), the city 5 / (100 + 4 + 10) = 4.4%."""
    inbox = tmp_path / "inbox"
    write_csv(
        inbox / "区划名册.csv",
        [
            ROSTER_HEADER,
            [CITY, "明州市", "", "", 100, ""],
            [COUNTY_A, "甲县", CITY, "", 0, ""],
            ["330281101000", "甲一镇", COUNTY_A, "", 2, ""],
            ["330281101201", "甲一村", "330281101000", "", 2, ""],
            [COUNTY_B, "乙县", CITY, "", 10, ""],
        ],
    )
    write_csv(
        inbox / "会议台账.csv",
        [MEETING_HEADER, ["HY-1", COUNTY_A, "2025-03-08", "议事会", "河道", "", "", "是", ""]],
    )
    attendance = [["HY-1", COUNTY_A, f"P{i}", "", "是", "人大代表"] for i in range(5)]
    write_csv(inbox / "参会签到.csv", [ATTENDANCE_HEADER, *attendance])
    load(engine, inbox, today=date(2025, 3, 31))
    q1 = (date(2025, 1, 1), date(2025, 3, 31))

    over = quality.party_participation_over_100(engine, CITY, *q1)
    assert over == [
        {
            "area_code": COUNTY_A,
            "area_name": "甲县",
            "level": "county",
            "party_members_attending": 5,
            "party_members_registered": 4,
            "party_participation_rate": 1.25,
        }
    ]
    assert quality.summary(engine, CITY, *q1)["party_participation_over_100"] == 1
    assert quality.party_participation_over_100(engine, COUNTY_A, *q1) == over
