"""${message}

What it changes and why; what `ensure_schema` does on SQLite for the same change
(docs/deploy.md, Upgrading the schema).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}

revision = ${repr(up_revision)}
down_revision = ${repr(down_revision)}
branch_labels = ${repr(branch_labels)}
depends_on = ${repr(depends_on)}

SCHEMA_VERSION = ...  # the schema.SCHEMA_VERSION this revision leaves; raise it there too
"""The warehouse schema this revision leaves (meta.schema_version)."""


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}
    op.execute(
        sa.text("UPDATE meta SET value = :v WHERE key = 'schema_version'").bindparams(
            v=str(SCHEMA_VERSION)
        )
    )


def downgrade() -> None:
    raise NotImplementedError(
        "a warehouse is never downgraded: restore the backup taken before the upgrade"
    )
