"""Schema 9: the reading each reject's row came from, and the reading a marked-up
workbook answers.

A held row rejected when its meeting came keeps the path and row of the file that held
it, which a later file of the same name may share: rejects gain read_run_id, the run
whose reading gave the row, so that a marked-up workbook marks the rows of the bytes it
is made from, and a file sent again unchanged shows that reading's rejects only. A
marked-up workbook answers one reading of its file, as of a run: load_files gain
replaces_run and replaces_as_of, and reading the workbook supersedes that reading's
rejects up to then only, not last month's of a ledger sent every month under one name. Both are nullable columns added in place: the
rejects stored before are read as their own run's, and the workbooks made before
answer every reading, as before. The definition is frozen here, not imported from
schema.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SCHEMA_VERSION = 9
"""The warehouse schema this revision leaves (meta.schema_version)."""

COLUMNS = (
    ("rejects", "read_run_id", sa.String(32)),
    ("load_files", "replaces_run", sa.String(32)),
    ("load_files", "replaces_as_of", sa.String(32)),
)


def upgrade() -> None:
    # a warehouse may have them already: made by this release's code
    inspector = sa.inspect(op.get_bind())
    for table, name, type_ in COLUMNS:
        if name not in {c["name"] for c in inspector.get_columns(table)}:
            op.add_column(table, sa.Column(name, type_, nullable=True))
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
