"""大屏 The big screen (path "/screen"): full screen, dark, large type, for a projector or
a command-centre wall — the headline figures and the map beside a panel that rotates
through each page's key chart every `rotate` seconds (default 15), refreshing itself after
each load. No tab: it is opened by its address (`scope`, `lang`, `from`, `to`, the filters
and `rotate`, read as everywhere, within the signed-in user's scope); the shell's bars
stay in the page but are covered (assets/screen.css), so the address sync works as on
every page.

Three timers, no reload: `sc-poll` asks every POLL_SECONDS for the latest load run and
writes it to `sc-run` only when it changed (views.screen.poll); the browser's inner size
goes to `sc-size` (assets/screen.js: Plotly's type is in pixels, drawn for the screen's
size); `sc-rotate` moves the rotation on. Everything is rendered by one callback, on the
state, the run and the size.
"""

from __future__ import annotations

import dash
from dash import (
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    dcc,
    html,
    no_update,
)
from dash.exceptions import PreventUpdate

from xieshang.dashboard import components
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
from xieshang.dashboard.views import screen as view

dash.register_page(
    __name__,
    path="/screen",
    name="大屏",
    title=page_title("page_screen"),
    title_key="page_screen",
    query_options=(view.ROTATE,),
)

SLIDE, TAB = "xs-screen-slide", "xs-screen-tab"  # a chart of the rotation; its page's name
GRAPH_CONFIG = {
    "displayModeBar": False,
    "displaylogo": False,
    "scrollZoom": False,
    "doubleClick": False,
}


def _graph(graph_id: str, lang: str) -> dcc.Graph:
    config = {**GRAPH_CONFIG, "locale": "en" if lang == "en" else "zh-CN"}
    return dcc.Graph(id=graph_id, config=config, responsive=True, style=components.HIDDEN)


def _slide(index: int, slide: view.Slide, lang: str) -> html.Section:
    return html.Section(
        [
            html.H2(slide.title(lang), className="xs-screen-panel-title"),
            html.Div(
                [_graph(f"sc-graph-{slide.key}", lang), html.Div(id=f"sc-empty-{slide.key}")],
                className="xs-screen-plot",
            ),
            html.Div(id=f"sc-notes-{slide.key}", className="xs-screen-notes"),
        ],
        id=f"sc-slide-{slide.key}",
        className=view.slide_classes(0, SLIDE)[index],
    )


@page_layout
def layout(lang: str):
    pages = [
        html.Span(
            t(s.page_key, lang), id=f"sc-tab-{s.key}", className=view.slide_classes(0, TAB)[i]
        )
        for i, s in enumerate(view.SLIDES)
    ]
    return html.Div(
        [
            dcc.Interval(id="sc-poll", interval=view.POLL_SECONDS * 1000),
            dcc.Interval(id="sc-rotate", interval=view.DEFAULT_ROTATE * 1000),
            dcc.Store(id="sc-run"),
            dcc.Store(id="sc-size"),
            html.Header(id="sc-heading"),
            html.Div(id="sc-headline", className="xs-screen-kpis"),
            html.Div(
                [
                    html.Section(
                        [
                            html.H2(
                                view.map_title(lang),
                                id="sc-map-title",
                                className="xs-screen-panel-title",
                            ),
                            html.Div(
                                [_graph("sc-map", lang), html.Div(id="sc-map-empty")],
                                className="xs-screen-plot",
                            ),
                            html.Div(id="sc-map-notes", className="xs-screen-notes"),
                        ],
                        className="xs-screen-panel xs-screen-map",
                    ),
                    html.Div(
                        [
                            html.Div(pages, className="xs-screen-pages"),
                            html.Div(
                                [_slide(i, s, lang) for i, s in enumerate(view.SLIDES)],
                                className="xs-screen-stage",
                            ),
                        ],
                        className="xs-screen-panel xs-screen-rotation",
                    ),
                ],
                className="xs-screen-body",
            ),
        ],
        id="screen",
        className="xs-screen",
        lang="en" if lang == "en" else "zh-CN",
    )


# --- timers -------------------------------------------------------------------------------------


@callback(Output("sc-rotate", "interval"), Input(OPTIONS, "data"))
def _rotate_every(options):
    return view.ROTATE.get(options_or_stop(options)) * 1000


@callback(
    Output("sc-run", "data"),
    Input("sc-poll", "n_intervals"),
    State("sc-run", "data"),
)
def _poll(_n, shown):
    return view.poll(engine(), shown)


clientside_callback(
    ClientsideFunction(namespace="screen", function_name="size"),
    Output("sc-size", "data"),
    Input("sc-poll", "n_intervals"),
    State("sc-size", "data"),
)


@callback(
    *[Output(f"sc-slide-{s.key}", "className") for s in view.SLIDES],
    *[Output(f"sc-tab-{s.key}", "className") for s in view.SLIDES],
    Input("sc-rotate", "n_intervals"),
    prevent_initial_call=True,
)
def _rotate(n):
    return *view.slide_classes(n, SLIDE), *view.slide_classes(n, TAB)


# --- everything shown ------------------------------------------------------------------------------


def _outputs(graph_id: str, empty_id: str, notes_id: str) -> list[Output]:
    return [
        Output(graph_id, "figure"),
        Output(graph_id, "style"),
        Output(empty_id, "children"),
        Output(notes_id, "children"),
    ]


@callback(
    Output("sc-heading", "children"),
    Output("sc-headline", "children"),
    Output("sc-map-title", "children"),
    *_outputs("sc-map", "sc-map-empty", "sc-map-notes"),
    *[
        o
        for s in view.SLIDES
        for o in _outputs(f"sc-graph-{s.key}", f"sc-empty-{s.key}", f"sc-notes-{s.key}")
    ],
    Input(STATE, "data"),
    Input("sc-run", "data"),
    Input("sc-size", "data"),
    State(URL, "search"),
)
def _render(store, run, size, search):
    """Everything, once the state, the run and the size are known (a change of any of
    them: the address, a new load, another screen), none before."""
    state = state_or_stop(store)
    if run is None or size is None:
        raise PreventUpdate
    warehouse = engine()
    state = view.screen_state(warehouse, state, search)
    scale = view.figure_scale(size)

    def failed(exc):
        return no_update, components.HIDDEN, components.error_state(exc, state.lang), None

    parts = [
        guarded(
            lambda: view.build_heading(warehouse, state),
            lambda e: components.error_state(e, state.lang),
        ),
        guarded(
            lambda: view.build_headline(warehouse, state),
            lambda e: components.error_state(e, state.lang),
        ),
        guarded(
            lambda: view.build_map_title(warehouse, state), lambda e: view.map_title(state.lang)
        ),
        *guarded(lambda: view.build_map(warehouse, state, scale), failed),
    ]
    for slide in view.SLIDES:
        parts += guarded(
            lambda slide=slide: view.build_slide(warehouse, state, slide, scale), failed
        )
    return tuple(parts)
