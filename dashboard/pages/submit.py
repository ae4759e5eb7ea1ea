"""数据报送 Submit files (path "/submit"): township staff (and admins) download a blank
template, drop their files, and read at once what the load made of them — a line per
outcome, the files it did not read and why, every rejected row with the column as their
file names it and how to fix it (a page of rows at a time: the pages under a long list
turn through them all, each read again from the warehouse for a run the user may read
back), and per file with rejects the marked-up workbook to fix and send again — then
报送情况, who has sent what for a month, for their township.

The upload runs one submission (xieshang.submission.submit, through
dashboard.submissions.submit_for as the API does) in its callback, with a spinner and
"正在导入 N 个文件…" while it runs. The marked-up workbooks stay in the browser (a
dcc.Store in the page's memory: the user's own rows, of which the server keeps no copy)
and a clientside callback (assets/submit.js) hands one to the download. Leaders and evaluators see
a notice instead, and the callbacks answer them nothing (a forged request included)."""

from __future__ import annotations

import base64
import binascii

import dash
import dash_bootstrap_components as dbc
from dash import (
    ALL,
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
)
from dash.exceptions import PreventUpdate

from xieshang.access.scope import home_scope, may_submit
from xieshang.contract.said import said_by
from xieshang.dashboard import auth, components, data, grid, submissions
from xieshang.dashboard.i18n import page_title, t
from xieshang.dashboard.page_kit import STATE, engine, guarded, page_layout, state_or_stop
from xieshang.dashboard.views import submit as view
from xieshang.submission import Refused, rejects_page

dash.register_page(
    __name__,
    path="/submit",
    name="数据报送",
    title=page_title("page_submit"),
    title_key="page_submit",
    order=6,
    name_key="page_submit",
    shown_to=may_submit,  # a tab for those who send files; the others read
)

SHOWN = {"display": "flex"}
HIDDEN = {"display": "none"}


def _forbidden(lang: str) -> html.Div:
    return components.empty_state(t("sb_forbidden", lang), t("sb_forbidden_why", lang))


def _card(title_key: str, body: list, lang: str, part: str) -> dbc.Card:
    return dbc.Card(
        [
            dbc.CardHeader(html.Span(t(title_key, lang), className="chart-title")),
            dbc.CardBody(body),
        ],
        id=part,
        className="chart-card mb-3",
    )


def _upload(lang: str) -> list:
    limit = submissions.upload_limit()
    mb = limit // (1024 * 1024)
    return [
        dcc.Upload(
            html.Div(
                [
                    html.Div(t("sb_drop", lang)),
                    html.Div(t("sb_limit", lang, mb=mb), className="small"),
                ]
            ),
            id="sb-upload",
            multiple=True,
            # no `accept` nor `max_size`: the browser drops a file they refuse without a
            # word; the answer says why a file was not read, the gate below what is too large
            className="sb-drop",
            style={
                "border": "2px dashed #8aa4bf",
                "borderRadius": "6px",
                "padding": "28px 16px",
                "textAlign": "center",
                "cursor": "pointer",
                "background": "#f7f9fb",
            },
        ),
        html.Div(
            [
                dbc.Spinner(size="sm", color="primary", spinner_class_name="me-2"),
                html.Span(id="sb-progress-text"),
            ],
            id="sb-progress",
            className="align-items-center mt-2",
            style=HIDDEN,
        ),
        # the progress line's words ({n}: how many files), for the clientside callback
        dcc.Store(id="sb-progress-words", data=t("sb_running", lang)),
        # the limit and its words, for the clientside gate that sends only what fits
        dcc.Store(id="sb-gate", data={"limit": limit, "words": _too_large(lang)}),
        dcc.Store(id="sb-files"),
    ]


def _too_large(lang: str) -> str:
    return t("sb_too_large", lang, mb=submissions.upload_limit() // (1024 * 1024))


def _answer(lang: str) -> list:
    return [
        html.Div(components.empty_state(t("sb_waiting", lang)), id="sb-answer"),
        html.Div(id="sb-marked-buttons"),
        # the grid is made with its rows (a grid sizes its columns when it first shows)
        html.Div(id="sb-rejects-part"),
        dcc.Store(id="sb-marked"),
        dcc.Download(id="sb-marked-download"),
        dcc.Store(id="sb-done"),
    ]


def _status(lang: str) -> list:
    return [
        html.Div(
            [
                html.Label(t("sb_month", lang), htmlFor="sb-month", className="xs-flabel"),
                dcc.Dropdown(
                    id="sb-month", clearable=False, className="xs-dd", style={"minWidth": "160px"}
                ),
            ],
            className="xs-fitem mb-2",
        ),
        components.loading(html.Div(id="sb-status-note")),
        grid.grid("sb-status", height=360, lang=lang),
    ]


@page_layout
def layout(lang: str):
    title = html.H1(t("page_submit", lang), className="xs-title")
    if not may_submit(auth.current_user()):
        return html.Div([title, _forbidden(lang)])
    return html.Div(
        [
            title,
            _card(
                "sb_templates",
                [
                    html.P(t("sb_templates_why", lang), className="small mb-2"),
                    view.template_links(lang),
                ],
                lang,
                "sb-templates-card",
            ),
            _card("sb_upload", _upload(lang), lang, "sb-upload-card"),
            _card("sb_answer_title", _answer(lang), lang, "sb-answer-card"),
            _card("sb_status_title", _status(lang), lang, "sb-status-card"),
        ]
    )


def _files(sent: dict) -> list[tuple[str, bytes]]:
    """(name, bytes) of the uploaded files (dcc.Upload's data: URLs, as the gate passed
    them on)."""
    files = []
    contents, names = sent.get("contents"), sent.get("names")
    if not isinstance(contents, list) or not isinstance(names, list):
        raise PreventUpdate  # not what the page's gate sends
    for content, name in zip(contents, names, strict=False):
        if not isinstance(content, str) or not isinstance(name, str):
            raise PreventUpdate
        _, _, encoded = (content or "").partition(",")
        try:
            files.append((name or "", base64.b64decode(encoded, validate=True)))
        except (binascii.Error, ValueError):
            raise PreventUpdate from None  # not what the page's upload sends
    return files


def _submitted(files: list[tuple[str, bytes]], lang: str) -> tuple:
    try:
        made = submissions.submit_for(files)
    except Refused as refused:
        said = said_by(refused)
        return view.error_answer(said.en if lang == "en" else said.zh), [], None, [], dash.no_update
    stored = [
        {
            "source": m.source,
            "filename": m.filename,
            "content": base64.b64encode(m.content).decode("ascii"),
        }
        for m in made.marked
    ]
    return (
        view.answer(made.report, made.held, made.folder, lang),
        view.reject_part(made.rejects, made.earlier, lang),
        stored,
        view.marked_buttons(stored, lang),
        made.report["run_id"],
    )


@callback(
    Output("sb-answer", "children"),
    Output("sb-rejects-part", "children"),
    Output("sb-marked", "data"),
    Output("sb-marked-buttons", "children"),
    Output("sb-done", "data"),
    # emptied once answered: the same file chosen again is then a change, and answered
    Output("sb-upload", "contents"),
    Input("sb-files", "data"),
    State(STATE, "data"),
    running=[
        (Output("sb-progress", "style"), SHOWN, HIDDEN),
        (Output("sb-upload", "disabled"), True, False),
    ],
    prevent_initial_call=True,
)
def _upload_files(sent, store):
    state = state_or_stop(store)
    if not isinstance(sent, dict) or not may_submit(auth.current_user()):
        raise PreventUpdate
    files = _files(sent)
    if sum(len(data) for _, data in files) > submissions.upload_limit():
        # the gate's check, made again: nothing from the browser is trusted
        alert = dbc.Alert(_too_large(state.lang), color="warning", className="small mb-0")
        return alert, [], None, [], None, None
    answered = guarded(
        lambda: _submitted(files, state.lang),
        lambda exc: (components.error_state(exc, state.lang), [], None, [], None),
    )
    return (*answered, None)


# the clientside callbacks live in assets/submit.js (no inline script: the CSP); the
# gate passes the chosen files on when they fit the limit, else says so in their place
clientside_callback(
    ClientsideFunction("xieshang_submit", "gate"),
    Output("sb-files", "data"),
    Output("sb-answer", "children", allow_duplicate=True),
    Output("sb-rejects-part", "children", allow_duplicate=True),
    Output("sb-marked-buttons", "children", allow_duplicate=True),
    Output("sb-upload", "contents", allow_duplicate=True),
    Input("sb-upload", "contents"),
    State("sb-upload", "filename"),
    State("sb-gate", "data"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction("xieshang_submit", "progress"),
    Output("sb-progress-text", "children"),
    Input("sb-upload", "filename"),
    State("sb-progress-words", "data"),
    prevent_initial_call=True,
)
clientside_callback(
    ClientsideFunction("xieshang_submit", "marked"),
    Output("sb-marked-download", "data"),
    Input({"type": "sb-marked-btn", "index": ALL}, "n_clicks"),
    State("sb-marked", "data"),
    prevent_initial_call=True,
)


def _turn_page(grid_id: str):
    """A list of rejects longer than a page: the page chosen under its grid, read again
    from the warehouse for the run the page answered (sb-done) — when the signed-in user
    may read that run back (xieshang.submission.rejects_page): the run id is the
    browser's, trusted with nothing."""

    @callback(
        Output(grid_id, "rowData"),
        Input(view.pager_id(grid_id), "active_page"),
        State("sb-done", "data"),
        State(STATE, "data"),
        prevent_initial_call=True,
    )
    def _page(page, run_id, store):
        state = state_or_stop(store)
        user = auth.current_user()
        if not may_submit(user) or not isinstance(page, int) or page < 1:
            raise PreventUpdate
        start = (page - 1) * view.PAGE_ROWS
        rows, _total = rejects_page(
            engine(), user, run_id, view.PARTS[grid_id], start, start + view.PAGE_ROWS
        )
        if not rows:
            raise PreventUpdate  # not the user's run, or a page past the last
        return view.reject_page(rows, state.lang)

    return _page


for _grid_id in view.PARTS:
    _turn_page(_grid_id)


@callback(
    Output("sb-month", "options"),
    Output("sb-month", "value"),
    Input(STATE, "data"),
    Input("sb-done", "data"),
    State("sb-month", "value"),
)
def _months(store, _done, chosen):
    """The months to pick from; after a submission, the month of that load (the default),
    else the month chosen while it is still offered."""
    state = state_or_stop(store)
    if not may_submit(auth.current_user()):
        raise PreventUpdate
    options, default = view.month_options(engine(), state.lang)
    offered = {o["value"] for o in options}
    submitted = ctx.triggered_id == "sb-done"
    return options, chosen if chosen in offered and not submitted else default


@callback(
    *grid.grid_outputs("sb-status"),
    Output("sb-status-note", "children"),
    Input("sb-month", "value"),
    Input("sb-done", "data"),
    State(STATE, "data"),
)
def _status_grid(month, _done, store):
    state = state_or_stop(store)
    user = auth.current_user()
    if not may_submit(user):
        raise PreventUpdate
    scope = home_scope(user, data.directory(engine()).root)
    return guarded(
        lambda: view.build_status(engine(), scope, month, state.lang),
        lambda exc: ([], [], components.error_state(exc, state.lang)),
    )
