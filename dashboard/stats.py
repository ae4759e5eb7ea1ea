"""Fair comparisons of rates: Wilson intervals and rankings that do not crown tiny units.

A village with 2 of 2 resolutions implemented is not "better" than one with 95 of 100;
rankings therefore show the count behind each rate, its 95% Wilson score interval, and
put units whose denominator is below `MIN_N` after the others, flagged "样本过少".

A rate above 100% (more successes than trials: Party participation when attendees are
marked as members who are not on the roster) is a data problem, not a proportion: it
gets no interval and no rank, and is listed after the units that can be compared.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Z95 = 1.959963984540054  # two-sided 95% normal quantile
MIN_N = 5  # fewer meetings/resolutions/… than this: too few to rank fairly

# numerator and denominator (keys of metrics' "counts") behind each rate
RATE_PARTS: dict[str, tuple[str, str]] = {
    "regularity": ("village_months_with_meeting", "village_months"),
    "party_led_rate": ("meetings_led_by_party", "meetings"),
    "party_participation_rate": ("party_members_attending", "party_members_registered"),
    "party_share": ("party_attendance_rows", "attendance_rows"),
    "stakeholder_coverage": ("meetings_covered", "meetings"),
    "implementation_rate": ("implemented", "resolutions_due"),
    "on_time_rate": ("implemented_on_time", "resolutions_due"),
    "escalation_rate": ("escalated", "resolutions_of_period_meetings"),
}

# the sample size of non-rate figures (for the "too few" flag)
SAMPLE_OF: dict[str, str] = {
    "median_days_to_implement": "implemented_in_period",
    "satisfaction": "satisfaction_scores",
    "stakeholder_breadth": "meetings",
}


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for k successes in n trials; None when n == 0, and
    None when k > n (a rate over 100% is no binomial proportion; capping k at n would
    draw an interval wholly below the value shown: 0.72–1 for 12 of 10).

    center = (k + z²/2) / (n + z²),  half = z / (n + z²) · √(k(n−k)/n + z²/4).
    """
    if k < 0:
        raise ValueError("k must not be negative")
    if n <= 0 or k > n:
        return None
    z2 = z * z
    center = (k + z2 / 2) / (n + z2)
    half = z / (n + z2) * math.sqrt(k * (n - k) / n + z2 / 4)
    low = 0.0 if k == 0 else max(0.0, center - half)
    high = 1.0 if k == n else min(1.0, center + half)
    return low, high


def parts(key: str, counts: dict) -> tuple[int | None, int | None]:
    """(numerator, denominator) behind a rate, or (None, sample size) for other figures."""
    if key in RATE_PARTS:
        num, den = RATE_PARTS[key]
        return counts.get(num), counts.get(den)
    if key in SAMPLE_OF:
        return None, counts.get(SAMPLE_OF[key])
    return None, None


def rank_rows(
    rows: Sequence[dict], key: str, *, higher_is_better: bool = True, min_n: int = MIN_N
) -> list[dict]:
    """Rows of figures_by_child ordered best first, each extended with
    `value`, `k`, `n`, `ci` (Wilson, rates only), `too_few`, `over_100` (a rate whose
    numerator exceeds its denominator: a data problem) and `rank` (None when too few,
    over 100% or no value). Units with a value and enough sample come first (ties by
    area code), then units with too few, then units over 100%, then units without a
    value."""
    out = []
    for row in rows:
        value = row.get(key)
        k, n = parts(key, row.get("counts", {}))
        too_few = n is not None and n < min_n
        over_100 = k is not None and bool(n) and k > n  # n == 0: no value, nothing to flag
        ci = wilson(k, n) if (k is not None and n) else None
        out.append(
            {
                **row,
                "value": value,
                "k": k,
                "n": n,
                "ci": ci,
                "too_few": too_few,
                "over_100": over_100,
            }
        )
    out.sort(key=lambda item: _order(item, higher_is_better))
    rank = 0
    for item in out:
        if _group(item) == 0:
            rank += 1
            item["rank"] = rank
        else:
            item["rank"] = None
    return out


def _group(item: dict) -> int:
    """0 ranked, 1 too few, 2 over 100% (a value that cannot be compared at all, even
    with the small units'), 3 no value."""
    if item["value"] is None:
        return 3
    if item["over_100"]:
        return 2
    return 1 if item["too_few"] else 0


def _order(item: dict, higher_is_better: bool) -> tuple:
    value = item["value"]
    score = 0.0 if value is None else (-value if higher_is_better else value)
    return (_group(item), score, item.get("area_code", ""))
