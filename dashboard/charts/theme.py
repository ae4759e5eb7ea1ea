"""The charts' one style: colours, the base layout, the hover text of a unit's figure and
the dcc.Graph config (ui.md "Charts").

- Categorical colours: Okabe–Ito (colour-blind safe), `PALETTE`.
- Sequential: one hue (blues), `SEQUENTIAL`; the accent red `ACCENT` only for the
  selected unit and alerts.
- `graph_config(lang)`: the mode bar trimmed to "download as PNG", zh-CN locale.
"""

from __future__ import annotations

import math

from xieshang.dashboard import fmt
from xieshang.dashboard.charts.text import plain
from xieshang.dashboard.i18n import figure_name, t

FONT = '"PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif'
PALETTE = (  # Okabe–Ito, black last
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
SEQUENTIAL = (  # one hue, light to dark (ColorBrewer Blues)
    "#eff3ff",
    "#c6dbef",
    "#9ecae1",
    "#6baed6",
    "#4292c6",
    "#2171b5",
    "#084594",
)
ACCENT = "#C8102E"
BAR = "#0072B2"
MUTED = "#b8bec4"
TEXT = "#212529"
GRID = "#e9ecef"
NO_DATA_FILL = "#f1f3f5"

_REMOVE = [
    "zoom2d",
    "pan2d",
    "select2d",
    "lasso2d",
    "zoomIn2d",
    "zoomOut2d",
    "autoScale2d",
    "resetScale2d",
    "hoverClosestCartesian",
    "hoverCompareCartesian",
    "toggleSpikelines",
    "zoom3d",
    "pan3d",
    "orbitRotation",
    "tableRotation",
    "resetCameraDefault3d",
    "resetCameraLastSave3d",
    "hoverClosest3d",
    "zoomInGeo",
    "zoomOutGeo",
    "resetGeo",
    "hoverClosestGeo",
    "hoverClosestGl2d",
    "hoverClosestPie",
    "toggleHover",
    "resetViews",
    "resetViewMapbox",
    "resetViewMap",
    "zoomInMap",
    "zoomOutMap",
    "sendDataToCloud",
    "sendChartToCloud",
    "editInChartStudio",
    "downloadJSON",
]


def graph_config(lang: str = "zh", filename: str = "chart") -> dict:
    """dcc.Graph config: only the PNG download, no logo, the local zh-CN locale.

    plotly.js 4 adds a "Share chart" button that uploads to Plotly Cloud: it is removed
    by name, and `modeBarButtons` whitelists the PNG download so that no button a later
    plotly.js adds can appear."""
    return {
        "modeBarButtons": [["toImage"]],
        "modeBarButtonsToRemove": _REMOVE,
        "plotlyServerURL": "",
        "displaylogo": False,
        "locale": "en" if lang == "en" else "zh-CN",
        "scrollZoom": False,
        "doubleClick": False,
        "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
    }


def base_layout(height: int = 320, **extra) -> dict:
    layout = {
        "font": {"family": FONT, "size": 13, "color": TEXT},
        "margin": {"l": 8, "r": 16, "t": 8, "b": 8},
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "height": height,
        "hoverlabel": {"font": {"family": FONT, "size": 13}, "bgcolor": "white"},
        "separators": ".,",
        "showlegend": False,
        "dragmode": False,
    }
    layout.update(extra)
    return layout


def count_axis(top: float) -> dict:
    """A y axis of counts from 0 with room for the labels above the bars; whole-number
    ticks only (below 5 plotly would step by 0.2, and ",d" would print 0 0 1 1 1)."""
    axis = {
        "range": [0, (top or 1) * 1.2],
        "tickformat": ",d",
        "rangemode": "tozero",
        "gridcolor": GRID,
        "fixedrange": True,
    }
    if top < 5:
        axis["dtick"] = 1
    return axis


def is_rate(key: str) -> bool:
    return fmt.kind_of(key) == "rate"


def sequential_color(fraction: float | None) -> str:
    """A colour of the single-hue scale for a position in [0, 1]."""
    if fraction is None or math.isnan(fraction):
        return NO_DATA_FILL
    fraction = min(1.0, max(0.0, fraction))
    index = fraction * (len(SEQUENTIAL) - 1)
    low = int(math.floor(index))
    high = min(low + 1, len(SEQUENTIAL) - 1)
    weight = index - low
    a, b = _rgb(SEQUENTIAL[low]), _rgb(SEQUENTIAL[high])
    mixed = tuple(round(x + (y - x) * weight) for x, y in zip(a, b, strict=True))
    return "#{:02x}{:02x}{:02x}".format(*mixed)


def _rgb(color: str) -> tuple[int, int, int]:
    return int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16)


def colorscale() -> list[list]:
    n = len(SEQUENTIAL) - 1
    return [[i / n, c] for i, c in enumerate(SEQUENTIAL)]


def hover_value(item: dict, key: str, lang: str) -> str:
    """A unit's name, its figure, the count behind it, its interval and flags, for a
    hover label."""
    lines = [
        f"<b>{plain(item.get('area_name', ''))}</b>",
        f"{figure_name(key, lang)} {fmt.figure_value(key, item['value'])}",
    ]
    if item.get("k") is not None and item.get("n") is not None:
        lines.append(f"{fmt.count(item['k'])} / {fmt.count(item['n'])}")
    elif item.get("n") is not None:
        lines.append(f"n = {fmt.count(item['n'])}")
    if item.get("ci") is not None:
        low, high = item["ci"]
        lines.append(f"{t('ci_hover', lang)} {fmt.percent(low)}–{fmt.percent(high)}")
    if item.get("too_few"):
        lines.append(t("too_few", lang))
    if item.get("over_100"):
        lines.append(f"<span style='color:{ACCENT}'>{t('over_100', lang)}</span>")
    return "<br>".join(lines)
