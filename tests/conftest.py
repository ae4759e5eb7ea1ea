"""Shared fixtures: a real warehouse on SQLite and on PostgreSQL for every database test.

PostgreSQL comes from XIESHANG_TEST_PG (default: the local server, database `test`).
Each test session makes a database of its own and drops it at the end. Without a
reachable server the PostgreSQL cases skip with the reason, unless XIESHANG_REQUIRE_PG=1
(set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from xieshang.warehouse import schema
from xieshang.warehouse.engine import ensure_schema, make_engine

PG_ADMIN_URL = os.environ.get(
    "XIESHANG_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("XIESHANG_REQUIRE_PG") == "1"


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session."""
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            name = f"xieshang_test_{uuid.uuid4().hex[:10]}"
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.orig}"
        if REQUIRE_PG:
            pytest.fail(message + " (XIESHANG_REQUIRE_PG=1)")
        pytest.skip(message)
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """The URL of an empty warehouse (SQLite file, or a cleared PostgreSQL database)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    url = request.getfixturevalue("pg_url")
    engine = sa.create_engine(url)
    schema.metadata.drop_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An empty warehouse with the schema created, on SQLite and on PostgreSQL."""
    eng = make_engine(db_url)
    ensure_schema(eng)
    yield eng
    eng.dispose()
