"""Schema 11: the month a held sign-in row counts in.

An attendance row has no date of its own, and a held one's meeting is not in the
warehouse yet: 报送情况 counted it in the month of the run that first held it, so a
township's November sign-in sheet loaded on 7 December showed its held rows as
December's and November short. held_rows gains month (yyyymm), the file's one month
when the file's other rows have one, as a reject without a month of its own gets. It is
a nullable column added in place: a row held before counts, as before, in the month its
first run came. The definition is frozen here, not imported from schema.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

SCHEMA_VERSION = 11
"""The warehouse schema this revision leaves (meta.schema_version)."""


def upgrade() -> None:
    # a warehouse may have it already: made by this release's code
    if "month" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("held_rows")}:
        op.add_column("held_rows", sa.Column("month", sa.Integer(), nullable=True))
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
