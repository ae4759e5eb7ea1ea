"""Data-quality signals for the dashboard's 数据质量 page.

* `party_participation_over_100` — units whose Party participation is above 100% (more
  distinct Party members attended than are registered: a roster that is out of date, or
  members of other units counted as this unit's);
* `missing_months` — (village, calendar month) pairs in a period with no meeting hosted
  by the village (nothing submitted for that month);
* `held_and_rejected` — per township, rows waiting for their meeting (held) and rows
  rejected by the contract;
* `status_regressions` — resolutions whose status went backwards between two reports
  (implemented → in progress …): the latest report wins in every figure, and this
  lists them so that nobody is surprised;
* `due_dates_moved_later` — resolutions whose due date moved later between reports.

Every function takes a scope (an area code: it and everything below it) and returns
plain rows (dicts), ordered for display; `summary` counts them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, Engine, and_, func, select

from xieshang import marts, metrics, schema
from xieshang.metrics import NO_FILTERS, Filters

LEVEL_ORDER = {"city": 0, "county": 1, "township": 2, "village": 3}


def _names(conn: Connection, low: str, high: str) -> dict[str, tuple[str, str]]:
    ar = schema.areas
    rows = conn.execute(
        select(ar.c.area_code, ar.c.area_name, ar.c.level).where(ar.c.area_code.between(low, high))
    )
    return {code: (name, level) for code, name, level in rows}


def party_participation_over_100(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
) -> list[dict]:
    """The scope and every township and village in it whose party_participation_rate
    is above 1, highest first."""
    scope = metrics.normalize_code(scope)
    keys = ["party_participation_rate"]
    rows = [metrics.figures(bind, scope, start, end, filters, keys=keys)]
    rows[0] = {**rows[0], "area_code": scope, "area_name": rows[0]["scope_name"]}
    rows[0]["level"] = schema.level_of(scope)
    scope_rank = LEVEL_ORDER[schema.level_of(scope)]
    for level in ("township", "village"):
        if LEVEL_ORDER[level] > scope_rank:
            rows += metrics.figures_by_child(
                bind, scope, start, end, filters, level=level, keys=keys
            )
    out = []
    for row in rows:
        rate = row["party_participation_rate"]
        if rate is not None and rate > 1:
            out.append(
                {
                    "area_code": row["area_code"],
                    "area_name": row["area_name"],
                    "level": row["level"],
                    "party_members_attending": row["counts"]["party_members_attending"],
                    "party_members_registered": row["counts"]["party_members_registered"],
                    "party_participation_rate": rate,
                }
            )
    return sorted(out, key=lambda r: (-r["party_participation_rate"], r["area_code"]))


def missing_months(bind: Engine | Connection, scope: str, start: date, end: date) -> list[dict]:
    """(village, month) pairs of the period without a meeting hosted by the village
    (whatever the filters), by month then code; a month cut by the period counts only
    its days inside the period."""
    scope = metrics.normalize_code(scope)
    low, high = schema.scope_range(scope)
    mm, ar = schema.mart_meetings, schema.areas
    with metrics._session(bind) as (conn, ctx):
        slices = metrics.month_slices(start, end, ctx.last_load)
        villages = conn.execute(
            select(ar.c.area_code, ar.c.area_name)
            .where(ar.c.area_code.between(low, high), ar.c.level == "village")
            .order_by(ar.c.area_code)
        ).all()
        held = set(
            conn.execute(
                select(mm.c.area_code, mm.c.month)
                .distinct()
                .where(
                    mm.c.area_code.between(low, high),
                    mm.c.is_village.is_(True),
                    mm.c.meeting_date.between(marts.to_day(start), marts.to_day(end)),
                )
            ).all()
        )
    out = []
    for sl in slices:
        month = sl.start.year * 100 + sl.start.month
        for code, name in villages:
            if (code, month) not in held:
                out.append(
                    {
                        "month": f"{sl.start.year:04d}-{sl.start.month:02d}",
                        "area_code": code,
                        "area_name": name,
                        "township_code": schema.township_of(code),
                    }
                )
    return out


def held_and_rejected(bind: Engine | Connection, scope: str | None = None) -> list[dict]:
    """Per township: rows held now (waiting for their meeting), rows rejected over all
    runs and in the last committed run. Rows whose township is unknown are listed under
    township_code None when the scope is the whole roster (or None)."""
    held, rejects, runs = schema.held_rows, schema.rejects, schema.load_runs
    with metrics._conn(bind) as conn:
        root = metrics.root_area(conn)
        scope = metrics.normalize_code(scope) if scope else root
        whole = scope is None or scope == root
        low, high = schema.scope_range(scope) if scope else ("", "~")
        if scope and schema.level_of(scope) == "village":
            low = high = schema.township_of(scope)
        last_run = conn.execute(
            select(runs.c.run_id)
            .where(runs.c.status == "committed")
            .order_by(runs.c.finished_at.desc(), runs.c.run_id.desc())
            .limit(1)
        ).scalar()
        counts: dict[str | None, dict[str, int]] = {}

        def add(table, column: str, extra=None) -> None:
            where = [table.c.township_code.between(low, high)]
            if whole:
                where = [(table.c.township_code.is_(None)) | where[0]]
            if extra is not None:
                where.append(extra)
            query = (
                select(table.c.township_code, func.count())
                .where(and_(*where))
                .group_by(table.c.township_code)
            )
            for town, n in conn.execute(query):
                row = counts.setdefault(town, {"held": 0, "rejected": 0, "rejected_last_run": 0})
                row[column] = int(n)

        add(held, "held")
        add(rejects, "rejected")
        if last_run is not None:
            add(rejects, "rejected_last_run", rejects.c.run_id == last_run)
        names = _names(conn, *(schema.scope_range(scope) if scope else ("", "~")))
    out = [
        {
            "township_code": town,
            "area_name": names.get(town, (None, None))[0] if town else None,
            **values,
        }
        for town, values in counts.items()
    ]
    return sorted(out, key=lambda r: (r["township_code"] is None, r["township_code"] or ""))


def rejected_rows(
    bind: Engine | Connection, scope: str | None = None, limit: int = 1000
) -> list[dict]:
    """Rows rejected by the contract (every run), in the scope's townships (a village:
    its township; the whole roster also lists rows whose township is unknown), newest
    run first, then file and row number; at most `limit` rows."""
    rejects, runs = schema.rejects, schema.load_runs
    with metrics._conn(bind) as conn:
        root = metrics.root_area(conn)
        scope = metrics.normalize_code(scope) if scope else root
        whole = scope is None or scope == root
        low, high = schema.scope_range(scope) if scope else ("", "~")
        if scope and schema.level_of(scope) == "village":
            low = high = schema.township_of(scope)
        where = rejects.c.township_code.between(low, high)
        if whole:
            where = rejects.c.township_code.is_(None) | where
        rows = conn.execute(
            select(
                rejects.c.run_id,
                runs.c.loaded_on,
                rejects.c.kind,
                rejects.c.path,
                rejects.c.sheet,
                rejects.c.row_number,
                rejects.c.rule,
                rejects.c.column_name,
                rejects.c.value,
                rejects.c.reason_zh,
                rejects.c.reason_en,
                rejects.c.area_code,
                rejects.c.township_code,
            )
            .join(runs, runs.c.run_id == rejects.c.run_id)
            .where(where)
            .order_by(
                runs.c.finished_at.desc(),
                rejects.c.run_id.desc(),
                rejects.c.path,
                rejects.c.row_number,
                rejects.c.id,
            )
            .limit(limit)
        ).all()
        names = _names(conn, *(schema.scope_range(scope) if scope else ("", "~")))
    return [
        {
            **dict(row._mapping),
            "township_name": names.get(row.township_code, (None,))[0]
            if row.township_code
            else None,
        }
        for row in rows
    ]


def overdue_resolutions(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
) -> list[dict]:
    """The resolutions counted by overdue_open: hosted in the scope, open on as_of
    (min(end, last load)) and due before it, however old; with their meeting, content,
    responsible unit (the latest report on or before as_of) and days late; most days
    late first."""
    scope = metrics.normalize_code(scope)
    low, high = schema.scope_range(scope)
    st, mt, rr = schema.mart_resolution_states, schema.meetings, schema.resolution_reports
    with metrics._session(bind) as (conn, ctx):
        as_of = min(end, ctx.last_load) if ctx.last_load is not None else end
        a = marts.to_day(as_of)
        rows = conn.execute(
            select(
                st.c.area_code,
                st.c.resolution_id,
                st.c.due_date,
                mt.c.meeting_id,
                mt.c.meeting_date,
                mt.c.topic,
            )
            .join(mt, mt.c.id == st.c.meeting_pk)
            .where(
                st.c.area_code.between(low, high),
                st.c.valid_from <= a,
                st.c.valid_to > a,
                st.c.status == "open",
                st.c.due_date < a,
                *filters.where(st),
            )
        ).all()
        keys = {(r.area_code, r.resolution_id) for r in rows}
        latest: dict[tuple[str, str], tuple[str, str]] = {}
        if keys:
            reports = conn.execute(
                select(rr.c.area_code, rr.c.resolution_id, rr.c.content, rr.c.responsible_unit)
                .where(
                    rr.c.area_code.between(low, high),
                    rr.c.resolution_id.in_(sorted({k[1] for k in keys})),
                    rr.c.updated_on <= as_of,
                )
                .order_by(rr.c.updated_on)
            ).all()
            for rep in reports:
                latest[(rep.area_code, rep.resolution_id)] = (rep.content, rep.responsible_unit)
        names = _names(conn, low, high)
    out = []
    for r in rows:
        due = marts.from_day(r.due_date)
        content, unit = latest.get((r.area_code, r.resolution_id), (None, None))
        out.append(
            {
                "area_code": r.area_code,
                "area_name": names.get(r.area_code, (None,))[0],
                "township_code": schema.township_of(r.area_code),
                "resolution_id": r.resolution_id,
                "meeting_id": r.meeting_id,
                "meeting_date": r.meeting_date,
                "topic": r.topic,
                "content": content,
                "responsible_unit": unit,
                "due_date": due,
                "as_of": as_of,
                "days_late": (as_of - due).days,
            }
        )
    return sorted(out, key=lambda r: (-r["days_late"], r["area_code"], r["resolution_id"]))


def _events(
    bind: Engine | Connection, kind: str, scope: str, start: date | None, end: date | None
) -> list[dict]:
    ev = schema.mart_resolution_events
    scope = metrics.normalize_code(scope)
    low, high = schema.scope_range(scope)
    where = [ev.c.kind == kind, ev.c.area_code.between(low, high)]
    if start is not None:
        where.append(ev.c.updated_on >= start)
    if end is not None:
        where.append(ev.c.updated_on <= end)
    with metrics._session(bind) as (conn, _ctx):
        names = _names(conn, low, high)
        rows = conn.execute(
            select(
                ev.c.area_code,
                ev.c.resolution_id,
                ev.c.meeting_id,
                ev.c.previous_updated_on,
                ev.c.updated_on,
                ev.c.old_value,
                ev.c.new_value,
            )
            .where(*where)
            .order_by(ev.c.updated_on.desc(), ev.c.area_code, ev.c.resolution_id)
        ).all()
    return [
        {**dict(row._mapping), "area_name": names.get(row.area_code, (None,))[0]} for row in rows
    ]


def status_regressions(
    bind: Engine | Connection, scope: str, start: date | None = None, end: date | None = None
) -> list[dict]:
    """Reports (updated_on in [start, end]) whose status is behind the previous report's:
    old_value/new_value are the statuses, newest first."""
    return _events(bind, "status_backwards", scope, start, end)


def due_dates_moved_later(
    bind: Engine | Connection, scope: str, start: date | None = None, end: date | None = None
) -> list[dict]:
    """Reports (updated_on in [start, end]) whose due date is later than the previous
    report's: old_value/new_value are the ISO dates, newest first."""
    return _events(bind, "due_later", scope, start, end)


def summary(
    bind: Engine | Connection, scope: str, start: date, end: date, filters: Filters = NO_FILTERS
) -> dict[str, int]:
    """How many of each signal the scope has in the period."""
    held = held_and_rejected(bind, scope)
    return {
        "party_participation_over_100": len(
            party_participation_over_100(bind, scope, start, end, filters)
        ),
        "missing_months": len(missing_months(bind, scope, start, end)),
        "held_rows": sum(r["held"] for r in held),
        "rejected_rows": sum(r["rejected"] for r in held),
        "status_regressions": len(status_regressions(bind, scope, start, end)),
        "due_dates_moved_later": len(due_dates_moved_later(bind, scope, start, end)),
    }


__all__: Sequence[str] = (
    "due_dates_moved_later",
    "held_and_rejected",
    "missing_months",
    "overdue_resolutions",
    "party_participation_over_100",
    "rejected_rows",
    "status_regressions",
    "summary",
)
