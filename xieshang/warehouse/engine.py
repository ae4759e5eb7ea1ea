"""Opening the warehouse: engines, first-use creation, the recorded schema version."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event, insert, select

from xieshang.contract.settings import db_url
from xieshang.warehouse import schema


class SchemaVersionError(RuntimeError):
    pass


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while a load writes; NORMAL sync is safe under WAL.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def make_engine(url: str | None = None) -> Engine:
    """An engine for the warehouse at `url` (resolved as interfaces.md says)."""
    resolved = db_url(url)
    if resolved.startswith("sqlite"):
        engine = create_engine(resolved, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(resolved, pool_pre_ping=True)
    return engine


def ensure_schema(engine: Engine) -> None:
    """Create the warehouse on first use; refuse one written by a newer release."""
    schema.metadata.create_all(engine)
    with engine.begin() as conn:
        row = conn.execute(
            select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
        ).scalar()
        if row is None:
            conn.execute(
                insert(schema.meta).values(key="schema_version", value=str(schema.SCHEMA_VERSION))
            )
        elif int(row) > schema.SCHEMA_VERSION:
            raise SchemaVersionError(
                f"warehouse schema version {row} is newer than this release "
                f"({schema.SCHEMA_VERSION}); upgrade xieshang"
            )


def open_warehouse(url: str | None = None) -> Engine:
    engine = make_engine(url)
    ensure_schema(engine)
    return engine
