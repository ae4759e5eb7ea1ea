"""落后单位: the bottom of a page's main ranking in one line under its KPI cards.

The ranking lists the units best first, so its lagging ones are at its end — below the
fold of a laptop's first screen (1,366×768), where a leader before a meeting does not
scroll. This strip names them there: the last ranked units, worst first, each a link
into that unit (as a click on its bar is), then the units with no value for the figure.
It ranks exactly as the ranking card does (views.ranking.ranking_rows)."""

from __future__ import annotations

from dash import dcc, html
from sqlalchemy import Engine

from xieshang.dashboard import data, fmt
from xieshang.dashboard.i18n import figure_name, t
from xieshang.dashboard.state import Options, State, to_query
from xieshang.dashboard.views.empty_states import outside_data
from xieshang.dashboard.views.ranking import ranking_rows

SHOWN = 3  # units named; with fewer than six ranked, the bottom half
NAMED_WITHOUT_VALUE = 3


def lagging(ranked: list[dict], n: int = SHOWN) -> list[dict]:
    """The last `n` ranked rows of stats.rank_rows' output, worst first — at most half of
    the ranked units (of four, the bottom two; of one, none: nobody lags alone), and
    none that equals the best (where all stand level, nobody lags)."""
    placed = [r for r in ranked if r["rank"] is not None]
    count = min(n, len(placed) // 2)
    return [r for r in placed[::-1][:count] if r["value"] != placed[0]["value"]]


def build_lagging(
    engine_: Engine, state: State, key: str, path: str, options: Options | None = None
) -> html.Div | None:
    """The strip for the ranking of `key` on the page at `path` (its links keep the
    page, its options and the filters), or None when there is nothing to say: no data,
    a period outside the data, fewer than two ranked units."""
    directory = data.directory(engine_)
    if directory.empty or outside_data(directory, state) is not None:
        return None
    ranked, _selected, _parent, _average = ranking_rows(engine_, state, key)
    bottom = lagging(ranked)
    if not bottom:
        return None
    lang = state.lang
    total = sum(1 for r in ranked if r["rank"] is not None)
    items: list = []
    for row in bottom:
        if items:
            items.append(html.Span(" · ", className="xs-lagging-sep"))
        items.append(
            dcc.Link(
                [
                    html.Span(row["area_name"], className="xs-lagging-name"),
                    " ",
                    html.Span(fmt.figure_value(key, row["value"]), className="xs-lagging-value"),
                ],
                href=path + to_query(state.replace(scope=row["area_code"]), options),
                title=t("lagging_rank", lang, rank=row["rank"], total=total),
                className="xs-lagging-unit",
            )
        )
    without = [r["area_name"] for r in ranked if r["value"] is None]
    if without:
        items.append(html.Span(" · ", className="xs-lagging-sep"))
        items.append(
            html.Span(
                t("lagging_no_value", lang, names=_names(without, lang)),
                className="xs-lagging-none",
            )
        )
    return html.Div(
        [
            html.Span(
                t("lagging_label", lang, figure=figure_name(key, lang)),
                className="xs-lagging-label",
            ),
            *items,
        ],
        className="xs-lagging",
        id="lagging",
    )


def _names(names: list[str], lang: str) -> str:
    """Up to NAMED_WITHOUT_VALUE names, then how many more."""
    joined = ("、" if lang == "zh" else ", ").join(names[:NAMED_WITHOUT_VALUE])
    if len(names) <= NAMED_WITHOUT_VALUE:
        return joined
    return t(
        "lagging_more", lang, names=joined, n=len(names), more=len(names) - NAMED_WITHOUT_VALUE
    )
