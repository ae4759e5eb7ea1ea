"""The first screen (issue 12): the KPI cards in one row, why they show no change said
once under them, 无数据 for a figure without a value and for a period outside the data,
and the lagging units (落后单位) named under the cards — on the 13-township county of
tests/helpers/layout_county.py, with the values worked out by hand there."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers.components import by_id, card, text, walk
from tests.helpers.layout_county import CODES, COUNTY, END, START, load_layout_county
from xieshang.dashboard.state import State
from xieshang.dashboard.views import overview, participation, resolutions
from xieshang.dashboard.views.lagging import build_lagging, lagging

pytestmark = pytest.mark.warehouse(fill=load_layout_county)

DEFAULT = State(COUNTY, START, END)


def notes(tree) -> list[tuple[str, str | None]]:
    """(text, hover) of the row's notes."""
    return [(n.children, n.title) for n in walk(tree) if getattr(n, "className", "") == "kpi-note"]


def values(tree, keys) -> list[str]:
    return [card(tree, key)[0] for key in keys]


# --- the KPI row -------------------------------------------------------------------------------


def test_the_cards_stand_in_one_row_of_eight(engine):
    tree = overview.build_kpis(engine, DEFAULT)
    rows = [n for n in walk(tree) if str(getattr(n, "className", "")).startswith("kpi-row")]
    assert [r.className for r in rows] == ["kpi-row kpi-n8"]
    assert len(rows[0].children) == 8
    assert resolutions.build_kpis(engine, DEFAULT).children[0].className == "kpi-row kpi-n6"


def test_why_there_is_no_change_is_said_once(engine):
    # the view is 2026-01-01 — 2026-11-30 (334 days); its previous period, 2025-02-01 —
    # 2025-12-31, lies before the data (January 2026)
    tree = overview.build_kpis(engine, DEFAULT)
    assert card(tree, "implementation_rate") == (
        "71.7%",
        "86 / 120 项到期决议",
        "",
        "kpi-change kpi-flat",
    )
    assert card(tree, "party_participation_rate")[:3] == ("62.3%", "81 / 130 名党员", "")
    assert notes(tree) == [
        (
            "数据始于 2026-01-01，无上期可比",
            "上期 2025-02-01 至 2025-12-31 早于数据起始 2026-01-01，不作比较",
        )
    ]
    assert text(tree).count("无上期可比") == 1
    english = participation.build_kpis(engine, DEFAULT.replace(lang="en"))
    assert notes(english) == [
        (
            "no previous period: data begin 2026-01-01",
            "the previous period 2025-02-01 to 2025-12-31 begins before the data (2026-01-01)",
        )
    ]


def test_a_figure_without_a_value_reads_no_data(engine):
    # 大岚乡 formed no resolution: nothing due, no implementation rate
    tree = overview.build_kpis(engine, DEFAULT.replace(scope=CODES["大岚乡"]))
    assert card(tree, "implementation_rate")[:2] == ("无数据", "0 / 0 项到期决议")
    value = by_id(tree, {"type": "kpi-value", "key": "implementation_rate"})
    assert value.className == "kpi-none"
    assert card(tree, "party_participation_rate")[0] == "10.0%"
    english = overview.build_kpis(engine, DEFAULT.replace(scope=CODES["大岚乡"], lang="en"))
    assert card(english, "implementation_rate")[0] == "No data"


def test_a_period_before_the_data_reads_no_data_on_every_card(engine):
    # issue 12: 2010 showed 0.0% 常态化率 and 党员参与率
    state = State(COUNTY, date(2010, 1, 1), date(2010, 12, 31))
    tree = overview.build_kpis(engine, state)
    keys = overview.KPI_KEYS
    assert [card(tree, key)[:3] for key in keys] == [("无数据", "", "")] * 8
    assert notes(tree) == [("本期 2010-01-01 至 2010-12-31 早于数据起始 2026-01-01，无数据", None)]
    english = overview.build_kpis(engine, state.replace(lang="en"))
    assert values(english, keys) == ["No data"] * 8
    assert notes(english) == [
        ("No data: the period 2010-01-01 to 2010-12-31 is before the data begin (2026-01-01)", None)
    ]


def test_a_period_before_the_data_has_no_ranking_or_map_of_zeros(engine):
    state = State(COUNTY, date(2010, 1, 1), date(2010, 12, 31))
    why = "本期 2010-01-01 至 2010-12-31 早于数据起始 2026-01-01，无数据"
    for key in ("party_participation_rate", "regularity"):
        _figure, style, empty, notes, table = overview.build_ranking(engine, state, key)
        assert (style, text(empty), notes, table) == (
            {"display": "none"},
            "本期无数据" + why,
            None,
            None,
        )
    _figure, style, empty, _notes, table, codes = overview.build_map(engine, state, "regularity")
    assert (style, text(empty), table, codes) == ({"display": "none"}, "本期无数据" + why, None, [])


def test_a_period_after_the_last_load_reads_no_data(engine):
    state = State(COUNTY, date(2027, 1, 1), date(2027, 3, 31))
    tree = resolutions.build_kpis(engine, state)
    assert values(tree, resolutions.KPI_KEYS) == ["无数据"] * 6
    assert notes(tree) == [
        ("本期 2027-01-01 至 2027-03-31 晚于数据更新日 2026-11-30，尚无数据", None)
    ]


# --- 落后单位 ----------------------------------------------------------------------------------


def links(strip) -> list[tuple[str, str, str]]:
    return [(text(n), n.href, n.title) for n in walk(strip) if type(n).__name__ == "Link"]


def test_the_lagging_units_of_the_overview(engine):
    strip = build_lagging(engine, DEFAULT, "implementation_rate", "/")
    assert text(strip) == (
        "落后单位（决议落实率）：龙泉乡 30.0% · 陆埠镇 40.0% · 马渚镇 50.0% · 无数据：大岚乡"
    )
    query = "&from=2026-01-01&to=2026-11-30"
    assert links(strip) == [
        ("龙泉乡 30.0%", f"/?scope={CODES['龙泉乡']}{query}", "第 12 名，共 12 个参与排名"),
        ("陆埠镇 40.0%", f"/?scope={CODES['陆埠镇']}{query}", "第 11 名，共 12 个参与排名"),
        ("马渚镇 50.0%", f"/?scope={CODES['马渚镇']}{query}", "第 10 名，共 12 个参与排名"),
    ]
    assert strip.id == "lagging"


def test_the_lagging_units_keep_the_page_its_option_and_the_language(engine):
    state = DEFAULT.replace(lang="en")
    strip = build_lagging(
        engine, state, "party_participation_rate", "/", {"figure": "party_participation_rate"}
    )
    assert text(strip) == (
        "Lagging (Party member participation): 大岚乡 10.0% · 龙泉乡 20.0% · 陆埠镇 30.0%"
    )
    assert links(strip)[0] == (
        "大岚乡 10.0%",
        f"/?scope={CODES['大岚乡']}&from=2026-01-01&to=2026-11-30"
        "&figure=party_participation_rate&lang=en",
        "ranked 13 of 13",
    )
    page = build_lagging(engine, DEFAULT, "party_participation_rate", "/participation")
    assert [href for _, href, _ in links(page)][2] == (
        f"/participation?scope={CODES['陆埠镇']}&from=2026-01-01&to=2026-11-30"
    )


def test_no_lagging_units_without_something_to_compare(engine):
    # a township of one village; a period before the data
    assert (
        build_lagging(engine, DEFAULT.replace(scope=CODES["陆埠镇"]), "implementation_rate", "/")
        is None
    )
    early = State(COUNTY, date(2010, 1, 1), date(2010, 12, 31))
    assert build_lagging(engine, early, "implementation_rate", "/") is None


def test_at_most_the_bottom_half_lags_and_never_level_with_the_best():
    def rows(*values):
        return [{"rank": i + 1, "value": v} for i, v in enumerate(values)]

    four = rows(0.9, 0.8, 0.7, 0.6) + [{"rank": None, "value": None}]
    assert lagging(four) == [{"rank": 4, "value": 0.6}, {"rank": 3, "value": 0.7}]
    thirteen = rows(*[1 - i / 20 for i in range(13)])
    assert [r["rank"] for r in lagging(thirteen)] == [13, 12, 11]
    assert lagging(rows(0.5)) == []
    # level with the best: nobody lags; one below it: only that one
    assert lagging(rows(1.0, 1.0, 1.0, 1.0)) == []
    assert lagging(rows(1.0, 1.0, 1.0, 0.9)) == [{"rank": 4, "value": 0.9}]


def test_the_strip_comes_right_after_the_cards_on_every_page_with_a_ranking(engine):
    import dash

    from xieshang.dashboard.app import create_app

    create_app(engine)  # registers the pages
    pages = {page["path"]: page["layout"] for page in dash.page_registry.values()}
    for path, prefix in (
        ("/", "ov"),
        ("/participation", "pp"),
        ("/resolutions", "rs"),
        ("/stakeholders", "sh"),
    ):
        ids = [getattr(n, "id", None) for n in walk(pages[path](lang="zh"))]
        ids = [i for i in ids if isinstance(i, str)]
        kpis = ids.index(f"{prefix}-kpis")
        assert ids[kpis + 1] == f"{prefix}-lagging", path


def test_every_chart_and_list_on_the_figure_pages_has_its_definition(engine):
    """README: every chart has an ⓘ definition — each card title of the six figure pages
    is followed by one."""
    import dash

    from xieshang.dashboard.app import create_app

    create_app(engine)
    pages = {page["path"]: page["layout"] for page in dash.page_registry.values()}
    missing = {}
    for path in ("/", "/participation", "/resolutions", "/stakeholders", "/assessment"):
        for node in walk(pages[path](lang="zh")):
            parts = getattr(node, "children", None)
            if not isinstance(parts, list):
                continue
            titles = [
                i for i, p in enumerate(parts) if getattr(p, "className", "") == "chart-title"
            ]
            for i in titles:
                after = parts[i + 1] if i + 1 < len(parts) else None
                if getattr(after, "children", None) != "ⓘ":
                    missing.setdefault(path, []).append(getattr(parts[i], "children", None))
    assert missing == {}
