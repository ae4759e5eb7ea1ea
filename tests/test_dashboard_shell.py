"""The shell's words and parts (issue 12): the date inputs labelled in the page's
language, the tabs behind a menu button on a narrow screen, Chinese without English
words, English without Chinese-composed phrases, and definitions that never say
"as_of" in Chinese. The browser side (the menu at 390 px, contrast, no sideways
scrolling) is tests/browser/test_layout_browser.py."""

from __future__ import annotations

import re

import pytest

from tests.helpers.city import write_city
from tests.helpers.components import by_id, walk
from tests.helpers.layout_county import load_layout_county
from xieshang.access import User
from xieshang.dashboard import shell
from xieshang.dashboard.i18n import COUNT_TEXT, TEXT, figure_definition, t
from xieshang.metrics import FIGURE_INFO

# --- the date inputs and the menu ------------------------------------------------------------


def english_layout(engine):
    """The shell as a page load with lang=en builds it (its address is the Referer)."""
    from xieshang.dashboard.app import create_app

    app = create_app(engine)
    with app.server.test_request_context("/_dash-layout", headers={"Referer": "http://x/?lang=en"}):
        return shell.layout()


@pytest.mark.warehouse(fill=load_layout_county)
def test_the_date_inputs_are_labelled_in_the_page_language(engine):
    dates = by_id(shell.layout(), "f-dates")
    assert (dates.start_date_placeholder_text, dates.end_date_placeholder_text) == (
        "开始日期",
        "结束日期",
    )
    assert dates.month_format == "YYYY年MMM"  # 2026年1月 over each month
    english = by_id(english_layout(engine), "f-dates")
    assert (english.start_date_placeholder_text, english.end_date_placeholder_text) == (
        "Start date",
        "End date",
    )
    assert english.month_format == "MMMM YYYY"


@pytest.mark.warehouse(fill=load_layout_county)
def test_the_tabs_and_the_rest_of_the_top_bar_sit_behind_a_menu_button(engine):
    english = by_id(english_layout(engine), "nav-toggle").to_plotly_json()["props"]
    assert english["aria-label"] == "Pages"
    tree = shell.layout()  # the pages are registered now (create_app)
    button = by_id(tree, "nav-toggle")
    props = button.to_plotly_json()["props"]
    assert (props["aria-controls"], props["aria-label"], props["title"]) == (
        "nav-menu",
        "页面",
        "页面",
    )
    menu = by_id(tree, "nav-menu")
    assert (type(menu).__name__, menu.is_open, menu.className) == (
        "Collapse",
        False,
        "xs-nav-menu",
    )
    inside = [getattr(n, "id", None) for n in walk(menu)]
    assert {"nav", "lang-link", "freshness"} <= {i for i in inside if isinstance(i, str)}
    tabs = [n for n in walk(menu) if getattr(n, "className", "") == "xs-tab"]
    assert [tab.href for tab in tabs] == [
        "/",
        "/participation",
        "/resolutions",
        "/stakeholders",
        "/assessment",
        "/data-quality",
        "/submit",
    ]


def test_the_submit_tab_is_for_those_who_submit(engine):
    """ui.md: the six pages as tabs; staff and admins have a seventh, to send their files."""
    shell.layout()  # the pages are registered now (create_app)
    six = ["/", "/participation", "/resolutions", "/stakeholders", "/assessment", "/data-quality"]
    for role, township, paths in (
        ("leader", None, six),
        ("evaluator", None, six),
        ("staff", "330281100000", [*six, "/submit"]),
        ("admin", None, [*six, "/submit"]),
    ):
        assert [path for path, _ in shell.nav_pages(User("u", role, township))] == paths, role
    assert [path for path, _ in shell.nav_pages()] == [*six, "/submit"]  # every page's


# --- words ---------------------------------------------------------------------------------------

# Latin words a Chinese text may hold: file formats and products, the language switch
# (EN) and its hover for English readers, the sample size n, and what the user types —
# commands and the address's parameters and values.
ALLOWED_IN_CHINESE = {
    *("CSV", "Excel", "PNG", "PDF", "Word", "xlsx", "docx", "MB", "README", "md"),
    *("YYYY-MM-DD", "YYYY-MM"),
    *("EN", "Switch", "to", "English", "n"),
    *("xieshang", "load", "demo", "serve", "no-auth", "user", "add", "assets", "geo"),
    *("scope", "form", "category", "online", "figure", "superseded", "lang", "rotate"),
    *("month", "headers"),
    *("yes", "no", "zh", "en", "machine"),
}


def latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z-]*", re.sub(r"\{[^}]*\}", "", text)))


def test_chinese_texts_hold_no_english_words():
    found = {
        key: sorted(latin_words(zh) - ALLOWED_IN_CHINESE)
        for key, (zh, _en) in {**TEXT, **COUNT_TEXT}.items()
    }
    assert {key: words for key, words in found.items() if words} == {}
    names = {
        key: latin_words(info["zh"] + info["definition_zh"]) for key, info in FIGURE_INFO.items()
    }
    assert {key: words for key, words in names.items() if words} == {}


def test_definitions_say_截至日_in_chinese():
    assert [key for key in FIGURE_INFO if "as_of" in figure_definition(key, "zh")] == []
    assert figure_definition("implementation_rate", "zh") == (
        "到期决议中截至日状态为“已落实”的 ÷ 到期决议数；无到期决议时为空。"
    )
    assert figure_definition("overdue_open", "zh") == (
        "范围内会议形成的决议中，截至日状态既非“已落实”也非“已撤销”、"
        "且完成时限早于截至日的决议数（含以往积压；完成时限恰为截至日的不算逾期）。"
    )


def test_the_words_of_the_first_screen():
    assert [t(k, "zh") for k in ("f_start_date", "f_end_date", "nav_menu", "kpi_no_data")] == [
        "开始日期",
        "结束日期",
        "页面",
        "无数据",
    ]
    assert [t(k, "en") for k in ("f_start_date", "f_end_date", "nav_menu", "kpi_no_data")] == [
        "Start date",
        "End date",
        "Pages",
        "No data",
    ]
    assert t("lagging_label", "zh", figure="决议落实率") == "落后单位（决议落实率）："
    assert t("lagging_label", "en", figure="Implementation rate") == (
        "Lagging (Implementation rate): "
    )
    assert t("lagging_more", "zh", names="甲、乙、丙", n=5, more=2) == "甲、乙、丙 等 5 个"
    assert t("lagging_more", "en", names="甲, 乙, 丙", n=5, more=2) == "甲, 乙, 丙 and 2 more"


def test_english_names_the_units_of_an_area_in_english_order():
    # issue 12: English read "清河县: each Township"
    subject = t(
        "as_subject",
        "en",
        scope="清河县",
        units=t("as_units_township", "en"),
        start="2026-01-01",
        end="2026-11-30",
        as_of="2026-11-30",
    )
    assert subject == "Townships of 清河县 · 2026-01-01 to 2026-11-30 · as of 2026-11-30"
    assert not any(": each" in en for _zh, en in TEXT.values())


# --- the area pickers follow the roster's levels (issue 13) ---------------------------------


def area_pickers(engine, lang: str = "zh") -> list[tuple[str, str, bool]]:
    """(label, placeholder, shown) of each area picker, as a page load builds them."""
    from xieshang.dashboard.app import create_app

    app = create_app(engine)
    referer = "http://x/?lang=en" if lang == "en" else "http://x/"
    with app.server.test_request_context("/_dash-layout", headers={"Referer": referer}):
        layout = shell.layout()
    items = [n for n in walk(layout) if "xs-fitem-area" in (getattr(n, "className", "") or "")]
    return [
        (
            item.children[0].children,
            item.children[1].placeholder,
            (getattr(item, "style", None) or {}).get("display") != "none",
        )
        for item in items
    ]


@pytest.mark.warehouse(fill=load_layout_county)
def test_a_countys_roster_has_a_township_and_a_village_picker(engine):
    assert area_pickers(engine) == [
        ("乡镇（街道）", "全部乡镇（街道）", True),
        ("村（社区）", "全部村（社区）", True),
        ("村（社区）", "全部村（社区）", False),  # the callbacks' third picker, hidden
    ]


@pytest.mark.warehouse(fill=write_city)
def test_a_citys_roster_has_a_county_picker_first(engine):
    assert area_pickers(engine) == [
        ("县（市、区）", "全部县（市、区）", True),
        ("乡镇（街道）", "全部乡镇（街道）", True),
        ("村（社区）", "全部村（社区）", True),
    ]
    assert [label for label, _, _ in area_pickers(engine, "en")] == [
        "County",
        "Township",
        "Village",
    ]
