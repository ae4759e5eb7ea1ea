"""The monthly trends (dashboard/charts/trends.py through the overview's builder) on a
township whose months are worked out by hand: gaps for months without cases, the sample
size of every point, hollow points on too few cases, partly covered months dashed.

示范县 › 一镇 (330281101000): 一村 (20 Party members) and 二村 (10); loaded on 2025-04-15.

    Jan  一村 meeting 01-10 (Party-led), attendees p1 (Party), p2 (Party), p3;
         R1–R4 implemented 01-25, R5 under way — all due 01-31: 4 of 5 implemented
    Feb  nothing: no meeting, nothing due
    Mar  二村 meeting 03-05, attendees p4 (Party), p5; R6 implemented 03-15, R7 not
         started — both due 03-20: 1 of 2
    Apr  一村 meeting 04-02, attendee p1 (Party); R8 implemented 04-08, due 04-10: 1 of 1;
         the last load is 04-15, so April is covered only to the 15th

Party participation per month: 2 / 30 (Jan), Feb a gap (no meeting: its 0 of 30 would
say nothing), 1 / 30 (Mar), 1 / 30 (Apr); regularity per month: villages that met of 2.
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers.warehouse_builder import WarehouseBuilder
from xieshang.dashboard.charts import bars, theme, trends
from xieshang.dashboard.state import State
from xieshang.dashboard.views import overview

COUNTY, T, V1, V2 = "330281000000", "330281101000", "330281101201", "330281101202"
MONTHS = ["2025-01-01", "2025-02-01", "2025-03-01", "2025-04-01"]
FEW = "空心点：样本少于 5，仅供参考"


def write_trend_county(engine, directory) -> None:
    b = WarehouseBuilder()
    b.area(COUNTY, name="示范县")
    b.area(T, name="一镇")
    b.area(V1, party_members=20, name="一村")
    b.area(V2, party_members=10, name="二村")
    jan = b.meeting(V1, "2025-01-10", led=True)
    for person, party in (("p1", True), ("p2", True), ("p3", False)):
        b.attend(jan, person, party=party, category="resident_rep")
    for i in range(1, 5):
        b.report(
            jan,
            f"R{i}",
            "2025-01-26",
            status="implemented",
            due="2025-01-31",
            completed="2025-01-25",
        )
    b.report(jan, "R5", "2025-01-26", status="in_progress", due="2025-01-31")
    mar = b.meeting(V2, "2025-03-05", led=False)
    b.attend(mar, "p4", party=True, category="resident_rep")
    b.attend(mar, "p5", party=False, category="resident")
    b.report(
        mar, "R6", "2025-03-18", status="implemented", due="2025-03-20", completed="2025-03-15"
    )
    b.report(mar, "R7", "2025-03-18", status="not_started", due="2025-03-20")
    apr = b.meeting(V1, "2025-04-02", led=True)
    b.attend(apr, "p1", party=True, category="resident_rep")
    b.report(
        apr, "R8", "2025-04-08", status="implemented", due="2025-04-10", completed="2025-04-08"
    )
    b.load_run("2025-04-15")
    b.write(engine)


pytestmark = pytest.mark.warehouse(fill=write_trend_county)

TO_APRIL = State(T, date(2025, 1, 1), date(2025, 4, 30))


def rates_and_meetings(engine, state):
    values = overview.build_trends(engine, state)
    return values[0], values[5]


def lines(figure) -> list[tuple]:
    """(name, dashed, in the legend) of every trace, in order."""
    return [(tr.name, tr.line.dash == "dash", tr.showlegend is not False) for tr in figure.data]


def test_months_without_cases_are_gaps_and_every_point_has_its_n(engine):
    rates, _ = rates_and_meetings(engine, TO_APRIL)
    assert lines(rates) == [
        ("决议落实率", False, True),
        ("决议落实率", True, False),
        ("党员参与率", False, True),
        ("党员参与率", True, False),
        ("多元主体覆盖率", False, True),
        ("多元主体覆盖率", True, False),
        ("常态化率", False, True),
        ("常态化率", True, False),
        (FEW, False, True),
        ("虚线：2025年4月不满整月", True, True),
    ]
    done, done_april = rates.data[0], rates.data[1]
    assert list(done.x) == MONTHS
    # Jan 4/5 on five cases: a full point; Feb nothing due: a gap; Mar 1/2: hollow, faint;
    # April (to the 15th) only on the dashed trace, joined from March
    assert list(done.y) == [0.8, None, 0.5, None]
    assert list(done.customdata) == [5, None, 2, None]
    assert list(done.marker.symbol) == ["circle", "circle", "circle-open", "circle"]
    assert list(done.marker.opacity) == [1.0, 1.0, trends.FAINT, 1.0]
    assert done.line.color == theme.PALETTE[0] and done.connectgaps is False
    assert list(done.hovertext) == [
        "<b>2025年1月</b><br>决议落实率 80.0%（4 / 5）<br>n = 5 项到期决议",
        None,
        "<b>2025年3月</b><br>决议落实率 50.0%（1 / 2）<br>n = 2 项到期决议 · 样本少于 5，仅供参考",
        None,
    ]
    assert list(done_april.y) == [None, None, 0.5, 1.0]
    assert list(done_april.customdata) == [None, None, 2, 1]
    assert list(done_april.marker.size) == [0, 0, 0, 7]  # March is drawn by the solid trace
    assert list(done_april.marker.symbol)[3] == "circle-open"
    assert done_april.hovertext[3] == (
        "<b>2025年4月</b><br>决议落实率 100.0%（1 / 1）<br>n = 1 项到期决议 · 样本少于 5，仅供参考"
        "<br>仅含 2025-04-01 至 2025-04-15（不满整月）"
    )


def test_party_participation_rests_on_the_months_meetings(engine):
    rates, _ = rates_and_meetings(engine, TO_APRIL)
    party = rates.data[2]
    # February's 0 of 30 registered members is no month without participation but one
    # without a meeting: a gap
    assert list(party.y) == [pytest.approx(2 / 30), None, pytest.approx(1 / 30), None]
    assert list(party.customdata) == [1, None, 1, None]
    assert party.hovertext[0] == (
        "<b>2025年1月</b><br>党员参与率 6.7%（2 / 30）<br>n = 1 次会议 · 样本少于 5，仅供参考"
    )
    assert list(rates.data[3].y) == [None, None, pytest.approx(1 / 30), pytest.approx(1 / 30)]


def test_a_month_with_cases_but_nothing_done_is_a_real_zero(engine):
    rates, _ = rates_and_meetings(engine, TO_APRIL)
    regular = rates.data[6]
    # two villages every month: Feb, when neither met, is 0 %, drawn
    assert list(regular.y) == [0.5, 0.0, 0.5, None]
    assert list(regular.customdata) == [2, 2, 2, None]
    assert regular.hovertext[1] == (
        "<b>2025年2月</b><br>常态化率 0.0%（0 / 2）<br>n = 2 个村·月 · 样本少于 5，仅供参考"
    )


def test_the_legend_explains_hollow_points_and_dashes(engine):
    rates, _ = rates_and_meetings(engine, TO_APRIL)
    few, part = rates.data[-2], rates.data[-1]
    assert (few.mode, few.marker.symbol, list(few.y)) == ("markers", "circle-open", [None])
    assert (part.mode, part.line.dash, list(part.y)) == ("lines", "dash", [None])
    assert few.hoverinfo == "skip" and part.hoverinfo == "skip"


def test_meetings_per_month_mark_the_partial_month(engine):
    _, meetings = rates_and_meetings(engine, TO_APRIL)
    bar, legend = meetings.data
    assert list(bar.y) == [1, 0, 1, 1]
    assert list(bar.text) == ["1", "0", "1", "1"]
    assert list(bar.marker.color) == [theme.BAR, theme.BAR, theme.BAR, trends.PART_BAR]
    assert list(bar.marker.pattern.shape) == ["", "", "", "/"]
    assert bar.hovertext[3] == (
        "<b>2025年4月</b><br>协商会议数 1<br>仅含 2025-04-01 至 2025-04-15（不满整月）"
    )
    assert legend.name == "斜纹：2025年4月不满整月" and meetings.layout.showlegend is True
    assert meetings.layout.yaxis.dtick == 1  # whole meetings, not 0 0 1 1 1


def test_a_month_cut_by_the_period(engine):
    rates, meetings = rates_and_meetings(engine, TO_APRIL.replace(end=date(2025, 3, 20)))
    done, done_march = rates.data[0], rates.data[1]
    assert list(done.y) == [0.8, None, None]
    # March to the 20th has no neighbour with a value: its point alone, no segment
    assert list(done_march.y) == [None, None, 0.5]
    assert list(done_march.marker.size) == [0, 0, 7]
    assert done_march.hovertext[2].endswith("<br>仅含 2025-03-01 至 2025-03-20（不满整月）")
    assert rates.data[-1].name == "虚线：2025年3月不满整月"
    assert meetings.data[1].name == "斜纹：2025年3月不满整月"


def test_one_month_has_its_label_and_says_it_is_partial(engine):
    # 本月 on the last load day: April to the 15th, one point per figure and nothing to join
    rates, meetings = rates_and_meetings(engine, State(T, date(2025, 4, 1), date(2025, 4, 15)))
    for figure in (rates, meetings):
        # the axis spans April, so its month start is on it and labelled (period labels)
        assert figure.layout.xaxis.range == ("2025-04-01", "2025-05-01")
        assert figure.layout.xaxis.tickformat == "%Y年%-m月"
    assert [tr.name for tr in rates.data if tr.showlegend is not False][-1:] == [
        "2025年4月不满整月"
    ]
    # each partial point alone on its trace: no dash drawn, so the legend names none
    dashed = [tr for tr in rates.data if tr.line.dash == "dash"]
    assert [sum(y is not None for y in tr.y) for tr in dashed] == [1, 1, 1, 1]
    assert meetings.data[1].name == "斜纹：2025年4月不满整月"


def test_a_period_beginning_and_ending_inside_months(engine):
    rates, _ = rates_and_meetings(engine, State(T, date(2025, 1, 15), date(2025, 4, 15)))
    done, done_part = rates.data[0], rates.data[1]
    # January from the 15th: R1–R5 (due 01-31) still fall in it, 4 of 5; April to the 15th
    assert list(done.y) == [None, None, 0.5, None]
    assert list(done_part.y) == [0.8, None, 0.5, 1.0]
    assert list(done_part.marker.size) == [7, 0, 0, 7]
    assert rates.data[-1].name == "虚线：2025年1月、2025年4月不满整月"


def test_months_after_the_last_load_have_no_figures_yet(engine):
    rates, meetings = rates_and_meetings(engine, TO_APRIL.replace(end=date(2025, 6, 30)))
    assert list(rates.data[6].y) == [0.5, 0.0, 0.5, None, None, None]  # regularity
    assert list(meetings.data[0].y) == [1, 0, 1, 1, None, None]
    assert list(meetings.data[0].text) == ["1", "0", "1", "1", "", ""]
    assert list(meetings.data[0].hovertext)[4:] == [None, None]


def test_in_english(engine):
    rates, meetings = rates_and_meetings(engine, TO_APRIL.replace(lang="en"))
    assert rates.data[0].hovertext[0] == (
        "<b>Jan 2025</b><br>Implementation rate 80.0% (4 / 5)<br>n = 5 resolutions due"
    )
    assert (
        rates.data[1].hovertext[3].endswith("<br>2025-04-01 to 2025-04-15 only (not a whole month)")
    )
    assert [tr.name for tr in rates.data[-2:]] == [
        "Hollow: fewer than 5 cases, indicative",
        "Dashed: Apr 2025, not a whole month",
    ]
    assert meetings.data[1].name == "Hatched: Apr 2025, not a whole month"


def test_coverage_of_a_month():
    row = {"from": date(2025, 4, 1), "as_of": date(2025, 4, 30)}
    assert trends.coverage(row) == "whole"
    assert trends.coverage({**row, "as_of": date(2025, 4, 29)}) == "part"
    assert trends.coverage({**row, "from": date(2025, 4, 2)}) == "part"
    assert trends.coverage({"from": date(2025, 5, 1), "as_of": date(2025, 4, 15)}) == "none"
    assert trends.coverage({"from": "2025-02-01", "as_of": "2025-02-28"}) == "whole"


# --- the histogram's median line and its bar labels -------------------------------------


def test_a_marker_left_of_a_bar_centre_moves_the_count_right():
    rows = [{"label": str(i), "count": c, "hover": ""} for i, c in enumerate([3, 12, 0])]
    figure = bars.bucket_bars(rows, marker=0.85, marker_label="中位数")
    assert list(figure.data[0].text) == ["3", "", ""]
    _, count = figure.layout.annotations
    assert (count.text, count.x, count.y, count.xanchor, count.xshift) == (
        "12",
        0.85,
        12,
        "left",
        4,
    )
    # clear of every centre by 0.3 bar widths or more, or on an empty bar: labels stay
    assert list(bars.bucket_bars(rows, marker=0.69).data[0].text) == ["3", "12", ""]
    assert list(bars.bucket_bars(rows, marker=2.1).data[0].text) == ["3", "12", ""]
    assert bars.crossed_bar([3, 12, 0], 1.29) == 1 and bars.crossed_bar([3, 12, 0], 1.3) is None
