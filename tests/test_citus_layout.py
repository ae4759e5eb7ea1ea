"""The Citus layout of docs/deploy.md ("Province scale"), checked by code
(xieshang.warehouse.citus).

Every query the dashboard's pages run is captured as SQLAlchemy sends it, at each scope
level, with and without a filter, for a period whose as_of is before the last report
(the historic resolution marts) and one after it (the current ones), and read as
Citus' planner would: a scope of a county or below runs on that county's shard alone,
a city's on its counties' shards, each finishing there or with partial aggregates the
coordinator adds up — with the exceptions listed here, each a change docs/deploy.md
names. The marts' refresh is read the same way. On PostgreSQL the preparation of the
layout (county_code columns and keys) runs on a loaded warehouse, as a single-node
stand-in for the Citus cluster.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers.builder_county import COUNTY, T1, V11, build_county
from xieshang import marts, metrics
from xieshang.metrics import Filters, catalog, quality, submissions
from xieshang.metrics import assessment as assessments
from xieshang.warehouse import citus, schema
from xieshang.warehouse.citus import ALL, CITY, DISTINCT, ONE, PARTIAL, ROWS, WORKERS
from xieshang.warehouse.engine import open_warehouse

CITY_A = "330200000000"  # 示范县 (330281) and 乙县 (330282)
CITY_B = "330300000000"  # 丙县 (330302)
HISTORIC = (date(2025, 1, 1), date(2025, 3, 31))  # as_of before the last report (04-05)
CURRENT = (date(2025, 1, 1), date(2025, 4, 30))  # as_of the last load (04-10)

SUBMISSIONS_JOIN = "joined without the county: attendance | meetings"
OVERDUE_JOIN = "joined without the county: mart_resolution_states | meetings"


def two_cities(engine: sa.Engine, directory) -> None:
    """示范县 of tests/helpers/builder_county in 甲市, beside 乙县 (a village with a
    meeting, a Party member and an overdue resolution); 丙市 with 丙县 and a village that
    met once."""
    b = build_county()
    b.area(CITY_A, party_members=3, name="甲市")
    b.area("330282000000", party_members=3, name="乙县")
    b.area("330282101000", party_members=3, name="乙镇")
    b.area("330282101201", party_members=3, name="乙村")
    m = b.meeting("330282101201", "2025-02-02", category="roads")
    b.attend(m, "zed", party=True, category="npc_deputy")
    b.report(m, "Z1", "2025-03-01", status="in_progress", due="2025-03-10")
    b.area(CITY_B, party_members=3, name="丙市")
    b.area("330302000000", party_members=3, name="丙县")
    b.area("330302101000", party_members=3, name="丙镇")
    b.area("330302101201", party_members=3, name="丙村")
    b.meeting("330302101201", "2025-03-03")
    b.write(engine)


Call = Callable[[sa.Engine, str, tuple, Filters], object]

# The reads of xieshang/dashboard/data.py, each as the pages make it.
READS: dict[str, Call] = {
    "figures": lambda e, s, p, f: metrics.figures(e, s, *p, f),
    "figures_by_child": lambda e, s, p, f: metrics.figures_by_child(e, s, *p, f),
    "monthly_series": lambda e, s, p, f: metrics.monthly_series(e, s, *p, f),
    "stakeholder_reach": lambda e, s, p, f: metrics.stakeholder_reach(e, s, *p, f),
    "days_histogram": lambda e, s, p, f: metrics.days_to_implement_histogram(e, s, *p, f),
    "open_due_by_status": lambda e, s, p, f: metrics.open_due_by_status(e, s, *p, f),
    "assessment": lambda e, s, p, f: assessments.assessment(
        e, "village" if s[6:9] != "000" else "township", s, *p, filters=f
    ),
    "quality_summary": lambda e, s, p, f: quality.summary(e, s, *p, f),
    "overdue_resolutions": lambda e, s, p, f: quality.overdue_resolutions(e, s, *p, f),
    "resolution_events": lambda e, s, p, f: quality.resolution_events(e, s, *p),
    "held_and_rejected": lambda e, s, p, f: quality.held_and_rejected(e, s),
    "rejected_rows": lambda e, s, p, f: quality.rejected_rows(e, s),
    "held_rows": lambda e, s, p, f: quality.held_rows(e, s),
    "submission_status": lambda e, s, p, f: submissions.submission_status(e, "2025-02", s),
    "directory": lambda e, s, p, f: (
        catalog.area_directory(e),
        catalog.data_version(e),
        catalog.first_meeting_day(e),
        catalog.load_runs(e),
        metrics.root_area(e),
        metrics.last_load_day(e),
    ),
}


def _captured(engine: sa.Engine, action: Callable[[], object]) -> list[tuple]:
    """(statement, bound values) of every statement `action()` executes."""
    sent: list[tuple] = []

    def record(conn, clause, multiparams, params, options):
        sent.append((clause, dict(params or (multiparams[0] if multiparams else {}))))

    sa.event.listen(engine, "before_execute", record)
    try:
        action()
    finally:
        sa.event.remove(engine, "before_execute", record)
    return sent


def _placed(engine: sa.Engine, scope: str, *, village: bool = False) -> dict[str, set]:
    """Per read: the (shards, finish, problems) of every statement it ran at `scope`,
    over both periods, unfiltered and filtered."""
    out: dict[str, set] = {}
    for name, read in READS.items():
        if village and name in ("figures_by_child", "assessment"):
            continue  # a village has no children: the pages do not ask
        for period in (HISTORIC, CURRENT):
            for filters in (Filters(), Filters(form="council")):
                sent = _captured(engine, lambda: read(engine, scope, period, filters))  # noqa: B023
                for clause, params in sent:
                    found = citus.placement(clause, params)
                    if found is not None:
                        out.setdefault(name, set()).add(
                            (found.shards, found.finish, found.problems)
                        )
    return out


def _same_for_every_read(placed: dict[str, set], expected: set, **exceptions: set) -> None:
    for name, found in placed.items():
        assert found == exceptions.get(name, expected), name


# The roster-wide reads: where the data begin (catalog.first_meeting_day, and the first
# month of submissions): every shard's minimum, the least of them on the coordinator.
WHERE_DATA_BEGIN = (ALL, PARTIAL, ())


def test_the_layout_places_every_table_once():
    placed = [*citus.DISTRIBUTED, *citus.REFERENCE, *citus.COORDINATOR]
    assert sorted(placed) == sorted(schema.metadata.tables)
    assert {t.name for t in schema.MART_TABLES} < set(citus.DISTRIBUTED)
    assert citus.distribute_statements() == [
        "SELECT create_reference_table('areas')",
        "SELECT create_reference_table('held_rows')",
        "SELECT create_reference_table('load_runs')",
        "SELECT create_reference_table('meta')",
        "SELECT create_reference_table('persons')",
        # after load_runs, which their foreign keys name
        "SELECT create_reference_table('load_files')",
        "SELECT create_reference_table('rejects')",
        "SELECT create_distributed_table('meetings', 'county_code')",
        *(
            f"SELECT create_distributed_table('{name}', 'county_code', colocate_with => 'meetings')"
            for name in (
                "attendance",
                "resolution_reports",
                "mart_meetings",
                "mart_party_attendance",
                "mart_resolution_states",
                "mart_resolutions_current",
                "mart_resolution_events",
                "mart_county_days",
                "mart_county_party",
            )
        ),
    ]


@pytest.mark.warehouse(fill=two_cities)
@pytest.mark.parametrize("scope", [V11, T1, COUNTY])
def test_a_county_or_below_runs_on_its_county_s_shard(engine, scope):
    placed = _placed(engine, scope, village=scope == V11)
    _same_for_every_read(
        placed,
        {(ONE, WORKERS, ())},
        # the list of overdue resolutions joins their meeting by its id alone
        overdue_resolutions={(ALL, ROWS, (OVERDUE_JOIN,))},
        # attendance joins its meeting by its id alone; where the data begin
        submission_status={
            (ONE, WORKERS, ()),
            (ALL, WORKERS, (SUBMISSIONS_JOIN,)),
            WHERE_DATA_BEGIN,
        },
        directory={WHERE_DATA_BEGIN},
    )


@pytest.mark.warehouse(fill=two_cities)
def test_a_city_runs_on_its_counties_shards(engine):
    placed = _placed(engine, CITY_A)
    # one figure for the whole city: each shard's counts, added up; with a filter the
    # Party members attending are counted distinct across counties (a person may attend
    # in two); the single-period stakeholder breadth is a max per category, partial too
    figures = {(CITY, PARTIAL, ()), (CITY, DISTINCT, ())}
    by_county = {(CITY, WORKERS, ())}  # grouped by county (or finer): done on the shards
    _same_for_every_read(
        placed,
        {(CITY, PARTIAL, ())},
        figures=figures,
        monthly_series={(CITY, PARTIAL, ()), (CITY, DISTINCT, ())},
        figures_by_child=by_county,
        assessment=by_county,
        open_due_by_status=by_county,
        stakeholder_reach={(CITY, PARTIAL, ()), (CITY, WORKERS, ())},
        quality_summary=figures | by_county | {(CITY, ROWS, ())},  # the events list
        resolution_events={(CITY, ROWS, ())},
        overdue_resolutions={(ALL, ROWS, (OVERDUE_JOIN,))},
        submission_status={
            (CITY, WORKERS, ()),
            # whether the city's own organ hosts meetings: its code, one shard's
            (ONE, WORKERS, ()),
            (ALL, WORKERS, (SUBMISSIONS_JOIN,)),
            WHERE_DATA_BEGIN,
        },
        directory={WHERE_DATA_BEGIN},
    )
    assert set(placed) == set(READS) - {"held_and_rejected", "rejected_rows", "held_rows"}


def test_the_marts_refresh_on_citus_needs_the_county_in_four_places(tmp_path):
    engine = open_warehouse(f"sqlite:///{tmp_path / 'w.sqlite'}")
    two_cities(engine, tmp_path)
    with engine.begin() as conn:
        sent = _captured(engine, lambda: marts.refresh(conn))
    placed = [citus.placement(clause, params) for clause, params in sent]
    problems = [problem for p in placed if p is not None for problem in p.problems]
    assert problems == [
        # mart_meetings: meetings with their attendance counted per meeting id
        "joined without the county: m | (attendance)",
        # mart_party_attendance: attendance with its meeting; a member's previous
        # attendance over all their rows, with their first and last area (one window
        # for a member of one area); and prev_4, the previous attendance anywhere in
        # the city, for a member of several
        "joined without the county: attendance | m",
        "a window partitioned by attendance.person_pk, not within a county",
        "a window partitioned by party_rows.person_pk, substr(party_rows.area_code, 1, 4), "
        "not within a county",
        # mart_resolution_states: a report's states with their meeting
        "joined without the county: spans | meetings",
    ]
    engine.dispose()


@pytest.mark.postgres
def test_the_prepared_layout_holds_on_a_loaded_warehouse(pg_databases, tmp_path):
    """prepare_statements on plain PostgreSQL: every row gets its county, every key
    leads with it, and the figures do not change."""
    engine = open_warehouse(pg_databases.create())
    two_cities(engine, tmp_path)
    before = {code: metrics.figures(engine, code, *CURRENT) for code in (CITY_A, COUNTY, T1)}
    with engine.begin() as conn:
        for statement in citus.prepare_statements():
            conn.exec_driver_sql(statement)
    with engine.connect() as conn:
        counties = {
            name: dict(
                conn.exec_driver_sql(
                    f"SELECT county_code, count(*) FROM {name} GROUP BY county_code"
                ).all()
            )
            for name in ("meetings", "attendance", "resolution_reports", "mart_meetings")
        }
        keys = conn.exec_driver_sql(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype IN ('p', 'u', 'f') AND conrelid::regclass::text = ANY(%(t)s)",
            {"t": list(citus.DISTRIBUTED)},
        ).all()
    assert counties == {
        "meetings": {"330281": 9, "330282": 1, "330302": 1},
        "attendance": {"330281": 20, "330282": 1},
        "resolution_reports": {"330281": 15, "330282": 1},
        "mart_meetings": {"330281": 9, "330282": 1, "330302": 1},
    }
    to_persons = "FOREIGN KEY (person_pk) REFERENCES persons(id)"  # a reference table
    assert all("(county_code, " in d for _, d in keys if d != to_persons), keys
    assert sorted(d for _, d in keys if d.startswith("FOREIGN KEY")) == [
        "FOREIGN KEY (county_code, meeting_pk) REFERENCES meetings(county_code, id)",
        "FOREIGN KEY (county_code, meeting_pk) REFERENCES meetings(county_code, id)",
        to_persons,
    ]
    assert len(keys) == 15  # 10 primary keys, 2 unique keys, 3 foreign keys
    after = {code: metrics.figures(engine, code, *CURRENT) for code in (CITY_A, COUNTY, T1)}
    assert after == before
    engine.dispose()
