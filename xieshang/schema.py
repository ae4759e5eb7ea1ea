"""The warehouse schema: the one place that names tables, columns and indexes.

Area codes are the 12-digit national statistical codes, whose prefixes *are* the
hierarchy (city 4 digits, county 6, township 9, village 12). "An area and everything
below it" is therefore one range predicate on an indexed code column (see
`scope_range`), never a recursive walk.

Staging is the inbox itself; these tables are the cleaned layer (areas, meetings,
attendance, resolution reports) plus the load bookkeeping (runs, files, rejects, held).
"""

from __future__ import annotations

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
)

SCHEMA_VERSION = 1

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

areas = Table(
    "areas",
    metadata,
    Column("area_code", String(12), primary_key=True),
    Column("area_name", Text, nullable=False),
    Column("parent_code", String(12)),
    Column("level", String(8), nullable=False),  # city | county | township | village
    Column("unit_type", String(4)),
    Column("party_members", Integer, nullable=False),
    Column("population", Integer),
    Column("run_id", String(32), nullable=False),
)

meetings = Table(
    "meetings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("area_code", String(12), nullable=False),
    Column("meeting_id", Text, nullable=False),
    Column("meeting_date", Date, nullable=False),
    Column("month", Integer, nullable=False),  # yyyymm of meeting_date, for regularity
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

persons = Table(
    "persons",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # HMAC-SHA256(secret, normalised person_id), hex. The raw identifier is never stored.
    Column("person_hash", String(64), nullable=False, unique=True),
)

attendance = Table(
    "attendance",
    metadata,
    Column("meeting_pk", Integer, ForeignKey("meetings.id"), primary_key=True),
    Column("person_pk", Integer, ForeignKey("persons.id"), primary_key=True),
    Column("party_member", Boolean, nullable=False),
    Column("category", String(20), nullable=False),
    Column("run_id", String(32), nullable=False),
    Index("ix_attendance_person", "person_pk"),
)

resolution_reports = Table(
    "resolution_reports",
    metadata,
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

load_runs = Table(
    "load_runs",
    metadata,
    Column("run_id", String(32), primary_key=True),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=False),
    Column("loaded_on", Date, nullable=False),  # "the day of loading" of the contract
    Column("inbox", Text, nullable=False),
    Column("operator", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("report", Text, nullable=False),  # the run report as JSON
)

load_files = Table(
    "load_files",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(32), ForeignKey("load_runs.run_id"), nullable=False),
    Column("path", Text, nullable=False),
    Column("sha256", String(64)),
    Column("size", Integer),
    Column("status", String(16), nullable=False),  # loaded | unchanged | skipped | unreadable
    Column("reason", Text),
    Index("ix_load_files_sha256", "sha256"),
)

rejects = Table(
    "rejects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", String(32), ForeignKey("load_runs.run_id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("path", Text, nullable=False),
    Column("sheet", Text),
    Column("row_number", Integer, nullable=False),
    Column("rule", String(32), nullable=False),  # a code of etl.reasons.REASONS
    Column("column_name", Text),
    Column("value", Text),  # redacted for personal columns
    Column("reason_zh", Text, nullable=False),
    Column("reason_en", Text, nullable=False),
    Column("area_code", String(12)),  # as submitted, when it was a valid code
    Column("township_code", String(12)),
    Index("ix_rejects_township", "township_code"),
    Index("ix_rejects_run", "run_id"),
)

held_rows = Table(
    "held_rows",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # attendance | resolutions
    Column("row_key", Text, nullable=False),
    Column("area_code", String(12), nullable=False),
    Column("meeting_id", Text, nullable=False),
    Column("township_code", String(12)),
    Column("run_id", String(32), nullable=False),  # the run that last held it
    Column("path", Text, nullable=False),
    Column("sheet", Text),
    Column("row_number", Integer, nullable=False),
    Column("payload", Text, nullable=False),  # validated values as JSON; person_id already hashed
    UniqueConstraint("kind", "row_key", name="uq_held_rows_key"),
    Index("ix_held_rows_meeting", "area_code", "meeting_id"),
)

LEVEL_PREFIX = {"city": 4, "county": 6, "township": 9, "village": 12}


def level_of(code: str) -> str:
    """The level a 12-digit code names, from its trailing zeros."""
    if code[4:] == "00000000":
        return "city"
    if code[6:] == "000000":
        return "county"
    if code[9:] == "000":
        return "township"
    return "village"


def parent_of(code: str) -> str | None:
    """The code of the area directly above, by the numbering itself."""
    level = level_of(code)
    if level == "village":
        return code[:9] + "000"
    if level == "township":
        return code[:6] + "000000"
    if level == "county":
        return code[:4] + "00000000"
    return None


def township_of(code: str) -> str | None:
    """The township containing a village, or the township itself; None above townships."""
    return code[:9] + "000" if level_of(code) in ("township", "village") else None


def scope_range(code: str) -> tuple[str, str]:
    """(low, high) such that `low <= area_code <= high` selects the area and all below it."""
    width = LEVEL_PREFIX[level_of(code)]
    prefix = code[:width]
    return prefix + "0" * (12 - width), prefix + "9" * (12 - width)
