"""`xieshang export assessment` on 13 townships (tests/helpers/ranked_county.py): the
Chinese-headed CSV (--headers zh), the English workbook (--lang en), the file written to
--output as given, and a period with nothing to rank refused with its reason."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.helpers.ranked_county import load_ranked_county
from xieshang.cli import main

pytestmark = pytest.mark.warehouse(fill=load_ranked_county)


def export(capsys, engine, output, *extra, start="2026-01-01", end="2026-11-30"):
    url = engine.url.render_as_string(hide_password=False)
    argv = ["export", "assessment", "--level", "township", "--from", start, "--to", end]
    code = main([*argv, "--output", str(output), "--db", url, *extra])
    _out, err = capsys.readouterr()
    return code, err


def test_a_csv_with_chinese_headers(engine, capsys, tmp_path):
    output = tmp_path / "评估.csv"
    code, err = export(capsys, engine, output, "--format", "csv", "--headers", "zh")
    assert code == 0, err
    lines = output.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "排名,区划代码,单位名称,考核得分,协商会议数,常态化率,党员参与率,党组织主持率,"
        "多元主体覆盖率,到期决议数,决议落实率,按期落实率,逾期未落实数,群众满意度"
    )
    assert lines[2] == (
        "2,330281101000\t,东湖镇,91.3,9,81.8%,80.0%,100.0%,100.0%,1,100.0%,100.0%,0,90.0"
    )
    assert lines[5] == (
        "5,330281104000\t,北岙镇,69.3,1,9.1%,40.0%,100.0%,100.0%,1,100.0%,100.0%,0,79.1"
    )
    assert len(lines) == 14
    assert "wrote 13 township rows" in err
    machine = tmp_path / "machine.csv"
    assert export(capsys, engine, machine, "--format", "csv")[0] == 0
    rows = list(csv.DictReader(io.StringIO(machine.read_bytes().decode("utf-8-sig"))))
    assert rows[1]["regularity"] == "0.8181818181818182" and rows[1]["score"] == "91.3"


def test_an_english_workbook_at_the_path_given(engine, capsys, tmp_path):
    output = tmp_path / "out.xlsx"
    code, err = export(capsys, engine, output, "--format", "xlsx", "--lang", "en")
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]  # not renamed
    book = openpyxl.load_workbook(output)
    assert book.sheetnames == ["Assessment", "Notes"]
    sheet = book["Assessment"]
    assert sheet["A1"].value == "清河县 township assessment · Jan–Nov 2026 · data as of 2026-11-30"
    assert sheet["A17"].value == (
        "Note: 南塘镇 and 北岙镇 both show 69.3 but rank 4 and 5: their unrounded scores are "
        "69.303 and 69.273"
    )


def test_a_period_with_nothing_to_rank_is_refused(engine, capsys, tmp_path):
    output = tmp_path / "2010.xlsx"
    code, err = export(
        capsys, engine, output, "--format", "xlsx", start="2010-01-01", end="2010-12-31"
    )
    assert code == 1 and not output.exists()
    assert err.strip().endswith(
        "nothing to rank from 2010-01-01 to 2010-12-31 (the data begin in 2026-01): no "
        "township held a meeting or had a resolution due, overdue or scored; choose a period "
        "with data"
    )
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--format", "xlsx", "--headers", "zh"], "--headers applies to --format csv only"),
        (["--format", "csv", "--lang", "en"], "--lang applies to --format xlsx only"),
    ],
)
def test_options_for_the_other_format_are_usage_errors(engine, capsys, tmp_path, extra, message):
    output = tmp_path / "x"
    code, err = export(capsys, engine, output, *extra)
    assert (code, message in err, output.exists()) == (2, True, False), err
