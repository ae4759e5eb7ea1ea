"""Reusable pieces of every page: KPI cards, chart cards, empty and error states, loading.

KPI cards
    kpi_row(keys, result, previous, lang, note)  a row of kpi_card()s, and a note said once
    kpi_card(key, result, previous, lang)        value, name, count behind it, change
                                                 against the previous period, ⓘ definition
Chart cards (the "数据" toggle and the CSV download are handled once, by chart_cards)
    chart_card(chart_id, title, lang, controls=None, info=None)
                                                       the empty card in a page layout
    graph_id(chart_id)                                 its dcc.Graph (for clickData inputs)
    chart_outputs(chart_id)                            the outputs a page callback writes
    chart_content(figure, table, lang, empty=, notes=) the values for those outputs
    chart_error(exc, lang)                             the same when building failed
    table_data(columns, rows, filename)                the numbers behind a chart
Other states
    empty_state(title, why), error_state(exc, lang), loading(children)
The title line (on paper and under a chart's PNG title)
    print_title()                                      the shell's element
    print_title_line(scope_name, start, end, as_of, filters, lang)   its content
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

import dash_bootstrap_components as dbc
from dash import Output, dcc, html, no_update

from xieshang.dashboard import errors, fmt
from xieshang.dashboard.charts.theme import graph_config
from xieshang.dashboard.i18n import count_text, figure_definition, figure_name, t, vocab
from xieshang.dashboard.state import State
from xieshang.exports import CODE_END, file_name, safe_text


def filter_words(state: State) -> list[str]:
    """The filters in force, in the state's language (形式：议事会, Form: Council): for
    title lines, on the page, on paper and on the big screen."""
    lang, words = state.lang, []
    if state.form:
        value = vocab("form", state.form, lang)
        words.append(t("print_filter", lang, name=t("f_form", lang), value=value))
    if state.category:
        value = vocab("topic_category", state.category, lang)
        words.append(t("print_filter", lang, name=t("f_category", lang), value=value))
    if state.online is not None:
        words.append(t("f_online_yes" if state.online else "f_online_no", lang))
    return words


# --- KPI cards ----------------------------------------------------------------------------------


def change(key: str, value, previous) -> tuple[str | None, str, str]:
    """(arrow, magnitude text, tone) of the change from `previous` to `value`.

    arrow "▲" / "▼" / "" (unchanged) / None (not comparable); tone "good" / "bad" /
    "flat" by FIGURE_INFO's higher_is_better (more overdue resolutions is bad).
    Rates change in percentage points, counts in units, days and scores in one decimal:
    the difference of the two values as shown, so that 86.3 against 86.0 reads 0.3, as a
    reader subtracting them gets (not 0.2, from 86.266 and 86.023).
    """
    from xieshang.metrics import FIGURE_INFO

    if value is None or previous is None:
        return None, "", "flat"
    kind = fmt.kind_of(key)
    if kind == "count":
        delta = value - previous
        magnitude = fmt.count(abs(delta))
    else:
        scale = 100 if kind == "rate" else 1
        delta = fmt.shown_number(value, scale) - fmt.shown_number(previous, scale)
        magnitude = f"{abs(delta):,.1f}"
    if delta == 0:
        return "", magnitude, "flat"
    better = FIGURE_INFO.get(key, {}).get("higher_is_better", True)
    good = (delta > 0) == better
    return ("▲" if delta > 0 else "▼"), magnitude, ("good" if good else "bad")


def _unit(key: str, lang: str) -> str:
    kind = fmt.kind_of(key)
    if kind == "rate":
        return t("points", lang)
    if kind == "days":
        return t("days_unit", lang)
    if kind == "score100":
        return t("score_unit", lang)
    return ""


def kpi_card(key: str, result: dict, previous: dict | None, lang: str = "zh") -> dbc.Card:
    """One KPI card. `result` / `previous` are metrics.figures() dicts (previous period
    of equal length, or None: then the card has no change line, and the row says why
    once). A figure without a value reads 无数据 (No data), never 0.0% or a dash; a
    result without counts (a period outside the data) has no count line. Element ids:
    {"type": "kpi-value", "key": key} holds the formatted value (browser tests read it)."""
    value = result.get(key)
    counts = result.get("counts", {})
    info_id = {"type": "kpi-info", "key": key}
    title = ""
    if previous is None:
        change_line = html.Span("", className="kpi-change kpi-flat")
    else:
        prev_value = previous.get(key)
        arrow, magnitude, tone = change(key, value, prev_value)
        if arrow is None:
            change_line = html.Span(t("no_previous", lang), className="kpi-change kpi-flat")
        elif arrow == "":
            change_line = html.Span(
                f"{t('unchanged', lang)} {t('vs_previous', lang)}",
                className="kpi-change kpi-flat",
            )
        else:
            unit = _unit(key, lang)
            sep = " " if unit else ""
            change_line = html.Span(
                f"{arrow} {magnitude}{sep}{unit} {t('vs_previous', lang)}",
                className=f"kpi-change kpi-{tone}",
            )
        title = t(
            "previous_period",
            lang,
            start=fmt.day(previous.get("from")),
            end=fmt.day(previous.get("to")),
            value=_shown(key, prev_value, lang),
        )
    flags = []
    if key == "party_participation_rate" and value is not None and value > 1:
        flags.append(
            html.Span("> 100%", className="badge kpi-flag", title=t("above_one_flag", lang))
        )
    count_line = count_text(key, counts, lang, as_of=fmt.day(result.get("as_of"))) if counts else ""
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [
                        html.Span(figure_name(key, lang), className="kpi-name"),
                        html.Span(
                            "ⓘ",
                            id=info_id,
                            className="kpi-info",
                            tabIndex=0,
                            **{"aria-label": t("definition", lang)},
                        ),
                        dbc.Tooltip(
                            figure_definition(key, lang), target=info_id, placement="bottom"
                        ),
                    ],
                    className="kpi-head",
                ),
                html.Div(
                    [
                        html.Span(
                            _shown(key, value, lang),
                            id={"type": "kpi-value", "key": key},
                            className="kpi-none" if value is None else None,
                        ),
                        *flags,
                    ],
                    className="kpi-value",
                ),
                html.Div(count_line, className="kpi-count"),
                html.Div(change_line, title=title or None),
            ]
        ),
        className="kpi-card h-100",
    )


def _shown(key: str, value, lang: str) -> str:
    return t("kpi_no_data", lang) if value is None else fmt.figure_value(key, value)


def kpi_row(
    keys: Sequence[str],
    result: dict,
    previous: dict | None,
    lang: str = "zh",
    note: tuple[str, str] | None = None,
) -> html.Div:
    """The KPI cards — one row of up to eight on a laptop, so that the first screen
    (1,366×768) still shows the units that lag; four a row on a tablet, two on a phone
    (app.css) — and under them `note`, (text, hover text), said once for every card: why
    there is no change against the previous period, or no figure at all."""
    cards = html.Div(
        [kpi_card(k, result, previous, lang) for k in keys],
        className=f"kpi-row kpi-n{len(keys)}",
    )
    parts = [cards]
    if note is not None:
        parts.append(html.Div(note[0], title=note[1] or None, className="kpi-note"))
    return html.Div(parts, className="kpi-block")


# --- empty, error, loading --------------------------------------------------------------------------


def empty_state(title: str, why: str = "") -> html.Div:
    """What is missing and why (本期无数据 · 该乡镇本月尚未报送), instead of empty axes."""
    return html.Div(
        [
            html.Div(title, className="empty-title"),
            html.Div(why, className="empty-why") if why else None,
        ],
        className="empty-state",
    )


def error_state(exc: BaseException, lang: str = "zh") -> dbc.Alert:
    """A part that failed: what happened and what to do, and the error id under which the
    exception went to the log (its text may hold SQL: never shown)."""
    message = errors.message(errors.report(exc), lang)
    return dbc.Alert(message, color="warning", className="mb-0 small")


def loading(children, **kwargs) -> dcc.Loading:
    """A light loading state: the old content stays visible, dimmed, with a small spinner
    (only when the update takes longer than a moment)."""
    return dcc.Loading(
        children,
        type="circle",
        color="#6c757d",
        delay_show=250,
        overlay_style={"visibility": "visible", "opacity": 0.5},
        **kwargs,
    )


# --- chart cards ---------------------------------------------------------------------------------------


def _cid(kind: str, chart_id: str) -> dict:
    return {"type": f"chart-{kind}", "chart": chart_id}


def graph_id(chart_id: str) -> str:
    """The dcc.Graph of a chart card (a plain string id: use it for clickData inputs)."""
    return f"{chart_id}-graph"


HIDDEN = {"display": "none"}

CLICK_HINTS = ("drill_hint_map", "drill_hint_map_county", "drill_hint_bar", "sh_click_row")
"""The chart notes (i18n keys) that say what a click opens: marked `chart-hint`, which
paper (print.css) and the wall screen leave out — nothing opens there."""


def _note(text) -> html.Div:
    hints = {t(key, lang) for key in CLICK_HINTS for lang in ("zh", "en")}
    return html.Div(text, className="chart-hint") if text in hints else html.Div(text)


def chart_info(chart_id: str, text: str, lang: str = "zh") -> list:
    """The ⓘ after a chart's title and its tooltip (id {"type": "chart-info-text",
    "chart": chart_id}, whose children a callback may rewrite)."""
    target = _cid("info", chart_id)
    return [
        html.Span(
            "ⓘ",
            id=target,
            className="kpi-info chart-info",
            tabIndex=0,
            **{"aria-label": t("definition", lang)},
        ),
        dbc.Tooltip(text, id=_cid("info-text", chart_id), target=target, placement="bottom"),
    ]


def chart_card(
    chart_id: str,
    title: str,
    lang: str = "zh",
    *,
    controls=None,
    min_height: int = 300,
    info: str | None = None,
) -> dbc.Card:
    """An empty chart card for a page layout. Its graph is always in the layout (hidden
    until there is something to draw), so callbacks may listen to its clickData. A page
    callback fills it through `chart_outputs(chart_id)` with `chart_content(...)`; the
    generic callbacks of chart_cards run its "数据" toggle (a table of the numbers) and its CSV
    download. The title has id {"type": "chart-title", "chart": chart_id}; `info` (the
    definition of what the chart shows) is behind an ⓘ beside it."""
    header = html.Div(
        [
            html.Div(
                [
                    html.Span(title, id=_cid("title", chart_id), className="chart-title"),
                    *(chart_info(chart_id, info, lang) if info else []),
                ],
                className="chart-title-wrap",
            ),
            html.Div(controls, className="chart-controls") if controls is not None else None,
            html.Div(
                [
                    dbc.Button(
                        t("data", lang),
                        id=_cid("toggle", chart_id),
                        size="sm",
                        color="link",
                        className="chart-btn",
                        title=t("data_title", lang),
                    ),
                    dbc.Button(
                        "CSV",
                        id=_cid("csv", chart_id),
                        size="sm",
                        color="link",
                        className="chart-btn",
                        title=t("csv", lang),
                    ),
                    dcc.Download(id=_cid("download", chart_id)),
                ],
                className="chart-actions",
            ),
        ],
        className="chart-head",
    )
    body = html.Div(
        [
            dcc.Graph(
                id=graph_id(chart_id),
                config=graph_config(lang, chart_id),
                responsive=True,
                style=HIDDEN,
            ),
            html.Div(id=_cid("empty", chart_id)),
            html.Div(id=_cid("notes", chart_id), className="chart-note"),
        ],
        style={"minHeight": f"{min_height}px"},
    )
    return dbc.Card(
        [
            dbc.CardHeader(header),
            dbc.CardBody(
                [
                    loading(body),
                    dbc.Collapse(
                        html.Div(id=_cid("table", chart_id), className="chart-table"),
                        id=_cid("collapse", chart_id),
                        is_open=False,
                    ),
                    dcc.Store(id=_cid("data", chart_id)),
                ]
            ),
        ],
        className="chart-card h-100",
    )


def chart_outputs(chart_id: str) -> list[Output]:
    """The outputs a page callback writes for a chart card, in `chart_content`'s order:
    figure, graph style, empty/error state, notes, the numbers behind it."""
    return [
        Output(graph_id(chart_id), "figure"),
        Output(graph_id(chart_id), "style"),
        Output(_cid("empty", chart_id), "children"),
        Output(_cid("notes", chart_id), "children"),
        Output(_cid("data", chart_id), "data"),
    ]


def table_data(
    columns: Sequence[tuple[str, str, str]], rows: Sequence[dict], filename: str
) -> dict:
    """The numbers behind a chart, for its table and CSV: columns are
    (field, header, format) with format one of percent / count / number / month /
    text; rows hold raw values (rates as fractions)."""
    return {
        "columns": [{"field": f, "header": h, "format": k} for f, h, k in columns],
        "rows": [{c[0]: _plain(row.get(c[0])) for c in columns} for row in rows],
        "filename": file_name(filename),
    }


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def chart_content(
    figure, table: dict | None, lang: str = "zh", *, empty=None, notes: Sequence = ()
):
    """The values for chart_outputs(): the figure shown (its layout height sets the
    graph's), or — when `figure` is None — the empty state `empty` (default 本期无数据)."""
    note_children = [_note(n) for n in notes if n] or None
    if figure is None:
        return (
            no_update,
            HIDDEN,
            empty if empty is not None else empty_state(t("no_data", lang)),
            note_children,
            table,
        )
    height = figure.layout.height or 320
    return figure, {"height": f"{height}px"}, None, note_children, table


def chart_error(exc: BaseException, lang: str = "zh"):
    """The values for chart_outputs() when building the chart failed."""
    return no_update, HIDDEN, error_state(exc, lang), None, None


# --- the title line of a printout and of a chart's PNG --------------------------------------

PRINT_TITLE = "print-title"


def print_title() -> html.Div:
    """The shell's title line: on paper above the page (assets/print.css; hidden on
    screen), and under the title of a chart's PNG download (assets/chart_png.js, which
    also names the file by its data-scope and data-range). chart_cards fills it."""
    return html.Div(id=PRINT_TITLE, className="xs-print-title")


def print_title_line(
    scope_name: str,
    start: date,
    end: date,
    as_of: date,
    filters: Sequence[str] = (),
    lang: str = "zh",
) -> html.Span:
    """The line "清河县 · 2025-01-01 至 2025-06-30 · 数据截至 2025-06-30", then the active
    filters, with the scope and the period for a file name as data attributes."""
    line = t(
        "print_line",
        lang,
        scope=scope_name,
        start=fmt.day(start),
        end=fmt.day(end),
        as_of=fmt.day(as_of),
    )
    return html.Span(
        " · ".join([line, *filters]),
        className="xs-print-line",
        **{
            "data-scope": scope_name,
            "data-range": t("png_range", lang, start=fmt.day(start), end=fmt.day(end)),
        },
    )


def render_table(data: dict | None, lang: str = "zh"):
    """The "数据" table of a chart card (formatted values)."""
    if not data or not data.get("rows"):
        return html.Div(t("no_data", lang), className="text-muted small")
    columns = data["columns"]
    head = html.Thead(html.Tr([html.Th(c["header"]) for c in columns]))
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(
                        _format(row.get(c["field"]), c["format"], lang),
                        className="num" if c["format"] != "text" else None,
                    )
                    for c in columns
                ]
            )
            for row in data["rows"]
        ]
    )
    return dbc.Table(
        [head, body], size="sm", striped=True, bordered=False, className="mb-0 data-table"
    )


def _format(value, kind: str, lang: str) -> str:
    if kind == "percent":
        return fmt.percent(value)
    if kind == "count":
        return fmt.count(value)
    if kind == "number":
        return fmt.number(value)
    if kind == "month":
        return fmt.month(value, lang)
    if value is None:
        return fmt.DASH
    return str(value)


def csv_text(data: dict) -> str:
    """The chart's numbers as CSV (UTF-8 with BOM for Excel; raw values; no cell that a
    spreadsheet would run as a formula; area codes ending in a tab, as the assessment's
    do, so that Excel keeps their 12 digits rather than showing 3.30281E+11)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_safe_cell(c["header"]) for c in data["columns"]])
    for row in data["rows"]:
        writer.writerow([_csv_cell(c["field"], row.get(c["field"])) for c in data["columns"]])
    return "\ufeff" + buffer.getvalue()


CODE_FIELDS = (
    "area_code",
    "township_code",
    "owner_code",
)  # 12-digit codes: Excel keeps them whole with a tab


def _csv_cell(field: str, value) -> str | int | float:
    if value is None:
        return ""
    if field in CODE_FIELDS:
        return safe_text(value) + CODE_END
    return _safe_cell(value)


def _safe_cell(value):
    # the exports' own rule: a number, or text read as one (-5), stays as it is; a tab or
    # a carriage return first is guarded as = + - @ are
    return value if isinstance(value, (int, float)) else safe_text(value)
