"""Unit tests for xieshang.etl.read: files, kinds, encodings, header rows and row numbers.

Every test writes real files (tests/helpers/inbox_files.py) and checks the exact cells and
row numbers a spreadsheet program would show.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook

from tests.helpers.inbox_files import write_csv, write_xlsx
from tests.helpers.reasons import reason
from xieshang.etl.cells import parse_column, parse_date
from xieshang.etl.read import (
    FileResult,
    csv_rows,
    decode,
    discover,
    frame_from_rows,
    kind_from_name,
    read_file,
)

# the reasons say what to write: the kinds as the blank templates are named
TEMPLATE_NAMES_ZH = (
    "“协商会议台账”“参会人员签到表”“协商决议落实台账”“区划与党员名册汇总”（空白模板的名称）"
)
TEMPLATE_NAMES_EN = (
    "as the blank templates do (协商会议台账, 参会人员签到表, 协商决议落实台账, 区划与党员名册汇总)"
    " or in English (meetings, attendance, resolutions, areas)"
)
NO_KEYWORD_ZH = f"文件名中没有表格类型关键词：请在文件名中写明表格类型，如{TEMPLATE_NAMES_ZH}"
NO_KEYWORD_EN = f"no kind keyword in the file name: name the kind in it {TEMPLATE_NAMES_EN}"
NO_KEYWORD = f"{NO_KEYWORD_ZH} {NO_KEYWORD_EN}"
NO_HEADER = reason(
    "找不到表头行：表头行至少要有两个本类表格的列名，请按空白模板的表头填写",
    "no recognisable header row: a header row has at least two of the kind's column names;"
    " use the blank template's headers",
)
NO_SHEET_KIND = reason(
    f"工作表名和文件名中都没有类型关键词：请在工作表名或文件名中写明表格类型，如{TEMPLATE_NAMES_ZH}",
    "no kind keyword in sheet or file name: name the kind in the sheet's or the file's name "
    + TEMPLATE_NAMES_EN,
)
BAD_ENCODING = "编码无法识别（应为 UTF-8 或 GB18030） unknown text encoding"
BAD_WORKBOOK = "无法读取的 xlsx 文件（损坏或加密）"
HIDDEN = reason("隐藏文件", "hidden file")
LOCK = reason("Office 临时锁文件", "Office lock file")
NOT_DATA = reason("不是 CSV 或 xlsx 文件", "not a .csv or .xlsx file")
SAVE_AS = reason(
    "不是 xlsx 格式的表格，请在 Excel 或 WPS 中“另存为”.xlsx 后重新报送",
    "a workbook not in the xlsx format: save it as .xlsx in Excel or WPS and send it again",
)

MEETING_HEADER = ["会议编号", "区划代码", "会议日期", "协商形式", "议题", "党组织主持"]
MEETING_COLUMNS = ["_row", "meeting_id", "area_code", "meeting_date", "form", "topic",
                   "led_by_party"]  # fmt: skip
MIXED_HEADER = ["Meeting_ID", "区划代码", "会议日期", "协商形式", "议题", "备注", "LED_BY_PARTY",
                "单位代码", ""]  # fmt: skip
ENGLISH_HEADER = ["RESOLUTION_ID", "Meeting_Id", "ａｒｅａ＿ｃｏｄｅ", " content ", "责任单位",
                  "完成时限", "落实状态", "更新日期", "满意度"]  # fmt: skip
ENGLISH_ROW = [
    "JY-1",
    "HY-1",
    "330281",
    "修路",
    "村委会",
    "2025-04-30",
    "推进中",
    "2025-03-31",
    "90",
]
MARCH_9_1430 = datetime(2025, 3, 9, 14, 30)


def records(frame):
    """A frame as a list of row lists, columns in frame order."""
    return frame.to_numpy().tolist()


# --- kind_from_name -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("协商会议参会人员签到表.csv", "attendance"),
        ("协商会议决议落实台账.csv", "resolutions"),
        ("协商会议台账.csv", "meetings"),
        ("AREAS.csv", "areas"),
        ("Areas_2025.xlsx", "areas"),
        ("党员组织名册", "areas"),
        ("区划与党员名册汇总.xlsx", "areas"),
        ("Attendance", "attendance"),
        ("参会签到", "attendance"),
        ("人员名单.csv", "attendance"),
        ("RESOLUTIONS-march.csv", "resolutions"),
        ("决议落实", "resolutions"),
        ("落实情况.csv", "resolutions"),
        ("Meetings.CSV", "meetings"),
        ("会议台账", "meetings"),
        ("台账.csv", "meetings"),
        ("组织部会议台账.csv", "areas"),  # areas is tried first
        ("决议参会.csv", "attendance"),  # attendance before resolutions
        ("Sheet1", None),
        ("说明", None),
        ("README.csv", None),
        ("meeting.csv", None),  # the keyword is "meetings"
        ("", None),
    ],
)
def test_kind_from_name(name, kind):
    assert kind_from_name(name) == kind


# --- discover -----------------------------------------------------------------------


def test_discover_keeps_data_files_sorted_by_code_point_and_lists_the_rest(tmp_path):
    inbox = tmp_path / "inbox"
    for rel in [
        "2025-03/城关镇/会议台账.csv",
        "B.CSV",
        "a-b.csv",
        "a/b.csv",
        "sub/deeper/参会签到.xlsx",
        "会议台账.xlsx",
        "说明.doc",
        "scan.pdf",
        "notes.txt",
        "会议台账-旧版.XLS",
        "签到.et",
        "~$lock.xlsx",
        "sub/~$参会签到.xlsx",
        ".hidden.csv",
        ".cache/参会签到.csv",
        "sub/.DS_Store",
    ]:
        (inbox / rel).parent.mkdir(parents=True, exist_ok=True)
        (inbox / rel).write_bytes(b"x")
    (inbox / "empty-folder").mkdir()

    data, skipped = discover(inbox)

    # Code-point order: "a-b.csv" < "a/b.csv" because "-" (U+002D) < "/" (U+002F).
    assert data == [
        "2025-03/城关镇/会议台账.csv",
        "B.CSV",
        "a-b.csv",
        "a/b.csv",
        "sub/deeper/参会签到.xlsx",
        "会议台账.xlsx",
    ]
    assert skipped == [
        {"path": ".cache/参会签到.csv", **HIDDEN},
        {"path": ".hidden.csv", **HIDDEN},
        {"path": "notes.txt", **NOT_DATA},
        {"path": "scan.pdf", **NOT_DATA},
        {"path": "sub/.DS_Store", **HIDDEN},
        {"path": "sub/~$参会签到.xlsx", **LOCK},
        {"path": "~$lock.xlsx", **LOCK},
        {"path": "会议台账-旧版.XLS", **SAVE_AS},
        {"path": "签到.et", **SAVE_AS},
        {"path": "说明.doc", **NOT_DATA},
    ]


def test_discover_empty_inbox(tmp_path):
    assert discover(tmp_path) == ([], [])


def test_discover_only_judges_paths_below_the_inbox(tmp_path):
    inbox = tmp_path / ".inbox"  # a hidden inbox folder does not hide its files
    write_csv(inbox / "会议台账.csv", [MEETING_HEADER])
    assert discover(inbox) == (["会议台账.csv"], [])


def test_discover_lists_what_it_does_not_read_and_never_opens_a_pipe(tmp_path):
    inbox = tmp_path / "inbox"
    outside = tmp_path / "outside"
    write_csv(inbox / "会议台账.csv", [MEETING_HEADER])
    write_csv(outside / "会议台账.csv", [MEETING_HEADER])
    os.mkfifo(inbox / "参会签到.csv")  # reading it would wait for ever
    (inbox / "外部会议台账.csv").symlink_to(outside / "会议台账.csv")
    (inbox / "口令参会.csv").symlink_to("/etc/passwd")
    (inbox / "链接会议台账.csv").symlink_to(inbox / "会议台账.csv")  # inside: read
    (inbox / "失效参会.csv").symlink_to(inbox / "nowhere.csv")
    (inbox / "loop").symlink_to(inbox)  # a folder: never followed
    deep = inbox.joinpath(*["d"] * 70)
    write_csv(deep / "会议台账.csv", [MEETING_HEADER])
    data, skipped = discover(inbox)
    assert data == ["会议台账.csv", "链接会议台账.csv"]
    assert skipped == [
        {
            "path": "d/" * 64 + "d",
            **reason("文件夹层级超过 64 层，未读取", "a folder nested more than 64 deep: not read"),
        },
        {
            "path": "loop",
            **reason(
                "不是普通文件（文件夹的链接、管道、设备或失效的链接）",
                "not a regular file (a link to a folder, a pipe, a device, a broken link)",
            ),
        },
        {
            "path": "参会签到.csv",
            **reason(
                "不是普通文件（文件夹的链接、管道、设备或失效的链接）",
                "not a regular file (a link to a folder, a pipe, a device, a broken link)",
            ),
        },
        {
            "path": "口令参会.csv",
            **reason("链接指向收件箱之外，未读取", "a link to outside the inbox: not read"),
        },
        {
            "path": "外部会议台账.csv",
            **reason("链接指向收件箱之外，未读取", "a link to outside the inbox: not read"),
        },
        {
            "path": "失效参会.csv",
            **reason(
                "不是普通文件（文件夹的链接、管道、设备或失效的链接）",
                "not a regular file (a link to a folder, a pipe, a device, a broken link)",
            ),
        },
    ]


# --- decode -------------------------------------------------------------------------


def test_decode_utf8():
    assert decode("会议编号,区划代码\r\nHY-1,330281\r\n".encode()) == (
        "会议编号,区划代码\r\nHY-1,330281\r\n"
    )


def test_decode_utf8_with_bom_removes_the_bom():
    data = "会议编号,区划代码\n".encode("utf-8-sig")
    assert data[:3] == b"\xef\xbb\xbf"
    assert decode(data) == "会议编号,区划代码\n"


def test_decode_gb18030_round_trips_chinese():
    data = "城关镇协商会议台账".encode("gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # so the fallback is really exercised
    assert decode(data) == "城关镇协商会议台账"


def test_decode_gbk_and_four_byte_gb18030():
    assert decode("东湖镇,是,否".encode("gbk")) == "东湖镇,是,否"
    four_byte = "姓名,𠮷".encode("gb18030")  # U+20BB7 is outside GBK
    assert decode(four_byte) == "姓名,𠮷"


def test_decode_empty():
    assert decode(b"") == ""


@pytest.mark.parametrize("data", [b"abc\xff", b"\x80", "meeting_id,area_code\n".encode("utf-32")])
def test_decode_rejects_undecodable_bytes(data):
    with pytest.raises(ValueError) as raised:
        decode(data)
    assert str(raised.value) == BAD_ENCODING


def test_a_file_of_utf8_and_gbk_lines_is_refused_not_read_as_mojibake():
    header = b"meeting_id,area_code,topic\n"
    utf8 = "HY-1,330281100201,道路维修协商\n".encode()  # 18 bytes: 9 GB18030 characters
    gbk = "HY-2,330281100201,路灯\n".encode("gbk")
    assert (header + utf8 + gbk).decode("gb18030")  # what was read, silently
    for data, (first, second) in ((header + utf8 + gbk, (2, 3)), (header + gbk + utf8, (3, 2))):
        with pytest.raises(ValueError) as raised:
            decode(data)
        assert str(raised.value) == (
            f"文件混用两种编码（第{first}行是 UTF-8，第{second}行不是），请整份另存为 UTF-8 "
            f"the file mixes two encodings (line {first} is UTF-8, line {second} is not): "
            "save it again, all in UTF-8"
        )
    assert (
        decode(header + gbk + gbk)
        == "meeting_id,area_code,topic\n" + "HY-2,330281100201,路灯\n" * 2
    )


def test_a_gb18030_file_whose_only_chinese_on_a_line_reads_as_utf8_is_gb18030():
    # 郑伟's GB18030 bytes (D6 A3 CE B0) are valid UTF-8 (Hebrew and Greek): the whole
    # file was refused as mixing two encodings
    lines = ["会议编号,人员标识,姓名", "G1,P001,王芳", "G1,P002,郑伟", "G1,P003,谢强"]
    text = "\n".join(lines) + "\n"
    assert "G1,P002,郑伟".encode("gb18030").decode("utf-8") == "G1,P002,\u05a3\u03b0"
    assert decode(text.encode("gb18030")) == text
    # a UTF-8 line's symbols (①, √, ℃, ×) are a ledger's: such a file pasted to GBK lines
    # is still refused
    utf8 = "HY-1,关于①号楼加装电梯√,25℃×2\n".encode()
    with pytest.raises(ValueError, match="文件混用两种编码"):
        decode("会议编号,议题,备注\n".encode("gbk") + utf8)


# --- csv_rows -----------------------------------------------------------------------


def test_csv_rows_record_start_lines_with_multiline_cells_and_blank_lines():
    text = 'a,b\r\n\r\n"x\ny",2\r\n\r\n\r\nc,"p\r\nq\r\nr"\r\nlast,1'
    rows, numbers = csv_rows(text)
    assert rows == [["a", "b"], [], ["x\ny", "2"], [], [], ["c", "p\r\nq\r\nr"], ["last", "1"]]
    assert numbers == [1, 2, 3, 5, 6, 7, 10]


def test_csv_rows_leading_blank_lines_and_lf_endings():
    rows, numbers = csv_rows("\n\ntitle\nh1,h2\n")
    assert rows == [[], [], ["title"], ["h1", "h2"]]
    assert numbers == [1, 2, 3, 4]


def test_csv_rows_empty():
    assert csv_rows("") == ([], [])


# --- frame_from_rows ----------------------------------------------------------------


def test_frame_from_rows_finds_header_and_keeps_given_row_numbers():
    rows = [
        ["城关镇协商会议台账"],
        ["会议编号", "区划代码", "备注"],
        ["HY-1", "330281", "x"],
        ["", " "],
        ["HY-2"],  # shorter than the header
    ]
    frame, unknown, _headers = frame_from_rows(rows, [11, 12, 13, 14, 15], "meetings")
    assert list(frame.columns) == ["_row", "meeting_id", "area_code"]
    assert records(frame) == [[13, "HY-1", "330281"], [15, "HY-2", ""]]
    assert unknown == ["备注"]
    assert all(dtype is np.dtype(object) for dtype in frame.dtypes)


@pytest.mark.parametrize(
    "rows",
    [
        [],
        [["城关镇协商会议台账"]],
        [["会议编号", "说明"], ["HY-1", "x"]],  # one known column only
        [["区划代码", "单位代码", "主办单位代码"]],  # three aliases of one column
        [["person_id", "party_member"]],  # attendance columns, not meetings
    ],
)
def test_frame_from_rows_without_header_is_none(rows):
    assert frame_from_rows(rows, list(range(1, len(rows) + 1)), "meetings") is None


def test_frame_from_rows_header_with_only_known_columns_and_no_data():
    frame, unknown, _headers = frame_from_rows([["meeting_id", "AREA_CODE"]], [1], "meetings")
    assert list(frame.columns) == ["_row", "meeting_id", "area_code"]
    assert len(frame) == 0
    assert unknown == []


# --- read_file: CSV -----------------------------------------------------------------


def test_read_csv_title_row_blank_lines_aliases_and_unknown_columns(tmp_path):
    rel = "2025-03/城关镇/协商会议台账.csv"
    write_csv(
        tmp_path / rel,
        [
            ["城关镇协商会议台账"],  # line 1: title
            [],  # line 2
            [],  # line 3
            MIXED_HEADER,  # line 4: header
            ["hy-1", "330281100201", "2025-03-08", "议事会", "修路", "x", "是", "999"],  # 5
            [],  # line 6
            ["HY-2", "330281100201", "2025/3/9", "恳谈会", "路灯", "", "否", ""],  # line 7
            [" ", "\u3000", "", "", "", "", "", ""],  # line 8: blank after trimming
            ["HY-3", "330281100201"],  # line 9: a short record
            [],  # line 10
        ],
    )
    result = read_file(tmp_path, rel)

    assert result.skipped is None and result.unreadable is None
    assert result.sheets_skipped == []
    assert result.unknown_columns == [{"path": rel, "sheet": None, "columns": ["备注", "单位代码"]}]
    [sheet] = result.sheets
    assert (sheet.path, sheet.sheet, sheet.kind) == (rel, None, "meetings")
    assert list(sheet.frame.columns) == MEETING_COLUMNS
    assert records(sheet.frame) == [
        [5, "hy-1", "330281100201", "2025-03-08", "议事会", "修路", "是"],
        [7, "HY-2", "330281100201", "2025/3/9", "恳谈会", "路灯", "否"],
        [9, "HY-3", "330281100201", "", "", "", ""],
    ]


def test_read_csv_row_numbers_count_lines_of_a_multiline_cell(tmp_path):
    write_csv(
        tmp_path / "会议台账.csv",
        [
            MEETING_HEADER,  # line 1
            ["HY-1", "330281", "2025-03-08", "议事会", "修路\n补灯\n清淤", "是"],  # lines 2-4
            ["HY-2", "330281", "2025-03-09", "议事会", "路灯", "否"],  # line 5
        ],
    )
    [sheet] = read_file(tmp_path, "会议台账.csv").sheets
    assert sheet.frame["_row"].tolist() == [2, 5]
    assert sheet.frame["topic"].tolist() == ["修路\n补灯\n清淤", "路灯"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_read_csv_in_each_encoding(tmp_path, encoding):
    # The header is on line 1, so a BOM left in place would hide "会议编号".
    write_csv(
        tmp_path / "参会签到.csv",
        [
            ["会议编号", "区划代码", "身份证号", "姓名", "是否党员", "身份类别"],
            ["HY-1", "330281100201", "11010119850505567X", "欧阳娜娜", "是", "村（居）民代表"],
        ],
        encoding=encoding,
    )
    result = read_file(tmp_path, "参会签到.csv")
    assert result.unknown_columns == []
    [sheet] = result.sheets
    assert sheet.kind == "attendance"
    assert list(sheet.frame.columns) == [
        "_row", "meeting_id", "area_code", "person_id", "name", "party_member", "category",
    ]  # fmt: skip
    assert records(sheet.frame) == [
        [2, "HY-1", "330281100201", "11010119850505567X", "欧阳娜娜", "是", "村（居）民代表"],
    ]


def test_read_csv_english_headers_in_any_case_and_full_width(tmp_path):
    write_csv(
        tmp_path / "resolutions.csv",
        [
            ENGLISH_HEADER,
            ENGLISH_ROW,
        ],
    )
    [sheet] = read_file(tmp_path, "resolutions.csv").sheets
    assert sheet.kind == "resolutions"
    assert list(sheet.frame.columns) == [
        "_row", "resolution_id", "meeting_id", "area_code", "content", "responsible_unit",
        "due_date", "status", "updated_on", "satisfaction",
    ]  # fmt: skip
    assert records(sheet.frame) == [[2, *ENGLISH_ROW]]


def test_read_csv_duplicate_alias_first_wins(tmp_path):
    write_csv(
        tmp_path / "会议台账.csv",
        [
            ["会议编号", "单位代码", "区划代码", "会议日期"],
            ["HY-1", "330281100201", "330281000000", "2025-03-08"],
        ],
    )
    result = read_file(tmp_path, "会议台账.csv")
    [sheet] = result.sheets
    assert list(sheet.frame.columns) == ["_row", "meeting_id", "area_code", "meeting_date"]
    assert records(sheet.frame) == [[2, "HY-1", "330281100201", "2025-03-08"]]
    assert result.unknown_columns == [
        {"path": "会议台账.csv", "sheet": None, "columns": ["区划代码"]}
    ]


def test_read_csv_without_keyword_in_its_name_is_skipped(tmp_path):
    path = write_csv(tmp_path / "城关镇2025.csv", [MEETING_HEADER])
    result = read_file(tmp_path, "城关镇2025.csv")
    assert result.skipped == NO_KEYWORD
    assert (result.sheets, result.sheets_skipped, result.unreadable) == ([], [], None)
    assert result.size == path.stat().st_size


def test_read_csv_kind_comes_from_the_file_name_not_the_folder(tmp_path):
    write_csv(tmp_path / "会议台账" / "notes.csv", [MEETING_HEADER])
    write_csv(tmp_path / "组织部" / "会议台账.csv", [MEETING_HEADER])
    assert read_file(tmp_path, "会议台账/notes.csv").skipped == NO_KEYWORD
    [sheet] = read_file(tmp_path, "组织部/会议台账.csv").sheets
    assert sheet.kind == "meetings"


def test_read_csv_without_header_is_a_skipped_sheet(tmp_path):
    write_csv(tmp_path / "会议台账.csv", [["城关镇协商会议台账"], ["a", "b"], ["1", "2"]])
    result = read_file(tmp_path, "会议台账.csv")
    assert result.sheets == []
    assert result.sheets_skipped == [{"path": "会议台账.csv", "sheet": None, **NO_HEADER}]
    assert result.skipped is None and result.unreadable is None


def test_read_csv_undecodable_is_unreadable(tmp_path):
    (tmp_path / "会议台账.csv").write_bytes("会议编号,区划代码\n".encode("utf-32"))
    result = read_file(tmp_path, "会议台账.csv")
    assert result.unreadable == BAD_ENCODING
    assert result.sheets == [] and result.sheets_skipped == []


def test_a_csv_that_is_a_workbook_or_unicode_text_says_how_to_save_it(tmp_path):
    """Before: both were 编码无法识别（应为 UTF-8 或 GB18030）, and UTF-16 without its
    mark was read, its one sheet skipped for 找不到表头行: neither said what to do."""
    header = "会议编号,区划代码,会议日期,协商形式,议题,党组织主持\n"
    write_xlsx(tmp_path / "book.xlsx", {"会议台账": [MEETING_HEADER, ["HY-1", "330281100201"]]})
    named = {
        "会议台账.csv": (tmp_path / "book.xlsx").read_bytes(),  # an xlsx renamed .csv
        "会议台账-unicode.csv": header.encode("utf-16"),  # Excel's Unicode Text: BOM, LE
        "会议台账-be.csv": "\ufeff".encode("utf-16-be") + header.encode("utf-16-be"),
        "会议台账-nobom.csv": header.encode("utf-16-le"),
    }
    workbook = (
        "这是 xlsx 工作簿，文件名却是 .csv：请把扩展名改为 .xlsx 后重新报送"
        " an xlsx workbook named .csv: rename it to .xlsx and send it again"
    )
    unicode_text = (
        "UTF-16 编码的文本（Excel“Unicode 文本”）无法读取：请另存为“CSV UTF-8（逗号分隔）”或 xlsx"
        ' UTF-16 text (Excel\'s "Unicode Text"): save it as CSV UTF-8 (comma delimited) or xlsx'
    )
    got = {}
    for name, data in named.items():
        result = read_file(tmp_path, name, data=data)
        got[name] = (result.unreadable, result.sheets, result.sheets_skipped)
    assert got == {
        "会议台账.csv": (workbook, [], []),
        "会议台账-unicode.csv": (unicode_text, [], []),
        "会议台账-be.csv": (unicode_text, [], []),
        "会议台账-nobom.csv": (unicode_text, [], []),
    }


def test_read_csv_upper_case_suffix(tmp_path):
    write_csv(tmp_path / "会议台账.CSV", [MEETING_HEADER, ["HY-1", "330281"]])
    [sheet] = read_file(tmp_path, "会议台账.CSV").sheets
    assert records(sheet.frame) == [[2, "HY-1", "330281", "", "", "", ""]]


def test_read_file_uses_given_bytes(tmp_path):
    data = "会议编号,区划代码\nHY-9,330281\n".encode("gb18030")
    result = read_file(tmp_path, "not/on/disk/会议台账.csv", data=data)
    assert result.path == "not/on/disk/会议台账.csv"
    assert (result.sha256, result.size) == (hashlib.sha256(data).hexdigest(), len(data))
    assert records(result.sheets[0].frame) == [[2, "HY-9", "330281"]]


# --- read_file: xlsx ----------------------------------------------------------------


def _meeting(meeting_id):
    return [meeting_id, "330281100201", "2025-03-08", "议事会", "修路", "是"]


ATTENDANCE_HEADER = ["会议编号", "区划代码", "证件号码", "是否党员", "参会身份"]
RESOLUTION_HEADER = ["决议编号", "会议编号", "区划代码", "决议内容", "落实状态"]


def test_read_xlsx_sheet_kinds_with_a_file_kind(tmp_path):
    rel = "城关镇协商会议台账.xlsx"
    write_xlsx(
        tmp_path / rel,
        {
            "会议台账": [MEETING_HEADER, _meeting("HY-1")],
            "参会签到": [ATTENDANCE_HEADER, ["HY-1", "330281100201", "P1", "是", "乡贤"]],
            "决议落实": [RESOLUTION_HEADER, ["JY-1", "HY-1", "330281100201", "修路", "推进中"]],
            "Sheet1": [MEETING_HEADER, _meeting("HY-2")],  # takes the file name's kind
            "说明": [["填表说明：每行一次会议"]],  # meetings by the file name, but no header
        },
    )
    result = read_file(tmp_path, rel)
    assert result.unreadable is None and result.skipped is None
    assert [(s.path, s.sheet, s.kind) for s in result.sheets] == [
        (rel, "会议台账", "meetings"),
        (rel, "参会签到", "attendance"),
        (rel, "决议落实", "resolutions"),
        (rel, "Sheet1", "meetings"),
    ]
    meetings, attendance, resolutions, sheet1 = (s.frame for s in result.sheets)
    assert records(meetings) == [[2, "HY-1", "330281100201", "2025-03-08", "议事会", "修路", "是"]]
    assert list(attendance.columns) == [
        "_row", "meeting_id", "area_code", "person_id", "party_member", "category",
    ]  # fmt: skip
    assert records(attendance) == [[2, "HY-1", "330281100201", "P1", "是", "乡贤"]]
    assert list(resolutions.columns) == [
        "_row", "resolution_id", "meeting_id", "area_code", "content", "status",
    ]  # fmt: skip
    assert records(resolutions) == [[2, "JY-1", "HY-1", "330281100201", "修路", "推进中"]]
    assert records(sheet1) == [[2, "HY-2", "330281100201", "2025-03-08", "议事会", "修路", "是"]]
    assert result.sheets_skipped == [{"path": rel, "sheet": "说明", **NO_HEADER}]
    assert result.unknown_columns == []


def test_read_xlsx_sheets_without_any_kind_are_skipped(tmp_path):
    rel = "城关镇2025.xlsx"
    write_xlsx(
        tmp_path / rel,
        {
            "Sheet1": [MEETING_HEADER, _meeting("HY-1")],
            "参会签到": [ATTENDANCE_HEADER, ["HY-1", "330281100201", "P1", "否", "网格员"]],
            "说明": [["填表说明"]],
        },
    )
    result = read_file(tmp_path, rel)
    assert [(s.sheet, s.kind) for s in result.sheets] == [("参会签到", "attendance")]
    assert records(result.sheets[0].frame) == [[2, "HY-1", "330281100201", "P1", "否", "网格员"]]
    assert result.sheets_skipped == [
        {"path": rel, "sheet": "Sheet1", **NO_SHEET_KIND},
        {"path": rel, "sheet": "说明", **NO_SHEET_KIND},
    ]
    assert result.skipped is None


def test_read_xlsx_row_numbers_and_native_cells(tmp_path):
    rel = "东湖镇.xlsx"
    write_xlsx(
        tmp_path / rel,
        {
            "协商会议台账": [
                [],  # row 1
                ["东湖镇协商会议台账"],  # row 2: title
                [None, None],  # row 3
                [*MEETING_HEADER, "线上", "备注"],  # row 4: header
                ["HY-1", 330281100201, date(2025, 3, 8), "议事会", "修路", True, 0, 1.5],  # 5
                [],  # row 6
                ["HY-2", "330281100201", MARCH_9_1430, "恳谈会", "路灯", False, 1, None],  # row 7
                # row 8: blank, its only cell in a column the contract does not read (a 序号
                # filled down a template was rejected on every row left empty)
                [None, None, None, None, None, None, None, "仅备注"],
                [12, 330281100201.0, 20250310, "座谈会", "清淤", "是", "", ""],  # row 9
                [" ", "", "\u3000"],  # row 10: blank after trimming
            ],
        },
    )
    result = read_file(tmp_path, rel)
    [sheet] = result.sheets
    assert (sheet.sheet, sheet.kind) == ("协商会议台账", "meetings")
    assert result.unknown_columns == [{"path": rel, "sheet": "协商会议台账", "columns": ["备注"]}]
    frame = sheet.frame
    assert list(frame.columns) == [*MEETING_COLUMNS, "online"]
    assert records(frame) == [
        [5, "HY-1", 330281100201.0, date(2025, 3, 8), "议事会", "修路", True, 0.0],
        [7, "HY-2", "330281100201", MARCH_9_1430, "恳谈会", "路灯", False, 1.0],
        [9, 12.0, 330281100201.0, 20250310.0, "座谈会", "清淤", "是", ""],
    ]
    # exact native types: a date cell is a date, a date-time cell a datetime,
    # number cells floats, TRUE/FALSE cells bools
    assert [type(v) for v in frame["meeting_date"]] == [date, datetime, float]
    assert [type(v) for v in frame["area_code"]] == [float, str, float]
    assert [type(v) for v in frame["led_by_party"]] == [bool, bool, str]
    assert [type(v) for v in frame["online"]] == [float, float, str]
    # and they parse as the contract says
    values, reasons = parse_column(frame["meeting_date"], parse_date)
    assert values.tolist() == [date(2025, 3, 8), date(2025, 3, 9), date(2025, 3, 10)]
    assert reasons.tolist() == [None, None, None]


def test_rows_with_only_a_serial_number_are_blank(tmp_path):
    # a template with 序号 filled down: every row left empty was rejected, meeting_id missing
    rows = [["序号", *MEETING_HEADER], ["1", *_meeting("HY-1")], ["2"], ["3", "", ""], ["4"]]
    write_csv(tmp_path / "会议台账.csv", rows)
    result = read_file(tmp_path, "会议台账.csv")
    [sheet] = result.sheets
    assert list(sheet.frame["_row"]) == [2]
    assert result.unknown_columns == [{"path": "会议台账.csv", "sheet": None, "columns": ["序号"]}]
    # a value under a repeated header of the contract is not blank: rejected, not lost
    rows = [
        [*MEETING_HEADER, "会议日期"],
        _meeting("HY-1"),
        [*[""] * len(MEETING_HEADER), "3月8日"],
    ]
    write_csv(tmp_path / "会议台账2.csv", rows)
    [sheet] = read_file(tmp_path, "会议台账2.csv").sheets
    assert list(sheet.frame["_row"]) == [2, 3]


def test_a_second_sheet_of_the_same_name_is_reported_not_lost(tmp_path):
    # sheets are found by name: the first was read twice and the second never, silently
    workbook = Workbook()
    first = workbook.active
    first.title = "会议台账"
    second = workbook.create_sheet("会议台账2")
    for sheet, meeting in ((first, "HY-1"), (second, "HY-2")):
        sheet.append(MEETING_HEADER)
        sheet.append(_meeting(meeting))
    buffer = io.BytesIO()
    workbook.save(buffer)
    renamed = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(renamed, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/workbook.xml":
                data = data.replace("会议台账2".encode(), "会议台账".encode())
            target.writestr(item.filename, data)
    (tmp_path / "东湖镇.xlsx").write_bytes(renamed.getvalue())
    result = read_file(tmp_path, "东湖镇.xlsx")
    assert [(s.sheet, list(s.frame["meeting_id"])) for s in result.sheets] == [
        ("会议台账", ["HY-1"])
    ]
    assert result.sheets_skipped == [
        {
            "path": "东湖镇.xlsx",
            "sheet": "会议台账",
            **reason(
                "与前面的工作表同名，未读取：请改名后重新报送",
                "a sheet of the same name as an earlier one: not read; rename it and send the"
                " file again",
            ),
        }
    ]


def test_read_xlsx_header_not_in_column_a(tmp_path):
    write_xlsx(
        tmp_path / "会议台账.xlsx",
        {"Sheet1": [[], [None, "会议编号", None, "区划代码"], [None, "HY-1", "x", "330281"]]},
    )
    [sheet] = read_file(tmp_path, "会议台账.xlsx").sheets
    assert records(sheet.frame) == [[3, "HY-1", "330281"]]


def test_read_xlsx_merged_cells_are_not_filled_down(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "会议台账"
    sheet.append(["会议编号", "区划代码", "议题"])
    sheet.append(["HY-1", "330281", "修路"])
    sheet.append(["HY-2", None, "路灯"])
    sheet.merge_cells("B2:B3")
    workbook.save(tmp_path / "东湖镇.xlsx")
    [read] = read_file(tmp_path, "东湖镇.xlsx").sheets
    assert records(read.frame) == [[2, "HY-1", "330281", "修路"], [3, "HY-2", "", "路灯"]]


def test_read_xlsx_empty_sheet_is_skipped(tmp_path):
    write_xlsx(tmp_path / "会议台账.xlsx", {"Sheet1": [], "会议": [MEETING_HEADER]})
    result = read_file(tmp_path, "会议台账.xlsx")
    assert result.sheets_skipped == [{"path": "会议台账.xlsx", "sheet": "Sheet1", **NO_HEADER}]
    [sheet] = result.sheets
    assert sheet.sheet == "会议" and len(sheet.frame) == 0


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 8,  # random-looking bytes
        "会议编号,区划代码\nHY-1,330281\n".encode(),  # a CSV renamed .xlsx
        b"",
    ],
    ids=["random-bytes", "text-renamed", "empty"],
)
def test_read_corrupt_xlsx_is_unreadable(tmp_path, data):
    (tmp_path / "会议台账.xlsx").write_bytes(data)
    result = read_file(tmp_path, "会议台账.xlsx")
    # the zip reader's own words in English only; the empty file's in both
    empty = "：空文件（0字节）" if not data else ""
    assert result.unreadable.zh == BAD_WORKBOOK + empty
    assert result.unreadable.en.startswith("cannot read workbook: ")
    assert (result.sheets, result.sheets_skipped, result.skipped) == ([], [], None)
    assert (result.sha256, result.size) == (hashlib.sha256(data).hexdigest(), len(data))


def test_read_zip_that_is_not_a_workbook_is_unreadable(tmp_path):
    with zipfile.ZipFile(tmp_path / "会议台账.xlsx", "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    result = read_file(tmp_path, "会议台账.xlsx")
    assert result.unreadable is not None and result.unreadable.startswith(BAD_WORKBOOK)
    assert result.sheets == []


# --- hashes -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["会议台账.csv", "会议台账.xlsx", "notes.csv"])
def test_sha256_and_size_are_those_of_the_bytes(tmp_path, name):
    rows = [MEETING_HEADER, _meeting("HY-1")]
    if name.endswith(".csv"):
        path = write_csv(tmp_path / name, rows, encoding="gb18030")
    else:
        path = write_xlsx(tmp_path / name, {"Sheet1": rows})
    data = Path(path).read_bytes()
    result = read_file(tmp_path, name)
    assert isinstance(result, FileResult)
    assert result.path == name
    assert result.sha256 == hashlib.sha256(data).hexdigest()
    assert len(result.sha256) == 64
    assert result.size == len(data)


def test_a_tab_separated_file_named_csv_says_so(tmp_path):
    """Excel's "text (tab delimited)" saved under a .csv name: the header is there, the
    delimiter is not a comma, and the reason says what to save it as."""
    path = tmp_path / "会议台账.csv"
    path.write_text(
        "\t".join(MEETING_HEADER) + "\nHY-1\t330281100201\t2025-03-01\t议事会\t修路\t是\n",
        encoding="gb18030",
    )
    result = read_file(tmp_path, path.name, path.read_bytes())
    assert result.sheets == []
    assert result.sheets_skipped == [
        {
            "path": "会议台账.csv",
            "sheet": None,
            **reason(
                "找不到表头行：各列以制表符（Tab）而非逗号分隔，请在 Excel 或 WPS 中另存为"
                "“CSV（逗号分隔）”或 xlsx",
                "no recognisable header row: the columns are separated by tabs, not commas;"
                " save the file as CSV (comma delimited) or xlsx in Excel or WPS",
            ),
        }
    ]
