"""What a load changed, and the partitions of the marts that it touches.

The scope lives in temporary tables for the length of one refresh, so that the fills
(`xieshang.marts.fill`) can join them: the (area, month) pairs of mart_meetings, each
person's cut day in mart_party_attendance with their last day before it per scope
prefix, and the resolutions of the resolution marts. Old positions (a meeting moved
to another month) are read from the marts themselves, which still show the warehouse
as it was before the load.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY

from xieshang.marts.days import day_number, from_day
from xieshang.marts.fill import fill_anchors
from xieshang.warehouse import schema


@dataclass
class Changes:
    """The warehouse rows a load inserted or updated, by the keys the marts need."""

    meetings: set[int] = field(default_factory=set)  # meeting ids
    resolutions: set[tuple[str, str]] = field(default_factory=set)  # (area_code, resolution_id)
    new_city: bool = False  # the roster gained a city: every prev_4 changes
    # the roster's rows changed: no mart follows them (but a new city), the figures do
    roster: bool = False
    # attendance rows as (meeting_pk, person_pk) arrays: a first load writes a million
    _attendance: list[pd.DataFrame] = field(default_factory=list)

    def add_attendance(self, meeting_pks: Sequence[int], person_pks: Sequence[int]) -> None:
        if len(meeting_pks):
            self._attendance.append(
                pd.DataFrame(
                    {
                        "meeting_pk": np.asarray(meeting_pks, dtype=np.int64),
                        "person_pk": np.asarray(person_pks, dtype=np.int64),
                    }
                )
            )

    def attendance(self) -> pd.DataFrame:
        """The attendance rows inserted or updated: (meeting_pk, person_pk)."""
        if not self._attendance:
            return pd.DataFrame({"meeting_pk": [], "person_pk": []}, dtype=np.int64)
        return pd.concat(self._attendance, ignore_index=True)

    def __bool__(self) -> bool:
        return bool(self.meetings or self._attendance or self.resolutions or self.new_city)

    def touched_meetings(self) -> set[int]:
        """The meetings whose mart row is to be written again."""
        of_attendance = self.attendance()["meeting_pk"].unique().tolist()
        return self.meetings | set(of_attendance)


_scratch = MetaData()


def _temporary(name: str, *columns: Column) -> Table:
    return Table(name, _scratch, *columns, prefixes=["TEMPORARY"])


MEETINGS = _temporary(
    "xs_scope_meetings",
    Column("meeting_pk", Integer, primary_key=True, autoincrement=False),
    Column("changed", Boolean, nullable=False),  # the meeting's own row changed
)
PARTS = _temporary(
    "xs_scope_parts",
    Column("area_code", String(12), primary_key=True),
    Column("month", Integer, primary_key=True, autoincrement=False),
)
PERSONS = _temporary(
    "xs_scope_persons",
    Column("person_pk", Integer, primary_key=True, autoincrement=False),
    Column("cut", Integer, nullable=False),  # day number: rows from this day on change
)
ANCHORS = _temporary(
    "xs_scope_anchors",
    Column("person_pk", Integer, primary_key=True, autoincrement=False),
    Column("width", Integer, primary_key=True, autoincrement=False),
    Column("prefix", String(12), primary_key=True),
    Column("day", Integer, nullable=False),
)
RESOLUTIONS = _temporary(
    "xs_scope_resolutions",
    Column("area_code", String(12), primary_key=True),
    Column("resolution_id", Text, primary_key=True),
)
DAYS = _temporary(  # (county, day) pairs of the rollups to write again; repeats allowed
    "xs_scope_days",
    Column("area_code", String(6), nullable=False),
    Column("day", Integer, nullable=False),
    # SQLite looks a pair up once per mart row (a correlated EXISTS), PostgreSQL hashes
    # them: without it, a month's load into a 5-year county took 91 s on SQLite to write
    # mart_county_days again
    Index("ix_xs_scope_days", "area_code", "day"),
)
TABLES = [MEETINGS, PARTS, PERSONS, ANCHORS, RESOLUTIONS, DAYS]


def _insert(conn: Connection, table: Table, rows: list[dict]) -> None:
    """`rows` into a scope table: on PostgreSQL in one statement, each column sent as an
    array (a month of a city touches some hundred thousand persons)."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    names = list(rows[0])
    arrays = [
        bindparam(name, [row[name] for row in rows], type_=ARRAY(table.c[name].type))
        for name in names
    ]
    source = select(func.unnest(*arrays).table_valued(*names).render_derived())
    conn.execute(table.insert().from_select(names, source))


def write_scope(conn: Connection, changes: Changes) -> date | None:
    """Fill the scope tables from `changes` (the marts not yet refreshed); returns the
    first person's cut day (None when no Party-member attendance changes)."""
    dialect = conn.dialect.name
    _scratch.drop_all(conn, tables=TABLES, checkfirst=True)
    _scratch.create_all(conn, tables=TABLES)
    _insert(
        conn,
        MEETINGS,
        [{"meeting_pk": m, "changed": m in changes.meetings} for m in changes.touched_meetings()],
    )
    m, mm, x = schema.meetings, schema.mart_meetings, MEETINGS
    now = conn.execute(
        select(m.c.id, m.c.area_code, m.c.month, day_number(m.c.meeting_date, dialect)).join(
            x, x.c.meeting_pk == m.c.id
        )
    ).all()
    before = conn.execute(
        select(mm.c.meeting_pk, mm.c.area_code, mm.c.month, mm.c.meeting_date).join(
            x, x.c.meeting_pk == mm.c.meeting_pk
        )
    ).all()
    parts = {(area, month) for _, area, month, _ in [*now, *before]}
    first_day: dict[int, int] = {}  # the earlier of a meeting's day before and after
    for meeting, _, _, day in [*now, *before]:
        first_day[meeting] = min(day, first_day.get(meeting, day))
    a, r = schema.attendance, schema.resolution_reports
    of_changed = conn.execute(
        select(a.c.meeting_pk, a.c.person_pk)
        .join(x, x.c.meeting_pk == a.c.meeting_pk)
        .where(x.c.changed)
    ).all()
    also = Changes()  # every attendee of a changed meeting: their day changed with it
    also.add_attendance([m for m, _ in of_changed], [p for _, p in of_changed])
    rows = pd.concat([changes.attendance(), also.attendance()])
    rows["day"] = rows["meeting_pk"].map(first_day)
    cuts = rows.dropna().groupby("person_pk")["day"].min().astype(int).to_dict()
    resolutions = set(changes.resolutions) | set(
        conn.execute(
            select(r.c.area_code, r.c.resolution_id)
            .join(x, x.c.meeting_pk == r.c.meeting_pk)
            .where(x.c.changed)
        ).all()
    )
    _insert(conn, PARTS, [{"area_code": area, "month": month} for area, month in sorted(parts)])
    _insert(conn, PERSONS, [{"person_pk": p, "cut": cut} for p, cut in sorted(cuts.items())])
    _insert(
        conn,
        RESOLUTIONS,
        [{"area_code": area, "resolution_id": rid} for area, rid in sorted(resolutions)],
    )
    fill_anchors(conn, PERSONS, ANCHORS)
    return from_day(min(cuts.values())) if cuts else None


def party_share(conn: Connection) -> float:
    """The share of mart_party_attendance's rows that the scope's persons have from their
    cut day on: what an update writes again of the largest mart."""
    pa, p = schema.mart_party_attendance, PERSONS
    rows = conn.execute(select(func.count()).select_from(pa)).scalar()
    after = conn.execute(
        select(func.count())
        .select_from(pa.join(p, p.c.person_pk == pa.c.person_pk))
        .where(pa.c.meeting_date >= p.c.cut)
        # through the rows since the first cut (their date index), as the update deletes
        .where(pa.c.meeting_date >= select(func.min(p.c.cut)).scalar_subquery())
    ).scalar()
    return after / rows if rows else 1.0


def drop_scope(conn: Connection) -> None:
    _scratch.drop_all(conn, tables=TABLES)
