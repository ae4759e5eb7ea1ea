"""数据报送 Submit files (path "/submit"): the parts of the page, built from what a
submission gave (xieshang.submission) and from the 报送情况 grid of
xieshang.metrics.submissions. Pure builders; the page lays them out and calls them.

    template_links(lang)                     the four blank templates
    answer(report, held, folder, lang)       the run's outcome, a line each, in words
    reject_part(rejects, earlier, lang)      the grids of the rejected rows, every row: a
                                             page at a time (PAGE_ROWS), turned under each
    reject_page(rejects, lang)               the rowData of one page of them
    marked_buttons(marked, lang)             a download button per file with rejects
    month_options(engine, lang)              the months the status grid offers, newest first
    build_status(engine, scope, month, lang) (rowData, columnDefs, note) of 报送情况
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html
from sqlalchemy import Engine

from xieshang import metrics
from xieshang.contract.columns import LOAD_ORDER
from xieshang.dashboard import components, fmt, grid
from xieshang.dashboard.i18n import t
from xieshang.dashboard.views import status_grid
from xieshang.metrics import catalog
from xieshang.metrics.submissions import submission_status
from xieshang.submission import shown_path

TEMPLATE_PREFIX = "/download/template/"
OUTCOMES = ("inserted", "updated", "unchanged", "held", "rejected")


def template_links(lang: str) -> html.Div:
    """A link per kind to its blank template, by the kind's Chinese (or English) name."""
    links = [
        html.A(
            t(f"dq_kind_{kind}", lang),
            href=f"{TEMPLATE_PREFIX}{kind}.xlsx",
            id=f"sb-template-{kind}",
            className="btn btn-outline-secondary btn-sm me-2 mb-1",
            download="",
        )
        for kind in LOAD_ORDER
    ]
    return html.Div(links, className="sb-templates")


# --- the answer ------------------------------------------------------------------------------------


def _by_kind(kinds: dict, pick, lang: str) -> tuple[int, str]:
    """(total, "会议台账 59、参会签到 3") of a count over the kinds that have any."""
    parts = [(kind, pick(kinds[kind])) for kind in LOAD_ORDER if kind in kinds]
    parts = [(kind, n) for kind, n in parts if n]
    separator = ", " if lang == "en" else "、"
    text = separator.join(f"{t(f'dq_kind_{kind}', lang)} {fmt.count(n)}" for kind, n in parts)
    return sum(n for _, n in parts), text


def _waiting_for(held: list[dict], lang: str) -> str:
    """The meetings the held rows wait for, each with its unit: two villages may each
    number a meeting HY-7."""
    meetings = sorted({(row["area_code"], row["meeting_id"]) for row in held})
    names = {row["area_code"]: row.get("area_name") or row["area_code"] for row in held}
    return (", " if lang == "en" else "、").join(f"{names[a]} {m}" for a, m in meetings)


def _reason(entry: dict, lang: str) -> str:
    return entry["reason_en"] if lang == "en" else entry["reason_zh"]


def file_lines(report: dict, folder: str, lang: str) -> list[str]:
    """The files loaded, then those not read again, skipped or unreadable and why, the
    sheets skipped and the columns not recognised; names without the township folder."""
    files = report["files"]
    separator = ", " if lang == "en" else "、"
    lines = []
    if files["loaded"]:
        names = separator.join(shown_path(p, folder) for p in files["loaded"])
        lines.append(t("sb_loaded_files", lang, files=names))
    if files["unchanged"]:
        names = separator.join(shown_path(p, folder) for p in files["unchanged"])
        lines.append(t("sb_unchanged_files", lang, files=names))
    for key, entries in (
        ("sb_skipped_file", files["skipped"]),
        ("sb_unreadable_file", files["unreadable"]),
    ):
        for entry in entries:
            path = shown_path(entry["path"], folder)
            lines.append(t(key, lang, file=path, reason=_reason(entry, lang)))
    for entry in report.get("sheets_skipped", []):
        path = shown_path(entry["path"], folder)
        lines.append(
            t(
                "sb_sheet_skipped",
                lang,
                file=path,
                sheet=entry["sheet"] or "",
                reason=_reason(entry, lang),
            )
        )
    for entry in report.get("unknown_columns", []):
        path = shown_path(entry["path"], folder)
        lines.append(
            t("sb_unknown_columns", lang, file=path, columns=separator.join(entry["columns"]))
        )
    return lines


def outcome_lines(report: dict, held: list[dict], lang: str) -> list[str]:
    """One line per outcome with rows (新增 / 更新 / 未变 / 暂存 / 拒收), counted by kind;
    the held line names the meetings the rows wait for. Then the rows held by earlier
    runs that this one released."""
    kinds = report["kinds"]
    lines = []
    for outcome in OUTCOMES:
        total, text = _by_kind(kinds, lambda k, o=outcome: k[o], lang)
        if not total:
            continue
        extra = {"meetings": _waiting_for(held, lang)} if outcome == "held" else {}
        lines.append(t(f"sb_{outcome}", lang, n=fmt.count(total), kinds=text, **extra))
    for released in ("joined", "rejected"):
        total, text = _by_kind(kinds, lambda k, r=released: k["released"][r], lang)
        if total:
            lines.append(t(f"sb_released_{released}", lang, n=fmt.count(total), kinds=text))
    return lines


def answer(report: dict, held: list[dict], folder: str, lang: str) -> html.Div:
    """The run's outcome in words: failed with its error, or a line per outcome, then
    the files that were not loaded and why."""
    if report["status"] != "committed":
        return html.Div(
            dbc.Alert(t("sb_failed", lang, error=report.get("error", "")), color="danger"),
            id="sb-outcome",
        )
    lines = outcome_lines(report, held, lang) or [t("sb_nothing_read", lang)]
    items = [html.Li(line, className="sb-outcome-line") for line in lines]
    notes = [html.Li(line, className="sb-file-line") for line in file_lines(report, folder, lang)]
    return html.Div(
        [html.Ul(items, className="sb-outcomes mb-2"), html.Ul(notes, className="sb-files small")],
        id="sb-outcome",
    )


def error_answer(message: str) -> html.Div:
    """A submission refused before it was loaded (a file name, the server's secret)."""
    return html.Div(dbc.Alert(message, color="warning"), id="sb-outcome")


# --- the rejected rows ------------------------------------------------------------------------------


def reject_values(rejects: list[dict], lang: str) -> tuple[list[dict], list[dict]]:
    """(rowData, columnDefs) of the rejected rows: file, sheet, Excel row, the column as
    the file names it, value, reason, how to fix (the long ones wrapped)."""
    en = lang == "en"
    rows = [
        {
            # a held row of an earlier sending of the name, rejected now its meeting came
            "file": r["file"] + (t("sb_sent_before", lang) if r["sent_before"] else ""),
            "sheet": r["sheet"],
            "row_number": r["row_number"],
            "header": r["header"],
            "value": r["value"],
            "reason": r["reason_en"] if en else r["reason_zh"],
            "hint": r["hint_en"] if en else r["hint"],
        }
        for r in rejects
    ]
    columns = [
        ("file", t("sb_col_file", lang), "text"),
        ("sheet", t("sb_col_sheet", lang), "text"),
        ("row_number", t("sb_col_row_number", lang), "count"),
        ("header", t("sb_col_header", lang), "text"),
        ("value", t("sb_col_value", lang), "longtext"),
        ("reason", t("sb_col_reason", lang), "longtext"),
        ("hint", t("sb_col_hint", lang), "longtext"),
    ]
    return grid.grid_values(columns, rows, lang)


PAGE_ROWS = grid.ROW_CAP
"""The rejected rows a grid holds at a time: a ledger with a column named wrong rejects
every row (a 50 MB file, 100,000 and more), which one grid's rowData cannot carry; the
pages under it turn through them all, each read again from the warehouse."""

PARTS = {"sb-rejects": "rejects", "sb-earlier-rejects": "earlier"}
"""The grid of each list of the rejected rows (xieshang.submission.REJECT_PARTS)."""


def pager_id(grid_id: str) -> str:
    return f"{grid_id}-pager"


def reject_part(rejects: list[dict], earlier: list[dict], lang: str) -> list:
    """The rejected rows under their title, then those still rejected of the files sent
    again unchanged (not read again): every row, a page of PAGE_ROWS at a time, the first
    page here and the pages to turn under it; nothing for a part without rows."""
    return [
        *_reject_grid("sb-rejects", "sb_rejects_title", rejects, lang),
        *_reject_grid("sb-earlier-rejects", "sb_earlier_rejects_title", earlier, lang),
    ]


def _reject_grid(grid_id: str, title: str, rejects: list[dict], lang: str) -> list:
    if not rejects:
        return []
    shown = rejects[:PAGE_ROWS]
    table = grid.grid(grid_id, height=360 if len(shown) > 4 else 240, lang=lang)
    table.rowData, table.columnDefs = reject_values(shown, lang)
    pages = -(-len(rejects) // PAGE_ROWS)
    if pages == 1:
        return [html.Div(t(title, lang), className="chart-title mb-1 mt-2"), table]
    # AG Grid would sort and filter the page shown only, as if it were the whole list:
    # the rows stay in file, sheet and row order, the order a file is fixed in
    table.columnDefs = [{**col, "sortable": False, "filter": False} for col in table.columnDefs]
    pager = html.Div(
        [
            dbc.Pagination(
                id=pager_id(grid_id),
                max_value=pages,
                active_page=1,
                fully_expanded=False,
                previous_next=True,
                first_last=True,
                size="sm",
                class_name="mb-0 me-2",
            ),
            html.Span(
                t("sb_pages", lang, total=fmt.count(len(rejects)), size=fmt.count(PAGE_ROWS)),
                className="chart-note sb-pages-note",
            ),
        ],
        className="d-flex flex-wrap align-items-center mt-1",
    )
    return [html.Div(t(title, lang), className="chart-title mb-1 mt-2"), table, pager]


def reject_page(rejects: list[dict], lang: str) -> list[dict]:
    """The rowData of a page of rejected rows."""
    return reject_values(rejects, lang)[0]


def marked_buttons(marked: list[dict], lang: str) -> list:
    """A download button per file with rejects (its marked-up workbook: the page's store)."""
    return [
        html.Div(
            [
                html.Span(item["source"], className="me-2"),
                dbc.Button(
                    t("sb_download_marked", lang),
                    id={"type": "sb-marked-btn", "index": i},
                    size="sm",
                    color="primary",
                    outline=True,
                ),
            ],
            className="sb-marked mb-2",
        )
        for i, item in enumerate(marked)
    ]


# --- 报送情况 ---------------------------------------------------------------------------------------
# Read straight from xieshang.metrics, not through dashboard.data's cache: the grid is
# redrawn the moment a submission commits, before the cache would see the new load.


def month_options(engine: Engine, lang: str) -> tuple[list[dict], str | None]:
    """(the months from the first meeting to the last load, newest first; the last load's
    month, the default) — none for an empty warehouse."""
    last = metrics.last_load_day(engine)
    if last is None:
        return [], None
    first = catalog.first_meeting_day(engine) or last
    months = []
    year, month = last.year, last.month
    while (year, month) >= (first.year, first.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return [{"label": fmt.month(m, lang), "value": m} for m in months], months[0]


def build_status(engine: Engine, scope: str | None, month: str | None, lang: str):
    """(rowData, columnDefs, note) of 报送情况 for the scope and month: a row per unit, a
    cell per monthly kind, coloured by its state."""
    if month is None:
        return [], [], components.empty_state(t("freshness_none", lang))
    status = submission_status(engine, month, scope)
    rows, defs = status_grid.values(status, lang)
    note = status.note_in(lang)
    return rows, defs, components.empty_state(note) if note else None
