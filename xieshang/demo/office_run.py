"""One office, month by month: the meetings its hosts hold, who attends, the resolutions
they pass and the monthly ledger of how each is carried out, written as its files.

Each office draws from its own random stream (seeded by the seed and its area code), so
offices can run in any order, or in parallel, and write the same files.
"""

from __future__ import annotations

import calendar
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from xieshang.contract.columns import COLUMNS
from xieshang.demo.bad_rows import BadRows
from xieshang.demo.files import Table, write_month
from xieshang.demo.names import (
    CATEGORY_WEIGHTS,
    COMMUNITY_SPOTS,
    COUNTY_CODE,
    COUNTY_SPOTS,
    STREET_SPOTS,
    TOPICS,
    TOWNSHIP_SPOTS,
    VILLAGE_SPOTS,
    responsible_unit,
)
from xieshang.demo.world import (
    DATA_KINDS,
    FORM_WEIGHTS,
    SOURCE_WEIGHTS,
    Area,
    Injection,
    World,
    add_months,
    choose,
    month_end,
)

CANON = {kind: [c.name for c in COLUMNS[kind]] for kind in COLUMNS}


class Resolution:
    __slots__ = (
        "area",
        "code_cell",
        "rid",
        "mid",
        "mdate",
        "content",
        "unit",
        "due",
        "events",
        "satisfaction",
        "assess",
        "escalate_to",
        "escalate_from",
    )

    def status_at(self, day: date) -> tuple[str, date | None, bool]:
        """(status, completed date, final) as of `day`."""
        status, completed, final = "not_started", None, False
        for i, (when, what, done) in enumerate(self.events):
            if when > day:
                break
            status, completed, final = what, done, i == len(self.events) - 1
        return status, completed, final and status in ("implemented", "cancelled")


@dataclass
class OfficeResult:
    """What one office wrote: files, rows by kind, and its bad rows by kind (and reason)."""

    files: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DATA_KINDS, 0))
    rejected: dict[str, dict[str, int]] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)


class OfficeRun:
    """Simulates one office over all months and writes its monthly files."""

    def __init__(self, world: World, index: int, outdir: Path) -> None:
        self.world = world
        self.office = world.offices[index]
        self.outdir = outdir
        self.rng = random.Random(f"xieshang-generate:{world.seed}:office:{self.office.area.code}")
        self.style = self.office.style
        self.open: list[Resolution] = []
        self.recent: list[tuple[Area, str, date]] = []
        style = self.style
        self.hosts = [self.office.area, *self.office.villages]
        self.people: dict[str, list[tuple]] = {}
        for area in self.hosts:
            self.people[area.code] = [
                (
                    pid,
                    name,
                    style.bool(party, "party_member"),
                    style.category_cell(cat, area.level, area.unit_type),
                    party,
                )
                for pid, name, party, cat in area.pool
            ]
        self.code_cells = {a.code: style.code(a.code) for a in self.hosts}
        self.bad = BadRows(world.seed, self.office, style, self.code_cells)
        self.result = OfficeResult(rejected=self.bad.rejected, held=self.bad.held)
        self.injections: dict[int, list[Injection]] = defaultdict(list)
        for inj in world.injections:
            if inj.office == index:
                self.injections[inj.month].append(inj)

    # -- meetings ---------------------------------------------------------------------

    def _meeting_count(self, area: Area) -> int:
        rng = self.rng
        if area.level == "county":
            return rng.choices((0, 1, 2), (2, 5, 3))[0]
        if area.level == "township":
            return rng.choices((1, 2, 3), (5, 4, 1))[0]
        if area.code == self.office.over_village:
            return rng.choices((3, 4, 5), (1, 2, 1))[0]
        if rng.random() < self.office.skip[area.code]:
            return 0
        return rng.choices((1, 2, 3, 4, 5, 6, 7), (1, 3, 5, 5, 4, 2, 1))[0]

    def _spot(self, area: Area) -> str:
        if area.level == "county":
            return self.rng.choice(COUNTY_SPOTS)
        if area.level == "township":
            return self.rng.choice(STREET_SPOTS if area.unit_type == "街道" else TOWNSHIP_SPOTS)
        return self.rng.choice(COMMUNITY_SPOTS if area.unit_type == "社区" else VILLAGE_SPOTS)

    def month(self, mi: int, year: int, month: int) -> None:
        rng, style, office = self.rng, self.style, self.office
        today = self.world.today
        if (year, month) == (today.year, today.month):
            last_day, ledger_day = today.day - 1, today.day
        else:
            ledger_day = calendar.monthrange(year, month)[1] - rng.choice((0, 0, 0, 1, 2, 3))
            last_day = ledger_day
        ledger = date(year, month, ledger_day)
        yyyymm = f"{year}{month:02d}"
        meetings: list[tuple] = []
        attendance: list[tuple] = []
        month_meetings: list[tuple[Area, str, date]] = []
        subjects: list[tuple[str, tuple[str, ...], str]] = []
        for area in self.hosts:
            count = self._meeting_count(area) if last_day >= 1 else 0
            days = sorted(rng.randint(1, last_day) for _ in range(count))
            for seq, day in enumerate(days, start=1):
                mdate = date(year, month, day)
                mid = style.meeting_id(yyyymm, seq)
                level = area.level
                form = choose(rng, FORM_WEIGHTS[level])
                if area.code == office.over_village and seq == 1:
                    form = "party_day"
                row, subject = self._meeting_row(area, mid, mdate, form)
                meetings.append(row)
                attendance.extend(self._attendance(area, mid, form))
                month_meetings.append((area, mid, mdate))
                subjects.append(subject)
        self._resolutions_for(month_meetings, subjects, yyyymm)
        reports = self._ledger(ledger)
        tables = {
            "meetings": Table("meetings", CANON["meetings"], meetings),
            "attendance": Table("attendance", CANON["attendance"], attendance),
            "resolutions": Table("resolutions", CANON["resolutions"], reports),
        }
        candidates = (
            [m for m in month_meetings if m[0].level == "village"] or month_meetings or self.recent
        )
        for inj in self.injections.get(mi, ()):
            self.bad.place(inj, tables, candidates, year, month, ledger, max(last_day, 1))
        if month_meetings:
            self.recent = month_meetings
        for kind, table in tables.items():
            self.result.rows[kind] += len(table.rows)
        self.result.files += write_month(
            self.outdir / f"{year}-{month:02d}" / office.area.name,
            style,
            office.area.name,
            tables,
            year,
            month,
            datetime(year, month, ledger_day, 17, 30),
        )

    def _meeting_row(
        self, area: Area, mid: str, mdate: date, form: str
    ) -> tuple[tuple, tuple[str, tuple[str, ...], str]]:
        """The meeting's row, and (category, resolution contents, spot) of its subject."""
        rng, style = self.rng, self.style
        host = "township" if area.level != "village" else area.unit_type
        category = choose(rng, CATEGORY_WEIGHTS[host])
        topic_template, contents = rng.choice(TOPICS[category])
        spot = self._spot(area)
        topic = topic_template.format(p=spot)
        if area.level == "township" and rng.random() < 0.3:
            topic = topic.replace("关于", f"关于{area.name}", 1)
        if style.padded_text and rng.random() < 0.08:
            topic = topic + "  " if rng.random() < 0.5 else " " + topic
        online = rng.random() < (0.5 if form == "poll" else 0.06)
        led = form == "party_day" or rng.random() < (0.8 if self.office.lagging else 0.93)
        return (
            mid,
            self.code_cells[area.code],
            style.date(mdate, "meeting_date"),
            style.vocab(rng, "form", form),
            topic,
            None if rng.random() < 0.03 else style.vocab(rng, "topic_category", category),
            style.vocab(rng, "topic_source", choose(rng, SOURCE_WEIGHTS)),
            style.bool(led, "led_by_party"),
            style.bool(online, "online"),
        ), (category, contents, spot)

    def _attendance(self, area: Area, mid: str, form: str) -> list[tuple]:
        rng = self.rng
        pool = self.people[area.code]
        if form == "party_day":
            party = [p for p in pool if p[4]]
            others = [p for p in pool if not p[4]]
            if area.code != self.office.over_village:
                party = rng.sample(party, max(1, round(len(party) * rng.uniform(0.6, 0.95))))
            chosen = party + rng.sample(others, min(len(others), rng.randint(0, 3)))
        else:
            chosen = rng.sample(pool, min(len(pool), rng.randint(10, 30)))
        mid_cell = mid.lower() if self.style.lower_attendance_ids else mid
        code = self.code_cells[area.code]
        return [(mid_cell, code, pid, name, party, cat) for pid, name, party, cat, _ in chosen]

    # -- resolutions -------------------------------------------------------------------

    def _resolutions_for(
        self, meetings: list[tuple[Area, str, date]], subjects: list, yyyymm: str
    ) -> None:
        rng = self.rng
        seqs: dict[str, int] = defaultdict(int)
        for (area, mid, mdate), subject in zip(meetings, subjects, strict=True):
            contents = list(subject[1])
            rng.shuffle(contents)
            for content in contents[: rng.choices((0, 1, 2), (1, 5, 4))[0]]:
                seqs[area.code] += 1
                self.open.append(
                    self._resolution(area, mid, mdate, yyyymm, seqs[area.code], subject, content)
                )

    def _resolution(
        self,
        area: Area,
        mid: str,
        mdate: date,
        yyyymm: str,
        seq: int,
        subject: tuple[str, tuple[str, ...], str],
        content: str,
    ) -> Resolution:
        rng, office = self.rng, self.office
        category, _, spot = subject
        res = Resolution()
        res.area = area
        res.code_cell = self.code_cells[area.code]
        res.rid = self.style.resolution_id(yyyymm, seq)
        res.mid = mid
        res.mdate = mdate
        res.content = content.format(p=spot, n=rng.randint(2, 9))
        township = office.area.name if area.level == "village" else area.name
        res.unit = responsible_unit(rng, category, area.level, area.name, area.unit_type, township)
        if rng.random() < 0.6:
            y, m = add_months(mdate.year, mdate.month, rng.choices((1, 2, 3), (4, 4, 2))[0])
            res.due = month_end(y, m)
        else:
            res.due = mdate + timedelta(days=rng.randint(15, 90))
        due_days = (res.due - mdate).days
        lagging = office.lagging
        start = mdate + timedelta(days=rng.randint(5, 60) if lagging else rng.randint(0, 14))
        roll = rng.random()
        end_status, when = "implemented", None
        if not lagging:
            if roll < 0.78:
                when = mdate + timedelta(days=rng.randint(7, due_days + 10))
            elif roll < 0.93:
                when = res.due + timedelta(days=rng.randint(10, 150))
            elif roll < 0.965:
                end_status, when = "cancelled", mdate + timedelta(days=rng.randint(20, 150))
            else:
                when = res.due + timedelta(days=rng.randint(150, 400))
        elif roll < 0.3:
            when = mdate + timedelta(days=rng.randint(10, due_days + 15))
        elif roll < 0.75:
            when = res.due + timedelta(days=rng.randint(30, 300))
        elif roll < 0.9:
            when = res.due + timedelta(days=rng.randint(300, 600))
        else:
            end_status, when = "cancelled", res.due + timedelta(days=rng.randint(30, 300))
        events: list[tuple[date, str, date | None]] = []
        if start < when:
            events.append((start, "in_progress", None))
        done = when if end_status == "implemented" else None
        events.append((when, end_status, done))
        if end_status == "implemented" and not lagging and rng.random() < 0.01:
            reopened = when + timedelta(days=rng.randint(20, 45))
            final = reopened + timedelta(days=rng.randint(15, 60))
            events += [(reopened, "in_progress", None), (final, "implemented", final)]
        res.events = events
        res.satisfaction = None
        if rng.random() < 0.7:
            score = max(60, min(100, round(rng.gauss(78 if lagging else 88, 8))))
            res.satisfaction = score - 0.5 if score > 60 and rng.random() < 0.15 else score
        res.assess = rng.random() < 0.2
        res.escalate_to = None
        res.escalate_from = None
        roll = rng.random()
        boost = 2 if lagging else 1
        if area.level == "village" and roll < 0.03 * boost:
            res.escalate_to = office.area.code
        elif (
            area.level == "village"
            and roll < 0.04 * boost
            or area.level == "township"
            and roll < 0.06 * boost
        ):
            res.escalate_to = COUNTY_CODE
        if res.escalate_to:
            res.escalate_from = mdate + timedelta(days=rng.randint(10, 60))
        return res

    def _ledger(self, ledger: date) -> list[tuple]:
        rng, style = self.rng, self.style
        rows: list[tuple] = []
        still: list[Resolution] = []
        updated = style.date(ledger, "updated_on")
        for res in self.open:
            if res.mdate > ledger:
                still.append(res)
                continue
            status, completed, final = res.status_at(ledger)
            implemented = status == "implemented"
            escalated = res.escalate_to if res.escalate_to and ledger >= res.escalate_from else None
            rows.append(
                (
                    res.rid,
                    res.mid,
                    res.code_cell,
                    res.content,
                    res.unit,
                    style.date(res.due, "due_date"),
                    style.vocab(rng, "status", status),
                    style.date(completed, "completed_date") if implemented else None,
                    updated,
                    res.satisfaction if implemented else None,
                    style.bool(res.assess, "in_assessment"),
                    style.escalation(escalated),
                )
            )
            if not final:
                still.append(res)
        self.open = still
        return rows


def run_office(world: World, index: int, outdir: Path) -> OfficeResult:
    """Write office `index`'s files of every month into `outdir`."""
    run = OfficeRun(world, index, outdir)
    for mi, (year, month) in enumerate(world.months):
        run.month(mi, year, month)
    return run.result
