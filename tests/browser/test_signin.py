"""Sign-in in headless Chromium: a page address leads to the form, a wrong password is
refused on the form, signing in brings the user back to the page they asked for, pages
load without console errors under the sign-in, a session that ends (user disabled) sends
the page back to the form, and signing out ends it."""

from __future__ import annotations

import json

import pytest
from selenium.webdriver.common.by import By

from tests.browser.test_browser import TIMEOUT, free_port, no_horizontal_scroll, settle
from tests.helpers.inbox_county import load_county
from xieshang.access import users
from xieshang.dashboard import auth
from xieshang.dashboard.app import create_app

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("browser")]

PASSWORD = "correct horse battery"


@pytest.fixture
def duo(dash_duo, engine, tmp_path, monkeypatch):
    load_county(engine, tmp_path)
    users.add_user(engine, "li", "admin", PASSWORD, by="test")
    monkeypatch.setenv(auth.SESSION_KEY_ENV, "a-browser-test-session-key-of-40-chars!!")
    app = create_app(engine, auth=True)
    auth.LIMITER.reset()
    dash_duo.start_server(app, navigate=False, port=free_port())
    dash_duo.driver.set_window_size(1366, 768)
    yield dash_duo
    auth.LIMITER.reset()
    auth.configure(app.server, False)


def fill_in(duo, name: str, password: str) -> None:
    duo.find_element("#username").send_keys(name)
    duo.find_element("#password").send_keys(password)
    duo.find_element("#signin-submit").click()


def nav_tab(key: str) -> str:
    return f"[id='{json.dumps({'page': key, 'type': 'nav'}, separators=(',', ':'))}']"


def is_401(log: dict) -> bool:
    return log["source"] == "network" and " 401 " in log["message"] + " "


def test_sign_in_use_the_pages_and_sign_out(duo, engine):
    base = duo.server.url
    duo.driver.get(base + "/participation")
    duo.wait_for_element("#signin-submit", timeout=TIMEOUT)
    assert duo.driver.current_url == base + "/login?next=%2Fparticipation"
    assert duo.find_element("h1").text == "登录"

    fill_in(duo, "li", "not the password")
    duo.wait_for_contains_text(".xs-signin-message", "用户名或密码错误", timeout=TIMEOUT)
    duo.find_element("#password").clear()
    duo.find_element("#username").clear()
    fill_in(duo, "li", PASSWORD)

    duo.wait_for_element("#react-entry-point", timeout=TIMEOUT)
    duo.wait_for_contains_class(nav_tab("page_participation"), "active", timeout=TIMEOUT)
    assert duo.driver.current_url == base + "/participation"
    duo.wait_for_text_to_equal("#signed-in-user", "li", timeout=TIMEOUT)
    assert not duo.find_elements("#signin-off")
    settle(duo)
    # the failed attempt's page answered 401: Chromium logs that load, nothing else
    assert [log for log in duo.get_logs() if not is_401(log)] == []
    for path, key in (("/", "page_overview"), ("/assessment", "page_assessment")):
        duo.driver.get(base + path)
        duo.wait_for_contains_class(nav_tab(key), "active", timeout=TIMEOUT)
        settle(duo)
        assert duo.get_logs() == [], path
        assert no_horizontal_scroll(duo), path
    duo.find_element(".xs-user a[href='/audit']").click()
    duo.wait_for_element("#au-grid .ag-row", timeout=TIMEOUT)
    settle(duo)
    assert duo.get_logs() == []
    assert "登录" in duo.driver.find_element(By.CSS_SELECTOR, "#au-grid").text

    duo.find_element("#sign-out").click()
    duo.wait_for_element("#signin-submit", timeout=TIMEOUT)
    assert duo.driver.current_url == base + "/login"
    duo.driver.get(base + "/resolutions")
    duo.wait_for_element("#signin-submit", timeout=TIMEOUT)
    assert duo.driver.current_url == base + "/login?next=%2Fresolutions"


def test_a_page_whose_session_ended_returns_to_the_form(duo, engine):
    base = duo.server.url
    duo.driver.get(base + "/login")
    fill_in(duo, "li", PASSWORD)
    duo.wait_for_contains_class(nav_tab("page_overview"), "active", timeout=TIMEOUT)
    settle(duo)
    users.set_active(engine, "li", False, by="test")
    # the next callback is answered 401, and the page goes to the form (assets/session.js)
    duo.find_element("label[for='_dbcprivate_radioitems_f-period_input_quarter']").click()
    duo.wait_for_element("#signin-submit", timeout=TIMEOUT)
    assert duo.driver.current_url.startswith(base + "/login?next=%2F")
    assert [log for log in duo.get_logs() if not is_401(log)] == []
