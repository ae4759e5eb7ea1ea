"""Regressions of issue 9 (the loader never falls over, never drops a row silently): a
test for each row of its table that the loader's other tests do not already cover whole,
and for what was found since by the fuzz test (tests/test_load_fuzz.py) and beside it.

Where each row of the table is tested:

- one cell at XFD1048576 aborts, at Z1048576 costs 1.2 GB: test_read_limits
  (read_file in a child process); here the whole `xieshang load`, twice, in a child;
- 99999999999999999999 on SQLite; NUL, 10,000-character meeting_id, 3,000,000,000 on
  PostgreSQL: test_value_limits (test_a_value_that_does_not_fit_rejects_its_row_not_the_run,
  test_number_cells_too_large_for_a_count_reject_their_rows,
  test_a_nul_in_free_text_is_dropped_the_same_on_both_engines), on both engines;
- 20 rows, one unterminated quote: test_read_limits
  (test_one_unterminated_quote_makes_the_csv_unreadable_naming_its_line, and the load in
  test_a_load_reports_bad_files_unreadable_and_loads_the_rest);
- a failed run: test_load_failures (failures injected in Python); here a failure the
  database itself raises, and a refused secret;
- two first loads at once: test_load_failures (test_first_loads_at_once_both_commit);
- shifted columns: test_value_limits (the rejects table, the SQLite file); here 数据质量's
  list and its CSV and xlsx downloads;
- a 0-byte xlsx: test_read_limits
  (test_an_empty_xlsx_after_an_empty_csv_is_unreadable_not_unchanged);
- a header of 10M cells, a 20 MB cell: test_read_limits (a CSV header; the cell, read);
  here a workbook header of 10M cells and the 20 MB cell in one load, in a child;
- `load` without --db/secret, the demo secret's mode, a 1-character secret, the file a
  refused load left: test_safe_defaults;
- postgres://, an unreachable PostgreSQL, a missing SQLite folder: test_safe_defaults.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from tests.helpers.inbox_files import write_csv, write_xlsx
from tests.helpers.minimal_inbox import (
    MEETING_HEADER,
    MEETINGS,
    SECRET,
    TODAY,
    base_inbox,
    load,
    rejects,
)
from tests.helpers.reasons import reason
from xieshang.dashboard import downloads
from xieshang.dashboard.state import State
from xieshang.dashboard.views import data_quality as view
from xieshang.etl.load import run_load
from xieshang.etl.report import OUTCOMES
from xieshang.metrics import catalog
from xieshang.warehouse import schema

BAD_WORKBOOK = "无法读取的 xlsx 文件（损坏或加密） cannot read workbook: "
STRONG_SECRET = "a-deployment-secret-of-32-chars!"
NOTHING = {
    kind: {**dict.fromkeys(OUTCOMES, 0), "released": {"joined": 0, "rejected": 0}}
    for kind in ("areas", "meetings", "attendance", "resolutions")
}
ROWS_OVER = reason(
    "工作表“会议台账”第1048576行有数据，超过200000行的上限",
    "sheet “会议台账” has data in row 1,048,576, beyond the limit of 200,000 rows"
    " (XIESHANG_MAX_ROWS)",
)
PEAK_MB = 600  # a far cell cost 1.2 GB; a load takes ~100 MB, reading a 10M-cell sheet ~400
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
BASE_FILES = ["会议台账.csv", "决议落实.csv", "区划名册.csv", "参会签到.csv"]


def load_in_child(inbox: Path, db: Path, home: Path) -> tuple[dict, int]:
    """`xieshang load INBOX --json` in a child process: its report and peak memory (MB).
    A file that aborts the process fails the test instead of killing pytest. The peak is
    the child's own (VmHWM: getrusage's maxrss would count the parent it was forked from)."""
    code = (
        "import sys; from xieshang.cli import main; rc = main(sys.argv[1:]); sys.stdout.flush();"
        "peak = next(l for l in open('/proc/self/status') if l.startswith('VmHWM:'));"
        "print(int(peak.split()[1]) // 1024, file=sys.stderr); sys.exit(rc)"
    )
    env = {**os.environ, "XIESHANG_HOME": str(home), "XIESHANG_SECRET": STRONG_SECRET}
    env.pop("XIESHANG_DB", None)
    done = subprocess.run(
        [sys.executable, "-c", code, "load", str(inbox), "--db", f"sqlite:///{db}", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-2000:]}"
    return json.loads(done.stdout), int(done.stderr.strip().splitlines()[-1])


def far_cell_workbook(path: Path, far: str) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "会议台账"
    sheet["A1"] = "会议编号"
    sheet[far] = "x"
    workbook.save(path)
    assert path.stat().st_size < 6000


def hand_made_workbook(sheet_xml: str) -> bytes:
    """An xlsx file of one sheet, 会议台账, whose <worksheet> holds `sheet_xml`."""
    files = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/></Types>'
        ),
        "_rels/.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{RELS}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELS}"><sheets>'
            '<sheet name="会议台账" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{RELS}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN}">{sheet_xml}</worksheet>',
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def text_row(values: list[str]) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
    return f"<row>{cells}</row>"


def stored_runs(engine) -> list:
    t = schema.load_runs
    with engine.connect() as conn:
        return conn.execute(sa.select(t.c.run_id, t.c.status, t.c.report)).all()


# --- a far cell: the whole load, twice ------------------------------------------------


def test_far_cells_never_abort_a_load_nor_its_retry(tmp_path):
    # XFD1048576 aborted the process (exit 134) on every run of the inbox; Z1048576 cost
    # 1.2 GB
    inbox = base_inbox(tmp_path / "inbox")
    far_cell_workbook(inbox / "远处A.xlsx", "XFD1048576")
    far_cell_workbook(inbox / "远处B会议台账.xlsx", "Z1048576")
    unreadable = [
        {"path": "远处A.xlsx", **ROWS_OVER},
        {"path": "远处B会议台账.xlsx", **ROWS_OVER},
    ]
    db = tmp_path / "w.sqlite"
    first, peak = load_in_child(inbox, db, tmp_path / "home")
    assert (first["status"], first["files"]["unreadable"]) == ("committed", unreadable)
    assert first["files"]["loaded"] == BASE_FILES
    assert peak < PEAK_MB
    again, peak = load_in_child(inbox, db, tmp_path / "home")
    assert (again["status"], again["files"]["unreadable"]) == ("committed", unreadable)
    assert again["files"]["unchanged"] == BASE_FILES
    assert peak < PEAK_MB


# --- a header of 10M cells and a 20 MB cell, in workbooks -----------------------------


@pytest.mark.slow
def test_a_wide_header_and_a_huge_cell_in_workbooks_are_unreadable_and_store_nothing(tmp_path):
    # A 10M-cell header stored a 50 MB report in load_runs; a 20 MB cell of a 25 KB
    # workbook was stored as it was
    inbox = base_inbox(tmp_path / "inbox")
    header = text_row(MEETING_HEADER)[: -len("</row>")]
    wide = f"<sheetData>{header}{'<c><v>1</v></c>' * 10_000_000}</row></sheetData>"
    (inbox / "宽表头会议台账.xlsx").write_bytes(hand_made_workbook(wide))
    del wide
    huge = f"<sheetData>{text_row(MEETING_HEADER)}{text_row([*MEETINGS[0][:4], 'x' * 20_000_000])}</sheetData>"
    (inbox / "长单元格会议台账.xlsx").write_bytes(hand_made_workbook(huge))
    assert (inbox / "长单元格会议台账.xlsx").stat().st_size < 25_000
    db = tmp_path / "w.sqlite"

    report, peak = load_in_child(inbox, db, tmp_path / "home")

    assert report["status"] == "committed"
    assert report["files"]["unreadable"] == [
        {
            "path": "宽表头会议台账.xlsx",
            **reason(
                "工作表“会议台账”超过5000000个单元格",
                "sheet “会议台账” holds more than 5,000,000 cells (XIESHANG_MAX_CELLS)",
            ),
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
    assert report["unknown_columns"] == []
    assert report["kinds"]["meetings"]["read"] == len(MEETINGS)
    assert peak < PEAK_MB
    engine = sa.create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            longest = max(
                conn.execute(sa.select(sa.func.max(sa.func.length(sa.cast(c, sa.Text))))).scalar()
                or 0
                for table in schema.metadata.sorted_tables
                for c in table.columns
            )
    finally:
        engine.dispose()
    assert longest < 10_000  # the stored reports included


# --- a failed run: raised by the database itself, and a refused secret --------------------


def refuse_meetings(engine) -> None:
    """A trigger that makes the database refuse every new meeting."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse_meetings BEFORE INSERT ON meetings "
                "BEGIN SELECT RAISE(ABORT, 'disk full'); END"
            )
        else:
            conn.exec_driver_sql(
                "CREATE OR REPLACE FUNCTION refuse_meetings() RETURNS trigger AS "
                "$$ BEGIN RAISE EXCEPTION 'disk full'; END $$ LANGUAGE plpgsql"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse_meetings BEFORE INSERT ON meetings "
                "FOR EACH ROW EXECUTE FUNCTION refuse_meetings()"
            )


def allow_meetings(engine) -> None:
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER refuse_meetings")
        else:
            conn.exec_driver_sql("DROP TRIGGER refuse_meetings ON meetings")
            conn.exec_driver_sql("DROP FUNCTION refuse_meetings()")


def test_a_run_the_database_refuses_is_recorded_failed_in_one_line(engine, tmp_path):
    # The run failed without a load_runs row, its error a multi-line SQL dump naming no
    # file or row, and its report still said "inserted: 1"
    inbox = base_inbox(tmp_path / "inbox")
    refuse_meetings(engine)

    report = run_load(engine, inbox, secret=SECRET, today=TODAY)

    assert report["status"] == "failed"
    assert report["error"].startswith(("IntegrityError: disk full", "RaiseException: disk full"))
    assert report["error"].endswith(" (写入会议 merging meetings · 文件 file 会议台账.csv)")
    assert "\n" not in report["error"] and "INSERT" not in report["error"]
    assert (report["kinds"], report["files"]["loaded"]) == (NOTHING, [])
    ((run_id, status, stored),) = stored_runs(engine)
    assert (run_id, status, json.loads(stored)) == (report["run_id"], "failed", report)
    with engine.connect() as conn:
        areas = conn.execute(sa.select(sa.func.count()).select_from(schema.areas)).scalar()
    assert areas == 0  # the areas merged before the meetings were rolled back
    (listed,) = catalog.load_runs(engine)
    assert (listed["status"], listed["error"], listed["inserted"]) == ("failed", report["error"], 0)

    allow_meetings(engine)
    retried = load(engine, inbox)  # the failed run marked no file as loaded
    assert retried["files"]["loaded"] == BASE_FILES
    assert retried["kinds"]["meetings"]["inserted"] == len(MEETINGS)


def test_a_refused_secret_is_a_recorded_failed_run(engine, tmp_path):
    first = load(engine, base_inbox(tmp_path / "inbox"))
    later = tmp_path / "later"
    write_csv(later / "会议台账.csv", [MEETING_HEADER, ["HY-8", *MEETINGS[0][1:]]])
    report = run_load(engine, later, secret=b"another-secret-of-enough-length", today=TODAY)
    assert report["status"] == "failed"
    assert report["error"].startswith("密钥与本仓库载入时所用的不同 XIESHANG_SECRET differs")
    assert report["error"].endswith(" (核对密钥 checking the secret)")
    assert report["kinds"] == NOTHING
    runs = {run_id: status for run_id, status, _ in stored_runs(engine)}
    assert runs == {first["run_id"]: "committed", report["run_id"]: "failed"}


# --- shifted columns: 数据质量 and its downloads show no ID or name ----------------------

SHIFTED = [("11010119850505571X", "欧阳错位"), ("110101198505055720", "司马插列")]


def test_shifted_rows_show_no_id_or_name_on_data_quality_nor_in_its_downloads(engine, tmp_path):
    # The raw ID and name were stored verbatim in rejects.value, shown on 数据质量 and in
    # its CSV
    inbox = base_inbox(tmp_path / "inbox")
    (id_a, name_a), (id_b, name_b) = SHIFTED
    # every cell one to the right of its header: the ID under area_code
    write_csv(
        inbox / "签到错位1.csv",
        [
            ["会议编号", "身份证号", "区划代码", "姓名", "是否党员", "身份类别"],
            [1, "HY-1", id_a, "330281100201", name_a, "是", "乡贤"],
        ],
    )
    # a blank cell where the name was: the name under the boolean
    write_csv(
        inbox / "签到错位2.csv",
        [
            ["会议编号", "区划代码", "身份证号", "姓名", "是否党员", "身份类别"],
            ["HY-1", "330281100201", id_b, "", name_b, "是"],
        ],
    )
    load(engine, inbox)
    assert [(r[2], r[3]) for r in rejects(engine)] == [
        ("area_code", "（已隐去 redacted）"),
        ("party_member", "（已隐去 redacted）"),
    ]
    shown = []
    for lang in ("zh", "en"):
        state = State(None, date(2025, 1, 1), TODAY, lang=lang)
        rows, _, _ = view.build_rejects(engine, state)
        assert len(rows) == 2
        shown += [json.dumps(rows, ensure_ascii=False), view.rejects_csv(engine, state)["content"]]
        content, _ = downloads.FILES["rejects.xlsx"].make(engine, state, {})
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            shown += [book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml")]
    everything = "\n".join(shown)
    assert "签到错位1.csv" in everything and "签到错位2.csv" in everything  # the scan sees them
    people = [text for pair in SHIFTED for text in (*pair, pair[0].lower())]
    assert [text for text in people if text in everything] == []


# --- found while fuzzing ----------------------------------------------------------------------


@pytest.mark.parametrize(("value", "number_format"), [(-1e12, "yyyy-mm-dd"), (-1e300, "hh:mm")])
def test_a_date_cell_the_reader_cannot_convert_makes_its_workbook_unreadable(
    engine, tmp_path, value, number_format
):
    # calamine panicked converting the number to a date or time (pyo3's PanicException, a
    # BaseException): it left run_load, no report, nothing recorded, on every run
    inbox = base_inbox(tmp_path / "inbox")
    path = write_xlsx(
        inbox / "会议补充.xlsx", {"会议台账": [MEETING_HEADER, ["HY-7", *MEETINGS[0][1:]]]}
    )
    workbook = load_workbook(path)
    cell = workbook.active["C2"]
    cell.value, cell.number_format = value, number_format
    workbook.save(path)

    report = load(engine, inbox)

    assert report["files"]["loaded"] == BASE_FILES
    (unreadable,) = report["files"]["unreadable"]
    assert unreadable["path"] == "会议补充.xlsx"
    assert unreadable["reason"].startswith(BAD_WORKBOOK)
    assert report["kinds"]["meetings"]["inserted"] == len(MEETINGS)


def test_a_file_name_that_is_not_utf8_is_accounted_for_not_a_failed_run(engine, tmp_path):
    # A zip made on Windows unpacks on Linux to GBK file names, which Python holds as
    # lone surrogates: the run failed while recording itself, and its failure could not
    # be recorded either, on every run of the inbox
    inbox = base_inbox(tmp_path / "inbox")
    gbk = os.path.join(os.fsencode(inbox), "会议补充".encode("gbk") + b".csv")
    write_csv(os.fsdecode(gbk), [MEETING_HEADER, ["HY-3", *MEETINGS[0][1:]]])

    report = run_load(engine, inbox, secret=SECRET, today=TODAY)

    assert report["status"] == "committed", report.get("error")
    files = report["files"]
    listed = [
        *files["loaded"],
        *files["unchanged"],
        *(f["path"] for f in files["skipped"] + files["unreadable"]),
    ]
    assert len(listed) == len(BASE_FILES) + 1
    for path in listed:
        path.encode("utf-8")  # shown and stored as text
    assert [status for _, status, _ in stored_runs(engine)] == ["committed"]


def test_an_id_as_a_spreadsheet_writes_it_into_a_csv_is_not_shown(engine, tmp_path):
    # Excel saves an 18-digit ID typed into a cell as 3.30281199001011E+17 in a CSV: 15 of
    # its digits were stored in rejects.value when it sat in a column of another kind
    inbox = base_inbox(tmp_path / "inbox")
    write_csv(
        inbox / "会议台账（错位）.csv",
        [
            ["会议编号", "区划代码", "会议日期", "协商形式", "议题", "党组织主持"],
            ["HY-8", "330281100201", "3.30281199001011E+17", "议事会", "修路", "是"],
            ["HY-9", "330281100201", "2025-03-08", "议事会", "修路", "1.38001380000e10"],
        ],
    )
    load(engine, inbox)
    assert [(r[2], r[3]) for r in rejects(engine)] == [
        ("meeting_date", "（已隐去 redacted）"),
        ("led_by_party", "（已隐去 redacted）"),
    ]
    with engine.connect() as conn:
        stored = conn.execute(sa.select(schema.rejects.c.value)).scalars().all()
    assert [v for v in stored if "30281199" in (v or "") or "38001380" in (v or "")] == []
