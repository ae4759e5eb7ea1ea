"""Schema 8: the rejects' row key, and the run that superseded them.

A rejected row fixed and sent again under another file name (西城街道决议-11月(改).csv)
supersedes its earlier reject: rejects gain row_key, the key of the row when every part
of it was valid, and superseded_by, the run that judged a row of that key again. Both
are nullable columns added in place: the rejects stored before keep no key, and stay
superseded only by their file being read again, as before. The definition is frozen
here, not imported from schema.py.
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

COLUMNS = (("row_key", sa.Text), ("superseded_by", sa.String(32)))


def upgrade() -> None:
    # a warehouse may have them already: made by this release's code
    present = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("rejects")}
    for name, type_ in COLUMNS:
        if name not in present:
            op.add_column("rejects", sa.Column(name, type_, nullable=True))
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
