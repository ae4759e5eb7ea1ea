"""`xieshang template KIND` (interfaces.md, "Submitting files through the dashboard"): the
contract's headers, drop-down lists, date and text formats, the 填表说明 sheet, the areas
template pre-filled from the roster, and a filled-in template that loads with no reject."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from openpyxl.utils import get_column_letter

from tests.helpers.minimal_inbox import base_inbox, load, rejects
from xieshang.cli import main
from xieshang.contract.columns import COLUMNS, header
from xieshang.etl.load import run_load
from xieshang.template import TEMPLATE_KINDS, write_template
from xieshang.warehouse import schema

SECRET = b"a-secret-of-16+chars"
BOOLEAN = ["是", "否"]
FORMS = [
    "议事会",
    "听证会",
    "恳谈会",
    "座谈会",
    "协调会",
    "评议会",
    "党日活动",
    "协商式民意调查",
    "愿景工作坊",
    "参与式预算",
    "联席会议",
    "其他",
]
TOPIC_CATEGORIES = [
    "环境整治",
    "道路交通",
    "养老托育",
    "物业管理",
    "公共设施",
    "就业增收",
    "矛盾纠纷",
    "集体经济",
    "公共安全",
    "其他",
]
TOPIC_SOURCES = ["党组织确定", "群众提议", "上级交办", "代表委员提出", "其他"]
CATEGORIES = [
    "村(居)民代表",
    "人大代表",
    "政协委员",
    "驻区单位",
    "群团组织",
    "社会组织",
    "乡贤",
    "网格员",
    "物业企业",
    "业主委员会",
    "基层干部",
    "群众",
    "其他",
]
STATUSES = ["未启动", "推进中", "已落实", "已撤销"]
UNIT_TYPES = ["县", "区", "市", "镇", "乡", "街道", "村", "社区"]

# column letter -> the drop-down's values, per kind
LISTS = {
    "areas": {"D": UNIT_TYPES},
    "meetings": {
        "D": FORMS,
        "F": TOPIC_CATEGORIES,
        "G": TOPIC_SOURCES,
        "H": BOOLEAN,
        "I": BOOLEAN,
    },
    "attendance": {"E": BOOLEAN, "F": CATEGORIES},
    "resolutions": {"G": STATUSES, "K": BOOLEAN},
}
HEADERS = {
    "areas": ["区划代码", "名称", "上级代码", "类型", "党员人数", "常住人口"],
    "meetings": [
        "会议编号",
        "区划代码",
        "会议日期",
        "协商形式",
        "议题",
        "议题类别",
        "议题来源",
        "党组织主持",
        "线上",
    ],
    "attendance": ["会议编号", "区划代码", "人员标识", "姓名", "是否党员", "身份类别"],
    "resolutions": [
        "决议编号",
        "会议编号",
        "区划代码",
        "决议内容",
        "责任单位",
        "完成时限",
        "落实状态",
        "完成日期",
        "更新日期",
        "群众满意度",
        "纳入述职评议",
        "上报至",
    ],
}
# column letter -> number format, per kind: dates as dates, codes and identifiers as text
FORMATS = {
    "areas": {"A": "@", "C": "@"},
    "meetings": {"A": "@", "B": "@", "C": "yyyy-mm-dd"},
    "attendance": {"A": "@", "B": "@", "C": "@"},
    "resolutions": {
        "A": "@",
        "B": "@",
        "C": "@",
        "F": "yyyy-mm-dd",
        "H": "yyyy-mm-dd",
        "I": "yyyy-mm-dd",
        "L": "@",
    },
}


def _book(kind: str, tmp_path: Path, roster=None) -> openpyxl.Workbook:
    path = tmp_path / f"{kind}.xlsx"
    write_template(kind, path, roster)
    return openpyxl.load_workbook(path)


@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_headers_are_the_contracts_in_its_order(kind, tmp_path):
    sheet = _book(kind, tmp_path).worksheets[0]
    headers = [cell.value for cell in sheet[1]]
    assert headers == HEADERS[kind]
    assert headers == [header(kind, column.name) for column in COLUMNS[kind]]


@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_every_vocabulary_and_boolean_column_has_its_drop_down(kind, tmp_path):
    sheet = _book(kind, tmp_path).worksheets[0]
    lists = {}
    for validation in sheet.data_validations.dataValidation:
        if validation.type != "list":
            continue
        letter = get_column_letter(next(iter(validation.sqref.ranges)).min_col)
        assert str(validation.sqref) == f"{letter}2:{letter}1048576"  # every row
        # a warning: the guide's other spellings may be kept
        assert (validation.errorStyle, validation.showErrorMessage) == ("warning", True)
        lists[letter] = validation.formula1.strip('"').split(",")
    assert lists == LISTS[kind]


@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_date_and_code_columns_carry_their_number_formats(kind, tmp_path):
    sheet = _book(kind, tmp_path).worksheets[0]
    formats = {}  # a <col> element may span neighbouring columns of one format
    for dimension in sheet.column_dimensions.values():
        for col in range(dimension.min, dimension.max + 1):
            if dimension.number_format != "General":
                formats[get_column_letter(col)] = dimension.number_format
    assert formats == FORMATS[kind]


@pytest.mark.parametrize("kind", TEMPLATE_KINDS)
def test_guide_sheet_has_a_row_per_column(kind, tmp_path):
    book = _book(kind, tmp_path)
    assert book.sheetnames[1] == "填表说明"
    rows = list(book["填表说明"].iter_rows(values_only=True))
    assert rows[0] == ("列名", "是否必填", "填写要求", "也可用的列名")
    assert [row[0] for row in rows[1:]] == HEADERS[kind]
    assert [row[1] for row in rows[1:]] == [_required(kind, column) for column in COLUMNS[kind]]


def _required(kind, column) -> str:
    if (kind, column.name) == ("resolutions", "completed_date"):
        return "落实状态为已落实时必填"
    return "必填" if column.required else "选填"


def test_guide_names_the_allowed_values_the_date_form_and_the_id_form(tmp_path):
    rows = {
        row[0]: row
        for row in _book("resolutions", tmp_path)["填表说明"].iter_rows(values_only=True)
    }
    assert rows["落实状态"][2].startswith("从下拉列表选择：未启动、推进中、已落实、已撤销")
    assert "办结时限" in rows["完成时限"][3]
    assert "YYYY-MM-DD" in rows["完成时限"][2]
    assert "12 位统计用区划代码" in rows["区划代码"][2]
    assert "按文本填写" in rows["决议编号"][2]


# --- a filled-in template loads with zero rejects -------------------------------------

COUNTY, TOWNSHIP, VILLAGE, COMMUNITY = (
    "330281000000",
    "330281100000",
    "330281100201",
    "330281001001",
)
ROWS = {
    "areas": [
        [COUNTY, "清河县", None, "县", 50, 100000],
        ["330281001000", "城关街道", COUNTY, "街道", 80, None],
        [COMMUNITY, "新华社区", "330281001000", "社区", 40, 3000],
        [TOWNSHIP, "东湖镇", COUNTY, "镇", 60, None],
        [VILLAGE, "柳树村", TOWNSHIP, "村", 30, 900],
    ],
    "meetings": [
        [
            "HY-1",
            VILLAGE,
            date(2025, 3, 8),
            "议事会",
            "村道硬化",
            "道路交通",
            "群众提议",
            "是",
            "否",
        ],
        ["HY-2", COMMUNITY, date(2025, 3, 10), "听证会", "加装电梯", None, None, "否", "是"],
    ],
    "attendance": [
        ["HY-1", VILLAGE, "330281199001011234", "张三", "是", "村(居)民代表"],
        ["HY-1", VILLAGE, "330281199001011235", "李四", "否", "网格员"],
        ["HY-2", COMMUNITY, "330281199001011236", None, "否", "群众"],
    ],
    "resolutions": [
        [
            "JY-1",
            "HY-1",
            VILLAGE,
            "硬化村道2公里",
            "村委会",
            date(2025, 5, 31),
            "已落实",
            date(2025, 5, 20),
            date(2025, 5, 25),
            92,
            "是",
            TOWNSHIP,
        ],
        [
            "JY-2",
            "HY-2",
            COMMUNITY,
            "加装电梯",
            "社区居委会",
            date(2025, 9, 30),
            "推进中",
            None,
            date(2025, 5, 25),
            None,
            "否",
            None,
        ],
    ],
}
FILE_NAMES = {
    "areas": "区划名册.xlsx",
    "meetings": "会议台账.xlsx",
    "attendance": "参会签到.xlsx",
    "resolutions": "决议落实.xlsx",
}


def _fill(kind: str, rows: list[list], path: Path) -> None:
    write_template(kind, path)
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if value is not None:
                sheet.cell(r, c, value)
    book.save(path)


def _count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_filled_templates_load_with_zero_rejects(engine, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for kind in TEMPLATE_KINDS:
        _fill(kind, ROWS[kind], inbox / FILE_NAMES[kind])
    report = run_load(engine, inbox, secret=SECRET, today=date(2025, 6, 30))
    assert report["status"] == "committed", report.get("error")
    assert rejects(engine) == []
    assert {
        kind: counts["rejected"] + counts["held"] for kind, counts in report["kinds"].items()
    } == {kind: 0 for kind in TEMPLATE_KINDS}
    # every data sheet is read; the guide sheets are passed over without a word
    assert report["sheets_skipped"] == []
    assert _count(engine, schema.held_rows) == 0
    assert _count(engine, schema.areas) == 5
    assert _count(engine, schema.meetings) == 2
    assert _count(engine, schema.attendance) == 3
    assert _count(engine, schema.resolution_reports) == 2
    with engine.connect() as conn:
        query = sa.select(schema.areas.c.area_code, schema.areas.c.unit_type)
        types = dict(conn.execute(query).tuples().all())
    assert types[TOWNSHIP] == "镇" and types[COMMUNITY] == "社区"


# --- the command ----------------------------------------------------------------------


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_areas_template_is_prefilled_with_the_townships_rows(engine, db_url, tmp_path, capsys):
    load(engine, base_inbox(tmp_path / "inbox"))
    output = tmp_path / "out" / "区划名册.xlsx"
    output.parent.mkdir()
    code, out, err = _run(
        capsys,
        "template",
        "areas",
        "--township",
        "330281100",
        "--output",
        str(output),
        "--db",
        db_url,
    )
    assert (code, out) == (0, "")
    assert err == f"wrote the areas template, 2 roster rows filled in to {output}\n"
    sheet = openpyxl.load_workbook(output).worksheets[0]
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        [TOWNSHIP, "东湖镇", COUNTY, "镇", 60, None],
        [VILLAGE, "柳树村", TOWNSHIP, "村", 30, 900],
    ]
    # sent back unchanged, the pre-filled rows are accepted as they are
    load(engine, output.parent)
    assert rejects(engine) == []


def test_blank_template_from_the_command(tmp_path, capsys):
    output = tmp_path / "会议台账.xlsx"
    code, out, err = _run(capsys, "template", "meetings", "--output", str(output))
    assert (code, out, err) == (0, "", f"wrote the meetings template to {output}\n")
    assert [c.value for c in openpyxl.load_workbook(output).worksheets[0][1]] == HEADERS["meetings"]


def test_unknown_kind_is_a_one_line_usage_error(tmp_path, capsys):
    code, out, err = _run(capsys, "template", "persons", "--output", str(tmp_path / "x.xlsx"))
    assert code == 2 and out == ""
    assert err == (
        "xieshang: unknown template 'persons'; use one of areas, meetings, attendance, "
        "resolutions\n"
    )
    assert not (tmp_path / "x.xlsx").exists()


def test_township_only_prefills_the_areas_template(tmp_path, capsys):
    code, _, err = _run(
        capsys, "template", "meetings", "--township", "330281100", "--output", str(tmp_path / "x")
    )
    assert (code, err) == (2, "xieshang: --township only pre-fills the areas template\n")


def test_unknown_township_is_a_one_line_error(engine, db_url, tmp_path, capsys):
    load(engine, base_inbox(tmp_path / "inbox"))
    output = tmp_path / "x.xlsx"
    argv = ["template", "areas", "--output", str(output), "--db", db_url]
    code, out, err = _run(capsys, *argv, "--township", "330281200")
    assert (code, out) == (2, "")
    assert err == "xieshang: --township: township 330281200000 is not in the roster\n"
    code, _, err = _run(capsys, *argv, "--township", "330281100201")
    assert (code, err) == (2, "xieshang: --township: 330281100201 is not a township code\n")
    code, _, err = _run(capsys, *argv, "--township", "33028")
    assert (code, err) == (2, "xieshang: --township: area code '33028' must be 6, 9 or 12 digits\n")
    assert not output.exists()
