"""党员参与 Party participation (path "/participation"): KPI cards, rankings by child unit (a
bar click drills into that unit; a unit above 100% is flagged as a data problem) and the
monthly trend; built by xieshang.dashboard.figure_page from dashboard/views/participation.py."""

from __future__ import annotations

import dash

from xieshang.dashboard import figure_page
from xieshang.dashboard.i18n import page_title
from xieshang.dashboard.page_kit import page_layout
from xieshang.dashboard.views import participation as view

dash.register_page(
    __name__,
    path="/participation",
    name="党员参与",
    title=page_title("page_participation"),
    title_key="page_participation",
    order=1,
    name_key="page_participation",
)

CHARTS = (figure_page.Chart("trend", "pp_trend", view.build_trend, info_key="pp_trend_info"),)


@page_layout
def layout(lang: str):
    return figure_page.layout("pp", "page_participation", view, lang, CHARTS)


figure_page.register("pp", view, CHARTS, path="/participation")
