"""大屏 /screen: its pure builders on the small county of tests/helpers/inbox_county.py
(figures worked out by hand there), SQLite and PostgreSQL — the headline figures are
`xieshang kpi`'s, the rotation's order, the refresh on a new load and only then, the
charts restyled for the dark — and the page's callback on the running app with sign-in
on, which serves a staff user their own township whatever the state says."""

from __future__ import annotations

import json
from datetime import date

import pytest
from dash import no_update

from tests.helpers.components import text
from tests.helpers.inbox_county import (
    CHENGGUAN,
    COUNTY,
    DONGHU,
    LIUSHU,
    SECRET,
    load_county,
)
from tests.helpers.inbox_files import write_csv
from tests.helpers.scoped_county import county_with_users
from tests.helpers.signin import sign_in, signin_app
from xieshang import metrics
from xieshang.dashboard import data
from xieshang.dashboard.charts import dark
from xieshang.dashboard.components import HIDDEN
from xieshang.dashboard.i18n import t
from xieshang.dashboard.state import State, parse_options
from xieshang.dashboard.views import overview, resolutions, screen
from xieshang.dashboard.views.empty_states import nothing_in_period
from xieshang.etl.load import run_load
from xieshang.metrics.assessment import assessment

START, END = date(2025, 1, 1), date(2025, 6, 30)
DEFAULT = State(COUNTY, START, END)
county = pytest.mark.warehouse(fill=load_county)


# --- the headline figures -------------------------------------------------------------------------------


@county
def test_the_headline_figures_are_those_of_xieshang_kpi(engine):
    rows = screen.headline(engine, DEFAULT)
    kpi = metrics.kpi_json(engine, COUNTY, START, END)
    assert [r["key"] for r in rows] == list(screen.HEADLINE_KEYS)
    assert {r["key"]: r["value"] for r in rows} == {k: kpi[k] for k in screen.HEADLINE_KEYS}
    assert [(r["name"], r["text"], r["count"], r["change"], r["tone"]) for r in rows] == [
        ("协商会议数", "5", "截至 2025-06-30", "▲ 4", "good"),
        ("常态化率", "16.7%", "4 / 24 个村·月", "▲ 12.5 个百分点", "good"),
        ("党员参与率", "1.0%", "3 / 290 名党员", "▲ 0.7 个百分点", "good"),
        ("多元主体覆盖率", "40.0%", "2 / 5 次会议", "▲ 40.0 个百分点", "good"),
        ("决议落实率", "66.7%", "2 / 3 项到期决议", "▼ 33.3 个百分点", "bad"),
        ("按期落实率", "33.3%", "1 / 3 项到期决议", "▼ 66.7 个百分点", "bad"),
        # more overdue resolutions is bad although the number went up
        ("逾期未落实数", "1", "截至 2025-06-30", "▲ 1", "bad"),
        ("群众满意度", "86.0", "2 项有评分", "▼ 4.0 分", "bad"),
    ]


@county
def test_the_headline_tiles_show_the_figures(engine):
    tiles = screen.build_headline(engine, DEFAULT.replace(scope=DONGHU, lang="en"))
    shown = {tile.children[1].id["key"]: tile.children[1].children for tile in tiles}
    assert shown == {
        "meetings": "3",
        "regularity": "16.7%",  # 柳树 in March and April: 2 of 2 villages × 6 months
        "party_participation_rate": "2.0%",
        "stakeholder_coverage": "33.3%",
        "implementation_rate": "50.0%",
        "on_time_rate": "50.0%",
        "overdue_open": "1",
        "satisfaction": "92.0",
    }
    assert [tile.children[0].children for tile in tiles][:2] == [
        "Consultation meetings",
        "Regularity",
    ]


@county
def test_a_figure_without_a_value_reads_no_data(engine):
    # January–February 2025: no meeting, nothing due; against 2024-11-03 — 2024-12-31 (HY-6)
    rows = screen.headline(engine, State(COUNTY, date(2025, 1, 1), date(2025, 2, 28)))
    assert [(r["key"], r["value"], r["text"], r["change"]) for r in rows] == [
        ("meetings", 0, "0", "▼ 1"),
        ("regularity", 0.0, "0.0%", "▼ 12.5 个百分点"),  # 0 of 8 village-months, 1 of 8 before
        ("party_participation_rate", 0.0, "0.0%", "▼ 0.3 个百分点"),
        ("stakeholder_coverage", None, "无数据", ""),
        ("implementation_rate", None, "无数据", ""),
        ("on_time_rate", None, "无数据", ""),
        ("overdue_open", 0, "0", "持平"),
        ("satisfaction", None, "无数据", ""),
    ]


@county
def test_a_period_outside_the_data_reads_no_data_as_on_the_pages(engine):
    """A wall screen set to a month not loaded yet read 协商会议数 0 ▼ 5, 常态化率 0.0% …
    (zeros of nothing, changes against the month before), where the pages' KPI cards
    read 无数据 and say why; the screen says why in the tiles' place."""
    july = State(COUNTY, date(2025, 7, 1), date(2025, 7, 31))
    assert text(screen.build_headline(engine, july)) == (
        "本期无数据本期 2025-07-01 至 2025-07-31 晚于数据更新日 2025-06-30，尚无数据"
    )
    before = State(COUNTY, date(2010, 1, 1), date(2010, 12, 31), lang="en")
    assert text(screen.build_headline(engine, before)) == (
        "No data for this periodNo data: the period 2010-01-01 to 2010-12-31 is before the "
        "data begin (2024-06-01)"
    )


@county
def test_the_heading_names_scope_period_and_what_changes_compare_against(engine):
    heading = screen.build_heading(engine, DEFAULT)
    brand, scope, period = heading.children
    assert (brand.children, scope.children) == ("协商治理看板 · 大屏", "清河县")
    assert [p.children for p in period.children] == [
        "2025-01-01 — 2025-06-30 · 截至 2025-06-30",
        "数据更新至 2025-06-30 · 变化较上期 2024-07-01 至 2024-12-31",
    ]
    # a period whose previous one begins before the data (June 2024): no change shown
    early = State(COUNTY, date(2024, 7, 1), date(2024, 12, 31))
    assert screen.comparable_previous(engine, early) is None
    assert screen.build_heading(engine, early).children[2].children[1].children == (
        "数据更新至 2025-06-30 · 上期无可比数据"
    )
    assert {r["change"] for r in screen.headline(engine, early)} == {""}
    # a period outside the data: its tiles say why, and the heading names no comparison
    july = State(COUNTY, date(2025, 7, 1), date(2025, 7, 31))
    assert screen.build_heading(engine, july).children[2].children[1].children == (
        "数据更新至 2025-06-30"
    )


# --- the rotation ------------------------------------------------------------------------------------------


def test_the_rotation_goes_through_the_pages_in_the_order_of_their_tabs():
    assert [(s.key, s.page_key, s.title("zh")) for s in screen.SLIDES] == [
        ("trend", "page_overview", "月度走势"),
        ("participation", "page_participation", "党员参与率排名"),
        ("resolutions", "page_resolutions", "各单位到期决议落实情况"),
        ("stakeholders", "page_stakeholders", "各单位多元主体参与情况"),
        ("assessment", "page_assessment", "考核得分排名"),
    ]
    assert [screen.current_slide(n) for n in (None, 0, 1, 4, 5, 6, 12)] == [0, 0, 1, 4, 0, 1, 2]
    assert screen.slide_classes(6, "s") == ["s", "s is-current", "s", "s", "s"]
    assert screen.slide_classes(0, "tab")[0] == "tab is-current"


def test_rotate_is_a_page_option_of_2_to_3600_seconds():
    assert screen.ROTATE.get({}) == 15
    assert [screen.ROTATE.read(text) for text in ("2", " 30 ", "3600")] == [2, 30, 3600]
    assert [screen.ROTATE.read(text) for text in ("1", "3601", "1.5", "-3", "abc", "")] == [
        None
    ] * 6
    assert parse_options("?rotate=5&scope=330281000000", [screen.ROTATE]) == ({"rotate": "5"}, ())
    found, notices = parse_options("?rotate=0", [screen.ROTATE])
    assert found == {}
    assert [(n.param, n.value, n.reason) for n in notices] == [("rotate", "0", "bad_rotate")]
    assert t("notice_bad_rotate", value="0") == "rotate=“0” 应为 2 至 3600 之间的秒数"


def test_the_charts_are_drawn_for_the_browsers_size():
    assert screen.figure_scale([1920, 1080]) == 1.0
    assert screen.figure_scale([3840, 2160]) == 2.0
    assert screen.figure_scale([5760, 1080]) == 1.0  # a wide wall is not taller
    assert screen.figure_scale([1366, 768]) == 0.711
    assert screen.figure_scale([320, 200]) == 0.6
    assert [screen.figure_scale(s) for s in (None, [], [0, 1080], ["a", 1])] == [1.0] * 4


# --- the charts ---------------------------------------------------------------------------------------------


def _slide(key: str) -> screen.Slide:
    return next(s for s in screen.SLIDES if s.key == key)


@county
def test_each_slide_is_its_pages_chart_on_the_dark(engine):
    figure, style, empty, notes = screen.build_slide(engine, DEFAULT, _slide("participation"))
    assert (style, empty, notes) == ({"height": "100%", "width": "100%"}, None, None)
    bar = figure["data"][0]
    # 东湖镇 2 of its 100 party members (P1, P3), 城关街道 1 of 140 (P5)
    assert (bar["x"], bar["y"]) == ([0.02, 1 / 140], [0, 1])
    assert figure["layout"]["yaxis"]["ticktext"] == ["东湖镇", "城关街道"]
    assert [a["text"] for a in figure["layout"]["annotations"]] == [
        f"2.0% <span style='color:{dark.SOFT}'>2/100</span>",
        f"0.7% <span style='color:{dark.SOFT}'>1/140</span>",
        "清河县平均 1.0%",
    ]
    layout = figure["layout"]
    assert (layout["paper_bgcolor"], layout["plot_bgcolor"]) == ("rgba(0,0,0,0)", "rgba(0,0,0,0)")
    assert (layout["font"]["color"], layout["font"]["size"]) == (dark.INK, 20.8)  # 13 × 1.6
    assert "height" not in layout  # the panel sizes it
    mix = screen.build_slide(engine, DEFAULT, _slide("resolutions"))[0]
    page = resolutions.build_status_mix(engine, DEFAULT)[0]
    assert [(trace["name"], trace["x"]) for trace in mix["data"]] == [
        (trace.name, list(trace.x)) for trace in page.data
    ]
    # 城关街道: JY-3 done late; 东湖镇: JY-1 on time (of JY-1, JY-2)
    assert [(trace["name"], trace["x"]) for trace in mix["data"]][:2] == [
        ("按期落实", [0.0, 0.5]),
        ("逾期落实", [1.0, 0.0]),
    ]
    heatmap = screen.build_slide(engine, DEFAULT, _slide("stakeholders"))[0]
    assert heatmap["data"][0]["type"] == "heatmap"
    assert heatmap["layout"]["yaxis"]["ticktext"] == ["城关街道", "东湖镇"]
    trend = screen.build_slide(engine, DEFAULT, _slide("trend"))[0]
    assert [trace["name"] for trace in trend["data"]][:4] == [
        "决议落实率",
        "党员参与率",
        "多元主体覆盖率",
        "常态化率",
    ]
    # the overview's own chart, its numbers unchanged: regularity Jan–Jun of 4 villages
    page = overview.build_trends(engine, DEFAULT)[0]
    assert [trace["y"] for trace in trend["data"]] == [list(trace.y) for trace in page.data]
    assert trend["data"][3]["y"] == [0.0, 0.0, 0.5, 0.25, 0.25, 0.0]


@county
def test_the_assessment_slide_ranks_the_scores(engine):
    figure = screen.build_slide(engine, DEFAULT, _slide("assessment"))[0]
    rows = assessment(engine, "township", COUNTY, START, END).rows
    assert [(r["rank"], r["area_code"]) for r in rows] == [(1, CHENGGUAN), (2, DONGHU)]
    assert figure["data"][0]["x"] == [r["score"] for r in rows]
    assert figure["layout"]["yaxis"]["ticktext"] == ["1. 城关街道", "2. 东湖镇"]
    assert [a["text"] for a in figure["layout"]["annotations"]] == ["50.7", "33.9"]
    assert figure["layout"]["xaxis"]["range"] == [0, 100]
    # a village: its township's villages, the village in the accent red for the dark
    village = screen.build_slide(engine, DEFAULT.replace(scope=LIUSHU), _slide("assessment"))[0]
    assert village["layout"]["yaxis"]["ticktext"] == ["1. 柳树村", "2. 杨家村"]
    assert village["data"][0]["marker"]["color"] == ["#C8102E", "#0072B2"]
    assert [a["font"]["color"] for a in village["layout"]["annotations"]] == [
        dark.ACCENT_ON_DARK,
        dark.INK,
    ]


@county
def test_the_map_is_the_overviews_without_its_click_hint(engine):
    figure, style, empty, notes = screen.build_map(engine, DEFAULT, scale=2.0)
    assert style == {"height": "100%", "width": "100%"} and empty is None
    # the test county's 东湖镇 has no polygon in assets/geo; 城关街道 is drawn, by its rate 1/1
    assert [n.children for n in notes] == ["以下单位无边界数据：东湖镇"]
    labels = figure["data"][-2]
    assert labels["customdata"] == [CHENGGUAN]
    assert labels["textfont"]["size"] == 35.2  # 11 × 2 × 1.6
    assert screen.map_title("zh") == "各乡镇（街道）决议落实率"


@county
def test_a_period_without_data_shows_the_pages_empty_states(engine):
    state = State(COUNTY, date(2010, 1, 1), date(2010, 12, 31))
    figure, style, empty, notes = screen.build_slide(engine, state, _slide("trend"))
    assert (figure, style, notes) == (no_update, HIDDEN, None)
    assert empty.children[0].children == "本期无数据"
    assert repr(empty) == repr(overview.build_trends(engine, state)[2])
    # no ranking of 0.0 scores all tied at 1: the assessment says there is nothing to rank
    figure, style, empty, notes = screen.build_slide(engine, state, _slide("assessment"))
    assert (figure, style) == (no_update, HIDDEN)
    assert repr(empty) == repr(nothing_in_period("清河县", state))


def test_the_dark_keeps_text_readable():
    # WCAG contrast of the screen's text colours on its panels and background (≥ 4.5)
    assert [round(dark.contrast(c, dark.PANEL), 2) for c in (dark.INK, dark.SOFT)] == [14.52, 8.06]
    assert round(dark.contrast(dark.ACCENT_ON_DARK, dark.PANEL), 2) == 6.2
    assert round(dark.contrast(dark.SOFT, dark.BACKGROUND), 2) == 8.84
    # assets/screen.css's change colours
    assert [round(dark.contrast(c, dark.PANEL), 2) for c in ("#4cd3a0", "#ff8a94")] == [8.99, 7.53]
    # the page's accent would not do
    assert round(dark.contrast("#C8102E", dark.PANEL), 2) == 2.88
    marked = (
        "<span style='color:#C8102E'><b>柳树村</b></span> <span style='color:#868e96'>2/30</span>"
    )
    assert dark.recolour(marked) == (
        f"<span style='color:{dark.ACCENT_ON_DARK}'><b>柳树村</b></span> "
        f"<span style='color:{dark.SOFT}'>2/30</span>"
    )


# --- the refresh after a load --------------------------------------------------------------------------------

MORE = [
    ["会议编号", "区划代码", "会议日期", "协商形式", "议题", "议题类别", "议题来源", "是否党组织主持", "是否线上"],
    ["HY-7", LIUSHU, "2025-06-20", "议事会", "文化礼堂", "公共设施", "群众提议", "是", "否"],
]  # fmt: skip


def test_a_new_load_is_noticed_and_only_a_new_load(engine, tmp_path):
    load_county(engine, tmp_path)
    first = data.version(engine)[0]
    assert len(first) == 32
    assert screen.poll(engine, None) == first  # the screen's first poll
    assert screen.poll(engine, first) is no_update  # nothing re-renders
    assert screen.poll(engine, first) is no_update
    state = screen.screen_state(engine, DEFAULT, f"?scope={COUNTY}")
    assert (state.start, state.end) == (START, END)

    write_csv(tmp_path / "more" / "会议台账.csv", MORE)
    report = run_load(engine, tmp_path / "more", secret=SECRET, today=date(2025, 7, 10))
    assert report["status"] == "committed"
    second = data.version(engine)[0]
    assert second != first
    assert screen.poll(engine, first) == second
    assert screen.poll(engine, second) is no_update
    # the period follows the load where the address leaves it out…
    state = screen.screen_state(engine, DEFAULT, f"?scope={COUNTY}")
    assert (state.start, state.end) == (START, date(2025, 7, 10))
    meetings = screen.headline(engine, state)[0]
    assert (meetings["text"], meetings["count"]) == ("6", "截至 2025-07-10")
    assert (
        meetings["value"] == metrics.kpi_json(engine, COUNTY, START, date(2025, 7, 10))["meetings"]
    )
    # …and stays where it names it
    named = screen.screen_state(engine, DEFAULT, "?from=2025-01-01&to=2025-06-30")
    assert (named.start, named.end) == (START, END)
    half = screen.screen_state(engine, DEFAULT.replace(start=date(2025, 3, 1)), "?from=2025-03-01")
    assert (half.start, half.end) == (date(2025, 3, 1), date(2025, 7, 10))


def test_a_screen_opened_before_the_first_load_shows_the_roster_after_it(engine, tmp_path):
    """A wall screen put up before the first load (its address without a scope: the view
    read from the empty warehouse has none) answered every part after that load with
    这部分未能显示（错误编号 …）; it shows the roster's root, as a page opened then would."""
    opened = State(None, date(2026, 1, 1), date(2026, 12, 8), lang="en")
    assert screen.poll(engine, None) == ""
    load_county(engine, tmp_path)
    state = screen.screen_state(engine, opened, "?lang=en")
    assert state == State(COUNTY, START, END, lang="en")
    assert screen.build_heading(engine, state).children[1].children == "清河县"
    assert [r["text"] for r in screen.headline(engine, state)][:2] == ["5", "16.7%"]
    # a scope the view has (the address's, or a staff user's township) stays
    assert screen.screen_state(engine, opened.replace(scope=DONGHU), "").scope == DONGHU


def test_an_empty_warehouse_says_so(engine):
    assert screen.poll(engine, None) == ""
    assert screen.poll(engine, "") is no_update
    empty = screen.build_headline(engine, DEFAULT)
    assert [c.children for c in empty.children] == [t("no_data"), t("empty_warehouse")]


# --- the page's callback, signed in ----------------------------------------------------------------------------

DISPATCH = "/_dash-update-component"


@pytest.fixture
def signed_in_app(shared_warehouse, monkeypatch):
    with signin_app(shared_warehouse(county_with_users), monkeypatch) as dash_app:
        yield dash_app


def _render_request(client, scope: str) -> dict:
    """The request the renderer sends for the screen's render callback, with the view
    state of `scope`, a run and a size."""
    dependency = next(
        d for d in client.get("/_dash-dependencies").get_json() if "sc-headline" in d["output"]
    )
    values = {
        "state.data": {**DEFAULT.to_store(), "scope": scope},
        "sc-run.data": "run",
        "sc-size.data": [1920, 1080],
    }

    def entry(spec):
        ident = json.loads(spec["id"]) if spec["id"].startswith("{") else spec["id"]
        value = values.get(f"{spec['id']}.{spec['property']}")
        return {"id": ident, "property": spec["property"], "value": value}

    outputs = []
    for part in dependency["output"][2:-2].split("..."):
        ident, prop = part.rsplit(".", 1)
        outputs.append({"id": ident, "property": prop})
    return {
        "output": dependency["output"],
        "outputs": outputs,
        "inputs": [entry(s) for s in dependency["inputs"]],
        "state": [entry(s) for s in dependency["state"]],
        "changedPropIds": ["sc-run.data"],
    }


def _shown(answer) -> tuple[str, dict[str, str]]:
    """(the scope's name, key -> headline value) of the render callback's answer."""
    response = answer.get_json()["response"]
    values = {}
    for tile in response["sc-headline"]["children"]:
        value = tile["props"]["children"][1]["props"]
        values[value["id"]["key"]] = value["children"]
    scope = response["sc-heading"]["children"]["props"]["children"][1]["props"]["children"]
    return scope, values


def test_the_screen_serves_a_staff_user_their_township(signed_in_app):
    staff = sign_in(signed_in_app.server.test_client(), "wang")
    assert staff.get("/screen").status_code == 200  # Dash's first page adds the pages' callbacks
    scope, values = _shown(staff.post(DISPATCH, json=_render_request(staff, COUNTY)))
    assert scope == "东湖镇"
    assert (values["meetings"], values["implementation_rate"], values["overdue_open"]) == (
        "3",
        "50.0%",
        "1",
    )
    leader = sign_in(signed_in_app.server.test_client(), "zhao")
    assert leader.get("/screen").status_code == 200
    scope, values = _shown(leader.post(DISPATCH, json=_render_request(leader, COUNTY)))
    assert (scope, values["meetings"], values["implementation_rate"]) == ("清河县", "5", "66.7%")


def test_the_screen_needs_sign_in(signed_in_app):
    response = signed_in_app.server.test_client().get("/screen?rotate=5")
    assert (response.status_code, response.headers["Location"]) == (
        302,
        "/login?next=%2Fscreen%3Frotate%3D5",
    )
