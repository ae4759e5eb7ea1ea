"""考核评估 Assessment: the assessment table (xieshang.metrics.assessment) of the townships of the
scope, or of the villages of the selected township, for the chosen period and filters;
its weights; and the CSV / xlsx downloads, whose bytes are those of xieshang.exports
(the files of `xieshang export assessment`).

Pure functions of (engine, state); dashboard/pages/assessment.py wires them.
"""

from __future__ import annotations

from datetime import datetime

from dash import html

from xieshang import exports
from xieshang.dashboard import components, data, fmt, grid
from xieshang.dashboard.i18n import figure_name, t
from xieshang.dashboard.state import State as ViewState
from xieshang.dashboard.views.empty_states import no_warehouse
from xieshang.metrics.assessment import COLUMNS, Assessment

FORMATS: dict[str, str] = {
    "rank": "count",
    "area_code": "text",
    "area_name": "text",
    "score": "number",
    "meetings": "count",
    "resolutions_due": "count",
    "overdue_open": "count",
    "satisfaction": "number",
}
HEADERS_EN = {"rank": "Rank", "area_code": "Area code", "area_name": "Unit", "score": "Score"}


def target(engine_, state: ViewState) -> tuple[str, str] | None:
    """(level, within) assessed for the state's scope: the townships of a county (or
    city), the villages of a township — or of a village's township. None without a roster."""
    directory = data.directory(engine_)
    if directory.empty or state.scope is None:
        return None
    level = directory.levels.get(state.scope)
    if level in ("township",):
        return "village", state.scope
    if level == "village":
        return "village", directory.parent(state.scope) or state.scope
    return "township", state.scope


def build_assessment(engine_, state: ViewState) -> Assessment | None:
    """The Assessment of the view (default weights), cached per load run."""
    chosen = target(engine_, state)
    if chosen is None:
        return None
    level, within = chosen
    return data.assessment(engine_, level, state.replace(scope=within))


def columns(lang: str) -> list[tuple[str, str, str]]:
    out = []
    for name, zh in COLUMNS:
        header = (HEADERS_EN.get(name) or figure_name(name, "en")) if lang == "en" else zh
        out.append((name, header, FORMATS.get(name, "percent")))
    return out


def weights_text(result: Assessment, lang: str) -> str:
    sep = " · "
    parts = []
    for key, weight in result.weights.items():
        name = figure_name(key, lang) + ("÷100" if key == "satisfaction" else "")
        parts.append(f"{name} {weight:g}")
    return t("as_weights", lang) + sep.join(parts)


def build_table(engine_, state: ViewState):
    """(rowData, columnDefs, heading) of the assessment grid."""
    lang = state.lang
    result = build_assessment(engine_, state)
    if result is None:
        return [], [], no_warehouse(lang)
    rows, defs = grid.grid_values(columns(lang), result.rows, lang)
    level = t("f_township" if result.level == "township" else "f_village", lang)
    heading = html.Div(
        [
            html.Div(
                t(
                    "as_subject",
                    lang,
                    scope=result.scope_name,
                    level=level,
                    start=fmt.day(result.start),
                    end=fmt.day(result.end),
                    as_of=fmt.day(result.as_of),
                ),
                id="as-subject",
            ),
            html.Div(weights_text(result, lang), id="as-weights", className="text-muted small"),
            html.Div(t("as_formula", lang), className="text-muted small"),
            None
            if result.rows
            else components.empty_state(t("no_data", lang), t("no_rows_why", lang)),
        ]
    )
    return rows, defs, heading


def filename(result: Assessment, suffix: str) -> str:
    return f"assessment-{result.level}-{result.scope}-{result.start}-{result.end}.{suffix}"


def download(engine_, state: ViewState, kind: str, exported_at: datetime | None = None):
    """(bytes, filename) of the CSV or xlsx export of the view, or None without a roster."""
    result = build_assessment(engine_, state)
    if result is None:
        return None
    if kind == "csv":
        return exports.write_assessment_csv(result), filename(result, "csv")
    return exports.write_assessment_xlsx(result, exported_at=exported_at), filename(result, "xlsx")
