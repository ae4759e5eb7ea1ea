"""Day numbers, the only date arithmetic in the project, and the overdue rule."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import Date, and_, func, literal

EPOCH = date(1970, 1, 1)


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


def month_start(day, dialect: str):
    """SQL: the day number of the first day of the month of a day number (PAST stays PAST)."""
    if dialect == "sqlite":
        julian = sa.cast(day, sa.Float) + 2440587.5
        return sa.cast(func.julianday(func.date(julian, "start of month")) - 2440587.5, sa.Integer)
    of_month = sa.extract("day", literal(EPOCH, Date) + day)  # PostgreSQL: date + integer
    return day - sa.cast(of_month, sa.Integer) + 1


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
