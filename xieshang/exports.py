"""Assessment exports (metrics.md, 考核评估表): CSV for scripts, xlsx for people.

CSV: machine names as headers, rates as unrounded fractions, the score rounded to one
decimal, null as an empty cell, UTF-8 with BOM (Excel on a Chinese-locale Windows reads
it). xlsx: Chinese headers, area codes as text, rates shown as percentages, fitted
column widths, a frozen header row, and a second sheet (说明) with the scope, period,
as_of, weights and the time of export.

No text cell starts with = + - @ (or a tab / carriage return) unless it is a number:
such text gets a leading apostrophe, so a unit named "=HYPERLINK(…)" stays text in
every spreadsheet program (formula injection).

Both writers return the file's bytes (a dashboard download reuses them) and write them
to `path` when one is given.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import xlsxwriter

from xieshang import metrics
from xieshang.metrics.assessment import COLUMNS, Assessment, round_score

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
COUNT_COLUMNS = {"rank", "meetings", "resolutions_due", "overdue_open"}
TEXT_COLUMNS = {"area_code", "area_name"}
LEVEL_ZH = {"township": "乡镇（街道）", "village": "村（社区）"}


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def safe_text(value) -> str:
    """Text that no spreadsheet program reads as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(DANGEROUS_FIRST) and not _is_number(text):
        return "'" + text
    return text


def _write(data: bytes, path: str | Path | None) -> bytes:
    if path is not None:
        Path(path).write_bytes(data)
    return data


# --- CSV ------------------------------------------------------------------------------


def _csv_cell(name: str, value) -> str:
    if value is None:
        return ""
    if name in TEXT_COLUMNS:
        return safe_text(value)
    if name == "score":
        return f"{round_score(value):.1f}"
    if name in COUNT_COLUMNS:
        return str(int(value))
    return repr(float(value))  # unrounded fraction (or satisfaction 0–100)


def assessment_csv(assessment: Assessment) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([name for name, _ in COLUMNS])
    for row in assessment.rows:
        writer.writerow([_csv_cell(name, row.get(name)) for name, _ in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def write_assessment_csv(assessment: Assessment, path: str | Path | None = None) -> bytes:
    """The assessment as CSV (UTF-8 with BOM); written to `path` if given."""
    return _write(assessment_csv(assessment), path)


# --- xlsx -----------------------------------------------------------------------------


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(widths: Iterable[int], low: int = 6, high: int = 40) -> float:
    return float(min(max(max(widths, default=low) + 2, low), high))


def _metadata_rows(a: Assessment, exported_at: datetime) -> list[tuple[str, str]]:
    info = metrics.FIGURE_INFO
    rows = [
        ("范围 scope", f"{a.scope} {a.scope_name}"),
        ("考核对象 level", f"{LEVEL_ZH.get(a.level, a.level)} ({a.level})"),
        ("统计期 period", f"{a.start.isoformat()} 至 {a.end.isoformat()}"),
        ("数据截至 as_of", a.as_of.isoformat()),
        ("权重来源 weights", a.weights_source),
    ]
    for key, weight in a.weights.items():
        name = info[key]["zh"] + ("÷100" if key == "satisfaction" else "")
        rows.append((f"权重 {name}", f"{weight:g}  ({key})"))
    rows.append(
        (
            "得分公式 score",
            "100 × Σ 权重×指标值 ÷ Σ 权重；空值按0计，超过1按1计；并列（差≤1e-9）名次相同",
        )
    )
    filters = a.filters.as_dict()
    if any(v is not None for v in filters.values()):
        text = ", ".join(f"{k}={v}" for k, v in filters.items() if v is not None)
        rows.append(("筛选 filters", text))
    rows.append(("导出时间 exported at", exported_at.isoformat(timespec="seconds")))
    return rows


def assessment_xlsx(assessment: Assessment, exported_at: datetime | None = None) -> bytes:
    exported_at = exported_at or datetime.now().astimezone()
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False},
    )
    header = book.add_format(
        {"bold": True, "bg_color": "#E8EEF4", "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    formats = {
        "text": book.add_format({"num_format": "@"}),
        "count": book.add_format({"num_format": "#,##0"}),
        "rate": book.add_format({"num_format": "0.0%"}),
        "score": book.add_format({"num_format": "0.0"}),
    }

    sheet = book.add_worksheet("考核评估表")
    widths: dict[int, list[int]] = {}
    for col, (_, title) in enumerate(COLUMNS):
        sheet.write_string(0, col, title, header)
        widths[col] = [_display_width(title)]
    for r, row in enumerate(assessment.rows, start=1):
        for col, (name, _) in enumerate(COLUMNS):
            value = row.get(name)
            if name in TEXT_COLUMNS:
                text = safe_text(value)
                sheet.write_string(r, col, text, formats["text"])
                widths[col].append(_display_width(text))
                continue
            if name in COUNT_COLUMNS:
                fmt, shown = formats["count"], f"{int(value or 0):,}"
            elif name == "score":
                value = round_score(value)
                fmt, shown = formats["score"], f"{value or 0:.1f}"
            elif name == "satisfaction":
                fmt, shown = formats["score"], f"{value or 0:.1f}"
            else:
                fmt, shown = formats["rate"], f"{(value or 0) * 100:.1f}%"
            if value is None:
                sheet.write_blank(r, col, None, fmt)
            else:
                sheet.write_number(r, col, value, fmt)
                widths[col].append(len(shown))
    for col, values in widths.items():
        sheet.set_column(col, col, _fit(values))
    sheet.set_row(0, 30)
    sheet.freeze_panes(1, 0)
    if assessment.rows:
        sheet.autofilter(0, 0, len(assessment.rows), len(COLUMNS) - 1)

    about = book.add_worksheet("说明")
    label = book.add_format({"bold": True})
    rows = _metadata_rows(assessment, exported_at)
    for r, (key, text) in enumerate(rows):
        about.write_string(r, 0, safe_text(key), label)
        about.write_string(r, 1, safe_text(text))
    about.set_column(0, 0, _fit(_display_width(k) for k, _ in rows))
    about.set_column(1, 1, _fit((_display_width(t) for _, t in rows), high=90))
    book.close()
    return buffer.getvalue()


def write_assessment_xlsx(
    assessment: Assessment, path: str | Path | None = None, exported_at: datetime | None = None
) -> bytes:
    """The assessment as xlsx; written to `path` if given."""
    return _write(assessment_xlsx(assessment, exported_at), path)
