"""`xieshang kpi` and `xieshang export assessment` as interfaces.md describes them."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import openpyxl
import pytest

from tests.helpers.builder_county import COUNTY, T1, V11, V12, build_county
from xieshang.cli import main
from xieshang.metrics import FIGURES


@pytest.fixture
def county(engine, db_url):
    build_county().write(engine)
    return db_url


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_kpi_prints_one_json_object(county, capsys):
    code, out, err = run(
        capsys,
        "kpi",
        "--scope",
        COUNTY,
        "--from",
        "2025-01-01",
        "--to",
        "2025-03-31",
        "--db",
        county,
    )
    assert code == 0 and err == ""
    data = json.loads(out)
    assert list(data) == ["scope", "from", "to", "as_of", *FIGURES]
    assert data["scope"] == COUNTY and data["as_of"] == "2025-03-31"
    assert data["meetings"] == 7 and data["resolutions_due"] == 6
    assert data["implementation_rate"] == pytest.approx(4 / 6)  # a fraction
    assert data["median_days_to_implement"] == 43.0


def test_kpi_filters_and_nulls(county, capsys):
    code, out, _ = run(
        capsys,
        "kpi",
        "--scope",
        "330281102",
        "--from",
        "2025-01-01",
        "--to",
        "2025-03-31",
        "--form",
        "议事会",
        "--online",
        "no",
        "--db",
        county,
    )
    assert code == 0
    data = json.loads(out)
    assert data["scope"] == "330281102000" and data["meetings"] == 1
    assert data["implementation_rate"] is None and data["satisfaction"] is None
    assert "null" in out


def test_kpi_usage_errors(county, capsys):
    cases = [
        (["--scope", COUNTY, "--form", "tea"], "unknown form 'tea'"),
        (["--scope", COUNTY, "--category", "x"], "unknown category 'x'"),
        (["--scope", "123"], "6, 9 or 12 digits"),
        (["--scope", "330281999000"], "not in the roster"),
        (["--scope", COUNTY, "--to", "2024-01-01"], "before --from"),
    ]
    for args, message in cases:
        period = ["--from", "2025-01-01"] + (["--to", "2025-03-31"] if "--to" not in args else [])
        code, out, err = run(capsys, "kpi", *args, *period, "--db", county)
        assert code == 2 and out == "", args
        assert message in err and err.count("\n") == 1 and "Traceback" not in err, err


def test_kpi_on_an_empty_warehouse(db_url, capsys):
    code, _, err = run(
        capsys,
        "kpi",
        "--scope",
        COUNTY,
        "--from",
        "2025-01-01",
        "--to",
        "2025-01-31",
        "--db",
        db_url,
    )
    assert code == 1 and "xieshang load" in err


def test_export_csv_and_xlsx(county, capsys, tmp_path):
    out_csv = tmp_path / "townships.csv"
    code, _, err = run(
        capsys,
        "export",
        "assessment",
        "--level",
        "township",
        "--from",
        "2025-01-01",
        "--to",
        "2025-03-31",
        "--format",
        "csv",
        "--output",
        str(out_csv),
        "--db",
        county,
    )
    assert code == 0, err
    data = out_csv.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    # codes end in a tab, which keeps them text in Excel (xieshang.exports)
    assert [(r["rank"], r["area_code"]) for r in rows] == [
        ("1", T1 + "\t"),
        ("2", "330281102000\t"),
    ]
    t1 = 25 * 4 / 24 + 30 * 3 / 5 + 20 * 2 / 5 + 15 * 3 / 6 + 10 * 0.8
    assert rows[0]["score"] == f"{t1:.1f}"

    weights = tmp_path / "w.toml"
    weights.write_text("[weights]\nimplementation_rate = 0\n", encoding="utf-8")
    out_xlsx = tmp_path / "villages.xlsx"
    code, _, err = run(
        capsys,
        "export",
        "assessment",
        "--level",
        "village",
        "--within",
        "330281101",
        "--from",
        "2025-01-01",
        "--to",
        "2025-03-31",
        "--format",
        "xlsx",
        "--output",
        str(out_xlsx),
        "--weights",
        str(weights),
        "--db",
        county,
    )
    assert code == 0, err
    book = openpyxl.load_workbook(out_xlsx)
    sheet = book["考核评估表"]
    assert [sheet.cell(row=r, column=2).value for r in (3, 4)] == [V12, V11]  # under the title
    about = {r[0].value: r[1].value for r in book["说明"].iter_rows()}
    assert about["权重来源"] == f"设置文件 {weights}"
    assert about["权重：决议落实率"] == 0
    assert about["范围"] == "101镇（330281101000）"


def test_export_errors(county, capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("meetings = 3\n", encoding="utf-8")
    cases = [
        (["--level", "village"], "--within", 2),
        (["--level", "township", "--within", "330281101"], "has no townships", 2),
        (["--level", "township", "--weights", str(bad)], "unknown figure meetings", 2),
        (["--level", "township", "--weights", str(tmp_path / "none.toml")], "does not exist", 2),
        (["--level", "township", "--to", "2024-01-01"], "before --from", 2),
        (
            ["--level", "village", "--within", "330281"],
            "330281000000 is a county: villages are assessed within a township; "
            "give a township's code (--within)",
            2,
        ),
    ]
    for extra, message, status in cases:
        period = ["--from", "2025-01-01"] + (["--to", "2025-03-31"] if "--to" not in extra else [])
        code, _, err = run(
            capsys,
            "export",
            "assessment",
            *extra,
            *period,
            "--format",
            "csv",
            "--output",
            str(tmp_path / "x.csv"),
            "--db",
            county,
        )
        assert code == status and message in err and "Traceback" not in err, (extra, err)
        assert not (tmp_path / "x.csv").exists()
    code, _, err = run(
        capsys,
        "export",
        "assessment",
        "--level",
        "township",
        "--from",
        "2025-01-01",
        "--to",
        "2025-03-31",
        "--format",
        "csv",
        "--output",
        str(tmp_path / "no" / "such" / "dir.csv"),
        "--db",
        county,
    )
    assert (code, err) == (
        1,
        f"xieshang: cannot write {tmp_path / 'no' / 'such' / 'dir.csv'}: No such file or "
        "directory; give a file in a folder that exists and that you may write to\n",
    )


THRESHOLD_WRONG = "xieshang: XIESHANG_STAKEHOLDER_THRESHOLD must be a whole number ≥ 0, not {!r}\n"
KPI_ARGV = ["kpi", "--scope", COUNTY, "--from", "2025-01-01", "--to", "2025-03-31"]


def test_a_threshold_that_is_no_number_is_said_as_what_it_is(tmp_path):
    """It was read as the figures' module was imported, which parsing --from does: the
    command said `argument --from: invalid _date value: '2025-01-01'`, and the server
    started with a traceback ending in `invalid literal for int()`."""
    env = {**os.environ, "XIESHANG_STAKEHOLDER_THRESHOLD": "three", "XIESHANG_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "xieshang.cli", *KPI_ARGV, "--db", f"sqlite:///{tmp_path}/w.sqlite"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert (done.returncode, done.stdout, done.stderr) == (2, "", THRESHOLD_WRONG.format("three"))
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # nothing opened
    app = "from xieshang.dashboard.app import create_app; create_app('sqlite://')"
    started = subprocess.run(
        [sys.executable, "-c", app], capture_output=True, text=True, env=env, timeout=120
    )
    assert started.returncode == 1
    assert started.stderr.splitlines()[-1] == (
        "ValueError: " + THRESHOLD_WRONG.format("three").removeprefix("xieshang: ").strip()
    )


@pytest.mark.parametrize("value", ["2.5", "-1", "三"])
def test_a_threshold_set_wrongly_is_a_usage_error_before_any_work(
    value, tmp_path, capsys, monkeypatch
):
    """As a limit or the time zone set wrongly: a negative threshold counted every meeting
    covered, its definition saying 至少-1类."""
    monkeypatch.setenv("XIESHANG_STAKEHOLDER_THRESHOLD", value)
    db = f"sqlite:///{tmp_path}/w.sqlite"
    assert run(capsys, *KPI_ARGV, "--db", db) == (2, "", THRESHOLD_WRONG.format(value))
    assert list(tmp_path.iterdir()) == []
