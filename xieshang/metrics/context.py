"""The read context: a connection, what the warehouse holds, and whether the marts
reflect it. Reads never write: stale marts raise `StaleMarts` (naming the command that
rebuilds them) instead of being rebuilt inside a request.

A read runs several statements, each seeing what was committed when it began, so a load
committing in between would give figures half of one load and half of the next. A
session therefore notes the loads it began on, and ends by asking again: if a load
committed meanwhile, the read (a function marked `consistent`) runs again, on the new
load. That costs one small statement per read, and holds no lock a load would wait for
(a snapshot for the whole read would: on PostgreSQL, the marts a load writes anew replace
the old ones, whose new rows an older snapshot would not see)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import ParamSpec, TypeVar

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
    # the committed run that last changed data (marts.DATA_RUN); None when the marts
    # recorded none (written by an earlier release)
    data_run: str | None = None


def read_context(conn: Connection) -> tuple[Context, bool, tuple]:
    """The context of the warehouse, whether the marts reflect its last load, and which
    loads it holds (one round trip)."""
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
        data_run=state.get(marts.DATA_RUN) if state else None,
    )
    return ctx, fresh, (n_runs, last_run)


READ_ATTEMPTS = 3  # a read that saw loads commit while it ran is run this often at most
_CHECKED: ContextVar[bool] = ContextVar("xieshang_read_checked", default=False)
P = ParamSpec("P")
T = TypeVar("T")


class LoadCommitted(Exception):
    """A load committed while a session read: its statements may have seen both."""


@contextmanager
def session(bind: Engine | Connection) -> Iterator[tuple[Connection, Context]]:
    """A connection whose marts reflect the last load, with the warehouse's context.

    Raises marts.StaleMarts when they do not; and, inside a `consistent` read, raises
    LoadCommitted at its end when a load committed while it read."""
    with connect(bind) as conn:
        ctx, fresh, loads = read_context(conn)
        if not fresh:
            raise marts.StaleMarts()
        yield conn, ctx
        if (
            _CHECKED.get()
            and tuple(conn.execute(select(*marts.fingerprint_query())).one()) != loads
        ):
            raise LoadCommitted()


def consistent(read: Callable[P, T]) -> Callable[P, T]:
    """`read` (a function of the warehouse that reads it through `session`) run again
    when a load committed while it read, so that its answer is of one load; its last
    attempt's answer is taken as it is."""

    @functools.wraps(read)
    def again(*args: P.args, **kwargs: P.kwargs) -> T:
        if _CHECKED.get():  # within a consistent read already: that one runs it again
            return read(*args, **kwargs)
        for _ in range(READ_ATTEMPTS - 1):
            token = _CHECKED.set(True)
            try:
                return read(*args, **kwargs)
            except LoadCommitted:
                continue
            finally:
                _CHECKED.reset(token)
        return read(*args, **kwargs)

    return again
