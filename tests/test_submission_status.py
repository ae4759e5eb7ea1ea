"""报送情况 (metrics.submissions.submission_status) on 清河县 as loaded by
tests/helpers/submitted_county.py: every cell of the grid worked out by hand from its two
runs, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers.components import text
from tests.helpers.inbox_files import write_csv
from tests.helpers.submitted_county import (
    ATTENDANCE,
    COUNTY,
    DECEMBER_DAY,
    DECEMBER_SHOWN,
    JANUARY_DAY,
    JANUARY_SHOWN,
    MEETING_HEADER,
    RESOLUTION_HEADER,
    SECRET,
    T1,
    T2,
    V1,
    V2,
    V3,
    V4,
    load_december,
    load_january,
)
from xieshang.dashboard.views import status_grid
from xieshang.dashboard.views import submit as submit_view
from xieshang.etl.load import run_load
from xieshang.metrics import quality
from xieshang.metrics.areas import UnknownScope
from xieshang.metrics.submissions import Status, submission_status
from xieshang.warehouse import schema
from xieshang.warehouse.engine import make_engine

DEC, JAN = DECEMBER_SHOWN, JANUARY_SHOWN
ALL_MISSING = [(kind, "missing", 0, 0, None) for kind in ("meetings", "attendance", "resolutions")]
NONE_HELD = [(kind, "no_meeting", 0, 0, None) for kind in ("meetings", "attendance", "resolutions")]


def cells(status: Status) -> list[tuple]:
    return [
        (r["area_code"], r["kind"], r["state"], r["accepted"], r["rejected"], r["received_at"])
        for r in status.rows
    ]


def unit(code: str, cells_of_kinds: list[tuple]) -> list[tuple]:
    return [(code, *cell) for cell in cells_of_kinds]


@pytest.fixture
def december(shared_warehouse):
    return shared_warehouse(load_december)


@pytest.fixture
def january(shared_warehouse):
    return shared_warehouse(load_january)


def test_township_in_december(december):
    """Run 1 only. 城关街道 as a whole: meetings HY-1…3 accepted, HY-4 (茶话会) and HY-5
    (bad code, 城关街道's by its folder) rejected; attendance 2 accepted + 1 rejected; JY-1.
    新华社区 sent everything; 解放社区's only attendee was rejected and it has no
    resolution; 和平社区 is in none of the township's files."""
    status = submission_status(december, "2025-12", "330281001")
    assert (status.month, status.scope, status.note) == ("2025-12", T1, None)
    assert cells(status) == [
        *unit(T1, [("meetings", "received", 3, 2, DEC)]),
        *unit(T1, [("attendance", "received", 2, 1, DEC), ("resolutions", "received", 1, 0, DEC)]),
        *unit(V1, [("meetings", "received", 2, 0, DEC), ("attendance", "received", 2, 0, DEC)]),
        *unit(V1, [("resolutions", "received", 1, 0, DEC)]),
        *unit(V2, [("meetings", "received", 1, 1, DEC), ("attendance", "rejected", 0, 1, DEC)]),
        *unit(V2, [("resolutions", "no_meeting", 0, 0, None)]),
        *unit(V3, NONE_HELD),
    ]


def test_rows_carry_names_levels_and_labels(december):
    rows = {(r["area_code"], r["kind"]): r for r in submission_status(december, "2025-12", T1).rows}
    assert rows[(V2, "attendance")] == {
        "area_code": V2,
        "area_name": "解放社区",
        "area_name_en": "解放社区",
        "level": "village",
        "kind": "attendance",
        "state": "rejected",
        "state_zh": "全部拒收",
        "state_en": "all rows rejected",
        "received_at": DECEMBER_SHOWN,
        "accepted": 0,
        "rejected": 1,
        "held": 0,
    }
    assert (rows[(T1, "meetings")]["area_name"], rows[(T1, "meetings")]["level"]) == (
        "城关街道",
        "township",
    )
    labels = {(r["kind"], r["state"]): (r["state_zh"], r["state_en"]) for r in rows.values()}
    assert labels == {
        ("meetings", "received"): ("已报送", "received"),
        ("attendance", "received"): ("已报送", "received"),
        ("resolutions", "received"): ("已报送", "received"),
        ("attendance", "rejected"): ("全部拒收", "all rows rejected"),
        ("meetings", "no_meeting"): ("已报送·本月无会议", "submitted, no meeting held"),
        ("attendance", "no_meeting"): ("已报送·无签到", "submitted, no attendance"),
        ("resolutions", "no_meeting"): ("已报送·无决议", "submitted, no resolution reports"),
    }


def test_county_lists_its_townships(december):
    """The root (the default scope): 城关街道 with everything below it; 东湖镇 sent
    nothing, which is "not submitted", not "none held"."""
    status = submission_status(december, "2025-12")
    assert status.scope == COUNTY
    assert cells(status) == [
        *unit(T1, [("meetings", "received", 3, 2, DEC), ("attendance", "received", 2, 1, DEC)]),
        *unit(T1, [("resolutions", "received", 1, 0, DEC)]),
        *unit(T2, ALL_MISSING),
    ]
    assert [r["state_zh"] for r in status.rows[3:]] == ["未报送"] * 3
    assert {r["state_en"] for r in status.rows[3:]} == {"not submitted"}


def test_a_county_organ_that_hosts_meetings_is_a_unit_of_its_own(engine, tmp_path):
    """清河县 itself held a meeting in November and sent nothing for December: at the
    county's scope its own row (县本级) says so, counting only its own code's rows;
    城关街道's December files are its own, not the county organ's."""
    load_december(engine, tmp_path)
    november = tmp_path / "november"
    write_csv(
        november / "会议台账-2025-11.csv",
        [
            MEETING_HEADER,
            ["XY-1", COUNTY, "2025-11-20", "联席会议", "防汛", "公共安全", "上级交办", "是", "否"],
        ],
    )
    report = run_load(engine, november, secret=SECRET, today=DECEMBER_DAY)
    assert report["kinds"]["meetings"]["inserted"] == 1
    december = submission_status(engine, "2025-12")
    assert [(r["area_code"], r["area_name"], r["area_name_en"]) for r in december.rows[::3]] == [
        (COUNTY, "清河县（本级）", "清河县 (own level)"),
        (T1, "城关街道", "城关街道"),
        (T2, "东湖镇", "东湖镇"),
    ]
    grid = status_grid.units(december, "en")
    assert [u["area_name"] for u in grid] == ["清河县 (own level)", "城关街道", "东湖镇"]
    assert cells(december)[:3] == unit(COUNTY, ALL_MISSING)
    at = submission_status(engine, "2025-11").rows[0]
    assert (at["area_code"], at["kind"], at["state"], at["accepted"]) == (
        COUNTY,
        "meetings",
        "received",
        1,
    )
    # a township's grid has no such row; nor a county whose organ never hosted one
    assert submission_status(engine, "2025-12", T1).rows[0]["area_code"] == T1


def test_a_row_another_township_sent_is_not_the_villages_own_ledger(engine, tmp_path):
    """城关街道's staff send a December meeting of 柳树村 (东湖镇's): rejected 超出本乡镇范围
    and kept as 城关街道's, it counts in 城关街道's own row, not as 柳树村's ledger —
    柳树村 still sent nothing."""
    load_december(engine, tmp_path)
    sent = tmp_path / "sent" / "城关街道"
    write_csv(
        sent / "会议台账-补报.csv",
        [MEETING_HEADER, ["HY-40", V4, "2025-12-15", "议事会", "修路", "", "", "是", "否"]],
    )
    report = run_load(engine, sent.parent, secret=SECRET, today=DECEMBER_DAY, township=T1)
    assert report["kinds"]["meetings"]["rejected"] == 1
    assert cells(submission_status(engine, "2025-12", T2))[:1] == [
        (T2, "meetings", "missing", 0, 0, None)
    ]
    assert cells(submission_status(engine, "2025-12", V4))[:1] == [
        (V4, "meetings", "missing", 0, 0, None)
    ]
    township = cells(submission_status(engine, "2025-12", T1))[0]
    assert township[:5] == (T1, "meetings", "received", 3, 3)  # 2 of December's, this one


def test_a_row_rejected_for_its_date_counts_in_its_files_month(engine, tmp_path):
    """东湖镇 sends December's ledger on 2026-01-20, one meeting's date mistyped: the row
    has no month of its own, so it counts in its file's (December's, the month of the
    file's other row), not in the month of the run — January's grid said 全部拒收 for a
    month nothing was sent for, and December's had one reject too few."""
    load_december(engine, tmp_path)
    sent = tmp_path / "late" / "东湖镇"
    write_csv(
        sent / "会议台账-12月.csv",
        [
            MEETING_HEADER,
            ["HY-41", V4, "2025-12-15", "议事会", "修路", "", "", "是", "否"],
            ["HY-42", V4, "2025-13-01", "议事会", "修桥", "", "", "是", "否"],
        ],
    )
    report = run_load(engine, sent.parent, secret=SECRET, today=JANUARY_DAY, township=T2)
    assert report["kinds"]["meetings"]["rejected"] == 1
    assert cells(submission_status(engine, "2026-01", V4))[:1] == [
        (V4, "meetings", "missing", 0, 0, None)
    ]
    december = cells(submission_status(engine, "2025-12", V4))[0]
    assert december[:5] == (V4, "meetings", "received", 1, 1)


def test_rows_waiting_for_their_meeting_were_sent(engine, tmp_path):
    """东湖镇 sends, on 2026-01-20, a report of 柳树村 updated 2025-12-20 and a sign-in row,
    both of HY-77, a meeting not sent yet: held, they count as sent — the report in
    December (its update), the sign-in row in January (its run: its meeting's month is
    not known yet) — not as 未报送."""
    load_december(engine, tmp_path)
    sent = tmp_path / "held" / "东湖镇"
    report = ["JY-77", "HY-77", V4, "修桥", "村委会", "2026-03-31", "推进中", "", "2025-12-20"]
    write_csv(sent / "决议落实-12月.csv", [RESOLUTION_HEADER, report + ["", "", ""]])
    write_csv(
        sent / "参会签到-1月.csv",
        [ATTENDANCE[0], ["HY-77", V4, "330281199001010099", "丁", "是", "村民代表"]],
    )
    done = run_load(engine, sent.parent, secret=SECRET, today=JANUARY_DAY, township=T2)
    assert [done["kinds"][k]["held"] for k in ("attendance", "resolutions")] == [1, 1]
    december = cells(submission_status(engine, "2025-12", T2))
    at = december[2][-1]
    assert at is not None and december == [
        (T2, "meetings", "missing", 0, 0, None),
        (T2, "attendance", "missing", 0, 0, None),
        (T2, "resolutions", "held", 0, 0, at),
        (V4, "meetings", "missing", 0, 0, None),
        (V4, "attendance", "missing", 0, 0, None),
        (V4, "resolutions", "held", 0, 0, at),
    ]
    january = submission_status(engine, "2026-01", T2).rows
    assert [(r["kind"], r["state"], r["held"]) for r in january if r["area_code"] == V4] == [
        ("meetings", "missing", 0),
        ("attendance", "held", 1),
        ("resolutions", "missing", 0),
    ]
    assert (january[4]["state_zh"], january[4]["state_en"]) == (
        "已报送·待匹配会议",
        "sent, waiting for its meeting",
    )


def test_a_held_row_sent_again_later_stays_in_the_month_it_first_came(engine, tmp_path):
    """柳树村's sign-in row of HY-77 (not sent yet) came on 2026-01-20 and came again,
    with one row more, on 2026-02-10: January's cell still says it was sent, and the
    held list's 首次暂存日 is January's."""
    load_december(engine, tmp_path)
    sent = tmp_path / "held" / "东湖镇" / "参会签到.csv"
    first = ["HY-77", V4, "330281199001010099", "丁", "是", "村民代表"]
    write_csv(sent, [ATTENDANCE[0], first])
    run_load(engine, sent.parent.parent, secret=SECRET, today=JANUARY_DAY, township=T2)
    second = ["HY-77", V4, "330281199001010098", "戊", "否", "村民代表"]
    write_csv(sent, [ATTENDANCE[0], first, second])
    february = date(2026, 2, 10)
    run_load(engine, sent.parent.parent, secret=SECRET, today=february, township=T2)

    def held(month: str) -> list[tuple]:
        rows = submission_status(engine, month, V4).rows
        return [(r["kind"], r["state"], r["held"]) for r in rows if r["kind"] == "attendance"]

    assert held("2026-01") == [("attendance", "held", 1)]
    assert held("2026-02") == [("attendance", "held", 1)]
    listed = {r["loaded_on"] for r in quality.held_rows(engine, V4)}
    assert listed == {JANUARY_DAY, february}


def _held_cells(engine, month: str, scope: str) -> list[tuple]:
    """(area, state, accepted, rejected, held) of the scope's sign-in cells for `month`."""
    rows = submission_status(engine, month, scope).rows
    return [
        (r["area_code"], r["state"], r["accepted"], r["rejected"], r["held"])
        for r in rows
        if r["kind"] == "attendance"
    ]


def _held_months(engine) -> list[tuple]:
    """(meeting, month) of every held sign-in row, as stored."""
    held = schema.held_rows
    query = (
        sa.select(held.c.meeting_id, held.c.month)
        .where(held.c.kind == "attendance")
        .order_by(held.c.meeting_id, held.c.row_number)
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def _signed(meeting: str, area: str, n: int, name: str) -> list:
    return [meeting, area, f"3302811990010101{n:02d}", name, "否", "居民代表"]


def test_a_held_sign_in_row_counts_in_its_files_month(engine, tmp_path):
    """城关街道 sends December's sign-in sheet on 2026-01-20: a third attendee of HY-1
    (新华社区, 2025-12-03) and two of HY-20 (和平社区), a meeting not sent yet. The two
    held rows have no date of their own; their file's other row is December's, so they
    count in December (和平社区 held 2, the township 3 accepted, 1 rejected, 2 held), not
    in January, the month of the run (which said so, and December said 和平社区 sent no
    attendance)."""
    load_december(engine, tmp_path)
    sent = tmp_path / "late" / "城关街道"
    write_csv(
        sent / "参会签到-12月.csv",
        [
            ATTENDANCE[0],
            _signed("HY-1", V1, 21, "丁"),
            _signed("HY-20", V3, 22, "戊"),
            _signed("HY-20", V3, 23, "己"),
        ],
    )
    report = run_load(engine, sent.parent, secret=SECRET, today=JANUARY_DAY, township=T1)
    attendance = report["kinds"]["attendance"]
    assert (attendance["inserted"], attendance["held"]) == (1, 2)
    assert _held_months(engine) == [("HY-20", 202512), ("HY-20", 202512)]
    assert _held_cells(engine, "2025-12", T1) == [
        (T1, "received", 3, 1, 2),
        (V1, "received", 3, 0, 0),
        (V2, "rejected", 0, 1, 0),
        (V3, "held", 0, 0, 2),
    ]
    assert _held_cells(engine, "2026-01", T1) == [
        (T1, "missing", 0, 0, 0),
        (V1, "missing", 0, 0, 0),
        (V2, "missing", 0, 0, 0),
        (V3, "missing", 0, 0, 0),
    ]


def test_a_held_sign_in_row_of_a_file_without_one_month_counts_in_its_run_s(engine, tmp_path):
    """On 2026-02-10 城关街道 sends January's ledger (HY-30 of 和平社区, 2026-01-05), a
    sign-in sheet all of HY-21 (not sent yet: no month in the file) and one of HY-1
    (December), HY-30 (January) and HY-22 (not sent yet: the file has two months). Both
    held rows count in February, the month of the run, as before: 和平社区 held 2 there,
    none in December or January."""
    load_december(engine, tmp_path)
    sent = tmp_path / "february" / "城关街道"
    write_csv(
        sent / "会议台账-2026-01.csv",
        [MEETING_HEADER, ["HY-30", V3, "2026-01-05", "议事会", "修路", "", "", "是", "否"]],
    )
    write_csv(sent / "参会签到-补.csv", [ATTENDANCE[0], _signed("HY-21", V3, 31, "庚")])
    write_csv(
        sent / "参会签到-混.csv",
        [
            ATTENDANCE[0],
            _signed("HY-1", V1, 32, "辛"),
            _signed("HY-30", V3, 33, "壬"),
            _signed("HY-22", V3, 34, "癸"),
        ],
    )
    report = run_load(engine, sent.parent, secret=SECRET, today=date(2026, 2, 10), township=T1)
    attendance = report["kinds"]["attendance"]
    assert (attendance["inserted"], attendance["held"]) == (2, 2)
    assert _held_months(engine) == [("HY-21", None), ("HY-22", None)]
    assert _held_cells(engine, "2026-02", V3) == [(V3, "held", 0, 0, 2)]
    assert _held_cells(engine, "2026-01", V3) == [(V3, "received", 1, 0, 0)]
    assert _held_cells(engine, "2025-12", V3) == [(V3, "no_meeting", 0, 0, 0)]


def test_a_held_sign_in_row_sent_again_keeps_its_month_or_takes_an_earlier_one(engine, tmp_path):
    """On 2026-01-20 城关街道 sends December's sheet (HY-1's attendee and 和平社区's HY-20:
    held, December) and a sheet all of HY-21 (held, no month: January, its run's). On
    2026-02-10 it sends February's ledger (HY-31 of 新华社区, 2026-02-03) and a sheet of
    HY-31's attendee with HY-20's and HY-21's rows again (one month: February): HY-20
    keeps December; HY-21 takes no month later than January, when it came, so stays
    there. On 2026-03-02 a sheet of December's HY-1, HY-21's row again and HY-23's
    (new): both are December's, and 和平社区's December has its 3 held rows, January and
    March none."""
    load_december(engine, tmp_path)
    january = tmp_path / "january" / "城关街道"
    write_csv(
        january / "参会签到-12月.csv",
        [ATTENDANCE[0], _signed("HY-1", V1, 41, "丁"), _signed("HY-20", V3, 42, "戊")],
    )
    write_csv(january / "参会签到-补.csv", [ATTENDANCE[0], _signed("HY-21", V3, 43, "己")])
    run_load(engine, january.parent, secret=SECRET, today=JANUARY_DAY, township=T1)
    assert _held_months(engine) == [("HY-20", 202512), ("HY-21", None)]
    assert [c[-1] for c in _held_cells(engine, "2025-12", V3)] == [1]
    assert [c[-1] for c in _held_cells(engine, "2026-01", V3)] == [1]

    february = tmp_path / "february" / "城关街道"
    write_csv(
        february / "会议台账-2026-02.csv",
        [MEETING_HEADER, ["HY-31", V1, "2026-02-03", "议事会", "修桥", "", "", "是", "否"]],
    )
    write_csv(
        february / "参会签到-2月.csv",
        [
            ATTENDANCE[0],
            _signed("HY-31", V1, 44, "庚"),
            _signed("HY-20", V3, 42, "戊"),
            _signed("HY-21", V3, 43, "己"),
        ],
    )
    run_load(engine, february.parent, secret=SECRET, today=date(2026, 2, 10), township=T1)
    assert _held_months(engine) == [("HY-20", 202512), ("HY-21", None)]
    assert [c[-1] for c in _held_cells(engine, "2025-12", V3)] == [1]
    assert [c[-1] for c in _held_cells(engine, "2026-01", V3)] == [1]
    assert [c[-1] for c in _held_cells(engine, "2026-02", V3)] == [0]

    march = tmp_path / "march" / "城关街道"
    write_csv(
        march / "参会签到-12月补.csv",
        [
            ATTENDANCE[0],
            _signed("HY-1", V1, 45, "辛"),
            _signed("HY-21", V3, 43, "己"),
            _signed("HY-23", V3, 46, "壬"),
        ],
    )
    run_load(engine, march.parent, secret=SECRET, today=date(2026, 3, 2), township=T1)
    assert _held_months(engine) == [("HY-20", 202512), ("HY-21", 202512), ("HY-23", 202512)]
    assert _held_cells(engine, "2025-12", V3) == [(V3, "held", 0, 0, 3)]
    assert _held_cells(engine, "2026-01", V3) == [(V3, "missing", 0, 0, 0)]
    assert _held_cells(engine, "2026-03", V3) == [(V3, "missing", 0, 0, 0)]


def test_a_village_alone(december):
    """和平社区: its township sent every kind, so "none held"; 柳树村: its township sent
    nothing, so "not submitted"; 新华社区 its own counts."""
    assert cells(submission_status(december, "2025-12", V3)) == unit(V3, NONE_HELD)
    assert cells(submission_status(december, "2025-12", V4)) == unit(V4, ALL_MISSING)
    assert cells(submission_status(december, "2025-12", V1)) == unit(
        V1,
        [
            ("meetings", "received", 2, 0, DEC),
            ("attendance", "received", 2, 0, DEC),
            ("resolutions", "received", 1, 0, DEC),
        ],
    )


def test_a_resubmitted_file_supersedes_its_rejects(january):
    """Run 2 read 会议台账-2025-12.csv again: HY-4 and HY-5's rejects are gone, HY-4 is
    accepted (written by run 2, so 解放社区's meetings were received in January); HY-11,
    a December row sent in January's file, is rejected for 和平社区's December."""
    assert cells(submission_status(january, "2025-12", T1)) == [
        *unit(T1, [("meetings", "received", 4, 1, JAN), ("attendance", "received", 2, 1, DEC)]),
        *unit(T1, [("resolutions", "received", 1, 0, DEC)]),
        *unit(V1, [("meetings", "received", 2, 0, DEC), ("attendance", "received", 2, 0, DEC)]),
        *unit(V1, [("resolutions", "received", 1, 0, DEC)]),
        *unit(V2, [("meetings", "received", 2, 0, JAN), ("attendance", "rejected", 0, 1, DEC)]),
        *unit(V2, [("resolutions", "no_meeting", 0, 0, None)]),
        *unit(V3, [("meetings", "rejected", 0, 1, JAN), ("attendance", "no_meeting", 0, 0, None)]),
        *unit(V3, [("resolutions", "no_meeting", 0, 0, None)]),
    ]


def test_january(january):
    """HY-10 accepted and HY-12 (no valid date: counted in its run's month) rejected for
    和平社区; JY-1's January report for 新华社区; no attendance file at all."""
    no_attendance = ("attendance", "missing", 0, 0, None)
    assert cells(submission_status(january, "2026-01", T1)) == [
        *unit(T1, [("meetings", "received", 1, 1, JAN), no_attendance]),
        *unit(T1, [("resolutions", "received", 1, 0, JAN)]),
        *unit(V1, [("meetings", "no_meeting", 0, 0, None), no_attendance]),
        *unit(V1, [("resolutions", "received", 1, 0, JAN)]),
        *unit(V2, [("meetings", "no_meeting", 0, 0, None), no_attendance]),
        *unit(V2, [("resolutions", "no_meeting", 0, 0, None)]),
        *unit(V3, [("meetings", "received", 1, 1, JAN), no_attendance]),
        *unit(V3, [("resolutions", "no_meeting", 0, 0, None)]),
    ]
    assert cells(submission_status(january, "2026-01")) == [
        *unit(T1, [("meetings", "received", 1, 1, JAN), no_attendance]),
        *unit(T1, [("resolutions", "received", 1, 0, JAN)]),
        *unit(T2, ALL_MISSING),
    ]


BEFORE = "数据始于 2025-12，此前没有报送记录 data begin in 2025-12: nothing was submitted before"


def test_months_outside_the_data_have_a_note_and_no_rows(december, january):
    for engine, month, scope in [(december, "2025-11", None), (january, "1999-01", V1)]:
        assert submission_status(engine, month, scope).note == BEFORE
        assert submission_status(engine, month, scope).rows == []
    after = submission_status(december, "2026-01", T1)
    assert (after.month, after.scope, after.rows) == ("2026-01", T1, [])
    assert after.note == (
        "最近一次导入在 2025-12-31，2026-01 还没有报送记录 "
        "the last load was on 2025-12-31: nothing was submitted for 2026-01 yet"
    )
    assert submission_status(january, "2026-02").note == (
        "最近一次导入在 2026-01-20，2026-02 还没有报送记录 "
        "the last load was on 2026-01-20: nothing was submitted for 2026-02 yet"
    )


def test_an_empty_warehouse(engine):
    status = submission_status(engine, "2025-12")
    assert status == Status(
        "2025-12",
        None,
        "仓库中还没有会议，没有报送记录 the warehouse holds no meetings yet: nothing was submitted",
        [],
    )


def test_a_page_says_the_note_in_its_language(engine):
    """报送情况 on 数据报送 and 数据质量 showed the command line's note in both languages
    (仓库中还没有会议，没有报送记录 the warehouse holds no meetings yet: …) on a Chinese
    page and on an English one alike."""
    status = submission_status(engine, "2025-12")
    assert status.note_in("zh") == "仓库中还没有会议，没有报送记录"
    assert status.note_in("en") == "the warehouse holds no meetings yet: nothing was submitted"
    rows, _, note = submit_view.build_status(engine, None, "2025-12", "en")
    assert rows == [] and text(note) == "the warehouse holds no meetings yet: nothing was submitted"
    assert text(submit_view.build_status(engine, None, "2025-12", "zh")[2]) == (
        "仓库中还没有会议，没有报送记录"
    )


@pytest.mark.parametrize("month", ["2025-13", "202512", "2025-1", "2025-00", "十二月"])
def test_a_malformed_month_is_one_line_with_the_fix(december, month):
    with pytest.raises(ValueError) as raised:
        submission_status(december, month)
    assert str(raised.value) == (
        f"月份 {month!r} 应写作 YYYY-MM，如 2025-12 month {month!r} must be YYYY-MM, e.g. 2025-12"
    )


def test_an_unknown_scope(december):
    with pytest.raises(UnknownScope, match="330281999000 is not in the roster"):
        submission_status(december, "2025-12", "330281999")


def test_a_few_grouped_queries_whatever_the_units(december):
    """Nine statements for a village, a township or the county (the root, the scope, the
    data's months, the units, one per kind accepted, the rejects, the held rows): none
    per unit."""
    engine = make_engine(december.url.render_as_string(hide_password=False))
    submission_status(engine, "2025-12")  # the first connection's own statements aside
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    counts = []
    for scope in (V3, T1, COUNTY):
        statements.clear()
        submission_status(engine, "2025-12", scope)
        counts.append(len(statements))
    engine.dispose()
    assert counts == [9, 9, 9]
