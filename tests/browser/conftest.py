"""Headless Chromium for the browser tests (dash[testing]'s dash_duo).

dash_duo asks the `pytest_setup_options` hook for the webdriver options: here headless
Chromium (/usr/bin/chromium, or DASH_TEST_CHROMEPATH) with a fresh profile per browser,
no background networking, a 1366×768 window (the laptop the dashboard is designed for).
The tests skip, saying why, when Chromium or chromedriver is missing (`make test`
installs both through scripts/install-test-deps).

Browser tests are marked `browser` and share the xdist group "browser": with
`-n 2 --dist loadgroup` they run one after another in a single worker. They run on
SQLite only: they drive the pages, whose builders tests/test_dashboard_*.py check on
both backends, and a second pass on PostgreSQL would double their minute or so.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest
from selenium.webdriver.chrome.options import Options

CHROMIUM = os.environ.get("DASH_TEST_CHROMEPATH") or shutil.which("chromium") or "/usr/bin/chromium"
_PROFILES: list[str] = []


@pytest.fixture
def backend() -> str:
    return "sqlite"


def browser_available() -> tuple[bool, str]:
    if not os.path.exists(CHROMIUM):
        return False, f"Chromium not found at {CHROMIUM} (run scripts/install-test-deps)"
    if shutil.which("chromedriver") is None:
        return False, "chromedriver not on PATH (run scripts/install-test-deps)"
    return True, ""


def pytest_setup_options():
    options = Options()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="xieshang-chromium-")
    _PROFILES.append(profile)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
        "--no-first-run",
        "--lang=zh-CN",
        "--window-size=1366,768",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    return options


def pytest_sessionfinish(session, exitstatus):
    for profile in _PROFILES:
        shutil.rmtree(profile, ignore_errors=True)


def pytest_collection_modifyitems(config, items):
    ok, reason = browser_available()
    for item in items:
        if "browser" in item.keywords and not ok:
            item.add_marker(pytest.mark.skip(reason=reason))
