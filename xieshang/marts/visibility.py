"""VACUUM the marts once a load or a rebuild has committed, on PostgreSQL.

The figures read the marts by index-only scans, which skip the table only for pages the
visibility map marks all-visible, and only VACUUM marks them: a mart just written has
none, so every index entry is checked against the table. Measured on a 10-county city
right after its first load (bench/bench_city.py, autovacuum off as on this project's
machines): the city's figures p95 68 ms and its callbacks p95 332 ms; after 1.2 s of
VACUUM over the marts, 36 and 177 ms. Autovacuum gets there too, but only when it
comes round (never, where it is off). The facts' tables are left to it: vacuuming them
changed no figure or callback beyond the run-to-run noise.

VACUUM cannot run inside a transaction, so this comes after the commit, in a connection
of its own, and sets nothing on it (through PgBouncer in transaction mode a session
setting would stay on a server connection that others then use). A mart locked at that
moment (by the next load's swap, say) is skipped rather than waited for, and a VACUUM
that fails (a lost connection, a server that refuses it) leaves the marts to autovacuum:
the load has committed, and stays so.

The run's records are analysed there too (`RECORDS`: the rejects, held rows, files and
runs a load writes, which the data-quality page and 报送情况 read). Their statistics are
otherwise autovacuum's, never made where it is off and not at once where it is on: with
none, the planner took a city's rejects of the new month for one row and joined each of
them to every file ever read again (the 报送情况 of a 10-county city: 19 s a request, over
60 s with four at once, against 0.1 s with statistics).
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from xieshang.warehouse import schema

RECORDS = (schema.rejects, schema.held_rows, schema.load_files, schema.load_runs)


def vacuum(engine: Engine) -> None:
    """VACUUM every mart that is not locked, and ANALYZE the run's records, on PostgreSQL
    (elsewhere nothing: SQLite has no visibility map, and its VACUUM rewrites the whole
    file)."""
    if engine.dialect.name != "postgresql":
        return
    names = ", ".join(table.name for table in schema.MART_TABLES)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # the records first: milliseconds, where the marts' VACUUM takes a second or more
            records = ", ".join(table.name for table in RECORDS)
            conn.exec_driver_sql(f"ANALYZE (SKIP_LOCKED) {records}")
            conn.exec_driver_sql(f"VACUUM (SKIP_LOCKED) {names}")
    except DBAPIError:
        pass  # why it is not an error: the module's docstring
