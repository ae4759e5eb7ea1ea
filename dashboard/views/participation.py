"""党员参与 Party participation: KPI cards, rankings of the child units (a unit above 100%
flagged as a data problem) and the monthly trend. Pure functions of (engine, state); the
page is laid out and wired by dashboard.figure_page."""

from __future__ import annotations

from dash import dcc, html

from dashboard import charts, components, data, fmt
from dashboard.i18n import figure_name, t
from dashboard.state import State as ViewState
from dashboard.state import to_query
from dashboard.views import overview

KPI_KEYS: tuple[str, ...] = (
    "party_participation_rate",
    "party_led_rate",
    "party_share",
    "meetings",
)
RANKINGS: tuple[str, ...] = ("party_participation_rate", "party_share", "party_led_rate")
TREND_KEYS: tuple[str, ...] = ("party_participation_rate", "party_share", "party_led_rate")
FLAGGED = "party_participation_rate"  # not capped at 100% (metrics.md): above it is flagged
DATA_QUALITY_PATH = "/data-quality"


def build_kpis(engine_, state: ViewState):
    return overview.kpi_row_for(engine_, state, KPI_KEYS)


def build_ranking(engine_, state: ViewState, key: str):
    """chart_content values of a ranking card (the scope's children, or a village's
    siblings with it selected). On the participation rate, units above 100% (drawn red
    and hatched, unranked, by stats.rank_rows and charts.ranking_bar; marked in the
    table's note column) are also named in a note that links to 数据质量."""
    values = overview.build_ranking(engine_, state, key)
    figure, style, empty, notes, table = values
    if key != FLAGGED or table is None:
        return values
    ranked, *_ = overview.ranking_rows(engine_, state, key)  # the same cached figures
    over = [r for r in ranked if r["over_100"]]
    if over:
        notes = [*(notes or []), _over_100_note(over, state)]
    return figure, style, empty, notes, table


def _over_100_note(over: list[dict], state: ViewState) -> html.Div:
    lang = state.lang
    names = ("、" if lang == "zh" else ", ").join(r["area_name"] for r in over)
    link = dcc.Link(t("pp_over_100_link", lang), href=DATA_QUALITY_PATH + to_query(state))
    text = html.Span(t("pp_over_100_note", lang, names=names), style={"color": charts.ACCENT})
    return html.Div([text, " ", link])


def build_trend(engine_, state: ViewState):
    """chart_content values of the monthly trend of the three participation rates."""
    lang = state.lang
    directory = data.directory(engine_)
    if directory.empty:
        empty = components.empty_state(t("no_data", lang), t("empty_warehouse", lang))
        return components.chart_content(None, None, lang, empty=empty)
    series = data.monthly_series(engine_, state, keys=("meetings", *TREND_KEYS))
    columns = [
        ("month", t("col_month", lang), "month"),
        ("meetings", figure_name("meetings", lang), "count"),
        *[(k, figure_name(k, lang), "percent") for k in TREND_KEYS],
    ]
    table = components.table_data(columns, series, "participation-trend")
    # without a meeting the rates are blanks, or a participation of 0 that says nothing
    if not any(row["meetings"] for row in series):
        why = t(
            "no_data_why",
            lang,
            scope=directory.name(state.scope),
            start=fmt.day(state.start),
            end=fmt.day(state.end),
        )
        empty = components.empty_state(t("no_data", lang), why)
        return components.chart_content(None, table, lang, empty=empty)
    figure = charts.trend_lines(series, TREND_KEYS, lang)
    return components.chart_content(figure, table, lang)
