"""大屏 The big screen (/screen): what it shows, as pure functions — the page module
(dashboard/pages/screen.py) lays it out and wires the timers.

The screen shows the overview's headline figures (the same figures `xieshang kpi`
prints for the scope and period) and its map, beside a panel that rotates through each
page's key chart (`SLIDES`, in the order of the tabs). It composes the pages' own
builders — the one view that imports others (it sits above them in pyproject.toml's
layers) — so a chart on the wall is the chart on the page, restyled for the dark
(charts.dark) and without its ⓘ, table and buttons.

It refreshes itself: `poll` answers the latest committed load run when it differs from
the one the screen shows, and the page re-renders on that. Without `from` / `to` in the
address the period follows the data (`screen_state`): after a load with a later day the
screen shows 1 January to that day, as the dashboard's default view does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import parse_qsl

from dash import html, no_update
from sqlalchemy import Engine

from xieshang import exports
from xieshang.dashboard import components, data, fmt
from xieshang.dashboard.charts import dark, scores
from xieshang.dashboard.i18n import count_text, figure_name, t
from xieshang.dashboard.state import PageOption, State
from xieshang.dashboard.views import assessment, overview, ranking, resolutions, stakeholders
from xieshang.dashboard.views.empty_states import (
    no_warehouse,
    nothing_in_period,
    outside_data,
    outside_data_state,
)
from xieshang.dashboard.views.kpi_row import data_start

DEFAULT_ROTATE = 15  # seconds per chart
MIN_ROTATE, MAX_ROTATE = 2, 3600
POLL_SECONDS = 10  # how often the screen asks for a new load
HEADLINE_KEYS: tuple[str, ...] = overview.KPI_KEYS
MAP_FIGURE = overview.DEFAULT_FIGURE
DESIGN_SIZE = (1920, 1080)  # the screen the type is drawn for; larger screens scale up
# the pages' notes that say what a click opens (i18n keys): nothing on the screen opens
CLICK_HINTS = components.CLICK_HINTS


def _seconds(text: str) -> int | None:
    text = text.strip()
    if not text.isdigit():
        return None
    value = int(text)
    return value if MIN_ROTATE <= value <= MAX_ROTATE else None


ROTATE = PageOption("rotate", DEFAULT_ROTATE, read=_seconds, write=str)
"""`rotate=N`: seconds each chart stays (2 to 3600; default 15)."""


# --- the rotation ----------------------------------------------------------------------------


class Slide(NamedTuple):
    """One chart of the rotation: `key` (its ids' suffix), the page it comes from (the
    i18n key of that page's tab), its title, and its builder: (engine, state) -> the
    page's chart_content values."""

    key: str
    page_key: str
    title: Callable[[str], str]
    build: Callable[[Engine, State], tuple]


def _trend(engine_: Engine, state: State) -> tuple:
    return overview.build_trends(engine_, state)[:5]  # the rates; the meetings follow


def _participation(engine_: Engine, state: State) -> tuple:
    return ranking.build_ranking(engine_, state, "party_participation_rate")


def _assessment(engine_: Engine, state: State) -> tuple:
    """chart_content values of the assessment's scores (the page's table, as bars)."""
    lang = state.lang
    result = assessment.build_assessment(engine_, state)
    if result is None:
        return components.chart_content(None, None, lang, empty=no_warehouse(lang))
    if not result.rows:
        empty = components.empty_state(t("no_data", lang), t("no_rows_why", lang))
        return components.chart_content(None, None, lang, empty=empty)
    if not exports.has_data(result):
        # every unit would score 0 and tie at rank 1 (a period before the data): no ranking
        empty = nothing_in_period(result.scope_name, state)
        return components.chart_content(None, None, lang, empty=empty)
    selected = state.scope if state.scope != result.scope else None
    return components.chart_content(scores.score_bars(result.rows, lang, selected=selected), None)


SLIDES: tuple[Slide, ...] = (
    Slide("trend", "page_overview", lambda lang: t("ov_trend_rates", lang), _trend),
    Slide(
        "participation",
        "page_participation",
        lambda lang: t("ov_ranking", lang, figure=figure_name("party_participation_rate", lang)),
        _participation,
    ),
    Slide(
        "resolutions",
        "page_resolutions",
        lambda lang: t("rs_mix_title", lang),
        resolutions.build_status_mix,
    ),
    Slide(
        "stakeholders",
        "page_stakeholders",
        lambda lang: t("sh_heatmap", lang),
        stakeholders.build_heatmap,
    ),
    Slide("assessment", "page_assessment", lambda lang: t("sc_assessment", lang), _assessment),
)


def current_slide(n_intervals: int | None) -> int:
    """The index of the slide shown after `n_intervals` ticks of the rotation."""
    return (n_intervals or 0) % len(SLIDES)


def slide_classes(n_intervals: int | None, base: str) -> list[str]:
    """The class of every slide (or of its page's name above the panel: `base` says
    which): `base` and, for the one shown after `n_intervals` ticks, "is-current"."""
    shown = current_slide(n_intervals)
    return [f"{base} is-current" if i == shown else base for i in range(len(SLIDES))]


# --- what is shown, and when it changes ---------------------------------------------------------


def poll(engine_: Engine, shown: str | None):
    """The latest committed load run ("" before any load) when it differs from `shown`,
    the run the screen shows; else no_update, so nothing re-renders."""
    latest = data.version(engine_)[0] or ""
    return latest if latest != shown else no_update


def _given(search: str | None) -> set[str]:
    return {name for name, value in parse_qsl((search or "").lstrip("?")) if value.strip()}


def screen_state(engine_: Engine, state: State, search: str | None) -> State:
    """The view the screen shows: the address's state (`state`, from url_sync, within the
    user's scope), with the period's ends the address leaves out following the latest
    load (url_sync fixed them when the page loaded), and the roster's root for a view
    read before the first load, which has no scope (a staff user's has their township)."""
    defaults = data.directory(engine_).defaults()
    given = _given(search)
    start = state.start if "from" in given else defaults.start
    end = state.end if "to" in given else defaults.end
    if start > end:  # an end that moved before a given start: as url_sync would, the default
        start, end = defaults.start, defaults.end
    scope = defaults.scope if state.scope is None else state.scope
    return state.replace(scope=scope, start=start, end=end)


def figure_scale(size: list | tuple | None) -> float:
    """How much larger than on a 1920×1080 screen to draw: the smaller of the two ratios
    of the browser's inner size (the clientside piece of assets/screen.js), within 0.6–3."""
    if not size or len(size) != 2 or not all(isinstance(v, int | float) and v > 0 for v in size):
        return 1.0
    ratio = min(size[0] / DESIGN_SIZE[0], size[1] / DESIGN_SIZE[1])
    return round(min(3.0, max(0.6, ratio)), 3)


# --- builders -----------------------------------------------------------------------------------


def build_heading(engine_: Engine, state: State) -> html.Div:
    """The scope's name, the period, as_of, the filters in force, the data's freshness,
    and what the changes compare against."""
    directory = data.directory(engine_)
    lang = state.lang
    scope = directory.name(state.scope) if not directory.empty else t("no_data", lang)
    as_of = min(state.end, directory.last_load) if directory.last_load else state.end
    period = [
        f"{fmt.day(state.start)} — {fmt.day(state.end)}",
        t("as_of", lang, day=fmt.day(as_of)),
    ]
    period.extend(components.filter_words(state))
    fresh = (
        t("freshness", lang, day=fmt.day(directory.last_load))
        if directory.last_load
        else t("freshness_none", lang)
    )
    shown = [fresh]
    # a period outside the data has no tiles, so no changes to say what they compare with
    if not directory.empty and outside_data(directory, state) is None:
        previous = comparable_previous(engine_, state)
        shown.append(
            t("sc_against", lang, start=fmt.day(previous[0]), end=fmt.day(previous[1]))
            if previous
            else t("no_previous", lang)
        )
    return html.Div(
        [
            html.Div(t("sc_title", lang), className="xs-screen-brand"),
            html.H1(scope, id="sc-scope", className="xs-screen-scope"),
            html.Div(
                [
                    html.Div(" · ".join(period), id="sc-period"),
                    html.Div(" · ".join(shown), className="xs-screen-soft"),
                ],
                className="xs-screen-period",
            ),
        ],
        className="xs-screen-heading",
    )


def comparable_previous(engine_: Engine, state: State):
    """(start, end) of the period the changes compare against — the one of equal length
    just before — or None when it begins before the data (views.kpi_row's rule: no
    change against a half-empty period)."""
    start = data_start(data.directory(engine_))
    previous = state.previous()
    return previous if start is not None and previous[0] >= start else None


def headline(engine_: Engine, state: State) -> list[dict]:
    """The headline figures: per key of HEADLINE_KEYS its raw value (metrics.figures,
    as `xieshang kpi`), the text shown, the count behind it and the change against the
    comparable previous period (arrow, text, tone "good" / "bad" / "flat")."""
    lang = state.lang
    result = data.figures(engine_, state, keys=HEADLINE_KEYS)
    previous = (
        data.previous_figures(engine_, state, keys=HEADLINE_KEYS)
        if comparable_previous(engine_, state)
        else {}
    )
    no_value = t("no_value", lang)  # a rate with nothing behind it: 无数据, not 0.0% or —
    rows = []
    for key in HEADLINE_KEYS:
        arrow, magnitude, tone = components.change(key, result.get(key), previous.get(key))
        if arrow is None:
            change = ""
        elif arrow == "":
            change = t("unchanged", lang)
        else:
            unit = _unit(key, lang)
            change = f"{arrow} {magnitude}{' ' + unit if unit else ''}"
        rows.append(
            {
                "key": key,
                "name": figure_name(key, lang),
                "value": result.get(key),
                "text": no_value if result.get(key) is None else fmt.figure_value(key, result[key]),
                "count": count_text(
                    key, result.get("counts", {}), lang, as_of=fmt.day(result.get("as_of"))
                ),
                "change": change,
                "tone": tone,
            }
        )
    return rows


def _unit(key: str, lang: str) -> str:
    kind = fmt.kind_of(key)
    return {
        "rate": t("points", lang),
        "days": t("days_unit", lang),
        "score100": t("score_unit", lang),
    }.get(kind, "")


def build_headline(engine_: Engine, state: State):
    """The row of headline tiles (value id {"type": "sc-value", "key": key}); for a period
    outside the data, as the pages' KPI cards, no zeros of nothing but why."""
    directory = data.directory(engine_)
    if directory.empty:
        return no_warehouse(state.lang)
    outside = outside_data(directory, state)
    if outside is not None:
        return outside_data_state(outside, state.lang)
    return [
        html.Div(
            [
                html.Div(row["name"], className="xs-screen-name"),
                html.Div(
                    row["text"],
                    id={"type": "sc-value", "key": row["key"]},
                    className="xs-screen-value",
                ),
                html.Div(row["count"], className="xs-screen-count"),
                html.Div(row["change"], className=f"xs-screen-change xs-screen-{row['tone']}"),
            ],
            className="xs-screen-tile",
        )
        for row in headline(engine_, state)
    ]


def _shown(values: tuple, lang: str, scale: float) -> tuple:
    """(figure for the dark, graph style, empty state, notes) from a page's chart_content
    values: without a figure no_update (the graph is hidden) and the empty state; the
    page's notes but its "click to open" hints (nothing on the screen opens)."""
    figure, empty, notes = values[0], values[2], values[3]
    hints = {t(key, lang) for key in CLICK_HINTS}
    kept = [n for n in notes or () if getattr(n, "children", None) not in hints] or None
    if figure is None or figure is no_update:
        return no_update, components.HIDDEN, empty, kept
    return dark.on_dark(figure, scale), {"height": "100%", "width": "100%"}, None, kept


def build_map(engine_: Engine, state: State, scale: float = 1.0) -> tuple:
    """(figure, style, empty state, notes) of the map: the overview's, by MAP_FIGURE (a
    city's counties at its own scope, a county's townships below it); where none of
    those has an outline, the ranking of the same figure in its place (a wall screen
    shows figures, not the overview's note to the IT staff about assets/geo)."""
    if not overview.map_drawable(engine_, state, MAP_FIGURE):
        return _shown(ranking.build_ranking(engine_, state, MAP_FIGURE), state.lang, scale)
    return _shown(overview.build_map(engine_, state, MAP_FIGURE), state.lang, scale)


def map_title(lang: str) -> str:
    """The map's title before anything is known (the layout's): by township."""
    return t("ov_map", lang, figure=figure_name(MAP_FIGURE, lang))


def build_map_title(engine_: Engine, state: State) -> str:
    """The map's title for the view shown: the overview's (by county at a city's scope),
    or the ranking's where the map has no outline to draw (build_map)."""
    if not overview.map_drawable(engine_, state, MAP_FIGURE):
        return t("ov_ranking", state.lang, figure=figure_name(MAP_FIGURE, state.lang))
    return overview.map_title(engine_, state, MAP_FIGURE)


def build_slide(engine_: Engine, state: State, slide: Slide, scale: float = 1.0) -> tuple:
    """(figure, style, empty state, notes) of one slide."""
    return _shown(slide.build(engine_, state), state.lang, scale)
