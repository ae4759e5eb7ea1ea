"""Numbers and dates as the dashboard shows them (ui.md "Text and numbers").

percent(0.8125)        -> "81.3%"     (rates are fractions in data)
count(12345)           -> "12,345"
day(date(2025, 3, 8))  -> "2025-03-08"
month("2025-03")       -> "2025年3月"  ("Mar 2025" in English)
None anywhere          -> "—"
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

DASH = "—"
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _half_up(value: float, digits: int, scale: int = 1) -> Decimal:
    """value × scale rounded half up as written (0.8125 -> 81.3, not binary's 81.2)."""
    exact = Decimal(repr(float(value))) * scale
    return exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def percent(value: float | None, digits: int = 1) -> str:
    if value is None:
        return DASH
    return f"{_half_up(value, digits, 100):.{digits}f}%"


def count(value: int | float | None) -> str:
    if value is None:
        return DASH
    return f"{round(value):,}"


def number(value: float | None, digits: int = 1) -> str:
    if value is None:
        return DASH
    return f"{_half_up(value, digits):,.{digits}f}"


def day(value: date | str | None) -> str:
    if value is None:
        return DASH
    if isinstance(value, str):
        return value
    return value.isoformat()


def month(value: str | date | None, lang: str = "zh") -> str:
    """A calendar month: "2025年3月" (zh) or "Mar 2025" (en). Accepts "YYYY-MM" or a date."""
    if value is None:
        return DASH
    if isinstance(value, date):
        year, mon = value.year, value.month
    else:
        year, mon = int(value[:4]), int(value[5:7])
    return f"{_MONTHS_EN[mon - 1]} {year}" if lang == "en" else f"{year}年{mon}月"


def shown_number(value: float, scale: int = 1) -> Decimal:
    """`value` × `scale` as it is shown, to one decimal: a rate's percent, a score, days."""
    return _half_up(value, 1, scale)


def kind_of(key: str) -> str:
    from xieshang.metrics import FIGURE_INFO

    return FIGURE_INFO.get(key, {}).get("kind", "count")


def is_union(key: str) -> bool:
    """Whether an area's value of the figure takes its units together rather than
    averaging them (metrics.definitions.Figure.union)."""
    from xieshang.metrics import FIGURE_INFO

    return FIGURE_INFO.get(key, {}).get("union", False)


def figure_value(key: str, value) -> str:
    """A figure formatted by its kind: rate -> 81.3%, count -> 1,234, days/score -> 12.5."""
    kind = kind_of(key)
    if kind == "rate":
        return percent(value)
    if kind == "count":
        return count(value)
    return number(value)
