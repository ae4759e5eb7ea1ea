"""多元参与 Stakeholders (path "/stakeholders"): KPI cards, rankings by child unit, a heatmap
of unit × stakeholder category (a bar or row click drills into that unit) and the
categories the scope never reached; built by xieshang.dashboard.figure_page from
dashboard/views/stakeholders.py."""

from __future__ import annotations

import dash

from xieshang.dashboard import figure_page
from xieshang.dashboard.i18n import page_title
from xieshang.dashboard.page_kit import page_layout
from xieshang.dashboard.views import stakeholders as view

dash.register_page(
    __name__,
    path="/stakeholders",
    name="多元参与",
    title=page_title("page_stakeholders"),
    title_key="page_stakeholders",
    order=3,
    name_key="page_stakeholders",
)

CHARTS = (
    figure_page.Chart(
        "heatmap", "sh_heatmap", view.build_heatmap, drill=True, info_key="sh_heatmap_info"
    ),
    figure_page.Chart(
        "never", "sh_never", view.build_never, min_height=160, info_key="sh_never_info"
    ),
)


@page_layout
def layout(lang: str):
    return figure_page.layout("sh", "page_stakeholders", view, lang, CHARTS)


figure_page.register("sh", view, CHARTS, path="/stakeholders")
