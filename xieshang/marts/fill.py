"""The statements that write the marts from the warehouse tables: INSERT … SELECT, the
same on SQLite and PostgreSQL.

Each writes its mart for the whole warehouse, or — given scope tables (`xieshang.marts.scope`)
— only the rows of the partitions a load touched, computed exactly as the whole would be:

- mart_meetings by (host area, month), the partition of prev_in_month;
- mart_party_attendance by person, from a cut day on: rows before it keep their values,
  and the first row after it takes prev_N from the person's last row before it (`anchors`);
- the resolution marts by (area, resolution), the partition of their windows.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import (
    Connection,
    Table,
    and_,
    case,
    distinct,
    func,
    insert,
    literal,
    or_,
    select,
)

from xieshang.contract.columns import STAKEHOLDER_CATEGORIES
from xieshang.marts.days import FUTURE, PAST, day_number, overdue_from
from xieshang.warehouse import schema

# Prefix widths of area codes with a previous-attendance column: 4 city, 6 county, 9 township,
# 12 the host area itself
PREFIX_WIDTHS = (4, 6, 9, 12)
# How far a status has come; a later report with a lower rank is a step backwards.
STATUS_RANK = {"not_started": 0, "in_progress": 1, "implemented": 2, "cancelled": 2}


def _meetings_by_day(dialect: str, parts: Table | None = None):
    """The meetings of roster areas (of `parts`' (area, month) pairs, if given), with
    their day number and host level."""
    m, ar = schema.meetings, schema.areas
    source = m.join(ar, ar.c.area_code == m.c.area_code)
    if parts is not None:
        source = source.join(
            parts, and_(parts.c.area_code == m.c.area_code, parts.c.month == m.c.month)
        )
    return (
        select(
            m.c.id,
            m.c.area_code,
            m.c.month,
            m.c.form,
            m.c.topic_category,
            m.c.online,
            m.c.led_by_party,
            day_number(m.c.meeting_date, dialect).label("day"),
            ar.c.level,
        )
        .select_from(source)
        .subquery("m")
    )


def fill_meetings(conn: Connection, dialect: str, parts: Table | None = None) -> None:
    a, mm = schema.attendance, schema.mart_meetings
    m = _meetings_by_day(dialect, parts)
    bit = case(*((a.c.category == code, 1 << k) for k, code in enumerate(STAKEHOLDER_CATEGORIES)))
    agg = select(
        a.c.meeting_pk,
        func.count().label("rows"),
        func.sum(case((a.c.party_member.is_(True), 1), else_=0)).label("party"),
        func.count(distinct(bit)).label("ncat"),
        func.sum(distinct(bit)).label("mask"),
    )
    if parts is not None:
        agg = agg.where(a.c.meeting_pk.in_(select(m.c.id)))
    agg = agg.group_by(a.c.meeting_pk).subquery()
    prev_in_month = func.coalesce(
        func.lag(m.c.day).over(partition_by=[m.c.area_code, m.c.month], order_by=[m.c.day, m.c.id]),
        PAST,
    )
    query = (
        select(
            m.c.day,
            m.c.area_code,
            m.c.id,
            m.c.level == "village",
            m.c.month,
            prev_in_month,
            m.c.form,
            m.c.topic_category,
            m.c.online,
            m.c.led_by_party,
            func.coalesce(agg.c.rows, 0),
            func.coalesce(agg.c.party, 0),
            func.coalesce(agg.c.ncat, 0),
            func.coalesce(agg.c.mask, 0),
        )
        .select_from(m.outerjoin(agg, agg.c.meeting_pk == m.c.id))
        .order_by(m.c.day, m.c.area_code, m.c.id)
    )
    columns = [
        "meeting_date",
        "area_code",
        "meeting_pk",
        "is_village",
        "month",
        "prev_in_month",
        "form",
        "topic_category",
        "online",
        "led_by_party",
        "attendance_rows",
        "party_rows",
        "stakeholder_categories",
        "stakeholder_mask",
    ]
    conn.execute(insert(mm).from_select(columns, query))


def _prefix(code, width: int):
    """The first `width` digits of an area code: the code itself at its full width."""
    return code if width == PREFIX_WIDTHS[-1] else func.substr(code, 1, width)


def prefix_widths(conn: Connection) -> tuple[int, ...]:
    """The widths with a previous-attendance column worth computing. A scope is an area of
    the roster; without a city there is no 4-digit scope, and prev_4 (a window over every
    row) stays PAST. A load that brings the first city refreshes every mart."""
    ar = schema.areas
    has_city = conn.execute(select(func.count()).where(ar.c.level == "city")).scalar()
    return PREFIX_WIDTHS if has_city else PREFIX_WIDTHS[1:]


def _party_rows(dialect: str, persons: Table | None, since: date | None):
    """Party-member attendance joined to its meeting; if `persons` (person_pk, cut) is
    given, only theirs from their cut day on, which is on or after `since`."""
    a, meetings = schema.attendance, schema.meetings
    m = _meetings_by_day(dialect)
    source = a.join(m, m.c.id == a.c.meeting_pk)
    condition = a.c.party_member.is_(True)
    if persons is not None:
        source = source.join(persons, persons.c.person_pk == a.c.person_pk)
        # through the meetings since the first cut (their date index), not each person's
        # whole history
        recent = select(meetings.c.id).where(meetings.c.meeting_date >= since)
        condition = and_(condition, a.c.meeting_pk.in_(recent), m.c.day >= persons.c.cut)
    return a, m, source, condition


def fill_anchors(conn: Connection, persons: Table, anchors: Table) -> None:
    """Each person's last Party-member attendance day before their cut, per scope prefix:
    what prev_N of their first row from the cut on refers to. Read from the mart itself,
    whose rows before a person's cut the load did not change: one pass over its covering
    area index, rather than each person's history through the warehouse tables."""
    pa = schema.mart_party_attendance
    columns = ["person_pk", "width", "prefix", "day"]
    finest = PREFIX_WIDTHS[-1]
    area = (
        select(pa.c.person_pk, literal(finest), pa.c.area_code, func.max(pa.c.meeting_date))
        .select_from(pa.join(persons, persons.c.person_pk == pa.c.person_pk))
        .where(pa.c.meeting_date < persons.c.cut)
        .group_by(pa.c.person_pk, pa.c.area_code)
    )
    conn.execute(insert(anchors).from_select(columns, area))
    for width in prefix_widths(conn)[:-1]:  # a wider scope: the latest of its areas
        prefix = func.substr(anchors.c.prefix, 1, width)
        wider = (
            select(anchors.c.person_pk, literal(width), prefix, func.max(anchors.c.day))
            .where(anchors.c.width == finest)
            .group_by(anchors.c.person_pk, prefix)
        )
        conn.execute(insert(anchors).from_select(columns, wider))


_PARTY_COLUMNS = [
    "meeting_date",
    "area_code",
    "person_pk",
    "meeting_pk",
    "form",
    "topic_category",
    "online",
    *(f"prev_{width}" for width in PREFIX_WIDTHS),
    "township",
]


def _lag(day, person, area, meeting, width: int, widths: tuple[int, ...], before=None):
    """prev_N of a row: the person's latest earlier day in the scope of its area's first N
    digits (else the anchor day `before`, else PAST); PAST without such scopes."""
    if width not in widths:
        return literal(PAST)
    lag = func.lag(day).over(partition_by=[person, _prefix(area, width)], order_by=[day, meeting])
    return func.coalesce(lag, *([] if before is None else [before]), PAST)


def _row_columns(a, m) -> list:
    """A Party row's own columns, from its attendance `a` and meeting `m`: the mart's
    first seven."""
    return [
        m.c.day.label("meeting_date"),
        m.c.area_code,
        a.c.person_pk,
        m.c.id.label("meeting_pk"),
        m.c.form,
        m.c.topic_category,
        m.c.online,
    ]


def _every_party_row(dialect: str, widths: tuple[int, ...]):
    """Every Party-member attendance row with its prev_N. A person who attended in one
    area only (nearly everyone: a village's members at its meetings) has the same
    previous day in every scope, which one window over their rows gives; only the others
    take a window per width. 3-county city, the statement 7.0-7.2 → 4.6-5.2 s (the
    INSERT 7.9-8.0 → 6.1-6.7 s); were every member in two areas, 8.4 s."""
    a, m, source, condition = _party_rows(dialect, None, None)
    person = a.c.person_pk
    rows = (
        select(
            *_row_columns(a, m),
            func.lag(m.c.day).over(partition_by=person, order_by=[m.c.day, m.c.id]).label("prev"),
            func.min(m.c.area_code).over(partition_by=person).label("first_area"),
            func.max(m.c.area_code).over(partition_by=person).label("last_area"),
        )
        .select_from(source)
        .where(condition)
        .cte("party_rows")
    )
    r = rows.c
    head = [r[name] for name in _PARTY_COLUMNS[:7]]
    township = func.substr(r.area_code, 1, 9).label("township")
    one_area = r.first_area == r.last_area
    same = func.coalesce(r.prev, PAST)
    # each labelled: a select would render one column for a repeated expression
    of_one_area = select(
        *head,
        *((same if w in widths else literal(PAST)).label(f"prev_{w}") for w in PREFIX_WIDTHS),
        township,
    ).where(one_area)
    lags = (
        _lag(r.meeting_date, r.person_pk, r.area_code, r.meeting_pk, w, widths).label(f"prev_{w}")
        for w in PREFIX_WIDTHS
    )
    of_several = select(*head, *lags, township).where(~one_area)
    return sa.union_all(of_one_area, of_several).subquery()


def _party_rows_from_cut(
    dialect: str, widths: tuple[int, ...], persons: Table, anchors: Table, since: date
):
    """The Party-member rows of `persons` from their cut day on, each prev_N falling back
    on the person's anchor day before the cut."""
    a, m, source, condition = _party_rows(dialect, persons, since)
    before = {}
    for width in widths:
        alias = anchors.alias(f"anchor_{width}")
        source = source.outerjoin(
            alias,
            and_(
                alias.c.person_pk == a.c.person_pk,
                alias.c.width == width,
                alias.c.prefix == _prefix(m.c.area_code, width),
            ),
        )
        before[width] = alias.c.day
    lags = (
        _lag(m.c.day, a.c.person_pk, m.c.area_code, m.c.id, w, widths, before.get(w))
        for w in PREFIX_WIDTHS
    )
    return (
        select(
            *_row_columns(a, m),
            *(lag.label(f"prev_{w}") for w, lag in zip(PREFIX_WIDTHS, lags, strict=True)),
            func.substr(m.c.area_code, 1, 9).label("township"),
        )
        .select_from(source)
        .where(condition)
        .subquery()
    )


def fill_party_attendance(
    conn: Connection,
    dialect: str,
    persons: Table | None = None,
    anchors: Table | None = None,
    since: date | None = None,
) -> None:
    """Every Party-member attendance row, or (given `persons`, their `anchors` and the
    first cut `since`) those of `persons` from their cut on, in day order: the figures
    that read the mart row by row read a scope's days from few pages."""
    widths = prefix_widths(conn)
    if persons is None:
        inner = _every_party_row(dialect, widths)
    else:
        inner = _party_rows_from_cut(dialect, widths, persons, anchors, since)
    c = inner.c
    query = select(inner).order_by(c.meeting_date, c.area_code, c.person_pk, c.meeting_pk)
    conn.execute(insert(schema.mart_party_attendance).from_select(_PARTY_COLUMNS, query))


# the fields of a report that some figure reads; a new state starts when one changes
_STATE_FIELDS = ("meeting_pk", "status", "due_date", "completed_date", "satisfaction", "escalated")


def _in_keys(table, keys: Table | None):
    """The condition that a row of `table` is of a resolution in `keys` (none: true)."""
    if keys is None:
        return sa.true()
    area = table.c.area_code
    return and_(
        area.in_(select(keys.c.area_code)),
        sa.exists().where(keys.c.area_code == area, keys.c.resolution_id == table.c.resolution_id),
    )


def _reports(keys: Table | None):
    """The resolution reports (of the resolutions in `keys`, if given)."""
    r = schema.resolution_reports
    if keys is None:
        return r
    return (
        select(r)
        .select_from(
            r.join(
                keys,
                and_(keys.c.area_code == r.c.area_code, keys.c.resolution_id == r.c.resolution_id),
            )
        )
        .subquery("resolution_reports")
    )


def _reports_effective(keys: Table | None):
    """Each report with the fields as the figures read them: the status as its class
    (open | implemented | cancelled), completed_date and satisfaction only when
    implemented, escalated as 0/1."""
    r = _reports(keys)
    implemented = r.c.status == "implemented"
    return select(
        r.c.area_code.label("report_area"),
        r.c.resolution_id,
        r.c.updated_on,
        r.c.meeting_pk,
        case(
            (implemented, "implemented"), (r.c.status == "cancelled", "cancelled"), else_="open"
        ).label("status"),
        r.c.due_date,
        case((implemented, r.c.completed_date)).label("completed_date"),
        case((implemented, r.c.satisfaction)).label("satisfaction"),
        case((and_(r.c.escalated_to.is_not(None), r.c.escalated_to != ""), 1), else_=0).label(
            "escalated"
        ),
    ).subquery("reports")


def fill_resolutions(conn: Connection, dialect: str, keys: Table | None = None) -> None:
    m, ar = schema.meetings, schema.areas
    states, current = schema.mart_resolution_states, schema.mart_resolutions_current
    base = _reports_effective(keys)
    key = [base.c.report_area, base.c.resolution_id]
    lagged = select(
        base,
        func.row_number().over(partition_by=key, order_by=base.c.updated_on).label("rn"),
        *(
            func.lag(base.c[field])
            .over(partition_by=key, order_by=base.c.updated_on)
            .label(f"p_{field}")
            for field in _STATE_FIELDS
        ),
    ).subquery("lagged")
    changed = (
        select(*(lagged.c[c.name] for c in base.c))
        .where(
            or_(
                lagged.c.rn == 1,
                *(
                    lagged.c[field].is_distinct_from(lagged.c[f"p_{field}"])
                    for field in _STATE_FIELDS
                ),
            )
        )
        .subquery("changed")
    )
    spans = select(
        changed,
        func.lead(changed.c.updated_on)
        .over(
            partition_by=[changed.c.report_area, changed.c.resolution_id],
            order_by=changed.c.updated_on,
        )
        .label("next_from"),
    ).subquery("spans")
    valid_from = day_number(spans.c.updated_on, dialect)
    valid_to = func.coalesce(day_number(spans.c.next_from, dialect), FUTURE)
    meeting_day = day_number(m.c.meeting_date, dialect)
    due = day_number(spans.c.due_date, dialect)
    completed = day_number(spans.c.completed_date, dialect)
    is_open = spans.c.status == "open"
    first_overdue = overdue_from(due)
    overdue_start = case((valid_from > first_overdue, valid_from), else_=first_overdue)
    query = (
        select(
            m.c.area_code,
            spans.c.resolution_id,
            valid_from,
            valid_to,
            spans.c.meeting_pk,
            meeting_day,
            m.c.form,
            m.c.topic_category,
            m.c.online,
            spans.c.status,
            due,
            completed,
            completed - meeting_day,
            spans.c.satisfaction,
            spans.c.escalated == 1,
            case((and_(is_open, overdue_start < valid_to), overdue_start)),
        )
        .select_from(
            spans.join(m, m.c.id == spans.c.meeting_pk).join(ar, ar.c.area_code == m.c.area_code)
        )
        .order_by(m.c.area_code, spans.c.resolution_id, spans.c.updated_on)
    )
    shared = [
        "meeting_pk",
        "meeting_date",
        "form",
        "topic_category",
        "online",
        "status",
        "due_date",
        "completed_date",
        "days_to_implement",
        "satisfaction",
        "escalated",
    ]
    columns = ["area_code", "resolution_id", "valid_from", "valid_to", *shared, "overdue_from"]
    conn.execute(insert(states).from_select(columns, query))
    latest = select(
        states.c.area_code,
        states.c.resolution_id,
        states.c.valid_from,
        *(states.c[name] for name in shared),
    ).where(states.c.valid_to == FUTURE, _in_keys(states, keys))
    conn.execute(
        insert(current).from_select(["area_code", "resolution_id", "updated_on", *shared], latest)
    )


def fill_events(conn: Connection, keys: Table | None = None) -> None:
    """Steps backwards and later due dates between consecutive reports of a resolution."""
    r, ev = _reports(keys), schema.mart_resolution_events
    window = dict(partition_by=[r.c.area_code, r.c.resolution_id], order_by=r.c.updated_on)

    def rank(column):
        return case(*((column == s, n) for s, n in STATUS_RANK.items()), else_=0)

    lagged = select(
        r.c.area_code,
        r.c.resolution_id,
        r.c.updated_on,
        r.c.status,
        r.c.due_date,
        r.c.meeting_id,
        func.lag(r.c.updated_on).over(**window).label("p_updated_on"),
        func.lag(r.c.status).over(**window).label("p_status"),
        func.lag(r.c.due_date).over(**window).label("p_due_date"),
    ).cte("lagged")  # read twice, computed once
    columns = [
        "area_code",
        "resolution_id",
        "updated_on",
        "kind",
        "previous_updated_on",
        "old_value",
        "new_value",
        "meeting_id",
    ]
    common = (lagged.c.area_code, lagged.c.resolution_id, lagged.c.updated_on)
    backwards = select(
        *common,
        literal("status_backwards"),
        lagged.c.p_updated_on,
        lagged.c.p_status,
        lagged.c.status,
        lagged.c.meeting_id,
    ).where(lagged.c.p_status.is_not(None), rank(lagged.c.status) < rank(lagged.c.p_status))
    later = select(
        *common,
        literal("due_later"),
        lagged.c.p_updated_on,
        sa.cast(lagged.c.p_due_date, sa.String),
        sa.cast(lagged.c.due_date, sa.String),
        lagged.c.meeting_id,
    ).where(lagged.c.p_due_date.is_not(None), lagged.c.due_date > lagged.c.p_due_date)
    conn.execute(insert(ev).from_select(columns, backwards.union_all(later)))


def delete_scope(conn: Connection, parts: Table, persons: Table, keys: Table) -> None:
    """Delete the mart rows that the scope tables say are to be written again."""
    mm, pa = schema.mart_meetings, schema.mart_party_attendance
    conn.execute(
        mm.delete().where(
            mm.c.area_code.in_(select(parts.c.area_code)),
            sa.exists().where(parts.c.area_code == mm.c.area_code, parts.c.month == mm.c.month),
        )
    )
    first_cut = select(func.min(persons.c.cut)).scalar_subquery()
    conn.execute(
        pa.delete().where(
            pa.c.meeting_date >= first_cut,
            sa.exists().where(
                persons.c.person_pk == pa.c.person_pk, pa.c.meeting_date >= persons.c.cut
            ),
        )
    )
    for table in (
        schema.mart_resolution_states,
        schema.mart_resolutions_current,
        schema.mart_resolution_events,
    ):
        conn.execute(table.delete().where(_in_keys(table, keys)))
