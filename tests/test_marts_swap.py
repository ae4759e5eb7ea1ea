"""A refresh of filled marts on PostgreSQL writes them anew beside the old ones and swaps
them in at the end of its transaction (xieshang.warehouse.swap): the same rows, keys and
indexes under the same names, analysed, the old tables kept on a rollback; a reader of two
marts that closes a cycle of locks with the swap does not fail it; the privileges granted on
the old marts granted on the new ones; and marts that something else hangs on (a view, a
foreign key, a trigger, a policy, a column's privilege, a comment, settings of their own,
another owner, a schema of the name the new ones take) deleted and written in place."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers.builder_county import COUNTY, Q1, T1, add_meeting_without_marts, build_county
from tests.helpers.pg_locks import wait_for_a_lock
from xieshang import marts, metrics
from xieshang.warehouse import schema
from xieshang.warehouse.engine import open_warehouse
from xieshang.warehouse.swap import NEXT_SCHEMA

pytestmark = pytest.mark.postgres

NAMES = [table.name for table in schema.MART_TABLES]
INDEXES = {i.name for t in schema.MART_TABLES for i in t.indexes} | {f"{n}_pkey" for n in NAMES}


@pytest.fixture
def county(pg_databases):
    engine = open_warehouse(pg_databases.create())
    build_county().write(engine)
    yield engine
    engine.dispose()


def _oids(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            n: conn.execute(sa.text("SELECT to_regclass(:n)::oid"), {"n": n}).scalar()
            for n in NAMES
        }


def _layout(engine: sa.Engine) -> dict:
    """Every mart's rows, and the definitions of its keys and indexes by name."""
    with engine.connect() as conn:
        rows = {
            t.name: sorted(conn.execute(sa.select(t)).all(), key=repr) for t in schema.MART_TABLES
        }
        indexes = conn.execute(
            sa.text(
                "SELECT schemaname, indexname, indexdef FROM pg_indexes "
                "WHERE tablename = ANY(:names) ORDER BY indexname"
            ),
            {"names": NAMES},
        ).all()
        constraints = conn.execute(
            sa.text(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
                "FROM pg_constraint WHERE conrelid::regclass::text = ANY(:names) ORDER BY 2"
            ),
            {"names": NAMES},
        ).all()
        schemas = conn.execute(sa.text("SELECT nspname FROM pg_namespace")).scalars().all()
    return {"rows": rows, "indexes": indexes, "keys": constraints, "schemas": sorted(schemas)}


def _figures(engine: sa.Engine) -> list[dict]:
    return [metrics.figures(engine, scope, *Q1) for scope in (COUNTY, T1)]


def test_filled_marts_are_written_anew_and_swapped_in(county):
    before, oids, figures = _layout(county), _oids(county), _figures(county)
    assert NEXT_SCHEMA not in before["schemas"]
    assert {(where, name) for where, name, _ in before["indexes"]} == {
        ("public", name) for name in INDEXES
    }
    assert all(before["rows"][name] for name in ("mart_meetings", "mart_party_attendance"))

    marts.rebuild(county)

    after = _oids(county)
    assert all(after[name] != oids[name] for name in NAMES)  # new tables
    assert _layout(county) == before  # same rows, names, keys and indexes; nothing beside
    assert _figures(county) == figures
    with county.connect() as conn:
        assert marts.is_fresh(conn)
        analysed = conn.execute(
            sa.text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")
        )
        assert set(NAMES) <= set(analysed.scalars())  # the old tables' statistics replaced
        assert conn.execute(sa.text("SHOW search_path")).scalar() == '"$user", public'


def test_a_refresh_that_fails_leaves_the_old_marts(county):
    before, oids = _layout(county), _oids(county)
    with pytest.raises(RuntimeError, match="after the swap"), county.begin() as conn:
        marts.refresh(conn)
        assert (
            conn.execute(sa.text("SELECT to_regclass('mart_meetings')::oid")).scalar()
            != oids["mart_meetings"]
        )
        raise RuntimeError("after the swap")
    assert _oids(county) == oids and _layout(county) == before


def test_a_refresh_of_new_rows_swaps_them_in(county):
    meetings = metrics.figures(county, COUNTY, *Q1)["meetings"]
    add_meeting_without_marts(county, date(2025, 3, 3))
    oids = _oids(county)
    marts.rebuild(county)
    assert _oids(county)["mart_meetings"] != oids["mart_meetings"]
    assert metrics.figures(county, COUNTY, *Q1)["meetings"] == meetings + 1


HANGING = {
    "a view": (
        ["CREATE VIEW village_meetings AS SELECT * FROM mart_meetings WHERE is_village"],
        "SELECT count(*) > 0 FROM village_meetings",
    ),
    "a schema of the name the new marts take": (
        [f"CREATE SCHEMA {NEXT_SCHEMA}"],
        f"SELECT to_regnamespace('{NEXT_SCHEMA}') IS NOT NULL",
    ),
    # dropping the old mart would fail the load: another table's key refers to it
    "a foreign key of another table": (
        [
            "CREATE TABLE day_notes (area_code varchar(6), day integer, note text, "
            "FOREIGN KEY (area_code, day) REFERENCES mart_county_days)"
        ],
        "SELECT count(*) = 1 FROM pg_constraint WHERE confrelid = 'mart_county_days'::regclass",
    ),
    # these the drop would take with it, unsaid
    "a trigger": (
        [
            "CREATE FUNCTION noted() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END'",
            "CREATE TRIGGER noted AFTER INSERT ON mart_meetings "
            "FOR EACH STATEMENT EXECUTE FUNCTION noted()",
        ],
        "SELECT count(*) = 1 FROM pg_trigger WHERE tgname = 'noted'",
    ),
    "a row-security policy": (
        [
            "ALTER TABLE mart_party_attendance ENABLE ROW LEVEL SECURITY",
            "CREATE POLICY one_county ON mart_party_attendance USING (township LIKE '330281%%')",
        ],
        "SELECT relrowsecurity AND EXISTS (SELECT FROM pg_policy WHERE polname = 'one_county') "
        "FROM pg_class WHERE oid = 'mart_party_attendance'::regclass",
    ),
    "a publication": (
        ["CREATE PUBLICATION marts_out FOR TABLE mart_meetings"],
        "SELECT count(*) = 1 FROM pg_publication_rel WHERE prrelid = 'mart_meetings'::regclass",
    ),
    "extended statistics": (
        ["CREATE STATISTICS area_month ON area_code, month FROM mart_meetings"],
        "SELECT count(*) = 1 FROM pg_statistic_ext WHERE stxname = 'area_month'",
    ),
    "a privilege on one column": (
        ["GRANT SELECT (meeting_date) ON mart_meetings TO PUBLIC"],
        "SELECT has_column_privilege('public', 'mart_meetings', 'meeting_date', 'SELECT')",
    ),
    "a comment on a column": (
        ["COMMENT ON COLUMN mart_meetings.party_rows IS '党员人次'"],
        "SELECT col_description('mart_meetings'::regclass, 12) = '党员人次'",
    ),
    "a comment on an index": (
        ["COMMENT ON INDEX ix_mart_meetings_area IS '按地区'"],
        "SELECT obj_description('ix_mart_meetings_area'::regclass, 'pg_class') = '按地区'",
    ),
    "a comment on a key": (
        ["COMMENT ON CONSTRAINT mart_meetings_pkey ON mart_meetings IS '一次会议一行'"],
        "SELECT obj_description(oid, 'pg_constraint') = '一次会议一行' "
        "FROM pg_constraint WHERE conname = 'mart_meetings_pkey'",
    ),
    "a column option": (
        ["ALTER TABLE mart_meetings ALTER COLUMN area_code SET (n_distinct = 200)"],
        "SELECT 'n_distinct=200' = ANY(attoptions) FROM pg_attribute "
        "WHERE attrelid = 'mart_meetings'::regclass AND attname = 'area_code'",
    ),
    "a storage option": (
        ["ALTER TABLE mart_meetings SET (fillfactor = 90)"],
        "SELECT reloptions = '{fillfactor=90}' FROM pg_class WHERE relname = 'mart_meetings'",
    ),
}


@pytest.mark.parametrize("what", HANGING)
def test_marts_something_hangs_on_are_written_in_place(county, what):
    make, still = HANGING[what]
    with county.begin() as conn:
        for statement in make:
            conn.exec_driver_sql(statement)
    before, oids = _layout(county), _oids(county)

    marts.rebuild(county)

    assert _oids(county) == oids and _layout(county) == before
    with county.connect() as conn:
        assert conn.exec_driver_sql(still).scalar() is True


def _run(conn: sa.Connection, statement: str) -> None:
    conn.exec_driver_sql(statement.replace("%", "%%"))  # no parameters: a % is itself


@pytest.fixture
def reader_role(county):
    """A role of this test's own (roles are the server's, not the database's), its name one
    that must be quoted."""
    name = f'"读者 %{uuid.uuid4().hex[:8]}"'
    with county.begin() as conn:
        _run(conn, f"CREATE ROLE {name}")
    yield name
    with county.begin() as conn:
        _run(conn, f"DROP OWNED BY {name}")
        _run(conn, f"DROP ROLE {name}")


def _privileges(engine: sa.Engine) -> set[tuple]:
    """(mart, grantee, privilege, grantable) of every mart."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT c.relname, a.grantee::regrole::text, a.privilege_type, a.is_grantable "
                "FROM pg_class c, aclexplode(coalesce(c.relacl, acldefault('r', c.relowner))) a "
                "WHERE c.relname = ANY(:names) AND c.relkind = 'r'"
            ),
            {"names": NAMES},
        )
        return set(rows.all())


def test_privileges_granted_on_the_marts_are_granted_on_the_new_ones(county, reader_role):
    with county.begin() as conn:
        conn.exec_driver_sql("GRANT SELECT ON mart_party_attendance TO PUBLIC")
        _run(conn, f"GRANT SELECT ON mart_meetings TO {reader_role} WITH GRANT OPTION")
        _run(conn, f"GRANT SELECT, UPDATE ON mart_county_days TO {reader_role}")
    before, oids = _privileges(county), _oids(county)
    assert ("mart_meetings", reader_role, "SELECT", True) in before
    assert ("mart_county_days", reader_role, "UPDATE", False) in before
    assert ("mart_party_attendance", "-", "SELECT", False) in before  # PUBLIC

    marts.rebuild(county)

    assert all(oid != oids[name] for name, oid in _oids(county).items())  # swapped
    assert _privileges(county) == before
    with county.connect() as conn:
        _run(conn, f"SET ROLE {reader_role}")
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.mart_meetings)).scalar()


def test_marts_of_another_owner_are_written_in_place(county, reader_role):
    """New tables would be the run's user's: a role of the owner's members would lose them."""
    with county.begin() as conn:
        _run(conn, f"ALTER TABLE mart_meetings OWNER TO {reader_role}")
    oids = _oids(county)
    marts.rebuild(county)
    assert _oids(county) == oids
    with county.connect() as conn:
        owner = conn.exec_driver_sql(
            "SELECT relowner::regrole::text FROM pg_class WHERE relname = 'mart_meetings'"
        )
        assert owner.scalar() == reader_role


def test_a_privilege_granted_and_taken_back_leaves_nothing_hanging(county):
    with county.begin() as conn:
        conn.exec_driver_sql("GRANT SELECT ON mart_meetings TO PUBLIC")
        conn.exec_driver_sql("REVOKE SELECT ON mart_meetings FROM PUBLIC")
    oids = _oids(county)
    marts.rebuild(county)
    assert all(oid != oids[name] for name, oid in _oids(county).items())


def test_a_reader_of_two_marts_does_not_fail_the_swap(county):
    """The reader holds one mart and then asks for another that the swap has locked:
    PostgreSQL breaks the cycle by failing the waiter that finds it, here the swap,
    which lets its locks go, waits for the reader and swaps."""
    with county.connect() as conn:
        meetings = conn.execute(sa.select(sa.func.count()).select_from(schema.mart_meetings))
        meetings = meetings.scalar()
    oids, errors = _oids(county), []
    # which waiter finds the cycle is a matter of time: the swap, 3 s after it began to
    # wait, long after the reader asks and long before the reader would look
    url = county.url.render_as_string(hide_password=False)
    swapper = open_warehouse(f"{url}?options=-c%20deadlock_timeout%3D3s")
    reader = county.connect()
    reader.exec_driver_sql("SET deadlock_timeout = '60s'")
    party = reader.execute(sa.select(sa.func.count()).select_from(schema.mart_party_attendance))
    assert party.scalar() > 0

    def rebuild() -> None:
        try:
            marts.rebuild(swapper)
        except Exception as exc:  # noqa: BLE001 (the test reports it)
            errors.append(exc)

    swapping = threading.Thread(target=rebuild)
    swapping.start()
    wait_for_a_lock(county, "AccessExclusiveLock")  # the swap waits for the reader's mart
    read = reader.execute(sa.select(sa.func.count()).select_from(schema.mart_meetings))
    assert read.scalar() == meetings  # the old mart, once the swap let it go
    reader.rollback()
    reader.close()
    swapping.join(60)
    swapper.dispose()
    assert errors == []
    assert all(oid != oids[name] for name, oid in _oids(county).items())


def test_readers_are_not_held_behind_a_swap_that_waits_for_a_long_holder(county):
    """A long holder of a mart (a nightly pg_dump holds every table for minutes) keeps the
    swap waiting; while it waits, a new reader of the marts is not queued behind it for
    the whole wait (each try lets go after engine.LOCK_TRY), and the swap is done once the
    holder ends."""
    with county.connect() as conn:
        meetings = conn.execute(sa.select(sa.func.count()).select_from(schema.mart_meetings))
        meetings = meetings.scalar()
    oids, errors = _oids(county), []
    holder = county.connect()
    holder.execute(sa.select(sa.func.count()).select_from(schema.mart_party_attendance)).scalar()

    def rebuild() -> None:
        try:
            marts.rebuild(county)
        except Exception as exc:  # noqa: BLE001 (the test reports it)
            errors.append(exc)

    swapping = threading.Thread(target=rebuild)
    swapping.start()
    try:
        wait_for_a_lock(county, "AccessExclusiveLock")  # the swap waits for the holder
        with county.connect() as reader:
            reader.exec_driver_sql("SET statement_timeout = '5s'")
            for _ in range(3):  # a reader in the swap's next tries too, not only its first
                read = reader.execute(sa.select(sa.func.count()).select_from(schema.mart_meetings))
                assert read.scalar() == meetings  # the old mart, at once
                reader.rollback()
                time.sleep(1)
    finally:
        holder.rollback()
        holder.close()
        swapping.join(60)
    assert errors == []
    assert all(oid != oids[name] for name, oid in _oids(county).items())
