"""A rejected row fixed and sent again under another file name supersedes its reject.

Offices answer a rejects list with a corrected file of their own naming (会议台账-11月(改)
.csv), holding only the rows they fixed. Each reject keeps its row's key (rejects.row_key,
a person hashed); a later run that judges a row of that key again, accepted or rejected
anew, marks the reject superseded (rejects.superseded_by), so 数据质量 lists only what is
still wrong. Real loads of real CSV files, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import hmac

import sqlalchemy as sa

from tests.helpers.inbox_files import write_csv
from tests.helpers.minimal_inbox import (
    ATTENDANCE_HEADER,
    MEETING_HEADER,
    RESOLUTION_HEADER,
    SECRET,
    base_inbox,
    load,
)
from xieshang.etl.load import run_load
from xieshang.metrics import quality
from xieshang.warehouse import schema

COUNTY = "330281000000"
VILLAGE = "330281100201"
WANG_WU = "330281199001011236"


def _meeting(meeting_id: str, area: str, day: str, form: str = "议事会") -> list:
    return [meeting_id, area, day, form, "议题", "", "", "是", ""]


def _first_inbox(root):
    base_inbox(root)
    write_csv(
        root / "会议台账-11月.csv",
        [
            MEETING_HEADER,
            _meeting("HY-3", VILLAGE, "2025-02-30"),  # no such day
            _meeting("HY-4", VILLAGE, "2025-04-01", form="议论会"),  # no such form
            _meeting("HY-5", "3302811002", "2025-04-02"),  # a code cut short: no key
        ],
    )
    write_csv(
        root / "参会签到-11月.csv",
        [ATTENDANCE_HEADER, ["HY-1", VILLAGE, WANG_WU, "王五", "也许", "村民代表"]],
    )
    write_csv(
        root / "决议落实-11月.csv",
        [
            RESOLUTION_HEADER,
            ["JY-2", "HY-1", VILLAGE, "修桥", "村委会", "2025-05-31", "已落实", "", "2025-05-25"]
            + ["", "", ""],
        ],
    )
    return root


def _fixed_inbox(root):
    write_csv(
        root / "会议台账-11月(改).csv",
        [
            MEETING_HEADER,
            _meeting("HY-3", VILLAGE, "2025-03-30"),  # fixed
            _meeting("HY-4", VILLAGE, "2025-14-01"),  # its form fixed, a new mistake made
        ],
    )
    write_csv(
        root / "参会签到-11月(改).csv",
        [ATTENDANCE_HEADER, ["HY-1", VILLAGE, WANG_WU, "王五", "是", "村民代表"]],
    )
    return root


def _listed(engine, include_superseded=False):
    rows = quality.rejected_rows(engine, COUNTY, None, include_superseded)
    return sorted((r["path"], r["row_number"], r["rule"], r["superseded"]) for r in rows)


def _stored(engine):
    t = schema.rejects
    query = sa.select(t.c.path, t.c.row_number, t.c.row_key, t.c.superseded_by).order_by(t.c.id)
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def test_a_fixed_row_sent_under_another_name_supersedes_its_reject(engine, tmp_path):
    first = load(engine, _first_inbox(tmp_path / "first"))
    assert _listed(engine) == [
        ("会议台账-11月.csv", 2, "bad_date", False),
        ("会议台账-11月.csv", 3, "bad_vocab", False),
        ("会议台账-11月.csv", 4, "bad_code", False),
        ("决议落实-11月.csv", 2, "completed_missing", False),
        ("参会签到-11月.csv", 2, "bad_bool", False),
    ]
    hashed = hmac.new(SECRET, WANG_WU.encode(), hashlib.sha256).hexdigest()
    assert _stored(engine) == [
        ("会议台账-11月.csv", 2, f"{VILLAGE}|HY-3", None),
        ("会议台账-11月.csv", 3, f"{VILLAGE}|HY-4", None),
        ("会议台账-11月.csv", 4, None, None),
        ("决议落实-11月.csv", 2, f"{VILLAGE}|JY-2|2025-05-25", None),
        # the person's identifier as the warehouse keeps it: hashed, never as sent
        ("参会签到-11月.csv", 2, f"{VILLAGE}|HY-1|{hashed}", None),
    ]

    fixed = load(engine, _fixed_inbox(tmp_path / "fixed"))
    assert fixed["kinds"]["meetings"]["inserted"] == 1
    assert fixed["kinds"]["attendance"]["inserted"] == 1
    # still wrong: HY-4 (as the fixed file has it now), HY-5 and JY-2 (not sent again)
    assert _listed(engine) == [
        ("会议台账-11月(改).csv", 3, "bad_date", False),
        ("会议台账-11月.csv", 4, "bad_code", False),
        ("决议落实-11月.csv", 2, "completed_missing", False),
    ]
    assert _listed(engine, include_superseded=True) == [
        ("会议台账-11月(改).csv", 3, "bad_date", False),
        ("会议台账-11月.csv", 2, "bad_date", True),
        ("会议台账-11月.csv", 3, "bad_vocab", True),
        ("会议台账-11月.csv", 4, "bad_code", False),
        ("决议落实-11月.csv", 2, "completed_missing", False),
        ("参会签到-11月.csv", 2, "bad_bool", True),
    ]
    superseded_by = {(path, row): by for path, row, _, by in _stored(engine)}
    assert superseded_by[("会议台账-11月.csv", 2)] == fixed["run_id"] != first["run_id"]
    assert superseded_by[("参会签到-11月.csv", 2)] == fixed["run_id"]
    assert superseded_by[("会议台账-11月(改).csv", 3)] is None

    # the fixed inbox again: its files unchanged, nothing read, nothing changes
    before = _stored(engine)
    load(engine, tmp_path / "fixed")
    assert _stored(engine) == before


def test_a_row_outside_the_submitting_township_supersedes_nothing(engine, tmp_path):
    load(engine, _first_inbox(tmp_path / "first"))
    # 城关街道's staff send 东湖镇's resolution row, fixed: it is not theirs to send
    other = tmp_path / "other"
    write_csv(
        other / "决议落实-城关.csv",
        [
            RESOLUTION_HEADER,
            ["JY-2", "HY-1", VILLAGE, "修桥", "村委会", "2025-05-31", "已落实", "2025-05-20"]
            + ["2025-05-25", "", "", ""],
        ],
    )
    report = run_load(engine, other, secret=SECRET, today=None, township="330281001000")
    assert report["status"] == "committed" and report["kinds"]["resolutions"]["rejected"] == 1
    listed = _listed(engine)
    assert ("决议落实-11月.csv", 2, "completed_missing", False) in listed
    assert ("决议落实-城关.csv", 2, "outside_township", False) in listed
    assert _stored(engine)[-1] == ("决议落实-城关.csv", 2, None, None)


def _report_row(status: str, due: str = "2025-03-01") -> list:
    return ["JY-H4", "HY-9", VILLAGE, "修桥", "村委会", due, status, "", "2025-05-25", "", "", ""]


def test_a_held_row_rejected_on_its_release_supersedes_no_later_reject(engine, tmp_path):
    load(engine, base_inbox(tmp_path / "base"))
    # JY-H4 waits for HY-9; then the same report is sent again with a bad status
    write_csv(tmp_path / "a" / "决议A.csv", [RESOLUTION_HEADER, _report_row("推进中")])
    assert load(engine, tmp_path / "a")["kinds"]["resolutions"]["held"] == 1
    write_csv(tmp_path / "b" / "决议B.csv", [RESOLUTION_HEADER, _report_row("搞定")])
    assert load(engine, tmp_path / "b")["kinds"]["resolutions"]["rejected"] == 1
    # HY-9 arrives, held after its due date: the held row (A's) is rejected on release
    write_csv(
        tmp_path / "c" / "会议C.csv", [MEETING_HEADER, _meeting("HY-9", VILLAGE, "2025-04-01")]
    )
    released = load(engine, tmp_path / "c")["kinds"]["resolutions"]["released"]
    assert released == {"joined": 0, "rejected": 1}
    # B's mistake is the office's latest: still listed, beside A's
    assert _listed(engine) == [
        ("决议A.csv", 2, "due_before_meeting", False),
        ("决议B.csv", 2, "bad_vocab", False),
    ]


def test_a_ledger_sent_every_month_under_one_name_keeps_last_months_rejects(engine, tmp_path):
    # 柳树村 sends 会议台账.csv each month: April's with two bad rows, May's with only May
    load(engine, base_inbox(tmp_path / "base"))
    ledger = tmp_path / "monthly" / "会议台账-柳树村.csv"
    april = [
        _meeting("HY-3", VILLAGE, "2025-04-03", form="议论会"),  # keyed
        _meeting("HY-6", "3302811002", "2025-04-06"),  # no key: the code cut short
        _meeting("HY-8", VILLAGE, "2025-04-31"),  # no month: no such day
    ]
    write_csv(ledger, [MEETING_HEADER, *april])
    load(engine, ledger.parent)
    write_csv(ledger, [MEETING_HEADER, _meeting("HY-9", VILLAGE, "2025-05-06")])
    may = load(engine, ledger.parent)
    assert may["kinds"]["meetings"]["inserted"] == 1
    # April's three rows are still to fix: the row of no date of its own is of its
    # file's month, April's (its other rows'), and May's reading does not supersede it
    assert _listed(engine) == [
        ("会议台账-柳树村.csv", 2, "bad_vocab", False),
        ("会议台账-柳树村.csv", 3, "bad_code", False),
        ("会议台账-柳树村.csv", 4, "bad_date", False),
    ]
    files = schema.load_files
    with engine.connect() as conn:
        months = conn.execute(
            sa.select(files.c.months)
            .where(files.c.path == "会议台账-柳树村.csv")
            .order_by(files.c.id)
        ).scalars()
        assert list(months) == [None, ",202505,"]
    # April's ledger again, HY-3 fixed and HY-6 left out: both April rejects superseded
    write_csv(ledger, [MEETING_HEADER, _meeting("HY-3", VILLAGE, "2025-04-03")])
    load(engine, ledger.parent)
    assert _listed(engine) == []
