"""The marked-up rejects workbook (interfaces.md "Submitting files through the dashboard"):
a township's rejected rows handed back so that staff fix them in their own words and send
the workbook again.

    marked_workbook("东湖镇/会议台账.xlsx", data, rejects, run_id, as_of) -> xlsx bytes

Per source sheet with rejects, a sheet under the source sheet's name (a CSV: its file
stem) holds the file's header row as the file has it and each rejected row exactly as it
was, then a last column 问题 (PROBLEM_COLUMN) with the row's reasons and how to fix them;
each bad cell is filled light red and carries the reason as a comment. The source is read
with the loader's own functions (the guarded xlsx reader, the CSV decoding), so the rows
are the ones `rejects.row_number` names. Codes and identifiers are written as text, so
nothing loses a leading zero on the way back. The workbook names the file it answers
(the custom document property REPLACES_PROPERTY): loading it supersedes that file's
rejects, as a corrected resend of the file itself would.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any

import xlsxwriter
from python_calamine import CalamineWorkbook

from xieshang.contract.columns import COLUMNS, KIND_LABELS
from xieshang.contract.settings import read_limits
from xieshang.contract.workbooks import (
    PROBLEM_COLUMN,
    REPLACES_AS_OF_PROPERTY,
    REPLACES_PROPERTY,
    REPLACES_RUN_PROPERTY,
)
from xieshang.etl.cells import clean_text
from xieshang.etl.read import (
    HEADER_NAMES,
    csv_rows,
    decode,
    find_header,
    kind_from_name,
    sheet_grid,
    stored_name,
)
from xieshang.etl.xlsx_guard import check_workbook

BAD_FILL = "#FFC7CE"  # Excel's own "light red fill" of conditional formatting
SHEET_CHARS = 31  # Excel's limit on a sheet name
WIDEST = 50  # characters of the widest data column; the 问题 column wraps at PROBLEM_WIDTH
PROBLEM_WIDTH = 60
_NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")
_TEXT_TYPES = frozenset({"code", "id"})


def marked_workbook(path: str, data: bytes, rejects: list[dict], run_id: str, as_of: str) -> bytes:
    """The marked-up workbook of one submitted file: `path` its stored path (what the
    workbook says it answers; its name tells CSV from xlsx), `data` its bytes, `rejects`
    its rejected rows (sheet, row_number, column_name, reason_zh, and optionally header
    and hint) — a file the loader read, so it reads again the same way —, `run_id` the
    run of that reading and `as_of` the run after which the workbook is made: sent back,
    it supersedes the rejects of that reading up to then."""
    by_sheet: dict[str | None, list[dict]] = {}
    for reject in rejects:
        by_sheet.setdefault(reject.get("sheet"), []).append(reject)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False}
    )
    styles = _Styles(book)
    taken: set[str] = set()
    file_kind = kind_from_name(PurePosixPath(path).name)
    for sheet, rows, numbers in _source_sheets(path, data, list(by_sheet)):
        kind = (kind_from_name(sheet) if sheet else None) or file_kind
        if kind is None:
            continue
        source_name = sheet if sheet is not None else PurePosixPath(path).stem
        page = book.add_worksheet(_sheet_name(source_name, kind, taken))
        _write_sheet(page, styles, kind, rows, numbers, by_sheet[sheet])
    book.set_custom_property(REPLACES_PROPERTY, path)
    book.set_custom_property(REPLACES_RUN_PROPERTY, run_id)
    book.set_custom_property(REPLACES_AS_OF_PROPERTY, as_of)
    book.close()
    return buffer.getvalue()


def _source_sheets(
    path: str, data: bytes, sheets: list[str | None]
) -> Iterable[tuple[str | None, list[list[Any]], list[int]]]:
    """(sheet, rows, the row number of each) of the sheets named by their stored name
    (`stored_name`, as rejects name them), as the loader reads them."""
    limits = read_limits()
    if path.lower().endswith(".csv"):
        rows, numbers = csv_rows(decode(data), limits)
        yield None, rows, numbers
        return
    package = check_workbook(data, limits)
    book = CalamineWorkbook.from_filelike(io.BytesIO(package.data))
    # the first of a stored name, as the loader read it (a later one it did not read)
    named: dict[str, str] = {}
    for name in book.sheet_names:
        named.setdefault(stored_name(name), name)
    present = [name for name in sheets if name in named]
    package.check_loads([named[name] for name in present], limits)
    for name in present:
        rows = sheet_grid(book, package, named[name])
        yield name, rows, list(range(1, len(rows) + 1))


def _sheet_name(source: str, kind: str, taken: set[str]) -> str:
    """The source's name as a sheet name Excel takes, unique in the workbook, still naming
    the kind (the reader takes a sheet's kind from its name: the workbook's own file name
    names none)."""
    name = _NOT_IN_SHEET_NAMES.sub("_", source).strip("'")[:SHEET_CHARS]
    if kind_from_name(name) != kind:
        name = KIND_LABELS[kind]
    base, n = name, 1
    while name.casefold() in taken:
        n += 1
        suffix = f"({n})"
        name = base[: SHEET_CHARS - len(suffix)] + suffix
        if kind_from_name(name) != kind:
            base, name = KIND_LABELS[kind], KIND_LABELS[kind] + suffix
    taken.add(name.casefold())
    return name


class _Styles:
    """The workbook's formats, made once per (number format, bad) pair."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.header = book.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
        self.problem = book.add_format(
            {"text_wrap": True, "valign": "top", "font_color": "#9C0006"}
        )
        self._made: dict[tuple[str | None, bool], Any] = {}

    def cell(self, number_format: str | None, bad: bool):
        key = (number_format, bad)
        if key not in self._made:
            spec: dict[str, Any] = {"num_format": number_format} if number_format else {}
            if bad:
                spec["bg_color"] = BAD_FILL
            self._made[key] = self.book.add_format(spec) if spec else None
        return self._made[key]


def _positions(kind: str, header: list[Any]) -> dict[str, int]:
    """Canonical column name -> its index in the file: the first header naming it wins,
    as in the loader."""
    known = HEADER_NAMES[kind]
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = known.get(clean_text(cell).lower())
        if name and name not in positions:
            positions[name] = index
    return positions


def _write_sheet(
    page, styles: _Styles, kind: str, rows: list[list[Any]], numbers: list[int], rejects
) -> None:
    header_at = find_header(rows, kind)
    if header_at is None:  # the loader found it, or there would be no rejects
        raise ValueError(f"no header row in sheet {page.name!r}")
    header = list(rows[header_at])
    positions = _positions(kind, header)
    index_of = {number: i for i, number in enumerate(numbers)}
    by_row: dict[int, list[dict]] = {}
    for reject in sorted(rejects, key=lambda r: r["row_number"]):
        by_row.setdefault(reject["row_number"], []).append(reject)
    body = [(n, rows[index_of[n]]) for n in by_row if n in index_of]
    # the previous round's 问题 column is not the staff's data: it is written afresh
    span = max([len(header), *(len(row) for _, row in body)])
    keep = [
        i for i in range(span) if not (i < len(header) and clean_text(header[i]) == PROBLEM_COLUMN)
    ]
    width = max(
        (i + 1 for i in keep if _filled(header, i) or any(_filled(row, i) for _, row in body)),
        default=0,
    )
    keep = [i for i in keep if i < width]
    type_of = {c.name: c.type for c in COLUMNS[kind]}
    types = {i: type_of[name] for name, i in positions.items()}
    widths = []
    for col, i in enumerate(keep):
        text = _shown(header[i]) if i < len(header) else ""
        if text:
            page.write_string(0, col, text, styles.header)
        else:
            page.write_blank(0, col, None, styles.header)
        widths.append(_width(text))
        if types.get(i) in _TEXT_TYPES:
            page.set_column(col, col, None, styles.cell("@", False))
    problem_col = len(keep)
    page.write_string(0, problem_col, PROBLEM_COLUMN, styles.header)
    column_of = {i: col for col, i in enumerate(keep)}
    for r, (number, row) in enumerate(body, start=1):
        bad: dict[int, list[dict]] = {}
        for reject in by_row[number]:
            col = column_of.get(positions.get(reject.get("column_name") or ""))
            if col is not None:
                bad.setdefault(col, []).append(reject)
        for col, i in enumerate(keep):
            value = row[i] if i < len(row) else None
            shown = _write_value(page, styles, r, col, value, types.get(i), col in bad)
            widths[col] = max(widths[col], _width(shown))
            if col in bad:
                comment = "\n".join(_comment(reject) for reject in bad[col])
                page.write_comment(r, col, comment, {"x_scale": 2, "y_scale": 1.5})
        lines = [_problem_line(reject, header, positions) for reject in by_row[number]]
        page.write_string(r, problem_col, "\n".join(lines), styles.problem)
    for col, width in enumerate(widths):
        page.set_column(col, col, min(max(width + 2, 6), WIDEST))
    page.set_column(problem_col, problem_col, PROBLEM_WIDTH)
    page.freeze_panes(1, 0)


def _filled(row: list[Any], i: int) -> bool:
    return i < len(row) and row[i] is not None and _shown(row[i]) != ""


def _shown(value: Any) -> str:
    """A cell as text: whole numbers without ".0" (a code read as a number keeps its
    digits), dates as ISO days."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.isoformat(sep=" ") if value.time() != datetime.min.time() else str(value.date())
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_value(page, styles: _Styles, r: int, col: int, value: Any, kind: str | None, bad: bool):
    """Write one cell as the file had it; returns the text it shows."""
    shown = _shown(value)
    if kind in _TEXT_TYPES or isinstance(value, str) or value is None:
        if shown or bad:
            page.write_string(r, col, shown, styles.cell("@" if kind in _TEXT_TYPES else None, bad))
    elif isinstance(value, bool):
        page.write_boolean(r, col, value, styles.cell(None, bad))
    elif isinstance(value, int | float):
        page.write_number(r, col, value, styles.cell(None, bad))
    elif isinstance(value, datetime):
        form = "yyyy-mm-dd" if value.time() == datetime.min.time() else "yyyy-mm-dd hh:mm:ss"
        page.write_datetime(r, col, value, styles.cell(form, bad))
    elif isinstance(value, date):
        page.write_datetime(
            r, col, datetime.combine(value, datetime.min.time()), styles.cell("yyyy-mm-dd", bad)
        )
    else:  # a time or duration: its text
        page.write_string(r, col, shown, styles.cell(None, bad))
    return shown


def _label(reject: dict, header: list[Any], positions: dict[str, int]) -> str | None:
    """The column as the file names it."""
    if reject.get("header"):
        return reject["header"]
    index = positions.get(reject.get("column_name") or "")
    return _shown(header[index]) if index is not None else reject.get("column_name")


def _problem_line(reject: dict, header: list[Any], positions: dict[str, int]) -> str:
    label = _label(reject, header, positions)
    text = f"{label}：{reject['reason_zh']}" if label else reject["reason_zh"]
    return f"{text}。{reject['hint']}" if reject.get("hint") else text


def _comment(reject: dict) -> str:
    hint = reject.get("hint")
    return f"{reject['reason_zh']}\n{hint}" if hint else reject["reason_zh"]


def _width(text: str) -> int:
    # CJK characters take two columns; a cell of several lines is as wide as its longest
    return max(
        (sum(2 if ord(c) > 0x2E7F else 1 for c in line) for line in text.split("\n")), default=0
    )
