"""metrics.stakeholder_reach: meetings reaching each stakeholder category, for a scope and
its children, with counts worked out by hand — on the dashboard's small county
(tests/helpers/inbox_county.py) and on a builder county with filters and a second county
(so that the county scope is a code prefix, not the whole roster) — and, for every
scope, the categories reached agree with stakeholder_breadth."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import inbox_county as inbox
from tests.helpers.builder_county import COUNTY, small_county
from tests.helpers.warehouse_builder import WarehouseBuilder
from xieshang import metrics
from xieshang.contract.columns import STAKEHOLDER_CATEGORIES
from xieshang.metrics import NO_FILTERS, Filters

T1, V11, V12 = "330281101000", "330281101201", "330281101202"
T2, V21, V22 = "330281102000", "330281102201", "330281102202"
OTHER_COUNTY, OTHER_TOWN, OTHER_VILLAGE = "330282000000", "330282101000", "330282101201"
Q1 = (date(2025, 1, 1), date(2025, 3, 31))
HALF = (date(2025, 1, 1), date(2025, 6, 30))


def reached(**counts: int) -> dict:
    """All ten categories, 0 unless given."""
    unknown = set(counts) - set(STAKEHOLDER_CATEGORIES)
    assert not unknown, unknown
    return {c: counts.get(c, 0) for c in STAKEHOLDER_CATEGORIES}


def summary(result: dict) -> tuple:
    return result["meetings"], result["reached"]


def by_child(result: dict) -> dict:
    return {r["area_code"]: (r["meetings"], r["reached"]) for r in result["children"]}


def assert_breadth_agrees(bind, scope, start, end, filters=NO_FILTERS) -> None:
    """Categories reached / 10 is stakeholder_breadth, for the scope and each child."""
    reach = metrics.stakeholder_reach(bind, scope, start, end, filters)
    keys = ["stakeholder_breadth"]
    own = metrics.figures(bind, scope, start, end, filters, keys=keys)["stakeholder_breadth"]
    assert _breadth(reach) == own
    figures = metrics.figures_by_child(bind, scope, start, end, filters, keys=keys)
    assert [r["area_code"] for r in figures] == [r["area_code"] for r in reach["children"]]
    for row, child in zip(reach["children"], figures, strict=True):
        assert _breadth(row) == child["stakeholder_breadth"], row["area_code"]


def _breadth(counts: dict) -> float | None:
    if not counts["meetings"]:
        return None
    return sum(1 for n in counts["reached"].values() if n) / len(STAKEHOLDER_CATEGORIES)


# --- the dashboard's small county ----------------------------------------------------------


@pytest.fixture
def small(shared_warehouse):
    return shared_warehouse(inbox.load_county)


def test_small_county_by_township(small):
    r = metrics.stakeholder_reach(small, inbox.COUNTY, *HALF)
    assert (r["scope"], r["scope_name"], r["from"], r["to"], r["as_of"]) == (
        inbox.COUNTY,
        "清河县",
        *HALF,
        date(2025, 6, 30),
    )
    # HY-1 村民代表 网格员 人大代表; HY-2 nobody; HY-3 村民代表 乡贤; HY-4 居民代表
    # (resident_rep) 社会组织 物业企业; HY-5 nobody; HY-6 is in 2024
    assert summary(r) == (
        5,
        reached(
            resident_rep=3,
            npc_deputy=1,
            grid_worker=1,
            local_worthy=1,
            social_org=1,
            property_co=1,
        ),
    )
    assert by_child(r) == {
        inbox.CHENGGUAN: (2, reached(resident_rep=1, social_org=1, property_co=1)),  # HY-2, HY-4
        inbox.DONGHU: (
            3,  # HY-1, HY-3 and its own HY-5
            reached(resident_rep=2, npc_deputy=1, grid_worker=1, local_worthy=1),
        ),
    }
    assert [c["area_name"] for c in r["children"]] == ["城关街道", "东湖镇"]


def test_a_townships_own_meetings_count_in_its_total(small):
    r = metrics.stakeholder_reach(small, inbox.DONGHU, *HALF)
    assert r["meetings"] == 3  # HY-5 is hosted by 东湖镇 itself
    assert by_child(r) == {
        inbox.LIUSHU: (2, reached(resident_rep=2, npc_deputy=1, grid_worker=1, local_worthy=1)),
        inbox.YANGJIA: (0, reached()),  # HY-6 is in 2024
    }


def test_a_village_has_no_children(small):
    r = metrics.stakeholder_reach(small, inbox.LIUSHU, *HALF)
    assert summary(r) == (2, reached(resident_rep=2, npc_deputy=1, grid_worker=1, local_worthy=1))
    assert r["children"] == []


def test_villages_of_the_county(small):
    r = metrics.stakeholder_reach(small, inbox.COUNTY, *HALF, level="village")
    assert [(c["area_code"], c["level"], c["meetings"]) for c in r["children"]] == [
        (inbox.XINHUA, "village", 1),
        (inbox.JIEFANG, "village", 1),
        (inbox.LIUSHU, "village", 2),
        (inbox.YANGJIA, "village", 0),
    ]
    assert r["meetings"] == 5  # the scope's total is unchanged by the level


def test_small_county_agrees_with_breadth(small):
    for scope in (inbox.COUNTY, inbox.CHENGGUAN, inbox.DONGHU, inbox.LIUSHU, inbox.YANGJIA):
        assert_breadth_agrees(small, scope, *HALF)
    assert_breadth_agrees(small, inbox.COUNTY, date(2024, 7, 4), date(2024, 12, 31))


# --- a builder county: filters, a second county ----------------------------------------------


def build_reach_county() -> WarehouseBuilder:
    b = small_county()
    m1 = b.meeting(V11, "2025-02-03", form="council")
    b.attend(m1, "a", category="resident_rep")
    b.attend(m1, "h", category="resident_rep")  # a second one: m1 still counts once
    b.attend(m1, "b", category="npc_deputy")
    m2 = b.meeting(V11, "2025-02-20", form="hearing", online=True)
    b.attend(m2, "c", category="resident_rep")
    b.attend(m2, "d", category="owners_committee")
    m3 = b.meeting(T1, "2025-03-01", form="council")  # the township's own
    b.attend(m3, "e", category="cppcc_member")
    m4 = b.meeting(V21, "2025-03-15", form="council", category="roads")
    b.attend(m4, "f", category="grid_worker")
    b.attend(m4, "g", category="cadre")  # not a stakeholder category
    b.meeting(V22, "2025-01-10")  # nobody signed in
    m6 = b.meeting(V12, "2024-12-31")  # before Q1
    b.attend(m6, "i", category="mass_org")
    m7 = b.meeting(V21, "2025-04-01")  # after Q1
    b.attend(m7, "j", category="social_org")
    # a second county: the first is a code prefix of the roster, not all of it
    b.area(OTHER_COUNTY, name="邻县")
    b.area(OTHER_TOWN, name="邻镇")
    b.area(OTHER_VILLAGE, name="邻村")
    m8 = b.meeting(OTHER_VILLAGE, "2025-02-01")
    b.attend(m8, "k", category="local_worthy")
    b.load_run("2025-03-31")
    return b


@pytest.fixture
def county(engine):
    build_reach_county().write(engine)
    return engine


def test_county_and_townships(county):
    r = metrics.stakeholder_reach(county, COUNTY, *Q1)
    # m1..m5 (m6, m7 outside Q1; m8 in the other county)
    assert summary(r) == (
        5,
        reached(resident_rep=2, npc_deputy=1, owners_committee=1, cppcc_member=1, grid_worker=1),
    )
    assert by_child(r) == {
        T1: (3, reached(resident_rep=2, npc_deputy=1, owners_committee=1, cppcc_member=1)),
        T2: (2, reached(grid_worker=1)),  # m4 (cadre is no stakeholder), m5 nobody
    }


def test_villages_of_a_township(county):
    r = metrics.stakeholder_reach(county, T1, *Q1)
    assert r["meetings"] == 3  # m3 is T1's own
    assert by_child(r) == {
        V11: (2, reached(resident_rep=2, npc_deputy=1, owners_committee=1)),
        V12: (0, reached()),  # m6 is in 2024
    }


def test_filters_narrow_the_meetings(county):
    hearing = metrics.stakeholder_reach(county, COUNTY, *Q1, Filters(form="hearing"))
    assert summary(hearing) == (1, reached(resident_rep=1, owners_committee=1))  # m2
    assert by_child(hearing) == {
        T1: (1, reached(resident_rep=1, owners_committee=1)),
        T2: (0, reached()),
    }
    offline = metrics.stakeholder_reach(county, COUNTY, *Q1, Filters(online=False))
    # m1, m3, m4, m5
    assert summary(offline) == (
        4,
        reached(resident_rep=1, npc_deputy=1, cppcc_member=1, grid_worker=1),
    )
    roads = metrics.stakeholder_reach(county, T2, *Q1, Filters(category="roads"))
    assert summary(roads) == (1, reached(grid_worker=1))  # m4
    assert by_child(roads) == {V21: (1, reached(grid_worker=1)), V22: (0, reached())}


def test_builder_county_agrees_with_breadth(county):
    for scope in (COUNTY, T1, T2, V11, V12, OTHER_COUNTY):
        assert_breadth_agrees(county, scope, *Q1)
    for filters in (Filters(form="hearing"), Filters(online=False), Filters(category="roads")):
        assert_breadth_agrees(county, COUNTY, *Q1, filters)
        assert_breadth_agrees(county, T1, *Q1, filters)


def test_arguments_are_checked(county):
    with pytest.raises(metrics.UnknownScope):
        metrics.stakeholder_reach(county, "330281999000", *Q1)
    with pytest.raises(ValueError):
        metrics.stakeholder_reach(county, T1, Q1[1], Q1[0])
    with pytest.raises(ValueError):
        metrics.stakeholder_reach(county, T1, *Q1, level="county")
