"""A synthetic 5-year county warehouse for the metrics benchmark, written straight into
the warehouse tables (no inbox, no ETL): ~200 villages, 60 months, ~50k meetings,
~1M attendance rows, ~500k resolution reports.

    python bench/fill_warehouse.py [--db sqlite:///bench/out/county.sqlite] [--seed 7]

Deterministic for a seed. The shapes follow what the contract allows: resolutions are
re-reported every month until settled (plus one resend), statuses sometimes go backwards
and due dates sometimes move later; the county and the townships host a few meetings of
their own and have Party members of their own.
"""

from __future__ import annotations

import argparse
import calendar
import hashlib
import random
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, insert

from xieshang.contract.columns import VOCABULARIES
from xieshang.warehouse import schema
from xieshang.warehouse.engine import ensure_schema, make_engine

COUNTY = "330281000000"
RUN_ID = "bench0001"
LOADED_ON = date(2025, 12, 28)
FIRST_MONTH = (2021, 1)
MONTHS = 60

FORMS = list(VOCABULARIES["form"])
TOPICS = list(VOCABULARIES["topic_category"])
SOURCES = list(VOCABULARIES["topic_source"])
CATEGORIES = list(VOCABULARIES["category"])


def _months(first: tuple[int, int], count: int) -> list[tuple[int, int]]:
    year, month = first
    out = []
    for _ in range(count):
        out.append((year, month))
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return out


def _add_months(d: date, n: int, day: int) -> date:
    month_index = d.year * 12 + d.month - 1 + n
    year, month = divmod(month_index, 12)
    return date(year, month + 1, min(day, calendar.monthrange(year, month + 1)[1]))


def _poisson(rng: random.Random, lam: float) -> int:
    # Knuth; lam is small
    limit, k, p = pow(2.718281828459045, -lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def build_rows(seed: int = 7, townships: int = 13, villages: int = 200, months: int = MONTHS):
    """Every row of the synthetic warehouse, as dicts per table."""
    rng = random.Random(seed)
    areas = [
        dict(
            area_code=COUNTY,
            area_name="示范县",
            parent_code=None,
            level="county",
            unit_type="县",
            party_members=320,
            population=400000,
            run_id=RUN_ID,
        )
    ]
    town_codes = [f"330281{100 + i:03d}000" for i in range(1, townships + 1)]
    village_codes: list[str] = []
    for i, town in enumerate(town_codes):
        areas.append(
            dict(
                area_code=town,
                area_name=f"第{i + 1}镇",
                parent_code=COUNTY,
                level="township",
                unit_type="镇",
                party_members=rng.randint(40, 90),
                population=30000,
                run_id=RUN_ID,
            )
        )
    for n in range(villages):
        town = town_codes[n % townships]
        code = town[:9] + f"{201 + n // townships:03d}"
        village_codes.append(code)
        areas.append(
            dict(
                area_code=code,
                area_name=f"{n + 1}村",
                parent_code=town,
                level="village",
                unit_type="村",
                party_members=rng.randint(20, 70),
                population=2000,
                run_id=RUN_ID,
            )
        )

    # person pools: each village has residents (fixed party flag and category); each
    # township has cadres who also attend its villages' meetings.
    persons: list[dict] = []
    person_party: list[bool] = []
    person_cat: list[str] = []

    def new_person(party: bool, cat: str) -> int:
        pk = len(persons) + 1
        persons.append(dict(id=pk, person_hash=hashlib.sha256(f"p{pk}".encode()).hexdigest()))
        person_party.append(party)
        person_cat.append(cat)
        return pk

    pool: dict[str, list[int]] = {}
    for code in village_codes:
        pool[code] = [
            new_person(rng.random() < 0.28, rng.choice(CATEGORIES[:10] + ["resident"] * 4))
            for _ in range(110)
        ]
    cadres: dict[str, list[int]] = {
        town: [new_person(True, "cadre") for _ in range(15)] for town in town_codes
    }
    county_people = [new_person(rng.random() < 0.7, rng.choice(CATEGORIES)) for _ in range(40)]

    meetings: list[dict] = []
    attendance: list[dict] = []
    reports: list[dict] = []
    month_list = _months(FIRST_MONTH, months)
    last_day = LOADED_ON
    res_seq = 0

    def add_meeting(host: str, year: int, month: int, k: int, people: list[int]) -> None:
        nonlocal res_seq
        day = rng.randint(1, calendar.monthrange(year, month)[1])
        mdate = date(year, month, day)
        if mdate > last_day:
            return
        pk = len(meetings) + 1
        meetings.append(
            dict(
                id=pk,
                area_code=host,
                meeting_id=f"M{year}{month:02d}{k:03d}",
                meeting_date=mdate,
                month=year * 100 + month,
                form=rng.choice(FORMS),
                topic="议题",
                topic_category=rng.choice(TOPICS),
                topic_source=rng.choice(SOURCES),
                led_by_party=rng.random() < 0.82,
                online=rng.random() < 0.1,
                run_id=RUN_ID,
            )
        )
        for person in people:
            attendance.append(
                dict(
                    meeting_pk=pk,
                    person_pk=person,
                    party_member=person_party[person - 1],
                    category=person_cat[person - 1],
                    run_id=RUN_ID,
                )
            )
        for _ in range(_poisson(rng, 1.5)):
            res_seq += 1
            reports.extend(
                _resolution_reports(
                    rng, host, pk, meetings[-1]["meeting_id"], mdate, res_seq, last_day
                )
            )

    for year, month in month_list:
        for code in village_codes:
            town = code[:9] + "000"
            n = 0 if rng.random() < 0.07 else _poisson(rng, 4.4)
            for k in range(n):
                people = rng.sample(pool[code], 17) + rng.sample(cadres[town], 3)
                add_meeting(code, year, month, k + 1, people)
        for town in town_codes:
            if rng.random() < 0.7:
                people = rng.sample(cadres[town], 10) + rng.sample(county_people, 5)
                add_meeting(town, year, month, 1, people)
        if rng.random() < 0.5:
            add_meeting(COUNTY, year, month, 1, rng.sample(county_people, 25))

    load_runs = [
        dict(
            run_id=RUN_ID,
            started_at=datetime(2025, 12, 28, 9),
            finished_at=datetime(2025, 12, 28, 9, 30),
            loaded_on=LOADED_ON,
            inbox="bench",
            operator="bench",
            status="committed",
            report="{}",
        )
    ]
    return dict(
        areas=areas,
        persons=persons,
        meetings=meetings,
        attendance=attendance,
        resolution_reports=reports,
        load_runs=load_runs,
    )


def _resolution_reports(rng, host, meeting_pk, meeting_id, mdate, seq, last_day):
    rid = f"R{seq:06d}"
    due = mdate + timedelta(days=rng.randint(20, 150))
    escalated = host[:9] + "000" if host[9:] != "000" and rng.random() < 0.1 else None
    satisfaction = round(rng.uniform(60, 100), 1) if rng.random() < 0.8 else None
    fate = rng.random()
    # months in each state
    n_not_started = rng.randint(0, 2)
    n_progress = rng.randint(2, 6)
    states = ["not_started"] * n_not_started + ["in_progress"] * n_progress
    if fate < 0.9:
        states += ["implemented"] * 2
        if rng.random() < 0.03:  # a status that goes backwards, then recovers
            states += ["in_progress", "implemented"]
    elif fate < 0.93:
        states += ["cancelled"]
    else:
        states += ["in_progress"] * 6  # stays open
    out = []
    completed = None
    moved = rng.random() < 0.05
    for i, status in enumerate(states):
        updated = _add_months(mdate, i + 1, 25)
        if updated > last_day:
            break
        if moved and i == 1:
            due = due + timedelta(days=30)
        if status == "implemented":
            if completed is None or completed > updated:
                completed = updated - timedelta(days=rng.randint(0, 20))
                completed = max(completed, mdate)
        else:
            completed = None
        out.append(
            dict(
                area_code=host,
                resolution_id=rid,
                updated_on=updated,
                meeting_pk=meeting_pk,
                meeting_id=meeting_id,
                content="决议",
                responsible_unit="单位",
                due_date=due,
                status=status,
                completed_date=completed,
                satisfaction=satisfaction if status == "implemented" else None,
                in_assessment=False,
                escalated_to=escalated,
                run_id=RUN_ID,
            )
        )
    return out


def fill(engine: Engine, seed: int = 7, **kwargs) -> dict[str, int]:
    """Write the synthetic warehouse into an empty schema; returns the row counts."""
    ensure_schema(engine)
    rows = build_rows(seed, **kwargs)
    order = ["areas", "persons", "meetings", "attendance", "resolution_reports", "load_runs"]
    with engine.begin() as conn:
        for name in order:
            table = schema.metadata.tables[name]
            data = rows[name]
            for i in range(0, len(data), 20000):
                conn.execute(insert(table), data[i : i + 20000])
    return {name: len(rows[name]) for name in order}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    url = args.db
    if url is None:
        out = Path(__file__).parent / "out"
        out.mkdir(exist_ok=True)
        path = out / "county.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    engine = make_engine(url)
    t0 = time.perf_counter()
    counts = fill(engine, args.seed)
    t1 = time.perf_counter()
    print(f"filled {url} in {t1 - t0:.1f}s: {counts}", file=sys.stderr)
    try:
        from xieshang import marts
    except ImportError:
        return 0
    with engine.begin() as conn:
        marts.refresh(conn)
    print(f"marts refreshed in {time.perf_counter() - t1:.1f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
