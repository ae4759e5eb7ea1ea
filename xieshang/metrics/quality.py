"""Data-quality signals for the dashboard's 数据质量 page.

* `party_participation_over_100` — units whose Party participation is above 100% (more
  distinct Party members attended than are registered: a roster that is out of date, or
  members of other units counted as this unit's);
* `held_and_rejected` — per township, rows waiting for their meeting (held) and rows
  rejected by the contract;
* `held_rows` / `held_count` — the rows waiting for their meeting, one by one (never
  their person key or payload);
* `rejected_rows` / `rejected_count` — the rejected rows with their reasons; by default
  only those of each file's latest load (a file read again, or a marked-up rejects
  workbook that answers it, supersedes its earlier rejects);
* `status_regressions` — resolutions whose status went backwards between two reports
  (implemented → in progress …): the latest report wins in every figure, and this
  lists them so that nobody is surprised;
* `due_dates_moved_later` — resolutions whose due date moved later between reports;
* `resolution_events` — both of these in one list, each row with its kind.

Every function takes a scope (an area code: it and everything below it) and returns
plain rows (dicts), ordered for display; `summary` counts them all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import (
    Connection,
    Engine,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    not_,
    or_,
    select,
    true,
    union_all,
)

from xieshang import marts
from xieshang.contract.reasons import reason
from xieshang.metrics.areas import root_area
from xieshang.metrics.breakdowns import reported_on
from xieshang.metrics.compute import figures, figures_by_child
from xieshang.metrics.context import connect, consistent, session
from xieshang.metrics.filters import NO_FILTERS, Filters
from xieshang.metrics.periods import as_of_day
from xieshang.warehouse import schema
from xieshang.warehouse.codes import (
    LEVELS,
    level_of,
    normalize_code,
    scope_range,
    township_of,
)


def _names(conn: Connection, low: str, high: str) -> dict[str, tuple[str, str]]:
    ar = schema.areas
    rows = conn.execute(
        select(ar.c.area_code, ar.c.area_name, ar.c.level).where(ar.c.area_code.between(low, high))
    )
    return {code: (name, level) for code, name, level in rows}


def party_participation_over_100(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
) -> list[dict]:
    """The scope and every county, township and village in it whose
    party_participation_rate is above 1, highest first."""
    scope = normalize_code(scope)
    keys = ["party_participation_rate"]
    rows = [figures(bind, scope, start, end, filters, keys=keys)]
    rows[0] = {**rows[0], "area_code": scope, "area_name": rows[0]["scope_name"]}
    rows[0]["level"] = level_of(scope)
    scope_rank = LEVELS.index(level_of(scope))
    # a city's counties too: its ranking of counties marks one above 100%, and a county's
    # own organs' members count in none of its townships
    for level in ("county", "township", "village"):
        if LEVELS.index(level) > scope_rank:
            rows += figures_by_child(bind, scope, start, end, filters, level=level, keys=keys)
    out = []
    for row in rows:
        rate = row["party_participation_rate"]
        if rate is not None and rate > 1:
            out.append(
                {
                    "area_code": row["area_code"],
                    "area_name": row["area_name"],
                    "level": row["level"],
                    "party_members_attending": row["counts"]["party_members_attending"],
                    "party_members_registered": row["counts"]["party_members_registered"],
                    "party_participation_rate": rate,
                }
            )
    return sorted(out, key=lambda r: (-r["party_participation_rate"], r["area_code"]))


def _resolve(conn: Connection, scope: str | None) -> tuple[str | None, bool]:
    """(the 12-digit scope, the roster's root when None; whether it is the whole roster)."""
    root = root_area(conn)
    scope = normalize_code(scope) if scope else root
    return scope, scope is None or scope == root


def _range(scope: str | None) -> tuple[str, str]:
    return scope_range(scope) if scope else ("", "~")


def _names_around(conn: Connection, scope: str | None) -> dict[str, tuple[str, str]]:
    """The names a list of the scope shows: a village's rows name its township too."""
    village = scope is not None and level_of(scope) == "village"
    return _names(conn, *_range(township_of(scope) if village else scope))


def _belongs(table, scope: str | None, whole: bool):
    """Rows of `table` (rejects or held rows) that belong to the scope: those whose
    township (for a reject: the area's, or the sending township's when the area code is
    bad) lies in it, and a county's or city's own rows (本级: no township) in it; for a
    village, only the rows of that village among its township's — not a row another
    township sent for it (rejected 超出本乡镇范围, kept as the sender's), which the
    village's staff must not see. The whole roster also takes the rows whose township is
    unknown."""
    if scope and level_of(scope) == "village":
        return (table.c.area_code == scope) & _belongs(table, township_of(scope), False)
    where = table.c.township_code.between(*_range(scope))
    if whole:
        return table.c.township_code.is_(None) | where
    return where | (table.c.township_code.is_(None) & table.c.area_code.between(*_range(scope)))


def _owner(table):
    """The unit a row of `table` is counted under: its township, or for a county's or
    city's own row (本级, no township) that organ's code."""
    organ = table.c.township_code.is_(None) & (func.substr(table.c.area_code, 7) == "000000")
    return case((organ, table.c.area_code), else_=table.c.township_code)


def _organ(township: str | None, area: str | None) -> str | None:
    """`_owner` of one row, in Python."""
    return area if township is None and area and area[6:] == "000000" else township


def _owner_name(names: dict[str, tuple[str, str]], code: str | None) -> str | None:
    """A township's name, or an organ's as its own unit: 清河县（本级）."""
    if code is None or code not in names:
        return None
    name, level = names[code]
    return name if level in ("township", "village") else f"{name}（本级）"


def _rejects_joined():
    """rejects joined to their run and to the last time their file was read, and the
    condition that they are superseded: their file was read again after their run (its
    rows judged again) with rows of their month (load_files.months: a ledger sent every
    month under one name leaves last month's rejects current), or a later run judged
    their row again under any file name (rejects.superseded_by, by the row's key). A
    file that names the one it replaces (load_files.replaces: the marked-up rejects
    workbook staff fix and resend) supersedes the rejects of the reading it marks, up to
    the run it was made after (load_files.replaces_run, replaces_as_of; a workbook made
    before schema 9: of every reading). A file
    listed as unchanged or unreadable was not read again; a held row rejected when its
    meeting arrived stays current until its file or its row is read again."""
    rejects, runs = schema.rejects, schema.load_runs
    files, file_run = schema.load_files, schema.load_runs.alias("file_run")
    committed = (files.c.status == "loaded", file_run.c.status == "committed")
    # readings of every month: a marked-up workbook's, and a file's whose path had no
    # reject before it (or read before schema 8)
    reads = union_all(
        select(files.c.path, file_run.c.finished_at)
        .join(file_run, file_run.c.run_id == files.c.run_id)
        .where(*committed, files.c.months.is_(None)),
        select(files.c.replaces.label("path"), file_run.c.finished_at)
        .join(file_run, file_run.c.run_id == files.c.run_id)
        .where(*committed, files.c.replaces.is_not(None), files.c.replaces_run.is_(None)),
    ).subquery("reads")
    # only the paths some reject has: every file ever read is many more (a 10-county
    # city's first load alone, 24,918)
    last_read = (
        select(reads.c.path, func.max(reads.c.finished_at).label("read_at"))
        .where(reads.c.path.in_(select(rejects.c.path)))
        .group_by(reads.c.path)
        .subquery("last_read")
    )
    joined = rejects.join(runs, runs.c.run_id == rejects.c.run_id).outerjoin(
        last_read, last_read.c.path == rejects.c.path
    )
    # readings of some months: a file read again whose path had rejects (few: asked
    # only of the rejects of such a path)
    month = literal("%,") + cast(rejects.c.month, Text) + literal(",%")
    some_months = select(files.c.path).where(files.c.months.is_not(None))
    read_again = rejects.c.path.in_(some_months) & (
        select(files.c.id)
        .join(file_run, file_run.c.run_id == files.c.run_id)
        .where(
            *committed,
            files.c.months.is_not(None),
            files.c.path == rejects.c.path,
            file_run.c.finished_at > runs.c.finished_at,
            rejects.c.month.is_(None) | files.c.months.like(month),
        )
        .exists()
    )
    # a marked-up workbook answering one reading of its file: that reading's rejects up
    # to the run it was made after (not a held row of it rejected since, never shown; a
    # run that is not one answers nothing), of the township that sent it back (a file
    # the county read holds several townships' rows; a township was shown its own)
    as_of = schema.load_runs.alias("as_of_run")
    one_reading = select(files.c.replaces).where(files.c.replaces_run.is_not(None))
    answered = rejects.c.path.in_(one_reading) & (
        select(files.c.id)
        .join(file_run, file_run.c.run_id == files.c.run_id)
        .join(as_of, as_of.c.run_id == func.coalesce(files.c.replaces_as_of, files.c.replaces_run))
        .where(
            *committed,
            files.c.replaces == rejects.c.path,
            files.c.replaces_run == func.coalesce(rejects.c.read_run_id, rejects.c.run_id),
            file_run.c.finished_at > runs.c.finished_at,
            as_of.c.finished_at >= runs.c.finished_at,
            files.c.township_code.is_(None) | (files.c.township_code == rejects.c.township_code),
        )
        .exists()
    )
    superseded = or_(
        rejects.c.superseded_by.is_not(None),
        and_(last_read.c.read_at.is_not(None), last_read.c.read_at > runs.c.finished_at),
        read_again,
        answered,
    )
    return joined, superseded


def held_and_rejected(
    bind: Engine | Connection, scope: str | None = None, include_superseded: bool = False
) -> list[dict]:
    """Per township: rows held now (waiting for their meeting), rows rejected (those of
    each file's latest load, or over all runs with include_superseded) and rejected in
    the last committed run. Rows whose township is unknown are listed under
    township_code None when the scope is the whole roster (or None); a county's or city's
    own rows under its code (area_name 清河县（本级）)."""
    held, rejects, runs = schema.held_rows, schema.rejects, schema.load_runs
    with connect(bind) as conn:
        scope, whole = _resolve(conn, scope)
        last_run = conn.execute(
            select(runs.c.run_id)
            .where(runs.c.status == "committed")
            .order_by(runs.c.finished_at.desc(), runs.c.run_id.desc())
            .limit(1)
        ).scalar()
        counts: dict[str | None, dict[str, int]] = {}

        def add(table, column: str, source=None, *extra) -> None:
            owner = _owner(table)
            query = (
                select(owner, func.count())
                .select_from(table if source is None else source)
                .where(_belongs(table, scope, whole), *extra)
                .group_by(owner)
            )
            for town, n in conn.execute(query):
                row = counts.setdefault(town, {"held": 0, "rejected": 0, "rejected_last_run": 0})
                row[column] = int(n)

        add(held, "held")
        joined, superseded = _rejects_joined()
        add(rejects, "rejected", joined, *([] if include_superseded else [not_(superseded)]))
        if last_run is not None:
            add(rejects, "rejected_last_run", None, rejects.c.run_id == last_run)
        names = _names_around(conn, scope)
    out = [
        {"township_code": town, "area_name": _owner_name(names, town), **values}
        for town, values in counts.items()
    ]
    return sorted(out, key=lambda r: (r["township_code"] is None, r["township_code"] or ""))


def _first_run(held):
    """The run that first held a row of the key (a row held before schema 8: its own)."""
    return func.coalesce(held.c.first_run_id, held.c.run_id)


def _held_in(scope: str | None, whole: bool):
    # a held row always has a valid area code, so a village sees only its own rows
    held = schema.held_rows
    return true() if whole else held.c.area_code.between(*_range(scope))


def held_rows(
    bind: Engine | Connection, scope: str | None = None, limit: int | None = None
) -> list[dict]:
    """The attendance and resolution rows held now, waiting for a meeting that has not
    arrived: those whose area is in the scope (the whole roster: every one), by file,
    sheet and row number; at most `limit`. loaded_on is the day of the run that first
    held a row of its key (a row sent again keeps it), run_id the run that sent it as it
    stands. The row key and payload are never read: they hold the person's hashed id."""
    held, runs = schema.held_rows, schema.load_runs
    words = reason("unknown_meeting")
    with connect(bind) as conn:
        scope, whole = _resolve(conn, scope)
        query = (
            select(
                held.c.kind,
                held.c.area_code,
                held.c.township_code,
                held.c.meeting_id,
                held.c.path,
                held.c.sheet,
                held.c.row_number,
                held.c.run_id,
                runs.c.loaded_on,
            )
            .select_from(held.outerjoin(runs, runs.c.run_id == _first_run(held)))
            .where(_held_in(scope, whole))
            .order_by(held.c.path, held.c.sheet, held.c.row_number, held.c.id)
        )
        rows = conn.execute(query if limit is None else query.limit(limit)).all()
        names = _names_around(conn, scope)
    return [
        {
            **dict(row._mapping),
            "area_name": names.get(row.area_code, (None,))[0],
            "township_name": _owner_name(names, _organ(row.township_code, row.area_code)),
            "reason_zh": words[0],
            "reason_en": words[1],
        }
        for row in rows
    ]


def held_count(bind: Engine | Connection, scope: str | None = None) -> int:
    """How many rows held_rows lists for the scope (without a limit)."""
    held = schema.held_rows
    with connect(bind) as conn:
        scope, whole = _resolve(conn, scope)
        query = select(func.count()).select_from(held).where(_held_in(scope, whole))
        return int(conn.execute(query).scalar())


def rejected_rows(
    bind: Engine | Connection,
    scope: str | None = None,
    limit: int | None = 1000,
    include_superseded: bool = False,
) -> list[dict]:
    """Rows rejected by the contract in the scope's townships (a village: its township;
    the whole roster also lists rows whose township is unknown): those of each file's
    latest load, or of every run with include_superseded (`superseded` says which);
    newest run first, then file and row number; at most `limit` rows (None: all)."""
    rejects, runs = schema.rejects, schema.load_runs
    with connect(bind) as conn:
        scope, whole = _resolve(conn, scope)
        joined, superseded = _rejects_joined()
        where = [_belongs(rejects, scope, whole)]
        if not include_superseded:
            where.append(not_(superseded))
        query = (
            select(
                rejects.c.run_id,
                runs.c.loaded_on,
                rejects.c.kind,
                rejects.c.path,
                rejects.c.sheet,
                rejects.c.row_number,
                rejects.c.rule,
                rejects.c.column_name,
                rejects.c.header,
                rejects.c.value,
                rejects.c.reason_zh,
                rejects.c.reason_en,
                rejects.c.area_code,
                rejects.c.township_code,
                superseded.label("superseded"),
            )
            .select_from(joined)
            .where(*where)
            .order_by(
                runs.c.finished_at.desc(),
                rejects.c.run_id.desc(),
                rejects.c.path,
                rejects.c.row_number,
                rejects.c.id,
            )
        )
        rows = conn.execute(query if limit is None else query.limit(limit)).all()
        names = _names_around(conn, scope)
    return [
        {
            **dict(row._mapping),
            "superseded": bool(row.superseded),
            "township_name": _owner_name(names, _organ(row.township_code, row.area_code)),
            # beside the name: a city's two 黄坛镇 are told apart by it
            "owner_code": _organ(row.township_code, row.area_code),
        }
        for row in rows
    ]


REJECT_FIELDS = tuple(
    schema.rejects.c[name]
    for name in (
        "path",
        "sheet",
        "row_number",
        "kind",
        "rule",
        "column_name",
        "header",
        "value",
        "reason_zh",
        "reason_en",
        "area_code",
    )
) + (func.coalesce(schema.rejects.c.read_run_id, schema.rejects.c.run_id).label("read_run_id"),)
"""What a submission's answer shows of a rejected row (xieshang.submission), and the
run whose reading of its file gave the row."""


def run_rejects(
    bind: Engine | Connection, run_id: str, start: int = 0, stop: int | None = None
) -> list[dict]:
    """The rows `run_id` rejected, in file, sheet and row order: those from `start` up to
    `stop` (None: to the last), read as one page from the database."""
    rejects = schema.rejects
    query = (
        select(*REJECT_FIELDS)
        .where(rejects.c.run_id == run_id)
        .order_by(rejects.c.path, rejects.c.sheet, rejects.c.row_number, rejects.c.id)
    )
    with connect(bind) as conn:
        return [dict(row) for row in conn.execute(_sliced(query, start, stop)).mappings()]


def run_rejects_count(bind: Engine | Connection, run_id: str) -> int:
    """How many rows `run_id` rejected (run_rejects without a slice)."""
    rejects = schema.rejects
    query = select(func.count()).select_from(rejects).where(rejects.c.run_id == run_id)
    with connect(bind) as conn:
        return int(conn.execute(query).scalar())


def _sliced(query, start: int, stop: int | None):
    query = query.offset(start) if start else query
    return query if stop is None else query.limit(max(stop - start, 0))


def unchanged_files_rejects(
    bind: Engine | Connection,
    run_id: str,
    township: str | None = None,
    start: int = 0,
    stop: int | None = None,
) -> list[dict]:
    """The rejects still current (not superseded) of the files `run_id` listed as
    unchanged, for `township`'s staff (None: an admin, every township's). A file's are
    those of the latest committed reading of the same bytes (by the township, as the run
    compared them with its own files), and those rejected later when the held rows of
    that reading were released; each with `sent_as`, the path the run found it under, and
    `reading`, that reading's run.
    In file and row order: those from `start` up to `stop` (None: to the last), a file's
    read as one page from the database, the files before it only counted."""
    found: list[dict] = []
    skip = start  # rows still to pass over before the page
    wanted = None if stop is None else max(stop - start, 0)
    with connect(bind) as conn:
        for sent_as, reading, query in _unchanged_queries(conn, run_id, township):
            if wanted is not None and len(found) >= wanted:
                break
            if skip:
                count = _count(conn, query)
                if skip >= count:
                    skip -= count  # a file wholly before the page: only counted
                    continue
            left = None if wanted is None else wanted - len(found)
            rows = conn.execute(_sliced(query, skip, None if left is None else skip + left))
            found.extend({**row, "sent_as": sent_as, "reading": reading} for row in rows.mappings())
            skip = 0
    return found


def unchanged_files_rejects_count(
    bind: Engine | Connection, run_id: str, township: str | None = None
) -> int:
    """How many rows unchanged_files_rejects lists (without a slice)."""
    with connect(bind) as conn:
        return sum(_count(conn, q) for _, _, q in _unchanged_queries(conn, run_id, township))


def _count(conn: Connection, query) -> int:
    return int(conn.execute(select(func.count()).select_from(query.subquery())).scalar())


def _unchanged_queries(conn: Connection, run_id: str, township: str | None):
    """(sent_as, reading, the query of its rejects) of each file `run_id` listed as
    unchanged whose bytes a committed run read, in the order the run listed them."""
    files, runs, rejects = schema.load_files, schema.load_runs, schema.rejects
    unchanged = conn.execute(
        select(files.c.path, files.c.sha256)
        .where(files.c.run_id == run_id, files.c.status == "unchanged")
        # a fixed order: a page of the list is asked for on its own
        .order_by(files.c.id)
    ).all()
    joined, superseded = _rejects_joined()
    # a township's: only its own rejects, as 数据质量 lists them (an admin's earlier
    # reading of the same file judged other townships' rows too)
    mine = [] if township is None else [_belongs(rejects, township, False)]
    for sent_as, sha256 in unchanged:
        same = [files.c.sha256 == sha256, files.c.status == "loaded"]
        if township is not None:
            same.append(files.c.township_code == township)
        last = conn.execute(
            select(files.c.path, files.c.run_id)
            .join(runs, runs.c.run_id == files.c.run_id)
            .where(*same, runs.c.status == "committed")
            .order_by(runs.c.finished_at.desc(), files.c.id.desc())
            .limit(1)
        ).first()
        if last is None:
            continue
        # that reading's, not those of the same path's other bytes (next month's); a
        # reject stored before schema 9 knows no reading: every one of its path's
        of_reading = (rejects.c.read_run_id == last.run_id) | rejects.c.read_run_id.is_(None)
        query = (
            select(*REJECT_FIELDS)
            .select_from(joined)
            .where(rejects.c.path == last.path, of_reading, not_(superseded), *mine)
            .order_by(rejects.c.sheet, rejects.c.row_number, rejects.c.id)
        )
        yield sent_as, last.run_id, query


def rejected_count(
    bind: Engine | Connection, scope: str | None = None, include_superseded: bool = False
) -> int:
    """How many rows rejected_rows lists for the scope (without a limit)."""
    rejects = schema.rejects
    with connect(bind) as conn:
        scope, whole = _resolve(conn, scope)
        joined, superseded = _rejects_joined()
        where = [_belongs(rejects, scope, whole)]
        if not include_superseded:
            where.append(not_(superseded))
        return int(conn.execute(select(func.count()).select_from(joined).where(*where)).scalar())


def _overdue_where(st, low: str, high: str, a: int, filters: Filters) -> list:
    """The states of the resolutions overdue_open counts on day number `a`."""
    return [
        st.c.area_code.between(low, high),
        st.c.valid_from <= a,
        st.c.valid_to > a,
        marts.overdue_on(st, a),
        # implied by the above (the marts' overdue_from), and what the partial index
        # reads, as overdue_open's historic count does: a 3-county city's states 37 → 4 ms
        st.c.overdue_from.is_not(None),
        st.c.overdue_from + 0 <= a,
        *filters.where(st),
    ]


@consistent
def overdue_resolutions(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
    limit: int | None = None,
) -> list[dict]:
    """The resolutions counted by overdue_open: hosted in the scope, open on as_of
    (min(end, last load)) and due before it, however old; with their meeting, content,
    responsible unit (the latest report on or before as_of) and days late; most days
    late first (then by area code and resolution id). Only the first `limit`, if given:
    the database cuts the list (a 10-county city has 20,000), its collation breaking
    ties of resolution ids at the cut."""
    scope = normalize_code(scope)
    low, high = scope_range(scope)
    st, mt, rr = schema.mart_resolution_states, schema.meetings, schema.resolution_reports
    with session(bind) as (conn, ctx):
        as_of = as_of_day(end, ctx.last_load)
        a = marts.to_day(as_of)
        # content and responsible unit of the report valid on as_of, looked up per
        # resolution (fetching every report of a county's 8,000 overdue resolutions took
        # 0.6 s)
        query = (
            select(
                st.c.area_code,
                st.c.resolution_id,
                st.c.due_date,
                mt.c.meeting_id,
                mt.c.meeting_date,
                mt.c.topic,
                reported_on(st, as_of, rr.c.content).label("content"),
                reported_on(st, as_of, rr.c.responsible_unit).label("responsible_unit"),
            )
            .join(mt, mt.c.id == st.c.meeting_pk)
            .where(*_overdue_where(st, low, high, a, filters))
        )
        if limit is not None:
            order = (st.c.due_date, st.c.area_code, st.c.resolution_id)
            query = query.order_by(*order).limit(limit)
        rows = conn.execute(query).all()
        names = _names(conn, low, high)
    out = []
    for r in rows:
        due = marts.from_day(r.due_date)
        out.append(
            {
                "area_code": r.area_code,
                "area_name": names.get(r.area_code, (None,))[0],
                "township_code": township_of(r.area_code),
                "resolution_id": r.resolution_id,
                "meeting_id": r.meeting_id,
                "meeting_date": r.meeting_date,
                "topic": r.topic,
                "content": r.content,
                "responsible_unit": r.responsible_unit,
                "due_date": due,
                "as_of": as_of,
                "days_late": (as_of - due).days,
            }
        )
    return sorted(out, key=lambda r: (-r["days_late"], r["area_code"], r["resolution_id"]))


@consistent
def overdue_count(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
) -> int:
    """How many resolutions overdue_resolutions lists (without a limit)."""
    scope = normalize_code(scope)
    low, high = scope_range(scope)
    st = schema.mart_resolution_states
    with session(bind) as (conn, ctx):
        a = marts.to_day(as_of_day(end, ctx.last_load))
        query = select(func.count()).where(*_overdue_where(st, low, high, a, filters))
        return int(conn.execute(query).scalar())


# the kinds marts._fill_events writes to mart_resolution_events
EVENT_KINDS = ("status_backwards", "due_later")


@consistent
def _events(
    bind: Engine | Connection,
    kinds: Sequence[str],
    scope: str,
    start: date | None,
    end: date | None,
) -> list[dict]:
    ev = schema.mart_resolution_events
    scope = normalize_code(scope)
    low, high = scope_range(scope)
    where = [ev.c.kind.in_(kinds), ev.c.area_code.between(low, high)]
    if start is not None:
        where.append(ev.c.updated_on >= start)
    if end is not None:
        where.append(ev.c.updated_on <= end)
    with session(bind) as (conn, _ctx):
        names = _names(conn, low, high)
        rows = conn.execute(
            select(
                ev.c.area_code,
                ev.c.resolution_id,
                ev.c.meeting_id,
                ev.c.kind,
                ev.c.previous_updated_on,
                ev.c.updated_on,
                ev.c.old_value,
                ev.c.new_value,
            )
            .where(*where)
            .order_by(ev.c.updated_on.desc(), ev.c.area_code, ev.c.resolution_id, ev.c.kind)
        ).all()
    return [
        {
            **dict(row._mapping),
            "area_name": names.get(row.area_code, (None,))[0],
            "township_code": township_of(row.area_code),
        }
        for row in rows
    ]


def status_regressions(
    bind: Engine | Connection, scope: str, start: date | None = None, end: date | None = None
) -> list[dict]:
    """Reports (updated_on in [start, end]) whose status is behind the previous report's:
    old_value/new_value are the statuses, newest first."""
    return _events(bind, ("status_backwards",), scope, start, end)


def due_dates_moved_later(
    bind: Engine | Connection, scope: str, start: date | None = None, end: date | None = None
) -> list[dict]:
    """Reports (updated_on in [start, end]) whose due date is later than the previous
    report's: old_value/new_value are the ISO dates, newest first."""
    return _events(bind, ("due_later",), scope, start, end)


def resolution_events(
    bind: Engine | Connection, scope: str, start: date | None = None, end: date | None = None
) -> list[dict]:
    """status_regressions and due_dates_moved_later in one list (`kind` is
    "status_backwards" or "due_later"; a report can be both), newest first, then area,
    resolution and kind: what staff fix in their ledgers."""
    return _events(bind, EVENT_KINDS, scope, start, end)


def summary(
    bind: Engine | Connection,
    scope: str,
    start: date,
    end: date,
    filters: Filters = NO_FILTERS,
    include_superseded: bool = False,
    over_100: list[dict] | None = None,
) -> dict[str, int]:
    """How many of each signal the scope has in the period: each the length of its list
    (held_rows, rejected_rows without a limit, …). `over_100`: the scope's
    party_participation_over_100 list when the caller has it, since it is the one signal
    that counts Party members area by area (a 10-county city's year: 0.3–0.7 s)."""
    if over_100 is None:
        over_100 = party_participation_over_100(bind, scope, start, end, filters)
    return {
        "party_participation_over_100": len(over_100),
        "held_rows": held_count(bind, scope),
        "rejected_rows": rejected_count(bind, scope, include_superseded),
        "status_regressions": len(status_regressions(bind, scope, start, end)),
        "due_dates_moved_later": len(due_dates_moved_later(bind, scope, start, end)),
    }


__all__: Sequence[str] = (
    "due_dates_moved_later",
    "held_and_rejected",
    "held_count",
    "held_rows",
    "overdue_count",
    "overdue_resolutions",
    "party_participation_over_100",
    "rejected_count",
    "rejected_rows",
    "resolution_events",
    "status_regressions",
    "summary",
)
