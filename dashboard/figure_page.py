"""A page of KPI cards, rankings by child unit and optional further charts (党员参与,
多元参与): the layout and the thin callbacks, given the page's prefix, its pure builders
module (dashboard/views/<page>.py with KPI_KEYS, RANKINGS, build_kpis(engine, state) and
build_ranking(engine, state, key)) and its further charts (`Chart`s, at most two: ui.md
allows four charts per page). Every card sits in one two-column grid, rankings first."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, html
from dash.exceptions import PreventUpdate

from xieshang.dashboard import components
from xieshang.dashboard.i18n import figure_definition, figure_name, t
from xieshang.dashboard.page_kit import (
    OPTIONS,
    STATE,
    URL,
    drill_address,
    engine,
    guarded,
    state_or_stop,
)
from xieshang.dashboard.views.lagging import build_lagging


class Chart(NamedTuple):
    """A chart card after the rankings: id `{prefix}-{suffix}`, title (an i18n key),
    builder (engine, state) -> components.chart_content values; `drill`: a click on it
    opens the unit its point carries as customdata, as a click on a ranking bar does."""

    suffix: str
    title_key: str
    build: Callable
    drill: bool = False
    min_height: int = 300
    info_key: str | None = None  # an i18n key: what the chart shows, behind its ⓘ


def _ranking_id(prefix: str, i: int) -> str:
    return f"{prefix}-ranking-{i}"


def layout(prefix: str, title_key: str, view, lang: str, charts: Sequence[Chart] = ()):
    cards = [
        components.chart_card(
            _ranking_id(prefix, i),
            t("ov_ranking", lang, figure=figure_name(key, lang)),
            lang,
            info=figure_definition(key, lang),
        )
        for i, key in enumerate(view.RANKINGS)
    ]
    cards += [
        components.chart_card(
            f"{prefix}-{c.suffix}",
            t(c.title_key, lang),
            lang,
            min_height=c.min_height,
            info=t(c.info_key, lang) if c.info_key else None,
        )
        for c in charts
    ]
    return html.Div(
        [
            html.H1(t(title_key, lang), className="xs-title"),
            components.loading(html.Div(id=f"{prefix}-kpis", className="xs-kpis")),
            html.Div(id=f"{prefix}-lagging"),
            dbc.Row([dbc.Col(card, lg=6, className="mb-3") for card in cards], className="g-3"),
        ]
    )


def register(prefix: str, view, charts: Sequence[Chart] = (), path: str = "/") -> None:
    """The page's callbacks; `path` is the page's address (the lagging units' links)."""

    @callback(Output(f"{prefix}-kpis", "children"), Input(STATE, "data"))
    def _kpis(store):
        state = state_or_stop(store)
        return guarded(
            lambda: view.build_kpis(engine(), state),
            lambda exc: components.error_state(exc, state.lang),
        )

    @callback(Output(f"{prefix}-lagging", "children"), Input(STATE, "data"))
    def _lagging(store):
        # the units lagging on the page's first ranking
        state = state_or_stop(store)
        return guarded(
            lambda: build_lagging(engine(), state, view.RANKINGS[0], path),
            lambda exc: components.error_state(exc, state.lang),
        )

    for i, key in enumerate(view.RANKINGS):
        _chart(_ranking_id(prefix, i), _ranking_builder(view, key))
    for chart in charts:
        _chart(f"{prefix}-{chart.suffix}", chart.build)

    drills = [_ranking_id(prefix, i) for i in range(len(view.RANKINGS))]
    drills += [f"{prefix}-{c.suffix}" for c in charts if c.drill]
    graphs = [components.graph_id(chart_id) for chart_id in drills]

    @callback(
        Output(URL, "search", allow_duplicate=True),
        *[Input(graph, "clickData") for graph in graphs],
        State(STATE, "data"),
        State(OPTIONS, "data"),
        prevent_initial_call=True,
    )
    def _drill(*args):
        *clicks, store, options = args
        if ctx.triggered_id not in graphs:
            raise PreventUpdate
        click = clicks[graphs.index(ctx.triggered_id)]
        return drill_address(click, None, state_or_stop(store), options)


def _ranking_builder(view, key: str) -> Callable:
    return lambda engine_, state: view.build_ranking(engine_, state, key)


def _chart(chart_id: str, build: Callable) -> None:
    @callback(*components.chart_outputs(chart_id), Input(STATE, "data"))
    def _part(store):
        state = state_or_stop(store)
        return guarded(
            lambda: build(engine(), state),
            lambda exc: components.chart_error(exc, state.lang),
        )
