"""Figures month by month: rates as lines on a 0–100% axis, a count as labelled bars."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from xieshang.dashboard import fmt
from xieshang.dashboard.charts.theme import BAR, GRID, PALETTE, base_layout
from xieshang.dashboard.i18n import figure_name
from xieshang.dashboard.stats import parts


def month_axis(series: Sequence[dict], lang: str) -> dict:
    """A date x axis of calendar months labelled 2025年3月 (Mar 2025)."""
    return {
        "type": "date",
        "tickformat": "%b %Y" if lang == "en" else "%Y年%-m月",
        "dtick": "M1" if len(series) <= 6 else ("M2" if len(series) <= 14 else "M3"),
        "ticklabelmode": "period",
        "fixedrange": True,
        "showgrid": False,
    }


def _month_dates(series: Sequence[dict]) -> list[str]:
    return [f"{row['month']}-01" for row in series]


def trend_lines(series: Sequence[dict], keys: Sequence[str], lang: str = "zh") -> go.Figure:
    """Rates month by month (one line per figure, Okabe–Ito colours) on a 0–100% axis."""
    months = [fmt.month(row["month"], lang) for row in series]
    dates = _month_dates(series)
    fig = go.Figure()
    top = 1.0
    for index, key in enumerate(keys):
        values = [row.get(key) for row in series]
        top = max([top, *[v for v in values if v is not None]])
        hover = []
        for row, label in zip(series, months, strict=True):
            k, n = parts(key, row.get("counts", {}))
            extra = (
                f"<br>{fmt.count(k)} / {fmt.count(n)}" if k is not None and n is not None else ""
            )
            hover.append(
                f"<b>{label}</b><br>{figure_name(key, lang)} {fmt.figure_value(key, row.get(key))}{extra}"
            )
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=values,
                mode="lines+markers",
                name=figure_name(key, lang),
                xperiod="M1",
                xperiodalignment="middle",
                line={"color": PALETTE[index % len(PALETTE)], "width": 2},
                marker={"size": 6},
                connectgaps=False,
                hovertext=hover,
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    fig.update_layout(
        **base_layout(300, margin={"l": 8, "r": 16, "t": 8, "b": 8}, showlegend=True),
        legend={"orientation": "h", "y": -0.18, "x": 0, "font": {"size": 12}},
        yaxis={
            "range": [0, top * 1.05],
            "tickformat": ".0%",
            "gridcolor": GRID,
            "fixedrange": True,
        },
        xaxis=month_axis(series, lang),
    )
    return fig


def trend_bars(series: Sequence[dict], key: str, lang: str = "zh") -> go.Figure:
    """A count month by month, as labelled bars in one colour."""
    months = [fmt.month(row["month"], lang) for row in series]
    values = [row.get(key) or 0 for row in series]
    fig = go.Figure(
        go.Bar(
            x=_month_dates(series),
            y=values,
            marker={"color": BAR},
            xperiod="M1",
            xperiodalignment="middle",
            text=[fmt.count(v) for v in values],
            textposition="outside",
            cliponaxis=False,
            hovertext=[
                f"<b>{m}</b><br>{figure_name(key, lang)} {fmt.count(v)}"
                for m, v in zip(months, values, strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    fig.update_layout(
        **base_layout(300, margin={"l": 8, "r": 16, "t": 16, "b": 8}),
        yaxis={
            "range": [0, (max(values) if values else 1) * 1.2 or 1],
            "tickformat": ",d",
            "gridcolor": GRID,
            "fixedrange": True,
        },
        xaxis=month_axis(series, lang),
        bargap=0.3,
    )
    return fig
