"""The read context: a connection, what the warehouse holds, and whether the marts
reflect it. Reads never write: stale marts raise `StaleMarts` (naming the command that
rebuilds them) instead of being rebuilt inside a request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine, func, select

from xieshang import marts
from xieshang.warehouse import schema


@contextmanager
def connect(bind: Engine | Connection) -> Iterator[Connection]:
    """A connection: the caller's, or a new one of the engine for the block."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            yield conn
    else:
        yield bind


def last_load_day(bind: Engine | Connection) -> date | None:
    """The day of the last committed load (load_runs.loaded_on), or None."""
    runs = schema.load_runs
    with connect(bind) as conn:
        return conn.execute(
            select(func.max(runs.c.loaded_on)).where(runs.c.status == "committed")
        ).scalar()


@dataclass(frozen=True)
class Context:
    last_load: date | None
    max_report_day: date | None  # last report in the marts: on or after it, "current"
    area_min: str | None
    area_max: str | None


def read_context(conn: Connection) -> tuple[Context, bool]:
    """The context of the warehouse, and whether the marts reflect its last load (one
    round trip)."""
    runs, ar, meta = schema.load_runs, schema.areas, schema.meta
    count, last = marts.fingerprint_query()
    row = conn.execute(
        select(
            select(meta.c.value).where(meta.c.key == marts.META_KEY).scalar_subquery(),
            count,
            last,
            select(func.max(runs.c.loaded_on))
            .where(runs.c.status == "committed")
            .scalar_subquery(),
            select(func.min(ar.c.area_code)).scalar_subquery(),
            select(func.max(ar.c.area_code)).scalar_subquery(),
        )
    ).one()
    state_text, n_runs, last_run, last_load, area_min, area_max = row
    state = json.loads(state_text) if state_text else None
    fresh = state is not None and state.get("fingerprint") == marts.make_fingerprint(
        n_runs, last_run
    )
    max_report = state.get("max_report_day") if state else None
    if isinstance(last_load, str):  # defensive: raw strings from SQLite
        last_load = date.fromisoformat(last_load)
    ctx = Context(
        last_load=last_load,
        max_report_day=date.fromisoformat(max_report) if max_report else None,
        area_min=area_min,
        area_max=area_max,
    )
    return ctx, fresh


@contextmanager
def session(bind: Engine | Connection) -> Iterator[tuple[Connection, Context]]:
    """A connection whose marts reflect the last load, with the warehouse's context.

    Raises marts.StaleMarts when they do not."""
    with connect(bind) as conn:
        ctx, fresh = read_context(conn)
        if not fresh:
            raise marts.StaleMarts()
        yield conn, ctx
