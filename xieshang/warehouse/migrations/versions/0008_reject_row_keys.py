"""Schema 8: the rejects' row key and the run that superseded them; the months a
file's reading covered.

A rejected row fixed and sent again under another file name (西城街道决议-11月(改).csv)
supersedes its earlier reject: rejects gain row_key, the key of the row when every part
of it was valid, and superseded_by, the run that judged a row of that key again. A file
read again supersedes its path's earlier rejects of the months its rows fall in only:
load_files gains months, and an index on its path for the question. A held row keeps
the run that first held its key: held_rows gains first_run_id. All are nullable
columns (and an index) added in place: the rejects stored
before keep no key, and stay superseded only by their file being read again, and the
readings stored before cover every month, as before. The definition is frozen here,
not imported from schema.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SCHEMA_VERSION = 8
"""The warehouse schema this revision leaves (meta.schema_version)."""

COLUMNS = (
    ("rejects", "row_key", sa.Text),
    ("rejects", "superseded_by", sa.String(32)),
    ("load_files", "months", sa.Text),
    ("held_rows", "first_run_id", sa.String(32)),
)


def upgrade() -> None:
    # a warehouse may have them already: made by this release's code
    inspector = sa.inspect(op.get_bind())
    for table, name, type_ in COLUMNS:
        if name not in {c["name"] for c in inspector.get_columns(table)}:
            op.add_column(table, sa.Column(name, type_, nullable=True))
    op.create_index("ix_load_files_path", "load_files", ["path"], if_not_exists=True)
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
