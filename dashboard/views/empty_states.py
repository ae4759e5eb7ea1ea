"""The empty states the views share: nothing loaded yet, nothing in the period, a
period outside the data."""

from __future__ import annotations

from datetime import date

from dash import html

from xieshang.dashboard import components, data, fmt
from xieshang.dashboard.i18n import t
from xieshang.dashboard.state import State


def no_warehouse(lang: str) -> html.Div:
    """本期无数据, and how to load the warehouse."""
    return components.empty_state(t("no_data", lang), t("empty_warehouse", lang))


def nothing_in_period(scope_name: str, state: State, why_key: str = "no_data_why") -> html.Div:
    """本期无数据, and why: `why_key` says what the scope lacks in the state's period."""
    why = t(
        why_key, state.lang, scope=scope_name, start=fmt.day(state.start), end=fmt.day(state.end)
    )
    return components.empty_state(t("no_data", state.lang), why)


def data_start(directory: data.Directory) -> date | None:
    """The first day of the month of the earliest meeting: offices report whole months,
    so the data cover that month on."""
    first = directory.first_day
    return first.replace(day=1) if first else None


def outside_data(directory: data.Directory, state: State) -> str | None:
    """Why the state's period has no figures at all — it lies wholly before the data
    begin or after the last load, where every figure would be a zero of nothing (0.0 %
    常态化率 in 2010) — or None."""
    period = {"start": fmt.day(state.start), "end": fmt.day(state.end)}
    start = data_start(directory)
    if start is not None and state.end < start:
        return t("kpi_before_data", state.lang, first=fmt.day(start), **period)
    if directory.last_load is not None and state.start > directory.last_load:
        return t("kpi_after_data", state.lang, last=fmt.day(directory.last_load), **period)
    return None


def outside_data_state(why: str, lang: str) -> html.Div:
    """本期无数据, and why: the period lies outside the data."""
    return components.empty_state(t("no_data", lang), why)
