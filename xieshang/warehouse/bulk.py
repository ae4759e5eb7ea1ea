"""Bulk writes into empty tables on PostgreSQL: their keys and indexes built once after
the write, not kept up row by row during it.

A first load COPYs millions of rows into empty tables and its refresh fills the empty
marts with INSERT … SELECT. Keeping a table's keys and indexes up to date row by row
costs more than the write itself (attendance, 2.8 M rows: 7.0 s with its primary key and
index, 1.5 s without, then 1.6 s to build both; each foreign key checked row by row
takes three times the COPY). Built after the write, each index is one sort and each
foreign key one join.

Only tables that are empty for every reader and whose owner the run's user is are
changed. A primary or
unique key that a foreign key of any table refers to stays. The statements are the
caller's transaction's: a rollback brings every key and index back as it was; readers of
those tables wait for the commit (there is nothing to read yet). Elsewhere than
PostgreSQL nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from sqlalchemy import Connection, Table, text

# dropped in this order, built again in the reverse: foreign keys, plain indexes, keys
_CONSTRAINTS = text(
    "SELECT c.conname, pg_get_constraintdef(c.oid), c.contype FROM pg_constraint c "
    "WHERE c.conrelid = to_regclass(:name) AND (c.contype = 'f' OR (c.contype IN ('p', 'u') "
    "AND NOT EXISTS (SELECT FROM pg_constraint r WHERE r.contype = 'f' "
    "AND r.conindid = c.conindid))) ORDER BY c.contype = 'f' DESC, c.conname"
)
_INDEXES = text(
    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
    "JOIN pg_class i ON i.oid = x.indexrelid "
    "WHERE x.indrelid = to_regclass(:name) "
    "AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = x.indexrelid) "
    "ORDER BY i.relname"
)


def _writable_and_empty(conn: Connection, name: str) -> bool:
    """Owned by the run's user, and empty for every reader: no row, and none that this
    transaction deleted (other readers still see those until it commits)."""
    owned = conn.execute(
        text(
            "SELECT pg_has_role(relowner, 'USAGE') AND pg_stat_get_xact_tuples_deleted(oid) = 0 "
            "FROM pg_class WHERE oid = to_regclass(:n)"
        ),
        {"n": name},
    ).scalar()
    return bool(owned) and conn.exec_driver_sql(f"SELECT NOT EXISTS (SELECT FROM {name})").scalar()


@contextmanager
def built_after(conn: Connection, tables: Sequence[Table]) -> Iterator[None]:
    """Around a bulk write into `tables`: the keys, foreign keys and indexes of those that
    are empty (and the run's user owns) dropped, then built again as they were."""
    if conn.dialect.name != "postgresql":
        yield
        return
    prepare = conn.dialect.identifier_preparer
    rebuild: list[str] = []
    for table in tables:
        name = prepare.format_table(table)
        if not _writable_and_empty(conn, name):
            continue
        constraints = conn.execute(_CONSTRAINTS, {"name": name}).all()
        indexes = conn.execute(_INDEXES, {"name": name}).all()
        for key, definition, kind in constraints:
            if kind == "f":
                conn.exec_driver_sql(f"ALTER TABLE {name} DROP CONSTRAINT {prepare.quote(key)}")
                rebuild.append(
                    f"ALTER TABLE {name} ADD CONSTRAINT {prepare.quote(key)} {definition}"
                )
        for index, definition in indexes:
            conn.exec_driver_sql(f"DROP INDEX {prepare.quote(index)}")
            rebuild.append(definition)
        for key, definition, kind in constraints:
            if kind != "f":
                conn.exec_driver_sql(f"ALTER TABLE {name} DROP CONSTRAINT {prepare.quote(key)}")
                rebuild.append(
                    f"ALTER TABLE {name} ADD CONSTRAINT {prepare.quote(key)} {definition}"
                )
    yield
    for statement in reversed(rebuild):
        conn.exec_driver_sql(statement)
