"""决议落实 (path "/resolutions") — placeholder until the page is built (follow pages/overview.py)."""

from __future__ import annotations

import dash
from dash import html

from dashboard import components
from dashboard.frame import page_layout
from dashboard.i18n import t

dash.register_page(
    __name__, path="/resolutions", name="决议落实", title="协商治理看板 · 决议落实", order=2
)


@page_layout
def layout(lang: str):
    return html.Div(
        [
            html.H1(t("page_resolutions", lang), className="xs-title"),
            components.empty_state(t("under_construction", lang)),
        ]
    )
