"""Assessment exports: CSV bytes (machine and Chinese headers) and the hand-in xlsx that
openpyxl reads back: title, widths, print setup, the 说明 sheet, notes on shown-equal scores."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import openpyxl
import pytest

from xieshang.exports import (
    display_width,
    filename,
    has_data,
    local_time,
    look_tied,
    period_text,
    safe_text,
    write_assessment_csv,
    write_assessment_xlsx,
)
from xieshang.metrics.assessment import COLUMNS, DEFAULT_WEIGHTS, Assessment, rank

DANGER = ("=", "+", "-", "@")
CODE = "330281101000"


def _row(code, name, score, **figures):
    base = {name_: None for name_, _ in COLUMNS}
    base.update(
        area_code=code, area_name=name, score=score, meetings=0, resolutions_due=0, overdue_open=0
    )
    base.update(figures)
    return base


def sample() -> Assessment:
    rows = [
        _row(
            "330281101000",
            '=HYPERLINK("http://x","点我")',
            81.25,
            meetings=1234,
            regularity=0.8125,
            party_participation_rate=1.25,
            party_led_rate=2 / 3,
            stakeholder_coverage=0.5,
            resolutions_due=278,
            implementation_rate=226 / 278,
            on_time_rate=0.4,
            overdue_open=3,
            satisfaction=86.66666666666667,
        ),
        _row("330281102000", "+86 镇", 64.04999999),
        _row("330281103000", "-5", 64.05),
        _row("330281104000", "@SUM(A1)", 0.0),
        _row("330281105000", "城关镇", 64.05),
    ]
    return Assessment(
        rows=rank(rows),
        level="township",
        scope="330281000000",
        scope_name="-示范县",
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        as_of=date(2025, 12, 28),
        weights=dict(DEFAULT_WEIGHTS),
        weights_source="=weights.toml",
    )


def test_safe_text():
    assert safe_text("=1+2") == "'=1+2"
    assert safe_text("@x") == "'@x" and safe_text("+x") == "'+x" and safe_text("-x") == "'-x"
    assert safe_text("\tx") == "'\tx"
    assert safe_text("-5") == "-5" and safe_text("+1.5") == "+1.5"  # numbers stay
    assert safe_text("-2.5e3") == "-2.5e3" and safe_text("-.5") == "-.5"
    # what Python's float() reads but a spreadsheet does not: text, escaped
    for text in ("-inf", "+Infinity", "-nan", "-1_0", "+ 1"):
        assert safe_text(text) == "'" + text, text
    assert safe_text("城关镇") == "城关镇" and safe_text(None) == ""


def sample_csv_rows(**kwargs) -> list[list[str]]:
    return list(
        csv.reader(io.StringIO(write_assessment_csv(sample(), **kwargs).decode("utf-8-sig")))
    )


def test_csv(tmp_path):
    path = tmp_path / "a.csv"
    data = write_assessment_csv(sample(), path)
    assert path.read_bytes() == data
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [name for name, _ in COLUMNS]
    first = dict(zip(rows[0], rows[1], strict=True))
    # the code ends in a tab: Excel keeps it as text, never 3.30281E+11
    assert first["rank"] == "1" and first["area_code"] == "330281101000\t"
    assert int(first["area_code"]) == 330281101000 and first["area_code"].strip() == CODE
    assert first["score"] == "81.3"  # rounded to one decimal only here, halves up
    assert first["regularity"] == "0.8125"  # unrounded fractions
    assert float(first["implementation_rate"]) == 226 / 278
    assert first["party_participation_rate"] == "1.25"  # not capped in the table
    assert first["meetings"] == "1234"
    assert first["satisfaction"] == repr(86.66666666666667)
    assert first["area_name"].startswith("'=")
    by_code = {r[1].strip(): dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    empty = by_code["330281102000"]
    assert empty["regularity"] == "" and empty["satisfaction"] == ""  # null: empty cell
    assert empty["score"] == "64.0"  # 64.04999999
    assert by_code["330281103000"]["score"] == "64.1"  # 64.05
    # 64.05 and 64.05 tie (rank 2, listed by code); 64.04999999 is 1e-8 below: rank 4
    assert [(r[0], r[1]) for r in rows[1:]] == [
        ("1", "330281101000\t"),
        ("2", "330281103000\t"),
        ("2", "330281105000\t"),
        ("4", "330281102000\t"),
        ("5", "330281104000\t"),
    ]
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(DANGER) or _number(cell), cell


def test_csv_with_chinese_headers():
    rows = sample_csv_rows(headers="zh")
    assert rows[0] == [
        "排名",
        "区划代码",
        "单位名称",
        "考核得分",
        "协商会议数",
        "常态化率",
        "党员参与率",
        "党组织主持率",
        "多元主体覆盖率",
        "到期决议数",
        "决议落实率",
        "按期落实率",
        "逾期未落实数",
        "群众满意度",
    ]
    # rounded as the page shows them: 226/278 = 81.29…% -> 81.3%, 2/3 -> 66.7%, 86.67 -> 86.7
    assert rows[1] == [
        "1",
        "330281101000\t",
        '\'=HYPERLINK("http://x","点我")',
        "81.3",
        "1234",
        "81.3%",
        "125.0%",
        "66.7%",
        "50.0%",
        "278",
        "81.3%",
        "40.0%",
        "3",
        "86.7",
    ]
    assert rows[4] == ["4", "330281102000\t", "'+86 镇", "64.0", "0"] + ["无数据"] * 4 + [
        "0",
        "无数据",
        "无数据",
        "0",
        "无数据",
    ]
    assert [r[2] for r in rows[1:]][1:] == ["-5", "城关镇", "'+86 镇", "'@SUM(A1)"]


def _number(text) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def widths(sheet) -> dict[int, int]:
    """Column index (1-based) -> width in characters, expanding openpyxl's column groups
    (xlsxwriter stores a width of n characters as n + 5 px of padding: n.71…)."""
    out = {}
    for dim in sheet.column_dimensions.values():
        for col in range(dim.min, dim.max + 1):
            out[col] = int(dim.width)
    return out


def test_xlsx_table_and_title(tmp_path):
    path = tmp_path / "a.xlsx"
    data = write_assessment_xlsx(
        sample(), path, exported_at=datetime(2026, 1, 5, 1, 30, tzinfo=UTC)
    )
    assert path.read_bytes() == data
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["考核评估表", "说明"]
    sheet = book["考核评估表"]
    # row 1: the title over the whole table (the scope's name starts with "-": made text)
    assert sheet["A1"].value == "'-示范县 乡镇考核评估表 · 2025年1-12月 · 数据截至 2025-12-28"
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:N1"]
    assert [c.value for c in sheet[2]] == [zh for _, zh in COLUMNS]
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref == "A2:N7"
    header = {zh: i + 1 for i, (_, zh) in enumerate(COLUMNS)}
    code = sheet.cell(row=3, column=header["区划代码"])
    assert code.data_type == "s" and code.value == CODE and code.number_format == "@"
    rate = sheet.cell(row=3, column=header["常态化率"])
    assert rate.value == 0.8125 and rate.number_format == "0.0%"
    assert sheet.cell(row=3, column=header["决议落实率"]).number_format == "0.0%"
    score = sheet.cell(row=3, column=header["考核得分"])
    assert score.value == 81.3 and score.number_format == "0.0"
    assert sheet.cell(row=3, column=header["协商会议数"]).value == 1234
    assert sheet.cell(row=6, column=header["常态化率"]).value == "无数据"  # null (64.04999999)
    assert sheet.cell(row=6, column=header["群众满意度"]).value == "无数据"
    assert sheet.max_row == 7  # no score shown equal at another rank: no note
    # every column at least as wide as its header (CJK characters count double) + 2
    shown = widths(sheet)
    for (_, zh), col in zip(COLUMNS, range(1, 15), strict=True):
        assert shown[col] >= display_width(zh) + 2, zh
    assert shown[header["多元主体覆盖率"]] == 16  # 7 CJK characters: 14, + 2
    assert shown[header["区划代码"]] == 14  # 12 digits + 2
    # '=HYPERLINK("http://x","点我"): 30 columns (点我 takes 4), + 2
    assert shown[header["单位名称"]] == 32
    assert shown[header["排名"]] == 6
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):  # text: only a number may start so ("-5")
                assert not cell.value.startswith(DANGER) or _number(cell.value), cell.value


def test_xlsx_prints_on_a4_landscape_one_page_wide(tmp_path):
    book = openpyxl.load_workbook(io.BytesIO(write_assessment_xlsx(sample())))
    sheet = book["考核评估表"]
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToHeight) == ("landscape", 9, 0)
    assert setup.fitToWidth in (None, 1)  # OOXML's default is 1; xlsxwriter leaves it out
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$1:$2"  # the title and the headers on every page
    assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_the_about_sheet_is_chinese_with_local_time():
    at = datetime(2026, 1, 5, 1, 30, tzinfo=UTC)
    book = openpyxl.load_workbook(io.BytesIO(write_assessment_xlsx(sample(), exported_at=at)))
    about = [(r[0].value, r[1].value) for r in book["说明"].iter_rows()]
    assert about == [
        ("范围", "'-示范县（330281000000）"),
        ("考核对象", "乡镇（街道）"),
        ("统计期", "2025-01-01 至 2025-12-31（2025年1-12月）"),
        ("数据截至", "2025-12-28"),
        ("权重来源", "设置文件 =weights.toml"),
        # numbers, not numbers stored as text
        ("权重：党员参与率", 25),
        ("权重：决议落实率", 30),
        ("权重：多元主体覆盖率", 20),
        ("权重：常态化率", 15),
        ("权重：群众满意度 ÷ 100", 10),
        ("得分公式", "得分 = 100 × Σ（权重 × 指标值）÷ Σ 权重；指标为空按 0 计，超过 1 按 1 计"),
        (
            "排名规则",
            "按未取整的得分从高到低排名；得分相差不超过 1e-9 视为并列，名次相同、取较小名次"
            "（如 1、2、2、4），并列者按区划代码排列；得分仅在显示时四舍五入保留一位小数，"
            "故显示相同的得分可能名次不同（表下注明）",
        ),
        ("比率", "以百分数显示，保留一位小数；单元格中为小数"),
        ("无数据", "该单位此项指标无法计算（分母为 0），不是 0"),
        ("导出时间", "2026-01-05 09:30:00（北京时间）"),  # 01:30 UTC, no "+00:00"
    ]
    words = {w for _, text in about for w in re.findall(r"[A-Za-z]{2,}", str(text))}
    assert words == {"weights", "toml"}  # the weights file's own name only


def test_export_time_zone(monkeypatch):
    naive = datetime(2026, 1, 5, 9, 30)  # a naive time is the zone's wall clock
    assert local_time(naive).isoformat() == "2026-01-05T09:30:00+08:00"
    monkeypatch.setenv("XIESHANG_TIMEZONE", "Europe/Berlin")
    at = datetime(2026, 1, 5, 1, 30, tzinfo=UTC)
    book = openpyxl.load_workbook(io.BytesIO(write_assessment_xlsx(sample(), exported_at=at)))
    last = list(book["说明"].iter_rows(values_only=True))[-1]
    assert last == ("导出时间", "2026-01-05 02:30:00（Europe/Berlin）")
    monkeypatch.setenv("XIESHANG_TIMEZONE", "No/Such_Zone")  # a typo is said, not Beijing time
    with pytest.raises(ValueError) as refused:
        local_time(at)
    assert str(refused.value) == (
        "XIESHANG_TIMEZONE='No/Such_Zone' is not a time zone; use a name such as Asia/Shanghai"
    )


def test_the_english_workbook():
    at = datetime(2026, 1, 5, 1, 30, tzinfo=UTC)
    book = openpyxl.load_workbook(
        io.BytesIO(write_assessment_xlsx(sample(), exported_at=at, lang="en"))
    )
    assert book.sheetnames == ["Assessment", "Notes"]
    sheet = book["Assessment"]
    assert (
        sheet["A1"].value == "'-示范县 township assessment · Jan–Dec 2025 · data as of 2025-12-28"
    )
    assert [c.value for c in sheet[2]][:5] == [
        "Rank",
        "Area code",
        "Unit",
        "Score",
        "Consultation meetings",
    ]
    assert sheet.cell(row=6, column=6).value == "no data"
    assert sheet.oddFooter.center.text == "Page &P of &N"
    notes = list(book["Notes"].iter_rows(values_only=True))
    assert notes[0] == ("Scope", "'-示范县 (330281000000)")
    assert notes[-1] == ("Exported at", "2026-01-05 09:30:00 (Asia/Shanghai)")
    # English only: no Chinese but the scope's own name
    cjk = {ch for row in notes for cell in row for ch in str(cell) if display_width(ch) == 2}
    assert cjk == set("示范县")


def test_empty_table_exports():
    a = sample()
    a.rows = []
    assert write_assessment_csv(a).decode("utf-8-sig").count("\n") == 1
    book = openpyxl.load_workbook(io.BytesIO(write_assessment_xlsx(a)))
    assert book["考核评估表"].max_row == 2  # the title and the headers
    assert not has_data(a)


def scored(*scores: float) -> Assessment:
    rows = [_row(f"330281{101 + i}000", name, s) for i, (name, s) in enumerate(scores)]
    a = sample()
    a.rows = rank(rows)
    return a


def test_shown_equal_scores_of_different_rank_are_noted(tmp_path):
    a = scored(("甲镇", 74.311), ("乙镇", 74.281), ("丙镇", 50.0), ("丁镇", 50.0), ("戊镇", 49.96))
    assert [(r["area_name"], r["rank"]) for r in a.rows] == [
        ("甲镇", 1),
        ("乙镇", 2),
        ("丙镇", 3),
        ("丁镇", 3),
        ("戊镇", 5),
    ]
    assert look_tied(a) == [
        "甲镇与乙镇均显示 74.3 分，名次不同（第 1、2 名）：未取整得分分别为 74.311 与 74.281",
        "丙镇、丁镇、戊镇均显示 50.0 分，名次不同（第 3、3、5 名）：未取整得分分别为 "
        "50.000、50.000、49.960",
    ]
    assert look_tied(a, "en")[0] == (
        "甲镇 and 乙镇 both show 74.3 but rank 1 and 2: their unrounded scores are 74.311 and "
        "74.281"
    )
    assert look_tied(a, "en")[1] == (
        "丙镇, 丁镇 and 戊镇 all show 50.0 but rank 3, 3 and 5: their unrounded scores are "
        "50.000, 50.000 and 49.960"
    )
    # as many decimals as tell them apart
    assert look_tied(scored(("甲镇", 74.3004), ("乙镇", 74.3001))) == [
        "甲镇与乙镇均显示 74.3 分，名次不同（第 1、2 名）：未取整得分分别为 74.3004 与 74.3001"
    ]
    # cut, not rounded: 65.64996887 rounded to 65.650 read as a score that shows 65.7
    # (helper's audit); a binary 65.59999999999999 is 65.600, not 65.599
    assert look_tied(scored(("甲镇", 65.64996887), ("乙镇", 65.59999999999999))) == [
        "甲镇与乙镇均显示 65.6 分，名次不同（第 1、2 名）：未取整得分分别为 65.649 与 65.600"
    ]
    # an exact tie (within 1e-9) shares its rank: nothing to explain
    assert look_tied(scored(("甲镇", 60.0), ("乙镇", 60.0 + 1e-10), ("丙镇", 12.0))) == []
    sheet = openpyxl.load_workbook(io.BytesIO(write_assessment_xlsx(a)))["考核评估表"]
    assert [sheet.cell(row=r, column=1).value for r in (8, 9, 10)] == [
        None,
        "注：" + look_tied(a)[0],
        "注：" + look_tied(a)[1],
    ]


def test_has_data():
    a = scored(("甲镇", 0.0), ("乙镇", 0.0))
    assert not has_data(a)  # every unit 0 meetings, 0 due, no satisfaction: nothing to rank
    a.rows[1]["satisfaction"] = 90.0  # an older meeting's resolution implemented in the period
    assert has_data(a)
    a.rows[1]["satisfaction"] = None
    a.rows[0]["resolutions_due"] = 1
    assert has_data(a)
    a.rows[0]["resolutions_due"] = 0
    a.rows[0]["overdue_open"] = 4  # a quiet month, but a backlog the evaluators are to see
    assert has_data(a)


def test_period_text_and_file_names():
    cases = {
        (date(2026, 1, 1), date(2026, 11, 30)): ("2026年1-11月", "Jan–Nov 2026"),
        (date(2026, 3, 1), date(2026, 3, 31)): ("2026年3月", "Mar 2026"),
        (date(2025, 11, 1), date(2026, 2, 28)): ("2025年11月-2026年2月", "Nov 2025–Feb 2026"),
        (date(2026, 3, 5), date(2026, 4, 20)): ("2026年3月5日-4月20日", "5 Mar–20 Apr 2026"),
        (date(2025, 12, 20), date(2026, 1, 5)): (
            "2025年12月20日-2026年1月5日",
            "20 Dec 2025–5 Jan 2026",
        ),
        (date(2026, 3, 5), date(2026, 3, 5)): ("2026年3月5日", "5 Mar 2026"),
        (date(2024, 2, 1), date(2024, 2, 29)): ("2024年2月", "Feb 2024"),
    }
    for (start, end), (zh, en) in cases.items():
        assert (period_text(start, end), period_text(start, end, "en")) == (zh, en)
    a = sample()
    a.scope_name, a.start, a.end = "清河县", date(2026, 1, 1), date(2026, 11, 30)
    assert filename(a, "xlsx") == "清河县-乡镇考核评估-2026年1-11月.xlsx"
    assert filename(a, "csv", "en") == "清河县-township-assessment-20260101-20261130.csv"
    a.level, a.scope_name = "village", 'a/b:c*"镇'
    assert filename(a, "xlsx") == "a_b_c__镇-村考核评估-2026年1-11月.xlsx"
