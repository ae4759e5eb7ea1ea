"""Figures as the brief prints them: a value by its kind, its change against the month
before in words (a brief is printed in black and white, where an arrow's colour is lost),
and the counts behind it. The values are those of xieshang.metrics; nothing here
computes a figure, it only writes one down.

    shown("implementation_rate", 0.5)            -> "50.0%"
    shown("meetings", 1234)                       -> "1,234"
    shown("satisfaction", None)                   -> "无数据"
    change("implementation_rate", 0.5, 0.458)     -> ("上升4.2个百分点", "good")
    basis("implementation_rate", {"implemented": 1, "resolutions_due": 2})  -> "1/2"
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from xieshang.metrics.definitions import RECORDS

NO_DATA = "无数据"
NOT_COMPARABLE = "无可比"
FLAT = "持平"


def half_up(value: float, digits: int = 1, scale: int = 1) -> str:
    """value × scale to `digits` decimals, halves up as written (0.8125 -> 81.3), not as
    the binary double would round."""
    exact = Decimal(repr(float(value))) * scale
    return f"{exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP):,.{digits}f}"


def _as_printed(value: float, scale: int) -> Decimal:
    return Decimal(half_up(value, 1, scale).replace(",", ""))


def shown(key: str, value: int | float | None) -> str:
    """A figure's value as printed: rates "50.0%", counts "1,234", days and 0–100 scores
    one decimal; "无数据" where the figure is undefined (never 0)."""
    if value is None:
        return NO_DATA
    kind = RECORDS[key].kind
    if kind == "rate":
        return half_up(value, 1, 100) + "%"
    if kind == "count":
        return f"{int(value):,}"
    return half_up(value)


def change(key: str, value, previous) -> tuple[str, str]:
    """(the change from `previous` to `value` in words, its tone "good" / "bad" / "flat"):
    rates in percentage points, counts in units, days and scores to one decimal — the
    difference of the two values as printed, so that 86.3 against 86.0 reads 上升0.3分, as a
    reader subtracting them gets; "无可比" when either is undefined; whether more is good
    is the figure's direction."""
    if value is None or previous is None:
        return NOT_COMPARABLE, "flat"
    figure = RECORDS[key]
    if figure.kind == "count":
        delta = value - previous
        size, unit = f"{abs(int(delta)):,}", ""
    else:
        scale = 100 if figure.kind == "rate" else 1
        delta = _as_printed(value, scale) - _as_printed(previous, scale)
        size = f"{abs(delta):,.1f}"
        unit = {"rate": "个百分点", "days": "天"}.get(figure.kind, "分")
    if delta == 0:
        return FLAT, "flat"
    if figure.kind in ("rate", "score100"):
        word = "上升" if delta > 0 else "下降"
    else:
        word = "增加" if delta > 0 else "减少"
    good = (delta > 0) == figure.higher_is_better
    return f"{word}{size}{unit}", "good" if good else "bad"


def basis(key: str, counts: Mapping[str, int]) -> str:
    """The counts a figure rests on, so that 1/2 is not read like 50/100: a rate's
    numerator/denominator; how many resolutions a median or mean is over."""
    figure = RECORDS[key]
    if key == "stakeholder_breadth":
        return f"{counts['stakeholder_categories']}/10类"
    if key == "median_days_to_implement":
        return f"{counts['implemented_in_period']:,}件"
    if key == "satisfaction":
        return f"{counts['satisfaction_scores']:,}个评分"
    if figure.kind == "rate" and figure.denominator:
        return f"{counts[figure.numerator]:,}/{counts[figure.denominator]:,}"
    return ""


def month_label(first: date) -> str:
    """ "2025年6月"."""
    return f"{first.year}年{first.month}月"


def day_label(day: date) -> str:
    """ "2025年6月30日"."""
    return f"{day.year}年{day.month}月{day.day}日"
