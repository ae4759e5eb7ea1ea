"""Printing and chart images in headless Chromium (SQLite): the pages under Chromium's
print media (CDP Emulation.setEmulatedMedia) and printed to PDF on A4 (Page.printToPDF,
the page's own @page size): no filter bar, tabs, buttons or ⓘ, the title line with the
scope and period on top, charts and cards whole, grids with their rows; and a chart's
PNG download titled and named by its chart, scope and period (assets/chart_png.js)."""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.browser.test_browser import TIMEOUT, free_port, open_path, settle
from tests.helpers.inbox_county import LIUSHU, LOAD_DAY, RESOLUTIONS, SECRET, load_county
from tests.helpers.inbox_files import write_csv
from tests.helpers.signin import PASSWORD, signin_app
from xieshang.access import users
from xieshang.dashboard.app import create_app
from xieshang.etl.load import run_load

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),
    pytest.mark.warehouse(fill=load_county),
]

TITLE_LINE = "清河县 · 2025-01-01 至 2025-06-30 · 数据截至 2025-06-30"
A4 = (595, 842)  # points, portrait
BAND = 58  # px chart_png.js adds above a chart for its title


@pytest.fixture
def duo(dash_duo, engine):
    dash_duo.start_server(create_app(engine), port=free_port())
    dash_duo.driver.set_window_size(1366, 768)
    return dash_duo


def print_media(duo, on: bool = True) -> None:
    duo.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print" if on else ""})


def displayed(duo, selector: str) -> list[str]:
    """The computed display of every element `selector` matches."""
    return duo.driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0]))"
        ".map(e => getComputedStyle(e).display)",
        selector,
    )


def pdf(duo) -> bytes:
    """The page printed as Chromium prints it: its CSS page size (A4), backgrounds on."""
    out = duo.driver.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True}
    )
    return base64.b64decode(out["data"])


def page_sizes(document: bytes) -> list[tuple[int, int]]:
    """(width, height) in points of every page, in order (Skia writes one MediaBox per
    page, uncompressed)."""
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", document)
    return [(round(float(w)), round(float(h))) for w, h in boxes]


def pdf_text(document: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext not installed (scripts/install-test-deps installs poppler-utils)")
    path = tmp_path / "page.pdf"
    path.write_bytes(document)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def wait_for_title_line(duo, text: str) -> None:
    """Until the title line (hidden on screen) reads `text`."""
    deadline = time.time() + TIMEOUT
    script = "return document.getElementById('print-title').textContent"
    while duo.driver.execute_script(script) != text:
        assert time.time() < deadline, duo.driver.execute_script(script)
        time.sleep(0.1)


def wait_for_file(path: Path) -> bytes:
    deadline = time.time() + TIMEOUT
    while not path.exists() and time.time() < deadline:
        time.sleep(0.2)
    time.sleep(0.3)
    return path.read_bytes()


# --- print ----------------------------------------------------------------------------------


def test_on_paper_only_the_content_under_its_title_line(duo):
    open_path(duo, "/participation")
    duo.wait_for_element("#pp-trend-graph .main-svg", timeout=TIMEOUT)
    wait_for_title_line(duo, TITLE_LINE)
    settle(duo)
    assert displayed(duo, "#print-title") == ["none"]  # on screen: the filter bar says it
    print_media(duo)
    assert displayed(duo, "#print-title") == ["block"]
    # the top bar (tabs, 中文/EN, freshness) and the filter bar are one sticky block
    assert displayed(duo, ".xs-sticky") == ["none"]
    assert displayed(duo, ".chart-actions") == ["none"] * 4  # 数据 / CSV of 4 charts
    assert set(displayed(duo, ".kpi-info")) == {"none"}
    assert set(displayed(duo, ".modebar-container")) == {"none"}
    assert set(displayed(duo, ".xs-main button")) == {"none"}
    breaks = duo.driver.execute_script(
        "return ['.chart-card', '.kpi-card', '.js-plotly-plot'].map("
        "s => getComputedStyle(document.querySelector(s)).breakInside)"
    )
    assert breaks == ["avoid", "avoid", "avoid"]
    # KPI cards four to a row on paper
    columns = duo.driver.execute_script(
        "return getComputedStyle(document.querySelector('.kpi-row')).gridTemplateColumns"
    )
    assert len(columns.split()) == 4
    print_media(duo, False)
    assert displayed(duo, ".xs-sticky") != ["none"]


def test_participation_prints_on_two_a4_pages(duo, tmp_path):
    open_path(duo, "/participation")
    duo.wait_for_element("#pp-trend-graph .main-svg", timeout=TIMEOUT)
    wait_for_title_line(duo, TITLE_LINE)
    settle(duo)
    document = pdf(duo)
    # title line, 4 KPI cards, 3 rankings and the trend: two pages, none split
    assert page_sizes(document) == [A4, A4]
    text = pdf_text(document, tmp_path)
    first = text.split("\f")[0]
    assert first.lstrip().startswith(TITLE_LINE)
    for absent in ("CSV", "重置", "本季度", "乡镇（街道）", "数据更新至"):
        assert absent not in text
    for title in ("党员参与率排名", "党员参会占比排名", "党组织主持率排名", "党员参与月度走势"):
        assert text.count(title) == 1
    assert duo.get_logs() == []


def test_a_grid_prints_its_rows_on_landscape_a4(duo, tmp_path):
    open_path(duo, "/resolutions")
    duo.wait_for_contains_text("#rs-overdue-grid", "JY-2", timeout=TIMEOUT)
    settle(duo)
    document = pdf(duo)
    # the charts on portrait pages, the overdue list (9 columns) on a landscape one
    sizes = page_sizes(document)
    assert sizes[:-1] == [A4] * (len(sizes) - 1) and sizes[-1] == (A4[1], A4[0])
    last = pdf_text(document, tmp_path).split("\f")[len(sizes) - 1]
    assert "逾期未落实的决议" in last
    assert re.search(r"15\s+柳树村\s+JY-2\s+清淤河塘\s+村委会\s+2025-06-15\s+HY-3", last)


def load_county_with_many_overdue(engine, directory: Path) -> None:
    """The small county and 47 more resolutions of HY-3 overdue (JY-100…JY-146, due
    2025-06-15): with JY-2, an overdue list of 48 rows, three landscape pages."""
    load_county(engine, directory)
    more = [
        [f"JY-{n}", "HY-3", LIUSHU, "清淤河塘", "村委会", "2025-06-15", "推进中", "", "2025-06-20"]
        + ["", "是", ""]
        for n in range(100, 147)
    ]
    inbox = write_csv(directory / "more" / "决议落实.csv", [RESOLUTIONS[0], *more]).parent
    report = run_load(engine, inbox, secret=SECRET, today=LOAD_DAY)
    assert report["kinds"]["resolutions"]["inserted"] == 47, report


@pytest.mark.warehouse(fill=load_county_with_many_overdue)
def test_a_list_over_pages_repeats_its_header_on_each(duo, tmp_path):
    """The overdue list printed over three landscape pages: its column headers on each,
    not on the first only."""
    open_path(duo, "/resolutions")
    duo.wait_for_contains_text("#rs-overdue-grid", "JY-100", timeout=TIMEOUT)
    settle(duo)
    document = pdf(duo)
    landscape = [n for n, size in enumerate(page_sizes(document)) if size == (A4[1], A4[0])]
    pages = pdf_text(document, tmp_path).split("\f")
    listed = [pages[n] for n in landscape]
    header = r"逾期时长\s+逾期天数\s+单位\s+决议编号\s+决议内容\s+责任单位\s+完成时限"
    assert [len(re.findall(header, page)) for page in listed] == [1, 1, 1]
    # every row, though the grid draws only those near its scroll box
    assert sum(len(re.findall(r"JY-\d+", page)) for page in listed) == 48


def test_a_list_not_for_the_user_prints_on_portrait_paper(dash_duo, engine, monkeypatch, tmp_path):
    """A leader's 决议落实 holds a note in place of the overdue list (not for leaders): the
    note follows the charts on portrait A4, not on a landscape page of its own."""
    users.add_user(engine, "zhao", "leader", PASSWORD, by="test")
    with signin_app(engine, monkeypatch) as app:
        dash_duo.start_server(app, navigate=False, port=free_port())
        dash_duo.driver.set_window_size(1366, 768)
        dash_duo.driver.get(dash_duo.server.url + "/login?next=%2Fresolutions")
        dash_duo.find_element("#username").send_keys("zhao")
        dash_duo.find_element("#password").send_keys(PASSWORD)
        dash_duo.find_element("#signin-submit").click()
        dash_duo.wait_for_contains_text("#rs-overdue-note", "仅向考核人员", timeout=TIMEOUT)
        dash_duo.wait_for_element("#rs-days-graph .main-svg", timeout=TIMEOUT)
        wait_for_title_line(dash_duo, TITLE_LINE)
        settle(dash_duo)
        document = pdf(dash_duo)
        sizes = page_sizes(document)
        assert sizes == [A4] * len(sizes)
        assert "仅向考核人员" in pdf_text(document, tmp_path).split("\f")[-2]  # the last page


def test_before_printing_each_grid_has_a_table_of_all_its_rows(duo):
    """However the print is asked for (the menu prints what is laid out when it fires
    "beforeprint"), each grid with columns is printed as a table of every row, not the
    rows the grid has drawn; after printing the tables go."""
    open_path(duo, "/data-quality")
    duo.wait_for_element("#dq-runs-grid .ag-row", timeout=TIMEOUT)
    settle(duo)
    tables = (
        "return Array.from(document.querySelectorAll('.xs-main .xs-grid[id]'))"
        ".filter(g => dash_ag_grid.getApi(g.id).getAllDisplayedColumns().length)"
        ".map(g => [g.id, g.nextElementSibling.tagName,"
        " g.nextElementSibling.querySelectorAll('thead th').length,"
        " dash_ag_grid.getApi(g.id).getAllDisplayedColumns().length,"
        " g.nextElementSibling.querySelectorAll('tbody tr').length,"
        " dash_ag_grid.getApi(g.id).getDisplayedRowCount()])"
    )
    duo.driver.execute_script("window.dispatchEvent(new Event('beforeprint'))")
    printed = duo.driver.execute_script(tables)
    assert len(printed) > 1 and all(
        tag == "TABLE" and heads == columns and rows == shown
        for _, tag, heads, columns, rows, shown in printed
    ), printed
    duo.driver.execute_script("window.dispatchEvent(new Event('afterprint'))")
    assert (
        duo.driver.execute_script("return document.querySelectorAll('.xs-print-table').length") == 0
    )


def test_charts_wider_than_the_paper_are_redrawn_to_fit(duo):
    duo.driver.set_window_size(1920, 1080)
    duo.wait_for_element("#ov-trend-rates-graph .main-svg", timeout=TIMEOUT)
    settle(duo)
    width = (
        "return document.querySelector('#ov-trend-rates-graph .js-plotly-plot')._fullLayout.width"
    )
    assert duo.driver.execute_script(width) > 640
    duo.driver.execute_script("window.dispatchEvent(new Event('beforeprint'))")
    assert duo.driver.execute_script(width) == 640
    duo.driver.execute_script("window.dispatchEvent(new Event('afterprint'))")
    time.sleep(0.5)
    assert duo.driver.execute_script(width) > 640


# --- a chart's PNG --------------------------------------------------------------------------


def png_options(duo, graph: str) -> dict:
    return duo.driver.execute_script(
        "return window.xieshangChartPng.options(document.querySelector(arguments[0]))",
        f"#{graph} .js-plotly-plot",
    )


def test_a_charts_png_is_titled_and_named_by_chart_scope_and_period(duo):
    open_path(duo, "/participation")
    duo.wait_for_element("#pp-ranking-0-graph .main-svg", timeout=TIMEOUT)
    wait_for_title_line(duo, TITLE_LINE)
    settle(duo)
    assert png_options(duo, "pp-ranking-0-graph") == {
        "title": "党员参与率排名",
        "subtitle": TITLE_LINE,
        "filename": "清河县-党员参与率排名-2025-01-01至2025-06-30",
    }
    size = duo.driver.execute_script(
        "const g = document.querySelector('#pp-ranking-0-graph .js-plotly-plot');"
        "return [g.offsetWidth, g.offsetHeight]"
    )
    duo.driver.execute_script("document.querySelector('#pp-ranking-0-graph .modebar-btn').click()")
    image = Image.open(
        io.BytesIO(
            wait_for_file(
                Path(duo.download_path) / "清河县-党员参与率排名-2025-01-01至2025-06-30.png"
            )
        )
    ).convert("L")
    # scale 2, the chart's size and the title band above it
    assert image.size == (size[0] * 2, (size[1] + BAND) * 2)
    # the band holds the title's dark text; the chart on screen has no title
    band = image.crop((0, 0, image.size[0], 2 * 40))
    assert min(band.getdata()) < 80
    assert duo.driver.execute_script(
        "return document.querySelector('#pp-ranking-0-graph .gtitle') === null"
    )
    settle(duo)
    assert duo.get_logs() == []


def test_a_charts_png_in_english(duo):
    open_path(duo, "/participation?lang=en")
    duo.wait_for_element("#pp-ranking-0-graph .main-svg", timeout=TIMEOUT)
    wait_for_title_line(duo, "清河县 · 2025-01-01 to 2025-06-30 · data as of 2025-06-30")
    settle(duo)
    assert png_options(duo, "pp-ranking-0-graph") == {
        "title": "Party member participation: ranking",
        "subtitle": "清河县 · 2025-01-01 to 2025-06-30 · data as of 2025-06-30",
        # no ":" in a file name
        "filename": "清河县-Party member participation ranking-2025-01-01 to 2025-06-30",
    }
