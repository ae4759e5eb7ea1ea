"""Once a load or a rebuild has committed on PostgreSQL, every mart is vacuumed: each of
its pages marked all-visible, so that the figures' index-only scans read no table pages
(xieshang.marts.visibility). A mart locked past the timeout is left, the load still
committed, and the pooled connection goes back with the server's lock_timeout."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.helpers.inbox_files import write_csv
from tests.helpers.minimal_inbox import ATTENDANCE_HEADER, MEETING_HEADER, base_inbox, load
from xieshang import marts
from xieshang.marts import visibility
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


def _a_month_more(root):
    write_csv(
        root / "会议台账.csv",
        [
            MEETING_HEADER,
            ["HY-8", "330281100201", "2025-06-01", "座谈会", "桥梁", "", "", "是", ""],
        ],
    )
    write_csv(
        root / "参会签到.csv",
        [ATTENDANCE_HEADER, ["HY-8", "330281100201", "330281199001011237", "钱七", "是", "乡贤"]],
    )
    return root


@pytest.mark.postgres
def test_every_mart_is_vacuumed_after_a_load_an_update_and_a_rebuild(pg_databases, tmp_path):
    engine = open_warehouse(pg_databases.create())
    load(engine, base_inbox(tmp_path / "first"))  # the marts written whole
    # one page each, all of it visible; rolled-up days and resolution events of this
    # inbox fill no page
    filled = {name: (1, 1) for name in NAMES}
    filled["mart_resolution_events"] = (0, 0)
    assert _pages(engine) == filled
    load(engine, _a_month_more(tmp_path / "later"))  # the touched partitions, in place
    assert _pages(engine) == filled
    with engine.connect() as conn:  # the month's rows are in the marts that were vacuumed
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(schema.mart_meetings)).scalar() == 3
        )
    assert marts.rebuild(engine)["was_fresh"] is True  # written anew and swapped in
    assert _pages(engine) == filled
    engine.dispose()


@pytest.mark.postgres
def test_a_locked_mart_is_left_for_autovacuum(pg_databases, tmp_path, monkeypatch):
    url = pg_databases.create()
    load(open_warehouse(url), base_inbox(tmp_path / "inbox"))
    engine = sa.create_engine(url, pool_size=1, max_overflow=0)
    holder = sa.create_engine(url)
    monkeypatch.setattr(visibility, "LOCK_TIMEOUT", "100ms")
    with holder.begin() as conn:  # as another VACUUM or a load's swap would hold it
        conn.exec_driver_sql("LOCK TABLE mart_resolution_states IN SHARE UPDATE EXCLUSIVE MODE")
        assert marts.vacuum(engine) == ["mart_meetings", "mart_party_attendance"]
    with engine.connect() as conn:  # the pool's one connection, as the server set it
        assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "0"
    assert marts.vacuum(engine) == NAMES
    engine.dispose()
    holder.dispose()


def test_sqlite_is_not_vacuumed(tmp_path):
    engine = open_warehouse(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    load(engine, base_inbox(tmp_path / "inbox"))
    assert marts.vacuum(engine) == []
