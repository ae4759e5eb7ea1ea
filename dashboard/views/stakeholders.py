"""多元参与 Stakeholders: KPI cards and rankings of the child units. Pure functions of
(engine, state); the page is laid out and wired by dashboard.figure_page."""

from __future__ import annotations

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
    return overview.kpi_row_for(engine_, state, KPI_KEYS)


def build_ranking(engine_, state: ViewState, key: str):
    """chart_content values of a ranking card (the scope's children, or a village's
    siblings with it selected)."""
    return overview.build_ranking(engine_, state, key)
