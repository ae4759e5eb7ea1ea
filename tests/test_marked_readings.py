"""A file name sent month after month has a reading per month: what staff are shown and
sent back answers one of them.

A township fills the template each month and sends it under one name (会议台账.csv). The
marked-up workbook of November's reading marks November's rows and, fixed and sent back,
supersedes November's rejects only, not October's still to fix; a held row of October's
file, rejected when its meeting came, is not marked on November's bytes; and October's
file sent again unchanged shows October's rejects only. Real submissions through
`xieshang.submission.submit`, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import openpyxl
import sqlalchemy as sa
from openpyxl.packaging.custom import StringProperty

from tests.helpers.inbox_county import LIUSHU, SECRET, load_county
from tests.helpers.scoped_county import STAFF
from xieshang.access.users import User
from xieshang.dashboard.views.submit import reject_values
from xieshang.metrics import quality
from xieshang.submission import submit
from xieshang.warehouse import schema

DONGHU = "330281100000"
MEETING_HEADER = ["会议编号", "区划代码", "召开日期", "形式", "议题", "党组织主持"]
REPORT_HEADER = ["决议编号", "会议编号", "区划代码", "决议内容", "责任单位", "完成时限"]
REPORT_HEADER += ["落实状态", "完成日期", "更新日期", "满意度", "纳入考核", "上报至"]
OCTOBER = [
    MEETING_HEADER,
    ["HY-20", LIUSHU, "2025-10-03", "议事会", "村道", "是"],
    ["HY-21", LIUSHU, "2025-10-04", "茶话会", "路灯", "是"],  # row 3: no such form
]
NOVEMBER = [
    MEETING_HEADER,
    ["HY-30", LIUSHU, "2025-11-03", "议事会", "河塘", "是"],
    ["HY-31", LIUSHU, "2025-11-04", "研讨会", "电梯", "是"],  # row 3: no such form
]
LEDGER = "会议台账.csv"
REPORTS = "决议落实.csv"
# the meeting October's held JY-9 waits for, sent in November
HY_40 = [MEETING_HEADER, ["HY-40", LIUSHU, "2025-10-20", "议事会", "道路", "是"]]


def _report(number: str, meeting: str, due: str, status: str, updated: str) -> list[str]:
    """A report row of 柳树村 under REPORT_HEADER, its later columns empty or 否."""
    return [number, meeting, LIUSHU, "修路", "村委会", due, status, "", updated, "", "否", ""]


def csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def _send(engine, *files: tuple[str, bytes], today: date = date(2025, 12, 1)):
    return submit(engine, list(files), STAFF, secret=SECRET, today=today)


def _current(engine) -> list[tuple]:
    return sorted(
        (r["path"], r["row_number"], r["value"]) for r in quality.rejected_rows(engine, DONGHU)
    )


def _fixed(content: bytes, cell: str, value: str) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(content))
    book.worksheets[0][cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _problems(content: bytes) -> list[tuple]:
    """(meeting or resolution number, what the 问题 column says) of each marked row."""
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    problem = rows[0].index("问题")
    return [(row[0], row[problem]) for row in rows[1:]]


def test_novembers_fixed_workbook_leaves_octobers_rejects_to_fix(engine, tmp_path):
    load_county(engine, tmp_path)
    _send(engine, (LEDGER, csv_bytes(OCTOBER)))
    november = _send(engine, (LEDGER, csv_bytes(NOVEMBER)))
    path = f"东湖镇/{LEDGER}"
    assert _current(engine) == [(path, 3, "研讨会"), (path, 3, "茶话会")]
    (marked,) = november.marked
    assert _problems(marked.content) == [
        (
            "HY-31",
            "形式：不在规定取值范围内。可填：议事会、听证会、恳谈会、座谈会、协调会、评议会、党日活动、协商式民意调查、愿景工作坊、参与式预算、联席会议、其他",
        )
    ]

    # the form fixed in the workbook (D2), which is sent back under its own name
    answer = _send(engine, (marked.filename, _fixed(marked.content, "D2", "议事会")))

    assert answer.report["kinds"]["meetings"]["inserted"] == 1
    # October's row, never fixed, is still to fix: before, the workbook cleared it too
    assert _current(engine) == [(path, 3, "茶话会")]


def test_a_held_row_of_an_earlier_file_of_the_name_is_not_marked_on_this_one(engine, tmp_path):
    load_county(engine, tmp_path)
    # October: JY-9 waits for its meeting HY-40, due before that meeting's day
    october = [REPORT_HEADER, _report("JY-9", "HY-40", "2025-10-01", "未启动", "2025-10-31")]
    assert _send(engine, (REPORTS, csv_bytes(october))).report["kinds"]["resolutions"]["held"] == 1
    # November: the meeting comes, and the same name brings November's reports
    november = [
        REPORT_HEADER,
        _report("JY-1", "HY-40", "2025-12-01", "未启动", "2025-11-20"),
        _report("JY-3", "HY-40", "2025-12-01", "做完了", "2025-11-20"),
    ]
    answer = _send(engine, (LEDGER, csv_bytes(HY_40)), (REPORTS, csv_bytes(november)))

    assert [(r["file"], r["row_number"], r["rule"], r["sent_before"]) for r in answer.rejects] == [
        (REPORTS, 2, "due_before_meeting", True),  # October's row 2: JY-9
        (REPORTS, 3, "bad_vocab", False),
    ]
    rows, _ = reject_values(answer.rejects, "zh")
    assert [row["file"] for row in rows] == ["决议落实.csv（此前报送）", "决议落实.csv"]
    (marked,) = answer.marked
    # November's row 2 (JY-1), accepted, was marked with JY-9's reason before
    assert [number for number, _ in _problems(marked.content)] == ["JY-3"]

    _send(engine, (marked.filename, _fixed(marked.content, "G2", "推进中")))
    # JY-9's reject is October's reading's, which the workbook does not answer
    assert [(r[1], r[2]) for r in _current(engine)] == [(2, "2025-10-01")]
    with engine.connect() as conn:
        ids = conn.execute(sa.select(schema.resolution_reports.c.resolution_id)).scalars()
        assert {"JY-1", "JY-3"} <= set(ids)


def test_octobers_file_sent_again_unchanged_shows_octobers_rejects_only(engine, tmp_path):
    load_county(engine, tmp_path)
    _send(engine, (LEDGER, csv_bytes(OCTOBER)))
    _send(engine, (LEDGER, csv_bytes(NOVEMBER)))
    again = _send(engine, (LEDGER, csv_bytes(OCTOBER)))
    assert again.report["files"]["unchanged"] == [f"东湖镇/{LEDGER}"]
    # November's 研讨会 row, of other bytes under the same name, was listed too
    assert [(r["row_number"], r["value"]) for r in again.earlier] == [(3, "茶话会")]
    (marked,) = again.marked
    assert [number for number, problem in _problems(marked.content) if problem] == ["HY-21"]


def test_two_townships_of_one_name_send_files_of_one_name_apart(engine, tmp_path):
    """A city's two 城关镇 (one in each county): staff files sat in one folder, 城关镇/,
    so one township's clean 会议台账.csv read as the other's sent again, clearing its
    rejects."""
    roster = [
        ["区划代码", "名称", "上级代码", "类型", "党员人数", "常住人口"],
        ["330200000000", "明州市", "", "", 10, 1000],
        ["330281000000", "甲县", "", "", 10, 1000],
        ["330282000000", "乙县", "", "", 10, 1000],
        ["330281001000", "城关镇", "", "", 10, 1000],
        ["330282001000", "城关镇", "", "", 10, 1000],
        ["330281001201", "东村", "", "", 10, 1000],
        ["330282001201", "西村", "", "", 10, 1000],
    ]
    admin = User("admin", "admin", None)
    submit(engine, [("区划名册.csv", csv_bytes(roster))], admin, secret=SECRET)
    one, other = User("a", "staff", "330281001000"), User("b", "staff", "330282001000")
    bad = [MEETING_HEADER, ["HY-1", "330281001201", "2025-10-03", "茶话会", "村道", "是"]]
    first = submit(engine, [(LEDGER, csv_bytes(bad))], one, secret=SECRET)
    good = [MEETING_HEADER, ["HY-1", "330282001201", "2025-10-03", "议事会", "村道", "是"]]
    second = submit(engine, [(LEDGER, csv_bytes(good))], other, secret=SECRET)

    assert (first.folder, second.folder) == ("城关镇（330281001000）/", "城关镇（330282001000）/")
    assert [r["value"] for r in quality.rejected_rows(engine, "330281001000")] == ["茶话会"]


def _october_holding_jy9(engine):
    """October's 决议落实.csv: JY-8 rejected (no such status), JY-9 held for its meeting
    HY-40, due before that meeting's day; then HY-40 comes and JY-9 is rejected."""
    october = [
        REPORT_HEADER,
        _report("JY-8", "HY-1", "2025-12-01", "做完了", "2025-10-31"),
        _report("JY-9", "HY-40", "2025-10-01", "未启动", "2025-10-31"),
    ]
    first = _send(engine, (REPORTS, csv_bytes(october)))
    _send(engine, (LEDGER, csv_bytes(HY_40)))
    return REPORTS, october, first


def test_a_workbook_sent_back_leaves_a_reject_it_never_showed(engine, tmp_path):
    load_county(engine, tmp_path)
    _, _, first = _october_holding_jy9(engine)
    (marked,) = first.marked
    assert [number for number, _ in _problems(marked.content)] == ["JY-8"]
    assert [r[2] for r in _current(engine)] == ["做完了", "2025-10-01"]

    _send(engine, (marked.filename, _fixed(marked.content, "G2", "推进中")))

    # JY-9, rejected after the workbook was made, is still to fix: it was cleared too
    assert [r[2] for r in _current(engine)] == ["2025-10-01"]


def test_a_file_sent_again_unchanged_shows_its_rejects_stored_before_schema_9(engine, tmp_path):
    """A reject stored before schema 9 knows no reading: as before, every one of its
    path's is the file's (JY-9, released before the upgrade, was left out)."""
    load_county(engine, tmp_path)
    reports, october, _ = _october_holding_jy9(engine)
    with engine.begin() as conn:
        conn.execute(sa.update(schema.rejects).values(read_run_id=None))
    again = _send(engine, (reports, csv_bytes(october)))
    assert [(r["row_number"], r["rule"]) for r in again.earlier] == [
        (2, "bad_vocab"),
        (3, "due_before_meeting"),
    ]


def _properties(content: bytes) -> dict[str, str]:
    props = openpyxl.load_workbook(io.BytesIO(content)).custom_doc_props
    return {p.name: p.value for p in props.props}


def test_a_workbook_of_a_file_sent_again_answers_what_it_shows(engine, tmp_path):
    """Made from October's file sent again unchanged, after JY-9 (held) was released and
    rejected: it shows JY-9 too, so sent back it clears it. Its as-of run was the last
    reject's reading (a loop's name shadowed the run), and JY-9 stayed current."""
    load_county(engine, tmp_path)
    reports, october, first = _october_holding_jy9(engine)
    again = _send(engine, (reports, csv_bytes(october)))
    (marked,) = again.marked
    assert _properties(marked.content) == {
        "xieshang_replaces": f"东湖镇/{reports}",
        "xieshang_replaces_run": first.report["run_id"],
        "xieshang_replaces_as_of": again.report["run_id"],
    }
    assert [number for number, _ in _problems(marked.content)] == ["JY-8", "JY-9"]
    fixed = _fixed(_fixed(marked.content, "G2", "推进中"), "F3", "2025-11-30")
    _send(engine, (marked.filename, fixed))
    assert _current(engine) == []


def test_a_townships_workbook_of_a_county_file_answers_its_own_rows(engine, tmp_path):
    """The county read 东湖镇会议台账.csv, with a 城关街道 row; 东湖镇 sent the same
    bytes, was shown its own reject, and sent the workbook back fixed: 城关街道's reject
    was cleared too, never shown to 东湖镇."""
    load_county(engine, tmp_path)
    rows = [
        MEETING_HEADER,
        ["HY-50", LIUSHU, "2025-10-03", "茶话会", "村道", "是"],
        ["HY-51", "330281001001", "2025-10-04", "研讨会", "电梯", "是"],
    ]
    admin = User("admin", "admin", None)
    submit(engine, [("东湖镇会议台账.csv", csv_bytes(rows))], admin, secret=SECRET)
    again = _send(engine, ("东湖镇会议台账.csv", csv_bytes(rows)))
    assert [r["value"] for r in again.earlier] == ["茶话会"]
    (marked,) = again.marked
    _send(engine, (marked.filename, _fixed(marked.content, "D2", "议事会")))
    assert _current(engine) == []
    assert [r["value"] for r in quality.rejected_rows(engine, "330281001000")] == ["研讨会"]


def _with_properties(content: bytes, **values: str) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(content))
    for name, value in values.items():
        del book.custom_doc_props[name]
        book.custom_doc_props.append(StringProperty(name=name, value=value))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_whose_runs_were_edited_answers_nothing_more(engine, tmp_path):
    load_county(engine, tmp_path)
    _, _, first = _october_holding_jy9(engine)
    (marked,) = first.marked
    fixed = _fixed(marked.content, "G2", "推进中")
    for tampered in (
        _with_properties(fixed, xieshang_replaces_as_of="f" * 32),  # no such run
        _with_properties(fixed, xieshang_replaces_run="not-a-run"),
    ):
        _send(engine, (marked.filename, tampered))
        # JY-8 is fixed by its row's key; JY-9, never shown, stays
        assert [r[2] for r in _current(engine)] == ["2025-10-01"]


def test_two_files_sent_apart_on_one_day_give_workbooks_of_two_names(engine, tmp_path):
    # the ledger in the morning, a late meeting in the afternoon: each workbook was
    # 东湖镇-拒收行-2025-12-01.xlsx, and the browser saved the second as "…(1).xlsx"
    load_county(engine, tmp_path)
    (morning,) = _send(engine, (LEDGER, csv_bytes(OCTOBER))).marked
    (afternoon,) = _send(engine, ("会议补报.csv", csv_bytes(NOVEMBER))).marked
    assert (morning.filename, afternoon.filename) == (
        "东湖镇-拒收行-会议台账-2025-12-01.xlsx",
        "东湖镇-拒收行-会议补报-2025-12-01.xlsx",
    )

    # each, sent back under its name, answers its own file; one still wrong the next day
    # is named after the file it answers, not 东湖镇-拒收行-东湖镇-拒收行-会议台账-…
    fixed = _send(engine, (afternoon.filename, _fixed(afternoon.content, "D2", "议事会")))
    again = _send(engine, (morning.filename, morning.content), today=date(2025, 12, 2))
    assert [(f["path"], f["replaces"]) for f in _load_files(engine, fixed, again)] == [
        ("东湖镇/东湖镇-拒收行-会议补报-2025-12-01.xlsx", "东湖镇/会议补报.csv"),
        ("东湖镇/东湖镇-拒收行-会议台账-2025-12-01.xlsx", "东湖镇/会议台账.csv"),
    ]
    assert [m.filename for m in again.marked] == ["东湖镇-拒收行-会议台账-2025-12-02.xlsx"]
    assert _current(engine) == [("东湖镇/东湖镇-拒收行-会议台账-2025-12-01.xlsx", 2, "茶话会")]


def test_two_files_of_one_stem_sent_together_give_workbooks_of_two_names(engine, tmp_path):
    # 会议台账.csv and 会议台账.xlsx in one submission: both were 东湖镇-拒收行-会议台账-…
    load_county(engine, tmp_path)
    book = openpyxl.Workbook()
    for row in NOVEMBER:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    answer = _send(engine, (LEDGER, csv_bytes(OCTOBER)), ("会议台账.xlsx", out.getvalue()))
    assert sorted(m.filename for m in answer.marked) == [
        "东湖镇-拒收行-会议台账_csv-2025-12-01.xlsx",
        "东湖镇-拒收行-会议台账_xlsx-2025-12-01.xlsx",
    ]


def _load_files(engine, *answers) -> list[dict]:
    runs = [answer.report["run_id"] for answer in answers]
    files = schema.load_files
    with engine.connect() as conn:
        rows = conn.execute(files.select().where(files.c.run_id.in_(runs))).mappings().all()
    return sorted((dict(row) for row in rows), key=lambda row: runs.index(row["run_id"]))
