import pytest
import sqlalchemy as sa

from xieshang.warehouse import schema
from xieshang.warehouse.codes import level_of, parent_of, scope_range, township_of
from xieshang.warehouse.engine import ensure_schema, open_warehouse


def test_schema_created_with_version(engine):
    with engine.connect() as conn:
        version = conn.execute(
            sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
        ).scalar_one()
    assert version == str(schema.SCHEMA_VERSION)
    ensure_schema(engine)  # idempotent: a second open changes nothing
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.meta)).scalar() == 1


def test_a_version_2_warehouse_gets_the_new_columns_and_keeps_its_rows(db_url):
    """Release 3 added nullable columns to rejects and load_files; a warehouse made
    before them gets them in place, its rows kept (the new columns empty)."""
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE load_files (id INTEGER PRIMARY KEY, run_id VARCHAR(32) NOT NULL,"
            " path TEXT NOT NULL, sha256 VARCHAR(64), size INTEGER,"
            " status VARCHAR(16) NOT NULL, reason TEXT)"
        )
        conn.exec_driver_sql(
            "INSERT INTO load_files (id, run_id, path, status) VALUES (1, 'r1', 'a.csv', 'loaded')"
        )
        schema.meta.create(conn)
        conn.execute(sa.insert(schema.meta).values(key="schema_version", value="2"))
    ensure_schema(engine)
    columns = {c["name"] for c in sa.inspect(engine).get_columns("load_files")}
    assert {"township_code", "replaces"} <= columns
    assert {"header", "month"} <= {c["name"] for c in sa.inspect(engine).get_columns("rejects")}
    with engine.connect() as conn:
        row = conn.execute(sa.select(schema.load_files)).one()
        version = conn.execute(
            sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
        ).scalar_one()
    assert (row.path, row.township_code, row.replaces) == ("a.csv", None, None)
    assert version == str(schema.SCHEMA_VERSION) == "11"
    engine.dispose()


def test_scope_range_is_the_code_prefix():
    assert scope_range("330281000000") == ("330281000000", "330281999999")
    assert scope_range("330281101000") == ("330281101000", "330281101999")
    assert scope_range("330281101203") == ("330281101203", "330281101203")
    assert level_of("330200000000") == "city"
    assert parent_of("330281101203") == "330281101000"
    assert parent_of("330281101000") == "330281000000"
    assert parent_of("330281000000") == "330200000000"
    assert township_of("330281101203") == "330281101000"
    assert township_of("330281000000") is None


@pytest.mark.postgres
def test_postgresql_connections_compile_no_jit(pg_url):
    """Every connection of a PostgreSQL warehouse, the pool's new ones too, runs without
    JIT (xieshang.warehouse.engine): the server's default is on."""
    engine = open_warehouse(pg_url)
    with engine.connect() as a, engine.connect() as b:
        assert [c.exec_driver_sql("SHOW jit").scalar() for c in (a, b)] == ["off", "off"]
    plain = sa.create_engine(pg_url)
    with plain.connect() as conn:
        assert conn.exec_driver_sql("SHOW jit").scalar() == "on"
    plain.dispose()
    engine.dispose()
