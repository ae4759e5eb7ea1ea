"""A township's submission and where rejects belong (issue 11), loaded from real files
into real warehouses (SQLite and PostgreSQL):

- `run_load(..., township=...)` accepts rows of the township and its villages only;
  every other valid code is rejected "outside_township", never written nor held;
- each file record carries its township: the submitting one, else the one its folder or
  stem names (the roster's, this run's rows included), None when none or several;
- each reject carries the township it belongs to (its area's, else its file's), the
  column as the file's own header names it, and the month of the row's date;
- workbooks that come back (a filled template, a marked-up rejects workbook) load
  without a skipped guide sheet or an unknown 问题 column, and say which file they answer.

The minimal inbox (tests/helpers/minimal_inbox.py): 清河县 330281000000; 城关街道
330281001000 with 新华社区 330281001001; 东湖镇 330281100000 with 柳树村 330281100201;
meetings HY-1 (柳树村, 2025-03-08) and HY-2 (新华社区, 2025-03-10).
"""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from openpyxl.packaging.custom import IntProperty, StringProperty

from tests.helpers.inbox_files import write_csv, write_xlsx
from tests.helpers.minimal_inbox import (
    ATTENDANCE,
    ATTENDANCE_HEADER,
    MEETING_HEADER,
    MEETINGS,
    RESOLUTION_HEADER,
    RESOLUTIONS,
    ROSTER,
    ROSTER_HEADER,
    SECRET,
    TODAY,
    base_inbox,
    load,
)
from xieshang.contract.columns import KIND_LABELS
from xieshang.etl.load import run_load
from xieshang.etl.origin import named_township, namesake_paths
from xieshang.etl.read import read_file, replaces_of
from xieshang.template import template_xlsx
from xieshang.warehouse import schema

COUNTY, CHENGGUAN, XINHUA = "330281000000", "330281001000", "330281001001"
DONGHU, LIUSHU = "330281100000", "330281100201"
YANGJIA = "330281100202"  # a new village of 东湖镇
XINQIAO = "330281102000"  # a new township, 新桥镇


def meeting(meeting_id: str, area: str, day: str, form: str = "议事会", topic: str = "议题"):
    return [meeting_id, area, day, form, topic, "", "", "是", ""]


def resolution(rid: str, mid: str, area: str, due: str, updated: str, status: str = "推进中"):
    return [rid, mid, area, "内容", "村委会", due, status, "", updated, "", "否", ""]


def stored_rejects(engine: sa.Engine, run_id: str) -> list[tuple]:
    t = schema.rejects
    query = (
        sa.select(
            t.c.kind,
            t.c.path,
            t.c.row_number,
            t.c.rule,
            t.c.column_name,
            t.c.value,
            t.c.township_code,
            t.c.header,
            t.c.month,
        )
        .where(t.c.run_id == run_id)
        .order_by(t.c.id)
    )
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def file_records(engine: sa.Engine, run_id: str) -> dict[str, tuple]:
    t = schema.load_files
    query = sa.select(t.c.path, t.c.status, t.c.township_code, t.c.replaces).where(
        t.c.run_id == run_id
    )
    with engine.connect() as conn:
        return {
            row.path: (row.status, row.township_code, row.replaces) for row in conn.execute(query)
        }


def counts(report: dict, kind: str) -> tuple[int, ...]:
    c = report["kinds"][kind]
    return (c["read"], c["inserted"], c["updated"], c["unchanged"], c["rejected"], c["held"])


def submit(engine: sa.Engine, inbox: Path, township: str) -> dict:
    report = run_load(engine, inbox, secret=SECRET, today=TODAY, township=township)
    assert report["status"] == "committed", report.get("error")
    return report


# --- the township argument ------------------------------------------------------------


def test_a_township_submission_rejects_every_row_outside_the_township(engine, tmp_path):
    load(engine, base_inbox(tmp_path / "county"))
    inbox = tmp_path / "submission"
    write_csv(
        inbox / "区划名册.csv",
        [
            ROSTER_HEADER,
            [DONGHU, "东湖镇", "330281", "", 61, ""],  # the township itself: accepted
            [YANGJIA, "杨家村", "330281100", "", 12, 800],
            [XINHUA, "新华社区", "", "", 41, 3000],
            [COUNTY, "清河县", "", "", 51, 100000],  # above the township: outside too
        ],
    )
    write_csv(
        inbox / "会议台账.csv",
        [
            MEETING_HEADER,
            meeting("HY-3", YANGJIA, "2025-04-12"),
            meeting("HY-4", XINHUA, "2025-04-02"),
            # outside, whatever else is wrong with it (a bad date, a bad form)
            meeting("HY-5", XINHUA, "2025-02-30", form="茶话会"),
            meeting("HY-6", "330281100", "2025-05-06"),  # the township's own, 9 digits
        ],
    )
    write_csv(
        inbox / "参会签到.csv",
        [
            ATTENDANCE_HEADER,
            ["HY-3", YANGJIA, "330281199001011236", "王五", "是", "村民代表"],
            ["HY-2", XINHUA, "330281199001011237", "赵六", "否", "网格员"],
            # its meeting unknown: outside all the same, not held
            ["HY-9", XINHUA, "330281199001011238", "钱七", "否", "网格员"],
        ],
    )
    escalated = resolution("JY-2", "HY-3", YANGJIA, "2025-06-30", "2025-06-20")
    escalated[-1] = COUNTY  # escalating above the township is fine
    write_csv(
        inbox / "决议落实.csv",
        [
            RESOLUTION_HEADER,
            escalated,
            resolution("JY-3", "HY-2", XINHUA, "2025-09-30", "2025-05-25", "未启动"),
        ],
    )
    (inbox / "说明.txt").write_text("本月报送", encoding="utf-8")

    report = submit(engine, inbox, DONGHU)

    assert counts(report, "areas") == (4, 1, 1, 0, 2, 0)
    assert counts(report, "meetings") == (4, 2, 0, 0, 2, 0)
    assert counts(report, "attendance") == (3, 1, 0, 0, 2, 0)
    assert counts(report, "resolutions") == (2, 1, 0, 0, 1, 0)
    outside = ("outside_township", "area_code")
    assert stored_rejects(engine, report["run_id"]) == [
        ("meetings", "会议台账.csv", 3, *outside, XINHUA, DONGHU, "区划代码", 202504),
        ("meetings", "会议台账.csv", 4, *outside, XINHUA, DONGHU, "区划代码", None),
        ("resolutions", "决议落实.csv", 3, *outside, XINHUA, DONGHU, "区划代码", 202505),
        ("areas", "区划名册.csv", 4, *outside, XINHUA, DONGHU, "区划代码", None),
        ("areas", "区划名册.csv", 5, *outside, COUNTY, DONGHU, "区划代码", None),
        ("attendance", "参会签到.csv", 3, *outside, XINHUA, DONGHU, "区划代码", 202503),
        ("attendance", "参会签到.csv", 4, *outside, XINHUA, DONGHU, "区划代码", None),
    ]
    with engine.connect() as conn:
        reasons = set(
            conn.execute(sa.select(schema.rejects.c.reason_zh, schema.rejects.c.reason_en))
        )
        members = dict(
            conn.execute(sa.select(schema.areas.c.area_code, schema.areas.c.party_members)).all()
        )
        meetings = set(conn.execute(sa.select(schema.meetings.c.meeting_id)).scalars())
        held = conn.execute(sa.select(sa.func.count()).select_from(schema.held_rows)).scalar()
    assert reasons == {("超出本乡镇范围", "outside your township")}
    assert members == {COUNTY: 50, CHENGGUAN: 80, XINHUA: 40, DONGHU: 61, LIUSHU: 30, YANGJIA: 12}
    assert meetings == {"HY-1", "HY-2", "HY-3", "HY-6"}
    assert held == 0
    # every file record of the run is the township's, a skipped one too
    assert file_records(engine, report["run_id"]) == {
        "会议台账.csv": ("loaded", DONGHU, None),
        "决议落实.csv": ("loaded", DONGHU, None),
        "区划名册.csv": ("loaded", DONGHU, None),
        "参会签到.csv": ("loaded", DONGHU, None),
        "说明.txt": ("skipped", DONGHU, None),
    }


def test_another_townships_file_sent_again_is_read_not_reported_unchanged(engine, tmp_path):
    rows = [MEETING_HEADER, meeting("HY-3", YANGJIA, "2025-04-12")]
    load(engine, base_inbox(tmp_path / "county"))
    write_csv(tmp_path / "donghu" / "会议台账.csv", rows)
    assert submit(engine, tmp_path / "donghu", DONGHU)["files"]["loaded"] == ["会议台账.csv"]
    # the same bytes from 城关街道: "unchanged" would say 东湖镇 had sent them
    write_csv(tmp_path / "chengguan" / "会议台账.csv", rows)
    report = submit(engine, tmp_path / "chengguan", CHENGGUAN)
    assert report["files"]["loaded"] == ["会议台账.csv"] and report["files"]["unchanged"] == []
    assert counts(report, "meetings") == (1, 0, 0, 0, 1, 0)
    assert stored_rejects(engine, report["run_id"]) == [
        (
            "meetings",
            "会议台账.csv",
            2,
            "outside_township",
            "area_code",
            YANGJIA,
            CHENGGUAN,
            "区划代码",
            202504,
        ),
    ]
    # from 东湖镇 again, and from the county's own inbox: as loaded before
    again = submit(engine, tmp_path / "donghu", DONGHU)
    assert again["files"]["unchanged"] == ["会议台账.csv"]
    assert load(engine, tmp_path / "donghu")["files"]["unchanged"] == ["会议台账.csv"]


def test_a_code_that_is_no_townships_is_refused(engine, tmp_path):
    with pytest.raises(ValueError, match=r"^330281 不是乡镇代码 is not a township code$"):
        run_load(engine, tmp_path, secret=SECRET, today=TODAY, township="330281")


# --- the file's township ----------------------------------------------------------------


def test_a_files_township_is_the_one_its_folder_or_stem_names(engine, tmp_path):
    inbox = tmp_path / "inbox"
    write_csv(
        inbox / "区划名册.csv",
        [ROSTER_HEADER, *ROSTER, [XINQIAO, "新桥镇", COUNTY, "", 20, ""]],
    )
    write_csv(inbox / "2025-06" / "东湖镇" / "会议台账.csv", [MEETING_HEADER, MEETINGS[0]])
    write_csv(inbox / "城关街道6月会议台账.csv", [MEETING_HEADER, MEETINGS[1]])
    write_csv(inbox / f"{LIUSHU}参会签到.csv", [ATTENDANCE_HEADER, *ATTENDANCE])
    write_csv(inbox / "330281102000" / "会议补报.csv", [MEETING_HEADER])
    write_csv(inbox / "新桥镇" / "决议落实.csv", [RESOLUTION_HEADER, *RESOLUTIONS])
    write_csv(inbox / "东湖镇" / "城关街道会议补录.csv", [MEETING_HEADER[:-1]])
    write_csv(inbox / "东湖镇" / "城关街道" / "会议.csv", [MEETING_HEADER[:-1]])

    report = load(engine, inbox)

    assert file_records(engine, report["run_id"]) == {
        "区划名册.csv": ("loaded", None, None),
        "2025-06/东湖镇/会议台账.csv": ("loaded", DONGHU, None),  # a folder
        "城关街道6月会议台账.csv": ("loaded", CHENGGUAN, None),  # the stem
        f"{LIUSHU}参会签到.csv": ("loaded", DONGHU, None),  # a village's code
        "330281102000/会议补报.csv": ("loaded", XINQIAO, None),  # a code of this run's roster
        "新桥镇/决议落实.csv": ("loaded", XINQIAO, None),  # a name of this run's roster
        # its folder's, whatever else its name mentions: the spec's "came from their
        # township's folder"
        "东湖镇/城关街道会议补录.csv": ("loaded", DONGHU, None),
        "东湖镇/城关街道/会议.csv": ("loaded", None, None),  # two folders: neither
    }


def test_named_township_needs_exactly_one_match():
    townships = {DONGHU: "东湖镇", CHENGGUAN: "城关街道"}
    assert named_township("2026-12/东湖镇/会议.csv", townships) == DONGHU
    assert named_township("东湖镇12月会议台账.xlsx", townships) == DONGHU
    assert named_township("330281100/会议.csv", townships) == DONGHU
    assert named_township("会议330281001000.csv", townships) == CHENGGUAN
    assert named_township("东湖镇/城关街道.csv", townships) == DONGHU  # the folder first
    assert named_township("东湖镇/城关街道/会议.csv", townships) is None
    assert named_township("东湖镇城关街道.csv", townships) is None
    namesakes = {DONGHU: "城关镇", CHENGGUAN: "城关镇"}
    assert named_township(f"城关镇（{DONGHU}）/会议.csv", namesakes) == DONGHU
    assert named_township("城关镇/会议.csv", namesakes) is None
    assert named_township("会议台账.csv", townships) is None
    assert named_township("东湖/会议.csv", townships) is None
    assert named_township("东湖镇.csv/会议.xlsx", {}) is None


def test_a_county_folder_tells_a_city_s_namesakes_apart():
    a, b = "330281101000", "330282101000"  # 清河县's and 临江县's 黄坛镇
    namesakes = {a: "黄坛镇", b: "黄坛镇", "330282102000": "临江镇"}
    counties = {"330281000000": "清河县", "330282000000": "临江县"}
    assert named_township("临江县/2025-06/黄坛镇/会议.csv", namesakes, counties=counties) == b
    assert named_township("清河县/黄坛镇6月会议.csv", namesakes, counties=counties) == a
    assert named_township("330281/黄坛镇/会议.csv", namesakes, counties=counties) == a
    assert named_township("2025-06/黄坛镇/会议.csv", namesakes, counties=counties) is None
    assert named_township("临江县/2025-06/黄坛镇/会议.csv", namesakes) is None  # no counties
    paths = ["2025-06/黄坛镇/会议.csv", "临江县/黄坛镇/会议.csv", "临江镇/会议.csv", "会议.csv"]
    assert namesake_paths(paths, namesakes, counties) == {"2025-06/黄坛镇/会议.csv": [a, b]}


# --- the reject's township, header and month --------------------------------------------


def test_a_mistyped_code_belongs_to_the_township_whose_folder_sent_it(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    write_csv(
        inbox / "东湖镇" / "会议台账补报.csv",
        [
            MEETING_HEADER,
            meeting("HY-7", "33028110020", "2025-04-01"),  # 11 digits
            meeting("HY-8", "330281109201", "2025-04-01"),  # a township not in the roster
            meeting("HY-9", XINHUA, "2025-04-01", form="茶话会"),  # 城关街道's own row
        ],
    )
    write_csv(inbox / "会议台账补报2.csv", [MEETING_HEADER, meeting("HY-10", "abc", "2025-04-01")])

    report = load(engine, inbox)

    folder = "东湖镇/会议台账补报.csv"
    assert stored_rejects(engine, report["run_id"]) == [
        ("meetings", folder, 2, "bad_code", "area_code", "33028110020", DONGHU, "区划代码", 202504),
        ("meetings", folder, 4, "bad_vocab", "form", "茶话会", CHENGGUAN, "协商形式", 202504),
        (
            "meetings",
            "会议台账补报2.csv",
            2,
            "bad_code",
            "area_code",
            "abc",
            None,
            "区划代码",
            202504,
        ),
        # judged against the roster, in the merge
        (
            "meetings",
            folder,
            3,
            "unknown_area",
            "area_code",
            "330281109201",
            DONGHU,
            "区划代码",
            202504,
        ),
    ]


def test_a_reject_names_the_column_as_the_files_own_header_does(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    header = [{"完成时限": "办结时限", "区划代码": "单位代码"}.get(h, h) for h in RESOLUTION_HEADER]
    write_csv(
        inbox / "决议补报.csv",
        [header, resolution("JY-2", "HY-1", LIUSHU, "2025-13-01", "2025-06-20")],
    )
    own = [{"区划代码": "单位代码"}.get(h, h) for h in MEETING_HEADER]
    plain = [{"协商形式": "形式"}.get(h, h) for h in MEETING_HEADER]
    write_xlsx(
        inbox / "会议补报.xlsx",
        {
            "会议A": [
                own,
                meeting("HY-3", LIUSHU, "2025-04-01", form="茶话会"),
                meeting("HY-4", "330281109201", "2025-04-02"),
            ],
            "会议B": [
                plain,
                meeting("HY-5", LIUSHU, "2025-04-03", form="茶话会"),
                meeting("HY-6", "330281109202", "2025-04-04"),
            ],
        },
    )
    write_csv(
        inbox / "会议缺列.csv",
        [
            [h for h in MEETING_HEADER if h != "议题"],
            [
                c
                for c, h in zip(meeting("HY-7", LIUSHU, "2025-04-05"), MEETING_HEADER, strict=True)
                if h != "议题"
            ],
        ],
    )

    report = load(engine, inbox)

    book = "会议补报.xlsx"
    assert stored_rejects(engine, report["run_id"]) == [
        # a column the file does not have: no header of its own
        ("meetings", "会议缺列.csv", 2, "missing_column", "topic", "", DONGHU, None, 202504),
        ("meetings", book, 2, "bad_vocab", "form", "茶话会", DONGHU, "协商形式", 202504),
        ("meetings", book, 2, "bad_vocab", "form", "茶话会", DONGHU, "形式", 202504),
        (
            "resolutions",
            "决议补报.csv",
            2,
            "bad_date",
            "due_date",
            "2025-13-01",
            DONGHU,
            "办结时限",
            202506,
        ),
        # rejects of the merge, the two sheets' rows merged as one: each its sheet's header
        (
            "meetings",
            book,
            3,
            "unknown_area",
            "area_code",
            "330281109201",
            None,
            "单位代码",
            202504,
        ),
        (
            "meetings",
            book,
            3,
            "unknown_area",
            "area_code",
            "330281109202",
            None,
            "区划代码",
            202504,
        ),
    ]
    with engine.connect() as conn:
        sheets = (
            conn.execute(
                sa.select(schema.rejects.c.sheet)
                .where(schema.rejects.c.path == book)
                .order_by(schema.rejects.c.id)
            )
            .scalars()
            .all()
        )
    assert sheets == ["会议A", "会议B", "会议A", "会议B"]


def test_a_held_row_rejected_on_release_keeps_its_files_header(engine, tmp_path):
    first = base_inbox(tmp_path / "first")
    header = [{"完成时限": "办结时限"}.get(h, h) for h in RESOLUTION_HEADER]
    write_csv(
        first / "决议先报.csv",
        [header, resolution("JY-5", "HY-7", LIUSHU, "2025-03-01", "2025-06-20")],
    )
    held = load(engine, first)
    assert counts(held, "resolutions") == (2, 1, 0, 0, 0, 1)
    later = tmp_path / "later"
    write_csv(later / "会议补报.csv", [MEETING_HEADER, meeting("HY-7", LIUSHU, "2025-04-01")])

    report = load(engine, later)

    assert report["kinds"]["resolutions"]["released"] == {"joined": 0, "rejected": 1}
    assert stored_rejects(engine, report["run_id"]) == [
        (
            "resolutions",
            "决议先报.csv",
            2,
            "due_before_meeting",
            "due_date",
            "2025-03-01",
            DONGHU,
            "办结时限",
            202506,
        )
    ]


def test_a_rejects_month_is_its_rows_date_or_its_meetings(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    write_csv(inbox / "区划补报.csv", [ROSTER_HEADER, [YANGJIA, "杨家村", "", "", -1, ""]])
    write_csv(
        inbox / "会议补报.csv",
        [
            MEETING_HEADER,
            meeting("HY-3", LIUSHU, "2025-04-12"),
            meeting("HY-4", LIUSHU, "2025-03-08", topic=""),
            meeting("HY-5", LIUSHU, "2025-02-30"),
            meeting("HY-6", LIUSHU, "2025-07-15"),  # after the day of loading, 2025-06-30
        ],
    )
    write_csv(
        inbox / "签到补报.csv",
        [
            ATTENDANCE_HEADER,
            ["HY-1", LIUSHU, "330281199001011240", "甲", "也许", "村民代表"],  # HY-1: 2025-03-08
            ["HY-3", LIUSHU, "330281199001011241", "乙", "也许", "网格员"],  # HY-3: this run's
            ["HY-99", LIUSHU, "330281199001011242", "丙", "也许", "网格员"],  # no such meeting
        ],
    )
    write_csv(
        inbox / "决议补报.csv",
        [
            RESOLUTION_HEADER,
            resolution("JY-2", "HY-1", LIUSHU, "2025-05-31", "2025-05-25", status="搁置"),
            resolution("JY-3", "HY-1", LIUSHU, "2025-05-31", "2025/13/01"),
        ],
    )

    report = load(engine, inbox)

    assert [(r[0], r[2], r[3], r[8]) for r in stored_rejects(engine, report["run_id"])] == [
        ("meetings", 3, "missing", 202503),
        ("meetings", 4, "bad_date", None),  # the date unreadable, its file of 3 months
        ("meetings", 5, "future_date", 202507),
        ("resolutions", 2, "bad_vocab", 202505),
        ("resolutions", 3, "bad_date", 202505),  # the date unreadable: its file's one month
        ("areas", 2, "bad_int", None),
        ("attendance", 2, "bad_bool", 202503),
        ("attendance", 3, "bad_bool", 202504),
        ("attendance", 4, "bad_bool", None),
    ]


# --- workbooks that come back -----------------------------------------------------------


def _filled_template(path: Path, replaces: str | None) -> Path:
    """The meetings template filled in, a 问题 column added as a marked-up workbook has
    it, and (when given) the file it answers as its custom document property."""
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx("meetings")))
    sheet = book[KIND_LABELS["meetings"]]
    row = [
        "HY-3",
        LIUSHU,
        date(2025, 4, 12),
        "议事会",
        "河塘清淤",
        "环境整治",
        "党组织确定",
        "是",
        "否",
    ]
    for column, value in enumerate(row, start=1):
        sheet.cell(row=2, column=column, value=value)
    sheet.cell(row=1, column=10, value="问题")
    sheet.cell(row=2, column=10, value="协商形式：不在规定取值范围内")
    sheet.cell(row=3, column=10, value="会议日期：日期无法识别")  # its row emptied by hand
    if replaces is not None:
        book.custom_doc_props.append(StringProperty(name="xieshang_replaces", value=replaces))
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def test_a_returned_workbook_loads_without_its_guide_sheet_or_problem_column(engine, tmp_path):
    load(engine, base_inbox(tmp_path / "first"))
    inbox = tmp_path / "later"
    _filled_template(inbox / "东湖镇会议台账.xlsx", "西城街道/会议.xlsx")

    report = load(engine, inbox)

    assert (report["sheets_skipped"], report["unknown_columns"]) == ([], [])
    assert counts(report, "meetings") == (1, 1, 0, 0, 0, 0)
    assert file_records(engine, report["run_id"]) == {
        "东湖镇会议台账.xlsx": ("loaded", DONGHU, "西城街道/会议.xlsx")
    }


def test_the_reader_returns_the_file_a_workbook_answers(tmp_path):
    _filled_template(tmp_path / "会议台账.xlsx", "西城街道/会议.xlsx")
    _filled_template(tmp_path / "会议台账2.xlsx", None)
    assert read_file(tmp_path, "会议台账.xlsx").replaces == "西城街道/会议.xlsx"
    assert read_file(tmp_path, "会议台账2.xlsx").replaces is None


def test_a_malformed_replaces_property_is_none(tmp_path):
    book = openpyxl.Workbook()
    book.custom_doc_props.append(IntProperty(name="xieshang_replaces", value=7))
    book.save(tmp_path / "number.xlsx")
    with zipfile.ZipFile(tmp_path / "number.xlsx") as package:
        custom = package.read("docProps/custom.xml")
    assert b"xieshang_replaces" in custom
    assert replaces_of(custom) is None
    assert replaces_of(b"<Properties") is None
    assert replaces_of(None) is None
    assert replaces_of(custom.replace(b"xieshang_replaces", b"other_name")) is None
