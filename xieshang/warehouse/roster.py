"""The roster's tops — the areas whose parent is not in it: one is the roster's root (a
county, or the city above several), more mean areas the root does not reach — and the
names that tell its areas of one name apart."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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


def distinct_names(codes: Iterable[str], names: Mapping[str, str]) -> dict[str, str]:
    """Each code's name (`names`: the roster's, code -> name), led by the names of the
    areas above it — 临江县黄坛镇, then 明州市临江县黄坛镇 — as far as it takes to tell it
    from the roster's other areas of the same name: a city's two 黄坛镇 in a file name, a
    title or a list."""
    namesakes: dict[str, list[str]] = {}
    for code, name in names.items():
        namesakes.setdefault(name, []).append(code)
    shown = {}
    for code in codes:
        alike = namesakes.get(names.get(code, code), [code])
        led = {c: names.get(c, c) for c in alike}
        for depth in range(1, len(LEVELS)):
            if list(led.values()).count(led[code]) == 1:
                break
            led = {c: _led(c, names, depth) for c in alike}
        shown[code] = led[code]
    return shown


def _led(code: str, names: Mapping[str, str], depth: int) -> str:
    """`code`'s name led by those of up to `depth` areas above it that `names` holds."""
    parts = [names.get(code, code)]
    above: str | None = code
    for _ in range(depth):
        above = parent_of(above)
        if above is None:
            break
        if above in names:
            parts.insert(0, names[above])
    return "".join(parts)
