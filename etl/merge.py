"""Merging a run's judged rows into the warehouse, inside the run's transaction.

Kind by kind, in the contract's order: the roster (parents checked top-down), meetings
(their host in the roster), then attendance and resolution reports, which join their
meeting or are held until it arrives (and released then). Each kind is merged later-row-
wins (`xieshang.etl.upsert`) with the contract's counting; what was written is kept as
`marts.Changes`, for the marts to follow only that. The run's held rows and rejects are
stored last, once every kind is judged: a reject given the township it belongs to, the
header its file gives the column, and (an attendance row's) the month of its meeting,
which only the merged warehouse knows; a row without a month of its own (a held sign-in
row, a reject for its date or code) its file's, when the file's other rows have one.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa
from sqlalchemy import Connection, and_, bindparam, func, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY

from xieshang import marts
from xieshang.contract.columns import COLUMNS
from xieshang.etl import validate
from xieshang.etl.pii import person_hashes
from xieshang.etl.upsert import (
    CHUNK,
    copies,
    delete_rows,
    insert_rows,
    keys_of,
    plan_upsert,
    update_rows,
)
from xieshang.warehouse import schema
from xieshang.warehouse.codes import level_of, month_key, parent_of, township_of

AREA_VALUES = ["area_name", "parent_code", "level", "unit_type", "party_members", "population"]
MEETING_VALUES = [
    "meeting_date",
    "month",
    "form",
    "topic",
    "topic_category",
    "topic_source",
    "led_by_party",
    "online",
]
ATTENDANCE_KEYS = ["meeting_pk", "person_pk"]
ATTENDANCE_VALUES = ["party_member", "category"]
RESOLUTION_KEYS = ["area_code", "resolution_id", "updated_on"]
RESOLUTION_VALUES = [
    "meeting_pk",
    "meeting_id",
    "content",
    "responsible_unit",
    "due_date",
    "status",
    "completed_date",
    "satisfaction",
    "in_assessment",
    "escalated_to",
]
HELD_KEYS = {
    "attendance": ["area_code", "meeting_id", "person_hash"],
    "resolutions": RESOLUTION_KEYS,
}
STORED_KEYS = {
    "areas": ["area_code"],
    "meetings": ["area_code", "meeting_id"],
    **HELD_KEYS,
}
"""`validate.ROW_KEYS` as the merge holds them: an attendance row's person hashed."""
JUDGED_COLUMNS = {
    "areas": [*STORED_KEYS["areas"], "_path"],
    "meetings": [*STORED_KEYS["meetings"], "_path", "meeting_date"],
    "attendance": [*STORED_KEYS["attendance"], "_path"],
    "resolutions": [*STORED_KEYS["resolutions"], "_path"],
}
"""What the run keeps of the rows it judged: their key, file and month."""
HELD_FIELDS = {
    "attendance": ["area_code", "meeting_id", "person_hash", "party_member", "category"],
    # a held report keeps every column of the contract, to be judged when its meeting comes
    "resolutions": [c.name for c in COLUMNS["resolutions"]],
}
DATE_FIELDS = {"due_date", "completed_date", "updated_on"}


def _chunks(values: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _select_frame(conn: Connection, statement) -> pd.DataFrame:
    result = conn.execute(statement)
    names = list(result.keys())
    # by column: pandas inspects each row object it is given, which costs per row
    columns = list(zip(*result.fetchall(), strict=True)) or [()] * len(names)
    return pd.DataFrame(
        {
            name: pd.Series(list(cells), dtype=object)
            for name, cells in zip(names, columns, strict=True)
        }
    )


def _select_in(conn: Connection, columns, column, values: Iterable) -> pd.DataFrame:
    """Rows of `select(*columns)` whose `column` is in `values`."""
    return _select_keys(conn, columns, [column], ((v,) for v in values))


def _is_empty(conn: Connection, table) -> bool:
    return conn.execute(select(sa.literal(1)).select_from(table).limit(1)).first() is None


def _select_keys(
    conn: Connection, columns, key_columns, keys: Iterable[tuple], every: bool = False
) -> pd.DataFrame:
    """Rows of `select(*columns)` whose `key_columns` are one of `keys`: the rows a run's
    keys match, through the table's unique index (or its first columns). Where rows are
    COPY'd (`copies`), the keys go as arrays in one statement that joins them; elsewhere
    as IN lists, in chunks. `every`: the caller knows the table holds only rows of `keys`
    (it wrote them into an empty table), so all are read without sending a key."""
    statement = select(*columns)
    if every:
        return _select_frame(conn, statement)
    if _is_empty(conn, key_columns[0].table):
        keys = []  # an empty table (a first load) matches nothing: its keys not even gathered
    keys = sorted(set(keys))
    if keys and copies(conn):
        return _select_frame(conn, _joining_arrays(statement, key_columns, keys))
    frames = [
        _select_frame(conn, statement.where(tuple_(*key_columns).in_(part)))
        for part in _chunks(keys, CHUNK // len(key_columns))
    ]
    if frames:
        return pd.concat(frames, ignore_index=True)
    return pd.DataFrame({c.key: pd.Series(dtype=object) for c in columns})


def _joining_arrays(statement, key_columns, keys: list[tuple]):
    """`statement` joined to `keys`, sent as one array per key column (unnest)."""
    names = [f"k{i}" for i in range(len(key_columns))]
    arrays = [
        bindparam(name, list(values), type_=ARRAY(column.type))
        for name, column, values in zip(names, key_columns, zip(*keys, strict=True), strict=True)
    ]
    matched = func.unnest(*arrays).table_valued(*names).render_derived()
    condition = and_(*(c == matched.c[n] for c, n in zip(key_columns, names, strict=True)))
    return statement.join_from(key_columns[0].table, matched, condition)


def _distinct_pairs(first: pd.Series, second: pd.Series) -> tuple[np.ndarray, list[tuple]]:
    """(the number of each row's pair, the distinct pairs), counted column by column: no
    tuple is made for a row. A missing value stays None."""
    first_codes, firsts = pd.factorize(first.astype(object), use_na_sentinel=False)
    second_codes, seconds = pd.factorize(second.astype(object), use_na_sentinel=False)
    width = max(len(seconds), 1)
    codes, pairs = pd.factorize(first_codes * width + second_codes)
    firsts, seconds = _nones(firsts), _nones(seconds)
    return codes, [(firsts[pair // width], seconds[pair % width]) for pair in pairs.tolist()]


def _nones(values) -> list:
    return [None if pd.isna(v) else v for v in values]


Headers = dict[tuple[str, str | None], dict[str, str]]
"""(path, sheet) -> canonical column name -> the header the sheet gives it."""


def _sheet_name(sheet) -> str | None:
    return sheet if isinstance(sheet, str) else None  # a CSV file's, None, may be NaN here


class Run:
    """The state of one load run while it merges (counts, rejects, held rows)."""

    def __init__(
        self, conn: Connection, run_id: str, secret: bytes, report: dict, headers: Headers
    ) -> None:
        self.conn = conn
        self.run_id = run_id
        self.secret = secret
        self.report = report
        # the headers of the sheets read, and of those whose held rows this run looks at
        self.headers = headers
        self.rejects: list[pd.DataFrame] = []
        self.changes = marts.Changes()  # what the marts must follow
        # (area_code, meeting_id) -> (id, meeting_date) of the warehouse's meetings, as the
        # run wrote them: its attendance and reports mostly refer to its own meetings
        self.meetings: dict[tuple[str, str], tuple[int, date]] = {}
        # the rows this run judged, by kind (JUDGED_COLUMNS): an earlier reject of one
        # of their keys is superseded, its row sent again (fixed, or rejected anew)
        self.judged: dict[str, list[pd.DataFrame]] = {kind: [] for kind in STORED_KEYS}
        self._rejects_frame: pd.DataFrame | None = None
        # the held_rows rows this run writes, once every kind is judged (`write_held`)
        self._held_rows: list[dict] = []

    def count(self, kind: str, outcome: str, n: int) -> None:
        self.report["kinds"][kind][outcome] += int(n)

    def reject(self, kind: str, frame: pd.DataFrame, released: bool = False) -> None:
        if frame.empty:
            return
        # a held row rejected on its release is the row sent before, not sent again: it
        # supersedes no reject of its key (`_supersede`)
        self.rejects.append(frame.assign(_released=released))
        if released:
            self.report["kinds"][kind]["released"]["rejected"] += len(frame)
        else:
            self.count(kind, "rejected", len(frame))

    # -- areas ---------------------------------------------------------------------------

    def load_areas(self, rows: pd.DataFrame) -> set[str]:
        t = schema.areas
        self.judged["areas"].append(rows[JUDGED_COLUMNS["areas"]])
        existing = _select_frame(self.conn, select(t.c.area_code, *[t.c[c] for c in AREA_VALUES]))
        accepted, rejects = validate.check_areas(rows, set(existing["area_code"]))
        self.reject("areas", rejects)
        accepted["level"] = [level_of(c) for c in accepted["area_code"]]
        accepted["parent_code"] = [parent_of(c) for c in accepted["area_code"]]
        existing["_id"] = existing["area_code"]
        plan = plan_upsert(accepted, ["area_code"], AREA_VALUES, existing)
        self._count_outcomes("areas", plan.outcomes)
        self.changes.new_city |= bool((plan.inserts["level"] == "city").any())
        self.changes.roster |= bool(len(plan.inserts) or len(plan.updates))
        plan.inserts["run_id"] = self.run_id
        insert_rows(self.conn, t, plan.inserts, ["area_code", *AREA_VALUES, "run_id"])
        plan.updates["run_id"] = self.run_id
        update_rows(self.conn, t, plan.updates, [*AREA_VALUES, "run_id"], {"area_code": "_id"})
        return set(existing["area_code"]) | set(accepted["area_code"])

    # -- meetings ------------------------------------------------------------------------

    def load_meetings(self, rows: pd.DataFrame, roster: set[str]) -> None:
        t = schema.meetings
        first = _is_empty(self.conn, t)
        self.judged["meetings"].append(rows[JUDGED_COLUMNS["meetings"]])
        accepted, rejects = validate.check_known_area("meetings", rows, roster)
        self.reject("meetings", rejects)
        accepted["month"] = [month_key(d) for d in accepted["meeting_date"]]
        keys = ["area_code", "meeting_id"]
        existing = _select_keys(
            self.conn,
            [t.c.id.label("_id"), t.c.area_code, t.c.meeting_id, *[t.c[c] for c in MEETING_VALUES]],
            [t.c.area_code, t.c.meeting_id],
            keys_of(accepted, keys),
        )
        plan = plan_upsert(accepted, keys, MEETING_VALUES, existing)
        self._count_outcomes("meetings", plan.outcomes)
        plan.inserts["run_id"] = self.run_id
        insert_rows(self.conn, t, plan.inserts, [*keys, *MEETING_VALUES, "run_id"])
        plan.updates["run_id"] = self.run_id
        update_rows(self.conn, t, plan.updates, [*MEETING_VALUES, "run_id"], {"id": "_id"})
        written = self._lookup_meetings(keys_of(accepted, keys), every=first)
        self.changes.meetings.update(written[key][0] for key in keys_of(plan.inserts, keys))
        self.changes.meetings.update(int(i) for i in plan.updates["_id"])

    def _lookup_meetings(
        self, keys: list[tuple], every: bool = False
    ) -> dict[tuple[str, str], tuple[int, date]]:
        """`self.meetings`, having looked up those of `keys` it did not hold yet (`every`:
        the table holds only meetings of `keys`)."""
        t = schema.meetings
        found = _select_keys(
            self.conn,
            [t.c.area_code, t.c.meeting_id, t.c.id, t.c.meeting_date],
            [t.c.area_code, t.c.meeting_id],
            (key for key in keys if key not in self.meetings),
            every,
        )
        self.meetings.update(
            zip(
                keys_of(found, ["area_code", "meeting_id"]),
                zip(found["id"].tolist(), found["meeting_date"].tolist(), strict=True),
                strict=True,
            )
        )
        return self.meetings

    def _join_meetings(self, rows: pd.DataFrame) -> pd.DataFrame:
        """`rows` with their meeting's id and date (meeting_pk, _meeting_date), None where
        the warehouse has no meeting of their (area_code, meeting_id)."""
        # each distinct key looked up once: a meeting has many attendance rows
        codes, keys = _distinct_pairs(rows["area_code"], rows["meeting_id"])
        meetings = self._lookup_meetings(keys)
        pks, days = np.empty(len(keys), dtype=object), np.empty(len(keys), dtype=object)
        for i, key in enumerate(keys):
            pks[i], days[i] = meetings.get(key, (None, None))
        return rows.assign(
            meeting_pk=pd.Series(pks[codes], index=rows.index, dtype=object),
            _meeting_date=pd.Series(days[codes], index=rows.index, dtype=object),
        )

    # -- attendance and resolutions (rows that need their meeting) -----------------------

    def load_dependent(self, kind: str, rows: pd.DataFrame, roster: set[str]) -> None:
        """Join rows to their meetings; hold those whose meeting is unknown; release old ones."""
        if kind == "attendance":
            rows = rows.assign(person_hash=person_hashes(rows["person_id"], self.secret))
            rows = rows.drop(columns=["person_id", "name"])
        self.judged[kind].append(rows[JUDGED_COLUMNS[kind]])
        if kind == "resolutions":
            rows, rejects = validate.check_escalation(rows, roster)
            self.reject(kind, rejects)
        rows = rows.assign(_old=False, _held_id=None, _read_run=None)
        old = self._held(kind)
        keys = HELD_KEYS[kind]
        new_keys = set(keys_of(rows, keys)) if len(old) else set()
        replaced = np.array([k in new_keys for k in keys_of(old, keys)], dtype=bool)
        superseded = old[replaced]
        old = old.drop(superseded.index)
        combined = pd.concat([old, rows], ignore_index=True) if len(old) else rows
        combined = self._join_meetings(combined)
        joinable = combined["meeting_pk"].notna().to_numpy()
        waiting = combined[~joinable]
        joining = combined if joinable.all() else combined[joinable].reset_index(drop=True)
        if kind == "resolutions":
            joining = self._check_dates(joining.rename(columns={"_meeting_date": "meeting_date"}))
        else:
            joining = self._with_persons(joining)
        self._merge(kind, joining)
        self._keep_held(kind, waiting, superseded)

    def _check_dates(self, rows: pd.DataFrame) -> pd.DataFrame:
        """Resolution dates against the meeting; held rows rejected now leave the store."""
        kept = []
        for is_old in (True, False):
            subset = rows[rows["_old"].astype(bool) == is_old]
            accepted, rejects = validate.check_against_meeting(subset)
            if is_old:
                # each the row of the reading that held it, in the order they were rejected
                rejected = ~subset["_held_id"].isin(set(accepted["_held_id"]))
                rejects = rejects.assign(_read_run=subset.loc[rejected, "_read_run"].to_numpy())
            self.reject("resolutions", rejects, released=is_old)
            if is_old:
                self._delete_held(sorted(set(subset["_held_id"]) - set(accepted["_held_id"])))
            kept.append(accepted)
        return pd.concat(kept, ignore_index=True)

    def _with_persons(self, rows: pd.DataFrame) -> pd.DataFrame:
        t = schema.persons
        first = _is_empty(self.conn, t)
        hashes = sorted(pd.unique(rows["person_hash"].to_numpy()).tolist())
        known = _select_in(self.conn, [t.c.id, t.c.person_hash], t.c.person_hash, hashes)
        new = sorted(set(hashes) - set(known["person_hash"]))
        insert_rows(self.conn, t, pd.DataFrame({"person_hash": new}, dtype=object), ["person_hash"])
        if new:
            known = _select_keys(
                self.conn,
                [t.c.id, t.c.person_hash],
                [t.c.person_hash],
                ((h,) for h in hashes),
                first,
            )
        ids = pd.Series(known["id"].to_numpy(), index=known["person_hash"].to_numpy())
        return rows.assign(person_pk=ids.reindex(rows["person_hash"].to_numpy()).to_numpy(np.int64))

    def _merge(self, kind: str, rows: pd.DataFrame) -> None:
        if kind == "attendance":
            t, keys, values = schema.attendance, ATTENDANCE_KEYS, ATTENDANCE_VALUES
            existing = _select_in(
                self.conn,
                [t.c.meeting_pk, t.c.person_pk, *[t.c[c] for c in values]],
                t.c.meeting_pk,
                rows["meeting_pk"],
            )
            existing["_id"] = None
            where = {"meeting_pk": "meeting_pk", "person_pk": "person_pk"}
        else:
            t, keys, values = schema.resolution_reports, RESOLUTION_KEYS, RESOLUTION_VALUES
            # every report of the run's resolutions: half the keys to send of the full key
            existing = _select_keys(
                self.conn,
                [t.c.id.label("_id"), *[t.c[c] for c in keys + values]],
                [t.c.area_code, t.c.resolution_id],
                keys_of(rows, ["area_code", "resolution_id"]),
            )
            where = {"id": "_id"}
        rows = rows.assign(meeting_pk=rows["meeting_pk"].to_numpy(dtype=np.int64))
        plan = plan_upsert(rows, keys, values, existing)
        old = plan.rows["_old"].to_numpy(dtype=bool)
        self.report["kinds"][kind]["released"]["joined"] += int(old.sum())
        self._count_outcomes(kind, plan.outcomes[~old])
        for frame in (plan.inserts, plan.updates):
            frame["run_id"] = self.run_id
        insert_rows(self.conn, t, plan.inserts, [*keys, *values, "run_id"])
        update_rows(self.conn, t, plan.updates, [*values, "run_id"], where)
        for frame in (plan.inserts, plan.updates):
            if kind == "attendance":
                self.changes.add_attendance(frame["meeting_pk"], frame["person_pk"])
            else:
                self.changes.resolutions.update(keys_of(frame, ["area_code", "resolution_id"]))
        released = plan.rows.loc[old, "_held_id"].tolist()
        self._delete_held(released)

    # -- held rows -----------------------------------------------------------------------

    def _held(self, kind: str) -> pd.DataFrame:
        t, runs = schema.held_rows, schema.load_runs
        first_run = func.coalesce(t.c.first_run_id, t.c.run_id)
        stored = _select_frame(
            self.conn,
            select(
                t.c.id,
                t.c.path,
                t.c.sheet,
                t.c.row_number,
                t.c.payload,
                first_run.label("first_run_id"),
                t.c.run_id,
                t.c.month,
                runs.c.loaded_on,
            )
            .select_from(t.outerjoin(runs, runs.c.run_id == first_run))
            .where(t.c.kind == kind)
            .order_by(t.c.id),
        )
        fields = HELD_FIELDS[kind]
        payloads = [json.loads(p) for p in stored["payload"]]
        for path, sheet, payload in zip(stored["path"], stored["sheet"], payloads, strict=True):
            self.headers.setdefault((path, _sheet_name(sheet)), payload.get("_headers") or {})
        frame = pd.DataFrame(
            {f: [_from_json(f, p.get(f)) for p in payloads] for f in fields}, dtype=object
        )
        frame["_path"] = stored["path"].to_numpy()
        frame["_sheet"] = stored["sheet"].to_numpy()
        frame["_row"] = stored["row_number"].to_numpy()
        frame["_seq"] = np.arange(-len(stored), 0)  # earlier than anything read in this run
        frame["_old"] = True
        frame["_held_id"] = stored["id"].to_numpy()
        frame["_first_run"] = stored["first_run_id"].to_numpy()
        frame["_month"] = stored["month"].to_numpy()
        frame["_came"] = [month_key(d) if d is not None else None for d in stored["loaded_on"]]
        frame["_read_run"] = stored["run_id"].to_numpy()  # its path and row are that reading's
        return frame

    def _delete_held(self, ids: list) -> None:
        delete_rows(self.conn, schema.held_rows, "id", [int(i) for i in ids])

    def _keep_held(self, kind: str, waiting: pd.DataFrame, superseded: pd.DataFrame) -> None:
        """New rows without a meeting join the held store (replacing same-key rows). Of a
        key this run brings several times, only the last row waits: it is counted held,
        and each later row updated or unchanged against the one before it, as rows of a
        stored key are."""
        self._delete_held(superseded["_held_id"].tolist())
        new = waiting[~waiting["_old"].astype(bool)]
        keys = HELD_KEYS[kind]
        fields = HELD_FIELDS[kind]
        values = [f for f in fields if f not in keys]
        plan = plan_upsert(new, keys, values, new.iloc[:0].assign(_id=None))
        self._count_outcomes(kind, np.where(plan.outcomes == "inserted", "held", plan.outcomes))
        final = plan.inserts
        # a row sent again keeps the run that first held its key, and its month or the
        # month it came in (`write_held`)
        before = keys_of(superseded, keys)
        first = dict(zip(before, superseded["_first_run"], strict=True))
        months = dict(zip(before, superseded["_month"], strict=True))
        came = dict(zip(before, superseded["_came"], strict=True))
        self._held_rows += [
            {
                "kind": kind,
                "row_key": _joined(tuple(r[k] for k in keys)),
                "first_run_id": first.get(tuple(r[k] for k in keys), self.run_id),
                "month": _month(months.get(tuple(r[k] for k in keys))),
                "_came": _month(came.get(tuple(r[k] for k in keys))),
                "area_code": r["area_code"],
                "meeting_id": r["meeting_id"],
                "township_code": township_of(r["area_code"]),
                "run_id": self.run_id,
                "path": r["_path"],
                "sheet": r["_sheet"],
                "row_number": int(r["_row"]),
                "payload": json.dumps(
                    {
                        **{f: _to_json(r[f]) for f in fields},
                        # for a reject when it is released: the column as its file names it
                        "_headers": self.headers.get((r["_path"], _sheet_name(r["_sheet"]))),
                    },
                    ensure_ascii=False,
                ),
            }
            for r in final.to_dict("records")
        ]

    def write_held(self) -> None:
        """Store the rows this run holds, once every kind is judged: a sign-in row new to
        the store gets its file's one month (`_single_months`, as a reject without a month
        of its own), which 报送情况 counts it in — a township's November sign-in sheet
        loaded on 7 December, its meetings not sent yet, showed its rows as December's and
        November short; a file of no such month leaves it to count in the month it came.

        A row sent again keeps the month it had, as it keeps the run that first held it: a
        month's cell does not lose a row to a later file. One that had none (its first file
        all held, or of several months, or held before schema 11) takes the new reading's
        when that is not after the month it came in: a month of its own rather than the day
        it came, but never a later one — a row sent in January is of no February meeting,
        and only a later file's other rows put it there."""
        rows = self._held_rows
        if not rows:
            return
        undated = {r["path"] for r in rows if r["kind"] == "attendance" and r["month"] is None}
        if undated:
            rejects = self.all_rejects()
            paths, months = (
                ([], [])
                if rejects is None
                else (rejects["path"].tolist(), rejects["month"].tolist())
            )
            of_file = self._single_months(undated, paths, months)
            for r in rows:
                month = of_file.get(r["path"])
                if r["kind"] == "attendance" and r["month"] is None and month is not None:
                    r["month"] = month if r["_came"] is None or month <= r["_came"] else None
        columns = [c for c in rows[0] if not c.startswith("_")]
        frame = pd.DataFrame(rows, columns=columns)
        # as objects: pandas would make a column of months and None floats with NaN
        frame["month"] = pd.Series([r["month"] for r in rows], index=frame.index, dtype=object)
        insert_rows(self.conn, schema.held_rows, frame, columns)

    # -- bookkeeping ---------------------------------------------------------------------

    def _count_outcomes(self, kind: str, outcomes: np.ndarray) -> None:
        for outcome, n in Counter(outcomes.tolist()).items():
            self.count(kind, outcome, n)

    def all_rejects(self) -> pd.DataFrame | None:
        """The run's rejects as one frame, each with its row key and its month (an
        attendance row's: its meeting's, which only the merged warehouse knows); None
        when there are none. Made once the rows are merged."""
        if self._rejects_frame is not None or not self.rejects:
            return self._rejects_frame
        frame = pd.concat(self.rejects, ignore_index=True)
        frame = frame.astype(object).where(frame.notna(), None)
        frame["row_key"] = pd.Series(self._row_keys(frame), index=frame.index, dtype=object)
        months = frame["month"].tolist()
        attendance = [
            i
            for i, (kind, code, meeting) in enumerate(
                zip(frame["kind"], frame["area_code"], frame["_meeting_id"], strict=True)
            )
            if kind == "attendance" and code and meeting
        ]
        if attendance:
            keys = keys_of(frame.iloc[attendance], ["area_code", "_meeting_id"])
            meetings = self._lookup_meetings(keys)
            for i, key in zip(attendance, keys, strict=True):
                months[i] = month_key(meetings[key][1]) if key in meetings else None
        paths = frame["path"].tolist()
        undated = {path for path, month in zip(paths, months, strict=True) if month is None}
        if undated:  # a bad date or code: its file's month, where the file has one alone
            of_file = self._single_months(undated, paths, months)
            months = [
                of_file.get(path) if month is None else month
                for path, month in zip(paths, months, strict=True)
            ]
        frame["month"] = pd.Series(months, index=frame.index, dtype=object)
        self._rejects_frame = frame
        return frame

    def _single_months(
        self, paths: set[str], reject_paths: list[str], reject_months: list
    ) -> dict[str, int]:
        """The month of each of `paths` whose dated rows (judged, or rejected with a month
        of their own) all fall in one month. A row rejected for its date or its code has
        none; counted in the month of its run (报送情况, the data-quality lists), a
        November ledger's bad row loaded in December showed December's grid as rejected
        and November's as clean; a file of several months leaves it so."""
        found: dict[str, set[int]] = {path: set() for path in paths}
        pairs: list[tuple[list, list]] = [(reject_paths, reject_months)]
        for kind, frames in self.judged.items():
            for rows in frames:
                near = rows[rows["_path"].isin(paths)]
                if len(near):
                    pairs.append((near["_path"].tolist(), self._months_of(kind, near)))
        for files, months in pairs:
            for path, month in zip(files, months, strict=True):
                if month is not None and path in found:
                    found[path].add(int(month))
        return {path: months.pop() for path, months in found.items() if len(months) == 1}

    def months_read(self, read: list[str]) -> dict[str, str]:
        """For each file this run read whose path has rejects from before: the months of
        its rows (accepted, held or rejected), as load_files.months keeps them
        (",202510,202511,"). Reading a path again supersedes its earlier rejects of those
        months only, so a ledger sent every month under one name does not hide last
        month's rows still to fix. Other files have none (every month): no earlier reject
        of theirs exists for their reading to supersede, and later rejects are after it."""
        t = schema.rejects
        paths = set(_select_in(self.conn, [t.c.path], t.c.path, read)["path"])
        found: dict[str, set[int]] = {path: set() for path in paths}
        if not paths:
            return {}
        pairs: list[tuple[list, list]] = []
        for kind, frames in self.judged.items():
            for rows in frames:
                near = rows[rows["_path"].isin(paths)]
                if len(near):
                    pairs.append((near["_path"].tolist(), self._months_of(kind, near)))
        rejects = self.all_rejects()
        if rejects is not None:
            near = rejects[rejects["path"].isin(paths)]
            pairs.append((near["path"].tolist(), near["month"].tolist()))
        for files, months in pairs:
            for path, month in zip(files, months, strict=True):
                if month is not None:
                    found[path].add(int(month))
        return {path: f",{','.join(map(str, sorted(months)))}," for path, months in found.items()}

    def _months_of(self, kind: str, rows: pd.DataFrame) -> list[int | None]:
        """The month of each judged row: a meeting's, a report's update, a sign-in row's
        meeting's when the warehouse has it; a roster row has none."""
        if kind == "meetings":
            return [month_key(d) for d in rows["meeting_date"]]
        if kind == "resolutions":
            return [month_key(d) for d in rows["updated_on"]]
        if kind == "attendance":
            found = (
                self.meetings.get(key)
                for key in zip(rows["area_code"], rows["meeting_id"], strict=True)
            )
            return [month_key(m[1]) if m else None for m in found]
        return [None] * len(rows)

    def write_rejects(self, files: Mapping[str, str | None], townships: set[str]) -> None:
        """Store the run's rejects, having marked superseded the earlier rejects of the
        rows this run judged again. Each belongs to its area's township when that is one
        of the roster's `townships`, else (a bad or unknown code, or a row outside the
        submitting township) to its file's township, `files` by path."""
        frame = self.all_rejects()
        self._supersede(frame)
        if frame is None:
            return
        places = list(zip(frame["path"], map(_sheet_name, frame["sheet"]), strict=True))
        owners = [
            own if own in townships and rule != "outside_township" else files.get(path)
            for own, rule, (path, _) in zip(
                [township_of(c) if c else None for c in frame["area_code"]],
                frame["rule"],
                places,
                strict=True,
            )
        ]
        headers = [
            self.headers.get(place, {}).get(column) if column else None
            for place, column in zip(places, frame["column_name"], strict=True)
        ]
        # as objects: pandas would make a list of texts a string column, None its NaN
        for name, cells in (("township_code", owners), ("header", headers)):
            frame[name] = pd.Series(cells, index=frame.index, dtype=object)
        frame["run_id"] = self.run_id
        read = frame["_read_run"] if "_read_run" in frame else pd.Series(None, index=frame.index)
        frame["read_run_id"] = read.astype(object).where(read.notna(), self.run_id)
        insert_rows(
            self.conn,
            schema.rejects,
            frame,
            [
                *validate.REJECT_COLUMNS,
                "township_code",
                "header",
                "row_key",
                "run_id",
                "read_run_id",
            ],
        )

    def _row_keys(self, frame: pd.DataFrame) -> list[str | None]:
        """Each reject's row key as stored: its parts joined as a held row's are, an
        attendance row's person identifier replaced by its keyed hash."""
        keys = frame["_key"].tolist()
        people = [
            i
            for i, (kind, key) in enumerate(zip(frame["kind"], keys, strict=True))
            if kind == "attendance" and key
        ]
        if people:
            hashes = person_hashes(pd.Series([keys[i][2] for i in people]), self.secret)
            for i, hashed in zip(people, hashes.tolist(), strict=True):
                keys[i] = (*keys[i][:2], hashed)
        return [_joined(key) if key else None for key in keys]

    def _supersede(self, rejects: pd.DataFrame | None) -> None:
        """Mark superseded by this run the earlier current rejects whose row this run
        judged again: read under any file name, accepted, held or rejected anew. Only
        the few areas some current reject names have their rows' keys made."""
        t = schema.rejects
        current = _select_frame(
            self.conn,
            select(t.c.id, t.c.kind, t.c.row_key).where(
                t.c.row_key.is_not(None), t.c.superseded_by.is_(None)
            ),
        )
        ids: list[int] = []
        for kind, group in current.groupby("kind"):
            codes = {key.split("|", 1)[0] for key in group["row_key"]}
            seen = set()
            if rejects is not None:
                sent = rejects["kind"] == kind
                if "_released" in rejects:
                    sent &= ~rejects["_released"].eq(True)
                seen.update(rejects["row_key"][sent])
            for rows in self.judged.get(kind, []):
                near = rows[rows["area_code"].isin(codes)]
                seen.update(map(_joined, keys_of(near, STORED_KEYS[kind])))
            ids.extend(int(i) for i in group["id"][group["row_key"].isin(seen)])
        for part in _chunks(sorted(ids)):
            self.conn.execute(
                sa.update(t).where(t.c.id.in_(part)).values(superseded_by=self.run_id)
            )


def _month(value) -> int | None:
    """A stored month as an int; None for a row held without one (NULL, or NaN in a frame)."""
    return None if value is None or pd.isna(value) else int(value)


def _joined(key: tuple) -> str:
    """A row key as text, as held_rows.row_key and rejects.row_key keep it."""
    return "|".join(str(part) for part in key)


def _to_json(value):
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _from_json(field: str, value):
    if field in DATE_FIELDS and value is not None:
        return date.fromisoformat(value)
    return value
