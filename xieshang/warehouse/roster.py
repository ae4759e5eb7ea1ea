"""The roster's tops: the areas whose parent is not in it. One is the roster's root (a
county, or the city above several); more than one means areas the root does not reach."""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from xieshang.warehouse import schema
from xieshang.warehouse.codes import LEVELS, parent_of


def roster_tops(conn: Connection) -> list[str]:
    """The codes of the areas above villages whose parent is not in the roster, highest
    level first and by code within a level (a roster of villages alone: its smallest
    village); [] for an empty roster."""
    ar = schema.areas
    rows = conn.execute(select(ar.c.area_code, ar.c.level).where(ar.c.level != "village")).all()
    if not rows:
        first = conn.execute(select(func.min(ar.c.area_code))).scalar()
        return [] if first is None else [first]
    codes = {code for code, _ in rows}
    tops = [
        (LEVELS.index(level) if level in LEVELS else len(LEVELS), code)
        for code, level in rows
        if parent_of(code) not in codes
    ]
    return [code for _, code in sorted(tops)]
