"""The frame around every page (ui.md "Frame") and the address-is-the-state machinery.

Layout: top bar (name, six page tabs, 中文/EN, data freshness), the sticky filter bar
(township → village, period, form, topic category, reset), notices, then the page.

State flow (one direction at a time, all through the address):

    address ──(sync callback: parse_query)──► filter controls + dcc.Store "state"
    filter control ──(same callback: state_from_controls, to_query)──► address + "state"
    page callbacks: Input(STATE, "data") ──► their cards and charts

A page never writes the filters; to change the view (drill into a township) it writes
the address: `Output(URL, "search", allow_duplicate=True)` with `to_query(new_state)`.
The Dash Pages router re-renders a page's layout only when the path changes —
`page_layout` returns no_update when only the query changed, so a filter change updates
the parts that depend on it and nothing else. The 中文/EN switch is a plain link (a full
page load), so a page's skeleton is always in the address's language.

Helpers for page modules:

    @page_layout                     # layout(**query) -> the page skeleton in a language
    def layout(lang): ...
    state = state_or_stop(data)      # State from the store (PreventUpdate when empty)
    engine()                         # the warehouse of the running app
    guarded(fn, on_error)            # fn(), or on_error(exc) (error_state / chart_error)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

import dash
import dash_bootstrap_components as dbc
from dash import MATCH, Input, Output, State, ctx, dcc, html, no_update
from dash.exceptions import PreventUpdate
from flask import current_app

from xieshang.contract.columns import VOCABULARIES
from xieshang.dashboard import components, data, fmt
from xieshang.dashboard.i18n import t, vocab
from xieshang.dashboard.state import (
    PERIODS,
    Defaults,
    parse_query,
    preset_of,
    scope_to_controls,
    state_from_controls,
    to_query,
)
from xieshang.dashboard.state import (
    State as ViewState,
)

URL = "_pages_location"  # Dash Pages' own dcc.Location (refresh="callback-nav")
STATE = "state"
ENGINE_KEY = "XIESHANG_ENGINE"

# (path, i18n key) of the six pages, in tab order (interfaces.md "Dashboard addresses")
PAGES: tuple[tuple[str, str], ...] = (
    ("/", "page_overview"),
    ("/participation", "page_participation"),
    ("/resolutions", "page_resolutions"),
    ("/stakeholders", "page_stakeholders"),
    ("/assessment", "page_assessment"),
    ("/data-quality", "page_data_quality"),
)

_CONTROLS = {
    "f-first": "first",
    "f-second": "second",
    "f-period": "period",
    "f-dates": "dates",
    "f-form": "form",
    "f-category": "category",
}


# --- helpers for pages ----------------------------------------------------------------------------


def engine():
    """The running app's warehouse engine (set by create_app)."""
    return current_app.config[ENGINE_KEY]


def state_or_stop(store: dict | None) -> ViewState:
    """The view state from the "state" store; PreventUpdate until the frame has set it."""
    if not store:
        raise PreventUpdate
    return ViewState.from_store(store)


def guarded(compute: Callable, on_error: Callable):
    """compute(), or — if it raises — on_error(exc): what happened, in the page, instead
    of a failed callback (e.g. components.error_state / components.chart_error)."""
    try:
        return compute()
    except PreventUpdate:
        raise
    except Exception as exc:  # noqa: BLE001 — show what happened, never a blank part
        return on_error(exc)


def _lang_of(query: dict) -> str:
    value = query.get("lang")
    return "en" if isinstance(value, str) and value.strip().lower() == "en" else "zh"


def _query_only_change() -> bool:
    """True inside the router callback when only the address's query changed: the
    page's skeleton can stay and its callbacks update the parts. (The language never
    changes this way: the 中文/EN switch is a full page load.)"""
    try:
        triggered = set(ctx.triggered_prop_ids)
    except Exception:  # noqa: BLE001 — outside a callback (the validation layout)
        return False
    return triggered == {f"{URL}.search"}


def page_layout(build: Callable[[str], object]) -> Callable:
    """Decorator for a page module's `layout`: build(lang) makes the skeleton (static
    cards and chart cards with ids); data arrives through the page's callbacks."""

    @functools.wraps(build)
    def layout(**query):
        if _query_only_change():
            return no_update
        return build(_lang_of(query))

    return layout


# --- layout ---------------------------------------------------------------------------------------------


def _label(text_id: str, text: str, html_for: str) -> html.Label:
    return html.Label(text, id=text_id, htmlFor=html_for, className="xs-flabel")


def layout() -> html.Div:
    lang = "zh"
    topbar = html.Header(
        [
            dcc.Link(t("app_title", lang), id="brand", href="/", className="xs-brand"),
            html.Nav(id="nav", className="xs-tabs", children=_nav("/", "", lang)),
            html.Div(
                [
                    # a plain link: a full page load, every part rebuilt in the other language
                    html.A(
                        t("lang_switch", lang),
                        id="lang-link",
                        href="/?lang=en",
                        className="xs-lang",
                        title=t("lang_switch_title", lang),
                    ),
                    html.Span(id="freshness", className="xs-fresh"),
                ],
                className="xs-right",
            ),
        ],
        className="xs-topbar",
    )
    filterbar = html.Div(
        [
            html.Div(
                [
                    _label("l-first", t("f_township", lang), "f-first"),
                    dcc.Dropdown(
                        id="f-first",
                        placeholder=t("f_all_townships", lang),
                        clearable=True,
                        searchable=True,
                        className="xs-dd",
                    ),
                ],
                className="xs-fitem xs-fitem-area",
            ),
            html.Div(
                [
                    _label("l-second", t("f_village", lang), "f-second"),
                    dcc.Dropdown(
                        id="f-second",
                        placeholder=t("f_all_villages", lang),
                        clearable=True,
                        searchable=True,
                        disabled=True,
                        className="xs-dd",
                    ),
                ],
                className="xs-fitem xs-fitem-area",
            ),
            html.Div(
                [
                    _label("l-period", t("f_period", lang), "f-period"),
                    html.Div(
                        [
                            dbc.RadioItems(
                                id="f-period",
                                options=_period_options(lang),
                                value="year",
                                inline=True,
                                className="btn-group btn-group-sm xs-period",
                                inputClassName="btn-check",
                                labelClassName="btn btn-outline-secondary btn-sm",
                                labelCheckedClassName="active",
                            ),
                            dcc.DatePickerRange(
                                id="f-dates",
                                display_format="YYYY-MM-DD",
                                first_day_of_week=1,
                                minimum_nights=0,
                                className="xs-dates",
                            ),
                        ],
                        className="xs-period-row",
                    ),
                ],
                className="xs-fitem xs-fitem-period",
            ),
            html.Div(
                [
                    _label("l-form", t("f_form", lang), "f-form"),
                    dcc.Dropdown(
                        id="f-form",
                        options=_vocab_options("form", lang),
                        placeholder=t("f_all_forms", lang),
                        className="xs-dd",
                    ),
                ],
                className="xs-fitem",
            ),
            html.Div(
                [
                    _label("l-category", t("f_category", lang), "f-category"),
                    dcc.Dropdown(
                        id="f-category",
                        options=_vocab_options("topic_category", lang),
                        placeholder=t("f_all_categories", lang),
                        className="xs-dd",
                    ),
                ],
                className="xs-fitem",
            ),
            html.Div(
                [
                    html.Span(id="f-online", className="xs-chip"),
                    html.Button(
                        t("reset", lang),
                        id="f-reset",
                        n_clicks=0,
                        className="btn btn-link btn-sm xs-reset",
                    ),
                ],
                className="xs-fitem xs-fitem-end",
            ),
        ],
        className="xs-filterbar",
    )
    return html.Div(
        [
            dcc.Store(id=STATE),
            html.Div([topbar, filterbar], className="xs-sticky"),
            html.Div(id="notices", className="xs-notices"),
            html.Main(dash.page_container, className="xs-main"),
        ],
        className="xs-app",
    )


def _nav(pathname: str, search: str, lang: str) -> list:
    current = pathname.rstrip("/") or "/"
    links = []
    for path, key in PAGES:
        active = current == path
        links.append(
            dcc.Link(
                t(key, lang),
                href=path + search,
                id={"type": "nav", "page": key},
                className="xs-tab active" if active else "xs-tab",
            )
        )
    return links


def _period_options(lang: str) -> list[dict]:
    return [{"label": t(f"p_{p}", lang), "value": p} for p in PERIODS]


def _vocab_options(name: str, lang: str) -> list[dict]:
    return [{"label": vocab(name, code, lang), "value": code} for code in VOCABULARIES[name]]


def _area_options(pairs) -> list[dict]:
    return [{"label": name, "value": code} for code, name in pairs]


# --- the address <-> filters callback (pure core) ---------------------------------------------------------


def sync(
    trigger: str | None,
    search: str | None,
    controls: dict,
    current: ViewState | None,
    directory: data.Directory,
    today: date | None = None,
) -> dict:
    """What the filter bar and the address become after `trigger` ("search", "reset",
    a control name of _CONTROLS, or None on first load). Returns a dict with "search"
    (the new query string, or None to leave the address), "state", "notices" and the
    control values."""
    defaults: Defaults = directory.defaults(today)
    notices: tuple = ()
    new_search = None
    if trigger in (None, "search") or current is None:
        state, notices = parse_query(search, defaults)
    elif trigger == "reset":
        state = ViewState.default(defaults, lang=current.lang)
        new_search = to_query(state)
    else:
        start = _parse_day(controls.get("start"))
        end = _parse_day(controls.get("end"))
        state = state_from_controls(
            current,
            defaults,
            first=controls.get("first"),
            second=controls.get("second"),
            period=controls.get("period"),
            start=start,
            end=end,
            form=controls.get("form"),
            category=controls.get("category"),
            changed=trigger,
        )
        if state != current:
            new_search = to_query(state)
    first, second = scope_to_controls(state.scope, directory.root)
    return {
        "search": new_search,
        "state": state,
        "notices": notices,
        "first": first,
        "second": second,
        "first_options": _area_options(directory.children(directory.root)),
        "second_options": _area_options(directory.children(first)) if first else [],
        "period": preset_of(state.start, state.end, defaults.anchor),
        "start": state.start.isoformat(),
        "end": state.end.isoformat(),
        "form": state.form,
        "category": state.category,
    }


def _parse_day(value) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def notices_view(notices, lang: str):
    if not notices:
        return None
    items = [html.Li(t(f"notice_{n.reason}", lang, param=n.param, value=n.value)) for n in notices]
    return dbc.Alert(
        [
            html.Div(t("notice_title", lang), className="fw-semibold"),
            html.Ul(items, className="mb-0"),
        ],
        id="notice",
        color="warning",
        dismissable=True,
        className="xs-notice",
    )


# --- callbacks ---------------------------------------------------------------------------------------------


def register(app: dash.Dash) -> None:
    """The frame's callbacks (on this app, not global: several apps may share a process)."""

    @app.callback(
        Output(URL, "search"),
        Output(STATE, "data"),
        Output("notices", "children"),
        Output("f-first", "value"),
        Output("f-first", "options"),
        Output("f-second", "value"),
        Output("f-second", "options"),
        Output("f-second", "disabled"),
        Output("f-period", "value"),
        Output("f-dates", "start_date"),
        Output("f-dates", "end_date"),
        Output("f-form", "value"),
        Output("f-category", "value"),
        Output("f-first", "disabled"),
        Input(URL, "search"),
        Input("f-first", "value"),
        Input("f-second", "value"),
        Input("f-period", "value"),
        Input("f-dates", "start_date"),
        Input("f-dates", "end_date"),
        Input("f-form", "value"),
        Input("f-category", "value"),
        Input("f-reset", "n_clicks"),
        State(STATE, "data"),
    )
    def _sync(search, first, second, period, start, end, form, category, _reset, store):
        triggered = ctx.triggered_id
        if triggered == URL or triggered is None:
            trigger = "search"
        elif triggered == "f-reset":
            trigger = "reset"
        else:
            trigger = _CONTROLS.get(triggered, "search")
        if trigger == "dates" and not (start and end):
            raise PreventUpdate  # the user is between picking the first and the last day
        current = ViewState.from_store(store) if store else None
        directory = data.directory(engine())
        out = sync(
            trigger,
            search,
            {
                "first": first,
                "second": second,
                "period": period,
                "start": start,
                "end": end,
                "form": form,
                "category": category,
            },
            current,
            directory,
        )
        state: ViewState = out["state"]
        lang = state.lang
        new_store = state.to_store()

        def keep(value, old):
            return no_update if value == old else value

        return (
            out["search"] if out["search"] is not None else no_update,
            new_store if new_store != store else no_update,
            notices_view(out["notices"], lang) if trigger == "search" else None,
            keep(out["first"], first),
            out["first_options"],
            keep(out["second"], second),
            out["second_options"],
            not out["first"],
            keep(out["period"], period),
            keep(out["start"], start),
            keep(out["end"], end),
            keep(out["form"], form),
            keep(out["category"], category),
            directory.empty,
        )

    @app.callback(
        Output("nav", "children"),
        Output("lang-link", "href"),
        Output("lang-link", "children"),
        Output("lang-link", "title"),
        Output("freshness", "children"),
        Output("brand", "children"),
        Output("brand", "href"),
        Output("l-first", "children"),
        Output("l-second", "children"),
        Output("l-period", "children"),
        Output("l-form", "children"),
        Output("l-category", "children"),
        Output("f-first", "placeholder"),
        Output("f-second", "placeholder"),
        Output("f-form", "placeholder"),
        Output("f-category", "placeholder"),
        Output("f-form", "options"),
        Output("f-category", "options"),
        Output("f-period", "options"),
        Output("f-reset", "children"),
        Output("f-online", "children"),
        Input(STATE, "data"),
        Input(URL, "pathname"),
    )
    def _texts(store, pathname):
        if not store:
            raise PreventUpdate
        state = ViewState.from_store(store)
        lang = state.lang
        search = to_query(state)
        flipped = to_query(state.replace(lang="zh" if lang == "en" else "en"))
        directory = data.directory(engine())
        fresh = (
            t("freshness", lang, day=fmt.day(directory.last_load))
            if directory.last_load
            else t("freshness_none", lang)
        )
        online = None
        if state.online is not None:
            online = t("f_online_yes" if state.online else "f_online_no", lang)
        return (
            _nav(pathname or "/", search, lang),
            (pathname or "/") + flipped,
            t("lang_switch", lang),
            t("lang_switch_title", lang),
            fresh,
            t("app_title", lang),
            "/" + search,
            t("f_township", lang),
            t("f_village", lang),
            t("f_period", lang),
            t("f_form", lang),
            t("f_category", lang),
            t("f_all_townships", lang),
            t("f_all_villages", lang),
            t("f_all_forms", lang),
            t("f_all_categories", lang),
            _vocab_options("form", lang),
            _vocab_options("topic_category", lang),
            _period_options(lang),
            t("reset", lang),
            online,
        )

    # chart cards: the "数据" table and the CSV download, for every card on every page
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
            raise PreventUpdate
        return no_update, components.render_table(table, lang)

    @app.callback(
        Output({"type": "chart-download", "chart": MATCH}, "data"),
        Input({"type": "chart-csv", "chart": MATCH}, "n_clicks"),
        State({"type": "chart-data", "chart": MATCH}, "data"),
        prevent_initial_call=True,
    )
    def _download(n_clicks, table):
        if not n_clicks or not table:
            raise PreventUpdate
        return {
            "content": components.csv_text(table),
            "filename": f"{table.get('filename') or 'chart'}.csv",
            "type": "text/csv",
        }
