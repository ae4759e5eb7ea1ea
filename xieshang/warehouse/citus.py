"""The warehouse on Citus (distributed PostgreSQL) for a province, on paper and checked.

The layout, as data: the facts and the marts are distributed by county — a column
`county_code`, the first 6 digits of their area code, which each of them gains — all
in one co-location group, so that a county's rows of every table are on one node; the
roster, the persons and the load bookkeeping are reference tables (a copy on every
node); the users and the audit log stay on the coordinator. The vocabularies are the
contract's code (xieshang.contract), not tables: nothing to place.

`prepare_statements()` is what turns a PostgreSQL warehouse into that layout, in plain
PostgreSQL (it runs on a single node: tests/test_citus_layout.py runs it);
`distribute_statements()` the Citus calls that follow. `placement(statement, params)`
says how Citus would run one statement on this layout — on which counties' shards, and
whether it finishes there — by reading the SQLAlchemy statement the way Citus' planner
reads the query: docs/deploy.md ("Province scale") lists the result for every metric
query, and what changes in the load and the marts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import Table, UniqueConstraint
from sqlalchemy.sql import ClauseElement, operators
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    ClauseList,
    ColumnClause,
    Grouping,
    Label,
    Over,
    UnaryExpression,
)
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.selectable import (
    CTE,
    Alias,
    CompoundSelect,
    Join,
    Select,
    Subquery,
    TableClause,
)

from xieshang.warehouse import schema

DISTRIBUTION_COLUMN = "county_code"
COUNTY_DIGITS = 6
CITY_DIGITS = 4

DISTRIBUTED: dict[str, str | None] = {
    "meetings": "area_code",
    "attendance": None,  # no area code of its own: its meeting's county
    "resolution_reports": "area_code",  # the host meeting's area
    "mart_meetings": "area_code",
    "mart_party_attendance": "area_code",
    "mart_resolution_states": "area_code",
    "mart_resolutions_current": "area_code",
    "mart_resolution_events": "area_code",
    "mart_county_days": "area_code",  # the county's code itself
    "mart_county_party": "area_code",
}
"""Tables distributed by county_code, and the column whose first 6 digits are it."""

REFERENCE = ("areas", "persons", "load_runs", "load_files", "rejects", "held_rows", "meta")
"""Copied to every node: small, or read with the facts (persons: one id per person for
every county, so that a city counts a person once)."""

COORDINATOR = ("users", "audit_log")
"""Only on the coordinator: read and written alone, never with the facts."""

# How many leading digits of the county a column determines, by its name, in the
# distributed tables.
_CODE_WIDTHS = {"area_code": 12, "township": 9, DISTRIBUTION_COLUMN: COUNTY_DIGITS}


# --- the layout as statements -----------------------------------------------------------


def _fill(table: Table) -> str:
    source = DISTRIBUTED[table.name]
    if source is not None:
        return (
            f"UPDATE {table.name} SET {DISTRIBUTION_COLUMN} = substr({source}, 1, {COUNTY_DIGITS})"
        )
    (fk,) = [fk for fk in table.foreign_keys if fk.column.table.name in DISTRIBUTED]
    parent = fk.column.table
    return (
        f"UPDATE {table.name} SET {DISTRIBUTION_COLUMN} = substr(p.{DISTRIBUTED[parent.name]}, "
        f"1, {COUNTY_DIGITS}) FROM {parent.name} p "
        f"WHERE p.{fk.column.name} = {table.name}.{fk.parent.name}"
    )


def _keyed(columns) -> str:
    return ", ".join([DISTRIBUTION_COLUMN, *(c.name for c in columns)])


def prepare_statements() -> list[str]:
    """PostgreSQL statements that give every distributed table its county_code, filled
    from its area code (attendance: its meeting's), and put it first in every primary
    key, unique key and foreign key between distributed tables, as Citus requires."""
    tables = [schema.metadata.tables[name] for name in DISTRIBUTED]
    out: list[str] = []
    links = [
        fk for table in tables for fk in table.foreign_keys if fk.column.table.name in DISTRIBUTED
    ]
    for fk in links:
        out.append(f"ALTER TABLE {fk.parent.table.name} DROP CONSTRAINT {_fk_name(fk)}")
    for table in tables:
        out.append(f"ALTER TABLE {table.name} ADD COLUMN {DISTRIBUTION_COLUMN} varchar(6)")
        out.append(_fill(table))
        out.append(f"ALTER TABLE {table.name} ALTER COLUMN {DISTRIBUTION_COLUMN} SET NOT NULL")
        out.append(f"ALTER TABLE {table.name} DROP CONSTRAINT {table.name}_pkey")
        out.append(f"ALTER TABLE {table.name} ADD PRIMARY KEY ({_keyed(table.primary_key)})")
        for unique in [c for c in table.constraints if isinstance(c, UniqueConstraint)]:
            name = unique.name
            out.append(f"ALTER TABLE {table.name} DROP CONSTRAINT {name}")
            out.append(f"ALTER TABLE {table.name} ADD CONSTRAINT {name} UNIQUE ({_keyed(unique)})")
    for fk in links:
        out.append(
            f"ALTER TABLE {fk.parent.table.name} ADD CONSTRAINT {_fk_name(fk)} FOREIGN KEY "
            f"({DISTRIBUTION_COLUMN}, {fk.parent.name}) REFERENCES {fk.column.table.name} "
            f"({DISTRIBUTION_COLUMN}, {fk.column.name})"
        )
    return out


def _fk_name(fk) -> str:
    return f"{fk.parent.table.name}_{fk.parent.name}_fkey"  # PostgreSQL's own name


def distribute_statements() -> list[str]:
    """The Citus calls, after `prepare_statements`: reference tables first (a foreign key
    may point only at a table Citus already knows), then the distributed tables, all
    co-located with meetings."""
    out = [f"SELECT create_reference_table('{name}')" for name in _in_key_order(REFERENCE)]
    first, *rest = DISTRIBUTED
    out.append(f"SELECT create_distributed_table('{first}', '{DISTRIBUTION_COLUMN}')")
    out += [
        f"SELECT create_distributed_table('{name}', '{DISTRIBUTION_COLUMN}', "
        f"colocate_with => '{first}')"
        for name in rest
    ]
    return out


def _in_key_order(names: tuple[str, ...]) -> list[str]:
    order = [table.name for table in schema.metadata.sorted_tables]
    return sorted(names, key=order.index)


# --- how Citus would run a statement ----------------------------------------------------

ONE = "one county"  # a router query: one shard does it all
OUTER = "its outer row's county"  # a subquery correlated on the county: the outer row's shard
CITY = "a city's counties"  # the shards of the city's counties, in parallel
ALL = "every county"  # every shard, in parallel
_REACH = (ONE, OUTER, CITY, ALL)

WORKERS = "on the shards"  # nothing left for the coordinator but to pass rows on
PARTIAL = "partial aggregates added on the coordinator"  # count, sum, min, max per shard
DISTINCT = "distinct values merged on the coordinator"  # count(DISTINCT …) across counties
ROWS = "rows gathered on the coordinator"  # no aggregate: the shards' rows, concatenated
_FINISH = (WORKERS, PARTIAL, ROWS, DISTINCT)


@dataclass(frozen=True)
class Placement:
    """How Citus runs a statement (or one of its SELECTs) on the layout: `tables` the
    distributed tables it reads, `shards` which shards (ONE, OUTER, CITY, ALL), `finish`
    where the answer is completed (WORKERS, PARTIAL, ROWS, DISTINCT), `problems` what
    keeps it from running co-located as written: a join or a window not on the county."""

    tables: tuple[str, ...]
    shards: str
    finish: str
    problems: tuple[str, ...] = ()


def placement(statement: ClauseElement, params: Mapping | None = None) -> Placement | None:
    """How Citus would run `statement` on this layout, with the values `params` bound
    (the scope's codes decide the shards); None when it reads no distributed table.
    Its shards are the farthest any of its SELECTs reach (a correlated subquery goes
    with its outer row), its finish is its outermost SELECT's, its problems are all of
    theirs."""
    found = _selects(statement, params)
    if not found:
        return None
    reaches = [p.shards for _, p in found if p.shards != OUTER] or [OUTER]
    finishes = [p.finish for top, p in found if top] or [found[0][1].finish]
    return Placement(
        tables=tuple(sorted({t for _, p in found for t in p.tables})),
        shards=max(reaches, key=_REACH.index),
        finish=max(finishes, key=_FINISH.index),
        problems=tuple(dict.fromkeys(x for _, p in found for x in p.problems)),
    )


def _selects(statement: ClauseElement, params: Mapping | None) -> list[tuple[bool, Placement]]:
    """(outermost?, Placement) of every SELECT of `statement` that reads a distributed
    table, outermost first."""
    out: list[tuple[bool, Placement]] = []
    _walk(statement, {}, dict(params or {}), out, set(), None, True)
    return out


@dataclass
class _Source:
    """One FROM item: a table (or an alias of one), or a subquery."""

    element: object
    name: str
    tables: tuple[str, ...]  # the distributed tables it reads
    reach: str = ALL  # a subquery's own reach


def _walk(element, outer: dict, params: dict, out: list, seen: set, into, top: bool) -> None:
    """Every SELECT inside `element`, with the FROM items of the SELECTs around it
    (`outer`: what a correlated subquery refers to); `into` the SELECT whose rows an
    INSERT writes into a distributed table; `top` whether no SELECT encloses it."""
    if isinstance(element, TableClause):
        return
    if isinstance(element, Insert) and element.table.name in DISTRIBUTED:
        into = id(element.select) if element.select is not None else None
    inner = outer
    if isinstance(element, Select):
        if id(element) in seen:
            return
        seen.add(id(element))
        found, sources = _place(element, outer, params, inserted=id(element) == into)
        if found is not None:
            out.append((top, found))
        inner = {**outer, **{id(s.element): s for s in sources}}
    below = top and isinstance(element, CompoundSelect | Insert)
    for child in element.get_children():
        _walk(child, inner, params, out, seen, into, below)


def _base(element) -> Table | None:
    if isinstance(element, Alias) and isinstance(element.element, Table):
        return element.element
    return element if isinstance(element, Table) else None


def _sources(froms, outer: dict, params: dict) -> tuple[list[_Source], list]:
    """The FROM items (joins flattened) and the join conditions."""
    sources, conditions = [], []
    for item in froms:
        if isinstance(item, Join):
            more, cond = _sources([item.left, item.right], outer, params)
            sources += more
            conditions += [*cond, item.onclause]
        elif id(item) in outer:
            continue  # correlated: the outer query's row
        elif (table := _base(item)) is not None:
            tables = (table.name,) if table.name in DISTRIBUTED else ()
            sources.append(_Source(item, item.name, tables))
        elif isinstance(item, Subquery | CTE):
            inside = placement(item.element, params)
            tables = inside.tables if inside else ()
            reach = inside.shards if inside else ALL
            named = isinstance(item.name, str) and "%(" not in item.name  # not anonymous
            sources.append(
                _Source(item, item.name if named else f"({', '.join(tables)})", tables, reach)
            )
    return sources, conditions


def _conjuncts(clause) -> Iterator:
    if clause is None:
        return
    if isinstance(clause, BooleanClauseList) and clause.operator is operators.and_:
        for part in clause.clauses:
            yield from _conjuncts(part)
    else:
        yield clause


def _unwrap(expr):
    """The expression inside labels and one-element lists (how GROUP BY keeps its items)."""
    while True:
        if isinstance(expr, Label | Grouping):
            expr = expr.element
        elif isinstance(expr, ClauseList) and len(expr.clauses) == 1:
            expr = expr.clauses[0]
        else:
            return expr


def _number(expr) -> int | None:
    if isinstance(expr, BindParameter) and isinstance(expr.effective_value, int):
        return expr.effective_value
    if isinstance(expr, ColumnClause) and expr.is_literal and expr.name.isdigit():
        return int(expr.name)
    return None


def _county_part(expr) -> tuple[object, int] | None:
    """(the FROM item, how many leading digits of an area code) when `expr` is an area
    code column of a distributed table, a prefix of one (substr(code, 1, n)) or
    county_code — followed through labels and subquery columns."""
    expr = _unwrap(expr)
    if isinstance(expr, FunctionElement) and expr.name == "substr":
        column, start, length = list(expr.clauses)
        inner = _county_part(column)
        if inner is None or _number(start) != 1 or _number(length) is None:
            return None
        return inner[0], min(inner[1], _number(length))
    if not isinstance(expr, ColumnClause) or expr.table is None:
        return None
    table = _base(expr.table)
    if table is not None:
        if table.name in DISTRIBUTED and expr.name in _CODE_WIDTHS:
            return expr.table, _CODE_WIDTHS[expr.name]
        return None
    # a column of a subquery: what it stands for inside
    for proxied in expr.proxy_set - {expr}:
        inside = _county_part(proxied)
        if inside is not None:
            return expr.table, inside[1]
    return None


def _value(expr, params: dict) -> str | None:
    if isinstance(expr, BindParameter):
        value = params.get(expr.key, expr.effective_value)
        return value if isinstance(value, str) else None
    return None


def _reach_of_values(width: int, low: str, high: str) -> str:
    """The shards an area code (prefix) between low and high can be on."""
    if width >= COUNTY_DIGITS and low[:COUNTY_DIGITS] == high[:COUNTY_DIGITS]:
        return ONE
    if width >= CITY_DIGITS and low[:CITY_DIGITS] == high[:CITY_DIGITS]:
        return CITY
    return ALL


class _Links:
    """Which FROM items are joined on the county (a union-find over their ids)."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, key: int) -> int:
        while self.parent.get(key, key) != key:
            key = self.parent[key]
        return key

    def join(self, a: int, b: int) -> None:
        self.parent[self.find(a)] = self.find(b)


def _place(
    select: Select, outer: dict, params: dict, inserted: bool = False
) -> tuple[Placement | None, list]:
    """The Placement of one SELECT (None when it reads no distributed table) and its
    FROM items. `inserted`: its rows go into a distributed table (INSERT … SELECT),
    which Citus does on the shards when the SELECT is co-located and keeps the county."""
    sources, joins = _sources(select.get_final_froms(), outer, params)
    distributed = [s for s in sources if s.tables]
    if not distributed:
        return None, sources
    reach = {id(s.element): s.reach for s in distributed}
    links = _Links()
    for condition in [c for clause in (select.whereclause, *joins) for c in _conjuncts(clause)]:
        if not isinstance(condition, BinaryExpression):
            continue
        left, right = _county_part(condition.left), _county_part(condition.right)
        if condition.operator is operators.eq and left and right:
            if min(left[1], right[1]) >= COUNTY_DIGITS:
                if id(left[0]) in outer or id(right[0]) in outer:
                    here = right if id(left[0]) in outer else left
                    reach[id(here[0])] = _closest([reach.get(id(here[0]), ALL), OUTER])
                else:
                    links.join(id(left[0]), id(right[0]))
        elif condition.operator is operators.eq and (left or right):
            part, other = (left, condition.right) if left else (right, condition.left)
            value = _value(other, params)
            if value is not None and id(part[0]) in reach:
                found = _reach_of_values(part[1], value, value)
                reach[id(part[0])] = _closest([reach[id(part[0])], found])
        elif condition.operator is operators.between_op and left:
            low, high = (_value(v, params) for v in condition.right.clauses)
            if low is not None and high is not None and id(left[0]) in reach:
                found = _reach_of_values(left[1], low, high)
                reach[id(left[0])] = _closest([reach[id(left[0])], found])
    groups: dict[int, list[_Source]] = {}
    for source in distributed:
        groups.setdefault(links.find(id(source.element)), []).append(source)
    problems = []
    if len(groups) > 1:
        names = " | ".join(", ".join(s.name for s in group) for group in groups.values())
        problems.append(f"joined without the county: {names}")
    # items joined on the county share the closest reach among them; unjoined ones
    # each keep their own, and the statement goes as far as the farthest
    shards = max(
        (_closest(reach[id(s.element)] for s in group) for group in groups.values()),
        key=_REACH.index,
    )
    problems += _window_problems(select, shards)
    tables = tuple(sorted({t for s in distributed for t in s.tables}))
    finish = _finish(select, shards)
    if inserted and not problems and any(_within_county(c) for c in select.selected_columns):
        finish = WORKERS
    return Placement(tables, shards, finish, tuple(problems)), sources


def _closest(reaches) -> str:
    return min(reaches, key=_REACH.index)


def _own(expr) -> Iterator:
    """`expr` and everything inside it, not entering nested SELECTs."""
    yield expr
    if isinstance(expr, Select | Subquery) or not isinstance(expr, ClauseElement):
        return
    for child in expr.get_children():
        if not isinstance(child, Select | Subquery | TableClause):
            yield from _own(child)


def _within_county(expr) -> bool:
    part = _county_part(expr)
    return part is not None and part[1] >= COUNTY_DIGITS


def _finish(select: Select, shards: str) -> str:
    if shards in (ONE, OUTER):
        return WORKERS
    if any(_within_county(g) for g in select._group_by_clauses):
        return WORKERS
    inside = [e for column in select.selected_columns for e in _own(column)]
    aggregates = [
        e
        for e in inside
        if isinstance(e, FunctionElement) and e.name in ("count", "sum", "min", "max")
    ]
    if any(
        isinstance(arg, UnaryExpression) and arg.operator is operators.distinct_op
        for agg in aggregates
        for arg in agg.clauses
    ):
        return DISTINCT
    if aggregates:
        return PARTIAL
    if select._distinct and any(_within_county(c) for c in select.selected_columns):
        return WORKERS
    return ROWS


def _sql(expr) -> str:
    return str(expr.compile(compile_kwargs={"literal_binds": True}))


def _window_problems(select: Select, shards: str) -> list[str]:
    if shards in (ONE, OUTER):
        return []
    out = []
    windows = [e for c in select.selected_columns for e in _own(c) if isinstance(e, Over)]
    for window in windows:
        by = list(window.partition_by.clauses) if window.partition_by is not None else []
        if not any(_within_county(p) for p in by):
            named = ", ".join(_sql(p) for p in by) or "nothing"
            out.append(f"a window partitioned by {named}, not within a county")
    return out
