"""The assessment's scores as bars (the big screen's 考核评估 chart; the page itself is a
table)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from xieshang.dashboard import fmt
from xieshang.dashboard.charts.bars import unit_axis
from xieshang.dashboard.charts.text import plain
from xieshang.dashboard.charts.theme import ACCENT, BAR, GRID, TEXT, base_layout
from xieshang.dashboard.i18n import t


def score_bars(rows: Sequence[dict], lang: str = "zh", *, selected: str | None = None) -> go.Figure:
    """One bar per unit of the assessment (its rows: rank, area_code, area_name, score),
    in rank order, on the whole 0–100 scale; the rank before the unit's name, the score
    (one decimal) at the right; the selected unit in the accent red."""
    ordered = sorted(rows, key=lambda r: (r["rank"], r["area_code"]))
    positions = list(range(len(ordered)))
    names = [
        t("sc_rank_name", lang, rank=r["rank"], name=plain(r.get("area_name") or r["area_code"]))
        for r in ordered
    ]
    colours = [ACCENT if r["area_code"] == selected else BAR for r in ordered]
    fig = go.Figure(
        go.Bar(
            x=[r["score"] for r in ordered],
            y=positions,
            orientation="h",
            marker={"color": colours},
            customdata=[r["area_code"] for r in ordered],
            hovertext=[
                f"<b>{name}</b><br>{fmt.number(r['score'])}"
                for name, r in zip(names, ordered, strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    fig.update_layout(
        **base_layout(max(180, 26 * len(ordered) + 48), margin={"l": 8, "r": 8, "t": 8, "b": 8}),
        xaxis={
            "range": [0, 100],
            "tickvals": [0, 25, 50, 75, 100],
            "domain": [0, 0.88],
            "gridcolor": GRID,
            "zeroline": False,
            "fixedrange": True,
        },
        yaxis=unit_axis(positions, names),
        bargap=0.35,
    )
    for position, row in zip(positions, ordered, strict=True):
        fig.add_annotation(
            x=1.0,
            xref="paper",
            xanchor="right",
            y=position,
            yref="y",
            showarrow=False,
            text=fmt.number(row["score"]),
            font={"size": 12, "color": ACCENT if row["area_code"] == selected else TEXT},
        )
    return fig
