"""Marts: the summaries of the warehouse that the metrics read (see schema.py, "Marts").

They hold nothing that is not in the cleaned tables. The load writes them inside its
transaction, after writing the rows and its committed `load_runs` row, so readers never
see tables and marts disagree: `update(conn, changes)` writes again only the partitions
the load touched, `refresh(conn)` all of them, with a handful of INSERT … SELECT
statements (the same on SQLite and PostgreSQL):

    with engine.begin() as conn:
        ...                       # write areas, meetings, attendance, reports, load_runs
        marts.update(conn, changes)

The marts record which load they reflect (the count and last id of committed runs, in
`meta`), and the run that last changed data: a load that changed no row keeps it.
Readers never write: one that finds them stale (a load that did not refresh, a
warehouse written by an older release) raises `StaleMarts`, and `rebuild(engine)` (the
command `xieshang marts rebuild`) brings them up to date. Once a load or a rebuild has
committed, `vacuum(engine)` marks the marts' pages all-visible on PostgreSQL
(`xieshang.marts.visibility`).
"""

from xieshang.marts.build import rebuild, refresh, update
from xieshang.marts.days import (
    FUTURE,
    OVERDUE_AFTER_DAYS,
    PAST,
    day_number,
    from_day,
    overdue_from,
    overdue_on,
    to_day,
)
from xieshang.marts.freshness import (
    DATA_RUN,
    MARTS_VERSION,
    META_KEY,
    VERSION_KEY,
    StaleMarts,
    fingerprint_query,
    is_fresh,
    make_fingerprint,
)
from xieshang.marts.scope import Changes
from xieshang.marts.visibility import vacuum

__all__ = [
    "DATA_RUN",
    "FUTURE",
    "MARTS_VERSION",
    "META_KEY",
    "OVERDUE_AFTER_DAYS",
    "PAST",
    "VERSION_KEY",
    "Changes",
    "StaleMarts",
    "day_number",
    "fingerprint_query",
    "from_day",
    "is_fresh",
    "make_fingerprint",
    "overdue_from",
    "overdue_on",
    "rebuild",
    "refresh",
    "to_day",
    "update",
    "vacuum",
]
