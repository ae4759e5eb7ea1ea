"""The overview's pure builders against a small real warehouse
(tests/helpers/inbox_county.py), with the values worked out by hand there."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers.components import card, text, walk
from tests.helpers.inbox_county import (
    CHENGGUAN,
    COUNTY,
    DONGHU,
    JIEFANG,
    LIUSHU,
    XINHUA,
    YANGJIA,
    load_county,
)
from xieshang.dashboard import data
from xieshang.dashboard.charts import theme
from xieshang.dashboard.page_kit import drill_target
from xieshang.dashboard.state import State
from xieshang.dashboard.views import overview
from xieshang.metrics import FIGURE_INFO

pytestmark = pytest.mark.warehouse(fill=load_county)

DEFAULT = State(COUNTY, date(2025, 1, 1), date(2025, 6, 30))


# --- KPI cards ---------------------------------------------------------------------------------------------


def test_kpi_cards_of_the_county(engine):
    tree = overview.build_kpis(engine, DEFAULT)
    assert card(tree, "meetings") == ("5", "截至 2025-06-30", "▲ 4 较上期", "kpi-change kpi-good")
    assert card(tree, "regularity") == (
        "16.7%",
        "4 / 24 个村·月",
        "▲ 12.5 个百分点 较上期",
        "kpi-change kpi-good",
    )
    assert card(tree, "party_participation_rate")[:2] == ("1.0%", "3 / 290 名党员")
    assert card(tree, "stakeholder_coverage") == (
        "40.0%",
        "2 / 5 次会议",
        "▲ 40.0 个百分点 较上期",
        "kpi-change kpi-good",
    )
    assert card(tree, "implementation_rate") == (
        "66.7%",
        "2 / 3 项到期决议",
        "▼ 33.3 个百分点 较上期",
        "kpi-change kpi-bad",
    )
    assert card(tree, "on_time_rate") == (
        "33.3%",
        "1 / 3 项到期决议",
        "▼ 66.7 个百分点 较上期",
        "kpi-change kpi-bad",
    )
    # more overdue resolutions is bad although the number went up
    assert card(tree, "overdue_open") == (
        "1",
        "截至 2025-06-30",
        "▲ 1 较上期",
        "kpi-change kpi-bad",
    )
    assert card(tree, "satisfaction") == (
        "86.0",
        "2 项有评分",
        "▼ 4.0 分 较上期",
        "kpi-change kpi-bad",
    )


def test_kpi_cards_carry_the_definitions(engine):
    tree = overview.build_kpis(engine, DEFAULT)
    tooltips = [n for n in walk(tree) if type(n).__name__ == "Tooltip"]
    assert len(tooltips) == len(overview.KPI_KEYS)
    assert tooltips[0].children == FIGURE_INFO["meetings"]["definition_zh"]
    assert tooltips[0].target == {"type": "kpi-info", "key": "meetings"}


def test_kpi_cards_in_english(engine):
    tree = overview.build_kpis(engine, DEFAULT.replace(lang="en"))
    assert card(tree, "implementation_rate") == (
        "66.7%",
        "2 / 3 resolutions due",
        "▼ 33.3 pp vs previous period",
        "kpi-change kpi-bad",
    )
    assert "Implementation rate" in text(tree)


def test_kpi_cards_of_a_township_and_with_a_filter(engine):
    tree = overview.build_kpis(engine, DEFAULT.replace(scope=DONGHU))
    assert card(tree, "meetings")[0] == "3"
    assert card(tree, "implementation_rate")[:2] == ("50.0%", "1 / 2 项到期决议")
    council = overview.build_kpis(engine, DEFAULT.replace(form="council"))
    assert card(council, "meetings")[:3] == ("2", "截至 2025-06-30", "▲ 1 较上期")


def test_no_previous_data_says_so(engine):
    tree = overview.build_kpis(engine, State(COUNTY, date(2024, 11, 1), date(2024, 11, 30)))
    assert card(tree, "implementation_rate")[2] == "上期无可比数据"
    assert card(tree, "meetings")[0] == "1"


def test_no_change_against_a_period_before_the_data(engine):
    # the data begin with HY-0 on 2024-06-20, i.e. with June 2024; the previous period
    # of 2024-07-01 — 2024-12-31 (six months) is 2024-01-01 — 2024-06-30
    state = State(COUNTY, date(2024, 7, 1), date(2024, 12, 31))
    tree = overview.build_kpis(engine, state)
    # the cards have no change line; the row says why once, under them (issue 12)
    assert card(tree, "meetings")[:3] == ("1", "截至 2024-12-31", "")
    assert card(tree, "implementation_rate")[2] == ""
    notes = [n for n in walk(tree) if getattr(n, "className", None) == "kpi-note"]
    assert [(n.children, n.title) for n in notes] == [
        (
            "数据始于 2024-06-01，无上期可比",
            "上期 2024-01-01 至 2024-06-30 早于数据起始 2024-06-01，不作比较",
        )
    ]
    assert text(tree).count("无上期可比") == 1
    english = overview.build_kpis(engine, state.replace(lang="en"))
    assert card(english, "meetings")[2] == ""
    assert [n.children for n in walk(english) if getattr(n, "className", None) == "kpi-note"] == [
        "no previous period: data begin 2024-06-01"
    ]


def test_a_previous_period_starting_with_the_data_is_compared(engine):
    # 2024-07-01 — 2024-07-30 (30 days): previous 2024-06-01 — 2024-06-30 holds HY-0
    tree = overview.build_kpis(engine, State(COUNTY, date(2024, 7, 1), date(2024, 7, 30)))
    assert card(tree, "meetings") == ("0", "截至 2024-07-30", "▼ 1 较上期", "kpi-change kpi-bad")


# --- heading ----------------------------------------------------------------------------------------------------


def test_heading_is_a_breadcrumb_with_the_period(engine):
    tree = overview.build_heading(engine, DEFAULT.replace(scope=XINHUA, form="council"))
    assert text(tree.children[0]) == "清河县 › 城关街道 › 新华社区"
    links = [n for n in walk(tree) if type(n).__name__ == "Link"]
    assert [ln.href for ln in links] == [
        f"/?scope={COUNTY}&from=2025-01-01&to=2025-06-30&form=council",
        f"/?scope={CHENGGUAN}&from=2025-01-01&to=2025-06-30&form=council",
    ]
    assert text(tree.children[1]) == "2025-01-01 — 2025-06-30 · 截至 2025-06-30 · 协商形式：议事会"
    english = overview.build_heading(engine, DEFAULT.replace(form="council", lang="en"))
    assert text(english.children[1]).endswith(" · Form: Council")  # not Form：Council
    # the monthly brief of the view, at its plain addresses
    assert text(tree.children[2]) == "工作简报（2025年6月）：PDF · Word"
    query = f"?scope={XINHUA}&from=2025-01-01&to=2025-06-30&form=council"
    assert [a.href for a in walk(tree) if type(a).__name__ == "A"] == [
        f"/download/brief.pdf{query}",
        f"/download/brief.docx{query}",
    ]


# --- ranking ------------------------------------------------------------------------------------------------------


def test_ranking_of_townships_by_a_count(engine):
    figure, style, empty, notes, table = overview.build_ranking(engine, DEFAULT, "meetings")
    bar = figure.data[0]
    assert list(bar.x) == [3, 2]
    assert list(figure.layout.yaxis.ticktext) == ["东湖镇", "城关街道"]
    assert list(bar.customdata) == [DONGHU, CHENGGUAN]
    assert list(bar.marker.color) == [theme.BAR, theme.BAR]
    assert figure.layout.shapes[0].x0 == 2.5  # the county's meetings per township, dashed
    assert figure.layout.shapes[0].line.dash == "dash"
    assert any(a.text == "清河县平均 2.5" for a in figure.layout.annotations)
    assert style == {"height": f"{figure.layout.height}px"} and empty is None
    assert [(r["rank"], r["area_name"], r["value"]) for r in table["rows"]] == [
        (1, "东湖镇", 3),
        (2, "城关街道", 2),
    ]


def test_ranking_of_rates_flags_units_too_small_to_rank(engine):
    figure, _, _, notes, table = overview.build_ranking(engine, DEFAULT, "implementation_rate")
    bar = figure.data[0]
    assert list(figure.layout.yaxis.ticktext) == ["城关街道", "东湖镇"]
    assert list(bar.x) == [1.0, 0.5]
    assert list(bar.marker.color) == [theme.MUTED, theme.MUTED]  # 1 and 2 due: fewer than 5
    assert figure.layout.xaxis.range[0] == 0 and figure.layout.xaxis.range[1] >= 1.0
    assert figure.layout.xaxis.tickformat == ".0%"
    assert figure.layout.shapes[0].x0 == pytest.approx(2 / 3)
    rows = table["rows"]
    assert [(r["rank"], r["k"], r["n"], r["note"]) for r in rows] == [
        (None, 1, 1, "样本过少"),
        (None, 1, 2, "样本过少"),
    ]
    assert rows[1]["ci_low"] == pytest.approx(0.0945, abs=1e-4)
    assert rows[1]["ci_high"] == pytest.approx(0.9055, abs=1e-4)
    labels = [a.text for a in figure.layout.annotations]
    assert any(
        label.startswith("50.0% ") and "1/2" in label and "样本过少" in label for label in labels
    )
    assert "分母少于 5" in str(notes)
    assert "<br>1 / 2<br>95%区间 9.5%–90.5%" in bar.hovertext[1]


def test_ranking_of_a_township_shows_its_villages(engine):
    figure, *_ = overview.build_ranking(engine, DEFAULT.replace(scope=DONGHU), "meetings")
    assert list(figure.layout.yaxis.ticktext) == ["柳树村", "杨家村"]
    assert list(figure.data[0].x) == [2, 0]


def test_ranking_of_a_village_shows_its_siblings_with_it_selected(engine):
    figure, *_ = overview.build_ranking(engine, DEFAULT.replace(scope=JIEFANG), "meetings")
    assert list(figure.layout.yaxis.ticktext) == ["新华社区", "解放社区"]
    assert list(figure.data[0].marker.color) == [theme.BAR, theme.ACCENT]


def test_ranking_of_an_empty_period(engine):
    # within the data's span: nobody reported a meeting
    state = State(COUNTY, date(2024, 7, 1), date(2024, 7, 31))
    figure, style, empty, _, _ = overview.build_ranking(engine, state, "meetings")
    assert style == {"display": "none"}
    assert text(empty) == "本期无数据清河县在 2024-07-01 至 2024-07-31 期间尚未报送协商会议"
    # before the data begin (June 2024): said so, for every figure (issue 12)
    early = State(COUNTY, date(2023, 1, 1), date(2023, 3, 31))
    figure, style, empty, _, table = overview.build_ranking(engine, early, "regularity")
    assert (style, table) == ({"display": "none"}, None)
    assert text(empty) == "本期无数据本期 2023-01-01 至 2023-03-31 早于数据起始 2024-06-01，无数据"


# --- map ------------------------------------------------------------------------------------------------------------


def test_map_draws_townships_with_a_polygon_and_names_the_others(engine):
    figure, style, empty, notes, table, trace_codes = overview.build_map(
        engine, DEFAULT, "implementation_rate"
    )
    # the assets' GeoJSON has the demo county's townships: 城关街道's code, not 东湖镇's
    assert CHENGGUAN in trace_codes and DONGHU not in trace_codes
    first = figure.data[trace_codes.index(CHENGGUAN)]
    assert first.fill == "toself" and first.hoveron == "fills"
    assert first.fillcolor == theme.sequential_color(1.0) == theme.SEQUENTIAL[-1]
    assert "以下单位无边界数据：东湖镇" in text(notes)
    assert [r["area_code"] for r in table["rows"]] == [CHENGGUAN, DONGHU]  # still ranked
    assert empty is None


def test_map_outlines_the_township_of_the_scope(engine):
    figure, *_, trace_codes = overview.build_map(engine, DEFAULT.replace(scope=XINHUA), "meetings")
    trace = figure.data[trace_codes.index(CHENGGUAN)]
    assert trace.line.color == "white"
    outline = figure.data[len(trace_codes) - 3]  # before the labels and the colour bar
    assert outline.line.color == theme.ACCENT and trace_codes[len(trace_codes) - 3] == CHENGGUAN


def test_map_without_any_polygon_is_an_empty_state(engine, monkeypatch):
    monkeypatch.setattr(overview, "shapes_for", lambda engine_, codes: {})
    figure, style, empty, _, table, codes = overview.build_map(engine, DEFAULT, "meetings")
    assert style == {"display": "none"} and codes == []
    assert "assets/geo/README.md" in text(empty)
    assert len(table["rows"]) == 2


def test_drill_target():
    assert drill_target({"points": [{"curveNumber": 1}]}, [CHENGGUAN, DONGHU, None]) == DONGHU
    assert drill_target({"points": [{"curveNumber": 2, "customdata": LIUSHU}]}, []) == LIUSHU
    assert drill_target({"points": [{"curveNumber": 9}]}, [CHENGGUAN]) is None
    assert drill_target(None, None) is None


# --- trends ---------------------------------------------------------------------------------------------------------


def test_trends(engine):
    rates_fig, _, _, _, rates_table, meet_fig, _, _, _, meet_table = overview.build_trends(
        engine, DEFAULT
    )
    assert list(meet_fig.data[0].y) == [0, 0, 2, 1, 1, 1]
    assert list(meet_fig.data[0].x) == [f"2025-0{m}-01" for m in range(1, 7)]
    assert [r["meetings"] for r in meet_table["rows"]] == [0, 0, 2, 1, 1, 1]
    by_month = {r["month"]: r for r in rates_table["rows"]}
    assert by_month["2025-06"]["implementation_rate"] == 0.5  # JY-2 open, JY-3 done, as of 6-30
    assert by_month["2025-05"]["implementation_rate"] is None  # JY-1's first report is 6-20
    assert [t.name for t in rates_fig.data] == [
        "决议落实率",
        "党员参与率",
        "多元主体覆盖率",
        "常态化率",
        "空心点：样本少于 5，仅供参考",
    ]
    assert rates_fig.layout.yaxis.tickformat == ".0%"


def test_trends_of_an_empty_period(engine):
    values = overview.build_trends(engine, State(YANGJIA, date(2025, 1, 1), date(2025, 6, 30)))
    assert values[1] == {"display": "none"} and values[6] == {"display": "none"}
    assert text(values[2]) == "本期无数据杨家村在 2025-01-01 至 2025-06-30 期间尚未报送协商会议"


# --- an empty warehouse ------------------------------------------------------------------------------------------------


def test_an_empty_warehouse_says_what_to_do(db_url):
    from xieshang.warehouse.engine import open_warehouse

    empty = open_warehouse(db_url)
    state = State(None, date(2025, 1, 1), date(2025, 6, 30))
    assert "xieshang demo" in text(overview.build_kpis(empty, state))
    assert "xieshang load" in text(overview.build_ranking(empty, state, "meetings")[2])
    assert overview.build_heading(empty, state) is None
    assert data.directory(empty).empty
    empty.dispose()


def test_directory_of_the_small_county(engine):
    d = data.directory(engine)
    assert d.root == COUNTY and d.last_load == date(2025, 6, 30)
    assert d.children(COUNTY) == [(CHENGGUAN, "城关街道"), (DONGHU, "东湖镇")]
    assert d.children(DONGHU) == [(LIUSHU, "柳树村"), (YANGJIA, "杨家村")]
    assert d.parent(LIUSHU) == DONGHU and d.parent(COUNTY) is None
    assert d.defaults().scopes == frozenset(
        {COUNTY, CHENGGUAN, DONGHU, XINHUA, JIEFANG, LIUSHU, YANGJIA}
    )
