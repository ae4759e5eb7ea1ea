"""决议落实 Resolutions (path "/resolutions"): KPI cards, the implementation-rate ranking
of the child units, and the overdue resolutions aged into buckets with a CSV download."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from dashboard import components, grid
from dashboard.frame import STATE, URL, engine, guarded, page_layout, state_or_stop
from dashboard.i18n import figure_name, t
from dashboard.state import to_query
from dashboard.views import overview
from dashboard.views import resolutions as view

dash.register_page(
    __name__, path="/resolutions", name="决议落实", title="协商治理看板 · 决议落实", order=2
)


@page_layout
def layout(lang: str):
    overdue = dbc.Card(
        [
            dbc.CardHeader(
                html.Div(
                    [
                        html.Span(t("rs_overdue_title", lang), className="chart-title"),
                        html.Div(
                            [
                                dbc.Button(
                                    "CSV",
                                    id="rs-overdue-csv",
                                    size="sm",
                                    color="link",
                                    className="chart-btn",
                                    title=t("csv", lang),
                                ),
                                dcc.Download(id="rs-overdue-download"),
                            ],
                            className="chart-actions",
                        ),
                    ],
                    className="chart-head",
                )
            ),
            dbc.CardBody(
                [
                    components.loading(html.Div(id="rs-overdue-note")),
                    grid.grid("rs-overdue-grid", height=320),
                ]
            ),
        ],
        className="chart-card",
    )
    return html.Div(
        [
            html.H1(t("page_resolutions", lang), className="xs-title"),
            components.loading(html.Div(id="rs-kpis", className="xs-kpis")),
            dbc.Row(
                [
                    dbc.Col(
                        components.chart_card(
                            "rs-ranking",
                            t("ov_ranking", lang, figure=figure_name(view.RANKING, lang)),
                            lang,
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                    dbc.Col(overdue, lg=6, className="mb-3"),
                ],
                className="g-3",
            ),
        ]
    )


@callback(Output("rs-kpis", "children"), Input(STATE, "data"))
def _kpis(store):
    state = state_or_stop(store)
    return guarded(
        lambda: view.build_kpis(engine(), state),
        lambda exc: components.error_state(exc, state.lang),
    )


@callback(*components.chart_outputs("rs-ranking"), Input(STATE, "data"))
def _ranking(store):
    state = state_or_stop(store)
    return guarded(
        lambda: view.build_ranking(engine(), state),
        lambda exc: components.chart_error(exc, state.lang),
    )


@callback(
    *grid.grid_outputs("rs-overdue-grid"),
    Output("rs-overdue-note", "children"),
    Input(STATE, "data"),
)
def _overdue(store):
    state = state_or_stop(store)
    return guarded(
        lambda: view.build_overdue(engine(), state),
        lambda exc: ([], [], components.error_state(exc, state.lang)),
    )


@callback(
    Output("rs-overdue-download", "data"),
    Input("rs-overdue-csv", "n_clicks"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
def _download(n_clicks, store):
    state = state_or_stop(store)
    result = view.overdue_csv(engine(), state) if n_clicks else None
    if result is None:
        raise PreventUpdate
    return result


@callback(
    Output(URL, "search", allow_duplicate=True),
    Input(components.graph_id("rs-ranking"), "clickData"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
def _drill(click, store):
    state = state_or_stop(store)
    code = overview.drill_target(click, None)
    if not code or code == state.scope:
        raise PreventUpdate
    return to_query(state.replace(scope=code))
