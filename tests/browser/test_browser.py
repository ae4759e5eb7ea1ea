"""The dashboard in headless Chromium: pages load cleanly, the filters drive the figures
and the address, links reproduce views, English works, bad addresses are explained."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from tests.helpers.inbox_county import CHENGGUAN, COUNTY, DONGHU, load_county
from xieshang import metrics
from xieshang.dashboard import fmt
from xieshang.dashboard.app import create_app
from xieshang.dashboard.i18n import figure_name
from xieshang.dashboard.shell import nav_pages

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),
    pytest.mark.warehouse(fill=load_county),
]

START, END = date(2025, 1, 1), date(2025, 6, 30)
TIMEOUT = 20


def free_port() -> int:
    """A port no other test worker uses (dash_duo's default counts up from 58050 in every
    process, which would collide if browser tests ever ran in two xdist workers)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def duo(dash_duo, engine):
    dash_duo.start_server(create_app(engine), port=free_port())
    dash_duo.driver.set_window_size(1366, 768)
    return dash_duo


def kpi(key: str) -> str:
    """CSS selector of a KPI card's value (Dash writes dict ids as sorted JSON)."""
    ident = json.dumps({"key": key, "type": "kpi-value"}, separators=(",", ":"))
    return f"[id='{ident}']"


def chart(kind: str, chart_id: str) -> str:
    ident = json.dumps({"chart": chart_id, "type": f"chart-{kind}"}, separators=(",", ":"))
    return f"[id='{ident}']"


def expected(key: str, scope: str, start=START, end=END, **filters) -> str:
    result = metrics.figures(metrics_engine, scope, start, end, metrics.Filters(**filters))
    return fmt.figure_value(key, result[key])


metrics_engine = None


def xieshang_kpi(scope: str, start=START, end=END) -> dict:
    """What `xieshang kpi` prints for the test warehouse, run as the command it is."""
    url = metrics_engine.url.render_as_string(hide_password=False)
    argv = ["kpi", "--scope", scope, "--from", str(start), "--to", str(end), "--db", url]
    out = subprocess.run(
        [sys.executable, "-m", "xieshang.cli", *argv], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


@pytest.fixture(autouse=True)
def _metrics_engine(engine):
    global metrics_engine
    metrics_engine = engine


def open_path(duo, path: str) -> None:
    duo.wait_for_page(url=duo.server_url + path, timeout=TIMEOUT)


def search(duo) -> str:
    return duo.driver.execute_script("return window.location.search")


def settle(duo, seconds: float = 0.6) -> None:
    """Let pending callbacks finish (Dash marks the page while it is loading)."""
    deadline = time.time() + TIMEOUT
    time.sleep(seconds)
    while time.time() < deadline:
        if not duo.driver.execute_script(
            "return document.querySelector('[data-dash-is-loading=\"true\"]') !== null"
        ):
            return
        time.sleep(0.1)


def external_requests(duo) -> list[str]:
    urls = duo.driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    return [u for u in urls if not u.startswith(duo.server_url)]


def is_the_404_of(duo, path: str, log: dict) -> bool:
    """Whether a console entry is Chromium's note that the page at `path` answered 404."""
    return (
        log["source"] == "network"
        and log["message"].startswith(f"{duo.server_url}{path} ")
        and "404" in log["message"]
    )


def scroll_into_view(duo, element) -> None:
    """Centre an element below the fold, clear of the sticky filter bar (instantly:
    Bootstrap makes scrolling smooth, and a click in mid-scroll misses)."""
    duo.driver.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", element
    )


def no_horizontal_scroll(duo) -> bool:
    """Readable at 1366×768 without scrolling sideways (ui.md)."""
    return duo.driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


# --- every page ----------------------------------------------------------------------------------------


def test_every_page_loads_without_console_errors_or_remote_requests(duo):
    duo.wait_for_text_to_equal(kpi("meetings"), expected("meetings", COUNTY), timeout=TIMEOUT)
    duo.wait_for_text_to_equal("#freshness", "数据更新至 2025-06-30", timeout=TIMEOUT)
    settle(duo)
    assert duo.get_logs() == []
    for path, key in nav_pages()[1:]:
        open_path(duo, path)
        duo.wait_for_contains_class(
            f"[id='{json.dumps({'page': key, 'type': 'nav'}, separators=(',', ':'))}']",
            "active",
            timeout=TIMEOUT,
        )
        settle(duo)
        assert duo.get_logs() == [], path
        assert no_horizontal_scroll(duo), path
    open_path(duo, "/no-such-page")
    duo.wait_for_contains_text("#_pages_content", "未找到该页面", timeout=TIMEOUT)
    # the address answers 404 (issue 10), which Chromium logs as the page's one failed
    # load; nothing else may be logged
    assert [log for log in duo.get_logs() if not is_the_404_of(duo, "/no-such-page", log)] == []
    assert external_requests(duo) == []
    # the mode bar offers only the PNG download (no "share to cloud")
    open_path(duo, "/")
    duo.wait_for_element("#ov-ranking-graph .main-svg", timeout=TIMEOUT)
    titles = duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('#ov-ranking-graph .modebar-btn'))"
        ".map(b => b.getAttribute('data-title'))"
    )
    assert titles == ["下载图表为PNG格式"]
    assert no_horizontal_scroll(duo)


# --- filters drive the figures and the address -----------------------------------------------------------------


def test_choosing_a_township_shows_its_figures_and_updates_the_address(duo):
    duo.wait_for_text_to_equal(
        kpi("implementation_rate"), expected("implementation_rate", COUNTY), timeout=TIMEOUT
    )
    duo.select_dcc_dropdown("#f-first", value="东湖镇")
    want = expected("implementation_rate", DONGHU)
    assert want == "50.0%"
    # the card shows what the command line gives for the same scope and period
    assert fmt.percent(xieshang_kpi(DONGHU)["implementation_rate"]) == want
    duo.wait_for_text_to_equal(kpi("implementation_rate"), want, timeout=TIMEOUT)
    duo.wait_for_text_to_equal(kpi("meetings"), expected("meetings", DONGHU), timeout=TIMEOUT)
    assert search(duo) == f"?scope={DONGHU}&from=2025-01-01&to=2025-06-30"
    duo.wait_for_text_to_equal("#ov-scope-name", "东湖镇", timeout=TIMEOUT)
    # the village dropdown now lists the township's villages
    duo.select_dcc_dropdown("#f-second", value="柳树村")
    duo.wait_for_text_to_equal(
        kpi("meetings"), expected("meetings", "330281100201"), timeout=TIMEOUT
    )
    assert "scope=330281100201" in search(duo)
    # the period preset and the form filter
    duo.find_element("label[for='_dbcprivate_radioitems_f-period_input_quarter']").click()
    duo.wait_for_text_to_equal(
        kpi("meetings"),
        expected("meetings", "330281100201", start=date(2025, 4, 1)),
        timeout=TIMEOUT,
    )
    assert "from=2025-04-01&to=2025-06-30" in search(duo)
    settle(duo)
    assert duo.get_logs() == []


def test_a_link_with_filters_reproduces_the_view(duo):
    query = f"?scope={DONGHU}&from=2025-03-01&to=2025-04-30&form=council"
    open_path(duo, "/" + query)
    want = expected(
        "meetings", DONGHU, start=date(2025, 3, 1), end=date(2025, 4, 30), form="council"
    )
    duo.wait_for_text_to_equal(kpi("meetings"), want, timeout=TIMEOUT)
    assert want == "2"
    duo.wait_for_contains_text("#f-first", "东湖镇", timeout=TIMEOUT)
    duo.wait_for_contains_text("#f-form", "议事会", timeout=TIMEOUT)
    assert duo.find_element("#_dbcprivate_radioitems_f-period_input_custom").is_selected()
    dates = [
        e.get_attribute("value")
        for e in duo.driver.find_elements(By.CSS_SELECTOR, "input.dash-datepicker-input")
    ]
    assert dates == ["2025-03-01", "2025-04-30"]
    duo.driver.refresh()
    duo.wait_for_text_to_equal(kpi("meetings"), want, timeout=TIMEOUT)
    assert search(duo) == query  # a shared link is left as it is
    # page tabs keep the filters
    tab = duo.find_element("#nav a[href^='/participation']")
    assert tab.get_attribute("href").endswith("/participation" + query)
    settle(duo)
    assert duo.get_logs() == []


def test_the_english_switch(duo):
    duo.wait_for_text_to_equal(kpi("meetings"), "5", timeout=TIMEOUT)
    duo.find_element("#lang-link").click()
    duo.wait_for_text_to_equal("#brand", "Consultative Governance Dashboard", timeout=TIMEOUT)
    assert "lang=en" in search(duo)
    duo.wait_for_contains_text(
        "#ov-kpis", figure_name("implementation_rate", "en"), timeout=TIMEOUT
    )
    duo.wait_for_contains_text("#ov-kpis", "2 / 3 resolutions due", timeout=TIMEOUT)
    duo.wait_for_text_to_equal("#freshness", "Data updated to 2025-06-30", timeout=TIMEOUT)
    duo.wait_for_contains_text("#nav", "Overview", timeout=TIMEOUT)
    duo.wait_for_contains_text(
        chart("title", "ov-ranking"), "Implementation rate: ranking", timeout=TIMEOUT
    )
    duo.wait_for_contains_text(
        "#ov-figure", "Implementation rate", timeout=TIMEOUT
    )  # the skeleton too
    # and back
    duo.find_element("#lang-link").click()
    duo.wait_for_text_to_equal("#brand", "协商治理看板", timeout=TIMEOUT)
    duo.wait_for_contains_text("#ov-kpis", "决议落实率", timeout=TIMEOUT)
    assert "lang=" not in search(duo)
    settle(duo)
    assert duo.get_logs() == []


def test_the_figure_picker_is_in_the_address(duo):
    duo.wait_for_contains_text(chart("title", "ov-ranking"), "决议落实率", timeout=TIMEOUT)
    duo.select_dcc_dropdown("#ov-figure", value="逾期未落实数")
    duo.wait_for_contains_text(chart("title", "ov-ranking"), "逾期未落实数", timeout=TIMEOUT)
    # the ⓘ beside the title now defines the figure picked
    ActionChains(duo.driver).move_to_element(
        duo.find_element(chart("info", "ov-ranking"))
    ).perform()
    duo.wait_for_contains_text(".tooltip", "状态既非“已落实”也非“已撤销”", timeout=TIMEOUT)
    assert search(duo) == f"?scope={COUNTY}&from=2025-01-01&to=2025-06-30&figure=overdue_open"
    duo.driver.refresh()
    duo.wait_for_contains_text(chart("title", "ov-map"), "逾期未落实数", timeout=TIMEOUT)
    duo.wait_for_contains_text("#ov-figure", "逾期未落实数", timeout=TIMEOUT)
    # a drill-down keeps the figure
    duo.select_dcc_dropdown("#f-first", value="东湖镇")
    duo.wait_for_text_to_equal("#ov-scope-name", "东湖镇", timeout=TIMEOUT)
    assert "figure=overdue_open" in search(duo)
    duo.wait_for_contains_text(chart("title", "ov-ranking"), "逾期未落实数", timeout=TIMEOUT)
    settle(duo)
    assert duo.get_logs() == []


def test_an_invalid_parameter_shows_a_notice_and_the_default(duo):
    open_path(duo, "/?scope=abc&online=maybe&form=议事会")
    duo.wait_for_contains_text("#notice", "scope=“abc”", timeout=TIMEOUT)
    duo.wait_for_contains_text("#notice", "online=“maybe”", timeout=TIMEOUT)
    # the rest of the address still applies; the bad values fell back to their defaults
    duo.wait_for_text_to_equal(
        kpi("meetings"), expected("meetings", COUNTY, form="council"), timeout=TIMEOUT
    )
    settle(duo)
    # the address loses what fell back, and the notice stays to say why
    assert search(duo) == "?form=%E8%AE%AE%E4%BA%8B%E4%BC%9A"  # form=议事会
    assert "scope=“abc”" in duo.find_element("#notice").text
    # written in place: Back leaves the page, rather than returning to the bad address
    history = duo.driver.execute_script("return window.history.length")
    open_path(duo, "/resolutions")
    duo.wait_for_text_to_equal(kpi("overdue_open"), "1", timeout=TIMEOUT)
    duo.driver.back()
    duo.wait_for_text_to_equal(
        kpi("meetings"), expected("meetings", COUNTY, form="council"), timeout=TIMEOUT
    )
    assert search(duo) == "?form=%E8%AE%AE%E4%BA%8B%E4%BC%9A"
    duo.driver.back()
    settle(duo)
    assert duo.driver.execute_script("return window.history.length") == history + 1
    assert "abc" not in search(duo)
    assert duo.get_logs() == []


def test_clicking_a_bar_or_the_map_drills_in(duo):
    duo.wait_for_element("#ov-ranking-graph .point path", timeout=TIMEOUT)
    settle(duo)
    bars = duo.driver.find_elements(By.CSS_SELECTOR, "#ov-ranking-graph .point path")
    ActionChains(duo.driver).move_to_element(bars[0]).click().perform()  # 城关街道 ranks first
    duo.wait_for_text_to_equal("#ov-scope-name", "城关街道", timeout=TIMEOUT)
    assert f"scope={CHENGGUAN}" in search(duo)
    duo.wait_for_contains_text("#f-first", "城关街道", timeout=TIMEOUT)
    duo.wait_for_text_to_equal(kpi("meetings"), expected("meetings", CHENGGUAN), timeout=TIMEOUT)
    # back up through the breadcrumb, then into 城关街道 again from the map
    duo.find_element(".xs-title a").click()
    duo.wait_for_text_to_equal("#ov-scope-name", "清河县", timeout=TIMEOUT)
    settle(duo)
    label = duo.driver.find_element(By.CSS_SELECTOR, "#ov-map-graph .textpoint")
    ActionChains(duo.driver).move_to_element(label).click().perform()
    duo.wait_for_text_to_equal("#ov-scope-name", "城关街道", timeout=TIMEOUT)
    settle(duo)
    assert duo.get_logs() == []


def test_the_data_toggle_and_csv(duo):
    duo.wait_for_element("#ov-ranking-graph .point path", timeout=TIMEOUT)
    duo.find_element(chart("toggle", "ov-ranking")).click()
    duo.wait_for_contains_text(chart("table", "ov-ranking"), "东湖镇", timeout=TIMEOUT)
    duo.wait_for_contains_text(chart("table", "ov-ranking"), "样本过少", timeout=TIMEOUT)
    duo.find_element(chart("csv", "ov-ranking")).click()
    target = Path(duo.download_path) / "ranking-implementation_rate.csv"
    deadline = time.time() + TIMEOUT
    while not target.exists() and time.time() < deadline:
        time.sleep(0.2)
    content = target.read_text(encoding="utf-8")
    assert content.startswith("\ufeff名次,单位,区划代码,决议落实率")
    # raw fractions, unranked; the code ends in a tab (Excel keeps its 12 digits)
    assert f"\n,城关街道,{CHENGGUAN}\t,1,1,1,0.2065" in content
    settle(duo)
    assert duo.get_logs() == []


def test_an_empty_warehouse_says_what_to_do(dash_duo, tmp_path):
    from xieshang.warehouse.engine import open_warehouse

    empty = open_warehouse(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    dash_duo.start_server(create_app(empty), port=free_port())
    dash_duo.wait_for_contains_text("#ov-kpis", "xieshang demo", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal("#freshness", "尚未载入数据", timeout=TIMEOUT)
    settle(dash_duo)
    assert dash_duo.get_logs() == []
    empty.dispose()


def _wait_for_file(path: Path) -> bytes:
    deadline = time.time() + TIMEOUT
    while not path.exists() and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(0.3)
    return path.read_bytes()


def test_the_assessment_grid_and_its_csv(duo, engine):
    from xieshang import exports
    from xieshang.metrics.assessment import assessment

    open_path(duo, "/assessment")
    duo.wait_for_contains_text("#as-grid", "城关街道", timeout=TIMEOUT)
    duo.wait_for_contains_text("#as-grid", "50.7", timeout=TIMEOUT)
    duo.wait_for_contains_text("#as-weights", "决议落实率 30", timeout=TIMEOUT)
    duo.find_element("#as-csv").click()
    target = Path(duo.download_path) / "清河县-乡镇考核评估-2025年1-6月.csv"
    want = exports.write_assessment_csv(assessment(engine, "township", None, START, END))
    assert _wait_for_file(target) == want
    settle(duo)
    assert duo.get_logs() == []


CUT_CELLS = """
        const root = document.querySelector(arguments[0]);
        const headers = [...root.querySelectorAll('.ag-header-cell')];
        const blank = headers.filter(h => !h.innerText.trim()).length;
        const cells = [...root.querySelectorAll('.ag-header-cell-text, .ag-cell-value, .ag-cell')];
        const cut = cells.filter(c => c.scrollWidth > c.clientWidth + 1).map(c => c.innerText);
        return {blank_headers: blank, cut: cut};
"""


def no_cut_cells(duo, grid: str, wait: float = 5.0) -> dict:
    """In a grid: how many headers show no text, and the texts of the header and body
    cells whose content is wider than the cell (shown cut, with "…") — once the grid has
    sized its columns (it does so after its rows render: on a busy machine a moment
    later), or as they are after `wait` seconds."""
    deadline = time.time() + wait
    while True:
        found = duo.driver.execute_script(CUT_CELLS, grid)
        if found == {"blank_headers": 0, "cut": []} or time.time() > deadline:
            return found
        time.sleep(0.2)


def test_the_data_quality_page(duo):
    open_path(duo, "/data-quality")
    # 报送情况 of June: 城关街道 sent no meeting, 东湖镇 its own (HY-5)
    duo.wait_for_contains_text("#dq-status-grid", "城关街道", timeout=TIMEOUT)
    duo.wait_for_contains_text("#dq-status-grid", "未报送", timeout=TIMEOUT)
    duo.wait_for_contains_text("#dq-status-grid", "已报送", timeout=TIMEOUT)
    duo.wait_for_text_to_equal("#dq-status-title", "报送情况（2025年6月）", timeout=TIMEOUT)
    duo.wait_for_contains_text("#dq-runs-grid", "已提交", timeout=TIMEOUT)
    settle(duo)
    # at 1,366 px every header has its text and no cell is cut short
    for part in ("#dq-status-grid", "#dq-runs-grid"):
        assert no_cut_cells(duo, part) == {"blank_headers": 0, "cut": []}, part
    duo.wait_for_text_to_equal("#dq-rejects-note", "没有拒收的行", timeout=TIMEOUT)
    # an empty list shows its empty state only, a list with rows its grid
    assert not duo.find_element("#dq-rejects-grid").is_displayed()
    assert duo.find_element("#dq-runs-grid").is_displayed()
    # the superseded switch is in the address and survives a reload
    switch = duo.find_element("#dq-superseded")
    scroll_into_view(duo, switch)
    switch.click()
    deadline = time.time() + TIMEOUT
    while "superseded=yes" not in search(duo) and time.time() < deadline:
        time.sleep(0.2)
    assert search(duo).endswith("&superseded=yes")
    duo.driver.refresh()
    duo.wait_for_text_to_equal("#dq-rejects-note", "没有拒收的行", timeout=TIMEOUT)
    settle(duo)
    assert duo.find_element("#dq-superseded").is_selected()
    settle(duo)
    assert duo.get_logs() == []


def test_the_resolutions_page_and_its_overdue_csv(duo):
    open_path(duo, "/resolutions")
    duo.wait_for_text_to_equal(kpi("overdue_open"), "1", timeout=TIMEOUT)
    duo.wait_for_text_to_equal(kpi("median_days_to_implement"), "48.0", timeout=TIMEOUT)
    duo.wait_for_contains_text("#rs-overdue-grid", "JY-2", timeout=TIMEOUT)
    duo.wait_for_contains_text("#rs-overdue-grid", "≤30天", timeout=TIMEOUT)
    duo.wait_for_element("#rs-ranking-graph .point path", timeout=TIMEOUT)
    # the status mix (one stacked bar per township), the days histogram, satisfaction
    duo.wait_for_contains_text("#rs-mix-graph", "城关街道", timeout=TIMEOUT)
    duo.wait_for_contains_text("#rs-days-graph", "中位数 48.0 天", timeout=TIMEOUT)
    duo.wait_for_element("#rs-satisfaction-graph .point path", timeout=TIMEOUT)
    button = duo.find_element("#rs-overdue-csv")
    scroll_into_view(duo, button)  # below the charts
    button.click()
    # named by its scope and the day it is overdue on (清河县-逾期未落实决议-截至….csv)
    deadline = time.time() + TIMEOUT
    while not list(Path(duo.download_path).glob("清河县-逾期未落实决议-截至*.csv")):
        assert time.time() < deadline, "the overdue list was not downloaded"
        time.sleep(0.2)
    (saved,) = Path(duo.download_path).glob("清河县-逾期未落实决议-截至*.csv")
    content = _wait_for_file(saved).decode("utf-8")
    assert content.startswith("\ufeff逾期时长,逾期天数")
    assert "≤30天,15,柳树村,JY-2" in content
    settle(duo)
    assert duo.get_logs() == []


GRID_WIDTHS = """
const grid = document.getElementById(arguments[0]);
const viewport = grid.querySelector('.ag-center-cols-viewport');
const cells = [...grid.querySelectorAll('.ag-cell:not(.ag-cell-wrap-text)')];
return [grid.querySelector('.ag-center-cols-container').scrollWidth, viewport.clientWidth,
        cells.filter(cell => cell.scrollWidth > cell.clientWidth).map(cell => cell.textContent)];
"""


def test_a_grid_narrower_than_its_columns_wraps_rather_than_scrolls(duo):
    open_path(duo, "/resolutions")
    duo.wait_for_contains_text("#rs-overdue-grid", "JY-2", timeout=TIMEOUT)
    settle(duo)
    wanted, shown, cut = duo.driver.execute_script(GRID_WIDTHS, "rs-overdue-grid")
    assert (wanted <= shown, cut) == (True, [])
    # a narrow window: nine columns as wide as their contents no longer fit
    duo.driver.set_window_size(1040, 768)
    try:
        settle(duo, 1.5)
        wanted, shown, cut = duo.driver.execute_script(GRID_WIDTHS, "rs-overdue-grid")
        # the columns fit, each no narrower than its cells: headers and long texts wrap
        assert (wanted <= shown, cut) == (True, [])
    finally:
        duo.driver.set_window_size(1366, 768)
    assert duo.get_logs() == []


def test_the_participation_and_stakeholder_pages(duo):
    open_path(duo, "/participation")
    duo.wait_for_text_to_equal(kpi("party_led_rate"), "80.0%", timeout=TIMEOUT)
    duo.wait_for_element("#pp-ranking-0-graph .point path", timeout=TIMEOUT)
    duo.wait_for_element("#pp-trend-graph .scatterlayer .trace", timeout=TIMEOUT)
    open_path(duo, "/stakeholders")
    duo.wait_for_text_to_equal(kpi("stakeholder_coverage"), "40.0%", timeout=TIMEOUT)
    duo.wait_for_element("#sh-ranking-1-graph .point path", timeout=TIMEOUT)
    duo.wait_for_element("#sh-heatmap-graph .hm", timeout=TIMEOUT)
    # 5 meetings in the county reached six of the ten categories (metrics.stakeholder_reach)
    for name in ("政协委员", "驻区单位", "群团组织", "业主委员会"):
        duo.wait_for_contains_text(chart("empty", "sh-never"), name, timeout=TIMEOUT)
    # a click in the heatmap's upper row drills into that township
    settle(duo)
    plot = duo.driver.find_element(By.CSS_SELECTOR, "#sh-heatmap-graph .nsewdrag")
    scroll_into_view(duo, plot)
    # the first column's cell in the upper row (offsets from the plot area's centre)
    x, y = 25 - plot.size["width"] // 2, -plot.size["height"] // 4
    ActionChains(duo.driver).move_to_element(plot).move_by_offset(x, y).click().perform()
    townships = (f"?scope={CHENGGUAN}", f"?scope={DONGHU}")
    deadline = time.time() + TIMEOUT
    while search(duo).split("&")[0] not in townships and time.time() < deadline:
        time.sleep(0.2)
    assert search(duo).split("&")[0] in townships
    settle(duo)
    assert duo.get_logs() == []


def _title_becomes(duo, title: str) -> str:
    deadline = time.time() + TIMEOUT
    shown = None
    while time.time() < deadline:
        shown = duo.driver.title
        if shown == title:
            break
        time.sleep(0.2)
    return shown


def test_the_tabs_title_is_in_the_pages_language(duo):
    """An English page's browser tab (and a bookmark's name) read 协商治理看板 · 考核评估
    (UI audit): Dash Pages sets the title it was registered with."""
    for path, title in [
        ("/assessment?lang=en", "Consultative Governance Dashboard · Assessment"),
        ("/nope?lang=en", "Consultative Governance Dashboard · Page not found"),
        ("/assessment", "协商治理看板 · 考核评估"),
        ("/?lang=en", "Consultative Governance Dashboard · Overview"),
    ]:
        duo.driver.get(f"{duo.server_url}{path}")
        assert _title_becomes(duo, title) == title
    # but the 404 page's own status
    assert [log for log in duo.get_logs() if not is_the_404_of(duo, "/nope?lang=en", log)] == []


# --- a callback the server does not answer ------------------------------------------------------------

NO_ANSWER_ZH = (
    "服务器没有应答，本页的数字未能更新，可能与所选条件不符。"
    "请检查网络连接后刷新页面；若仍出现，请告知管理员。"
)
NO_ANSWER_EN = (
    "The server did not answer: the figures on this page were not updated and may not "
    "match the filters. Check the network connection and reload the page; if it persists, "
    "tell the administrator."
)


def test_a_change_the_server_does_not_answer_says_so(duo):
    """The server stopped (a restart, the laptop's demo closed, the network gone): a
    township picked then showed in its picker over the county's figures, and nothing said
    that they had not followed (UI audit). The page now says what happened and what to do."""
    duo.wait_for_text_to_equal(kpi("meetings"), expected("meetings", COUNTY), timeout=TIMEOUT)
    settle(duo)
    assert not duo.find_element("#no-answer").is_displayed()
    duo.driver.execute_cdp_cmd("Network.enable", {})
    duo.driver.execute_cdp_cmd(
        "Network.emulateNetworkConditions",
        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    duo.select_dcc_dropdown("#f-first", value="东湖镇")
    duo.wait_for_text_to_equal("#no-answer", NO_ANSWER_ZH, timeout=TIMEOUT)
    # the figures did not follow the picker: the notice is what tells the user so
    assert duo.find_element(kpi("meetings")).text == expected("meetings", COUNTY) == "5"


def failing_proxy(app, monkeypatch) -> list:
    """A proxy in front of the app that answers its callbacks 502 while the list returned
    is not empty (the app is the process's one Dash app: the wrapper goes after the test)."""
    failing: list = []
    inner = app.server.wsgi_app

    def wsgi(environ, start_response):
        if failing and environ.get("PATH_INFO") == "/_dash-update-component":
            start_response("502 Bad Gateway", [("Content-Type", "text/plain")])
            return [b"Bad Gateway"]
        return inner(environ, start_response)

    monkeypatch.setattr(app.server, "wsgi_app", wsgi)
    return failing


def test_an_answer_of_a_failing_proxy_says_so_in_the_pages_language(dash_duo, engine, monkeypatch):
    """A proxy in front of the dashboard answering 502 (its upstream gone) or 504 (a
    query slower than its timeout) likewise, in English on an English page."""
    app = create_app(engine)
    failing = failing_proxy(app, monkeypatch)
    dash_duo.start_server(app, port=free_port())
    dash_duo.driver.set_window_size(1366, 768)
    open_path(dash_duo, "/?lang=en")
    dash_duo.wait_for_text_to_equal(kpi("meetings"), "5", timeout=TIMEOUT)
    settle(dash_duo)
    assert not dash_duo.find_element("#no-answer").is_displayed()
    failing.append(True)
    dash_duo.select_dcc_dropdown("#f-first", value="东湖镇")
    dash_duo.wait_for_text_to_equal("#no-answer", NO_ANSWER_EN, timeout=TIMEOUT)
    assert dash_duo.find_element(kpi("meetings")).text == "5"
