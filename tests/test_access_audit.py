"""The audit log (xieshang.access.audit): rows as recorded, the filters, `xieshang audit`
as text and CSV, and the audit page's builder and layout — on SQLite and PostgreSQL, in
the server's local time (Asia/Shanghai here)."""

from __future__ import annotations

import csv
import io
import os
import time
from datetime import date, datetime

import pytest

from tests.helpers.components import text, walk
from xieshang.access import audit
from xieshang.cli import main
from xieshang.dashboard.views.audit import action_options, build_log

# 2025-06-30 23:30 UTC is 2025-07-01 07:30 in Shanghai: the day boundary is local
TIMES = [
    datetime(2025, 6, 30, 15, 59, 59),  # 2025-06-30 23:59:59 +08:00
    datetime(2025, 6, 30, 16, 0, 0),  # 2025-07-01 00:00:00 +08:00
    datetime(2025, 6, 30, 23, 30, 0),  # 2025-07-01 07:30:00 +08:00
    datetime(2025, 7, 2, 1, 2, 3),  # 2025-07-02 09:02:03 +08:00
]


@pytest.fixture
def shanghai(monkeypatch):
    """Beijing time, the deployment's default zone, on a machine whose own clock is UTC
    (the times shown are the deployment's, as the exports give them, not the machine's)."""
    monkeypatch.delenv("XIESHANG_TIMEZONE", raising=False)
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def log(engine, shanghai, monkeypatch):
    """Four rows at TIMES (UTC, as stored)."""
    clock = iter(TIMES)
    monkeypatch.setattr(audit, "now_utc", lambda: next(clock))
    audit.record(engine, "sign_in", user="li", address="10.0.0.7")
    audit.record(
        engine,
        "download",
        user="wang",
        address="10.0.0.8",
        file="assessment.xlsx",
        scope="330281101000",
        period_from=date(2025, 1, 1),
        period_to=date(2025, 6, 30),
    )
    with engine.begin() as conn:  # in the caller's transaction
        audit.record(conn, "export", user="=cmd|' /C calc'!A0", detail={"format": "csv", "rows": 2})
    audit.record(
        engine,
        "sign_in_failed",
        user="x\x1b[2Jy",
        address="10.0.0.9",
        detail={"reason": "unknown user"},
    )
    return engine


def test_rows_as_recorded(log):
    entries = audit.entries(log)
    assert [(e.at.isoformat(), e.user, e.action) for e in entries] == [
        ("2025-07-02T09:02:03+08:00", "x?[2Jy", "sign_in_failed"),
        ("2025-07-01T07:30:00+08:00", "=cmd|' /C calc'!A0", "export"),
        ("2025-07-01T00:00:00+08:00", "wang", "download"),
        ("2025-06-30T23:59:59+08:00", "li", "sign_in"),
    ]
    download = entries[2]
    assert (
        download.address,
        download.file,
        download.scope,
        download.period_from,
        download.period_to,
        download.detail,
    ) == ("10.0.0.8", "assessment.xlsx", "330281101000", date(2025, 1, 1), date(2025, 6, 30), None)
    assert entries[1].detail == {"format": "csv", "rows": 2}


def test_times_are_in_the_deployments_zone(log, monkeypatch):
    monkeypatch.setenv("XIESHANG_TIMEZONE", "Europe/Berlin")
    assert audit.entries(log)[0].at.isoformat() == "2025-07-02T03:02:03+02:00"
    # and a day of --since begins there: 2025-07-01 00:00 in Berlin is 06-30 22:00 UTC,
    # after the download at 16:00 UTC (which in Beijing is on the 1st)
    assert [e.action for e in audit.entries(log, since=date(2025, 7, 1))] == [
        "sign_in_failed",
        "export",
    ]


def test_filters(log):
    def actions(**filters):
        return [e.action for e in audit.entries(log, **filters)]

    assert actions(since=date(2025, 7, 1)) == ["sign_in_failed", "export", "download"]
    assert actions(since=date(2025, 7, 2)) == ["sign_in_failed"]
    assert actions(user="li") == ["sign_in"]
    assert actions(action="download") == ["download"]
    assert actions(since=date(2025, 7, 1), user="li") == []
    assert actions(limit=2) == ["sign_in_failed", "export"]
    assert audit.count(log) == 4
    assert audit.count(log, since=date(2025, 7, 1)) == 3
    with pytest.raises(ValueError, match="unknown audit action 'downlaod'"):
        audit.record(log, "downlaod", user="li")


def test_the_audit_command(log, db_url, capsys):
    assert main(["audit", "--db", db_url]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert out.splitlines() == [
        "2025-06-30T23:59:59+08:00  li  sign_in  10.0.0.7",
        "2025-07-01T00:00:00+08:00  wang  download  10.0.0.8  file=assessment.xlsx  "
        "scope=330281101000  period=2025-01-01..2025-06-30",
        '2025-07-01T07:30:00+08:00  =cmd|\' /C calc\'!A0  export  -  {"format": "csv", "rows": 2}',
        '2025-07-02T09:02:03+08:00  x?[2Jy  sign_in_failed  10.0.0.9  {"reason": "unknown user"}',
    ]
    assert main(["audit", "--db", db_url, "--since", "2025-07-01", "--format", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows == [
        ["at", "user", "action", "address", "file", "scope", "period_from", "period_to", "detail"],
        [
            "2025-07-01T00:00:00+08:00",
            "wang",
            "download",
            "10.0.0.8",
            "assessment.xlsx",
            "330281101000",
            "2025-01-01",
            "2025-06-30",
            "",
        ],
        [
            "2025-07-01T07:30:00+08:00",
            "'=cmd|' /C calc'!A0",  # never a formula in a spreadsheet
            "export",
            "",
            "",
            "",
            "",
            "",
            '{"format": "csv", "rows": 2}',
        ],
        [
            "2025-07-02T09:02:03+08:00",
            "x?[2Jy",
            "sign_in_failed",
            "10.0.0.9",
            "",
            "",
            "",
            "",
            '{"reason": "unknown user"}',
        ],
    ]
    assert main(["audit", "--db", db_url, "--user", "li"]) == 0
    assert capsys.readouterr().out == "2025-06-30T23:59:59+08:00  li  sign_in  10.0.0.7\n"
    assert main(["audit", "--db", db_url, "--action", "sign-in"]) == 2
    assert capsys.readouterr().err.startswith("xieshang: --action 'sign-in': one of sign_in, ")


def test_the_page_builder(log):
    rows, columns, note = build_log(log, None, None, None, "zh")
    assert [c["headerName"] for c in columns] == [
        "时间",
        "用户",
        "操作",
        "来源地址",
        "文件",
        "范围",
        "统计期",
        "详情",
    ]
    assert [(r["at"], r["user"], r["action"]) for r in rows] == [
        ("2025-07-02 09:02:03", "x?[2Jy", "登录失败"),
        ("2025-07-01 07:30:00", "=cmd|' /C calc'!A0", "导出"),
        ("2025-07-01 00:00:00", "wang", "下载"),
        ("2025-06-30 23:59:59", "li", "登录"),
    ]
    assert (
        rows[2]["period"] == "2025-01-01 – 2025-06-30"
        and rows[1]["detail"] == "格式：csv；行数：2"
        and rows[0]["detail"] == "原因：无此用户"  # the program's words, in Chinese
    )
    assert note is None
    rows, _, _ = build_log(log, "wang", "download", date(2025, 7, 1), "en")
    assert [(r["user"], r["action"]) for r in rows] == [("wang", "Download")]
    english = build_log(log, None, None, None, "en")[0]
    assert [r["detail"] for r in english[:2]] == ["reason: unknown user", "format: csv, rows: 2"]
    rows, _, note = build_log(log, "nobody", None, None, "en")
    assert rows == [] and text(note) == "No entries match"
    assert [o["value"] for o in action_options("zh")] == list(audit.ACTIONS)


def test_the_local_user_and_a_download_in_chinese(engine):
    # what `xieshang demo` records: sign-in off, a file taken at its address
    audit.record(
        engine,
        "download",
        user="(sign-in off)",
        file="assessment.xlsx",
        detail={"via": "address", "filename": "清河县-考核评估.xlsx", "query": "?scope=330281"},
    )
    (row,) = build_log(engine, None, None, None, "zh")[0]
    assert (
        (row["user"], row["detail"])
        == (
            "（未启用登录）",
            "文件名：清河县-考核评估.xlsx；查询：?scope=330281；途径：下载地址",  # keys as stored, sorted
        )
    )


def test_the_page_layout_with_sign_in_off(engine):
    import dash

    from xieshang.dashboard.app import create_app

    create_app(engine)
    layout = dash.page_registry["pages.audit"]["layout"].__wrapped__
    tree = layout("zh")
    ids = {node.id for node in walk(tree) if isinstance(getattr(node, "id", None), str)}
    assert {"au-user", "au-action", "au-since", "au-grid", "au-note"} <= ids
    assert "审计日志" in text(tree)
