"""Roster lookups: the root, one area, the areas below a scope."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Engine, select

from xieshang.metrics.context import connect
from xieshang.warehouse import schema
from xieshang.warehouse.codes import (
    CHILD_LEVEL,
    LEVELS,
    level_of,
    normalize_code,
    scope_range,
)
from xieshang.warehouse.roster import distinct_names, roster_tops


class UnknownScope(ValueError):
    """The scope is not an area of the roster."""


def root_area(bind: Engine | Connection) -> str | None:
    """The roster's root: the highest-level area whose parent is not in the roster
    (the smallest code among equals); None for an empty roster."""
    with connect(bind) as conn:
        tops = roster_tops(conn)
    return tops[0] if tops else None


def names_apart(bind: Engine | Connection, codes: Iterable[str]) -> dict[str, str]:
    """Each area's name, led by those above it while another area of the roster has the
    same (`xieshang.warehouse.roster.distinct_names`): for titles, file names, lists."""
    ar = schema.areas
    with connect(bind) as conn:
        names = dict(conn.execute(select(ar.c.area_code, ar.c.area_name)).all())
    return distinct_names(codes, names)


def names_apart_among(
    bind: Engine | Connection, codes: Iterable[str], names: dict[str, str]
) -> dict[str, str]:
    """The names of `codes` (one level, `names` theirs) told apart among themselves: a
    name that two of them share is led by the names of the areas above it (a city's
    townships: 临江县樟村乡 and 清河县樟村乡), as far as it takes; a name of its own stays
    alone (a table's rows: its title already names the scope)."""
    codes = list(codes)
    shown = [names.get(code, code) for code in codes]
    if len(set(shown)) == len(shown):
        return {code: names.get(code, code) for code in codes}
    depth = min((LEVELS.index(level_of(code)) for code in codes), default=0)
    ar = schema.areas
    with connect(bind) as conn:
        every = dict(conn.execute(select(ar.c.area_code, ar.c.area_name)).all())
    above = {code: name for code, name in every.items() if LEVELS.index(level_of(code)) < depth}
    return distinct_names(codes, {**above, **{code: names.get(code, code) for code in codes}})


def area_info(bind: Engine | Connection, code: str) -> dict | None:
    """{"area_code", "area_name", "level", "party_members"} of a roster area, or None."""
    ar = schema.areas
    with connect(bind) as conn:
        row = conn.execute(
            select(ar.c.area_code, ar.c.area_name, ar.c.level, ar.c.party_members).where(
                ar.c.area_code == code
            )
        ).first()
    return dict(row._mapping) if row else None


def scope_info(conn: Connection, code: str) -> dict:
    """area_info of a scope, raising UnknownScope when it is not in the roster."""
    info = area_info(conn, code)
    if info is None:
        raise UnknownScope(f"area {code} is not in the roster (load an areas file that lists it)")
    return info


def level_below(code: str, level: str | None) -> str | None:
    """`level`, or the level of the children of `code` (None for a village); raises
    ValueError when `level` is not below the level of `code`."""
    level = level or CHILD_LEVEL.get(level_of(code))
    if level is not None and (
        level not in LEVELS or LEVELS.index(level) <= LEVELS.index(level_of(code))
    ):
        raise ValueError(f"{level!r} is not a level below {code}")
    return level


def children(
    bind: Engine | Connection, scope: str, level: str | None = None
) -> list[tuple[str, str]]:
    """(code, name) of the areas one level below `scope` (or at `level` within it)."""
    scope = normalize_code(scope)
    level = level or CHILD_LEVEL.get(level_of(scope))
    if level is None:
        return []
    low, high = scope_range(scope)
    ar = schema.areas
    with connect(bind) as conn:
        rows = conn.execute(
            select(ar.c.area_code, ar.c.area_name)
            .where(ar.c.area_code.between(low, high), ar.c.level == level)
            .order_by(ar.c.area_code)
        ).all()
    return [(code, name) for code, name in rows]
