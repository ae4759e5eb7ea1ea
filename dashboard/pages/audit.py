"""审计日志 Audit log (path "/audit"): the audit log with filters, for admins. It has no
tab (the six pages of ui.md have); admins reach it by the link beside their name. Every
other role gets a notice here, and its callback answers them nothing (a forged request
included); a direct page load by them is answered 403 before Dash (dashboard.auth)."""

from __future__ import annotations

from datetime import date

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, dcc, html

from xieshang.dashboard import auth, components, grid
from xieshang.dashboard.i18n import page_title, t
from xieshang.dashboard.page_kit import STATE, engine, guarded, page_layout, state_or_stop
from xieshang.dashboard.views.audit import action_options, build_log

dash.register_page(
    __name__, path="/audit", name="审计日志", title=page_title("page_audit"), title_key="page_audit"
)


def _forbidden(lang: str) -> html.Div:
    return components.empty_state(t("forbidden_title", lang), t("forbidden_why", lang))


def _filter(control_id: str, label: str, control) -> html.Div:
    return html.Div(
        [html.Label(label, htmlFor=control_id, className="xs-flabel"), control],
        className="xs-fitem",
    )


@page_layout
def layout(lang: str):
    if auth.current_user().role != "admin":
        return _forbidden(lang)
    filters = html.Div(
        [
            _filter(
                "au-user",
                t("au_user", lang),
                dcc.Input(id="au-user", type="text", debounce=True, className="form-control"),
            ),
            _filter(
                "au-action",
                t("au_action", lang),
                dcc.Dropdown(
                    id="au-action",
                    options=action_options(lang),
                    placeholder=t("au_all_actions", lang),
                    className="xs-dd",
                ),
            ),
            _filter(
                "au-since",
                t("au_since", lang),
                dcc.DatePickerSingle(
                    id="au-since",
                    display_format="YYYY-MM-DD",
                    clearable=True,
                    # not Dash's "Select Date", which is also the input's accessible name
                    placeholder=t("au_since", lang),
                    month_format="YYYY年MMM" if lang == "zh" else "MMMM YYYY",
                ),
            ),
        ],
        className="xs-audit-filters",
    )
    return html.Div(
        [
            html.H1(t("page_audit", lang), className="xs-title"),
            filters,
            dbc.Card(
                dbc.CardBody([grid.grid("au-grid", height=480, lang=lang), html.Div(id="au-note")]),
                className="chart-card",
            ),
        ]
    )


@callback(
    *grid.grid_outputs("au-grid"),
    Output("au-note", "children"),
    Input("au-user", "value"),
    Input("au-action", "value"),
    Input("au-since", "date"),
    Input(STATE, "data"),
)
def _log(user, action, since, store):
    state = state_or_stop(store)
    if auth.current_user().role != "admin":
        return [], [], _forbidden(state.lang)
    return guarded(
        lambda: build_log(
            engine(),
            (user or "").strip() or None,
            action,
            date.fromisoformat(since[:10]) if since else None,
            state.lang,
        ),
        lambda exc: ([], [], components.error_state(exc, state.lang)),
    )
