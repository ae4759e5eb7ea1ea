"""Once a load or a rebuild has committed on PostgreSQL, every mart is vacuumed: each of
its pages marked all-visible, so that the figures' index-only scans read no table pages
(xieshang.marts.visibility). A mart locked at that moment is skipped, not waited for,
and the connection keeps the server's settings. SQLite's file is left as it is."""

from __future__ import annotations

import sqlite3
import threading

import pytest
import sqlalchemy as sa

from tests.helpers.minimal_inbox import base_inbox, later_files, load
from xieshang import marts
from xieshang.warehouse import schema
from xieshang.warehouse.engine import open_warehouse

NAMES = [table.name for table in schema.MART_TABLES]


def _pages(engine: sa.Engine) -> dict[str, tuple[int, int]]:
    """Each mart's (pages, pages marked all-visible), as VACUUM last counted them."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT relname, relpages, relallvisible FROM pg_class "
                "WHERE relname = ANY(:names) AND relkind = 'r'"
            ),
            {"names": NAMES},
        ).all()
    return {name: (pages, visible) for name, pages, visible in rows}


@pytest.mark.postgres
def test_every_mart_is_vacuumed_after_a_load_an_update_and_a_rebuild(pg_databases, tmp_path):
    engine = open_warehouse(pg_databases.create())
    load(engine, base_inbox(tmp_path / "first"))  # the marts written whole
    # one page each, all of it visible; rolled-up days and resolution events of this
    # inbox fill no page
    filled = {name: (1, 1) for name in NAMES}
    filled["mart_resolution_events"] = (0, 0)
    assert _pages(engine) == filled
    load(engine, later_files(tmp_path / "later"))  # the touched partitions, in place
    assert _pages(engine) == filled
    with engine.connect() as conn:  # the later meeting is in the marts vacuumed
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(schema.mart_meetings)).scalar() == 3
        )
    assert marts.rebuild(engine)["was_fresh"] is True  # written anew and swapped in
    assert _pages(engine) == filled
    engine.dispose()


@pytest.mark.postgres
def test_a_locked_mart_is_skipped_not_waited_for(pg_databases, tmp_path):
    url = pg_databases.create()
    engine = open_warehouse(url)
    load(engine, base_inbox(tmp_path / "inbox"))
    with engine.begin() as conn:  # every mart written anew, none of it vacuumed yet
        marts.refresh(conn)
    unvacuumed = {name: (1, 0) for name in NAMES}
    unvacuumed["mart_resolution_events"] = (0, 0)
    assert _pages(engine) == unvacuumed
    holder = sa.create_engine(url)
    with holder.begin() as conn:  # as another VACUUM or the next load's swap would hold it
        conn.exec_driver_sql("LOCK TABLE mart_resolution_states IN SHARE UPDATE EXCLUSIVE MODE")
        vacuuming = threading.Thread(target=marts.vacuum, args=(engine,))
        vacuuming.start()
        vacuuming.join(timeout=30)
        waited = vacuuming.is_alive()
    vacuuming.join()
    assert not waited, "VACUUM waited for the locked mart"
    skipped = {name: (1, 1) for name in NAMES}
    skipped["mart_resolution_events"] = (0, 0)
    skipped["mart_resolution_states"] = (1, 0)
    assert _pages(engine) == skipped
    with engine.connect() as conn:  # the pooled connection as the server set it
        assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "0"
    engine.dispose()
    holder.dispose()


@pytest.mark.postgres
def test_a_vacuum_that_fails_leaves_the_load_committed(pg_databases, tmp_path):
    url = pg_databases.create()
    engine, admin = open_warehouse(url), sa.create_engine(url)

    def lose_the_connection(conn, cursor, statement, *args):
        if statement.startswith("VACUUM"):  # its server process ended, waited for
            with admin.connect() as other:
                other.execute(
                    sa.text("SELECT pg_terminate_backend(:pid, 10000)"),
                    {"pid": cursor.connection.info.backend_pid},
                )

    sa.event.listen(engine, "before_cursor_execute", lose_the_connection)
    report = load(engine, base_inbox(tmp_path / "inbox"))
    assert report["status"] == "committed"
    sa.event.remove(engine, "before_cursor_execute", lose_the_connection)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.meetings)).scalar() == 2
    assert _pages(engine)["mart_meetings"] == (1, 0)  # left to autovacuum
    engine.dispose()
    admin.dispose()


def test_sqlite_is_not_vacuumed(tmp_path):
    engine = open_warehouse(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    load(engine, base_inbox(tmp_path / "inbox"))
    watcher = sqlite3.connect(tmp_path / "warehouse.sqlite")  # sees others' writes
    version = watcher.execute("PRAGMA data_version").fetchone()
    marts.vacuum(engine)
    assert watcher.execute("PRAGMA data_version").fetchone() == version
    watcher.close()


@pytest.mark.postgres
def test_the_run_records_are_analysed_after_a_load(pg_databases, tmp_path):
    """The rejects, held rows, files and runs a load wrote have statistics once it has
    committed (where autovacuum is off, they would have none: a bad plan for the
    data-quality page's and 报送情况's joins of rejects to every file read)."""
    engine = open_warehouse(pg_databases.create())
    load(engine, base_inbox(tmp_path / "first"))
    load(engine, later_files(tmp_path / "later"))
    with engine.connect() as conn:
        for table in ("load_files", "load_runs"):
            count = conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()
            estimate = conn.execute(
                sa.text("SELECT reltuples FROM pg_class WHERE relname = :t AND relkind = 'r'"),
                {"t": table},
            ).scalar()
            assert count > 0 and estimate == count, table  # -1 when never analysed
    engine.dispose()
