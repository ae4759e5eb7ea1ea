"""考核评估 in headless Chromium on 13 townships (tests/helpers/ranked_county.py), at
1,366×768 and 1,920×1,080: the grid shows every row (the lagging ones too) without a
scroll box of its own or a sideways scroll, headers and codes whole; the note and the
tooltip explain 南塘镇 and 北岙镇 (both 69.3, ranks 4 and 5); the xlsx button gives the
Chinese-named hand-in file; a period before the data shows its notice and no download."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from tests.browser.test_browser import (
    TIMEOUT,
    _wait_for_file,
    free_port,
    no_cut_cells,
    no_horizontal_scroll,
    open_path,
    settle,
)
from tests.helpers.ranked_county import CODES, load_ranked_county
from xieshang.dashboard.app import create_app
from xieshang.exports import column_headers

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),
    pytest.mark.warehouse(fill=load_ranked_county),
]

NOTE = "南塘镇与北岙镇均显示 69.3 分，名次不同（第 4、5 名）：未取整得分分别为 69.303 与 69.273"


@pytest.fixture
def duo(dash_duo, engine):
    dash_duo.start_server(create_app(engine), port=free_port())
    return dash_duo


def grid_layout(duo) -> dict:
    """What the assessment grid shows: its rendered rows (name, code), whether any row
    lies outside the grid's box or the body scrolls (up-down or sideways), the header
    texts."""
    return duo.driver.execute_script(
        """
        const grid = document.querySelector('#as-grid');
        const box = grid.getBoundingClientRect();
        const rows = [...grid.querySelectorAll('.ag-center-cols-container .ag-row')]
            .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top);
        const cell = (row, id) => row.querySelector(`[col-id="${id}"]`).innerText;
        const outside = rows.filter(r => {
            const b = r.getBoundingClientRect();
            return b.top < box.top || b.bottom > box.bottom + 1;
        }).length;
        const body = grid.querySelector('.ag-body-viewport');
        const sideways = grid.querySelector('.ag-body-horizontal-scroll-viewport');
        return {
            rows: rows.map(r => [cell(r, 'area_name'), cell(r, 'area_code')]),
            outside: outside,
            scrolls: body.scrollHeight > body.clientHeight + 1,
            sideways: sideways.scrollWidth > sideways.clientWidth + 1,
            headers: [...grid.querySelectorAll('.ag-header-cell-text')].map(h => h.innerText),
        };
        """
    )


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)], ids=["1366x768", "1920x1080"])
def test_every_township_shows_whole(duo, size):
    duo.driver.set_window_size(*size)
    open_path(duo, "/assessment")
    duo.wait_for_contains_text("#as-grid", "大岚镇", timeout=TIMEOUT)
    duo.wait_for_text_to_equal("#as-notes", NOTE, timeout=TIMEOUT)
    settle(duo)
    shown = grid_layout(duo)
    assert shown["rows"] == [[name, code] for name, code in CODES.items()]  # all 13, by rank
    assert len(shown["rows"]) == 13
    assert (shown["outside"], shown["scrolls"], shown["sideways"]) == (0, False, False)
    assert shown["headers"] == [header for _, header in column_headers("zh")]
    assert no_cut_cells(duo, "#as-grid") == {"blank_headers": 0, "cut": []}
    assert no_horizontal_scroll(duo)
    assert duo.find_element("#as-xlsx").is_displayed()
    assert duo.get_logs() == []


def test_the_unrounded_score_and_the_xlsx(duo):
    open_path(duo, "/assessment")
    duo.wait_for_text_to_equal("#as-notes", NOTE, timeout=TIMEOUT)
    settle(duo)
    cell = duo.driver.find_element(
        By.CSS_SELECTOR, "#as-grid .ag-row[row-index='3'] [col-id='score']"
    )
    assert cell.text == "69.3"
    ActionChains(duo.driver).move_to_element(cell).perform()
    duo.wait_for_text_to_equal(".ag-tooltip", "未取整得分 69.303636", timeout=TIMEOUT)
    duo.find_element("#as-xlsx").click()
    target = Path(duo.download_path) / "清河县-乡镇考核评估-2026年1-11月.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(_wait_for_file(target)))
    sheet = book["考核评估表"]
    assert sheet["A1"].value == "清河县 乡镇考核评估表 · 2026年1-11月 · 数据截至 2026-11-30"
    assert sheet["A17"].value == "注：" + NOTE
    settle(duo)
    assert duo.get_logs() == []


def test_a_period_before_the_data_shows_a_notice_and_no_download(duo):
    open_path(duo, "/assessment?from=2010-01-01&to=2010-12-31")
    duo.wait_for_contains_text(
        "#as-heading",
        "数据始于 2026年1月，本期（2010-01-01 至 2010-12-31）无数据，不作排名",
        timeout=TIMEOUT,
    )
    settle(duo)
    assert not duo.find_element("#as-csv").is_displayed()
    assert not duo.find_element("#as-xlsx").is_displayed()
    assert grid_layout(duo)["rows"] == []
    assert duo.find_element("#as-notes").text == ""
    # choosing this year brings the table and the downloads back
    duo.find_element("label[for='_dbcprivate_radioitems_f-period_input_year']").click()
    duo.wait_for_contains_text("#as-grid", "大岚镇", timeout=TIMEOUT)
    settle(duo)
    assert duo.find_element("#as-xlsx").is_displayed()
    assert len(grid_layout(duo)["rows"]) == 13
    assert duo.get_logs() == []
