"""The 多元参与 page's builders against the small county
(tests/helpers/inbox_county.py), with the values worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers.components import card, text
from tests.helpers.inbox_county import CHENGGUAN, COUNTY, DONGHU, LIUSHU, YANGJIA, load_county
from tests.helpers.warehouse_builder import WarehouseBuilder
from xieshang.contract.columns import STAKEHOLDER_CATEGORIES
from xieshang.dashboard.charts import theme
from xieshang.dashboard.state import State
from xieshang.dashboard.views import stakeholders

pytestmark = pytest.mark.warehouse(fill=load_county)

START, END = date(2025, 1, 1), date(2025, 6, 30)
DEFAULT = State(COUNTY, START, END)


def ranked(values) -> list[tuple]:
    *_, table = values
    return [(r["area_code"], r["value"], r.get("k"), r.get("n")) for r in table["rows"]]


def test_stakeholder_kpis(engine):
    tree = stakeholders.build_kpis(engine, DEFAULT)
    assert card(tree, "stakeholder_coverage") == (
        "40.0%",
        "2 / 5 次会议",
        "▲ 40.0 个百分点 较上期",
        "kpi-change kpi-good",
    )
    assert card(tree, "stakeholder_breadth")[:2] == ("60.0%", "6 / 10 类主体")
    assert card(tree, "regularity")[:2] == ("16.7%", "4 / 24 个村·月")


def test_stakeholder_rankings(engine):
    coverage = stakeholders.build_ranking(engine, DEFAULT, "stakeholder_coverage")
    # 城关街道 HY-4 of HY-2, HY-4; 东湖镇 HY-1 of HY-1, HY-3, HY-5
    assert ranked(coverage) == [(CHENGGUAN, 0.5, 1, 2), (DONGHU, pytest.approx(1 / 3), 1, 3)]
    breadth = stakeholders.build_ranking(engine, DEFAULT, "stakeholder_breadth")
    assert list(breadth[0].layout.yaxis.ticktext) == ["东湖镇", "城关街道"]
    # the numbers behind it: categories reached of ten, over how many meetings (the heatmap
    # below: 东湖镇 0, 1, 6, 7 in 3 meetings; 城关街道 0, 5, 8 in 2)
    table = breadth[-1]
    assert [c["header"] for c in table["columns"]][3:6] == [
        "多元主体广度",
        "涵盖类别数（共10类）",
        "会议数",
    ]
    rows = [
        (r["area_code"], r["value"], r["stakeholder_categories"], r["n"]) for r in table["rows"]
    ]
    assert rows == [(DONGHU, 0.4, 4, 3), (CHENGGUAN, 0.3, 3, 2)]
    # the dashed line is the townships' mean, (40 + 30) / 2: the county's own breadth, its
    # six categories together (60 %), is above both; coverage's is the county's own, 2 of
    # its 5 meetings, which lies between its townships'
    assert [a.text for a in breadth[0].layout.annotations][-1] == "清河县各单位平均 35.0%"
    assert breadth[0].layout.shapes[0].x0 == pytest.approx(0.35)
    assert [a.text for a in coverage[0].layout.annotations][-1] == "清河县平均 40.0%"


# --- the heatmap -------------------------------------------------------------------------------
#
# Stakeholder categories (columns, in this order): 0 村(居)民代表 1 人大代表 2 政协委员
# 3 驻区单位 4 群团组织 5 社会组织 6 乡贤 7 网格员 8 物业企业 9 业主委员会.
# 城关街道: HY-2 (nobody), HY-4 居民代表 社会组织 物业企业 -> 0, 5, 8 in 1 of 2 meetings.
# 东湖镇: HY-1 村民代表 网格员 人大代表, HY-3 村民代表 乡贤, HY-5 (its own, nobody)
# -> 0 in 2 of 3, 1, 6, 7 in 1 of 3.


def test_heatmap_of_the_county(engine):
    figure, style, empty, notes, table = stakeholders.build_heatmap(engine, DEFAULT)
    # two units of 34 px, and the upright category names below them
    assert empty is None and style == {"height": f"{34 * 2 + 190}px"}
    cells, zeros = figure.data
    third = pytest.approx(1 / 3)
    assert [list(row) for row in cells.z] == [
        [0.5, 0, 0, 0, 0, 0.5, 0, 0, 0.5, 0],
        [pytest.approx(2 / 3), third, 0, 0, 0, 0, third, third, 0, 0],
    ]
    assert list(figure.layout.yaxis.ticktext) == ["城关街道", "东湖镇"]
    assert list(figure.layout.xaxis.ticktext) == [
        "村(居)民代表",
        "人大代表",
        "政协委员",
        "驻区单位",
        "群团组织",
        "社会组织",
        "乡贤",
        "网格员",
        "物业企业",
        "业主委员会",
    ]
    assert list(cells.text[1]) == ["66.7%", "33.3%", "", "", "", "", "33.3%", "33.3%", "", ""]
    # every cell with 0 carries an ×, and the code of its unit (a click opens it)
    assert list(zip(zeros.y, zeros.x, strict=True)) == [
        *[(0, x) for x in (1, 2, 3, 4, 6, 7, 9)],
        *[(1, x) for x in (2, 3, 4, 5, 8, 9)],
    ]
    assert set(zeros.customdata) == {CHENGGUAN, DONGHU}
    assert cells.customdata[1][0] == DONGHU
    assert (
        cells.hovertext[1][0] == "<b>东湖镇</b><br>村(居)民代表<br>占会议比例 66.7%<br>2 / 3 次会议"
    )
    assert cells.hovertext[0][1] == "<b>城关街道</b><br>人大代表<br>占会议比例 0.0%<br>0 / 2 次会议"
    assert text(notes) == (
        "×：本期没有一次会议有该类主体参加；灰色：本期无会议点击一行可进入该单位"
    )
    assert [c["field"] for c in table["columns"]] == [
        "area_name",
        "area_code",
        "meetings",
        *STAKEHOLDER_CATEGORIES,
        "never",
    ]
    assert [
        (r["area_code"], r["meetings"], [r[c] for c in STAKEHOLDER_CATEGORIES], r["never"])
        for r in table["rows"]
    ] == [
        (CHENGGUAN, 2, [1, 0, 0, 0, 0, 1, 0, 0, 1, 0], 7),
        (DONGHU, 3, [2, 1, 0, 0, 0, 0, 1, 1, 0, 0], 6),
    ]


def test_heatmap_of_a_village_shows_its_siblings(engine):
    figure, _, _, notes, table = stakeholders.build_heatmap(engine, DEFAULT.replace(scope=LIUSHU))
    cells, zeros = figure.data
    # 柳树村 HY-1, HY-3: 村民代表 in both, 人大代表 乡贤 网格员 in one; 杨家村 no meeting
    assert [list(row) for row in cells.z] == [
        [1.0, 0.5, 0, 0, 0, 0, 0.5, 0.5, 0, 0],
        [None] * 10,
    ]
    assert list(figure.layout.yaxis.ticktext) == [
        f"<span style='color:{theme.ACCENT}'><b>柳树村</b></span>",
        "杨家村",
    ]
    assert set(zeros.y) == {0}  # no × where there was no meeting
    assert cells.hovertext[1][0] == "<b>杨家村</b><br>村(居)民代表<br>本期无会议"
    assert [(r["area_code"], r["meetings"], r["never"]) for r in table["rows"]] == [
        (LIUSHU, 2, 6),
        (YANGJIA, 0, None),
    ]
    assert text(notes) == "×：本期没有一次会议有该类主体参加；灰色：本期无会议"  # no drill hint


def test_heatmap_in_english(engine):
    figure, *_, table = stakeholders.build_heatmap(engine, DEFAULT.replace(lang="en"))
    assert list(figure.layout.xaxis.ticktext)[:2] == [
        "Resident representatives",
        "People's congress deputies",
    ]
    assert figure.data[0].hovertext[1][0] == (
        "<b>东湖镇</b><br>Resident representatives<br>Share of meetings 66.7%<br>2 of 3 meetings"
    )
    headers = [c["header"] for c in table["columns"]]
    assert headers[:3] == ["Unit", "Area code", "Consultation meetings"]
    assert headers[-1] == "Groups never reached"


def test_heatmap_of_an_empty_period(engine):
    state = DEFAULT.replace(start=date(2024, 1, 1), end=date(2024, 5, 31))
    figure, style, empty, _, table = stakeholders.build_heatmap(engine, state)
    assert style == {"display": "none"}
    assert text(empty) == "本期无数据清河县在 2024-01-01 至 2024-05-31 期间尚未报送协商会议"
    assert [(r["area_code"], r["meetings"], r["never"]) for r in table["rows"]] == [
        (CHENGGUAN, 0, None),
        (DONGHU, 0, None),
    ]


# --- never reached ---------------------------------------------------------------------------


def test_never_reached_by_the_county(engine):
    _, style, listing, _, table = stakeholders.build_never(engine, DEFAULT)
    assert style == {"display": "none"}  # a list, no figure
    # reached: 村(居)民代表 (3 meetings), 人大代表 社会组织 乡贤 网格员 物业企业 (1 each)
    # least reached: the three at 1 of 5, in the contract's order
    assert text(listing) == (
        "清河县本期 5 次会议中，以下 4 类主体（共 10 类）一次也未参加："
        "政协委员驻区单位群团组织业主委员会"
        "参与最少的类别（占会议比例）："
        "人大代表 20.0%（1 次会议）社会组织 20.0%（1 次会议）乡贤 20.0%（1 次会议）"
    )
    assert [(r["category"], r["reached"], r["share"], r["never"]) for r in table["rows"]] == [
        ("村(居)民代表", 3, 0.6, ""),
        ("人大代表", 1, 0.2, ""),
        ("政协委员", 0, 0.0, "从未参与"),
        ("驻区单位", 0, 0.0, "从未参与"),
        ("群团组织", 0, 0.0, "从未参与"),
        ("社会组织", 1, 0.2, ""),
        ("乡贤", 1, 0.2, ""),
        ("网格员", 1, 0.2, ""),
        ("物业企业", 1, 0.2, ""),
        ("业主委员会", 0, 0.0, "从未参与"),
    ]


def test_never_reached_counts_the_townships_own_meetings(engine):
    # 东湖镇: HY-1, HY-3 and its own HY-5; 6 categories never reached, as its row says
    _, _, listing, _, table = stakeholders.build_never(engine, DEFAULT.replace(scope=DONGHU))
    assert text(listing).startswith("东湖镇本期 3 次会议中，以下 6 类主体（共 10 类）")
    assert sum(1 for r in table["rows"] if r["never"]) == 6


def test_never_reached_in_english_and_when_empty(engine):
    _, _, listing, _, table = stakeholders.build_never(engine, DEFAULT.replace(lang="en"))
    assert text(listing) == (
        "In the 5 meetings of 清河县 in the period, 4 of the 10 groups never took part:"
        "CPPCC membersResident unitsMass organisationsOwners' committees"
        "Least reached (share of meetings):People's congress deputies 20.0% (meetings: 1)"
        "Social organisations 20.0% (meetings: 1)Local worthies 20.0% (meetings: 1)"
    )
    assert table["rows"][2]["never"] == "never reached"
    _, _, empty, _, _ = stakeholders.build_never(engine, DEFAULT.replace(scope=YANGJIA))
    assert text(empty) == "本期无数据杨家村在 2025-01-01 至 2025-06-30 期间尚未报送协商会议"


def test_a_scope_that_reached_every_category(db_url):
    from xieshang.warehouse.engine import open_warehouse

    b = WarehouseBuilder()
    b.area("330281000000", name="示范县")
    meeting = b.meeting("330281000000", "2025-02-10")
    for i, category in enumerate(STAKEHOLDER_CATEGORIES):
        b.attend(meeting, f"p{i}", category=category)
    b.load_run("2025-03-31")
    eng = open_warehouse(db_url)
    b.write(eng)
    state = State("330281000000", date(2025, 1, 1), date(2025, 3, 31))
    _, _, listing, _, table = stakeholders.build_never(eng, state)
    assert text(listing) == "示范县本期 1 次会议覆盖了全部 10 类主体"
    assert [r["reached"] for r in table["rows"]] == [1] * 10
    eng.dispose()


def test_least_reached_skips_the_never_and_the_always_reached():
    reached = dict.fromkeys(STAKEHOLDER_CATEGORIES, 10)
    reached.update(npc_deputy=0, social_org=3, local_worthy=1, grid_worker=3, mass_org=9)
    reach = {"meetings": 10, "reached": reached}
    # 0 is "never", 10 of 10 is everywhere; ties (3, 3) keep the contract's order
    assert stakeholders.least_reached(reach) == [
        ("local_worthy", 1),
        ("social_org", 3),
        ("grid_worker", 3),
    ]
    assert stakeholders.least_reached(reach, at_most=5)[-1] == ("mass_org", 9)


def test_an_empty_warehouse(db_url):
    from xieshang.warehouse.engine import open_warehouse

    empty = open_warehouse(db_url)
    state = State(None, START, END)
    for view in (stakeholders,):
        assert "xieshang demo" in text(view.build_kpis(empty, state))
        assert "xieshang load" in text(view.build_ranking(empty, state, view.RANKINGS[0])[2])
        assert "xieshang load" in text(view.build_heatmap(empty, state)[2])
        assert "xieshang load" in text(view.build_never(empty, state)[2])
    empty.dispose()
