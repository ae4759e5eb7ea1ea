"""Reading an inbox: which files are submissions, their kind, encoding and header row.

Output is raw cells under canonical column names, with the row number a spreadsheet
program shows; nothing here judges a value (that is `xieshang.etl.validate`).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from python_calamine import CalamineWorkbook

from xieshang.contract.columns import COLUMNS, KIND_KEYWORDS, KINDS
from xieshang.etl.cells import clean_text

DATA_SUFFIXES = (".csv", ".xlsx")


@dataclass
class SheetRows:
    """The data rows of one sheet (or CSV file) of a known kind."""

    path: str
    sheet: str | None
    kind: str
    frame: pd.DataFrame  # raw cells under canonical names, plus "_row"


@dataclass
class FileResult:
    """What reading one data file gave: its sheets, or why it could not be read."""

    path: str
    sha256: str
    size: int
    sheets: list[SheetRows] = field(default_factory=list)
    sheets_skipped: list[dict] = field(default_factory=list)
    unknown_columns: list[dict] = field(default_factory=list)
    unreadable: str | None = None
    skipped: str | None = None


def kind_from_name(name: str) -> str | None:
    """The kind a file or sheet name names: the first kind with a keyword in it."""
    lowered = name.lower()
    for kind in KINDS:
        if any(keyword in lowered for keyword in KIND_KEYWORDS[kind]):
            return kind
    return None


def discover(inbox: Path) -> tuple[list[str], list[dict]]:
    """(data file paths, skipped files with reasons), paths relative to the inbox, sorted."""
    data: list[str] = []
    skipped: list[dict] = []
    for path in sorted(p for p in inbox.rglob("*") if p.is_file()):
        rel = path.relative_to(inbox).as_posix()
        name = path.name
        if any(part.startswith(".") for part in Path(rel).parts):
            skipped.append({"path": rel, "reason": "隐藏文件 hidden file"})
        elif name.startswith("~$"):
            skipped.append({"path": rel, "reason": "Office 临时锁文件 Office lock file"})
        elif path.suffix.lower() not in DATA_SUFFIXES:
            skipped.append(
                {"path": rel, "reason": "不是 CSV 或 xlsx 文件 not a .csv or .xlsx file"}
            )
        else:
            data.append(rel)
    data.sort()  # by code point, as the contract orders files
    skipped.sort(key=lambda item: item["path"])
    return data, skipped


def _header_names(kind: str) -> dict[str, str]:
    """Every accepted header spelling (lower-cased) -> canonical column name."""
    names: dict[str, str] = {}
    for column in COLUMNS[kind]:
        names[column.name.lower()] = column.name
        for alias in column.aliases:
            names[clean_text(alias).lower()] = column.name
    return names


HEADER_NAMES = {kind: _header_names(kind) for kind in KINDS}


def _find_header(rows: list[list[Any]], kind: str) -> int | None:
    known = HEADER_NAMES[kind]
    for index, row in enumerate(rows):
        hits = {known[text] for text in (clean_text(c).lower() for c in row) if text in known}
        if len(hits) >= 2:
            return index
    return None


def _is_blank(row: list[Any]) -> bool:
    # Most rows have a value in their first cell, so this stops at once.
    return not any(cell != "" and cell is not None and clean_text(cell) for cell in row)


def frame_from_rows(
    rows: list[list[Any]], row_numbers: list[int], kind: str
) -> tuple[pd.DataFrame, list[str]] | None:
    """Raw cells under canonical names, or None when no header row is recognisable."""
    header_at = _find_header(rows, kind)
    if header_at is None:
        return None
    known = HEADER_NAMES[kind]
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for index, cell in enumerate(rows[header_at]):
        text = clean_text(cell)
        name = known.get(text.lower())
        if name and name not in positions:
            positions[name] = index
        elif text:
            unknown.append(text)
    body = [
        (number, row)
        for number, row in zip(row_numbers[header_at + 1 :], rows[header_at + 1 :], strict=True)
        if not _is_blank(row)
    ]
    columns: dict[str, list[Any]] = {"_row": [number for number, _ in body]}
    for name, index in positions.items():
        columns[name] = [row[index] if index < len(row) else "" for _, row in body]
    return pd.DataFrame(columns, dtype=object), unknown


def decode(data: bytes) -> str:
    """Text of a CSV file in UTF-8 (with or without BOM) or GB18030, whichever it is."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ValueError("编码无法识别（应为 UTF-8 或 GB18030） unknown text encoding") from None


def csv_rows(text: str) -> tuple[list[list[str]], list[int]]:
    """Records and the line each starts on (a quoted cell may span several lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    numbers: list[int] = []
    line = 1
    for record in reader:
        rows.append(record)
        numbers.append(line)
        line = reader.line_num + 1
    return rows, numbers


def _xlsx_sheets(data: bytes) -> Iterator[tuple[str, list[list[Any]]]]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    for name in workbook.sheet_names:
        yield name, workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)


def read_file(inbox: Path, rel: str, data: bytes | None = None) -> FileResult:
    """Read one data file of the inbox into sheets of known kind."""
    if data is None:
        data = (inbox / rel).read_bytes()
    result = FileResult(path=rel, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    file_kind = kind_from_name(Path(rel).name)
    if rel.lower().endswith(".csv"):
        if file_kind is None:
            result.skipped = "文件名中没有表格类型关键词 no kind keyword in the file name"
            return result
        try:
            rows, numbers = csv_rows(decode(data))
        except (ValueError, csv.Error) as exc:
            result.unreadable = str(exc)
            return result
        _add_sheet(result, None, file_kind, rows, numbers)
        return result
    try:
        sheets = list(_xlsx_sheets(data))
    except Exception as exc:  # noqa: BLE001 — calamine raises several types for bad files
        result.unreadable = f"无法读取的 xlsx 文件（损坏或加密） cannot read workbook: {exc}"
        return result
    for name, rows in sheets:
        kind = kind_from_name(name) or file_kind
        if kind is None:
            result.sheets_skipped.append(
                {
                    "path": rel,
                    "sheet": name,
                    "reason": "工作表名和文件名中都没有类型关键词 no kind keyword in sheet or file name",
                }
            )
            continue
        _add_sheet(result, name, kind, rows, list(range(1, len(rows) + 1)))
    return result


def _add_sheet(
    result: FileResult, sheet: str | None, kind: str, rows: list[list[Any]], numbers: list[int]
) -> None:
    framed = frame_from_rows(rows, numbers, kind)
    if framed is None:
        result.sheets_skipped.append(
            {
                "path": result.path,
                "sheet": sheet,
                "reason": "找不到表头行 no recognisable header row",
            }
        )
        return
    frame, unknown = framed
    if unknown:
        result.unknown_columns.append({"path": result.path, "sheet": sheet, "columns": unknown})
    result.sheets.append(SheetRows(result.path, sheet, kind, frame))
