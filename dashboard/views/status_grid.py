"""报送情况 as a grid, for the two pages that show it (数据质量 and 数据报送): a row per unit,
a cell per monthly kind — "已报送 2025-12-03 · 59/2" (the day the rows arrived, accepted/rejected),
"已报送·待匹配会议 2025-12-03 · 暂存 3" (rows waiting for their meeting) or the state alone —
coloured by its state (grid's "state" columns)."""

from __future__ import annotations

from xieshang.dashboard import grid
from xieshang.dashboard.i18n import t
from xieshang.metrics.submissions import GRID_KINDS, Status


def cell(row: dict, lang: str) -> str:
    """The text of one unit × kind."""
    label = row["state_en"] if lang == "en" else row["state_zh"]
    # the whole date (ui.md): a file sent late, in the next year, must not read as earlier
    when = f"{row['received_at']:%Y-%m-%d}" if row["received_at"] else ""
    if row["state"] == "held":
        return t("status_held_cell", lang, label=label, when=when, n=f"{row['held']:,}")
    if row["state"] in ("received", "rejected"):
        return f"{label} {when} · {row['accepted']:,}/{row['rejected']:,}"
    return label


def columns(lang: str) -> list[tuple[str, str, str]]:
    return [
        ("area_name", t("col_area", lang), "text"),
        ("area_code", t("col_code", lang), "text"),
        *((kind, t(f"dq_kind_{kind}", lang), "state") for kind in GRID_KINDS),
    ]


def units(status: Status, lang: str) -> list[dict]:
    """One row per unit, in the status's order, with a cell and a state per kind."""
    out: dict[str, dict] = {}
    for row in status.rows:
        name = row["area_name_en" if lang == "en" else "area_name"]
        unit = out.setdefault(row["area_code"], {"area_name": name, "area_code": row["area_code"]})
        unit[row["kind"]] = cell(row, lang)
        unit[f"{row['kind']}{grid.STATE_SUFFIX}"] = row["state"]
    return list(out.values())


def values(status: Status, lang: str) -> tuple[list[dict], list[dict]]:
    """(rowData, columnDefs) of the grid."""
    return grid.grid_values(columns(lang), units(status, lang), lang)
