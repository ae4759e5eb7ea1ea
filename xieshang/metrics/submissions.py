"""报送情况: who has submitted what for a month (issue 11, item 4).

For each unit of a scope and each monthly kind (meetings, attendance, resolution reports)
it says whether rows for the month arrived, when, and how many were accepted, rejected
and held (waiting for their meeting: a report in the month of its update, a sign-in row
in its file's month when the file's other rows have one, else in the month it was first
sent, its meeting's unknown yet). "Not submitted" (no row at all) is
kept apart from "submitted, none held" (the village's township sent its ledger for the
month and the village was not in it), since only the first asks the township for a file.

Counts come from the warehouse tables as they stand (not the marts: a just-loaded file
shows at once) in one grouped query per kind, summed per unit here; a county's 200
villages cost four queries, not eight hundred.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection, Engine, and_, func, not_, or_, select

from xieshang.contract import settings
from xieshang.metrics.areas import root_area, scope_info
from xieshang.metrics.context import connect
from xieshang.metrics.periods import month_end
from xieshang.metrics.quality import _rejects_joined
from xieshang.warehouse import schema
from xieshang.warehouse.codes import (
    LEVEL_PREFIX,
    level_of,
    month_key,
    normalize_code,
    scope_range,
    township_of,
)

GRID_KINDS: tuple[str, ...] = ("meetings", "attendance", "resolutions")
"""The monthly kinds, in LOAD_ORDER; the roster (areas) is not monthly."""

STATES: tuple[str, ...] = ("received", "held", "rejected", "no_meeting", "missing")

_LABELS: dict[str, tuple[str, str]] = {
    "received": ("已报送", "received"),
    "held": ("已报送·待匹配会议", "sent, waiting for its meeting"),
    "rejected": ("全部拒收", "all rows rejected"),
    "missing": ("未报送", "not submitted"),
}
_NO_MEETING: dict[str, tuple[str, str]] = {
    "meetings": ("已报送·本月无会议", "submitted, no meeting held"),
    "attendance": ("已报送·无签到", "submitted, no attendance"),
    "resolutions": ("已报送·无决议", "submitted, no resolution reports"),
}

_MONTH = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True)
class Status:
    """The grid of one month and scope. rows: one dict per unit × kind (area_code,
    area_name, area_name_en — an organ's own row is 清河县（本级）, 清河县 (own level) — level,
    kind, state, state_zh, state_en, received_at — the last file's load, in the deployment's
    zone —, accepted, rejected, held),
    unit by unit, kinds in GRID_KINDS order. note: why there are no rows for a month
    outside the data, in Chinese and English (the command line's line), else None;
    `note_in(lang)` gives it in one language, as a page shows it."""

    month: str
    scope: str | None
    note: str | None
    rows: list[dict]
    notes: tuple[str, str] | None = field(default=None, compare=False)  # (Chinese, English)

    def note_in(self, lang: str) -> str | None:
        """The note in the page's language ("zh" or "en")."""
        if self.notes is None:
            return self.note
        return self.notes[1] if lang == "en" else self.notes[0]


def parse_month(text: str) -> date:
    """The first day of a "YYYY-MM" month; ValueError with the fix otherwise."""
    match = _MONTH.fullmatch(str(text).strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValueError(
            f"月份 {text!r} 应写作 YYYY-MM，如 2025-12 month {text!r} must be YYYY-MM, e.g. 2025-12"
        )
    return date(int(match[1]), int(match[2]), 1)


def state_label(state: str, kind: str) -> tuple[str, str]:
    """(Chinese, English) label of a state; "submitted, none held" names its kind."""
    return _NO_MEETING[kind] if state == "no_meeting" else _LABELS[state]


def _label(key: int) -> str:
    return f"{key // 100:04d}-{key % 100:02d}"


def _out_of_data(conn: Connection, first: date) -> tuple[str, str] | None:
    """The note (Chinese, English) for a month before the first meeting or after the last
    committed load."""
    meetings, runs = schema.meetings, schema.load_runs
    # the first day through the meetings' date index, where min(month) read every meeting
    # (a 10-county city: 51 ms)
    first_day, last_load = conn.execute(
        select(
            select(func.min(meetings.c.meeting_date)).scalar_subquery(),
            select(func.max(runs.c.loaded_on))
            .where(runs.c.status == "committed")
            .scalar_subquery(),
        )
    ).one()
    if first_day is None:
        return (
            "仓库中还没有会议，没有报送记录",
            "the warehouse holds no meetings yet: nothing was submitted",
        )
    first_month = month_key(first_day)
    month = month_key(first)
    if month < first_month:
        begin = _label(first_month)
        return (
            f"数据始于 {begin}，此前没有报送记录",
            f"data begin in {begin}: nothing was submitted before",
        )
    if last_load is not None and month > month_key(last_load):
        return (
            f"最近一次导入在 {last_load}，{_label(month)} 还没有报送记录",
            f"the last load was on {last_load}: nothing was submitted for {_label(month)} yet",
        )
    return None


def _units(conn: Connection, scope: str) -> list[tuple[str, str, str, bool]]:
    """(code, name, level, whether the row is the unit's own organ alone) of the grid's
    units: a village itself; a township itself then its villages; anything higher, its
    children, after its own organ (县本级) when that has ever hosted a meeting — its own
    ledgers are then awaited like a township's, and one it did not send shows."""
    ar, mt = schema.areas, schema.meetings
    columns = (ar.c.area_code, ar.c.area_name, ar.c.level)
    if level_of(scope) == "village":
        where = ar.c.area_code == scope
    elif level_of(scope) == "township":
        where = or_(ar.c.area_code == scope, ar.c.parent_code == scope)
    else:
        hosts = select(mt.c.id).where(mt.c.area_code == scope).exists()
        where = or_(ar.c.parent_code == scope, and_(ar.c.area_code == scope, hosts))
    higher = level_of(scope) in ("county", "city")
    return [
        (code, name, level, higher and code == scope)
        for code, name, level in conn.execute(
            select(*columns).where(where).order_by(ar.c.area_code)
        )
    ]


class _Tally:
    """Rows and their latest run time, summed under the prefixes of their codes."""

    def __init__(self) -> None:
        self._sums: dict[tuple[str, str], tuple[int, datetime | None]] = {}

    def add(self, kind: str, key: str, n: int, at: datetime | None) -> None:
        count, latest = self._sums.get((kind, key), (0, None))
        later = at if latest is None or (at is not None and at > latest) else latest
        self._sums[(kind, key)] = (count + int(n), later)

    def add_prefixes(self, kind: str, code: str | None, n: int, at: datetime | None) -> None:
        """Count a row under its code at every level's prefix (so a unit of any level
        finds it by its own prefix)."""
        if code:
            for width in sorted(set(LEVEL_PREFIX.values())):
                self.add(kind, code[:width], n, at)

    def get(self, kind: str, key: str) -> tuple[int, datetime | None]:
        return self._sums.get((kind, key), (0, None))


def _accepted(conn: Connection, low: str, high: str, first: date, last: date) -> _Tally:
    """Accepted rows of the month with an area in [low, high], per kind."""
    mt, at, rr, runs = (
        schema.meetings,
        schema.attendance,
        schema.resolution_reports,
        schema.load_runs,
    )
    in_month = mt.c.meeting_date.between(first, last)
    queries = {
        "meetings": select(mt.c.area_code, func.count(), func.max(runs.c.finished_at))
        .join(runs, runs.c.run_id == mt.c.run_id)
        .where(mt.c.area_code.between(low, high), in_month)
        .group_by(mt.c.area_code),
        "attendance": select(mt.c.area_code, func.count(), func.max(runs.c.finished_at))
        .select_from(at)
        .join(mt, mt.c.id == at.c.meeting_pk)
        .join(runs, runs.c.run_id == at.c.run_id)
        .where(mt.c.area_code.between(low, high), in_month)
        .group_by(mt.c.area_code),
        "resolutions": select(rr.c.area_code, func.count(), func.max(runs.c.finished_at))
        .join(runs, runs.c.run_id == rr.c.run_id)
        .where(rr.c.area_code.between(low, high), rr.c.updated_on.between(first, last))
        .group_by(rr.c.area_code),
    }
    tally = _Tally()
    for kind, query in queries.items():
        for code, n, latest in conn.execute(query):
            tally.add_prefixes(kind, code, n, latest)
    return tally


def _rejected(
    conn: Connection, low: str, high: str, first: date, last: date
) -> tuple[_Tally, _Tally]:
    """Current rejects of the month (their row's month, else their file's one month, else
    their run's day: xieshang.etl.merge, `all_rejects`) in
    [low, high]: (by area code, for villages; by township code, for larger units)."""
    rejects, runs = schema.rejects, schema.load_runs
    joined, superseded = _rejects_joined()
    month = month_key(first)
    query = (
        select(
            rejects.c.kind,
            rejects.c.area_code,
            rejects.c.township_code,
            func.count(),
            func.max(runs.c.finished_at),
        )
        .select_from(joined)
        .where(
            not_(superseded),
            rejects.c.kind.in_(GRID_KINDS),
            or_(
                rejects.c.month == month,
                rejects.c.month.is_(None) & runs.c.loaded_on.between(first, last),
            ),
            or_(rejects.c.township_code.between(low, high), rejects.c.area_code.between(low, high)),
        )
        .group_by(rejects.c.kind, rejects.c.area_code, rejects.c.township_code)
    )
    by_area, by_township = _Tally(), _Tally()
    for kind, area, township, n, latest in conn.execute(query):
        # a row another township sent for this area (rejected 超出本乡镇范围, kept as the
        # sender's) is not the area's own ledger
        if area and (township is None or area.startswith(township[: LEVEL_PREFIX["township"]])):
            by_area.add(kind, area, n, latest)
        # a county's (or city's) own row has no township: it counts where its area is
        by_township.add_prefixes(kind, township or area, n, latest)
    return by_area, by_township


def _held(conn: Connection, low: str, high: str, first: date, last: date) -> tuple[_Tally, _Tally]:
    """Rows held now in [low, high], of the month: a resolution report by its update day
    (the last part of its key), a sign-in row by its file's month when the load found
    one (xieshang.etl.merge, `write_held`), else by the day of the run that first held it
    (sent again later, it stays in the month it first came); (by area code, by township
    code), as `_rejected`."""
    held, runs = schema.held_rows, schema.load_runs
    day = func.substr(held.c.row_key, func.length(held.c.row_key) - 9)
    month = month_key(first)
    query = (
        select(
            held.c.kind,
            held.c.area_code,
            held.c.township_code,
            func.count(),
            func.max(runs.c.finished_at),
        )
        .join(runs, runs.c.run_id == func.coalesce(held.c.first_run_id, held.c.run_id))
        .where(
            held.c.area_code.between(low, high),
            or_(
                (held.c.kind == "resolutions") & day.between(first.isoformat(), last.isoformat()),
                (held.c.kind == "attendance")
                & or_(
                    held.c.month == month,
                    held.c.month.is_(None) & runs.c.loaded_on.between(first, last),
                ),
            ),
        )
        .group_by(held.c.kind, held.c.area_code, held.c.township_code)
    )
    by_area, by_township = _Tally(), _Tally()
    for kind, area, township, n, latest in conn.execute(query):
        by_area.add(kind, area, n, latest)
        by_township.add_prefixes(kind, township or area, n, latest)
    return by_area, by_township


def _later(*times: datetime | None) -> datetime | None:
    return max((t for t in times if t is not None), default=None)


def _cells(
    units: Iterable[tuple[str, str, str, bool]],
    accepted: _Tally,
    rejected: tuple[_Tally, _Tally],
    held: tuple[_Tally, _Tally],
) -> list[dict]:
    rows = []
    for code, name, level, own in units:
        # an organ alone: the rows of its own code, as a village's
        prefix = code if own else code[: LEVEL_PREFIX[level_of(code)]]
        village = level_of(code) == "village"
        tally = 0 if village or own else 1  # by area, or by township
        for kind in GRID_KINDS:
            n_ok, at_ok = accepted.get(kind, prefix)
            n_bad, at_bad = rejected[tally].get(kind, prefix)
            n_held, at_held = held[tally].get(kind, prefix)
            if n_ok:
                state = "received"
            elif n_held:
                state = "held"
            elif n_bad:
                state = "rejected"
            elif village and _township_sent(kind, township_of(code), accepted, rejected, held):
                state = "no_meeting"
            else:
                state = "missing"
            zh, en = state_label(state, kind)
            rows.append(
                {
                    "area_code": code,
                    "area_name": f"{name}（本级）" if own else name,
                    "area_name_en": f"{name} (own level)" if own else name,
                    "level": level,
                    "kind": kind,
                    "state": state,
                    "state_zh": zh,
                    "state_en": en,
                    "received_at": settings.zone_time(_later(at_ok, at_bad, at_held)),
                    "accepted": n_ok,
                    "rejected": n_bad,
                    "held": n_held,
                }
            )
    return rows


def _township_sent(
    kind: str,
    township: str,
    accepted: _Tally,
    rejected: tuple[_Tally, _Tally],
    held: tuple[_Tally, _Tally],
) -> bool:
    key = township[: LEVEL_PREFIX["township"]]
    return any(tally.get(kind, key)[0] for tally in (accepted, rejected[1], held[1]))


def submission_status(bind: Engine | Connection, month: str, scope: str | None = None) -> Status:
    """The 报送情况 grid of `month` ("YYYY-MM") for `scope` (an area code; the roster's
    root by default): a county's (or city's) child units, each with everything below
    it; a township's whole (itself, its villages and the rejects it sent without a valid
    area code) then each village; a village alone. ValueError for a malformed month,
    UnknownScope for a scope not in the roster. A month before the first meeting or
    after the last committed load has no rows and a note saying so."""
    first = parse_month(month)
    last = month_end(first)
    label = _label(month_key(first))
    with connect(bind) as conn:
        root = root_area(conn)
        code = normalize_code(scope) if scope else root
        if code is not None and root is not None:
            scope_info(conn, code)
        notes = _out_of_data(conn, first)
        if notes is not None or code is None:
            note = None if notes is None else " ".join(notes)
            return Status(label, code, note, [], notes)
        units = _units(conn, code)
        # a village's "none held" depends on its township's rows: read the township
        low, high = scope_range(township_of(code) if level_of(code) == "village" else code)
        accepted = _accepted(conn, low, high, first, last)
        rejected = _rejected(conn, low, high, first, last)
        held = _held(conn, low, high, first, last)
    return Status(label, code, None, _cells(units, accepted, rejected, held))


__all__: Sequence[str] = (
    "GRID_KINDS",
    "STATES",
    "Status",
    "parse_month",
    "state_label",
    "submission_status",
)
