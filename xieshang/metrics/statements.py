"""The query builders of the figures: statements over the marts, built once per shape
and cached, so that a call only binds values.

The figures' records (xieshang.metrics.definitions) name the statements below that
compute their counts; `statements_for(shape)` builds those a computation needs.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import Integer, and_, case, func, select

from xieshang import marts
from xieshang.contract.columns import STAKEHOLDER_CATEGORIES
from xieshang.metrics.context import Context
from xieshang.metrics.definitions import STAKEHOLDER_THRESHOLD
from xieshang.metrics.filters import Filters
from xieshang.metrics.periods import Slice
from xieshang.warehouse import schema
from xieshang.warehouse.codes import LEVEL_PREFIX, level_of, scope_range

RESOLUTION_STATEMENTS = frozenset({"due", "overdue", "done", "escalation"})
"""The statements over the resolution marts: current or historic by the period's as_of."""

ROLLUP_WIDTH = 6  # the rollups' area_code: a county's code prefix

# Statements are built once per "shape" (how the scope is selected, how many periods,
# the grouping, which filters) with bound parameters for every value, and cached; a call
# only binds values. The shapes:
#   scope   "all" (the whole roster: no predicate), "village" (an equality), "township"
#           (an equality on a township column where the table has one, else the code
#           range), "prefix" (a county or city, most of the data: the code prefix, so
#           that the period's index drives), "range" (the code range);
#   slices  one period (bound parameters), or several (a UNION ALL of one branch per
#           period, each planned as a single period is);
#   group   None, or the width of the code prefix that names a child;
#   rollup  an unfiltered county or city (or its counties), every period starting on the
#           first of a month: the additive counts come from the county rollups
#           (schema.mart_county_days, mart_county_party), some 3,650 rows a year for a
#           city of ten counties instead of 100,000 of each mart; the rest as without.


@dataclass(frozen=True)
class Scope:
    code: str
    kind: str
    width: int

    @classmethod
    def of(cls, code: str, ctx: Context) -> Scope:
        width = LEVEL_PREFIX[level_of(code)]
        low, high = scope_range(code)
        if ctx.area_min is not None and low <= ctx.area_min and ctx.area_max <= high:
            kind = "all"
        elif width == 12:
            kind = "village"
        elif width == 9:
            kind = "township"
        else:
            kind = "prefix"
        return cls(code, kind, width)

    def params(self) -> dict:
        low, high = scope_range(self.code)
        return {
            "scope_code": self.code,
            "scope_prefix": self.code[: self.width],
            "scope_low": low,
            "scope_high": high,
        }


def code_prefix(column, width: int):
    """The first `width` characters of a code column, with the width inlined (so that
    the expression in GROUP BY reads exactly as in the select list)."""
    return func.substr(column, sa.literal_column("1"), sa.literal_column(str(int(width))))


def _scope_where(kind: str, width: int, table) -> list:
    column = table.c.area_code
    if kind == "all":
        return []
    if kind == "village":
        return [column == sa.bindparam("scope_code")]
    if kind == "township" and "township" in table.c:
        return [table.c.township == sa.bindparam("scope_prefix")]
    if kind == "prefix":
        if table in schema.ROLLUP_TABLES and width == ROLLUP_WIDTH:
            return [column == sa.bindparam("scope_prefix")]  # the key's first column
        return [code_prefix(column, width) == sa.bindparam("scope_prefix")]
    return [column.between(sa.bindparam("scope_low"), sa.bindparam("scope_high"))]


def _filter_where(shape: Shape, table) -> list:
    out = []
    if shape.form:
        out.append(table.c.form == sa.bindparam("filter_form"))
    if shape.category:
        out.append(table.c.topic_category == sa.bindparam("filter_category"))
    if shape.online is not None:
        out.append(table.c.online.is_(shape.online))
    return out


class Period:
    """The bound parameters of one period of a statement (day numbers, as the marts
    store them): `s` first day, `e` last day, `a` as_of; `i` the period's index when the
    statement covers several periods (then a UNION ALL of one branch per period, each
    planned like a single-period statement)."""

    def __init__(self, name: str, indexed: bool):
        self.s = sa.bindparam(f"{name}s", type_=Integer)
        self.e = sa.bindparam(f"{name}e", type_=Integer)
        self.a = sa.bindparam(f"{name}a", type_=Integer)
        self.i = sa.bindparam(f"{name}i", type_=Integer) if indexed else None


def _period_names(prefix: str, n: int) -> list[str]:
    return [prefix] if n == 1 else [f"{prefix}{k}_" for k in range(n)]


def period_params(prefix: str, items: Sequence[tuple[int, Slice]]) -> dict:
    out = {}
    for name, (index, sl) in zip(_period_names(prefix, len(items)), items, strict=True):
        out[f"{name}s"] = marts.to_day(sl.start)
        out[f"{name}e"] = marts.to_day(sl.end)
        out[f"{name}a"] = marts.to_day(sl.as_of)
        out[f"{name}i"] = index
    return out


@dataclass(frozen=True)
class Shape:
    scope_kind: str
    width: int
    group_width: int | None
    form: bool
    category: bool
    online: bool | None
    needs: frozenset
    n_slices: int
    n_current: int  # slices whose as_of is on or after the last report
    n_historic: int
    rollup: bool = False

    @classmethod
    def of(
        cls,
        scope: Scope,
        group_width: int | None,
        filters: Filters,
        needs: frozenset,
        n_slices: int = 1,
        n_current: int = 0,
        n_historic: int = 0,
        month_starts: bool = False,
    ) -> Shape:
        """`month_starts`: every period of the computation starts on the first of a month."""
        return cls(
            scope_kind=scope.kind,
            width=scope.width,
            group_width=group_width,
            form=filters.form is not None,
            category=filters.category is not None,
            online=filters.online,
            needs=needs,
            n_slices=n_slices,
            n_current=n_current,
            n_historic=n_historic,
            rollup=month_starts
            and not filters.active
            and scope.kind in ("all", "prefix")
            and scope.width <= ROLLUP_WIDTH
            and (group_width or 0) <= ROLLUP_WIDTH,
        )

    @property
    def filtered(self) -> bool:
        return self.form or self.category or self.online is not None


def bind_values(scope: Scope, filters: Filters, items: Sequence[tuple[int, Slice]]) -> dict:
    """The values of a statement's parameters: the scope, the filters, the periods."""
    return {
        **scope.params(),
        "filter_form": filters.form,
        "filter_category": filters.category,
        **period_params("m", items),
    }


@dataclass(frozen=True)
class Statement:
    """A cached select; `kind` says how its rows are read; `slices` names the periods it
    runs over ("m" all, "c" current, "h" historic); its first `n_keys` columns are the
    period index (several periods) and/or the group."""

    kind: str
    query: object
    n_keys: int
    slices: str
    names: tuple[str, ...] = ()


class Builder:
    """Builds the select of one period (one branch)."""

    def __init__(self, shape: Shape, period: Period):
        self.shape, self.period = shape, period

    def group(self, column):
        width = self.shape.group_width
        if width is None:
            return None
        return column if width == 12 else code_prefix(column, width)

    def keys(self, table) -> list:
        """The leading columns: the period index (if several), the group (if any)."""
        keys = []
        if self.period.i is not None:
            keys.append(self.period.i.label("i"))
        group = self.group(table.c.area_code)
        if group is not None:
            keys.append(group.label("g"))
        return keys

    def conditions(self, table, where) -> list:
        shape = self.shape
        return [
            *_scope_where(shape.scope_kind, shape.width, table),
            *where,
            *_filter_where(shape, table),
        ]

    def select(self, table, columns: Iterable, where: Iterable, by: Sequence = ()):
        """SELECT keys, *by, *columns … GROUP BY group, *by."""
        keys = self.keys(table)
        query = select(*keys, *by, *columns).select_from(table)
        query = query.where(and_(*self.conditions(table, where)))
        group = self.group(table.c.area_code)
        grouping = ([group] if group is not None else []) + list(by)
        if grouping:
            query = query.group_by(*grouping)
        return query, len(keys)


def each_period(shape: Shape, prefix: str, n: int, make) -> tuple[object, int]:
    """`make(builder)` for one period, or the UNION ALL of it over n periods."""
    branches = [
        make(Builder(shape, Period(name, indexed=n > 1))) for name in _period_names(prefix, n)
    ]
    if n == 1:
        return branches[0]
    return sa.union_all(*(query for query, _ in branches)), branches[0][1]


@functools.lru_cache(maxsize=512)
def statements_for(shape: Shape) -> tuple[Statement, ...]:
    """Every statement a computation of this shape runs (built once, then cached)."""
    needs = shape.needs
    out: list[Statement] = []
    mm = schema.mart_meetings
    cd, cp = schema.mart_county_days, schema.mart_county_party
    single = shape.n_slices == 1 and shape.group_width is None

    def add(kind: str, prefix: str, n: int, make, names: Sequence[str] = ()) -> None:
        query, n_keys = each_period(shape, prefix, n, make)
        out.append(Statement(kind, query, n_keys, prefix, tuple(names)))

    if "meetings" in needs:
        names = [
            "meetings",
            "meetings_led_by_party",
            "attendance_rows",
            "party_attendance_rows",
            "meetings_covered",
        ]
        bits = "breadth" in needs and not single
        if bits:
            names += [f"stakeholder_bit_{k}" for k in range(len(STAKEHOLDER_CATEGORIES))]
        first_in_month = "regularity" in needs and not shape.filtered
        if first_in_month:
            names.append("village_months_with_meeting")

        def meetings(build: Builder):
            p = build.period
            if shape.rollup:
                columns = [
                    func.sum(cd.c.meetings),
                    func.sum(cd.c.meetings_led_by_party),
                    func.sum(cd.c.attendance_rows),
                    func.sum(cd.c.party_rows),
                    func.sum(_covered(cd)),
                    *(
                        func.max(cd.c.stakeholder_mask.bitwise_and(1 << k))
                        for k in range(len(STAKEHOLDER_CATEGORIES) if bits else 0)
                    ),
                    *([func.sum(cd.c.village_firsts)] if first_in_month else []),
                ]
                return build.select(cd, columns, [cd.c.day.between(p.s, p.e)])
            columns = [
                func.count(),
                func.sum(case((mm.c.led_by_party.is_(True), 1), else_=0)),
                func.sum(mm.c.attendance_rows),
                func.sum(mm.c.party_rows),
                func.sum(case((mm.c.stakeholder_categories >= STAKEHOLDER_THRESHOLD, 1), else_=0)),
            ]
            if bits:  # several periods or groups: which category bits occur
                columns += [
                    func.max(mm.c.stakeholder_mask.bitwise_and(1 << k))
                    for k in range(len(STAKEHOLDER_CATEGORIES))
                ]
            if first_in_month:  # a (village, month) counts through its first meeting
                first = and_(mm.c.is_village.is_(True), mm.c.prev_in_month < p.s)
                columns.append(func.sum(case((first, 1), else_=0)))
            return build.select(mm, columns, [mm.c.meeting_date.between(p.s, p.e)])

        add("row", "m", shape.n_slices, meetings, names)

    if "regularity" in needs and shape.filtered:
        # prev_in_month ignores the filters: count the distinct (village, month) pairs
        def pairs(build: Builder):
            p = build.period
            keys = build.keys(mm)
            where = [mm.c.is_village.is_(True), mm.c.meeting_date.between(p.s, p.e)]
            inner = (
                select(*keys, mm.c.area_code, mm.c.month)
                .distinct()
                .where(and_(*build.conditions(mm, where)))
                .subquery("pairs")
            )
            outer_keys = [p.i.label("i")] if p.i is not None else []
            if shape.group_width is not None:
                outer_keys.append(inner.c.g)
            query = select(*outer_keys, func.count()).select_from(inner)
            if shape.group_width is not None:
                query = query.group_by(inner.c.g)
            return query, len(outer_keys)

        add("row", "m", shape.n_slices, pairs, ["village_months_with_meeting"])

    if "breadth" in needs and single:
        # one scope, one period: is there a meeting with category k? One pass over the
        # period's meetings for all ten (an EXISTS per category stops at its first hit,
        # but a rare category's reads them all: ten passes at a city's scope)
        def any_mask(build: Builder):
            p = build.period
            table = cd if shape.rollup else mm
            day = table.c.day if shape.rollup else table.c.meeting_date
            conditions = build.conditions(table, [day.between(p.s, p.e)])
            hits = [
                func.max(table.c.stakeholder_mask.bitwise_and(1 << k))
                for k in range(len(STAKEHOLDER_CATEGORIES))
            ]
            return select(*hits).where(*conditions), 0

        add("any_mask", "m", 1, any_mask)

    if "party" in needs:
        pa = schema.mart_party_attendance

        def party(build: Builder):
            p = build.period
            width = shape.group_width or shape.width
            if shape.rollup:  # a person counts through their row whose prev's month is before s
                where = [
                    cp.c.width == width,
                    cp.c.prev_month < p.s,
                    cp.c.day.between(p.s, p.e),
                ]
                return build.select(cp, [func.sum(cp.c.party_rows)], where)
            where = [pa.c.meeting_date.between(p.s, p.e)]
            if shape.filtered or (width == 12 and shape.group_width is None):
                # the previous-attendance columns ignore the filters, and a village has
                # few rows: count distinct persons, each child's too (a 10-county city's
                # filtered children over a year 170-206 ms; the rows of distinct (child,
                # person) counted instead, which PostgreSQL sorts as well: 213-244 ms)
                return build.select(pa, [func.count(sa.distinct(pa.c.person_pk))], where)
            # a person counts through their first row inside the period
            where.append(pa.c[f"prev_{width}"] < p.s)
            return build.select(pa, [func.count()], where)

        add("row", "m", shape.n_slices, party, ["party_members_attending"])

    for prefix, n, table in (
        ("c", shape.n_current, schema.mart_resolutions_current),
        ("h", shape.n_historic, schema.mart_resolution_states),
    ):
        if n:
            rollup = shape.rollup and table is schema.mart_resolutions_current
            for kind, make, names in _resolution_statements(needs, table, rollup):
                add(kind, prefix, n, make, names)

    if "areas" in needs:
        ar = schema.areas
        build = Builder(shape, Period("unused_", indexed=False))
        group = build.group(ar.c.area_code)
        keys = [group.label("g")] if group is not None else []
        query = select(
            *keys,
            func.sum(case((ar.c.level == "village", 1), else_=0)),
            func.sum(ar.c.party_members),
        ).where(ar.c.area_code.between(sa.bindparam("scope_low"), sa.bindparam("scope_high")))
        if keys:
            query = query.group_by(group)
        out.append(Statement("areas", query, len(keys), ""))
    return tuple(out)


def _covered(cd):
    """mart_county_days: the meetings covered by the threshold's stakeholder categories."""
    threshold = max(STAKEHOLDER_THRESHOLD, 0)
    if threshold == 0:
        return cd.c.meetings
    if threshold > len(STAKEHOLDER_CATEGORIES):
        return sa.literal(0)
    return cd.c[f"meetings_covered_{threshold}"]


def _resolution_statements(needs: frozenset, table, rollup: bool = False) -> list:
    """(kind, make, names) of the resolution statements over one mart table; `rollup`:
    the due and escalation counts from mart_county_days."""
    out = []
    cd = schema.mart_county_days
    historic = table is schema.mart_resolution_states
    implemented = table.c.status == "implemented"
    not_cancelled = table.c.status != "cancelled"

    def valid(p: Period) -> list:
        # "state on as_of": the state valid on as_of; the current table holds the state
        # on any day on or after the last report, so it needs no test
        return [table.c.valid_from <= p.a, table.c.valid_to > p.a] if historic else []

    if "due" in needs:

        def due(build: Builder):
            p = build.period
            if rollup:
                columns = [
                    func.sum(cd.c.resolutions_due),
                    func.sum(cd.c.implemented),
                    func.sum(cd.c.implemented_on_time),
                ]
                return build.select(cd, columns, [cd.c.day.between(p.s, p.a)])
            on_time = and_(implemented, table.c.completed_date <= table.c.due_date)
            columns = [
                func.count(),
                func.sum(case((implemented, 1), else_=0)),
                func.sum(case((on_time, 1), else_=0)),
            ]
            where = [table.c.due_date.between(p.s, p.a), not_cancelled, *valid(p)]
            return build.select(table, columns, where)

        out.append(("row", due, ("resolutions_due", "implemented", "implemented_on_time")))
    if "overdue" in needs:

        def overdue(build: Builder):
            p = build.period
            if historic:  # overdue_from is marts.overdue_from within the state
                where = [
                    table.c.overdue_from.is_not(None),  # the partial index
                    table.c.valid_to > p.a,  # its range: states still valid after as_of
                    table.c.overdue_from + 0 <= p.a,  # a filter, never a skip-scan
                ]
            else:
                where = [marts.overdue_on(table, p.a)]
            return build.select(table, [func.count()], where)

        out.append(("row", overdue, ("overdue_open",)))
    if "done" in needs:

        def done(build: Builder):
            # implemented on as_of with completed_date in the period (the marts keep
            # completed_date only on implemented states): a histogram of days, from
            # which the median is read exactly, and the satisfaction sums
            p = build.period
            where = [table.c.completed_date.between(p.s, p.e), *valid(p)]
            columns = [
                func.count(),
                func.count(table.c.satisfaction),
                func.sum(table.c.satisfaction),
            ]
            return build.select(table, columns, where, by=[table.c.days_to_implement])

        out.append(("histogram", done, ()))
    if "escalation" in needs:

        def escalation(build: Builder):
            p = build.period
            if rollup:
                columns = [func.sum(cd.c.resolutions_of_meetings), func.sum(cd.c.escalated)]
                return build.select(cd, columns, [cd.c.day.between(p.s, p.e)])
            columns = [func.count(), func.sum(case((table.c.escalated.is_(True), 1), else_=0))]
            where = [table.c.meeting_date.between(p.s, p.e), not_cancelled, *valid(p)]
            return build.select(table, columns, where)

        out.append(("row", escalation, ("resolutions_of_period_meetings", "escalated")))
    return out
