"""Why a row was rejected or held: a stable code per contract rule, with its words.

The code is stored with every reject (so tests, the generator's --dirty report and the
dashboard can count by rule); the Chinese and English sentences say what to fix.
"""

from __future__ import annotations

REASONS: dict[str, tuple[str, str]] = {
    "missing": ("必填项为空", "required value is empty"),
    "missing_column": ("表头中没有这一必填列", "the header row has no such required column"),
    "bad_code": ("区划代码应为6、9或12位数字", "area code must be 6, 9 or 12 digits"),
    "bad_date": (
        "日期无法识别（应为 2025-03-08、2025年3月8日 或 20250308）",
        "unrecognised date (use 2025-03-08, 2025年3月8日 or 20250308)",
    ),
    "bad_bool": ("应填 是/否", "must be yes/no (是/否)"),
    "bad_int": ("应为不小于0的整数", "must be a whole number ≥ 0"),
    "bad_number": ("满意度应为0到100之间的数", "satisfaction must be a number from 0 to 100"),
    "bad_vocab": ("不在规定取值范围内", "not one of the allowed values"),
    "future_date": ("日期晚于导入当天", "date is after the day of loading"),
    "before_2000": ("日期早于2000-01-01", "date is before 2000-01-01"),
    "unknown_area": ("区划代码不在区划名册中", "area code is not in the roster"),
    "parent_mismatch": (
        "上级代码与区划代码的层级不符",
        "parent code does not match the area code's own parent",
    ),
    "parent_unknown": ("上级单位不在区划名册中", "the parent area is not in the roster"),
    "due_before_meeting": ("完成时限早于会议日期", "due date is before the meeting date"),
    "completed_missing": (
        "已落实的决议须填完成日期",
        "an implemented resolution needs a completed date",
    ),
    "completed_before_meeting": (
        "完成日期早于会议日期",
        "completed date is before the meeting date",
    ),
    "completed_after_update": ("完成日期晚于更新日期", "completed date is after updated_on"),
    "bad_escalation": (
        "上报单位须为包含本单位的更高层级单位",
        "escalated_to must be a known, higher-level area containing this one",
    ),
    "unknown_meeting": (
        "会议尚未报送（暂存，待会议报送后自动关联）",
        "unknown meeting (held until it arrives)",
    ),
    "count_too_large": (
        "数值过大（人数应不超过100000000）",
        "number is too large (a count is at most 100,000,000)",
    ),
    "too_long": (
        "内容过长（编号最多64字，单位名称、责任单位最多200字，议题最多1000字，决议内容最多4000字）",
        "value is too long (identifiers at most 64 characters, unit names and responsible unit"
        " 200, topic 1,000, resolution content 4,000)",
    ),
    "control_char": (
        "编号中含有控制字符或不可见字符（如 NUL、制表符、换行、零宽空格）",
        "identifier contains a control or invisible character (NUL, tab, line break, zero-width space…)",
    ),
    "id_as_number": (
        "编号被存成了数字，第15位以后的数字已丢失",
        "the identifier was stored as a number: its digits after the 15th are lost",
    ),
    "personal_number": (
        "编号是或含有身份证号（疑似填错了列），个人信息不入库",
        "the identifier is or holds an ID card number (a column mixed up?): personal data is "
        "not stored",
    ),
    "outside_township": ("超出本乡镇范围", "outside your township"),
    "formula_error": (
        "单元格是公式错误值（如 #N/A、#REF!），不是数据",
        "the cell shows a formula error (#N/A, #REF!…), not a value",
    ),
}


def reason(code: str) -> tuple[str, str]:
    """(Chinese, English) for a reason code."""
    return REASONS[code]
