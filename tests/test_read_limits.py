"""Bounded reading: a file over a limit is unreadable, its reason naming the limit, and
the run goes on; a CSV whose quoting breaks is unreadable, naming the line the quote
opens on — never a crash, an exhausted process or a silently shorter read.

Hostile files are made here (openpyxl, or the xlsx XML zipped by hand). A file that
aborted the process before is read in a subprocess, so a regression cannot kill pytest.
Whole loads run on SQLite and PostgreSQL (the `engine` fixture).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.styles import Font

from tests.helpers.inbox_files import write_csv, write_xlsx
from tests.helpers.minimal_inbox import MEETING_HEADER, MEETINGS, base_inbox, load
from tests.helpers.reasons import reason
from tests.test_read import NO_KEYWORD
from xieshang.contract.settings import ReadLimits, read_limits
from xieshang.etl.limits import column_letters
from xieshang.etl.read import csv_rows, read_file
from xieshang.etl.xlsx_guard import check_workbook
from xieshang.warehouse import schema

BAD_WORKBOOK = "无法读取的 xlsx 文件（损坏或加密） cannot read workbook: "
EMPTY = reason("空文件（0字节）", "the file is empty (0 bytes)")
EMPTY_WORKBOOK = reason(
    "无法读取的 xlsx 文件（损坏或加密）：空文件（0字节）",
    "cannot read workbook: the file is empty (0 bytes)",
)
HEADER = ["会议编号", "区划代码", "会议日期", "协商形式", "议题", "党组织主持"]
ROW = ["HY-1", "330281100201", "2025-03-08", "议事会", "修路", "是"]
ROWS_OVER = reason(
    "工作表“会议台账”第1048576行有数据，超过200000行的上限",
    "sheet “会议台账” has data in row 1,048,576, beyond the limit of 200,000 rows"
    " (XIESHANG_MAX_ROWS)",
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def package(sheets: dict[str, str], parts: dict[str, bytes] | None = None) -> bytes:
    """An xlsx file zipped by hand: sheet name -> the XML inside its <worksheet>."""
    names = list(sheets)
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
            'openxmlformats.org/package/2006/content-types"><Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/></Types>'
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            "</Relationships>"
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            + "".join(
                f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>'
                for i, name in enumerate(names, 1)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            'relationships">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{RELS}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, len(names) + 1)
            )
            + "</Relationships>"
        ),
    }
    for i, body in enumerate(sheets.values(), 1):
        files[f"xl/worksheets/sheet{i}.xml"] = f'<worksheet xmlns="{MAIN}">{body}</worksheet>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
        for name, data in (parts or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def cells(row: int, values: list[str], refs: bool = True) -> str:
    """A <row> of inline-string cells from column A."""
    cell = '<c{} t="inlineStr"><is><t>{}</t></is></c>'
    body = "".join(
        cell.format(f' r="{column_letters(i)}{row}"' if refs else "", value)
        for i, value in enumerate(values, 1)
    )
    return f'<row r="{row}">{body}</row>'


def meeting_rows() -> str:
    return cells(1, HEADER) + cells(2, ROW)


def read(tmp_path: Path, name: str, data: bytes, limits: ReadLimits | None = None):
    (tmp_path / name).write_bytes(data)
    return read_file(tmp_path, name, limits=limits)


def records(result) -> list[list]:
    return [sheet.frame.to_numpy().tolist() for sheet in result.sheets]


# --- the sheet's extent, before calamine builds it ---------------------------------------


def run_isolated(path: Path, timeout: float = 300) -> dict:
    """read_file in a child process: its reason, rows and peak memory (MB), or its death
    (or, past `timeout` seconds, a TimeoutExpired)."""
    code = (
        "import json, re, sys; from pathlib import Path;"
        "from xieshang.etl.read import read_file;"
        "p = Path(sys.argv[1]); r = read_file(p.parent, p.name);"
        # VmHWM is this program's own peak: ru_maxrss would also count the pytest worker's
        # memory that the child shares between fork and exec
        "hwm = re.search(r'VmHWM:\\s+(\\d+)', Path('/proc/self/status').read_text()).group(1);"
        "print(json.dumps({'unreadable': r.unreadable, 'rows': sum(len(s.frame) for s in r.sheets),"
        "'peak_mb': int(hwm) // 1024}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=timeout
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
    return json.loads(done.stdout)


@pytest.mark.parametrize("attribute", [' t="s"', ' r="A1" t="e"', ' s="1"'])
def test_a_cell_tag_that_never_ends_is_unreadable_at_once(tmp_path, attribute):
    # One unended <c> of 200,000 attributes, a 6-10 KB file: the cell patterns tried every
    # later attribute again to the tag's end (20,000 t="s" took 12 s, r="A1" t="e" more than
    # 280 s, growing with the square); now each tag costs its length. The child's timeout
    # (300 s) is what fails.
    xml = '<sheetData><row r="1"><c r="A1"' + attribute * 200_000 + "</row></sheetData>"
    path = tmp_path / "会议台账.xlsx"
    path.write_bytes(package({"会议台账": xml}))
    assert run_isolated(path)["unreadable"].startswith(
        "无法读取的 xlsx 文件（损坏或加密） cannot read workbook: not well-formed (invalid token)"
    )


@pytest.mark.parametrize("far", ["XFD1048576", "Z1048576"])
def test_one_far_cell_is_unreadable_not_an_abort(tmp_path, far):
    # One cell at XFD1048576 made calamine allocate 549,755,813,888 bytes (exit 134); one at
    # Z1048576 cost 1.2 GB.
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "会议台账"
    sheet["A1"] = "会议编号"
    sheet[far] = "x"
    path = tmp_path / "会议台账.xlsx"
    workbook.save(path)
    assert path.stat().st_size < 6000
    outcome = run_isolated(path)
    assert outcome["unreadable"] == ROWS_OVER["reason"]
    assert outcome["rows"] == 0
    assert outcome["peak_mb"] < 400


@pytest.mark.parametrize(
    "body",
    [
        # the declared dimension lies
        '<dimension ref="A1:F2"/><sheetData>'
        + meeting_rows()
        + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
        # no dimension
        "<sheetData>"
        + meeting_rows()
        + '<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData>',
        # a cell without a reference, placed after a row that has one
        '<dimension ref="A1:F2"/><sheetData>'
        + meeting_rows()
        + '<row r="1048575"></row><row><c><v>1</v></c></row></sheetData>',
        # attributes in another order
        '<dimension ref="A1:F2"/><sheetData>'
        + meeting_rows()
        + '<row r="1048576"><c t="n" r="B1048576"><v>1</v></c></row></sheetData>',
    ],
    ids=["lying-dimension", "no-dimension", "no-reference", "attribute-order"],
)
def test_a_far_cell_is_found_however_the_sheet_is_written(tmp_path, body):
    result = read(tmp_path, "会议台账.xlsx", package({"会议台账": body}))
    assert result.unreadable == ROWS_OVER["reason"]
    assert result.sheets == [] and result.sheets_skipped == []


def test_a_far_cell_behind_a_namespace_prefix_is_found(tmp_path):
    body = meeting_rows() + '<row r="1048576"><c r="C1048576"><v>1</v></c></row>'
    prefixed = body.replace("<", "<x:").replace("<x:/", "</x:")
    xml = f'<x:sheetData xmlns:x="{MAIN}">{prefixed}</x:sheetData>'
    assert (
        read(tmp_path, "会议台账.xlsx", package({"会议台账": xml})).unreadable
        == ROWS_OVER["reason"]
    )


def test_a_second_reference_on_a_cell_is_not_trusted(tmp_path):
    # calamine would take the last r; the checked XML refuses duplicate attributes
    body = (
        '<dimension ref="A1:F2"/><sheetData>'
        + meeting_rows()
        + '<row r="3"><c r="A3" s="0" r="XFD1048576"><v>1</v></c></row></sheetData>'
    )
    result = read(tmp_path, "会议台账.xlsx", package({"会议台账": body}))
    assert result.unreadable.startswith(BAD_WORKBOOK)
    assert "duplicate attribute" in result.unreadable


def test_cells_without_references_count_their_columns(tmp_path):
    values = [*HEADER, *(f"x{i}" for i in range(195))]  # 201 cells
    body = f"<sheetData>{cells(1, values, refs=False)}</sheetData>"
    result = read(tmp_path, "会议台账.xlsx", package({"会议台账": body}))
    assert result.unreadable == (
        "工作表“会议台账”第GS列有数据，超过200列的上限 sheet “会议台账” has data in "
        "column GS (201), beyond the limit of 200 columns (XIESHANG_MAX_COLUMNS)"
    )
    body = f"<sheetData>{cells(1, values[:200], refs=False)}{cells(2, ROW)}</sheetData>"
    result = read(tmp_path, "会议台账.xlsx", package({"会议台账": body}))
    assert result.unreadable is None
    assert records(result) == [[[2, *ROW]]]


def test_a_namespace_prefixed_workbook_is_read_exactly(tmp_path):
    # as the OpenXML SDK writes them: every element prefixed
    prefixed = meeting_rows().replace("<", "<x:").replace("<x:/", "</x:")
    xml = f'<x:dimension ref="A1:F2"/><x:sheetData xmlns:x="{MAIN}">{prefixed}</x:sheetData>'
    result = read(tmp_path, "会议台账.xlsx", package({"会议台账": xml}))
    assert result.unreadable is None
    assert records(result) == [[[2, *ROW]]]


def test_formatting_far_away_is_not_data(tmp_path):
    # A template formatted to the last row: the dimension says A1:XFD1048576, but only
    # cells that hold a value count.
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "会议台账"
    for row in (HEADER, ROW):
        sheet.append(row)
    sheet["XFD1048576"].font = Font(bold=True)
    path = tmp_path / "会议台账.xlsx"
    workbook.save(path)
    assert b'ref="A1:XFD1048576"' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    result = read_file(tmp_path, "会议台账.xlsx")
    assert result.unreadable is None
    assert records(result) == [[[2, *ROW]]]


@pytest.mark.parametrize(
    ("last", "reason"),
    [
        ("GR1", None),
        (
            "GS1",
            "工作表“会议台账”第GS列有数据，超过200列的上限 sheet “会议台账” has data in "
            "column GS (201), beyond the limit of 200 columns (XIESHANG_MAX_COLUMNS)",
        ),
        ("A200000", None),
        (
            "A200001",
            "工作表“会议台账”第200001行有数据，超过200000行的上限 sheet “会议台账” has data "
            "in row 200,001, beyond the limit of 200,000 rows (XIESHANG_MAX_ROWS)",
        ),
        ("Y200000", None),
        (
            "Z192308",
            "工作表“会议台账”的数据区域 A1:Z192308 超过5000000个单元格 sheet “会议台账” "
            "spans A1:Z192308, more than 5,000,000 cells (XIESHANG_MAX_CELLS)",
        ),
    ],
)
@pytest.mark.parametrize("declared", [True, False])
def test_the_default_extent_limits_at_their_edges(last, reason, declared):
    # the check alone: a sheet at the edge is readable, but builds a grid of 5,000,000 cells
    dimension = f'<dimension ref="A1:{last}"/>' if declared else ""
    body = (
        f'{dimension}<sheetData>{meeting_rows()}<row><c r="{last}"><v>1</v></c></row></sheetData>'
    )
    data = package({"会议台账": body})
    if reason is None:
        check_workbook(data, read_limits())
    else:
        with pytest.raises(ValueError) as raised:
            check_workbook(data, read_limits())
        assert str(raised.value) == reason


def test_limits_come_from_the_environment(monkeypatch, tmp_path):
    assert read_limits() == ReadLimits(
        file_mb=50,
        unpacked_mb=200,
        rows=200_000,
        columns=200,
        cells=5_000_000,
        cell_chars=32_767,
        cell_lines=100,
    )
    monkeypatch.setenv("XIESHANG_MAX_ROWS", "2")
    monkeypatch.setenv("XIESHANG_MAX_CELL_CHARS", " 10 ")
    assert read_limits() == ReadLimits(rows=2, cell_chars=10)
    body = f"<sheetData>{meeting_rows()}{cells(3, ROW)}</sheetData>"
    result = read(tmp_path, "会议台账.xlsx", package({"会议台账": body}))
    assert result.unreadable == (
        "工作表“会议台账”第3行有数据，超过2行的上限 sheet “会议台账” has data in row 3, "
        "beyond the limit of 2 rows (XIESHANG_MAX_ROWS)"
    )
    monkeypatch.setenv("XIESHANG_MAX_ROWS", "0")
    with pytest.raises(
        ValueError, match=r"^XIESHANG_MAX_ROWS must be a whole number ≥ 1, not '0'$"
    ):
        read_limits()
    monkeypatch.setenv("XIESHANG_MAX_ROWS", "2e5")
    with pytest.raises(ValueError, match="not '2e5'"):
        read_limits()


# --- a workbook's unpacked size ------------------------------------------------------


def test_a_zip_bomb_stops_at_the_unpacked_limit(tmp_path):
    buffer = io.BytesIO(package({"会议台账": f"<sheetData>{meeting_rows()}</sheetData>"}))
    with (
        zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/media/image1.png", "w") as member,
    ):
        for _ in range(210):
            member.write(bytes(1024 * 1024))
    data = buffer.getvalue()
    assert len(data) < 400_000
    result = read(tmp_path, "会议台账.xlsx", data)
    assert result.unreadable == (
        "xlsx 文件解压后大于200MB the workbook unpacks to more than 200 MB "
        "(XIESHANG_MAX_UNPACKED_MB)"
    )


def test_many_sheets_on_one_part_count_each_load(tmp_path):
    # 40 sheets of one 372,642-byte part: calamine parses it 40 times, 14.9 MB
    rows = cells(1, HEADER) + "".join(cells(i, ROW) for i in range(2, 1100))
    part = f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>'.encode()
    assert len(part) == 372_642
    with zipfile.ZipFile(io.BytesIO(package({"会议台账": ""}))) as source:
        files = {i.filename: source.read(i) for i in source.infolist()}
    files["xl/worksheets/sheet1.xml"] = part
    files["xl/workbook.xml"] = (
        f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
        + "".join(f'<sheet name="会议{i}" sheetId="{i}" r:id="rId1"/>' for i in range(1, 41))
        + "</sheets></workbook>"
    ).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    result = read(tmp_path, "会议台账.xlsx", buffer.getvalue(), ReadLimits(unpacked_mb=14))
    assert result.unreadable == (
        "xlsx 文件解压后大于14MB the workbook unpacks to more than 14 MB (XIESHANG_MAX_UNPACKED_MB)"
    )
    result = read(tmp_path, "会议台账.xlsx", buffer.getvalue(), ReadLimits(unpacked_mb=15))
    assert result.unreadable is None
    assert [len(sheet.frame) for sheet in result.sheets] == [1098] * 40


SHARED_OVER = (
    "xlsx 文件的共享文本按引用它的单元格展开后大于200MB the workbook's shared text, repeated "
    "in every cell that uses it, comes to more than 200 MB (XIESHANG_MAX_UNPACKED_MB)"
)


def shared_strings(*texts: str) -> bytes:
    items = "".join(f"<si><t>{text}</t></si>" for text in texts)
    return f'<sst xmlns="{MAIN}" count="{len(texts)}">{items}</sst>'.encode()


def shared_cells(rows: int, columns: int, index: int = 0) -> str:
    return "".join(
        f'<row r="{r}">'
        + "".join(
            f'<c r="{column_letters(c)}{r}" t="s"><v>{index}</v></c>' for c in range(1, columns + 1)
        )
        + "</row>"
        for r in range(1, rows + 1)
    )


def test_a_workbook_of_many_sheets_with_error_cells_is_read_at_once(tmp_path):
    # 4,000 sheets, each with a #N/A cell (a 1.8 MB file): the workbook's naming parts were
    # unzipped and parsed again for each sheet read (2,000 sheets took 94 s, 4,000 some
    # 6 minutes, growing with the square); now once. The child's timeout is what fails.
    error = '<c r="F2" t="e"><v>#N/A</v></c></row>'
    body = cells(1, HEADER) + cells(2, ROW[:-1]).replace("</row>", error)
    path = tmp_path / "会议台账.xlsx"
    path.write_bytes(
        package({f"会议台账{i}": f"<sheetData>{body}</sheetData>" for i in range(4000)})
    )
    assert path.stat().st_size < 2_000_000
    outcome = run_isolated(path, timeout=60)
    assert (outcome["unreadable"], outcome["rows"]) == (None, 4000)


def test_one_long_shared_string_in_every_cell_is_unreadable_not_an_abort(tmp_path):
    """638 KB, within every limit of its own (300,000 cells of 30,000 characters), but
    calamine copies the string into each cell: 9 GB, and the process died (SIGABRT)."""
    parts = {"xl/sharedStrings.xml": shared_strings("路" * 30_000)}
    data = package({"会议台账": f"<sheetData>{shared_cells(1500, 200)}</sheetData>"}, parts)
    assert len(data) < 700_000
    path = tmp_path / "会议台账.xlsx"
    path.write_bytes(data)
    result = run_isolated(path)
    assert (result["unreadable"], result["rows"]) == (SHARED_OVER, 0)
    assert result["peak_mb"] < 500


def test_shared_text_counts_each_cells_own_string():
    """A limit of 1 MB (1,048,576 bytes) and two shared strings: a long one of 10,486
    bytes with its markup (3,490 characters of 3 bytes), and "x" (23, the part's end
    with it). 99 cells of the long one are within it, 100 are not; 10,000 of the short
    one are."""
    parts = {"xl/sharedStrings.xml": shared_strings("路" * 3_490, "x")}
    limits = ReadLimits(unpacked_mb=1)

    def check(rows: str) -> None:
        check_workbook(package({"会议台账": f"<sheetData>{rows}</sheetData>"}, parts), limits)

    check(shared_cells(99, 1))
    with pytest.raises(ValueError, match=r"^xlsx 文件的共享文本按引用它的单元格展开后大于1MB"):
        check(shared_cells(100, 1))
    check(shared_cells(100, 100, index=1))
    # a cell of shared text written another way (a formula first) counts as the longest
    formula = '<c r="A1" t="s"><f>B1</f><v>1</v></c>'
    check(f'<row r="1">{formula * 99}</row>')
    with pytest.raises(ValueError, match="共享文本"):
        check(f'<row r="1">{formula * 100}</row>')


# --- a cell's characters -------------------------------------------------------------


def test_a_20_mb_cell_from_a_small_workbook_is_unreadable(tmp_path):
    # no spreadsheet program writes more than 32,767 characters to a cell; by hand, 20 MB
    body = f"<sheetData>{cells(1, HEADER)}{cells(2, [*ROW[:4], 'x' * 20_000_000])}</sheetData>"
    data = package({"会议台账": body})
    assert len(data) < 25_000
    result = read(tmp_path, "会议台账.xlsx", data)
    assert result.unreadable == (
        "工作表“会议台账”的单元格E2超过32767个字符 cell E2 of sheet “会议台账” holds more "
        "than 32,767 characters (XIESHANG_MAX_CELL_CHARS)"
    )
    assert result.sheets == []


def test_a_cell_of_exactly_the_limit_is_read(tmp_path):
    write_xlsx(tmp_path / "会议台账.xlsx", {"会议台账": [HEADER, [*ROW[:4], "路" * 32_767]]})
    result = read_file(tmp_path, "会议台账.xlsx")
    assert result.unreadable is None
    assert result.sheets[0].frame["topic"].tolist() == ["路" * 32_767]


@pytest.mark.parametrize(
    ("length", "reason"), [(32_767, None), (32_768, "over"), (200_000, "over")]
)
def test_a_long_csv_cell(tmp_path, length, reason):
    write_csv(tmp_path / "会议台账.csv", [HEADER, ROW, [*ROW[:4], "路" * length]])
    result = read_file(tmp_path, "会议台账.csv")
    if reason is None:
        assert result.unreadable is None
        assert len(result.sheets[0].frame) == 2
    else:
        assert result.unreadable == (
            "第3行开始的一个单元格超过32767个字符 a cell of the row on line 3 holds more "
            "than 32,767 characters (XIESHANG_MAX_CELL_CHARS)"
        )


# --- a CSV's rows, cells and width ---------------------------------------------------


def test_a_csv_header_of_ten_million_cells_is_unreadable(tmp_path):
    path = tmp_path / "会议台账.csv"
    path.write_text(",".join(HEADER) + ",x" * 10_000_000 + "\r\n" + ",".join(ROW) + "\r\n")
    assert read_file(tmp_path, "会议台账.csv").unreadable == (
        "第1行超过6554000个字符 line 1 is longer than 6,554,000 characters "
        "(200 cells of 32,767) (XIESHANG_MAX_COLUMNS)"
    )
    path.write_text(",".join(HEADER) + ",x" * 300_000 + "\r\n" + ",".join(ROW) + "\r\n")
    assert read_file(tmp_path, "会议台账.csv").unreadable == (
        "第1行超过200列 line 1 has more than 200 cells (XIESHANG_MAX_COLUMNS)"
    )


def test_empty_cells_past_the_last_column_are_dropped(tmp_path):
    write_csv(tmp_path / "会议台账.csv", [[*HEADER, *[""] * 300], [*ROW, *[""] * 500]])
    result = read_file(tmp_path, "会议台账.csv")
    assert result.unreadable is None
    assert records(result) == [[[2, *ROW]]]


def test_csv_rows_and_cells_limits(tmp_path):
    text = "\r\n".join(",".join(r) for r in [HEADER, ROW, ROW, ROW]) + "\r\n"
    assert len(csv_rows(text, ReadLimits(rows=4))[0]) == 4
    with pytest.raises(ValueError) as raised:
        csv_rows(text, ReadLimits(rows=3))
    assert str(raised.value) == "超过3行 the file has more than 3 rows (XIESHANG_MAX_ROWS)"
    assert len(csv_rows(text, ReadLimits(cells=24))[0]) == 4
    with pytest.raises(ValueError) as raised:
        csv_rows(text, ReadLimits(cells=23))
    assert str(raised.value) == (
        "超过23个单元格 the file has more than 23 cells (XIESHANG_MAX_CELLS)"
    )


# --- empty and large files -----------------------------------------------------------


def test_empty_files_are_unreadable(tmp_path):
    for name in ("会议台账.csv", "会议台账.xlsx", "notes.csv"):
        (tmp_path / name).write_bytes(b"")
    assert read_file(tmp_path, "会议台账.csv").unreadable == EMPTY["reason"]
    assert read_file(tmp_path, "会议台账.xlsx").unreadable == EMPTY_WORKBOOK["reason"]
    notes = read_file(tmp_path, "notes.csv")  # no kind: skipped, as any such CSV
    assert (notes.unreadable, notes.skipped) == (None, NO_KEYWORD)


def test_a_file_over_the_size_limit_is_unreadable(tmp_path):
    write_csv(tmp_path / "会议台账.csv", [HEADER, *[ROW] * 30_000])
    assert (tmp_path / "会议台账.csv").stat().st_size > 1024 * 1024
    result = read_file(tmp_path, "会议台账.csv", limits=ReadLimits(file_mb=1))
    assert result.unreadable == ("文件大于1MB the file is larger than 1 MB (XIESHANG_MAX_FILE_MB)")


# --- broken quoting ------------------------------------------------------------------


def broken_csv(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "会议台账.csv"
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def twenty_rows() -> list[str]:
    return [",".join(HEADER)] + [
        f"HY-{i},330281100201,2025-03-08,议事会,修路{i},是" for i in range(1, 21)
    ]


def test_one_unterminated_quote_makes_the_csv_unreadable_naming_its_line(tmp_path):
    lines = twenty_rows()
    lines[5] = 'HY-5,330281100201,2025-03-08,议事会,"修路5,是'  # line 6
    broken_csv(tmp_path, lines)
    result = read_file(tmp_path, "会议台账.csv")
    assert result.unreadable == (
        "第6行的引号没有闭合，其后各行连成了一个单元格 the quote that opens on line 6 is "
        "never closed, so the lines after it run together"
    )
    assert result.sheets == []


def test_a_stray_quote_closed_by_a_later_one_mid_cell(tmp_path):
    lines = twenty_rows()
    lines[5] = 'HY-5,330281100201,2025-03-08,议事会,"修路5,是'
    lines[9] = 'HY-9,330281100201,2025-03-08,议事会,"路灯"9,是'
    broken_csv(tmp_path, lines)
    assert read_file(tmp_path, "会议台账.csv").unreadable == (
        "第6行的引号到第10行才在单元格中间闭合，可能是引号没有闭合 the quote that opens on "
        "line 6 closes in the middle of a cell on line 10: is a quote left open?"
    )


def test_two_stray_quotes_that_close_cleanly_still_show_the_swallowed_rows(tmp_path):
    lines = twenty_rows()
    lines[5] = 'HY-5,330281100201,2025-03-08,议事会,"修路5,是'
    lines[8] = 'HY-8,330281100201,2025-03-08,议事会,修路8,是"'
    broken_csv(tmp_path, lines)
    assert read_file(tmp_path, "会议台账.csv").unreadable == (
        "第6行引号内的第7行像是单独的一行数据，可能是引号没有闭合 the quoted cell that "
        "opens on line 6 holds line 7, which looks like a row of its own: is a quote left "
        "open?"
    )


def test_a_record_of_many_multi_line_cells_is_judged_at_once(tmp_path):
    # One record of 100,000 quoted cells "a\nb" (600 KB), the last never closed: the line
    # each cell opens on was counted from the record's start, cell by cell (40,000 took
    # 80 s, 100,000 some 500 s, growing with the square), the load hanging on a file an
    # upload can send. Now it costs the record's length; the child's timeout is what fails.
    path = tmp_path / "会议台账.csv"
    path.write_bytes(
        ",".join(HEADER).encode() + b"\r\n" + b'"a\nb",' * 100_000 + b'"never closed\r\n'
    )
    assert run_isolated(path, timeout=60)["unreadable"] == (
        "第100002行的引号没有闭合，其后各行连成了一个单元格 the quote that opens on line "
        "100002 is never closed, so the lines after it run together"
    )


def test_a_quoted_cell_over_the_line_limit(tmp_path):
    lines = twenty_rows()
    lines[2] = 'HY-2,330281100201,2025-03-08,议事会,"' + "\r\n".join(["修路"] * 101) + '",是'
    broken_csv(tmp_path, lines)
    assert read_file(tmp_path, "会议台账.csv").unreadable == (
        "第3行引号内的单元格跨越超过100行，可能是引号没有闭合 the quoted cell that opens on "
        "line 3 spans more than 100 lines: is a quote left open? (XIESHANG_MAX_CELL_LINES)"
    )
    lines[2] = 'HY-2,330281100201,2025-03-08,议事会,"' + "\r\n".join(["修路"] * 100) + '",是'
    broken_csv(tmp_path, lines)
    result = read_file(tmp_path, "会议台账.csv")
    assert result.unreadable is None
    frame = result.sheets[0].frame
    assert len(frame) == 20
    assert frame["_row"].tolist()[:4] == [2, 3, 103, 104]
    assert frame["meeting_id"].tolist()[:4] == ["HY-1", "HY-2", "HY-3", "HY-4"]


def test_multi_line_cells_an_office_types_are_read(tmp_path):
    lines = twenty_rows()
    lines[2] = 'HY-2,330281100201,2025-03-08,议事会,"一、修路，补灯\r\n二、清淤""河道""",是'
    # a line of four commas inside a cell is a sentence, not a row of this 6-column file
    lines[4] = 'HY-4,330281100201,2025-03-08,议事会,"a, b\n1,200,000, 3, 4\nc",是'
    broken_csv(tmp_path, lines)
    result = read_file(tmp_path, "会议台账.csv")
    assert result.unreadable is None
    frame = result.sheets[0].frame
    assert frame["_row"].tolist() == [2, 3, 5, 6, 9, *range(10, 25)]
    assert frame["topic"].tolist()[1] == '一、修路，补灯\r\n二、清淤"河道"'
    assert frame["topic"].tolist()[3] == "a, b\n1,200,000, 3, 4\nc"


# --- whole loads, on both engines ----------------------------------------------------


def counts(report: dict, kind: str) -> tuple:
    k = report["kinds"][kind]
    return (k["read"], k["inserted"], k["updated"], k["unchanged"], k["rejected"], k["held"])


def stored_reports(engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(schema.load_runs.c.report)).scalars())


def test_a_load_reports_bad_files_unreadable_and_loads_the_rest(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    lines = [",".join(MEETING_HEADER)] + [
        f"HY-{i},330281100201,2025-03-{i:02d},议事会,议题{i},,,是," for i in range(3, 23)
    ]
    lines[5] = 'HY-7,330281100201,2025-03-07,议事会,"议题7,,,是,'
    (inbox / "补报").mkdir()
    (inbox / "补报" / "会议台账（补报）.csv").write_text("\r\n".join(lines) + "\r\n")
    workbook = Workbook()
    workbook.active.title = "会议台账"
    workbook.active["A1"] = "会议编号"
    workbook.active["XFD1048576"] = "x"
    workbook.save(inbox / "远处.xlsx")
    long_cell = f"<sheetData>{cells(1, HEADER)}{cells(2, [*ROW[:4], '路' * 40_000])}</sheetData>"
    (inbox / "长单元格会议台账.xlsx").write_bytes(package({"会议台账": long_cell}))
    (inbox / "会议台账-header.csv").write_text(",".join(MEETING_HEADER) + ",x" * 10_000_000)

    report = load(engine, inbox)

    assert report["files"]["loaded"] == [
        "会议台账.csv",
        "决议落实.csv",
        "区划名册.csv",
        "参会签到.csv",
    ]
    assert report["files"]["unreadable"] == [
        {
            "path": "会议台账-header.csv",
            **reason(
                "第1行超过6554000个字符",
                "line 1 is longer than 6,554,000 characters (200 cells of 32,767)"
                " (XIESHANG_MAX_COLUMNS)",
            ),
        },
        {
            "path": "补报/会议台账（补报）.csv",
            **reason(
                "第6行的引号没有闭合，其后各行连成了一个单元格",
                "the quote that opens on line 6 is never closed, so the lines after it run"
                " together",
            ),
        },
        {
            "path": "远处.xlsx",
            **ROWS_OVER,
        },
        {
            "path": "长单元格会议台账.xlsx",
            **reason(
                "工作表“会议台账”的单元格E2超过32767个字符",
                "cell E2 of sheet “会议台账” holds more than 32,767 characters"
                " (XIESHANG_MAX_CELL_CHARS)",
            ),
        },
    ]
    assert counts(report, "meetings") == (len(MEETINGS), len(MEETINGS), 0, 0, 0, 0)
    assert all(len(stored) < 10_000 for stored in stored_reports(engine))
    with engine.connect() as conn:
        statuses = dict(
            conn.execute(sa.select(schema.load_files.c.path, schema.load_files.c.status)).all()
        )
    assert statuses["远处.xlsx"] == "unreadable"
    assert statuses["补报/会议台账（补报）.csv"] == "unreadable"


def test_an_empty_xlsx_after_an_empty_csv_is_unreadable_not_unchanged(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    (inbox / "补报").mkdir()
    (inbox / "补报" / "会议台账.csv").write_bytes(b"")
    first = load(engine, inbox)
    assert first["files"]["unreadable"] == [{"path": "补报/会议台账.csv", **EMPTY}]
    (inbox / "补报" / "会议台账.xlsx").write_bytes(b"")
    second = load(engine, inbox)
    assert second["files"]["unchanged"] == [
        "会议台账.csv",
        "决议落实.csv",
        "区划名册.csv",
        "参会签到.csv",
    ]
    assert second["files"]["unreadable"] == [
        {"path": "补报/会议台账.csv", **EMPTY},
        {"path": "补报/会议台账.xlsx", **EMPTY_WORKBOOK},
    ]
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                schema.load_files.c.path, schema.load_files.c.sha256, schema.load_files.c.size
            ).where(schema.load_files.c.status == "unreadable")
        ).all()
    assert sorted(rows) == [
        ("补报/会议台账.csv", None, 0),
        ("补报/会议台账.csv", None, 0),
        ("补报/会议台账.xlsx", None, 0),
    ]


def test_a_file_over_the_size_limit_is_not_read_by_the_load(engine, tmp_path, monkeypatch):
    inbox = base_inbox(tmp_path / "inbox")
    write_csv(inbox / "大会议台账.csv", [HEADER, *[ROW] * 30_000])
    monkeypatch.setenv("XIESHANG_MAX_FILE_MB", "1")
    read_bytes = Path.read_bytes
    read = []
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(self.name) or read_bytes(self))
    report = load(engine, inbox)
    assert report["files"]["unreadable"] == [
        {
            "path": "大会议台账.csv",
            **reason("文件大于1MB", "the file is larger than 1 MB (XIESHANG_MAX_FILE_MB)"),
        }
    ]
    assert "大会议台账.csv" not in read
    assert counts(report, "meetings") == (len(MEETINGS), len(MEETINGS), 0, 0, 0, 0)
