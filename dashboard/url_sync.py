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

import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from urllib.parse import parse_qsl, urlencode

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from xieshang.access import User
from xieshang.access.scope import allowed_scope, home_scope, limit_of, sees
from xieshang.dashboard import auth, data
from xieshang.dashboard.i18n import t
from xieshang.dashboard.page_kit import ADDRESS_FIX, OPTIONS, STATE, URL, engine
from xieshang.dashboard.state import (
    PICKER_NAMES,
    Defaults,
    Notice,
    PageOption,
    parse_options,
    parse_query,
    period_day,
    picker_levels,
    preset_of,
    scope_to_controls,
    state_from_controls,
    to_query,
)
from xieshang.dashboard.state import State as ViewState
from xieshang.warehouse.codes import LEVELS, is_above, level_of

_CONTROLS = {
    **{f"f-{name}": name for name in PICKER_NAMES},
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
    asked for it), and the pickers offer only the areas on the way to and within it. An
    address whose values fell back is to be written again in place without them ("fixed":
    the query, else None). "locked" names the pickers the user cannot change: a staff
    user's levels down to their township, each with its one choice (the server confines
    the view whatever they send; this keeps the pickers from looking changeable)."""
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
            **{name: controls.get(name) for name in PICKER_NAMES},
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
    fixed = None
    if from_address:
        notices += option_notices
        if notices:  # the address drops what fell back: a link copied from it asks no more
            fixed = _without(search, notices)
    elif trigger == "reset":
        new_search = to_query(state)
    elif state != current:
        new_search = to_query(state, page_options)
    picked = scope_to_controls(state.scope, directory.root)
    depth = len(picker_levels(directory.root))
    offered = _offered(directory, user)
    pickers = {
        name: {
            "value": picked[i],
            # a picker offers the children of the one above; the first, the root's
            "options": (offered(directory.root if i == 0 else picked[i - 1]))
            if i < depth and (i == 0 or picked[i - 1])
            else [],
        }
        for i, name in enumerate(PICKER_NAMES)
    }
    return {
        "locked": _locked(directory.root, user),
        "search": new_search,
        "fixed": fixed,
        "state": state,
        "options": page_options,
        "notices": notices,
        "pickers": pickers,
        "period": preset_of(state.start, state.end, defaults.anchor),
        "start": state.start.isoformat(),
        "end": state.end.isoformat(),
        "form": state.form,
        "category": state.category,
    }


def _without(search: str | None, notices: Sequence[Notice]) -> str:
    """`search` without the parameters that fell back, the rest as the address wrote it:
    written out in full, a view of the default period would be pinned to today's dates
    (a wall screen's address would stop following the loads)."""
    dropped = {notice.param for notice in notices}
    if any(notice.reason == "reversed_dates" for notice in notices):
        dropped |= {"from", "to"}
    pairs = parse_qsl((search or "").lstrip("?"), keep_blank_values=True)
    kept = [(key, value) for key, value in pairs if key not in dropped]
    return "?" + urlencode(kept) if kept else ""


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


def _locked(root: str | None, user: User | None) -> frozenset[str]:
    """The pickers a user cannot change: those at their limit's level and above it."""
    limit = limit_of(user) if user is not None else None
    if limit is None:
        return frozenset()
    depth = LEVELS.index(level_of(limit))
    return frozenset(
        name
        for name, level in zip(PICKER_NAMES, picker_levels(root), strict=False)
        if LEVELS.index(level) <= depth
    )


def _area_options(pairs) -> list[dict]:
    return [{"label": name, "value": code} for code, name in pairs]


def _parse_day(value) -> date | None:
    """The picker's day (it may carry a time), None for one the address would refuse:
    the period then keeps its days, and the picker shows them again."""
    return period_day(str(value)[:10]) if value else None


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
    """The address <-> filters callback (on this app: the shell it writes is this app's),
    and the one in the browser that writes a fixed address in place."""
    app.clientside_callback(
        ClientsideFunction(namespace="xieshang_address", function_name="replace"),
        Output(ADDRESS_FIX + "-done", "data"),
        Input(ADDRESS_FIX, "data"),
    )

    picker_outputs = [
        output
        for name in PICKER_NAMES
        for output in (
            Output(f"f-{name}", "value"),
            Output(f"f-{name}", "options"),
            Output(f"f-{name}", "disabled"),
            Output(f"f-{name}", "clearable"),
        )
    ]

    @app.callback(
        Output(URL, "search"),
        Output(ADDRESS_FIX, "data"),
        Output(STATE, "data"),
        Output(OPTIONS, "data"),
        Output("notices", "children"),
        *picker_outputs,
        Output("f-period", "value"),
        Output("f-dates", "start_date"),
        Output("f-dates", "end_date"),
        Output("f-form", "value"),
        Output("f-category", "value"),
        Input(URL, "search"),
        *(Input(f"f-{name}", "value") for name in PICKER_NAMES),
        Input("f-period", "value"),
        Input("f-dates", "start_date"),
        Input("f-dates", "end_date"),
        Input("f-form", "value"),
        Input("f-category", "value"),
        Input("f-reset", "n_clicks"),
        State(STATE, "data"),
        State(OPTIONS, "data"),
    )
    def _sync(search, *values):
        *picked, period, start, end, form, category, _reset, store, kept = values
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
                **dict(zip(PICKER_NAMES, picked, strict=True)),
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

        pickers = []
        for name, old in zip(PICKER_NAMES, picked, strict=True):
            picker = out["pickers"][name]
            # an empty roster disables them all; below the first, one without choices; a
            # staff user's levels down to their township have one choice each: shown, fixed
            locked = name in out["locked"]
            disabled = (
                directory.empty or locked or (name != PICKER_NAMES[0] and not picker["options"])
            )
            pickers += [keep(picker["value"], old), picker["options"], disabled, not locked]
        return (
            out["search"] if out["search"] is not None else no_update,
            # a new value each time, so that the same address fixed twice is written twice
            {"search": out["fixed"], "id": uuid.uuid4().hex}
            if out["fixed"] is not None
            else no_update,
            new_store if new_store != store else no_update,
            out["options"] if out["options"] != kept else no_update,
            notices_view(out["notices"], state.lang) if trigger == "search" else None,
            *pickers,
            keep(out["period"], period),
            keep(out["start"], start),
            keep(out["end"], end),
            keep(out["form"], form),
            keep(out["category"], category),
        )
