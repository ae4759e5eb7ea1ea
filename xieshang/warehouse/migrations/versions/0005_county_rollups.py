"""Schema 5: the marts' county rollups (mart_county_days, mart_county_party).

The marts summed by county and day, which an unfiltered county's or city's figures read
when every period starts on the first of a month. The tables are created empty: their
layout is also the marts' (MARTS_VERSION 4), so every reader reports the marts stale
until `xieshang marts rebuild` (or the next load) writes every mart, these included.
The definitions are frozen here, not imported from schema.py.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SCHEMA_VERSION = 5
"""The warehouse schema this revision leaves (meta.schema_version)."""

CATEGORIES = 10  # stakeholder categories: meetings_covered_1 … meetings_covered_10


def _integers(*names: str) -> list[sa.Column]:
    return [sa.Column(name, sa.Integer, nullable=False) for name in names]


def upgrade() -> None:
    # a warehouse may have them already: its marts made by this release's code
    tables = set(sa.inspect(op.get_bind()).get_table_names())
    if "mart_county_days" not in tables:
        op.create_table(
            "mart_county_days",
            sa.Column("area_code", sa.String(6), primary_key=True),
            sa.Column("day", sa.Integer, primary_key=True, autoincrement=False),
            *_integers("meetings", "meetings_led_by_party", "attendance_rows", "party_rows"),
            *_integers(*(f"meetings_covered_{k}" for k in range(1, CATEGORIES + 1))),
            *_integers("stakeholder_mask", "village_firsts"),
            *_integers("resolutions_due", "implemented", "implemented_on_time"),
            *_integers("resolutions_of_meetings", "escalated"),
            sqlite_with_rowid=False,
        )
        op.create_index("ix_mart_county_days_day", "mart_county_days", ["day"])
    if "mart_county_party" not in tables:
        op.create_table(
            "mart_county_party",
            sa.Column("area_code", sa.String(6), primary_key=True),
            sa.Column("day", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("width", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("prev_month", sa.Integer, primary_key=True, autoincrement=False),
            sa.Column("party_rows", sa.Integer, nullable=False),
            sqlite_with_rowid=False,
        )
        op.create_index("ix_mart_county_party_day", "mart_county_party", ["width", "day"])
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
