import sqlalchemy as sa

from xieshang.warehouse import schema
from xieshang.warehouse.codes import level_of, parent_of, scope_range, township_of
from xieshang.warehouse.engine import ensure_schema


def test_schema_created_with_version(engine):
    with engine.connect() as conn:
        version = conn.execute(
            sa.select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
        ).scalar_one()
    assert version == str(schema.SCHEMA_VERSION)
    ensure_schema(engine)  # idempotent: a second open changes nothing
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.meta)).scalar() == 1


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
