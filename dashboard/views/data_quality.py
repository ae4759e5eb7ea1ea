"""数据质量 Data quality: what the load rejected and held, who has submitted in the last
month of the period (报送情况: xieshang.metrics.submissions), Party participation above
100%, the resolutions whose status went backwards or due date moved later, and the load
runs.
Pure functions of (engine, state, …); the queries are xieshang.metrics.quality's and
xieshang.metrics.catalog's, through the cache of xieshang.dashboard.data.

Each grid builder returns (rowData, columnDefs, note) — note is an empty state, the
"first grid.ROW_CAP rows" note of a cut list, or None. The lists staff take away to fix their
files (rejected rows, held rows, resolution events) have a *_csv builder returning the
dcc.Download value of the whole list. `include_superseded` (the page's switch, its option
`SUPERSEDED`) adds the rejects of earlier loads of files read again since; the counts
follow it.
"""

from __future__ import annotations

from datetime import datetime

import dash_bootstrap_components as dbc
from dash import html

from xieshang.access.scope import may_download, sees_load_runs
from xieshang.contract import settings
from xieshang.contract.columns import header
from xieshang.contract.hints import fix_hint
from xieshang.dashboard import auth, components, data, fmt, grid
from xieshang.dashboard.i18n import TEXT, t, vocab
from xieshang.dashboard.state import PageOption, yes_no
from xieshang.dashboard.state import State as ViewState
from xieshang.dashboard.views import status_grid
from xieshang.dashboard.views.empty_states import no_warehouse
from xieshang.exports import file_name

# the page's own option (superseded=yes in the address): the rejected rows of a file's
# earlier loads too, in the list and in the counts that follow it
SUPERSEDED = PageOption("superseded", False, read=yes_no, write=lambda on: "yes" if on else "no")


def _label(prefix: str, value: str | None, lang: str) -> str | None:
    key = f"{prefix}{value}"
    return t(key, lang) if key in TEXT else value


def _empty_warehouse(lang: str):
    return [], [], no_warehouse(lang)


def _grid(columns, rows, lang, empty_title: str, why: str = ""):
    values = grid.grid_values(columns, rows, lang)
    note = None if rows else components.empty_state(empty_title, why)
    return (*values, note)


def _capped_grid(columns, rows, total: int, lang, empty_title: str):
    """_grid of the first rows of a longer list; the note says when it was cut."""
    values, defs, note = _grid(columns, rows, lang, empty_title)
    if total > len(rows):
        note = grid.cut_note(len(rows), total, lang)
    return values, defs, note


def list_filename(engine_, state: ViewState, label_key: str, extension: str) -> str:
    """A list's download name: its scope, what it lists and the day it was taken, e.g.
    西城街道-拒收行-2026-12-05.xlsx (one folder of downloads stays tellable apart)."""
    directory = data.directory(engine_)
    scope = directory.distinct_name(state.scope)
    return file_name(
        f"{scope}-{t(label_key, state.lang)}-{settings.today().isoformat()}.{extension}"
    )


def _download(columns, rows, filename: str) -> dict:
    """A dcc.Download value: the list as CSV (UTF-8 with BOM, the labels shown in the
    grid, ISO dates)."""
    table = components.table_data(columns, rows, filename.rsplit(".", 1)[0])
    return {"content": components.csv_text(table), "filename": filename, "type": "text/csv"}


def last_month(engine_, state: ViewState) -> str:
    """ "YYYY-MM" of the period's last month that has started by the last load."""
    directory = data.directory(engine_)
    end = min(state.end, directory.last_load) if directory.last_load else state.end
    end = max(end, state.start)
    return f"{end.year:04d}-{end.month:02d}"


def build_summary(engine_, state: ViewState, include_superseded: bool = False):
    """A row of counts of every signal (quality.summary) for the scope and period: each
    the length of the list below it."""
    lang = state.lang
    directory = data.directory(engine_)
    if directory.empty:
        return _empty_warehouse(lang)[2]
    counts = {
        **data.quality_summary(engine_, state, include_superseded),
        "not_submitted": sum(row["state"] == "missing" for row in status_of(engine_, state).rows),
    }
    keys = (
        "rejected_rows",
        "held_rows",
        "not_submitted",
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


def status_of(engine_, state: ViewState):
    """报送情况 of the scope for the period's last month (submissions.Status)."""
    return data.submission_status(engine_, last_month(engine_, state), state.scope)


def build_status(engine_, state: ViewState):
    """报送情况: each unit × kind of the period's last month — received (when, rows
    accepted/rejected), all rows rejected, submitted without this unit, or not submitted."""
    lang = state.lang
    if data.directory(engine_).empty:
        return _empty_warehouse(lang)
    status = status_of(engine_, state)
    rows, defs = status_grid.values(status, lang)
    note = status.note_in(lang)
    return rows, defs, components.empty_state(t("no_data", lang), note) if note else None


def build_over_100(engine_, state: ViewState):
    """Units whose Party participation is above 100%."""
    lang = state.lang
    if data.directory(engine_).empty:
        return _empty_warehouse(lang)
    rows = data.party_participation_over_100(engine_, state)
    columns = [
        ("area_name", t("col_area", lang), "text"),
        ("area_code", t("col_code", lang), "text"),
        ("party_members_attending", t("dq_attending", lang), "count"),
        ("party_members_registered", t("dq_registered", lang), "count"),
        ("party_participation_rate", t("dq_rate", lang), "percent"),
    ]
    return _grid(columns, rows, lang, t("dq_none_over_100", lang))


def build_held(engine_, state: ViewState, include_superseded: bool = False):
    """Rows held and rejected, per township."""
    lang = state.lang
    if data.directory(engine_).empty:
        return _empty_warehouse(lang)
    rows = [
        {**r, "area_name": r["area_name"] or t("dq_unknown_township", lang)}
        for r in data.held_and_rejected(engine_, state.scope, include_superseded)
    ]
    columns = [
        ("area_name", t("f_township", lang), "longtext"),  # or why it has none
        ("township_code", t("col_code", lang), "text"),
        ("held", t("dq_held", lang), "count"),
        ("rejected", t("dq_rejected", lang), "count"),
        ("rejected_last_run", t("dq_rejected_last", lang), "count"),
    ]
    return _grid(columns, rows, lang, t("dq_nothing_held", lang))


def held_row_columns(lang: str) -> list[tuple[str, str, str]]:
    """The columns of the held-row list: where the row is (file, sheet, row) and the
    meeting it waits for; nothing about the person."""
    return [
        ("township_name", t("f_township", lang), "text"),
        ("area_name", t("col_area", lang), "text"),
        ("area_code", t("col_code", lang), "text"),
        ("kind", t("dq_kind", lang), "text"),
        ("path", t("dq_file", lang), "longtext"),
        ("sheet", t("dq_sheet", lang), "longtext"),
        ("row_number", t("dq_row", lang), "count"),
        ("meeting_id", t("rs_meeting", lang), "text"),
        ("reason", t("dq_reason", lang), "longtext"),
        ("loaded_on", t("dq_held_since", lang), "text"),
    ]


def held_row_list(engine_, state: ViewState, limit: int | None = None) -> list[dict]:
    """quality.held_rows of the scope, labelled in the page's language."""
    lang = state.lang
    return [
        {
            **r,
            "township_name": r["township_name"] or t("dq_unknown_township", lang),
            "kind": _label("dq_kind_", r["kind"], lang),
            "reason": r["reason_en"] if lang == "en" else r["reason_zh"],
        }
        for r in data.held_rows(engine_, state.scope, limit)
    ]


def _not_for_role(file: str, lang: str):
    """A list's answer for a role that may not take its file (/download/<file>): a note
    instead of its rows, which are the same rows."""
    if may_download(auth.current_user(), file):
        return None
    return [], [], components.empty_state(t("dq_list_not_yours", lang))


def build_held_rows(engine_, state: ViewState):
    """Each attendance or resolution row waiting for its meeting (the first grid.ROW_CAP)."""
    lang = state.lang
    if data.directory(engine_).empty:
        return _empty_warehouse(lang)
    if hidden := _not_for_role("held-rows.csv", lang):
        return hidden
    rows = held_row_list(engine_, state, grid.ROW_CAP)
    total = len(rows) if len(rows) < grid.ROW_CAP else data.held_count(engine_, state.scope)
    return _capped_grid(held_row_columns(lang), rows, total, lang, t("dq_no_held_rows", lang))


def held_rows_csv(engine_, state: ViewState) -> dict | None:
    """The dcc.Download value of every held row of the scope."""
    if data.directory(engine_).empty:
        return None
    filename = list_filename(engine_, state, "dq_name_held", "csv")
    return _download(held_row_columns(state.lang), held_row_list(engine_, state), filename)


def reject_columns(lang: str, include_superseded: bool = False) -> list[tuple[str, str, str]]:
    """The columns of the rejected-row list; with the superseded rejects, which is which."""
    columns = [
        ("loaded_on", t("dq_loaded_on", lang), "text"),
        ("township_name", t("f_township", lang), "text"),
        ("owner_code", t("col_township_code", lang), "text"),
        ("kind", t("dq_kind", lang), "text"),
        # a file's path wraps: a township's folder and a long name are wider than the rest
        ("path", t("dq_file", lang), "longtext"),
        ("sheet", t("dq_sheet", lang), "longtext"),
        ("row_number", t("dq_row", lang), "count"),
        ("column_name", t("dq_column", lang), "longtext"),
        ("value", t("dq_value", lang), "longtext"),
        ("reason", t("dq_reason", lang), "longtext"),
        ("hint", t("dq_hint", lang), "longtext"),
    ]
    if include_superseded:
        columns.append(("state", t("dq_reject_state", lang), "text"))
    return columns


def reject_list(
    engine_, state: ViewState, include_superseded: bool = False, limit: int | None = None
) -> list[dict]:
    """quality.rejected_rows of the scope's townships, labelled in the page's language."""
    lang = state.lang
    names = data.directory(engine_).names
    return [
        {
            **r,
            "township_name": r["township_name"] or t("dq_unknown_township", lang),
            "reason": r["reason_en"] if lang == "en" else r["reason_zh"],
            "kind": _label("dq_kind_", r["kind"], lang),
            "column_name": _column_shown(r, lang),
            "hint": fix_hint(
                r["rule"],
                r["column_name"],
                r["value"],
                area_code=r["area_code"],
                names=names,
                kind=r["kind"],
                lang=lang,
            ),
            "state": t("dq_reject_superseded" if r["superseded"] else "dq_reject_current", lang),
        }
        for r in data.rejected_rows(engine_, state.scope, limit, include_superseded)
    ]


def _column_shown(reject: dict, lang: str) -> str | None:
    """The column as the staff's own file names it (its header row), else the contract's
    Chinese header, else the warehouse field (English)."""
    if not reject["column_name"]:
        return None
    if reject.get("header"):
        return reject["header"]
    return header(reject["kind"], reject["column_name"]) if lang == "zh" else reject["column_name"]


def build_rejects(engine_, state: ViewState, include_superseded: bool = False):
    """The rejected rows of the scope's townships with their reasons (the first grid.ROW_CAP):
    those of each file's latest load, or all with include_superseded."""
    lang = state.lang
    if data.directory(engine_).empty:
        return _empty_warehouse(lang)
    if hidden := _not_for_role("rejects.csv", lang):
        return hidden
    rows = reject_list(engine_, state, include_superseded, grid.ROW_CAP)
    total = (
        len(rows)
        if len(rows) < grid.ROW_CAP
        else data.rejected_count(engine_, state.scope, include_superseded)
    )
    columns = reject_columns(lang, include_superseded)
    return _capped_grid(columns, rows, total, lang, t("dq_no_rejects", lang))


def rejects_csv(engine_, state: ViewState, include_superseded: bool = False) -> dict | None:
    """The dcc.Download value of every rejected row build_rejects lists from."""
    if data.directory(engine_).empty:
        return None
    columns = reject_columns(state.lang, include_superseded)
    rows = reject_list(engine_, state, include_superseded)
    return _download(columns, rows, list_filename(engine_, state, "dq_name_rejects", "csv"))


def event_columns(lang: str) -> list[tuple[str, str, str]]:
    """The columns of the status-regression / later-due-date list: enough to find the
    report in a ledger (area code, 决议编号, 更新日期)."""
    return [
        ("township_name", t("f_township", lang), "text"),
        ("area_name", t("col_area", lang), "text"),
        ("area_code", t("col_code", lang), "text"),
        ("resolution_id", t("rs_resolution", lang), "text"),
        ("meeting_id", t("rs_meeting", lang), "text"),
        ("kind", t("dq_event_kind", lang), "longtext"),
        ("previous_updated_on", t("dq_previous_report", lang), "text"),
        ("updated_on", t("dq_this_report", lang), "text"),
        ("old_value", t("dq_old_value", lang), "text"),
        ("new_value", t("dq_new_value", lang), "text"),
    ]


def _event_value(kind: str, value: str, lang: str) -> str:
    # statuses are vocabulary codes; due dates are already ISO dates
    return vocab("status", value, lang) if kind == "status_backwards" else value


def event_rows(engine_, state: ViewState) -> list[dict]:
    """quality.resolution_events of the scope and period (the reports dated in it, as the
    two counts of build_summary), labelled in the page's language."""
    lang = state.lang
    directory = data.directory(engine_)
    rows = data.resolution_events(engine_, state.scope, state.start, state.end)
    return [
        {
            **r,
            "township_name": directory.name(r["township_code"]),
            "kind": _label("dq_event_", r["kind"], lang),
            "old_value": _event_value(r["kind"], r["old_value"], lang),
            "new_value": _event_value(r["kind"], r["new_value"], lang),
        }
        for r in rows
    ]


def build_events(engine_, state: ViewState):
    """Each report whose status went backwards or whose due date moved later."""
    lang = state.lang
    if data.directory(engine_).empty:
        return _empty_warehouse(lang)
    if hidden := _not_for_role("resolution-events.csv", lang):
        return hidden
    return _grid(event_columns(lang), event_rows(engine_, state), lang, t("dq_no_events", lang))


def events_csv(engine_, state: ViewState) -> dict | None:
    """The dcc.Download value of build_events' list as CSV (UTF-8 with BOM, the labels
    shown in the grid, ISO dates)."""
    if data.directory(engine_).empty:
        return None
    filename = list_filename(engine_, state, "dq_name_events", "csv")
    return _download(event_columns(state.lang), event_rows(engine_, state), filename)


def _shown_time(finished: datetime | None) -> str | None:
    """A run's time, stored as the loading machine's wall clock, in the deployment's zone
    (XIESHANG_TIMEZONE), as the audit log and the exports give times."""
    if finished is None:
        return None
    return settings.zone_time(finished).strftime("%Y-%m-%d %H:%M:%S")


def build_runs(engine_, state: ViewState):
    """The latest load runs (every township's files: not for staff, who get a note)."""
    lang = state.lang
    if not sees_load_runs(auth.current_user()):
        return [], [], components.empty_state(t("dq_runs_not_yours", lang))
    rows = [
        {
            **r,
            "finished_at": _shown_time(r["finished_at"]),
            "status": _label("dq_status_", r["status"], lang),
        }
        for r in data.load_runs(engine_)
    ]
    columns = [
        ("finished_at", t("dq_finished", lang), "longtext"),  # its day and time
        ("loaded_on", t("dq_loaded_on", lang), "text"),
        ("status", t("dq_status", lang), "text"),
        ("files_loaded", t("dq_files", lang), "count"),
        ("read", t("dq_read", lang), "count"),
        ("inserted", t("dq_inserted", lang), "count"),
        ("updated", t("dq_updated", lang), "count"),
        ("rejected", t("dq_rejected", lang), "count"),
        ("held", t("dq_held", lang), "count"),
        ("operator", t("dq_operator", lang), "longtext"),
        ("error", t("dq_reason", lang), "longtext"),
    ]
    return _grid(columns, rows, lang, t("no_data", lang), t("empty_warehouse", lang))
