"""The Content-Security-Policy in headless Chromium: the dashboard works under it (every
page without a console error: test_browser.py), Chromium enforces it (a script written
into the page does not run), and plotly's "download as PNG", which draws through a data:
image, still works."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains

from tests.browser.test_browser import TIMEOUT, free_port, settle
from tests.helpers.inbox_county import load_county
from xieshang.dashboard.app import create_app

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("browser"),
    pytest.mark.warehouse(fill=load_county),
]


@pytest.fixture
def duo(dash_duo, engine):
    dash_duo.start_server(create_app(engine), port=free_port())
    dash_duo.driver.set_window_size(1366, 768)
    return dash_duo


def test_chromium_enforces_the_policy_and_the_png_download_works(duo):
    duo.wait_for_element("#ov-ranking-graph .main-svg", timeout=TIMEOUT)
    settle(duo)
    assert duo.get_logs() == []
    policy = duo.driver.execute_async_script(
        "const done = arguments[0];"
        "fetch('/').then(r => done(r.headers.get('content-security-policy')));"
    )
    assert policy.startswith("default-src 'self'; script-src 'self' 'sha256-")
    # what an injected name would try: a script element written into the page
    duo.driver.execute_script(
        "const s = document.createElement('script');"
        "s.textContent = 'window.injected = true';"
        "document.body.appendChild(s);"
    )
    assert duo.driver.execute_script("return window.injected === true") is False
    refused = [log for log in duo.get_logs() if "Content Security Policy" in log["message"]]
    assert len(refused) == 1 and "script-src" in refused[0]["message"]
    # the mode bar's one button: a PNG of the chart
    graph = duo.find_element("#ov-ranking-graph")
    ActionChains(duo.driver).move_to_element(graph).perform()
    duo.find_element("#ov-ranking-graph .modebar-btn[data-title]").click()
    deadline = time.time() + TIMEOUT
    while not list(Path(duo.download_path).glob("*.png")) and time.time() < deadline:
        time.sleep(0.2)
    (png,) = Path(duo.download_path).glob("*.png")
    assert png.read_bytes().startswith(b"\x89PNG")
    settle(duo)
    assert duo.get_logs() == []
