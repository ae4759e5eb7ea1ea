"""总览 Overview: what its parts show, as pure functions of (engine, state) — the page
module (dashboard/pages/overview.py) only lays them out and wires the callbacks.

Each builder returns exactly what its callback writes (components, or the values of
components.chart_outputs), so the tests call the builders on a real warehouse and check
the numbers without a browser.
"""

from __future__ import annotations

from datetime import date

from dash import dcc, html

from xieshang.dashboard import charts, components, data, fmt, geometry, stats
from xieshang.dashboard.i18n import figure_name, t, vocab
from xieshang.dashboard.paths import assets_dir
from xieshang.dashboard.state import State as ViewState
from xieshang.dashboard.state import to_query

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
DATA_QUALITY_PATH = "/data-quality"
TREND_RATES: tuple[str, ...] = (
    "implementation_rate",
    "party_participation_rate",
    "stakeholder_coverage",
    "regularity",
)


# --- builders ------------------------------------------------------------------------


def _no_warehouse(lang: str):
    return components.empty_state(t("no_data", lang), t("empty_warehouse", lang))


def _why_empty(directory: data.Directory, state: ViewState) -> str:
    return t(
        "no_data_why",
        state.lang,
        scope=directory.name(state.scope),
        start=fmt.day(state.start),
        end=fmt.day(state.end),
    )


def build_heading(engine_, state: ViewState):
    """Breadcrumb from the root to the scope (each link keeps the other filters), the
    period, as_of and the active filters."""
    directory = data.directory(engine_)
    lang = state.lang
    if directory.empty:
        return None
    chain = []
    code = state.scope
    while code is not None:
        chain.append(code)
        code = directory.parent(code)
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
    if state.form:
        parts.append(f"{t('f_form', lang)}：{vocab('form', state.form, lang)}")
    if state.category:
        parts.append(f"{t('f_category', lang)}：{vocab('topic_category', state.category, lang)}")
    if state.online is not None:
        parts.append(t("f_online_yes" if state.online else "f_online_no", lang))
    return html.Div(
        [
            html.H1(crumbs, className="xs-title"),
            html.Div(" · ".join(parts), className="xs-subtitle"),
        ]
    )


def data_start(directory: data.Directory) -> date | None:
    """The first day of the month of the earliest meeting: offices report whole months,
    so the data cover that month on."""
    first = directory.first_day
    return first.replace(day=1) if first else None


def kpi_row_for(engine_, state: ViewState, keys: tuple[str, ...]):
    """A KPI row of `keys` for the state's scope and period, against the previous period
    of equal length — unless that period begins before the data do: a change against a
    half-empty period would be a false alarm (the default year-to-date view of a
    warehouse started last December compared with one month), so the cards say why
    there is no change instead. Every page's KPI row is this one."""
    directory = data.directory(engine_)
    lang = state.lang
    if directory.empty:
        return _no_warehouse(lang)
    result = data.figures(engine_, state, keys=keys)
    previous_start, previous_end = state.previous()
    start = data_start(directory)
    if start is not None and previous_start >= start:
        previous = data.previous_figures(engine_, state, keys=keys)
        return components.kpi_row(keys, result, previous, lang)
    why = None
    if start is not None:
        first = fmt.day(start)
        why = (
            t("previous_before_data", lang, first=first),
            t(
                "previous_before_data_title",
                lang,
                start=fmt.day(previous_start),
                end=fmt.day(previous_end),
                first=first,
            ),
        )
    return components.kpi_row(keys, result, None, lang, no_previous=why)


def build_kpis(engine_, state: ViewState):
    return kpi_row_for(engine_, state, KPI_KEYS)


def _county_of(directory: data.Directory, scope: str) -> str:
    """The area whose children the map shows: the county containing the scope."""
    county = scope[:6] + "000000"
    return county if county in directory.names else directory.root


def map_units(engine_, state: ViewState, key: str) -> tuple[str, str | None, list[dict]]:
    """(county, selected township or None, ranked township rows) for the map."""
    directory = data.directory(engine_)
    county = _county_of(directory, state.scope)
    selected = (
        state.scope[:9] + "000"
        if state.scope != county and state.scope[:9] + "000" in directory.names
        else None
    )
    rows = data.figures_by_child(engine_, state, scope=county, keys=[key])
    higher = _higher_is_better(key)
    return county, selected, stats.rank_rows(rows, key, higher_is_better=higher)


def _higher_is_better(key: str) -> bool:
    from xieshang.metrics import FIGURE_INFO

    return FIGURE_INFO[key]["higher_is_better"]


def shapes_for(engine_, codes) -> dict:
    """Township polygons: the GeoJSON in assets/geo/; for a demo warehouse whose
    townships the file does not cover, a generated layout."""
    shapes = geometry.load_shapes(assets_dir() / geometry.DEFAULT_FILE)
    missing = [c for c in codes if c not in shapes]
    if missing and data.is_demo(engine_):
        return geometry.demo_shapes(codes)
    return shapes


def _ranking_table(ranked: list[dict], key: str, lang: str, filename: str) -> dict:
    name = figure_name(key, lang)
    if charts.is_rate(key):
        columns = [
            ("rank", t("col_rank", lang), "count"),
            ("area_name", t("col_area", lang), "text"),
            ("area_code", t("col_code", lang), "text"),
            ("value", name, "percent"),
            ("k", t("col_numerator", lang), "count"),
            ("n", t("col_denominator", lang), "count"),
            ("ci_low", t("col_ci_low", lang), "percent"),
            ("ci_high", t("col_ci_high", lang), "percent"),
            ("note", t("col_note", lang), "text"),
        ]
    else:
        columns = [
            ("rank", t("col_rank", lang), "count"),
            ("area_name", t("col_area", lang), "text"),
            ("area_code", t("col_code", lang), "text"),
            ("value", name, "count" if fmt.kind_of(key) == "count" else "number"),
            ("note", t("col_note", lang), "text"),
        ]
    rows = []
    for r in ranked:
        rows.append(
            {
                **r,
                "ci_low": r["ci"][0] if r.get("ci") else None,
                "ci_high": r["ci"][1] if r.get("ci") else None,
                "note": _note(r, lang),
            }
        )
    return components.table_data(columns, rows, filename)


def _note(row: dict, lang: str) -> str:
    if row.get("over_100"):
        return t("over_100", lang)
    return t("too_few", lang) if row["too_few"] else ""


def build_map(engine_, state: ViewState, key: str):
    """(chart_content values…, trace codes) of the map card: the county's townships
    filled by `key`, the scope's township outlined; townships without a polygon are
    named under the map (and still ranked in the bar chart)."""
    lang = state.lang
    directory = data.directory(engine_)
    if directory.empty:
        return (*components.chart_content(None, None, lang, empty=_no_warehouse(lang)), [])
    county, selected, ranked = map_units(engine_, state, key)
    codes = [r["area_code"] for r in ranked]
    shapes = shapes_for(engine_, codes)
    table = _ranking_table(ranked, key, lang, f"map-{key}")
    if not any(shapes.get(c) for c in codes):
        empty = components.empty_state(t("no_geometry", lang))
        return (*components.chart_content(None, table, lang, empty=empty), [])
    figure, trace_codes = charts.township_map(shapes, ranked, key, lang, selected=selected)
    missing = [directory.name(c) for c in codes if not shapes.get(c)]
    notes = [t("drill_hint_map", lang)]
    if missing:
        notes.append(t("map_missing", lang, names=("、" if lang == "zh" else ", ").join(missing)))
    return (*components.chart_content(figure, table, lang, notes=notes), trace_codes)


def ranking_rows(
    engine_, state: ViewState, key: str
) -> tuple[list[dict], str | None, str, float | None]:
    """(ranked rows, selected unit, compared-to area, its average) for the ranking: the
    scope's children, or — for a unit without children (a village) — its siblings with
    it selected. The average of a rate (or days, score) is the area's own figure, which
    pools its units; of a count, the area's total per unit."""
    directory = data.directory(engine_)
    parent, selected = state.scope, None
    if not directory.children(state.scope):
        parent = directory.parent(state.scope) or state.scope
        selected = state.scope
    rows = data.figures_by_child(engine_, state, scope=parent, keys=[key])
    ranked = stats.rank_rows(rows, key, higher_is_better=_higher_is_better(key))
    value = data.figures(engine_, state, scope=parent, keys=[key]).get(key)
    if fmt.kind_of(key) == "count" and value is not None:
        value = value / len(rows) if rows else None
    return ranked, selected, parent, value


def build_ranking(engine_, state: ViewState, key: str):
    """chart_content values of the ranking card."""
    lang = state.lang
    directory = data.directory(engine_)
    if directory.empty:
        return components.chart_content(None, None, lang, empty=_no_warehouse(lang))
    ranked, selected, parent, avg_value = ranking_rows(engine_, state, key)
    table = _ranking_table(ranked, key, lang, f"ranking-{key}")
    if not ranked:
        empty = components.empty_state(t("no_data", lang), t("no_rows_why", lang))
        return components.chart_content(None, table, lang, empty=empty)
    if all(r["value"] is None for r in ranked) or (
        fmt.kind_of(key) == "count" and not any(r["value"] for r in ranked)
    ):
        empty = components.empty_state(t("no_data", lang), _why_empty(directory, state))
        return components.chart_content(None, table, lang, empty=empty)
    shown = (
        fmt.number(avg_value) if fmt.kind_of(key) == "count" else fmt.figure_value(key, avg_value)
    )
    avg_label = t("average", lang, scope=directory.name(parent), value=shown)
    figure = charts.ranking_bar(
        ranked, key, lang, selected=selected, average=avg_value, average_label=avg_label
    )
    notes = []
    if any(r["too_few"] for r in ranked):
        notes.append(t("too_few_note", lang, n=stats.MIN_N))
    if directory.children(state.scope):
        notes.append(t("drill_hint_bar", lang))
    over = [r for r in ranked if r["over_100"]]
    if over:
        notes.append(_over_100_note(over, state))
    return components.chart_content(figure, table, lang, notes=notes)


def _over_100_note(over: list[dict], state: ViewState) -> html.Div:
    """Units above 100% (Party participation is not capped, metrics.md): named, with a
    link to the data-quality page for the same view."""
    lang = state.lang
    names = ("、" if lang == "zh" else ", ").join(r["area_name"] for r in over)
    link = dcc.Link(t("pp_over_100_link", lang), href=DATA_QUALITY_PATH + to_query(state))
    text = html.Span(t("pp_over_100_note", lang, names=names), style={"color": charts.ACCENT})
    return html.Div([text, " ", link])


def build_trends(engine_, state: ViewState):
    """chart_content values of the two trend cards (rates, then meetings), concatenated."""
    lang = state.lang
    directory = data.directory(engine_)
    if directory.empty:
        empty = components.chart_content(None, None, lang, empty=_no_warehouse(lang))
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
    empty = components.empty_state(t("no_data", lang), _why_empty(directory, state))
    # with no meeting and nothing due the rates are zeros or blanks: say so instead
    has_meetings = any(row.get("meetings") for row in series)
    has_rates = has_meetings or any(row.get("implementation_rate") is not None for row in series)
    rates = components.chart_content(
        charts.trend_lines(series, TREND_RATES, lang) if has_rates else None,
        rates_table,
        lang,
        empty=empty,
    )
    meetings = components.chart_content(
        charts.trend_bars(series, "meetings", lang) if has_meetings else None,
        meetings_table,
        lang,
        empty=empty,
    )
    return (*rates, *meetings)


def drill_target(click: dict | None, trace_codes: list | None) -> str | None:
    """The area code a click on the map or a ranking bar names."""
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
