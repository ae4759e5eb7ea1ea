"""Figures month by month: rates as lines on a 0–100% axis, a count as labelled bars.

Each month is a period of its own (metrics.monthly_series), so its points are not all
equally telling, and the charts say which:

- a month with no cases behind a rate (no resolution due, no meeting) is a gap, not 0 %;
- every point's hover gives the count behind it and its sample size (n = …, also the
  point's customdata);
- a month resting on fewer than MIN_CASES cases is drawn hollow and faint, and the
  legend says so;
- a month the figures cover only in part — the period begins or ends inside it, or the
  last load came before its end — is joined to its neighbour by a dashed segment (a bar:
  hatched and lighter) and named in the legend; a month wholly after the last load has
  no figures yet: a gap, no bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import plotly.graph_objects as go

from xieshang.dashboard import fmt
from xieshang.dashboard.charts.theme import BAR, GRID, PALETTE, base_layout, count_axis
from xieshang.dashboard.i18n import figure_name, t
from xieshang.dashboard.stats import RATE_PARTS, parts

MIN_CASES = 5
"""A month's point resting on fewer cases than this (resolutions due, meetings, …) is
drawn hollow and faint: one resolution of one implemented is 100 %, and says little. The
same threshold as the rankings' "too few to rank" (stats.MIN_N)."""

CASES_OF: dict[str, str] = {"party_participation_rate": "meetings"}
"""Rates whose denominator is not what a month's value rests on: Party participation
divides by the roster's members whatever the month held, so its cases are the month's
meetings (without one it is a gap, not 0 %). Other rates rest on their denominator."""

# the words after "n = …", by the count that is the sample
_CASE_UNITS: dict[str, str] = {
    "resolutions_due": "unit_resolutions_due",
    "meetings": "unit_meetings",
    "village_months": "unit_village_months",
    "attendance_rows": "unit_attendances",
    "resolutions_of_period_meetings": "unit_resolutions",
}

FAINT = 0.55  # the opacity of a point resting on too few cases
HINT = "#6c757d"  # the legend's explanatory entries: grey, no data of their own
PART_BAR = "#7fb8d8"  # a partly covered month's bar: BAR, lighter


# --- what each month is -----------------------------------------------------------------


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _month_end(first: date) -> date:
    return date(first.year + (first.month == 12), first.month % 12 + 1, 1) - timedelta(days=1)


def coverage(row: dict) -> str:
    """How much of its calendar month a monthly_series row covers, from its first day to
    its as_of: "whole", "part" (the period begins or ends inside the month, or the last
    load came before its end) or "none" (the month begins after the last load)."""
    start, as_of = _day(row["from"]), _day(row["as_of"])
    if as_of < start:
        return "none"
    first = start.replace(day=1)
    return "whole" if start == first and as_of >= _month_end(first) else "part"


def cases(key: str, counts: dict) -> int | None:
    """The number of cases a month's value of `key` rests on (CASES_OF, else the rate's
    denominator); None when unknown."""
    if key in CASES_OF:
        return counts.get(CASES_OF[key])
    return parts(key, counts)[1]


def _case_count_key(key: str) -> str | None:
    if key in CASES_OF:
        return CASES_OF[key]
    return RATE_PARTS.get(key, (None, None))[1]


def sample_text(key: str, n: int, lang: str) -> str:
    """The sample of a point: "n = 4 项到期决议" / "n = 4 resolutions due"."""
    unit = _CASE_UNITS.get(_case_count_key(key) or "")
    return t("trend_n", lang, n=fmt.count(n), unit=t(unit, lang) if unit else "").rstrip()


def _part_text(row: dict, lang: str) -> str:
    return t("trend_part_hover", lang, start=fmt.day(_day(row["from"])), end=fmt.day(row["as_of"]))


def _month_names(rows: Sequence[dict], lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(fmt.month(r["month"], lang) for r in rows)


# --- the axis -------------------------------------------------------------------------------


def month_axis(series: Sequence[dict], lang: str) -> dict:
    """A date x axis of calendar months labelled 2025年3月 (Mar 2025), from the first
    month's first day to the last one's end: left to itself, a single month's axis is
    the width of its one point, and holds no month start to label."""
    following = _month_after(series[-1]["month"]) if series else None
    return {
        "type": "date",
        **({"range": [f"{series[0]['month']}-01", following]} if series else {}),
        "tickformat": "%b %Y" if lang == "en" else "%Y年%-m月",
        "dtick": "M1" if len(series) <= 6 else ("M2" if len(series) <= 14 else "M3"),
        "ticklabelmode": "period",
        "fixedrange": True,
        "showgrid": False,
    }


def _month_after(month: str) -> str:
    """The first day of the month after "YYYY-MM"."""
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year + mon // 12:04d}-{mon % 12 + 1:02d}-01"


def _month_dates(series: Sequence[dict]) -> list[str]:
    return [f"{row['month']}-01" for row in series]


# --- rates as lines -------------------------------------------------------------------------


def _points(series: Sequence[dict], key: str, lang: str) -> list[dict]:
    """Per month: the value drawn (None: a gap), its sample, whether it rests on too few,
    its coverage and its hover text."""
    out = []
    for row in series:
        counts = row.get("counts", {})
        covered = coverage(row)
        n = cases(key, counts)
        value = row.get(key)
        if covered == "none" or n == 0:
            value = None  # no cases: nothing to draw, not 0 %
        few = value is not None and n is not None and n < MIN_CASES
        hover = None
        if value is not None:
            k, d = parts(key, counts)
            share = ""
            if k is not None and d is not None:
                share = t("trend_share", lang, k=fmt.count(k), n=fmt.count(d))
            lines = [
                f"<b>{fmt.month(row['month'], lang)}</b>",
                f"{figure_name(key, lang)} {fmt.figure_value(key, value)}{share}",
            ]
            if n is not None:
                sample = sample_text(key, n, lang)
                lines.append(
                    f"{sample} · {t('trend_few_hover', lang, n=MIN_CASES)}" if few else sample
                )
            if covered == "part":
                lines.append(_part_text(row, lang))
            hover = "<br>".join(lines)
        out.append(
            {
                "y": value,
                "n": n if value is not None else None,
                "few": few,
                "part": covered == "part",
                "hover": hover,
            }
        )
    return out


def _marker(points: Sequence[dict], color: str, sizes: Sequence[int] | None = None) -> dict:
    return {
        "color": color,
        "symbol": ["circle-open" if p["few"] else "circle" for p in points],
        "opacity": [FAINT if p["few"] else 1.0 for p in points],
        "size": list(sizes) if sizes is not None else 7,
        "line": {"color": color, "width": 1.5},
    }


def trend_lines(series: Sequence[dict], keys: Sequence[str], lang: str = "zh") -> go.Figure:
    """Rates month by month (one line per figure, Okabe–Ito colours) on a 0–100% axis,
    months without cases as gaps, months on too few cases hollow, partly covered months
    dashed (module docstring).

    Traces, per figure: its line through the whole months (the legend entry; customdata
    the sample n of each point), then — when some month is covered only in part — a
    dashed trace (no legend entry) from each such month to its neighbour, markers only on
    the partial months. Last, grey legend entries explaining hollow points and dashes
    when the chart has them."""
    dates = _month_dates(series)
    fig = go.Figure()
    top = 1.0
    any_few = any_dashed = False
    partial = [row for row in series if coverage(row) == "part"]
    for index, key in enumerate(keys):
        color = PALETTE[index % len(PALETTE)]
        points = _points(series, key, lang)
        top = max([top, *[p["y"] for p in points if p["y"] is not None]])
        any_few = any_few or any(p["few"] for p in points)
        whole = [None if p["part"] else p for p in points]
        fig.add_trace(
            go.Scatter(
                x=dates,
                y=[p["y"] if p else None for p in whole],
                customdata=[p["n"] if p else None for p in whole],
                mode="lines+markers",
                name=figure_name(key, lang),
                legendgroup=key,
                xperiod="M1",
                xperiodalignment="middle",
                line={"color": color, "width": 2},
                marker=_marker([p or {"few": False} for p in whole], color),
                connectgaps=False,
                hovertext=[p["hover"] if p else None for p in whole],
                hovertemplate="%{hovertext}<extra></extra>",
            )
        )
        dashed = _dashed(points)
        if dashed is not None:
            kept, sizes = dashed
            # a partly covered month alone, with no neighbour to join, draws no dash
            any_dashed = any_dashed or sum(p is not None for p in kept) > 1
            fig.add_trace(
                go.Scatter(
                    x=dates,
                    y=[p["y"] if p else None for p in kept],
                    customdata=[p["n"] if p else None for p in kept],
                    mode="lines+markers",
                    name=figure_name(key, lang),
                    legendgroup=key,
                    showlegend=False,
                    xperiod="M1",
                    xperiodalignment="middle",
                    line={"color": color, "width": 2, "dash": "dash"},
                    marker=_marker([p or {"few": False} for p in kept], color, sizes),
                    connectgaps=False,
                    hovertext=[p["hover"] if p else None for p in kept],
                    hovertemplate="%{hovertext}<extra></extra>",
                )
            )
    if any_few:
        fig.add_trace(_hint_marker(t("trend_few", lang, n=MIN_CASES)))
    if any_dashed:
        fig.add_trace(_hint_dash(t("trend_part_line", lang, months=_month_names(partial, lang))))
    elif partial:
        name = t("trend_part_point", lang, months=_month_names(partial, lang))
        fig.add_trace(_hint_marker(name, "circle"))
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


def _dashed(points: Sequence[dict]) -> tuple[list, list[int]] | None:
    """The points of the dashed trace — each partly covered month with a value and the
    neighbours it joins — and their marker sizes (0 on the neighbours, which the solid
    trace draws); None when no partly covered month has a value."""
    shown = [p["part"] and p["y"] is not None for p in points]
    if not any(shown):
        return None
    keep = list(shown)
    for i in (i for i, s in enumerate(shown) if s):
        for j in (i - 1, i + 1):
            if 0 <= j < len(points) and points[j]["y"] is not None:
                keep[j] = True
    kept = [p if k else None for p, k in zip(points, keep, strict=True)]
    return kept, [7 if s else 0 for s in shown]


def _hint_marker(name: str, symbol: str = "circle-open") -> go.Scatter:
    return go.Scatter(
        x=[None],
        y=[None],
        mode="markers",
        name=name,
        marker={
            "symbol": symbol,
            "color": HINT,
            "size": 7,
            "line": {"color": HINT, "width": 1.5},
        },
        hoverinfo="skip",
    )


def _hint_dash(name: str) -> go.Scatter:
    return go.Scatter(
        x=[None],
        y=[None],
        mode="lines",
        name=name,
        line={"color": HINT, "width": 2, "dash": "dash"},
        hoverinfo="skip",
    )


# --- a count as bars ----------------------------------------------------------------------


def trend_bars(series: Sequence[dict], key: str, lang: str = "zh") -> go.Figure:
    """A count month by month, as labelled bars in one colour; a partly covered month's
    bar hatched and lighter (and named in the legend), a month after the last load
    without a bar."""
    covered = [coverage(row) for row in series]
    values = [
        None if c == "none" else (row.get(key) or 0) for row, c in zip(series, covered, strict=True)
    ]
    hover = []
    for row, c, v in zip(series, covered, values, strict=True):
        text = f"<b>{fmt.month(row['month'], lang)}</b><br>{figure_name(key, lang)} {fmt.count(v)}"
        if c == "part":
            text += f"<br>{_part_text(row, lang)}"
        hover.append(text if v is not None else None)
    part = [c == "part" for c in covered]
    fig = go.Figure(
        go.Bar(
            x=_month_dates(series),
            y=values,
            marker={
                "color": [PART_BAR if p else BAR for p in part],
                "pattern": {"shape": ["/" if p else "" for p in part], "fgcolor": "white"},
            },
            xperiod="M1",
            xperiodalignment="middle",
            text=[fmt.count(v) if v is not None else "" for v in values],
            textposition="outside",
            cliponaxis=False,
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
        )
    )
    partial = [row for row, p in zip(series, part, strict=True) if p]
    if partial:
        fig.add_trace(
            go.Bar(
                x=[None],
                y=[None],
                name=t("trend_part_bar", lang, months=_month_names(partial, lang)),
                marker={"color": PART_BAR, "pattern": {"shape": "/", "fgcolor": "white"}},
                hoverinfo="skip",
            )
        )
    drawn = [v for v in values if v is not None]
    fig.update_layout(
        **base_layout(300, margin={"l": 8, "r": 16, "t": 16, "b": 8}, showlegend=bool(partial)),
        legend={"orientation": "h", "y": -0.18, "x": 0, "font": {"size": 12}},
        yaxis=count_axis(max(drawn) if drawn else 0),
        xaxis=month_axis(series, lang),
        bargap=0.3,
    )
    return fig
