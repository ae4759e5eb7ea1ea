"""Splits of a figure's own set that the charts show; they add no new definition.

* `days_to_implement_histogram` the days behind median_days_to_implement;
* `open_due_by_status`          the resolutions due and not implemented: overdue (the
                                marts' overdue rule), else by the status their report
                                gives (in progress / not started);
* `stakeholder_reach`           meetings reaching each stakeholder category, the
                                categories behind stakeholder_breadth.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, Engine, case, func, select

from xieshang import marts
from xieshang.contract.columns import STAKEHOLDER_CATEGORIES
from xieshang.metrics.areas import children, level_below, scope_info
from xieshang.metrics.compute import check_arguments, compute, num
from xieshang.metrics.context import consistent, session
from xieshang.metrics.filters import NO_FILTERS, Filters
from xieshang.metrics.periods import as_of_day, period
from xieshang.metrics.statements import (
    Builder,
    Scope,
    Shape,
    bind_values,
    code_prefix,
    each_period,
)
from xieshang.warehouse import schema
from xieshang.warehouse.codes import CHILD_LEVEL, LEVEL_PREFIX, level_of, scope_range

OPEN_STATUSES: tuple[str, ...] = ("in_progress", "not_started")
OPEN_PARTS: tuple[str, ...] = ("overdue", *OPEN_STATUSES)
"""How open_due_by_status splits the resolutions due and not implemented: overdue on
as_of first (whatever their status), the rest (due exactly on as_of) by status."""


@consistent
def days_to_implement_histogram(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
) -> list[tuple[int, int]]:
    """(days, resolutions) pairs, days ascending, of completed_date − meeting_date over
    the resolutions that median_days_to_implement counts. It runs that figure's own
    statement, so the median of these pairs is the figure, by construction."""
    code, keys = check_arguments(scope, start, end, ("median_days_to_implement",))
    with session(bind) as (conn, ctx):
        scope_info(conn, code)
        sl = period(start, end, ctx.last_load)
        raw, _ = compute(conn, ctx, Scope.of(code, ctx), [sl], None, filters, keys)
    # one slice, no grouping: one statement, one row per distinct number of days
    return sorted(raw.get((0, None), {}).get("days_histogram", ()))


def reported_on(states, as_of: date, column):
    """SQL: `column` (of schema.resolution_reports) of the report valid on as_of for each
    row of resolution states (a mart table), its latest on or before that day: one index
    probe per row on the report key. (A join to the reports on the latest day let the
    planner, misjudging how many states a city's filter keeps, hash every report of the
    warehouse: a 3-county city's overdue list 480 ms, a county's 380.)"""
    rr = schema.resolution_reports.alias("report")
    return (
        select(rr.c[column.name])
        .where(
            rr.c.area_code == states.c.area_code,
            rr.c.resolution_id == states.c.resolution_id,
            rr.c.updated_on <= as_of,
        )
        .order_by(rr.c.updated_on.desc())
        .limit(1)
        .scalar_subquery()
    )


@consistent
def open_due_by_status(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
    *,
    level: str | None = None,
) -> list[dict]:
    """For every child of `scope` (or area at `level` within it), in code order: of its
    resolutions due (as resolutions_due counts them) those not implemented on as_of —
    {"area_code", "overdue", "in_progress", "not_started"}, which add up to
    resolutions_due − implemented. "overdue" are those overdue on as_of by the marts'
    rule (`marts.overdue_on`, the rule of overdue_open: a leader must not read a
    resolution past its due date as merely 推进中); the others, due exactly on as_of, by
    the status their report valid on as_of gives. The marts keep both statuses as
    "open" (no figure tells them apart), so the status is read from the report itself,
    one index probe per open resolution."""
    code, _ = check_arguments(scope, start, end, ())
    st, rr = schema.mart_resolution_states, schema.resolution_reports
    with session(bind) as (conn, ctx):
        scope_info(conn, code)
        level = level or CHILD_LEVEL.get(level_of(code))
        if level is None:
            return []
        kids = children(conn, code, level)
        as_of = as_of_day(end, ctx.last_load)
        a = marts.to_day(as_of)
        width = LEVEL_PREFIX[level]
        group = (st.c.area_code if width == 12 else code_prefix(st.c.area_code, width)).label("g")
        status = reported_on(st, as_of, rr.c.status)
        part = case((marts.overdue_on(st, a), "overdue"), else_=status).label("part")
        low, high = scope_range(code)
        query = (
            select(group, part, func.count())
            .where(
                st.c.area_code.between(low, high),
                st.c.valid_from <= a,
                st.c.valid_to > a,
                st.c.status == "open",
                st.c.due_date.between(marts.to_day(start), a),
                *filters.where(st),
            )
            .group_by(group, part)
        )
        counts: dict[tuple[str, str], int] = {
            (g, status): int(n) for g, status, n in conn.execute(query)
        }
    return [
        {
            "area_code": child,
            **{name: counts.get((child[:width], name), 0) for name in OPEN_PARTS},
        }
        for child, _ in kids
    ]


@functools.lru_cache(maxsize=64)
def _reach_statement(shape: Shape) -> tuple[object, int]:
    """SELECT [group,] meetings, then per stakeholder category k the meetings whose
    stakeholder_mask has bit k, over the meetings in scope (the figures' own scope and
    filter predicates)."""
    mm = schema.mart_meetings

    def make(build: Builder):
        p = build.period
        columns = [func.count()] + [
            func.sum(case((mm.c.stakeholder_mask.bitwise_and(1 << k) != 0, 1), else_=0))
            for k in range(len(STAKEHOLDER_CATEGORIES))
        ]
        return build.select(mm, columns, [mm.c.meeting_date.between(p.s, p.e)])

    return each_period(shape, "m", 1, make)


def _reach_counts(row: Sequence) -> dict:
    meetings, *hits = row
    return {
        "meetings": num(meetings),
        "reached": {c: num(n) for c, n in zip(STAKEHOLDER_CATEGORIES, hits, strict=True)},
    }


@consistent
def stakeholder_reach(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
    *,
    level: str | None = None,
) -> dict:
    """How many meetings reached each stakeholder category (at least one attendee of
    it), for the scope and for each of its children (or each area at `level` within it).

    {"scope", "scope_name", "from", "to", "as_of", "meetings", "reached": {category:
    meetings} for every STAKEHOLDER_CATEGORIES code, "children": [{"area_code",
    "area_name", "level", "meetings", "reached"}] in code order}. The scope's totals
    count its own meetings (a township's), not only its children's. The categories
    with reached > 0 are those stakeholder_breadth counts, scope by scope."""
    code, _ = check_arguments(scope, start, end, ())
    reach = frozenset({"reach"})
    with session(bind) as (conn, ctx):
        info = scope_info(conn, code)
        level = level_below(code, level)
        kids = children(conn, code, level) if level else []
        sl = period(start, end, ctx.last_load)
        where = Scope.of(code, ctx)
        params = bind_values(where, filters, [(0, sl)])
        query, _ = _reach_statement(Shape.of(where, None, filters, reach))
        total = _reach_counts(conn.execute(query, params).one())
        by_group = {}
        if kids:
            width = LEVEL_PREFIX[level]
            query, _ = _reach_statement(Shape.of(where, width, filters, reach))
            by_group = {g: _reach_counts(rest) for g, *rest in conn.execute(query, params)}
    no_meetings = [0] * (len(STAKEHOLDER_CATEGORIES) + 1)  # a child without meetings
    rows = [
        {
            "area_code": child,
            "area_name": name,
            "level": level,
            **(by_group.get(child[: LEVEL_PREFIX[level]]) or _reach_counts(no_meetings)),
        }
        for child, name in kids
    ]
    return {
        "scope": code,
        "scope_name": info["area_name"],
        "from": start,
        "to": end,
        "as_of": sl.as_of,
        **total,
        "children": rows,
    }
