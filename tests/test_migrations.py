"""Schema upgrades with Alembic (xieshang.warehouse.migrations, `xieshang db upgrade`).

The central case: a warehouse made with the previous release's tables (schema 2,
tests/helpers/schema_v2.py) holding 示范县, upgraded, keeps every row and every figure
and has exactly the tables and columns of a new warehouse. Each test has a database of
its own: the session's shared PostgreSQL database would carry Alembic's version table
from one test to the next.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from tests.helpers import schema_v2
from tests.helpers.builder_county import COUNTY, Q1, T1, T2, V11, V12, V21, V22, build_county
from tests.helpers.pg_locks import wait_for_a_lock
from tests.helpers.sent_sql import statements_sent
from xieshang import metrics
from xieshang.cli.main import main
from xieshang.etl.load import run_load
from xieshang.marts import DATA_RUN, MARTS_VERSION
from xieshang.metrics.submissions import submission_status
from xieshang.warehouse import migrations, schema
from xieshang.warehouse.engine import ensure_schema, make_engine, open_warehouse

AREAS = (COUNTY, T1, T2, V11, V12, V21, V22)
A_REJECT = dict(
    run_id="run001",
    kind="meetings",
    path="会议台账.csv",
    row_number=7,
    rule="bad_date",
    column_name="meeting_date",
    value="2025-02-30",
    reason_zh="日期无效",
    reason_en="not a date",
)
"""A reject as every release has stored it (the columns of schema 2)."""
A_HELD_ROW = dict(
    kind="attendance",
    row_key=f"{V11}|HY-9|hash",
    area_code=V11,
    meeting_id="HY-9",
    township_code=T1,
    run_id="run001",
    path="参会签到.csv",
    row_number=2,
    payload="{}",
)
"""A held sign-in row as every release has stored it (the columns of schema 2)."""


@pytest.fixture
def new_url(backend, request, tmp_path):
    """`new_url()`: the URL of a new empty database on the test's backend."""
    made = iter(range(100))

    def new() -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'warehouse{next(made)}.sqlite'}"
        return request.getfixturevalue("pg_databases").create()

    return new


def _release_2_warehouse(url: str) -> sa.Engine:
    """示范县 in the tables of schema 2, as that release left it: its rows, two files
    and a reject in the old layout, a user, meta.schema_version 2, no Alembic table.
    The marts are written by marts.refresh and then made the previous releases' (layout 3:
    without the county rollups)."""
    engine = make_engine(url)
    schema_v2.metadata.create_all(engine)
    build_county().write(engine)  # areas … load_runs: the same columns in both releases
    _previous_marts(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(schema_v2.load_files),
            [
                dict(
                    run_id="run001", path="会议台账.csv", sha256="a" * 64, size=10, status="loaded"
                ),
                dict(
                    run_id="run001", path="参会签到.xlsx", sha256="b" * 64, size=20, status="loaded"
                ),
            ],
        )
        conn.execute(
            sa.insert(schema_v2.rejects).values(
                **A_REJECT, sheet=None, area_code=V11, township_code=T1
            )
        )
        conn.execute(sa.insert(schema_v2.held_rows).values(**A_HELD_ROW))
        conn.execute(
            sa.insert(schema_v2.users).values(
                name="wang",
                role="staff",
                township=T1,
                password_hash="$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
                active=True,
                created_at=datetime(2025, 1, 2, 3, 4, 5),
                session_epoch=0,
            )
        )
        conn.execute(sa.insert(schema_v2.meta).values(key="schema_version", value="2"))
    return engine


def _previous_marts(engine: sa.Engine) -> None:
    """The marts as releases before schema 5 leave them: no county rollups, layout 3 in
    meta, and the fingerprint of that layout; their state names no run that last changed
    data (marts.DATA_RUN, recorded since)."""
    with engine.begin() as conn:
        for table in schema.ROLLUP_TABLES:
            conn.exec_driver_sql(f"DROP TABLE {table.name}")
        meta = schema.meta
        conn.execute(sa.update(meta).where(meta.c.key == "marts_version").values(value="3"))
        state = conn.execute(sa.select(meta.c.value).where(meta.c.key == "marts")).scalar_one()
        assert state.startswith(f'{{"fingerprint": "v{MARTS_VERSION}:')
        recorded = json.loads(state.replace(f'"v{MARTS_VERSION}:', '"v3:', 1))
        previous = json.dumps({k: v for k, v in recorded.items() if k != DATA_RUN})
        conn.execute(sa.update(meta).where(meta.c.key == "marts").values(value=previous))


def _rows(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every row of every table of schema 2, read through its schema-2 columns."""
    with engine.connect() as conn:
        return {
            table.name: sorted(tuple(map(repr, row)) for row in conn.execute(sa.select(table)))
            for table in schema_v2.metadata.sorted_tables
        }


def _every_figure(engine: sa.Engine) -> dict[str, dict]:
    return {code: metrics.figures(engine, code, *Q1) for code in AREAS}


def _writes(statements: list[str]) -> list[str]:
    changing = ("CREATE", "ALTER", "DROP", "INSERT", "UPDATE", "DELETE")
    return [s for s in statements if s.split()[0].upper() in changing]


def _version_and_revision(engine: sa.Engine) -> tuple[str, str]:
    with engine.connect() as conn:
        version = conn.execute(
            sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
        ).scalar_one()
        revision = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
    return version, revision


def test_the_head_revision_leaves_this_release_s_schema():
    # a release that raises SCHEMA_VERSION without a revision leaving it fails here
    assert migrations.head() == "0011"
    assert migrations.revision_of_schema(schema.SCHEMA_VERSION) == "0011"
    assert migrations.revision_of_schema(10) == "0010"
    assert migrations.revision_of_schema(9) == "0009"
    assert migrations.revision_of_schema(8) == "0008"
    assert migrations.revision_of_schema(7) == "0007"
    assert migrations.revision_of_schema(6) == "0006"
    assert migrations.revision_of_schema(5) == "0005"
    assert migrations.revision_of_schema(4) == "0004"
    assert migrations.revision_of_schema(3) == "0003"
    assert migrations.revision_of_schema(2) is None  # older than the baseline


def test_a_release_2_warehouse_upgrades_keeping_its_rows_and_figures(new_url, capsys):
    url = new_url()
    engine = _release_2_warehouse(url)
    rows_before = _rows(engine)
    assert len(rows_before["meetings"]) == 9 and len(rows_before["resolution_reports"]) == 15

    assert main(["db", "upgrade", "--db", url]) == 0
    assert capsys.readouterr().out == (
        "仓库结构已升级 upgraded the warehouse: schema 2 (未经 Alembic not under Alembic) "
        "→ schema 11 (0011)\n"
    )

    inspector = sa.inspect(engine)
    assert set(inspector.get_table_names()) == set(schema.metadata.tables) | {"alembic_version"}
    for table in schema.metadata.sorted_tables:
        columns = {c["name"] for c in inspector.get_columns(table.name)}
        assert columns == set(table.columns.keys()), table.name
    with engine.connect() as conn:
        # the upgraded warehouse is what a new warehouse of this release is: same tables,
        # columns, types, keys and indexes
        assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
        files = sa.select(
            schema.load_files.c.township_code,
            schema.load_files.c.replaces,
            schema.load_files.c.months,
            schema.load_files.c.replaces_run,
            schema.load_files.c.replaces_as_of,
        )
        assert conn.execute(files).all() == [(None,) * 5, (None,) * 5]
        rejects = sa.select(
            schema.rejects.c.header,
            schema.rejects.c.month,
            schema.rejects.c.row_key,
            schema.rejects.c.superseded_by,
            schema.rejects.c.read_run_id,
        )
        assert conn.execute(rejects).all() == [(None,) * 5]
        held = sa.select(schema.held_rows.c.first_run_id, schema.held_rows.c.month)
        assert conn.execute(held).all() == [(None, None)]
    assert _version_and_revision(engine) == ("11", "0011")
    rows_after = _rows(engine)
    assert rows_after.pop("meta") == [
        ("'marts'", repr('{"fingerprint": "v3:1:run001", "max_report_day": "2025-04-05"}')),
        ("'marts_version'", "'3'"),
        ("'schema_version'", "'11'"),
    ]
    rows_before.pop("meta")
    assert rows_after == rows_before

    # the marts' layout changed (the county rollups): readers name the command until it
    # runs; then the figures are the hand-worked ones of tests/test_metrics.py, and
    # every area's equal a new warehouse's
    with pytest.raises(metrics.StaleMarts, match="xieshang marts rebuild"):
        metrics.figures(engine, COUNTY, *Q1)
    assert main(["marts", "rebuild", "--db", url]) == 0
    capsys.readouterr()
    county = metrics.figures(engine, COUNTY, *Q1)
    assert county["meetings"] == 7 and county["resolutions_due"] == 6
    assert county["overdue_open"] == 2 and county["satisfaction"] == 80.0
    assert county["median_days_to_implement"] == 43.0
    assert county["counts"]["party_members_attending"] == 7
    assert county["counts"]["implemented"] == 4
    fresh = open_warehouse(new_url())
    build_county().write(fresh)
    assert _every_figure(engine) == _every_figure(fresh)
    fresh.dispose()

    # nothing is left to do, for either path
    assert main(["db", "upgrade", "--db", url]) == 0
    out = capsys.readouterr().out
    assert out == "仓库结构已是最新 the warehouse is up to date: schema 11 (0011)\n"
    assert _writes(statements_sent(engine, lambda: ensure_schema(engine))) == []
    engine.dispose()


def test_an_empty_database_upgrades_to_what_ensure_schema_creates(new_url):
    engine = make_engine(new_url())
    done = migrations.upgrade(engine)
    assert (done.schema_before, done.revision_before) == (None, None)
    assert (done.schema_after, done.revision_after, done.changed) == (11, "0011", True)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
    assert _writes(statements_sent(engine, lambda: ensure_schema(engine))) == []
    engine.dispose()


def test_a_warehouse_ensure_schema_made_is_stamped_and_not_changed(new_url):
    engine = open_warehouse(new_url())
    sent = statements_sent(engine, lambda: migrations.upgrade(engine))
    # Alembic's own table and its row: no table of the warehouse is created or altered
    assert [s.split("(")[0].strip() for s in _writes(sent)] == [
        "CREATE TABLE alembic_version",
        "INSERT INTO alembic_version",
    ]
    assert _version_and_revision(engine) == ("11", "0011")
    again = migrations.upgrade(engine)
    assert (again.schema_before, again.revision_before, again.changed) == (11, "0011", False)
    engine.dispose()


def test_a_newer_warehouse_is_refused_and_left_alone(new_url, capsys):
    url = new_url()
    engine = open_warehouse(url)
    with engine.begin() as conn:
        conn.execute(
            sa.update(schema.meta).where(schema.meta.c.key == "schema_version").values(value="12")
        )
    assert main(["db", "upgrade", "--db", url]) == 1
    assert capsys.readouterr().err == (
        "xieshang: 仓库结构版本 12（None）比本版本新 the warehouse is schema 12 (revision None), "
        "newer than this release (11): upgrade xieshang\n"
    )
    assert not sa.inspect(engine).has_table("alembic_version")
    engine.dispose()


def test_a_command_on_a_newer_warehouse_says_so_in_one_line_with_the_fix(new_url, capsys):
    # an older release's `kpi` or loader on a warehouse a newer release upgraded: the line
    # is the whole story, no offer of details that --debug would not add
    url = new_url()
    engine = open_warehouse(url)
    with engine.begin() as conn:
        conn.execute(
            sa.update(schema.meta).where(schema.meta.c.key == "schema_version").values(value="12")
        )
    engine.dispose()
    assert (
        main(
            ["kpi", "--scope", "330281", "--from", "2026-01-01", "--to", "2026-01-31", "--db", url]
        )
        == 1
    )
    assert capsys.readouterr().err == (
        "xieshang: 仓库结构版本 12 比本版本新 warehouse schema version 12 is newer than this "
        "release (11); upgrade xieshang\n"
    )


def test_no_sqlite_file_is_created_by_an_upgrade(tmp_path, capsys):
    path = tmp_path / "typo.sqlite"
    assert main(["db", "upgrade", "--db", f"sqlite:///{path}"]) == 1
    assert capsys.readouterr().err == (
        f"xieshang: 没有仓库文件 there is no warehouse file at {path}: nothing to upgrade; "
        "check --db / XIESHANG_DB (`xieshang load` creates a new warehouse)\n"
    )
    assert not path.exists()


COUNTY_INDEXES = sorted(index.name for index in schema.COUNTY_INDEXES)
REPORT_DAY_INDEX = "ix_resolution_reports_updated"  # schema 6


def _index_names(engine: sa.Engine) -> set[str]:
    """Every index of the warehouse, those on expressions too (SQLAlchemy's SQLite
    inspector leaves them out)."""
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    )
    with engine.connect() as conn:
        return {name for (name,) in conn.exec_driver_sql(query)}


def _warehouse_without(url: str, indexes: list[str], version: int) -> sa.Engine:
    """示范县 as the release of schema `version` left it: without `indexes`, which later
    releases added."""
    engine = open_warehouse(url)
    build_county().write(engine)
    with engine.begin() as conn:
        for name in indexes:
            conn.exec_driver_sql(f"DROP INDEX {name}")
        conn.execute(
            sa.update(schema.meta)
            .where(schema.meta.c.key == "schema_version")
            .values(value=str(version))
        )
    assert not set(indexes) & _index_names(engine)
    return engine


def _upgraded(engine: sa.Engine, url: str, path: str, capsys, version: int) -> None:
    """`engine`'s warehouse of schema `version` (not under Alembic) upgraded by `path`:
    `xieshang db upgrade`, or opening it (ensure_schema)."""
    if path == "db upgrade":
        assert main(["db", "upgrade", "--db", url]) == 0
        assert capsys.readouterr().out == (
            f"仓库结构已升级 upgraded the warehouse: schema {version} (未经 Alembic not under "
            "Alembic) → schema 11 (0011)\n"
        )
    else:
        ensure_schema(engine)


def _only_stamped(engine: sa.Engine, rows_before: dict, figures_before) -> None:
    """The upgrade changed no row but the schema version, and no figure."""
    rows_after = _rows(engine)
    assert dict(rows_after.pop("meta"))["'schema_version'"] == "'11'"
    rows_before.pop("meta")
    assert rows_after == rows_before and _every_figure(engine) == figures_before


@pytest.mark.parametrize("path", ["db upgrade", "ensure_schema"])
def test_a_schema_3_warehouse_gets_the_county_indexes(new_url, path, capsys):
    url = new_url()
    engine = _warehouse_without(url, COUNTY_INDEXES + [REPORT_DAY_INDEX], 3)
    rows_before, figures_before = _rows(engine), _every_figure(engine)
    _upgraded(engine, url, path, capsys, 3)
    assert set(COUNTY_INDEXES) | {REPORT_DAY_INDEX} <= _index_names(engine)
    assert COUNTY_INDEXES == [
        "ix_mart_meetings_county",
        "ix_mart_party_attendance_city",
        "ix_mart_party_attendance_county",
        "ix_mart_resolutions_current_county_done",
        "ix_mart_resolutions_current_county_due",
        "ix_mart_resolutions_current_county_meeting",
    ]
    _only_stamped(engine, rows_before, figures_before)
    engine.dispose()


def _schema_4_warehouse(url: str) -> sa.Engine:
    """示范县 as release 4 left it: schema 4, the marts without the county rollups."""
    engine = open_warehouse(url)
    build_county().write(engine)
    _previous_marts(engine)
    with engine.begin() as conn:
        conn.execute(
            sa.update(schema.meta).where(schema.meta.c.key == "schema_version").values(value="4")
        )
    return engine


def _stale_until_rebuilt(
    engine: sa.Engine, url: str, fresh: sa.Engine, rows_before: dict, marts: list
) -> None:
    """Readers name `xieshang marts rebuild` until it runs; then no row of schema 2's
    tables has changed, and `marts` (the ones of the new layout) and every figure are a
    new warehouse's (`fresh`). Both engines are disposed of."""
    with pytest.raises(metrics.StaleMarts, match="xieshang marts rebuild"):
        metrics.figures(engine, COUNTY, *Q1)
    assert main(["marts", "rebuild", "--db", url]) == 0
    rows_after = _rows(engine)
    rows_after.pop("meta"), rows_before.pop("meta")
    assert rows_after == rows_before
    with engine.connect() as conn, fresh.connect() as new:
        for table in marts:
            rows = sorted(conn.execute(sa.select(table)).all())
            assert rows and rows == sorted(new.execute(sa.select(table)).all())
    assert _every_figure(engine) == _every_figure(fresh)
    engine.dispose()
    fresh.dispose()


@pytest.mark.parametrize("path", ["db upgrade", "ensure_schema"])
def test_a_schema_4_warehouse_gets_the_county_rollups_after_a_marts_rebuild(new_url, path, capsys):
    url = new_url()
    fresh = open_warehouse(new_url())
    build_county().write(fresh)
    engine = _schema_4_warehouse(url)
    rows_before = _rows(engine)
    _upgraded(engine, url, path, capsys, 4)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
        for table in schema.ROLLUP_TABLES:  # created empty: the rebuild fills them
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar() == 0
    with engine.connect() as conn:
        version = sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
        assert conn.execute(version).scalar_one() == "11"
    _stale_until_rebuilt(engine, url, fresh, rows_before, schema.ROLLUP_TABLES)


@pytest.mark.parametrize("path", ["db upgrade", "ensure_schema"])
def test_a_schema_5_warehouse_gets_the_reports_day_index(new_url, path, capsys):
    url = new_url()
    engine = _warehouse_without(url, [REPORT_DAY_INDEX], 5)
    rows_before, figures_before = _rows(engine), _every_figure(engine)
    _upgraded(engine, url, path, capsys, 5)
    assert REPORT_DAY_INDEX in _index_names(engine)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
    _only_stamped(engine, rows_before, figures_before)
    engine.dispose()


def _schema_6_warehouse(url: str) -> sa.Engine:
    """示范县 as release 6 left it: the Party mart without prev_12 (nor in its period
    index), the marts of layout 4."""
    engine = open_warehouse(url)
    build_county().write(engine)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP INDEX ix_mart_party_attendance_period")
        conn.exec_driver_sql("ALTER TABLE mart_party_attendance DROP COLUMN prev_12")
        conn.exec_driver_sql(
            "CREATE INDEX ix_mart_party_attendance_period "
            "ON mart_party_attendance (meeting_date, prev_6, prev_9)"
        )
        meta = schema.meta
        conn.execute(sa.update(meta).where(meta.c.key == "schema_version").values(value="6"))
        conn.execute(sa.update(meta).where(meta.c.key == "marts_version").values(value="4"))
        state = conn.execute(sa.select(meta.c.value).where(meta.c.key == "marts")).scalar_one()
        previous = state.replace(f'"v{MARTS_VERSION}:', '"v4:', 1)
        conn.execute(sa.update(meta).where(meta.c.key == "marts").values(value=previous))
    return engine


@pytest.mark.parametrize("path", ["db upgrade", "ensure_schema"])
def test_a_schema_6_warehouse_gets_the_party_mart_s_prev_12(new_url, path, capsys):
    url = new_url()
    fresh = open_warehouse(new_url())
    build_county().write(fresh)
    engine = _schema_6_warehouse(url)
    rows_before = _rows(engine)
    _upgraded(engine, url, path, capsys, 6)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
    _stale_until_rebuilt(engine, url, fresh, rows_before, [schema.mart_party_attendance])


REJECT_KEY_COLUMNS = ["row_key", "superseded_by"]  # schema 8


def _drop_schema_9_columns(conn: sa.Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE rejects DROP COLUMN read_run_id")
    conn.exec_driver_sql("ALTER TABLE load_files DROP COLUMN replaces_run")
    conn.exec_driver_sql("ALTER TABLE load_files DROP COLUMN replaces_as_of")
    _drop_schema_11_columns(conn)


def _drop_schema_11_columns(conn: sa.Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE held_rows DROP COLUMN month")


def _schema_7_warehouse(url: str) -> sa.Engine:
    """示范县 as release 7 left it: a reject without a row key, files without months,
    schema 7."""
    engine = open_warehouse(url)
    build_county().write(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(schema.rejects).values(**A_REJECT))
        for name in REJECT_KEY_COLUMNS:
            conn.exec_driver_sql(f"ALTER TABLE rejects DROP COLUMN {name}")
        conn.exec_driver_sql("ALTER TABLE load_files DROP COLUMN months")
        conn.exec_driver_sql("ALTER TABLE held_rows DROP COLUMN first_run_id")
        _drop_schema_9_columns(conn)
        conn.execute(
            sa.update(schema.meta).where(schema.meta.c.key == "schema_version").values(value="7")
        )
    return engine


@pytest.mark.postgres
@pytest.mark.parametrize("path", ["db upgrade", "ensure_schema"])
def test_reads_are_not_held_behind_an_upgrade_waiting_for_a_long_reader(pg_databases, path):
    """A reader holding a table an upgrade alters (a pg_dump holds every table for
    minutes) keeps the upgrade waiting; meanwhile reads of the tables it alters, or has
    altered, are not queued behind it for the whole wait (each try lets go after
    engine.LOCK_TRY), and the upgrade is done once the reader ends."""
    engine = _schema_7_warehouse(pg_databases.create())
    holder = engine.connect()
    holder.execute(sa.select(sa.func.count()).select_from(schema.held_rows)).scalar()
    errors: list[Exception] = []

    def upgrade() -> None:
        try:
            migrations.upgrade(engine) if path == "db upgrade" else ensure_schema(engine)
        except Exception as exc:  # noqa: BLE001 (the test reports it)
            errors.append(exc)

    upgrading = threading.Thread(target=upgrade)
    upgrading.start()
    try:
        wait_for_a_lock(engine, "AccessExclusiveLock")  # the upgrade waits for the holder
        with engine.connect() as reader:
            reader.exec_driver_sql("SET statement_timeout = '5s'")
            for _ in range(3):  # in the upgrade's next tries too, not only its first
                for table in (schema.rejects, schema.load_files, schema.held_rows):
                    reader.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                reader.rollback()
                time.sleep(0.5)
    finally:
        holder.rollback()
        holder.close()
        upgrading.join(60)
    assert errors == []
    with engine.connect() as conn:
        version = sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
        assert conn.execute(version).scalar() == "11"
    engine.dispose()


@pytest.mark.parametrize("path", ["db upgrade", "ensure_schema"])
def test_a_schema_7_warehouse_gets_the_rejects_row_keys(new_url, path, capsys):
    url = new_url()
    engine = _schema_7_warehouse(url)
    rows_before, figures_before = _rows(engine), _every_figure(engine)
    _upgraded(engine, url, path, capsys, 7)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
        keys = sa.select(schema.rejects.c.row_key, schema.rejects.c.superseded_by)
        assert conn.execute(keys).all() == [(None, None)]  # a reject stored before has none
        months = sa.select(schema.load_files.c.months)
        assert set(conn.execute(months).scalars()) <= {None}  # readings before: every month
    _only_stamped(engine, rows_before, figures_before)
    engine.dispose()


@pytest.mark.parametrize("path", ["db upgrade", "ensure_schema"])
def test_a_schema_8_warehouse_gets_the_rejects_readings(new_url, path, capsys):
    url = new_url()
    engine = open_warehouse(url)
    build_county().write(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(schema.rejects).values(**A_REJECT, row_key="k", superseded_by=None))
        _drop_schema_9_columns(conn)
        conn.execute(
            sa.update(schema.meta).where(schema.meta.c.key == "schema_version").values(value="8")
        )
    rows_before, figures_before = _rows(engine), _every_figure(engine)
    _upgraded(engine, url, path, capsys, 8)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
        readings = sa.select(schema.rejects.c.row_key, schema.rejects.c.read_run_id)
        assert conn.execute(readings).all() == [("k", None)]  # read as its own run's
        replaced = sa.select(schema.load_files.c.replaces_run, schema.load_files.c.replaces_as_of)
        assert set(conn.execute(replaced).all()) <= {(None, None)}
    _only_stamped(engine, rows_before, figures_before)
    engine.dispose()


@pytest.mark.parametrize("path", ["db upgrade", "ensure_schema"])
def test_a_schema_9_warehouse_records_a_file_of_2_gib_or_more(new_url, path, capsys, tmp_path):
    # a file refused for its size is recorded with it: on PostgreSQL a 32-bit size failed
    # the whole run (integer out of range)
    url = new_url()
    engine = open_warehouse(url)
    build_county().write(engine)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("ALTER TABLE load_files ALTER COLUMN size TYPE integer")
        _drop_schema_11_columns(conn)
        conn.execute(
            sa.update(schema.meta).where(schema.meta.c.key == "schema_version").values(value="9")
        )
    rows_before, figures_before = _rows(engine), _every_figure(engine)
    _upgraded(engine, url, path, capsys, 9)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
    _only_stamped(engine, rows_before, figures_before)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with open(inbox / "会议台账.csv", "wb") as huge:
        huge.truncate(3 * 1024**3)  # sparse: no disk used
    report = run_load(engine, inbox, secret=b"a-test-secret-of-16+")
    assert report["status"] == "committed"
    assert [f["path"] for f in report["files"]["unreadable"]] == ["会议台账.csv"]
    with engine.connect() as conn:
        sizes = sa.select(schema.load_files.c.size).where(
            schema.load_files.c.path == "会议台账.csv"
        )
        assert conn.execute(sizes).scalar_one() == 3 * 1024**3
    engine.dispose()


@pytest.mark.parametrize("path", ["db upgrade", "ensure_schema"])
def test_a_schema_10_warehouse_gets_the_held_rows_month(new_url, path, capsys):
    """A sign-in row held before schema 11 gets no month: 报送情况 counts it, as before,
    in the month of the run that first held it (run001, 2025-04-10)."""
    url = new_url()
    engine = open_warehouse(url)
    build_county().write(engine)
    with engine.begin() as conn:
        conn.execute(sa.insert(schema.held_rows).values(**A_HELD_ROW))
        _drop_schema_11_columns(conn)
        conn.execute(
            sa.update(schema.meta).where(schema.meta.c.key == "schema_version").values(value="10")
        )
    rows_before, figures_before = _rows(engine), _every_figure(engine)
    _upgraded(engine, url, path, capsys, 10)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), schema.metadata) == []
        held = sa.select(schema.held_rows.c.meeting_id, schema.held_rows.c.month)
        assert conn.execute(held).all() == [("HY-9", None)]
    _only_stamped(engine, rows_before, figures_before)

    def held(month: str) -> list[int]:
        rows = submission_status(engine, month, V11).rows
        return [r["held"] for r in rows if r["kind"] == "attendance"]

    assert (held("2025-03"), held("2025-04")) == ([0], [1])
    engine.dispose()


def test_db_upgrade_after_this_release_opened_the_warehouse_says_it_only_stamped(new_url, capsys):
    # the loader's timer opened it (ensure_schema) before the admin ran `db upgrade`
    url = new_url()
    engine = _schema_7_warehouse(url)
    ensure_schema(engine)
    assert main(["db", "upgrade", "--db", url]) == 0
    assert capsys.readouterr().out == (
        "仓库结构已是最新，仅记入 Alembic 版本 the warehouse was already schema 11 (this "
        "release brought it up to date when it first opened it): only its Alembic revision "
        "was recorded, schema 11 (0011)\n"
    )
    assert _version_and_revision(engine) == ("11", "0011")
    engine.dispose()
