"""The shell around every page (ui.md "Frame"): the top bar (name, a tab per page of
`dash.page_registry`, 中文/EN, data freshness), the sticky filter bar (township →
village, period, form, topic category, reset), the notices, then the page.

`layout` is the app's layout function: Dash calls it on every page load, and it builds
the shell in the language of the page's address (`request_language`). The 中文/EN switch
is a plain link — a full page load — so nothing is ever translated in place; the one
callback here (`register`) keeps the links (tabs, name, 中文/EN) pointing at the current
view and shows the data's freshness.

A page takes its place in the tabs by its registry entry:

    dash.register_page(__name__, path="/participation", order=1, name="党员参与",
                       name_key="page_participation")   # i18n key of its tab label
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, ctx, dcc, html
from flask import has_app_context, has_request_context, request

from xieshang.access import User
from xieshang.contract.columns import VOCABULARIES
from xieshang.dashboard import auth, components, data, fmt
from xieshang.dashboard.i18n import page_title, t, vocab
from xieshang.dashboard.page_kit import ADDRESS_FIX, OPTIONS, STATE, URL, engine, state_or_stop
from xieshang.dashboard.state import PERIODS, PICKER_NAMES, language, picker_levels, to_query


def request_language() -> str:
    """The language of the page being loaded.

    Dash builds the app's layout on the page script's `_dash-layout` request, whose own
    query string is empty; the page's address, `lang=` included, is that same-origin
    request's Referer (browsers send the whole address to the same origin unless a
    referrer policy forbids it; the dashboard's, `same-origin`, keeps it for its own
    requests and sends none elsewhere — xieshang.dashboard.hardening). Without one — Dash's
    layout check at start-up, a browser that withholds it — Chinese, the default."""
    if not has_request_context():
        return "zh"
    # the first value, blank too (the default), as parse_query and the page take it
    query = parse_qs(urlsplit(request.referrer or "").query, keep_blank_values=True)
    return language(query.get("lang", [None])[0])


def _anyone(user: User) -> bool:
    return True


def nav_pages(user: User | None = None) -> list[tuple[str, str]]:
    """(path, i18n key of its tab label) of every page with a tab, in registry order
    (Dash Pages sorts the registry by each page's `order`); given a user, not the pages
    whose `shown_to` does not hold for them (a page's own address still answers)."""
    return [
        (page["path"], page["name_key"])
        for page in dash.page_registry.values()
        if page.get("name_key") and (user is None or page.get("shown_to", _anyone)(user))
    ]


# --- layout ---------------------------------------------------------------------------------------------

# where a callback that failed outright says so, by its error id (xieshang.dashboard.hardening)
ERROR_NOTICE = "error-notice"


def layout() -> html.Div:
    lang = request_language()
    return html.Div(
        [
            dcc.Store(id=STATE),
            dcc.Store(id=OPTIONS),
            dcc.Store(id=ADDRESS_FIX),
            dcc.Store(id=ADDRESS_FIX + "-done"),
            *_signin_off_banner(lang),
            html.Div([_top_bar(lang), _filter_bar(lang)], className="xs-sticky"),
            html.Div(id="notices", className="xs-notices"),
            html.Div(id=ERROR_NOTICE, className="xs-notices"),
            _no_answer_notice(lang),
            components.print_title(),  # on paper only (assets/print.css)
            html.Main(dash.page_container, className="xs-main"),
            html.Div(id="xs-titles", hidden=True, **{"data-titles": json.dumps(english_titles())}),
        ],
        className="xs-app",
    )


# shown by assets/session.js when a callback gets no answer (no connection, a 5xx)
NO_ANSWER = "no-answer"


def _no_answer_notice(lang: str) -> html.Div:
    """What the page says when the server did not answer a callback: without it the parts
    keep showing what they showed, under filters that no longer describe them. Written in
    the page's language now, since a page with no server cannot ask for it then."""
    return html.Div(
        html.Div(t("no_answer", lang), id=NO_ANSWER, className="alert alert-warning small mb-0"),
        id=NO_ANSWER + "-box",
        hidden=True,
        role="alert",
        className="xs-notices",
    )


def english_titles() -> dict[str, str]:
    """Each page's browser-tab title, Chinese -> English: Dash Pages sets the Chinese one
    it was registered with, which assets/title.js puts in English on an English page."""
    titles = {t("app_title"): t("app_title", "en")}
    for page in dash.page_registry.values():
        if page.get("title_key"):
            titles[page["title"]] = page_title(page["title_key"], "en")
    return titles


def _top_bar(lang: str) -> html.Header:
    """Name, tabs, 中文/EN, freshness. On a laptop all in one line; below 992 px (a phone,
    a narrow window) the tabs and the rest fold into a menu behind a button that names the
    current page, so no tab shrinks to one character (app.css)."""
    tabs = [
        dcc.Link(t(key, lang), href=path, id={"type": "nav", "page": key}, className="xs-tab")
        for path, key in nav_pages(auth.signed_in_user())
    ]
    return html.Header(
        [
            dcc.Link(t("app_title", lang), id="brand", href="/", className="xs-brand"),
            html.Button(
                [html.Span("☰", className="xs-menu-icon"), html.Span(id="nav-current")],
                id="nav-toggle",
                n_clicks=0,
                type="button",
                className="xs-nav-toggle",
                title=t("nav_menu", lang),
                **{"aria-controls": "nav-menu", "aria-label": t("nav_menu", lang)},
            ),
            dbc.Collapse(
                [
                    html.Nav(tabs, id="nav", className="xs-tabs"),
                    html.Div(
                        [
                            # a plain link: a full page load, every part built in the
                            # other language
                            html.A(
                                t("lang_switch", lang),
                                id="lang-link",
                                href="/" if lang == "en" else "/?lang=en",
                                className="xs-lang",
                                title=t("lang_switch_title", lang),
                            ),
                            html.Span(id="freshness", className="xs-fresh"),
                            *_user_links(lang),
                        ],
                        className="xs-right",
                    ),
                ],
                id="nav-menu",
                is_open=False,
                className="xs-nav-menu",
            ),
        ],
        className="xs-topbar",
    )


def _signin_off_banner(lang: str) -> list[html.Div]:
    if auth.enabled():
        return []
    return [html.Div(t("auth_off_banner", lang), id="signin-off", className="xs-signin-off")]


def _user_links(lang: str) -> list:
    """Who is signed in and the sign-out link; the audit log's link for admins (also with
    sign-in off, where everyone is). Nothing while nobody is signed in (Dash checks the
    layout on the server's first request, signed in or not)."""
    user = auth.signed_in_user()
    if user is None:
        return []
    suffix = "?lang=en" if lang == "en" else ""
    links = []
    if user.role == "admin":
        links.append(
            dcc.Link(t("page_audit", lang), href="/audit" + suffix, className="xs-user-link")
        )
    if auth.enabled():
        links += [
            html.Span(user.name, id="signed-in-user", title=t(f"role_{user.role}", lang)),
            html.A(
                t("sign_out", lang),
                id="sign-out",
                href="/logout" + suffix,
                className="xs-user-link",
            ),
        ]
    return [html.Span(links, className="xs-user")] if links else []


def _item(control_id: str, label: str, control, extra_class: str = "") -> html.Div:
    return html.Div(
        [
            html.Label(label, htmlFor=control_id, className="xs-flabel"),
            control,
        ],
        className=f"xs-fitem {extra_class}".strip(),
    )


def _dropdown(control_id: str, placeholder: str, **extra) -> dcc.Dropdown:
    return dcc.Dropdown(id=control_id, placeholder=placeholder, className="xs-dd", **extra)


_PICKER_TEXT = {
    "county": ("f_county", "f_all_counties"),
    "township": ("f_township", "f_all_townships"),
    "village": ("f_village", "f_all_villages"),
}


def _roster_levels() -> tuple[str, ...]:
    """The levels the area pickers choose (a county's roster: township, village; a
    city's: county, township, village)."""
    # the layout is also built outside an app and before sign-in (Dash checks it on its
    # first request, whoever sends it): a county's pickers then
    known = has_app_context() and auth.signed_in_user() is not None
    root = data.directory(engine()).root if known else None
    return picker_levels(root) or ("township", "village")


def _area_pickers(lang: str, levels: tuple[str, ...]) -> list[html.Div]:
    """One picker per level below the roster's root (township, village; a city's roster
    starts with its counties). The callbacks always have all PICKERS: one a county's
    roster does not use is hidden."""
    pickers = []
    for i, name in enumerate(PICKER_NAMES):
        label, placeholder = _PICKER_TEXT[levels[min(i, len(levels) - 1)]]
        item = _item(
            f"f-{name}",
            t(label, lang),
            _dropdown(
                f"f-{name}", t(placeholder, lang), clearable=True, searchable=True, disabled=i > 0
            ),
            "xs-fitem-area",
        )
        if i >= len(levels):
            item.style = {"display": "none"}
        pickers.append(item)
    return pickers


def _filter_bar(lang: str) -> html.Div:
    """The filters in one row from 1,366 px up: with a city's third picker (the county)
    and in English (longer period names) the controls are narrower (app.css,
    `xs-filterbar-city`, `xs-filterbar-en`)."""
    levels = _roster_levels()
    period = html.Div(
        [
            dbc.RadioItems(
                id="f-period",
                options=[{"label": t(f"p_{p}", lang), "value": p} for p in PERIODS],
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
                # Dash's defaults, "Start Date" / "End Date", are also the inputs'
                # accessible names
                start_date_placeholder_text=t("f_start_date", lang),
                end_date_placeholder_text=t("f_end_date", lang),
                # the calendar's month and weekday names: assets/date_locale.js
                month_format="YYYY年MMM" if lang == "zh" else "MMMM YYYY",  # 2026年1月
                className="xs-dates",
            ),
        ],
        className="xs-period-row",
    )
    return html.Div(
        [
            *_area_pickers(lang, levels),
            _item("f-period", t("f_period", lang), period, "xs-fitem-period"),
            _item(
                "f-form",
                t("f_form", lang),
                _dropdown("f-form", t("f_all_forms", lang), options=_vocab_options("form", lang)),
            ),
            _item(
                "f-category",
                t("f_category", lang),
                _dropdown(
                    "f-category",
                    t("f_all_categories", lang),
                    options=_vocab_options("topic_category", lang),
                ),
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
        className=" ".join(
            ["xs-filterbar", f"xs-filterbar-{lang}"]
            + (["xs-filterbar-city"] if len(levels) > 2 else [])
        ),
    )


def _vocab_options(name: str, lang: str) -> list[dict]:
    return [{"label": vocab(name, code, lang), "value": code} for code in VOCABULARIES[name]]


# --- the links and the freshness --------------------------------------------------------------------------


def register(app: dash.Dash) -> None:
    """The shell's callback (on this app: Dash Pages' page callbacks are process-wide,
    the shell's belong to the app that has the shell)."""

    @app.callback(
        Output({"type": "nav", "page": ALL}, "href"),
        Output({"type": "nav", "page": ALL}, "className"),
        Output("lang-link", "href"),
        Output("brand", "href"),
        Output("freshness", "children"),
        Output("f-online", "children"),
        Output("nav-current", "children"),
        Input(STATE, "data"),
        Input(OPTIONS, "data"),
        Input(URL, "pathname"),
    )
    def _links(store, options, pathname):
        state = state_or_stop(store)
        lang = state.lang
        pathname = pathname or "/"
        current = pathname.rstrip("/") or "/"
        search = to_query(state, options)
        flipped = to_query(state.replace(lang="zh" if lang == "en" else "en"), options)
        paths = {key: path for path, key in nav_pages()}
        tabs = [paths[output["id"]["page"]] for output in ctx.outputs_list[0]]
        directory = data.directory(engine())
        fresh = (
            t("freshness", lang, day=fmt.day(directory.last_load))
            if directory.last_load
            else t("freshness_none", lang)
        )
        online = None
        if state.online is not None:
            online = t("f_online_yes" if state.online else "f_online_no", lang)
        here = {path: key for key, path in paths.items()}.get(current)
        return (
            [path + search for path in tabs],
            ["xs-tab active" if path == current else "xs-tab" for path in tabs],
            pathname + flipped,
            "/" + search,
            fresh,
            online,
            t(here or "nav_menu", lang),
        )

    @app.callback(
        Output("nav-menu", "is_open"),
        Input("nav-toggle", "n_clicks"),
        Input(URL, "pathname"),
        Input(URL, "search"),
        State("nav-menu", "is_open"),
        prevent_initial_call=True,
    )
    def _menu(clicks, pathname, search, is_open):
        """The narrow screen's menu: the button opens and closes it; going to another
        page or view closes it."""
        return not is_open if ctx.triggered_id == "nav-toggle" else False
