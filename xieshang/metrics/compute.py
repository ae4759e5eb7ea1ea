"""Every figure of metrics.md, computed in the database: the one definition that the
dashboard, `xieshang kpi` and the assessment exports all call.

A call names a scope (an area code: that area and everything below it), a period (first
and last day, both included) and optional filters (form, topic category, online). The
work is a constant number of aggregate queries (xieshang.metrics.statements, the same on
SQLite and PostgreSQL) over the marts, whatever the size of the scope:

* `figures`          one scope;
* `figures_by_child` one dict per child area (all townships of a county, all villages of a
                     township), in the same queries, grouped by the code prefix;
* `monthly_series`   one dict per calendar month of the period, each month a period of
                     its own with its own as_of.

All three run the same statements over "slices" (a period with its as_of) and "groups"
(a code prefix), and read each figure off its record (xieshang.metrics.definitions), so
a figure cannot differ between a chart, a table and an export.

Results are plain dicts: "scope", "from", "to", "as_of" (dates), every key of FIGURES
(rates as fractions, None where metrics.md says null), and "counts", the numerators and
denominators behind each figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, Engine

from xieshang.contract.columns import STAKEHOLDER_CATEGORIES
from xieshang.metrics.areas import children, level_below, scope_info
from xieshang.metrics.context import Context, consistent, session
from xieshang.metrics.definitions import FIGURES, RECORDS
from xieshang.metrics.filters import NO_FILTERS, Filters
from xieshang.metrics.periods import Slice, month_slices, period
from xieshang.metrics.statements import (
    RESOLUTION_STATEMENTS,
    Scope,
    Shape,
    bind_values,
    period_params,
    statements_for,
)
from xieshang.warehouse.codes import LEVEL_PREFIX, normalize_code

COUNT_ORDER: tuple[str, ...] = (
    "meetings",
    "meetings_led_by_party",
    "village_months_with_meeting",
    "village_months",
    "villages",
    "months",
    "party_members_attending",
    "party_members_registered",
    "party_attendance_rows",
    "attendance_rows",
    "meetings_covered",
    "stakeholder_categories",
    "resolutions_due",
    "implemented",
    "implemented_on_time",
    "overdue_open",
    "implemented_in_period",
    "satisfaction_scores",
    "resolutions_of_period_meetings",
    "escalated",
)
"""Every count a result's "counts" can hold, in the order it lists them."""


MONTHS_PER_STATEMENT = 120
"""The months of a monthly series that one statement covers (a UNION ALL of a branch
each): an address may ask for any period of the years 2000–2999, and 12,000 branches are
more than SQLite takes (500) or PostgreSQL binds (65,535 parameters)."""


def num(value) -> int:
    return int(value or 0)


def compute(
    conn: Connection,
    ctx: Context,
    scope: Scope,
    slices: Sequence[Slice],
    group_width: int | None,
    filters: Filters,
    keys: Sequence[str],
) -> tuple[dict, dict]:
    """Raw counts per (slice index, group), and per group for the roster. Each statement
    covers all slices and groups at once."""
    needs = frozenset().union(*(RECORDS[k].statements for k in keys))
    items = list(enumerate(slices))
    current, historic = [], []
    if needs & RESOLUTION_STATEMENTS:
        for index, sl in items:
            is_current = ctx.max_report_day is None or sl.as_of >= ctx.max_report_day
            (current if is_current else historic).append((index, sl))
    month_starts = all(sl.start.day == 1 for sl in slices)
    shape = Shape.of(
        scope, group_width, filters, needs, len(items), len(current), len(historic), month_starts
    )
    params = bind_values(scope, filters, items)
    parts = {"m": items, "c": current, "h": historic}
    if current:
        params.update(period_params("c", current))
    if historic:
        params.update(period_params("h", historic))

    out: dict[tuple, dict] = {}
    area_counts: dict = {}
    grouped = group_width is not None
    for st in statements_for(shape):
        result = conn.execute(st.query, params).all()  # small; closes the cursor now
        if st.kind == "areas":
            for row in result:
                area_counts[row[0] if grouped else None] = {
                    "villages": num(row[-2]),
                    "party_members_registered": num(row[-1]),
                }
            continue
        part = parts[st.slices]
        many = len(part) > 1
        for row in result:
            index = int(row[0]) if many else part[0][0]
            group = row[1 if many else 0] if grouped and st.kind != "any_mask" else None
            counts = out.setdefault((index, group), {})
            values = row[st.n_keys :]
            if st.kind == "row":
                for name, value in zip(st.names, values, strict=True):
                    counts[name] = value
            elif st.kind == "any_mask":
                counts["stakeholder_mask"] = sum(1 << k for k, hit in enumerate(values) if hit)
            elif st.kind == "histogram":
                days, n, n_scores, total = values
                counts.setdefault("days_histogram", []).append((int(days), int(n)))
                counts["implemented_in_period"] = counts.get("implemented_in_period", 0) + int(n)
                counts["satisfaction_scores"] = counts.get("satisfaction_scores", 0) + int(n_scores)
                if total is not None:
                    counts["satisfaction_sum"] = counts.get("satisfaction_sum", 0.0) + float(total)
    return out, area_counts


def finish(raw: dict, areas: dict, sl: Slice, keys: Sequence[str]) -> tuple[dict, dict]:
    """Figures and counts from the raw counts of one slice and group."""
    n = {k: num(v) for k, v in raw.items() if k not in ("satisfaction_sum", "days_histogram")}
    villages = areas.get("villages", 0)
    mask = n.get("stakeholder_mask", 0)
    for k in range(len(STAKEHOLDER_CATEGORIES)):
        if n.get(f"stakeholder_bit_{k}"):
            mask |= 1 << k
    derived = {
        "village_months": villages * sl.months,
        "villages": villages,
        "months": sl.months,
        "party_members_registered": areas.get("party_members_registered", 0),
        "stakeholder_categories": bin(mask).count("1"),
    }
    counts_all = {k: derived[k] if k in derived else n.get(k, 0) for k in COUNT_ORDER}
    tally = {
        **counts_all,
        "days_histogram": raw.get("days_histogram", ()),
        "satisfaction_sum": raw.get("satisfaction_sum", 0.0),
    }
    wanted = set().union(*(RECORDS[k].counts for k in keys))
    counts = {k: v for k, v in counts_all.items() if k in wanted}
    return {k: RECORDS[k].value(tally) for k in keys}, counts


def check_arguments(scope: str, start: date, end: date, keys) -> tuple[str, tuple[str, ...]]:
    """The 12-digit scope and the figure keys; raises on a bad period or unknown key."""
    if not isinstance(start, date) or not isinstance(end, date):
        raise TypeError("start and end must be dates")
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    keys = tuple(FIGURES if keys is None else keys)
    unknown = [k for k in keys if k not in RECORDS]
    if unknown:
        raise ValueError(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(FIGURES)}")
    return normalize_code(scope), keys


@consistent
def figures(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
    *,
    keys: Sequence[str] | None = None,
) -> dict:
    """Every figure (or `keys`) for one scope and period, with the counts behind them."""
    code, keys = check_arguments(scope, start, end, keys)
    with session(bind) as (conn, ctx):
        info = scope_info(conn, code)
        sl = period(start, end, ctx.last_load)
        raw, areas = compute(conn, ctx, Scope.of(code, ctx), [sl], None, filters, keys)
    values, counts = finish(raw.get((0, None), {}), areas.get(None, {}), sl, keys)
    return {
        "scope": code,
        "scope_name": info["area_name"],
        "from": start,
        "to": end,
        "as_of": sl.as_of,
        **values,
        "counts": counts,
    }


@consistent
def figures_by_child(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
    *,
    level: str | None = None,
    keys: Sequence[str] | None = None,
) -> list[dict]:
    """The figures of every child of `scope` (or every area at `level` within it), each
    child being a scope of its own (itself and everything below it), in code order.
    One statement per kind of figure, whatever the number of children."""
    code, keys = check_arguments(scope, start, end, keys)
    with session(bind) as (conn, ctx):
        scope_info(conn, code)
        level = level_below(code, level)
        if level is None:
            return []
        kids = children(conn, code, level)
        sl = period(start, end, ctx.last_load)
        width = LEVEL_PREFIX[level]
        raw, areas = compute(conn, ctx, Scope.of(code, ctx), [sl], width, filters, keys)
    rows = []
    for child, name in kids:
        group = child[:width]
        values, counts = finish(raw.get((0, group), {}), areas.get(group, {}), sl, keys)
        rows.append(
            {
                "area_code": child,
                "area_name": name,
                "level": level,
                "scope": child,
                "from": start,
                "to": end,
                "as_of": sl.as_of,
                **values,
                "counts": counts,
            }
        )
    return rows


@consistent
def monthly_series(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
    keys: Sequence[str] | None = None,
) -> list[dict]:
    """One dict per calendar month the period touches ("month": "YYYY-MM"), each month
    (cut to the period) computed as a period of its own, with its own as_of."""
    code, keys = check_arguments(scope, start, end, keys)
    with session(bind) as (conn, ctx):
        scope_info(conn, code)
        slices = month_slices(start, end, ctx.last_load)
        raw: dict[tuple, dict] = {}
        for first in range(0, len(slices), MONTHS_PER_STATEMENT):
            months = slices[first : first + MONTHS_PER_STATEMENT]
            part, areas = compute(conn, ctx, Scope.of(code, ctx), months, None, filters, keys)
            raw.update({(first + index, group): counts for (index, group), counts in part.items()})
    rows = []
    for index, sl in enumerate(slices):
        values, counts = finish(raw.get((index, None), {}), areas.get(None, {}), sl, keys)
        rows.append(
            {
                "month": sl.month_label,
                "scope": code,
                "from": sl.start,
                "to": sl.end,
                "as_of": sl.as_of,
                **values,
                "counts": counts,
            }
        )
    return rows


def to_json(result: dict) -> dict:
    """What `xieshang kpi` prints: scope, from, to, as_of (ISO dates) and every figure
    (rates as fractions, null where undefined)."""
    out = {
        "scope": result["scope"],
        "from": result["from"].isoformat(),
        "to": result["to"].isoformat(),
        "as_of": result["as_of"].isoformat(),
    }
    for key in FIGURES:
        if key in result:
            value = result[key]
            out[key] = float(value) if isinstance(value, float) else value
    return out


def kpi_json(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
) -> dict:
    """The JSON object of `xieshang kpi` for these arguments (a dict; json.dumps it)."""
    return to_json(figures(bind, scope, start, end, filters))
