"""Writing every row of filled tables anew on PostgreSQL: into empty tables of the same
names beside them, which take their place at the end of the caller's transaction.

Deleting a filled mart's rows and inserting them again keeps each of its indexes up row
by row: rebuilding every mart of the 3-county benchmark's warehouse took 40-50 s that way
and 25-27 s into empty tables whose keys and indexes are built once, after
(`xieshang.warehouse.bulk`), in the same run. So the new rows go into empty tables made in
a schema of their own, put first on the transaction's search path: each statement of the
transaction that names one of the tables reads and writes the new one. At the end the new
tables are analysed, the old ones locked all at once (`_lock`) and dropped, and the new
ones, their keys and indexes with them, moved into the old ones' schema.

Readers go on reading the old tables while the new ones are written; those that come
after the swap wait for the commit, a moment later. A rollback leaves the old tables as
they were. The privileges granted on an old table are granted on its new one. Only where
nothing else hangs on the tables (`_SWAPPABLE`): owned by the run's user, with no view,
foreign key, trigger, policy or publication on them and no settings of their own, on a
server without Citus (whose tables are distributed; a plain new one would not be), a
user who may create a schema and no schema of that name yet. Otherwise, and elsewhere
than PostgreSQL, nothing changes: the caller deletes and inserts.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import ARRAY, Connection, String, Table, bindparam, text
from sqlalchemy.exc import DBAPIError

from xieshang.warehouse.engine import (
    LOCK_NOT_AVAILABLE,
    LOCK_PAUSE_SECONDS,
    LOCK_TRY,
    WRITE_WAIT_SECONDS,
    set_lock_timeout,
)

NEXT_SCHEMA = "xieshang_next"
DEADLOCK = "40P01"  # PostgreSQL's SQLSTATE
LOCK_ATTEMPTS = 20

# every one of the tables: owned by the run's user; its privileges granted by its owner,
# the owner's own as a new table's, none on a column (the others are granted again on
# the new table: `_GRANTS`); nothing depending on it but its own row type, TOAST table,
# keys and indexes (a view, a foreign key of another table, a trigger, a policy, extended
# statistics, a publication would be dropped with it, or stop the drop); no comment on it,
# its columns, keys or indexes, no row security, storage options, tablespace, unlogged
# storage or replica identity of its own, no column statistics target or column options
# (but pg_attver, which some PostgreSQL builds set on every column themselves). A user who may create a schema, and none of the name the new
# tables take; no Citus.
_SWAPPABLE = text(
    "SELECT count(*) = cardinality(:names) "
    "AND coalesce(bool_and(c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) "
    "AND NOT EXISTS (SELECT FROM aclexplode(c.relacl) a WHERE a.grantor <> c.relowner) "
    "AND ARRAY(SELECT a.privilege_type FROM aclexplode(coalesce(c.relacl, "
    "acldefault('r', c.relowner))) a WHERE a.grantee = c.relowner ORDER BY 1) "
    "= ARRAY(SELECT a.privilege_type FROM aclexplode(acldefault('r', c.relowner)) a ORDER BY 1) "
    "AND NOT EXISTS (SELECT FROM pg_attribute t WHERE t.attrelid = c.oid AND t.attnum > 0 "
    "AND (t.attacl IS NOT NULL OR t.attstattarget >= 0 OR EXISTS (SELECT FROM "
    "unnest(t.attoptions) o WHERE split_part(o, '=', 1) <> 'pg_attver'))) "
    "AND NOT EXISTS (SELECT FROM pg_description e WHERE (e.classoid = 'pg_class'::regclass "
    "AND e.objoid IN (SELECT c.oid UNION ALL SELECT i.indexrelid FROM pg_index i "
    "WHERE i.indrelid = c.oid)) OR (e.classoid = 'pg_constraint'::regclass "
    "AND e.objoid IN (SELECT k.oid FROM pg_constraint k WHERE k.conrelid = c.oid))) "
    "AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.refclassid = 'pg_class'::regclass "
    "AND d.refobjid = c.oid AND d.deptype <> 'i' "
    "AND NOT (d.classid = 'pg_class'::regclass "
    "AND d.objid IN (SELECT i.indexrelid FROM pg_index i WHERE i.indrelid = c.oid)) "
    "AND NOT (d.classid = 'pg_constraint'::regclass AND d.objid IN "
    "(SELECT k.oid FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype IN ('p', 'u')))) "
    "AND NOT (c.relrowsecurity OR c.relforcerowsecurity) AND c.reloptions IS NULL "
    "AND c.reltablespace = 0 AND c.relpersistence = 'p' AND c.relreplident = 'd'), false) "
    "AND has_database_privilege(current_database(), 'CREATE') "
    "AND NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'citus') "
    "AND to_regnamespace(:beside) IS NULL "
    "FROM pg_class c WHERE c.oid = ANY(ARRAY(SELECT to_regclass(n) FROM unnest(:names) n))"
).bindparams(bindparam("names", type_=ARRAY(String)))

# a table's privileges granted to others than its owner: (privilege, grantee, grantable)
_GRANTS = text(
    "SELECT a.privilege_type, CASE a.grantee WHEN 0 THEN 'PUBLIC' "
    "ELSE a.grantee::regrole::text END, a.is_grantable "
    "FROM pg_class c, aclexplode(c.relacl) a "
    "WHERE c.oid = to_regclass(:name) AND a.grantee <> c.relowner ORDER BY 2, 1"
)


def _run(conn: Connection, statement: str) -> None:
    """A statement naming what the catalog names: a schema's or a role's name may hold a
    %, which the driver would read as a placeholder."""
    conn.exec_driver_sql(statement.replace("%", "%%"))


def _holds_rows(conn: Connection, names: Sequence[str]) -> bool:
    return any(conn.exec_driver_sql(f"SELECT EXISTS (SELECT FROM {n})").scalar() for n in names)


def _lock(conn: Connection, old: list[str]) -> None:
    """Every old table locked for the swap, in a savepoint. A reader that holds one of them
    and then asks for one already locked here closes a cycle, which PostgreSQL breaks by
    failing the waiter that finds it; when that is this run, only the savepoint fails:
    its locks go, the reader finishes, and the run asks again. Each try waits
    engine.LOCK_TRY at most, so that readers are never held behind the swap for longer
    than that while it waits for a long holder (pg_dump); after WRITE_WAIT_SECONDS the run
    fails (rolled back: the old marts stay)."""
    statement = f"LOCK TABLE {', '.join(old)} IN ACCESS EXCLUSIVE MODE"
    before = conn.execute(text("SELECT current_setting('lock_timeout')")).scalar()
    deadline = time.monotonic() + WRITE_WAIT_SECONDS
    deadlocks = 0
    while True:
        try:
            with conn.begin_nested():
                set_lock_timeout(conn, LOCK_TRY)
                _run(conn, statement)
                set_lock_timeout(conn, before)
            return
        except DBAPIError as exc:
            state = getattr(exc.orig, "sqlstate", None)
            if state == DEADLOCK:
                deadlocks += 1
                if deadlocks == LOCK_ATTEMPTS:
                    raise
            elif state != LOCK_NOT_AVAILABLE or time.monotonic() > deadline:
                raise
            time.sleep(LOCK_PAUSE_SECONDS)


@contextmanager
def written_anew(conn: Connection, tables: Sequence[Table]) -> Iterator[None]:
    """Around writing every row of `tables` (the caller deletes theirs first): on
    PostgreSQL, when one of them holds rows and nothing else hangs on them, empty tables
    of the same names made beside them, written instead and swapped in at the end."""
    if conn.dialect.name != "postgresql":
        yield
        return
    prepare = conn.dialect.identifier_preparer
    names = [prepare.format_table(table) for table in tables]
    if (
        not _holds_rows(conn, names)
        or not conn.execute(_SWAPPABLE, {"names": names, "beside": NEXT_SCHEMA}).scalar()
    ):
        yield
        return
    home = text("SELECT relnamespace::regnamespace::text FROM pg_class WHERE oid = to_regclass(:n)")
    homes = {name: conn.execute(home, {"n": name}).scalar() for name in names}
    grants = {name: conn.execute(_GRANTS, {"name": name}).all() for name in names}
    path = conn.execute(text("SELECT current_setting('search_path')")).scalar()
    beside = prepare.quote(NEXT_SCHEMA)
    conn.exec_driver_sql(f"CREATE SCHEMA {beside}")
    conn.execute(text("SELECT set_config('search_path', :p, true)"), {"p": f"{beside}, {path}"})
    for table in tables:
        table.create(conn)
    for name, granted in grants.items():
        for privilege, grantee, grantable in granted:
            option = " WITH GRANT OPTION" if grantable else ""
            _run(conn, f"GRANT {privilege} ON {beside}.{name} TO {grantee}{option}")
    yield
    # the old tables' statistics go with them: readers plan with the new ones' at once
    conn.exec_driver_sql(f"ANALYZE {', '.join(f'{beside}.{name}' for name in names)}")
    conn.execute(text("SELECT set_config('search_path', :p, true)"), {"p": path})
    _lock(conn, [f"{home}.{name}" for name, home in homes.items()])
    for name, home in homes.items():
        _run(conn, f"DROP TABLE {home}.{name}")
        _run(conn, f"ALTER TABLE {beside}.{name} SET SCHEMA {home}")
    conn.exec_driver_sql(f"DROP SCHEMA {beside}")
