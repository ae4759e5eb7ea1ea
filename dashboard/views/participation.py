"""党员参与 Party participation: KPI cards, rankings of the child units (a unit above 100%
flagged as a data problem) and the monthly trend. Pure functions of (engine, state); the
page is laid out and wired by xieshang.dashboard.figure_page."""

from __future__ import annotations

from xieshang.dashboard import components, data
from xieshang.dashboard.charts import trends
from xieshang.dashboard.i18n import figure_name, t
from xieshang.dashboard.state import State as ViewState
from xieshang.dashboard.views import ranking
from xieshang.dashboard.views.empty_states import no_warehouse, nothing_in_period
from xieshang.dashboard.views.kpi_row import kpi_row_for

KPI_KEYS: tuple[str, ...] = (
    "party_participation_rate",
    "party_led_rate",
    "party_share",
    "meetings",
)
RANKINGS: tuple[str, ...] = ("party_participation_rate", "party_share", "party_led_rate")
TREND_KEYS: tuple[str, ...] = ("party_participation_rate", "party_share", "party_led_rate")


def build_kpis(engine_, state: ViewState):
    return kpi_row_for(engine_, state, KPI_KEYS)


def build_ranking(engine_, state: ViewState, key: str):
    """chart_content values of a ranking card (the scope's children, or a village's
    siblings with it selected); a unit above 100% is flagged by views.ranking."""
    return ranking.build_ranking(engine_, state, key)


def build_trend(engine_, state: ViewState):
    """chart_content values of the monthly trend of the three participation rates."""
    lang = state.lang
    directory = data.directory(engine_)
    if directory.empty:
        return components.chart_content(None, None, lang, empty=no_warehouse(lang))
    series = data.monthly_series(engine_, state, keys=("meetings", *TREND_KEYS))
    columns = [
        ("month", t("col_month", lang), "month"),
        ("meetings", figure_name("meetings", lang), "count"),
        *[(k, figure_name(k, lang), "percent") for k in TREND_KEYS],
    ]
    table = components.table_data(columns, series, "participation-trend")
    # without a meeting the rates are blanks, or a participation of 0 that says nothing
    if not any(row["meetings"] for row in series):
        empty = nothing_in_period(directory.name(state.scope), state)
        return components.chart_content(None, table, lang, empty=empty)
    figure = trends.trend_lines(series, TREND_KEYS, lang)
    return components.chart_content(figure, table, lang)
