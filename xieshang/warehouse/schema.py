"""The warehouse schema: the one place that names tables, columns and indexes.

Area codes are the 12-digit national statistical codes, whose prefixes *are* the
hierarchy (city 4 digits, county 6, township 9, village 12). "An area and everything
below it" is therefore one range predicate on an indexed code column (see
`xieshang.warehouse.codes.scope_range`), never a recursive walk.

Staging is the inbox itself; these tables are the cleaned layer (areas, meetings,
attendance, resolution reports) plus the load bookkeeping (runs, files, rejects, held).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
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
    func,
    literal_column,
)

SCHEMA_VERSION = 11  # 2: users and audit_log; 3: submissions (columns added in place);
# 4: the marts' county and city indexes (added in place); 5: the marts' county rollups;
# 6: the reports' day index (added in place); 7: the Party mart's prev_12 (made anew);
# 8: the rejects' row key and the run that superseded them, the months a file's reading
# covered (columns added in place); 9: the reading a reject's row came from, and the one a
# marked-up workbook answers (columns added in place); 10: a file's size in a 64-bit
# integer (widened in place on PostgreSQL); 11: a held sign-in row's month (a column
# added in place)

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
    # 报送情况 counts a month's reports of every unit of a scope: without it, every
    # report of a 10-county city is read (230-250 ms)
    Index("ix_resolution_reports_updated", "updated_on"),
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
    # bytes: a file refused for its size may pass 2 GiB; SQLite's INTEGER is 64-bit already
    Column("size", BigInteger().with_variant(Integer, "sqlite")),
    Column("status", String(16), nullable=False),  # loaded | unchanged | skipped | unreadable
    Column("reason", Text),
    # the township the file came from: its submitting user's, else one its folder or name
    # names (None when neither says)
    Column("township_code", String(12)),
    # the path of an earlier file this one answers (a marked-up rejects workbook carries
    # it): reading this file supersedes that file's rejects as a re-read of it would
    Column("replaces", Text),
    # the reading of `replaces` whose rejects the workbook marks, by its run: reading this
    # file supersedes those only (None: a workbook made before schema 9, every reading's)
    Column("replaces_run", String(32)),
    # the run after which the workbook was made: that reading's rows rejected later (a held
    # row, when its meeting came) are not in it, nor superseded by it
    Column("replaces_as_of", String(32)),
    # the months of a loaded file's rows (",202510,202511,") when its path had rejects
    # before: reading it supersedes that path's earlier rejects of these months only;
    # None: every month (a reading before schema 8, or of a path without rejects)
    Column("months", Text),
    Index("ix_load_files_sha256", "sha256"),
    # whether a reject's file was read again with rows of its month, asked per reject
    Index("ix_load_files_path", "path"),
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
    Column("rule", String(32), nullable=False),  # a code of xieshang.contract.reasons.REASONS
    Column("column_name", Text),
    Column("value", Text),  # redacted for personal columns
    Column("reason_zh", Text, nullable=False),
    Column("reason_en", Text, nullable=False),
    Column("area_code", String(12)),  # as submitted, when it was a valid code
    # the area's township when it is in the roster, else the file's (load_files.township_code)
    Column("township_code", String(12)),
    Column("header", Text),  # column_name as the file's own header row names it
    Column("month", Integer),  # yyyymm of the row's date when it is known
    # the row's key (etl.validate.ROW_KEYS, a person hashed) when every part of it is valid
    Column("row_key", Text),
    # the later run that judged a row of the same key again (sent under any file name)
    Column("superseded_by", String(32)),
    # the run whose reading of the file gave the row (path and row_number are that
    # reading's): its own, or for a held row rejected when its meeting came, the run that
    # last held it; None before schema 9 (read as run_id)
    Column("read_run_id", String(32)),
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
    # the run that first held a row of this key (a row sent again keeps it); None for a
    # row held before schema 8: its run_id's
    Column("first_run_id", String(32)),
    # yyyymm a held sign-in row counts in (报送情况): its file's one month, as a reject
    # without a month of its own gets (etl.merge.Run.write_held); None when the file has
    # no such month, for a report (its update day ends its key) and for a row held before
    # schema 11: the month of its first_run_id's day
    Column("month", Integer),
    Column("path", Text, nullable=False),
    Column("sheet", Text),
    Column("row_number", Integer, nullable=False),
    Column("payload", Text, nullable=False),  # validated values as JSON; person_id already hashed
    UniqueConstraint("kind", "row_key", name="uq_held_rows_key"),
    Index("ix_held_rows_meeting", "area_code", "meeting_id"),
)

# --- Marts ---------------------------------------------------------------------------
# Summaries of the tables above that the metrics (xieshang.metrics) read, so that every
# figure for a county and five years answers in milliseconds. They hold nothing new:
# xieshang.marts.refresh(conn) rebuilds them from the tables above inside the load's
# transaction (or by `xieshang marts rebuild`); the metrics refuse stale marts. Only areas
# of the roster appear in them. Sorted storage (WITHOUT ROWID on SQLite) keeps a period
# or an area one contiguous range. Days are stored as day numbers (Integer: days since
# 1970-01-01, xieshang.marts.day_number), which compare and subtract alike on SQLite and
# PostgreSQL and keep the indexes small; marts.PAST and marts.FUTURE mark "none before"
# and "still valid".

from sqlalchemy import text  # noqa: E402 (kept with the marts: the section is appended)

from xieshang.contract.columns import STAKEHOLDER_CATEGORIES  # noqa: E402

mart_meetings = Table(
    "mart_meetings",
    metadata,
    Column("meeting_date", Integer, primary_key=True, autoincrement=False),
    Column("area_code", String(12), primary_key=True),
    Column("meeting_pk", Integer, primary_key=True, autoincrement=False),
    Column("is_village", Boolean, nullable=False),  # host is a village of the roster
    Column("month", Integer, nullable=False),
    # the host's previous meeting in the same calendar month (0001-01-01 if none): the
    # first meeting of a (village, month) inside [s, e] is the one with prev < s
    Column("prev_in_month", Integer, nullable=False),
    Column("form", String(16), nullable=False),
    Column("topic_category", String(16), nullable=False),
    Column("online", Boolean, nullable=False),
    Column("led_by_party", Boolean, nullable=False),
    Column("attendance_rows", Integer, nullable=False),
    Column("party_rows", Integer, nullable=False),
    Column("stakeholder_categories", Integer, nullable=False),  # distinct, 0..10
    # bit k set when an attendee has contract.STAKEHOLDER_CATEGORIES[k]
    Column("stakeholder_mask", Integer, nullable=False),
    Index("ix_mart_meetings_area", "area_code", "meeting_date"),
    sqlite_with_rowid=False,
)

# Attendance rows of Party members. prev_N is the day of the same person's previous
# Party-member attendance among meetings whose host code shares the first N digits
# (N = 4 city, 6 county, 9 township, 12 the host itself); marts.PAST when none. Within a
# scope of that level a person counts once in [s, e] through their first row there, the
# one with prev_N < s: distinct counting without a sort. (One village, a few hundred rows
# a year, counts distinct persons directly; a city's villages, each by prev_12.)
mart_party_attendance = Table(
    "mart_party_attendance",
    metadata,
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
    Column("prev_12", Integer, nullable=False),
    Column("township", String(9), nullable=False),  # first 9 digits of area_code
    # covering indexes: the whole roster, a county, or every township or village by
    # period (a 10-county city's villages over a year: 913 → 45–53 ms, against hashing
    # the distinct (village, person) pairs of a million rows); a township by period; an
    # area by period
    Index(
        "ix_mart_party_attendance_period",
        "meeting_date",
        "prev_6",
        "prev_9",
        "prev_12",
        "area_code",
    ),
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
        # open (not_started | in_progress) | implemented | cancelled: no figure tells
        # not_started from in_progress, so a step between them is no new state
        Column("status", String(16), nullable=False),
        Column("due_date", Integer, nullable=False),
        # completed_date, days_to_implement and satisfaction only when implemented
        Column("completed_date", Integer),
        Column("days_to_implement", Integer),  # completed_date - meeting_date
        Column("satisfaction", Float),
        Column("escalated", Boolean, nullable=False),
    ]


# Every state a resolution has been in: one row per run of consecutive reports that
# agree on everything a figure reads, valid on [valid_from, valid_to) (valid_to
# 9999-12-31 for the latest). overdue_from is the first day it is overdue and still in
# this state (open and due_date < that day), when there is one; only those rows are in
# the overdue index.
mart_resolution_states = Table(
    "mart_resolution_states",
    metadata,
    Column("area_code", String(12), primary_key=True),  # the host meeting's area
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

# The latest state of every resolution: its state on any day on or after the last
# report in the warehouse (the usual as_of), without the validity test.
mart_resolutions_current = Table(
    "mart_resolutions_current",
    metadata,
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

# Data-quality events between consecutive reports of one resolution (keyed as the
# reports are): kind 'status_backwards' (implemented/cancelled -> open, in_progress ->
# not_started) or 'due_later' (due_date moved later). old/new are statuses or ISO dates.
mart_resolution_events = Table(
    "mart_resolution_events",
    metadata,
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

# A county inside a city's roster is selected by its code's first six digits
# (metrics.statements: substr(area_code, 1, 6) = …), which the indexes above, led by the
# day, serve only by reading the whole city's period. These, led by that expression,
# read the county's own rows (3-county warehouse, a county's year: 44–55 → 17 ms); a
# city's Party members by prev_4 read from an index, not the table.
COUNTY_OF_AREA = func.substr(literal_column("area_code"), literal_column("1"), literal_column("6"))
COUNTY_INDEXES = (
    Index("ix_mart_meetings_county", COUNTY_OF_AREA, mart_meetings.c.meeting_date),
    Index(
        "ix_mart_party_attendance_county",
        COUNTY_OF_AREA,
        mart_party_attendance.c.meeting_date,
        mart_party_attendance.c.prev_6,
    ),
    Index(
        "ix_mart_party_attendance_city",
        mart_party_attendance.c.meeting_date,
        mart_party_attendance.c.prev_4,
    ),
    Index(
        "ix_mart_resolutions_current_county_due",
        COUNTY_OF_AREA,
        mart_resolutions_current.c.due_date,
    ),
    Index(
        "ix_mart_resolutions_current_county_done",
        COUNTY_OF_AREA,
        mart_resolutions_current.c.completed_date,
    ),
    Index(
        "ix_mart_resolutions_current_county_meeting",
        COUNTY_OF_AREA,
        mart_resolutions_current.c.meeting_date,
    ),
)

# The marts above summed by county (area_code here holds the first six digits of the
# hosts' codes) and day: what an unfiltered view of a county or a city adds up when its
# periods start on the first of a month (xieshang.metrics.statements, "rollups"). A
# city's year reads some 3,650 rows a table instead of 100,000 of each mart above.
# Days and sums as in the marts they come from.
mart_county_days = Table(
    "mart_county_days",
    metadata,
    Column("area_code", String(6), primary_key=True),
    Column("day", Integer, primary_key=True, autoincrement=False),
    # the meetings held that day (mart_meetings)
    Column("meetings", Integer, nullable=False),
    Column("meetings_led_by_party", Integer, nullable=False),
    Column("attendance_rows", Integer, nullable=False),
    Column("party_rows", Integer, nullable=False),
    # meetings_covered_k: meetings whose attendees have k or more stakeholder categories
    # (the threshold is the metrics' setting, read when a figure is computed)
    *(
        Column(f"meetings_covered_{k}", Integer, nullable=False)
        for k in range(1, len(STAKEHOLDER_CATEGORIES) + 1)
    ),
    Column("stakeholder_mask", Integer, nullable=False),  # bit k: some meeting had category k
    # village meetings that are their village's first of the calendar month
    Column("village_firsts", Integer, nullable=False),
    # the resolutions (latest state, not cancelled) due that day
    Column("resolutions_due", Integer, nullable=False),
    Column("implemented", Integer, nullable=False),
    Column("implemented_on_time", Integer, nullable=False),
    # the resolutions (latest state, not cancelled) of the meetings held that day
    Column("resolutions_of_meetings", Integer, nullable=False),
    Column("escalated", Integer, nullable=False),
    Index("ix_mart_county_days_day", "day"),
    sqlite_with_rowid=False,
)

# Party-member attendance rows (mart_party_attendance) by county, day and the first day
# of the month of prev_<width> (width 4, city, when the roster has one; 6, county): a
# period that starts on the first of a month counts a person through the row whose
# prev_month is before its start.
mart_county_party = Table(
    "mart_county_party",
    metadata,
    Column("area_code", String(6), primary_key=True),
    Column("day", Integer, primary_key=True, autoincrement=False),
    Column("width", Integer, primary_key=True, autoincrement=False),
    Column("prev_month", Integer, primary_key=True, autoincrement=False),
    Column("party_rows", Integer, nullable=False),
    Index("ix_mart_county_party_day", "width", "day"),
    sqlite_with_rowid=False,
)

MART_TABLES = (
    mart_meetings,
    mart_party_attendance,
    mart_resolution_states,
    mart_resolutions_current,
    mart_resolution_events,
    mart_county_days,
    mart_county_party,
)
ROLLUP_TABLES = (mart_county_days, mart_county_party)

# --- Users and the audit log ---------------------------------------------------------
# Who may sign in to the dashboard (xieshang.access) and what was done (audit_log). Times
# are UTC without a zone, alike on SQLite and PostgreSQL; xieshang.access shows them in
# the server's local time.

users = Table(
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),  # leader | evaluator | staff | admin
    Column("township", String(12)),  # staff only: the township they see
    # argon2id, in the PHC string format argon2-cffi writes (parameters and salt included)
    Column("password_hash", Text, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_sign_in", DateTime),
    # part of every session's identity: raising it (new password, disable, sign-out)
    # ends the user's open sessions at their next request
    Column("session_epoch", Integer, nullable=False),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime, nullable=False),
    Column("user_name", String(64)),  # as typed, for a failed sign-in of an unknown name
    Column("action", String(32), nullable=False),  # a code of xieshang.access.audit.ACTIONS
    Column("address", String(64)),  # the client's address, for what came over HTTP
    Column("file", Text),
    Column("scope", String(12)),
    Column("period_from", Date),
    Column("period_to", Date),
    Column("detail", Text),  # JSON object, or null
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_user", "user_name", "at"),
)
