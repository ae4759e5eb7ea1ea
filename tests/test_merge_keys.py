"""Merging numbers a run's (area, meeting) pairs column by column (etl/merge.py)."""

import pandas as pd

from xieshang.etl.merge import _distinct_pairs


def test_each_row_gets_the_number_of_its_pair_in_order_of_first_sight():
    areas = pd.Series(["330281001001", "330281001001", "330281001002", "330281001001"])
    meetings = pd.Series(["HY1", "HY2", "HY1", "HY1"], dtype=object)
    codes, pairs = _distinct_pairs(areas, meetings)
    assert codes.tolist() == [0, 1, 2, 0]
    assert pairs == [
        ("330281001001", "HY1"),
        ("330281001001", "HY2"),
        ("330281001002", "HY1"),
    ]


def test_a_missing_value_stays_none_and_nothing_gives_nothing():
    codes, pairs = _distinct_pairs(
        pd.Series(["330281001001", None], dtype=object), pd.Series([None, "HY1"], dtype=object)
    )
    assert codes.tolist() == [0, 1] and pairs == [("330281001001", None), (None, "HY1")]
    codes, pairs = _distinct_pairs(pd.Series([], dtype=object), pd.Series([], dtype=object))
    assert codes.tolist() == [] and pairs == []
