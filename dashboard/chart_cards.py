"""What every chart card does the same way on every page, wired once for all of them
(pattern-matching ids of components.chart_card): the "数据" toggle, which shows the
numbers behind the chart as a table, and the CSV download of those numbers (recorded in
the audit log). A page only writes the numbers (`components.chart_content`'s table) into
the card's store.

Also the view's title line (components.print_title: scope, period, as_of, filters), which
a printout carries on top and a chart's PNG download under the chart's title
(assets/chart_png.js reads it from the page, so the image and its file name always name
the view the chart shows)."""

from __future__ import annotations

import re

import dash
from dash import MATCH, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from xieshang.dashboard import auth, components, data, downloads
from xieshang.dashboard.page_kit import STATE, engine, state_or_stop
from xieshang.dashboard.state import State as ViewState

_CHART_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")


def _chart_filename(name: object) -> str:
    """A chart's CSV name (ranking-meetings.csv), as the page sent it: the audit row keeps
    it, so only a chart's kind of name, never one of the server's own files (rejects.csv,
    which leaders may not take) nor any other text."""
    filename = f"{name}.csv" if isinstance(name, str) and _CHART_NAME.fullmatch(name) else ""
    return filename if filename and filename not in downloads.FILES else "chart.csv"


def title_line(engine_, state: ViewState):
    """The title line's content for a view (None for an empty warehouse): the scope's
    name, the period, the day the figures are read on and the filters in force."""
    directory = data.directory(engine_)
    if directory.empty:
        return None
    lang = state.lang
    as_of = min(state.end, directory.last_load) if directory.last_load else state.end
    return components.print_title_line(
        directory.name(state.scope),
        state.start,
        state.end,
        as_of,
        components.filter_words(state),
        lang,
    )


def register(app: dash.Dash) -> None:
    """The chart cards' callbacks (on this app, beside the shell that holds the state)."""

    @app.callback(
        Output({"type": "chart-collapse", "chart": MATCH}, "is_open"),
        Output({"type": "chart-table", "chart": MATCH}, "children"),
        Input({"type": "chart-toggle", "chart": MATCH}, "n_clicks"),
        Input({"type": "chart-data", "chart": MATCH}, "data"),
        State({"type": "chart-collapse", "chart": MATCH}, "is_open"),
        State(STATE, "data"),
        prevent_initial_call=True,
    )
    def _toggle_table(_n, table, is_open, store):
        lang = (store or {}).get("lang", "zh")
        if isinstance(ctx.triggered_id, dict) and ctx.triggered_id.get("type") == "chart-toggle":
            is_open = not is_open
            return is_open, components.render_table(table, lang) if is_open else no_update
        if not is_open:
            raise PreventUpdate  # a closed table is rendered when it is opened
        return no_update, components.render_table(table, lang)

    @app.callback(Output(components.PRINT_TITLE, "children"), Input(STATE, "data"))
    def _title_line(store):
        return title_line(engine(), state_or_stop(store))

    @app.callback(
        Output({"type": "chart-download", "chart": MATCH}, "data"),
        Input({"type": "chart-csv", "chart": MATCH}, "n_clicks"),
        State({"type": "chart-data", "chart": MATCH}, "data"),
        State(STATE, "data"),
        prevent_initial_call=True,
    )
    def _download(n_clicks, table, store):
        if not n_clicks or not table:
            raise PreventUpdate
        filename = _chart_filename(table.get("filename"))
        # the numbers are those the page shows (sent back by the browser); the row says
        # who took which chart's, of which view
        state = state_or_stop(store)
        downloads.record(
            engine(), auth.current_user(), filename, state, via="chart", filename=filename
        )
        return {"content": components.csv_text(table), "filename": filename, "type": "text/csv"}
