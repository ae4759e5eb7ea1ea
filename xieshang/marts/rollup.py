"""The county rollups (schema.mart_county_days, mart_county_party): the marts summed by
county and day, written after the marts they sum, inside the same transaction.

`fill_rollups` writes them whole. After a load's update (`xieshang.marts.build`) only
what it can have changed is written again: the (county, day) pairs whose meeting or
resolution rows were deleted or written — `mark_days` collects them in a scope table
before and after the marts' own update — and the Party-member rows from the first cut
day on (a person's rows from their cut day on, in any county of the city, take new
prev_N values).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import (
    Connection,
    Table,
    case,
    func,
    insert,
    literal,
    literal_column,
    select,
    union_all,
)

from xieshang.contract.columns import STAKEHOLDER_CATEGORIES
from xieshang.marts.days import PAST, month_start
from xieshang.marts.fill import prefix_widths
from xieshang.warehouse import schema

COUNTY_WIDTH = 6
ROLLUP_WIDTHS = (4, 6)  # prev_4 (city) and prev_6 (county): the scopes the rollups serve

CATEGORY_COUNTS = range(1, len(STAKEHOLDER_CATEGORIES) + 1)
DAY_SUMS = (
    "meetings",
    "meetings_led_by_party",
    "attendance_rows",
    "party_rows",
    *(f"meetings_covered_{k}" for k in CATEGORY_COUNTS),
    "stakeholder_mask",
    "village_firsts",
    "resolutions_due",
    "implemented",
    "implemented_on_time",
    "resolutions_of_meetings",
    "escalated",
)


def _county(column):
    # the numbers inlined: the expression in GROUP BY must read as in the select list
    return func.substr(column, literal_column("1"), literal_column(str(COUNTY_WIDTH)))


def _marked(days: Table | None, area, day):
    """The condition that (the county of `area`, `day`) is one of `days`' pairs."""
    if days is None:
        return sa.true()
    return sa.exists().where(days.c.area_code == _county(area), days.c.day == day)


def _branch(table, day, sums: dict, where: list, days: Table | None):
    """One source's (county, day, every DAY_SUMS column) rows, zero where it has none."""
    columns = [sums.get(name, literal(0)).label(name) for name in DAY_SUMS]
    return (
        select(_county(table.c.area_code).label("area_code"), day.label("day"), *columns)
        .where(*where, _marked(days, table.c.area_code, day))
        .group_by(_county(table.c.area_code), day)
    )


def _one(condition):
    return func.sum(case((condition, 1), else_=0))


def fill_county_days(conn: Connection, days: Table | None = None) -> None:
    """mart_county_days from mart_meetings and mart_resolutions_current (only the pairs
    of `days`, if given: their rows are to have been deleted)."""
    mm, rc = schema.mart_meetings, schema.mart_resolutions_current
    # bit k of a day's mask: set when any of its meetings has it (no bit_or on SQLite)
    mask = sum(
        func.max(mm.c.stakeholder_mask.op("&")(1 << k)) for k in range(len(STAKEHOLDER_CATEGORIES))
    )
    meetings = {
        "meetings": func.count(),
        "meetings_led_by_party": _one(mm.c.led_by_party.is_(True)),
        "attendance_rows": func.sum(mm.c.attendance_rows),
        "party_rows": func.sum(mm.c.party_rows),
        **{
            f"meetings_covered_{k}": _one(mm.c.stakeholder_categories >= k) for k in CATEGORY_COUNTS
        },
        "stakeholder_mask": mask,
        "village_firsts": _one(sa.and_(mm.c.is_village.is_(True), mm.c.prev_in_month == PAST)),
    }
    implemented = rc.c.status == "implemented"
    due = {
        "resolutions_due": func.count(),
        "implemented": _one(implemented),
        "implemented_on_time": _one(sa.and_(implemented, rc.c.completed_date <= rc.c.due_date)),
    }
    of_meetings = {
        "resolutions_of_meetings": func.count(),
        "escalated": _one(rc.c.escalated.is_(True)),
    }
    kept = rc.c.status != "cancelled"
    sources = union_all(
        _branch(mm, mm.c.meeting_date, meetings, [], days),
        _branch(rc, rc.c.due_date, due, [kept], days),
        _branch(rc, rc.c.meeting_date, of_meetings, [kept], days),
    ).subquery("sources")
    query = select(
        sources.c.area_code,
        sources.c.day,
        *(func.sum(sources.c[name]) for name in DAY_SUMS),
    ).group_by(sources.c.area_code, sources.c.day)
    cd = schema.mart_county_days
    conn.execute(insert(cd).from_select(["area_code", "day", *DAY_SUMS], query))


def fill_county_party(conn: Connection, dialect: str, since: int | None = None) -> None:
    """mart_county_party from mart_party_attendance (from day `since` on, if given)."""
    pa, cp = schema.mart_party_attendance, schema.mart_county_party
    where = [] if since is None else [pa.c.meeting_date >= since]
    for width in (w for w in prefix_widths(conn) if w in ROLLUP_WIDTHS):
        prev_month = month_start(pa.c[f"prev_{width}"], dialect)
        county = _county(pa.c.area_code)
        query = (
            select(county, pa.c.meeting_date, literal(width), prev_month, func.count())
            .where(*where)
            .group_by(county, pa.c.meeting_date, prev_month)
        )
        columns = ["area_code", "day", "width", "prev_month", "party_rows"]
        conn.execute(insert(cp).from_select(columns, query))


def fill_rollups(conn: Connection, dialect: str) -> None:
    """Both rollups, whole (their tables empty)."""
    fill_county_days(conn)
    fill_county_party(conn, dialect)


def mark_days(conn: Connection, days: Table, parts: Table, resolutions: Table) -> None:
    """Add to `days` the (county, day) pairs of the mart rows in the scope tables: the
    meetings of `parts`' (area, month) pairs, the due and meeting days of `resolutions`."""
    mm, rc = schema.mart_meetings, schema.mart_resolutions_current
    in_parts = sa.exists().where(parts.c.area_code == mm.c.area_code, parts.c.month == mm.c.month)
    in_keys = sa.exists().where(
        resolutions.c.area_code == rc.c.area_code,
        resolutions.c.resolution_id == rc.c.resolution_id,
    )
    pairs = union_all(
        select(_county(mm.c.area_code), mm.c.meeting_date).where(in_parts),
        select(_county(rc.c.area_code), rc.c.due_date).where(in_keys),
        select(_county(rc.c.area_code), rc.c.meeting_date).where(in_keys),
    )
    conn.execute(insert(days).from_select(["area_code", "day"], pairs))


def update_rollups(conn: Connection, dialect: str, days: Table, since: int | None) -> None:
    """Write again the rollup rows of `days`' pairs, and the Party rows from `since` on
    (None: no Party-member row changed)."""
    cd, cp = schema.mart_county_days, schema.mart_county_party
    conn.execute(
        cd.delete().where(
            sa.exists().where(days.c.area_code == cd.c.area_code, days.c.day == cd.c.day)
        )
    )
    fill_county_days(conn, days)
    if since is not None:
        conn.execute(cp.delete().where(cp.c.day >= since))
        fill_county_party(conn, dialect, since)
