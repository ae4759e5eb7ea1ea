"""The ranking card every page with rankings shows: the child units of the scope (or a
village's siblings, it selected) ranked by a figure, with the counts behind each value,
Wilson intervals for rates, the compared-to area's figure dashed, and the notes that go
with it (too few to rank, click to drill in, above 100%)."""

from __future__ import annotations

from dash import dcc, html
from sqlalchemy import Engine

from xieshang import metrics
from xieshang.dashboard import components, data, fmt, stats
from xieshang.dashboard.charts import bars
from xieshang.dashboard.charts.theme import ACCENT, is_rate
from xieshang.dashboard.i18n import figure_name, t
from xieshang.dashboard.state import State, to_query
from xieshang.dashboard.views.empty_states import (
    no_warehouse,
    nothing_in_period,
    outside_data,
    outside_data_state,
)

DATA_QUALITY_PATH = "/data-quality"


def compared(directory: data.Directory, scope: str) -> tuple[str, str | None]:
    """(area whose children are compared, selected unit): the scope's children, or — for
    a unit without children (a village) — its siblings with it selected."""
    if directory.children(scope):
        return scope, None
    return directory.parent(scope) or scope, scope


def higher_is_better(key: str) -> bool:
    return metrics.FIGURE_INFO[key]["higher_is_better"]


def ranking_table(ranked: list[dict], key: str, lang: str, filename: str) -> dict:
    """The numbers behind a ranking (or the map): rank, unit, value, and for a rate its
    counts and interval; a note on units too few to rank or above 100%."""
    name = figure_name(key, lang)
    if key == "stakeholder_breadth":  # a share of the ten categories, over the meetings
        value = [
            ("value", name, "percent"),
            ("stakeholder_categories", t("col_categories", lang), "count"),
            ("n", t("col_meetings", lang), "count"),
        ]
    elif is_rate(key):
        value = [
            ("value", name, "percent"),
            ("k", t("col_numerator", lang), "count"),
            ("n", t("col_denominator", lang), "count"),
            ("ci_low", t("col_ci_low", lang), "percent"),
            ("ci_high", t("col_ci_high", lang), "percent"),
        ]
    else:
        value = [("value", name, "count" if fmt.kind_of(key) == "count" else "number")]
    columns = [
        ("rank", t("col_rank", lang), "count"),
        ("area_name", t("col_area", lang), "text"),
        ("area_code", t("col_code", lang), "text"),
        *value,
        ("note", t("col_note", lang), "text"),
    ]
    rows = []
    for r in ranked:
        rows.append(
            {
                **r,
                "ci_low": r["ci"][0] if r.get("ci") else None,
                "ci_high": r["ci"][1] if r.get("ci") else None,
                "stakeholder_categories": r.get("counts", {}).get("stakeholder_categories"),
                "note": _note(r, lang),
            }
        )
    return components.table_data(columns, rows, filename)


def _note(row: dict, lang: str) -> str:
    if row.get("over_100"):
        return t("over_100", lang)
    return t("too_few", lang) if row["too_few"] else ""


def ranking_rows(
    engine_: Engine, state: State, key: str
) -> tuple[list[dict], str | None, str, float | None]:
    """(ranked rows, selected unit, compared-to area, its average) for the ranking (see
    `compared`). The average of a rate (or days, score) is the area's own figure, which
    pools its units; of a count, the area's total per unit; of a figure whose area value
    takes its units together (多元主体广度: the categories any reached, above every unit's
    when they differ), the mean of the units' values (ui.md: "a dashed line for the county
    average")."""
    parent, selected = compared(data.directory(engine_), state.scope)
    area = state.replace(scope=parent)
    rows = data.figures_by_child(engine_, area, keys=[key])
    ranked = stats.rank_rows(rows, key, higher_is_better=higher_is_better(key))
    if fmt.is_union(key):  # the units' mean: the area's own figure is not asked for
        values = [r["value"] for r in ranked if r["value"] is not None]
        return ranked, selected, parent, sum(values) / len(values) if values else None
    value = data.figures(engine_, area, keys=[key]).get(key)
    if fmt.kind_of(key) == "count" and value is not None:
        value = value / len(rows) if rows else None
    return ranked, selected, parent, value


def build_ranking(engine_: Engine, state: State, key: str) -> tuple:
    """chart_content values of the ranking card."""
    lang = state.lang
    directory = data.directory(engine_)
    if directory.empty:
        return components.chart_content(None, None, lang, empty=no_warehouse(lang))
    outside = outside_data(directory, state)
    if outside is not None:  # no ranking of zeros (every unit 0.0 % in 2010)
        return components.chart_content(None, None, lang, empty=outside_data_state(outside, lang))
    ranked, selected, parent, avg_value = ranking_rows(engine_, state, key)
    table = ranking_table(ranked, key, lang, f"ranking-{key}")
    if not ranked:
        empty = components.empty_state(t("no_data", lang), t("no_rows_why", lang))
        return components.chart_content(None, table, lang, empty=empty)
    if all(r["value"] is None for r in ranked) or (
        fmt.kind_of(key) == "count" and not any(r["value"] for r in ranked)
    ):
        empty = nothing_in_period(directory.name(state.scope), state)
        return components.chart_content(None, table, lang, empty=empty)
    shown = (
        fmt.number(avg_value) if fmt.kind_of(key) == "count" else fmt.figure_value(key, avg_value)
    )
    line = "units_average" if fmt.is_union(key) else "average"
    avg_label = t(line, lang, scope=directory.name(parent), value=shown)
    figure = bars.ranking_bar(
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


def _over_100_note(over: list[dict], state: State) -> html.Div:
    """Units above 100% (Party participation is not capped, metrics.md): named, with a
    link to the data-quality page for the same view."""
    lang = state.lang
    names = ("、" if lang == "zh" else ", ").join(r["area_name"] for r in over)
    link = dcc.Link(t("pp_over_100_link", lang), href=DATA_QUALITY_PATH + to_query(state))
    text = html.Span(t("pp_over_100_note", lang, names=names), style={"color": ACCENT})
    return html.Div([text, " ", link])
