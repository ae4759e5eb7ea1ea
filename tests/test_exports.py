"""Assessment exports: CSV bytes and an xlsx that openpyxl reads back."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl

from xieshang.exports import safe_text, write_assessment_csv, write_assessment_xlsx
from xieshang.metrics.assessment import COLUMNS, DEFAULT_WEIGHTS, Assessment, rank

DANGER = ("=", "+", "-", "@")


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
    assert safe_text("城关镇") == "城关镇" and safe_text(None) == ""


def test_csv(tmp_path):
    path = tmp_path / "a.csv"
    data = write_assessment_csv(sample(), path)
    assert path.read_bytes() == data
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [name for name, _ in COLUMNS]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["rank"] == "1" and first["area_code"] == "330281101000"
    assert first["score"] == "81.3"  # rounded to one decimal only here, halves up
    assert first["regularity"] == "0.8125"  # unrounded fractions
    assert float(first["implementation_rate"]) == 226 / 278
    assert first["party_participation_rate"] == "1.25"  # not capped in the table
    assert first["meetings"] == "1234"
    assert first["satisfaction"] == repr(86.66666666666667)
    assert first["area_name"].startswith("'=")
    by_code = {r[1]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    empty = by_code["330281102000"]
    assert empty["regularity"] == "" and empty["satisfaction"] == ""  # null: empty cell
    assert empty["score"] == "64.0"  # 64.04999999
    assert by_code["330281103000"]["score"] == "64.1"  # 64.05
    # 64.05 and 64.05 tie (rank 2, listed by code); 64.04999999 is 1e-8 below: rank 4
    assert [(r[0], r[1]) for r in rows[1:]] == [
        ("1", "330281101000"),
        ("2", "330281103000"),
        ("2", "330281105000"),
        ("4", "330281102000"),
        ("5", "330281104000"),
    ]
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(DANGER) or _number(cell), cell


def _number(text) -> bool:
    try:
        float(text)
    except (TypeError, ValueError):
        return False
    return True


def test_xlsx_properties(tmp_path):
    path = tmp_path / "a.xlsx"
    exported = datetime(2026, 1, 5, 9, 30)
    data = write_assessment_xlsx(sample(), path, exported_at=exported)
    assert path.read_bytes() == data
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["考核评估表", "说明"]
    sheet = book["考核评估表"]
    assert [c.value for c in sheet[1]] == [zh for _, zh in COLUMNS]
    assert sheet.freeze_panes == "A2"
    header = {zh: i + 1 for i, (_, zh) in enumerate(COLUMNS)}
    code = sheet.cell(row=2, column=header["区划代码"])
    assert code.data_type == "s" and code.value == "330281101000"
    assert code.number_format == "@"
    rate = sheet.cell(row=2, column=header["常态化率"])
    assert rate.value == 0.8125 and rate.number_format == "0.0%"
    assert sheet.cell(row=2, column=header["决议落实率"]).number_format == "0.0%"
    score = sheet.cell(row=2, column=header["考核得分"])
    assert score.value == 81.3 and score.number_format == "0.0"
    assert sheet.cell(row=2, column=header["协商会议数"]).value == 1234
    assert sheet.cell(row=3, column=header["常态化率"]).value is None  # null: empty
    # widths fitted: the name column is wider than a default column, none is absurd
    widths = {
        sheet.cell(row=1, column=i).column_letter: sheet.column_dimensions[
            sheet.cell(row=1, column=i).column_letter
        ].width
        for i in range(1, len(COLUMNS) + 1)
    }
    assert widths["C"] > 20 and all(6 <= w <= 40 for w in widths.values())
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):  # text: only a number may start so ("-5")
                assert not cell.value.startswith(DANGER) or _number(cell.value), cell.value

    about = {r[0].value: r[1].value for r in book["说明"].iter_rows()}
    assert about["范围 scope"] == "330281000000 -示范县"
    assert about["统计期 period"] == "2025-01-01 至 2025-12-31"
    assert about["数据截至 as_of"] == "2025-12-28"
    assert about["导出时间 exported at"] == "2026-01-05T09:30:00"
    assert about["权重来源 weights"] == "'=weights.toml"
    assert about["权重 决议落实率"] == "30  (implementation_rate)"
    assert about["权重 群众满意度÷100"] == "10  (satisfaction)"
    for row in book["说明"].iter_rows():
        for cell in row:
            assert not str(cell.value).startswith(DANGER), cell.value


def test_empty_table_exports(tmp_path):
    a = sample()
    a.rows = []
    assert write_assessment_csv(a).decode("utf-8-sig").count("\n") == 1
    book = openpyxl.load_workbook(io.BytesIO(write_assessment_xlsx(a)))
    assert book["考核评估表"].max_row == 1
