"""Blank submission templates (interfaces.md, `xieshang template KIND`): one xlsx per kind
that staff fill in, built from the data contract so fewer rows are rejected.

The data sheet is named after the kind's ledger (its name holds the kind's keyword, so
the reader recognises it whatever the file is called) and has the contract's Chinese
headers in the contract's order; drop-down lists for every vocabulary, unit-type and
boolean column; dates formatted yyyy-mm-dd; codes and identifiers formatted as text so
spreadsheet programs keep leading zeros and long digit strings. A 填表说明 sheet says,
column by column, what the contract accepts. The areas template can start from a
township's own rows in the roster, which staff then correct rather than retype.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import xlsxwriter
from sqlalchemy import Engine

from xieshang.contract.columns import (
    COLUMNS,
    KIND_LABELS,
    LOAD_ORDER,
    MAX_LENGTHS,
    UNIT_TYPES,
    VOCABULARIES,
    Column,
    header,
)
from xieshang.contract.workbooks import GUIDE_SHEET
from xieshang.warehouse import schema
from xieshang.warehouse.codes import level_of, normalize_code, scope_range

TEMPLATE_KINDS: tuple[str, ...] = LOAD_ORDER
DATA_ROWS = 1_048_575
"""The last row (0-based) that carries the drop-down lists and the integer checks: every
row of the sheet, since a township's month of attendance can run to thousands."""

BOOLEAN_LABELS: tuple[str, ...] = ("是", "否")
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
GUIDE_HEADERS: tuple[str, ...] = ("列名", "是否必填", "填写要求", "也可用的列名")

# Rules of the contract that hang on one column rather than on its type.
_COLUMN_NOTES: dict[str, str] = {
    "parent_code": "须为本单位的上级（村→乡镇，乡镇→县）",
    "party_members": "本单位自身登记的党员人数，不含下级单位",
    "resolution_id": "在本单位内不重复",
    "meeting_date": "不得晚于报送当天，不得早于 2000-01-01",
    "due_date": "不得早于会议日期",
    "completed_date": "不得早于会议日期，不得晚于更新日期",
    "updated_on": "不得晚于报送当天",
    "satisfaction": "0 到 100 之间的数",
    "escalated_to": "上报到的上级单位（须包含本单位）的区划代码",
    "name": "只用于核对，不入库",
    "person_id": "入库前加密，不保存原值",
}
_KIND_NOTES: dict[tuple[str, str], str] = {
    ("meetings", "meeting_id"): "在本单位内不重复",
    ("attendance", "meeting_id"): "与区划代码一起指向会议台账中的一次会议",
    ("resolutions", "meeting_id"): "与区划代码一起指向会议台账中的一次会议",
}
_CONDITIONAL_REQUIRED: dict[str, str] = {"completed_date": "落实状态为已落实时必填"}


class UnknownTownship(ValueError):
    """The township asked for is not a township of the roster."""


@dataclass(frozen=True)
class RosterRow:
    area_code: str
    area_name: str
    parent_code: str | None
    unit_type: str | None
    party_members: int
    population: int | None


def choices(column: Column) -> tuple[str, ...] | None:
    """The values a column's drop-down offers (each vocabulary value's shown label), or
    None for a column without a fixed list."""
    if column.type in VOCABULARIES:
        return tuple(labels[0] for labels in VOCABULARIES[column.type].values())
    if column.type == "unit_type":
        return UNIT_TYPES
    if column.type == "bool":
        return BOOLEAN_LABELS
    return None


def requirement(column: Column) -> str:
    if column.name in _CONDITIONAL_REQUIRED:
        return _CONDITIONAL_REQUIRED[column.name]
    return "必填" if column.required else "选填"


def _form(column: Column) -> str:
    """What a cell of the column must look like, in the words of the contract."""
    allowed = choices(column)
    if column.type == "bool":
        return "是 或 否（也可填 Y/N、1/0、√/×）"
    if allowed is not None:
        text = "从下拉列表选择：" + "、".join(allowed)
        if column.type in VOCABULARIES:
            others = [
                label for labels in VOCABULARIES[column.type].values() for label in labels[1:]
            ]
            if others:
                text += "（也可填：" + "、".join(others) + "）"
        return text
    if column.type == "code":
        return (
            "12 位统计用区划代码，如 330281100201（也可只填前 6 位或 9 位，后面补 0），按文本填写"
        )
    if column.type == "id":
        limit = MAX_LENGTHS.get(column.name)
        if column.name == "person_id":
            return f"身份证号或其他固定不变的人员标识，按文本填写，不超过 {limit} 个字符"
        return f"编号，按文本填写，不超过 {limit} 个字符，如 HY-2025-001"
    if column.type == "date":
        return f"日期，格式 {DATE_FORMAT.upper()}，如 2025-03-08（也可填 2025/3/8、2025年3月8日）"
    if column.type == "int":
        return "不小于 0 的整数"
    if column.type == "number":
        return "数字"
    limit = MAX_LENGTHS.get(column.name)
    return f"文字，不超过 {limit} 个字" if limit else "文字"


def guide_rows(kind: str) -> list[tuple[str, str, str, str]]:
    """One row per column of the kind: header, required or not, what to fill, other headers."""
    rows = []
    for column in COLUMNS[kind]:
        form = _form(column)
        note = _KIND_NOTES.get((kind, column.name)) or _COLUMN_NOTES.get(column.name)
        if note:
            form = f"{form}；{note}"
        rows.append(
            (header(kind, column.name), requirement(column), form, "、".join(column.aliases[1:]))
        )
    return rows


def township_roster(engine: Engine, township: str) -> list[RosterRow]:
    """The township's own roster row, then its villages in code order."""
    try:
        code = normalize_code(township)
    except ValueError as exc:
        raise UnknownTownship(str(exc)) from None
    if level_of(code) != "township":
        raise UnknownTownship(f"{township} is not a township code")
    t = schema.areas
    low, high = scope_range(code)
    query = (
        sa.select(
            t.c.area_code,
            t.c.area_name,
            t.c.parent_code,
            t.c.unit_type,
            t.c.party_members,
            t.c.population,
        )
        .where(t.c.area_code.between(low, high))
        .order_by(t.c.area_code)
    )
    with engine.connect() as conn:
        rows = [RosterRow(*row) for row in conn.execute(query)]
    if not rows or rows[0].area_code != code:
        raise UnknownTownship(f"township {code} is not in the roster")
    return rows


def template_xlsx(kind: str, roster: list[RosterRow] | None = None) -> bytes:
    """The template for a kind; `roster` (areas only) pre-fills the data sheet."""
    if kind not in TEMPLATE_KINDS:
        raise ValueError(f"unknown template kind {kind!r}; use one of {', '.join(TEMPLATE_KINDS)}")
    if roster and kind != "areas":
        raise ValueError("only the areas template is pre-filled from the roster")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    head = book.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
    formats = {
        "date": book.add_format({"num_format": DATE_FORMAT}),
        "code": book.add_format({"num_format": TEXT_FORMAT}),
        "id": book.add_format({"num_format": TEXT_FORMAT}),
    }
    sheet = book.add_worksheet(KIND_LABELS[kind])
    for col, column in enumerate(COLUMNS[kind]):
        title = header(kind, column.name)
        sheet.write_string(0, col, title, head)
        sheet.set_column(col, col, max(12, 2 * len(title) + 4), formats.get(column.type))
        allowed = choices(column)
        if allowed is not None:
            sheet.data_validation(
                1,
                col,
                DATA_ROWS,
                col,
                {
                    "validate": "list",
                    "source": list(allowed),
                    # a warning, not a stop: the other spellings the guide sheet lists
                    # (Y/N, 1/0, a form's longer name) load as well
                    "error_type": "warning",
                    "error_title": "取值不在下拉列表中",
                    "error_message": "若是填表说明所列的其他写法（如 Y/N、1/0），选“是”保留",
                },
            )
        elif column.type == "int":
            sheet.data_validation(
                1,
                col,
                DATA_ROWS,
                col,
                {
                    "validate": "integer",
                    "criteria": ">=",
                    "value": 0,
                    "error_title": "须为整数",
                    "error_message": "请填写不小于 0 的整数",
                },
            )
    for r, row in enumerate(roster or (), start=1):
        for col, column in enumerate(COLUMNS[kind]):
            value = getattr(row, column.name)
            if value is None:
                continue
            if isinstance(value, int):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, value, formats.get(column.type))
    sheet.freeze_panes(1, 0)

    guide = book.add_worksheet(GUIDE_SHEET)
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for col, (title, width) in enumerate(zip(GUIDE_HEADERS, (16, 20, 70, 30), strict=True)):
        guide.write_string(0, col, title, head)
        guide.set_column(col, col, width, wrap)
    for r, values in enumerate(guide_rows(kind), start=1):
        for col, value in enumerate(values):
            guide.write_string(r, col, value, wrap)
    guide.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def write_template(kind: str, path: str | Path, roster: list[RosterRow] | None = None) -> bytes:
    data = template_xlsx(kind, roster)
    Path(path).write_bytes(data)
    return data
