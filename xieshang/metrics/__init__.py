"""Every figure of metrics.md, computed in the database: the one definition that the
dashboard, `xieshang kpi` and the assessment exports all call.

A call names a scope (an area code: that area and everything below it), a period (first
and last day, both included) and optional filters (form, topic category, online). The
work is a constant number of aggregate queries (SQLAlchemy Core, the same statements on
SQLite and PostgreSQL) over the marts (xieshang.marts), whatever the size of the scope:

* `figures`          one scope;
* `figures_by_child` one dict per child area (all townships of a county, all villages of a
                     township), in the same queries, grouped by the code prefix;
* `monthly_series`   one dict per calendar month of the period, each month a period of
                     its own with its own as_of.

All three run the same query builders (`_compute`) over "slices" (a period with its
as_of) and "groups" (a code prefix), so a figure cannot differ between a chart, a table
and an export.

Results are plain dicts: "scope", "from", "to", "as_of" (dates), every key of FIGURES
(rates as fractions, None where metrics.md says null), and "counts", the numerators and
denominators behind each figure.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy import Connection, Engine, Integer, and_, case, func, select

from xieshang import marts
from xieshang.contract.columns import STAKEHOLDER_CATEGORIES, VOCABULARIES, label, lookup_table
from xieshang.warehouse import schema
from xieshang.warehouse.codes import LEVEL_PREFIX, level_of, parent_of, scope_range

# --- the figures --------------------------------------------------------------------

FIGURES: tuple[str, ...] = (
    "meetings",
    "regularity",
    "party_led_rate",
    "party_participation_rate",
    "party_share",
    "stakeholder_coverage",
    "stakeholder_breadth",
    "resolutions_due",
    "implementation_rate",
    "on_time_rate",
    "overdue_open",
    "median_days_to_implement",
    "satisfaction",
    "escalation_rate",
)

STAKEHOLDER_THRESHOLD: int = int(os.environ.get("XIESHANG_STAKEHOLDER_THRESHOLD", "3"))
"""Distinct stakeholder categories a meeting needs to count as covered (a setting)."""


def _info(zh, en, kind, better, definition_zh, definition_en):
    return {
        "zh": zh,
        "en": en,
        "kind": kind,
        "higher_is_better": better,
        "definition_zh": definition_zh,
        "definition_en": definition_en,
    }


FIGURE_INFO: dict[str, dict] = {
    "meetings": _info(
        "协商会议数",
        "Consultation meetings",
        "count",
        True,
        "范围内各单位主办、会议日期在统计期内的协商会议数（受协商形式、议题类别、线上筛选）。",
        "Meetings hosted by any area in the scope with a meeting date in the period "
        "(narrowed by the form, topic and online filters).",
    ),
    "regularity": _info(
        "常态化率",
        "Regularity",
        "rate",
        True,
        "至少召开一次本村（社区）主办会议的“村×自然月”数 ÷（范围内村（社区）数 × 统计期涉及的自然月数）。"
        "部分月份按整月计入分母；无村（社区）时为空。",
        "(village, calendar month) pairs with at least one meeting hosted by that village ÷ "
        "(villages in scope × calendar months the period touches; a partly covered month "
        "counts whole). Null if the scope has no villages.",
    ),
    "party_led_rate": _info(
        "党组织主持率",
        "Party-led rate",
        "rate",
        True,
        "由党组织主持的会议数 ÷ 会议数；无会议时为空。",
        "Meetings led by the Party organisation ÷ meetings. Null if no meetings.",
    ),
    "party_participation_rate": _info(
        "党员参与率",
        "Party member participation",
        "rate",
        True,
        "在范围内会议中至少一次以党员身份签到的不同人数 ÷ 范围内全部单位（含乡镇、县本级）登记党员数之和。"
        "不封顶：超过100%照实显示并作为数据质量提示；党员数之和为0时为空。",
        "Distinct persons marked as Party members in at least one attendance row of the "
        "meetings in scope ÷ the sum of registered Party members of all areas in scope "
        "(a township's own members included). Not capped: above 100% is shown as is and "
        "flagged. Null if the sum is 0.",
    ),
    "party_share": _info(
        "党员参会占比",
        "Party share of attendance",
        "rate",
        True,
        "范围内会议的签到记录中党员记录数 ÷ 签到记录数；无签到记录时为空。",
        "Attendance rows of Party members ÷ attendance rows, over the meetings in scope. "
        "Null if there are no rows.",
    ),
    "stakeholder_coverage": _info(
        "多元主体覆盖率",
        "Stakeholder coverage",
        "rate",
        True,
        f"参会者涵盖至少{STAKEHOLDER_THRESHOLD}类多元主体（身份类别前十类）的会议数 ÷ 会议数；"
        "无签到记录的会议计为0类；无会议时为空。",
        f"Meetings whose attendees include at least {STAKEHOLDER_THRESHOLD} distinct "
        "stakeholder categories (the first ten participant categories) ÷ meetings; a "
        "meeting without attendance has 0. Null if no meetings.",
    ),
    "stakeholder_breadth": _info(
        "多元主体广度",
        "Stakeholder breadth",
        "rate",
        True,
        "范围内会议参会者涵盖的不同多元主体类别数 ÷ 10；无会议时为空。",
        "Distinct stakeholder categories among the attendees of the meetings in scope ÷ "
        "10. Null if no meetings.",
    ),
    "resolutions_due": _info(
        "到期决议数",
        "Resolutions due",
        "count",
        True,
        "范围内会议形成的决议（会议可早于统计期）中，截至as_of的状态不是“已撤销”、完成时限在统计期内且不晚于as_of的决议数。",
        "Resolutions of meetings hosted in scope (the meeting may be older than the "
        "period) with a due date in the period and on or before as_of, whose status on "
        "as_of is not cancelled.",
    ),
    "implementation_rate": _info(
        "决议落实率",
        "Implementation rate",
        "rate",
        True,
        "到期决议中截至as_of状态为“已落实”的 ÷ 到期决议数；无到期决议时为空。",
        "Of the resolutions due, those implemented on as_of ÷ resolutions due. Null if "
        "none are due.",
    ),
    "on_time_rate": _info(
        "按期落实率",
        "On-time rate",
        "rate",
        True,
        "到期决议中已落实且完成日期不晚于完成时限的 ÷ 到期决议数；无到期决议时为空。",
        "Of the resolutions due, those implemented with a completed date on or before the "
        "due date ÷ resolutions due. Null if none are due.",
    ),
    "overdue_open": _info(
        "逾期未落实数",
        "Overdue and open",
        "count",
        False,
        "范围内会议形成的决议中，截至as_of状态既非“已落实”也非“已撤销”、且完成时限早于as_of的决议数（含以往积压）。",
        "Resolutions of meetings hosted in scope whose status on as_of is neither "
        "implemented nor cancelled and whose due date is before as_of, however old.",
    ),
    "median_days_to_implement": _info(
        "落实用时中位数(天)",
        "Median days to implement",
        "days",
        False,
        "截至as_of已落实、完成日期在统计期内的决议，（完成日期 − 会议日期）天数的中位数；偶数个取中间两数的平均；无则为空。",
        "Median of (completed date − meeting date) in days over resolutions implemented on "
        "as_of with a completed date in the period (mean of the two middle values for an "
        "even count). Null if none.",
    ),
    "satisfaction": _info(
        "群众满意度",
        "Resident satisfaction",
        "score100",
        True,
        "与“落实用时中位数”相同的决议中有满意度评分者的平均分（0–100）；无则为空。",
        "Mean satisfaction (0–100) over the same resolutions as the median days that "
        "carry a score. Null if none.",
    ),
    "escalation_rate": _info(
        "上报率",
        "Escalation rate",
        "rate",
        False,
        "统计期内范围内会议形成、截至as_of已存在且未撤销的决议中，已上报上级的 ÷ 全部；无则为空。",
        "Of the resolutions of meetings in scope (meeting in the period) that exist and "
        "are not cancelled on as_of, those escalated to a higher level ÷ all of them. "
        "Null if none.",
    ),
}

RATE_FIGURES: frozenset[str] = frozenset(k for k, v in FIGURE_INFO.items() if v["kind"] == "rate")

LEVELS: tuple[str, ...] = ("city", "county", "township", "village")
_CHILD_LEVEL = {"city": "county", "county": "township", "township": "village"}


# --- filters ------------------------------------------------------------------------

_YES = {"yes", "y", "true", "1", "是", "线上", "on"}
_NO = {"no", "n", "false", "0", "否", "线下", "off"}


@dataclass(frozen=True)
class Filters:
    """Optional narrowing of "meetings in scope" (metrics.md): codes, not labels."""

    form: str | None = None
    category: str | None = None  # topic category
    online: bool | None = None

    @classmethod
    def parse(cls, form=None, category=None, online=None) -> Filters:
        """From user input: a vocabulary code or any Chinese label; online as yes/no.

        Raises ValueError naming the bad value and the accepted ones.
        """
        return cls(
            form=_vocab_value("form", form, "form"),
            category=_vocab_value("topic_category", category, "category"),
            online=_bool_value(online),
        )

    @property
    def active(self) -> bool:
        return self.form is not None or self.category is not None or self.online is not None

    def where(self, table) -> list:
        """Predicates on a table with form, topic_category and online columns."""
        out = []
        if self.form is not None:
            out.append(table.c.form == self.form)
        if self.category is not None:
            out.append(table.c.topic_category == self.category)
        if self.online is not None:
            out.append(table.c.online.is_(self.online))
        return out

    def as_dict(self) -> dict:
        return {"form": self.form, "category": self.category, "online": self.online}


NO_FILTERS = Filters()


def _vocab_value(vocab: str, value, what: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    code = lookup_table(vocab).get(str(value).strip().lower())
    if code is None:
        accepted = ", ".join(f"{c} ({label(vocab, c)})" for c in VOCABULARIES[vocab])
        raise ValueError(f"unknown {what} {value!r}; use one of: {accepted}")
    return code


def _bool_value(value) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise ValueError(f"online must be yes or no, not {value!r}")


# --- areas --------------------------------------------------------------------------


class UnknownScope(ValueError):
    """The scope is not an area of the roster."""


def normalize_code(code: str) -> str:
    """A 12-digit area code from 6, 9 or 12 digits (right-padded, as the contract does)."""
    text = str(code).strip()
    if not text.isdigit() or len(text) not in (6, 9, 12):
        raise ValueError(f"area code {code!r} must be 6, 9 or 12 digits")
    return text.ljust(12, "0")


@contextmanager
def _conn(bind: Engine | Connection) -> Iterator[Connection]:
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            yield conn
    else:
        yield bind


def last_load_day(bind: Engine | Connection) -> date | None:
    """The day of the last committed load (load_runs.loaded_on), or None."""
    runs = schema.load_runs
    with _conn(bind) as conn:
        return conn.execute(
            select(func.max(runs.c.loaded_on)).where(runs.c.status == "committed")
        ).scalar()


def root_area(bind: Engine | Connection) -> str | None:
    """The roster's root: the highest-level area whose parent is not in the roster
    (the smallest code among equals); None for an empty roster."""
    ar = schema.areas
    with _conn(bind) as conn:
        rows = conn.execute(select(ar.c.area_code, ar.c.level).where(ar.c.level != "village")).all()
        if not rows:
            first = conn.execute(select(func.min(ar.c.area_code))).scalar()
            return first
    codes = {code for code, _ in rows}
    roots = [
        (LEVELS.index(level) if level in LEVELS else 9, code)
        for code, level in rows
        if parent_of(code) not in codes
    ]
    return min(roots)[1] if roots else None


def area_info(bind: Engine | Connection, code: str) -> dict | None:
    """{"area_code", "area_name", "level", "party_members"} of a roster area, or None."""
    ar = schema.areas
    with _conn(bind) as conn:
        row = conn.execute(
            select(ar.c.area_code, ar.c.area_name, ar.c.level, ar.c.party_members).where(
                ar.c.area_code == code
            )
        ).first()
    return dict(row._mapping) if row else None


def children(
    bind: Engine | Connection, scope: str, level: str | None = None
) -> list[tuple[str, str]]:
    """(code, name) of the areas one level below `scope` (or at `level` within it)."""
    scope = normalize_code(scope)
    level = level or _CHILD_LEVEL.get(level_of(scope))
    if level is None:
        return []
    low, high = scope_range(scope)
    ar = schema.areas
    with _conn(bind) as conn:
        rows = conn.execute(
            select(ar.c.area_code, ar.c.area_name)
            .where(ar.c.area_code.between(low, high), ar.c.level == level)
            .order_by(ar.c.area_code)
        ).all()
    return [(code, name) for code, name in rows]


# --- periods ------------------------------------------------------------------------


def month_key(d: date) -> int:
    return d.year * 100 + d.month


def months_touched(start: date, end: date) -> int:
    """Calendar months that [start, end] touches (a partly covered month counts)."""
    if end < start:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


@dataclass(frozen=True)
class _Slice:
    start: date
    end: date
    as_of: date

    @property
    def months(self) -> int:
        return months_touched(self.start, self.end)


def _as_of(end: date, last_load: date | None) -> date:
    return min(end, last_load) if last_load is not None else end


# --- context ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    last_load: date | None
    max_report_day: date | None  # last report in the marts: on or after it, "current"
    area_min: str | None
    area_max: str | None


def _read_context(conn: Connection) -> tuple[_Context, bool]:
    runs, ar, meta = schema.load_runs, schema.areas, schema.meta
    count, last = marts.fingerprint_query()
    row = conn.execute(
        select(
            select(meta.c.value).where(meta.c.key == marts.META_KEY).scalar_subquery(),
            count,
            last,
            select(func.max(runs.c.loaded_on))
            .where(runs.c.status == "committed")
            .scalar_subquery(),
            select(func.min(ar.c.area_code)).scalar_subquery(),
            select(func.max(ar.c.area_code)).scalar_subquery(),
        )
    ).one()
    state_text, n_runs, last_run, last_load, area_min, area_max = row
    state = json.loads(state_text) if state_text else None
    fresh = state is not None and state.get("fingerprint") == marts.make_fingerprint(
        n_runs, last_run
    )
    max_report = state.get("max_report_day") if state else None
    if isinstance(last_load, str):  # defensive: raw strings from SQLite
        last_load = date.fromisoformat(last_load)
    ctx = _Context(
        last_load=last_load,
        max_report_day=date.fromisoformat(max_report) if max_report else None,
        area_min=area_min,
        area_max=area_max,
    )
    return ctx, fresh


@contextmanager
def _session(bind: Engine | Connection) -> Iterator[tuple[Connection, _Context]]:
    """A connection with fresh marts and the context of the warehouse."""
    if isinstance(bind, Connection):
        ctx, fresh = _read_context(bind)
        if not fresh:
            marts.refresh(bind)
            ctx, fresh = _read_context(bind)
        yield bind, ctx
        return
    with bind.connect() as conn:
        ctx, fresh = _read_context(conn)
        if fresh:
            yield conn, ctx
            return
    marts.ensure_fresh(bind)
    with bind.connect() as conn:
        ctx, _ = _read_context(conn)
        yield conn, ctx


# --- the query builders -------------------------------------------------------------
#
# Statements are built once per "shape" (how the scope is selected, how many periods,
# the grouping, which filters) with bound parameters for every value, and cached; a call
# only binds values. The shapes:
#   scope   "all" (the whole roster: no predicate), "village" (an equality), "township"
#           (an equality on a township column where the table has one, else the code
#           range), "prefix" (a county or city, most of the data: the code prefix, so
#           that the period's index drives), "range" (the code range);
#   slices  one period (bound parameters), or several (a UNION ALL of one branch per
#           period, each planned as a single period is);
#   group   None, or the width of the code prefix that names a child.


@dataclass(frozen=True)
class _Scope:
    code: str
    kind: str
    width: int

    @classmethod
    def of(cls, code: str, ctx: _Context) -> _Scope:
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


def _prefix(column, width: int):
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
        return [_prefix(column, width) == sa.bindparam("scope_prefix")]
    return [column.between(sa.bindparam("scope_low"), sa.bindparam("scope_high"))]


def _filter_where(shape: _Shape, table) -> list:
    out = []
    if shape.form:
        out.append(table.c.form == sa.bindparam("filter_form"))
    if shape.category:
        out.append(table.c.topic_category == sa.bindparam("filter_category"))
    if shape.online is not None:
        out.append(table.c.online.is_(shape.online))
    return out


class _Period:
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


def _period_params(prefix: str, items: Sequence[tuple[int, _Slice]]) -> dict:
    out = {}
    for name, (index, sl) in zip(_period_names(prefix, len(items)), items, strict=True):
        out[f"{name}s"] = marts.to_day(sl.start)
        out[f"{name}e"] = marts.to_day(sl.end)
        out[f"{name}a"] = marts.to_day(sl.as_of)
        out[f"{name}i"] = index
    return out


@dataclass(frozen=True)
class _Shape:
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

    @property
    def filtered(self) -> bool:
        return self.form or self.category or self.online is not None


@dataclass(frozen=True)
class _Statement:
    """A cached select; `kind` says how its rows are read; `slices` names the periods it
    runs over ("m" all, "c" current, "h" historic); its first `n_keys` columns are the
    period index (several periods) and/or the group."""

    kind: str
    query: object
    n_keys: int
    slices: str
    names: tuple[str, ...] = ()


class _Builder:
    """Builds the select of one period (one branch)."""

    def __init__(self, shape: _Shape, period: _Period):
        self.shape, self.period = shape, period

    def group(self, column):
        width = self.shape.group_width
        if width is None:
            return None
        return column if width == 12 else _prefix(column, width)

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


def _each_period(shape: _Shape, prefix: str, n: int, make) -> tuple[object, int]:
    """`make(builder)` for one period, or the UNION ALL of it over n periods."""
    branches = [
        make(_Builder(shape, _Period(name, indexed=n > 1))) for name in _period_names(prefix, n)
    ]
    if n == 1:
        return branches[0]
    return sa.union_all(*(query for query, _ in branches)), branches[0][1]


# which statements a figure needs
_NEEDS = {
    "meetings": {"meetings"},
    "party_led_rate": {"meetings"},
    "party_share": {"meetings"},
    "stakeholder_coverage": {"meetings"},
    "stakeholder_breadth": {"meetings", "breadth"},
    "regularity": {"meetings", "regularity", "areas"},
    "party_participation_rate": {"party", "areas"},
    "resolutions_due": {"due"},
    "implementation_rate": {"due"},
    "on_time_rate": {"due"},
    "overdue_open": {"overdue"},
    "median_days_to_implement": {"done"},
    "satisfaction": {"done"},
    "escalation_rate": {"escalation"},
}


@functools.lru_cache(maxsize=512)
def _statements(shape: _Shape) -> tuple[_Statement, ...]:
    """Every statement a computation of this shape runs (built once, then cached)."""
    needs = shape.needs
    out: list[_Statement] = []
    mm = schema.mart_meetings
    single = shape.n_slices == 1 and shape.group_width is None

    def add(kind: str, prefix: str, n: int, make, names: Sequence[str] = ()) -> None:
        query, n_keys = _each_period(shape, prefix, n, make)
        out.append(_Statement(kind, query, n_keys, prefix, tuple(names)))

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

        def meetings(build: _Builder):
            p = build.period
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
        def pairs(build: _Builder):
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
        # one scope, one period: is there a meeting with category k? (each EXISTS stops
        # at its first hit)
        def exists(build: _Builder):
            p = build.period
            conditions = build.conditions(mm, [mm.c.meeting_date.between(p.s, p.e)])
            tests = [
                sa.exists().where(*conditions, mm.c.stakeholder_mask.bitwise_and(1 << k) != 0)
                for k in range(len(STAKEHOLDER_CATEGORIES))
            ]
            return select(*tests), 0

        add("exists_mask", "m", 1, exists)

    if "party" in needs:
        pa = schema.mart_party_attendance

        def party(build: _Builder):
            p = build.period
            where = [pa.c.meeting_date.between(p.s, p.e)]
            width = shape.group_width or shape.width
            if shape.filtered or width == 12:
                # the previous-attendance columns ignore the filters, and a village has
                # few rows: count distinct persons
                column = func.count(sa.distinct(pa.c.person_pk))
            else:
                # a person counts through their first row inside the period
                where.append(pa.c[f"prev_{width}"] < p.s)
                column = func.count()
            return build.select(pa, [column], where)

        add("row", "m", shape.n_slices, party, ["party_members_attending"])

    for prefix, n, table in (
        ("c", shape.n_current, schema.mart_resolutions_current),
        ("h", shape.n_historic, schema.mart_resolution_states),
    ):
        if n:
            for kind, make, names in _resolution_statements(needs, table):
                add(kind, prefix, n, make, names)

    if "areas" in needs:
        ar = schema.areas
        build = _Builder(shape, _Period("unused_", indexed=False))
        group = build.group(ar.c.area_code)
        keys = [group.label("g")] if group is not None else []
        query = select(
            *keys,
            func.sum(case((ar.c.level == "village", 1), else_=0)),
            func.sum(ar.c.party_members),
        ).where(ar.c.area_code.between(sa.bindparam("scope_low"), sa.bindparam("scope_high")))
        if keys:
            query = query.group_by(group)
        out.append(_Statement("areas", query, len(keys), ""))
    return tuple(out)


def _resolution_statements(needs: frozenset, table) -> list:
    """(kind, make, names) of the resolution statements over one mart table."""
    out = []
    historic = table is schema.mart_resolution_states
    implemented = table.c.status == "implemented"
    not_cancelled = table.c.status != "cancelled"

    def valid(p: _Period) -> list:
        # "state on as_of": the state valid on as_of; the current table holds the state
        # on any day on or after the last report, so it needs no test
        return [table.c.valid_from <= p.a, table.c.valid_to > p.a] if historic else []

    if "due" in needs:

        def due(build: _Builder):
            p = build.period
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

        def overdue(build: _Builder):
            p = build.period
            if historic:
                where = [
                    table.c.overdue_from.is_not(None),  # the partial index
                    table.c.valid_to > p.a,  # its range: states still valid after as_of
                    table.c.overdue_from + 0 <= p.a,  # a filter, never a skip-scan
                ]
            else:
                where = [table.c.status == "open", table.c.due_date < p.a]
            return build.select(table, [func.count()], where)

        out.append(("row", overdue, ("overdue_open",)))
    if "done" in needs:

        def done(build: _Builder):
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

        def escalation(build: _Builder):
            p = build.period
            columns = [func.count(), func.sum(case((table.c.escalated.is_(True), 1), else_=0))]
            where = [table.c.meeting_date.between(p.s, p.e), not_cancelled, *valid(p)]
            return build.select(table, columns, where)

        out.append(("row", escalation, ("resolutions_of_period_meetings", "escalated")))
    return out


def _num(value) -> int:
    return int(value or 0)


def _compute(
    conn: Connection,
    ctx: _Context,
    scope: _Scope,
    slices: Sequence[_Slice],
    group_width: int | None,
    filters: Filters,
    keys: Sequence[str],
) -> tuple[dict, dict]:
    """Raw counts per (slice index, group), and per group for the roster. Each statement
    covers all slices and groups at once."""
    needs = frozenset().union(*(_NEEDS[k] for k in keys))
    items = list(enumerate(slices))
    current, historic = [], []
    if needs & {"due", "overdue", "done", "escalation"}:
        for index, sl in items:
            is_current = ctx.max_report_day is None or sl.as_of >= ctx.max_report_day
            (current if is_current else historic).append((index, sl))
    shape = _Shape(
        scope_kind=scope.kind,
        width=scope.width,
        group_width=group_width,
        form=filters.form is not None,
        category=filters.category is not None,
        online=filters.online,
        needs=needs,
        n_slices=len(items),
        n_current=len(current),
        n_historic=len(historic),
    )
    params = {
        **scope.params(),
        "filter_form": filters.form,
        "filter_category": filters.category,
        **_period_params("m", items),
    }
    parts = {"m": items, "c": current, "h": historic}
    if current:
        params.update(_period_params("c", current))
    if historic:
        params.update(_period_params("h", historic))

    out: dict[tuple, dict] = {}
    area_counts: dict = {}
    grouped = group_width is not None
    for st in _statements(shape):
        result = conn.execute(st.query, params).all()  # small; closes the cursor now
        if st.kind == "areas":
            for row in result:
                area_counts[row[0] if grouped else None] = {
                    "villages": _num(row[-2]),
                    "party_members_registered": _num(row[-1]),
                }
            continue
        part = parts[st.slices]
        many = len(part) > 1
        for row in result:
            index = int(row[0]) if many else part[0][0]
            group = row[1 if many else 0] if grouped and st.kind != "exists_mask" else None
            counts = out.setdefault((index, group), {})
            values = row[st.n_keys :]
            if st.kind == "row":
                for name, value in zip(st.names, values, strict=True):
                    counts[name] = value
            elif st.kind == "exists_mask":
                counts["stakeholder_mask"] = sum(1 << k for k, hit in enumerate(values) if hit)
            elif st.kind == "histogram":
                days, n, n_scores, total = values
                counts.setdefault("days_histogram", []).append((int(days), int(n)))
                counts["implemented_in_period"] = counts.get("implemented_in_period", 0) + int(n)
                counts["satisfaction_scores"] = counts.get("satisfaction_scores", 0) + int(n_scores)
                if total is not None:
                    counts["satisfaction_sum"] = counts.get("satisfaction_sum", 0.0) + float(total)
    return out, area_counts


def median_of_histogram(histogram: Iterable[tuple[int, int]]) -> float | None:
    """The median of values given as (value, count) pairs; the mean of the two middle
    values for an even count."""
    pairs = sorted(histogram)
    total = sum(n for _, n in pairs)
    if total == 0:
        return None
    low_pos, high_pos = (total - 1) // 2, total // 2
    low = high = None
    seen = 0
    for value, n in pairs:
        if low is None and seen + n > low_pos:
            low = value
        if seen + n > high_pos:
            high = value
            break
        seen += n
    return (low + high) / 2


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else None


def _finish(raw: dict, areas: dict, sl: _Slice, keys: Sequence[str]) -> tuple[dict, dict]:
    """Figures and counts from the raw counts of one slice and group."""
    n = {k: v for k, v in raw.items() if k not in ("satisfaction_sum", "days_histogram")}
    n = {k: _num(v) for k, v in n.items()}
    meetings = n.get("meetings", 0)
    villages = areas.get("villages", 0)
    months = sl.months
    mask = n.get("stakeholder_mask", 0)
    for k in range(len(STAKEHOLDER_CATEGORIES)):
        if n.get(f"stakeholder_bit_{k}"):
            mask |= 1 << k
    categories = bin(mask).count("1")
    due = n.get("resolutions_due", 0)
    scores = n.get("satisfaction_scores", 0)
    escalation_base = n.get("resolutions_of_period_meetings", 0)
    village_months = villages * months
    values = {
        "meetings": meetings,
        "regularity": _ratio(n.get("village_months_with_meeting", 0), village_months)
        if villages
        else None,
        "party_led_rate": _ratio(n.get("meetings_led_by_party", 0), meetings),
        "party_participation_rate": _ratio(
            n.get("party_members_attending", 0), areas.get("party_members_registered", 0)
        ),
        "party_share": _ratio(n.get("party_attendance_rows", 0), n.get("attendance_rows", 0)),
        "stakeholder_coverage": _ratio(n.get("meetings_covered", 0), meetings),
        "stakeholder_breadth": categories / len(STAKEHOLDER_CATEGORIES) if meetings else None,
        "resolutions_due": due,
        "implementation_rate": _ratio(n.get("implemented", 0), due),
        "on_time_rate": _ratio(n.get("implemented_on_time", 0), due),
        "overdue_open": n.get("overdue_open", 0),
        "median_days_to_implement": median_of_histogram(raw.get("days_histogram", ())),
        "satisfaction": raw["satisfaction_sum"] / scores if scores else None,
        "escalation_rate": _ratio(n.get("escalated", 0), escalation_base),
    }
    counts_all = {
        "meetings": meetings,
        "meetings_led_by_party": n.get("meetings_led_by_party", 0),
        "village_months_with_meeting": n.get("village_months_with_meeting", 0),
        "village_months": village_months,
        "villages": villages,
        "months": months,
        "party_members_attending": n.get("party_members_attending", 0),
        "party_members_registered": areas.get("party_members_registered", 0),
        "party_attendance_rows": n.get("party_attendance_rows", 0),
        "attendance_rows": n.get("attendance_rows", 0),
        "meetings_covered": n.get("meetings_covered", 0),
        "stakeholder_categories": categories,
        "resolutions_due": due,
        "implemented": n.get("implemented", 0),
        "implemented_on_time": n.get("implemented_on_time", 0),
        "overdue_open": n.get("overdue_open", 0),
        "implemented_in_period": n.get("implemented_in_period", 0),
        "satisfaction_scores": scores,
        "resolutions_of_period_meetings": escalation_base,
        "escalated": n.get("escalated", 0),
    }
    wanted = set().union(*(_COUNTS[k] for k in keys))
    counts = {k: v for k, v in counts_all.items() if k in wanted}
    return {k: values[k] for k in keys}, counts


_COUNTS = {
    "meetings": {"meetings"},
    "regularity": {"village_months_with_meeting", "village_months", "villages", "months"},
    "party_led_rate": {"meetings_led_by_party", "meetings"},
    "party_participation_rate": {"party_members_attending", "party_members_registered"},
    "party_share": {"party_attendance_rows", "attendance_rows"},
    "stakeholder_coverage": {"meetings_covered", "meetings"},
    "stakeholder_breadth": {"stakeholder_categories", "meetings"},
    "resolutions_due": {"resolutions_due"},
    "implementation_rate": {"implemented", "resolutions_due"},
    "on_time_rate": {"implemented_on_time", "resolutions_due"},
    "overdue_open": {"overdue_open"},
    "median_days_to_implement": {"implemented_in_period"},
    "satisfaction": {"satisfaction_scores", "implemented_in_period"},
    "escalation_rate": {"escalated", "resolutions_of_period_meetings"},
}


# --- the public calls ---------------------------------------------------------------


def _check(scope: str, start: date, end: date, keys) -> tuple[str, tuple[str, ...]]:
    if not isinstance(start, date) or not isinstance(end, date):
        raise TypeError("start and end must be dates")
    if end < start:
        raise ValueError(f"the period ends ({end}) before it starts ({start})")
    keys = tuple(FIGURES if keys is None else keys)
    unknown = [k for k in keys if k not in FIGURE_INFO]
    if unknown:
        raise ValueError(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(FIGURES)}")
    return normalize_code(scope), keys


def _scope_info(conn: Connection, code: str) -> dict:
    info = area_info(conn, code)
    if info is None:
        raise UnknownScope(f"area {code} is not in the roster (load an areas file that lists it)")
    return info


def figures(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
    *,
    keys: Sequence[str] | None = None,
) -> dict:
    """Every figure (or `keys`) for one scope and period, with the counts behind them."""
    code, keys = _check(scope, start, end, keys)
    with _session(bind) as (conn, ctx):
        info = _scope_info(conn, code)
        sl = _Slice(start, end, _as_of(end, ctx.last_load))
        raw, areas = _compute(conn, ctx, _Scope.of(code, ctx), [sl], None, filters, keys)
    values, counts = _finish(raw.get((0, None), {}), areas.get(None, {}), sl, keys)
    return {
        "scope": code,
        "scope_name": info["area_name"],
        "from": start,
        "to": end,
        "as_of": sl.as_of,
        **values,
        "counts": counts,
    }


def figures_by_child(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
    *,
    level: str | None = None,
    keys: Sequence[str] | None = None,
) -> list[dict]:
    """The figures of every child of `scope` (or every area at `level` within it), each
    child being a scope of its own (itself and everything below it), in code order.
    One statement per kind of figure, whatever the number of children."""
    code, keys = _check(scope, start, end, keys)
    with _session(bind) as (conn, ctx):
        _scope_info(conn, code)
        level = level or _CHILD_LEVEL.get(level_of(code))
        if level is None:
            return []
        if level not in LEVELS or LEVELS.index(level) <= LEVELS.index(level_of(code)):
            raise ValueError(f"{level!r} is not a level below {code}")
        kids = children(conn, code, level)
        sl = _Slice(start, end, _as_of(end, ctx.last_load))
        width = LEVEL_PREFIX[level]
        raw, areas = _compute(conn, ctx, _Scope.of(code, ctx), [sl], width, filters, keys)
    rows = []
    for child, name in kids:
        group = child[:width]
        values, counts = _finish(raw.get((0, group), {}), areas.get(group, {}), sl, keys)
        rows.append(
            {
                "area_code": child,
                "area_name": name,
                "level": level,
                "scope": child,
                "from": start,
                "to": end,
                "as_of": sl.as_of,
                **values,
                "counts": counts,
            }
        )
    return rows


def days_to_implement_histogram(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
) -> list[tuple[int, int]]:
    """(days, resolutions) pairs, days ascending, of completed_date − meeting_date over
    the resolutions that median_days_to_implement counts. It runs that figure's own
    statement, so the median of these pairs is the figure, by construction."""
    code, keys = _check(scope, start, end, ("median_days_to_implement",))
    with _session(bind) as (conn, ctx):
        _scope_info(conn, code)
        sl = _Slice(start, end, _as_of(end, ctx.last_load))
        raw, _ = _compute(conn, ctx, _Scope.of(code, ctx), [sl], None, filters, keys)
    # one slice, no grouping: one statement, one row per distinct number of days
    return sorted(raw.get((0, None), {}).get("days_histogram", ()))


def report_on(states, as_of: date):
    """Join condition of resolution states (a mart table) with schema.resolution_reports:
    each resolution's report valid on as_of, its latest on or before that day (one index
    probe per resolution on the report key)."""
    rr = schema.resolution_reports
    earlier = rr.alias("earlier")
    latest_day = (
        select(func.max(earlier.c.updated_on))
        .where(
            earlier.c.area_code == states.c.area_code,
            earlier.c.resolution_id == states.c.resolution_id,
            earlier.c.updated_on <= as_of,
        )
        .scalar_subquery()
    )
    return and_(
        rr.c.area_code == states.c.area_code,
        rr.c.resolution_id == states.c.resolution_id,
        rr.c.updated_on == latest_day,
    )


OPEN_STATUSES: tuple[str, ...] = ("in_progress", "not_started")


def open_due_by_status(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
    *,
    level: str | None = None,
) -> list[dict]:
    """For every child of `scope` (or area at `level` within it), in code order: of its
    resolutions due (as resolutions_due counts them) those not implemented on as_of,
    by the status their report valid on as_of gives — {"area_code", "in_progress",
    "not_started"}; the two add up to resolutions_due − implemented. The marts keep
    both as "open" (no figure tells them apart), so the status is read from the
    report itself, one index probe per open resolution."""
    code, _ = _check(scope, start, end, ())
    st, rr = schema.mart_resolution_states, schema.resolution_reports
    with _session(bind) as (conn, ctx):
        _scope_info(conn, code)
        level = level or _CHILD_LEVEL.get(level_of(code))
        if level is None:
            return []
        kids = children(conn, code, level)
        as_of = _as_of(end, ctx.last_load)
        a = marts.to_day(as_of)
        width = LEVEL_PREFIX[level]
        group = (st.c.area_code if width == 12 else _prefix(st.c.area_code, width)).label("g")
        low, high = scope_range(code)
        query = (
            select(group, rr.c.status, func.count())
            .select_from(st.join(rr, report_on(st, as_of)))
            .where(
                st.c.area_code.between(low, high),
                st.c.valid_from <= a,
                st.c.valid_to > a,
                st.c.status == "open",
                st.c.due_date.between(marts.to_day(start), a),
                *filters.where(st),
            )
            .group_by(group, rr.c.status)
        )
        counts: dict[tuple[str, str], int] = {
            (g, status): int(n) for g, status, n in conn.execute(query)
        }
    return [
        {
            "area_code": child,
            **{status: counts.get((child[:width], status), 0) for status in OPEN_STATUSES},
        }
        for child, _ in kids
    ]


def month_slices(start: date, end: date, last_load: date | None) -> list[_Slice]:
    """The calendar months the period touches, each cut to the period, with its as_of."""
    out = []
    first = date(start.year, start.month, 1)
    while first <= end:
        s = max(start, first)
        e = min(end, _month_end(first))
        out.append(_Slice(s, e, _as_of(e, last_load)))
        first = _month_end(first) + timedelta(days=1)
    return out


def monthly_series(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
    keys: Sequence[str] | None = None,
) -> list[dict]:
    """One dict per calendar month the period touches ("month": "YYYY-MM"), each month
    (cut to the period) computed as a period of its own, with its own as_of."""
    code, keys = _check(scope, start, end, keys)
    with _session(bind) as (conn, ctx):
        _scope_info(conn, code)
        slices = month_slices(start, end, ctx.last_load)
        raw, areas = _compute(conn, ctx, _Scope.of(code, ctx), slices, None, filters, keys)
    rows = []
    for index, sl in enumerate(slices):
        values, counts = _finish(raw.get((index, None), {}), areas.get(None, {}), sl, keys)
        rows.append(
            {
                "month": f"{sl.start.year:04d}-{sl.start.month:02d}",
                "scope": code,
                "from": sl.start,
                "to": sl.end,
                "as_of": sl.as_of,
                **values,
                "counts": counts,
            }
        )
    return rows


def _reach_shape(scope: _Scope, group_width: int | None, filters: Filters) -> _Shape:
    return _Shape(
        scope_kind=scope.kind,
        width=scope.width,
        group_width=group_width,
        form=filters.form is not None,
        category=filters.category is not None,
        online=filters.online,
        needs=frozenset({"reach"}),
        n_slices=1,
        n_current=0,
        n_historic=0,
    )


@functools.lru_cache(maxsize=64)
def _reach_statement(shape: _Shape) -> tuple[object, int]:
    """SELECT [group,] meetings, then per stakeholder category k the meetings whose
    stakeholder_mask has bit k, over the meetings in scope (the figures' own scope and
    filter predicates)."""
    mm = schema.mart_meetings

    def make(build: _Builder):
        p = build.period
        columns = [func.count()] + [
            func.sum(case((mm.c.stakeholder_mask.bitwise_and(1 << k) != 0, 1), else_=0))
            for k in range(len(STAKEHOLDER_CATEGORIES))
        ]
        return build.select(mm, columns, [mm.c.meeting_date.between(p.s, p.e)])

    return _each_period(shape, "m", 1, make)


def _reach_counts(row: Sequence) -> dict:
    meetings, *hits = row
    return {
        "meetings": _num(meetings),
        "reached": {c: _num(n) for c, n in zip(STAKEHOLDER_CATEGORIES, hits, strict=True)},
    }


def stakeholder_reach(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
    *,
    level: str | None = None,
) -> dict:
    """How many meetings reached each stakeholder category (at least one attendee of
    it), for the scope and for each of its children (or each area at `level` within it).

    {"scope", "scope_name", "from", "to", "as_of", "meetings", "reached": {category:
    meetings} for every STAKEHOLDER_CATEGORIES code, "children": [{"area_code",
    "area_name", "level", "meetings", "reached"}] in code order}. The scope's totals
    count its own meetings (a township's), not only its children's. The categories
    with reached > 0 are those stakeholder_breadth counts, scope by scope."""
    code, _ = _check(scope, start, end, ())
    with _session(bind) as (conn, ctx):
        info = _scope_info(conn, code)
        level = level or _CHILD_LEVEL.get(level_of(code))
        if level is not None and (
            level not in LEVELS or LEVELS.index(level) <= LEVELS.index(level_of(code))
        ):
            raise ValueError(f"{level!r} is not a level below {code}")
        kids = children(conn, code, level) if level else []
        sl = _Slice(start, end, _as_of(end, ctx.last_load))
        where = _Scope.of(code, ctx)
        params = {
            **where.params(),
            "filter_form": filters.form,
            "filter_category": filters.category,
            **_period_params("m", [(0, sl)]),
        }
        query, _ = _reach_statement(_reach_shape(where, None, filters))
        total = _reach_counts(conn.execute(query, params).one())
        by_group = {}
        if kids:
            width = LEVEL_PREFIX[level]
            query, _ = _reach_statement(_reach_shape(where, width, filters))
            by_group = {g: _reach_counts(rest) for g, *rest in conn.execute(query, params)}
    no_meetings = [0] * (len(STAKEHOLDER_CATEGORIES) + 1)  # a child without meetings
    rows = [
        {
            "area_code": child,
            "area_name": name,
            "level": level,
            **(by_group.get(child[: LEVEL_PREFIX[level]]) or _reach_counts(no_meetings)),
        }
        for child, name in kids
    ]
    return {
        "scope": code,
        "scope_name": info["area_name"],
        "from": start,
        "to": end,
        "as_of": sl.as_of,
        **total,
        "children": rows,
    }


def to_json(result: dict) -> dict:
    """What `xieshang kpi` prints: scope, from, to, as_of (ISO dates) and every figure
    (rates as fractions, null where undefined)."""
    out = {
        "scope": result["scope"],
        "from": result["from"].isoformat(),
        "to": result["to"].isoformat(),
        "as_of": result["as_of"].isoformat(),
    }
    for key in FIGURES:
        if key in result:
            value = result[key]
            out[key] = float(value) if isinstance(value, float) else value
    return out


def kpi_json(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
) -> dict:
    """The JSON object of `xieshang kpi` for these arguments (a dict; json.dumps it)."""
    return to_json(figures(bind, scope, start, end, filters))


__all__ = [
    "FIGURES",
    "FIGURE_INFO",
    "RATE_FIGURES",
    "STAKEHOLDER_THRESHOLD",
    "Filters",
    "UnknownScope",
    "area_info",
    "children",
    "days_to_implement_histogram",
    "figures",
    "figures_by_child",
    "kpi_json",
    "last_load_day",
    "month_slices",
    "monthly_series",
    "open_due_by_status",
    "months_touched",
    "normalize_code",
    "root_area",
    "stakeholder_reach",
    "to_json",
]
