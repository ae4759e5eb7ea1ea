"""Schema 7: the Party mart's prev_12, in its period index.

mart_party_attendance gains prev_12, a person's previous Party-member attendance at the
same host area, so that every village of a scope counts its Party members as a city,
county or township does (the rows with prev_12 before the period's start) instead of
hashing the distinct (village, person) pairs of the period. The mart only summarises the
tables, and its layout is the marts' (MARTS_VERSION 5): it is made anew, empty, and the
marts' record of the load they reflect goes with its rows, so every reader reports the
marts stale until `xieshang marts rebuild` (or the next load) writes every mart. The
definition is frozen here, not imported from schema.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

SCHEMA_VERSION = 7
"""The warehouse schema this revision leaves (meta.schema_version)."""

TABLE = "mart_party_attendance"
COUNTY = sa.text("substr(area_code, 1, 6)")
INDEXES = (
    (
        "ix_mart_party_attendance_period",
        ["meeting_date", "prev_6", "prev_9", "prev_12", "area_code"],
    ),
    ("ix_mart_party_attendance_township", ["township", "meeting_date", "prev_9"]),
    ("ix_mart_party_attendance_area", ["area_code", "meeting_date"]),
    ("ix_mart_party_attendance_county", [COUNTY, "meeting_date", "prev_6"]),
    ("ix_mart_party_attendance_city", ["meeting_date", "prev_4"]),
)


def upgrade() -> None:
    # a warehouse may have it already: its marts made by this release's code
    if "prev_12" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns(TABLE)}:
        _made_anew()
    op.execute(
        sa.text("UPDATE meta SET value = :v WHERE key = 'schema_version'").bindparams(
            v=str(SCHEMA_VERSION)
        )
    )


def _made_anew() -> None:
    op.drop_table(TABLE)
    op.create_table(
        TABLE,
        sa.Column("meeting_date", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("area_code", sa.String(12), primary_key=True),
        sa.Column("person_pk", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("meeting_pk", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("form", sa.String(16), nullable=False),
        sa.Column("topic_category", sa.String(16), nullable=False),
        sa.Column("online", sa.Boolean, nullable=False),
        *(sa.Column(f"prev_{n}", sa.Integer, nullable=False) for n in (4, 6, 9, 12)),
        sa.Column("township", sa.String(9), nullable=False),
        sqlite_with_rowid=False,
    )
    for name, columns in INDEXES:
        op.create_index(name, TABLE, columns)
    op.execute(sa.text("DELETE FROM meta WHERE key = 'marts'"))


def downgrade() -> None:
    raise NotImplementedError(
        "a warehouse is never downgraded: restore the backup taken before the upgrade "
        "(docs/deploy.md, Upgrading the schema)"
    )
