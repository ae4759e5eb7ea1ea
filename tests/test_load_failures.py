"""A run that fails is rolled back and then recorded (status failed, the error in one line
naming where the run was, counts that say nothing was committed) and listed on 数据质量;
runs that start together — first loads into a new warehouse, first uses of it — wait for
each other instead of failing, for as long as WRITE_WAIT_SECONDS."""

from __future__ import annotations

import json
import threading
import time
from datetime import date

import cachelib.simple
import pandas as pd
import pytest
import sqlalchemy as sa
from flask import Flask

from tests.helpers.inbox_files import write_csv, write_xlsx
from tests.helpers.minimal_inbox import (
    ATTENDANCE_HEADER,
    MEETING_HEADER,
    SECRET,
    TODAY,
    base_inbox,
    load,
)
from xieshang.cli import main
from xieshang.dashboard import data
from xieshang.dashboard.state import State
from xieshang.dashboard.views import data_quality as view
from xieshang.etl import load as load_module
from xieshang.etl import validate
from xieshang.etl.failure import Position, describe_failure
from xieshang.etl.load import run_load
from xieshang.etl.report import OUTCOMES
from xieshang.metrics import catalog
from xieshang.warehouse import engine as warehouse_engine
from xieshang.warehouse import schema
from xieshang.warehouse.engine import begin_write, ensure_schema, make_engine, open_warehouse

NOTHING = {
    kind: {**dict.fromkeys(OUTCOMES, 0), "released": {"joined": 0, "rejected": 0}}
    for kind in ("areas", "meetings", "attendance", "resolutions")
}
STRONG_SECRET = "cli-secret-0123456789"


def rows_of(engine, skip=("load_runs",)):
    """Every row of every table (the marts included) but `skip`, as sorted strings."""
    with engine.connect() as conn:
        return {
            t.name: sorted(tuple(map(str, r)) for r in conn.execute(sa.select(t)))
            for t in schema.metadata.sorted_tables
            if t.name not in skip
        }


def runs(engine):
    t = schema.load_runs
    with engine.connect() as conn:
        return conn.execute(sa.select(t.c.run_id, t.c.status, t.c.report)).all()


def later_inbox(root):
    """Two new meetings (one xlsx sheet) and one attendance row for one of them."""
    write_xlsx(
        root / "会议台账.xlsx",
        {
            "会议": [
                MEETING_HEADER,
                ["HY-8", "330281100201", "2025-06-01", "座谈会", "桥梁", "", "", "是", ""],
                ["HY-9", "330281100201", "2025-06-02", "听证会", "路灯", "", "", "否", ""],
            ]
        },
    )
    write_csv(
        root / "参会签到.csv",
        [ATTENDANCE_HEADER, ["HY-8", "330281100201", "330281199001011237", "钱七", "是", "乡贤"]],
    )
    return root


def crash_after_meetings(monkeypatch):
    """The meetings step writes its rows, then the disk is full."""
    original = load_module.Run.load_meetings

    def crash(self, rows, roster):
        original(self, rows, roster)
        raise RuntimeError("disk\nfull")

    monkeypatch.setattr(load_module.Run, "load_meetings", crash)


MEETINGS_CRASH = (
    "RuntimeError: disk (写入会议 merging meetings · 文件 file 会议台账.xlsx · 工作表 sheet 会议)"
)


def test_a_failure_mid_merge_is_rolled_back_then_recorded(engine, tmp_path, monkeypatch):
    load(engine, base_inbox(tmp_path / "inbox"))
    before, runs_before = rows_of(engine), runs(engine)
    crash_after_meetings(monkeypatch)
    report = run_load(engine, later_inbox(tmp_path / "later"), secret=SECRET, today=TODAY)

    assert report["status"] == "failed"
    assert report["error"] == MEETINGS_CRASH
    assert report["kinds"] == NOTHING
    assert report["files"]["loaded"] == []
    assert rows_of(engine) == before
    new = [r for r in runs(engine) if r not in runs_before]
    assert [(r.run_id, r.status) for r in new] == [(report["run_id"], "failed")]
    assert json.loads(new[0].report) == report


def test_a_failed_run_is_listed_with_its_error(engine, tmp_path, monkeypatch):
    load(engine, base_inbox(tmp_path / "inbox"))
    crash_after_meetings(monkeypatch)
    run_load(engine, later_inbox(tmp_path / "later"), secret=SECRET, today=TODAY)

    latest, first = catalog.load_runs(engine)
    assert (latest["status"], latest["error"], latest["files_loaded"]) == (
        "failed",
        MEETINGS_CRASH,
        0,
    )
    assert (latest["read"], latest["inserted"], latest["updated"]) == (0, 0, 0)
    assert (first["status"], first["error"]) == ("committed", None)
    rows, _, _ = view.build_runs(engine, State(None, date(2025, 1, 1), TODAY))
    assert (rows[0]["status"], rows[0]["error"]) == ("失败", MEETINGS_CRASH)


def test_the_cached_list_of_runs_shows_a_failed_run_at_once(engine, tmp_path, monkeypatch):
    app = Flask(__name__)
    data.init_cache(app)
    now = [time.time()]
    monkeypatch.setattr(cachelib.simple, "time", lambda: now[0])
    with app.app_context():
        load(engine, base_inbox(tmp_path / "inbox"))
        assert [r["status"] for r in data.load_runs(engine)] == ["committed"]
        crash_after_meetings(monkeypatch)
        run_load(engine, later_inbox(tmp_path / "later"), secret=SECRET, today=TODAY)
        now[0] += data.VERSION_SECONDS + 1  # the latest run is looked up again
        assert [r["status"] for r in data.load_runs(engine)] == ["failed", "committed"]


def test_a_database_error_is_one_line_without_sql(engine, tmp_path, monkeypatch):
    load(engine, base_inbox(tmp_path / "inbox"))
    original = load_module.Run.load_meetings

    def duplicate_area(self, rows, roster):
        self.conn.execute(
            sa.insert(schema.areas).values(
                area_code="330281000000",
                area_name="重复",
                level="county",
                party_members=1,
                run_id="x",
            )
        )
        original(self, rows, roster)

    monkeypatch.setattr(load_module.Run, "load_meetings", duplicate_area)
    report = run_load(engine, later_inbox(tmp_path / "later"), secret=SECRET, today=TODAY)
    error = report["error"]
    assert error.startswith(("IntegrityError: UNIQUE constraint failed", "UniqueViolation: "))
    assert error.endswith(
        "(写入会议 merging meetings · 文件 file 会议台账.xlsx · 工作表 sheet 会议)"
    )
    assert "\n" not in error and "INSERT" not in error and "[SQL" not in error


def test_a_failure_while_reading_names_the_file_and_sheet(engine, tmp_path, monkeypatch):
    before, runs_before = rows_of(engine), runs(engine)

    def broken(sheet, today, seq, township):
        raise ValueError("cannot judge this sheet")

    monkeypatch.setattr(validate, "check_sheet", broken)
    report = run_load(engine, later_inbox(tmp_path / "later"), secret=SECRET, today=TODAY)
    assert report["error"] == (
        "ValueError: cannot judge this sheet (读取 reading · 文件 file 会议台账.xlsx · 工作表 sheet 会议)"
    )
    assert report["kinds"] == NOTHING
    assert rows_of(engine) == before
    assert len(runs(engine)) == len(runs_before) + 1


def test_a_merge_over_many_files_names_the_first_and_counts_them():
    position = Position()
    position.merging(
        "attendance",
        pd.DataFrame(
            {
                "_path": ["a.csv", "a.csv", "b.xlsx", "b.xlsx", "c.csv", "d.csv"],
                "_sheet": [None, None, "签到", "补录", None, None],
                "_row": [2, 3, 2, 2, 2, 2],
            }
        ),
    )
    assert describe_failure(OSError("disk full"), position) == (
        "OSError: disk full (写入签到 merging attendance · 4 个文件 files: a.csv, b.xlsx, c.csv …)"
    )
    position.at("marts")
    assert (
        describe_failure(RuntimeError(), position)
        == "RuntimeError (刷新汇总表 refreshing the marts)"
    )


def test_the_cli_exits_1_with_one_line_and_the_report_says_failed(
    tmp_path, monkeypatch, capsys, db_url
):
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XIESHANG_SECRET", STRONG_SECRET)
    assert main(["load", str(base_inbox(tmp_path / "inbox")), "--db", db_url]) == 0
    capsys.readouterr()
    crash_after_meetings(monkeypatch)
    later = later_inbox(tmp_path / "later")

    assert main(["load", str(later), "--db", db_url]) == 1
    out, err = capsys.readouterr()
    assert err == f"xieshang: load failed, nothing was committed: {MEETINGS_CRASH}\n"
    assert "失败 failed" in out and f"错误 error: {MEETINGS_CRASH}\n" in out

    assert main(["load", str(later), "--db", db_url, "--json"]) == 1
    out, err = capsys.readouterr()
    report = json.loads(out)
    assert (report["status"], report["error"], report["kinds"]) == (
        "failed",
        MEETINGS_CRASH,
        NOTHING,
    )
    # standard output the report alone; standard error the same one line as without --json
    assert err == f"xieshang: load failed, nothing was committed: {MEETINGS_CRASH}\n"


# --- runs that start together ------------------------------------------------------------


def together(n, work):
    """Run `work(i)` in n threads released at the same moment; their results (or errors)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i):
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 — the test reports what each thread met
            results[i] = repr(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.parametrize("created", [False, True], ids=["new", "schema-only"])
def test_first_loads_at_once_both_commit(db_url, tmp_path, created):
    """Into a warehouse that does not exist yet, or exists without any load (where both
    runs would record the secret's fingerprint)."""
    if created:
        ensure_schema(make_engine(db_url))
    inboxes = [base_inbox(tmp_path / "a"), later_inbox(base_inbox(tmp_path / "b"))]
    engines = [make_engine(db_url) for _ in inboxes]

    def work(i):
        report = run_load(engines[i], inboxes[i], secret=SECRET, today=TODAY)
        return report["status"], report.get("error")

    try:
        assert together(2, work) == [("committed", None), ("committed", None)]
        with engines[0].connect() as conn:
            meta = dict(conn.execute(sa.select(schema.meta.c.key, schema.meta.c.value)).all())
            meetings = conn.execute(sa.select(sa.func.count()).select_from(schema.meetings))
            assert meetings.scalar_one() == 4
        assert set(meta) >= {"schema_version", "secret_fingerprint"}
    finally:
        for engine in engines:
            engine.dispose()


def test_first_uses_at_once_create_the_warehouse_once(db_url):
    engines = together(3, lambda _i: open_warehouse(db_url))
    try:
        assert all(not isinstance(e, str) for e in engines), engines
        with engines[0].connect() as conn:
            versions = conn.execute(
                sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
            ).all()
        assert [v for (v,) in versions] == [str(schema.SCHEMA_VERSION)]
    finally:
        for engine in engines:
            if not isinstance(engine, str):
                engine.dispose()


def test_a_load_waits_for_another_writer_only_so_long(db_url, tmp_path, monkeypatch):
    monkeypatch.setattr(warehouse_engine, "WRITE_WAIT_SECONDS", 1)
    holder, waiting = open_warehouse(db_url), make_engine(db_url)
    inbox = base_inbox(tmp_path)
    try:
        with begin_write(holder):
            started = time.monotonic()
            report = run_load(waiting, inbox, secret=SECRET, today=TODAY)
            waited = time.monotonic() - started
        assert report["status"] == "failed"
        assert "(等待其他导入结束 waiting for another load to end)" in report["error"]
        assert 1 <= waited < 10
        # once it holds the lock, the run's own statements wait as the server says
        with begin_write(waiting) as conn:
            if conn.dialect.name == "postgresql":
                assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "0"
        assert run_load(waiting, inbox, secret=SECRET, today=TODAY)["status"] == "committed"
    finally:
        holder.dispose()
        waiting.dispose()


def terminated_load(script: str, tmp_path, monkeypatch, capsys) -> tuple:
    """A first load committed, then a later one run by `script` (which SIGTERMs itself):
    its exit and its one line checked; the warehouse, its rows before the later load and
    the seconds the later load took."""
    import os
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XIESHANG_SECRET", STRONG_SECRET)
    assert main(["load", str(base_inbox(tmp_path / "inbox")), "--db", url]) == 0
    capsys.readouterr()
    engine = make_engine(url)
    before = rows_of(engine)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", script, str(later_inbox(tmp_path / "later")), url],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert (done.returncode, done.stderr) == (
        143,
        "xieshang: 已中断 interrupted: nothing more was done\n",
    )
    return engine, before, time.monotonic() - started


TERMINATED_MID_MERGE = """
import os, signal, sys, time
from xieshang.cli import main
from xieshang.etl import load

original = load.Run.load_meetings

def stopped(self, rows, roster):  # the meetings written, then `kill` (SIGTERM) by hand
    original(self, rows, roster)
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(30)

load.Run.load_meetings = stopped
sys.exit(main(["load", sys.argv[1], "--db", sys.argv[2]]))
"""


def test_a_load_ended_by_sigterm_rolls_back_says_so_and_is_listed(tmp_path, monkeypatch, capsys):
    """SIGTERM (`kill`, `timeout`, a service's stop) is answered as Ctrl-C: the run rolled
    back, one line said, the run listed as failed. Python's default ended the process
    there and then, silently, and the run was in no list."""
    engine, before, _ = terminated_load(TERMINATED_MID_MERGE, tmp_path, monkeypatch, capsys)
    assert rows_of(engine) == before
    failed = [json.loads(r) for _, status, r in runs(engine) if status == "failed"]
    assert [r["error"] for r in failed] == [
        "已中断 interrupted (Ctrl-C or SIGTERM) (写入会议 merging meetings · 文件 file "
        "会议台账.xlsx · 工作表 sheet 会议)"
    ]
    engine.dispose()


TERMINATED_MID_SELECT = """
import os, signal, sys
from sqlalchemy import Engine, event
from xieshang.cli import main
from xieshang.etl import load
from xieshang.warehouse import engine as warehouse_engine

warehouse_engine.WRITE_WAIT_SECONDS = 5  # the run's failure waited this long, then was lost
original = load.Run.load_dependent
merging = []

def attendance_next(self, kind, rows, roster):
    merging.append(kind)
    original(self, kind, rows, roster)

def stopped(conn, cursor, statement, parameters, context, executemany):
    # `kill` while SQLite answers a statement with rows to give (the attendance's meetings
    # looked up): the handler runs as the statement returns, before its rows are fetched
    if merging == ["attendance"] and "FROM meetings" in statement:
        merging.append("stopped")
        os.kill(os.getpid(), signal.SIGTERM)

load.Run.load_dependent = attendance_next
event.listen(Engine, "after_cursor_execute", stopped)
sys.exit(main(["load", sys.argv[1], "--db", sys.argv[2]]))
"""


def test_a_load_ended_by_sigterm_during_a_read_lets_go_of_the_warehouse_at_once(
    tmp_path, monkeypatch, capsys
):
    """SIGTERM while a statement that returns rows runs: the connection was thrown away
    with its cursor open, and SQLite kept it, its transaction and the write lock, until the
    cursor was freed; the run's failure, recorded meanwhile, waited WRITE_WAIT_SECONDS (10
    minutes) for that lock, then was not recorded, and every other load and submission
    waited behind it."""
    engine, before, seconds = terminated_load(TERMINATED_MID_SELECT, tmp_path, monkeypatch, capsys)
    assert seconds < 5
    assert rows_of(engine) == before
    failed = [json.loads(r) for _, status, r in runs(engine) if status == "failed"]
    assert [r["error"] for r in failed] == [
        "已中断 interrupted (Ctrl-C or SIGTERM) (写入签到 merging attendance · 文件 file 参会签到.csv · "
        "第 2 行 row 2)"
    ]
    engine.dispose()


@pytest.mark.parametrize(
    ("error", "fix"),
    [
        ("QueryCanceled", "ALTER ROLE … SET statement_timeout = 0"),
        ("IdleInTransactionSessionTimeout", "idle_in_transaction_session_timeout = 0"),
        ("DiskFull", "the database server's disk is full"),
        ("LockNotAvailable", "another session held the tables this run writes (a pg_dump"),
        ("AdminShutdown", "the server ended the connection"),
        ("OperationalError", "the server ended the connection"),  # "the connection is lost"
    ],
)
def test_an_error_of_the_server_says_what_to_do(error, fix):
    """A run the server ended (a timeout of its settings, its disk full, the connection
    terminated) says what to do; the driver's words alone named no fix."""
    import psycopg.errors

    from xieshang.etl.failure import one_line

    words = "the connection is lost" if error == "OperationalError" else "it ended"
    cause = getattr(psycopg.errors, error)(words)
    line = one_line(sa.exc.OperationalError("COPY attendance …", {}, cause))
    assert line.startswith(f"{error}: {words} — ") and fix in line
    assert "\n" not in line and "COPY" not in line
