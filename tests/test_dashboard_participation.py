"""The 党员参与 page's builders against the small county
(tests/helpers/inbox_county.py), with the values worked out by hand."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers.components import card, text, walk
from tests.helpers.inbox_county import CHENGGUAN, COUNTY, DONGHU, LIUSHU, YANGJIA, load_county
from tests.helpers.warehouse_builder import WarehouseBuilder
from xieshang.dashboard.charts import theme
from xieshang.dashboard.state import State
from xieshang.dashboard.views import participation

pytestmark = pytest.mark.warehouse(fill=load_county)

START, END = date(2025, 1, 1), date(2025, 6, 30)
DEFAULT = State(COUNTY, START, END)


def ranked(values) -> list[tuple]:
    *_, table = values
    return [(r["area_code"], r["value"], r.get("k"), r.get("n")) for r in table["rows"]]


def test_participation_kpis(engine):
    tree = participation.build_kpis(engine, DEFAULT)
    # P1, P3, P5 of 290 registered; previous period P8 alone (1/290)
    assert card(tree, "party_participation_rate") == (
        "1.0%",
        "3 / 290 名党员",
        "▲ 0.7 个百分点 较上期",
        "kpi-change kpi-good",
    )
    assert card(tree, "party_led_rate")[:3] == ("80.0%", "4 / 5 次会议", "▼ 20.0 个百分点 较上期")
    # 4 of the 8 attendances were Party members' (HY-6 alone before: 1/1)
    assert card(tree, "party_share")[:3] == ("50.0%", "4 / 8 人次", "▼ 50.0 个百分点 较上期")
    assert card(tree, "meetings")[0] == "5"


def test_participation_rankings(engine):
    rate = participation.build_ranking(engine, DEFAULT, "party_participation_rate")
    # 东湖镇 P1, P3 of 60 + 30 + 10; 城关街道 P5 of 80 + 40 + 20
    assert ranked(rate) == [(DONGHU, 0.02, 2, 100), (CHENGGUAN, pytest.approx(1 / 140), 1, 140)]
    share = participation.build_ranking(engine, DEFAULT, "party_share")
    # attendance rows: 东湖镇 HY-1 甲P 乙 丙P, HY-3 甲P 丁; 城关街道 HY-4 戊P 己 庚
    assert ranked(share) == [(DONGHU, 0.6, 3, 5), (CHENGGUAN, pytest.approx(1 / 3), 1, 3)]
    led = participation.build_ranking(engine, DEFAULT, "party_led_rate")
    assert ranked(led) == [(DONGHU, 1.0, 3, 3), (CHENGGUAN, 0.5, 1, 2)]
    villages = participation.build_ranking(
        engine, DEFAULT.replace(scope=DONGHU), "party_participation_rate"
    )
    # 柳树村 P1, P3 of 30; 杨家村 nobody of 10
    assert ranked(villages) == [(LIUSHU, pytest.approx(2 / 30), 2, 30), (YANGJIA, 0.0, 0, 10)]


def test_without_a_unit_above_100_percent_there_is_no_warning(engine):
    *_, notes, table = participation.build_ranking(engine, DEFAULT, "party_participation_rate")
    assert [r["note"] for r in table["rows"]] == ["", ""]  # 2/100 and 1/140
    assert text(notes) == "点击条形可进入该单位"


# --- a unit above 100% ------------------------------------------------------------------------

T1 = "330281101000"
V11, V12, V13 = "330281101201", "330281101202", "330281101203"
Q1 = State(T1, date(2025, 1, 1), date(2025, 3, 31))


def write_township_over_100(engine, directory) -> None:
    """A township whose 一村 has 9 members signing in as Party members and 6 registered."""
    b = WarehouseBuilder()
    b.area("330281000000", name="示范县")
    b.area(T1, name="一镇")
    for code, name, registered, attending in (
        (V11, "一村", 6, 9),
        (V12, "二村", 10, 6),
        (V13, "三村", 10, 8),
    ):
        b.area(code, party_members=registered, name=name)
        meeting = b.meeting(code, "2025-02-10")
        for i in range(attending):
            b.attend(meeting, f"{code}-{i}", party=True, category="resident_rep")
    b.load_run("2025-03-31")
    b.write(engine)


@pytest.fixture
def over_engine(shared_warehouse):
    return shared_warehouse(write_township_over_100)


def test_a_unit_above_100_percent_is_flagged_and_not_ranked(over_engine):
    figure, _, _, notes, table = participation.build_ranking(
        over_engine, Q1, "party_participation_rate"
    )
    # 三村 8/10, 二村 6/10 ranked; 一村 9/6 = 150% after them, unranked, no interval
    assert [
        (r["area_code"], r["value"], r["k"], r["n"], r["rank"], r["note"]) for r in table["rows"]
    ] == [
        (V13, 0.8, 8, 10, 1, ""),
        (V12, 0.6, 6, 10, 2, ""),
        (V11, 1.5, 9, 6, None, "超过100%（数据问题）"),
    ]
    assert (table["rows"][2]["ci_low"], table["rows"][2]["ci_high"]) == (None, None)
    bar = figure.data[0]
    assert list(bar.marker.color) == [theme.BAR, theme.BAR, theme.ACCENT]
    assert list(bar.marker.pattern.shape) == ["", "", "/"]
    assert list(bar.error_x.array)[2] == 0 and list(bar.error_x.arrayminus)[2] == 0
    assert "超过100%（数据问题）" in bar.hovertext[2]
    assert "超过100%" not in bar.hovertext[0]
    assert figure.layout.annotations[2].text == (
        "150.0% <span style='color:#6c757d'>9/6</span> <span style='color:#C8102E'>⚠</span>"
    )
    assert figure.layout.xaxis.range[1] == pytest.approx(1.5 * 1.02)  # the bar fits
    *_, warning = notes
    assert text(warning) == (
        "⚠ 一村的党员参与率超过100%（红色斜纹），属数据问题，不参与排名。 到数据质量页核对 ›"
    )
    link = next(n for n in walk(warning) if type(n).__name__ == "Link")
    assert link.href == "/data-quality?scope=330281101000&from=2025-01-01&to=2025-03-31"


def test_the_flag_in_english(over_engine):
    _, _, _, notes, table = participation.build_ranking(
        over_engine, Q1.replace(lang="en"), "party_participation_rate"
    )
    assert table["rows"][2]["note"] == "Above 100% (data problem)"
    assert text(notes[-1]) == (
        "⚠ 一村: Party participation above 100% (red, hatched), a data problem, not ranked."
        " Check on the Data quality page ›"
    )
    link = next(n for n in walk(notes[-1]) if type(n).__name__ == "Link")
    assert link.href.endswith("&lang=en")


# --- the monthly trend -------------------------------------------------------------------------


def test_trend(engine):
    figure, style, empty, _, table = participation.build_trend(engine, DEFAULT)
    assert empty is None and style == {"height": "300px"}
    # every month rests on fewer than 5 meetings / attendances: a grey legend entry says
    # what the hollow points mean
    assert [tr.name for tr in figure.data] == [
        "党员参与率",
        "党员参会占比",
        "党组织主持率",
        "空心点：样本少于 5，仅供参考",
    ]
    assert figure.layout.yaxis.tickformat == ".0%"
    # Jan and Feb held no meeting: gaps, not the 0 % the figure gives over the roster;
    # June's one meeting had no Party member: a real 0 %. n is the month's meetings.
    rate = figure.data[0]
    assert list(rate.y) == [None, None, pytest.approx(2 / 290), pytest.approx(1 / 290)] + [
        pytest.approx(1 / 290),
        0.0,
    ]
    assert list(rate.customdata) == [None, None, 2, 1, 1, 1]
    assert list(rate.marker.symbol)[2:] == ["circle-open"] * 4
    assert rate.hovertext[5] == (
        "<b>2025年6月</b><br>党员参与率 0.0%（0 / 290）<br>n = 1 次会议 · 样本少于 5，仅供参考"
    )
    rows = {r["month"]: r for r in table["rows"]}
    assert list(rows) == [f"2025-0{m}" for m in range(1, 7)]
    # each month a period of its own, over the 290 registered: Mar P1, P3 (HY-1); Apr P1
    # (HY-3); May P5 (HY-4); Jun HY-5 without attendance
    assert [r["party_participation_rate"] for r in table["rows"]] == [
        0.0,
        0.0,
        pytest.approx(2 / 290),
        pytest.approx(1 / 290),
        pytest.approx(1 / 290),
        0.0,
    ]
    # party rows of rows: Mar 2/3 (HY-1; HY-2 has none), Apr 1/2, May 1/3, Jun none
    assert [r["party_share"] for r in table["rows"]] == [
        None,
        None,
        pytest.approx(2 / 3),
        0.5,
        pytest.approx(1 / 3),
        None,
    ]
    # led: Mar HY-1 of HY-1, HY-2; then HY-3, HY-4, HY-5 all led
    assert [r["party_led_rate"] for r in table["rows"]] == [None, None, 0.5, 1.0, 1.0, 1.0]
    assert [r["meetings"] for r in table["rows"]] == [0, 0, 2, 1, 1, 1]
    assert "3月" in figure.data[0].hovertext[2] and "2 / 290" in figure.data[0].hovertext[2]


def test_trend_in_english(engine):
    figure, *_, table = participation.build_trend(engine, DEFAULT.replace(lang="en"))
    assert [tr.name for tr in figure.data] == [
        "Party member participation",
        "Party share of attendance",
        "Party-led rate",
        "Hollow: fewer than 5 cases, indicative",
    ]
    assert figure.data[1].hovertext[2] == (
        "<b>Mar 2025</b><br>Party share of attendance 66.7% (2 / 3)<br>n = 3 attendances"
        " · fewer than 5 cases, indicative"
    )
    assert [c["header"] for c in table["columns"]] == [
        "Month",
        "Consultation meetings",
        "Party member participation",
        "Party share of attendance",
        "Party-led rate",
    ]
    assert figure.layout.xaxis.tickformat == "%b %Y"


def test_trend_of_an_empty_period(engine):
    figure, style, empty, _, table = participation.build_trend(
        engine, DEFAULT.replace(scope=YANGJIA)
    )
    assert style == {"display": "none"}
    assert text(empty) == "本期无数据杨家村在 2025-01-01 至 2025-06-30 期间尚未报送协商会议"
    assert len(table["rows"]) == 6  # the months are still listed


def test_an_empty_warehouse(db_url):
    from xieshang.warehouse.engine import open_warehouse

    empty = open_warehouse(db_url)
    state = State(None, START, END)
    for view in (participation,):
        assert "xieshang demo" in text(view.build_kpis(empty, state))
        assert "xieshang load" in text(view.build_ranking(empty, state, view.RANKINGS[0])[2])
        assert "xieshang load" in text(view.build_trend(empty, state)[2])
    empty.dispose()


def test_every_chart_explains_itself_behind_an_info_mark():
    from xieshang.dashboard import figure_page
    from xieshang.dashboard.i18n import figure_definition

    layout = figure_page.layout(
        "pp",
        "page_participation",
        participation,
        "zh",
        [
            figure_page.Chart(
                "trend", "pp_trend", participation.build_trend, info_key="pp_trend_info"
            )
        ],
    )
    tips = [n for n in walk(layout) if type(n).__name__ == "Tooltip"]
    # one per ranking (the figure's definition from metrics.md), then the trend's
    assert [tip.children for tip in tips[:3]] == [
        figure_definition(key, "zh") for key in participation.RANKINGS
    ]
    assert tips[0].children.startswith("在范围内会议中至少一次以党员身份签到的不同人数")
    assert tips[3].children.startswith("每个自然月单独计算的党员参与率")
    assert [tip.target for tip in tips] == [
        {"type": "chart-info", "chart": chart}
        for chart in ("pp-ranking-0", "pp-ranking-1", "pp-ranking-2", "pp-trend")
    ]
