"""Small warehouses for tests, written straight into the schema tables (no ETL).

    w = WarehouseBuilder()
    w.area("330281000000", party_members=5)          # level from the code
    m = w.meeting("330281101201", "2025-03-08", led=True)
    w.attend(m, "alice", party=True, category="npc_deputy")
    w.report(m, "R1", "2025-04-25", status="implemented", due="2025-04-30",
             completed="2025-04-20", satisfaction=90)
    w.load_run("2025-06-30")
    w.write(engine)                                   # rows + marts, one transaction

`frames()` gives the same rows as pandas DataFrames for the reference implementation.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from xieshang import marts
from xieshang.warehouse import schema
from xieshang.warehouse.codes import level_of, month_key, parent_of

RUN = "test-run"


def _d(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


@dataclass
class WarehouseBuilder:
    areas: list[dict] = field(default_factory=list)
    meetings: list[dict] = field(default_factory=list)
    persons: dict[str, int] = field(default_factory=dict)
    attendance: list[dict] = field(default_factory=list)
    reports: list[dict] = field(default_factory=list)
    runs: list[dict] = field(default_factory=list)

    def area(self, code: str, party_members: int = 0, name: str | None = None) -> str:
        level = level_of(code)
        self.areas.append(
            dict(
                area_code=code,
                area_name=name or f"单位{code[-6:]}",
                parent_code=parent_of(code),
                level=level,
                unit_type=None,
                party_members=party_members,
                population=None,
                run_id=RUN,
            )
        )
        return code

    def meeting(
        self,
        area: str,
        day,
        *,
        form: str = "council",
        category: str = "other",
        led: bool = True,
        online: bool = False,
        meeting_id: str | None = None,
    ) -> int:
        day = _d(day)
        pk = len(self.meetings) + 1
        self.meetings.append(
            dict(
                id=pk,
                area_code=area,
                meeting_id=meeting_id or f"M{pk}",
                meeting_date=day,
                month=month_key(day),
                form=form,
                topic="议题",
                topic_category=category,
                topic_source="other",
                led_by_party=led,
                online=online,
                run_id=RUN,
            )
        )
        return pk

    def person(self, key: str) -> int:
        if key not in self.persons:
            self.persons[key] = len(self.persons) + 1
        return self.persons[key]

    def attend(self, meeting_pk: int, person: str, *, party: bool = False, category="resident"):
        self.attendance.append(
            dict(
                meeting_pk=meeting_pk,
                person_pk=self.person(person),
                party_member=party,
                category=category,
                run_id=RUN,
            )
        )

    def report(
        self,
        meeting_pk: int,
        resolution_id: str,
        updated_on,
        *,
        status: str = "in_progress",
        due,
        completed=None,
        satisfaction: float | None = None,
        escalated_to: str | None = None,
        area: str | None = None,
        content: str = "决议",
        unit: str = "单位",
    ) -> None:
        meeting = self.meetings[meeting_pk - 1]
        self.reports.append(
            dict(
                area_code=area or meeting["area_code"],
                resolution_id=resolution_id,
                updated_on=_d(updated_on),
                meeting_pk=meeting_pk,
                meeting_id=meeting["meeting_id"],
                content=content,
                responsible_unit=unit,
                due_date=_d(due),
                status=status,
                completed_date=_d(completed),
                satisfaction=satisfaction,
                in_assessment=False,
                escalated_to=escalated_to,
                run_id=RUN,
            )
        )

    def load_run(self, loaded_on, status: str = "committed") -> None:
        n = len(self.runs) + 1
        self.runs.append(
            dict(
                run_id=f"run{n:03d}",
                started_at=datetime(2000, 1, 1) + pd.Timedelta(minutes=n),
                finished_at=datetime(2000, 1, 1) + pd.Timedelta(minutes=n, seconds=30),
                loaded_on=_d(loaded_on),
                inbox="tests",
                operator="tests",
                status=status,
                report="{}",
            )
        )

    # --- writing --------------------------------------------------------------------

    def write(self, engine: sa.Engine, *, clear: bool = False, refresh: bool = True) -> None:
        """Insert every row (after emptying the warehouse if `clear`) and rebuild the marts."""
        with engine.begin() as conn:
            if clear:
                clear_warehouse(conn)
            rows = {
                schema.areas: self.areas,
                schema.persons: [
                    dict(id=pk, person_hash=hashlib.sha256(key.encode()).hexdigest())
                    for key, pk in self.persons.items()
                ],
                schema.meetings: self.meetings,
                schema.attendance: self.attendance,
                schema.resolution_reports: self.reports,
                schema.load_runs: self.runs,
            }
            for table, data in rows.items():
                if data:
                    conn.execute(sa.insert(table), data)
            if refresh:
                marts.refresh(conn)

    def frames(self) -> dict[str, pd.DataFrame]:
        columns = {
            "areas": ["area_code", "area_name", "level", "party_members"],
            "meetings": [
                "id",
                "area_code",
                "meeting_date",
                "month",
                "form",
                "topic_category",
                "led_by_party",
                "online",
            ],
            "attendance": ["meeting_pk", "person_pk", "party_member", "category"],
            "reports": [
                "area_code",
                "resolution_id",
                "updated_on",
                "meeting_pk",
                "due_date",
                "status",
                "completed_date",
                "satisfaction",
                "escalated_to",
            ],
            "runs": ["run_id", "loaded_on", "status"],
        }
        data = {
            "areas": self.areas,
            "meetings": self.meetings,
            "attendance": self.attendance,
            "reports": self.reports,
            "runs": self.runs,
        }
        return {
            name: pd.DataFrame(data[name], columns=columns[name]).astype(object) for name in columns
        }


def clear_warehouse(conn: sa.Connection) -> None:
    """Empty every table but `meta` (children first)."""
    for table in reversed(schema.metadata.sorted_tables):
        if table.name != "meta":
            conn.execute(sa.delete(table))
    conn.execute(sa.delete(schema.meta).where(schema.meta.c.key == marts.META_KEY))
