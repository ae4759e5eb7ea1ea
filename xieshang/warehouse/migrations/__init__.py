"""Schema upgrades with Alembic: `upgrade(engine)`, the command `xieshang db upgrade`.

Each revision in versions/ leaves one schema version (its SCHEMA_VERSION, recorded in
meta.schema_version as `ensure_schema` records it); 0003, the baseline, is schema 3.

How the two paths fit together. `ensure_schema` (every open of the warehouse: the
embedded SQLite of the demo and a laptop, and any first use) creates a new warehouse
from schema.py, and brings an older one up in place by adding the tables and nullable
columns it lacks — the only changes a release has made so far. It records the schema
version and knows nothing of Alembic. `upgrade` is the deliberate path for a server
warehouse: run once, under the write lock, before the new release's app servers
start, and the path any change beyond added tables and nullable columns will take.
Because both record meta.schema_version, `upgrade` first stamps Alembic at the
revision of the recorded version when it is ahead of Alembic's own (a warehouse that
`ensure_schema` made or upgraded: nothing is run twice), then runs every later
revision. A warehouse older than the baseline (schema 1 or 2) or an empty database has
no revision to stamp: the baseline's upgrade brings it to schema 3.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, select

from xieshang.warehouse import schema
from xieshang.warehouse.engine import SchemaVersionError, altering

FOLDER = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Upgrade:
    """What `upgrade` did: the schema version and Alembic revision before (None: an
    empty database; revision None: a warehouse not yet under Alembic) and after."""

    schema_before: int | None
    revision_before: str | None
    schema_after: int
    revision_after: str

    @property
    def changed(self) -> bool:
        return (self.schema_before, self.revision_before) != (
            self.schema_after,
            self.revision_after,
        )

    @property
    def stamped_only(self) -> bool:
        """Whether only Alembic's record changed: the tables were this release's already
        (a command or app of this release opened the warehouse first, `ensure_schema`)."""
        return self.changed and self.schema_before == self.schema_after


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the warehouse's revisions (no alembic.ini); env.py
    runs on `connection`."""
    cfg = Config()
    cfg.set_main_option("script_location", str(FOLDER))
    cfg.attributes["connection"] = connection
    return cfg


@functools.cache
def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


def head() -> str:
    """The newest revision this release knows."""
    return scripts().get_current_head()


def revision_of_schema(version: int) -> str | None:
    """The revision that leaves schema `version`, None for one older than the baseline."""
    for script in scripts().walk_revisions():
        if version == script.module.SCHEMA_VERSION:
            return script.revision
    return None


def recorded_version(conn: Connection) -> int | None:
    """meta.schema_version, None for an empty database."""
    if not inspect(conn).has_table(schema.meta.name):
        return None
    value = conn.execute(
        select(schema.meta.c.value).where(schema.meta.c.key == "schema_version")
    ).scalar()
    return None if value is None else int(value)


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _is_before(earlier: str | None, later: str) -> bool:
    if earlier is None:
        return True
    ancestors = {s.revision for s in scripts().iterate_revisions(later, "base")}
    return earlier != later and earlier in ancestors


def upgrade(engine: Engine) -> Upgrade:
    """Bring the warehouse to this release's schema (the head revision), in one
    transaction holding the write lock: loads wait, readers go on. A warehouse of a
    newer release is refused (SchemaVersionError), never changed."""
    return altering(engine, _upgraded)


def _upgraded(conn: Connection) -> Upgrade:
    version, revision = recorded_version(conn), _revision(conn)
    known = {s.revision for s in scripts().walk_revisions()}
    if (version or 0) > schema.SCHEMA_VERSION or (revision and revision not in known):
        raise SchemaVersionError(
            f"仓库结构版本 {version}（{revision}）比本版本新 the warehouse is schema "
            f"{version} (revision {revision}), newer than this release "
            f"({schema.SCHEMA_VERSION}): upgrade xieshang"
        )
    cfg = config(conn)
    stamped = revision_of_schema(version) if version is not None else None
    if stamped is not None and _is_before(revision, stamped):
        command.stamp(cfg, stamped)
    command.upgrade(cfg, "head")
    return Upgrade(version, revision, recorded_version(conn), _revision(conn))
