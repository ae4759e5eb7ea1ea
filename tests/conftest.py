"""Shared fixtures: real warehouses on SQLite and on PostgreSQL for every database test.

`backend` runs a test once on each ("sqlite", and "postgres", marked `postgres`); on it

- `db_url` is the URL of an empty warehouse of the test's own (a SQLite file, or the
  session's PostgreSQL database, cleared);
- `engine` is that warehouse opened — or, in a module or test marked
  `@pytest.mark.warehouse(fill=f)`, the warehouse `f(engine, directory)` wrote into an
  empty one: built once per session and backend and shared, so tests only read it;
- `shared_warehouse(f)` gives such a shared warehouse directly, for a test that needs
  more than one.

PostgreSQL comes from XIESHANG_TEST_PG (default: the local server, database `test`).
Each test session makes databases of its own and drops them at the end; every shared
warehouse has a database (so a URL) of its own, since the dashboard caches by URL.
Without a reachable server the PostgreSQL cases skip with the reason, unless
XIESHANG_REQUIRE_PG=1 (set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from xieshang.warehouse import schema
from xieshang.warehouse.engine import ensure_schema, make_engine, open_warehouse

# `redis_url`: a redis-server of the test's own; `pg_pair`: a PostgreSQL primary and replica
pytest_plugins = ["tests.helpers.redis_server", "tests.helpers.pg_replica"]

# the machine's clock on UTC, as on the CI machine, wherever the tests run: a load run's
# times are stored as its wall clock and shown in the deployment's zone (Beijing)
os.environ["TZ"] = "UTC"
time.tzset()

PG_ADMIN_URL = os.environ.get(
    "XIESHANG_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REQUIRE_PG = os.environ.get("XIESHANG_REQUIRE_PG") == "1"

Fill = Callable[[Engine, Path], None]


class PostgresDatabases:
    """Databases made on the PostgreSQL server for this session, dropped by `drop_all`."""

    def __init__(self, admin: Engine) -> None:
        self._admin = admin
        self._names: list[str] = []

    def create(self) -> str:
        """A new empty database; returns its URL."""
        name = f"xieshang_test_{uuid.uuid4().hex[:10]}"
        with self._admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        self._names.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    def drop_all(self) -> None:
        with self._admin.connect() as conn:
            for name in self._names:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        self._admin.dispose()


@pytest.fixture(scope="session")
def pg_databases() -> Iterator[PostgresDatabases]:
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except sa.exc.OperationalError as exc:
        admin.dispose()
        message = f"PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.orig}"
        if REQUIRE_PG:
            pytest.fail(message + " (XIESHANG_REQUIRE_PG=1)")
        pytest.skip(message)
    databases = PostgresDatabases(admin)
    yield databases
    databases.drop_all()


@pytest.fixture(scope="session")
def pg_url(pg_databases: PostgresDatabases) -> str:
    """A fresh PostgreSQL database for this test session."""
    return pg_databases.create()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty warehouse (SQLite file, or a cleared PostgreSQL database)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'warehouse.sqlite'}"
    url = request.getfixturevalue("pg_url")
    engine = sa.create_engine(url)
    schema.metadata.drop_all(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def _shared_engines() -> Iterator[dict[tuple[str, str], Engine]]:
    engines: dict[tuple[str, str], Engine] = {}
    yield engines
    for engine in engines.values():
        engine.dispose()


@pytest.fixture
def shared_warehouse(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    _shared_engines: dict[tuple[str, str], Engine],
) -> Callable[[Fill], Engine]:
    """`shared_warehouse(fill)`: the warehouse `fill(engine, directory)` wrote, on this
    test's backend, built on first use and kept for the session (read it, never write)."""

    def get(fill: Fill) -> Engine:
        key = (backend, f"{fill.__module__}.{fill.__qualname__}")
        if key not in _shared_engines:
            directory = tmp_path_factory.mktemp(fill.__name__)
            if backend == "sqlite":
                url = f"sqlite:///{directory / 'warehouse.sqlite'}"
            else:
                url = request.getfixturevalue("pg_databases").create()
            engine = open_warehouse(url)
            fill(engine, directory)
            _shared_engines[key] = engine
        return _shared_engines[key]

    return get


@pytest.fixture
def engine(
    request: pytest.FixtureRequest, shared_warehouse: Callable[[Fill], Engine]
) -> Iterator[Engine]:
    """An empty warehouse with the schema created, on SQLite and on PostgreSQL; under
    `@pytest.mark.warehouse(fill=f)` the shared warehouse `f` wrote instead."""
    marker = request.node.get_closest_marker("warehouse")
    if marker is not None:
        yield shared_warehouse(marker.kwargs["fill"])
        return
    eng = make_engine(request.getfixturevalue("db_url"))
    ensure_schema(eng)
    yield eng
    eng.dispose()
