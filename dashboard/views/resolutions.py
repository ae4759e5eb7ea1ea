"""决议落实 Resolutions: KPI cards; four charts — the implementation-rate ranking of the
child units, the status mix of their resolutions due, the distribution of days to
implement, the satisfaction ranking; and the overdue resolutions
(quality.overdue_resolutions, the ones overdue_open counts) aged into buckets.
Pure functions of (engine, state)."""

from __future__ import annotations

from bisect import bisect_left

from xieshang import metrics
from xieshang.access.scope import sees_overdue_list
from xieshang.dashboard import auth, components, data, fmt, grid, stats
from xieshang.dashboard.charts import bars
from xieshang.dashboard.charts.text import plain
from xieshang.dashboard.charts.theme import PALETTE
from xieshang.dashboard.i18n import figure_name, t
from xieshang.dashboard.state import State as ViewState
from xieshang.dashboard.views import ranking
from xieshang.dashboard.views.empty_states import no_warehouse, nothing_in_period
from xieshang.dashboard.views.kpi_row import kpi_row_for
from xieshang.exports import file_name
from xieshang.warehouse.roster import distinct_names

KPI_KEYS: tuple[str, ...] = (
    "implementation_rate",
    "on_time_rate",
    "overdue_open",
    "median_days_to_implement",
    "satisfaction",
    "escalation_rate",
)
RANKING = "implementation_rate"
SATISFACTION = "satisfaction"
BUCKETS: tuple[tuple[int, str], ...] = ((30, "rs_bucket_30"), (90, "rs_bucket_90"))

# the status mix: (field, i18n key, Okabe–Ito colour) — green, orange, sky blue, reddish
# purple, vermillion: done on time, done late, and of the open ones those due on as_of
# itself under way or not started, then those past their due date (already overdue),
# last, so that their share is read against the bar's fixed right end
MIX_KEYS: tuple[str, ...] = ("implementation_rate", "on_time_rate")
MIX_SEGMENTS: tuple[tuple[str, str, str], ...] = (
    ("on_time", "rs_on_time", PALETTE[2]),
    ("late", "rs_late", PALETTE[1]),
    ("in_progress", "rs_in_progress", PALETTE[4]),
    ("not_started", "rs_not_started", PALETTE[3]),
    ("overdue", "rs_overdue_part", PALETTE[5]),
)

# days to implement: upper bounds (inclusive) of 0–7, 8–14, 15–30, 31–60, 61–90, 91–180
# and >180 days — a week, a fortnight, a month, two months, a quarter, half a year: the
# deadlines resolutions are usually given
DAY_BOUNDS: tuple[int, ...] = (7, 14, 30, 60, 90, 180)


def bucket(days_late: int, lang: str = "zh") -> str:
    """≤30 / 31–90 / >90 days late."""
    for limit, key in BUCKETS:
        if days_late <= limit:
            return t(key, lang)
    return t("rs_bucket_more", lang)


def _names(names: list[str], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(names)


# --- KPI cards and the implementation-rate ranking ------------------------------------


def build_kpis(engine_, state: ViewState):
    return kpi_row_for(engine_, state, KPI_KEYS)


def build_ranking(engine_, state: ViewState):
    return ranking.build_ranking(engine_, state, RANKING)


# --- status mix by unit ---------------------------------------------------------------


def _mix_row(child: dict, open_by_status: dict) -> dict:
    counts = child["counts"]
    done = counts["implemented"]
    on_time = counts["implemented_on_time"]
    return {
        "area_code": child["area_code"],
        "area_name": child["area_name"],
        "resolutions_due": counts["resolutions_due"],
        "on_time": on_time,
        "late": done - on_time,
        "in_progress": open_by_status["in_progress"],
        "not_started": open_by_status["not_started"],
        "overdue": open_by_status["overdue"],
        "implementation_rate": child["implementation_rate"],
        "on_time_rate": child["on_time_rate"],
    }


def _mix_order(row: dict) -> tuple:
    # implemented share first, on-time share breaks ties; nothing due last
    rate = row["implementation_rate"]
    return (rate is None, -(rate or 0.0), -(row["on_time_rate"] or 0.0), row["area_code"])


def mix_rows(engine_, state: ViewState) -> tuple[list[dict], str | None, str]:
    """(rows sorted by implemented share, selected unit, compared-to area): per child unit
    its resolutions due split into implemented on time / late, and — not implemented on
    as_of — overdue (metrics.open_due_by_status: overdue_open's rule), or, due on as_of
    itself, in progress / not started."""
    parent, selected = ranking.compared(data.directory(engine_), state.scope)
    units = state.replace(scope=parent)
    children = data.figures_by_child(engine_, units, keys=MIX_KEYS)
    # the same children in the same (code) order
    still_open = data.open_due_by_status(engine_, units)
    rows = (_mix_row(c, o) for c, o in zip(children, still_open, strict=True))
    return sorted(rows, key=_mix_order), selected, parent


def mix_columns(lang: str) -> list[tuple[str, str, str]]:
    return [
        ("area_name", t("col_area", lang), "text"),
        ("area_code", t("col_code", lang), "text"),
        ("resolutions_due", figure_name("resolutions_due", lang), "count"),
        *((field, t(key, lang), "count") for field, key, _ in MIX_SEGMENTS),
        ("implementation_rate", figure_name("implementation_rate", lang), "percent"),
        ("on_time_rate", figure_name("on_time_rate", lang), "percent"),
    ]


def build_status_mix(engine_, state: ViewState):
    """chart_content values of the status-mix card: a 100%-stacked bar per child unit
    with something due; units with nothing due are in the table only."""
    lang = state.lang
    directory = data.directory(engine_)
    if directory.empty:
        return components.chart_content(None, None, lang, empty=no_warehouse(lang))
    rows, selected, parent = mix_rows(engine_, state)
    table = components.table_data(mix_columns(lang), rows, "status-by-unit")
    if not rows:
        empty = components.empty_state(t("no_data", lang), t("no_rows_why", lang))
        return components.chart_content(None, table, lang, empty=empty)
    drawn = [r for r in rows if r["resolutions_due"]]
    if not drawn:
        empty = nothing_in_period(directory.name(parent), state, "rs_none_due_why")
        return components.chart_content(None, table, lang, empty=empty)
    figure = bars.share_bars(
        drawn,
        [(field, t(key, lang), color) for field, key, color in MIX_SEGMENTS],
        total_field="resolutions_due",
        total_label=t("rs_mix_due", lang),
        selected=selected,
    )
    notes = []
    undrawn = [r["area_name"] for r in rows if not r["resolutions_due"]]
    if undrawn:
        notes.append(t("rs_mix_undrawn", lang, names=_names(undrawn, lang)))
    if directory.children(state.scope):
        notes.append(t("drill_hint_bar", lang))
    return components.chart_content(figure, table, lang, notes=notes)


# --- days to implement ----------------------------------------------------------------


def day_bucket(days: float) -> int:
    """The index of the bucket (DAY_BOUNDS, then the open one) that `days` falls in."""
    return bisect_left(DAY_BOUNDS, days)


def _bucket_span(index: int) -> tuple[int, int | None]:
    """(first, last) whole days of a bucket; last None for the open bucket."""
    first = DAY_BOUNDS[index - 1] + 1 if index else 0
    return first, DAY_BOUNDS[index] if index < len(DAY_BOUNDS) else None


def day_bucket_label(index: int, lang: str = "zh") -> str:
    first, last = _bucket_span(index)
    if last is None:
        return t("rs_days_over", lang, low=first - 1)
    return t("rs_days_range", lang, low=first, high=last)


def median_position(median: float) -> float:
    """Where `median` falls on the bucket axis (0 is the first bucket's centre): each
    bucket spans its whole days ± ½ and the position is linear within it (a median of
    7.5 sits on the border of 0–7 and 8–14); the open bucket's median at its centre."""
    index = day_bucket(median)
    first, last = _bucket_span(index)
    if last is None:
        return float(index)
    return index - 0.5 + (median - first + 0.5) / (last - first + 1)


def days_rows(pairs: list[tuple[int, int]], lang: str) -> list[dict]:
    """One row per bucket (empty buckets too: the axis is the same for every scope)."""
    counts = [0] * (len(DAY_BOUNDS) + 1)
    for days, n in pairs:
        counts[day_bucket(days)] += n
    total = sum(counts)
    return [
        {
            "bucket": day_bucket_label(index, lang),
            "count": count,
            "share": count / total if total else None,
        }
        for index, count in enumerate(counts)
    ]


def days_columns(lang: str) -> list[tuple[str, str, str]]:
    return [
        ("bucket", t("rs_days_bucket", lang), "text"),
        ("count", t("rs_days_count", lang), "count"),
        ("share", t("rs_days_share", lang), "percent"),
    ]


def build_days(engine_, state: ViewState):
    """chart_content values of the days-to-implement card: the resolutions of
    median_days_to_implement by bucket of (completed − meeting) days, the median marked."""
    lang = state.lang
    directory = data.directory(engine_)
    if directory.empty:
        return components.chart_content(None, None, lang, empty=no_warehouse(lang))
    pairs = data.days_histogram(engine_, state)
    rows = days_rows(pairs, lang)
    table = components.table_data(days_columns(lang), rows, "days-to-implement")
    scope = directory.name(state.scope)
    total = sum(n for _, n in pairs)
    if not total:
        empty = nothing_in_period(scope, state, "rs_none_done_why")
        return components.chart_content(None, table, lang, empty=empty)
    median = metrics.median_of_histogram(pairs)  # the figure's own reading of the pairs
    hover = [
        f"<b>{plain(scope)} · {r['bucket']}</b><br>{t('rs_days_count', lang)} "
        f"{fmt.count(r['count'])} / {fmt.count(total)} · {fmt.percent(r['share'])}"
        for r in rows
    ]
    figure = bars.bucket_bars(
        [{**r, "label": r["bucket"], "hover": h} for r, h in zip(rows, hover, strict=True)],
        marker=median_position(median),
        marker_label=t("rs_days_median", lang, value=fmt.number(median)),
    )
    notes = [t("rs_days_note", lang, n=fmt.count(total))]
    return components.chart_content(figure, table, lang, notes=notes)


# --- satisfaction by unit -------------------------------------------------------------


def satisfaction_columns(lang: str) -> list[tuple[str, str, str]]:
    return [
        ("rank", t("col_rank", lang), "count"),
        ("area_name", t("col_area", lang), "text"),
        ("area_code", t("col_code", lang), "text"),
        ("value", figure_name(SATISFACTION, lang), "number"),
        ("n", t("rs_scores", lang), "count"),
        ("note", t("col_note", lang), "text"),
    ]


def _note(row: dict, lang: str) -> str:
    if row["value"] is None:
        return t("no_value", lang)
    return t("too_few", lang) if row["too_few"] else ""


def build_satisfaction(engine_, state: ViewState):
    """chart_content values of the satisfaction ranking: the child units' satisfaction
    (0–100) with the number of scores, the compared-to area's figure dashed."""
    lang = state.lang
    directory = data.directory(engine_)
    if directory.empty:
        return components.chart_content(None, None, lang, empty=no_warehouse(lang))
    ranked, selected, parent, average = ranking.ranking_rows(engine_, state, SATISFACTION)
    rows = [{**r, "note": _note(r, lang)} for r in ranked]
    table = components.table_data(satisfaction_columns(lang), rows, "ranking-satisfaction")
    if not ranked:
        empty = components.empty_state(t("no_data", lang), t("no_rows_why", lang))
        return components.chart_content(None, table, lang, empty=empty)
    if all(r["value"] is None for r in ranked):
        empty = nothing_in_period(directory.name(parent), state, "rs_none_scored_why")
        return components.chart_content(None, table, lang, empty=empty)
    label = t(
        "average",
        lang,
        scope=directory.name(parent),
        value=fmt.figure_value(SATISFACTION, average),
    )
    figure = bars.ranking_bar(
        ranked, SATISFACTION, lang, selected=selected, average=average, average_label=label
    )
    notes = []
    if any(r["too_few"] for r in ranked):
        notes.append(t("too_few_note", lang, n=stats.MIN_N))
    if directory.children(state.scope):
        notes.append(t("drill_hint_bar", lang))
    return components.chart_content(figure, table, lang, notes=notes)


# --- the overdue resolutions ----------------------------------------------------------


def overdue_columns(lang: str) -> list[tuple[str, str, str]]:
    return [
        ("bucket", t("rs_bucket", lang), "text"),
        ("days_late", t("rs_days_late", lang), "count"),
        ("area_name", t("col_area", lang), "text"),
        ("resolution_id", t("rs_resolution", lang), "text"),
        ("content", t("rs_content", lang), "longtext"),
        ("responsible_unit", t("rs_unit", lang), "text"),
        ("due_date", t("rs_due", lang), "text"),
        ("meeting_id", t("rs_meeting", lang), "text"),
        ("area_code", t("col_code", lang), "text"),
    ]


def overdue_rows(engine_, state: ViewState, limit: int | None = None) -> list[dict]:
    """The overdue resolutions, each unit named apart from any other of its name (a city's
    two 桃园村: 清河县黄坛镇桃园村)."""
    rows = data.overdue_resolutions(engine_, state, limit)
    roster = data.directory(engine_).names
    names = distinct_names({r["area_code"] for r in rows if r["area_code"] in roster}, roster)
    return [
        {
            **r,
            "area_name": names.get(r["area_code"], r["area_name"]),
            "bucket": bucket(r["days_late"], state.lang),
        }
        for r in rows
    ]


def build_overdue(engine_, state: ViewState):
    """(rowData, columnDefs, note) of the overdue grid: the grid.ROW_CAP most overdue
    (the CSV has them all); for a user the list is not for (leaders), a note instead."""
    lang = state.lang
    if data.directory(engine_).empty:
        return [], [], no_warehouse(lang)
    if not sees_overdue_list(auth.current_user()):
        return [], [], components.empty_state(t("rs_overdue_not_yours", lang))
    shown = overdue_rows(engine_, state, grid.ROW_CAP)
    total = len(shown) if len(shown) < grid.ROW_CAP else data.overdue_count(engine_, state)
    values = grid.grid_values(overdue_columns(lang), shown, lang)
    if not total:
        note = components.empty_state(t("rs_none_overdue", lang))
    elif len(shown) < total:
        note = grid.cut_note(len(shown), total, lang)
    else:
        note = None
    return (*values, note)


def overdue_csv(engine_, state: ViewState) -> dict | None:
    """The dcc.Download value of the overdue list as CSV (UTF-8 with BOM, raw values)."""
    if data.directory(engine_).empty:
        return None
    filename = overdue_filename(engine_, state)
    table = components.table_data(
        overdue_columns(state.lang), overdue_rows(engine_, state), filename.rsplit(".", 1)[0]
    )
    return {"content": components.csv_text(table), "filename": filename, "type": "text/csv"}


def overdue_filename(engine_, state: ViewState) -> str:
    """The overdue list's download name: its scope (named apart) and the day it is overdue
    on — 临江县樟村乡-逾期未落实决议-截至2026-11-30.csv —, so one folder of downloads
    keeps the lists of many units and months apart."""
    directory = data.directory(engine_)
    scope = directory.distinct_name(state.scope)
    as_of = min(state.end, directory.last_load) if directory.last_load else state.end
    return file_name(f"{scope}-{t('rs_overdue_file', state.lang, as_of=as_of.isoformat())}.csv")
