"""The dashboard reads from a streaming replica (XIESHANG_READ_DB) and writes to the
primary (XIESHANG_DB): figures, lists and the load run in the cache key come from the
replica, a load on the primary shows once the replica has replayed it, and what writes
(the audit row of a download) still goes to the primary — a hot standby refuses writes,
so a write sent to it would fail the request. A real primary and replica of the test's
own (tests/helpers/pg_replica.py)."""

from __future__ import annotations

import csv
import io
import socket
import time
from datetime import date

import pytest
import sqlalchemy as sa

from tests.helpers.inbox_county import COUNTY, DONGHU, load_county, load_one_more_meeting
from tests.helpers.pg_replica import wait_for_replay
from tests.test_access_scope import body, post, reads_the_state
from xieshang.access import audit
from xieshang.dashboard import data
from xieshang.dashboard.app import create_app
from xieshang.dashboard.state import State
from xieshang.warehouse.engine import open_warehouse

pytestmark = [pytest.mark.postgres]

PERIOD = State(COUNTY, date(2025, 1, 1), date(2025, 6, 30))


def counted(engine: sa.Engine) -> list[str]:
    """Every statement `engine` sends from now on."""
    sent: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
    return sent


def meetings_card(client) -> str:
    found = [d for d in client.get("/_dash-dependencies").get_json() if reads_the_state(d)]
    kpis = next(d for d in found if d["output"] == "ov-kpis.children")
    return post(client, body(kpis, PERIOD.to_store())).get_data(as_text=True)


@pytest.mark.slow
def test_the_dashboard_reads_the_replica_and_writes_the_primary(pg_pair, tmp_path, monkeypatch):
    primary_url, replica_url = pg_pair
    primary = open_warehouse(primary_url)
    load_county(primary, tmp_path)
    wait_for_replay(primary_url, replica_url)
    monkeypatch.setenv(data.READ_DB_ENV, replica_url)
    app = create_app(primary)
    replica = app.server.config[data.REPLICA_KEY][1]
    assert replica.url.port != primary.url.port
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    to_primary, to_replica = counted(primary), counted(replica)

    answer = meetings_card(client)
    assert '"children":"5"' in answer  # the county's 5 meetings (tests/helpers/inbox_county.py)
    assert to_replica and not to_primary  # figures, the directory, the load run

    # a load on the primary shows once the replica has replayed it
    load_one_more_meeting(primary, tmp_path)
    wait_for_replay(primary_url, replica_url)
    time.sleep(data.VERSION_SECONDS + 0.1)  # the latest run is looked up again
    assert '"children":"6"' in meetings_card(client)

    # a download: its rows from the replica, its audit row written on the primary
    del to_primary[:]
    csv_file = client.get(f"/download/assessment.csv?scope={COUNTY}&from=2025-01-01&to=2025-06-30")
    assert csv_file.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_file.get_data(as_text=True).lstrip("\ufeff"))))
    assert sorted(r[1].strip() for r in rows[1:]) == ["330281001000", DONGHU]
    assert any(s.lstrip().upper().startswith("INSERT INTO AUDIT_LOG") for s in to_primary)
    latest = audit.entries(primary, limit=1)[0]
    assert (latest.action, latest.file, latest.scope) == ("download", "assessment.csv", COUNTY)


def test_a_replica_that_cannot_be_reached_leaves_the_reads_to_the_primary(
    pg_databases, tmp_path, monkeypatch, caplog
):
    primary = open_warehouse(pg_databases.create())
    load_county(primary, tmp_path)
    with socket.socket() as s:  # a port nothing listens on: the replica is down
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv(data.READ_DB_ENV, f"postgresql+psycopg://postgres@127.0.0.1:{port}/test")
    monkeypatch.setattr(data, "_replica_down_until", 0.0)
    app = create_app(primary)
    replica = app.server.config[data.REPLICA_KEY][1]
    assert replica.url.query["connect_timeout"] == str(data.REPLICA_CONNECT_SECONDS)
    client = app.server.test_client()
    failures = []
    caplog.set_level("WARNING", logger=data.__name__)

    def failed() -> int:
        failures[:] = [r for r in caplog.records if "read replica failed" in r.getMessage()]
        return len(failures)

    assert client.get("/").status_code == 200
    to_primary = counted(primary)
    assert '"children":"5"' in meetings_card(client)  # the county's 5 meetings, from the primary
    assert to_primary and failed() == 1
    csv_file = client.get(f"/download/assessment.csv?scope={COUNTY}&from=2025-01-01&to=2025-06-30")
    assert csv_file.status_code == 200 and DONGHU in csv_file.get_data(as_text=True)
    assert failed() == 1  # left alone meanwhile: not asked again for each read

    monkeypatch.setattr(data, "_replica_down_until", 0.0)  # REPLICA_RETRY_SECONDS later
    assert '"children":"5"' in meetings_card(client)
    assert failed() == 2  # asked again, still down: the primary answered again
    primary.dispose()


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgresql+psycopg://u:p@replica/w", "postgresql+psycopg://u:p@replica/w?connect_timeout=3"),
        ("postgresql+psycopg://u@replica/w?connect_timeout=10", "postgresql+psycopg://u@replica/w?connect_timeout=10"),
        ("sqlite:////srv/copy.sqlite", "sqlite:////srv/copy.sqlite"),
    ],
)  # fmt: skip
def test_the_replica_is_given_up_on_within_seconds_unless_its_url_says(given, used):
    assert data.replica_url(given) == used
