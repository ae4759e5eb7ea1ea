"""Judging sheets in batches (xieshang.etl.judge.SheetJudge): rows of several files and
sheets judged together come back as if each sheet had been judged on its own, in the
order they were read — each accepted row and each reject with its own file, sheet, row
number and run order — whether the sheets fill one batch or several."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from tests.helpers.inbox_files import write_csv, write_xlsx
from xieshang.etl import judge, validate
from xieshang.etl.read import read_file

TODAY = date(2025, 7, 1)
HEADER = ["会议编号", "区划代码", "人员标识", "姓名", "是否党员", "身份类别"]


def _row(meeting: str, person: str, member: str = "是") -> list[str]:
    return [meeting, "330281101201", person, "某某", member, "村民代表"]


@pytest.fixture()
def sheets(tmp_path: Path) -> list:
    """Attendance sheets of one layout in a UTF-8 CSV, a GB18030 CSV and two sheets of one
    workbook, each with a bad row (a 是否党员 no one can read) between good ones."""
    write_csv(
        tmp_path / "a_参会.csv",
        [HEADER, _row("M1", "P1"), _row("M1", "P2", "也许"), _row("M1", "P3")],
    )
    write_csv(
        tmp_path / "b_参会.csv",
        [HEADER, _row("M2", "P1", "maybe"), _row("M2", "P4")],
        encoding="gb18030",
    )
    write_xlsx(
        tmp_path / "c_参会.xlsx",
        {
            "一月参会": [HEADER, _row("M3", "P5"), _row("M3", "P6", "?")],
            "二月参会": [HEADER, _row("M4", "P7", "x"), _row("M4", "P8"), _row("M4", "P9")],
        },
    )
    out = []
    for name in ("a_参会.csv", "b_参会.csv", "c_参会.xlsx"):
        out.extend(read_file(tmp_path, name).sheets)
    return out


def _alone(sheets: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each sheet judged on its own, its rows numbered on from the sheets before it."""
    goods, bads, seq = [], [], 0
    for sheet in sheets:
        good, bad = validate.check_sheet(sheet, TODAY, seq)
        goods.append(good)
        bads.append(bad)
        seq += len(sheet.frame)
    return pd.concat(goods, ignore_index=True), pd.concat(bads, ignore_index=True)


@pytest.mark.parametrize("batch_rows", [100_000, 3, 1])
def test_sheets_judged_together_come_back_as_judged_alone(sheets, monkeypatch, batch_rows):
    monkeypatch.setattr(judge, "BATCH_ROWS", batch_rows)
    report = {"kinds": {kind: {"read": 0, "rejected": 0} for kind in validate.COLUMNS}}
    sheet_judge = judge.SheetJudge(TODAY, report, lambda path, sheet: None)
    for sheet in sheets:
        sheet_judge.add(sheet)
    accepted, rejects = sheet_judge.results()

    good, bad = _alone(sheets)
    together = accepted["attendance"][0]
    pd.testing.assert_frame_equal(together[good.columns], good, check_dtype=False)
    assert together[["_path", "_sheet", "_row", "_seq", "person_id"]].values.tolist() == [
        ["a_参会.csv", None, 2, 0, "P1"],
        ["a_参会.csv", None, 4, 2, "P3"],
        ["b_参会.csv", None, 3, 4, "P4"],
        ["c_参会.xlsx", "一月参会", 2, 5, "P5"],
        ["c_参会.xlsx", "二月参会", 3, 8, "P8"],
        ["c_参会.xlsx", "二月参会", 4, 9, "P9"],
    ]
    assert len(rejects) == 1
    pd.testing.assert_frame_equal(rejects[0], bad, check_dtype=False)
    assert rejects[0][["path", "sheet", "row_number", "rule", "value"]].values.tolist() == [
        ["a_参会.csv", None, 3, "bad_bool", "（已隐去 redacted）"],  # name-shaped
        ["b_参会.csv", None, 2, "bad_bool", "（已隐去 redacted）"],
        ["c_参会.xlsx", "一月参会", 3, "bad_bool", "?"],
        ["c_参会.xlsx", "二月参会", 2, "bad_bool", "（已隐去 redacted）"],
    ]
    assert report["kinds"]["attendance"] == {"read": 10, "rejected": 4}
