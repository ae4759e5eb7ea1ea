"""The empty states the views share: nothing loaded yet, nothing in the period."""

from __future__ import annotations

from dash import html

from xieshang.dashboard import components, fmt
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
