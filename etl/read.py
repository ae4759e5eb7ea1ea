"""Reading an inbox: which files are submissions, their kind, encoding and header row.

Output is raw cells under canonical column names, with the row number a spreadsheet
program shows; nothing here judges a value (that is `xieshang.etl.validate`).

Reading is bounded (`xieshang.contract.settings.ReadLimits`): a file that is empty, or
over a limit — its size, an xlsx's unpacked size and each sheet's extent
(`xieshang.etl.xlsx_guard`, checked before calamine builds the sheet), rows, cells per
row (so the header's width), cells, or a cell's characters — is unreadable, its reason
naming the limit, and the run goes on with the other files. A cell over the character
limit makes its file unreadable, naming the cell, rather than its row rejected: no
spreadsheet program writes one, so the file is not what an office typed. A CSV file
whose quoting is broken is unreadable too, naming the line where the quote opens
(`xieshang.etl.csv_quotes`): a file is read whole or not at all, never shorter. An
xlsx sheet whose name and file name name no kind is listed as skipped without being read.

Workbooks that come back from the project are read as any other: a template's guide
sheet (`GUIDE_SHEET`) is passed over and a marked-up rejects workbook's `PROBLEM_COLUMN`
dropped, neither reported; the file such a workbook answers (its custom document
property `REPLACES_PROPERTY`) is returned with the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import chain, compress, islice
from operator import itemgetter, length_hint, not_
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook

from xieshang.contract.columns import COLUMNS, KIND_KEYWORDS, KIND_LABELS, KINDS
from xieshang.contract.said import Said, reason_fields, said_by
from xieshang.contract.settings import ReadLimits, read_limits
from xieshang.contract.workbooks import (
    GUIDE_SHEET,
    PROBLEM_COLUMN,
    REPLACES_AS_OF_PROPERTY,
    REPLACES_PROPERTY,
    REPLACES_RUN_PROPERTY,
)
from xieshang.etl.cells import clean_text, mask_personal_numbers
from xieshang.etl.csv_quotes import check_quoting
from xieshang.etl.limits import (
    MB,
    OverLimit,
    cell_too_long,
    column_letters,
    csv_line_too_long,
    csv_row_too_wide,
    csv_too_many_cells,
    csv_too_many_rows,
    file_too_large,
)
from xieshang.etl.xlsx_guard import Package, check_workbook

DATA_SUFFIXES = (".csv", ".xlsx")
# a text file "saved as" tab-separated, named .csv: each line one cell with the tabs in it
NO_HEADER_TABS = Said(
    "找不到表头行：各列以制表符（Tab）而非逗号分隔，请在 Excel 或 WPS 中另存为“CSV（逗号分隔）”"
    "或 xlsx",
    "no recognisable header row: the columns are separated by tabs, not commas;"
    " save the file as CSV (comma delimited) or xlsx in Excel or WPS",
)
# what the header row needs (`find_header`), so that an office knows what to change
NO_HEADER = Said(
    "找不到表头行：表头行至少要有两个本类表格的列名，请按空白模板的表头填写",
    "no recognisable header row: a header row has at least two of the kind's column names;"
    " use the blank template's headers",
)
_HEADER_SEARCH = 50  # the lines a tab-separated file's header is looked for in
# workbooks offices save in other formats: old Excel, WPS, macro-enabled or binary Excel
OTHER_WORKBOOKS = (".xls", ".et", ".ett", ".xlsm", ".xlsb")
SAVE_AS_XLSX = Said(
    "不是 xlsx 格式的表格，请在 Excel 或 WPS 中“另存为”.xlsx 后重新报送",
    "a workbook not in the xlsx format: save it as .xlsx in Excel or WPS and send it again",
)
EMPTY = Said("空文件（0字节）", "the file is empty (0 bytes)")
NOT_UTF8 = Said(
    "文件名不是 UTF-8 编码，请改名后重新放入",
    "the file name is not UTF-8 (unpacked from a zip made on Windows?): rename the file",
)
# the kinds as the blank templates are named (xieshang.template), each holding its keyword,
# the monthly ledgers first: a reason that a name has no keyword says what to write
_NAMED_ORDER = ("meetings", "attendance", "resolutions", "areas")
_NAMED_KINDS = "".join(f"“{KIND_LABELS[kind]}”" for kind in _NAMED_ORDER)
_NAMED_KINDS_EN = ", ".join(KIND_LABELS[kind] for kind in _NAMED_ORDER)
NO_KEYWORD = Said(
    f"文件名中没有表格类型关键词：请在文件名中写明表格类型，如{_NAMED_KINDS}（空白模板的名称）",
    "no kind keyword in the file name: name the kind in it as the blank templates do"
    f" ({_NAMED_KINDS_EN}) or in English ({', '.join(_NAMED_ORDER)})",
)
SAME_NAME = Said(
    "与前面的工作表同名，未读取：请改名后重新报送",
    "a sheet of the same name as an earlier one: not read; rename it and send the file again",
)
# two names that differ only in a resident ID or mobile number are one name as stored
# (`stored_name`): the later is not read, lest its rows and rejects pass for the other's
SAME_STORED_SHEET = Said(
    "隐去身份证号、手机号后与前面的工作表同名，未读取：请改名（名称中不要写身份证号或手机号）后重新报送",
    "the same name as an earlier sheet once ID and mobile numbers are hidden: not read;"
    " rename it (without an ID or mobile number) and send the file again",
)
SAME_STORED_FILE = Said(
    "隐去身份证号、手机号后与前面的文件同名，未读取：请改名（名称中不要写身份证号或手机号）后重新报送",
    "the same name as an earlier file once ID and mobile numbers are hidden: not read;"
    " rename it (without an ID or mobile number) and send it again",
)
NO_SHEET_KEYWORD = Said(
    "工作表名和文件名中都没有类型关键词：请在工作表名或文件名中写明表格类型，"
    f"如{_NAMED_KINDS}（空白模板的名称）",
    "no kind keyword in sheet or file name: name the kind in the sheet's or the file's name"
    f" as the blank templates do ({_NAMED_KINDS_EN}) or in English ({', '.join(_NAMED_ORDER)})",
)
NOT_A_FILE = Said(
    "不是普通文件（文件夹的链接、管道、设备或失效的链接）",
    "not a regular file (a link to a folder, a pipe, a device, a broken link)",
)
OUTSIDE_LINK = Said("链接指向收件箱之外，未读取", "a link to outside the inbox: not read")
TOO_DEEP = Said("文件夹层级超过 64 层，未读取", "a folder nested more than 64 deep: not read")
HIDDEN = Said("隐藏文件", "hidden file")
OFFICE_LOCK = Said("Office 临时锁文件", "Office lock file")
NOT_DATA = Said("不是 CSV 或 xlsx 文件", "not a .csv or .xlsx file")
MAX_DEPTH = 64
REPLACES_MAX = 1000  # characters of a path a workbook may say it answers; longer is malformed
_RUN_ID = re.compile(r"[0-9a-f]{32}")


@dataclass
class SheetRows:
    """The data rows of one sheet (or CSV file) of a known kind."""

    path: str
    sheet: str | None
    kind: str
    frame: pd.DataFrame  # raw cells under canonical names, plus "_row"
    headers: dict[str, str] = field(default_factory=dict)  # canonical name -> the file's header


@dataclass
class FileResult:
    """What reading one data file gave: its sheets, or why it could not be read."""

    path: str
    sha256: str
    size: int
    sheets: list[SheetRows] = field(default_factory=list)
    sheets_skipped: list[dict] = field(default_factory=list)
    unknown_columns: list[dict] = field(default_factory=list)
    unreadable: Said | None = None
    skipped: Said | None = None
    replaces: str | None = None  # the earlier file this workbook answers (REPLACES_PROPERTY)
    replaces_run: str | None = None  # the reading of it whose rows it marks, by its run
    replaces_as_of: str | None = None  # the run after which it was made


class Framed(NamedTuple):
    """A sheet's rows under canonical names, its unknown headers, and the header each
    canonical column has in the file."""

    frame: pd.DataFrame
    unknown: list[str]
    headers: dict[str, str]


def stored_name(name: str) -> str:
    """A file's path or a sheet's name as the warehouse stores and the report shows it:
    a resident ID or mobile number in it masked (offices name a sheet after a person,
    赵六330281199001011235). Everything that compares paths or sheets (unchanged files,
    superseded rejects, held rows, marked-up workbooks) compares these."""
    return mask_personal_numbers(name)


def _stored_said(said: Said) -> Said:
    """A reason as stored: one may quote a sheet's name (a sheet over a limit)."""
    return Said(stored_name(said.zh), stored_name(said.en))


def kind_from_name(name: str) -> str | None:
    """The kind a file or sheet name names: the first kind with a keyword in it."""
    lowered = name.lower()
    for kind in KINDS:
        if any(keyword in lowered for keyword in KIND_KEYWORDS[kind]):
            return kind
    return None


FileKey = tuple[str, str | None]


def file_key(rel: str, digest: str) -> FileKey:
    """What makes two readings of a file the same: its bytes (their SHA-256) and the kind
    its name names, which the kind of a CSV and of a sheet without a keyword comes from.
    The same bytes renamed to another kind — as the report told, when its name named no
    kind or the wrong one — are another reading, not the file unchanged."""
    return digest, kind_from_name(PurePosixPath(rel).name)


def _is_utf8(rel: str) -> bool:
    """Whether a path's bytes are UTF-8 (others reach Python as lone surrogates, which no
    report, table or terminal takes)."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _entries(inbox: Path) -> Iterator[tuple[str, str | None]]:
    """(path relative to the inbox, None for a regular file else why it is not read) of
    everything below the inbox: walked with a stack, not recursion, however deep; a link
    followed only to a regular file inside the inbox (never to a folder, which could
    loop); a FIFO, device or socket never opened (reading one waits for ever)."""
    root = os.path.realpath(inbox)
    folders = [(str(inbox), 0)]
    while folders:
        folder, depth = folders.pop()
        try:
            with os.scandir(folder) as listing:
                entries = list(listing)
        except OSError as exc:
            yield os.path.relpath(folder, inbox), cannot_read(exc)
            continue
        for entry in entries:
            rel = os.path.relpath(entry.path, inbox)
            try:
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    if os.path.commonpath([root, target]) != root:
                        yield rel, OUTSIDE_LINK
                    elif not os.path.isfile(target):
                        yield rel, NOT_A_FILE
                    else:
                        yield rel, None
                elif entry.is_dir():
                    if depth + 1 > MAX_DEPTH:
                        yield rel, TOO_DEEP
                    else:
                        folders.append((entry.path, depth + 1))
                elif entry.is_file():
                    yield rel, None
                else:
                    yield rel, NOT_A_FILE
            except (OSError, ValueError) as exc:
                yield rel, cannot_read(exc) if isinstance(exc, OSError) else NOT_A_FILE


def cannot_read(exc: OSError) -> Said:
    """Why a file or folder the system would not open is unread."""
    why = exc.strerror or type(exc).__name__
    return Said(f"无法读取（{why}）", f"cannot be read ({why})")


def bad_workbook(detail: Said) -> Said:
    """Why an xlsx file is unreadable: damaged or encrypted, then what was found wrong —
    in Chinese only when that is said in Chinese (not a zip reader's own words)."""
    zh = "无法读取的 xlsx 文件（损坏或加密）"
    if detail.zh != detail.en:
        zh += f"：{detail.zh}"
    return Said(zh, f"cannot read workbook: {detail.en}")


def discover(inbox: Path) -> tuple[list[str], list[dict]]:
    """(data file paths, skipped files with reasons), paths relative to the inbox, sorted."""
    data: list[str] = []
    skipped: list[dict] = []
    for native, refused in _entries(inbox):
        rel = Path(native).as_posix()  # read by this name; reported by its stored_name
        name = Path(rel).name
        if not _is_utf8(rel):  # a zip made on Windows unpacks to GBK names: shown, not read
            reason, rel = NOT_UTF8, os.fsencode(rel).decode("gb18030", "replace")
        elif any(part.startswith(".") for part in Path(rel).parts):
            reason = HIDDEN
        elif refused is not None:
            reason = refused
        elif name.startswith("~$"):
            reason = OFFICE_LOCK
        elif Path(rel).suffix.lower() in OTHER_WORKBOOKS:
            reason = SAVE_AS_XLSX
        elif Path(rel).suffix.lower() not in DATA_SUFFIXES:
            reason = NOT_DATA
        else:
            data.append(rel)
            continue
        skipped.append({"path": stored_name(rel), **reason_fields(reason)})
    data.sort()  # by code point, as the contract orders files
    stored: set[str] = set()
    for rel in list(data):
        if stored_name(rel) in stored:
            data.remove(rel)
            skipped.append({"path": stored_name(rel), **reason_fields(SAME_STORED_FILE)})
        stored.add(stored_name(rel))
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


def find_header(rows: list[list[Any]], kind: str) -> int | None:
    known = HEADER_NAMES[kind]
    for index, row in enumerate(rows):
        hits = {known[text] for text in (clean_text(c).lower() for c in row) if text in known}
        if len(hits) >= 2:
            return index
    return None


def _is_blank(row: list[Any]) -> bool:
    if row:
        first = row[0]
        # A number, date or bool cell is never blank; NaN is the one blank non-text cell.
        if type(first) is not str and first is not None and first == first:
            return False
    return not any(cell != "" and cell is not None and clean_text(cell) for cell in row)


def _blank_rows(rows: list[list[Any]]) -> list[int]:
    """Indices of the blank rows. A row whose first cell is a number, or text starting with
    a letter, digit or ideograph (no other character folds to one) is not blank; as most
    rows are so, that is tested for all rows at once, and only the others one by one."""
    try:  # text in every first cell (another cell, or an empty row, raises)
        filled = list(map(str.isalnum, map(itemgetter(slice(0, 1)), map(itemgetter(0), rows))))
    except (TypeError, IndexError):
        try:  # numbers in every first cell; NaN, the blank number, is not equal to itself
            firsts = list(map(itemgetter(0), rows))
            filled = list(map(float.__eq__, firsts, firsts))
        except (TypeError, IndexError):
            return [i for i, row in enumerate(rows) if _is_blank(row)]
    return [i for i in compress(range(len(rows)), map(not_, filled)) if _is_blank(rows[i])]


def frame_from_rows(rows: list[list[Any]], row_numbers: list[int], kind: str) -> Framed | None:
    """Raw cells under canonical names, or None when no header row is recognisable."""
    header_at = find_header(rows, kind)
    if header_at is None:
        return None
    known = HEADER_NAMES[kind]
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    unknown: list[str] = []
    contract_columns = []  # every column headed by a name of the contract, repeats too
    for index, cell in enumerate(rows[header_at]):
        text = clean_text(cell)
        name = known.get(text.lower())
        if name:
            contract_columns.append(index)
        if name and name not in positions:
            positions[name] = index
            headers[name] = text
        elif text and text != PROBLEM_COLUMN:  # a marked-up workbook's note: known
            unknown.append(text)
    body = rows[header_at + 1 :]
    numbers = row_numbers[header_at + 1 :]
    width = max(max(positions.values()) + 1, max(map(len, body), default=0))
    if body and min(map(len, body)) < width:
        body = [row if len(row) == width else [*row, *[""] * (width - len(row))] for row in body]
    # A row blank in every column headed by a name of the contract is blank, whatever else
    # it holds: a 序号 filled down a template, the 问题 note of a marked-up workbook (a
    # value under a repeated header is not blank: its row is rejected, not lost). The
    # contract's cells are taken apart only when the sheet has other columns.
    plain = contract_columns == list(range(width))
    blank = _blank_rows(body if plain else list(map(itemgetter(*contract_columns), body)))
    if blank:
        keep = [True] * len(body)
        for i in blank:
            keep[i] = False
        body, numbers = list(compress(body, keep)), list(compress(numbers, keep))
    # One object block from the rows at once (not a column at a time, nor a cell at a
    # time): cells keep their Python types.
    table = np.empty((len(body), len(positions) + 1), dtype=object)
    table[:, 0] = numbers
    if body:
        table[:, 1:] = np.array(body, dtype=object)[:, list(positions.values())]
    frame = pd.DataFrame(table, columns=["_row", *positions], dtype=object, copy=False)
    return Framed(frame, unknown, headers)


# what a line of Chinese in UTF-8 holds besides ASCII: CJK and its punctuation, full-width
# forms, the symbols ledgers use (· × ÷, dashes, quotes, ①, Ⅱ, ℃, √, ●, ★, arrows, boxes).
# GB18030 bytes that happen to be UTF-8 read as other scripts: 郑伟 as Hebrew and Greek
# (U+05A3 U+03B0), which 119 of 1,200 common names do.
_NOT_CHINESE = re.compile(
    "[^\x00-\x7f\u00b7\u00d7\u00f7\u2010-\u2bff\u2e80-\u9fff\uf900-\ufaff"
    "\ufe30-\ufe4f\uff00-\uffef]"
)


def _mixed(data: bytes) -> tuple[int, int] | None:
    """(a line of Chinese in UTF-8, a line not in UTF-8), 1-based, when a file that is not
    UTF-8 as a whole has both: two files pasted together, which GB18030 would read as
    mojibake without a word (six UTF-8 bytes are three GB18030 characters). No such
    pair in the 1,980 GB18030 files, 1.0 M lines, of the benchmark's 3-county city (0.33-0.38 s
    for all of them)."""
    utf8 = other = 0
    # undecodable bytes replaced, not raised line by line: a third of the time
    for number, line in enumerate(data.decode("utf-8", "replace").split("\n"), 1):
        if line.isascii():
            continue
        if "\ufffd" in line:
            other = other or number
        elif not _NOT_CHINESE.search(line):
            utf8 = utf8 or number
        if utf8 and other:
            return utf8, other
    return None


WORKBOOK_AS_CSV = Said(
    "这是 xlsx 工作簿，文件名却是 .csv：请把扩展名改为 .xlsx 后重新报送",
    "an xlsx workbook named .csv: rename it to .xlsx and send it again",
)
UTF16_TEXT = Said(
    "UTF-16 编码的文本（Excel“Unicode 文本”）无法读取：请另存为“CSV UTF-8（逗号分隔）”或 xlsx",
    'UTF-16 text (Excel\'s "Unicode Text"): save it as CSV UTF-8 (comma delimited) or xlsx',
)
_ZIP = b"PK\x03\x04"  # an xlsx is a zip


def _utf16(data: bytes) -> bool:
    """Whether the bytes are UTF-16 text: its byte order mark, or (without one) a NUL as
    the high byte of the ASCII (commas, digits, line ends) among its first characters and
    never as the other byte, as only UTF-16 writes them."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return not data.startswith(b"\xff\xfe\x00\x00")  # UTF-32's mark begins alike
    head = data[:128]
    pairs = len(head) // 2
    odd, even = head[1::2].count(0), head[0::2].count(0)
    return pairs >= 8 and min(odd, even) == 0 and max(odd, even) >= pairs / 8


def decode(data: bytes) -> str:
    """Text of a CSV file in UTF-8 (with or without BOM) or GB18030, whichever it is; not
    a file of both. An xlsx named .csv and UTF-16 text are refused saying how to save them
    (read as either encoding they are unreadable, or ASCII between NULs)."""
    if data.startswith(_ZIP):
        raise ValueError(WORKBOOK_AS_CSV)
    if _utf16(data):
        raise ValueError(UTF16_TEXT)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    mixed = _mixed(data.removeprefix(b"\xef\xbb\xbf"))
    if mixed is not None:
        utf8, other = mixed
        raise ValueError(
            Said(
                f"文件混用两种编码（第{utf8}行是 UTF-8，第{other}行不是），请整份另存为 UTF-8",
                f"the file mixes two encodings (line {utf8} is UTF-8, line {other} is not): "
                "save it again, all in UTF-8",
            )
        )
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        raise ValueError(
            Said("编码无法识别（应为 UTF-8 或 GB18030）", "unknown text encoding")
        ) from None


def csv_rows(text: str, limits: ReadLimits | None = None) -> tuple[list[list[str]], list[int]]:
    """Records and the line each starts on (a quoted cell may span several lines).

    Raises OverLimit for a limit and BrokenQuote for broken quoting. csv's field limit (a
    process setting) is set to the cell limit, so that csv itself refuses a longer cell.
    """
    limits = limits or read_limits()
    if csv.field_size_limit() != limits.cell_chars:
        csv.field_size_limit(limits.cell_chars)
    if len(text) < limits.cells:  # then neither a record nor the file can hold more cells
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            rows = list(islice(reader, limits.rows + 1))
        except csv.Error:
            rows = []  # read again, line by line, to name the line
        if rows and reader.line_num == len(rows):  # every record on a line of its own
            numbers = list(range(1, len(rows) + 1))
        else:
            rows, numbers = _tracked_rows(text, limits)
    else:
        rows, numbers = _tracked_rows(text, limits)
    if len(rows) > limits.rows:
        raise csv_too_many_rows(limits)
    if rows and max(map(len, rows)) > limits.columns:
        for record, line in zip(rows, numbers, strict=True):
            if len(record) > limits.columns:
                if any(record[limits.columns :]):
                    raise csv_row_too_wide(line, limits)
                del record[limits.columns :]  # empty cells past the last column: nothing lost
    return rows, numbers


def _tracked_rows(text: str, limits: ReadLimits) -> tuple[list[list[str]], list[int]]:
    """csv's records with the line each starts on, checked as they are read."""
    longest = limits.columns * (limits.cell_chars + 3)

    def lines() -> Iterator[str]:
        # one line is parsed at once: bound it before csv splits it into cells
        for number, line in enumerate(io.StringIO(text, newline=""), start=1):
            if len(line) > longest:
                raise csv_line_too_long(number, limits)
            yield line

    reader = csv.reader(lines())
    rows: list[list[str]] = []
    numbers: list[int] = []
    line = 1
    cells = 0
    try:
        for record in islice(reader, limits.rows + 1):
            cells += len(record)
            if cells > limits.cells:
                raise csv_too_many_cells(limits)
            rows.append(record)
            numbers.append(line)
            line = reader.line_num + 1
    except csv.Error as exc:
        if "field limit" not in str(exc):
            raise ValueError(f"CSV 格式错误 malformed CSV: {exc}") from None
        where_zh, where_en = f"第{line}行开始的一个单元格", f"a cell of the row on line {line}"
        if reader.line_num > line:  # the usual cause: a quote left open
            where_zh, where_en = (
                f"{where_zh}（引号可能没有闭合）",
                f"{where_en} (a quote left open?)",
            )
        raise cell_too_long(where_zh, where_en, limits) from None
    if rows and reader.line_num > len(rows):
        check_quoting(text, rows, numbers, reader.line_num, limits)
    return rows, numbers


def refusal(size: int, rel: str, limits: ReadLimits | None = None) -> Said | None:
    """Why a data file of `size` bytes is unreadable before its bytes are read, if it is:
    too large, or empty (an empty file is no submission, and is unchanged from every other)."""
    limits = limits or read_limits()
    if size > limits.file_mb * MB:
        return said_by(file_too_large(limits))
    if size == 0:
        if not rel.lower().endswith(".csv"):
            return bad_workbook(EMPTY)
        if kind_from_name(Path(rel).name) is not None:  # else it is skipped, as any such CSV
            return EMPTY
    return None


def read_file(
    inbox: Path, rel: str, data: bytes | None = None, limits: ReadLimits | None = None
) -> FileResult:
    """Read one data file of the inbox into sheets of known kind, under its `stored_name`
    (its sheets too, and the reasons)."""
    limits = limits or read_limits()
    if data is None:
        data = (inbox / rel).read_bytes()
    result = FileResult(
        path=stored_name(rel), sha256=hashlib.sha256(data).hexdigest(), size=len(data)
    )
    _read_data(result, rel, data, limits)
    if result.unreadable:
        result.unreadable = _stored_said(result.unreadable)
    return result


def _read_data(result: FileResult, rel: str, data: bytes, limits: ReadLimits) -> None:
    result.unreadable = refusal(len(data), rel, limits)
    if result.unreadable:
        return
    file_kind = kind_from_name(Path(rel).name)
    if rel.lower().endswith(".csv"):
        if file_kind is None:
            result.skipped = NO_KEYWORD
            return
        try:
            rows, numbers = csv_rows(decode(data), limits)
        except (ValueError, csv.Error) as exc:
            result.unreadable = said_by(exc)
            return
        _add_sheet(result, None, file_kind, rows, numbers)
        return
    try:
        _read_workbook(result, data, file_kind, limits)
    except (OverLimit, _BadWorkbook) as exc:
        result.unreadable = said_by(exc)
        result.sheets, result.sheets_skipped, result.unknown_columns = [], [], []


class _BadWorkbook(ValueError):
    pass


# what a reader's own (English) message may quote of the file: a long number (an ID or a
# mobile number), text in any other script (a name), kept out of the stored reason
_QUOTED = re.compile(r"(?:[0-9]{7,}|[^\x00-\x7f]+)+")


def _library_words(exc: BaseException) -> Said:
    """What a reader's error says, less what it quotes of a cell (calamine: "Unrecognized
    boolean cell value: 330281197003033455张三丰"): the reason is stored and shown."""
    said = said_by(exc)
    if said.zh != said.en:  # raised with our own words
        return said
    text = _QUOTED.sub("…", said.en)
    return Said(text, text)


@contextmanager
def _workbook_errors() -> Iterator[None]:
    """The zip reader and calamine raise several types for a bad file: one, worded, here."""
    try:
        yield
    except OverLimit:
        raise
    except Exception as exc:  # noqa: BLE001 — any of them means the file cannot be read
        raise _BadWorkbook(bad_workbook(_library_words(exc))) from exc
    except BaseException as exc:
        # calamine's Rust panics reach Python as pyo3's PanicException, a BaseException
        if type(exc).__name__ != "PanicException":
            raise
        raise _BadWorkbook(bad_workbook(_library_words(exc))) from exc


def _read_workbook(
    result: FileResult, data: bytes, file_kind: str | None, limits: ReadLimits
) -> None:
    """The sheets of an xlsx file, one at a time, each checked before calamine builds it."""
    with _workbook_errors():
        package = check_workbook(data, limits)
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(package.data))
    result.replaces, result.replaces_run, result.replaces_as_of = answered_reading(
        package.custom_properties
    )
    names = [name for name in workbook.sheet_names if name.strip() != GUIDE_SHEET]
    kinds = {name: kind_from_name(name) or file_kind for name in names}
    package.check_loads([name for name in kinds if kinds[name]], limits)
    # sheets are found by name: of two of one name (Excel refuses them, other programs
    # do not) the first would be read twice and the second never, without a word
    seen: set[str] = set()
    stored: set[str] = set()  # the sheets' stored_name: read by their own, shown by these
    for name in names:
        kind = kinds[name]
        shown = stored_name(name)
        if name in seen or shown in stored:
            same = SAME_NAME if name in seen else SAME_STORED_SHEET
            result.sheets_skipped.append(
                {"path": result.path, "sheet": shown, **reason_fields(same)}
            )
            continue
        seen.add(name)
        stored.add(shown)
        if kind is None:
            result.sheets_skipped.append(
                {"path": result.path, "sheet": shown, **reason_fields(NO_SHEET_KEYWORD)}
            )
            continue
        with _workbook_errors():
            rows = sheet_grid(workbook, package, name)
        _check_sheet_cells(name, rows, limits)
        _add_sheet(result, shown, kind, rows, list(range(1, len(rows) + 1)))


def sheet_grid(workbook: CalamineWorkbook, package: Package, name: str) -> list[list[Any]]:
    """The cells of the sheet `name` from A1 on, as calamine reads them but for those it
    reads otherwise than they show (#N/A, 95%), which read as their text."""
    rows = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    for row, column, text in package.shown_of(name):
        if row <= len(rows) and column <= len(rows[row - 1]):
            rows[row - 1][column - 1] = text
    return rows


def _check_sheet_cells(sheet: str, rows: list[list[Any]], limits: ReadLimits) -> None:
    # length_hint: a text cell's length, 0 for a number, date or bool cell
    if rows and max(map(length_hint, chain.from_iterable(rows))) > limits.cell_chars:
        for number, row in enumerate(rows, start=1):
            for column, cell in enumerate(row, start=1):
                if length_hint(cell) > limits.cell_chars:
                    where = f"{column_letters(column)}{number}"
                    raise cell_too_long(
                        f"工作表“{sheet}”的单元格{where}",
                        f"cell {where} of sheet “{sheet}”",
                        limits,
                    )


def _add_sheet(
    result: FileResult, sheet: str | None, kind: str, rows: list[list[Any]], numbers: list[int]
) -> None:
    framed = frame_from_rows(rows, numbers, kind)
    if framed is None:
        lines = [str(row[0]).split("\t") for row in rows[:_HEADER_SEARCH] if len(row) == 1]
        tabs = find_header(lines, kind)
        reason = NO_HEADER_TABS if tabs is not None else NO_HEADER
        result.sheets_skipped.append({"path": result.path, "sheet": sheet, **reason_fields(reason)})
        return
    if framed.unknown:
        result.unknown_columns.append(
            {"path": result.path, "sheet": sheet, "columns": framed.unknown}
        )
    result.sheets.append(SheetRows(result.path, sheet, kind, framed.frame, framed.headers))


def replaces_of(custom_properties: bytes | None) -> str | None:
    """The string a workbook's custom properties part (docProps/custom.xml) holds under
    `REPLACES_PROPERTY`; None when absent or malformed (not XML, not a string, empty,
    longer than `REPLACES_MAX`, or with a control character)."""
    return _custom_string(custom_properties, REPLACES_PROPERTY)


def answered_reading(custom_properties: bytes | None) -> tuple[str | None, ...]:
    """(path, reading run, as-of run) a marked-up workbook says it answers: all None for
    a workbook that names no file, or names a run that is no run id (32 lowercase hex
    digits: a property edited by hand answers nothing); the runs None for one made before
    they were kept (it answers every reading of its file)."""
    path = replaces_of(custom_properties)
    runs = [
        _custom_string(custom_properties, name)
        for name in (REPLACES_RUN_PROPERTY, REPLACES_AS_OF_PROPERTY)
    ]
    if path is None or any(run is not None and not _RUN_ID.fullmatch(run) for run in runs):
        return None, None, None
    path = stored_name(path)  # as stored: a workbook made before names were masked
    if runs[0] is None:
        return path, None, None
    return path, runs[0], runs[1]


def _custom_string(custom_properties: bytes | None, name: str) -> str | None:
    if not custom_properties:
        return None
    try:
        root = ET.fromstring(custom_properties)
    except ET.ParseError:
        return None
    for prop in root:
        if _local(prop.tag) == "property" and prop.get("name") == name:
            strings = [v for v in prop if _local(v.tag) in ("lpwstr", "lpstr", "bstr")]
            text = (strings[0].text or "").strip() if len(strings) == 1 else ""
            if not text or len(text) > REPLACES_MAX or not text.isprintable():
                return None
            return text
    return None


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
