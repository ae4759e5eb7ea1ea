"""The few warehouse reads the dashboard needs that are not figures (the figures are all
in xieshang.metrics): the area directory for the filter dropdowns and the data version
(the latest committed load run) that keys the dashboard's cache and shows its freshness.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, Engine, select

from xieshang import schema


def _rows(bind: Engine | Connection, query):
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            return conn.execute(query).all()
    return bind.execute(query).all()


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


def area_directory(bind: Engine | Connection) -> list[dict]:
    """Every roster area: {"area_code", "area_name", "level"}, in code order."""
    ar = schema.areas
    rows = _rows(
        bind,
        select(ar.c.area_code, ar.c.area_name, ar.c.level).order_by(ar.c.area_code),
    )
    return [{"area_code": c, "area_name": n, "level": lv} for c, n, lv in rows]
