"""The deployment's day and zone (XIESHANG_TIMEZONE), whatever the machine's clock says.

A server kept on UTC is still on yesterday until 08:00 in Beijing: a load there judged a
meeting held that morning to be in the future, and dated its run, and the day in a
download's name, a day early. Two zones 26 hours apart, whose days always differ, show
that each follows the zone and not the machine.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.helpers.inbox_files import write_csv
from tests.helpers.minimal_inbox import MEETING_HEADER, MEETINGS, SECRET, base_inbox, rejects
from xieshang.cli.main import main
from xieshang.etl.load import run_load
from xieshang.warehouse import schema

EAST, WEST = "Etc/GMT-14", "Etc/GMT+12"  # UTC+14 and UTC-12
NO_ZONE = "XIESHANG_TIMEZONE='No/Such_Zone' is not a time zone; use a name such as Asia/Shanghai"


def day_in(zone: str):
    return datetime.now(ZoneInfo(zone)).date()


@pytest.mark.parametrize("zone", [EAST, WEST])
def test_a_load_judges_the_future_and_dates_its_run_by_the_deployments_day(
    engine, tmp_path, monkeypatch, zone
):
    monkeypatch.setenv("XIESHANG_TIMEZONE", zone)
    held_today_in_the_east = day_in(EAST).isoformat()  # 1 or 2 days after the west's day
    inbox = base_inbox(tmp_path / "inbox")
    meeting = ["HY-9", "330281100201", held_today_in_the_east, "议事会", "村道", "", "", "是", ""]
    write_csv(inbox / "会议台账.csv", [MEETING_HEADER, *MEETINGS, meeting])
    report = run_load(engine, inbox, secret=SECRET)
    assert report["status"] == "committed", report.get("error")
    with engine.connect() as conn:
        loaded_on = conn.execute(sa.select(schema.load_runs.c.loaded_on)).scalar_one()
    assert loaded_on == day_in(zone)
    if zone == EAST:
        assert (report["kinds"]["meetings"]["inserted"], rejects(engine)) == (3, [])
    else:
        assert report["kinds"]["meetings"]["inserted"] == 2
        assert rejects(engine) == [
            ("meetings", "future_date", "meeting_date", held_today_in_the_east, 4)
        ]


@pytest.mark.parametrize(
    "argv",
    [
        ["load", "inbox"],
        ["status", "--month", "2026-01"],
        ["kpi", "--scope", "330281", "--from", "2026-01-01", "--to", "2026-01-31"],
        ["audit"],
        [
            "brief",
            "--scope",
            "330281",
            "--month",
            "2026-01",
            "--format",
            "pdf",
            "--output",
            "b.pdf",
        ],
        [
            "export",
            "assessment",
            "--level",
            "township",
            "--from",
            "2026-01-01",
            "--to",
            "2026-01-31",
            "--format",
            "csv",
            "--output",
            "a.csv",
        ],  # fmt: skip
        ["generate", "out"],
        ["serve", "--no-auth", "--port", "1"],
        ["marts", "rebuild"],
    ],
    ids=lambda argv: argv[0],
)
def test_every_command_refuses_a_zone_that_is_none_before_it_starts(
    argv, tmp_path, monkeypatch, capsys
):
    """A usage error (exit 2), as a limit set wrongly is: `load` said so, `audit` and
    `export` failed (exit 1) and `status` and `brief` gave Beijing time without a word."""
    monkeypatch.setenv("XIESHANG_TIMEZONE", "No/Such_Zone")
    monkeypatch.setenv("XIESHANG_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inbox").mkdir()
    assert main(argv) == 2
    assert capsys.readouterr() == ("", f"xieshang: {NO_ZONE}\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["inbox"]  # nothing written
