"""`xieshang load`: the JSON report, the human table, exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.helpers.minimal_inbox import base_inbox
from xieshang.cli import main


@pytest.fixture
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XIESHANG_SECRET", "cli-secret-0123456789")
    monkeypatch.delenv("XIESHANG_DB", raising=False)
    return tmp_path


def test_load_json_report_has_the_interface_keys(env, capsys, db_url):
    inbox = base_inbox(env / "inbox")
    (inbox / "说明.docx").write_bytes(b"not data")
    assert main(["load", str(inbox), "--db", db_url, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {
        "run_id",
        "status",
        "seconds",
        "files",
        "sheets_skipped",
        "unknown_columns",
        "kinds",
    }
    assert report["status"] == "committed"
    assert report["files"]["skipped"] == [
        {"path": "说明.docx", "reason": "不是 CSV 或 xlsx 文件 not a .csv or .xlsx file"}
    ]
    assert report["kinds"]["meetings"] == {
        "read": 2,
        "inserted": 2,
        "updated": 0,
        "unchanged": 0,
        "rejected": 0,
        "held": 0,
        "released": {"joined": 0, "rejected": 0},
    }


def test_human_report_is_a_table(env, capsys):
    inbox = base_inbox(env / "inbox")
    assert main(["load", str(inbox)]) == 0
    out = capsys.readouterr().out
    assert "已提交 committed" in out
    assert "│ 会议 meetings    │         2 │             2 │" in out


def test_missing_inbox_is_a_usage_error(env, capsys):
    assert main(["load", str(env / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "is not a folder" in err


def test_no_secret_for_a_real_warehouse_is_refused(env, capsys, monkeypatch):
    monkeypatch.delenv("XIESHANG_SECRET")
    inbox = base_inbox(env / "inbox")
    assert main(["load", str(inbox)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("xieshang: XIESHANG_SECRET is not set")
    assert err.count("\n") == 1


def test_a_failed_run_exits_1(env, capsys, monkeypatch):
    inbox = base_inbox(env / "inbox")
    assert main(["load", str(inbox)]) == 0
    monkeypatch.setenv("XIESHANG_SECRET", "a different secret, 16+ characters")
    (inbox / "会议台账-2.csv").write_text(
        "会议编号,区划代码\nHY-9,330281100201\n", encoding="utf-8"
    )
    assert main(["load", str(inbox), "--json"]) == 1
    report = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert report["status"] == "failed"


def test_console_script_bad_argument_exits_2(env):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "xieshang.cli",
            "kpi",
            "--scope",
            "1",
            "--from",
            "2025-13-01",
            "--to",
            "2025-01-01",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "is not a date; use YYYY-MM-DD" in result.stderr
    assert "Traceback" not in result.stderr
