"""Schema 4: the marts' county and city indexes.

A county inside a city's roster is read by its code's first six digits, which the
marts' day-led indexes serve only by reading the whole city's period; these indexes,
led by `substr(area_code, 1, 6)`, read the county's own rows, and a city's Party members
by prev_4 come from an index. Only indexes are built: no row changes. The definitions
are frozen here, not imported from schema.py, as the baseline's tables are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SCHEMA_VERSION = 4
"""The warehouse schema this revision leaves (meta.schema_version)."""

COUNTY = sa.text("substr(area_code, 1, 6)")
INDEXES = (
    ("ix_mart_meetings_county", "mart_meetings", [COUNTY, "meeting_date"]),
    ("ix_mart_party_attendance_county", "mart_party_attendance", [COUNTY, "meeting_date", "prev_6"]),
    ("ix_mart_party_attendance_city", "mart_party_attendance", ["meeting_date", "prev_4"]),
    ("ix_mart_resolutions_current_county_due", "mart_resolutions_current", [COUNTY, "due_date"]),
    ("ix_mart_resolutions_current_county_done", "mart_resolutions_current", [COUNTY, "completed_date"]),
    ("ix_mart_resolutions_current_county_meeting", "mart_resolutions_current", [COUNTY, "meeting_date"]),
)  # fmt: skip


def upgrade() -> None:
    for name, table, columns in INDEXES:
        # a warehouse may have them already: its marts made by this release's code
        op.create_index(name, table, columns, if_not_exists=True)
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
