"""Baseline: the warehouse as schema 3 has it, and the bridge from any older one.

Revision 0003, the first Alembic knows. Warehouses made before Alembic (by
`ensure_schema` of releases 1 to 3) carry no Alembic revision; `migrations.upgrade`
stamps one that records schema 3 with this revision and runs nothing, and runs this
revision on anything older or empty:

- an empty database gets every table of schema 3;
- schema 1 gets the tables it lacks (users, audit_log);
- schema 2 gets the nullable columns release 3 added — load_files.township_code and
  .replaces, rejects.header and .month — its rows kept, the new columns empty;

and the recorded schema version becomes 3. The tables are a frozen copy of
xieshang/warehouse/schema.py as of schema 3, not an import of it: a later revision
changes schema.py, and this one must go on making schema 3.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

revision = "0003"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA_VERSION = 3
"""The warehouse schema this revision leaves (meta.schema_version)."""

SCHEMA_3 = MetaData()

meta = Table(
    "meta",
    SCHEMA_3,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

Table(
    "areas",
    SCHEMA_3,
    Column("area_code", String(12), primary_key=True),
    Column("area_name", Text, nullable=False),
    Column("parent_code", String(12)),
    Column("level", String(8), nullable=False),
    Column("unit_type", String(4)),
    Column("party_members", Integer, nullable=False),
    Column("population", Integer),
    Column("run_id", String(32), nullable=False),
)

Table(
    "meetings",
    SCHEMA_3,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("area_code", String(12), nullable=False),
    Column("meeting_id", Text, nullable=False),
    Column("meeting_date", Date, nullable=False),
    Column("month", Integer, nullable=False),
    Column("form", String(16), nullable=False),
    Column("topic", Text, nullable=False),
    Column("topic_category", String(16), nullable=False),
    Column("topic_source", String(16), nullable=False),
    Column("led_by_party", Boolean, nullable=False),
    Column("online", Boolean, nullable=False),
    Column("run_id", String(32), nullable=False),
    UniqueConstraint("area_code", "meeting_id", name="uq_meetings_key"),
    Index("ix_meetings_area_date", "area_code", "meeting_date"),
    Index("ix_meetings_date", "meeting_date"),
)

Table(
    "persons",
    SCHEMA_3,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("person_hash", String(64), nullable=False, unique=True),
)

Table(
    "attendance",
    SCHEMA_3,
    Column("meeting_pk", Integer, ForeignKey("meetings.id"), primary_key=True),
    Column("person_pk", Integer, ForeignKey("persons.id"), primary_key=True),
    Column("party_member", Boolean, nullable=False),
    Column("category", String(20), nullable=False),
    Column("run_id", String(32), nullable=False),
    Index("ix_attendance_person", "person_pk"),
)

Table(
    "resolution_reports",
    SCHEMA_3,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("area_code", String(12), nullable=False),
    Column("resolution_id", Text, nullable=False),
    Column("updated_on", Date, nullable=False),
    Column("meeting_pk", Integer, ForeignKey("meetings.id"), nullable=False),
    Column("meeting_id", Text, nullable=False),
    Column("content", Text, nullable=False),
    Column("responsible_unit", Text, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("completed_date", Date),
    Column("satisfaction", Float),
    Column("in_assessment", Boolean, nullable=False),
    Column("escalated_to", String(12)),
    Column("run_id", String(32), nullable=False),
    UniqueConstraint("area_code", "resolution_id", "updated_on", name="uq_resolution_reports_key"),
    Index("ix_resolution_reports_meeting", "meeting_pk"),
    Index("ix_resolution_reports_due", "area_code", "due_date"),
)

Table(
    "load_runs",
    SCHEMA_3,
    Column("run_id", String(32), primary_key=True),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=False),
    Column("loaded_on", Date, nullable=False),
    Column("inbox", Text, nullable=False),
    Column("operator", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("report", Text, nullable=False),
)

Table(
    "load_files",
    SCHEMA_3,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(32), ForeignKey("load_runs.run_id"), nullable=False),
    Column("path", Text, nullable=False),
    Column("sha256", String(64)),
    Column("size", Integer),
    Column("status", String(16), nullable=False),
    Column("reason", Text),
    Column("township_code", String(12)),
    Column("replaces", Text),
    Index("ix_load_files_sha256", "sha256"),
)

Table(
    "rejects",
    SCHEMA_3,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(32), ForeignKey("load_runs.run_id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("path", Text, nullable=False),
    Column("sheet", Text),
    Column("row_number", Integer, nullable=False),
    Column("rule", String(32), nullable=False),
    Column("column_name", Text),
    Column("value", Text),
    Column("reason_zh", Text, nullable=False),
    Column("reason_en", Text, nullable=False),
    Column("area_code", String(12)),
    Column("township_code", String(12)),
    Column("header", Text),
    Column("month", Integer),
    Index("ix_rejects_township", "township_code"),
    Index("ix_rejects_run", "run_id"),
)

Table(
    "held_rows",
    SCHEMA_3,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("row_key", Text, nullable=False),
    Column("area_code", String(12), nullable=False),
    Column("meeting_id", Text, nullable=False),
    Column("township_code", String(12)),
    Column("run_id", String(32), nullable=False),
    Column("path", Text, nullable=False),
    Column("sheet", Text),
    Column("row_number", Integer, nullable=False),
    Column("payload", Text, nullable=False),
    UniqueConstraint("kind", "row_key", name="uq_held_rows_key"),
    Index("ix_held_rows_meeting", "area_code", "meeting_id"),
)

Table(
    "mart_meetings",
    SCHEMA_3,
    Column("meeting_date", Integer, primary_key=True, autoincrement=False),
    Column("area_code", String(12), primary_key=True),
    Column("meeting_pk", Integer, primary_key=True, autoincrement=False),
    Column("is_village", Boolean, nullable=False),
    Column("month", Integer, nullable=False),
    Column("prev_in_month", Integer, nullable=False),
    Column("form", String(16), nullable=False),
    Column("topic_category", String(16), nullable=False),
    Column("online", Boolean, nullable=False),
    Column("led_by_party", Boolean, nullable=False),
    Column("attendance_rows", Integer, nullable=False),
    Column("party_rows", Integer, nullable=False),
    Column("stakeholder_categories", Integer, nullable=False),
    Column("stakeholder_mask", Integer, nullable=False),
    Index("ix_mart_meetings_area", "area_code", "meeting_date"),
    sqlite_with_rowid=False,
)

Table(
    "mart_party_attendance",
    SCHEMA_3,
    Column("meeting_date", Integer, primary_key=True, autoincrement=False),
    Column("area_code", String(12), primary_key=True),
    Column("person_pk", Integer, primary_key=True, autoincrement=False),
    Column("meeting_pk", Integer, primary_key=True, autoincrement=False),
    Column("form", String(16), nullable=False),
    Column("topic_category", String(16), nullable=False),
    Column("online", Boolean, nullable=False),
    Column("prev_4", Integer, nullable=False),
    Column("prev_6", Integer, nullable=False),
    Column("prev_9", Integer, nullable=False),
    Column("township", String(9), nullable=False),
    Index("ix_mart_party_attendance_period", "meeting_date", "prev_6", "prev_9"),
    Index("ix_mart_party_attendance_township", "township", "meeting_date", "prev_9"),
    Index("ix_mart_party_attendance_area", "area_code", "meeting_date"),
    sqlite_with_rowid=False,
)


def _resolution_columns() -> list[Column]:
    """A resolution's state as one report gives it, with its meeting's attributes."""
    return [
        Column("meeting_pk", Integer, nullable=False),
        Column("meeting_date", Integer, nullable=False),
        Column("form", String(16), nullable=False),
        Column("topic_category", String(16), nullable=False),
        Column("online", Boolean, nullable=False),
        Column("status", String(16), nullable=False),
        Column("due_date", Integer, nullable=False),
        Column("completed_date", Integer),
        Column("days_to_implement", Integer),
        Column("satisfaction", Float),
        Column("escalated", Boolean, nullable=False),
    ]


Table(
    "mart_resolution_states",
    SCHEMA_3,
    Column("area_code", String(12), primary_key=True),
    Column("resolution_id", Text, primary_key=True),
    Column("valid_from", Integer, primary_key=True, autoincrement=False),
    Column("valid_to", Integer, nullable=False),
    *_resolution_columns(),
    Column("overdue_from", Integer),
    Index(
        "ix_mart_resolution_states_due",
        "due_date",
        "valid_from",
        "valid_to",
        "status",
        "completed_date",
    ),
    Index(
        "ix_mart_resolution_states_overdue",
        "valid_to",
        "overdue_from",
        sqlite_where=text("overdue_from IS NOT NULL"),
        postgresql_where=text("overdue_from IS NOT NULL"),
    ),
    Index(
        "ix_mart_resolution_states_done",
        "completed_date",
        "valid_from",
        "valid_to",
        "days_to_implement",
        "satisfaction",
    ),
    Index(
        "ix_mart_resolution_states_meeting",
        "meeting_date",
        "valid_from",
        "valid_to",
        "status",
        "escalated",
    ),
    sqlite_with_rowid=False,
)

Table(
    "mart_resolutions_current",
    SCHEMA_3,
    Column("area_code", String(12), primary_key=True),
    Column("resolution_id", Text, primary_key=True),
    Column("updated_on", Integer, nullable=False),
    *_resolution_columns(),
    Index("ix_mart_resolutions_current_due", "due_date", "status", "completed_date"),
    Index("ix_mart_resolutions_current_open", "status", "due_date"),
    Index(
        "ix_mart_resolutions_current_done", "completed_date", "days_to_implement", "satisfaction"
    ),
    Index("ix_mart_resolutions_current_meeting", "meeting_date", "status", "escalated"),
    sqlite_with_rowid=False,
)

Table(
    "mart_resolution_events",
    SCHEMA_3,
    Column("area_code", String(12), primary_key=True),
    Column("resolution_id", Text, primary_key=True),
    Column("updated_on", Date, primary_key=True),
    Column("kind", String(20), primary_key=True),
    Column("previous_updated_on", Date, nullable=False),
    Column("old_value", String(16), nullable=False),
    Column("new_value", String(16), nullable=False),
    Column("meeting_id", Text, nullable=False),
    sqlite_with_rowid=False,
)

Table(
    "users",
    SCHEMA_3,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("township", String(12)),
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_sign_in", DateTime),
    Column("session_epoch", Integer, nullable=False),
)

Table(
    "audit_log",
    SCHEMA_3,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("user_name", String(64)),
    Column("action", String(32), nullable=False),
    Column("address", String(64)),
    Column("file", Text),
    Column("scope", String(12)),
    Column("period_from", Date),
    Column("period_to", Date),
    Column("detail", Text),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_user", "user_name", "at"),
)


def upgrade() -> None:
    bind = op.get_bind()
    SCHEMA_3.create_all(bind, checkfirst=True)
    inspector = sa.inspect(bind)
    for table in SCHEMA_3.sorted_tables:
        present = {c["name"] for c in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in present:
                # only ever a nullable column: releases never rewrite rows to migrate
                op.add_column(table.name, column._copy())
    recorded = bind.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version"))
    if recorded.scalar() is None:
        op.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
    else:
        op.execute(
            meta.update().where(meta.c.key == "schema_version").values(value=str(SCHEMA_VERSION))
        )


def downgrade() -> None:
    raise NotImplementedError(
        "a warehouse is never downgraded: restore the backup taken before the upgrade "
        "(docs/deploy.md, Upgrading the schema)"
    )
