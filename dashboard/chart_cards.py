"""What every chart card does the same way on every page, wired once for all of them
(pattern-matching ids of components.chart_card): the "数据" toggle, which shows the
numbers behind the chart as a table, and the CSV download of those numbers (recorded in
the audit log). A page only writes the numbers (`components.chart_content`'s table) into
the card's store."""

from __future__ import annotations

import dash
from dash import MATCH, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from xieshang.dashboard import auth, components, downloads
from xieshang.dashboard.page_kit import STATE, engine, state_or_stop


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
        filename = f"{table.get('filename') or 'chart'}.csv"
        # the numbers are those the page shows (sent back by the browser); the row says
        # who took which chart's, of which view
        state = state_or_stop(store)
        downloads.record(
            engine(), auth.current_user(), filename, state, via="chart", filename=filename
        )
        return {"content": components.csv_text(table), "filename": filename, "type": "text/csv"}
