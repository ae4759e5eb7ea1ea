"""Backup and restore as docs/deploy.md gives them: a warehouse copied and restored into a
new database holds every row and answers every figure as the original did.

清河县 is loaded through the ETL, with a user of every role, rejected and held rows
(tests/helpers/scoped_county). PostgreSQL: `pg_dump --format=custom` and `pg_restore`
(this machine's binaries) into a database made for it. SQLite: the online backup API,
what the sqlite3 shell's `.backup` runs, taken while a reader holds the warehouse open.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers.inbox_county import (
    CHENGGUAN,
    COUNTY,
    DONGHU,
    JIEFANG,
    LIUSHU,
    LOAD_DAY,
    MEETINGS,
    SECRET,
    XINHUA,
    YANGJIA,
)
from tests.helpers.inbox_files import write_csv
from tests.helpers.scoped_county import county_with_users
from xieshang import metrics
from xieshang.etl.load import run_load
from xieshang.metrics import assessment, quality
from xieshang.warehouse import schema
from xieshang.warehouse.engine import open_warehouse

PERIOD = (date(2025, 1, 1), LOAD_DAY)  # the dashboard's default view of 清河县
AREAS = (COUNTY, CHENGGUAN, DONGHU, XINHUA, JIEFANG, LIUSHU, YANGJIA)


def _libpq(url: str) -> str:
    """The URL as pg_dump and pg_restore take it (libpq knows no `+psycopg`)."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _every_row(engine: sa.Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            table.name: sorted(tuple(map(repr, row)) for row in conn.execute(sa.select(table)))
            for table in schema.metadata.sorted_tables
        }


def _answers(engine: sa.Engine) -> dict:
    """What the dashboard and the exports read: every area's figures and its children's,
    the month-by-month series, the assessment of townships and of each township's
    villages, the data-quality counts."""
    return {
        "figures": {code: metrics.figures(engine, code, *PERIOD) for code in AREAS},
        "children": {code: metrics.figures_by_child(engine, code, *PERIOD) for code in AREAS},
        "months": metrics.monthly_series(engine, COUNTY, *PERIOD),
        "townships": assessment.assessment(engine, "township", COUNTY, *PERIOD).rows,
        "villages": {
            town: assessment.assessment(engine, "village", town, *PERIOD).rows
            for town in (CHENGGUAN, DONGHU)
        },
        "quality": quality.summary(engine, COUNTY, *PERIOD),
    }


def _check_hand_figures(engine: sa.Engine) -> None:
    """The figures tests/helpers/inbox_county.py works out by hand."""
    county = metrics.figures(engine, COUNTY, *PERIOD)
    assert county["meetings"] == 5 and county["overdue_open"] == 1
    assert county["implementation_rate"] == 2 / 3 and county["satisfaction"] == 86.0
    assert county["median_days_to_implement"] == 48.0
    towns = {r["area_code"]: r for r in metrics.figures_by_child(engine, COUNTY, *PERIOD)}
    assert (towns[CHENGGUAN]["meetings"], towns[DONGHU]["meetings"]) == (2, 3)
    assert quality.summary(engine, COUNTY, *PERIOD)["rejected_rows"] == 3


def _load_one_more_meeting(engine: sa.Engine, directory: Path) -> dict:
    inbox = directory / "next"
    row = ["HY-7", LIUSHU, "2025-06-18", "议事会", "小区停车", "道路交通", "群众提议", "是", "否"]
    write_csv(inbox / "会议台账.csv", [MEETINGS[0], row])
    return run_load(engine, inbox, secret=SECRET, today=LOAD_DAY)


@pytest.mark.slow
@pytest.mark.postgres
def test_a_pg_dump_restored_into_a_new_database_answers_as_the_original(pg_databases, tmp_path):
    source_url = pg_databases.create()
    source = open_warehouse(source_url)
    county_with_users(source, tmp_path)
    dump = tmp_path / "xieshang.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={dump}", _libpq(source_url)],
        check=True,
        capture_output=True,
    )
    target_url = pg_databases.create()
    subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            f"--dbname={_libpq(target_url)}",
            str(dump),
        ],
        check=True,
        capture_output=True,
    )
    restored = open_warehouse(target_url)

    assert _every_row(restored) == _every_row(source)
    assert len(_every_row(restored)["users"]) == 5
    _check_hand_figures(restored)
    assert _answers(restored) == _answers(source)

    # the restored warehouse takes the next load: its id sequences came back with it
    report = _load_one_more_meeting(restored, tmp_path)
    assert report["status"] == "committed"
    assert report["kinds"]["meetings"]["inserted"] == 1
    with restored.connect() as conn:
        new_id = conn.execute(
            sa.select(schema.meetings.c.id).where(schema.meetings.c.meeting_id == "HY-7")
        ).scalar_one()
    assert new_id == 8  # after the 7 meetings restored
    assert metrics.figures(restored, COUNTY, *PERIOD)["meetings"] == 6
    assert metrics.figures(source, COUNTY, *PERIOD)["meetings"] == 5
    source.dispose()
    restored.dispose()


@pytest.mark.slow
def test_a_sqlite_backup_taken_while_it_is_read_answers_as_the_original(tmp_path):
    path = tmp_path / "warehouse.sqlite"
    source = open_warehouse(f"sqlite:///{path}")
    county_with_users(source, tmp_path)
    copy = tmp_path / "backup.sqlite"
    with source.connect() as reading:  # the dashboard reading meanwhile
        reading.execute(sa.select(schema.meetings)).all()
        original, backup = sqlite3.connect(path), sqlite3.connect(copy)
        original.backup(backup)
        original.close()
        backup.close()
    restored = open_warehouse(f"sqlite:///{copy}")

    assert _every_row(restored) == _every_row(source)
    _check_hand_figures(restored)
    assert _answers(restored) == _answers(source)
    assert _load_one_more_meeting(restored, tmp_path)["status"] == "committed"
    assert metrics.figures(restored, COUNTY, *PERIOD)["meetings"] == 6
    source.dispose()
    restored.dispose()


def _killed_after_writing(path: Path) -> None:
    """A server or load that wrote to the warehouse after the backup and was killed
    (kill -9, the machine's power): its changes are in warehouse.sqlite-wal alone."""
    code = (
        "import os, signal, sqlite3\n"
        f"db = sqlite3.connect({str(path)!r})\n"
        "db.execute('PRAGMA wal_autocheckpoint = 0')\n"
        "db.execute('UPDATE users SET active = 0')\n"
        "db.execute('DELETE FROM audit_log')\n"
        "db.commit()\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=False, timeout=60)
    assert path.with_name(path.name + "-wal").stat().st_size > 0


@pytest.mark.slow
def test_a_sqlite_backup_restored_in_place_after_a_crash_is_the_backup(tmp_path):
    """Restored as docs/deploy.md says, over the warehouse a killed process left: copied
    in place, as the page said, the backup had the killed process's WAL replayed onto it
    at the next open, and the 'restored' warehouse held every change made after the
    backup (its users disabled, its audit log gone)."""
    path = tmp_path / "warehouse.sqlite"
    source = open_warehouse(f"sqlite:///{path}")
    county_with_users(source, tmp_path)
    rows, answers = _every_row(source), _answers(source)
    copy = tmp_path / "backup.sqlite"
    original, backup = sqlite3.connect(path), sqlite3.connect(copy)
    original.backup(backup)
    original.close()
    backup.close()
    source.dispose()
    _killed_after_writing(path)

    # the restore: `sqlite3 warehouse.sqlite ".restore 'backup.sqlite'"`, the backup API
    backup, warehouse = sqlite3.connect(copy), sqlite3.connect(path)
    backup.backup(warehouse)
    warehouse.close()
    backup.close()
    restored = open_warehouse(f"sqlite:///{path}")
    assert _every_row(restored) == rows and len(rows["audit_log"]) == 5
    assert _answers(restored) == answers
    restored.dispose()
