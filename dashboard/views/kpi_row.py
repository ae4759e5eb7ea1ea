"""Every page's row of KPI cards: the figures of the state's scope and period, against
the previous period of equal length when the data cover it."""

from __future__ import annotations

from dash import html
from sqlalchemy import Engine

from xieshang.dashboard import components, data, fmt
from xieshang.dashboard.i18n import t
from xieshang.dashboard.state import State
from xieshang.dashboard.views.empty_states import data_start, no_warehouse, outside_data

__all__ = ["data_start", "kpi_row_for"]  # data_start: the screen's and the assessment's too


def kpi_row_for(engine_: Engine, state: State, keys: tuple[str, ...]) -> html.Div:
    """A KPI row of `keys` for the state's scope and period, against the previous period
    of equal length — unless that period begins before the data do: a change against a
    half-empty period would be a false alarm (the default year-to-date view of a
    warehouse started last December compared with one month), so the row says once
    why there is no change instead. A period outside the data shows 无数据 on every
    card and says why."""
    directory = data.directory(engine_)
    lang = state.lang
    if directory.empty:
        return no_warehouse(lang)
    outside = outside_data(directory, state)
    if outside is not None:
        return components.kpi_row(keys, {}, None, lang, note=(outside, ""))
    result = data.figures(engine_, state, keys=keys)
    previous_start, previous_end = state.previous()
    start = data_start(directory)
    if start is not None and previous_start >= start:
        previous = data.previous_figures(engine_, state, keys=keys)
        return components.kpi_row(keys, result, previous, lang)
    note = None
    if start is not None:
        first = fmt.day(start)
        note = (
            t("previous_before_data", lang, first=first),
            t(
                "previous_before_data_title",
                lang,
                start=fmt.day(previous_start),
                end=fmt.day(previous_end),
                first=first,
            ),
        )
    return components.kpi_row(keys, result, None, lang, note=note)
