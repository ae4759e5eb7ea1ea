"""多元参与 Stakeholders: KPI cards, rankings of the child units, a heatmap of unit ×
stakeholder category and the categories the scope never reached. Pure functions of
(engine, state); the page is laid out and wired by xieshang.dashboard.figure_page."""

from __future__ import annotations

from dash import html

from xieshang.contract.columns import STAKEHOLDER_CATEGORIES
from xieshang.dashboard import components, data, fmt
from xieshang.dashboard.charts import heatmaps
from xieshang.dashboard.i18n import figure_name, t, vocab
from xieshang.dashboard.state import State as ViewState
from xieshang.dashboard.views import ranking
from xieshang.dashboard.views.empty_states import no_warehouse, nothing_in_period
from xieshang.dashboard.views.kpi_row import kpi_row_for

KPI_KEYS: tuple[str, ...] = (
    "stakeholder_coverage",
    "stakeholder_breadth",
    "meetings",
    "regularity",
)
RANKINGS: tuple[str, ...] = ("stakeholder_coverage", "stakeholder_breadth")


def build_kpis(engine_, state: ViewState):
    return kpi_row_for(engine_, state, KPI_KEYS)


def build_ranking(engine_, state: ViewState, key: str):
    """chart_content values of a ranking card (the scope's children, or a village's
    siblings with it selected)."""
    return ranking.build_ranking(engine_, state, key)


# --- heatmap ---------------------------------------------------------------------------


def never_reached(counts: dict) -> int | None:
    """How many of the ten categories none of a unit's meetings reached; None without
    meetings (then nothing was tried, as stakeholder_breadth is null)."""
    if not counts["meetings"]:
        return None
    return sum(1 for c in STAKEHOLDER_CATEGORIES if not counts["reached"][c])


def heatmap_units(engine_, state: ViewState) -> tuple[list[dict], str | None]:
    """(rows, selected unit) of the heatmap: the scope's children, or — for a unit
    without children (a village) — its siblings with it selected (as the rankings)."""
    parent, selected = ranking.compared(data.directory(engine_), state.scope)
    return data.stakeholder_reach(engine_, state.replace(scope=parent))["children"], selected


def _heatmap_table(units: list[dict], lang: str) -> dict:
    columns = [
        ("area_name", t("col_area", lang), "text"),
        ("area_code", t("col_code", lang), "text"),
        ("meetings", figure_name("meetings", lang), "count"),
        *[(c, vocab("category", c, lang), "count") for c in STAKEHOLDER_CATEGORIES],
        ("never", t("sh_never_count", lang), "count"),
    ]
    rows = [{**u, **u["reached"], "never": never_reached(u)} for u in units]
    return components.table_data(columns, rows, "stakeholder-heatmap")


def build_heatmap(engine_, state: ViewState):
    """chart_content values of the heatmap card: per unit and category, the share of the
    unit's meetings with an attendee of that category (the meetings with one, the unit's
    meetings and its count of categories never reached in the table)."""
    lang = state.lang
    directory = data.directory(engine_)
    if directory.empty:
        return components.chart_content(None, None, lang, empty=no_warehouse(lang))
    units, selected = heatmap_units(engine_, state)
    table = _heatmap_table(units, lang)
    if not units:
        empty = components.empty_state(t("no_data", lang), t("no_rows_why", lang))
        return components.chart_content(None, table, lang, empty=empty)
    if not any(u["meetings"] for u in units):
        return components.chart_content(
            None, table, lang, empty=nothing_in_period(directory.name(state.scope), state)
        )
    figure = heatmaps.reach_heatmap(units, lang, selected=selected)
    notes = [t("sh_zero_note", lang)]
    if directory.children(state.scope):
        notes.append(t("sh_click_row", lang))
    return components.chart_content(figure, table, lang, notes=notes)


# --- never reached -----------------------------------------------------------------------


def _never_table(reach: dict, lang: str) -> dict:
    meetings = reach["meetings"]
    rows = [
        {
            "category": vocab("category", c, lang),
            "reached": reach["reached"][c],
            "share": reach["reached"][c] / meetings if meetings else None,
            "never": t("sh_never_mark", lang) if meetings and not reach["reached"][c] else "",
        }
        for c in STAKEHOLDER_CATEGORIES
    ]
    columns = [
        ("category", t("sh_category", lang), "text"),
        ("reached", t("sh_reached_meetings", lang), "count"),
        ("share", t("sh_share", lang), "percent"),
        ("never", t("col_note", lang), "text"),
    ]
    return components.table_data(columns, rows, "stakeholder-never-reached")


def build_never(engine_, state: ViewState):
    """chart_content values of the "never reached" card: a list, not a figure (shown in
    the card's message slot), of the categories no meeting of the scope itself reached
    in the period — a township's own meetings count; the table gives all ten."""
    lang = state.lang
    directory = data.directory(engine_)
    if directory.empty:
        return components.chart_content(None, None, lang, empty=no_warehouse(lang))
    reach = data.stakeholder_reach(engine_, state)
    table = _never_table(reach, lang)
    if not reach["meetings"]:
        return components.chart_content(
            None, table, lang, empty=nothing_in_period(directory.name(state.scope), state)
        )
    never = [c for c in STAKEHOLDER_CATEGORIES if not reach["reached"][c]]
    scope, n = directory.name(state.scope), fmt.count(reach["meetings"])
    if not never:
        parts = [html.P(t("sh_all_reached", lang, scope=scope, n=n), className="mb-2")]
    else:
        intro = t("sh_never_intro", lang, scope=scope, n=n, k=len(never))
        items = [html.Li(vocab("category", c, lang)) for c in never]
        parts = [html.P(intro, className="mb-2"), html.Ul(items, className="mb-2")]
    least = least_reached(reach)
    if least:
        items = [
            html.Li(
                t(
                    "sh_least_item",
                    lang,
                    name=vocab("category", c, lang),
                    share=fmt.percent(k / reach["meetings"]),
                    k=fmt.count(k),
                )
            )
            for c, k in least
        ]
        parts += [html.P(t("sh_least_intro", lang), className="mb-2"), html.Ul(items)]
    return components.chart_content(None, table, lang, empty=html.Div(parts))


def least_reached(reach: dict, at_most: int = 3) -> list[tuple[str, int]]:
    """(category, meetings) of the categories reached least, but reached (a county where
    none is missing still wants to know which are thin) and not by every meeting."""
    meetings = reach["meetings"]
    reached = [
        (c, k) for c, k in reach["reached"].items() if 0 < k < meetings
    ]  # contract order breaks ties
    return sorted(reached, key=lambda item: item[1])[:at_most]
