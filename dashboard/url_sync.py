"""The address is the state: one callback keeps the address, the filter bar and the
stores the pages read consistent, one direction at a time.

    address ──(parse_query, parse_options)──► filter controls + "state" + "page-options"
    filter control ──(state_from_controls, to_query)──► address + "state"
    page callbacks: Input(STATE, "data") (+ Input(OPTIONS, "data")) ──► their parts

A page never writes the filters; to change the view (drill into a township, pick its
figure) it writes the address. Invalid values fall back with a notice, and so does a
scope outside the signed-in user's (xieshang.access.scope: a staff user's township), which
the pickers do not offer either. The page options are those the pages name in their
registry entries (`query_options`): this module checks them and keeps them in the address;
only their page reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from xieshang.access import User
from xieshang.access.scope import allowed_scope, home_scope, limit_of, sees
from xieshang.dashboard import auth, data
from xieshang.dashboard.i18n import t
from xieshang.dashboard.page_kit import OPTIONS, STATE, URL, engine
from xieshang.dashboard.state import (
    Defaults,
    Notice,
    PageOption,
    parse_options,
    parse_query,
    preset_of,
    scope_to_controls,
    state_from_controls,
    to_query,
)
from xieshang.dashboard.state import State as ViewState
from xieshang.warehouse.codes import is_above

_CONTROLS = {
    "f-first": "first",
    "f-second": "second",
    "f-period": "period",
    "f-dates": "dates",
    "f-form": "form",
    "f-category": "category",
}


def registered_options() -> list[PageOption]:
    """The options every page names in `dash.register_page(..., query_options=...)`."""
    return [
        option for page in dash.page_registry.values() for option in page.get("query_options", ())
    ]


# --- the pure core ---------------------------------------------------------------------------------------


def sync(
    trigger: str | None,
    search: str | None,
    controls: dict,
    current: ViewState | None,
    directory: data.Directory,
    today: date | None = None,
    options: Sequence[PageOption] = (),
    user: User | None = None,
) -> dict:
    """What the filter bar and the address become after `trigger` ("search", "reset",
    a control name of _CONTROLS, or None on first load), `search` being the address.
    Returns a dict with "search" (the new query string, or None to leave the address),
    "state", "options" (the page options the address keeps), "notices" and the control
    values. A reset drops the page options; a control keeps them.

    `user` (None: one who sees the whole roster) confines the view: their home scope is
    the default, a scope outside what they see becomes it (with a notice when the address
    asked for it), and the pickers offer only the areas on the way to and within it."""
    defaults: Defaults = directory.defaults(today)
    if user is not None:
        defaults = replace(defaults, scope=home_scope(user, directory.root))
    page_options, option_notices = parse_options(search, options)
    notices: tuple = ()
    new_search = None
    from_address = trigger in (None, "search") or current is None
    if from_address:
        state, notices = parse_query(search, defaults)
    elif trigger == "reset":
        state = ViewState.default(defaults, lang=current.lang)
        page_options = {}
    else:
        state = state_from_controls(
            current,
            defaults,
            first=controls.get("first"),
            second=controls.get("second"),
            period=controls.get("period"),
            start=_parse_day(controls.get("start")),
            end=_parse_day(controls.get("end")),
            form=controls.get("form"),
            category=controls.get("category"),
            changed=trigger,
        )
    if user is not None:
        scope, reason = allowed_scope(user, state.scope, directory.root)
        if reason is not None:
            if from_address:
                notices += (Notice("scope", state.scope, reason),)
            state = state.replace(scope=scope)
    if from_address:
        notices += option_notices
    elif trigger == "reset":
        new_search = to_query(state)
    elif state != current:
        new_search = to_query(state, page_options)
    first, second = scope_to_controls(state.scope, directory.root)
    offered = _offered(directory, user)
    return {
        "search": new_search,
        "state": state,
        "options": page_options,
        "notices": notices,
        "first": first,
        "second": second,
        "first_options": offered(directory.root),
        "second_options": offered(first) if first else [],
        "period": preset_of(state.start, state.end, defaults.anchor),
        "start": state.start.isoformat(),
        "end": state.end.isoformat(),
        "form": state.form,
        "category": state.category,
    }


def _offered(directory: data.Directory, user: User | None) -> Callable[[str | None], list[dict]]:
    """The picker options below an area: its children the user sees, or that lead to
    what they see (a city roster's county above a staff user's township)."""
    limit = limit_of(user) if user is not None else None

    def offered(parent: str | None) -> list[dict]:
        pairs = directory.children(parent)
        if limit is not None:
            pairs = [(c, n) for c, n in pairs if sees(user, c) or is_above(c, limit)]
        return _area_options(pairs)

    return offered


def _area_options(pairs) -> list[dict]:
    return [{"label": name, "value": code} for code, name in pairs]


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


# --- the callback ------------------------------------------------------------------------------------------


def register(app: dash.Dash) -> None:
    """The address <-> filters callback (on this app: the shell it writes is this app's)."""

    @app.callback(
        Output(URL, "search"),
        Output(STATE, "data"),
        Output(OPTIONS, "data"),
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
        State(OPTIONS, "data"),
    )
    def _sync(search, first, second, period, start, end, form, category, _reset, store, kept):
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
            options=registered_options(),
            user=auth.current_user(),
        )
        state: ViewState = out["state"]
        new_store = state.to_store()

        def keep(value, old):
            return no_update if value == old else value

        return (
            out["search"] if out["search"] is not None else no_update,
            new_store if new_store != store else no_update,
            out["options"] if out["options"] != kept else no_update,
            notices_view(out["notices"], state.lang) if trigger == "search" else None,
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
