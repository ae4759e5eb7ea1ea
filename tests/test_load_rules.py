"""Every rule of the data contract, loaded from real files into real warehouses.

Each case adds one bad row to a valid inbox and asserts the exact reject it gets:
rule, column, value shown and the row number a spreadsheet program shows.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date

import pytest
import sqlalchemy as sa

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
    base_inbox,
    load,
    rejects,
)
from xieshang.warehouse import schema

# (kind, file, header, bad row, expected (rule, column, value shown))
CASES = [
    ("areas", ROSTER_HEADER, ["330281100202", "", "", "", 10, ""], ("missing", "area_name", "")),
    (
        "areas",
        ROSTER_HEADER,
        ["3302811002", "新村", "", "", 10, ""],
        ("bad_code", "area_code", "3302811002"),
    ),
    (
        "areas",
        ROSTER_HEADER,
        ["330281100202", "新村", "", "", -3, ""],
        ("bad_int", "party_members", "-3"),
    ),
    (
        "areas",
        ROSTER_HEADER,
        ["330281100202", "新村", "", "", 10, "许多"],
        ("bad_int", "population", "许多"),
    ),
    (
        "areas",
        ROSTER_HEADER,
        ["330281100202", "新村", "", "集镇", 10, ""],
        ("bad_vocab", "unit_type", "集镇"),
    ),
    (
        "areas",
        ROSTER_HEADER,
        ["330281100202", "新村", "330281001000", "", 10, ""],
        ("parent_mismatch", "parent_code", "330281001000"),
    ),
    (
        "areas",
        ROSTER_HEADER,
        ["330281300201", "新村", "", "", 10, ""],
        ("parent_unknown", "area_code", "330281300201"),
    ),
    (
        "meetings",
        MEETING_HEADER,
        ["HY-9", "330281100201", "2025-03-08", "议事会", "", "", "", "是", ""],
        ("missing", "topic", ""),
    ),
    (
        "meetings",
        MEETING_HEADER,
        ["HY-9", "330281100201", "2025-02-30", "议事会", "议题", "", "", "是", ""],
        ("bad_date", "meeting_date", "2025-02-30"),
    ),
    (
        "meetings",
        MEETING_HEADER,
        ["HY-9", "330281100201", "2025-07-01", "议事会", "议题", "", "", "是", ""],
        ("future_date", "meeting_date", "2025-07-01"),
    ),
    (
        "meetings",
        MEETING_HEADER,
        ["HY-9", "330281100201", "1999-12-31", "议事会", "议题", "", "", "是", ""],
        ("before_2000", "meeting_date", "1999-12-31"),
    ),
    (
        "meetings",
        MEETING_HEADER,
        ["HY-9", "330281100201", "2025-03-08", "茶话会", "议题", "", "", "是", ""],
        ("bad_vocab", "form", "茶话会"),
    ),
    (
        "meetings",
        MEETING_HEADER,
        ["HY-9", "330281100201", "2025-03-08", "议事会", "议题", "天气", "", "是", ""],
        ("bad_vocab", "topic_category", "天气"),
    ),
    (
        "meetings",
        MEETING_HEADER,
        ["HY-9", "330281100201", "2025-03-08", "议事会", "议题", "", "", "可能", ""],
        ("bad_bool", "led_by_party", "可能"),
    ),
    (
        "meetings",
        MEETING_HEADER,
        ["HY-9", "330281100201", "2025-03-08", "议事会", "议题", "", "", "是", "不确定"],
        ("bad_bool", "online", "不确定"),
    ),
    (
        "meetings",
        MEETING_HEADER,
        ["HY-9", "330281100299", "2025-03-08", "议事会", "议题", "", "", "是", ""],
        ("unknown_area", "area_code", "330281100299"),
    ),
    (
        "meetings",
        MEETING_HEADER,
        ["HY-9", "12345", "2025-03-08", "议事会", "议题", "", "", "是", ""],
        ("bad_code", "area_code", "12345"),
    ),
    (
        "attendance",
        ATTENDANCE_HEADER,
        ["HY-1", "330281100201", "", "赵六", "是", "村民代表"],
        ("missing", "person_id", "（已隐去 redacted）"),
    ),
    (
        "attendance",
        ATTENDANCE_HEADER,
        ["HY-1", "330281100201", "3.30281199001011E+17", "赵六", "是", "村民代表"],
        ("id_as_number", "person_id", "（已隐去 redacted）"),
    ),
    (
        "attendance",
        ATTENDANCE_HEADER,
        ["HY-1", "330281100201", "330281199001011299", "赵六", "是", "游客"],
        ("bad_vocab", "category", "（已隐去 redacted）"),  # a name, for all we know
    ),
    (
        "attendance",
        ATTENDANCE_HEADER,
        ["HY-1", "330281100201", "330281199001011299", "赵六", "党员", "乡贤"],
        ("bad_bool", "party_member", "党员"),
    ),
    (
        "resolutions",
        RESOLUTION_HEADER,
        [
            "JY-9",
            "HY-1",
            "330281100201",
            "",
            "村委会",
            "2025-05-31",
            "推进中",
            "",
            "2025-05-25",
            "",
            "",
            "",
        ],
        ("missing", "content", ""),
    ),
    (
        "resolutions",
        RESOLUTION_HEADER,
        [
            "JY-9",
            "HY-1",
            "330281100201",
            "内容",
            "村委会",
            "2025-03-01",
            "推进中",
            "",
            "2025-05-25",
            "",
            "",
            "",
        ],
        ("due_before_meeting", "due_date", "2025-03-01"),
    ),
    (
        "resolutions",
        RESOLUTION_HEADER,
        [
            "JY-9",
            "HY-1",
            "330281100201",
            "内容",
            "村委会",
            "2025-05-31",
            "已办结",
            "",
            "2025-05-25",
            "",
            "",
            "",
        ],
        ("completed_missing", "completed_date", ""),
    ),
    (
        "resolutions",
        RESOLUTION_HEADER,
        [
            "JY-9",
            "HY-1",
            "330281100201",
            "内容",
            "村委会",
            "2025-05-31",
            "已落实",
            "2025-03-07",
            "2025-05-25",
            "",
            "",
            "",
        ],
        ("completed_before_meeting", "completed_date", "2025-03-07"),
    ),
    (
        "resolutions",
        RESOLUTION_HEADER,
        [
            "JY-9",
            "HY-1",
            "330281100201",
            "内容",
            "村委会",
            "2025-05-31",
            "已落实",
            "2025-05-26",
            "2025-05-25",
            "",
            "",
            "",
        ],
        ("completed_after_update", "completed_date", "2025-05-26"),
    ),
    (
        "resolutions",
        RESOLUTION_HEADER,
        [
            "JY-9",
            "HY-1",
            "330281100201",
            "内容",
            "村委会",
            "2025-05-31",
            "推进中",
            "",
            "2025-07-01",
            "",
            "",
            "",
        ],
        ("future_date", "updated_on", "2025-07-01"),
    ),
    (
        "resolutions",
        RESOLUTION_HEADER,
        [
            "JY-9",
            "HY-1",
            "330281100201",
            "内容",
            "村委会",
            "2025-05-31",
            "已落实",
            "2025-05-20",
            "2025-05-25",
            "150",
            "",
            "",
        ],
        ("bad_number", "satisfaction", "150"),
    ),
    (
        "resolutions",
        RESOLUTION_HEADER,
        [
            "JY-9",
            "HY-1",
            "330281100201",
            "内容",
            "村委会",
            "2025-05-31",
            "暂停",
            "",
            "2025-05-25",
            "",
            "",
            "",
        ],
        ("bad_vocab", "status", "暂停"),
    ),
    (
        "resolutions",
        RESOLUTION_HEADER,
        [
            "JY-9",
            "HY-1",
            "330281100201",
            "内容",
            "村委会",
            "2025-05-31",
            "推进中",
            "",
            "2025-05-25",
            "",
            "",
            "330281001000",
        ],
        ("bad_escalation", "escalated_to", "330281001000"),
    ),
    (
        "resolutions",
        RESOLUTION_HEADER,
        [
            "JY-9",
            "HY-1",
            "330281100201",
            "内容",
            "村委会",
            "2025-05-31",
            "推进中",
            "",
            "2025-05-25",
            "",
            "",
            "330281100201",
        ],
        ("bad_escalation", "escalated_to", "330281100201"),
    ),
    (
        "resolutions",
        RESOLUTION_HEADER,
        [
            "JY-9",
            "HY-1",
            "330281100201",
            "内容",
            "村委会",
            "2025-05-31",
            "推进中",
            "",
            "20250525",
            "",
            "否",
            "3302",
        ],
        ("bad_code", "escalated_to", "3302"),
    ),
]
FILE_OF = {
    "areas": "区划补充.csv",
    "meetings": "会议补充.csv",
    "attendance": "签到补充.csv",
    "resolutions": "决议补充.csv",
}


@pytest.mark.parametrize(
    ("kind", "header", "row", "expected"), CASES, ids=[f"{c[0]}-{c[3][0]}-{c[3][1]}" for c in CASES]
)
def test_each_rule_rejects_the_row_with_its_reason(engine, tmp_path, kind, header, row, expected):
    inbox = base_inbox(tmp_path / "inbox")
    good = {
        "areas": ROSTER,
        "meetings": MEETINGS,
        "attendance": ATTENDANCE,
        "resolutions": RESOLUTIONS,
    }[kind][0]
    # a title row, the header, one good row, a blank line, the bad row: line 5
    write_csv(inbox / FILE_OF[kind], [["XX镇协商台账"], header, good, [], row])
    report = load(engine, inbox)
    counts = report["kinds"][kind]
    assert counts["rejected"] == 1
    assert counts["read"] == counts["inserted"] + counts["updated"] + counts["unchanged"] + 1
    assert rejects(engine) == [(kind, *expected, 5)]


def test_rejects_carry_file_sheet_and_both_languages(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    write_xlsx(
        inbox / "东湖镇协商台账.xlsx",
        {
            "会议台账": [
                ["东湖镇协商会议台账"],
                [],
                MEETING_HEADER,
                ["HY-7", "330281100201", "2025-13-01", "议事会", "议题", "", "", "是", ""],
            ],
        },
    )
    load(engine, inbox)
    t = schema.rejects
    with engine.connect() as conn:
        row = conn.execute(sa.select(t)).mappings().one()
    assert (row["path"], row["sheet"], row["row_number"]) == ("东湖镇协商台账.xlsx", "会议台账", 4)
    assert row["reason_zh"] == "日期无法识别（应为 2025-03-08、2025年3月8日 或 20250308）"
    assert row["reason_en"] == "unrecognised date (use 2025-03-08, 2025年3月8日 or 20250308)"
    assert (row["area_code"], row["township_code"]) == ("330281100201", "330281100000")


def test_a_formula_error_is_no_value_in_any_column(engine, tmp_path):
    """An xlsx's error cells (#N/A from a VLOOKUP that found nothing) were read as blank:
    an optional column took its default, a required one said "empty"; a CSV saved from
    a spreadsheet carries their text, which passed for a topic or a meeting id."""
    inbox = base_inbox(tmp_path / "inbox")
    path = write_xlsx(
        inbox / "东湖镇协商台账.xlsx",
        {
            "会议台账": [
                MEETING_HEADER,
                ["HY-7", "330281100201", "2025-03-09", "议事会", "议题", "", "", "是", "否"],
            ]
        },
    )
    # the cells a spreadsheet program writes for a formula's error: 线上 (I2) and 议题类别 (F2)
    with zipfile.ZipFile(path) as source:
        parts = {i.filename: source.read(i) for i in source.infolist()}
    sheet = next(name for name in parts if name.startswith("xl/worksheets/sheet"))
    xml = parts[sheet].decode()
    xml = re.sub(
        r'<c r="I2"[^>]*>.*?</c>', '<c r="I2" t="e"><f>VLOOKUP(A2,X:Y,2,0)</f><v>#N/A</v></c>', xml
    )
    xml = re.sub(r'<c r="F2"[^>]*>.*?</c>', '<c r="F2" t="e"><v>#REF!</v></c>', xml)
    parts[sheet] = xml.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    write_csv(
        inbox / "会议补充.csv",
        [
            MEETING_HEADER,
            ["#N/A", "330281100201", "2025-03-09", "议事会", " #div/0! ", "", "", "是", ""],
        ],
    )
    report = load(engine, inbox)
    assert report["kinds"]["meetings"]["rejected"] == 2
    assert rejects(engine) == [
        ("meetings", "formula_error", "topic_category", "#REF!", 2),
        ("meetings", "formula_error", "meeting_id", "#N/A", 2),
    ]
    with engine.connect() as conn:
        reason = conn.execute(sa.select(schema.rejects.c.reason_en)).scalars().first()
    assert reason == "the cell shows a formula error (#N/A, #REF!…), not a value"


def test_a_percent_cell_reads_as_the_percent_it_shows(engine, tmp_path):
    """A satisfaction typed as 95% in Excel is the number 0.95 in a percent format: read
    as that, it loaded as 0.95 out of 100 without a word. It reads as the "95%" the office
    sees, as in a CSV, and is rejected for the % sign; a plain 95 beside it loads."""
    import openpyxl

    inbox = base_inbox(tmp_path / "inbox")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "决议落实"
    sheet.append(RESOLUTION_HEADER)
    for number, (score, shown) in enumerate(
        [(0.95, "0%"), (0.875, '0.0"分"%'), (95, "0"), (0.5, "General")], start=2
    ):
        sheet.append([f"JY-{number}", *RESOLUTIONS[0][1:9], score, "是", ""])
        sheet.cell(number, 10).number_format = shown
    book.save(inbox / "东湖镇决议补充.xlsx")
    report = load(engine, inbox)
    assert report["kinds"]["resolutions"]["rejected"] == 2
    assert rejects(engine) == [
        ("resolutions", "bad_number", "satisfaction", "95%", 2),
        ("resolutions", "bad_number", "satisfaction", "87.5%", 3),
    ]
    r = schema.resolution_reports
    with engine.connect() as conn:
        stored = dict(conn.execute(sa.select(r.c.resolution_id, r.c.satisfaction)).all())
    assert {k: stored[k] for k in ("JY-4", "JY-5")} == {"JY-4": 95.0, "JY-5": 0.5}


def test_an_id_number_typed_in_a_number_cell_is_rejected_not_merged(engine, tmp_path):
    """Two ID card numbers alike in their first 15 digits, typed in number cells, are one
    number to the spreadsheet (it keeps 15 digits): they were loaded as one person."""
    inbox = base_inbox(tmp_path / "inbox")
    people = [330281199001011234, 330281199001011299, 12345]
    write_xlsx(
        inbox / "东湖镇签到补充.xlsx",
        {
            "签到": [
                ATTENDANCE_HEADER,
                *(["HY-1", "330281100201", p, "", "是", "村民代表"] for p in people),
            ]
        },
    )
    report = load(engine, inbox)
    assert report["kinds"]["attendance"]["rejected"] == 2
    assert rejects(engine) == [
        ("attendance", "id_as_number", "person_id", "（已隐去 redacted）", 2),
        ("attendance", "id_as_number", "person_id", "（已隐去 redacted）", 3),
    ]


def test_an_id_number_in_the_meeting_number_column_is_rejected_not_held(engine, tmp_path):
    """Its columns typed the wrong way round, a sign-in row named a meeting by a person's
    ID number: the row was held, and the number kept as the meeting's, shown and
    downloaded with the held rows. It is rejected now, the number redacted, kept nowhere."""
    inbox = base_inbox(tmp_path / "inbox")
    person = "330106197504201239"
    write_csv(
        inbox / "签到补充.csv",
        [ATTENDANCE_HEADER, [person, "330281100201", "HY-1", "", "是", "村民代表"]],
    )
    write_csv(
        inbox / "会议补充台账.csv",
        [
            MEETING_HEADER,
            [
                "33010619750420123 9",
                "330281100201",
                "2025-03-09",
                "议事会",
                "议题",
                "",
                "",
                "是",
                "",
            ],
        ],
    )
    report = load(engine, inbox)
    assert report["kinds"]["attendance"]["held"] == 0
    assert [r for r in rejects(engine) if r[1] == "personal_number"] == [
        ("meetings", "personal_number", "meeting_id", "（已隐去 redacted）", 2),
        ("attendance", "personal_number", "meeting_id", "（已隐去 redacted）", 2),
    ]
    with engine.connect() as conn:
        kept = [
            str(value)
            for table in schema.metadata.sorted_tables
            for row in conn.execute(sa.select(table)).all()
            for value in row
        ]
    assert [v for v in kept if person in v or "123 9" in v] == []


def test_an_unreadable_workbooks_reason_quotes_nothing_of_its_cells(engine, tmp_path):
    """calamine's message quoted a bad cell (an ID number and a name, here in a boolean
    cell), stored as the file's reason in load_files and the run's report (helper's
    audit): what it quotes is left out, what it says is kept."""
    inbox = base_inbox(tmp_path / "inbox")
    write_xlsx(
        inbox / "签到补充.xlsx",
        {"Sheet1": [ATTENDANCE_HEADER, ["HY-1", "330281100201", "P-1", "", "是", "村民代表"]]},
    )
    book = inbox / "签到补充.xlsx"
    with zipfile.ZipFile(book) as old:
        parts = {name: old.read(name) for name in old.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    cell = re.search(r'<c r="C2"[^>]*>.*?</c>', sheet)[0]
    bad = '<c r="C2" t="b"><v>330106197504201239张三丰</v></c>'
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(cell, bad).encode()
    with zipfile.ZipFile(book, "w") as new:
        for name, data in parts.items():
            new.writestr(name, data)
    report = load(engine, inbox)
    (unreadable,) = report["files"]["unreadable"]
    assert unreadable["reason_en"] == "cannot read workbook: Unrecognized boolean cell value: …"
    with engine.connect() as conn:
        stored = [
            str(v)
            for t in (schema.load_files, schema.load_runs)
            for row in conn.execute(sa.select(t))
            for v in row
        ]
    assert [v for v in stored if "330106197504201239" in v or "张三丰" in v] == []


def test_accepted_values_are_normalised(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    load(engine, inbox)
    with engine.connect() as conn:
        areas = dict(
            conn.execute(sa.select(schema.areas.c.area_code, schema.areas.c.unit_type)).all()
        )
        meetings = {r.meeting_id: r for r in conn.execute(sa.select(schema.meetings)).all()}
        report = conn.execute(sa.select(schema.resolution_reports)).mappings().one()
    assert areas == {
        "330281000000": None,
        "330281001000": "街道",
        "330281001001": "社区",
        "330281100000": "镇",
        "330281100201": "村",
    }
    hy1, hy2 = meetings["HY-1"], meetings["HY-2"]
    assert (
        hy1.form,
        hy1.topic_category,
        hy1.topic_source,
        hy1.led_by_party,
        hy1.online,
        hy1.month,
    ) == ("council", "roads", "residents", True, False, 202503)
    assert (hy2.form, hy2.topic_category, hy2.topic_source, hy2.led_by_party, hy2.online) == (
        "hearing",
        "other",
        "other",
        False,
        True,
    )
    assert (
        report["status"],
        report["completed_date"],
        report["satisfaction"],
        report["in_assessment"],
        report["escalated_to"],
    ) == ("implemented", date(2025, 5, 20), 92.0, True, "330281100000")


def test_a_required_column_the_header_lacks_is_named_with_the_headers_to_write(engine, tmp_path):
    """An office's own header (区划代码（12位）, not an alias) leaves the sheet without
    area_code: each row says the header lacks the column, not that its cell is empty."""
    inbox = base_inbox(tmp_path / "inbox")
    header = ["序号", *MEETING_HEADER, "备注"]
    header[header.index("区划代码")] = "区划代码（12位）"
    write_xlsx(
        inbox / "东湖镇会议台账.xlsx",
        {"会议": [["东湖镇协商会议台账"], header, [1, *MEETINGS[0], "无"]]},
    )
    report = load(engine, inbox)
    assert report["unknown_columns"][0]["columns"] == ["序号", "区划代码(12位)", "备注"]
    t = schema.rejects
    with engine.connect() as conn:
        row = conn.execute(sa.select(t)).mappings().one()
    assert (row["rule"], row["column_name"], row["header"], row["row_number"]) == (
        "missing_column",
        "area_code",
        None,
        3,
    )
    assert row["reason_zh"] == "表头中没有这一必填列"
