"""The reach heatmap: units × the ten stakeholder categories."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from xieshang.contract.columns import STAKEHOLDER_CATEGORIES
from xieshang.dashboard import fmt
from xieshang.dashboard.charts.text import plain
from xieshang.dashboard.charts.theme import ACCENT, NO_DATA_FILL, base_layout, colorscale
from xieshang.dashboard.i18n import t, vocab

CELL_FONT = 13  # px: the shares in the cells and the category names (was 10 / 11)
ROW_HEIGHT = 34  # px a unit


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
        name = plain(unit.get("area_name") or unit["area_code"])
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
            textfont={"size": CELL_FONT},  # read from across a table, as the ticks are
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
        f"<span style='color:{ACCENT}'><b>{plain(u.get('area_name') or u['area_code'])}</b></span>"
        if u["area_code"] == selected
        else plain(u.get("area_name") or u["area_code"])
        for u in rows
    ]
    fig.update_layout(
        **base_layout(
            # rows, and the upright category names below them (the English ones longer)
            ROW_HEIGHT * len(rows) + (260 if lang == "en" else 190),
            margin={"l": 8, "r": 8, "t": 8, "b": 8},
            plot_bgcolor=NO_DATA_FILL,  # a unit without meetings: grey, not white
        ),
        xaxis={
            "tickmode": "array",
            "tickvals": list(range(len(labels))),
            "ticktext": labels,
            "tickangle": -90,  # slanted, the first long names would run off the left edge
            "tickfont": {"size": CELL_FONT},
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
