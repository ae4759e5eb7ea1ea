"""Assessment exports (metrics.md, 考核评估表): CSV for scripts, xlsx to hand in.

CSV: the machine names as headers, rates as unrounded fractions, the score rounded to one
decimal, null as an empty cell, UTF-8 with BOM (Excel on a Chinese-locale Windows reads
it). `headers="zh"` gives evaluators the Chinese headers and the values as shown
(81.3%, 无数据). Area codes end in a tab in both: Excel and WPS then keep the 12 digits as
text instead of showing 3.30281E+11, while the cell still starts with the code (the
spec's CSV allows no `="…"` formula, and a leading apostrophe would show); Python's
int(), str.strip() and pandas' default number parsing read the code as before.

xlsx: a title row (scope, level, period, as_of), the Chinese headers, area codes as
text, rates as percentages of one decimal, 无数据 for a null, a note naming units whose
shown scores are equal but whose ranks differ; columns as wide as their headers
(CJK characters count double); printed on A4 landscape, one page wide, the title and
header rows on every page, "第 N 页，共 M 页" in the footer. A second sheet (说明) states
the scope, period, as_of, filters, weights, rules and the export time in local time
(Asia/Shanghai unless XIESHANG_TIMEZONE names another zone) — all in Chinese, or all in
English with lang="en".

No text cell starts with = + - @ (or a tab / carriage return) unless it is a number:
such text gets a leading apostrophe, so a unit named "=HYPERLINK(…)" stays text in
every spreadsheet program (formula injection).

The writers return the file's bytes (a dashboard download reuses them) and write them
to `path` when one is given.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import xlsxwriter

from xieshang import metrics
from xieshang.contract import settings
from xieshang.contract.columns import label
from xieshang.metrics.assessment import (
    COLUMNS,
    PLURALS,
    Assessment,
    round_score,
    unrounded_score,
)

DANGEROUS_FIRST = ("=", "+", "-", "@", "\t", "\r")
COUNT_COLUMNS = {"rank", "meetings", "resolutions_due", "overdue_open"}
TEXT_COLUMNS = {"area_code", "area_name"}
SCORE_COLUMNS = {"score", "satisfaction"}  # shown with one decimal, not as percentages
HEADERS_EN = {"rank": "Rank", "area_code": "Area code", "area_name": "Unit", "score": "Score"}
LEVEL_ZH = {"county": "县（市、区）", "township": "乡镇（街道）", "village": "村（社区）"}
LEVEL_SHORT = {
    "county": ("县", "county"),
    "township": ("乡镇", "township"),
    "village": ("村", "village"),
}
NO_DATA = ("无数据", "no data")
CODE_END = "\t"  # see the module's docstring: Excel keeps a code ending in a tab as text
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# what no file system takes in a name (Windows' reserved characters, control codes): a
# unit's name from a roster may hold one ("城东/城西联合社区")
_NOT_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)


def _is_number(text: str) -> bool:
    """Whether `text` is a number as a spreadsheet reads one (float() also takes -inf,
    nan and 1_0)."""
    return _NUMBER.fullmatch(text) is not None


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


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


# --- what an export says about its table -----------------------------------------------


def column_headers(lang: str = "zh") -> list[tuple[str, str]]:
    """(machine name, header) of the table's columns: metrics.md's Chinese headers, or
    English ones (the figures' English names)."""
    if lang != "en":
        return list(COLUMNS)
    info = metrics.FIGURE_INFO
    return [(name, HEADERS_EN.get(name) or info[name]["en"]) for name, _ in COLUMNS]


def _half_up(value: float, digits: int, scale: int = 1) -> str:
    """value × scale rounded half up as written (0.8125 -> 81.3), as ui.md shows it."""
    exact = Decimal(repr(float(value))) * scale
    return f"{exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP):.{digits}f}"


def shown(name: str, value, lang: str = "zh") -> str:
    """A table value as the page and the Chinese CSV show it: rates 81.3%, the score
    and satisfaction with one decimal, counts whole, a null 无数据 ("no data")."""
    if value is None:
        return _pick(NO_DATA, lang)
    if name in TEXT_COLUMNS:
        return str(value)
    if name in COUNT_COLUMNS:
        return str(int(value))
    if name in SCORE_COLUMNS:
        return _half_up(value, 1)
    return _half_up(value, 1, 100) + "%"


def has_data(assessment: Assessment) -> bool:
    """Whether the period gives anything to show: a unit held a meeting, had a resolution
    due or a satisfaction score in it, or resolutions overdue on its as_of (a quiet month
    with a backlog). Without any, every unit scores 0 and ties at rank 1 with nothing
    else to read — a period before the data begin (or a filter nothing matches), which
    the dashboard and `xieshang export` refuse to rank. So is a period that begins after
    the last load (its as_of, the load's day, is before its first day): none of it is
    loaded, and the backlog of the load's day alone scored every unit 0, tied at rank 1."""
    if after_the_data(assessment):
        return False
    return any(
        (row.get("meetings") or 0) > 0
        or (row.get("resolutions_due") or 0) > 0
        or (row.get("overdue_open") or 0) > 0
        or row.get("satisfaction") is not None
        for row in assessment.rows
    )


def after_the_data(assessment: Assessment) -> bool:
    """Whether the period begins after the last load (as_of, the load's day, comes first)."""
    return assessment.as_of < assessment.start


def _whole_months(start: date, end: date) -> bool:
    return start.day == 1 and (end + timedelta(days=1)).day == 1


def period_text(start: date, end: date, lang: str = "zh") -> str:
    """The period as people write it: 2026年1-11月, 2026年3月, 2025年11月-2026年2月, or
    days (2026年3月5日-4月20日) when it does not run over whole months."""
    if lang == "en":
        return _period_en(start, end)
    if _whole_months(start, end):
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.year}年{start.month}月"
        if start.year == end.year:
            return f"{start.year}年{start.month}-{end.month}月"
        return f"{start.year}年{start.month}月-{end.year}年{end.month}月"
    first = f"{start.year}年{start.month}月{start.day}日"
    if start == end:
        return first
    last = (
        f"{end.month}月{end.day}日"
        if start.year == end.year
        else f"{end:%Y}年{end.month}月{end.day}日"
    )
    return f"{first}-{last}"


def _period_en(start: date, end: date) -> str:
    def mon(day: date) -> str:  # not strftime's %b, which follows the process's locale
        return MONTHS_EN[day.month - 1]

    if _whole_months(start, end):
        if (start.year, start.month) == (end.year, end.month):
            return f"{mon(start)} {start.year}"
        if start.year == end.year:
            return f"{mon(start)}–{mon(end)} {end.year}"
        return f"{mon(start)} {start.year}–{mon(end)} {end.year}"
    if start == end:
        return f"{start.day} {mon(start)} {start.year}"
    if start.year == end.year:
        return f"{start.day} {mon(start)}–{end.day} {mon(end)} {end.year}"
    return f"{start.day} {mon(start)} {start.year}–{end.day} {mon(end)} {end.year}"


def title(assessment: Assessment, lang: str = "zh") -> str:
    """The title row: 清河县 乡镇考核评估表 · 2026年1-11月 · 数据截至 2026-11-30."""
    a = assessment
    level = _pick(LEVEL_SHORT[a.level], lang)
    period = period_text(a.start, a.end, lang)
    if lang == "en":
        text = f"{a.scope_name} {level} assessment · {period} · data as of {a.as_of.isoformat()}"
    else:
        text = f"{a.scope_name} {level}考核评估表 · {period} · 数据截至 {a.as_of.isoformat()}"
    chosen = _filters_text(a, lang)
    return f"{text} · {chosen}" if chosen else text


def filename(assessment: Assessment, suffix: str, lang: str = "zh") -> str:
    """清河县-乡镇考核评估-2026年1-11月.xlsx (English: 清河县-township-assessment-
    20260101-20261130.xlsx); characters no file system takes become "_"."""
    a = assessment
    if lang == "en":
        stem = f"{a.scope_name}-{a.level}-assessment-{a.start:%Y%m%d}-{a.end:%Y%m%d}"
    else:
        stem = f"{a.scope_name}-{LEVEL_SHORT[a.level][0]}考核评估-{period_text(a.start, a.end)}"
    return file_name(f"{stem}.{suffix}")


def file_name(name: str) -> str:
    """A file's name as every file system takes it: each character none takes is "_"."""
    return _NOT_IN_NAMES.sub("_", name)


def _filters_text(a: Assessment, lang: str) -> str:
    f = a.filters
    parts = []
    if f.form is not None:
        parts.append(_pick(("协商形式：", "form: "), lang) + label("form", f.form, lang))
    if f.category is not None:
        name = label("topic_category", f.category, lang)
        parts.append(_pick(("议题类别：", "topic: "), lang) + name)
    if f.online is not None:
        online = ("仅线上会议", "online only") if f.online else ("仅线下会议", "in person only")
        parts.append(_pick(online, lang))
    return _pick(("；", "; "), lang).join(parts)


def _listed(items: list[str]) -> str:
    """ "A and B", "A, B and C"."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def look_tied(assessment: Assessment, lang: str = "zh") -> list[str]:
    """One note per shown score that units share with different ranks (69.3 at rank 4
    and 5): their names, ranks and unrounded scores, with as many decimals as tell them
    apart (at least 3). Ties of metrics.md (within 1e-9) share a rank and need none."""
    groups: dict[float, list[dict]] = {}
    for row in assessment.rows:
        groups.setdefault(round_score(row["score"]), []).append(row)
    notes = []
    for score_shown, rows in groups.items():
        ranks = [str(r["rank"]) for r in rows]
        if len(set(ranks)) < 2:
            continue
        digits = 3
        while digits < 9 and len({unrounded_score(r["score"], digits) for r in rows}) < len(
            set(ranks)
        ):
            digits += 1
        names = [str(r["area_name"]) for r in rows]
        exact = [unrounded_score(r["score"], digits) for r in rows]
        if lang == "en":
            notes.append(
                f"{_listed(names)} {'both' if len(rows) == 2 else 'all'} show "
                f"{score_shown:.1f} but rank {_listed(ranks)}: their unrounded scores are "
                f"{_listed(exact)}"
            )
            continue
        pair = len(rows) == 2
        notes.append(
            f"{('与' if pair else '、').join(names)}均显示 {score_shown:.1f} 分，"
            f"名次不同（第 {'、'.join(ranks)} 名）：未取整得分分别为 "
            + (" 与 " if pair else "、").join(exact)
        )
    return notes


def local_zone() -> tzinfo:
    """The zone export times are given in (settings.time_zone)."""
    return settings.time_zone()


def local_time(moment: datetime | None = None) -> datetime:
    """`moment` (default now) in the local zone; a naive one is that zone's wall clock."""
    zone = local_zone()
    if moment is None:
        return datetime.now(UTC).astimezone(zone)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def _clock(moment: datetime, lang: str) -> str:
    """2026-12-01 09:30:00（北京时间）: the wall-clock time, no UTC offset."""
    zone = str(moment.tzinfo) if moment.tzinfo is not None else ""
    if lang != "en" and zone in (settings.DEFAULT_ZONE, "CST"):
        zone = "北京时间"
    return f"{moment:%Y-%m-%d %H:%M:%S}" + (f"（{zone}）" if lang != "en" else f" ({zone})")


# --- CSV ------------------------------------------------------------------------------


def _csv_cell(name: str, value) -> str:
    if value is None:
        return ""
    if name == "area_code":
        return safe_text(value) + CODE_END
    if name in TEXT_COLUMNS:
        return safe_text(value)
    if name == "score":
        return f"{round_score(value):.1f}"
    if name in COUNT_COLUMNS:
        return str(int(value))
    return repr(float(value))  # unrounded fraction (or satisfaction 0–100)


def _csv_zh_cell(name: str, value) -> str:
    if name == "area_code" and value is not None:
        return safe_text(value) + CODE_END
    return safe_text(shown(name, value)) if name in TEXT_COLUMNS else shown(name, value)


def assessment_csv(assessment: Assessment, headers: str = "machine") -> bytes:
    """The table as CSV bytes: metrics.md's machine headers and raw values, or — with
    `headers="zh"` — the Chinese headers and the values as shown."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    chinese = headers == "zh"
    writer.writerow([zh if chinese else name for name, zh in COLUMNS])
    cell = _csv_zh_cell if chinese else _csv_cell
    for row in assessment.rows:
        writer.writerow([cell(name, row.get(name)) for name, _ in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def write_assessment_csv(
    assessment: Assessment, path: str | Path | None = None, headers: str = "machine"
) -> bytes:
    """The assessment as CSV (UTF-8 with BOM); `headers` "machine" (metrics.md) or "zh";
    written to `path` if given."""
    return _write(assessment_csv(assessment, headers), path)


# --- xlsx -----------------------------------------------------------------------------


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: CJK characters count double."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _fit(widths: Iterable[int], low: int = 6, high: int = 60) -> float:
    return float(min(max(max(widths, default=low) + 2, low), high))


def _weights_rows(a: Assessment, lang: str) -> list[tuple[str, str | float]]:
    info = metrics.FIGURE_INFO
    rows = []
    for key, weight in a.weights.items():
        name = info[key]["en" if lang == "en" else "zh"]
        name += " ÷ 100" if key == "satisfaction" else ""
        rows.append(((f"权重：{name}", f"Weight: {name}")[lang == "en"], weight))
    return rows


def _about_rows(a: Assessment, exported_at: datetime, lang: str) -> list[tuple[str, str | float]]:
    """The 说明 sheet: label, text — one language throughout."""
    en = lang == "en"
    period = f"{a.start.isoformat()} 至 {a.end.isoformat()}（{period_text(a.start, a.end)}）"
    if en:
        period = (
            f"{a.start.isoformat()} to {a.end.isoformat()} ({period_text(a.start, a.end, 'en')})"
        )
    source = a.weights_source
    if source == "default":
        source = "the defaults" if en else "默认权重"
    elif not en:
        source = f"设置文件 {source}"
    else:
        source = f"settings file {source}"
    rows = [
        (
            "Scope" if en else "范围",
            f"{a.scope_name} ({a.scope})" if en else f"{a.scope_name}（{a.scope}）",
        ),
        (
            "Units assessed" if en else "考核对象",
            PLURALS[a.level] if en else LEVEL_ZH[a.level],
        ),
        ("Period" if en else "统计期", period),
        ("Data as of" if en else "数据截至", a.as_of.isoformat()),
    ]
    chosen = _filters_text(a, lang)
    if chosen:
        rows.append(("Filters" if en else "筛选", chosen))
    rows.append(("Weights from" if en else "权重来源", source))
    rows.extend(_weights_rows(a, lang))
    if en:
        rows += [
            (
                "Score",
                "100 × Σ weight × value ÷ Σ weights; a blank value counts as 0, a value "
                "above 1 as 1",
            ),
            (
                "Rank",
                "by the unrounded score, highest first; scores within 1e-9 tie and share the "
                "smaller rank (1, 2, 2, 4), listed by area code; the score is rounded half up "
                "to one decimal only when shown, so equal shown scores may rank apart (the "
                "note under the table names them)",
            ),
            ("Rates", "percentages of one decimal; the cells hold the fractions"),
            ("no data", "the figure is undefined for the unit (its denominator is 0)"),
            ("Exported at", _clock(exported_at, lang)),
        ]
    else:
        rows += [
            (
                "得分公式",
                "得分 = 100 × Σ（权重 × 指标值）÷ Σ 权重；指标为空按 0 计，超过 1 按 1 计",
            ),
            (
                "排名规则",
                "按未取整的得分从高到低排名；得分相差不超过 1e-9 视为并列，名次相同、取较小名次"
                "（如 1、2、2、4），并列者按区划代码排列；得分仅在显示时四舍五入保留一位小数，"
                "故显示相同的得分可能名次不同（表下注明）",
            ),
            ("比率", "以百分数显示，保留一位小数；单元格中为小数"),
            ("无数据", "该单位此项指标无法计算（分母为 0），不是 0"),
            ("导出时间", _clock(exported_at, lang)),
        ]
    return rows


def _formats(book) -> dict:
    def fmt(**props):
        return book.add_format({"font_size": 10, **props})

    return {
        "title": fmt(bold=True, font_size=14, valign="vcenter"),
        "header": fmt(bold=True, bg_color="#E8EEF4", border=1, valign="vcenter", align="center"),
        "text": fmt(num_format="@", border=1),
        "count": fmt(num_format="#,##0", border=1),
        "rate": fmt(num_format="0.0%", border=1),
        "score": fmt(num_format="0.0", border=1),
        "none": fmt(border=1, align="right", font_color="#595959"),
        "note": fmt(font_color="#595959"),
        "label": fmt(bold=True, valign="top"),
        "about": fmt(text_wrap=True, valign="top"),
    }


def _write_table(sheet, formats: dict, a: Assessment, lang: str, first: int) -> dict[int, list]:
    """The header row at `first`, the rows below it; the widths each column's texts need."""
    widths: dict[int, list[int]] = {}
    for col, (_, header) in enumerate(column_headers(lang)):
        sheet.write_string(first, col, header, formats["header"])
        widths[col] = [display_width(header)]
    for r, row in enumerate(a.rows, start=first + 1):
        for col, (name, _) in enumerate(COLUMNS):
            value = row.get(name)
            if name in TEXT_COLUMNS:
                text = safe_text(value)
                sheet.write_string(r, col, text, formats["text"])
            elif value is None:
                text = _pick(NO_DATA, lang)
                sheet.write_string(r, col, text, formats["none"])
            else:
                if name == "score":
                    value = round_score(value)
                kind = (
                    "count"
                    if name in COUNT_COLUMNS
                    else ("score" if name in SCORE_COLUMNS else "rate")
                )
                sheet.write_number(r, col, value, formats[kind])
                text = shown(name, value, lang)
            widths[col].append(display_width(text))
    return widths


def assessment_xlsx(
    assessment: Assessment, exported_at: datetime | None = None, lang: str = "zh"
) -> bytes:
    """The hand-in workbook (see the module's docstring); `exported_at` defaults to now."""
    a = assessment
    moment = local_time(exported_at)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False},
    )
    # the file's creation time is the export's, not the clock's when it is written: the
    # same export is the same bytes
    book.set_properties({"created": moment.astimezone(UTC).replace(tzinfo=None)})
    formats = _formats(book)
    en = lang == "en"
    last_col = len(COLUMNS) - 1

    sheet = book.add_worksheet("Assessment" if en else "考核评估表")
    sheet.merge_range(0, 0, 0, last_col, safe_text(title(a, lang)), formats["title"])
    sheet.set_row(0, 26)
    widths = _write_table(sheet, formats, a, lang, first=1)
    for col, values in widths.items():
        sheet.set_column(col, col, _fit(values))
    sheet.set_row(1, 22)
    sheet.freeze_panes(2, 0)
    if a.rows:
        sheet.autofilter(1, 0, len(a.rows) + 1, last_col)
    for i, note in enumerate(look_tied(a, lang)):
        prefix = "Note: " if en else "注："
        sheet.write_string(len(a.rows) + 3 + i, 0, safe_text(prefix + note), formats["note"])
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many tall as it takes
    sheet.repeat_rows(0, 1)  # the title and the headers on every printed page
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.center_horizontally()
    sheet.set_footer("&CPage &P of &N" if en else "&C第 &P 页，共 &N 页")

    about = book.add_worksheet("Notes" if en else "说明")
    rows = _about_rows(a, moment, lang)
    for r, (key, text) in enumerate(rows):
        about.write_string(r, 0, safe_text(key), formats["label"])
        if isinstance(text, str):
            about.write_string(r, 1, safe_text(text), formats["about"])
        else:  # a weight: a number, not a number stored as text
            about.write_number(r, 1, text, formats["about"])
    about.set_column(0, 0, _fit(display_width(k) for k, _ in rows))
    about.set_column(1, 1, 90)
    about.set_portrait()
    about.set_paper(9)
    about.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()


def write_assessment_xlsx(
    assessment: Assessment,
    path: str | Path | None = None,
    exported_at: datetime | None = None,
    lang: str = "zh",
) -> bytes:
    """The assessment as xlsx (`lang` "zh" or "en"); written to `path` if given."""
    return _write(assessment_xlsx(assessment, exported_at, lang), path)
