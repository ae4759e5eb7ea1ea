"""Writing the marts inside the caller's transaction: all of them (`refresh`), or only the
partitions a load touched (`update`), with the same result; `rebuild` for the command.

An update deletes the touched partitions and writes them again with the statements of a
full refresh restricted to them (`xieshang.marts.scope`), so a monthly load costs time in
proportion to the month, not to the warehouse. When a load touched a large share of the
meetings (a first load) or of the Party-attendance rows (corrections to the first
months), one full refresh is quicker than the partitions one by one; on PostgreSQL it
writes filled marts anew beside the old ones (`xieshang.warehouse.swap`).
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, delete, func, insert, select

from xieshang.marts import fill, rollup
from xieshang.marts.days import to_day
from xieshang.marts.freshness import (
    MARTS_VERSION,
    VERSION_KEY,
    fingerprint_query,
    is_fresh,
    restamp,
    stamp,
)
from xieshang.marts.scope import (
    ANCHORS,
    DAYS,
    PARTS,
    PERSONS,
    RESOLUTIONS,
    Changes,
    drop_scope,
    party_share,
    write_scope,
)
from xieshang.marts.visibility import vacuum
from xieshang.warehouse import schema
from xieshang.warehouse.bulk import built_after
from xieshang.warehouse.swap import written_anew

# A load that touches more of the meetings than this, or whose Party members' rows from
# their first change on are more of mart_party_attendance, refreshes every mart: the
# touched partitions cost more to write than all of them (3-county city, marts: 18 % of
# the meetings, its last months, 9.9 s against 20.8 s for all; 40 %, 17.4 against 28.8 s;
# its first months, 18 % of the meetings but nearly every Party member's rows, 32.9
# against 19.2 s)
FULL_SHARE = 0.5
_PG_LOCK_KEY = 7_305_118_001  # advisory lock serialising refreshes on PostgreSQL


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_PG_LOCK_KEY)))


def _layout_is_current(conn: Connection) -> bool:
    meta = schema.meta
    version = conn.execute(select(meta.c.value).where(meta.c.key == VERSION_KEY)).scalar()
    return version == str(MARTS_VERSION)


def _forget_statistics(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        # The statements of xieshang.metrics are written for SQLite's planner without
        # statistics (stale or present ones can make it prefer skip-scans): drop any.
        has_stats = conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).scalar()
        if has_stats:
            conn.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl LIKE 'mart%'")


def refresh(conn: Connection) -> None:
    """Rebuild every mart from the warehouse tables, inside the caller's transaction."""
    _lock(conn)
    if not _layout_is_current(conn):
        # marts of another release (or none yet): their layout may differ
        meta = schema.meta
        schema.metadata.drop_all(conn, tables=list(schema.MART_TABLES), checkfirst=True)
        conn.execute(delete(meta).where(meta.c.key == VERSION_KEY))
        conn.execute(insert(meta).values(key=VERSION_KEY, value=str(MARTS_VERSION)))
    schema.metadata.create_all(conn, tables=list(schema.MART_TABLES))
    dialect = conn.dialect.name
    # filled marts written anew beside the old ones, which readers go on reading; empty
    # marts (a first load, a new layout, those beside): keys and indexes built once, after
    with written_anew(conn, schema.MART_TABLES), built_after(conn, schema.MART_TABLES):
        for table in schema.MART_TABLES:
            conn.execute(delete(table))
        fill.fill_meetings(conn, dialect)
        fill.fill_party_attendance(conn, dialect)
        fill.fill_resolutions(conn, dialect)
        fill.fill_events(conn)
        rollup.fill_rollups(conn, dialect)
    stamp(conn)
    _forget_statistics(conn)


def update(conn: Connection, changes: Changes) -> bool:
    """Bring marts that reflected the warehouse before a load up to date with what the
    load changed, inside its transaction (after its load_runs row). True when only the
    touched partitions were written, False when every mart was."""
    _lock(conn)
    if not changes:
        restamp(conn, data_changed=changes.roster)
        return True
    if not _layout_is_current(conn) or changes.new_city:
        refresh(conn)
        return False
    meetings = conn.execute(select(func.count()).select_from(schema.meetings)).scalar()
    if len(changes.touched_meetings()) > FULL_SHARE * meetings:
        refresh(conn)
        return False
    dialect = conn.dialect.name
    since = write_scope(conn, changes)
    if since is not None and party_share(conn) > FULL_SHARE:
        drop_scope(conn)
        refresh(conn)
        return False
    rollup.mark_days(conn, DAYS, PARTS, RESOLUTIONS)  # the rows as they were
    fill.delete_scope(conn, PARTS, PERSONS, RESOLUTIONS)
    fill.fill_meetings(conn, dialect, PARTS)
    if since is not None:
        fill.fill_party_attendance(conn, dialect, PERSONS, ANCHORS, since)
    fill.fill_resolutions(conn, dialect, RESOLUTIONS)
    fill.fill_events(conn, RESOLUTIONS)
    rollup.mark_days(conn, DAYS, PARTS, RESOLUTIONS)  # and as they are
    rollup.update_rollups(conn, dialect, DAYS, None if since is None else to_day(since))
    drop_scope(conn)
    stamp(conn)
    _forget_statistics(conn)
    return True


def rebuild(engine: Engine) -> dict:
    """Rebuild every mart in a transaction of its own (`xieshang marts rebuild`), then
    vacuum them (`xieshang.marts.visibility`).

    {"was_fresh": whether they already reflected the last load, "loads": the committed
    loads they now reflect, "last_run": the last of them (None without any), "rows":
    {mart table: rows}}."""
    with engine.begin() as conn:
        was_fresh = is_fresh(conn)
        refresh(conn)
        loads, last_run = conn.execute(select(*fingerprint_query())).one()
        rows = {
            table.name: int(conn.execute(select(func.count()).select_from(table)).scalar())
            for table in schema.MART_TABLES
        }
    vacuum(engine)
    return {"was_fresh": was_fresh, "loads": int(loads), "last_run": last_run, "rows": rows}
