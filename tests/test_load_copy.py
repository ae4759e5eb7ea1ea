"""PostgreSQL's bulk path: the load writes through COPY (new rows into their table, changed
ones through a temporary table and one UPDATE … FROM) and leaves exactly what the
executemany path leaves — every table and mart byte for byte, every report — reloads
without a change, and rolls back whole when COPY fails. SQLite keeps executemany."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers.inbox_files import write_csv
from tests.helpers.minimal_inbox import (
    ATTENDANCE,
    ATTENDANCE_HEADER,
    MEETING_HEADER,
    MEETINGS,
    RESOLUTION_HEADER,
    RESOLUTIONS,
    ROSTER,
    ROSTER_HEADER,
    SECRET,
    base_inbox,
    later_files,
    load,
)
from xieshang import marts
from xieshang.demo.inbox import write_inbox
from xieshang.etl import upsert
from xieshang.etl.load import run_load
from xieshang.marts import build
from xieshang.warehouse import schema
from xieshang.warehouse.engine import open_warehouse

LOAD_DAY = date(2025, 8, 1)
# every table the load writes, the marts included, but load_runs (times, reports: below)
COMPARED = [t for t in schema.metadata.sorted_tables if t.name not in ("load_runs",)]


def counts(report: dict, kind: str) -> tuple[int, ...]:
    c = report["kinds"][kind]
    return (c["read"], c["inserted"], c["updated"], c["unchanged"], c["rejected"], c["held"])


def dump(engine: sa.Engine) -> dict[str, bytes]:
    """Each compared table as PostgreSQL's COPY text of its rows in order, run ids
    replaced by the run's place among the runs."""
    with engine.connect() as conn:
        runs = conn.execute(
            sa.select(schema.load_runs.c.run_id).order_by(schema.load_runs.c.started_at)
        ).scalars()
        names = {run.encode(): f"run{i}".encode() for i, run in enumerate(runs)}
        cursor = conn.connection.driver_connection.cursor()
        tables = {}
        for table in COMPARED:
            order = ", ".join(str(i) for i in range(1, len(table.columns) + 1))
            with cursor.copy(f"COPY (SELECT * FROM {table.name} ORDER BY {order}) TO STDOUT") as c:
                text = b"".join(bytes(block) for block in c)
            tables[table.name] = re.sub(rb"[0-9a-f]{32}", lambda m: names.get(m[0], m[0]), text)
        return tables


def comparable(report: dict) -> dict:
    """A run report less what differs between two runs of the same inbox."""
    return {k: v for k, v in report.items() if k not in ("run_id", "seconds", "warehouse")}


def resaved(inbox: Path, target: Path) -> Path:
    """A copy of `inbox` whose every CSV file ends with one blank line more: each is read
    again (its hash changed), its rows as they were."""
    shutil.copytree(inbox, target)
    for path in target.rglob("*.csv"):
        with path.open("ab") as handle:
            handle.write(b"\r\n")
    return target


def release_inbox(engine: sa.Engine, root: Path) -> Path:
    """A meetings file bringing the meeting of every held row (dated 2025-05-02)."""
    t = schema.held_rows
    with engine.connect() as conn:
        held = conn.execute(
            sa.select(t.c.area_code, t.c.meeting_id).distinct().order_by(t.c.area_code)
        ).all()
    rows = [[mid, area, "2025-05-02", "议事会", "补录", "", "", "是", ""] for area, mid in held]
    write_csv(root / "会议台账-补录.csv", [MEETING_HEADER, *rows])
    return root


@pytest.mark.postgres
def test_copy_leaves_what_executemany_leaves_table_for_table(pg_databases, tmp_path, monkeypatch):
    dirty = tmp_path / "dirty"
    made = write_inbox(
        dirty, townships=3, villages_per_township=4, months=3, end="2025-06", seed=7, dirty=True
    )
    later = tmp_path / "later"
    # a month earlier too: the months of both draw other meetings, under the same keys
    write_inbox(later, townships=3, villages_per_township=4, months=4, end="2025-06", seed=7)
    again = resaved(later, tmp_path / "again")
    bulk, rows = (open_warehouse(pg_databases.create()) for _ in range(2))
    reports: dict[str, list[dict]] = {"bulk": [], "rows": []}
    for name, engine in (("bulk", bulk), ("rows", rows)):
        if name == "rows":  # the same PostgreSQL, written by executemany
            monkeypatch.setattr(upsert, "COPY_DIALECTS", frozenset())
        for inbox in (dirty, later, again, tmp_path / "release"):
            if not inbox.exists():  # after three runs: the meetings the held rows wait for
                release_inbox(engine, inbox)
            report = run_load(engine, inbox, secret=SECRET, today=LOAD_DAY)
            assert report["status"] == "committed", report.get("error")
            reports[name].append(report)

    assert [comparable(r) for r in reports["bulk"]] == [comparable(r) for r in reports["rows"]]
    assert dump(bulk) == dump(rows)
    first, second, third, fourth = reports["bulk"]
    assert first["kinds"]["attendance"]["held"] == made["dirty"]["held"]["attendance"] == 3
    assert first["kinds"]["resolutions"]["held"] == made["dirty"]["held"]["resolutions"] == 2
    for kind in ("meetings", "resolutions"):
        assert second["kinds"][kind]["updated"] > 0, kind
    for kind in ("meetings", "attendance", "resolutions"):
        read, inserted, updated, unchanged, rejected, held = counts(third, kind)
        assert (inserted, updated, rejected, held) == (0, 0, 0, 0), kind
        assert unchanged == read > 0, kind
    assert fourth["kinds"]["attendance"]["released"] == {"joined": 3, "rejected": 0}
    assert sum(fourth["kinds"]["resolutions"]["released"].values()) == 2
    with bulk.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.held_rows)).scalar() == 0


def resave_all(inbox: Path) -> None:
    for path in inbox.rglob("*.csv"):
        with path.open("ab") as handle:
            handle.write(b"\r\n")


def test_a_reload_of_read_again_files_changes_nothing_then_changes_update(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    load(engine, inbox)
    before = dump_rows(engine)
    resave_all(inbox)
    again = load(engine, inbox)
    assert sorted(again["files"]["loaded"]) == [
        "会议台账.csv",
        "决议落实.csv",
        "区划名册.csv",
        "参会签到.csv",
    ]
    assert counts(again, "areas") == (5, 0, 0, 5, 0, 0)
    assert counts(again, "meetings") == (2, 0, 0, 2, 0, 0)
    assert counts(again, "attendance") == (2, 0, 0, 2, 0, 0)
    assert counts(again, "resolutions") == (1, 0, 0, 1, 0, 0)
    assert dump_rows(engine) == before

    write_csv(inbox / "区划名册.csv", [ROSTER_HEADER, *ROSTER[:4], [*ROSTER[4][:4], 31, 900]])
    meeting = [*MEETINGS[1][:4], "加装电梯二期", *MEETINGS[1][5:]]
    write_csv(inbox / "会议台账.csv", [MEETING_HEADER, MEETINGS[0], meeting])
    person = [*ATTENDANCE[1][:5], "乡贤"]
    write_csv(inbox / "参会签到.csv", [ATTENDANCE_HEADER, ATTENDANCE[0], person])
    report = [*RESOLUTIONS[0][:9], "95", *RESOLUTIONS[0][10:]]
    write_csv(inbox / "决议落实.csv", [RESOLUTION_HEADER, report])
    changed = load(engine, inbox)
    assert counts(changed, "areas") == (5, 0, 1, 4, 0, 0)
    assert counts(changed, "meetings") == (2, 0, 1, 1, 0, 0)
    assert counts(changed, "attendance") == (2, 0, 1, 1, 0, 0)
    assert counts(changed, "resolutions") == (1, 0, 1, 0, 0, 0)
    a, m, at, r = schema.areas, schema.meetings, schema.attendance, schema.resolution_reports
    with engine.connect() as conn:
        assert (
            conn.execute(
                sa.select(a.c.party_members).where(a.c.area_code == "330281100201")
            ).scalar_one()
            == 31
        )
        assert conn.execute(sa.select(m.c.topic).order_by(m.c.id)).scalars().all() == [
            "村道硬化",
            "加装电梯二期",
        ]
        assert conn.execute(sa.select(at.c.category).order_by(at.c.category)).scalars().all() == [
            "local_worthy",
            "resident_rep",
        ]  # 李四 网格员 -> 乡贤
        assert conn.execute(sa.select(r.c.satisfaction)).scalars().all() == [95.0]


def dump_rows(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every row of the warehouse tables and marts, in order (both databases)."""
    keep = [t for t in COMPARED if t.name not in ("load_files", "meta")]
    with engine.connect() as conn:
        return {
            t.name: [tuple(r) for r in conn.execute(sa.select(t).order_by(*t.columns))]
            for t in keep
        }


def _duplicate_first_row(copy):
    """A COPY into attendance that sends its first row twice: the server refuses it."""

    def broken(conn, target, columns, cells):
        if target == "attendance":
            cells = [column + column[:1] for column in cells]
        copy(conn, target, columns, cells)

    return broken


def _dangling_meeting(copy):
    """A COPY into attendance whose first row names a meeting that does not exist."""

    def broken(conn, target, columns, cells):
        if target == "attendance":
            meeting = columns.index("meeting_pk")
            cells = [[999_999, *c[1:]] if i == meeting else c for i, c in enumerate(cells)]
        copy(conn, target, columns, cells)

    return broken


def _fail_mid_stream(copy):
    """A COPY into attendance whose last row cannot be sent: the client stops the COPY."""

    def broken(conn, target, columns, cells):
        if target == "attendance":
            cells = [column + [object()] for column in cells]
        copy(conn, target, columns, cells)

    return broken


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("inject", "error"),
    [
        (
            _duplicate_first_row,
            'UniqueViolation: duplicate key value violates unique constraint "attendance_pkey"',
        ),
        (_fail_mid_stream, "TypeError: 'object' object cannot be interpreted as an integer"),
    ],
    ids=["server-refuses", "client-fails"],
)
def test_a_failure_inside_copy_leaves_the_warehouse_as_it_was(
    pg_url, tmp_path, monkeypatch, inject, error
):
    engine = sa.create_engine(pg_url)
    schema.metadata.drop_all(engine)
    engine = open_warehouse(pg_url)
    load(engine, base_inbox(tmp_path / "inbox"))
    before = dump_rows(engine)
    monkeypatch.setattr(upsert, "_copy", inject(upsert._copy))
    report = run_load(engine, later_files(tmp_path / "later"), secret=SECRET, today=LOAD_DAY)
    assert report["status"] == "failed"
    assert report["error"].startswith(error), report["error"]
    assert report["error"].endswith(
        "(写入签到 merging attendance · 文件 file 参会签到.csv · 第 2 行 row 2)"
    )
    assert dump_rows(engine) == before
    with engine.connect() as conn:
        statuses = (
            conn.execute(
                sa.select(schema.load_runs.c.status).order_by(schema.load_runs.c.started_at)
            )
            .scalars()
            .all()
        )
    assert statuses == ["committed", "failed"]
    monkeypatch.undo()
    retried = load(engine, tmp_path / "later")
    assert counts(retried, "meetings") == (1, 1, 0, 0, 0, 0)
    assert counts(retried, "attendance") == (1, 1, 0, 0, 0, 0)
    engine.dispose()


def test_sqlite_keeps_executemany(tmp_path, monkeypatch):
    engine = open_warehouse(f"sqlite:///{tmp_path / 'w.sqlite'}")

    def refuse(*_args):
        raise AssertionError("COPY on SQLite")

    monkeypatch.setattr(upsert, "_copy", refuse)
    report = load(engine, base_inbox(tmp_path / "inbox"))
    assert counts(report, "attendance") == (2, 2, 0, 0, 0, 0)


@pytest.mark.postgres
def test_postgresql_writes_through_copy(pg_url, tmp_path, monkeypatch):
    engine = sa.create_engine(pg_url)
    schema.metadata.drop_all(engine)
    engine = open_warehouse(pg_url)
    copied: list[tuple[str, int]] = []
    real = upsert._copy

    def spy(conn, target, columns, cells):
        copied.append((target, len(cells[0])))
        real(conn, target, columns, cells)

    monkeypatch.setattr(upsert, "_copy", spy)
    load(engine, base_inbox(tmp_path / "inbox"))
    assert copied == [
        ("areas", 5),
        ("meetings", 2),
        ("persons", 2),
        ("attendance", 2),
        ("resolution_reports", 1),
    ]
    engine.dispose()


def foreign_keys(engine: sa.Engine) -> list[tuple]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.exec_driver_sql(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated"
                " FROM pg_constraint WHERE contype = 'f' ORDER BY 1, 2"
            )
        ]


FOREIGN_KEYS = [
    (
        "attendance",
        "attendance_meeting_pk_fkey",
        "FOREIGN KEY (meeting_pk) REFERENCES meetings(id)",
        True,
    ),
    (
        "attendance",
        "attendance_person_pk_fkey",
        "FOREIGN KEY (person_pk) REFERENCES persons(id)",
        True,
    ),
    (
        "load_files",
        "load_files_run_id_fkey",
        "FOREIGN KEY (run_id) REFERENCES load_runs(run_id)",
        True,
    ),
    ("rejects", "rejects_run_id_fkey", "FOREIGN KEY (run_id) REFERENCES load_runs(run_id)", True),
    (
        "resolution_reports",
        "resolution_reports_meeting_pk_fkey",
        "FOREIGN KEY (meeting_pk) REFERENCES meetings(id)",
        True,
    ),
]


def keys_and_indexes(engine: sa.Engine) -> list[tuple]:
    """Every constraint and index of the warehouse, as PostgreSQL defines it."""
    with engine.connect() as conn:
        constraints = conn.exec_driver_sql(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated"
            " FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
        ).all()
        indexes = conn.exec_driver_sql(
            "SELECT tablename, indexname, indexdef FROM pg_indexes"
            " WHERE schemaname = 'public' ORDER BY 1, 2"
        ).all()
    return [tuple(r) for r in [*constraints, *indexes]]


FACT_TABLES_FIRST_LOAD = [
    # the roster's key, referred to by no foreign key: dropped, then built after the COPY
    "ALTER TABLE areas DROP CONSTRAINT areas_pkey",
    "ALTER TABLE areas ADD CONSTRAINT areas_pkey PRIMARY KEY (area_code)",
    # meetings.id stays: the foreign keys of attendance and resolution_reports refer to it
    "DROP INDEX ix_meetings_area_date",
    "DROP INDEX ix_meetings_date",
    "ALTER TABLE meetings DROP CONSTRAINT uq_meetings_key",
    "ALTER TABLE meetings ADD CONSTRAINT uq_meetings_key UNIQUE (area_code, meeting_id)",
    "CREATE INDEX ix_meetings_date ON public.meetings USING btree (meeting_date)",
    "CREATE INDEX ix_meetings_area_date ON public.meetings USING btree (area_code, meeting_date)",
    "ALTER TABLE persons DROP CONSTRAINT persons_person_hash_key",
    "ALTER TABLE persons ADD CONSTRAINT persons_person_hash_key UNIQUE (person_hash)",
    "ALTER TABLE attendance DROP CONSTRAINT attendance_meeting_pk_fkey",
    "ALTER TABLE attendance DROP CONSTRAINT attendance_person_pk_fkey",
    "DROP INDEX ix_attendance_person",
    "ALTER TABLE attendance DROP CONSTRAINT attendance_pkey",
    "ALTER TABLE attendance ADD CONSTRAINT attendance_pkey PRIMARY KEY (meeting_pk, person_pk)",
    "CREATE INDEX ix_attendance_person ON public.attendance USING btree (person_pk)",
    "ALTER TABLE attendance ADD CONSTRAINT attendance_person_pk_fkey"
    " FOREIGN KEY (person_pk) REFERENCES persons(id)",
    "ALTER TABLE attendance ADD CONSTRAINT attendance_meeting_pk_fkey"
    " FOREIGN KEY (meeting_pk) REFERENCES meetings(id)",
    "ALTER TABLE resolution_reports DROP CONSTRAINT resolution_reports_meeting_pk_fkey",
    "DROP INDEX ix_resolution_reports_due",
    "DROP INDEX ix_resolution_reports_meeting",
    "DROP INDEX ix_resolution_reports_updated",
    "ALTER TABLE resolution_reports DROP CONSTRAINT resolution_reports_pkey",
    "ALTER TABLE resolution_reports DROP CONSTRAINT uq_resolution_reports_key",
    "ALTER TABLE resolution_reports ADD CONSTRAINT uq_resolution_reports_key"
    " UNIQUE (area_code, resolution_id, updated_on)",
    "ALTER TABLE resolution_reports ADD CONSTRAINT resolution_reports_pkey PRIMARY KEY (id)",
    "CREATE INDEX ix_resolution_reports_updated ON public.resolution_reports"
    " USING btree (updated_on)",
    "CREATE INDEX ix_resolution_reports_meeting ON public.resolution_reports"
    " USING btree (meeting_pk)",
    "CREATE INDEX ix_resolution_reports_due ON public.resolution_reports"
    " USING btree (area_code, due_date)",
    "ALTER TABLE resolution_reports ADD CONSTRAINT resolution_reports_meeting_pk_fkey"
    " FOREIGN KEY (meeting_pk) REFERENCES meetings(id)",
]


def _key_statements(statements: list[str]) -> list[str]:
    return [s for s in statements if s.startswith(("ALTER", "DROP INDEX", "CREATE INDEX"))]


@pytest.mark.postgres
def test_a_first_load_builds_keys_and_indexes_once_and_keeps_them(pg_url, tmp_path, monkeypatch):
    engine = sa.create_engine(pg_url)
    schema.metadata.drop_all(engine)
    engine = open_warehouse(pg_url)
    assert foreign_keys(engine) == FOREIGN_KEYS
    with engine.begin() as conn:  # marts of this release's layout, empty
        marts.refresh(conn)
    before = keys_and_indexes(engine)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    monkeypatch.setattr(upsert, "_copy", _dangling_meeting(upsert._copy))
    failed = run_load(engine, base_inbox(tmp_path / "inbox"), secret=SECRET, today=LOAD_DAY)
    assert failed["status"] == "failed"
    assert failed["error"].startswith(
        'ForeignKeyViolation: insert or update on table "attendance" violates foreign key'
        ' constraint "attendance_meeting_pk_fkey"'
    ), failed["error"]
    assert keys_and_indexes(engine) == before  # rolled back with the run
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.meetings)).scalar() == 0
    monkeypatch.undo()
    statements.clear()
    load(engine, tmp_path / "inbox")
    sent = _key_statements(statements)
    assert sent[: len(FACT_TABLES_FIRST_LOAD)] == FACT_TABLES_FIRST_LOAD
    # then the empty marts' (the first refresh): each index dropped is built again
    marts_part = sent[len(FACT_TABLES_FIRST_LOAD) :]
    dropped = sorted(s.split()[2] for s in marts_part if s.startswith("DROP INDEX"))
    built = sorted(s.split()[2] for s in marts_part if s.startswith("CREATE INDEX"))
    assert dropped == built and len(dropped) == 20
    primary_keys = [s for s in marts_part if "PRIMARY KEY" in s]
    assert len(primary_keys) == len(schema.MART_TABLES)
    assert keys_and_indexes(engine) == before
    statements.clear()
    monkeypatch.setattr(build, "FULL_SHARE", 0.0)  # every mart written again
    load(engine, later_files(tmp_path / "later"))
    # the facts are not empty: kept up row by row. The marts are filled: each is made
    # anew beside the old one (xieshang.warehouse.swap), its keys and indexes built once
    # after its rows as in the first load, and moved in its place
    sent = _key_statements(statements)
    made = [s for s in sent if s.startswith("CREATE INDEX") and " USING " not in s]
    assert len(made) == len(dropped)  # with the new empty table, then dropped
    moved = [s for s in sent if s.endswith(" SET SCHEMA public")]
    assert moved == [
        f"ALTER TABLE xieshang_next.{table.name} SET SCHEMA public" for table in schema.MART_TABLES
    ]
    rest = [s for s in sent if s not in made and s not in moved]
    assert rest == [s.replace(" ON public.", " ON xieshang_next.") for s in marts_part]
    assert keys_and_indexes(engine) == before
    engine.dispose()
