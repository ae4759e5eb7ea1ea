"""考核评估 Assessment (path "/assessment"): the assessment table of the counties of a city,
the townships of a county (or the villages of the selected township) for the chosen period,
its weights, and CSV / xlsx downloads with the bytes of `xieshang export assessment`
(dashboard.downloads: those of /download/assessment.csv and .xlsx, for the roles they are
for).

The grid grows with its rows (every unit shows, the lagging ones too, without a scroll box
of its own); a period with nothing to rank shows its notice and hides the downloads."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from xieshang.dashboard import components, downloads, grid
from xieshang.dashboard.i18n import page_title, t
from xieshang.dashboard.page_kit import STATE, engine, guarded, page_layout, state_or_stop
from xieshang.dashboard.views.assessment import CELL_PADDING, build_table

dash.register_page(
    __name__,
    path="/assessment",
    name="考核评估",
    title=page_title("page_assessment"),
    title_key="page_assessment",
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
                                *components.chart_info("as-table", t("as_formula", lang), lang),
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
                                    id="as-actions",
                                    className="chart-actions",
                                    hidden=True,  # until the table shows
                                ),
                            ],
                            className="chart-head",
                        )
                    ),
                    dbc.CardBody(
                        [
                            components.loading(html.Div(id="as-heading", className="mb-2")),
                            _growing_grid(lang),
                            html.Div(id="as-notes", className="chart-note"),
                        ]
                    ),
                ],
                className="chart-card",
            ),
        ]
    )


def _growing_grid(lang: str):
    """The grid as tall as its rows (AG Grid's autoHeight): a city's counties, a county's
    13 townships or a township's villages all show; columns sized to their cells, headers
    wrapping."""
    table = grid.grid("as-grid", lang=lang)
    table.dashGridOptions = {
        **table.dashGridOptions,
        "domLayout": "autoHeight",
        "suppressColumnVirtualisation": True,  # all 14 columns measured by the autosize
        "tooltipShowDelay": 300,
    }
    # 8 px of padding each side instead of 16: the 14 columns fit 1,366 px at 14 px text
    table.style = {"width": "100%", "--ag-cell-horizontal-padding": f"{CELL_PADDING}px"}
    return table


@callback(
    *grid.grid_outputs("as-grid"),
    Output("as-heading", "children"),
    Output("as-notes", "children"),
    Output("as-actions", "hidden"),
    Input(STATE, "data"),
)
def _table(store):
    state = state_or_stop(store)

    def shown():
        table = build_table(engine(), state)
        return table.rows, table.columns, table.heading, table.notes, not table.offered

    return guarded(shown, lambda exc: ([], [], components.error_state(exc, state.lang), [], True))


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
