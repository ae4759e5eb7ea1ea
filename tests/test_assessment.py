"""The assessment score and table of metrics.md, with hand-computed numbers."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers.builder_county import COUNTY, Q1, T1, T2, V11, V12, build_county
from xieshang.metrics import assessment as A
from xieshang.metrics.assessment import (
    DEFAULT_WEIGHTS,
    WeightsError,
    load_weights,
    rank,
    round_score,
    score,
)


def test_score_weights_nulls_and_cap():
    row = {
        "party_participation_rate": 0.5,
        "implementation_rate": 0.8,
        "stakeholder_coverage": None,  # null counts as 0
        "regularity": 1.2,  # above 1 counts as 1
        "satisfaction": 90.0,  # scored / 100
    }
    # 100 * (25*.5 + 30*.8 + 20*0 + 15*1 + 10*.9) / 100
    assert score(row) == pytest.approx(60.5, abs=1e-12)
    assert score({k: None for k in DEFAULT_WEIGHTS}) == 0.0
    over = dict.fromkeys(DEFAULT_WEIGHTS, 1.0) | {"party_participation_rate": 3.0}
    assert score(over | {"satisfaction": 100.0}) == pytest.approx(100.0)
    only = {
        "implementation_rate": 1,
        **dict.fromkeys(DEFAULT_WEIGHTS.keys() - {"implementation_rate"}, 0),
    }
    assert score(row, only) == pytest.approx(80.0)  # 100 * 0.8 * 1 / 1


def test_ranks_share_the_smaller_rank_and_list_ties_by_code():
    rows = [
        {"area_code": "4", "score": 70.0},
        {"area_code": "3", "score": 80.0 + 5e-10},  # within 1e-9 of 80: a tie
        {"area_code": "1", "score": 80.0},
        {"area_code": "2", "score": 90.0},
        {"area_code": "5", "score": 80.0 - 2e-9},  # not a tie
    ]
    ranked = rank(rows)
    assert [(r["area_code"], r["rank"]) for r in ranked] == [
        ("2", 1),
        ("1", 2),
        ("3", 2),
        ("5", 4),
        ("4", 5),
    ]
    # the score is never rounded before ranking
    assert [r["score"] for r in ranked][2] == 80.0 + 5e-10
    all_tied = rank([{"area_code": c, "score": 0.0} for c in "cab"])
    assert [(r["area_code"], r["rank"]) for r in all_tied] == [("a", 1), ("b", 1), ("c", 1)]
    # 80 and 80 - 6e-10 are within 1e-9 of each other, though not of 80 + 5e-10: all tie
    chain = rank(
        [
            {"area_code": "b", "score": 80.0},
            {"area_code": "d", "score": 80.0 + 5e-10},
            {"area_code": "e", "score": 80.0 - 6e-10},
            {"area_code": "a", "score": 90.0},
            {"area_code": "c", "score": 70.0},
        ]
    )
    assert [(r["area_code"], r["rank"]) for r in chain] == [
        ("a", 1),
        ("b", 2),
        ("d", 2),
        ("e", 2),
        ("c", 5),
    ]


def test_round_score_halves_up_on_the_printed_value():
    assert round_score(81.25) == 81.3
    assert round_score(64.05) == 64.1  # the double is 64.04999…; shown as 64.05
    assert round_score(64.04999999) == 64.0
    assert round_score(0.0) == 0.0 and round_score(100.0) == 100.0
    assert round_score(None) is None


def test_load_weights_overrides_and_validates(tmp_path):
    good = tmp_path / "weights.toml"
    good.write_text("[weights]\nimplementation_rate = 40\nsatisfaction = 0\n", encoding="utf-8")
    weights = load_weights(good)
    assert weights == DEFAULT_WEIGHTS | {"implementation_rate": 40, "satisfaction": 0}
    flat = tmp_path / "flat.toml"
    flat.write_text("regularity = 2.5\n", encoding="utf-8")
    assert load_weights(flat)["regularity"] == 2.5

    cases = {
        "unknown.toml": ("[weights]\nmeetings = 5\n", "unknown figure meetings"),
        "negative.toml": ("[weights]\nregularity = -1\n", "must be 0 or more"),
        "text.toml": ('[weights]\nregularity = "high"\n', "must be a number"),
        "bool.toml": ("[weights]\nregularity = true\n", "must be a number"),
        "zero.toml": (
            "".join(f"{k} = 0\n" for k in DEFAULT_WEIGHTS),
            "at least one weight must be above 0",
        ),
        "broken.toml": ("[weights\n", "not valid TOML"),
        "extra.toml": ("title = 'x'\n[weights]\nregularity = 1\n", "unknown key title"),
    }
    for name, (text, message) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(WeightsError, match=message) as info:
            load_weights(path)
        assert str(path) in str(info.value)
    with pytest.raises(WeightsError, match="does not exist"):
        load_weights(tmp_path / "missing.toml")


@pytest.fixture
def county(engine):
    build_county().write(engine)
    return engine


def test_township_table(county):
    a = A.assessment(county, "township", None, *Q1)
    assert (a.scope, a.scope_name, a.as_of, a.level) == (
        COUNTY,
        "示范县",
        date(2025, 3, 31),
        "township",
    )
    assert a.weights == DEFAULT_WEIGHTS and a.weights_source == "default"
    rows = a.rows
    assert [list(r) for r in rows] == [list(A.COLUMN_NAMES)] * 2
    assert [(r["area_code"], r["rank"]) for r in rows] == [(T1, 1), (T2, 2)]
    # T1: ppr 4/24, implementation 3/5, coverage 2/5, regularity 3/6, satisfaction 80
    t1 = 25 * 4 / 24 + 30 * 3 / 5 + 20 * 2 / 5 + 15 * 3 / 6 + 10 * 0.8
    # T2: ppr 2/24, implementation null, coverage 0, regularity 1/6, satisfaction null
    t2 = 25 * 2 / 24 + 15 * 1 / 6
    assert rows[0]["score"] == pytest.approx(t1)
    assert rows[1]["score"] == pytest.approx(t2)
    assert rows[1]["implementation_rate"] is None and rows[1]["satisfaction"] is None
    assert rows[0]["meetings"] == 5 and rows[0]["resolutions_due"] == 5


def test_village_table_with_weights(county):
    rows = A.assessment(county, "village", T1, *Q1).rows
    # V12: ppr .1, implementation 1, coverage 1, regularity 1/3, satisfaction 70 -> 64.5
    # V11: ppr .2, implementation .5, coverage 1/3, regularity 2/3, satisfaction 85
    assert [(r["area_code"], r["rank"]) for r in rows] == [(V12, 1), (V11, 2)]
    assert rows[0]["score"] == pytest.approx(64.5)
    assert rows[1]["score"] == pytest.approx(5 + 15 + 20 / 3 + 10 + 8.5)
    weights = DEFAULT_WEIGHTS | {"implementation_rate": 0, "stakeholder_coverage": 0}
    rows = A.assessment(county, "village", "330281101", *Q1, weights).rows
    # V12: (2.5 + 5 + 7) / 50; V11: (5 + 10 + 8.5) / 50
    assert [r["area_code"] for r in rows] == [V11, V12]
    assert rows[0]["score"] == pytest.approx(100 * 23.5 / 50)


def test_arguments(county):
    with pytest.raises(ValueError, match="within a township"):
        A.assessment(county, "village", None, *Q1)
    with pytest.raises(ValueError, match="has no townships"):
        A.assessment(county, "township", T1, *Q1)
    # a county roster's root has no counties below it (a city's has: test_assessment_county)
    with pytest.raises(ValueError, match=f"^{COUNTY} is a county: it has no counties to assess"):
        A.assessment(county, "county", None, *Q1)
    with pytest.raises(ValueError, match="county, township or village, not 'province'"):
        A.assessment(county, "province", None, *Q1)
    with pytest.raises(WeightsError):
        A.assessment(county, "township", None, *Q1, {"regularity": -2})
