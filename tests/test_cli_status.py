"""`xieshang status` through the real entry point on 清河县 as loaded by
tests/helpers/submitted_county.py (cells worked out in tests/test_submission_status.py):
exact lines, CSV rows and exit codes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.helpers.submitted_county import T1, load_december, load_january
from xieshang.cli import main


@pytest.fixture(autouse=True)
def home(monkeypatch, tmp_path):
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XIESHANG_DB", raising=False)


def url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


@pytest.fixture
def december(shared_warehouse) -> str:
    return url(shared_warehouse(load_december))


@pytest.fixture
def january(shared_warehouse) -> str:
    return url(shared_warehouse(load_january))


def run(capsys, *argv: str) -> tuple[int, list[str], list[str]]:
    code = main(["status", *argv])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def test_a_township_one_line_per_unit(december, capsys):
    code, out, err = run(capsys, "--month", "2025-12", "--scope", "330281001", "--db", december)
    assert (code, err) == (0, [])
    assert out == [
        "报送情况 submissions 2025-12 · 城关街道 330281001000",
        "区划代码 code  名称 name  会议 meetings       签到 attendance       决议 resolutions",
        "330281001000   城关街道   已报送 12-31 · 3/2  已报送 12-31 · 2/1    已报送 12-31 · 1/0",
        "330281001001   新华社区   已报送 12-31 · 2/0  已报送 12-31 · 2/0    已报送 12-31 · 1/0",
        "330281001002   解放社区   已报送 12-31 · 1/1  全部拒收 12-31 · 0/1  已报送·无决议",
        "330281001003   和平社区   已报送·本月无会议   已报送·无签到         已报送·无决议",
    ]


def test_the_root_by_default(january, capsys):
    code, out, _ = run(capsys, "--month", "2026-01", "--db", january)
    assert code == 0
    assert out == [
        "报送情况 submissions 2026-01 · 清河县 330281000000",
        "区划代码 code  名称 name  会议 meetings       签到 attendance  决议 resolutions",
        "330281001000   城关街道   已报送 01-20 · 1/1  未报送           已报送 01-20 · 1/0",
        "330281100000   东湖镇     未报送              未报送           未报送",
    ]


def test_csv_one_line_per_unit_and_kind(january, capsys):
    code, out, err = run(
        capsys, "--month", "2025-12", "--scope", T1, "--format", "csv", "--db", january
    )
    assert (code, err) == (0, [])
    assert out == [
        "\ufeffarea_code,area_name,kind,state,received_at,accepted,rejected,held",
        "330281001000\t,城关街道,meetings,received,2026-01-20T09:15:00+08:00,4,1,0",
        "330281001000\t,城关街道,attendance,received,2025-12-31T17:30:00+08:00,2,1,0",
        "330281001000\t,城关街道,resolutions,received,2025-12-31T17:30:00+08:00,1,0,0",
        "330281001001\t,新华社区,meetings,received,2025-12-31T17:30:00+08:00,2,0,0",
        "330281001001\t,新华社区,attendance,received,2025-12-31T17:30:00+08:00,2,0,0",
        "330281001001\t,新华社区,resolutions,received,2025-12-31T17:30:00+08:00,1,0,0",
        "330281001002\t,解放社区,meetings,received,2026-01-20T09:15:00+08:00,2,0,0",
        "330281001002\t,解放社区,attendance,rejected,2025-12-31T17:30:00+08:00,0,1,0",
        "330281001002\t,解放社区,resolutions,no_meeting,,0,0,0",
        "330281001003\t,和平社区,meetings,rejected,2026-01-20T09:15:00+08:00,0,1,0",
        "330281001003\t,和平社区,attendance,no_meeting,,0,0,0",
        "330281001003\t,和平社区,resolutions,no_meeting,,0,0,0",
    ]


def test_csv_is_utf8_with_a_bom_whatever_the_consoles_encoding(january, tmp_path):
    # a GBK console could not write the BOM (exit 1), and wrote the rest as GBK
    text = subprocess.run(
        [
            sys.executable,
            "-m",
            "xieshang.cli",
            "status",
            "--month",
            "2025-12",
            "--scope",
            T1,
            "--format",
            "csv",
            "--db",
            january,
        ],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "gbk", "XIESHANG_HOME": str(tmp_path)},
        check=True,
    ).stdout
    assert text.startswith(b"\xef\xbb\xbfarea_code,area_name,")
    assert "330281001000\t,城关街道,meetings" in text.decode("utf-8")


BEFORE = "数据始于 2025-12，此前没有报送记录 data begin in 2025-12: nothing was submitted before"
AFTER = (
    "最近一次导入在 2025-12-31，2026-01 还没有报送记录 "
    "the last load was on 2025-12-31: nothing was submitted for 2026-01 yet"
)


def test_months_outside_the_data_print_their_note(december, capsys):
    assert run(capsys, "--month", "2025-11", "--db", december) == (0, [BEFORE], [])
    assert run(capsys, "--month", "2026-01", "--scope", T1, "--db", december) == (0, [AFTER], [])
    code, out, err = run(capsys, "--month", "2026-01", "--format", "csv", "--db", december)
    assert (code, out, err) == (
        0,
        ["\ufeffarea_code,area_name,kind,state,received_at,accepted,rejected,held"],
        [f"xieshang: {AFTER}"],
    )


def test_an_empty_warehouse_says_so(engine, db_url, capsys):
    assert run(capsys, "--month", "2025-12", "--db", db_url) == (
        0,
        [
            "仓库中还没有会议，没有报送记录 the warehouse holds no meetings yet: nothing was submitted"
        ],
        [],
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--month", "2025-13"],
            "xieshang: --month: 月份 '2025-13' 应写作 YYYY-MM，如 2025-12 "
            "month '2025-13' must be YYYY-MM, e.g. 2025-12",
        ),
        (
            ["--month", "2025-12", "--scope", "123"],
            "xieshang: --scope: area code '123' must be 6, 9 or 12 digits",
        ),
        (
            ["--month", "2025-12", "--scope", "330281999"],
            "xieshang: --scope: area 330281999000 is not in the roster (load an areas file that lists it)",
        ),
    ],
)
def test_usage_errors_exit_2_in_one_line(december, capsys, argv, message):
    assert run(capsys, *argv, "--db", december) == (2, [], [message])


def test_console_script(december):
    """The installed entry point: a grid on stdout; a missing --month is argparse's exit 2."""
    ok = subprocess.run(
        [
            sys.executable,
            "-m",
            "xieshang.cli",
            "status",
            "--month",
            "2025-12",
            "--scope",
            "330281001003",
            "--db",
            december,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (ok.returncode, ok.stderr) == (0, "")
    assert (
        ok.stdout.splitlines()[-1]
        == "330281001003   和平社区   已报送·本月无会议  已报送·无签到    已报送·无决议"
    )
    bad = subprocess.run(
        [sys.executable, "-m", "xieshang.cli", "status", "--db", december],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 2
    assert "the following arguments are required: --month" in bad.stderr
    assert "Traceback" not in bad.stderr
