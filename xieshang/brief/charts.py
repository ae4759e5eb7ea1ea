"""The brief's key charts as PNG images, drawn offline with matplotlib (Agg) in the
system CJK font (xieshang.brief.fonts): the monthly meetings, the monthly implementation
rate and the ranking of the units by score. Each image carries its own title with the
scope and the months, so one copied out of the brief still says what it shows.

Matplotlib's settings are process-wide, so the charts are drawn one at a time under a
lock; the figures are built with the object API (no pyplot state left behind).
Matplotlib takes half a second to import: it is imported when a brief is drawn, not when
the dashboard or the command line starts."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from datetime import date

from xieshang.brief.content import Brief, Unit
from xieshang.brief.fonts import cjk_font
from xieshang.brief.numbers import half_up, month_label

BLUE, ORANGE, GREY, TEXT = "#0072B2", "#D55E00", "#9aa0a6", "#212529"  # Okabe–Ito, as the dashboard
WIDTH_IN = 6.3  # 16 cm: A4's text width with 2.5 cm margins
DPI = 200
MOST_BARS = 30  # a longer ranking shows its first and last 15
NOTHING_DUE = "各月均没有到期决议，没有落实率"
TAG_LEFT_FROM = 90  # an average above which its 平均 tag goes left of the line
LOW_LABEL = 30  # a rate (%) below which a label stays above its point, clear of the axis

_LOCK = threading.Lock()
_FONTS_ADDED: set[str] = set()


@dataclass(frozen=True)
class Chart:
    """One chart: its title (also drawn in the image), the PNG and a note under it."""

    title: str
    png: bytes
    note: str = ""


def _month_ticks(months: list[str]) -> list[str]:
    # "6月"; the year on the first month and on every January
    ticks = []
    for i, month in enumerate(months):
        year, mon = int(month[:4]), int(month[5:7])
        ticks.append(f"{year}年\n{mon}月" if i == 0 or mon == 1 else f"{mon}月")
    return ticks


def _span(brief: Brief) -> str:
    first, last = brief.trend[0]["month"], brief.trend[-1]["month"]
    start = month_label(_first_day(first))
    return start if first == last else f"{start}–{month_label(_first_day(last))}"


def _first_day(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def _png(figure) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    buffer = io.BytesIO()
    FigureCanvasAgg(figure).print_png(buffer)
    return buffer.getvalue()


def _figure(height: float):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    ax = figure.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return figure, ax


def _meetings(brief: Brief) -> Chart:
    title = f"{brief.scope_name} · 月度协商会议数（{_span(brief)}）"
    months = [m["month"] for m in brief.trend]
    values = [m["meetings"] for m in brief.trend]
    figure, ax = _figure(2.6)
    colors = [GREY if m["partial"] else BLUE for m in brief.trend]
    bars = ax.bar(range(len(months)), values, color=colors, width=0.6)
    ax.bar_label(bars, labels=[f"{v:,}" for v in values], fontsize=8, padding=2, color=TEXT)
    ax.set_xticks(range(len(months)), _month_ticks(months), fontsize=8)
    ax.set_ylabel("次", fontsize=8)
    ax.set_ylim(0, max([*values, 1]) * 1.2)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_title(title, fontsize=10, loc="left")
    note = "灰色柱为数据尚不完整的月份。" if any(m["partial"] for m in brief.trend) else ""
    return Chart(title, _png(figure), note)


def _implementation(brief: Brief) -> Chart:
    figure, title, note = implementation_figure(brief)
    return Chart(title, _png(figure), note)


def _apart(figure, labels: list) -> None:
    """Every other label under its point when labels side by side would touch (a city's
    5,501/9,311 beside 5,501/9,233 read as one number): the rates there are well above
    the axis, so the label below stays clear of it."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(figure).get_renderer()
    boxes = [label.get_window_extent(renderer) for label in labels]
    if all(a.x1 < b.x0 - 2 for a, b in zip(boxes, boxes[1:], strict=False)):
        return
    for label in labels[1::2]:
        if label.xy[1] >= LOW_LABEL:
            label.xyann = (0, -8)
            label.set_va("top")


def implementation_figure(brief: Brief):
    """(figure, title, note) of the monthly implementation rate, its points labelled
    with the rate and the counts behind it (thousands separated)."""
    title = f"{brief.scope_name} · 月度决议落实率（{_span(brief)}）"
    months = [m["month"] for m in brief.trend]
    figure, ax = _figure(2.6)
    xs = list(range(len(months)))
    # a month with nothing due has no rate: a gap in the line, not a fall to 0 %
    ys = [
        None if m["implementation_rate"] is None else 100 * m["implementation_rate"]
        for m in brief.trend
    ]
    ax.plot(xs, [float("nan") if y is None else y for y in ys], color=ORANGE, marker="o", lw=1.6)
    labels = []
    for x, m in zip(xs, brief.trend, strict=True):
        if m["implementation_rate"] is not None:
            rate = half_up(m["implementation_rate"], 1, 100)
            label = f"{rate}%\n{m['implemented']:,}/{m['resolutions_due']:,}"
            labels.append(
                ax.annotate(
                    label,
                    (x, 100 * m["implementation_rate"]),
                    textcoords="offset points",
                    xytext=(0, 6),
                    ha="center",
                    va="bottom",
                    fontsize=7,
                    color=TEXT,
                )
            )
    ax.set_xticks(xs, _month_ticks(months), fontsize=8)
    ax.set_xlim(-0.5, len(months) - 0.5)
    ax.set_ylim(0, 125)
    ax.set_yticks([0, 25, 50, 75, 100], ["0%", "25%", "50%", "75%", "100%"], fontsize=8)
    ax.set_title(title, fontsize=10, loc="left")
    _apart(figure, labels)
    empty = [m for m in brief.trend if m["implementation_rate"] is None]
    if len(empty) == len(brief.trend):  # said in the chart, not left as empty axes
        ax.text(0.5, 0.5, NOTHING_DUE, transform=ax.transAxes, ha="center", color=GREY)
        note = NOTHING_DUE + "。"
    elif empty:
        note = "点旁为落实率与“已落实/到期”件数；没有到期决议的月份不画点。"
    else:
        note = "点旁为落实率与“已落实/到期”件数。"
    return figure, title, note


def _shown_units(units: tuple[Unit, ...]) -> tuple[list[Unit], str]:
    if len(units) <= MOST_BARS:
        return list(units), ""
    half = MOST_BARS // 2
    return [*units[:half], *units[-half:]], f"（共{len(units)}个，显示前{half}名与后{half}名）"


def _ranking(brief: Brief) -> Chart:
    figure, title, note = ranking_figure(brief)
    return Chart(title, _png(figure), note)


def ranking_figure(brief: Brief):
    """(figure, title, note) of the units' scores, each bar labelled at its end, and the
    average as a dashed line tagged 平均 at its top, in a strip above the first bar.
    A label near the average sits on a white box drawn over the line, so the line
    breaks around it rather than striking through the figures (65.8 through 63.6)."""
    units, cut = _shown_units(brief.ranking)
    title = f"{brief.scope_name} · {brief.unit_word}考核得分排名（{month_label(brief.start)}）{cut}"
    figure, ax = _figure(1.1 + 0.26 * len(units))
    ys = list(range(len(units)))[::-1]  # rank 1 at the top
    bars = ax.barh(ys, [u.score for u in units], color=BLUE, height=0.6, zorder=1)
    ax.bar_label(
        bars,
        labels=[f"{u.score:.1f}" for u in units],
        fontsize=7,
        padding=2,
        color=TEXT,
        bbox={"boxstyle": "square,pad=0.2", "facecolor": "white", "edgecolor": "none"},
        zorder=3,
    )
    ax.set_yticks(ys, [f"{u.rank}. {u.name}" for u in units], fontsize=8)
    # the average of every ranked unit, those a long ranking leaves out too
    average = half_up(sum(u.score for u in brief.ranking) / len(brief.ranking), 1)
    at = float(average)
    ax.axvline(at, color=ORANGE, linestyle="--", linewidth=1, zorder=2)
    ax.set_ylim(-0.6, len(units) + 0.2)
    # right of the line, or left of it when there is no room before the axis ends
    right = at <= TAG_LEFT_FROM
    ax.annotate(
        f"平均 {average}",
        (at, len(units) - 0.25),
        textcoords="offset points",
        xytext=(3 if right else -3, 0),
        ha="left" if right else "right",
        va="center",
        fontsize=7,
        color=ORANGE,
    )
    ax.set_xlim(0, 108)
    ax.set_xlabel("考核得分（满分100）", fontsize=8)
    ax.tick_params(axis="x", labelsize=8)
    # the cut on a line of its own: after a long scope name it ran off the picture's edge
    ax.set_title(title.replace(cut, f"\n{cut}") if cut else title, fontsize=10, loc="left")
    note = f"虚线为全部{len(brief.ranking)}个{brief.unit_word}的平均得分 {average}。"
    return figure, title, note


def _use_font() -> str:
    """The CJK family, registered with matplotlib once per process."""
    from matplotlib import font_manager

    font = cjk_font()
    if str(font.path) not in _FONTS_ADDED:
        font_manager.fontManager.addfont(str(font.path))
        _FONTS_ADDED.add(str(font.path))
    return font.family


def charts(brief: Brief) -> list[Chart]:
    """The brief's charts, in the order it shows them: meetings and implementation by
    month, then the ranking (when the scope has units to rank). NoCjkFont without a
    system CJK font."""
    import matplotlib

    with _LOCK:
        family = _use_font()
        with matplotlib.rc_context({"font.family": [family], "axes.unicode_minus": False}):
            drawn = [_meetings(brief), _implementation(brief)]
            if brief.ranking:
                drawn.append(_ranking(brief))
    return drawn
