"""What a page module needs: the ids of the address and of the stores url_sync keeps in
step with it, the running warehouse, and small helpers for thin callbacks.

    @page_layout                     # layout(**query) -> the page skeleton in a language
    def layout(lang): ...
    Input(STATE, "data")             # the view (scope, period, filters, language)
    Input(OPTIONS, "data")           # the page options of the address (PageOption.get)
    state = state_or_stop(data)      # State from the store, within the user's scope
    engine()                         # the warehouse of the running app
    guarded(fn, on_error)            # fn(), or on_error(exc) (error_state / chart_error)
    Output(URL, "search", allow_duplicate=True)   # a page changes the view by the address
    drill_address(click, trace_codes, state, options)   # ... e.g. into the unit clicked
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import dash
from dash import ctx, dcc, no_update
from dash.exceptions import PreventUpdate
from flask import current_app
from sqlalchemy import Engine

from xieshang.access.scope import effective_scope
from xieshang.dashboard import auth
from xieshang.dashboard.state import Options, State, language, to_query

# Dash Pages' own dcc.Location (refresh="callback-nav"), found in the public page_container
URL: str = next(c.id for c in dash.page_container.children if isinstance(c, dcc.Location))
STATE = "state"
OPTIONS = "page-options"
# the address written again in place (history.replaceState, assets/address.js): writing
# the Location's search would push an entry that Back returns to, only to be written again
ADDRESS_FIX = "address-fix"
ENGINE_KEY = "XIESHANG_ENGINE"


def engine() -> Engine:
    """The running app's warehouse engine (set by create_app)."""
    return current_app.config[ENGINE_KEY]


def state_or_stop(store: dict | None) -> State:
    """The view state from the "state" store, within the signed-in user's scope (the
    store comes from the browser: a staff user's forged scope becomes their township);
    PreventUpdate until url_sync has set it."""
    if not store:
        raise PreventUpdate
    state = State.from_store(store)
    scope = effective_scope(auth.current_user(), state.scope)
    return state if scope == state.scope else state.replace(scope=scope)


def options_or_stop(store: dict | None) -> Options:
    """The page options from their store; PreventUpdate until url_sync has set it (to {}
    when the address has none)."""
    if store is None:
        raise PreventUpdate
    return store


def guarded(compute: Callable, on_error: Callable) -> Any:
    """compute(), or — if it raises — on_error(exc): what happened, in the page, instead
    of a failed callback (e.g. components.error_state / components.chart_error)."""
    try:
        return compute()
    except PreventUpdate:
        raise
    except Exception as exc:  # noqa: BLE001 — show what happened, never a blank part
        return on_error(exc)


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
    def layout(**query) -> Any:
        if _query_only_change():
            return no_update
        lang = query.get("lang")
        if isinstance(lang, list):  # a repeated parameter: its first value, as parse_query
            lang = lang[0]
        return build(language(lang))

    return layout


def drill_target(click: dict | None, trace_codes: list | None) -> str | None:
    """The area code a click on the map or a bar names: the point's customdata, else the
    code of the clicked trace (`trace_codes`, for map polygons)."""
    if not click or not click.get("points"):
        return None
    point = click["points"][0]
    code = point.get("customdata")
    if isinstance(code, list):
        code = code[0] if code else None
    if code:
        return code
    curve = point.get("curveNumber")
    if trace_codes and isinstance(curve, int) and 0 <= curve < len(trace_codes):
        return trace_codes[curve]
    return None


def drill_address(
    click: dict | None, trace_codes: list | None, state: State, options: Options | None
) -> str:
    """The address of the unit a click names (the page's options kept); PreventUpdate
    when the click names none or the unit already shown."""
    code = drill_target(click, trace_codes)
    if not code or code == state.scope:
        raise PreventUpdate
    return to_query(state.replace(scope=code), options)
