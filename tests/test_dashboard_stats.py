"""Wilson intervals (checked against closed forms and published values) and fair rankings."""

from __future__ import annotations

import math

import pytest

from xieshang.dashboard.stats import MIN_N, Z95, parts, rank_rows, wilson

Z2 = Z95 * Z95


def test_z_is_the_two_sided_95_percent_quantile():
    assert pytest.approx(1.959963984540054, abs=1e-15) == Z95


def test_no_trials_has_no_interval():
    assert wilson(0, 0) is None


def test_zero_successes_starts_at_zero():
    assert wilson(0, 20)[0] == 0.0
    low, high = wilson(0, 10)
    assert low == 0.0
    assert high == pytest.approx(Z2 / (10 + Z2), abs=1e-15)  # 0.277532…
    assert high == pytest.approx(0.2775327998, abs=1e-10)


def test_all_successes_ends_at_one():
    low, high = wilson(10, 10)
    assert high == 1.0
    assert low == pytest.approx(10 / (10 + Z2), abs=1e-15)  # 0.722467…
    assert low == pytest.approx(0.7224672002, abs=1e-10)


def test_half_is_symmetric_around_one_half():
    low, high = wilson(5, 10)
    half = Z95 / (10 + Z2) * math.sqrt(2.5 + Z2 / 4)
    assert (low, high) == (
        pytest.approx(0.5 - half, abs=1e-15),
        pytest.approx(0.5 + half, abs=1e-15),
    )
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)  # the textbook example


def test_published_values():
    # Newcombe (1998), Statistics in Medicine 17:857, table I, method 3 (Wilson, no correction)
    low, high = wilson(81, 263)
    assert (round(low, 4), round(high, 4)) == (0.2553, 0.3662)
    low, high = wilson(15, 148)
    assert (round(low, 4), round(high, 4)) == (0.0624, 0.1605)
    low, high = wilson(1, 29)
    assert (round(low, 4), round(high, 4)) == (0.0061, 0.1718)


def test_the_interval_contains_the_rate_and_narrows_with_n():
    for k, n in [(1, 3), (7, 9), (226, 278), (3, 1000)]:
        low, high = wilson(k, n)
        assert low <= k / n <= high
    assert wilson(50, 100)[1] - wilson(50, 100)[0] > wilson(500, 1000)[1] - wilson(500, 1000)[0]


def test_rates_above_one_have_no_interval():
    # 12 of 10 is no proportion: capped at 10 of 10 it would read as (0.72, 1.0), an
    # interval wholly below the 120% shown
    assert wilson(12, 10) is None
    assert wilson(11, 10) is None
    assert wilson(10, 10) is not None
    with pytest.raises(ValueError):
        wilson(-1, 10)


def test_parts_name_the_counts_behind_a_figure():
    counts = {"implemented": 226, "resolutions_due": 278, "meetings": 9, "implemented_in_period": 4}
    assert parts("implementation_rate", counts) == (226, 278)
    assert parts("median_days_to_implement", counts) == (None, 4)
    assert parts("meetings", counts) == (None, None)


def _row(code, value, k=None, n=None):
    return {
        "area_code": code,
        "area_name": code,
        "value_key": value,
        "implementation_rate": value,
        "counts": {"implemented": k, "resolutions_due": n},
    }


def test_small_units_are_not_ranked_first():
    rows = [
        _row("A", 1.0, 2, 2),  # 100% of 2: too few
        _row("B", 0.95, 95, 100),
        _row("C", 0.5, 50, 100),
        _row("D", None, 0, 0),  # nothing due
        _row("E", 0.8, 4, 5),  # exactly MIN_N: ranked
    ]
    ranked = rank_rows(rows, "implementation_rate")
    assert [r["area_code"] for r in ranked] == ["B", "E", "C", "A", "D"]
    assert [r["rank"] for r in ranked] == [1, 2, 3, None, None]
    assert [r["too_few"] for r in ranked] == [False, False, False, True, True]
    assert ranked[0]["ci"] == wilson(95, 100)
    assert ranked[-1]["ci"] is None
    assert MIN_N == 5


def test_lower_is_better_and_ties_by_code():
    rows = [
        {"area_code": "B", "overdue_open": 3, "counts": {}},
        {"area_code": "A", "overdue_open": 3, "counts": {}},
        {"area_code": "C", "overdue_open": 1, "counts": {}},
    ]
    ranked = rank_rows(rows, "overdue_open", higher_is_better=False)
    assert [(r["area_code"], r["rank"], r["too_few"]) for r in ranked] == [
        ("C", 1, False),
        ("A", 2, False),
        ("B", 3, False),
    ]


def _participation(code, k, n):
    rate = k / n if n else None
    return {
        "area_code": code,
        "party_participation_rate": rate,
        "counts": {"party_members_attending": k, "party_members_registered": n},
    }


def test_units_above_100_percent_are_flagged_and_not_ranked():
    rows = [
        _participation("A", 9, 6),  # 150%: a data problem
        _participation("B", 6, 10),
        _participation("C", 8, 10),
        _participation("D", 3, 2),  # 150% and too few: still a data problem
        _participation("E", 1, 4),  # 25%, too few
        _participation("F", 2, 0),  # nobody registered: no value, nothing to flag
    ]
    ranked = rank_rows(rows, "party_participation_rate")
    # ranked first, then too few, then above 100% (by value), then no value
    assert [r["area_code"] for r in ranked] == ["C", "B", "E", "A", "D", "F"]
    assert [r["rank"] for r in ranked] == [1, 2, None, None, None, None]
    assert [r["over_100"] for r in ranked] == [False, False, False, True, True, False]
    assert [r["ci"] is None for r in ranked] == [False, False, False, True, True, True]
    assert ranked[0]["ci"] == wilson(8, 10)
