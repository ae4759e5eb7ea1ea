"""A load refreshes only the partitions of the marts it touched, and they come out exactly
as a full rebuild writes them: a month more, a resubmitted month (a meeting moved to the
next month, another's form changed, an attendee's Party membership and another's
category changed, an attendee added, a report's status changed), held rows released by a
later load, and a later report that sets an old resolution back. On SQLite and PostgreSQL.

Each of these loads runs with the full refresh forbidden, so that the incremental path is
the one tested; then `marts.rebuild` writes every mart again and nothing may differ.
"""

from __future__ import annotations

import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from tests.helpers.inbox_files import write_csv
from xieshang import marts
from xieshang.contract.columns import lookup_table
from xieshang.demo.inbox import write_inbox
from xieshang.etl.cells import clean_text, parse_bool
from xieshang.etl.load import run_load
from xieshang.etl.read import discover, kind_from_name, read_file
from xieshang.marts import build
from xieshang.warehouse import schema
from xieshang.warehouse.engine import ensure_schema, make_engine

TODAY = date(2025, 6, 30)
SECRET = b"incremental-marts"
MEETING_COLUMNS = [
    "meeting_id",
    "area_code",
    "meeting_date",
    "form",
    "topic",
    "topic_category",
    "topic_source",
    "led_by_party",
    "online",
]
ATTENDANCE_COLUMNS = ["meeting_id", "area_code", "person_id", "name", "party_member", "category"]
REPORT_COLUMNS = [
    "area_code",
    "resolution_id",
    "meeting_id",
    "content",
    "responsible_unit",
    "due_date",
    "status",
    "completed_date",
    "updated_on",
    "satisfaction",
    "in_assessment",
    "escalated_to",
]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Fourteen months of two townships: one month is a small share of the warehouse."""
    root = tmp_path_factory.mktemp("generated") / "inbox"
    write_inbox(
        root, townships=2, villages_per_township=3, months=14, end="2025-06", seed=5, today=TODAY
    )
    return root


def _months(inbox: Path) -> list[str]:
    return sorted(p.name for p in inbox.iterdir() if p.is_dir())


def _copy(inbox: Path, target: Path, without: str | None = None) -> Path:
    """A copy of `inbox` (hard links: its files are never written), less a month."""

    def link(src: str, dst: str) -> None:
        os.link(src, dst)

    ignore = shutil.ignore_patterns(without) if without else None
    shutil.copytree(inbox, target, copy_function=link, ignore=ignore)
    return target


def _load(engine: Engine, inbox: Path) -> dict:
    report = run_load(engine, inbox, secret=SECRET, today=TODAY)
    assert report["status"] == "committed", report.get("error")
    return report


def _full_refresh_forbidden(*_args, **_kwargs) -> None:
    raise AssertionError("the load refreshed every mart instead of the touched partitions")


def _load_touched_only(engine: Engine, inbox: Path, monkeypatch: pytest.MonkeyPatch) -> dict:
    with monkeypatch.context() as patch:
        patch.setattr(build, "refresh", _full_refresh_forbidden)
        patch.setattr(marts, "refresh", _full_refresh_forbidden)
        return _load(engine, inbox)


def _marts(engine: Engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {
            table.name: conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            for table in schema.MART_TABLES
        }


def _assert_as_rebuilt(engine: Engine) -> None:
    refreshed = _marts(engine)
    marts.rebuild(engine)
    rebuilt = _marts(engine)
    for name, rows in rebuilt.items():
        assert refreshed[name] == rows, name
    assert all(rows for name, rows in rebuilt.items() if name != "mart_resolution_events")


def _rows(engine: Engine, statement) -> list[dict]:
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(statement).mappings()]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write(path: Path, columns: list[str], rows: list[dict]) -> None:
    write_csv(path, [columns, *([_cell(row[c]) for c in columns] for row in rows)])


def test_one_month_more(engine, generated, tmp_path, monkeypatch):
    last = _months(generated)[-1]
    _load(engine, _copy(generated, tmp_path / "before", without=last))

    report = _load_touched_only(engine, generated, monkeypatch)

    assert report["kinds"]["meetings"]["inserted"] > 0
    assert report["kinds"]["attendance"]["inserted"] > 0
    assert report["kinds"]["resolutions"]["inserted"] > 0
    _assert_as_rebuilt(engine)


def _attendance_file(inbox: Path, month: str) -> tuple[str, list[dict]]:
    """A CSV attendance file of `month` and its rows (raw cells under canonical names)."""
    paths, _ = discover(inbox)
    for rel in paths:
        name = rel.rsplit("/", 1)[-1]
        if rel.startswith(month) and rel.endswith(".csv") and kind_from_name(name) == "attendance":
            frame = read_file(inbox, rel).sheets[0].frame
            return rel, frame.drop(columns="_row").to_dict("records")
    raise AssertionError(f"no CSV attendance file in {month}")


def test_resubmitted_month_and_held_rows_released(engine, generated, tmp_path, monkeypatch):
    _load(engine, generated)
    month = _months(generated)[4]
    inbox = _copy(generated, tmp_path / "resubmitted")
    _, attendance = _attendance_file(generated, month)
    moved_key = (attendance[0]["area_code"], attendance[0]["meeting_id"].upper())
    m = schema.meetings
    meetings = _rows(
        engine,
        sa.select(*[m.c[c] for c in MEETING_COLUMNS])
        .where(m.c.month == int(month.replace("-", "")))
        .order_by(m.c.meeting_date, m.c.id),
    )
    moved = next(row for row in meetings if (row["area_code"], row["meeting_id"]) == moved_key)
    other = next(
        row
        for row in meetings
        if (row["area_code"], row["meeting_id"]) != moved_key and row["meeting_date"].day > 1
    )
    later = {**moved, "meeting_id": "RESUB-LATER"}  # the meeting of a held row, next load
    next_month = (moved["meeting_date"].replace(day=1) + timedelta(days=32)).replace(day=10)
    moved["meeting_date"] = next_month  # into the next month: two partitions change
    other["form"] = "hearing" if other["form"] != "hearing" else "council"
    other["meeting_date"] = other["meeting_date"].replace(day=1)  # earlier in its month
    _write(inbox / month / "resub_meetings.csv", MEETING_COLUMNS, [moved, other])

    of_moved = [row for row in attendance if row["meeting_id"].upper() == moved_key[1]]
    party, _ = parse_bool(of_moved[0]["party_member"])
    flipped = {**of_moved[0], "party_member": "否" if party else "是"}
    category = lookup_table("category")[clean_text(of_moved[1]["category"]).lower()]
    recategorised = {
        **of_moved[1],
        "category": "grid_worker" if category == "npc_deputy" else "npc_deputy",
    }
    added = {**of_moved[1], "person_id": "330281199003071234", "name": "新来", "party_member": "是"}
    waiting = {**added, "meeting_id": "RESUB-LATER"}  # its meeting comes with the next load
    _write(
        inbox / month / "resub_attendance.csv",
        ATTENDANCE_COLUMNS,
        [flipped, recategorised, added, waiting],
    )

    r = schema.resolution_reports
    report_row = _rows(
        engine,
        sa.select(*[r.c[c] for c in REPORT_COLUMNS])
        .where(r.c.status == "in_progress", r.c.updated_on <= date.fromisoformat(month + "-28"))
        .order_by(r.c.updated_on.desc(), r.c.id)
        .limit(1),
    )[0]
    report_row.update(
        status="implemented", completed_date=report_row["updated_on"], satisfaction=88
    )
    _write(inbox / month / "resub_resolutions.csv", REPORT_COLUMNS, [report_row])

    report = _load_touched_only(engine, inbox, monkeypatch)

    assert report["kinds"]["meetings"]["updated"] == 2
    assert report["kinds"]["attendance"]["updated"] == 2
    assert report["kinds"]["attendance"]["inserted"] == 1
    assert report["kinds"]["attendance"]["held"] == 1
    assert report["kinds"]["resolutions"]["updated"] == 1
    _assert_as_rebuilt(engine)

    _write(inbox / month / "resub_meetings_later.csv", MEETING_COLUMNS, [later])

    report = _load_touched_only(engine, inbox, monkeypatch)

    assert report["kinds"]["meetings"]["inserted"] == 1
    assert report["kinds"]["attendance"]["released"]["joined"] == 1
    _assert_as_rebuilt(engine)


def test_a_later_report_sets_an_old_resolution_back(engine, generated, tmp_path, monkeypatch):
    _load(engine, generated)
    r, after = schema.resolution_reports, schema.resolution_reports.alias("after")
    no_later_report = ~sa.exists().where(
        after.c.area_code == r.c.area_code,
        after.c.resolution_id == r.c.resolution_id,
        after.c.updated_on > r.c.updated_on,
    )
    latest = _rows(  # an old resolution whose last report says implemented
        engine,
        sa.select(*[r.c[c] for c in REPORT_COLUMNS])
        .where(r.c.status == "implemented", r.c.updated_on < date(2024, 9, 1), no_later_report)
        .order_by(r.c.updated_on, r.c.id)
        .limit(1),
    )[0]
    key = (latest["area_code"], latest["resolution_id"])
    back = {
        **latest,
        "updated_on": TODAY,
        "status": "in_progress",
        "completed_date": None,
        "satisfaction": None,
        "due_date": latest["due_date"] + timedelta(days=90),
    }
    inbox = _copy(generated, tmp_path / "later")
    _write(inbox / _months(generated)[-1] / "later_resolutions.csv", REPORT_COLUMNS, [back])

    report = _load_touched_only(engine, inbox, monkeypatch)

    assert report["kinds"]["resolutions"]["inserted"] == 1
    ev = schema.mart_resolution_events
    kinds = {
        row["kind"]
        for row in _rows(
            engine,
            sa.select(ev.c.kind).where(
                ev.c.area_code == key[0],
                ev.c.resolution_id == key[1],
                ev.c.updated_on == TODAY,
            ),
        )
    }
    assert kinds == {"status_backwards", "due_later"}
    current = schema.mart_resolutions_current
    status = _rows(
        engine,
        sa.select(current.c.status).where(
            current.c.area_code == key[0], current.c.resolution_id == key[1]
        ),
    )
    assert status == [{"status": "open"}]
    _assert_as_rebuilt(engine)


def test_a_load_that_changes_nothing_only_restamps(engine, generated, monkeypatch):
    _load(engine, generated)
    before = _marts(engine)

    report = _load_touched_only(engine, generated, monkeypatch)

    assert report["files"]["loaded"] == []
    assert _marts(engine) == before
    with engine.connect() as conn:
        assert marts.is_fresh(conn)


def test_a_load_rewriting_most_party_rows_refreshes_every_mart(
    engine, generated, tmp_path, monkeypatch
):
    """The first month's meetings resubmitted with another form: one meeting in 14, but
    their Party attendees' rows from that month on, which an update writes again, are
    most of mart_party_attendance, so every mart is written (build.FULL_SHARE)."""
    _load(engine, generated)
    first = _months(generated)[0]
    inbox = _copy(generated, tmp_path / "first-month")
    m = schema.meetings
    meetings = _rows(
        engine,
        sa.select(*[m.c[c] for c in MEETING_COLUMNS]).where(
            m.c.month == int(first.replace("-", ""))
        ),
    )
    for row in meetings:
        row["form"] = "hearing" if row["form"] != "hearing" else "council"
    _write(inbox / first / "resub_meetings.csv", MEETING_COLUMNS, meetings)
    with engine.connect() as conn:
        total = conn.execute(sa.select(sa.func.count()).select_from(m)).scalar()
    assert len(meetings) < build.FULL_SHARE * total
    refreshes = []

    def refresh(conn, real=build.refresh):
        refreshes.append(conn)
        real(conn)

    monkeypatch.setattr(build, "refresh", refresh)
    report = _load(engine, inbox)

    assert report["kinds"]["meetings"]["updated"] == len(meetings)
    assert len(refreshes) == 1
    _assert_as_rebuilt(engine)


def test_sqlite_finds_the_rollup_days_to_write_again_through_their_index(
    generated, tmp_path, monkeypatch
):
    """A month's load writes again the county rollup rows of the (county, day) pairs it
    touched. SQLite runs the pair test once per row of the marts it sums, as a correlated
    subquery: read through the scope table's index, not by scanning it. (Scanning it, a
    month into a 5-year county took 91 s, bench/bench_etl.py.)"""
    engine = make_engine(f"sqlite:///{tmp_path / 'warehouse.sqlite'}")
    ensure_schema(engine)
    last = _months(generated)[-1]
    _load(engine, _copy(generated, tmp_path / "before", without=last))
    plans: list[str] = []

    @sa.event.listens_for(engine, "before_cursor_execute")
    def explain(conn, cursor, statement, parameters, context, executemany):
        if "mart_county_days" in statement and "xs_scope_days" in statement:
            explained = cursor.connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plans.extend(row[3] for row in explained if "xs_scope_days" in row[3])

    _load_touched_only(engine, generated, monkeypatch)
    engine.dispose()

    assert plans  # the delete and the insert of mart_county_days, each branch
    assert all(p.startswith("SEARCH xs_scope_days USING COVERING INDEX") for p in plans), plans
