"""数据质量 Data quality (path "/data-quality"): counts of every signal, the villages
that have not submitted in the period's last month, Party participation above 100%,
held and rejected rows per township, the rejected rows with their reasons (the scope
filter narrows them to a township) and the load runs."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard import components, fmt, grid
from dashboard.frame import STATE, engine, guarded, page_layout, state_or_stop
from dashboard.i18n import t
from dashboard.views import data_quality as view

dash.register_page(
    __name__, path="/data-quality", name="数据质量", title="协商治理看板 · 数据质量", order=5
)

# (part id, builder, title key, grid height)
GRIDS = (
    ("dq-missing", view.build_missing, "dq_missing_title", 260),
    ("dq-over", view.build_over_100, "dq_over_title", 260),
    ("dq-held", view.build_held, "dq_held_title", 260),
    ("dq-rejects", view.build_rejects, "dq_rejects_title", 360),
    ("dq-runs", view.build_runs, "dq_runs_title", 260),
)


def _card(part: str, title, height: int):
    return dbc.Card(
        [
            dbc.CardHeader(html.Span(title, id=f"{part}-title", className="chart-title")),
            dbc.CardBody(
                [
                    components.loading(html.Div(id=f"{part}-note")),
                    grid.grid(f"{part}-grid", height=height),
                ]
            ),
        ],
        className="chart-card h-100",
    )


@page_layout
def layout(lang: str):
    cards = {part: _card(part, t(key, lang, month=""), h) for part, _, key, h in GRIDS}
    return html.Div(
        [
            html.H1(t("page_data_quality", lang), className="xs-title"),
            components.loading(html.Div(id="dq-summary")),
            dbc.Row(
                [
                    dbc.Col(cards["dq-missing"], lg=6, className="mb-3"),
                    dbc.Col(cards["dq-over"], lg=6, className="mb-3"),
                ],
                className="g-3",
            ),
            dbc.Row(
                [
                    dbc.Col(cards["dq-held"], lg=6, className="mb-3"),
                    dbc.Col(cards["dq-runs"], lg=6, className="mb-3"),
                ],
                className="g-3",
            ),
            html.Div(cards["dq-rejects"], className="mb-3"),
        ]
    )


@callback(Output("dq-summary", "children"), Input(STATE, "data"))
def _summary(store):
    state = state_or_stop(store)
    return guarded(
        lambda: view.build_summary(engine(), state),
        lambda exc: components.error_state(exc, state.lang),
    )


@callback(Output("dq-missing-title", "children"), Input(STATE, "data"))
def _missing_title(store):
    state = state_or_stop(store)
    month = guarded(lambda: view.last_month(engine(), state), lambda exc: "")
    return t("dq_missing_title", state.lang, month=fmt.month(month, state.lang) if month else "")


def _register(part: str, builder) -> None:
    @callback(
        *grid.grid_outputs(f"{part}-grid"),
        Output(f"{part}-note", "children"),
        Input(STATE, "data"),
    )
    def _part(store):
        state = state_or_stop(store)
        return guarded(
            lambda: builder(engine(), state),
            lambda exc: ([], [], components.error_state(exc, state.lang)),
        )


for _part_id, _builder, _key, _height in GRIDS:
    _register(_part_id, _builder)
