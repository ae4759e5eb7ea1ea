"""Which load the marts reflect: the fingerprint of the committed loads, kept in `meta`,
with the committed run that last changed the warehouse's data (`DATA_RUN`: a load that
changed no row keeps it, so whatever was computed from the data stays valid).

Readers never write: one that finds the marts stale (a load that did not refresh them,
a warehouse written by an older release) raises `StaleMarts`.
"""

from __future__ import annotations

import json

from sqlalchemy import Connection, delete, func, insert, select

from xieshang.marts.days import from_day
from xieshang.warehouse import schema

MARTS_VERSION = 5
META_KEY = "marts"  # meta row: what the marts reflect (JSON)
VERSION_KEY = "marts_version"  # meta row: the layout of the mart tables
DATA_RUN = "data_run"  # in the META_KEY state: the committed run that last changed data


def fingerprint_query():
    """A scalar select naming the committed loads: 'count:last run_id'."""
    runs = schema.load_runs
    committed = runs.c.status == "committed"
    count = select(func.count()).select_from(runs).where(committed).scalar_subquery()
    last = (
        select(runs.c.run_id)
        .where(committed)
        .order_by(runs.c.finished_at.desc(), runs.c.run_id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return count, last


def make_fingerprint(count, last) -> str:
    return f"v{MARTS_VERSION}:{int(count or 0)}:{last or ''}"


def read_state(conn: Connection) -> dict | None:
    """What the marts last recorded ({"fingerprint", "max_report_day", DATA_RUN}), or
    None."""
    value = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == META_KEY)).scalar()
    return json.loads(value) if value else None


def _committed(conn: Connection) -> tuple[str, str | None]:
    """(the fingerprint of the committed loads, the last of them)."""
    count, last = conn.execute(select(*fingerprint_query())).one()
    return make_fingerprint(count, last), last


def current_fingerprint(conn: Connection) -> str:
    return _committed(conn)[0]


def is_fresh(conn: Connection) -> bool:
    state = read_state(conn)
    return state is not None and state.get("fingerprint") == current_fingerprint(conn)


class StaleMarts(RuntimeError):
    """The marts do not reflect the warehouse's last committed load; a reader refuses
    them rather than rebuild them inside a request."""

    def __init__(self) -> None:
        super().__init__(
            "the marts do not reflect the last load (a load that did not rebuild them, or "
            "a warehouse of another release); run `xieshang marts rebuild`"
        )


def _write_state(conn: Connection, state: dict) -> None:
    conn.execute(delete(schema.meta).where(schema.meta.c.key == META_KEY))
    conn.execute(insert(schema.meta).values(key=META_KEY, value=json.dumps(state)))


def restamp(conn: Connection, data_changed: bool = False) -> None:
    """Record the latest load without a rebuild, for a load that changed no row the marts
    are written from; `data_changed`: it changed others the figures read (the roster), so
    it is the run that last changed data — as it is taken to be when the marts name no
    such run (an earlier release wrote them): the next run over the same data keeps it."""
    state = read_state(conn) or {}
    state["fingerprint"], last = _committed(conn)
    if data_changed or not state.get(DATA_RUN):
        state[DATA_RUN] = last
    _write_state(conn, state)


def stamp(conn: Connection) -> None:
    """Record the latest load, as the run that last changed data, and the last report day,
    after the marts were written."""
    max_report = conn.execute(
        select(func.max(schema.mart_resolutions_current.c.updated_on))
    ).scalar()
    fingerprint, last = _committed(conn)
    _write_state(
        conn,
        {
            "fingerprint": fingerprint,
            "max_report_day": from_day(max_report).isoformat() if max_report is not None else None,
            DATA_RUN: last,
        },
    )
