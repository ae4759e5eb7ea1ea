"""Opening the warehouse: its URL checked, engines, first-use creation, the write lock,
the recorded schema version."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from sqlalchemy import (
    BigInteger,
    Connection,
    Engine,
    create_engine,
    delete,
    event,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import URL, ExceptionContext, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.schema import CreateIndex

from xieshang.contract.settings import db_url
from xieshang.warehouse import schema

URL_FORMS = "sqlite:///PATH, postgresql+psycopg://USER:PASSWORD@HOST:PORT/DATABASE"
# A writer waits this long for another load to finish (a large first load takes minutes
# on a slow disk), then fails; SQLite readers are never kept waiting under WAL.
WRITE_WAIT_SECONDS = 600
# Any constant will do: advisory locks are per database, and only writers take this one.
PG_WRITE_LOCK = 0x78696573
WAL_ATTEMPTS = 100
T = TypeVar("T")
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mssql": 1433, "oracle": 1521}


class SchemaVersionError(RuntimeError):
    pass


class WarehouseError(RuntimeError):
    """The warehouse URL is wrong, or the warehouse cannot be reached: the message is one
    line saying which, and what to do."""


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


def sqlite_file(url: URL) -> Path | None:
    """The file of a SQLite warehouse URL (None: in memory, a URI, or not SQLite)."""
    database = url.database
    if url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if url.query.get("uri") or database.startswith("file:"):
        return None
    return Path(database)


def check_url(url: str) -> URL:
    """The parsed URL, or WarehouseError naming the mistake and the fix."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise WarehouseError(
            f"仓库地址不是数据库地址 the warehouse URL is not a database URL: write it as {URL_FORMS}"
        ) from None
    backend = parsed.get_backend_name()
    if backend == "postgres":
        raise WarehouseError(
            f"仓库地址 {_shown(parsed)} 应写作 postgresql+psycopg://… "
            "SQLAlchemy does not know postgres://: use postgresql+psycopg://…"
        )
    try:
        parsed.get_dialect()
    except NoSuchModuleError:
        raise WarehouseError(
            f"未知的数据库类型 unknown database kind {backend!r} in the warehouse URL "
            f"{_shown(parsed)}: use {URL_FORMS}"
        ) from None
    path = sqlite_file(parsed)
    if path is not None and not path.parent.is_dir():
        raise WarehouseError(
            f"仓库文件所在的文件夹不存在 the folder {path.parent} of the warehouse file does not "
            "exist: create it, or give a path in an existing folder"
        )
    return parsed


def warehouse_exists(url: str) -> bool:
    """Whether there may be a warehouse at `url` already (checked without creating one: a
    SQLite file that is not there is not a warehouse; a server database may be)."""
    parsed = check_url(url)
    if parsed.get_backend_name() != "sqlite":
        return True
    path = sqlite_file(parsed)
    return path is not None and path.is_file()


def _wal(cursor) -> None:
    # Two connections switching a new file to WAL at once can deadlock, and SQLite then
    # answers "locked" at once instead of waiting: retry for a while.
    for attempt in range(WAL_ATTEMPTS):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == WAL_ATTEMPTS - 1:
                raise
            time.sleep(0.05)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets the dashboard read while a load writes; NORMAL sync is safe under WAL.
    _wal(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA temp_store=MEMORY")
    cursor.close()


def _kept_when_interrupted(context: ExceptionContext) -> None:
    """Ctrl-C or SIGTERM raised as a SQLite statement returns: SQLAlchemy would close the
    connection with the statement's cursor open, and SQLite keeps such a connection, its
    transaction and the write lock, until the cursor is freed, which the interrupt's
    traceback delays: the run's failure, recorded at once, waited WRITE_WAIT_SECONDS for
    its own lock, then was lost. SQLite ends a statement before Python handles a signal,
    so the connection is sound: kept, its cursor closed and its transaction rolled back,
    as after any other error."""
    if not isinstance(context.original_exception, Exception):
        context.is_disconnect = False


def _postgresql_settings(dbapi_connection, _record) -> None:
    # No JIT compiling: the warehouse's statements are short, and PostgreSQL compiles when
    # its estimate is large, not its work: a city's overdue list, its states misjudged at
    # 13 times their number, spent 176 of its 260 ms compiling
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


def make_engine(url: str | None = None) -> Engine:
    """An engine for the warehouse at `url` (resolved as interfaces.md says); it does not
    connect yet. A wrong URL raises WarehouseError."""
    parsed = check_url(db_url(url))
    try:
        if parsed.get_backend_name() == "sqlite":
            engine = create_engine(parsed, connect_args={"timeout": WRITE_WAIT_SECONDS})
            event.listen(engine, "connect", _sqlite_pragmas)
            event.listen(engine, "handle_error", _kept_when_interrupted)
        else:
            engine = create_engine(parsed, pool_pre_ping=True)
            if parsed.get_backend_name() == "postgresql":
                event.listen(engine, "connect", _postgresql_settings)
    except ImportError as exc:
        raise WarehouseError(
            f"数据库驱动未安装 the database driver {exc.name} for {parsed.drivername}:// is not "
            f"installed: install it, or use {URL_FORMS}"
        ) from None
    return engine


# PostgreSQL's words when every connection it allows is taken: a database's or a role's
# CONNECTION LIMIT, or the server's max_connections (its last slots kept for superusers)
_NO_SLOT = ("too many connections", "too many clients", "connection slots are reserved")


def _cannot_connect(url: URL, exc: DBAPIError) -> str:
    reason = " ".join(str(exc.orig).split("\n")[0].split()) or type(exc.orig).__name__
    path = sqlite_file(url)
    if url.get_backend_name() == "sqlite":
        return (
            f"无法打开仓库文件 cannot open the warehouse file {path or url.database} ({reason}): "
            "check the path and its permissions"
        )
    port = url.port or DEFAULT_PORTS.get(url.get_backend_name())
    place = f"{url.host or 'localhost'}" + (f":{port}" if port else "")
    lowered = reason.lower()
    if any(full in lowered for full in _NO_SLOT):  # before "role": a role's limit names it
        fix = (
            "a connection limit is reached (the database's, the user's or the server's): "
            "wait for other connections to end, or raise the limit (ALTER DATABASE … "
            "CONNECTION LIMIT, ALTER ROLE … CONNECTION LIMIT, max_connections)"
        )
    elif "password" in lowered or "authentication" in lowered or "role" in lowered:
        fix = "correct the user and password in the URL"
    elif "database" in lowered and "does not exist" in lowered:
        fix = f"create the database {url.database!r} there, or correct its name in the URL"
    else:
        fix = "start the database server there, or correct the host and port in the URL"
    return f"无法连接仓库 cannot connect to the warehouse at {place} ({reason}): {fix}"


def connect_warehouse(url: str | None = None) -> Engine:
    """An engine that has connected once: an unreachable server, a wrong password or an
    unopenable file is a WarehouseError here, not a driver's traceback later."""
    engine = make_engine(url)
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        engine.dispose()
        raise WarehouseError(_cannot_connect(engine.url, exc)) from None
    return engine


@contextmanager
def begin_write(engine: Engine) -> Iterator[Connection]:
    """A transaction that holds the warehouse's write lock from its first statement, so
    that writers (loads, first-use creation) queue up instead of interleaving: two at once
    end as if run one after the other. Readers are not blocked."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            # the driver would begin only at the first write, after the run's reads
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        elif engine.dialect.name == "postgresql":
            # as long as SQLite's busy timeout, not for ever: a submission behind a city's
            # first load fails in one line rather than outliving its proxy's timeout
            set_lock_timeout(conn, f"{WRITE_WAIT_SECONDS}s")
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_WRITE_LOCK})
            conn.exec_driver_sql("SET LOCAL lock_timeout TO DEFAULT")
        yield conn


# A writer that locks tables readers use (a schema change, the marts' swap) waits this
# long for them in one try, then lets go and tries again: while its request waits, every
# new reader of those tables queues behind it, and what it waits for may be long (a
# nightly pg_dump holds every table for minutes)
LOCK_TRY = "1s"
LOCK_PAUSE_SECONDS = 0.2  # between tries: the reads queued behind the try go through
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE of a lock_timeout


def set_lock_timeout(conn: Connection, value: str) -> None:
    """PostgreSQL's lock_timeout for the rest of the transaction (or savepoint)."""
    conn.execute(text("SELECT set_config('lock_timeout', :t, true)"), {"t": value})


def altering(engine: Engine, change: Callable[[Connection], T]) -> T:
    """`change(conn)` in a transaction holding the write lock (`begin_write`) whose table
    locks wait LOCK_TRY at most on PostgreSQL, run whole again until it gets them all, for
    WRITE_WAIT_SECONDS. An ALTER waiting for a reader that holds its table (a pg_dump holds
    every table for minutes) holds the tables altered before it, and every read of those,
    or of its own, queues behind it: 报送情况 and the rejects lists waited as long."""
    deadline = time.monotonic() + WRITE_WAIT_SECONDS
    while True:
        locked = False  # the write lock's own wait is begin_write's, not retried
        try:
            with begin_write(engine) as conn:
                locked = True
                if conn.dialect.name == "postgresql":
                    set_lock_timeout(conn, LOCK_TRY)
                return change(conn)
        except DBAPIError as exc:
            state = getattr(exc.orig, "sqlstate", None)
            if not locked or state != LOCK_NOT_AVAILABLE or time.monotonic() > deadline:
                raise
        time.sleep(LOCK_PAUSE_SECONDS)


def _version(conn: Connection):
    return conn.execute(
        select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
    ).scalar()


def ensure_schema(engine: Engine) -> None:
    """Create the warehouse on first use; refuse one written by a newer release. Creation
    runs under the write lock: two first uses at once create it once."""
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        version = _version(conn) if schema.meta.name in tables else None
    if (
        version is None
        or not set(schema.metadata.tables) <= tables
        or int(version) < schema.SCHEMA_VERSION
    ):
        version = altering(engine, _made_current)
    if int(version) > schema.SCHEMA_VERSION:
        raise SchemaVersionError(
            f"仓库结构版本 {version} 比本版本新 warehouse schema version {version} is newer "
            f"than this release ({schema.SCHEMA_VERSION}); upgrade xieshang"
        )


def _made_current(conn: Connection) -> str:
    """The warehouse created, or an older one brought up in place; its schema version."""
    schema.metadata.create_all(conn)
    _remake_changed_marts(conn)
    _add_missing_columns(conn)
    _widen_integers(conn)
    _add_missing_indexes(conn)
    version = _version(conn)
    if version is None:
        version = str(schema.SCHEMA_VERSION)
        conn.execute(insert(schema.meta).values(key="schema_version", value=version))
    elif int(version) < schema.SCHEMA_VERSION:
        # an older release's warehouse, its new tables just made: record the version, so
        # that an older release refuses it from now on
        version = str(schema.SCHEMA_VERSION)
        conn.execute(
            update(schema.meta).where(schema.meta.c.key == "schema_version").values(value=version)
        )
    return version


def _remake_changed_marts(conn: Connection) -> None:
    """Make anew, empty, the marts whose columns a newer release changed (schema 7: the
    Party mart's prev_12). A mart only summarises the tables: the marts' record of the
    load they reflect (meta "marts") goes with its rows, so readers report the marts
    stale until they are rebuilt."""
    inspector = inspect(conn)
    present = set(inspector.get_table_names())
    changed = [
        table
        for table in schema.MART_TABLES
        if table.name in present
        and {c["name"] for c in inspector.get_columns(table.name)} != set(table.columns.keys())
    ]
    if changed:
        schema.metadata.drop_all(conn, tables=changed)
        schema.metadata.create_all(conn, tables=changed)
        conn.execute(delete(schema.meta).where(schema.meta.c.key == "marts"))


def _add_missing_columns(conn: Connection) -> None:
    """Add the nullable columns a newer release gave existing tables (the only change
    releases make to a table: data is never rewritten to migrate)."""
    inspector = inspect(conn)
    for table in schema.metadata.sorted_tables:
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present:
                kind = column.type.compile(dialect=conn.dialect)
                conn.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}")


def _widen_integers(conn: Connection) -> None:
    """Widen to 64 bits the integer columns a newer release made BigInteger (schema 10:
    load_files.size). SQLite's integers are 64-bit whatever a column is declared."""
    if conn.dialect.name != "postgresql":
        return
    inspector = inspect(conn)
    for table in schema.metadata.sorted_tables:
        declared = {c["name"]: c["type"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if isinstance(column.type, BigInteger) and not isinstance(
                declared.get(column.name), BigInteger
            ):
                conn.exec_driver_sql(
                    f"ALTER TABLE {table.name} ALTER COLUMN {column.name} TYPE BIGINT"
                )


def _add_missing_indexes(conn: Connection) -> None:
    """Build the indexes a newer release gave existing tables (schema 4: the marts'
    county and city indexes); rows are untouched."""
    # IF NOT EXISTS: SQLite's inspector does not list indexes on expressions
    for table in schema.metadata.sorted_tables:
        for index in table.indexes:
            conn.execute(CreateIndex(index, if_not_exists=True))


def open_warehouse(url: str | None = None) -> Engine:
    engine = connect_warehouse(url)
    ensure_schema(engine)
    return engine
