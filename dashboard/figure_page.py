"""A page of KPI cards and rankings by child unit (党员参与, 多元参与): the layout and the
thin callbacks, given the page's prefix and its pure builders module (dashboard/views/
<page>.py with KPI_KEYS, RANKINGS, build_kpis(engine, state) and
build_ranking(engine, state, key))."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, html
from dash.exceptions import PreventUpdate

from dashboard import components
from dashboard.frame import STATE, URL, engine, guarded, state_or_stop
from dashboard.i18n import figure_name, t
from dashboard.state import to_query
from dashboard.views.overview import drill_target


def layout(prefix: str, title_key: str, view, lang: str):
    cols = [
        dbc.Col(
            components.chart_card(
                f"{prefix}-ranking-{i}", t("ov_ranking", lang, figure=figure_name(key, lang)), lang
            ),
            lg=6,
            className="mb-3",
        )
        for i, key in enumerate(view.RANKINGS)
    ]
    return html.Div(
        [
            html.H1(t(title_key, lang), className="xs-title"),
            components.loading(html.Div(id=f"{prefix}-kpis", className="xs-kpis")),
            dbc.Row(cols, className="g-3"),
        ]
    )


def register(prefix: str, view) -> None:
    @callback(Output(f"{prefix}-kpis", "children"), Input(STATE, "data"))
    def _kpis(store):
        state = state_or_stop(store)
        return guarded(
            lambda: view.build_kpis(engine(), state),
            lambda exc: components.error_state(exc, state.lang),
        )

    for i, key in enumerate(view.RANKINGS):
        _ranking(prefix, i, key, view)

    graphs = [
        Input(components.graph_id(f"{prefix}-ranking-{i}"), "clickData")
        for i in range(len(view.RANKINGS))
    ]

    @callback(
        Output(URL, "search", allow_duplicate=True),
        *graphs,
        State(STATE, "data"),
        prevent_initial_call=True,
    )
    def _drill(*args):
        *clicks, store = args
        state = state_or_stop(store)
        from dash import ctx

        index = [g.component_id for g in graphs].index(ctx.triggered_id)
        code = drill_target(clicks[index], None)
        if not code or code == state.scope:
            raise PreventUpdate
        return to_query(state.replace(scope=code))


def _ranking(prefix: str, i: int, key: str, view) -> None:
    @callback(*components.chart_outputs(f"{prefix}-ranking-{i}"), Input(STATE, "data"))
    def _part(store):
        state = state_or_stop(store)
        return guarded(
            lambda: view.build_ranking(engine(), state, key),
            lambda exc: components.chart_error(exc, state.lang),
        )
