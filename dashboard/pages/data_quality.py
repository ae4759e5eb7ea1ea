"""数据质量 Data quality (path "/data-quality"): counts of every signal, who has submitted
in the period's last month (报送情况), Party participation above 100%,
held and rejected rows per township, the rejected rows with their reasons, the rows
held for a meeting that has not arrived, and the resolutions whose status went
backwards or due date moved later (the scope filter narrows each list; each has a CSV
download of all its rows), and the load runs. The switch on the rejected rows adds
those superseded by a resubmitted file, to the list and to its counts: the page's own
option `superseded` (views.data_quality.SUPERSEDED), in the address. Staff, who come to
fix their files, get their township's rejected and held rows first."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html
from dash.exceptions import PreventUpdate

from xieshang.dashboard import auth, components, downloads, fmt, grid
from xieshang.dashboard.i18n import page_title, t
from xieshang.dashboard.page_kit import (
    OPTIONS,
    STATE,
    URL,
    engine,
    guarded,
    options_or_stop,
    page_layout,
    state_or_stop,
)
from xieshang.dashboard.state import to_query
from xieshang.dashboard.views import data_quality as view
from xieshang.dashboard.views.data_quality import SUPERSEDED

dash.register_page(
    __name__,
    path="/data-quality",
    name="数据质量",
    title=page_title("page_data_quality"),
    title_key="page_data_quality",
    order=5,
    name_key="page_data_quality",
    query_options=(SUPERSEDED,),
)

# (part id, builder, title key, grid height)
GRIDS = (
    ("dq-status", view.build_status, "dq_status_title", 300),
    ("dq-over", view.build_over_100, "dq_over_title", 260),
    ("dq-held", view.build_held, "dq_held_title", 260),
    ("dq-rejects", view.build_rejects, "dq_rejects_title", 360),
    ("dq-held-rows", view.build_held_rows, "dq_held_rows_title", 320),
    ("dq-events", view.build_events, "dq_events_title", 320),
    ("dq-runs", view.build_runs, "dq_runs_title", 260),
)

# parts whose list staff take away to fix their files: part id -> its files
# (dashboard.downloads: the bytes of /download/<file>), a button each
DOWNLOADS = {
    "dq-rejects": ("rejects.csv", "rejects.xlsx"),
    "dq-held-rows": ("held-rows.csv",),
    "dq-events": ("resolution-events.csv",),
}
# a file's button: its label, its tooltip's key
BUTTON = {"csv": ("CSV", "csv"), "xlsx": ("Excel", "download_xlsx")}


def _ids(part: str, file: str) -> tuple[str, str]:
    """(the button's id, its dcc.Download's id) of one of a part's files."""
    kind = file.rsplit(".", 1)[1]
    return f"{part}-{kind}", f"{part}-download" if kind == "csv" else f"{part}-{kind}-download"


# "含已被重新提交取代的记录" (superseded=yes in the address): the summary and the parts
# that list or count rejects follow it
SWITCH = "dq-superseded"
FOLLOW_SWITCH = {"dq-held", "dq-rejects"}


def _download_buttons(part: str, lang: str) -> html.Div:
    parts = []
    for file in DOWNLOADS[part]:
        button, download = _ids(part, file)
        label, tooltip = BUTTON[file.rsplit(".", 1)[1]]
        parts.append(
            dbc.Button(
                label,
                id=button,
                size="sm",
                color="link",
                className="chart-btn",
                title=t(tooltip, lang),
                disabled=not downloads.allowed(file),
            )
        )
        parts.append(dcc.Download(id=download))
    return html.Div(parts, className="chart-actions")


def _switch(lang: str) -> html.Div:
    return html.Div(
        dbc.Switch(
            id=SWITCH,
            label=t("dq_include_superseded", lang),
            value=False,
            className="small mb-0",
        ),
        className="chart-controls",
        style={"flex": "0 0 auto"},  # the label on one line
    )


def _card(part: str, title, height: int, lang: str):
    head = [html.Span(title, id=f"{part}-title", className="chart-title")]
    if part == "dq-rejects":
        head.append(_switch(lang))
    if part in DOWNLOADS:
        head.append(_download_buttons(part, lang))
    return dbc.Card(
        [
            dbc.CardHeader(html.Div(head, className="chart-head")),
            dbc.CardBody(
                [
                    components.loading(html.Div(id=f"{part}-note")),
                    grid.grid(f"{part}-grid", height=height, lang=lang),
                ]
            ),
        ],
        className="chart-card h-100",
    )


def _pair(left, right) -> dbc.Row:
    return dbc.Row(
        [dbc.Col(left, lg=6, className="mb-3"), dbc.Col(right, lg=6, className="mb-3")],
        className="g-3",
    )


@page_layout
def layout(lang: str):
    cards = {part: _card(part, t(key, lang, month=""), h, lang) for part, _, key, h in GRIDS}
    rows = [
        html.Div(cards["dq-status"], className="mb-3"),
        _pair(cards["dq-over"], cards["dq-held"]),
        html.Div(cards["dq-runs"], className="mb-3"),
        html.Div(cards["dq-rejects"], className="mb-3"),
        html.Div(cards["dq-held-rows"], className="mb-3"),
        html.Div(cards["dq-events"], className="mb-3"),
    ]
    if auth.current_user().role == "staff":
        # staff come to fix their files: their rows first, the overviews after
        rows = rows[3:5] + rows[:3] + rows[5:]
    return html.Div(
        [
            html.H1(t("page_data_quality", lang), className="xs-title"),
            components.loading(html.Div(id="dq-summary")),
            *rows,
        ]
    )


def _options(part: str, options) -> dict:
    """The builder's keyword arguments: the switch, for the parts that follow it."""
    return {"include_superseded": SUPERSEDED.get(options)} if part in FOLLOW_SWITCH else {}


@callback(Output(SWITCH, "value"), Input(OPTIONS, "data"))
def _switch_value(options):
    return SUPERSEDED.get(options_or_stop(options))


@callback(
    Output(URL, "search", allow_duplicate=True),
    Input(SWITCH, "value"),
    State(STATE, "data"),
    State(OPTIONS, "data"),
    prevent_initial_call=True,
)
def _choose_superseded(value, store, options):
    """The switch goes into the address (superseded=yes), so a reload keeps it."""
    state = state_or_stop(store)
    if bool(value) == SUPERSEDED.get(options):
        raise PreventUpdate
    return to_query(state, SUPERSEDED.put(options, bool(value)))


@callback(Output("dq-summary", "children"), Input(STATE, "data"), Input(OPTIONS, "data"))
def _summary(store, options):
    state = state_or_stop(store)
    superseded = SUPERSEDED.get(options_or_stop(options))
    return guarded(
        lambda: view.build_summary(engine(), state, superseded),
        lambda exc: components.error_state(exc, state.lang),
    )


@callback(Output("dq-status-title", "children"), Input(STATE, "data"))
def _status_title(store):
    state = state_or_stop(store)
    month = guarded(lambda: view.last_month(engine(), state), lambda exc: "")
    return t("dq_status_title", state.lang, month=fmt.month(month, state.lang) if month else "")


def _register(part: str, builder) -> None:
    follows = [Input(OPTIONS, "data")] if part in FOLLOW_SWITCH else []

    @callback(
        *grid.grid_outputs(f"{part}-grid"),
        Output(f"{part}-note", "children"),
        Input(STATE, "data"),
        *follows,
    )
    def _part(store, options=None):
        state = state_or_stop(store)
        kwargs = _options(part, options_or_stop(options)) if follows else {}
        return guarded(
            lambda: builder(engine(), state, **kwargs),
            lambda exc: ([], [], components.error_state(exc, state.lang)),
        )


def _register_download(part: str, file: str) -> None:
    button, download = _ids(part, file)

    @callback(
        Output(download, "data"),
        Input(button, "n_clicks"),
        State(STATE, "data"),
        State(OPTIONS, "data"),
        prevent_initial_call=True,
    )
    def _download(n_clicks, store, options):
        state = state_or_stop(store)
        if not n_clicks:
            raise PreventUpdate
        return downloads.for_page(file, state, options)


for _part_id, _builder, _key, _height in GRIDS:
    _register(_part_id, _builder)
for _part_id, _files in DOWNLOADS.items():
    for _file in _files:
        _register_download(_part_id, _file)
