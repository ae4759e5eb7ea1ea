"""The metrics of metrics.md: what the dashboard, `xieshang kpi` and the exports call.

This package's public face; each name lives in the module of its job:

* definitions  one record per figure (labels, definition, counts, direction, format);
* filters      the optional narrowing of meetings (form, topic category, online);
* periods      periods, their as_of and the calendar months they touch;
* context      the read context; stale marts raise StaleMarts (reads never write);
* areas        roster lookups (root, one area, the areas below a scope);
* statements   the cached query builders over the marts;
* compute      figures, figures_by_child, monthly_series and the `xieshang kpi` JSON;
* breakdowns   splits of a figure's own set that the charts show;
* assessment, quality, submissions, catalog  the assessment score, data-quality
  signals, who has submitted for a month, the dashboard's non-figure reads.
"""

from xieshang.marts import StaleMarts
from xieshang.metrics.areas import UnknownScope, area_info, children, names_apart, root_area
from xieshang.metrics.breakdowns import (
    days_to_implement_histogram,
    open_due_by_status,
    stakeholder_reach,
)
from xieshang.metrics.compute import figures, figures_by_child, kpi_json, monthly_series, to_json
from xieshang.metrics.context import last_load_day
from xieshang.metrics.definitions import (
    FIGURE_INFO,
    FIGURES,
    RATE_FIGURES,
    STAKEHOLDER_THRESHOLD,
    median_of_histogram,
)
from xieshang.metrics.filters import NO_FILTERS, Filters
from xieshang.metrics.periods import month_slices, months_touched
from xieshang.warehouse.codes import normalize_code

__all__ = [
    "FIGURES",
    "FIGURE_INFO",
    "NO_FILTERS",
    "RATE_FIGURES",
    "STAKEHOLDER_THRESHOLD",
    "Filters",
    "StaleMarts",
    "UnknownScope",
    "area_info",
    "children",
    "days_to_implement_histogram",
    "figures",
    "figures_by_child",
    "kpi_json",
    "last_load_day",
    "median_of_histogram",
    "month_slices",
    "monthly_series",
    "months_touched",
    "normalize_code",
    "open_due_by_status",
    "root_area",
    "names_apart",
    "stakeholder_reach",
    "to_json",
]
