"""The dashboard's address is its state: parsing, serialising, fallbacks with notices,
period presets and the filter bar's mapping (pure functions, no browser)."""

from __future__ import annotations

from datetime import date

import pytest

from xieshang.access import User
from xieshang.dashboard import data
from xieshang.dashboard.page_kit import page_layout
from xieshang.dashboard.state import (
    Defaults,
    Notice,
    State,
    controls_to_scope,
    parse_options,
    parse_query,
    period_range,
    picker_levels,
    preset_of,
    previous_period,
    scope_to_controls,
    state_from_controls,
    to_query,
)
from xieshang.dashboard.url_sync import _locked, sync
from xieshang.dashboard.views.data_quality import SUPERSEDED
from xieshang.dashboard.views.overview import FIGURE

ROOT = "330281000000"
TOWN = "330281100000"
VILLAGE = "330281100201"
OTHER_TOWN = "330281001000"
SCOPES = {ROOT, TOWN, VILLAGE, OTHER_TOWN, "330281001001"}
DEFAULTS = Defaults.build(ROOT, date(2025, 6, 30), SCOPES)
DEFAULT_STATE = State(ROOT, date(2025, 1, 1), date(2025, 6, 30))
OPTIONS = (FIGURE, SUPERSEDED)  # the page options (the pages' query_options)


def parse(query):
    return parse_query(query, DEFAULTS)


# --- defaults -------------------------------------------------------------------------------------


def test_defaults_are_the_current_year_to_the_last_load_day():
    assert DEFAULTS.scope == ROOT
    assert (DEFAULTS.start, DEFAULTS.end) == (date(2025, 1, 1), date(2025, 6, 30))
    assert DEFAULTS.anchor == date(2025, 6, 30)


def test_defaults_without_a_load_use_today():
    d = Defaults.build(None, None, today=date(2024, 3, 5))
    assert (d.scope, d.start, d.end, d.scopes) == (None, date(2024, 1, 1), date(2024, 3, 5), None)


@pytest.mark.parametrize(
    "query", [None, "", "?", "?scope=&from=&to=&form=&category=&online=&lang="]
)
def test_empty_or_blank_parameters_give_the_defaults_without_notice(query):
    assert parse(query) == (DEFAULT_STATE, ())


# --- valid values ----------------------------------------------------------------------------------


def test_every_parameter_is_read():
    state, notices = parse(
        f"?scope={TOWN}&from=2025-02-01&to=2025-03-31&form=council&category=roads&online=yes&lang=en"
    )
    assert notices == ()
    assert state == State(TOWN, date(2025, 2, 1), date(2025, 3, 31), "council", "roads", True, "en")


def test_leading_question_mark_is_optional():
    assert parse(f"scope={TOWN}")[0].scope == TOWN


@pytest.mark.parametrize(
    ("given", "code"), [("330281", ROOT), ("330281100", TOWN), (TOWN, TOWN), (VILLAGE, VILLAGE)]
)
def test_scope_accepts_6_9_or_12_digits(given, code):
    state, notices = parse(f"?scope={given}")
    assert (state.scope, notices) == (code, ())


@pytest.mark.parametrize(
    ("param", "given", "code"),
    [
        ("form", "council", "council"),
        ("form", "COUNCIL", "council"),
        ("form", "议事会", "council"),
        ("form", "民主议事会", "council"),
        ("category", "环境整治", "environment"),
        ("category", "elderly_child", "elderly_child"),
    ],
)
def test_vocabulary_codes_and_chinese_labels(param, given, code):
    state, notices = parse(f"?{param}={given}")
    assert notices == ()
    assert getattr(state, param) == code


@pytest.mark.parametrize(
    ("given", "value"), [("yes", True), ("no", False), ("YES", True), ("是", True), ("否", False)]
)
def test_online(given, value):
    assert parse(f"?online={given}") == (DEFAULT_STATE.replace(online=value), ())


def test_only_from_or_only_to():
    assert parse("?from=2025-03-01")[0].start == date(2025, 3, 1)
    assert parse("?from=2025-03-01")[0].end == date(2025, 6, 30)
    assert parse("?to=2025-03-31")[0] == DEFAULT_STATE.replace(end=date(2025, 3, 31))


def test_a_one_day_period_is_valid():
    assert parse("?from=2025-03-01&to=2025-03-01") == (
        DEFAULT_STATE.replace(start=date(2025, 3, 1), end=date(2025, 3, 1)),
        (),
    )


def test_a_period_after_the_last_load_is_allowed():
    assert parse("?from=2025-01-01&to=2025-12-31")[0].end == date(2025, 12, 31)


def test_unknown_parameters_are_ignored_and_repeats_take_the_first():
    assert parse(f"?foo=1&scope={TOWN}&scope={VILLAGE}&utm_source=x") == (
        DEFAULT_STATE.replace(scope=TOWN),
        (),
    )


def test_a_repeated_lang_builds_the_page_in_the_first_language_too():
    """Dash Pages hands a page's layout a repeated parameter as a list: with
    ?lang=en&lang=en the page's titles, chart names and definitions were Chinese under an
    English frame and English figures."""
    built = page_layout(lambda lang: lang)
    assert built(lang=["en", "en"]) == "en"
    assert built(lang=["en", "zh"]) == "en"  # as parse_query and the frame read it
    assert built(lang=["zh", "en"]) == "zh"
    assert (built(lang="en"), built()) == ("en", "zh")


def test_percent_encoded_labels():
    assert parse("?form=%E8%AE%AE%E4%BA%8B%E4%BC%9A")[0].form == "council"


def test_any_well_formed_scope_when_no_roster_is_known():
    state, notices = parse_query("?scope=110101001000", Defaults.build(ROOT, date(2025, 6, 30)))
    assert (state.scope, notices) == ("110101001000", ())


# --- invalid values fall back with a notice ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("?scope=abc", Notice("scope", "abc", "bad_scope")),
        ("?scope=3302811", Notice("scope", "3302811", "bad_scope")),
        ("?scope=330281999000", Notice("scope", "330281999000", "unknown_scope")),
        ("?from=2025-02-30", Notice("from", "2025-02-30", "bad_date")),
        ("?to=yesterday", Notice("to", "yesterday", "bad_date")),
        ("?from=2025-1-5", Notice("from", "2025-1-5", "bad_date")),
        # ten characters that date.fromisoformat takes as 2025-09-29: another period
        ("?from=2025-W40-1", Notice("from", "2025-W40-1", "bad_date")),
        ("?from=1999-12-31", Notice("from", "1999-12-31", "bad_date")),
        ("?form=teaparty", Notice("form", "teaparty", "bad_form")),
        ("?category=天气", Notice("category", "天气", "bad_category")),
        ("?online=maybe", Notice("online", "maybe", "bad_online")),
        ("?lang=fr", Notice("lang", "fr", "bad_lang")),
    ],
)
def test_an_invalid_value_falls_back_to_its_default_with_a_notice(query, notice):
    state, notices = parse(query)
    assert state == DEFAULT_STATE
    assert notices == (notice,)


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("?figure=resolutions_due", Notice("figure", "resolutions_due", "bad_figure")),
        ("?superseded=maybe", Notice("superseded", "maybe", "bad_superseded")),
    ],
)
def test_an_invalid_page_option_falls_back_to_its_default_with_a_notice(query, notice):
    assert parse(query) == (DEFAULT_STATE, ())
    assert parse_options(query, OPTIONS) == ({}, (notice,))


def test_reversed_dates_fall_back_to_the_default_period():
    state, notices = parse("?from=2025-05-01&to=2025-04-01")
    assert (state.start, state.end) == (DEFAULTS.start, DEFAULTS.end)
    assert notices == (Notice("from", "2025-05-01 > 2025-04-01", "reversed_dates"),)


def test_a_from_after_the_default_end_is_reversed():
    assert parse("?from=2025-09-01")[1][0].reason == "reversed_dates"


def test_valid_values_survive_beside_invalid_ones():
    state, notices = parse(f"?scope={TOWN}&form=teaparty&online=yes&lang=xx")
    assert state == DEFAULT_STATE.replace(scope=TOWN, online=True)
    assert [n.reason for n in notices] == ["bad_lang", "bad_form"]


# --- serialising ---------------------------------------------------------------------------------------------


def test_to_query_writes_scope_and_period_always_and_the_rest_when_set():
    assert to_query(DEFAULT_STATE) == f"?scope={ROOT}&from=2025-01-01&to=2025-06-30"
    full = State(TOWN, date(2025, 2, 1), date(2025, 3, 31), "council", "roads", False, "en")
    assert to_query(full) == (
        f"?scope={TOWN}&from=2025-02-01&to=2025-03-31&form=council&category=roads&online=no&lang=en"
    )


def test_the_overview_figure_is_written_only_when_not_the_default():
    assert "figure" not in to_query(DEFAULT_STATE, FIGURE.put({}, "implementation_rate"))
    assert to_query(DEFAULT_STATE, FIGURE.put({}, "overdue_open")) == (
        f"?scope={ROOT}&from=2025-01-01&to=2025-06-30&figure=overdue_open"
    )
    assert FIGURE.get(parse_options("?figure=regularity", OPTIONS)[0]) == "regularity"


def test_the_state_is_the_same_whatever_the_page_options():
    shown = parse("?figure=overdue_open&superseded=yes")[0]
    assert shown.to_store() == DEFAULT_STATE.to_store()
    assert not {"figure", "superseded"} & set(shown.to_store())
    assert State.from_store(shown.to_store()) == DEFAULT_STATE


def test_the_superseded_switch_is_written_only_when_on():
    assert to_query(DEFAULT_STATE, SUPERSEDED.put({}, True)) == (
        f"?scope={ROOT}&from=2025-01-01&to=2025-06-30&superseded=yes"
    )
    assert SUPERSEDED.get(parse_options("?superseded=no", OPTIONS)[0]) is False
    assert SUPERSEDED.get(parse_options("?superseded=yes", OPTIONS)[0]) is True


def test_to_query_without_scope():
    assert (
        to_query(State(None, date(2025, 1, 1), date(2025, 1, 2)))
        == "?from=2025-01-01&to=2025-01-02"
    )


@pytest.mark.parametrize(
    "state",
    [
        DEFAULT_STATE,
        State(
            VILLAGE, date(2024, 12, 1), date(2025, 2, 28), "party_day", "elderly_child", True, "en"
        ),
        State(TOWN, date(2025, 6, 30), date(2025, 6, 30), None, "other", False, "zh"),
    ],
)
def test_round_trip(state):
    assert parse(to_query(state)) == (state, ())
    assert State.from_store(state.to_store()) == state


@pytest.mark.parametrize(
    ("state", "options"),
    [
        (DEFAULT_STATE.replace(lang="en"), FIGURE.put({}, "party_led_rate")),
        (DEFAULT_STATE, SUPERSEDED.put({}, True)),
    ],
)
def test_round_trip_with_page_options(state, options):
    query = to_query(state, options)
    assert parse(query) == (state, ())
    assert parse_options(query, OPTIONS) == (options, ())


# --- periods -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "previous"),
    [
        # from a month's first day: as many calendar months before, the same days
        ("2025-01-01", "2025-06-30", ("2024-07-01", "2024-12-31")),
        ("2025-03-01", "2025-03-31", ("2025-02-01", "2025-02-28")),
        ("2026-03-01", "2026-05-31", ("2025-12-01", "2026-02-28")),
        ("2026-12-01", "2026-12-07", ("2026-11-01", "2026-11-07")),  # 本月 so far
        ("2026-01-01", "2026-12-07", ("2025-01-01", "2025-12-07")),  # 本年 so far
        ("2026-03-01", "2026-03-30", ("2026-02-01", "2026-02-28")),  # no 2月30日
        ("2024-03-01", "2024-03-31", ("2024-02-01", "2024-02-29")),
        # any other: as many days, ending the day before
        ("2025-03-05", "2025-03-05", ("2025-03-04", "2025-03-04")),
        ("2025-03-05", "2025-04-04", ("2025-02-02", "2025-03-04")),
    ],
)
def test_the_previous_period_has_equal_length(start, end, previous):
    day = date.fromisoformat
    assert previous_period(day(start), day(end)) == tuple(map(day, previous))


def test_the_default_view_is_compared_with_the_half_year_before():
    assert DEFAULT_STATE.previous() == (date(2024, 7, 1), date(2024, 12, 31))


@pytest.mark.parametrize(
    ("preset", "anchor", "expected"),
    [
        ("month", date(2025, 6, 30), (date(2025, 6, 1), date(2025, 6, 30))),
        ("quarter", date(2025, 6, 30), (date(2025, 4, 1), date(2025, 6, 30))),
        ("quarter", date(2025, 1, 15), (date(2025, 1, 1), date(2025, 1, 15))),
        ("quarter", date(2025, 12, 31), (date(2025, 10, 1), date(2025, 12, 31))),
        ("year", date(2025, 6, 30), (date(2025, 1, 1), date(2025, 6, 30))),
    ],
)
def test_period_presets_end_on_the_anchor(preset, anchor, expected):
    assert period_range(preset, anchor) == expected
    if anchor.month != 1:  # in January, month, quarter and year coincide (see below)
        assert preset_of(*expected, anchor) == preset


def test_preset_of_prefers_the_shortest_and_says_custom_otherwise():
    anchor = date(2025, 1, 20)  # month, quarter and year all start on 1 January
    assert preset_of(date(2025, 1, 1), anchor, anchor) == "month"
    assert preset_of(date(2025, 2, 1), date(2025, 3, 1), date(2025, 6, 30)) == "custom"
    with pytest.raises(ValueError):
        period_range("custom", anchor)


# --- the filter bar's dropdowns --------------------------------------------------------------------------------------


def test_scope_to_controls():
    assert scope_to_controls(ROOT, ROOT) == (None, None, None)
    assert scope_to_controls(TOWN, ROOT) == (TOWN, None, None)
    assert scope_to_controls(VILLAGE, ROOT) == (TOWN, VILLAGE, None)
    assert scope_to_controls(None, ROOT) == (None, None, None)
    assert scope_to_controls("110101001000", ROOT) == (None, None, None)  # another county


def test_controls_to_scope():
    assert controls_to_scope((None, None, None), ROOT) == ROOT
    assert controls_to_scope((TOWN, None, None), ROOT) == TOWN
    assert controls_to_scope((TOWN, VILLAGE, None), ROOT) == VILLAGE
    assert controls_to_scope((OTHER_TOWN, VILLAGE, None), ROOT) == OTHER_TOWN  # stale village
    assert controls_to_scope((None, VILLAGE, None), ROOT) == ROOT  # a village without its town


# a city's roster: the pickers are county, township, village
CITY, COUNTY_B = "330200000000", "330282000000"


def test_a_citys_pickers_are_county_township_village():
    assert picker_levels(CITY) == ("county", "township", "village")
    assert picker_levels(ROOT) == ("township", "village")
    assert picker_levels(TOWN) == ("village",)
    assert picker_levels(None) == ()
    assert scope_to_controls(VILLAGE, CITY) == (ROOT, TOWN, VILLAGE)
    assert scope_to_controls(TOWN, CITY) == (ROOT, TOWN, None)
    assert scope_to_controls(COUNTY_B, CITY) == (COUNTY_B, None, None)
    assert controls_to_scope((ROOT, TOWN, VILLAGE), CITY) == VILLAGE
    assert controls_to_scope((COUNTY_B, TOWN, VILLAGE), CITY) == COUNTY_B  # stale township


def test_a_staff_users_levels_down_to_the_township_are_locked():
    staff = User("wang", "staff", TOWN)
    assert _locked(CITY, staff) == {"first", "second"}  # county and township
    assert _locked(ROOT, staff) == {"first"}  # a county's roster: the township
    for user in (None, User("zhao", "leader"), User("li", "admin")):
        assert _locked(CITY, user) == _locked(ROOT, user) == frozenset()
    assert sync("search", "", {}, None, DIRECTORY, user=staff)["locked"] == {"first"}
    assert sync("search", "", {}, None, DIRECTORY)["locked"] == frozenset()


def test_choosing_a_county_clears_the_township_and_village():
    current = DEFAULT_STATE.replace(scope=VILLAGE)
    city = Defaults.build(CITY, date(2025, 6, 30), SCOPES | {CITY, COUNTY_B})
    picked = {"first": COUNTY_B, "second": TOWN, "third": VILLAGE}
    state = state_from_controls(current, city, **controls(**picked), changed="first")
    assert state.scope == COUNTY_B
    picked = {"first": ROOT, "second": OTHER_TOWN, "third": VILLAGE}
    state = state_from_controls(current, city, **controls(**picked), changed="second")
    assert state.scope == OTHER_TOWN


def controls(**changes):
    values = {
        "first": None,
        "second": None,
        "period": "year",
        "start": date(2025, 1, 1),
        "end": date(2025, 6, 30),
        "form": None,
        "category": None,
    }
    values.update(changes)
    return values


def test_choosing_a_township_clears_the_village():
    current = DEFAULT_STATE.replace(scope=VILLAGE)
    state = state_from_controls(
        current, DEFAULTS, **controls(first=OTHER_TOWN, second=VILLAGE), changed="first"
    )
    assert state.scope == OTHER_TOWN


def test_choosing_a_preset_sets_its_dates():
    state = state_from_controls(
        DEFAULT_STATE, DEFAULTS, **controls(period="quarter"), changed="period"
    )
    assert (state.start, state.end) == (date(2025, 4, 1), date(2025, 6, 30))
    custom = state_from_controls(
        DEFAULT_STATE, DEFAULTS, **controls(period="custom"), changed="period"
    )
    assert custom == DEFAULT_STATE  # "custom" keeps the dates until they are edited


def test_editing_dates_keeps_them_in_order():
    state = state_from_controls(
        DEFAULT_STATE,
        DEFAULTS,
        **controls(start=date(2025, 5, 1), end=date(2025, 2, 1)),
        changed="dates",
    )
    assert (state.start, state.end) == (date(2025, 2, 1), date(2025, 5, 1))


def test_form_and_category_controls():
    state = state_from_controls(
        DEFAULT_STATE, DEFAULTS, **controls(form="hearing", category=""), changed="form"
    )
    assert (state.form, state.category) == ("hearing", None)


# --- the frame's sync (address <-> filter bar), with a directory of the small county -------------------------------------


DIRECTORY = data.Directory(
    names={
        ROOT: "清河县",
        OTHER_TOWN: "城关街道",
        "330281001001": "新华社区",
        TOWN: "东湖镇",
        VILLAGE: "柳树村",
    },
    levels={},
    root=ROOT,
    last_load=date(2025, 6, 30),
    run_id="r1",
    kids={ROOT: [OTHER_TOWN, TOWN], OTHER_TOWN: ["330281001001"], TOWN: [VILLAGE]},
)


def test_sync_from_the_address_sets_the_controls_and_keeps_the_address():
    out = sync(
        "search", f"?scope={VILLAGE}&from=2025-06-01&to=2025-06-30&form=议事会", {}, None, DIRECTORY
    )
    assert out["search"] is None
    assert out["state"] == State(VILLAGE, date(2025, 6, 1), date(2025, 6, 30), form="council")
    first, second, third = (out["pickers"][name] for name in ("first", "second", "third"))
    assert (first["value"], second["value"], out["period"]) == (TOWN, VILLAGE, "month")
    assert first["options"] == [
        {"label": "城关街道", "value": OTHER_TOWN},
        {"label": "东湖镇", "value": TOWN},
    ]
    assert second["options"] == [{"label": "柳树村", "value": VILLAGE}]
    assert third == {"value": None, "options": []}  # a county's roster has two levels
    assert (out["start"], out["end"], out["form"]) == ("2025-06-01", "2025-06-30", "council")
    assert out["notices"] == ()


def test_sync_reports_invalid_parameters():
    out = sync("search", "?scope=999&lang=en", {}, None, DIRECTORY)
    assert out["state"] == DEFAULT_STATE.replace(lang="en")
    assert [n.reason for n in out["notices"]] == ["bad_scope"]
    # written again in place without the value that fell back (not pushed: out["search"])
    assert out["fixed"] == "?lang=en"
    reversed_dates = sync(
        "search", "?from=2025-06-01&to=2025-01-01&form=council", {}, None, DIRECTORY
    )
    assert reversed_dates["fixed"] == "?form=council"  # both days fell back
    assert out["search"] is None


def test_sync_from_a_control_writes_the_address():
    out = sync(
        "first",
        "",
        controls(first=TOWN, start="2025-01-01", end="2025-06-30"),
        DEFAULT_STATE.replace(lang="en"),
        DIRECTORY,
    )
    assert out["search"] == f"?scope={TOWN}&from=2025-01-01&to=2025-06-30&lang=en"
    assert out["state"].scope == TOWN


@pytest.mark.parametrize(
    ("start", "end"),
    [("0001-01-01", "2025-06-30"), ("1999-12-31", "2025-06-30"), ("2025-01-01", "9999-12-31")],
)
def test_a_day_typed_in_the_picker_that_the_address_refuses_keeps_the_period(start, end):
    """The picker takes any day typed into it; a day the address would refuse (before
    2000, after 2999) wrote ?from=0001-01-01, which the next load of the page refused,
    and its KPI cards failed (the period before year 1 has no date)."""
    out = sync("dates", "", controls(start=start, end=end), DEFAULT_STATE, DIRECTORY)
    assert out["state"] == DEFAULT_STATE
    assert out["search"] is None
    assert (out["start"], out["end"]) == ("2025-01-01", "2025-06-30")  # the picker, put back


def test_sync_without_a_change_leaves_the_address():
    out = sync("form", "", controls(start="2025-01-01", end="2025-06-30"), DEFAULT_STATE, DIRECTORY)
    assert out["search"] is None


def test_sync_reset_keeps_only_the_language():
    current = State(VILLAGE, date(2025, 3, 1), date(2025, 3, 31), "council", "roads", True, "en")
    out = sync("reset", "", {}, current, DIRECTORY)
    assert out["state"] == DEFAULT_STATE.replace(lang="en")
    assert out["search"] == f"?scope={ROOT}&from=2025-01-01&to=2025-06-30&lang=en"


def test_sync_on_an_empty_warehouse():
    empty = data.Directory(names={}, levels={}, root=None, last_load=None, run_id=None)
    out = sync("search", "?scope=330281000000", {}, None, empty, today=date(2025, 3, 5))
    assert out["state"] == State(None, date(2025, 1, 1), date(2025, 3, 5))
    assert out["pickers"]["first"] == {"value": None, "options": []}
