"""Plotly figures in the dashboard's one style (ui.md "Charts").

- Categorical colours: Okabe–Ito (colour-blind safe), `PALETTE`.
- Sequential: one hue (blues), `SEQUENTIAL`; the accent red `ACCENT` only for the
  selected unit and alerts.
- Bars sorted by value and labelled; rates on a 0–100% axis; a dashed line for the
  average of the scope when comparing units; hover shows unit, value and the count.
- `graph_config(lang)`: the mode bar trimmed to "download as PNG", zh-CN locale.

Builders take plain rows (from xieshang.metrics through xieshang.dashboard.data) and return a
go.Figure; they never touch the database.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import plotly.graph_objects as go

from xieshang.contract.columns import STAKEHOLDER_CATEGORIES
from xieshang.dashboard import fmt
from xieshang.dashboard.i18n import figure_name, t, vocab

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
OVER_100_MARK = "⚠"  # after the value of a rate above 100% (a data problem)
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


def _hover_value(item: dict, key: str, lang: str) -> str:
    lines = [
        f"<b>{item.get('area_name', '')}</b>",
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
    names = [r.get("area_name") or r.get("area_code", "") for r in rows]
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
        hovertext=[_hover_value(r, key, lang) for r in rows],
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
            text = f"<span style='color:#868e96'>{t('no_value', lang)}</span>"
        else:
            text = fmt.figure_value(key, row["value"])
            if row.get("k") is not None and row.get("n") is not None:
                text += f" <span style='color:#868e96'>{fmt.count(row['k'])}/{fmt.count(row['n'])}</span>"
            if row["too_few"]:
                text += f" <span style='color:#868e96'>· {t('too_few', lang)}</span>"
            if row.get("over_100"):  # a sign, not words: the column is narrow (hover says)
                text += f" <span style='color:{ACCENT}'>{OVER_100_MARK}</span>"
            if key in SAMPLE_TEXT and row.get("n"):
                # a 100.0 from one score must not read like one from fifty
                sample = t(SAMPLE_TEXT[key], lang, n=fmt.count(row["n"]))
                text += f" <span style='color:#868e96'>· {sample}</span>"
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
        text=label,
        font={"size": 12, "color": "#495057"},
    )


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
            from xieshang.dashboard.stats import parts

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
    names = [r.get("area_name") or r.get("area_code", "") for r in rows]
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
        text=f"<span style='color:#868e96'>{total_label}</span>",
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


def bucket_bars(
    rows: Sequence[dict], *, marker: float | None = None, marker_label: str = ""
) -> go.Figure:
    """Counts of ordered buckets (rows with "label", "count", "hover") as labelled
    vertical bars in one colour, and a dashed line at `marker` — a position in bar
    units, 0 being the first bar's centre (e.g. where the median falls) — labelled
    `marker_label`."""
    positions = list(range(len(rows)))
    counts = [r["count"] for r in rows]
    fig = go.Figure(
        go.Bar(
            x=positions,
            y=counts,
            marker={"color": BAR},
            text=[fmt.count(c) if c else "" for c in counts],
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
        yaxis={
            "range": [0, (max(counts) if counts else 1) * 1.2 or 1],
            "tickformat": ",d",
            "rangemode": "tozero",
            "gridcolor": GRID,
            "fixedrange": True,
        },
    )
    if marker is not None:
        dashed_marker(fig, marker, marker_label)
    return fig


def reach_heatmap(
    units: Sequence[dict], lang: str = "zh", *, selected: str | None = None
) -> go.Figure:
    """Units (rows, in the given order) × the ten stakeholder categories (columns): the
    share of the unit's meetings with at least one attendee of the category, on the
    single-hue 0–100% scale, printed in the cell; a share of 0 is marked with an ×, a
    unit without meetings is left grey; the selected unit's name is in the accent red. Cells (and marks) carry
    the unit's area code as customdata.

    `units`: rows of metrics.stakeholder_reach's "children" (area_code, area_name,
    meetings, reached: {category: meetings})."""
    rows = list(units)
    labels = [vocab("category", c, lang) for c in STAKEHOLDER_CATEGORIES]
    z, texts, hover, zero_x, zero_y, zero_codes = [], [], [], [], [], []
    for y, unit in enumerate(rows):
        n = unit["meetings"]
        name = unit.get("area_name") or unit["area_code"]
        line, shown, tips = [], [], []
        for x, (category, label) in enumerate(zip(STAKEHOLDER_CATEGORIES, labels, strict=True)):
            k = unit["reached"][category]
            share = k / n if n else None
            line.append(share)
            shown.append(fmt.percent(share) if share else "")  # a 0 gets its × instead
            head = f"<b>{name}</b><br>{label}"
            if share is None:
                tips.append(f"{head}<br>{t('sh_no_meetings', lang)}")
                continue
            count = t("sh_cell_count", lang, k=fmt.count(k), n=fmt.count(n))
            tips.append(f"{head}<br>{t('sh_share', lang)} {fmt.percent(share)}<br>{count}")
            if k == 0:
                zero_x.append(x)
                zero_y.append(y)
                zero_codes.append(unit["area_code"])
        z.append(line)
        texts.append(shown)
        hover.append(tips)
    codes = [[u["area_code"]] * len(labels) for u in rows]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(range(len(labels))),
            y=list(range(len(rows))),  # numeric rows: names may repeat
            zmin=0,
            zmax=1,
            colorscale=colorscale(),
            xgap=2,
            ygap=2,
            text=texts,
            texttemplate="%{text}",
            textfont={"size": 10},
            customdata=codes,
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            colorbar={"thickness": 10, "len": 0.8, "tickformat": ".0%", "outlinewidth": 0},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=zero_x,
            y=zero_y,
            mode="markers",
            marker={"symbol": "x-thin", "size": 9, "line": {"width": 1.5, "color": "#495057"}},
            customdata=zero_codes,
            hoverinfo="skip",
        )
    )
    names = [
        f"<span style='color:{ACCENT}'><b>{u.get('area_name') or u['area_code']}</b></span>"
        if u["area_code"] == selected
        else (u.get("area_name") or u["area_code"])
        for u in rows
    ]
    fig.update_layout(
        **base_layout(
            # rows, and the upright category names below them (the English ones longer)
            32 * len(rows) + (240 if lang == "en" else 170),
            margin={"l": 8, "r": 8, "t": 8, "b": 8},
            plot_bgcolor=NO_DATA_FILL,  # a unit without meetings: grey, not white
        ),
        xaxis={
            "tickmode": "array",
            "tickvals": list(range(len(labels))),
            "ticktext": labels,
            "tickangle": -90,  # slanted, the first long names would run off the left edge
            "tickfont": {"size": 11},
            "automargin": True,
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },
        yaxis={
            "tickmode": "array",
            "tickvals": list(range(len(rows))),
            "ticktext": names,
            "range": [len(rows) - 0.5, -0.5],
            "automargin": True,
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },
    )
    return fig


def township_map(
    shapes: dict[str, list[list[tuple[float, float]]]],
    units: Sequence[dict],
    key: str,
    lang: str = "zh",
    *,
    selected: str | None = None,
    height: int = 380,
) -> tuple[go.Figure, list[str]]:
    """Township polygons filled by a figure on the single-hue scale (rates on a fixed
    0–100% scale), the selected township outlined in the accent red. Drawn as plain
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
    all_x, all_y = [], []
    outline = None
    ordered = sorted(units, key=lambda u: u.get("area_code") == selected)  # selected last
    for unit in ordered:
        code = unit["area_code"]
        rings = shapes.get(code)
        if not rings:
            continue
        value = unit["value"]
        fill = sequential_color(None if value is None else value / vmax)
        is_selected = code == selected
        hover = (
            _hover_value(unit, key, lang)
            if value is not None
            else f"<b>{unit.get('area_name', code)}</b><br>{t('no_value', lang)}"
        )
        for ring in rings:
            xs = [p[0] for p in ring] + [ring[0][0]]
            ys = [p[1] for p in ring] + [ring[0][1]]
            all_x += xs
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
                    name=unit.get("area_name", code),
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
            f"<span style='color:{'white' if dark else TEXT}'>{unit.get('area_name', code)}"
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
