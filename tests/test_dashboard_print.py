"""The title line a printout carries on top and a chart's PNG under its title
(components.print_title, filled by chart_cards.title_line) for the small county of
tests/helpers/inbox_county.py (loaded on 2025-06-30)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.helpers.components import by_id
from tests.helpers.inbox_county import COUNTY, DONGHU, load_county
from xieshang.dashboard import chart_cards, components, shell
from xieshang.dashboard.state import State

pytestmark = pytest.mark.warehouse(fill=load_county)

DEFAULT = State(COUNTY, date(2025, 1, 1), date(2025, 6, 30))


def attributes(line) -> tuple[str, str, str]:
    """The line's text, and the scope and period a PNG's file name is made of."""
    props = line.to_plotly_json()["props"]
    return props["children"], props["data-scope"], props["data-range"]


def test_the_title_line_of_the_default_view(engine):
    line = chart_cards.title_line(engine, DEFAULT)
    assert attributes(line) == (
        "清河县 · 2025-01-01 至 2025-06-30 · 数据截至 2025-06-30",
        "清河县",
        "2025-01-01至2025-06-30",
    )
    assert line.className == "xs-print-line"


def test_the_title_line_names_the_filters_and_reads_as_of_the_last_load(engine):
    state = State(
        DONGHU,
        date(2025, 3, 1),
        date(2025, 12, 31),
        form="council",
        category="roads",
        online=False,
    )
    line = chart_cards.title_line(engine, state)
    assert attributes(line) == (
        "东湖镇 · 2025-03-01 至 2025-12-31 · 数据截至 2025-06-30"
        " · 协商形式：议事会 · 议题类别：道路交通 · 仅线下会议",
        "东湖镇",
        "2025-03-01至2025-12-31",
    )
    english = chart_cards.title_line(engine, state.replace(lang="en"))
    assert attributes(english) == (
        "东湖镇 · 2025-03-01 to 2025-12-31 · data as of 2025-06-30"
        " · Form: Council · Topic: Roads & traffic · In-person meetings only",
        "东湖镇",
        "2025-03-01 to 2025-12-31",
    )


def test_no_title_line_for_an_empty_warehouse(db_url):
    from xieshang.warehouse.engine import open_warehouse

    empty = open_warehouse(db_url)
    assert chart_cards.title_line(empty, State(None, date(2025, 1, 1), date(2025, 6, 30))) is None
    empty.dispose()


def test_click_hints_are_left_off_paper():
    """ "点击条形可进入该单位" under a ranking says what a click opens: not on paper, where
    nothing opens; the chart's other notes are printed."""
    notes = components.chart_content(
        None, None, "zh", notes=["以下单位无边界数据：长宁县", "点击条形可进入该单位"]
    )[3]
    assert [getattr(n, "className", None) for n in notes] == [None, "chart-hint"]
    en = components.chart_content(None, None, "en", notes=["Click a bar to open that unit"])[3]
    assert en[0].className == "chart-hint"
    css = (Path(__file__).parents[1] / "assets" / "print.css").read_text(encoding="utf-8")
    hidden = css.split("@media print", 1)[1].split("display: none !important")[0]
    assert ".xs-app .chart-hint," in hidden


def test_the_shell_holds_the_title_line():
    element = by_id(shell.layout(), components.PRINT_TITLE)
    assert element.className == "xs-print-title" and element.children is None
