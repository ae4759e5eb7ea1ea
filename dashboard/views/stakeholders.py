"""多元参与 Stakeholders: KPI cards and rankings of the child units. Pure functions of
(engine, state); the page is laid out and wired by dashboard.figure_page."""

from __future__ import annotations

from dashboard import components, data
from dashboard.i18n import t
from dashboard.state import State as ViewState
from dashboard.views import overview

KPI_KEYS: tuple[str, ...] = (
    "stakeholder_coverage",
    "stakeholder_breadth",
    "meetings",
    "regularity",
)
RANKINGS: tuple[str, ...] = ("stakeholder_coverage", "stakeholder_breadth")


def build_kpis(engine_, state: ViewState):
    if data.directory(engine_).empty:
        return components.empty_state(t("no_data", state.lang), t("empty_warehouse", state.lang))
    result = data.figures(engine_, state, keys=KPI_KEYS)
    previous = data.previous_figures(engine_, state, keys=KPI_KEYS)
    return components.kpi_row(KPI_KEYS, result, previous, state.lang)


def build_ranking(engine_, state: ViewState, key: str):
    """chart_content values of a ranking card (the scope's children, or a village's
    siblings with it selected)."""
    return overview.build_ranking(engine_, state, key)
