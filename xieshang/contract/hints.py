"""How to fix a rejected row: one sentence per reason code, in Chinese and English.

A reason (`xieshang.contract.reasons`) says what is wrong; staff fixing their file need
what to write instead: the values a vocabulary allows, the date forms the reader takes,
the parent the numbering gives, the file to send first. Everything here comes from the
contract, so a hint never allows what the loader rejects.

The contract is the bottom layer, below `xieshang.warehouse.codes`: the few lines here on
how codes nest (`_above`) follow that module's numbering (4, 6, 9, 12 digits).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from xieshang.contract.columns import COLUMNS, MAX_COUNT, MAX_LENGTHS, UNIT_TYPES, VOCABULARIES

_TYPES: dict[str, str] = {c.name: c.type for columns in COLUMNS.values() for c in columns}
_WIDTHS = (4, 6, 9, 12)  # digits naming a city, county, township, village
_TOWNSHIP_WIDTH = 9


def _width(code: str) -> int:
    """How many leading digits name the area of a 12-digit code."""
    return next(w for w in _WIDTHS if code[w:].strip("0") == "")


def _above(code: str) -> list[str]:
    """The codes of the areas containing `code`, nearest first (its parent first)."""
    return [code[:w].ljust(12, "0") for w in reversed(_WIDTHS) if w < _width(code)]


def _township(code: str) -> str | None:
    """The township containing a village, or the township itself; None above townships."""
    width = _width(code)
    return code[:_TOWNSHIP_WIDTH].ljust(12, "0") if width >= _TOWNSHIP_WIDTH else None


@dataclass(frozen=True)
class _Row:
    column: str | None
    value: str | None
    area_code: str | None
    names: Mapping[str, str]
    kind: str | None

    def area(self, code: str) -> str:
        """A code with its roster name, when known: "330281101000 西城街道"."""
        name = self.names.get(code)
        return f"{code} {name}" if name else code


Hint = tuple[str, str]  # (Chinese, English)


def _missing(_: _Row) -> Hint:
    return "请填写此列，不能留空", "fill in this column; it may not be empty"


def _headers(kind: str | None, name: str | None) -> list[str]:
    """The headers the loader takes for a column of `kind`: its Chinese aliases, then its
    English name."""
    for column in COLUMNS.get(kind or "", ()):
        if column.name == name:
            return [*column.aliases, column.name]
    return [name] if name else []


def _missing_column(row: _Row) -> Hint:
    names = _headers(row.kind, row.column)
    return (
        f"在表头加上这一列，列名写作 {'、'.join(names)} 之一（与模板一致）；"
        "运行报告列出的未识别列名，请改成模板的列名",
        f"add this column to the header row, named one of {' / '.join(names)} (as in the"
        " template); rename any header the run report lists as unknown to the template's",
    )


def _bad_code(row: _Row) -> Hint:
    zh = "区划代码填 6、9 或 12 位数字，如 330281100201，单元格设为文本格式，以免丢掉开头的 0 或变成科学计数"
    en = (
        "write 6, 9 or 12 digits, such as 330281100201, in a cell formatted as text"
        " (so that leading zeros and long numbers survive)"
    )
    digits = (row.value or "").strip()
    if digits.isascii() and digits.isdigit():
        return f"现为 {len(digits)} 位；{zh}", f"it has {len(digits)} digits: {en}"
    return zh, en


def _bad_date(_: _Row) -> Hint:
    return (
        "日期填成 2025-03-08、2025/3/8、2025.3.8、2025年3月8日 或 20250308，或用日期格式的单元格",
        "write the date as 2025-03-08, 2025/3/8, 2025.3.8, 2025年3月8日 or 20250308,"
        " or use a date cell",
    )


def _future_date(_: _Row) -> Hint:
    return (
        "日期不能晚于报送当天，请核对年份和月份",
        "the date may not be after the day the file is loaded: check the year and month",
    )


def _before_2000(_: _Row) -> Hint:
    return (
        "日期不能早于 2000-01-01，请核对年份",
        "the date may not be before 2000-01-01: check the year",
    )


def _bad_bool(_: _Row) -> Hint:
    return (
        "可填：是、否（也可填 Y/N、yes/no、1/0、√/×、TRUE/FALSE）",
        "allowed: 是 or 否 (also Y/N, yes/no, 1/0, √/×, TRUE/FALSE)",
    )


def _bad_int(_: _Row) -> Hint:
    return (
        f"填写 0 到 {MAX_COUNT} 之间的整数，不带小数、单位或文字",
        f"write a whole number from 0 to {MAX_COUNT:,}, without decimals, units or words",
    )


def _bad_number(_: _Row) -> Hint:
    return (
        "填写 0 到 100 之间的数，如 92 或 87.5，不带 % 或文字",
        "write a number from 0 to 100, such as 92 or 87.5, without % or words",
    )


def _count_too_large(_: _Row) -> Hint:
    return (
        f"人数最多 {MAX_COUNT}，请核对是否多写了数字",
        f"a count is at most {MAX_COUNT:,}: check for extra digits",
    )


def _too_long(row: _Row) -> Hint:
    limit = MAX_LENGTHS.get(row.column or "")
    if limit is None:
        return "内容过长，请删减", "the value is too long: shorten it"
    return (
        f"此列最多 {limit} 个字，请删减",
        f"this column takes at most {limit:,} characters: shorten it",
    )


def _formula_error(_: _Row) -> Hint:
    return (
        "公式没有算出结果：请检查公式引用的数据，或在该单元格直接填写值",
        "the formula found nothing: check what it refers to, or type the value in the cell",
    )


def _control_char(_: _Row) -> Hint:
    return (
        "编号中有看不见的字符（制表符、换行等），请删除后重新输入编号",
        "the identifier holds an invisible character (tab, line break…):"
        " delete it and type the identifier again",
    )


def _id_as_number(_: _Row) -> Hint:
    return (
        "先把这一列设为文本格式，再重新录入完整的编号（身份证号为18位）",
        "format the column as text first, then type the whole identifier again (an ID card"
        " number has 18 digits)",
    )


def _personal_number(_: _Row) -> Hint:
    return (
        "核对各列是否错位：此处应填本单位给会议或决议的编号，身份证号填在“身份证号”列；"
        "若这确是本单位的编号（18位数字），请在前面加字母（如 HY）后重新报送",
        "check that the columns are not mixed up: this column takes the number the unit gave"
        " the meeting or resolution, an ID card number goes in the ID column; if it is the"
        " unit's own 18-digit number, put a letter before it (HY…) and send it again",
    )


def _bad_vocab(row: _Row) -> Hint:
    vocab = _TYPES.get(row.column or "")
    if vocab == "unit_type":
        return "可填：" + "、".join(UNIT_TYPES), "allowed: " + ", ".join(UNIT_TYPES)
    if vocab in VOCABULARIES:
        entries = VOCABULARIES[vocab].items()
        return (
            "可填：" + "、".join(labels[0] for _, labels in entries),
            "allowed: " + ", ".join(f"{labels[0]} ({code})" for code, labels in entries),
        )
    return "请从模板的下拉列表中选择", "choose from the template's drop-down list"


def _unknown_area(_: _Row) -> Hint:
    return (
        "请核对区划代码；新设的单位请先报送含该单位的区划名册",
        "check the area code; for a new unit, send the roster (区划名册) with it first",
    )


def _parent_unknown(row: _Row) -> Hint:
    parent = next(iter(_above(row.area_code)), None) if row.area_code else None
    if parent is None:
        return (
            "请核对区划代码，或先报送其上级单位的区划名册行",
            "check the area code, or first send the roster (区划名册) row of its parent",
        )
    return (
        f"请核对区划代码，或先报送上级单位 {row.area(parent)} 的区划名册行",
        f"check the area code, or first send the roster (区划名册) row of its parent"
        f" {row.area(parent)}",
    )


def _parent_mismatch(row: _Row) -> Hint:
    parent = next(iter(_above(row.area_code)), None) if row.area_code else None
    if parent is None:
        return (
            "上级代码须为本单位的直接上级（村→乡镇，乡镇→县），或留空",
            "the parent code must be the unit's own parent (village → township,"
            " township → county), or empty",
        )
    return (
        f"名册中该单位的上级为 {row.area(parent)}，请改填此代码或留空",
        f"the roster's parent of this unit is {row.area(parent)}: write that code or leave it empty",
    )


def _due_before_meeting(_: _Row) -> Hint:
    return (
        "完成时限不能早于会议日期，请核对两个日期",
        "the due date may not be before the meeting's date: check both dates",
    )


def _completed_missing(_: _Row) -> Hint:
    return (
        "落实状态为已落实时须填完成日期；尚未落实请改落实状态",
        "an implemented resolution needs its completed date; if it is not implemented yet,"
        " change its status",
    )


def _completed_before_meeting(_: _Row) -> Hint:
    return (
        "完成日期不能早于会议日期，请核对两个日期",
        "the completed date may not be before the meeting's date: check both dates",
    )


def _completed_after_update(_: _Row) -> Hint:
    return (
        "完成日期不能晚于更新日期；更新日期填本次填报的日期",
        "the completed date may not be after updated_on: set updated_on to the day of this report",
    )


def _bad_escalation(row: _Row) -> Hint:
    above = _above(row.area_code) if row.area_code else []
    if row.names:  # only the areas the roster has are accepted
        above = [code for code in above if code in row.names]
    if not above:
        return (
            "上报至须填包含本单位的上级单位（所属乡镇、县）的区划代码，或留空",
            "write the code of an area above this one (its township, its county),"
            " or leave it empty",
        )
    return (
        "上报至可填：" + "、".join(map(row.area, above)) + "，或留空",
        "escalated_to may be " + ", ".join(map(row.area, above)) + ", or empty",
    )


def _unknown_meeting(_: _Row) -> Hint:
    return (
        "请先报送该会议的会议台账；本行已暂存，会议报送后自动关联，无需重报",
        "send the meeting's ledger (会议台账) first; this row is held and joins its meeting"
        " by itself, no need to send it again",
    )


def _outside_township(row: _Row) -> Hint:
    other = _township(row.area_code) if row.area_code else None
    if other is None:
        return (
            "只能报送本乡镇及所辖村（社区）的行，请删除此行",
            "send only rows of your township and its villages: delete this row",
        )
    if row.names and other not in row.names:  # no such township: a typo, most likely
        return (
            f"只能报送本乡镇及所辖村（社区）的行；区划名册中没有乡镇 {other}：请核对区划代码，"
            "填错的改正，确属其他乡镇的行请删除",
            f"send only rows of your township and its villages; the roster has no township"
            f" {other}: check the area code, correct a mistyped one, delete a row of another"
            " township",
        )
    return (
        f"只能报送本乡镇及所辖村（社区）的行；此行属于 {row.area(other)}，请删除，由该乡镇报送",
        f"send only rows of your township and its villages; this row belongs to"
        f" {row.area(other)}: delete it, that township sends it",
    )


HINTS: dict[str, Callable[[_Row], Hint]] = {
    "missing": _missing,
    "missing_column": _missing_column,
    "bad_code": _bad_code,
    "bad_date": _bad_date,
    "bad_bool": _bad_bool,
    "bad_int": _bad_int,
    "bad_number": _bad_number,
    "bad_vocab": _bad_vocab,
    "future_date": _future_date,
    "before_2000": _before_2000,
    "unknown_area": _unknown_area,
    "parent_mismatch": _parent_mismatch,
    "parent_unknown": _parent_unknown,
    "due_before_meeting": _due_before_meeting,
    "completed_missing": _completed_missing,
    "completed_before_meeting": _completed_before_meeting,
    "completed_after_update": _completed_after_update,
    "bad_escalation": _bad_escalation,
    "unknown_meeting": _unknown_meeting,
    "count_too_large": _count_too_large,
    "too_long": _too_long,
    "control_char": _control_char,
    "id_as_number": _id_as_number,
    "personal_number": _personal_number,
    "outside_township": _outside_township,
    "formula_error": _formula_error,
}


def fix_hint(
    rule: str,
    column: str | None,
    value: str | None,
    *,
    area_code: str | None = None,
    names: Mapping[str, str] | None = None,
    kind: str | None = None,
    lang: str = "zh",
) -> str:
    """One sentence on how to fix a row rejected for `rule` (a reason code) in `column`
    with `value` shown; `area_code` is the row's (when valid), `names` the roster's names
    by code, to name the areas a hint points to; `kind` the row's kind of file, whose
    headers a hint names. "" for a code without a hint."""
    hint = HINTS.get(rule)
    if hint is None:
        return ""
    zh, en = hint(_Row(column, value, area_code, names or {}, kind))
    return en if lang == "en" else zh
