"""考核评估 Assessment (path "/assessment"): the assessment table of the townships of the
scope (or the villages of the selected township) for the chosen period, its weights, and
CSV / xlsx downloads with the bytes of `xieshang export assessment` (dashboard.downloads:
those of /download/assessment.csv and .xlsx, for the roles they are for)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from xieshang.dashboard import components, downloads, grid
from xieshang.dashboard.i18n import t
from xieshang.dashboard.page_kit import STATE, engine, guarded, page_layout, state_or_stop
from xieshang.dashboard.views.assessment import build_table

dash.register_page(
    __name__,
    path="/assessment",
    name="考核评估",
    title="协商治理看板 · 考核评估",
    order=4,
    name_key="page_assessment",
)


@page_layout
def layout(lang: str):
    return html.Div(
        [
            html.H1(t("page_assessment", lang), className="xs-title"),
            dbc.Card(
                [
                    dbc.CardHeader(
                        html.Div(
                            [
                                html.Span(t("as_table", lang), className="chart-title"),
                                html.Div(
                                    [
                                        dbc.Button(
                                            t("download_csv", lang),
                                            id="as-csv",
                                            size="sm",
                                            color="link",
                                            className="chart-btn",
                                            disabled=not downloads.allowed("assessment.csv"),
                                        ),
                                        dbc.Button(
                                            t("download_xlsx", lang),
                                            id="as-xlsx",
                                            size="sm",
                                            color="link",
                                            className="chart-btn",
                                            disabled=not downloads.allowed("assessment.xlsx"),
                                        ),
                                        dcc.Download(id="as-download"),
                                    ],
                                    className="chart-actions",
                                ),
                            ],
                            className="chart-head",
                        )
                    ),
                    dbc.CardBody(
                        [
                            components.loading(html.Div(id="as-heading", className="mb-2")),
                            grid.grid("as-grid", height=420, lang=lang),
                        ]
                    ),
                ],
                className="chart-card",
            ),
        ]
    )


@callback(
    *grid.grid_outputs("as-grid"),
    Output("as-heading", "children"),
    Input(STATE, "data"),
)
def _table(store):
    state = state_or_stop(store)
    return guarded(
        lambda: build_table(engine(), state),
        lambda exc: ([], [], components.error_state(exc, state.lang)),
    )


@callback(
    Output("as-download", "data"),
    Input("as-csv", "n_clicks"),
    Input("as-xlsx", "n_clicks"),
    State(STATE, "data"),
    prevent_initial_call=True,
)
def _download(_csv, _xlsx, store):
    state = state_or_stop(store)
    kind = "csv" if dash.ctx.triggered_id == "as-csv" else "xlsx"
    return downloads.for_page(f"assessment.{kind}", state)
