"""Bars comparing units: a ranking (best first, with the counts behind each value), a
100%-stacked split per unit, counts of ordered buckets; and the dashed line they share
for an average or a median."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from xieshang.dashboard import fmt
from xieshang.dashboard.charts.text import plain
from xieshang.dashboard.charts.theme import (
    ACCENT,
    BAR,
    GRID,
    MUTED,
    TEXT,
    base_layout,
    count_axis,
    hover_value,
    is_rate,
)
from xieshang.dashboard.i18n import t

OVER_100_MARK = "⚠"  # after the value of a rate above 100% (a data problem)
# non-rate figures whose value label also says how many values it rests on
SAMPLE_TEXT: dict[str, str] = {"satisfaction": "rs_scored_n"}


def ranking_bar(
    ranked: Sequence[dict],
    key: str,
    lang: str = "zh",
    *,
    selected: str | None = None,
    average: float | None = None,
    average_label: str = "",
) -> go.Figure:
    """Horizontal bars, best first (rows from stats.rank_rows), with a column of values
    and the counts behind them at the right, Wilson intervals as whiskers for rates, grey
    bars for units too small to rank, the selected unit in the accent red, and a dashed
    line at the compared-to area's value. Bars carry their area code as customdata.
    A rate over 100% (`over_100`, a data problem) is drawn in the accent red, hatched
    so that it does not read as the selected unit, and marked in its label and hover."""
    rows = list(ranked)
    codes = [r.get("area_code") for r in rows]
    names = [plain(r.get("area_name") or r.get("area_code", "")) for r in rows]
    positions = list(range(len(rows)))  # numeric rows: names may repeat, codes look numeric
    values = [r["value"] if r["value"] is not None else 0 for r in rows]
    colors = [
        ACCENT
        if r.get("area_code") == selected or r.get("over_100")
        else (MUTED if r["too_few"] or r["value"] is None else BAR)
        for r in rows
    ]
    hatches = ["/" if r.get("over_100") else "" for r in rows]
    rate = is_rate(key)
    bar = go.Bar(
        x=values,
        y=positions,
        orientation="h",
        marker={"color": colors, "pattern": {"shape": hatches, "fgcolor": "white"}},
        customdata=codes,
        hovertext=[hover_value(r, key, lang) for r in rows],
        hovertemplate="%{hovertext}<extra></extra>",
    )
    if rate:
        plus = [
            max(0.0, r["ci"][1] - r["value"]) if r.get("ci") and r["value"] is not None else 0
            for r in rows
        ]
        minus = [
            max(0.0, r["value"] - r["ci"][0]) if r.get("ci") and r["value"] is not None else 0
            for r in rows
        ]
        bar.error_x = {
            "type": "data",
            "array": plus,
            "arrayminus": minus,
            "visible": True,
            "color": "#868e96",
            "thickness": 1,
            "width": 3,
        }
    top = max(values + [0])
    if rate:
        highs = [r["ci"][1] for r in rows if r.get("ci")]
        xaxis = {
            "range": [0, max([1.0, top, *highs]) * 1.02],
            "tickformat": ".0%",
            "tickvals": [0, 0.25, 0.5, 0.75, 1.0],
        }
    elif fmt.kind_of(key) == "score100":  # a score on its whole scale
        xaxis = {"range": [0, 100], "tickvals": [0, 25, 50, 75, 100], "tickformat": ",d"}
    else:
        xaxis = {"range": [0, (top or 1) * 1.05], "tickformat": ",d"}
    height = max(180, 26 * len(rows) + 64)
    fig = go.Figure(bar)
    fig.update_layout(
        **base_layout(height, margin={"l": 8, "r": 8, "t": 26, "b": 8}),
        xaxis={
            **xaxis,
            "domain": [0, 0.78],
            "gridcolor": GRID,
            "zeroline": False,
            "fixedrange": True,
        },
        yaxis=unit_axis(positions, names),
        bargap=0.35,
    )
    for position, row in zip(positions, rows, strict=True):
        if row["value"] is None:
            text = f"<span style='color:#6c757d'>{t('no_value', lang)}</span>"
        else:
            text = fmt.figure_value(key, row["value"])
            if row.get("k") is not None and row.get("n") is not None:
                text += f" <span style='color:#6c757d'>{fmt.count(row['k'])}/{fmt.count(row['n'])}</span>"
            if row["too_few"]:
                text += f" <span style='color:#6c757d'>· {t('too_few', lang)}</span>"
            if row.get("over_100"):  # a sign, not words: the column is narrow (hover says)
                text += f" <span style='color:{ACCENT}'>{OVER_100_MARK}</span>"
            if key in SAMPLE_TEXT and row.get("n"):
                # a 100.0 from one score must not read like one from fifty
                sample = t(SAMPLE_TEXT[key], lang, n=fmt.count(row["n"]))
                text += f" <span style='color:#6c757d'>· {sample}</span>"
        fig.add_annotation(
            x=1.0,
            xref="paper",
            xanchor="right",
            y=position,
            yref="y",
            showarrow=False,
            text=text,
            font={"size": 12, "color": ACCENT if row.get("area_code") == selected else TEXT},
        )
    if average is not None:
        dashed_marker(fig, average, average_label)
    return fig


def unit_axis(positions: Sequence[float], names: Sequence[str]) -> dict:
    """The y axis of bars by unit: one named tick per bar, the first unit on top."""
    return {
        "range": [len(positions) - 0.5, -0.5],
        "automargin": True,
        "ticks": "",
        "fixedrange": True,
        "tickmode": "array",
        "tickvals": list(positions),
        "ticktext": list(names),
        "showgrid": False,
        "zeroline": False,
    }


def dashed_marker(fig: go.Figure, x: float, label: str) -> None:
    """A dashed vertical line at `x` across the plot, labelled above it (the county
    average on a ranking, the median on a histogram)."""
    fig.add_shape(
        type="line",
        x0=x,
        x1=x,
        y0=0,
        y1=1,
        xref="x",
        yref="paper",
        line={"dash": "dash", "color": "#495057", "width": 1.5},
    )
    fig.add_annotation(
        x=x,
        y=1,
        xref="x",
        yref="paper",
        yanchor="bottom",
        showarrow=False,
        text=plain(label),
        font={"size": 12, "color": "#495057"},
    )


def share_bars(
    rows: Sequence[dict],
    segments: Sequence[tuple[str, str, str]],
    *,
    total_field: str,
    total_label: str,
    selected: str | None = None,
) -> go.Figure:
    """Horizontal 100%-stacked bars, one per row in the given order (top first): each
    row's `total_field` split into `segments` (field, name, colour), every segment
    labelled with its share (hidden where it does not fit), the totals in a column at
    the right headed `total_label`, the selected unit's name in the accent red. Hover:
    unit, segment, count of total and share. Segments carry the area code as customdata."""
    positions = list(range(len(rows)))  # numeric rows: names may repeat
    codes = [r.get("area_code") for r in rows]
    names = [plain(r.get("area_name") or r.get("area_code", "")) for r in rows]
    totals = [r[total_field] for r in rows]
    fig = go.Figure()
    for field, name, color in segments:
        counts = [r[field] for r in rows]
        shares = [c / n if n else 0.0 for c, n in zip(counts, totals, strict=True)]
        fig.add_trace(
            go.Bar(
                x=shares,
                y=positions,
                orientation="h",
                name=name,
                marker={"color": color},
                text=[fmt.percent(s) if c else "" for s, c in zip(shares, counts, strict=True)],
                textposition="inside",
                insidetextanchor="middle",
                customdata=codes,
                hovertext=[
                    f"<b>{unit}</b><br>{name} {fmt.count(c)} / {fmt.count(n)} · {fmt.percent(s)}"
                    for unit, c, n, s in zip(names, counts, totals, shares, strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
    ticks = [
        f"<span style='color:{ACCENT}'><b>{name}</b></span>" if code == selected else name
        for code, name in zip(codes, names, strict=True)
    ]
    fig.update_layout(
        **base_layout(
            max(200, 26 * len(rows) + 96),
            margin={"l": 8, "r": 8, "t": 8, "b": 8},
            showlegend=True,
        ),
        barmode="stack",
        bargap=0.35,
        uniformtext={"minsize": 10, "mode": "hide"},
        legend={  # in the segments' order (a stack's legend is reversed by default)
            "orientation": "h",
            "traceorder": "normal",
            "x": 0,
            "y": 1.0,
            "yanchor": "bottom",
            "font": {"size": 12},
        },
        xaxis={
            "range": [0, 1],
            "domain": [0, 0.86],
            "tickformat": ".0%",
            "tickvals": [0, 0.25, 0.5, 0.75, 1.0],
            "gridcolor": GRID,
            "zeroline": False,
            "fixedrange": True,
        },
        yaxis=unit_axis(positions, ticks),
    )
    fig.add_annotation(
        x=1.0,
        xref="paper",
        xanchor="right",
        y=1.0,
        yref="paper",
        yanchor="bottom",
        showarrow=False,
        text=f"<span style='color:#6c757d'>{total_label}</span>",
        font={"size": 12},
    )
    for position, total in zip(positions, totals, strict=True):
        fig.add_annotation(
            x=1.0,
            xref="paper",
            xanchor="right",
            y=position,
            yref="y",
            showarrow=False,
            text=fmt.count(total),
            font={"size": 12, "color": TEXT},
        )
    return fig


LABEL_CLEARANCE = 0.3
"""How near (in bar widths) a dashed marker may pass a bar's centre before it would run
through the count written above that bar: nearer, the count is moved beside the line."""


def crossed_bar(counts: Sequence[int], marker: float | None) -> int | None:
    """The bar whose count label a dashed line at `marker` would cross (its nearest bar,
    if that bar has a label and the line passes within LABEL_CLEARANCE of its centre)."""
    if marker is None:
        return None
    nearest = round(marker)
    if 0 <= nearest < len(counts) and counts[nearest] and abs(marker - nearest) < LABEL_CLEARANCE:
        return nearest
    return None


def bucket_bars(
    rows: Sequence[dict], *, marker: float | None = None, marker_label: str = ""
) -> go.Figure:
    """Counts of ordered buckets (rows with "label", "count", "hover") as labelled
    vertical bars in one colour, and a dashed line at `marker` — a position in bar
    units, 0 being the first bar's centre (e.g. where the median falls) — labelled
    `marker_label`. The count of a bar the line would run through is written beside
    the line instead (an annotation, on the side of the bar's centre), never across it."""
    positions = list(range(len(rows)))
    counts = [r["count"] for r in rows]
    crossed = crossed_bar(counts, marker)
    fig = go.Figure(
        go.Bar(
            x=positions,
            y=counts,
            marker={"color": BAR},
            text=[fmt.count(c) if c and i != crossed else "" for i, c in enumerate(counts)],
            textposition="outside",
            cliponaxis=False,
            hovertext=[r["hover"] for r in rows],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    fig.update_layout(
        **base_layout(300, margin={"l": 8, "r": 16, "t": 28, "b": 8}),
        bargap=0.15,
        xaxis={
            "tickmode": "array",
            "tickvals": positions,
            "ticktext": [r["label"] for r in rows],
            "range": [-0.5, len(rows) - 0.5],
            "showgrid": False,
            "fixedrange": True,
        },
        yaxis=count_axis(max(counts) if counts else 0),
    )
    if marker is not None:
        dashed_marker(fig, marker, marker_label)
    if crossed is not None:
        # the line is right of the bar's centre (or on it): the count goes to its left
        left = marker >= crossed
        fig.add_annotation(
            x=marker,
            y=counts[crossed],
            xref="x",
            yref="y",
            xanchor="right" if left else "left",
            yanchor="bottom",
            xshift=-4 if left else 4,
            showarrow=False,
            text=fmt.count(counts[crossed]),
            font={"size": 13, "color": TEXT},
        )
    return fig
