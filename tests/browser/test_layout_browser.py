"""The dashboard's layout in headless Chromium at the sizes it is used at (issue 12): a
laptop (1,366×768), a large screen (1,920×1,080), a phone (390×844), over every page.

- nothing scrolls sideways and nothing sticks out of the screen uncut (a grid scrolls
  inside its own box);
- every visible text has WCAG contrast ≥ 4.5:1 (3:1 when large: ≥ 24 px, or ≥ 18.66 px
  bold), computed here from its computed colour over the nearest opaque background,
  translucent layers and opacity blended in; a chart's text over its paper;
- at 1,920 px no text is below 14 px;
- at 1,366×768 the first screen shows the KPI cards and the lagging units;
- at 390 px the page tabs are in a menu; the date inputs, map and ranking fit the width;
- Chinese mode shows no English words, English mode no Chinese but names.

The warehouse: tests/helpers/layout_county.py (13 townships, January to November 2026).
"""

from __future__ import annotations

import json
import re

import pytest
from selenium.webdriver.common.by import By

from tests.browser.test_browser import TIMEOUT, free_port, open_path, settle
from tests.helpers.layout_county import TOWNSHIPS, load_layout_county
from xieshang.dashboard.app import create_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),
    pytest.mark.warehouse(fill=load_layout_county),
]

PAGES = (
    *("/", "/participation", "/resolutions", "/stakeholders", "/assessment", "/data-quality"),
    *("/submit", "/audit"),  # the tab 数据报送, and the admins' audit log (sign-in off: all)
)
RANKED = ("/", "/participation", "/resolutions", "/stakeholders")  # a ranking, a lagging strip
LAPTOP, WIDE, PHONE = (1366, 768), (1920, 1080), (390, 844)


@pytest.fixture
def duo(dash_duo, engine):
    dash_duo.start_server(create_app(engine), port=free_port())
    return dash_duo


def viewport(duo, width: int, height: int) -> None:
    """The page's viewport exactly width × height (the window adds its frame, if any),
    corrected a few times: on a busy machine a resize from a smaller window came short
    once (1920 × 937 for 1920 × 1080)."""
    duo.driver.set_window_size(width, height)
    for _ in range(5):
        inner = duo.driver.execute_script("return [window.innerWidth, window.innerHeight]")
        if inner == [width, height]:
            return
        window = duo.driver.get_window_size()
        duo.driver.set_window_size(
            window["width"] + width - inner[0], window["height"] + height - inner[1]
        )
    assert duo.driver.execute_script("return [window.innerWidth, window.innerHeight]") == [
        width,
        height,
    ]


def load(duo, path: str) -> None:
    """Open a page and wait until its parts are drawn."""
    open_path(duo, path)
    duo.wait_for_element("#_pages_content .xs-title", timeout=TIMEOUT)
    if path.split("?")[0] in RANKED:
        duo.wait_for_element(".kpi-card", timeout=TIMEOUT)
    settle(duo, 1.0)


# --- what the browser measures ------------------------------------------------------------

CONTRAST = """
const parse = (s) => {
  const m = s && s.match(/rgba?\\(([^)]+)\\)/);
  if (!m) return null;
  const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
};
const over = (top, below) =>
  [0, 1, 2].map((i) => top[i] * top[3] + below[i] * (1 - top[3])).concat([1]);
const lum = (c) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
};
const opacity = (el) => {
  let o = 1;
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) o *= Number(getComputedStyle(n).opacity);
  return o;
};
// the backgrounds from the element down to the first opaque one, blended
const background = (el) => {
  const layers = [];
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
    const bg = parse(getComputedStyle(n).backgroundColor);
    if (bg && bg[3] > 0) { layers.push(bg); if (bg[3] >= 1) break; }
  }
  let color = [255, 255, 255, 1];
  for (let i = layers.length - 1; i >= 0; i--) color = over(layers[i], color);
  return color;
};
const visible = (el) => {
  const st = getComputedStyle(el);
  if (st.visibility !== 'visible' || st.display === 'none') return false;
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && opacity(el) > 0.05;
};
const low = [];
let checked = 0;
for (const el of document.querySelectorAll('body *')) {
  const own = Array.from(el.childNodes)
    .filter((n) => n.nodeType === 3 && n.textContent.trim()).map((n) => n.textContent.trim()).join(' ');
  if (!own || el.closest('script, style, noscript') || !visible(el)) continue;
  const svg = el instanceof SVGElement;
  // a chart's text on a mark (inside a bar, on a map polygon, in a heatmap cell) takes
  // plotly's contrasting colour for that mark; hover labels and the mode bar appear on
  // hover only
  if (svg && el.closest('.bartext, .textpoint, .heatmaplayer, .hoverlayer, .modebar')) continue;
  const st = getComputedStyle(el);
  let fg = parse(svg ? st.fill : st.color);
  if (!fg) continue;
  let bg = background(el);
  if (svg) {  // a chart's paper is drawn by its first svg layer, not by an ancestor
    const paper = el.closest('.svg-container');
    const layer = paper && parse(getComputedStyle(paper.querySelector('.main-svg')).backgroundColor);
    if (layer && layer[3] > 0) bg = over(layer, bg);
  }
  const shown = over([fg[0], fg[1], fg[2], fg[3] * opacity(el)], bg);
  const [hi, lo] = [lum(shown), lum(bg)].sort((a, b) => b - a);
  const ratio = (hi + 0.05) / (lo + 0.05);
  const size = parseFloat(st.fontSize);
  const large = size >= 24 || (Number(st.fontWeight) >= 700 && size >= 18.66);
  checked += 1;
  if (ratio < (large ? 3 : 4.5)) low.push([own.slice(0, 40), Math.round(ratio * 100) / 100]);
}
return [checked, low];
"""

# elements sticking out of the viewport that nothing between them and the app clips
# (a grid's rows scroll inside the grid: clipped there)
UNCUT = """
const W = document.documentElement.clientWidth;
const app = document.querySelector('.xs-app');
const clipped = (el) => {
  for (let n = el.parentElement; n && n !== app; n = n.parentElement) {
    if (getComputedStyle(n).overflowX !== 'visible') return true;
  }
  return false;
};
const out = [];
for (const el of app.querySelectorAll('*')) {
  const r = el.getBoundingClientRect();
  const st = getComputedStyle(el);
  if (r.width === 0 || r.height === 0 || st.visibility !== 'visible' || st.clip !== 'auto') continue;
  if ((r.right > W + 1 || r.left < -1) && !clipped(el)) {
    out.push([el.tagName, String(el.id || el.getAttribute('class') || '').slice(0, 40)]);
  }
}
return [document.documentElement.scrollWidth - document.documentElement.clientWidth, out];
"""

SMALL = """
const out = [];
for (const el of document.querySelectorAll('body *')) {
  if (el instanceof SVGElement) continue;
  if (!Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
  const st = getComputedStyle(el), r = el.getBoundingClientRect();
  if (st.visibility !== 'visible' || r.width === 0 || r.height === 0) continue;
  if (parseFloat(st.fontSize) < 14) out.push([el.textContent.trim().slice(0, 30), st.fontSize]);
}
return out;
"""

# visible text and the hover texts and labels of visible elements, outside the sign-in
# banner (it quotes a command) and the grids' cells (data as loaded: file names, ids)
TEXTS = """
const visible = (el) => {
  const st = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return st.visibility === 'visible' && st.display !== 'none' && r.width > 0 && r.height > 0;
};
const out = [];
for (const el of document.querySelectorAll('.xs-app *')) {
  if (el.closest('#signin-off, .ag-cell, script, style') || !visible(el)) continue;
  for (const n of el.childNodes) if (n.nodeType === 3 && n.textContent.trim()) out.push(n.textContent.trim());
  for (const a of ['placeholder', 'aria-label', 'title']) {
    if (el.getAttribute(a) && el.id !== 'lang-link') out.push(el.getAttribute(a));
  }
}
return out;
"""


def check_page(duo, path: str, size: tuple[int, int]) -> None:
    overflow, sticking_out = duo.driver.execute_script(UNCUT)
    assert (overflow, sticking_out) == (0, []), (path, size)
    checked, low = duo.driver.execute_script(CONTRAST)
    assert checked > 20 and low == [], (path, size)
    if size == WIDE:
        assert duo.driver.execute_script(SMALL) == [], path


# --- every page at every size -------------------------------------------------------------------


@pytest.mark.parametrize("size", [LAPTOP, WIDE, PHONE], ids=["1366x768", "1920x1080", "390x844"])
def test_every_page_fits_and_reads(duo, size):
    viewport(duo, *size)
    for path in PAGES:
        load(duo, path)
        check_page(duo, path, size)
    assert duo.get_logs() == []


def test_the_first_screen_of_a_laptop_shows_the_cards_and_the_lagging_units(duo):
    viewport(duo, *LAPTOP)
    lagging = {
        "/": "落后单位（决议落实率）：龙泉乡 30.0% · 陆埠镇 40.0% · 马渚镇 50.0% · 无数据：大岚乡",
        "/participation": "落后单位（党员参与率）：大岚乡 10.0% · 龙泉乡 20.0% · 陆埠镇 30.0%",
        "/resolutions": "落后单位（决议落实率）：龙泉乡 30.0% · 陆埠镇 40.0% · 马渚镇 50.0% · 无数据：大岚乡",
        "/stakeholders": None,  # every township covers its every meeting: 100.0% each
    }
    for path, line in lagging.items():
        load(duo, path)
        cards = duo.driver.execute_script(
            "return Array.from(document.querySelectorAll('.kpi-card'))"
            ".map(c => { const r = c.getBoundingClientRect(); return [r.top, r.bottom]; })"
        )
        assert len({round(top) for top, _ in cards}) == 1, path  # one row
        if line is None:
            assert duo.driver.find_elements(By.ID, "lagging") == [], path
            continue
        duo.wait_for_element("#lagging", timeout=TIMEOUT)
        assert (
            duo.driver.execute_script("return document.getElementById('lagging').textContent")
            == line
        ), path
        strip = duo.find_element("#lagging").rect
        assert max(bottom for _, bottom in cards) < strip["y"], path
        assert strip["y"] + strip["height"] <= 768, path
    # "数据始于…，无上期可比" once, under the cards
    load(duo, "/")
    notes = [e.text for e in duo.driver.find_elements(By.CSS_SELECTOR, ".kpi-note")]
    assert notes == ["数据始于 2026-01-01，无上期可比"]
    assert duo.find_element("#ov-kpis").text.count("无上期可比") == 1


def test_on_a_phone_the_tabs_are_in_a_menu(duo):
    viewport(duo, *PHONE)
    load(duo, "/")
    nav = duo.find_element("#nav")
    assert not nav.is_displayed()
    duo.wait_for_text_to_equal("#nav-current", "总览", timeout=TIMEOUT)
    duo.find_element("#nav-toggle").click()
    duo.wait_for_element("#nav a[href^='/resolutions']", timeout=TIMEOUT)
    tab = duo.find_element("#nav a[href^='/resolutions']")
    duo.driver.execute_script("return new Promise(r => setTimeout(r, 600))")  # the fold opens
    assert tab.is_displayed() and tab.rect["width"] > 300  # a whole row, not "决"
    tab.click()
    duo.wait_for_text_to_equal("#nav-current", "决议落实", timeout=TIMEOUT)
    duo.wait_for_element(".kpi-card", timeout=TIMEOUT)
    settle(duo, 1.0)
    assert not duo.find_element("#nav").is_displayed()  # closed again
    # the date inputs, the map and the ranking take the width
    load(duo, "/")
    duo.wait_for_element("#ov-ranking-graph .main-svg", timeout=TIMEOUT)
    settle(duo, 1.0)
    for selector in ("#f-dates-wrapper", "#ov-map-graph", "#ov-ranking-graph"):
        box = duo.find_element(selector).rect
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, selector
        assert box["width"] >= 300, selector
    # each chart card a full row: the page's width (less the scroll bar) less its margins
    width = duo.driver.execute_script("return document.documentElement.clientWidth")
    cards = duo.driver.execute_script(
        "return ['#ov-map-graph', '#ov-ranking-graph'].map("
        "s => document.querySelector(s).closest('.chart-card').getBoundingClientRect().width)"
    )
    assert all(card >= width - 2 * 16 for card in cards), (width, cards)
    assert duo.get_logs() == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_countys_filter_bar_keeps_to_one_row_from_a_laptop_up(duo, lang):
    """Township and village pickers, the period, form, topic and reset in one row at 1,366
    and 1,920 px (a city's third picker: test_city_browser); on a phone they wrap."""
    from tests.browser.test_city_browser import FILTER_ROWS, one_row

    for size in (LAPTOP, WIDE, PHONE):
        viewport(duo, *size)
        load(duo, f"/?lang={lang}")
        assert len(duo.driver.execute_script(FILTER_ROWS)[0]) == 6
        fits, height = one_row(duo)
        assert fits is (size != PHONE), (size, height)


TAB_NAMES = {
    "/": ["总览", "党员参与", "决议落实", "多元参与", "考核评估", "数据质量", "数据报送"],
    "/?lang=en": [
        *("Overview", "Party participation", "Resolutions", "Stakeholders", "Assessment"),
        *("Data quality", "Submit files"),
    ],
}


@pytest.mark.parametrize("path", TAB_NAMES)
def test_on_a_laptop_the_tabs_are_in_the_bar(duo, path):
    viewport(duo, *LAPTOP)
    load(duo, path)
    assert not duo.find_element("#nav-toggle").is_displayed()
    tabs = duo.driver.find_elements(By.CSS_SELECTOR, "#nav .xs-tab")
    assert [t.text for t in tabs] == TAB_NAMES[path]
    assert len({round(t.rect["y"]) for t in tabs}) == 1
    # none cut off by the language, freshness and audit links beside them (English was)
    nav = duo.find_element("#nav").rect
    assert max(t.rect["x"] + t.rect["width"] for t in tabs) <= nav["x"] + nav["width"] + 0.5


# --- words ---------------------------------------------------------------------------------------

# the language switch, file formats and a product, a unit of size
ALLOWED_IN_CHINESE = {"EN", "CSV", "PNG", "PDF", "Word", "Excel", "xlsx", "MB"}  # formats
NAMES = sorted(
    {"清河县", "中文"}
    | {name for _code, name, *_ in TOWNSHIPS}
    | {f"{name[:2]}村" for _code, name, *_ in TOWNSHIPS},
    key=len,
    reverse=True,
)
CJK = re.compile(r"[\u3400-\u9fff]")


def test_chinese_mode_has_no_english_words(duo):
    viewport(duo, *LAPTOP)
    for path in PAGES:
        load(duo, path)
        texts = duo.driver.execute_script(TEXTS)
        words = {w for text in texts for w in re.findall(r"[A-Za-z][A-Za-z-]*", text)}
        assert words - ALLOWED_IN_CHINESE == set(), path
    # the calendar of the date inputs, and its contrast
    load(duo, "/")
    duo.find_element("#f-dates").click()
    duo.wait_for_text_to_equal(
        ".dash-datepicker-calendar-month-header", "2026年1月", timeout=TIMEOUT
    )
    weekdays = duo.driver.execute_script(
        "return Array.from(document.querySelector('.dash-datepicker-calendar thead')"
        ".querySelectorAll('tr:last-child th')).map(th => th.textContent)"
    )
    assert weekdays == ["一", "二", "三", "四", "五", "六", "日"]
    # its buttons' names too (Dash writes "Previous month" …)
    settle(duo)
    texts = duo.driver.execute_script(TEXTS)
    assert "上个月" in texts and "下个月" in texts
    words = {w for text in texts for w in re.findall(r"[A-Za-z][A-Za-z-]*", text)}
    assert words - ALLOWED_IN_CHINESE == set()
    assert duo.find_element("#f-dates").get_attribute("aria-label") == "开始日期"
    assert duo.find_element("#f-dates-end-date").get_attribute("aria-label") == "结束日期"
    assert duo.driver.execute_script(CONTRAST)[1] == []
    assert duo.get_logs() == []


def test_english_mode_has_no_chinese_but_names(duo):
    viewport(duo, *LAPTOP)
    for path in PAGES:
        load(duo, path + "?lang=en")
        left = set()
        for text in duo.driver.execute_script(TEXTS):
            for name in NAMES:
                text = text.replace(name, "")
            if CJK.search(text):
                left.add(text)
        assert left == set(), path
    load(duo, "/?lang=en")
    duo.find_element("#f-dates").click()
    duo.wait_for_text_to_equal(
        ".dash-datepicker-calendar-month-header", "January 2026", timeout=TIMEOUT
    )
    assert duo.find_element("#f-dates").get_attribute("aria-label") == "Start date"
    assert duo.get_logs() == []


def test_a_period_before_the_data_reads_no_data(duo):
    viewport(duo, *LAPTOP)
    load(duo, "/?from=2010-01-01&to=2010-12-31")
    duo.wait_for_contains_text(".kpi-note", "早于数据起始 2026-01-01，无数据", timeout=TIMEOUT)
    values = duo.driver.execute_script(
        "return Array.from(document.querySelectorAll('.kpi-value')).map(v => v.textContent)"
    )
    assert values == ["无数据"] * 8
    assert duo.driver.find_elements(By.ID, "lagging") == []
    assert json.dumps(duo.get_logs()) == "[]"
