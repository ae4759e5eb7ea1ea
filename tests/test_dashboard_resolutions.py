"""The resolutions page's builders against the small county (tests/helpers/inbox_county.py)."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers.components import card, text
from tests.helpers.inbox_county import CHENGGUAN, COUNTY, DONGHU, LIUSHU, YANGJIA, load_county
from xieshang import metrics
from xieshang.dashboard import grid
from xieshang.dashboard.charts import theme
from xieshang.dashboard.page_kit import drill_target
from xieshang.dashboard.state import State
from xieshang.dashboard.views import resolutions as view

pytestmark = pytest.mark.warehouse(fill=load_county)

START, END = date(2025, 1, 1), date(2025, 6, 30)
DEFAULT = State(COUNTY, START, END)
JANUARY = DEFAULT.replace(end=date(2025, 1, 31))  # nothing due, nothing completed


def test_kpi_cards_of_the_county(engine):
    tree = view.build_kpis(engine, DEFAULT)
    assert card(tree, "implementation_rate")[:2] == ("66.7%", "2 / 3 项到期决议")
    assert card(tree, "on_time_rate")[:2] == ("33.3%", "1 / 3 项到期决议")
    assert card(tree, "overdue_open") == (
        "1",
        "截至 2025-06-30",
        "▲ 1 较上期",
        "kpi-change kpi-bad",
    )
    # (73 + 23) / 2 = 48.0 against JY-5's 35 days in the previous period
    assert card(tree, "median_days_to_implement") == (
        "48.0",
        "2 项已落实决议",
        "▲ 13.0 天 较上期",
        "kpi-change kpi-bad",
    )
    assert card(tree, "satisfaction")[:3] == ("86.0", "2 项有评分", "▼ 4.0 分 较上期")
    # JY-1…JY-4 come from meetings in the period; none was escalated
    assert card(tree, "escalation_rate")[:2] == ("0.0%", "0 / 4 项决议")


def test_ranking_of_implementation_by_township(engine):
    figure, _, _, _, table = view.build_ranking(engine, DEFAULT)
    assert list(figure.layout.yaxis.ticktext) == ["城关街道", "东湖镇"]
    assert [(r["area_code"], r["k"], r["n"], r["value"]) for r in table["rows"]] == [
        (CHENGGUAN, 1, 1, 1.0),
        (DONGHU, 1, 2, 0.5),
    ]


def test_buckets():
    assert [view.bucket(d) for d in (1, 30, 31, 90, 91, 400)] == [
        "≤30天",
        "≤30天",
        "31–90天",
        "31–90天",
        ">90天",
        ">90天",
    ]
    assert view.bucket(91, "en") == ">90 days"


def test_overdue_resolutions(engine):
    rows, defs, note = view.build_overdue(engine, DEFAULT)
    # JY-2 (柳树村, due 2025-06-15, in progress) is 15 days late on 2025-06-30
    assert [
        (r["resolution_id"], r["area_code"], r["days_late"], r["bucket"], r["due_date"])
        for r in rows
    ] == [("JY-2", LIUSHU, 15, "≤30天", "2025-06-15")]
    assert (rows[0]["content"], rows[0]["responsible_unit"], rows[0]["meeting_id"]) == (
        "清淤河塘",
        "村委会",
        "HY-3",
    )
    assert note is None
    assert len(rows) == metrics.figures(engine, COUNTY, START, END)["overdue_open"]
    rows, _, note = view.build_overdue(engine, DEFAULT.replace(scope=CHENGGUAN))
    assert rows == [] and text(note) == "没有逾期未落实的决议"
    # a meeting-form filter the resolution's meeting (议事会) does not match
    rows, _, _ = view.build_overdue(engine, DEFAULT.replace(form="hearing"))
    assert rows == []


def test_a_long_overdue_list_is_cut_in_the_grid_but_not_in_the_csv(engine, monkeypatch):
    # the county's one overdue resolution, with a cap of none
    monkeypatch.setattr(grid, "ROW_CAP", 0)
    rows, _, note = view.build_overdue(engine, DEFAULT)
    assert rows == [] and text(note) == "显示前 0 行，共 1 行；下载 CSV 查看全部"
    assert "JY-2" in view.overdue_csv(engine, DEFAULT)["content"]


def test_overdue_csv(engine):
    download = view.overdue_csv(engine, DEFAULT)
    # the scope and the day the list is overdue on, not one name for every scope and month
    assert download["filename"] == "清河县-逾期未落实决议-截至2025-06-30.csv"
    assert (
        download["content"]
        == (
            "\ufeff逾期时长,逾期天数,单位,决议编号,决议内容,责任单位,完成时限,会议编号,区划代码\r\n"
            f"≤30天,15,柳树村,JY-2,清淤河塘,村委会,2025-06-15,HY-3,{LIUSHU}\t\r\n"  # a code: ends in a tab
        )
    )


def test_an_empty_warehouse(db_url):
    from xieshang.warehouse.engine import open_warehouse

    empty = open_warehouse(db_url)
    state = State(None, START, END)
    assert "xieshang demo" in text(view.build_kpis(empty, state))
    assert "xieshang demo" in text(view.build_overdue(empty, state)[2])
    assert view.overdue_csv(empty, state) is None
    empty.dispose()


# --- status mix by unit ---------------------------------------------------------------
#
# Due in the default period (as_of 2025-06-30), by the township of the resolution's
# meeting: 城关街道 JY-3 (解放社区, due 06-10, completed 06-12: late); 东湖镇 JY-1 (柳树村,
# due 05-31, completed 05-20: on time) and JY-2 (柳树村, due 06-15, 推进中 in its 06-20
# report: open and past its due date on 06-30, so 已逾期 — overdue_open's JY-2).
# JY-4 is due 09-30, JY-5 was due in 2024. 杨家村 has nothing due.


def segments(figure) -> list[tuple[str, tuple, tuple]]:
    return [(bar.name, tuple(bar.x), tuple(bar.customdata)) for bar in figure.data]


def test_status_mix_by_township(engine):
    figure, style, empty, notes, table = view.build_status_mix(engine, DEFAULT)
    # sorted by implemented share: 城关街道 1/1, then 东湖镇 1/2
    assert list(figure.layout.yaxis.ticktext) == ["城关街道", "东湖镇"]
    assert segments(figure) == [
        ("按期落实", (0.0, 0.5), (CHENGGUAN, DONGHU)),
        ("逾期落实", (1.0, 0.0), (CHENGGUAN, DONGHU)),
        ("推进中", (0.0, 0.0), (CHENGGUAN, DONGHU)),
        ("未启动", (0.0, 0.0), (CHENGGUAN, DONGHU)),
        ("已逾期", (0.0, 0.5), (CHENGGUAN, DONGHU)),
    ]
    assert [bar.marker.color for bar in figure.data] == [
        theme.PALETTE[2],
        theme.PALETTE[1],
        theme.PALETTE[4],
        theme.PALETTE[3],
        theme.PALETTE[5],
    ]
    assert theme.ACCENT not in [bar.marker.color for bar in figure.data]
    assert [bar.text for bar in figure.data] == [
        ("", "50.0%"),
        ("100.0%", ""),
        ("", ""),
        ("", ""),
        ("", "50.0%"),
    ]
    assert figure.data[4].hovertext[1] == "<b>东湖镇</b><br>已逾期 1 / 2 · 50.0%"
    # the column of totals at the right: its header, then one per bar
    assert [a.text for a in figure.layout.annotations][1:] == ["1", "2"]
    assert style == {"height": "200px"} and empty is None
    assert text(notes) == "点击条形可进入该单位"
    assert [
        (r["area_code"], r["resolutions_due"], r["on_time"], r["late"], r["overdue"])
        for r in table["rows"]
    ] == [(CHENGGUAN, 1, 0, 1, 0), (DONGHU, 2, 1, 0, 1)]
    assert [(r["in_progress"], r["not_started"]) for r in table["rows"]] == [(0, 0), (0, 0)]
    assert [r["implementation_rate"] for r in table["rows"]] == [1.0, 0.5]
    assert [c["header"] for c in table["columns"]][2:8] == [
        "到期决议数",
        "按期落实",
        "逾期落实",
        "推进中",
        "未启动",
        "已逾期",
    ]
    # the overdue segment is the KPI card's 逾期未落实数 (JY-2), by the same rule
    assert sum(r["overdue"] for r in table["rows"]) == 1
    assert card(view.build_kpis(engine, DEFAULT), "overdue_open")[0] == "1"


def test_status_mix_drills_into_the_unit(engine):
    figure, *_ = view.build_status_mix(engine, DEFAULT)
    click = {"points": [{"curveNumber": 2, "customdata": figure.data[2].customdata[1]}]}
    assert drill_target(click, None) == DONGHU


def test_status_mix_of_a_village_shows_its_siblings(engine):
    figure, _, _, notes, table = view.build_status_mix(engine, DEFAULT.replace(scope=LIUSHU))
    # 柳树村 selected (accent red name); 杨家村, with nothing due, is in the table only
    assert list(figure.layout.yaxis.ticktext) == [
        f"<span style='color:{theme.ACCENT}'><b>柳树村</b></span>"
    ]
    assert [bar.x for bar in figure.data] == [(0.5,), (0.0,), (0.0,), (0.0,), (0.5,)]
    assert [(r["area_code"], r["resolutions_due"]) for r in table["rows"]] == [
        (LIUSHU, 2),
        (YANGJIA, 0),
    ]
    assert table["rows"][1]["implementation_rate"] is None
    assert text(notes) == "无到期决议，未绘出：杨家村"


def test_status_mix_in_english(engine):
    figure, _, _, notes, table = view.build_status_mix(engine, DEFAULT.replace(lang="en"))
    assert [bar.name for bar in figure.data] == [
        "Implemented on time",
        "Implemented late",
        "In progress",
        "Not started",
        "Overdue",
    ]
    assert figure.layout.annotations[0].text == "<span style='color:#6c757d'>Due</span>"
    assert text(notes) == "Click a bar to open that unit"
    assert table["columns"][2]["header"] == "Resolutions due"


def test_status_mix_with_nothing_due(engine):
    figure, style, empty, _, table = view.build_status_mix(engine, JANUARY)
    assert style == {"display": "none"}
    assert text(empty) == "本期无数据清河县各单位在 2025-01-01 至 2025-01-31 期间没有到期决议"
    assert [(r["area_code"], r["resolutions_due"]) for r in table["rows"]] == [
        (CHENGGUAN, 0),
        (DONGHU, 0),
    ]


# --- days to implement ----------------------------------------------------------------
#
# Implemented with completed_date in the default period: JY-1 (HY-1 2025-03-08 →
# 2025-05-20: 23 + 30 + 20 = 73 days, bucket 61–90) and JY-3 (HY-4 2025-05-20 → 2025-06-12:
# 11 + 12 = 23 days, bucket 15–30); median (23 + 73) / 2 = 48.0, in 31–60.

BUCKETS_ZH = ["0–7天", "8–14天", "15–30天", "31–60天", "61–90天", "91–180天", ">180天"]


def test_day_buckets():
    assert [view.day_bucket(d) for d in (0, 7, 8, 14, 15, 30, 31, 60, 61, 90, 91, 180, 181)] == [
        0,
        0,
        1,
        1,
        2,
        2,
        3,
        3,
        4,
        4,
        5,
        5,
        6,
    ]
    assert [view.day_bucket_label(i) for i in range(7)] == BUCKETS_ZH
    assert view.day_bucket_label(6, "en") == ">180 days"
    # each bucket spans its whole days ± ½: 0 → the first bar's left part, 7.5 on the
    # border of the first two bars, 48 at 17.5/30 of 31–60 (the fourth bar, from 2.5)
    assert view.median_position(0) == -0.5 + 0.5 / 8
    assert view.median_position(7.5) == 0.5
    assert view.median_position(48) == pytest.approx(2.5 + 17.5 / 30)
    assert view.median_position(400) == 6.0


def test_days_to_implement_of_the_county(engine):
    figure, style, empty, notes, table = view.build_days(engine, DEFAULT)
    assert list(figure.layout.xaxis.ticktext) == BUCKETS_ZH
    assert list(figure.data[0].y) == [0, 0, 1, 0, 1, 0, 0]
    # the median (3.08) passes clear of the labelled bars: their counts stay above them
    assert list(figure.data[0].text) == ["", "", "1", "", "1", "", ""]
    assert len(figure.layout.annotations) == 1
    assert figure.data[0].hovertext[2] == "<b>清河县 · 15–30天</b><br>决议数 1 / 2 · 50.0%"
    [median] = figure.layout.shapes
    assert median.x0 == pytest.approx(2.5 + 17.5 / 30) and median.line.dash == "dash"
    assert figure.layout.annotations[0].text == "中位数 48.0 天"
    figures = metrics.figures(engine, COUNTY, START, END, keys=["median_days_to_implement"])
    assert figures["median_days_to_implement"] == 48.0
    assert style == {"height": "300px"} and empty is None
    assert "共 2 项本期完成的已落实决议" in text(notes)
    assert [(r["bucket"], r["count"], r["share"]) for r in table["rows"]] == [
        ("0–7天", 0, 0.0),
        ("8–14天", 0, 0.0),
        ("15–30天", 1, 0.5),
        ("31–60天", 0, 0.0),
        ("61–90天", 1, 0.5),
        ("91–180天", 0, 0.0),
        (">180天", 0, 0.0),
    ]


def test_days_to_implement_of_a_township_and_the_previous_period(engine):
    figure, *_ = view.build_days(engine, DEFAULT.replace(scope=CHENGGUAN))
    assert list(figure.data[0].y) == [0, 0, 1, 0, 0, 0, 0]  # JY-3, 23 days
    assert figure.layout.annotations[0].text == "中位数 23.0 天"
    # the median, 8.5/16 into 15–30 (2.03), would run through that bar's "1": the count
    # is written left of the line instead
    assert figure.layout.shapes[0].x0 == pytest.approx(1.5 + 8.5 / 16)
    assert list(figure.data[0].text) == ["", "", "", "", "", "", ""]
    count = figure.layout.annotations[1]
    assert (count.text, count.x, count.y, count.xanchor, count.xshift) == (
        "1",
        pytest.approx(1.5 + 8.5 / 16),
        1,
        "right",
        -4,
    )
    # JY-5: HY-6 2024-11-15 → 2024-12-20, 15 + 20 = 35 days
    previous = DEFAULT.replace(start=date(2024, 7, 4), end=date(2024, 12, 31))
    figure, *_ = view.build_days(engine, previous)
    assert list(figure.data[0].y) == [0, 0, 0, 1, 0, 0, 0]


def test_days_to_implement_in_english(engine):
    figure, _, _, notes, table = view.build_days(engine, DEFAULT.replace(lang="en"))
    assert list(figure.layout.xaxis.ticktext)[:2] == ["0–7 days", "8–14 days"]
    assert figure.layout.annotations[0].text == "Median 48.0 days"
    assert [c["header"] for c in table["columns"]] == ["Days to implement", "Resolutions", "Share"]
    assert "resolutions implemented in the period: 2" in text(notes)


def test_days_to_implement_with_nothing_completed(engine):
    figure, style, empty, _, table = view.build_days(engine, JANUARY)
    assert style == {"display": "none"}
    assert text(empty) == "本期无数据清河县在 2025-01-01 至 2025-01-31 期间没有完成落实的决议"
    assert [r["count"] for r in table["rows"]] == [0] * 7


# --- satisfaction by unit -------------------------------------------------------------
#
# Scores of the resolutions of median_days_to_implement: JY-1 92 (东湖镇), JY-3 80
# (城关街道); the county 86.0. One score each: too few to rank (fewer than 5).


def test_satisfaction_by_township(engine):
    figure, style, empty, notes, table = view.build_satisfaction(engine, DEFAULT)
    assert list(figure.layout.yaxis.ticktext) == ["东湖镇", "城关街道"]
    assert list(figure.data[0].x) == [92.0, 80.0]
    assert list(figure.data[0].customdata) == [DONGHU, CHENGGUAN]
    assert figure.data[0].hovertext[0] == "<b>东湖镇</b><br>群众满意度 92.0<br>n = 1<br>样本过少"
    assert list(figure.layout.xaxis.range) == [0, 100]
    [average] = figure.layout.shapes
    assert average.x0 == 86.0 and average.line.dash == "dash"
    labels = [a.text for a in figure.layout.annotations]
    assert labels[0].startswith("92.0 ") and labels[0].endswith("· 1 项评分</span>")
    assert labels[2] == "清河县平均 86.0"
    assert style == {"height": "180px"} and empty is None
    assert text(notes) == "灰色：分母少于 5，样本过少，不参与排名点击条形可进入该单位"
    assert [(r["area_code"], r["value"], r["n"], r["rank"], r["note"]) for r in table["rows"]] == [
        (DONGHU, 92.0, 1, None, "样本过少"),
        (CHENGGUAN, 80.0, 1, None, "样本过少"),
    ]


def test_satisfaction_of_a_village_and_in_english(engine):
    figure, _, _, _, table = view.build_satisfaction(
        engine, DEFAULT.replace(scope=LIUSHU, lang="en")
    )
    # 柳树村 (JY-1, 92) selected among 东湖镇's villages; 杨家村 has no score
    assert list(figure.layout.yaxis.ticktext) == ["柳树村", "杨家村"]
    assert list(figure.data[0].marker.color)[0] == theme.ACCENT
    labels = [a.text for a in figure.layout.annotations]
    assert labels[0].endswith("· 1 scored</span>") and labels[2] == "东湖镇 average 92.0"
    assert [(r["area_code"], r["value"], r["n"], r["note"]) for r in table["rows"]] == [
        (LIUSHU, 92.0, 1, "too few to rank"),
        (YANGJIA, None, 0, "no data"),
    ]
    assert [c["header"] for c in table["columns"]][3:5] == ["Resident satisfaction", "Scores"]


def test_satisfaction_with_nothing_scored(engine):
    figure, style, empty, _, table = view.build_satisfaction(engine, JANUARY)
    assert style == {"display": "none"}
    assert text(empty) == "本期无数据清河县在 2025-01-01 至 2025-01-31 期间完成的决议均无满意度评分"
    assert [r["value"] for r in table["rows"]] == [None, None]


def test_the_new_charts_on_an_empty_warehouse(db_url):
    from xieshang.warehouse.engine import open_warehouse

    empty = open_warehouse(db_url)
    state = State(None, START, END)
    for build in (view.build_status_mix, view.build_days, view.build_satisfaction):
        _, style, note, _, table = build(empty, state)
        assert style == {"display": "none"} and table is None
        assert "xieshang demo" in text(note)
    empty.dispose()
