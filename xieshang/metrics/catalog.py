"""The few warehouse reads the dashboard needs that are not figures (the figures are all
in xieshang.metrics): the area directory for the filter dropdowns, the data version
(the latest committed load run) that shows the data's freshness, the figures' version
(the run that last changed data, and the last load's day) that keys the dashboard's
cached figures, and where the data begin (so that no card compares with a period before
them).
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import Connection, Engine, func, select

from xieshang.metrics.context import connect, read_context
from xieshang.warehouse import schema


def _rows(bind: Engine | Connection, query):
    with connect(bind) as conn:
        return conn.execute(query).all()


def data_version(bind: Engine | Connection) -> tuple[str | None, date | None]:
    """(run_id, loaded_on) of the latest committed load, or (None, None)."""
    runs = schema.load_runs
    rows = _rows(
        bind,
        select(runs.c.run_id, runs.c.loaded_on)
        .where(runs.c.status == "committed")
        .order_by(runs.c.finished_at.desc(), runs.c.run_id.desc())
        .limit(1),
    )
    if not rows:
        return None, None
    run_id, loaded_on = rows[0]
    if isinstance(loaded_on, str):
        loaded_on = date.fromisoformat(loaded_on)
    return run_id, loaded_on


def figures_version(bind: Engine | Connection) -> tuple[str | None, date | None]:
    """What every figure depends on besides its arguments, in one round trip: the
    committed run that last changed the warehouse's data (a load over an unchanged inbox
    changes no figure), and the day of the last committed load (each period's as_of: a
    load on a later day moves it). The latest committed run in place of the first when
    the marts do not reflect the last load (readers refuse them) or recorded no such run."""
    with connect(bind) as conn:
        ctx, fresh, (_count, last_run) = read_context(conn)
    return (ctx.data_run if fresh else None) or last_run, ctx.last_load


def first_meeting_day(bind: Engine | Connection) -> date | None:
    """The date of the earliest meeting in the warehouse: where its data begin."""
    day = _rows(bind, select(func.min(schema.meetings.c.meeting_date)))[0][0]
    return date.fromisoformat(day) if isinstance(day, str) else day


def area_directory(bind: Engine | Connection) -> list[dict]:
    """Every roster area: {"area_code", "area_name", "level"}, in code order."""
    ar = schema.areas
    rows = _rows(
        bind,
        select(ar.c.area_code, ar.c.area_name, ar.c.level).order_by(ar.c.area_code),
    )
    return [{"area_code": c, "area_name": n, "level": lv} for c, n, lv in rows]


def latest_run(bind: Engine | Connection) -> str | None:
    """The run_id of the latest load run of any status (a failed run included), or None."""
    runs = schema.load_runs
    rows = _rows(
        bind,
        select(runs.c.run_id).order_by(runs.c.finished_at.desc(), runs.c.run_id.desc()).limit(1),
    )
    return rows[0][0] if rows else None


def load_runs(bind: Engine | Connection, limit: int = 50) -> list[dict]:
    """The latest load runs, newest first: when, status, files loaded and the rows read,
    inserted, updated, rejected and held over every kind (from the run report), and why a
    failed run failed (`error`, None for a committed run)."""
    runs = schema.load_runs
    rows = _rows(
        bind,
        select(
            runs.c.run_id,
            runs.c.started_at,
            runs.c.finished_at,
            runs.c.loaded_on,
            runs.c.operator,
            runs.c.status,
            runs.c.report,
        )
        .order_by(runs.c.finished_at.desc(), runs.c.run_id.desc())
        .limit(limit),
    )
    out = []
    for run_id, started, finished, loaded_on, operator, status, report in rows:
        try:
            parsed = json.loads(report) if report else {}
        except ValueError:
            parsed = {}
        kinds = parsed.get("kinds") or {}
        totals = {
            name: sum(int((k or {}).get(name) or 0) for k in kinds.values())
            for name in ("read", "inserted", "updated", "rejected", "held")
        }
        out.append(
            {
                "run_id": run_id,
                "started_at": started,
                "finished_at": finished,
                "loaded_on": loaded_on,
                "operator": operator,
                "status": status,
                "files_loaded": len((parsed.get("files") or {}).get("loaded") or []),
                **totals,
                "error": parsed.get("error"),
            }
        )
    return out
