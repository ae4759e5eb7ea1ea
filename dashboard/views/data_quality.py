"""数据质量 Data quality: what the load rejected and held, who has not submitted in the
last month of the period (该乡镇本月尚未报送), Party participation above 100%, and the
load runs. Pure functions of (engine, state); the queries are in xieshang.quality and
xieshang.dashboard_data.

Each grid builder returns (rowData, columnDefs, note) — note is an empty state (or None).
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard import components, data, fmt, grid
from dashboard.i18n import TEXT, t
from dashboard.state import State as ViewState
from xieshang import dashboard_data, quality


def _label(prefix: str, value: str | None, lang: str) -> str | None:
    key = f"{prefix}{value}"
    return t(key, lang) if key in TEXT else value


def _empty_warehouse(lang: str):
    return [], [], components.empty_state(t("no_data", lang), t("empty_warehouse", lang))


def _grid(columns, rows, lang, empty_title: str, why: str = ""):
    values = grid.grid_values(columns, rows, lang)
    note = None if rows else components.empty_state(empty_title, why)
    return (*values, note)


def last_month(engine_, state: ViewState) -> str:
    """ "YYYY-MM" of the period's last month that has started by the last load."""
    directory = data.directory(engine_)
    end = min(state.end, directory.last_load) if directory.last_load else state.end
    end = max(end, state.start)
    return f"{end.year:04d}-{end.month:02d}"


def build_summary(engine_, state: ViewState):
    """A row of counts of every signal (quality.summary) for the scope and period."""
    lang = state.lang
    directory = data.directory(engine_)
    if directory.empty:
        return _empty_warehouse(lang)[2]
    counts = quality.summary(engine_, state.scope, state.start, state.end, state.filters())
    keys = (
        "rejected_rows",
        "held_rows",
        "missing_months",
        "party_participation_over_100",
        "status_regressions",
        "due_dates_moved_later",
    )
    return dbc.Row(
        [
            dbc.Col(
                dbc.Card(
                    dbc.CardBody(
                        [
                            html.Div(t(f"dq_{k}", lang), className="kpi-name"),
                            html.Div(
                                fmt.count(counts[k]),
                                id={"type": "dq-count", "key": k},
                                className="kpi-value",
                            ),
                        ]
                    ),
                    className="kpi-card h-100",
                ),
                xs=6,
                md=2,
            )
            for k in keys
        ],
        className="g-3 mb-3",
    )


def build_missing(engine_, state: ViewState):
    """Villages of the scope without a meeting in the period's last month."""
    lang = state.lang
    directory = data.directory(engine_)
    if directory.empty:
        return _empty_warehouse(lang)
    month = last_month(engine_, state)
    rows = [
        {**r, "township_name": directory.name(r["township_code"]), "note": t("dq_not_yet", lang)}
        for r in quality.missing_months(engine_, state.scope, state.start, state.end)
        if r["month"] == month
    ]
    columns = [
        ("month", t("col_month", lang), "month"),
        ("township_name", t("f_township", lang), "text"),
        ("area_name", t("col_area", lang), "text"),
        ("area_code", t("col_code", lang), "text"),
        ("note", t("col_note", lang), "text"),
    ]
    return _grid(columns, rows, lang, t("dq_all_submitted", lang, month=fmt.month(month, lang)))


def build_over_100(engine_, state: ViewState):
    """Units whose Party participation is above 100%."""
    lang = state.lang
    if data.directory(engine_).empty:
        return _empty_warehouse(lang)
    rows = quality.party_participation_over_100(
        engine_, state.scope, state.start, state.end, state.filters()
    )
    columns = [
        ("area_name", t("col_area", lang), "text"),
        ("area_code", t("col_code", lang), "text"),
        ("party_members_attending", t("dq_attending", lang), "count"),
        ("party_members_registered", t("dq_registered", lang), "count"),
        ("party_participation_rate", t("dq_rate", lang), "percent"),
    ]
    return _grid(columns, rows, lang, t("dq_none_over_100", lang))


def build_held(engine_, state: ViewState):
    """Rows held and rejected, per township."""
    lang = state.lang
    if data.directory(engine_).empty:
        return _empty_warehouse(lang)
    rows = [
        {**r, "area_name": r["area_name"] or t("dq_unknown_township", lang)}
        for r in quality.held_and_rejected(engine_, state.scope)
    ]
    columns = [
        ("area_name", t("f_township", lang), "text"),
        ("township_code", t("col_code", lang), "text"),
        ("held", t("dq_held", lang), "count"),
        ("rejected", t("dq_rejected", lang), "count"),
        ("rejected_last_run", t("dq_rejected_last", lang), "count"),
    ]
    return _grid(columns, rows, lang, t("dq_nothing_held", lang))


def build_rejects(engine_, state: ViewState):
    """The rejected rows of the scope's townships, with their reasons."""
    lang = state.lang
    if data.directory(engine_).empty:
        return _empty_warehouse(lang)
    rows = [
        {
            **r,
            "township_name": r["township_name"] or t("dq_unknown_township", lang),
            "reason": r["reason_en"] if lang == "en" else r["reason_zh"],
            "kind": _label("dq_kind_", r["kind"], lang),
        }
        for r in quality.rejected_rows(engine_, state.scope)
    ]
    columns = [
        ("loaded_on", t("dq_loaded_on", lang), "text"),
        ("township_name", t("f_township", lang), "text"),
        ("kind", t("dq_kind", lang), "text"),
        ("path", t("dq_file", lang), "text"),
        ("row_number", t("dq_row", lang), "count"),
        ("column_name", t("dq_column", lang), "text"),
        ("value", t("dq_value", lang), "text"),
        ("reason", t("dq_reason", lang), "text"),
    ]
    return _grid(columns, rows, lang, t("dq_no_rejects", lang))


def build_runs(engine_, state: ViewState):
    """The latest load runs."""
    lang = state.lang
    rows = [
        {
            **r,
            "finished_at": r["finished_at"].isoformat(sep=" ", timespec="seconds")
            if r["finished_at"]
            else None,
            "status": _label("dq_status_", r["status"], lang),
        }
        for r in dashboard_data.load_runs(engine_)
    ]
    columns = [
        ("finished_at", t("dq_finished", lang), "text"),
        ("loaded_on", t("dq_loaded_on", lang), "text"),
        ("status", t("dq_status", lang), "text"),
        ("files_loaded", t("dq_files", lang), "count"),
        ("read", t("dq_read", lang), "count"),
        ("inserted", t("dq_inserted", lang), "count"),
        ("updated", t("dq_updated", lang), "count"),
        ("rejected", t("dq_rejected", lang), "count"),
        ("held", t("dq_held", lang), "count"),
        ("operator", t("dq_operator", lang), "text"),
    ]
    return _grid(columns, rows, lang, t("no_data", lang), t("empty_warehouse", lang))
