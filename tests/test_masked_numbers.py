"""A resident ID number or a mobile number typed into a submitted file never reaches the
warehouse: in free text (a topic, a resolution's content, its responsible unit), in a
file's or a sheet's name, it is stored masked (`xieshang.etl.cells.mask_personal_numbers`),
while a checksum-wrong 18-digit number and a 12-digit area code are kept as typed. Real
loads and submissions on SQLite and PostgreSQL; every text column of every table read back.
"""

from __future__ import annotations

import io
import json
from datetime import date

import openpyxl
import sqlalchemy as sa

from tests.helpers.inbox_county import LIUSHU, load_county
from tests.helpers.inbox_county import SECRET as COUNTY_SECRET
from tests.helpers.inbox_files import write_csv, write_xlsx
from tests.helpers.minimal_inbox import (
    MEETING_HEADER,
    RESOLUTION_HEADER,
    base_inbox,
    load,
)
from tests.helpers.scoped_county import STAFF
from xieshang.etl.cells import mask_personal_numbers
from xieshang.metrics import quality
from xieshang.submission import submit
from xieshang.warehouse import schema

ID = "33028119850315002X"  # born 1985-03-15, check character X (GB 11643)
MOBILE = "13812345678"
NOT_AN_ID = "330281199001011234"  # its check character would be 5: an office's number
AREA = "330281100201"  # 柳树村: a 12-digit area code
# (ASCII punctuation: a cell is NFKC-folded, full-width commas and brackets with it)
TOPIC = f"赵六(身份证 {ID},电话 {MOBILE})反映村道积水,区划 {AREA},旧编号 {NOT_AN_ID}"
STORED_TOPIC = (
    f"赵六(身份证 [身份证号已隐去],电话 [手机号已隐去])反映村道积水,区划 {AREA},旧编号 {NOT_AN_ID}"
)
SHEET = f"赵六{ID}"
REPORTS_FILE = f"决议落实（联系人{MOBILE}）.csv"


def _report(number: str, meeting: str, content: str, unit: str) -> list[str]:
    """A report row of 柳树村 under RESOLUTION_HEADER."""
    return [
        number,
        meeting,
        AREA,
        content,
        unit,
        "2025-05-31",
        "推进中",
        "",
        "2025-05-25",
        "",
        "",
        "",
    ]


def _inbox(root):
    inbox = base_inbox(root)
    write_xlsx(
        inbox / "会议补充台账.xlsx",
        {
            SHEET: [
                MEETING_HEADER,
                ["HY-5", AREA, "2025-03-09", "议事会", TOPIC, "", "", "是", ""],
                # row 3: too long a topic, rejected with the number in it
                ["HY-6", AREA, "2025-03-09", "议事会", f"{ID}{'路' * 1000}", "", "", "是", ""],
            ]
        },
    )
    content = f"为{ID}户办理低保,联系电话 138-1234-5678"
    write_csv(
        inbox / REPORTS_FILE,
        [
            RESOLUTION_HEADER,
            _report("JY-7", "HY-5", content, f"民政办({MOBILE})"),
            _report("JY-8", "HY-99", content, f"民政办({MOBILE})"),  # held: no HY-99 yet
        ],
    )
    return inbox


def _stored_texts(engine) -> list[str]:
    """Every text value of every table of the warehouse."""
    with engine.connect() as conn:
        return [
            value
            for table in schema.metadata.sorted_tables
            for row in conn.execute(sa.select(table)).all()
            for value in row
            if isinstance(value, str)
        ]


def _hidden_everywhere(engine) -> None:
    texts = _stored_texts(engine)
    for number in (ID, ID.lower(), MOBILE, "1234-5678"):
        assert [text for text in texts if number in text] == []


def test_numbers_in_free_text_and_names_reach_no_table(engine, tmp_path):
    report = load(engine, _inbox(tmp_path / "inbox"))

    assert report["kinds"]["meetings"]["rejected"] == 1
    assert report["kinds"]["resolutions"]["held"] == 1
    _hidden_everywhere(engine)
    with engine.connect() as conn:
        topic = conn.execute(
            sa.select(schema.meetings.c.topic).where(schema.meetings.c.meeting_id == "HY-5")
        ).scalar_one()
        stored = conn.execute(
            sa.select(
                schema.resolution_reports.c.content, schema.resolution_reports.c.responsible_unit
            ).where(schema.resolution_reports.c.resolution_id == "JY-7")
        ).all()
        (held,) = conn.execute(sa.select(schema.held_rows.c.path, schema.held_rows.c.payload)).all()
        (reject,) = conn.execute(
            sa.select(schema.rejects.c.path, schema.rejects.c.sheet, schema.rejects.c.value)
        ).all()
        paths = sorted(conn.execute(sa.select(schema.load_files.c.path)).scalars())
    # the hand-checked cell: the ID and the mobile number masked; the area code and the
    # number whose check character is wrong kept as typed
    assert topic == STORED_TOPIC
    masked_content = "为[身份证号已隐去]户办理低保,联系电话 [手机号已隐去]"
    assert stored == [(masked_content, "民政办([手机号已隐去])")]
    payload = json.loads(held.payload)
    assert (payload["content"], payload["responsible_unit"]) == (
        masked_content,
        "民政办([手机号已隐去])",
    )
    assert held.path == "决议落实（联系人[手机号已隐去]）.csv"
    assert tuple(reject) == ("会议补充台账.xlsx", "赵六[身份证号已隐去]", "（已隐去 redacted）")
    assert paths == [
        "会议台账.csv",
        "会议补充台账.xlsx",
        "决议落实.csv",
        "决议落实（联系人[手机号已隐去]）.csv",
        "区划名册.csv",
        "参会签到.csv",
    ]


def test_a_file_named_with_a_number_is_unchanged_when_loaded_again(engine, tmp_path):
    inbox = _inbox(tmp_path / "inbox")
    load(engine, inbox)
    again = load(engine, inbox)
    assert again["files"]["loaded"] == []
    assert "决议落实（联系人[手机号已隐去]）.csv" in again["files"]["unchanged"]
    assert again["kinds"]["resolutions"]["read"] == 0
    _hidden_everywhere(engine)


def test_two_sheets_named_alike_but_for_their_numbers_are_not_read_as_one(engine, tmp_path):
    """Masked, 赵六<ID> and 赵六<another ID> are one name: the second is not read, lest its
    rows and rejects pass for the first's."""
    other = "11010519491231002X"  # born 1949-12-31, check character X
    assert mask_personal_numbers(other) == "[身份证号已隐去]"
    inbox = base_inbox(tmp_path / "inbox")
    row = ["HY-5", AREA, "2025-03-09", "议事会", "议题", "", "", "是", ""]
    write_xlsx(
        inbox / "会议补充台账.xlsx",
        {SHEET: [MEETING_HEADER, row], f"赵六{other}": [MEETING_HEADER, row]},
    )
    report = load(engine, inbox)
    assert report["kinds"]["meetings"]["read"] == 3  # two of the base inbox, one of the first
    assert [(s["sheet"], s["reason_en"]) for s in report["sheets_skipped"]] == [
        (
            "赵六[身份证号已隐去]",
            "the same name as an earlier sheet once ID and mobile numbers are hidden: not read;"
            " rename it (without an ID or mobile number) and send the file again",
        )
    ]
    _hidden_everywhere(engine)


def _problems(content: bytes) -> list[tuple]:
    """(sheet name, meeting number, what the 问题 column says) of each marked row."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    out = []
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        problem = rows[0].index("问题")
        out.extend((sheet.title, row[0], row[problem]) for row in rows[1:])
    return out


def test_a_submitted_sheet_named_with_an_id_is_marked_up_and_answered(engine, tmp_path):
    """Through the dashboard's submission: the rejects, the report and the audit log name
    the sheet and the file masked; the marked-up workbook still marks the row, and sent
    back fixed it answers the reject."""
    load_county(engine, tmp_path)
    header = ["会议编号", "区划代码", "召开日期", "形式", "议题", "党组织主持"]
    rows = [header, ["HY-30", LIUSHU, "2025-06-03", "茶话会", f"电话 {MOBILE}", "是"]]
    name = f"会议台账{MOBILE}.xlsx"
    made = submit(
        engine,
        [(name, write_xlsx(tmp_path / "made.xlsx", {SHEET: rows}).read_bytes())],
        STAFF,
        secret=COUNTY_SECRET,
        today=date(2025, 6, 30),
    )
    assert made.report["files"]["loaded"] == ["东湖镇/会议台账[手机号已隐去].xlsx"]
    assert [(r["file"], r["sheet"], r["row_number"], r["rule"]) for r in made.rejects] == [
        ("会议台账[手机号已隐去].xlsx", "赵六[身份证号已隐去]", 2, "bad_vocab")
    ]
    (marked,) = made.marked
    assert marked.source == name
    problems = _problems(marked.content)
    assert [(sheet, number) for sheet, number, _ in problems] == [("协商会议台账", "HY-30")]
    book = openpyxl.load_workbook(io.BytesIO(marked.content))
    book.worksheets[0]["D2"] = "议事会"
    fixed = io.BytesIO()
    book.save(fixed)
    answer = submit(
        engine,
        [(marked.filename, fixed.getvalue())],
        STAFF,
        secret=COUNTY_SECRET,
        today=date(2025, 6, 30),
    )
    assert answer.report["kinds"]["meetings"]["inserted"] == 1
    assert [
        r for r in quality.rejected_rows(engine, "330281100000") if r["rule"] == "bad_vocab"
    ] == []
    with engine.connect() as conn:
        topic = conn.execute(
            sa.select(schema.meetings.c.topic).where(schema.meetings.c.meeting_id == "HY-30")
        ).scalar_one()
        (audit_file, detail) = conn.execute(
            sa.select(schema.audit_log.c.file, schema.audit_log.c.detail)
            .where(schema.audit_log.c.action == "submission")
            .order_by(schema.audit_log.c.id)
        ).first()
    assert topic == "电话 [手机号已隐去]"
    assert audit_file == "会议台账[手机号已隐去].xlsx"
    assert json.loads(detail)["files"] == ["会议台账[手机号已隐去].xlsx"]
    _hidden_everywhere(engine)


def test_what_is_masked_and_what_is_kept():
    """The numbers masked, whole or in the groups people write them in, and those kept."""
    assert {
        text: mask_personal_numbers(text)
        for text in (
            f"身份证{ID}",
            f"身份证{ID.lower()}号",
            "330281 19850315 002X",
            "老证号330281850315002",  # 15 digits, born 1985-03-15
            f"手机{MOBILE}，",
            "+86 138-1234-5678",
            "HY330281199001011235",
            NOT_AN_ID,
            AREA,
            "330281851315002",  # a 15-digit number without a birth date (month 13)
            "138123456789",  # 12 digits: no mobile number
            "2025030800112345678",  # 19 digits
            "编号12345678901",  # 11 digits, not 1[3-9]
        )
    } == {
        f"身份证{ID}": "身份证[身份证号已隐去]",
        f"身份证{ID.lower()}号": "身份证[身份证号已隐去]号",
        "330281 19850315 002X": "[身份证号已隐去]",
        "老证号330281850315002": "老证号[身份证号已隐去]",
        f"手机{MOBILE}，": "手机[手机号已隐去]，",
        "+86 138-1234-5678": "[手机号已隐去]",
        "HY330281199001011235": "HY[身份证号已隐去]",
        NOT_AN_ID: NOT_AN_ID,
        AREA: AREA,
        "330281851315002": "330281851315002",
        "138123456789": "138123456789",
        "2025030800112345678": "2025030800112345678",
        "编号12345678901": "编号12345678901",
    }


def test_of_two_files_named_alike_but_for_their_numbers_only_the_first_is_read(engine, tmp_path):
    """Masked, 会议台账13812345678.xlsx and 会议台账13912345678.xlsx are one name: the
    second is skipped, and no marked-up workbook is made of it from the first's rejects."""
    load_county(engine, tmp_path)
    header = ["会议编号", "区划代码", "召开日期", "形式", "议题", "党组织主持"]
    first = [header, ["HY-30", LIUSHU, "2025-06-03", "茶话会", "路灯", "是"]]
    second = [header, ["HY-31", LIUSHU, "2025-06-04", "研讨会", "河塘", "是"]]
    made = submit(
        engine,
        [
            (
                "会议台账13912345678.xlsx",
                write_xlsx(tmp_path / "b.xlsx", {"Sheet1": second}).read_bytes(),
            ),
            (
                "会议台账13812345678.xlsx",
                write_xlsx(tmp_path / "a.xlsx", {"Sheet1": first}).read_bytes(),
            ),
        ],
        STAFF,
        secret=COUNTY_SECRET,
        today=date(2025, 6, 30),
    )
    assert made.report["files"]["loaded"] == ["东湖镇/会议台账[手机号已隐去].xlsx"]
    assert [(f["path"], f["reason_zh"]) for f in made.report["files"]["skipped"]] == [
        (
            "东湖镇/会议台账[手机号已隐去].xlsx",
            "隐去身份证号、手机号后与前面的文件同名，未读取：请改名（名称中不要写身份证号或手机号）后重新报送",
        )
    ]
    assert [r["value"] for r in made.rejects] == ["茶话会"]
    assert [(m.source, [p[1] for p in _problems(m.content)]) for m in made.marked] == [
        ("会议台账13812345678.xlsx", ["HY-30"])
    ]
    _hidden_everywhere(engine)
