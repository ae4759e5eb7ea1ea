"""Fuzz: a load of a hostile inbox never falls over, and never drops a row unaccounted.

Hypothesis writes inboxes from the smallest valid one (tests/helpers/minimal_inbox.py)
with random corruption — hostile cells (NULs and other control characters, huge and
negative numbers, overlong identifiers and text, formulas, shifted rows, duplicate keys,
blank and title rows, numbers shown as dates, times and durations), random bytes and
truncation in CSV and xlsx files, a workbook's sheet XML changed (far cells, a lying
dimension), stray quotes, fragments in another encoding, whole files in UTF-16,
header-only, empty and garbage files, copies, and workbooks with one cell far down or
right — and loads each, into an empty warehouse or after the smallest inbox with rows it
held, on SQLite and on PostgreSQL. Every run must

- return a report (nothing raised out of run_load): committed, or failed, recorded in
  load_runs with its error on one line, and the warehouse as it was;
- count every row once: read = inserted + updated + unchanged + rejected + held, by kind;
  each table gains a row per key inserted or held row released, `rejects` a row per row
  rejected;
- account for every data line: each file of the inbox is loaded, unchanged, skipped or
  unreadable (with a reason), a file written whole and within the limits is loaded; and
  each kind's `read` is the number of non-blank records after the header of its loaded
  files. The records are counted here by a CSV reader of this module's own, which also
  applies the rule of xieshang.etl.csv_quotes to every record spanning several lines: a
  file holding one the rule refuses had to be unreadable, never read shorter. A workbook
  that loads holds the rows it was written with (after its XML was changed, the rows
  calamine reads);
- keep no person's identifier in `rejects`, and leave the marts as a full rebuild
  writes them.

Workbooks that could abort the process (a far cell, changed bytes, date cells) are first
read in a child process, so that a regression fails this test instead of killing pytest.
XIESHANG_FUZZ_EXAMPLES sets the number of examples per engine (default 30).
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, event, example, given, note, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import column_index_from_string
from python_calamine import CalamineWorkbook

from tests.helpers.inbox_files import write_csv, write_xlsx
from tests.helpers.minimal_inbox import (
    ATTENDANCE,
    ATTENDANCE_HEADER,
    MEETING_HEADER,
    MEETINGS,
    RESOLUTION_HEADER,
    RESOLUTIONS,
    ROSTER,
    ROSTER_HEADER,
    SECRET,
    TODAY,
    base_inbox,
)
from tests.helpers.warehouse_builder import clear_warehouse
from xieshang import marts
from xieshang.contract.columns import COLUMNS
from xieshang.contract.settings import read_limits
from xieshang.etl.load import run_load
from xieshang.etl.report import OUTCOMES
from xieshang.warehouse import schema

EXAMPLES = int(os.environ.get("XIESHANG_FUZZ_EXAMPLES", "30"))

# The meeting HY-3, new to the smallest inbox, releases the rows an earlier load held.
HY3 = ["HY-3", "330281100201", "2025-04-08", "议事会", "修桥", "", "", "是", ""]
HELD = {
    "参会签到-待会议.csv": [
        ATTENDANCE_HEADER,
        ["HY-3", "330281100201", "110101198505055720", "王五", "是", "乡贤"],
    ],
    "决议落实-待会议.csv": [
        RESOLUTION_HEADER,
        [
            "JY-3",
            "HY-3",
            "330281100201",
            "修桥",
            "村委会",
            "2025-05-31",
            "推进中",
            "",
            "2025-05-25",
        ],
    ],
}
BASE = {
    "areas": ("区划名册", ROSTER_HEADER, ROSTER),
    "meetings": ("会议台账", MEETING_HEADER, [*MEETINGS, HY3]),
    "attendance": ("参会签到", ATTENDANCE_HEADER, ATTENDANCE),
    "resolutions": ("决议落实", RESOLUTION_HEADER, RESOLUTIONS),
}
TABLES = {
    "areas": schema.areas,
    "meetings": schema.meetings,
    "attendance": schema.attendance,
    "resolutions": schema.resolution_reports,
}
PERSON_IDS = [row[2] for row in ATTENDANCE] + ["11010119850505571X", "110101198505055720"]

OVER_THE_CELL_LIMIT = "路" * 40_000  # its file is unreadable (XIESHANG_MAX_CELL_CHARS)
HOSTILE_TEXT = [
    "",
    " ",
    "\u3000",
    "修\x00桥",
    "\x00",
    "\x01\x02\x1b",
    "\x7f\x85",
    "=1+1",
    "@SUM(A1)",
    "<script>alert(1)</script>",
    "'; DROP TABLE meetings; --",
    "一、修路\r\n二、清淤",
    "a, b\nc",
    '"引号"',
    '半个"引号',
    "议" * 1001,
    "H" * 10_000,
    "Ｈ Ｙ－１",
    "😀",
    "\u202e反向",
    "330281199001011234",
    "11010119850505571X",
    "138 0013 8000",
    "99999999999999999999",
    "3000000000",
    "-1",
    "1e20",
    "NaN",
    "inf",
    "2025-02-30",
    "0000-00-00",
    "45000",
    "2025年3月8日",
    "是",
    "也许",
    "HY-1",
    "330281100201",
    OVER_THE_CELL_LIMIT,
]
HOSTILE_NATIVE = [  # cells only a workbook holds natively
    1e20,
    3_000_000_000,
    -1,
    1e308,
    0.5,
    45000.0,
    True,
    date(1900, 1, 1),
    datetime(2025, 3, 8, 23, 59, 59),
]
# A far cell and whether its sheet is within the reading limits.
FAR_CELLS = {"XFD1048576": False, "Z1048576": False, "A200001": False, "GS3": False}
NEAR_CELLS = {"GR300": True, "H300": True}
DATED = [-1e12, -1e300, 1e12, 2.5e6, -2.5e6, 0.5, 60, 1e-300]  # -1e12: calamine panicked
DATE_FORMATS = ["yyyy-mm-dd", "[h]:mm:ss", "hh:mm"]
SHEET_PART = "xl/worksheets/sheet1.xml"  # where openpyxl writes the first sheet
XML_ROWS = [3, 300, 200_000, 200_001, 1_048_576, 1_048_577, 2**32]
XML_COLUMNS = ["A", "GR", "GS", "XFD", "XFE", "ZZZZ"]
FRAGMENTS = ["修路议事会", "村道硬化，", "张三"]
FRAGMENT_ENCODINGS = ["gb18030", "utf-16-le", "utf-16", "utf-8", "latin-1"]


# --- the inbox --------------------------------------------------------------------------


@dataclass
class File:
    path: str
    data: bytes
    kind: str | None  # the kind its name names (None: no data file of a kind)
    rows: int | None = None  # a workbook's non-blank data rows as written (None: as read)
    whole: bool = False  # written whole and within every limit: it must load
    risky: bool = False  # read in a child process first
    made: str = ""  # how it was made, for the statistics (--hypothesis-show-statistics)


@dataclass
class Inbox:
    files: list[File] = field(default_factory=list)
    after_earlier_load: bool = False  # loaded after the smallest inbox and rows it held

    def write(self, root: Path) -> None:
        for f in self.files:
            path = root / f.path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(f.data)


def is_blank(cells) -> bool:
    """A row the loader drops, given the cells of its contract columns: every one empty
    (None, NaN, or text that is nothing once NFKC-folded and trimmed)."""
    return all(
        cell is None
        or (isinstance(cell, float) and math.isnan(cell))
        or (isinstance(cell, str) and not unicodedata.normalize("NFKC", cell).strip())
        for cell in cells
    )


def csv_bytes(rows: list[list], encoding: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return write_csv(Path(tmp) / "f.csv", rows, encoding=encoding).read_bytes()


def xlsx_bytes(rows: list[list], sheet: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        return write_xlsx(Path(tmp) / "f.xlsx", {sheet: rows}).read_bytes()


def with_formats(data: bytes, cells: list[tuple[int, int, float, str]]) -> bytes:
    """The workbook `data` with number cells (row, column, value, number format) set."""
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook.worksheets[0]
    for row, column, value, number_format in cells:
        cell = sheet.cell(row=row, column=column)
        cell.value = value
        cell.number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def for_workbook(cell):
    """A cell openpyxl can write (it refuses most control characters)."""
    return ILLEGAL_CHARACTERS_RE.sub("", cell) if isinstance(cell, str) else cell


@st.composite
def hostile_row(draw, kind: str, workbook: bool) -> list:
    _, header, base = BASE[kind]
    row = list(draw(st.sampled_from(base)))
    values = st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        st.text(max_size=12),
        *([st.sampled_from(HOSTILE_NATIVE)] if workbook else []),
    )
    how = draw(st.sampled_from(["cells", "cells", "shift", "short", "long", "duplicate"]))
    if how == "cells":
        for _ in range(draw(st.integers(1, 3))):
            row[draw(st.integers(0, len(header) - 1))] = draw(values)
    elif how == "shift":  # a cell inserted or dropped: the cells after it move
        at = draw(st.integers(0, len(header) - 1))
        if draw(st.booleans()):
            row.insert(at, draw(st.sampled_from(["", 1, "x"])))
        else:
            del row[at]
    elif how == "short":
        row = row[: draw(st.integers(0, len(row) - 1))]
    elif how == "long":
        row += [draw(values) for _ in range(draw(st.integers(1, 3)))]
    # "duplicate": a base row again, its key already in the file
    return row


@st.composite
def sheet_rows(draw, kind: str, workbook: bool) -> tuple[list[list], int, int]:
    """(rows: maybe a title row, the header, the data; the header's index; the non-blank
    data rows)."""
    _, header, base = BASE[kind]
    body = [list(r) for r in base]
    for _ in range(draw(st.integers(0, 4))):
        body.insert(draw(st.integers(0, len(body))), draw(hostile_row(kind, workbook)))
    for _ in range(draw(st.integers(0, 2))):
        body.insert(draw(st.integers(0, len(body))), draw(st.sampled_from([[], ["", " ", ""]])))
    if workbook:
        body = [[for_workbook(c) for c in r] for r in body]
    title = [["2025年3月 报送"]] if draw(st.integers(0, 4)) == 0 else []
    # the header is the contract's columns, one each: a longer row's other cells are not read
    data_rows = sum(not is_blank(r[: len(header)]) for r in body)
    return [*title, list(header), *body], len(title), data_rows


@st.composite
def byte_damage(draw, data: bytes, csv: bool) -> tuple[bytes, str | None]:
    """`data` with random damage, and what was done (None: nothing)."""
    choices = ["none", "none", "flip", "insert", "truncate"]
    if csv:
        choices += ["quote", "quote", "fragment", "utf16"]
    how = draw(st.sampled_from(choices))
    if how == "none" or not data:
        return data, None
    where = draw(st.integers(0, 10**6)) % len(data)
    if how == "flip":
        damaged = bytearray(data)
        for _ in range(draw(st.integers(1, 6))):
            damaged[draw(st.integers(0, 10**6)) % len(data)] = draw(st.integers(0, 255))
        return bytes(damaged), how
    if how == "insert":
        return data[:where] + draw(st.binary(min_size=1, max_size=8)) + data[where:], how
    if how == "truncate":
        return data[:where], how
    if how == "quote":  # a stray quote at the start of a cell or two
        starts = [0] + [m.end() for m in re.finditer(rb",|\r\n|\n", data)]
        for _ in range(draw(st.integers(1, 2))):
            at = starts[draw(st.integers(0, len(starts) - 1))]
            data = data[:at] + b'"' + data[at:]
            starts = [s + (s > at) for s in starts]
        return data, how
    if how == "fragment":  # text in another encoding spliced in
        text = draw(st.sampled_from(FRAGMENTS))
        encoding = draw(st.sampled_from(FRAGMENT_ENCODINGS))
        return data[:where] + text.encode(encoding, "replace") + data[where:], how
    return data.decode("utf-8", "replace").encode("utf-16"), how  # "utf16"


@st.composite
def xml_damage(draw, data: bytes) -> bytes:
    """The workbook `data` with its sheet's XML changed, zipped again (so its checksums
    hold and the reader parses the changed XML)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    xml = parts[SHEET_PART]
    how = draw(st.sampled_from(["flip", "cell", "cell", "dimension", "cut"]))
    if how == "flip":
        damaged = bytearray(xml)
        for _ in range(draw(st.integers(1, 6))):
            damaged[draw(st.integers(0, 10**6)) % len(xml)] = draw(st.integers(0, 255))
        xml = bytes(damaged)
    elif how == "cell":  # one more cell, maybe far away, with or without references
        row = draw(st.sampled_from(XML_ROWS))
        column = draw(st.sampled_from(XML_COLUMNS))
        cell = draw(
            st.sampled_from(
                [
                    f'<row r="{row}"><c r="{column}{row}"><v>1</v></c></row>',
                    f'<row r="{row}"><c><v>1</v></c></row>',
                    f'<row><c r="{column}{row}" t="inlineStr"><is><t>x</t></is></c></row>',
                    f'<row r="{row}"><c r="{column}{row}" t="e"><v>#N/A</v></c></row>',
                ]
            )
        )
        xml = xml.replace(b"</sheetData>", cell.encode() + b"</sheetData>")
    elif how == "dimension":
        reference = f"{draw(st.sampled_from(XML_COLUMNS))}{draw(st.sampled_from(XML_ROWS))}"
        xml = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="A1:{reference}"'.encode(), xml)
    else:
        start = draw(st.integers(0, 10**6)) % len(xml)
        xml = xml[:start] + xml[start + draw(st.integers(1, 200)) :]
    parts[SHEET_PART] = xml
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@st.composite
def kind_file(draw, kind: str) -> File:
    stem, header, _ = BASE[kind]
    workbook = draw(st.integers(0, 3)) == 0
    rows, header_index, data_rows = draw(sheet_rows(kind, workbook))
    too_long = any(c == OVER_THE_CELL_LIMIT for r in rows for c in r)
    if not workbook:
        data = csv_bytes(rows, draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"])))
        data, damage = draw(byte_damage(data, csv=True))
        whole = damage is None and not too_long
        if whole:  # a cell of random text may hold lines shaped like rows
            text = decoded(data)
            whole = refused_span(text, parse_csv(text)) is None
        return File(f"{stem}.csv", data, kind, None, whole, made=f".csv {damage or 'cells'}")
    data = xlsx_bytes(rows, draw(st.sampled_from(["Sheet1", stem])))
    filled = [i + 1 for i, r in enumerate(rows) if i > header_index and not is_blank(r)]
    dated = []
    if filled and draw(st.integers(0, 2)) == 0:  # numbers as dates, times and durations
        for _ in range(draw(st.integers(1, 2))):
            dated.append(
                (
                    draw(st.sampled_from(filled)),
                    draw(st.integers(1, len(header))),
                    draw(st.sampled_from(DATED)),
                    draw(st.sampled_from(DATE_FORMATS)),
                )
            )
        data = with_formats(data, dated)
    damage = draw(st.sampled_from([None, "bytes", "xml"]))
    if damage == "xml":
        data = draw(xml_damage(data))
    elif damage == "bytes":
        data, damage = draw(byte_damage(data, csv=False))
    return File(
        f"{stem}.xlsx",
        data,
        kind,
        rows=data_rows if damage != "xml" else None,
        whole=damage is None and not too_long and not dated,
        risky=bool(damage or dated),
        made=f".xlsx {damage or 'cells'}{' dated' if dated else ''}",
    )


def far_cell_workbook(kind: str, reference: str) -> bytes:
    _, header, base = BASE[kind]
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = BASE[kind][0]
    for row in [header, *base]:
        sheet.append(row)
    sheet[reference] = "x"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@st.composite
def extra_file(draw, n: int, kinds: dict[str, File]) -> File:
    kind = draw(st.sampled_from(list(BASE)))
    how = draw(
        st.sampled_from(
            ["header-only", "empty", "far", "near", "copy", "garbage", "no-kind", "lock", "renamed"]
        )
    )
    extra = draw(_extra(how, f"补报{n}/", kind, kinds))
    extra.made = how
    return extra


@st.composite
def _extra(draw, how: str, folder: str, kind: str, kinds: dict[str, File]) -> File:
    stem, header, base = BASE[kind]
    name = folder + stem
    if how == "header-only":
        if draw(st.booleans()):
            return File(f"{name}.xlsx", xlsx_bytes([header], "Sheet1"), kind, rows=0, whole=True)
        return File(f"{name}.csv", csv_bytes([header], "utf-8"), kind, whole=True)
    if how == "empty":
        return File(f"{name}.{draw(st.sampled_from(['csv', 'xlsx']))}", b"", kind)
    if how in ("far", "near"):
        cells = FAR_CELLS if how == "far" else NEAR_CELLS
        reference = draw(st.sampled_from(sorted(cells)))
        data = far_cell_workbook(kind, reference)
        # its row is read only when the cell is in a column of the contract (H300 is, of
        # the 10 resolution columns)
        letters = reference.rstrip("0123456789")
        rows = len(base) + (column_index_from_string(letters) <= len(header))
        return File(f"{name}.xlsx", data, kind, rows, cells[reference], risky=True)
    if how == "copy":  # the same bytes under another path: read again
        original = kinds[kind]
        suffix = Path(original.path).suffix
        return File(f"{name}{suffix}", original.data, kind, original.rows, risky=original.risky)
    if how == "garbage":
        return File(f"{name}.xlsx", draw(st.binary(min_size=1, max_size=64)), kind, risky=True)
    if how == "no-kind":
        return File(f"{folder}notes.csv", csv_bytes([header, *base], "utf-8"), None)
    if how == "lock":
        return File(f"{folder}~${stem}.xlsx", b"\x00" * 165, None)
    return File(f"{name}.xlsx", csv_bytes([header, *base], "utf-8"), kind, risky=True)


@st.composite
def inboxes(draw) -> Inbox:
    kinds = {kind: draw(kind_file(kind)) for kind in BASE}
    extras = [draw(extra_file(n, kinds)) for n in range(draw(st.integers(0, 3)))]
    return Inbox([*kinds.values(), *extras], draw(st.booleans()))


# --- a CSV reader of the test's own -----------------------------------------------------

_TOKEN = re.compile(r'\r\n|\r|\n|"|,|[^",\r\n]+')
_BREAKS = ("\r\n", "\r", "\n")


@dataclass
class Span:
    """A quoted cell over several lines: where it opens and closes, and how."""

    opens: int
    closes: int | None = None  # None: never closed
    clean: bool = True  # the closing quote ends the cell (then ",", a line break or the end)


@dataclass
class Record:
    cells: list[str]
    spans: list[Span]


def parse_csv(text: str) -> list[Record]:
    """The records of `text` as Python's csv reads a file (excel dialect, not strict), each
    with its quoted cells that span lines."""
    records: list[Record] = []
    cells: list[str] = []
    cell: list[str] = []
    spans: list[Span] = []
    state = "start"  # start of a cell | plain | quoted | quote (in a quoted cell)
    line = 1
    opened = 0

    def close(clean: bool) -> None:
        if line > opened:
            spans.append(Span(opened, line, clean))

    for match in _TOKEN.finditer(text):
        token = match.group()
        if state == "quoted":
            if token == '"':
                state = "quote"
            else:
                cell.append(token)
                line += token in _BREAKS
            continue
        if state == "quote":
            if token == '"':
                cell.append('"')
                state = "quoted"
                continue
            close(clean=token == "," or token in _BREAKS)
            state = "plain"
        if token == ",":
            cells.append("".join(cell))
            cell, state = [], "start"
        elif token in _BREAKS:
            if state != "start" or cells:
                cells.append("".join(cell))
            records.append(Record(cells, spans))
            cells, cell, spans, state = [], [], [], "start"
            line += 1
        elif token == '"' and state == "start":
            state, opened = "quoted", line
        else:
            cell.append(token)
            state = "plain"
    last = line - 1 if text.endswith(_BREAKS) else line  # the last line that holds text
    if state == "quoted" and last > opened:  # a quote left open on the last line swallows nothing
        spans.append(Span(opened))
    elif state == "quote":
        close(clean=True)
    if state != "start" or cells or cell:
        cells.append("".join(cell))
        records.append(Record(cells, spans))
    return records


def refused_span(text: str, records: list[Record]) -> Span | None:
    """The first multi-line quoted cell the rule of xieshang.etl.csv_quotes refuses: never
    closed, closed mid-cell, over the line limit, or holding a whole line shaped like a
    row (as many commas as the widest record has between its cells, and at least 4)."""
    lines = re.split(r"\r\n|\r|\n", text)
    width = max((len(r.cells) for r in records), default=0)
    for record in records:
        for span in record.spans:
            if span.closes is None or not span.clean:
                return span
            if span.closes - span.opens + 1 > read_limits().cell_lines:
                return span
            inner = lines[span.opens : span.closes - 1]  # the whole lines inside
            if any(line.count(",") >= max(4, width - 1) for line in inner):
                return span
    return None


def decoded(data: bytes) -> str | None:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    return None


def header_at(rows: list[list], kind: str) -> int | None:
    """The index of the header row: the first with two of the kind's column names."""
    names = header_names(kind)
    for at, row in enumerate(rows):
        found = {unicodedata.normalize("NFKC", str(c)).strip().lower() for c in row}
        if len(found & names) >= 2:
            return at
    return None


def data_rows_under(rows: list[list], at: int | None, kind: str) -> int | None:
    """The rows after the header `at` with a cell in a column of the contract: a column
    whose header is one of the kind's names, the first of each name."""
    if at is None:
        return None
    names = header_names(kind)
    columns = {}
    for i, cell in enumerate(rows[at]):
        column = next((c.name for c in COLUMNS[kind] if _norm(cell) in _names_of(c)), None)
        if column is not None and _norm(cell) in names:
            columns.setdefault(column, i)
    return sum(not is_blank([r[i] for i in columns.values() if i < len(r)]) for r in rows[at + 1 :])


def _norm(cell) -> str:
    return unicodedata.normalize("NFKC", str(cell)).strip().lower()


def _names_of(column) -> set[str]:
    return {column.name.lower()} | {_norm(a) for a in column.aliases}


ERROR_CELL = re.compile(rb'<c r="([A-Z]+)([0-9]+)" t="e"><v>([^<]+)</v>')


def workbook_data_rows(data: bytes, kind: str) -> int | None:
    """The non-blank rows after the header of a workbook's one sheet, as calamine reads
    it, an error cell (#N/A), which it reads as blank, holding its text; None when it has
    no header row."""
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    rows = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read(SHEET_PART)
    for letters, number, text in ERROR_CELL.findall(xml):
        row, column = int(number) - 1, column_index_from_string(letters.decode()) - 1
        if row < len(rows) and column < len(rows[row]):
            rows[row][column] = text.decode()
    return data_rows_under(rows, header_at(rows, kind), kind)


def header_names(kind: str) -> set[str]:
    names = set()
    for column in COLUMNS[kind]:
        names.add(column.name.lower())
        names.update(unicodedata.normalize("NFKC", a).strip().lower() for a in column.aliases)
    return names


def csv_data_rows(data: bytes, kind: str, path: str) -> int | None:
    """The non-blank records after the header of a CSV file the loader read; None when it
    has no header row."""
    text = decoded(data)
    assert text is not None, f"{path} was loaded, but is neither UTF-8 nor GB18030"
    records = parse_csv(text)
    refused = refused_span(text, records)
    assert refused is None, f"{path} was loaded with a broken quote: {refused} {text[:2000]!r}"
    cells = [r.cells for r in records]
    return data_rows_under(cells, header_at(cells, kind), kind)


# --- the checks -------------------------------------------------------------------------


def read_in_child(paths: list[Path]) -> None:
    """read_file on each of `paths` in a child process: an abort fails the test here."""
    code = (
        "import sys; from pathlib import Path; from xieshang.etl.read import read_file\n"
        "for p in map(Path, sys.argv[1:]): read_file(p.parent, p.name)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"reading {paths} ended {done.returncode}: {done.stderr[-3000:]}"


def stored_runs(engine) -> list[tuple]:
    t = schema.load_runs
    with engine.connect() as conn:
        return conn.execute(sa.select(t.c.run_id, t.c.status, t.c.report)).all()


def load_earlier(engine, root: Path) -> None:
    """The smallest inbox and two rows waiting for the meeting HY-3, loaded."""
    inbox = base_inbox(root)
    for name, rows in HELD.items():
        write_csv(inbox / name, rows)
    report = run_load(engine, inbox, secret=SECRET, today=TODAY)
    assert report["status"] == "committed", report.get("error")
    assert report["kinds"]["attendance"]["held"] == report["kinds"]["resolutions"]["held"] == 1


def table_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            for t in [*TABLES.values(), schema.rejects, schema.held_rows, schema.load_files]
        }


def check_failed(engine, report: dict, before: dict[str, int]) -> None:
    assert "\n" not in report["error"], report["error"]
    (run,) = [r for r in stored_runs(engine) if r.run_id == report["run_id"]]
    assert run.status == "failed"
    assert table_counts(engine) == before
    assert all(report["kinds"][k][o] == 0 for k in report["kinds"] for o in OUTCOMES)
    assert report["files"]["loaded"] == []


def check_files(inbox: Inbox, report: dict) -> None:
    """Each file is in exactly one list of the report; a whole one is read."""
    files = report["files"]
    listed = [
        *files["loaded"],
        *files["unchanged"],
        *(f["path"] for f in files["skipped"]),
        *(f["path"] for f in files["unreadable"]),
    ]
    assert sorted(listed) == sorted(f.path for f in inbox.files)
    assert all(f["reason"] for f in files["unreadable"] + files["skipped"])
    read = set(files["loaded"]) | set(files["unchanged"])
    unread = [f.path for f in inbox.files if f.whole and f.path not in read]
    assert unread == [], files["unreadable"]


def check_lines(inbox: Inbox, report: dict) -> None:
    """Each kind read the non-blank records after the header of its loaded files."""
    by_path = {f.path: f for f in inbox.files}
    skipped = {s["path"] for s in report["sheets_skipped"]}
    expected = dict.fromkeys(BASE, 0)
    for path in report["files"]["loaded"]:
        f = by_path[path]
        if path.endswith(".csv"):
            rows = csv_data_rows(f.data, f.kind, path)
        else:
            rows = f.rows if f.rows is not None else workbook_data_rows(f.data, f.kind)
        assert (rows is None) == (path in skipped), (path, report["sheets_skipped"])
        expected[f.kind] += rows or 0
    assert {kind: report["kinds"][kind]["read"] for kind in BASE} == expected


def check_counts(engine, report: dict, before: dict[str, int]) -> None:
    """read = inserted + … + held by kind; one more stored row per inserted key or held
    row released, one more reject per row rejected, held rows released or rejected."""
    kinds = report["kinds"]
    for kind, counts in kinds.items():
        assert counts["read"] == sum(counts[o] for o in OUTCOMES[1:]), (kind, counts)
    stored = table_counts(engine)
    added = {k: stored[t.name] - before[t.name] for k, t in TABLES.items()}
    assert added == {k: kinds[k]["inserted"] + kinds[k]["released"]["joined"] for k in TABLES}
    rejected = sum(c["rejected"] + c["released"]["rejected"] for c in kinds.values())
    assert stored["rejects"] - before["rejects"] == rejected
    released = sum(sum(c["released"].values()) for c in kinds.values())
    assert before["held_rows"] - released <= stored["held_rows"]
    assert stored["held_rows"] <= before["held_rows"] - released + sum(
        c["held"] for c in kinds.values()
    )
    (run,) = [r for r in stored_runs(engine) if r.run_id == report["run_id"]]
    assert run.status == "committed"
    assert json.loads(run.report)["kinds"] == kinds


def marts_rows(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            table.name: conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            for table in schema.MART_TABLES
        }


def check_marts(engine) -> None:
    """The marts the load refreshed (a part of them, after an earlier load) are as a full
    rebuild writes them."""
    refreshed = marts_rows(engine)
    marts.rebuild(engine)
    assert marts_rows(engine) == refreshed


def check_no_person_ids_in_rejects(engine) -> None:
    with engine.connect() as conn:
        values = conn.execute(sa.select(schema.rejects.c.value)).scalars().all()
    shown = "\n".join(v for v in values if v)
    assert [pid for pid in PERSON_IDS if pid in shown] == []


def base_files() -> list[File]:
    """The smallest valid inbox, as it is."""
    return [
        File(f"{stem}.csv", csv_bytes([header, *rows], "utf-8"), kind, whole=True, made=".csv")
        for kind, (stem, header, rows) in BASE.items()
    ]


def date_cell_inbox(value: float, number_format: str) -> Inbox:
    """The smallest valid inbox and a workbook whose one meeting date is `value` as a date:
    calamine panicked converting -1e12 (pyo3's PanicException, a BaseException, left
    run_load)."""
    _, header, rows = BASE["meetings"]
    data = with_formats(xlsx_bytes([header, *rows], "Sheet1"), [(2, 3, value, number_format)])
    dated = File("补报/会议台账.xlsx", data, "meetings", len(rows), risky=True, made="dated")
    return Inbox([*base_files(), dated])


@pytest.mark.slow
@example(inbox=date_cell_inbox(-1e12, "yyyy-mm-dd"))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(inbox=inboxes())
def test_a_hostile_inbox_never_crashes_the_load_nor_loses_a_line(engine, inbox):
    with engine.begin() as conn:
        clear_warehouse(conn)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "inbox"
        if inbox.after_earlier_load:
            load_earlier(engine, Path(tmp) / "earlier")
        before = table_counts(engine)
        inbox.write(root)
        risky = [root / f.path for f in inbox.files if f.risky]
        if risky:
            read_in_child(risky)
        report = run_load(engine, root, secret=SECRET, today=TODAY)
    note(json.dumps({k: v for k, v in report.items() if k != "kinds"}, ensure_ascii=False))
    assert report["status"] in ("committed", "failed")
    if report["status"] == "failed":
        event(f"failed: {report['error'][:80]}")
        check_failed(engine, report, before)
        return
    check_files(inbox, report)
    statuses = {p: "loaded" for p in report["files"]["loaded"]}
    statuses |= {p: "unchanged" for p in report["files"]["unchanged"]}
    statuses |= {f["path"]: "skipped" for f in report["files"]["skipped"]}
    statuses |= {f["path"]: "unreadable" for f in report["files"]["unreadable"]}
    for f in inbox.files:
        event(f"{f.made} -> {statuses[f.path]}")
    check_lines(inbox, report)
    check_counts(engine, report, before)
    released = {k: c["released"] for k, c in report["kinds"].items() if any(c["released"].values())}
    event(f"released by the run: {sorted(released)}")
    check_no_person_ids_in_rejects(engine)
    check_marts(engine)
