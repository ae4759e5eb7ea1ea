"""Tables of rows (dash-ag-grid) for the pages that list units or records.

    columns = [(field, header, format), ...]      format: percent | count | number | month |
                                                   text | longtext (wrapped) | state
    grid(grid_id, height, lang)                    the empty grid in a page layout
    grid_values(columns, rows, lang)               (rowData, columnDefs) a callback writes
    cut_note(shown, total, lang)                   "first N of M rows" under a cut list

Values stay raw in rowData (sorting and filtering work on numbers); the text shown is
formatted in Python (xieshang.dashboard.fmt, like the chart tables) and carried beside each value
as `<field>__text`, which the column's valueFormatter shows.
"""

from __future__ import annotations

from collections.abc import Sequence

import dash_ag_grid as dag
from dash import Output, html

from xieshang.dashboard import components, fmt
from xieshang.dashboard.i18n import t
from xieshang.metrics import submissions

TEXT_SUFFIX = "__text"
STATE_SUFFIX = "__state"
"""Beside a "state" column's text: the state its cell is coloured by (xs-state-<state>)."""
STATES = submissions.STATES

# long texts wrap within this width instead of widening the grid past the screen
WRAP_WIDTH = 320

# the most rows a grid is sent: a browser grid of 100,000 rows is slow and a county's
# overdue list of 1,000 rows alone pushed a first view past 1 MB (bench_dashboard: 1,039 KiB
# gzip, 1,012 at 500); the CSV download has them all
ROW_CAP = 500


# AG Grid's own texts that these grids show (the column filter menu; "no rows" is never
# seen: an empty list shows the page's empty state instead, see assets/app.css)
ZH_LOCALE: dict[str, str] = {
    "noRowsToShow": "无数据",
    "loadingOoo": "加载中…",
    "filterOoo": "筛选…",
    "searchOoo": "搜索…",
    "equals": "等于",
    "notEqual": "不等于",
    "contains": "包含",
    "notContains": "不包含",
    "startsWith": "开头是",
    "endsWith": "结尾是",
    "blank": "为空",
    "notBlank": "不为空",
    "lessThan": "小于",
    "greaterThan": "大于",
    "lessThanOrEqual": "小于等于",
    "greaterThanOrEqual": "大于等于",
    "inRange": "介于",
    "inRangeStart": "从",
    "inRangeEnd": "到",
    "andCondition": "且",
    "orCondition": "或",
    "applyFilter": "应用",
    "resetFilter": "重置",
    "clearFilter": "清除",
    "cancelFilter": "取消",
    "selectAll": "全选",
    "ariaFilterInput": "筛选输入",
}


FIT_EVENTS = {
    event: ["xsFitColumns(params)"]
    for event in ("firstDataRendered", "rowDataUpdated", "newColumnsLoaded", "gridSizeChanged")
}


def grid(grid_id: str, height: int = 360, lang: str = "zh") -> dag.AgGrid:
    options = {"animateRows": False, "suppressCellFocus": True}
    if lang == "zh":
        options["localeText"] = ZH_LOCALE
    return dag.AgGrid(
        id=grid_id,
        className="xs-grid",
        rowData=[],
        columnDefs=[],
        # a header wraps rather than being cut if its column ends up narrower than it
        # (the autosize can measure before the page's CJK font is in)
        defaultColDef={
            "sortable": True,
            "resizable": True,
            "filter": True,
            "minWidth": 72,
            "wrapHeaderText": True,
            "autoHeaderHeight": True,
        },
        # each column as wide as its header and cells (no cut numbers or blank headers),
        # long texts wrapping at WRAP_WIDTH; narrowed to the grid's width when that is
        # wider, headers and long texts wrapping, no cell cut (assets/grid_size.js):
        # whenever new rows or columns are in or the grid's width changes (dash-ag-grid
        # calls it by name, without eval: the CSP holds). Not dash-ag-grid's own
        # columnSize as well: its autosize, run after a fit, undid it.
        eventListeners=FIT_EVENTS,
        dashGridOptions=options,
        style={"height": f"{height}px", "width": "100%"},
    )


def grid_outputs(grid_id: str) -> list[Output]:
    return [Output(grid_id, "rowData"), Output(grid_id, "columnDefs")]


def column_defs(columns: Sequence[tuple[str, str, str]]) -> list[dict]:
    defs = []
    for field, header, kind in columns:
        col = {
            "field": field,
            "headerName": header,
            "valueFormatter": {"function": f"params.data['{field}{TEXT_SUFFIX}']"},
        }
        if kind in ("percent", "count", "number"):
            col["type"] = "rightAligned"
            col["filter"] = "agNumberColumnFilter"
        else:
            col["filter"] = "agTextColumnFilter"
        if kind == "longtext":
            col.update(wrapText=True, autoHeight=True, maxWidth=WRAP_WIDTH)
        if kind == "state":
            state = f"params.data['{field}{STATE_SUFFIX}']"
            col["cellClassRules"] = {f"xs-state-{s}": f"{state} === '{s}'" for s in STATES}
        defs.append(col)
    return defs


def row_data(columns: Sequence[tuple[str, str, str]], rows: Sequence[dict], lang: str) -> list:
    out = []
    for row in rows:
        item = {}
        for field, _header, kind in columns:
            value = components._plain(row.get(field))
            item[field] = value
            item[field + TEXT_SUFFIX] = components._format(value, kind, lang)
            if kind == "state":
                item[field + STATE_SUFFIX] = row.get(field + STATE_SUFFIX)
        out.append(item)
    return out


def grid_values(columns: Sequence[tuple[str, str, str]], rows: Sequence[dict], lang: str):
    """(rowData, columnDefs) of a grid."""
    return row_data(columns, rows, lang), column_defs(columns)


def cut_note(shown: int, total: int, lang: str = "zh") -> html.Div:
    """The note under a grid that shows only the first `shown` of `total` rows."""
    text = t("grid_cut", lang, shown=fmt.count(shown), total=fmt.count(total))
    return html.Div(text, className="chart-note")
