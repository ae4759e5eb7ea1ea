"""大屏 /screen in headless Chromium at 1920×1080 (SQLite): it loads under the dashboard's
Content-Security-Policy without a console error or a request leaving the server, fills
the screen without scroll bars, moves through the pages' charts by itself every `rotate`
seconds, and shows a second load's figures without being reloaded."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest

from tests.browser.test_browser import TIMEOUT, external_requests, free_port, settle
from tests.helpers.inbox_county import COUNTY, LIUSHU, SECRET, load_county
from tests.helpers.inbox_files import write_csv
from xieshang import metrics
from xieshang.dashboard.app import create_app
from xieshang.dashboard.views import screen
from xieshang.etl.load import run_load

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

START, END = date(2025, 1, 1), date(2025, 6, 30)
MORE = [
    ["会议编号", "区划代码", "会议日期", "协商形式", "议题", "议题类别", "议题来源", "是否党组织主持", "是否线上"],
    ["HY-7", LIUSHU, "2025-06-20", "议事会", "文化礼堂", "公共设施", "群众提议", "是", "否"],
]  # fmt: skip
CURRENT = "return document.querySelector('.xs-screen-slide.is-current').id"
# every text shown on the screen whose contrast with what is behind it is below 4.5:1: the
# page's text against its nearest background, and the charts' text that sits on the panel
# (ticks, legends, notes; not the labels on a map's or a bar's fill, which Plotly and the
# map colour by that fill)
LOW_CONTRAST = """
function rgb(s) { var m = s.match(/[\\d.]+/g); return m ? m.map(Number) : null; }
function lum(c) {
  var a = c.slice(0, 3).map(function (v) {
    v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
  return 0.2126 * a[0] + 0.7152 * a[1] + 0.0722 * a[2];
}
function behind(el) {
  for (; el; el = el.parentElement) {
    var c = rgb(getComputedStyle(el).backgroundColor);
    if (c && (c.length < 4 || c[3] > 0)) return c;
  }
  return [255, 255, 255];
}
function ratio(a, b) {
  var x = lum(a), y = lum(b);
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
}
var low = [];
document.querySelectorAll('.xs-screen *').forEach(function (el) {
  if (el.closest('svg')) return;
  var own = Array.from(el.childNodes).some(function (n) {
    return n.nodeType === 3 && n.textContent.trim(); });
  var style = getComputedStyle(el);
  if (!own || style.visibility === 'hidden' || style.display === 'none') return;
  var r = ratio(rgb(style.color), behind(el));
  if (r < 4.5) low.push([el.textContent.trim().slice(0, 30), style.color, r.toFixed(2)]);
});
var panel = rgb(getComputedStyle(document.querySelector('.xs-screen-panel')).backgroundColor);
var charts = '#sc-map, .xs-screen-slide.is-current';
var parts = ['.xtick text', '.ytick text', '.legendtext', '.annotation-text', '.cbaxis text'];
document.querySelectorAll(parts.map(function (p) {
  return charts.split(', ').map(function (c) { return c + ' ' + p; }).join(', '); }).join(', '))
  .forEach(function (el) {
    [el].concat(Array.from(el.querySelectorAll('tspan'))).forEach(function (t) {
      if (!t.textContent.trim()) return;
      var fill = rgb(getComputedStyle(t).fill);
      var r = ratio(fill, panel);
      if (r < 4.5) low.push([t.textContent.trim().slice(0, 30), getComputedStyle(t).fill, r.toFixed(2)]);
    });
  });
return low;
"""


def value(key: str) -> str:
    ident = json.dumps({"key": key, "type": "sc-value"}, separators=(",", ":"))
    return f"[id='{ident}']"


@pytest.fixture
def duo(dash_duo, engine, tmp_path):
    load_county(engine, tmp_path)
    dash_duo.start_server(create_app(engine), port=free_port())
    # the page's own size, 1920×1080 (a window of that size has a smaller viewport)
    dash_duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False},
    )
    return dash_duo


def next_slide(duo, after: str, within: float) -> tuple[str, float]:
    """The slide shown next after `after`, and how long that took."""
    start = time.monotonic()
    while time.monotonic() - start < within:
        shown = duo.driver.execute_script(CURRENT)
        if shown != after:
            return shown, time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"still {after} after {within} s")


def test_the_screen_runs_by_itself_and_follows_a_new_load(duo, engine, tmp_path):
    duo.wait_for_page(url=f"{duo.server_url}/screen?rotate=2", timeout=TIMEOUT)
    assert duo.driver.execute_script("return [window.innerWidth, window.innerHeight]") == [
        1920,
        1080,
    ]
    kpi = metrics.kpi_json(engine, COUNTY, START, END)
    assert kpi["meetings"] == 5
    duo.wait_for_text_to_equal(value("meetings"), "5", timeout=TIMEOUT)
    duo.wait_for_text_to_equal(value("implementation_rate"), "66.7%", timeout=TIMEOUT)
    duo.wait_for_text_to_equal("#sc-scope", "清河县", timeout=TIMEOUT)
    duo.wait_for_element("#sc-map .main-svg", timeout=TIMEOUT)
    settle(duo)
    # no console error (a script or style the CSP refused would be one), nothing fetched
    assert duo.get_logs() == []
    assert external_requests(duo) == []
    assert duo.driver.execute_script(LOW_CONTRAST) == []
    # the whole screen, no scroll bars; the shell's bars are covered
    assert duo.driver.execute_script(
        "var d = document.documentElement;"
        "return [d.scrollWidth, d.scrollHeight, d.clientWidth, d.clientHeight]"
    ) == [1920, 1080, 1920, 1080]
    assert duo.driver.execute_script(
        "var r = document.querySelector('.xs-screen').getBoundingClientRect();"
        "return [r.left, r.top, r.width, r.height]"
    ) == [0, 0, 1920, 1080]
    assert duo.driver.execute_script(
        "var e = document.elementFromPoint(960, 20); return !!e.closest('.xs-screen')"
    )

    # the rotation: the next page's chart every 2 s, in the order of the tabs, drawn
    keys = [s.key for s in screen.SLIDES]
    shown = duo.driver.execute_script(CURRENT)
    for _ in range(3):
        following, took = next_slide(duo, shown, within=4)
        index = keys.index(shown.removeprefix("sc-slide-"))
        assert following == f"sc-slide-{keys[(index + 1) % len(keys)]}"
        assert took <= 3.0  # 2 s, and the round trip of the callback that moves it on
        shown = following
        tab = duo.find_element(f"#sc-tab-{shown.removeprefix('sc-slide-')}")
        assert "is-current" in tab.get_attribute("class")
        time.sleep(0.7)  # the fade
        assert duo.driver.execute_script(LOW_CONTRAST) == [], shown
    duo.wait_for_element("#sc-graph-participation .main-svg", timeout=TIMEOUT)

    # a second load: the screen shows it by itself, without a reload
    duo.driver.execute_script("window.notReloaded = true")
    write_csv(tmp_path / "more" / "会议台账.csv", MORE)
    report = run_load(engine, tmp_path / "more", secret=SECRET, today=END)
    assert report["status"] == "committed"
    assert metrics.kpi_json(engine, COUNTY, START, END)["meetings"] == 6
    duo.wait_for_text_to_equal(value("meetings"), "6", timeout=screen.POLL_SECONDS + TIMEOUT)
    assert duo.driver.execute_script("return window.notReloaded === true")
    settle(duo)
    assert duo.get_logs() == []


# each headline count's and change's text: whether it is shown whole
CUT = """
return Array.from(document.querySelectorAll('.xs-screen-count, .xs-screen-change'))
  .filter(function (e) { return e.textContent.trim(); })
  .map(function (e) { return [e.textContent.trim(), e.scrollWidth <= e.clientWidth]; });
"""


def test_the_headline_counts_are_shown_whole_in_english_at_1366(duo):
    """English counts ("4 / 6 resolutions due") in an eighth of 1366 px were cut with an
    ellipsis (helper's audit): they wrap at their spaces now."""
    duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1366, "height": 768, "deviceScaleFactor": 1, "mobile": False},
    )
    duo.wait_for_page(url=f"{duo.server_url}/screen?lang=en", timeout=TIMEOUT)
    duo.wait_for_text_to_equal(value("meetings"), "5", timeout=TIMEOUT)
    settle(duo)
    shown = duo.driver.execute_script(CUT)
    assert len(shown) >= 8 and [text for text, whole in shown if not whole] == []
    assert "2 / 3 resolutions due" in [text for text, _ in shown]
    # a city's counts, as long as the audit's: this county's are short
    duo.driver.execute_script(
        "document.querySelectorAll('.xs-screen-count').forEach(function (e) {"
        " if (e.textContent.trim()) e.textContent = '8,213 / 10,047 resolutions due'; });"
    )
    shown = duo.driver.execute_script(CUT)
    assert [text for text, whole in shown if not whole] == []
    # and still one screen, no scroll bars, with the counts on two lines
    assert duo.driver.execute_script(
        "var d = document.documentElement; return [d.scrollWidth <= d.clientWidth,"
        " d.scrollHeight <= d.clientHeight]"
    ) == [True, True]


def test_the_screen_says_when_the_server_does_not_answer_and_recovers(
    dash_duo, engine, tmp_path, monkeypatch
):
    """A wall screen whose server stops answering (a restart, a proxy's 502) says so at
    its foot rather than go on showing what it had as if current; when answers come again
    its timers redraw it, and the notice goes (on a page it stays until the reload)."""
    from tests.browser.test_browser import NO_ANSWER_ZH, failing_proxy

    load_county(engine, tmp_path)
    app = create_app(engine)
    failing = failing_proxy(app, monkeypatch)
    dash_duo.start_server(app, port=free_port())
    dash_duo.wait_for_page(url=f"{dash_duo.server_url}/screen?rotate=2", timeout=TIMEOUT)
    dash_duo.wait_for_text_to_equal(value("meetings"), "5", timeout=TIMEOUT)
    assert not dash_duo.find_element("#no-answer").is_displayed()
    failing.append(True)  # the next slide's callback gets 502
    dash_duo.wait_for_text_to_equal("#no-answer", NO_ANSWER_ZH, timeout=TIMEOUT)
    failing.clear()
    deadline = time.time() + TIMEOUT
    while dash_duo.find_element("#no-answer").is_displayed() and time.time() < deadline:
        time.sleep(0.2)
    assert not dash_duo.find_element("#no-answer").is_displayed()
