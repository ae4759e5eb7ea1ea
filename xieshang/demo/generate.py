"""A synthetic inbox for a realistic demo county (interfaces.md, `xieshang generate`).

`write_inbox` writes a county roster and K months of meetings, attendance and monthly
resolution ledgers, one folder per month and office (`2025-03/城关街道/`), in the mix
of formats real offices send (see `generate_files`). Townships differ so that the
dashboard has a story to tell: some lag on implementing resolutions, some involve few
kinds of stakeholders, one meets irregularly, and one village has more Party members
attending than it has registered (a data-quality signal).

Same arguments and seed give byte-identical files: every random choice comes from
`random.Random` streams seeded from the seed (one per office, one per injected bad
row, so `--dirty` adds rows without changing the clean ones), and xlsx files carry
fixed document dates. `--dirty` adds a known number of bad rows of every kind the
contract rejects, each with exactly one defect, and the report says how many of each.
"""

from __future__ import annotations

import calendar
import multiprocessing
import os
import random
import sys
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from xieshang.contract.columns import COLUMNS
from xieshang.demo.files import (
    FORMATS,
    SHEETS,
    Style,
    Table,
    Workbook,
    kind_of,
    make_style,
    write_csv,
)
from xieshang.demo.names import (
    CATEGORY_WEIGHTS,
    COMMUNITY_BASES,
    COMMUNITY_SPOTS,
    COUNTY_CODE,
    COUNTY_NAME,
    COUNTY_SPOTS,
    STREET_BASES,
    STREET_SPOTS,
    TOPICS,
    TOWN_BASES,
    TOWNSHIP_SPOTS,
    VILLAGE_BASES,
    VILLAGE_SPOTS,
    XIANG_BASES,
    id_number,
    person_name,
    place_names,
    responsible_unit,
    weights,
)

CANON = {kind: [c.name for c in COLUMNS[kind]] for kind in COLUMNS}
DATA_KINDS = ("meetings", "attendance", "resolutions")
MAX_TOWNSHIPS = 99
MAX_UNITS = 150

# Bad rows --dirty injects: kind -> (reason, how many); non-area counts scale with months.
DIRTY_PLAN: dict[str, dict[str, int]] = {
    "areas": weights(
        "missing:1 bad_code:1 bad_int:2 bad_vocab:1 parent_mismatch:1 parent_unknown:1"
    ),
    "meetings": weights(
        "missing:1 bad_code:1 bad_date:2 bad_bool:1 bad_vocab:2 future_date:1 before_2000:1 "
        "unknown_area:1"
    ),
    "attendance": weights("missing:1 bad_code:1 bad_bool:1 bad_vocab:1"),
    "resolutions": weights(
        "missing:1 bad_code:1 bad_date:1 bad_bool:1 bad_number:1 bad_vocab:1 future_date:1 "
        "due_before_meeting:1 completed_missing:1 completed_before_meeting:1 "
        "completed_after_update:1 bad_escalation:2"
    ),
}
HELD_PLAN = {"attendance": 3, "resolutions": 2}

# Participant categories: weights for Party members / others, by kind of host.
_BROAD_PARTY = weights(
    "cadre:14 resident_rep:30 grid_worker:10 npc_deputy:3 cppcc_member:1 mass_org:5 "
    "social_org:3 local_worthy:6 resident_unit:3 resident:18 other:2"
)
_BROAD_OTHER = weights(
    "resident_rep:30 resident:35 grid_worker:3 npc_deputy:1 cppcc_member:2 mass_org:3 "
    "social_org:5 local_worthy:5 resident_unit:4 cadre:1 other:3"
)
_OFFICE_MIX = weights(
    "cadre:30 npc_deputy:8 cppcc_member:6 resident_unit:10 mass_org:8 social_org:8 "
    "resident_rep:12 local_worthy:6 grid_worker:4 property_co:3 owners_committee:1 resident:3 "
    "other:1"
)
_NARROW_DROP = (
    "npc_deputy",
    "cppcc_member",
    "social_org",
    "mass_org",
    "resident_unit",
    "local_worthy",
    "property_co",
    "owners_committee",
)
FORM_WEIGHTS = {
    "village": weights(
        "council:30 forum:12 dialogue:12 coordination:8 hearing:5 review:6 party_day:10 poll:3 "
        "workshop:2 budget:2 joint:2 other:2"
    ),
    "township": weights(
        "joint:20 coordination:20 forum:15 dialogue:12 hearing:10 council:8 review:6 poll:4 "
        "budget:3 workshop:2"
    ),
    "county": weights("joint:30 hearing:20 forum:20 coordination:15 poll:10 dialogue:5"),
}
SOURCE_WEIGHTS = weights("party:30 residents:40 assigned:20 deputies:7 other:3")


def _choices(rng: random.Random, table: dict[str, int]) -> str:
    return rng.choices(list(table), list(table.values()))[0]


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, k: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + k
    return index // 12, index % 12 + 1


# --- the world: roster, pools, habits, patterns -----------------------------------------


@dataclass
class Area:
    code: str
    name: str
    unit_type: str
    level: str  # county | township | village
    party_members: int
    population: int
    # (person_id, name, party_member, category code)
    pool: list[tuple[str, str, bool, str]] = field(default_factory=list)


@dataclass
class Office:
    """A unit that sends files: the county or a township, with the villages below it."""

    area: Area
    villages: list[Area]
    style: Style
    lagging: bool = False
    narrow: bool = False
    irregular: bool = False
    over_village: str | None = None
    skip: dict[str, float] = field(default_factory=dict)


@dataclass
class Injection:
    """One bad (or held) row of --dirty, placed in one office's file of one month."""

    number: int
    kind: str
    reason: str  # a reason code, or "held"
    variant: int
    office: int
    month: int
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class World:
    seed: int
    today: date
    months: list[tuple[int, int]]
    county: Area
    offices: list[Office]  # the county's first
    roster_extra: list[tuple] = field(default_factory=list)  # bad area rows
    injections: list[Injection] = field(default_factory=list)
    dirty: bool = False


def _township_codes(count: int) -> list[tuple[str, str]]:
    """(9-digit prefix, unit type) of `count` townships, numbered as the national codes do."""
    streets = max(1, round(count * 0.3))
    xiang = round(count * 0.2) if count > 2 else 0
    towns = count - streets - xiang
    codes = [(f"{COUNTY_CODE[:6]}{i:03d}", "街道") for i in range(1, streets + 1)]
    codes += [(f"{COUNTY_CODE[:6]}{100 + i:03d}", "镇") for i in range(1, towns + 1)]
    codes += [(f"{COUNTY_CODE[:6]}{200 + i:03d}", "乡") for i in range(1, xiang + 1)]
    return codes


def _build_pool(
    rng: random.Random, area: Area, party: int, others: int, narrow: bool, ids: set[str]
) -> None:
    if area.level == "village":
        party_mix, other_mix = dict(_BROAD_PARTY), dict(_BROAD_OTHER)
        if area.unit_type == "社区":
            for mix in (party_mix, other_mix):
                mix.update(property_co=4, owners_committee=5)
        else:
            other_mix["property_co"] = 1
        if narrow:
            for mix in (party_mix, other_mix):
                for code in _NARROW_DROP:
                    mix.pop(code, None)
    else:
        party_mix = dict(_OFFICE_MIX)
        other_mix = dict(_OFFICE_MIX, cadre=5, resident=12)
    people = []
    for is_party, count, mix in ((True, party, party_mix), (False, others, other_mix)):
        for _ in range(count):
            pid = id_number(rng)
            while pid in ids:
                pid = id_number(rng)
            ids.add(pid)
            people.append((pid, person_name(rng), is_party, _choices(rng, mix)))
    if narrow and area.level == "village" and rng.random() < 0.4:  # the odd one, rarely there
        pid = id_number(rng)
        while pid in ids:
            pid = id_number(rng)
        ids.add(pid)
        people.append((pid, person_name(rng), False, rng.choice(_NARROW_DROP[:4])))
    rng.shuffle(people)
    area.pool = people


def _unused_numbers(used: set[int], start: int, stop: int) -> list[int]:
    return [n for n in range(start, stop, -1) if n not in used]


def build_world(
    townships: int,
    villages_per_township: int,
    months: int,
    end: tuple[int, int],
    seed: int,
    today: date,
    dirty: bool,
) -> World:
    rng = random.Random(f"xieshang-generate:{seed}:world")
    ids: set[str] = set()
    taken: set[str] = set()
    county = Area(COUNTY_CODE, COUNTY_NAME, "县", "county", rng.randint(200, 400), 0)
    codes = _township_codes(townships)
    bases = {
        "街道": place_names(rng, STREET_BASES, sum(t == "街道" for _, t in codes), taken),
        "镇": place_names(rng, TOWN_BASES, sum(t == "镇" for _, t in codes), taken),
        "乡": place_names(rng, XIANG_BASES, sum(t == "乡" for _, t in codes), taken),
    }
    formats = list(FORMATS)
    rng.shuffle(formats)
    offices: list[Office] = []
    village_names: set[str] = set()
    for index, (prefix, unit_type) in enumerate(codes):
        name = bases[unit_type].pop(0) + unit_type
        area = Area(prefix + "000", name, unit_type, "township", rng.randint(40, 120), 0)
        share = {"街道": 0.8, "镇": 0.15, "乡": 0.0}[unit_type]
        communities = min(villages_per_township, round(villages_per_township * share))
        if unit_type == "街道":
            communities = max(1, communities)
        units: list[Area] = []
        names = place_names(rng, COMMUNITY_BASES, communities, village_names)
        for i, base in enumerate(names, start=1):
            units.append(
                Area(
                    f"{prefix}{i:03d}",
                    base + "社区",
                    "社区",
                    "village",
                    rng.randint(30, 150),
                    rng.randint(2500, 15000),
                )
            )
        names = place_names(rng, VILLAGE_BASES, villages_per_township - communities, village_names)
        for i, base in enumerate(names, start=201):
            units.append(
                Area(
                    f"{prefix}{i:03d}",
                    base + "村",
                    "村",
                    "village",
                    rng.randint(20, 90),
                    rng.randint(800, 4500),
                )
            )
        area.population = sum(u.population for u in units) + rng.randint(500, 3000)
        style = make_style(rng, formats[index % len(formats)], with_note=rng.random() < 0.3)
        offices.append(Office(area, units, style))
    county.population = sum(o.area.population for o in offices)

    # Stories: who lags, who involves few stakeholders, who meets irregularly, who over-counts.
    order = list(range(townships))
    rng.shuffle(order)
    n_lag = 3 if townships >= 10 else 2 if townships >= 4 else 1
    n_narrow = 3 if townships >= 10 else 2 if townships >= 5 else 1
    picks = [order[i % townships] for i in range(n_lag + n_narrow + 2)]
    for i in picks[:n_lag]:
        offices[i].lagging = True
    for i in picks[n_lag : n_lag + n_narrow]:
        offices[i].narrow = True
    offices[picks[-2]].irregular = True
    over = offices[picks[-1]]
    village = next((u for u in over.villages if u.unit_type == "村"), over.villages[0])
    village.party_members = rng.randint(20, 30)
    over.over_village = village.code

    for office in offices:
        for unit in office.villages:
            if unit.code == office.over_village:
                party = unit.party_members + rng.randint(2, 4)
            else:
                party = max(3, round(unit.party_members * rng.uniform(0.5, 0.85)))
            _build_pool(rng, unit, party, rng.randint(30, 70), office.narrow, ids)
            if office.irregular:
                office.skip[unit.code] = rng.uniform(0.3, 0.65)
            else:
                office.skip[unit.code] = rng.choice((0.0, 0.03, 0.06, 0.1))
        area = office.area
        _build_pool(
            rng,
            area,
            round(area.party_members * rng.uniform(0.3, 0.6)),
            rng.randint(15, 30),
            False,
            ids,
        )
    _build_pool(rng, county, rng.randint(40, 70), rng.randint(20, 40), False, ids)
    county_style = make_style(rng, "xlsx_title")
    offices.insert(0, Office(county, [], county_style))

    month_list = [_add_months(end[0], end[1], k - months + 1) for k in range(months)]
    world = World(seed, today, month_list, county, offices, dirty=dirty)
    if dirty:
        _plan_dirty(world, ids)
    return world


# --- dirty plan ------------------------------------------------------------------------


def _plan_dirty(world: World, ids: set[str]) -> None:
    rng = random.Random(f"xieshang-generate:{world.seed}:dirty")
    townships = world.offices[1:]
    scale = max(1, len(world.months) // 6)

    def fresh_person() -> tuple[str, str]:
        pid = id_number(rng)
        while pid in ids:
            pid = id_number(rng)
        ids.add(pid)
        return pid, person_name(rng)

    used: dict[str, set[int]] = {
        o.area.code: {int(u.code[9:]) for u in o.villages} for o in townships
    }
    spare = {code: _unused_numbers(numbers, 399, 200) for code, numbers in used.items()}

    def new_village(office: Office) -> str:
        return office.area.code[:9] + f"{spare[office.area.code].pop(0):03d}"

    # Areas: extra roster rows with new codes.
    used_townships = {int(o.area.code[6:9]) for o in townships}
    free_township = next(n for n in range(199, 100, -1) if n not in used_townships)
    rows = []
    for reason, count in DIRTY_PLAN["areas"].items():
        for variant in range(count):
            office = rng.choice(townships)
            code = new_village(office)
            row = {
                "area_code": code,
                "area_name": rng.choice(VILLAGE_BASES) + "新村",
                "parent_code": office.area.code,
                "unit_type": "村",
                "party_members": rng.randint(20, 60),
                "population": rng.randint(800, 3000),
            }
            if reason == "missing":
                row["area_name"] = None
            elif reason == "bad_code":
                row["area_code"] = code[:11]
            elif reason == "bad_int":
                row["party_members"] = (
                    -rng.randint(1, 9) if variant == 0 else f"约{rng.randint(2, 6)}0人"
                )
            elif reason == "bad_vocab":
                row["unit_type"] = "自然村"
            elif reason == "parent_mismatch":
                others = [o for o in townships if o is not office]
                row["parent_code"] = others[0].area.code if others else COUNTY_CODE
            elif reason == "parent_unknown":
                prefix = f"{COUNTY_CODE[:6]}{free_township:03d}"
                row["area_code"] = prefix + "201"
                row["parent_code"] = prefix + "000"
            rows.append((reason, row))
    world.roster_extra = rows

    number = 0
    month_count = len(world.months)
    plans = [
        (kind, reason, count * scale)
        for kind in DATA_KINDS
        for reason, count in DIRTY_PLAN[kind].items()
    ]
    plans += [(kind, "held", count * scale) for kind, count in HELD_PLAN.items()]
    for kind, reason, count in plans:
        for variant in range(count):
            office_index = rng.randrange(1, len(world.offices))
            office = world.offices[office_index]
            inj = Injection(number, kind, reason, variant, office_index, rng.randrange(month_count))
            number += 1
            if kind == "attendance":
                inj.extra["person"] = fresh_person()
            if reason == "unknown_area":
                inj.extra["code"] = new_village(office)
            if reason == "bad_escalation":
                others = [o.area.code for o in townships if o is not office]
                inj.extra["other_township"] = (
                    others[0] if others else f"{COUNTY_CODE[:6]}{free_township - 1:03d}000"
                )
            world.injections.append(inj)


# --- one office, month by month ----------------------------------------------------------


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
    files: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DATA_KINDS, 0))
    rejected: dict[str, dict[str, int]] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)


def _category_cell(style: Style, area: Area, code: str) -> str:
    text = style.labels["category"][code]
    if style.code_share >= 1:
        return code
    if code == "resident_rep" and text in ("村民代表", "居民代表"):
        return "居民代表" if area.unit_type == "社区" else "村民代表"
    if code == "cadre" and text in ("村干部", "社区干部"):
        if area.level != "village":
            return "基层干部"
        return "社区干部" if area.unit_type == "社区" else "村干部"
    return text


class OfficeRun:
    """Simulates one office over all months and writes its monthly files."""

    def __init__(self, world: World, index: int, outdir: Path) -> None:
        self.world = world
        self.office = world.offices[index]
        self.index = index
        self.outdir = outdir
        self.rng = random.Random(f"xieshang-generate:{world.seed}:office:{self.office.area.code}")
        self.style = self.office.style
        self.result = OfficeResult()
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
                    _category_cell(style, area, cat),
                    party,
                )
                for pid, name, party, cat in area.pool
            ]
        self.code_cells = {a.code: style.code(a.code) for a in self.hosts}
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
                form = _choices(rng, FORM_WEIGHTS[level])
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
            self._inject(inj, tables, candidates, year, month, ledger, max(last_day, 1))
        if month_meetings:
            self.recent = month_meetings
        self._write(tables, year, month, datetime(year, month, ledger_day, 17, 30))

    def _meeting_row(
        self, area: Area, mid: str, mdate: date, form: str
    ) -> tuple[tuple, tuple[str, tuple[str, ...], str]]:
        """The meeting's row, and (category, resolution contents, spot) of its subject."""
        rng, style = self.rng, self.style
        host = "township" if area.level != "village" else area.unit_type
        category = _choices(rng, CATEGORY_WEIGHTS[host])
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
            style.vocab(rng, "topic_source", _choices(rng, SOURCE_WEIGHTS)),
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
            y, m = _add_months(mdate.year, mdate.month, rng.choices((1, 2, 3), (4, 4, 2))[0])
            res.due = _month_end(y, m)
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

    # -- dirty rows --------------------------------------------------------------------

    def _inject(
        self,
        inj: Injection,
        tables: dict[str, Table],
        candidates: list,
        year: int,
        month: int,
        ledger: date,
        last_day: int,
    ) -> None:
        rng = random.Random(f"xieshang-generate:{self.world.seed}:inject:{inj.number}")
        style, office = self.style, self.office
        reason, variant = inj.reason, inj.variant
        yyyymm = f"{year}{month:02d}"
        if inj.kind == "meetings":
            area = rng.choice(office.villages)
            code: Any = self.code_cells[area.code]
            mdate: Any = style.date(date(year, month, rng.randint(1, last_day)), "meeting_date")
            form = style.vocab(rng, "form", _choices(rng, FORM_WEIGHTS["village"]))
            category = _choices(rng, CATEGORY_WEIGHTS[area.unit_type])
            topic: Any = rng.choice(TOPICS[category])[0].format(p=self._spot_of(rng, area))
            cat_cell: Any = style.vocab(rng, "topic_category", category)
            led: Any = style.bool(True, "led_by_party")
            if reason == "missing":
                topic = None
            elif reason == "bad_code":
                code = area.code[:10]
            elif reason == "bad_date":
                mdate = f"{year}-02-30" if variant % 2 == 0 else f"{month}月{rng.randint(1, 28)}日"
            elif reason == "bad_bool":
                led = "有"
            elif reason == "bad_vocab":
                if variant % 2 == 0:
                    form = "研讨会"
                else:
                    cat_cell = "文明创建"
            elif reason == "future_date":
                mdate = style.date(date(year + 100, month, 1), "meeting_date")
            elif reason == "before_2000":
                mdate = style.date(date(year - 100, month, 1), "meeting_date")
            elif reason == "unknown_area":
                code = style.code(inj.extra["code"])
            mid = style.meeting_id(yyyymm, 5000 + inj.number)
            row = (
                mid,
                code,
                mdate,
                form,
                topic,
                cat_cell,
                style.vocab(rng, "topic_source", "residents"),
                led,
                style.bool(False, "online"),
            )
        elif not candidates:
            return  # nothing has met yet: no row to spoil (only at the very start of a month)
        elif inj.kind == "attendance":
            area, mid, _ = rng.choice(candidates)
            pid, name = inj.extra["person"]
            code = self.code_cells[area.code]
            party: Any = style.bool(False, "party_member")
            cat: Any = _category_cell(style, area, "resident")
            if reason == "held":
                mid = style.meeting_id(yyyymm, 7000 + inj.number)
            elif reason == "missing":
                cat = None
            elif reason == "bad_code":
                code = area.code[:11]
            elif reason == "bad_bool":
                party = "党员"
            elif reason == "bad_vocab":
                cat = "志愿者"
            row = (mid, code, pid, name, party, cat)
        else:
            row = self._bad_resolution(inj, rng, candidates, yyyymm, ledger)
        inj_table = tables[inj.kind]
        inj_table.rows.insert(rng.randint(0, len(inj_table.rows)), row)
        if reason == "held":
            self.result.held[inj.kind] = self.result.held.get(inj.kind, 0) + 1
        else:
            bucket = self.result.rejected.setdefault(inj.kind, {})
            bucket[reason] = bucket.get(reason, 0) + 1

    def _spot_of(self, rng: random.Random, area: Area) -> str:
        return rng.choice(COMMUNITY_SPOTS if area.unit_type == "社区" else VILLAGE_SPOTS)

    def _bad_resolution(
        self, inj: Injection, rng: random.Random, candidates: list, yyyymm: str, ledger: date
    ) -> tuple:
        style, office = self.style, self.office
        reason, variant = inj.reason, inj.variant
        area, mid, mdate = rng.choice(candidates)
        category = _choices(
            rng, CATEGORY_WEIGHTS["township" if area.level != "village" else area.unit_type]
        )
        content = rng.choice(rng.choice(TOPICS[category])[1]).format(
            p=self._spot_of(rng, area), n=rng.randint(2, 9)
        )
        unit: Any = responsible_unit(
            rng, category, area.level, area.name, area.unit_type, office.area.name
        )
        code = self.code_cells[area.code]
        due: Any = style.date(mdate + timedelta(days=rng.randint(20, 80)), "due_date")
        status, completed, satisfaction = "in_progress", None, None
        updated = ledger
        assess: Any = style.bool(False, "in_assessment")
        escalated: Any = None
        if reason == "held":
            mid = style.meeting_id(yyyymm, 7000 + inj.number)
        elif reason == "missing":
            unit = None
        elif reason == "bad_code":
            escalated = office.area.code[:8]
        elif reason == "bad_date":
            due = "年底前" if variant % 2 == 0 else f"{mdate.year}-06-31"
        elif reason == "bad_bool":
            assess = "待定"
        elif reason == "bad_number":
            status, completed, satisfaction = "implemented", ledger, 150
        elif reason == "bad_vocab":
            status = "基本完成"
        elif reason == "future_date":
            updated = date(ledger.year + 100, ledger.month, 1)
        elif reason == "due_before_meeting":
            due = style.date(mdate - timedelta(days=rng.randint(3, 20)), "due_date")
        elif reason == "completed_missing":
            status = "implemented"
        elif reason == "completed_before_meeting":
            status, completed = "implemented", mdate - timedelta(days=rng.randint(2, 10))
        elif reason == "completed_after_update":
            status, completed, updated = "implemented", ledger, ledger - timedelta(days=1)
        elif reason == "bad_escalation":
            if variant % 2 == 0:
                others = [v.code for v in office.villages if v.code != area.code]
                escalated = rng.choice(others) if others else area.code
            else:
                escalated = inj.extra["other_township"]
        status_cell = status if status == "基本完成" else style.vocab(rng, "status", status)
        rid = style.resolution_id(yyyymm, 5000 + inj.number)
        return (
            rid,
            mid,
            code,
            content,
            unit,
            due,
            status_cell,
            style.date(completed, "completed_date"),
            style.date(updated, "updated_on"),
            satisfaction,
            assess,
            escalated,
        )

    # -- files -------------------------------------------------------------------------

    def _write(
        self,
        tables: dict[str, Table],
        year: int,
        month: int,
        stamp: datetime,
    ) -> None:
        style, name = self.style, self.office.area.name
        folder = self.outdir / f"{year}-{month:02d}" / name
        for kind, table in tables.items():
            self.result.rows[kind] += len(table.rows)
        ym = f"{year}{month:02d}"
        titles = {
            "meetings": f"{name}{year}年{month}月协商会议台账",
            "attendance": f"{name}{year}年{month}月协商会议参会人员签到表",
            "resolutions": f"{name}{year}年{month}月协商决议落实台账",
        }
        if style.format == "xlsx_multi":
            file_name = f"{name}{year}年{month}月协商台账.xlsx"
            assert kind_of(file_name) == "meetings", file_name
            book = Workbook(folder / file_name, stamp)
            for kind, table in tables.items():
                assert kind_of(SHEETS[kind]) == kind
                book.table(style, table, SHEETS[kind], titles[kind], blank_rows=style.title_gap)
            book.close()
            self.result.files += 1
            return
        names = {
            "csv_utf8": {
                "meetings": f"{name}{year}年{month}月协商会议台账.csv",
                "attendance": f"{name}{year}年{month}月参会人员签到表.csv",
                "resolutions": f"{name}{year}年{month}月决议落实台账.csv",
            },
            "csv_gb18030": {
                "meetings": f"{name}协商会议台账{ym}.csv",
                "attendance": f"{name}会议签到表{ym}.csv",
                "resolutions": f"{name}决议事项落实情况{ym}.csv",
            },
            "csv_bom_en": {
                "meetings": f"{name}_meetings_{year}-{month:02d}.csv",
                "attendance": f"{name}_attendance_{year}-{month:02d}.csv",
                "resolutions": f"{name}_resolutions_{year}-{month:02d}.csv",
            },
            "xlsx_title": {kind: title + ".xlsx" for kind, title in titles.items()},
        }[style.format]
        for kind, table in tables.items():
            if not table.rows:
                continue
            file_name = names[kind]
            assert kind_of(file_name) == kind, file_name
            path = folder / file_name
            if style.is_csv:
                write_csv(path, style, table, titles[kind])
            else:
                book = Workbook(path, stamp)
                book.table(style, table, "Sheet1", titles[kind], blank_rows=style.title_gap)
                book.close()
            self.result.files += 1


def _run_office(world: World, index: int, outdir: Path) -> OfficeResult:
    run = OfficeRun(world, index, outdir)
    for mi, (year, month) in enumerate(world.months):
        run.month(mi, year, month)
    return run.result


# --- roster and junk files ---------------------------------------------------------------


def _write_roster(world: World, outdir: Path, end: tuple[int, int]) -> tuple[int, dict]:
    rows: list[list[Any]] = []

    def add(area: Area, parent: str | None) -> None:
        rows.append(
            [area.code, area.name, parent, area.unit_type, area.party_members, area.population]
        )

    add(world.county, None)
    for office in world.offices[1:]:
        add(office.area, COUNTY_CODE)
        for unit in office.villages:
            add(unit, office.area.code)
    rejected: dict[str, int] = {}
    if world.roster_extra:
        rng = random.Random(f"xieshang-generate:{world.seed}:roster-dirty")
        for reason, row in world.roster_extra:
            values = [row[column.name] for column in COLUMNS["areas"]]
            rows.insert(rng.randint(2, len(rows)), values)
            rejected[reason] = rejected.get(reason, 0) + 1
    numbered = [[i, *row] for i, row in enumerate(rows, start=1)]
    header = ["序号", "区划代码", "单位名称", "上级代码", "单位类型", "党员人数", "常住人口"]
    name = f"{COUNTY_NAME}区划与党员名册.xlsx"
    assert kind_of(name) == "areas"
    book = Workbook(outdir / name, datetime(end[0], end[1], 1, 9, 0))
    ws_title = f"{COUNTY_NAME}村（社区）区划与党员名册"
    widths = [6, 16, 16, 16, 10, 10, 10]
    book.sheet("区划名册", ws_title, header, numbered, widths=widths)
    if world.dirty:  # a sheet of instructions: no keyword, no header row -> skipped
        notes = [
            ["1. 每个村（社区）、乡镇（街道）填写一行，区划代码为12位统计用区划代码。"],
            ["2. 党员人数填写本单位在册党员，不含下级单位。"],
            ["3. 本表由县委组织部汇总。"],
        ]
        book.sheet("填报说明", None, ["填报说明"], notes, widths=[60])
    book.close()
    return len(rows), rejected


def _write_junk(world: World, outdir: Path) -> tuple[int, int]:
    """Files an inbox collects that are not submissions: (skipped, unreadable) counts."""
    rng = random.Random(f"xieshang-generate:{world.seed}:junk")
    year, month = world.months[0]
    office = world.offices[1 + rng.randrange(len(world.offices) - 1)]
    folder = outdir / f"{year}-{month:02d}" / office.area.name
    folder.mkdir(parents=True, exist_ok=True)
    name = office.area.name
    (folder / "会议记录.doc").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(rng.randrange(256) for _ in range(512))
    )
    (folder / f"~${name}协商会议台账.xlsx").write_bytes(
        b"\x0bAdministrator" + b" " * 40 + bytes(rng.randrange(256) for _ in range(110))
    )
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1" + bytes(64))
    (folder / "新建文本文档.csv").write_text("姓名,电话\n张三,13800000000\n", encoding="utf-8")
    (folder / f"{name}协商会议台账（补报）.xlsx").write_bytes(
        bytes(rng.randrange(256) for _ in range(2048))
    )
    return 4, 1


# --- entry point -------------------------------------------------------------------------


def _parse_end(end: str | None, today: date) -> tuple[int, int]:
    if end is None:
        return today.year, today.month
    try:
        year_text, month_text = end.strip().split("-")
        year, month = int(year_text), int(month_text)
        date(year, month, 1)
    except ValueError:
        raise ValueError(f"--end {end!r} is not a month; use YYYY-MM, e.g. 2025-03") from None
    if (year, month) > (today.year, today.month):
        raise ValueError(f"--end {end} is after this month; data cannot be from the future")
    return year, month


def write_inbox(
    outdir: Path,
    *,
    townships: int = 13,
    villages_per_township: int = 15,
    months: int = 12,
    end: str | None = None,
    seed: int = 1,
    dirty: bool = False,
    today: date | None = None,
) -> dict:
    """Write a synthetic inbox into `outdir` and return a report of what it holds.

    `today` (default: the real date) bounds every date written; tests pin it.
    """
    today = today or date.today()
    end_ym = _parse_end(end, today)
    if not 1 <= townships <= MAX_TOWNSHIPS:
        raise ValueError(f"--townships must be 1 to {MAX_TOWNSHIPS}")
    if not 1 <= villages_per_township <= MAX_UNITS:
        raise ValueError(f"--villages-per-township must be 1 to {MAX_UNITS}")
    first = _add_months(end_ym[0], end_ym[1], 1 - months)
    if months < 1 or first < (2000, 1):
        raise ValueError("--months must be at least 1 and start no earlier than 2000-01")
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    world = build_world(townships, villages_per_township, months, end_ym, seed, today, dirty)

    results = _run_all(world, outdir)
    roster_rows, roster_rejected = _write_roster(world, outdir, end_ym)
    files = 1 + sum(r.files for r in results)
    rows = {"areas": roster_rows, "meetings": 0, "attendance": 0, "resolutions": 0}
    for result in results:
        for kind, n in result.rows.items():
            rows[kind] += n
    report_dirty = None
    if dirty:
        skipped, unreadable = _write_junk(world, outdir)
        files += skipped + unreadable
        rejected: dict[str, dict[str, int]] = {"areas": dict(sorted(roster_rejected.items()))}
        held: dict[str, int] = {kind: 0 for kind in HELD_PLAN}
        for kind in DATA_KINDS:
            merged: dict[str, int] = {}
            for result in results:
                for reason, n in result.rejected.get(kind, {}).items():
                    merged[reason] = merged.get(reason, 0) + n
            rejected[kind] = dict(sorted(merged.items()))
        for result in results:
            for kind, n in result.held.items():
                held[kind] += n
        report_dirty = {
            "rejected": rejected,
            "held": held,
            "skipped_files": skipped,
            "unreadable_files": unreadable,
            "skipped_sheets": 1,
        }
    townships_ = world.offices[1:]
    return {
        "outdir": str(outdir),
        "seed": seed,
        "months": months,
        "end": f"{end_ym[0]}-{end_ym[1]:02d}",
        "county_code": COUNTY_CODE,
        "areas": 1 + len(townships_) + sum(len(o.villages) for o in townships_),
        "files": files,
        "rows": rows,
        "patterns": {
            "lagging": [o.area.code for o in townships_ if o.lagging],
            "narrow_stakeholders": [o.area.code for o in townships_ if o.narrow],
            "irregular": [o.area.code for o in townships_ if o.irregular],
            "party_over_100": [o.over_village for o in townships_ if o.over_village],
        },
        "formats": {o.area.code: o.style.format for o in world.offices},
        "dirty": report_dirty,
    }


def _run_all(world: World, outdir: Path) -> list[OfficeResult]:
    """Run every office, in worker processes when there is enough work to share.

    Offices are independent (each has its own random stream), so the files do not depend
    on how many processes write them. Workers are spawned, not forked, so that a caller
    with threads (a server, a progress display) is safe; where spawning cannot work (a
    script read from stdin) or fails, the offices run here, one after the other.
    """
    indices = list(range(len(world.offices)))
    workers = min(len(indices), os.cpu_count() or 1, 4)
    work = len(world.months) * sum(len(o.villages) for o in world.offices)
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if workers > 1 and work > 2000 and (main_file is None or Path(main_file).exists()):
        indices.sort(key=lambda i: -_cost(world.offices[i]))  # the slowest start first
        try:
            with ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_set_world,
                initargs=(world,),
            ) as pool:
                results = pool.map(_run_in_worker, indices, [outdir] * len(indices))
                done = dict(zip(indices, results, strict=True))
            return [done[i] for i in range(len(world.offices))]
        except (BrokenProcessPool, OSError):
            pass
    return [_run_office(world, i, outdir) for i in range(len(world.offices))]


def _cost(office: Office) -> int:
    """Rough relative time to write an office's files (xlsx is much slower than CSV)."""
    return (1 + len(office.villages)) * (1 if office.style.is_csv else 8)


_WORLD: World | None = None


def _set_world(world: World) -> None:
    global _WORLD
    _WORLD = world


def _run_in_worker(index: int, outdir: Path) -> OfficeResult:
    assert _WORLD is not None
    return _run_office(_WORLD, index, outdir)
