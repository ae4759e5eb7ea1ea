"""The demo county's world: its areas and offices, their habits and stories, and the
plan of --dirty's bad rows.

`build_world` draws everything that does not change month by month — the roster, each
office's file habits, its pool of participants, which townships lag, involve few kinds
of stakeholders or meet irregularly, and (with --dirty) which bad rows go where — from
one random stream seeded by the seed, so that the same arguments give the same county.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from xieshang.demo.files import FORMATS, Style, make_style
from xieshang.demo.names import (
    COMMUNITY_BASES,
    COUNTY_CODE,
    COUNTY_NAME,
    STREET_BASES,
    TOWN_BASES,
    VILLAGE_BASES,
    XIANG_BASES,
    id_number,
    person_name,
    place_names,
    weights,
)

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


def choose(rng: random.Random, table: dict[str, int]) -> str:
    """One key of a weights table, drawn with its weight."""
    return rng.choices(list(table), list(table.values()))[0]


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(year: int, month: int, k: int) -> tuple[int, int]:
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
            people.append((pid, person_name(rng), is_party, choose(rng, mix)))
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
    """The county of `townships` townships of `villages_per_township` villages, for the
    `months` months up to `end`; with `dirty`, the plan of its bad rows too."""
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

    month_list = [add_months(end[0], end[1], k - months + 1) for k in range(months)]
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
