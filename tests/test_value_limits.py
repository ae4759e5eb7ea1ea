"""Every accepted value fits both engines, and a rejected value shows no personal data.

Counts above 100,000,000 (SQLite overflowed at 2**63, PostgreSQL at 2**31), identifiers
over 64 characters (PostgreSQL's index rows), free text over its column's bound and
control characters (PostgreSQL cannot store NUL) reject their row, with the same result
on SQLite and PostgreSQL; the run commits. Rejected values that look like an ID or
mobile number, or sit where a shifted row puts a name, are stored redacted.

Expected values are written out by hand from the rules in xieshang.contract.columns
(MAX_LENGTHS, MAX_COUNT) and xieshang.etl.validate's docstring.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from tests.helpers.inbox_files import write_csv, write_xlsx
from tests.helpers.minimal_inbox import (
    ATTENDANCE_HEADER,
    MEETING_HEADER,
    RESOLUTION_HEADER,
    ROSTER_HEADER,
    base_inbox,
    load,
    rejects,
)
from xieshang.contract.columns import COLUMNS, MAX_COUNT, MAX_LENGTHS
from xieshang.contract.reasons import reason
from xieshang.etl.cells import column_parser, parse_id, parse_int, parse_text
from xieshang.etl.validate import make_rejects, shown_value
from xieshang.warehouse import schema

REDACTED = "（已隐去 redacted）"
INT32_MAX = 2_147_483_647


def _column(name: str):
    return next(c for columns in COLUMNS.values() for c in columns if c.name == name)


# --- the bounds themselves ----------------------------------------------------------


def test_the_bounds_are_the_documented_ones():
    assert MAX_COUNT == 100_000_000
    assert MAX_LENGTHS == {
        "meeting_id": 64,
        "resolution_id": 64,
        "person_id": 64,
        "area_name": 200,
        "responsible_unit": 200,
        "topic": 1000,
        "content": 4000,
    }


def test_every_free_form_column_has_a_bound_except_the_dropped_name():
    free = {c.name for columns in COLUMNS.values() for c in columns if c.type in ("text", "id")}
    assert free - set(MAX_LENGTHS) == {"name"}


def test_counts_are_stored_in_32_bit_integer_columns_that_hold_the_largest_count():
    for name in ("party_members", "population"):
        assert isinstance(schema.areas.c[name].type, sa.Integer)
        assert not isinstance(schema.areas.c[name].type, sa.BigInteger)
    assert MAX_COUNT <= INT32_MAX


def test_the_new_reasons_have_both_languages():
    assert reason("count_too_large") == (
        "数值过大（人数应不超过100000000）",
        "number is too large (a count is at most 100,000,000)",
    )
    assert reason("control_char") == (
        "编号中含有控制字符或不可见字符（如 NUL、制表符、换行、零宽空格）",
        "identifier contains a control or invisible character (NUL, tab, line break, zero-width space…)",
    )
    zh, en = reason("too_long")
    for number in ("64", "200", "1000", "4000"):
        assert number in zh
    for number in ("64", "200", "1,000", "4,000"):
        assert number in en
    assert all(len(code) <= 32 for code in ("count_too_large", "too_long", "control_char"))


# --- counts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("100000000", (100_000_000, None)),
        (100_000_000, (100_000_000, None)),
        (100_000_000.0, (100_000_000, None)),
        ("000000000000000000000045", (45, None)),  # leading zeros are no size
        ("100000001", (None, "count_too_large")),
        ("3000000000", (None, "count_too_large")),
        (3_000_000_000, (None, "count_too_large")),
        ("99999999999999999999", (None, "count_too_large")),
        (99999999999999999999, (None, "count_too_large")),
        (1e20, (None, "count_too_large")),
        ("9" * 5000, (None, "count_too_large")),  # int() of it would raise
        ("-99999999999999999999", (None, "bad_int")),
        (float("inf"), (None, "bad_int")),
    ],
)
def test_parse_int_bounds(cell, expected):
    assert parse_int(cell) == expected


# --- control characters -------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("村道\x00硬化", "村道硬化"),
        ("\x00", None),  # nothing left: an empty cell
        ("\x00 村道 \x1b", "村道"),
        ("\x1b[31m红色\x1b[0m", "[31m红色[0m"),
        ("第一行\n第二行", "第一行\n第二行"),  # line breaks inside a cell stay
        ("甲\r\n乙\t丙", "甲\r\n乙\t丙"),
        ("A\x7fB\x85C\x9fD", "ABCD"),  # DEL and C1
        ("\x07\x08\x0b\x0c\x0e\x1f铃", "铃"),
        ("村\u200b道\ufeff", "村道"),  # zero-width space, a byte-order mark
    ],
)
def test_free_text_loses_control_characters_but_keeps_line_breaks(cell, expected):
    assert parse_text(cell) == (expected, None)


@pytest.mark.parametrize(
    "cell",
    [
        *("HY-\x009", "HY\t9", "HY\n9", "HY\r\n9", "HY\x7f9", "HY\x859", "\x00", "a\x1bb"),
        *("HY\u200b9", "HY\u200d9", "HY\ufeff9"),  # invisible: one ID would look like another
    ],
)
def test_an_identifier_with_a_control_character_is_rejected(cell):
    assert parse_id(cell) == (None, "control_char")


def test_an_identifier_trimmed_of_outer_whitespace_is_fine():
    assert parse_id("\thy-9\r\n") == ("HY-9", None)
    # a byte-order mark or zero-width space at either end is trimmed as a space is: the
    # same person, the same meeting (a second person row, a row held for ever)
    assert parse_id("\ufeffhy-9\u200b") == ("HY-9", None)


# --- lengths ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("meeting_id", 64),
        ("resolution_id", 64),
        ("person_id", 64),
        ("area_name", 200),
        ("responsible_unit", 200),
        ("topic", 1000),
        ("content", 4000),
    ],
)
def test_each_bounded_column_takes_its_limit_and_rejects_one_more(name, limit):
    parse = column_parser(_column(name))
    assert parse("a" * limit) == (("A" if name.endswith("_id") else "a") * limit, None)
    assert parse("议" * limit) == ("议" * limit, None)
    assert parse("议" * (limit + 1)) == (None, "too_long")
    assert parse("  " + "议" * limit + "  ") == ("议" * limit, None)  # counted after trimming
    assert parse("") == (None, None)


def test_the_dropped_name_has_no_bound():
    assert column_parser(_column("name"))("名" * 10_000) == ("名" * 10_000, None)


# --- what a reject shows ------------------------------------------------------------


NEAR = frozenset({"area_code", "party_member"})


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        # person columns: always
        ("person_id", "HY-1", REDACTED),
        ("name", "", REDACTED),
        # ID numbers and mobile numbers, anywhere
        ("area_code", "330281199001011234", REDACTED),
        ("topic", "11010119850505567x", REDACTED),
        ("topic", "申请人110101198505055 67X", REDACTED),  # a space inside
        ("topic", "110101850505567", REDACTED),  # 15-digit ID
        ("form", "330281-19900101-1234", REDACTED),
        ("content", "联系 138 0013 8000", REDACTED),
        ("content", "+8613800138000", REDACTED),
        ("satisfaction", 330281199001011234.0, REDACTED),  # a number cell
        ("meeting_date", "1990-01-01-330281-1234", REDACTED),
        # a quoted cell over two lines (found by tests/test_load_fuzz.py): taking the line
        # break out joined the ID to the next line's code, 30 digits that were no ID
        ("area_name", ",,50,100000,,330281199001011234\r\n330281100000,东湖镇", REDACTED),
        ("topic", "电话 13800138000 3302811002", REDACTED),
        # not ID-like: shown
        ("area_code", "3302811002", "3302811002"),
        ("area_code", "330281100201330", REDACTED),  # 15 digits: the old ID format
        ("area_code", "33028110020", "33028110020"),  # 11 digits, no mobile prefix
        ("party_members", "99999999999999999999", "99999999999999999999"),  # 20 digits
        ("area_code", "12800000000", "12800000000"),  # not a mobile prefix
        ("meeting_date", "2025-13-01", "2025-13-01"),
        ("meeting_date", date(2025, 3, 8), "2025-03-08"),
        # exposed (a row of people): contract words and letterless text only
        ("party_member", "党员", "党员"),
        ("party_member", "张三", REDACTED),
        ("party_member", "maybe", REDACTED),
        ("party_member", "2", "2"),
        ("party_member", "×√", "×√"),
        ("area_code", "HY-1", "HY-1"),  # a digit: no name
        ("area_code", "乡贤", "乡贤"),
        ("area_code", "Person_ID", "Person_ID"),  # a column name
        ("area_code", "", ""),
        ("category", "游客", "游客"),  # not exposed
        # bounded, controls visible
        ("topic", "议" * 201, "议" * 200 + "…"),
        ("form", "议事\x00会", "议事␀会"),
        ("form", "a\tb\x7fc\x85d", "a␉b␡c\ufffdd"),
    ],
)
def test_shown_value(column, value, expected):
    assert shown_value(column, value, exposed=column in NEAR) == expected


def test_a_row_of_people_shows_only_contract_words_and_letterless_text():
    """Attendance has no free text: "也许" under 是否党员 may be a typo or a name, and a
    header cannot vouch for it (rows carrying names under a header without 姓名)."""
    rows = pd.DataFrame(
        {"_path": ["签到.csv"] * 5, "_sheet": [None] * 5, "_row": [2, 3, 4, 5, 6]}, dtype=object
    )
    values = ["也许", "司马审午", "游客", "党员", "2"]
    columns = ["party_member", "party_member", "category", "party_member", "party_member"]
    shown = make_rejects("attendance", rows, ["bad_bool"] * 5, columns, values)["value"]
    assert shown.tolist() == [REDACTED, REDACTED, REDACTED, "党员", "2"]
    meetings = make_rejects("meetings", rows, ["bad_vocab"] * 5, ["form"] * 5, values)["value"]
    assert meetings.tolist() == values  # no person column: shown as typed


def test_an_id_past_the_shown_part_is_not_shown_either():
    assert shown_value("topic", "议" * 190 + "330281199001011234") == REDACTED
    assert shown_value("topic", "议" * 1000 + "330281199001011234") == "议" * 200 + "…"


# --- loads: each bad value rejects its row, never the run ---------------------------

GOOD = {
    "areas": ["330281100202", "新村", "", "", 10, ""],
    "meetings": ["HY-3", "330281100201", "2025-04-08", "议事会", "修桥", "", "", "是", ""],
    "attendance": ["HY-1", "330281100201", "330281199001011236", "王五", "是", "乡贤"],
    "resolutions": [
        "JY-2",
        "HY-1",
        "330281100201",
        "修桥",
        "村委会",
        "2025-05-31",
        "推进中",
        "",
        "2025-05-25",
        "",
        "",
        "",
    ],
}
HEADERS = {
    "areas": ROSTER_HEADER,
    "meetings": MEETING_HEADER,
    "attendance": ATTENDANCE_HEADER,
    "resolutions": RESOLUTION_HEADER,
}
FILES = {
    "areas": "区划补充.csv",
    "meetings": "会议补充.csv",
    "attendance": "签到补充.csv",
    "resolutions": "决议补充.csv",
}
BASE_ROWS = {"areas": 5, "meetings": 2, "attendance": 2, "resolutions": 1}
TABLES = {
    "areas": schema.areas,
    "meetings": schema.meetings,
    "attendance": schema.attendance,
    "resolutions": schema.resolution_reports,
}


def _with(kind: str, **cells) -> list:
    row = list(GOOD[kind])
    names = [c.name for c in COLUMNS[kind]]
    for name, value in cells.items():
        row[names.index(name)] = value
    return row


# 10,000 characters that do not compress: PostgreSQL refused the index row
LONG_ID = "".join(chr(0x4E00 + i * 7919 % 20_000) for i in range(10_000))

# (kind, bad row, expected (rule, column, value shown))
CASES = [
    (
        "areas",
        _with("areas", area_code="330281100203", party_members="99999999999999999999"),
        ("count_too_large", "party_members", "99999999999999999999"),
    ),
    (
        "areas",
        _with("areas", area_code="330281100203", party_members="3000000000"),
        ("count_too_large", "party_members", "3000000000"),
    ),
    (
        "areas",
        _with("areas", area_code="330281100203", population="100000001"),
        ("count_too_large", "population", "100000001"),
    ),
    (
        "areas",
        _with("areas", area_code="330281100203", party_members="9" * 5000),
        ("count_too_large", "party_members", "9" * 200 + "…"),
    ),
    (
        "areas",
        _with("areas", area_code="330281100203", area_name="村" * 201),
        ("too_long", "area_name", "村" * 200 + "…"),
    ),
    (
        "meetings",
        _with("meetings", meeting_id=LONG_ID),
        ("too_long", "meeting_id", LONG_ID[:200] + "…"),
    ),
    (
        "meetings",
        _with("meetings", meeting_id="HY-\x009"),
        ("control_char", "meeting_id", "HY-␀9"),
    ),
    (
        "meetings",
        _with("meetings", meeting_id="HY\t9"),
        ("control_char", "meeting_id", "HY␉9"),
    ),
    (
        "meetings",
        _with("meetings", topic="议" * 1001),
        ("too_long", "topic", "议" * 200 + "…"),
    ),
    (
        "meetings",
        _with("meetings", area_code="330281\x00100201"),
        ("bad_code", "area_code", "330281␀100201"),
    ),
    (
        "meetings",
        _with("meetings", form="议事\x00会"),
        ("bad_vocab", "form", "议事␀会"),
    ),
    (
        "attendance",
        _with("attendance", person_id="9" * 65),
        ("too_long", "person_id", REDACTED),
    ),
    (
        "attendance",
        _with("attendance", meeting_id="HY-\x001"),
        ("control_char", "meeting_id", "HY-␀1"),
    ),
    (
        "resolutions",
        _with("resolutions", resolution_id="J" * 65),
        ("too_long", "resolution_id", "J" * 65),
    ),
    (
        "resolutions",
        _with("resolutions", content="内" * 4001),
        ("too_long", "content", "内" * 200 + "…"),
    ),
    (
        "resolutions",
        _with("resolutions", responsible_unit="委" * 201),
        ("too_long", "responsible_unit", "委" * 200 + "…"),
    ),
    (
        "resolutions",
        _with("resolutions", in_assessment="\x00"),
        ("bad_bool", "in_assessment", "␀"),
    ),
]


@pytest.mark.parametrize(
    ("kind", "row", "expected"),
    CASES,
    ids=[f"{kind}-{exp[0]}-{exp[1]}-{i}" for i, (kind, _, exp) in enumerate(CASES)],
)
def test_a_value_that_does_not_fit_rejects_its_row_not_the_run(
    engine, tmp_path, kind, row, expected
):
    inbox = base_inbox(tmp_path / "inbox")
    # the header, a good row, the bad row on line 3; the base inbox loads beside them
    write_csv(inbox / FILES[kind], [HEADERS[kind], GOOD[kind], row])
    report = load(engine, inbox)
    counts = report["kinds"][kind]
    assert (counts["read"], counts["inserted"], counts["rejected"]) == (
        BASE_ROWS[kind] + 2,
        BASE_ROWS[kind] + 1,
        1,
    )
    assert rejects(engine) == [(kind, *expected, 3)]
    with engine.connect() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(TABLES[kind])).scalar()
    assert stored == BASE_ROWS[kind] + 1


def test_number_cells_too_large_for_a_count_reject_their_rows(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    write_xlsx(
        inbox / "区划补充.xlsx",
        {
            "区划名册": [
                ROSTER_HEADER,
                ["330281100202", "新村", None, None, 3_000_000_000, None],
                ["330281100203", "后村", None, None, 10, 1e20],
                ["330281100204", "前村", None, None, 100_000_000, 100_000_000],
            ]
        },
    )
    report = load(engine, inbox)
    assert report["kinds"]["areas"]["inserted"] == 6
    assert rejects(engine) == [
        ("areas", "count_too_large", "party_members", "3000000000", 2),
        ("areas", "count_too_large", "population", "100000000000000000000", 3),
    ]
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(schema.areas.c.party_members, schema.areas.c.population).where(
                schema.areas.c.area_code == "330281100204"
            )
        ).one()
    assert tuple(stored) == (100_000_000, 100_000_000)


def test_values_at_their_bounds_load_on_both_engines(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    meeting_id = "HY-" + "9" * 61
    topic = "村道\x00硬化\n第二行" + "议" * 990
    write_csv(
        inbox / "区划补充.csv",
        [ROSTER_HEADER, _with("areas", area_name="村" * 200, party_members=MAX_COUNT)],
    )
    write_csv(
        inbox / "会议补充.csv",
        [MEETING_HEADER, _with("meetings", meeting_id=meeting_id.lower(), topic=topic)],
    )
    write_csv(
        inbox / "签到补充.csv",
        [ATTENDANCE_HEADER, _with("attendance", meeting_id=meeting_id, person_id="P" * 64)],
    )
    write_csv(
        inbox / "决议补充.csv",
        [
            RESOLUTION_HEADER,
            _with(
                "resolutions",
                resolution_id="J" * 64,
                meeting_id=meeting_id,
                content="内" * 4000,
                responsible_unit="委" * 200,
            ),
        ],
    )
    report = load(engine, inbox)
    assert {k: (v["inserted"], v["rejected"], v["held"]) for k, v in report["kinds"].items()} == {
        "areas": (6, 0, 0),
        "meetings": (3, 0, 0),
        "attendance": (3, 0, 0),
        "resolutions": (2, 0, 0),
    }
    with engine.connect() as conn:
        area = conn.execute(
            sa.select(schema.areas.c.area_name, schema.areas.c.party_members).where(
                schema.areas.c.area_code == "330281100202"
            )
        ).one()
        stored_topic = conn.execute(
            sa.select(schema.meetings.c.topic).where(schema.meetings.c.meeting_id == meeting_id)
        ).scalar_one()
        resolution = conn.execute(
            sa.select(
                schema.resolution_reports.c.content, schema.resolution_reports.c.responsible_unit
            ).where(schema.resolution_reports.c.resolution_id == "J" * 64)
        ).one()
    assert tuple(area) == ("村" * 200, MAX_COUNT)
    assert stored_topic == "村道硬化\n第二行" + "议" * 990  # the NUL is gone, the line break kept
    assert tuple(resolution) == ("内" * 4000, "委" * 200)


def test_a_nul_in_free_text_is_dropped_the_same_on_both_engines(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    write_csv(
        inbox / "会议补充.csv",
        [
            MEETING_HEADER,
            _with("meetings", topic="修\x00桥\x00"),
            _with("meetings", meeting_id="HY-4", topic="\x00"),
        ],
    )
    report = load(engine, inbox)
    assert (report["kinds"]["meetings"]["inserted"], report["kinds"]["meetings"]["rejected"]) == (
        3,
        1,
    )
    assert rejects(engine) == [("meetings", "missing", "topic", "␀", 3)]
    with engine.connect() as conn:
        topic = conn.execute(
            sa.select(schema.meetings.c.topic).where(schema.meetings.c.meeting_id == "HY-3")
        ).scalar_one()
    assert topic == "修桥"


# --- rejects keep no personal data --------------------------------------------------

# (person_id, name) of every row of the shifted files below
SHIFTED_PEOPLE = [
    ("11010119850505571X", "欧阳错位"),
    ("110101198505055720", "司马插列"),
    ("110101198505055739", "上官换序"),
    ("110101198505055747", "诸葛游客"),
    ("110101198505055755", "皇甫电话"),
    ("110101198505055763", "东方正常"),
    ("110101198505055771", "慕容也许"),
    ("110101199003077786", "司马审午"),
]
MOBILE = "138 0013 8000"


def _shifted_inbox(root):
    """Attendance files whose rows are shifted against their header."""
    inbox = base_inbox(root)
    (id_a, name_a), (id_b, name_b), (id_c, name_c) = SHIFTED_PEOPLE[:3]
    (id_d, name_d), (id_e, name_e), (id_f, name_f), (id_g, name_g) = SHIFTED_PEOPLE[3:7]
    # every cell one to the right of its header (a row number the header lacks):
    # an ID lands under area_code, a name under the boolean
    write_csv(
        root / "签到错位1.csv",
        [
            ["会议编号", "身份证号", "区划代码", "姓名", "是否党员", "身份类别"],
            [1, "HY-1", id_a, "330281100201", name_a, "是", "乡贤"],
        ],
    )
    # a blank cell inserted after the ID: the name lands under the boolean
    write_csv(
        root / "签到错位2.csv",
        [
            ATTENDANCE_HEADER,
            ["HY-1", "330281100201", id_b, "", name_b, "是"],
            ["HY-1", "330281100201", id_d, name_d, "是", "游客"],  # a mistake or a name: hidden
            ["HY-1", "330281100201", id_e, name_e, "是", MOBILE],
            ["HY-1", "330281100201", id_f, name_f, "否", "网格员"],  # a good row
            ["HY-1", "330281100201", id_g, name_g, "也许", "乡贤"],  # in place, hidden all the same
        ],
    )
    # the file's own order puts the category after the name: a name lands there
    write_csv(
        root / "签到错位3.csv",
        [
            ["会议编号", "区划代码", "身份证号", "是否党员", "姓名", "身份类别"],
            ["HY-1", "330281100201", id_c, "是", "", name_c],
        ],
    )
    # no 姓名 column above rows that carry names: one lands under the boolean
    (id_h, name_h) = SHIFTED_PEOPLE[7]
    write_csv(
        root / "签到错位4.csv",
        [
            ["会议编号", "区划代码", "证件号码", "是否党员", "身份类别"],
            ["HY-1", "330281100201", id_h, name_h, "是", "乡贤"],
        ],
    )
    return inbox


SHIFTED_REJECTS = [
    ("attendance", "bad_code", "area_code", REDACTED, 2),
    ("attendance", "bad_bool", "party_member", REDACTED, 2),
    ("attendance", "bad_vocab", "category", REDACTED, 3),
    ("attendance", "bad_vocab", "category", REDACTED, 4),
    ("attendance", "bad_bool", "party_member", REDACTED, 6),
    ("attendance", "bad_vocab", "category", REDACTED, 2),
    ("attendance", "bad_bool", "party_member", REDACTED, 2),
]


def _person_texts():
    return [
        text
        for pid, name in SHIFTED_PEOPLE
        for text in (pid, pid.lower(), name, pid[:6] + " " + pid[6:])
    ] + [MOBILE, MOBILE.replace(" ", "")]


def test_rejects_of_shifted_attendance_rows_hold_no_id_or_name(engine, tmp_path):
    report = load(engine, _shifted_inbox(tmp_path / "inbox"))
    counts = report["kinds"]["attendance"]
    assert (counts["read"], counts["inserted"], counts["rejected"]) == (10, 3, 7)
    assert rejects(engine) == SHIFTED_REJECTS
    with engine.connect() as conn:
        texts = [
            value
            for row in conn.execute(
                sa.select(*[sa.cast(c, sa.Text) for c in schema.rejects.columns])
            )
            for value in row
            if value is not None
        ]
        everything = list(texts)
        for table in schema.metadata.sorted_tables:
            for row in conn.execute(sa.select(*[sa.cast(c, sa.Text) for c in table.columns])):
                everything += [v for v in row if v is not None]
    assert "签到错位2.csv" in texts and "330281100201" in texts  # the scan sees what is stored
    corpus = "\n".join(everything)
    assert [t for t in _person_texts() if t in corpus] == []


def test_no_shifted_id_or_name_reaches_the_sqlite_file(tmp_path):
    from xieshang.warehouse.engine import open_warehouse

    path = tmp_path / "w.sqlite"
    engine = open_warehouse(f"sqlite:///{path}")
    load(engine, _shifted_inbox(tmp_path / "inbox"))
    engine.dispose()
    blob = b"".join(p.read_bytes() for p in tmp_path.glob("w.sqlite*"))
    needles = [
        text.encode(encoding)
        for text in _person_texts()
        for encoding in ("utf-8", "gb18030", "utf-16-le")
    ]
    assert [n for n in needles if n in blob] == []
    assert "签到错位4.csv".encode() in blob  # the scan sees what is stored
