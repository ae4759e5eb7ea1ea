"""决议落实 Resolutions (path "/resolutions"): KPI cards; four charts — the
implementation-rate ranking, the status mix by unit, the days to implement, the
satisfaction ranking; then the overdue resolutions aged into buckets, with a CSV download
(/download/overdue.csv's bytes; the list and the file are not for leaders)."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from xieshang.dashboard import components, downloads, grid
from xieshang.dashboard.i18n import figure_definition, figure_name, page_title, t
from xieshang.dashboard.page_kit import (
    OPTIONS,
    STATE,
    URL,
    drill_address,
    engine,
    guarded,
    page_layout,
    state_or_stop,
)
from xieshang.dashboard.views import resolutions as view
from xieshang.dashboard.views.lagging import build_lagging

dash.register_page(
    __name__,
    path="/resolutions",
    name="决议落实",
    title=page_title("page_resolutions"),
    title_key="page_resolutions",
    order=2,
    name_key="page_resolutions",
)

# chart card id -> builder, in the grid's order (two a row)
CHARTS = {
    "rs-ranking": view.build_ranking,
    "rs-mix": view.build_status_mix,
    "rs-days": view.build_days,
    "rs-satisfaction": view.build_satisfaction,
}
DRILL_CHARTS = ("rs-ranking", "rs-mix", "rs-satisfaction")  # bars carry their area code


def _titles(lang: str) -> dict[str, str]:
    return {
        "rs-ranking": t("ov_ranking", lang, figure=figure_name(view.RANKING, lang)),
        "rs-mix": t("rs_mix_title", lang),
        "rs-days": t("rs_days_title", lang),
        "rs-satisfaction": t("ov_ranking", lang, figure=figure_name(view.SATISFACTION, lang)),
    }


def _infos(lang: str) -> dict[str, str]:
    return {
        "rs-ranking": figure_definition(view.RANKING, lang),
        "rs-mix": t("rs_mix_info", lang),
        "rs-days": t("rs_days_info", lang),
        "rs-satisfaction": figure_definition(view.SATISFACTION, lang),
    }


def _overdue_card(lang: str) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(
                html.Div(
                    [
                        html.Span(t("rs_overdue_title", lang), className="chart-title"),
                        *components.chart_info("rs-overdue", t("rs_overdue_info", lang), lang),
                        html.Div(
                            [
                                dbc.Button(
                                    "CSV",
                                    id="rs-overdue-csv",
                                    size="sm",
                                    color="link",
                                    className="chart-btn",
                                    title=t("csv", lang),
                                    disabled=not downloads.allowed("overdue.csv"),
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
                    grid.grid("rs-overdue-grid", height=320, lang=lang),
                ]
            ),
        ],
        className="chart-card",
    )


@page_layout
def layout(lang: str):
    titles, infos = _titles(lang), _infos(lang)
    charts = [
        dbc.Col(
            components.chart_card(chart, titles[chart], lang, info=infos[chart]),
            lg=6,
            className="mb-3",
        )
        for chart in CHARTS
    ]
    return html.Div(
        [
            html.H1(t("page_resolutions", lang), className="xs-title"),
            components.loading(html.Div(id="rs-kpis", className="xs-kpis")),
            html.Div(id="rs-lagging"),
            dbc.Row(charts, className="g-3"),
            dbc.Row(dbc.Col(_overdue_card(lang), lg=12, className="mb-3"), className="g-3"),
        ]
    )


@callback(Output("rs-kpis", "children"), Input(STATE, "data"))
def _kpis(store):
    state = state_or_stop(store)
    return guarded(
        lambda: view.build_kpis(engine(), state),
        lambda exc: components.error_state(exc, state.lang),
    )


@callback(Output("rs-lagging", "children"), Input(STATE, "data"))
def _lagging(store):
    """The units lagging on the implementation rate (the first ranking)."""
    state = state_or_stop(store)
    return guarded(
        lambda: build_lagging(engine(), state, view.RANKING, "/resolutions"),
        lambda exc: components.error_state(exc, state.lang),
    )


def _register_chart(chart: str, build) -> None:
    @callback(*components.chart_outputs(chart), Input(STATE, "data"))
    def _chart(store):
        state = state_or_stop(store)
        return guarded(
            lambda: build(engine(), state),
            lambda exc: components.chart_error(exc, state.lang),
        )


for _chart_id, _build in CHARTS.items():
    _register_chart(_chart_id, _build)


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
    if not n_clicks:
        raise PreventUpdate
    return downloads.for_page("overdue.csv", state)


@callback(
    Output(URL, "search", allow_duplicate=True),
    *(Input(components.graph_id(chart), "clickData") for chart in DRILL_CHARTS),
    State(STATE, "data"),
    State(OPTIONS, "data"),
    prevent_initial_call=True,
)
def _drill(*args):
    *clicks, store, options = args
    graphs = [components.graph_id(chart) for chart in DRILL_CHARTS]
    click = clicks[graphs.index(ctx.triggered_id)] if ctx.triggered_id in graphs else None
    return drill_address(click, None, state_or_stop(store), options)
