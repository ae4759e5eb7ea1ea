"""多元参与 Stakeholders (path "/stakeholders"): KPI cards and rankings by child unit (a bar click
drills into that unit); built by dashboard.figure_page from dashboard/views/stakeholders.py."""

from __future__ import annotations

import dash

from dashboard import figure_page
from dashboard.frame import page_layout
from dashboard.views import stakeholders as view

dash.register_page(
    __name__, path="/stakeholders", name="多元参与", title="协商治理看板 · 多元参与", order=3
)


@page_layout
def layout(lang: str):
    return figure_page.layout("sh", "page_stakeholders", view, lang)


figure_page.register("sh", view)
