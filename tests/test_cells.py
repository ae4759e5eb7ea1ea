"""Unit tests for xieshang.etl.cells: one cell (text or native Excel value) → (value, reason).

Expected values are written out by hand from the data contract
(../shared/spec/data-contract.md), never derived from the code under test.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from xieshang.contract.columns import COLUMNS, lookup_table
from xieshang.etl.cells import (
    PARSERS,
    clean_text,
    column_parser,
    is_personal_number,
    parse_bool,
    parse_code,
    parse_column,
    parse_date,
    parse_id,
    parse_int,
    parse_number,
    parse_text,
    parse_unit_type,
    vocab_parser,
)

MARCH_8 = date(2025, 3, 8)


# --- clean_text ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (None, ""),
        ("", ""),
        ("  城关镇  ", "城关镇"),
        ("\u3000城关镇\u3000", "城关镇"),  # ideographic space → space → trimmed
        ("\t议题\r\n", "议题"),
        ("ＡＢＣ１２３", "ABC123"),
        ("村（居）民代表", "村(居)民代表"),
        ("hy-1", "hy-1"),  # no case change here
        (12.0, "12"),
        (12.5, "12.5"),
        (330281101203.0, "330281101203"),
        (45, "45"),
        (float("nan"), ""),
        (True, "TRUE"),
        (False, "FALSE"),
        (datetime(2025, 3, 8, 14, 30), "2025-03-08"),
        (date(2025, 3, 8), "2025-03-08"),
    ],
)
def test_clean_text(cell, expected):
    assert clean_text(cell) == expected


def test_nfkc_folds_full_width_hyphen_to_ascii_hyphen():
    assert unicodedata.normalize("NFKC", "\uff0d") == "-"
    assert clean_text("２０２５－０３－０８") == "2025-03-08"


# --- dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        "2025-03-08",
        "2025-3-8",
        "2025/3/8",
        "2025/03/08",
        "2025.3.8",
        "2025.03.08",
        "2025年3月8日",
        "2025年03月08日",
        "20250308",
        "  2025-03-08  ",
        "２０２５－０３－０８",
        "２０２５年３月８日",
        "２０２５０３０８",
        20250308,
        20250308.0,
        date(2025, 3, 8),
        datetime(2025, 3, 8, 0, 0),
        datetime(2025, 3, 8, 23, 59, 59),
        pd.Timestamp("2025-03-08 14:30:00"),
    ],
)
def test_parse_date_accepts_every_contract_form(cell):
    value, reason = parse_date(cell)
    assert (value, reason) == (MARCH_8, None)
    assert type(value) is date  # the time of a date-time cell is dropped


@pytest.mark.parametrize(
    "cell",
    [
        "2025-02-30",
        "2025-02-29",  # 2025 is not a leap year
        "2025-13-01",
        "2025-00-10",
        "2025-3/8",
        "2025/3-8",
        "2025.3/8",
        "25-3-8",
        "2025-003-08",
        "2025-3-8-1",
        "March 8",
        "8/3/2025",
        "2025年3月8",
        "2025年13月1日",
        "20251399",
        "2025038",
        "202503081",
        "2025-03-08 10:00",
        45000.5,
        45000,  # a serial number in a cell without date format
        20251399,
        True,
        "abc",
    ],
)
def test_parse_date_rejects(cell):
    assert parse_date(cell) == (None, "bad_date")


def test_parse_date_accepts_leap_day():
    assert parse_date("2024-02-29") == (date(2024, 2, 29), None)


@pytest.mark.parametrize("cell", ["", "   ", "\u3000", None, float("nan")])
def test_parse_date_empty(cell):
    assert parse_date(cell) == (None, None)


# --- booleans -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("是", True),
        ("否", False),
        (" 是 ", True),
        ("Y", True),
        ("y", True),
        ("N", False),
        ("n", False),
        ("Ｙ", True),  # full-width
        ("yes", True),
        ("YES", True),
        ("Yes", True),
        ("no", False),
        ("NO", False),
        ("No", False),
        ("true", True),
        ("TRUE", True),
        ("True", True),
        ("false", False),
        ("FALSE", False),
        ("False", False),
        ("1", True),
        ("0", False),
        ("１", True),
        ("√", True),
        ("×", False),
        (1, True),
        (0, False),
        (1.0, True),
        (0.0, False),
        (True, True),
        (False, False),
    ],
)
def test_parse_bool_accepts(cell, expected):
    value, reason = parse_bool(cell)
    assert (value, reason) == (expected, None)
    assert type(value) is bool


@pytest.mark.parametrize(
    "cell", ["2", "maybe", "也许", "是的", "x", "X", "t", "yess", "-1", 2.0, 2, -1, 0.5]
)
def test_parse_bool_rejects(cell):
    assert parse_bool(cell) == (None, "bad_bool")


@pytest.mark.parametrize("cell", ["", "  ", None])
def test_parse_bool_empty(cell):
    assert parse_bool(cell) == (None, None)


# --- area codes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("330281", "330281000000"),
        ("330281101", "330281101000"),
        ("330281101203", "330281101203"),
        (" 330281101203 ", "330281101203"),
        ("３３０２８１１０１２０３", "330281101203"),
        ("３３０２８１", "330281000000"),
        (330281101203.0, "330281101203"),
        (330281101203, "330281101203"),
        (330281101.0, "330281101000"),
        (330281, "330281000000"),
    ],
)
def test_parse_code_accepts(cell, expected):
    assert parse_code(cell) == (expected, None)


@pytest.mark.parametrize(
    "cell",
    [
        "3302811",  # 7 digits
        "3302811012031",  # 13 digits
        "33028",
        "33028110",
        "33028110120A",
        "abcdef",
        "330281-101",
        "330281 101",
        "330281101203.0",  # text, not a number cell
        3302811,
        3302811012031.0,
        330281101203.5,
        True,
    ],
)
def test_parse_code_rejects(cell):
    assert parse_code(cell) == (None, "bad_code")


@pytest.mark.parametrize("cell", ["", " ", None])
def test_parse_code_empty(cell):
    assert parse_code(cell) == (None, None)


# --- identifiers and free text ------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("hy-1", "HY-1"),
        ("HY-1", "HY-1"),
        ("ｈｙ－１", "HY-1"),
        ("  Hy-2025-001 ", "HY-2025-001"),
        ("11010119850505567x", "11010119850505567X"),
        ("straße", "STRAßE"),  # only ASCII letters are upper-cased
        ("会议a1", "会议A1"),
        (12.0, "12"),
        (12, "12"),
        (12.5, "12.5"),
    ],
)
def test_parse_id(cell, expected):
    assert parse_id(cell) == (expected, None)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("  修缮村道 ", "修缮村道"),
        ("abc", "abc"),  # free text keeps its case
        ("Ａｂｃ", "Abc"),
        (12.0, "12"),
        ("村（居）民代表", "村(居)民代表"),
    ],
)
def test_parse_text(cell, expected):
    assert parse_text(cell) == (expected, None)


@pytest.mark.parametrize("parser", [parse_id, parse_text])
@pytest.mark.parametrize("cell", ["", "  ", "\u3000", None])
def test_id_and_text_empty(parser, cell):
    assert parser(cell) == (None, None)


# --- integers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("45", 45), (" 45 ", 45), ("０４５", 45), ("0", 0), (45.0, 45), (45, 45), (0.0, 0)],
)
def test_parse_int_accepts(cell, expected):
    value, reason = parse_int(cell)
    assert (value, reason) == (expected, None)
    assert type(value) is int


@pytest.mark.parametrize(
    "cell", ["-3", -3, -3.0, "4.5", 4.5, "abc", "1,000", "45人", "+3", "1e3", True, False]
)
def test_parse_int_rejects(cell):
    assert parse_int(cell) == (None, "bad_int")


@pytest.mark.parametrize("cell", ["", " ", None])
def test_parse_int_empty(cell):
    assert parse_int(cell) == (None, None)


# --- satisfaction numbers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("85", 85.0),
        (" 85 ", 85.0),
        ("85.5", 85.5),
        ("９０", 90.0),
        (85.5, 85.5),
        (85, 85.0),
        ("0", 0.0),
        (0, 0.0),
        ("100", 100.0),
        (100.0, 100.0),
    ],
)
def test_parse_number_accepts(cell, expected):
    value, reason = parse_number(cell)
    assert (value, reason) == (expected, None)
    assert type(value) is float


@pytest.mark.parametrize(
    "cell",
    ["100.1", 100.1, "-1", -1, -0.5, "abc", "85%", "nan", "inf", float("inf"), True, False],
)
def test_parse_number_rejects(cell):
    assert parse_number(cell) == (None, "bad_number")


@pytest.mark.parametrize("cell", ["", "  ", None])
def test_parse_number_empty(cell):
    assert parse_number(cell) == (None, None)


def test_parse_number_nan_is_empty():
    assert parse_number(float("nan")) == (None, None)


# --- vocabularies -------------------------------------------------------------------

# Written out from the contract's *Vocabularies* section.
SPEC_LABELS: dict[str, dict[str, str]] = {
    "form": {
        "议事会": "council", "民主议事会": "council", "听证会": "hearing",
        "恳谈会": "dialogue", "民主恳谈会": "dialogue", "座谈会": "forum",
        "协调会": "coordination", "评议会": "review", "党日活动": "party_day",
        "主题党日": "party_day", "协商式民意调查": "poll", "民意调查": "poll",
        "愿景工作坊": "workshop", "参与式预算": "budget", "联席会议": "joint",
        "协商联席会议": "joint", "其他": "other",
    },
    "topic_category": {
        "环境整治": "environment", "道路交通": "roads", "养老托育": "elderly_child",
        "物业管理": "property", "公共设施": "facilities", "就业增收": "livelihood",
        "矛盾纠纷": "disputes", "集体经济": "collective", "公共安全": "safety", "其他": "other",
    },
    "topic_source": {
        "党组织确定": "party", "群众提议": "residents", "上级交办": "assigned",
        "代表委员提出": "deputies", "其他": "other",
    },
    "category": {
        "村(居)民代表": "resident_rep", "村民代表": "resident_rep", "居民代表": "resident_rep",
        "人大代表": "npc_deputy", "政协委员": "cppcc_member", "驻区单位": "resident_unit",
        "群团组织": "mass_org", "社会组织": "social_org", "乡贤": "local_worthy",
        "网格员": "grid_worker", "物业企业": "property_co", "物业公司": "property_co",
        "业主委员会": "owners_committee", "业委会": "owners_committee", "基层干部": "cadre",
        "村干部": "cadre", "社区干部": "cadre", "群众": "resident", "普通群众": "resident",
        "其他": "other",
    },
    "status": {
        "未启动": "not_started", "推进中": "in_progress", "办理中": "in_progress",
        "已落实": "implemented", "已办结": "implemented", "已完成": "implemented",
        "已撤销": "cancelled", "不再落实": "cancelled",
    },
}  # fmt: skip
LABEL_CASES = [
    (v, label, code) for v, labels in SPEC_LABELS.items() for label, code in labels.items()
]
CODE_CASES = sorted({(v, code) for v, labels in SPEC_LABELS.items() for code in labels.values()})


@pytest.mark.parametrize(("vocab", "label", "code"), LABEL_CASES)
def test_vocab_matches_every_chinese_label(vocab, label, code):
    parse = PARSERS[vocab]
    assert parse(label) == (code, None)
    assert parse(f"  {label}\u3000") == (code, None)


@pytest.mark.parametrize(("vocab", "code"), CODE_CASES)
def test_vocab_matches_its_code_in_any_case(vocab, code):
    parse = PARSERS[vocab]
    assert parse(code) == (code, None)
    assert parse(code.upper()) == (code, None)
    assert parse(code.title()) == (code, None)


@pytest.mark.parametrize("vocab", sorted(SPEC_LABELS))
def test_vocab_accepts_exactly_the_spelled_out_values(vocab):
    expected = dict(SPEC_LABELS[vocab])
    expected.update({code: code for code in SPEC_LABELS[vocab].values()})
    assert lookup_table(vocab) == expected


@pytest.mark.parametrize(
    ("vocab", "cell", "expected"),
    [
        ("form", "COUNCIL", ("council", None)),
        ("form", " Council ", ("council", None)),
        ("form", "民主议事会", ("council", None)),
        ("form", "Party_Day", ("party_day", None)),
        ("category", "村（居）民代表", ("resident_rep", None)),
        ("category", "村(居)民代表", ("resident_rep", None)),
        ("category", "ＲＥＳＩＤＥＮＴ＿ＲＥＰ", ("resident_rep", None)),
        ("status", "已办结", ("implemented", None)),
        ("form", "议事", (None, "bad_vocab")),
        ("form", "meeting", (None, "bad_vocab")),
        ("form", "coun cil", (None, "bad_vocab")),
        ("form", "party day", (None, "bad_vocab")),
        ("form", "已落实", (None, "bad_vocab")),  # a status label, not a form
        ("status", "听证会", (None, "bad_vocab")),
        ("category", "村（居）民", (None, "bad_vocab")),
        ("topic_source", "群众", (None, "bad_vocab")),
        ("topic_category", 1.0, (None, "bad_vocab")),
        ("form", "", (None, None)),
        ("status", None, (None, None)),
        ("category", "  ", (None, None)),
    ],
)
def test_vocab_cases(vocab, cell, expected):
    assert PARSERS[vocab](cell) == expected
    assert vocab_parser(vocab)(cell) == expected


@pytest.mark.parametrize("unit_type", ["县", "区", "市", "镇", "乡", "街道", "村", "社区"])
def test_parse_unit_type_accepts_each(unit_type):
    assert parse_unit_type(unit_type) == (unit_type, None)
    assert parse_unit_type(f" {unit_type}\u3000") == (unit_type, None)


@pytest.mark.parametrize("cell", ["town", "乡镇", "居委会", "县级市", "村委会", "street"])
def test_parse_unit_type_rejects(cell):
    assert parse_unit_type(cell) == (None, "bad_vocab")


@pytest.mark.parametrize("cell", ["", " ", None])
def test_parse_unit_type_empty(cell):
    assert parse_unit_type(cell) == (None, None)


# --- the parser table and its contract ----------------------------------------------


def test_parsers_cover_every_column_type():
    assert set(PARSERS) == {
        "text", "id", "code", "date", "bool", "int", "number", "unit_type",
        "form", "topic_category", "topic_source", "category", "status",
    }  # fmt: skip
    used = {column.type for columns in COLUMNS.values() for column in columns}
    assert used <= set(PARSERS)


SAMPLE_CELLS = [
    "", " ", None, "是", "x", "hy-1", "2025-03-08", "2025-02-30", "330281", "45", "-3",
    "85.5", "议事会", "镇", 1, 0, 1.0, 2.0, 45000.5, True, False, MARCH_8,
    datetime(2025, 3, 8, 9, 0),
]  # fmt: skip


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_every_parser_sets_at_most_one_of_value_and_reason(name):
    for cell in SAMPLE_CELLS:
        value, reason = PARSERS[name](cell)
        assert value is None or reason is None, (name, cell)
        assert reason is None or isinstance(reason, str), (name, cell)
        if clean_text(cell) == "":
            assert (value, reason) == (None, None), (name, cell)


# --- parse_column -------------------------------------------------------------------


def test_parse_column_mixed_date_column():
    cells = pd.Series(
        [
            "2025-03-08",
            date(2025, 3, 8),
            "",
            "2025-02-30",
            "2025-03-08",
            20250308.0,
            datetime(2025, 3, 9, 8, 0),
            "2025年3月10日",
            45000.5,
        ],
        dtype=object,
    )
    values, reasons = parse_column(cells, parse_date)
    assert isinstance(values, np.ndarray) and isinstance(reasons, np.ndarray)
    assert values.dtype == object and reasons.dtype == object
    assert values.tolist() == [
        date(2025, 3, 8), date(2025, 3, 8), None, None, date(2025, 3, 8),
        date(2025, 3, 8), date(2025, 3, 9), date(2025, 3, 10), None,
    ]  # fmt: skip
    assert reasons.tolist() == [None, None, None, "bad_date", None, None, None, None, "bad_date"]


def test_parse_column_mixed_bool_column_keeps_row_order():
    cells = pd.Series(["是", "否", "", "maybe", "Y", 1.0, False, "×"], dtype=object)
    values, reasons = parse_column(cells, parse_bool)
    assert values.tolist() == [True, False, None, None, True, True, False, False]
    assert reasons.tolist() == [None, None, None, "bad_bool", None, None, None, None]


def test_parse_column_parses_each_distinct_value_once():
    calls: Counter = Counter()

    def counting(value):
        calls[value] += 1
        return parse_bool(value)

    cells = pd.Series(["是", "否", "是", "是", "", "否", "maybe", "是", "", "maybe"], dtype=object)
    values, reasons = parse_column(cells, counting)
    assert calls == Counter({"是": 1, "否": 1, "": 1, "maybe": 1})
    assert values.tolist() == [True, False, True, True, None, False, None, True, None, None]
    assert reasons.tolist() == [None] * 6 + ["bad_bool", None, None, "bad_bool"]


def test_parse_column_works_on_a_string_dtype_series_and_a_non_default_index():
    cells = pd.Series(["330281", "330281101203", "3302811"], index=[10, 20, 30], dtype="str")
    values, reasons = parse_column(cells, parse_code)
    assert values.tolist() == ["330281000000", "330281101203", None]
    assert reasons.tolist() == [None, None, "bad_code"]


def test_parse_column_empty_series():
    values, reasons = parse_column(pd.Series([], dtype=object), parse_text)
    assert values.tolist() == [] and reasons.tolist() == []


@pytest.mark.parametrize(
    ("cells", "parser", "values", "reasons"),
    [
        ([1, True], parse_number, [1.0, None], [None, "bad_number"]),
        ([True, 1], parse_number, [None, 1.0], ["bad_number", None]),
        ([0, False], parse_int, [0, None], [None, "bad_int"]),
        ([1.0, True], parse_text, ["1", "TRUE"], [None, None]),
    ],
)
def test_parse_column_keeps_bools_apart_from_numbers(cells, parser, values, reasons):
    got_values, got_reasons = parse_column(pd.Series(cells, dtype=object), parser)
    assert (got_values.tolist(), got_reasons.tolist()) == (values, reasons)


def test_parse_column_none_in_a_number_column_is_empty():
    values, reasons = parse_column(pd.Series([None, "85"], dtype=object), parse_number)
    assert (values.tolist(), reasons.tolist()) == ([None, 85.0], [None, None])


@pytest.mark.parametrize("cell", ["1_0", "٨٥", "1e2", "85%"])
def test_parse_number_takes_plain_ascii_decimals_only(cell):
    assert parse_number(cell) == (None, "bad_number")


def test_parse_date_takes_ascii_digits_only():
    assert parse_date("٢٠٢٥-٠٣-٠٨") == (None, "bad_date")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3.30281199001011e17, (None, "id_as_number")),  # a number cell: 15 digits kept
        ("3.30281199001011E+17", (None, "id_as_number")),  # a CSV saved from it
        ("3.3E+5", (None, "id_as_number")),
        (999_999_999_999_999.0, ("999999999999999", None)),  # 15 digits: exact
        ("330281199001011234", ("330281199001011234", None)),  # text: whole
        ("HY-1E+5", ("HY-1E+5", None)),
    ],
)
def test_an_identifier_a_spreadsheet_cut_is_rejected(value, expected):
    assert parse_id(value) == expected


@pytest.mark.parametrize(
    ("text", "personal"),
    [
        ("330106197504201239", True),  # its check digit 9 is right
        ("330106 1975 0420 1239", True),  # written in groups
        ("33028119900101123X", False),  # the check digit would be 5
        ("330281197504201238", False),  # a digit off
        ("330281202511050004", False),  # 区划代码+年月日+序号: born 2025, at no meeting
        ("330281001001202511", False),  # 区划代码+年月: no birth date
        ("33028119751332123X", False),  # no such day
        # a Hebei township's code and a number, a county's and a year's: no mobile number
        ("130102001-01", False),
        ("13010225001", False),
        ("330281900101123", False),  # 15 digits: 区划代码+年月日+序号 as often as an old ID
        ("HY-7", False),
    ],
)
def test_a_persons_number_is_told_from_an_identifier(text, personal):
    assert is_personal_number(text) is personal


@pytest.mark.parametrize("column", ["meeting_id", "resolution_id"])
def test_a_meeting_or_resolution_number_that_is_a_persons_is_refused(column):
    parse = column_parser(next(c for c in COLUMNS["resolutions"] if c.name == column))
    assert parse("330106197504201239") == (None, "personal_number")
    assert parse("HY-7") == ("HY-7", None)
    # one held among other text, as it is or in groups (helper's audit: it was kept)
    assert parse("HY1（330106197504201239）") == (None, "personal_number")
    assert parse("张三 330106 1975 0420 1239") == (None, "personal_number")
    # an office's long numbering that is no adult's ID stays
    assert parse("HY330281202511050004") == ("HY330281202511050004", None)
    assert parse("JY-330281001001202511") == ("JY-330281001001202511", None)


def test_a_person_column_takes_any_identifier():
    parse = column_parser(next(c for c in COLUMNS["attendance"] if c.name == "person_id"))
    assert parse("330106197504201239") == ("330106197504201239", None)
