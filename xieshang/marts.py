"""Marts: the summaries of the warehouse that the metrics read (see schema.py, "Marts").

They hold nothing that is not in the cleaned tables; `refresh(conn)` rebuilds all of them
from those tables with a handful of INSERT … SELECT statements (the same on SQLite and
PostgreSQL). The load calls it inside its transaction, after writing the rows and its
committed `load_runs` row, so readers never see tables and marts disagree:

    with engine.begin() as conn:
        ...                       # write areas, meetings, attendance, reports, load_runs
        marts.refresh(conn)

The marts record which load they reflect (the count and last id of committed runs, in
`meta`). Readers never write: one that finds them stale (a load that did not refresh, a
warehouse written by an older release) raises `StaleMarts`, and `rebuild(engine)` (the
command `xieshang marts rebuild`) brings them up to date.
"""

from __future__ import annotations

import json
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import (
    Connection,
    Date,
    Engine,
    and_,
    case,
    delete,
    distinct,
    func,
    insert,
    literal,
    or_,
    select,
)

from xieshang.contract.columns import STAKEHOLDER_CATEGORIES
from xieshang.warehouse import schema

MARTS_VERSION = 3
META_KEY = "marts"  # meta row: what the marts reflect (JSON)
VERSION_KEY = "marts_version"  # meta row: the layout of the mart tables
EPOCH = date(1970, 1, 1)
# Prefix widths of area codes with a previous-attendance column: 4 city, 6 county, 9 township
PREFIX_WIDTHS = (4, 6, 9)
# How far a status has come; a later report with a lower rank is a step backwards.
STATUS_RANK = {"not_started": 0, "in_progress": 1, "implemented": 2, "cancelled": 2}
_PG_LOCK_KEY = 7_305_118_001  # advisory lock serialising rebuilds on PostgreSQL


# --- day numbers: the only date arithmetic in the project --------------------------------


def to_day(value: date) -> int:
    """The day number of a date: days since 1970-01-01 (what the marts store)."""
    return (value - EPOCH).days


def from_day(number: int) -> date:
    return EPOCH + timedelta(days=int(number))


PAST = to_day(date(1, 1, 1))  # "no earlier attendance / meeting"
FUTURE = to_day(date(9999, 12, 31))  # "still valid"


def day_number(value, dialect: str):
    """SQL: the day number of a date column (NULL stays NULL)."""
    if dialect == "sqlite":  # dates are ISO text; julianday('1970-01-01') = 2440587.5
        return sa.cast(func.julianday(value) - 2440587.5, sa.Integer)
    return value - literal(EPOCH, Date)  # PostgreSQL: date - date is an integer


# --- the overdue rule -------------------------------------------------------------------

OVERDUE_AFTER_DAYS = 1
"""An open resolution is overdue from this many days after its due date on: one due
exactly on as_of is due, not overdue (metrics.md, overdue_open). The marts' overdue_from
and every overdue count or list take the rule from here."""


def overdue_from(due_day):
    """The first day on which an open resolution due on `due_day` is overdue (day
    numbers, or SQL expressions of them)."""
    return due_day + OVERDUE_AFTER_DAYS


def overdue_on(table, day):
    """SQL: the resolution of `table` (a resolutions mart) is overdue on `day` (a day
    number or a bound parameter): open and overdue_from(due_date) <= day, with due_date
    kept bare so that its index serves."""
    return and_(table.c.status == "open", table.c.due_date <= day - OVERDUE_AFTER_DAYS)


# --- freshness ------------------------------------------------------------------------


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
    """What the marts last recorded ({"fingerprint", "max_report_day"}), or None."""
    value = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == META_KEY)).scalar()
    return json.loads(value) if value else None


def current_fingerprint(conn: Connection) -> str:
    count, last = fingerprint_query()
    row = conn.execute(select(count, last)).one()
    return make_fingerprint(*row)


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


def rebuild(engine: Engine) -> dict:
    """Rebuild every mart in a transaction of its own (`xieshang marts rebuild`).

    {"was_fresh": whether they already reflected the last load, "loads": the committed
    loads they now reflect, "last_run": the last of them (None without any), "rows":
    {mart table: rows}}."""
    with engine.begin() as conn:
        was_fresh = is_fresh(conn)
        refresh(conn)
        loads, last_run = conn.execute(select(*fingerprint_query())).one()
        rows = {
            table.name: int(conn.execute(select(func.count()).select_from(table)).scalar())
            for table in schema.MART_TABLES
        }
    return {"was_fresh": was_fresh, "loads": int(loads), "last_run": last_run, "rows": rows}


def restamp(conn: Connection) -> None:
    """Record the latest load without a rebuild, for a load that changed no warehouse row."""
    state = read_state(conn) or {}
    state["fingerprint"] = current_fingerprint(conn)
    conn.execute(delete(schema.meta).where(schema.meta.c.key == META_KEY))
    conn.execute(insert(schema.meta).values(key=META_KEY, value=json.dumps(state)))


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(_PG_LOCK_KEY)))


# --- the rebuild ----------------------------------------------------------------------


def refresh(conn: Connection) -> None:
    """Rebuild every mart from the warehouse tables, inside the caller's transaction."""
    _lock(conn)
    meta = schema.meta
    version = conn.execute(select(meta.c.value).where(meta.c.key == VERSION_KEY)).scalar()
    if version != str(MARTS_VERSION):
        # marts of another release (or none yet): their layout may differ
        schema.metadata.drop_all(conn, tables=list(schema.MART_TABLES), checkfirst=True)
        conn.execute(delete(meta).where(meta.c.key == VERSION_KEY))
        conn.execute(insert(meta).values(key=VERSION_KEY, value=str(MARTS_VERSION)))
    schema.metadata.create_all(conn, tables=list(schema.MART_TABLES))
    dialect = conn.dialect.name
    for table in schema.MART_TABLES:
        conn.execute(delete(table))
    _fill_meetings(conn, dialect)
    _fill_party_attendance(conn, dialect)
    _fill_resolutions(conn, dialect)
    _fill_events(conn)
    count, last = fingerprint_query()
    fingerprint = make_fingerprint(*conn.execute(select(count, last)).one())
    max_report = conn.execute(
        select(func.max(schema.mart_resolutions_current.c.updated_on))
    ).scalar()
    state = {
        "fingerprint": fingerprint,
        "max_report_day": from_day(max_report).isoformat() if max_report is not None else None,
    }
    conn.execute(delete(schema.meta).where(schema.meta.c.key == META_KEY))
    conn.execute(insert(schema.meta).values(key=META_KEY, value=json.dumps(state)))
    if dialect == "sqlite":
        # The statements of xieshang.metrics are written for SQLite's planner without
        # statistics (stale or present ones can make it prefer skip-scans): drop any.
        has_stats = conn.exec_driver_sql(
            "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
        ).scalar()
        if has_stats:
            conn.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl LIKE 'mart%'")


def _meetings_by_day(dialect: str):
    """The meetings of roster areas, with their day number and host level."""
    m, ar = schema.meetings, schema.areas
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
        .select_from(m.join(ar, ar.c.area_code == m.c.area_code))
        .subquery("m")
    )


def _fill_meetings(conn: Connection, dialect: str) -> None:
    a, mm = schema.attendance, schema.mart_meetings
    m = _meetings_by_day(dialect)
    bit = case(*((a.c.category == code, 1 << k) for k, code in enumerate(STAKEHOLDER_CATEGORIES)))
    agg = (
        select(
            a.c.meeting_pk,
            func.count().label("rows"),
            func.sum(case((a.c.party_member.is_(True), 1), else_=0)).label("party"),
            func.count(distinct(bit)).label("ncat"),
            func.sum(distinct(bit)).label("mask"),
        )
        .group_by(a.c.meeting_pk)
        .subquery()
    )
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


def _fill_party_attendance(conn: Connection, dialect: str) -> None:
    a, ar, pa = schema.attendance, schema.areas, schema.mart_party_attendance
    m = _meetings_by_day(dialect)
    # A scope is an area of the roster; without a city there is no 4-digit scope, and
    # prev_4 (a window over every row) is not worth computing. A roster that gains a
    # city is a load, which refreshes the marts.
    has_city = conn.execute(select(func.count()).where(ar.c.level == "city")).scalar()

    def previous(width: int):
        if width == 4 and not has_city:
            return literal(PAST)
        group = func.substr(m.c.area_code, 1, width)
        return func.coalesce(
            func.lag(m.c.day).over(partition_by=[a.c.person_pk, group], order_by=[m.c.day, m.c.id]),
            PAST,
        )

    inner = (
        select(
            m.c.day.label("meeting_date"),
            m.c.area_code,
            a.c.person_pk,
            m.c.id.label("meeting_pk"),
            m.c.form,
            m.c.topic_category,
            m.c.online,
            *(previous(width).label(f"prev_{width}") for width in PREFIX_WIDTHS),
            func.substr(m.c.area_code, 1, 9).label("township"),
        )
        .select_from(a.join(m, m.c.id == a.c.meeting_pk))
        .where(a.c.party_member.is_(True))
        .subquery()
    )
    query = select(inner).order_by(
        inner.c.meeting_date, inner.c.area_code, inner.c.person_pk, inner.c.meeting_pk
    )
    columns = [
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
    conn.execute(insert(pa).from_select(columns, query))


# the fields of a report that some figure reads; a new state starts when one changes
_STATE_FIELDS = ("meeting_pk", "status", "due_date", "completed_date", "satisfaction", "escalated")


def _reports_effective():
    """Each report with the fields as the figures read them: the status as its class
    (open | implemented | cancelled), completed_date and satisfaction only when
    implemented, escalated as 0/1."""
    r = schema.resolution_reports
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


def _fill_resolutions(conn: Connection, dialect: str) -> None:
    m, ar = schema.meetings, schema.areas
    states, current = schema.mart_resolution_states, schema.mart_resolutions_current
    base = _reports_effective()
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
    ).where(states.c.valid_to == FUTURE)
    conn.execute(
        insert(current).from_select(["area_code", "resolution_id", "updated_on", *shared], latest)
    )


def _fill_events(conn: Connection) -> None:
    """Steps backwards and later due dates between consecutive reports of a resolution."""
    r, ev = schema.resolution_reports, schema.mart_resolution_events
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
    ).subquery("lagged")
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
