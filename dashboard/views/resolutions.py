"""决议落实 Resolutions: KPI cards, the implementation-rate ranking of the child units,
and the overdue resolutions (quality.overdue_resolutions, the ones overdue_open counts)
aged into buckets. Pure functions of (engine, state)."""

from __future__ import annotations

from dashboard import components, data, grid
from dashboard.i18n import t
from dashboard.state import State as ViewState
from dashboard.views import overview
from xieshang import quality

KPI_KEYS: tuple[str, ...] = (
    "implementation_rate",
    "on_time_rate",
    "overdue_open",
    "median_days_to_implement",
    "satisfaction",
    "escalation_rate",
)
RANKING = "implementation_rate"
BUCKETS: tuple[tuple[int, str], ...] = ((30, "rs_bucket_30"), (90, "rs_bucket_90"))


def bucket(days_late: int, lang: str = "zh") -> str:
    """≤30 / 31–90 / >90 days late."""
    for limit, key in BUCKETS:
        if days_late <= limit:
            return t(key, lang)
    return t("rs_bucket_more", lang)


def build_kpis(engine_, state: ViewState):
    return overview.kpi_row_for(engine_, state, KPI_KEYS)


def build_ranking(engine_, state: ViewState):
    return overview.build_ranking(engine_, state, RANKING)


def overdue_columns(lang: str) -> list[tuple[str, str, str]]:
    return [
        ("bucket", t("rs_bucket", lang), "text"),
        ("days_late", t("rs_days_late", lang), "count"),
        ("area_name", t("col_area", lang), "text"),
        ("resolution_id", t("rs_resolution", lang), "text"),
        ("content", t("rs_content", lang), "text"),
        ("responsible_unit", t("rs_unit", lang), "text"),
        ("due_date", t("rs_due", lang), "text"),
        ("meeting_id", t("rs_meeting", lang), "text"),
        ("area_code", t("col_code", lang), "text"),
    ]


def overdue_rows(engine_, state: ViewState) -> list[dict]:
    rows = data.memo(
        "overdue",
        engine_,
        (state.scope, state.start, state.end, state.form, state.category, state.online),
        lambda: quality.overdue_resolutions(
            engine_, state.scope, state.start, state.end, state.filters()
        ),
    )
    return [{**r, "bucket": bucket(r["days_late"], state.lang)} for r in rows]


def build_overdue(engine_, state: ViewState):
    """(rowData, columnDefs, note) of the overdue grid."""
    lang = state.lang
    if data.directory(engine_).empty:
        return [], [], components.empty_state(t("no_data", lang), t("empty_warehouse", lang))
    rows = overdue_rows(engine_, state)
    values = grid.grid_values(overdue_columns(lang), rows, lang)
    note = None if rows else components.empty_state(t("rs_none_overdue", lang))
    return (*values, note)


def overdue_csv(engine_, state: ViewState) -> dict | None:
    """The dcc.Download value of the overdue list as CSV (UTF-8 with BOM, raw values)."""
    if data.directory(engine_).empty:
        return None
    table = components.table_data(
        overdue_columns(state.lang), overdue_rows(engine_, state), "overdue-resolutions"
    )
    return {
        "content": components.csv_text(table),
        "filename": "overdue-resolutions.csv",
        "type": "text/csv",
    }
