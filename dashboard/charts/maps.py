"""The overview's map: township (or, at a city's scope, county) polygons filled on the
single-hue scale, drawn as plain scatter traces (no basemap, no tiles, nothing fetched)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from xieshang.dashboard import fmt
from xieshang.dashboard.charts.text import plain
from xieshang.dashboard.charts.theme import (
    ACCENT,
    FONT,
    TEXT,
    base_layout,
    colorscale,
    hover_value,
    is_rate,
    sequential_color,
)
from xieshang.dashboard.i18n import t


def township_map(
    shapes: dict[str, list[list[tuple[float, float]]]],
    units: Sequence[dict],
    key: str,
    lang: str = "zh",
    *,
    selected: str | None = None,
    height: int = 380,
) -> tuple[go.Figure, list[str]]:
    """Township polygons (a city's county polygons alike) filled by a figure on the
    single-hue scale (rates on a fixed 0–100% scale), the selected township outlined in
    the accent red. Drawn as plain
    scatter traces: no basemap, no tiles, nothing fetched.

    `shapes`: area_code -> rings of (x, y) (lon, lat). `units`: rows with area_code,
    area_name, value, and optionally k / n / ci / too_few (see stats.rank_rows).
    Returns the figure and the area code of each trace (for click handling; None for
    decoration traces)."""
    fig = go.Figure()
    codes: list[str | None] = []
    rate = is_rate(key)
    present = [u["value"] for u in units if u["value"] is not None]
    vmax = 1.0 if rate else (max(present) if present else 1.0) or 1.0
    if rate and present:
        vmax = max(1.0, max(present))
    label_x, label_y, label_text, label_codes, label_hover = [], [], [], [], []
    all_y = []
    outline = None
    ordered = sorted(units, key=lambda u: u.get("area_code") == selected)  # selected last
    for unit in ordered:
        code = unit["area_code"]
        rings = shapes.get(code)
        if not rings:
            continue
        value = unit["value"]
        name = plain(unit.get("area_name", code))
        fill = sequential_color(None if value is None else value / vmax)
        is_selected = code == selected
        hover = (
            hover_value(unit, key, lang)
            if value is not None
            else f"<b>{name}</b><br>{t('no_value', lang)}"
        )
        for ring in rings:
            xs = [p[0] for p in ring] + [ring[0][0]]
            ys = [p[1] for p in ring] + [ring[0][1]]
            all_y += ys
            fig.add_trace(
                go.Scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    fill="toself",
                    fillcolor=fill,
                    line={"color": "white", "width": 1.2},
                    hoveron="fills",
                    hoverinfo="text",
                    text=hover,
                    name=name,
                    showlegend=False,
                )
            )
            codes.append(code)
        if is_selected:
            outline = rings
        cx, cy = _label_point(max(rings, key=_area_abs))
        label_x.append(cx)
        label_y.append(cy)
        dark = value is not None and value / vmax > 0.55
        label_text.append(
            f"<span style='color:{'white' if dark else TEXT}'>{name}"
            f"<br>{fmt.figure_value(key, value) if value is not None else '—'}</span>"
        )
        label_codes.append(code)
        label_hover.append(hover)
    if outline:  # the selected unit's outline, above every fill
        xs, ys = [], []
        for ring in outline:
            xs += [p[0] for p in ring] + [ring[0][0], None]
            ys += [p[1] for p in ring] + [ring[0][1], None]
        fig.add_trace(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"color": ACCENT, "width": 3},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        codes.append(selected)
    if label_x:
        fig.add_trace(
            go.Scatter(
                x=label_x,
                y=label_y,
                mode="text",
                text=label_text,
                textfont={"size": 11, "family": FONT},
                customdata=label_codes,
                hovertext=label_hover,
                hovertemplate="%{hovertext}<extra></extra>",
                showlegend=False,
            )
        )
        codes.append(None)
        # the colour bar: an invisible marker trace carrying the scale
        fig.add_trace(
            go.Scatter(
                x=[label_x[0]],
                y=[label_y[0]],
                mode="markers",
                hoverinfo="skip",
                marker={
                    "size": 0.1,
                    "opacity": 0,
                    "color": [0, vmax],
                    "cmin": 0,
                    "cmax": vmax,
                    "colorscale": colorscale(),
                    "showscale": True,
                    "colorbar": {
                        "thickness": 10,
                        "len": 0.6,
                        "x": 1.0,
                        "y": 0.5,
                        "tickformat": ".0%" if rate else ",d",
                        "outlinewidth": 0,
                        "tickfont": {"size": 11},
                    },
                },
                showlegend=False,
            )
        )
        codes.append(None)
    mid_lat = (min(all_y) + max(all_y)) / 2 if all_y else 30.0
    fig.update_layout(
        **base_layout(height, margin={"l": 0, "r": 0, "t": 0, "b": 0}),
        xaxis={"visible": False, "fixedrange": True},
        yaxis={
            "visible": False,
            "fixedrange": True,
            "scaleanchor": "x",
            "scaleratio": 1 / max(0.2, math.cos(math.radians(mid_lat))),
        },
        hovermode="closest",
    )
    return fig, codes


def _area_abs(ring) -> float:
    return abs(_signed_area(ring))


def _signed_area(ring) -> float:
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, list(ring[1:]) + [ring[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return total / 2


def _label_point(ring) -> tuple[float, float]:
    """The polygon's centroid (its vertex mean if degenerate)."""
    area = _signed_area(ring)
    if abs(area) < 1e-12:
        return sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, list(ring[1:]) + [ring[0]], strict=True):
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return cx / (6 * area), cy / (6 * area)
