"""Reads never write: stale marts are refused, and `xieshang marts rebuild` rebuilds them.

Marts are stale when a committed load is not the one they record (a load that did not
rebuild them, a warehouse written by another release). On SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers.builder_county import (
    COUNTY,
    Q1,
    T1,
    add_meeting_without_marts,
    build_county,
)
from xieshang import marts, metrics
from xieshang.cli import main
from xieshang.metrics import assessment, quality
from xieshang.warehouse import schema

READERS = {
    "figures": lambda e: metrics.figures(e, COUNTY, *Q1),
    "figures_by_child": lambda e: metrics.figures_by_child(e, COUNTY, *Q1),
    "monthly_series": lambda e: metrics.monthly_series(e, COUNTY, *Q1),
    "kpi_json": lambda e: metrics.kpi_json(e, COUNTY, *Q1),
    "days_to_implement_histogram": lambda e: metrics.days_to_implement_histogram(e, T1, *Q1),
    "open_due_by_status": lambda e: metrics.open_due_by_status(e, COUNTY, *Q1),
    "stakeholder_reach": lambda e: metrics.stakeholder_reach(e, COUNTY, *Q1),
    "assessment": lambda e: assessment.assessment(e, "township", None, *Q1),
    "overdue_resolutions": lambda e: quality.overdue_resolutions(e, COUNTY, *Q1),
    "resolution_events": lambda e: quality.resolution_events(e, COUNTY),
    "quality_summary": lambda e: quality.summary(e, COUNTY, *Q1),
}


@pytest.fixture
def county(engine):
    build_county().write(engine)
    return engine


def _contents(engine: sa.Engine) -> dict:
    """Rows per table, and every meta row: what a write would change."""
    with engine.connect() as conn:
        counts = {
            table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            for table in schema.metadata.sorted_tables
        }
        meta = sorted(conn.execute(sa.select(schema.meta.c.key, schema.meta.c.value)).all())
    return {"rows": counts, "meta": meta}


def _url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_every_reader_refuses_stale_marts_and_writes_nothing(county):
    add_meeting_without_marts(county, date(2025, 3, 3))
    before = _contents(county)
    for name, read in READERS.items():
        with pytest.raises(metrics.StaleMarts, match="run `xieshang marts rebuild`"):
            read(county)
        assert _contents(county) == before, name
    with county.connect() as conn:
        assert not marts.is_fresh(conn)


def test_a_reader_on_a_connection_refuses_them_too(county):
    add_meeting_without_marts(county, date(2025, 3, 3))
    before = _contents(county)
    with county.connect() as conn, pytest.raises(metrics.StaleMarts):
        metrics.figures(conn, COUNTY, *Q1)
    assert _contents(county) == before


def test_marts_rebuild_makes_them_fresh(county, capsys):
    meetings = metrics.figures(county, COUNTY, *Q1)["meetings"]
    add_meeting_without_marts(county, date(2025, 3, 3))

    code = main(["marts", "rebuild", "--db", _url(county)])
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert out.startswith("rebuilt the marts (they were stale): 2 committed load(s), the last run")
    assert "mart_meetings" in out and "mart_resolution_states" in out

    with county.connect() as conn:
        assert marts.is_fresh(conn)
    assert metrics.figures(county, COUNTY, *Q1)["meetings"] == meetings + 1
    for read in READERS.values():
        read(county)

    assert main(["marts", "rebuild", "--db", _url(county)]) == 0
    assert capsys.readouterr().out.startswith("rebuilt the marts (they were up to date)")


def test_the_cli_names_the_fix_in_one_line(county, capsys):
    add_meeting_without_marts(county, date(2025, 3, 3))
    code = main(
        ["kpi", "--scope", COUNTY, "--from", "2025-01-01", "--to", "2025-03-31"]
        + [
            "--db",
            _url(county),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err == f"xieshang: {marts.StaleMarts()}\n"
    assert err.count("\n") == 1 and "xieshang marts rebuild" in err


def test_rebuild_reports_the_rows_of_every_mart(county):
    done = marts.rebuild(county)
    assert done["was_fresh"] is True and done["loads"] == 1
    assert set(done["rows"]) == {table.name for table in schema.MART_TABLES}
    with county.connect() as conn:
        for table in schema.MART_TABLES:
            n = conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
            assert done["rows"][table.name] == n


@pytest.mark.parametrize("due", range(-3, 4))
def test_one_overdue_rule(due):
    """The day from which a resolution is overdue and the predicate on a day agree: due
    exactly on a day is not overdue on it, the next day it is."""
    for day in range(-5, 6):
        assert (marts.overdue_from(due) <= day) is (due <= day - marts.OVERDUE_AFTER_DAYS)
    assert marts.overdue_from(due) == due + 1


def test_the_overdue_list_is_what_overdue_open_counts(county):
    for end in (date(2025, 1, 31), date(2025, 2, 28), date(2025, 3, 15), date(2025, 3, 31)):
        for scope in (COUNTY, T1):
            listed = quality.overdue_resolutions(county, scope, Q1[0], end)
            counted = metrics.figures(county, scope, Q1[0], end, keys=["overdue_open"])
            assert len(listed) == counted["overdue_open"], (scope, end)
