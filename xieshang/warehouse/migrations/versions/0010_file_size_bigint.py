"""Schema 10: a file's size in a 64-bit integer.

A file of 2 GiB or more in an inbox is refused for its size without being read, but its
size is recorded: load_files.size, a 32-bit integer on PostgreSQL, overflowed and failed
the whole run. The column is widened in place (a rewrite of a table of one row per file);
SQLite's integers are 64-bit whatever a column is declared, so nothing changes there. The
definition is frozen here, not imported from schema.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SCHEMA_VERSION = 10
"""The warehouse schema this revision leaves (meta.schema_version)."""


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        # a warehouse may have it already: made by this release's code
        (size,) = [c for c in sa.inspect(bind).get_columns("load_files") if c["name"] == "size"]
        if not isinstance(size["type"], sa.BigInteger):
            op.alter_column("load_files", "size", type_=sa.BigInteger())
    op.execute(
        sa.text("UPDATE meta SET value = :v WHERE key = 'schema_version'").bindparams(
            v=str(SCHEMA_VERSION)
        )
    )


def downgrade() -> None:
    raise NotImplementedError(
        "a warehouse is never downgraded: restore the backup taken before the upgrade "
        "(docs/deploy.md, Upgrading the schema)"
    )
