"""Any other path: say so, and link back to the overview (never a bare error page)."""

from __future__ import annotations

import dash
from dash import dcc, html

from xieshang.dashboard import components
from xieshang.dashboard.i18n import page_title
from xieshang.dashboard.page_kit import page_layout

dash.register_page(
    __name__,
    path="/404",
    name="404",
    title=page_title("page_not_found"),
    title_key="page_not_found",
)


@page_layout
def layout(lang: str):
    if lang == "en":
        title, why, back = (
            "Page not found",
            "This address is not a page of the dashboard.",
            "Go to the overview",
        )
    else:
        title, why, back = "未找到该页面", "此地址不是看板的页面。", "返回总览"
    return html.Div(
        [components.empty_state(title, why), dcc.Link(back, href="/", className="ms-1")]
    )
