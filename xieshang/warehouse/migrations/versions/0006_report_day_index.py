"""Schema 6: the resolution reports' day index.

报送情况 (xieshang.metrics.submissions) counts each unit's reports of a month; without an
index led by the report's day it reads every report of the scope. Only an index is
built: no row changes. The definition is frozen here, not imported from schema.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

SCHEMA_VERSION = 6
"""The warehouse schema this revision leaves (meta.schema_version)."""


def upgrade() -> None:
    # a warehouse may have it already: made by this release's code
    op.create_index(
        "ix_resolution_reports_updated", "resolution_reports", ["updated_on"], if_not_exists=True
    )
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
