"""考核评估 Assessment: the assessment table (xieshang.metrics.assessment) of the counties of a
city, the townships of a county, or the villages of the selected township (or of a
village's township), for the chosen period and filters;
its weights; a note naming the units whose shown scores are equal but whose ranks differ
(the unrounded score is also each score cell's tooltip); and the CSV / xlsx downloads,
whose bytes are those of xieshang.exports (the files of `xieshang export assessment`).

A period that gives nothing to rank (exports.has_data: before the data begin, after the
last load, or a filter nothing matches) shows a notice instead of a table of zeros all
ranked 1, and offers no download: `download` gives None, so /download/assessment.* answers
404 for it.

Pure functions of (engine, state); dashboard/pages/assessment.py wires them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from dash import html

from xieshang import exports
from xieshang.dashboard import components, data, fmt, grid
from xieshang.dashboard.i18n import figure_definition, figure_name, t
from xieshang.dashboard.state import Options, PageOption
from xieshang.dashboard.state import State as ViewState
from xieshang.dashboard.views.empty_states import no_warehouse
from xieshang.dashboard.views.kpi_row import data_start
from xieshang.metrics.assessment import Assessment, unrounded_score
from xieshang.warehouse.codes import CHILD_LEVEL

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
CELL_PADDING = 8  # px each side of a cell and a header (the page's grid style)
EXACT_SUFFIX = "__exact"  # beside the score: its unrounded value, the score cell's tooltip

# the CSV's headers (headers=zh on /download/assessment.csv): metrics.md's machine names,
# or the Chinese ones with the values as shown
HEADERS = PageOption(
    "headers",
    "machine",
    read=lambda text: {"zh": "zh", "machine": "machine"}.get(text.strip().lower()),
    write=str,
)


@dataclass(frozen=True)
class Table:
    """What the page shows: the grid's rows and columns, the heading above it (or the
    empty state instead), the notes under it, and whether the downloads are offered."""

    rows: list
    columns: list
    heading: html.Div
    notes: list
    offered: bool


def target(engine_, state: ViewState) -> tuple[str, str] | None:
    """(level, within) assessed for the state's scope: the counties of a city, the
    townships of a county, the villages of a township — or of a village's township.
    None without a roster."""
    directory = data.directory(engine_)
    if directory.empty or state.scope is None:
        return None
    level = directory.levels.get(state.scope)
    if level == "village":
        return "village", directory.parent(state.scope) or state.scope
    return CHILD_LEVEL.get(level, "township"), state.scope  # the scope's children


def build_assessment(engine_, state: ViewState) -> Assessment | None:
    """The Assessment of the view (default weights), cached per load run."""
    chosen = target(engine_, state)
    if chosen is None:
        return None
    level, within = chosen
    return data.assessment(engine_, level, state.replace(scope=within))


def columns(lang: str) -> list[tuple[str, str, str]]:
    return [
        (name, header, FORMATS.get(name, "percent"))
        for name, header in exports.column_headers(lang)
    ]


def weights_text(result: Assessment, lang: str) -> str:
    parts = []
    for key, weight in result.weights.items():
        name = figure_name(key, lang) + ("÷100" if key == "satisfaction" else "")
        parts.append(f"{name} {weight:g}")
    return t("as_weights", lang) + " · ".join(parts)


def _exact(score: float) -> str:
    return unrounded_score(score, 6).rstrip("0").rstrip(".")


def header_width(header: str) -> int:
    """Pixels a column needs to show its header whole (ui.md's 14 px text: a CJK
    character 14 px, a Latin one about 7; the cell's padding and a little room), wrapped
    rather than widening the grid: up to 4 CJK characters on one line, a longer Chinese
    header in two (it breaks between any two characters), an English one in up to three
    lines but never narrower than its longest word — whatever width its cells need."""
    units = exports.display_width(header)  # a CJK character counts 2
    if header.isascii():
        units = max([math.ceil(units / 3), *(len(word) for word in header.split())])
    elif units > 8:
        units = 2 * math.ceil(units / 4)
    return units * 7 + 2 * CELL_PADDING + 2


def grid_rows(result: Assessment, lang: str) -> tuple[list, list]:
    """(rowData, columnDefs): a null shows 无数据; the score carries its unrounded value
    as a tooltip; headers wrap instead of widening the grid and explain their figure."""
    cols = columns(lang)
    rows, defs = grid.grid_values(cols, result.rows, lang)
    for row, source in zip(rows, result.rows, strict=True):
        for field, _header, _kind in cols:
            if source.get(field) is None:
                row[field + grid.TEXT_SUFFIX] = exports.shown(field, None, lang)
        row["score" + EXACT_SUFFIX] = t("as_exact_score", lang, score=_exact(source["score"]))
    for col, (_field, header, _kind) in zip(defs, cols, strict=True):
        # a list of at most a few dozen units: sorting is enough, and without the filter
        # icons the 14 columns fit a 1,366 px screen
        col.update(filter=False, wrapHeaderText=True, autoHeaderHeight=True)
        col["minWidth"] = header_width(header)
        definition = figure_definition(col["field"], lang)
        if definition:
            col["headerTooltip"] = definition
        if col["field"] == "score":
            col["tooltipField"] = "score" + EXACT_SUFFIX
            col["headerTooltip"] = t("as_formula", lang)
    return rows, defs


def _subject(result: Assessment, lang: str) -> str:
    return t(
        "as_subject",
        lang,
        scope=result.scope_name,
        units=t(f"as_units_{result.level}", lang),
        start=fmt.day(result.start),
        end=fmt.day(result.end),
        as_of=fmt.day(result.as_of),
    )


def _why_empty(engine_, result: Assessment, lang: str) -> str:
    """Why the period gives nothing to rank: before the data, after the last load, or
    nothing in it."""
    directory = data.directory(engine_)
    first = data_start(directory)
    period = {"start": fmt.day(result.start), "end": fmt.day(result.end)}
    if first is not None and result.end < first:
        return t("as_before_data", lang, first=fmt.month(first, lang), **period)
    if directory.last_load is not None and result.start > directory.last_load:
        return t("as_after_data", lang, last=fmt.day(directory.last_load), **period)
    level = t(f"f_{result.level}", lang)  # the filter bar's label of the level
    # the filter label is capitalised ("Township"); mid-sentence it is not
    level = level.lower() if lang == "en" else level
    return t("as_nothing_to_rank", lang, scope=result.scope_name, level=level, **period)


def build_table(engine_, state: ViewState) -> Table:
    """The grid, heading, notes and offer of the view's assessment."""
    lang = state.lang
    result = build_assessment(engine_, state)
    if result is None:
        return Table([], [], no_warehouse(lang), [], offered=False)
    lines = [
        html.Div(_subject(result, lang), id="as-subject"),
        html.Div(weights_text(result, lang), id="as-weights", className="text-muted small"),
        html.Div(t("as_formula", lang), className="text-muted small"),
    ]
    if not result.rows:
        empty = components.empty_state(t("no_data", lang), t("no_rows_why", lang))
        return Table([], [], html.Div([*lines, empty]), [], offered=False)
    if not exports.has_data(result):
        empty = components.empty_state(t("no_data", lang), _why_empty(engine_, result, lang))
        return Table([], [], html.Div([lines[0], empty]), [], offered=False)
    rows, defs = grid_rows(result, lang)
    notes = [html.Div(note) for note in exports.look_tied(result, lang)]
    return Table(rows, defs, html.Div(lines), notes, offered=True)


def download(
    engine_,
    state: ViewState,
    kind: str,
    exported_at: datetime | None = None,
    options: Options | None = None,
) -> tuple[bytes, str] | None:
    """(bytes, file name) of the CSV or xlsx export of the view — the CSV's headers by
    the `headers` option — or None without a roster or without anything to rank."""
    result = build_assessment(engine_, state)
    if result is None or not exports.has_data(result):
        return None
    name = exports.filename(result, kind, state.lang)
    if kind == "csv":
        return exports.write_assessment_csv(result, headers=HEADERS.get(options)), name
    content = exports.write_assessment_xlsx(result, exported_at=exported_at, lang=state.lang)
    return content, name
