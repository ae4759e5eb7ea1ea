"""The dashboard's figures on the big screen's dark background (/screen), drawn larger.

The page builders draw for a white card (charts.theme); the screen shows the same
figures, so rather than a second set of builders, `on_dark` restyles a finished figure:
the backgrounds become transparent (the panel's dark shows through), the text light, the
grid dim, and every font, margin and line scaled by `scale` (the screen's size against
1920×1080, times `BOOST` for reading across a room). The colours of the data stay: the
single-hue scale, Okabe–Ito and the bars read on dark as on white (≥ 3:1 for graphics),
and text the figure writes on a fill (the map's labels, labels inside bars, heatmap
cells) keeps its contrast with that fill. Text on the background is recoloured: the dark
ink and greys to `INK` / `SOFT`, the accent red to `ACCENT_ON_DARK` (#C8102E is only
3.2:1 on the screen's dark; these are ≥ 4.5:1, see `contrast`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import plotly.graph_objects as go

from xieshang.dashboard.charts.theme import ACCENT, NO_DATA_FILL, TEXT

BACKGROUND = "#0b1320"  # the screen
PANEL = "#121d2c"  # the panels the figures sit on
INK = "#e8eef5"
SOFT = "#a8b4c2"
ACCENT_ON_DARK = "#ff6b81"
GRID_ON_DARK = "#2b3a50"
NO_DATA_ON_DARK = "#2a3547"
BOOST = 1.6  # 13 px on a laptop card -> ~21 px on a 1080p screen

# colours of text the builders write on the white background -> on the dark one
_TEXT_COLOURS = {
    TEXT.lower(): INK,
    ACCENT.lower(): ACCENT_ON_DARK,
    "#495057": SOFT,
    "#868e96": SOFT,
    "#6c757d": SOFT,
}
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}\b")
_FONTS = ("font", "tickfont", "textfont", "insidetextfont", "outsidetextfont")


def on_dark(figure: go.Figure | dict, scale: float = 1.0) -> dict:
    """The figure (a go.Figure or its dict) for the dark screen, its type sizes, margins
    and lines × `scale` × BOOST; a plain figure dict (what dcc.Graph takes)."""
    fig = figure.to_dict() if isinstance(figure, go.Figure) else _copy(figure)
    factor = scale * BOOST
    layout = fig.setdefault("layout", {})
    layout.pop("height", None)  # the screen's panel sizes the figure
    layout.pop("width", None)
    layout["paper_bgcolor"] = "rgba(0,0,0,0)"
    plot = str(layout.get("plot_bgcolor", "white")).lower()
    layout["plot_bgcolor"] = NO_DATA_ON_DARK if plot == NO_DATA_FILL else "rgba(0,0,0,0)"
    layout["font"] = {**layout.get("font", {}), "color": INK}
    layout["font"].setdefault("size", 13)
    if "margin" in layout:
        layout["margin"] = {k: _times(v, factor) for k, v in layout["margin"].items()}
    if "uniformtext" in layout and "minsize" in layout["uniformtext"]:
        layout["uniformtext"]["minsize"] = _times(layout["uniformtext"]["minsize"], factor)
    _scale_fonts(layout, factor, recolour=True)
    # a hover label stays white: its text dark
    hover = layout.setdefault("hoverlabel", {})
    hover["font"] = {**hover.get("font", {}), "color": TEXT}
    for name, axis in layout.items():
        if name.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            _dark_axis(axis)
    for note in layout.get("annotations", []):
        if "text" in note:
            note["text"] = recolour(note["text"])
    for shape in layout.get("shapes", []):
        line = shape.get("line", {})
        if "color" in line:
            line["color"] = _text_colour(line["color"])
        if "width" in line:
            line["width"] = _times(line["width"], scale)
    for trace in fig.get("data", []):
        _dark_trace(trace, factor, scale)
    return fig


def recolour(text: str) -> str:
    """Markup written for the white background, its text colours for the dark one."""
    return _COLOUR.sub(lambda m: _text_colour(m.group(0)), text)


def contrast(foreground: str, background: str) -> float:
    """The WCAG contrast ratio of two #rrggbb colours (1 to 21)."""
    light, dark = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# --- the parts ---------------------------------------------------------------------------


def _dark_axis(axis: dict) -> None:
    axis["gridcolor"] = GRID_ON_DARK
    axis["linecolor"] = GRID_ON_DARK
    axis["zerolinecolor"] = GRID_ON_DARK
    if isinstance(axis.get("ticktext"), list | tuple):
        axis["ticktext"] = [recolour(str(text)) for text in axis["ticktext"]]


def _dark_trace(trace: dict, factor: float, scale: float) -> None:
    # the trace's own text sits on its fill, which keeps its colour: sizes only
    _scale_fonts(trace, factor, recolour=False)
    line = trace.get("line")
    if isinstance(line, dict) and isinstance(line.get("width"), int | float):
        line["width"] = _times(line["width"], scale)
    marker = trace.get("marker")
    if isinstance(marker, dict):
        if isinstance(marker.get("size"), int | float) and marker["size"] >= 1:
            marker["size"] = _times(marker["size"], scale)
        bar = marker.get("colorbar")
        if isinstance(bar, dict):
            _scale_colorbar(bar, factor)
    if isinstance(trace.get("colorbar"), dict):
        _scale_colorbar(trace["colorbar"], factor)


def _scale_colorbar(bar: dict, factor: float) -> None:
    """A colour bar's ticks sit on the background: light; its width and (when the
    builder left it to Plotly's 12 px) its type scaled (a size it set, _scale_fonts did)."""
    if isinstance(bar.get("thickness"), int | float):
        bar["thickness"] = _times(bar["thickness"], factor)
    bar["tickfont"] = {**bar.get("tickfont", {}), "color": INK}
    bar["tickfont"].setdefault("size", _times(12, factor))


def _scale_fonts(node, factor: float, recolour: bool) -> None:
    """Every font below `node` (a figure part): its size × factor, and — on the
    background (`recolour`) — its colour for the dark."""
    if isinstance(node, list):
        for item in node:
            _scale_fonts(item, factor, recolour)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in _FONTS and isinstance(value, dict):
            if "size" in value:
                value["size"] = _each(value["size"], lambda s: _times(s, factor))
            if recolour and isinstance(value.get("color"), str):
                value["color"] = _text_colour(value["color"])
        elif key != "template":  # Plotly's defaults: what the builder set overrides them
            _scale_fonts(value, factor, recolour)


def _text_colour(colour: str) -> str:
    return _TEXT_COLOURS.get(colour.lower(), colour)


def _each(value, change: Callable):
    if isinstance(value, list | tuple):
        return [change(v) for v in value]
    return change(value)


def _times(value, factor: float):
    return round(value * factor, 1) if isinstance(value, int | float) else value


def _copy(node):
    if isinstance(node, dict):
        return {k: _copy(v) for k, v in node.items()}
    if isinstance(node, list | tuple):
        return [_copy(v) for v in node]
    return node


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def _luminance(colour: str) -> float:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)
