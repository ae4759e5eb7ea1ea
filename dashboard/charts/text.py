"""Text from the warehouse as Plotly shows it: as itself.

Plotly reads a subset of HTML in tick labels, hover text, annotations, legend entries and
titles (<a href>, <b>, <span style>, <br>), so a village named `<a href="http://x">x</a>`
would be a live link on the axis. Every name that came from a file goes through `plain`
before it enters a figure; Plotly turns the entities back into the characters, so the
name reads exactly as it was loaded.

    ticktext=[plain(name) for name in names]
    f"<b>{plain(name)}</b><br>{value}"       # markup of our own around it stays markup
"""

from __future__ import annotations

import html


def plain(text: object) -> str:
    """`text` with `&`, `<` and `>` written as entities (None as "")."""
    return "" if text is None else html.escape(str(text), quote=False)
