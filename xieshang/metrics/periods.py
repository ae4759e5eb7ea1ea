"""Periods: a first and a last day (both included) with the as_of their figures are
read on, and the calendar months a period touches."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_day(text: str) -> date | None:
    """A day written as the interfaces write it, YYYY-MM-DD, else None: date.fromisoformat
    alone also takes 20250308 and 2025-W10-1, which a typo can turn into another period."""
    if not _ISO_DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def months_touched(start: date, end: date) -> int:
    """Calendar months that [start, end] touches (a partly covered month counts)."""
    if end < start:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def month_end(d: date) -> date:
    """The last day of `d`'s month."""
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def months_back(first: date, n: int) -> date:
    """The first day of the month `n` months before `first`'s."""
    index = first.year * 12 + first.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def as_of_day(end: date, last_load: date | None) -> date:
    """The day a period's figures are read on: its last day, or the last load if earlier."""
    return min(end, last_load) if last_load is not None else end


@dataclass(frozen=True)
class Slice:
    """One period of a computation, with its as_of."""

    start: date
    end: date
    as_of: date

    @property
    def months(self) -> int:
        return months_touched(self.start, self.end)

    @property
    def month_label(self) -> str:
        """The month the slice starts in, as "YYYY-MM"."""
        return f"{self.start.year:04d}-{self.start.month:02d}"


def period(start: date, end: date, last_load: date | None) -> Slice:
    return Slice(start, end, as_of_day(end, last_load))


def month_slices(start: date, end: date, last_load: date | None) -> list[Slice]:
    """The calendar months the period touches, each cut to the period, with its as_of."""
    out = []
    first = date(start.year, start.month, 1)
    while first <= end:
        s = max(start, first)
        e = min(end, month_end(first))
        out.append(period(s, e, last_load))
        first = month_end(first) + timedelta(days=1)
    return out
