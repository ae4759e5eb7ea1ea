"""The marked-up rejects workbook (xieshang.marked) of an xlsx with a title row above its
header and of a GB18030 CSV whose quoted cell spans two lines: exactly the rejected rows
under the file's own header, codes and identifiers as text, bad cells filled light red
with the reason as a comment, the 问题 column's texts, the header bold and frozen, the
property naming the file it answers, and the loader reading it back as the same rows."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest

from tests.helpers.inbox_files import write_csv, write_xlsx
from xieshang.etl.read import read_file
from xieshang.marked import marked_workbook

RED = "FFFFC7CE"
RUN = "0123456789abcdef0123456789abcdef"  # the run whose reading the workbook marks
LIUSHU, YANGJIA = "330281100201", "330281100202"
DATE_HINT = "日期填成 2025-03-08 或 20250308"
FORMS = "可填：议事会、听证会、座谈会"

MEETINGS = [
    ["东湖镇2025年7月协商会议台账"],  # a title row above the header
    ["会议编号", "区划代码", "召开日期", "形式", "议题", "党组织主持", "备注"],
    ["007", int(LIUSHU), date(2025, 7, 3), "议事会", "村道硬化", True, ""],
    ["008", int(YANGJIA), "2025-13-01", "议事会", "路灯维修", True, "补报"],
    ["009", int(LIUSHU), date(2025, 7, 5), "茶话会", "=清淤", "也许", None],
]
ATTENDANCE = [
    ["会议编号", "区划代码", "身份证号", "姓名", "是否党员", "身份类别"],
    ["007", LIUSHU, "330281199001010011", "甲", "是", "村民"],
]


def _reject(sheet, row, column, header, reason, hint=None) -> dict:
    return {
        "sheet": sheet,
        "row_number": row,
        "column_name": column,
        "header": header,
        "reason_zh": reason,
        "hint": hint,
    }


XLSX_REJECTS = [
    _reject("7月", 4, "meeting_date", "召开日期", "日期无法识别", DATE_HINT),
    _reject("7月", 5, "form", "形式", "不在规定取值范围内", FORMS),
    _reject("7月", 5, "led_by_party", "党组织主持", "应填 是/否"),
    _reject("8月", 2, "area_code", "区划代码", "超出本乡镇范围", "请删除此行"),
    _reject("签到表", 2, "category", "身份类别", "不在规定取值范围内"),
]


@pytest.fixture
def xlsx(tmp_path):
    path = write_xlsx(
        tmp_path / "东湖镇会议台账-7月.xlsx",
        {
            "7月": MEETINGS,
            "8月": [
                MEETINGS[1],
                ["010", "330281001001", date(2025, 8, 1), "座谈会", "电梯", False],
            ],
            "签到表": ATTENDANCE,
            "决议": [["决议编号", "会议编号"], ["JY-1", "007"]],  # no rejects: not in the workbook
        },
    )
    content = marked_workbook(
        "东湖镇/东湖镇会议台账-7月.xlsx", path.read_bytes(), XLSX_REJECTS, RUN, RUN
    )
    return openpyxl.load_workbook(io.BytesIO(content)), content


def values(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def filled(sheet) -> list[str]:
    return [
        cell.coordinate
        for row in sheet.iter_rows()
        for cell in row
        if cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb == RED
    ]


def comments(sheet) -> dict[str, str]:
    return {
        cell.coordinate: cell.comment.text
        for row in sheet.iter_rows()
        for cell in row
        if cell.comment is not None
    }


def test_an_xlsx_with_a_title_row(xlsx):
    book, _ = xlsx
    # a sheet whose name names no kind takes its kind's ledger name (the workbook's own
    # name names none); a second one is told apart; the sheet without rejects is absent
    assert book.sheetnames == ["协商会议台账", "协商会议台账(2)", "签到表"]
    july = book["协商会议台账"]
    assert values(july) == [
        ("会议编号", "区划代码", "召开日期", "形式", "议题", "党组织主持", "备注", "问题"),
        (
            "008",
            YANGJIA,
            "2025-13-01",
            "议事会",
            "路灯维修",
            True,
            "补报",
            f"召开日期：日期无法识别。{DATE_HINT}",
        ),
        (
            "009",
            LIUSHU,
            datetime(2025, 7, 5),
            "茶话会",
            "=清淤",
            "也许",
            None,
            f"形式：不在规定取值范围内。{FORMS}\n党组织主持：应填 是/否",
        ),
    ]
    # codes and identifiers stay text (a code the file held as a number included)
    assert [july.cell(3, c).data_type for c in (1, 2, 3, 5)] == ["s", "s", "d", "s"]
    assert [july.cell(3, c).number_format for c in (1, 2, 3)] == ["@", "@", "yyyy-mm-dd"]
    assert filled(july) == ["C2", "D3", "F3"]
    assert comments(july) == {
        "C2": f"日期无法识别\n{DATE_HINT}",
        "D3": f"不在规定取值范围内\n{FORMS}",
        "F3": "应填 是/否",
    }
    assert [july.cell(1, c).font.b for c in range(1, 9)] == [True] * 8
    assert july.freeze_panes == "A2"
    assert july.cell(2, 8).alignment.wrap_text is True
    assert july.column_dimensions["H"].width == pytest.approx(60.71, abs=0.01)
    assert july.column_dimensions["E"].width == pytest.approx(10.71, abs=0.01)  # 路灯维修 + 2

    august = book["协商会议台账(2)"]
    assert values(august) == [
        ("会议编号", "区划代码", "召开日期", "形式", "议题", "党组织主持", "备注", "问题"),
        (
            "010",
            "330281001001",
            datetime(2025, 8, 1),
            "座谈会",
            "电梯",
            False,
            None,
            "区划代码：超出本乡镇范围。请删除此行",
        ),
    ]
    assert filled(august) == ["B2"]
    assert values(book["签到表"]) == [
        ("会议编号", "区划代码", "身份证号", "姓名", "是否党员", "身份类别", "问题"),
        ("007", LIUSHU, "330281199001010011", "甲", "是", "村民", "身份类别：不在规定取值范围内"),
    ]
    assert filled(book["签到表"]) == ["F2"]
    assert book.custom_doc_props["xieshang_replaces"].value == "东湖镇/东湖镇会议台账-7月.xlsx"
    assert book.custom_doc_props["xieshang_replaces_run"].value == RUN
    assert book.custom_doc_props["xieshang_replaces_as_of"].value == RUN


def test_the_loader_reads_it_back_as_the_rows_it_marks(xlsx, tmp_path):
    _, content = xlsx
    name = "东湖镇-拒收行-东湖镇会议台账-7月-2025-07-31.xlsx"  # as marked_name names it
    (tmp_path / name).write_bytes(content)
    result = read_file(tmp_path, name)
    assert (result.unreadable, result.skipped, result.unknown_columns) == (
        None,
        None,
        [
            {"path": name, "sheet": sheet, "columns": ["备注"]}
            for sheet in ("协商会议台账", "协商会议台账(2)")
        ],
    )
    assert (result.replaces, result.replaces_run) == ("东湖镇/东湖镇会议台账-7月.xlsx", RUN)
    read = {
        sheet.sheet: (sheet.kind, sheet.frame[["_row", "meeting_id", "area_code"]].values.tolist())
        for sheet in result.sheets
    }
    assert read == {
        "协商会议台账": ("meetings", [[2, "008", YANGJIA], [3, "009", LIUSHU]]),
        "协商会议台账(2)": ("meetings", [[2, "010", "330281001001"]]),
        "签到表": ("attendance", [[2, "007", LIUSHU]]),
    }


def test_a_gb18030_csv(tmp_path):
    rows = [
        ["会议编号", "区划代码", "身份证号", "姓名", "是否党员", "参会身份"],
        ["007", LIUSHU, "330281199001010011", "张\n三", "是", "村民代表"],  # lines 2–3
        ["007", LIUSHU, "0330281199001010022", "李四", "不详", "村民代表"],  # line 4
        ["008", YANGJIA, "330281199001010033", "王五", "否", "路人", "迟到"],  # line 5
    ]
    path = write_csv(tmp_path / "东湖镇参会签到表（7月）.csv", rows, encoding="gb18030")
    rejects = [
        _reject(None, 5, "category", "参会身份", "不在规定取值范围内", "可填：村民代表、网格员"),
        _reject(None, 4, "party_member", "是否党员", "应填 是/否", "可填：是、否"),
        _reject(None, 4, None, None, "会议尚未报送"),  # a rule that names no column
    ]
    content = marked_workbook(
        "东湖镇/东湖镇参会签到表（7月）.csv", path.read_bytes(), rejects, RUN, RUN
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["东湖镇参会签到表（7月）"]
    sheet = book.worksheets[0]
    assert values(sheet) == [
        # a cell past the header's last is kept, under no header, as the file has it
        ("会议编号", "区划代码", "身份证号", "姓名", "是否党员", "参会身份", None, "问题"),
        (
            "007",
            LIUSHU,
            "0330281199001010022",
            "李四",
            "不详",
            "村民代表",
            None,
            "是否党员：应填 是/否。可填：是、否\n会议尚未报送",
        ),
        (
            "008",
            YANGJIA,
            "330281199001010033",
            "王五",
            "否",
            "路人",
            "迟到",
            "参会身份：不在规定取值范围内。可填：村民代表、网格员",
        ),
    ]
    assert filled(sheet) == ["E2", "F3"]
    assert comments(sheet) == {
        "E2": "应填 是/否\n可填：是、否",
        "F3": "不在规定取值范围内\n可填：村民代表、网格员",
    }
    assert [sheet.cell(2, c).number_format for c in (1, 2, 3, 4)] == ["@", "@", "@", "General"]
    assert sheet.freeze_panes == "A2"
    assert book.custom_doc_props["xieshang_replaces"].value == "东湖镇/东湖镇参会签到表（7月）.csv"


def test_a_long_csv_name_keeps_its_kind_in_31_characters(tmp_path):
    stem = "二零二五年七月东湖镇所辖各村社区居民代表与党员干部群众协商议事参会人员签到汇总表"
    assert len(stem) == 40
    rows = [
        ["会议编号", "区划代码", "身份证号", "是否党员", "身份类别"],
        ["007", LIUSHU, "1", "是", "x"],
    ]
    path = write_csv(tmp_path / f"{stem}.csv", rows)
    content = marked_workbook(
        f"{stem}.csv",
        path.read_bytes(),
        [_reject(None, 2, "category", None, "不在规定取值范围内")],
        RUN,
        RUN,
    )
    # cut at 31 characters the name loses 参会 and 签到 and would name no kind: the kind's
    # ledger name instead
    assert openpyxl.load_workbook(io.BytesIO(content)).sheetnames == ["参会人员签到表"]


def test_a_percent_cell_is_marked_as_the_percent_it_shows(tmp_path):
    """The marked workbook gives back what the office typed (95%), as the loader read it,
    not calamine's fraction (0.95)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "决议"
    sheet.append(["决议编号", "会议编号", "区划代码", "满意度"])
    sheet.append(["JY-1", "007", LIUSHU, 0.95])
    sheet["D2"].number_format = "0%"
    data = io.BytesIO()
    book.save(data)
    reject = _reject("决议", 2, "satisfaction", "满意度", "满意度应为0到100之间的数")
    marked = openpyxl.load_workbook(
        io.BytesIO(marked_workbook("东湖镇/决议.xlsx", data.getvalue(), [reject], RUN, RUN))
    )
    assert values(marked.worksheets[0])[1][:4] == ("JY-1", "007", LIUSHU, "95%")
