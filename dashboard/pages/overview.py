"""总览 Overview (path "/"): headline KPI cards with their change against the previous
period, a township map and a ranking coloured / ordered by a chosen figure, and the
monthly trends. The figure picked is the page's own option, in the address (`figure=`).
Clicking a township (map or bar) drills into it: the scope in the address becomes that
township and the page shows its villages.

The pattern every page follows:

- `layout(lang)` (decorated with page_kit.page_layout) returns the skeleton: ids, titles,
  empty chart cards — no data;
- one callback per part, Input(STATE, "data") (+ Input(OPTIONS, "data") for a part that
  shows a page option), each a thin shell around a pure builder in
  dashboard/views/<page>.py that the tests call directly;
- figures come from xieshang.dashboard.data (cached xieshang.metrics), never from SQL here;
- to change the view (drill down), write the address: Output(URL, "search",
  allow_duplicate=True) with to_query(new_state).
"""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html
from dash.exceptions import PreventUpdate

from xieshang.dashboard import components
from xieshang.dashboard.i18n import figure_definition, figure_name, page_title, t
from xieshang.dashboard.page_kit import (
    OPTIONS,
    STATE,
    URL,
    drill_address,
    engine,
    guarded,
    options_or_stop,
    page_layout,
    state_or_stop,
)
from xieshang.dashboard.state import to_query
from xieshang.dashboard.views.lagging import build_lagging
from xieshang.dashboard.views.overview import (
    DEFAULT_FIGURE,
    FIGURE,
    MAP_FIGURES,
    build_heading,
    build_kpis,
    build_map,
    build_ranking,
    build_trends,
    map_title,
)

dash.register_page(
    __name__,
    path="/",
    name="总览",
    title=page_title("page_overview"),
    title_key="page_overview",
    order=0,
    name_key="page_overview",
    query_options=(FIGURE,),
)


# --- layout -------------------------------------------------------------------------------------------


def _figure_options(lang: str) -> list[dict]:
    return [{"label": figure_name(k, lang), "value": k} for k in MAP_FIGURES]


@page_layout
def layout(lang: str):
    picker = dcc.Dropdown(
        id="ov-figure",
        options=_figure_options(lang),
        value=DEFAULT_FIGURE,
        clearable=False,
        searchable=False,
        className="xs-dd xs-dd-inline",
        style={"minWidth": "10rem"},
    )
    return html.Div(
        [
            html.Div(id="ov-heading", className="xs-heading"),
            components.loading(html.Div(id="ov-kpis", className="xs-kpis")),
            html.Div(id="ov-lagging"),
            dbc.Row(
                [
                    dbc.Col(
                        components.chart_card(
                            "ov-map",
                            t("ov_map", lang, figure=figure_name(DEFAULT_FIGURE, lang)),
                            lang,
                            controls=picker,
                            info=figure_definition(DEFAULT_FIGURE, lang),
                            min_height=380,
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        components.chart_card(
                            "ov-ranking",
                            t("ov_ranking", lang, figure=figure_name(DEFAULT_FIGURE, lang)),
                            lang,
                            info=figure_definition(DEFAULT_FIGURE, lang),
                            min_height=380,
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        components.chart_card(
                            "ov-trend-rates",
                            t("ov_trend_rates", lang),
                            lang,
                            info=t("ov_trend_rates_info", lang),
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        components.chart_card(
                            "ov-trend-meetings",
                            t("ov_trend_meetings", lang),
                            lang,
                            info=figure_definition("meetings", lang),
                        ),
                        lg=6,
                        className="mb-3",
                    ),
                ],
                className="g-3",
            ),
            dcc.Store(id="ov-map-codes"),
        ]
    )


# --- callbacks (thin) -----------------------------------------------------------------------------------------


@callback(Output("ov-heading", "children"), Input(STATE, "data"))
def _heading(store):
    state = state_or_stop(store)
    return guarded(
        lambda: build_heading(engine(), state), lambda exc: components.error_state(exc, state.lang)
    )


@callback(Output("ov-kpis", "children"), Input(STATE, "data"))
def _kpis(store):
    state = state_or_stop(store)
    return guarded(
        lambda: build_kpis(engine(), state), lambda exc: components.error_state(exc, state.lang)
    )


@callback(Output("ov-lagging", "children"), Input(STATE, "data"), Input(OPTIONS, "data"))
def _lagging(store, options):
    """The units lagging on the figure the map and the ranking show."""
    state = state_or_stop(store)
    options = options_or_stop(options)
    return guarded(
        lambda: build_lagging(engine(), state, FIGURE.get(options), "/", options),
        lambda exc: components.error_state(exc, state.lang),
    )


@callback(Output("ov-figure", "value"), Input(OPTIONS, "data"))
def _picker(options):
    return FIGURE.get(options_or_stop(options))


@callback(
    Output(URL, "search", allow_duplicate=True),
    Input("ov-figure", "value"),
    State(STATE, "data"),
    State(OPTIONS, "data"),
    prevent_initial_call=True,
)
def _choose_figure(key, store, options):
    """The picked figure goes into the address, so a reload or a shared link keeps it;
    only the map and the ranking read it."""
    state = state_or_stop(store)
    if key not in MAP_FIGURES or key == FIGURE.get(options):
        raise PreventUpdate
    return to_query(state, FIGURE.put(options, key))


@callback(
    *components.chart_outputs("ov-map"),
    Output("ov-map-codes", "data"),
    Output({"type": "chart-title", "chart": "ov-map"}, "children"),
    Output({"type": "chart-info-text", "chart": "ov-map"}, "children"),
    Input(STATE, "data"),
    Input(OPTIONS, "data"),
)
def _map(store, options):
    state = state_or_stop(store)
    key = FIGURE.get(options_or_stop(options))
    title = guarded(  # by county at a city's own scope
        lambda: map_title(engine(), state, key),
        lambda exc: t("ov_map", state.lang, figure=figure_name(key, state.lang)),
    )
    values = guarded(
        lambda: build_map(engine(), state, key),
        lambda exc: (*components.chart_error(exc, state.lang), []),
    )
    return (*values, title, figure_definition(key, state.lang))


@callback(
    *components.chart_outputs("ov-ranking"),
    Output({"type": "chart-title", "chart": "ov-ranking"}, "children"),
    Output({"type": "chart-info-text", "chart": "ov-ranking"}, "children"),
    Input(STATE, "data"),
    Input(OPTIONS, "data"),
)
def _ranking(store, options):
    state = state_or_stop(store)
    key = FIGURE.get(options_or_stop(options))
    title = t("ov_ranking", state.lang, figure=figure_name(key, state.lang))
    values = guarded(
        lambda: build_ranking(engine(), state, key),
        lambda exc: components.chart_error(exc, state.lang),
    )
    return (*values, title, figure_definition(key, state.lang))


@callback(
    *components.chart_outputs("ov-trend-rates"),
    *components.chart_outputs("ov-trend-meetings"),
    Input(STATE, "data"),
)
def _trends(store):
    state = state_or_stop(store)
    return guarded(
        lambda: build_trends(engine(), state),
        lambda exc: (
            *components.chart_error(exc, state.lang),
            *components.chart_error(exc, state.lang),
        ),
    )


@callback(
    Output(URL, "search", allow_duplicate=True),
    Input(components.graph_id("ov-map"), "clickData"),
    Input(components.graph_id("ov-ranking"), "clickData"),
    State("ov-map-codes", "data"),
    State(STATE, "data"),
    State(OPTIONS, "data"),
    prevent_initial_call=True,
)
def _drill(map_click, bar_click, trace_codes, store, options):
    state = state_or_stop(store)
    on_map = ctx.triggered_id == components.graph_id("ov-map")
    click = map_click if on_map else bar_click
    return drill_address(click, trace_codes if on_map else None, state, options)
