"""City-scale benchmark on PostgreSQL: a city of N counties loaded, a month added, figures timed.

A city (330200000000) of N demo counties (`xieshang generate`'s world, 13 townships of 15
villages each, every office writing CSV) over 60 months, plus one month more, is written
once under bench/out/. Then, in a database of its own (created and dropped) on the
server of XIESHANG_BENCH_PG (default postgresql://postgres@127.0.0.1:5432/test):

(a) the floor: every CSV of the inbox COPY'd as it is into text tables, in one transaction;
(a') the private floor: the floor, but every CSV parsed row by row in Python and each
    person's identifier replaced by its keyed hash, the name dropped, as data-contract.md
    requires of anything that reaches the server: the least any load may do;
(b) `run_load` of the whole inbox: rows/s, and its ratio to the floor (target <= 4x), with
    the time of its stages (reading and judging the files, writing the rows, the marts);
(c) a monthly load: the month more, into the full warehouse (analysed first, untimed, as
    autovacuum does soon after a load);
(d) `xieshang.metrics.figures` (every figure) at city, county, township and village scope
    for the month, quarter and year ending with the month added: p50/p95 (target p95 <=
    100 ms); and, as the baseline of the same run, the same figures read from the marts
    alone, without the county rollups (schema 5);
(e) every page's callback builders (`bench_dashboard.page_builders`, no cache) at each
    level for the same periods: p50/p95 (target p95 <= 300 ms);
(f) for a server on this machine, the CPU seconds of the first load by stage (its own
    process, its reading workers, every PostgreSQL process) and of the floor: their sum
    over the cores is the least time the load's work could take, however well it overlapped.

Each phase runs in a process of its own, so that its peak memory (max RSS) is its own.

    python bench/bench_city.py [--counties 1 3 10] [--months 60] [--quick]

`--quick` (1 county, 12 months) is the smoke test CI runs. The inboxes are kept (under
bench/out/ or `--out`) and written again only when missing. The latest results are
docs/deploy.md's Sizing table; every earlier run, and what the stages' times mean, are in
docs/performance.md.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import hashlib
import hmac
import io
import json
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
SECRET = b"bench-city-secret-0123456789"
CITY = "330200000000"
CITY_NAME = "明州市"
COUNTY_NAMES = "清河县 临江县 青山县 白水县 东阳县 南溪县 北岭县 西湖区 长宁县 安平县"
CSV_FORMATS = ("csv_utf8", "csv_gb18030", "csv_bom_en")
DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
TARGET_RATIO = 4.0
TARGET_P95_MS = 100.0
TARGET_CALLBACK_MS = 300.0
PERIODS = (("month", 0), ("quarter", 2), ("year", 11))


@dataclass(frozen=True)
class Shape:
    townships: int = 13
    villages: int = 15
    months: int = 60

    @property
    def name(self) -> str:
        return f"{self.townships}x{self.villages}x{self.months}"


MAX_COUNTIES = 19  # county codes 330281 … 330299


def county_code(k: int) -> str:
    return f"3302{81 + k:02d}000000"


# --- the city's inbox ----------------------------------------------------------------------


def _county_world(k: int, shape: Shape, end: tuple[int, int], today: date):
    """County k's demo world, moved to its own code and writing CSV only."""
    from xieshang.demo.files import make_style
    from xieshang.demo.world import build_world

    world = build_world(shape.townships, shape.villages, shape.months + 1, end, k + 1, today, False)
    prefix = county_code(k)[:6]
    for office in world.offices:
        for area in [office.area, *office.villages]:
            area.code = prefix + area.code[6:]
        office.skip = {prefix + code[6:]: share for code, share in office.skip.items()}
        if office.over_village:
            office.over_village = prefix + office.over_village[6:]
        rng = random.Random(f"bench-city:{k}:{office.area.code}")
        office.style = make_style(rng, rng.choice(CSV_FORMATS))
    world.county.name = COUNTY_NAMES.split()[k % 10] + ("" if k < 10 else "二")
    return world


def _write_office(world, index: int, outdir: Path, code: str):
    """One office's files; escalations go to its own county (the demo names one county)."""
    from xieshang.demo import office_run

    office_run.COUNTY_CODE = code
    return office_run.run_office(world, index, outdir)


def _roster(worlds: list, path: Path) -> None:
    """The city's roster as one CSV: the city, its counties, their townships and villages."""
    rows = [["区划代码", "名称", "上级代码", "类型", "党员人数", "常住人口"]]
    rows.append([CITY, CITY_NAME, "", "市", 500, sum(w.county.population for w in worlds)])
    for world in worlds:
        county = world.county
        rows.append([county.code, county.name, CITY, "县", county.party_members, ""])
        for office in world.offices[1:]:
            town = office.area
            rows.append([town.code, town.name, county.code, town.unit_type, town.party_members, ""])
            for v in office.villages:
                rows.append([v.code, v.name, town.code, v.unit_type, v.party_members, v.population])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)


def write_city(root: Path, counties: int, shape: Shape, end: str) -> tuple[Path, Path]:
    """(the inbox of the `shape.months` months before `end`, the inbox of month `end`,
    YYYY-MM), written under `root` once: each county's files under its name, then
    hard-linked into the two. The same arguments write the same files."""
    full, month = root / "inbox", root / "month"
    roster = full / f"{CITY_NAME}区划与党员名册.csv"  # written last
    if roster.exists():
        return full, month
    shutil.rmtree(root, ignore_errors=True)
    year, month_number = map(int, end.split("-"))
    today = date(year + month_number // 12, month_number % 12 + 1, 1)  # the month is over
    worlds = [_county_world(k, shape, (year, month_number), today) for k in range(counties)]
    files = root / "files"
    jobs = [
        (world, i, files / world.county.name, county_code(k))
        for k, world in enumerate(worlds)
        for i in range(len(world.offices))
    ]
    with ProcessPoolExecutor(
        min(4, os.cpu_count() or 1), mp_context=multiprocessing.get_context("spawn")
    ) as pool:
        list(pool.map(_write_office, *zip(*jobs, strict=True)))
    for world in worlds:
        county = files / world.county.name
        for folder in sorted(county.iterdir()):
            target = (month if folder.name == end else full) / world.county.name / folder.name
            shutil.copytree(folder, target, copy_function=os.link)
    _roster(worlds, roster)
    return full, month


# --- the phases, each in a process of its own (its imports and peak memory its own) ------


def _peak_mb(who: str = "RUSAGE_SELF") -> float:
    """The peak memory (max RSS) of this process, or of the largest of its children."""
    import resource

    return resource.getrusage(getattr(resource, who)).ru_maxrss / 1024


def _server_cpu(url: str) -> float | None:
    """CPU seconds used so far by the PostgreSQL server of `url`, when it runs on this
    machine: every server process's own time, and that of the processes its postmaster
    has reaped (backends gone, parallel workers). None for a server elsewhere."""
    from sqlalchemy.engine import make_url

    if make_url(url).host not in (None, "", "127.0.0.1", "localhost", "::1"):
        return None
    ticks = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:  # gone meanwhile
            continue
        if comm == "postgres":
            # utime, stime, cutime, cstime: the 14th to 17th fields, after "(comm)"
            ticks += sum(int(f) for f in stat.rsplit(")", 1)[1].split()[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def _workers_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _used(before: tuple, after: tuple) -> list[float | None]:
    """CPU seconds between two (own, workers, server) readings; server None if unknown."""
    return [None if a is None or b is None else b - a for a, b in zip(before, after, strict=True)]


def phase_floor(inbox: Path, url: str) -> dict:
    """Every CSV of the inbox COPY'd as it is (header, title and blank lines too) into a
    text table of its width, in one transaction, one COPY per width and encoding: the
    least a load must do (read the files, send them, store them)."""

    start = time.perf_counter()
    cpu = (time.process_time(), 0.0, _server_cpu(url))
    groups: dict[tuple[int, str], list[bytes]] = {}
    paths = sorted(inbox.rglob("*.csv"))
    for path in paths:
        data = path.read_bytes()
        first = data.split(b"\n", 1)[0]
        try:
            data.decode("utf-8")
            header, encoding = first.decode("utf-8"), "UTF8"
        except UnicodeDecodeError:
            header, encoding = first.decode("gb18030"), "GB18030"
        width = len(next(csv.reader([header])))
        groups.setdefault((width, encoding), []).append(data.rstrip(b"\r\n") + b"\r\n")
    rows, used = _copy_as_text(url, "floor", groups, cpu)
    seconds = time.perf_counter() - start
    return {"rows": rows, "files": len(paths), "seconds": seconds, "cpu": used}


def _copy_as_text(
    url: str, name: str, groups: dict[tuple[int, str], list[bytes]], cpu: tuple
) -> tuple[int, list[float | None]]:
    """Each group of CSV files, (width, encoding) -> their bytes, COPY'd into a text table
    `name`_WIDTH, in one transaction: the rows copied, and the CPU used since `cpu`."""
    import psycopg

    rows = 0
    with psycopg.connect(url.replace("+psycopg", "")) as conn, conn.cursor() as cursor:
        for width in sorted({w for w, _ in groups}):
            columns = ", ".join(f"c{i} text" for i in range(width))
            cursor.execute(f"CREATE TABLE {name}_{width} ({columns})")
        for (width, encoding), files in groups.items():
            statement = f"COPY {name}_{width} FROM STDIN (FORMAT csv, ENCODING '{encoding}')"
            with cursor.copy(statement) as copy:
                for data in files:
                    copy.write(data)
            rows += cursor.rowcount
        conn.commit()
        # read before the connection closes: its server process's time is its own until
        # then, and the postmaster's only once it has reaped the process
        used = _used(cpu, (time.process_time(), 0.0, _server_cpu(url)))
    return rows, used


def _private_rows(data: bytes, secret: bytes, hashed: dict[str, str]) -> tuple[int, bytes]:
    """A CSV file's rows as the server may see them (data-contract.md, attendance): the
    person's column (found by its header) as its HMAC-SHA256, the name's dropped."""
    from xieshang.contract.columns import COLUMNS

    def names(field: str) -> set[str]:
        column = next(c for c in COLUMNS["attendance"] if c.name == field)
        return {field, *(alias.lower() for alias in column.aliases)}

    person_names, name_names = names("person_id"), names("name")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    rows = list(csv.reader(io.StringIO(text)))
    person, dropped, header = None, None, len(rows)
    for at, row in enumerate(rows):
        cells = [cell.strip().lower() for cell in row]  # English names in any case
        person = next((i for i, c in enumerate(cells) if c in person_names), None)
        if person is not None:
            dropped = next((i for i, c in enumerate(cells) if c in name_names), None)
            header = at
            break
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    width = 0
    for at, row in enumerate(rows):
        if at > header and person < len(row):
            key = row[person]
            if key not in hashed:
                hashed[key] = hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()
            row[person] = hashed[key]
        if dropped is not None and dropped < len(row):
            del row[dropped]  # from a title row above the header too: one width per file
        width = max(width, len(row))
        writer.writerow(row)
    return width, out.getvalue().encode("utf-8")


def phase_private(inbox: Path, url: str) -> dict:
    """The floor as data-contract.md allows it: every CSV of the inbox decoded and parsed
    row by row, each person's identifier replaced by its keyed hash (computed once per
    identifier, as the load does) and the name dropped, then COPY'd into text tables of
    its width in one transaction. No other judging, no keys, no marts: the least a load
    may do, in one process (its CPU over the cores is the least it could take)."""

    start = time.perf_counter()
    cpu = (time.process_time(), 0.0, _server_cpu(url))
    hashed: dict[str, str] = {}
    groups: dict[tuple[int, str], list[bytes]] = {}
    paths = sorted(inbox.rglob("*.csv"))
    for path in paths:
        width, data = _private_rows(path.read_bytes(), SECRET, hashed)
        groups.setdefault((width, "UTF8"), []).append(data)
    rows, used = _copy_as_text(url, "private", groups, cpu)
    seconds = time.perf_counter() - start
    return {"rows": rows, "files": len(paths), "seconds": seconds, "cpu": used}


def phase_load(inbox: Path, url: str) -> dict:
    """`run_load` of the inbox, with the time of its stages: reading and judging the
    files, writing the rows (and the run's records), writing the marts; and the CPU time
    the load's own process used while writing (what it did not use, it waited for the
    database server)."""
    from xieshang.etl.load import run_load
    from xieshang.warehouse.engine import open_warehouse

    engine = open_warehouse(url)
    marks: dict[tuple[str, int], float] = {}
    cpu: dict[tuple[str, int], tuple] = {}  # (own, workers, server) CPU seconds so far

    def used() -> tuple:
        return (time.process_time(), _workers_cpu(), _server_cpu(url))

    start, began = time.perf_counter(), used()

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "merge" or done == total:
            marks[(stage, done)] = time.perf_counter() - start
            cpu[(stage, done)] = used()

    report = run_load(engine, inbox, secret=SECRET, progress=progress)
    seconds, ended = time.perf_counter() - start, used()
    assert report["status"] == "committed", report.get("error")
    steps = max(done for stage, done in marks if stage == "merge")
    read = marks[("merge", 0)]
    written = marks[("merge", steps - 1)]
    writing_cpu = cpu[("merge", steps)][0] - cpu[("merge", 0)][0]
    stages = {
        "read": _used(began, cpu[("merge", 0)]),
        "write": _used(cpu[("merge", 0)], cpu[("merge", steps - 1)]),
        "marts": _used(cpu[("merge", steps - 1)], ended),
    }
    with engine.connect() as conn:
        size = conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()
    # untimed, what autovacuum does within a minute or so of the commit: the monthly load
    # and the figures read a warehouse with statistics, as they would a month later
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
    kinds = report["kinds"]
    return {
        "rows": sum(k["read"] for k in kinds.values()),
        "kinds": {k: v["read"] for k, v in kinds.items()},
        "rejected": sum(k["rejected"] for k in kinds.values()),
        "seconds": seconds,
        "read": read,
        "write": written - read,
        "marts": seconds - written,
        "write_own_cpu": writing_cpu,  # of write + marts; the rest waited for the server
        "cpu": stages,  # stage -> CPU seconds of [own, workers, server (None: elsewhere)]
        "peak_mb": _peak_mb(),
        "workers_peak_mb": _peak_mb("RUSAGE_CHILDREN"),  # the load's reading workers
        "database_mb": size / 2**20,
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _months_back(day: date, back: int) -> date:
    """The first day of the month `back` months before `day`'s."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


class _WithoutRollups:
    """What `xieshang.metrics.compute` builds its statements' shapes with, the county
    rollups never read: the baseline."""

    @staticmethod
    def of(*args):
        from xieshang.metrics.statements import Shape

        return Shape.of(*args[:7], month_starts=False)


def sample_scopes(engine, **most: int) -> dict[str, list[str]]:
    """The city, and at most `most[level]` areas of each level below it, spread over the
    city (villages from every fourth township)."""
    from xieshang import metrics

    with engine.connect() as conn:
        counties = [code for code, _ in metrics.children(conn, CITY)]
        townships = [t for c in counties for t, _ in metrics.children(conn, c)]
        villages = [v for t in townships[::4] for v, _ in metrics.children(conn, t)]
    found = {"county": counties, "township": townships, "village": villages}
    spread = {
        level: codes[:: max(1, len(codes) // most[level])][: most[level]]
        for level, codes in found.items()
    }
    return {"city": [CITY], **spread}


def phase_figures(url: str, last: date, repeat: int, rollups: bool = True) -> dict:
    """`metrics.figures` (every figure) at each level for the month, quarter and year
    that end on `last`: p50/p95 in ms per level, after one call to connect; without the
    county rollups unless `rollups`."""
    from xieshang import metrics
    from xieshang.metrics import compute
    from xieshang.warehouse.engine import open_warehouse

    if not rollups:
        compute.Shape = _WithoutRollups

    engine = open_warehouse(url)
    scopes = sample_scopes(engine, county=10, township=10, village=20)
    periods = [(_months_back(last, back), last) for _, back in PERIODS]
    metrics.figures(engine, CITY, *periods[0])
    timings: dict[str, list[float]] = {level: [] for level in scopes}
    for _ in range(repeat):
        for level, codes in scopes.items():
            for code in codes:
                for start, stop in periods:
                    began = time.perf_counter()
                    metrics.figures(engine, code, start, stop)
                    timings[level].append((time.perf_counter() - began) * 1000)
    return {
        level: {"n": len(v), "p50": statistics.median(v), "p95": percentile(v, 0.95)}
        for level, v in timings.items()
    }


def phase_callbacks(url: str, last: date) -> dict:
    """Every page's builders (`bench_dashboard.page_builders`, the functions its callbacks
    call, with no cache: as after a filter change) at each level for the month, quarter
    and year that end on `last`: p50/p95 in ms per level over every builder call, and the
    slowest page's p95."""
    from bench_dashboard import builder_name, page_builders

    from xieshang.dashboard.state import State
    from xieshang.warehouse.engine import open_warehouse

    engine = open_warehouse(url)
    scopes = sample_scopes(engine, county=3, township=3, village=3)
    periods = [(name, _months_back(last, back), last) for name, back in PERIODS]
    builders = page_builders()
    for build in builders["overview"]:  # connect and import first
        build(engine, State(CITY, *periods[0][1:]))
    timings: dict[str, list[float]] = {level: [] for level in scopes}
    slowest: dict[str, tuple[float, str]] = {}
    calls: dict[str, list[tuple[float, str, str, str]]] = {level: [] for level in scopes}
    for level, codes in scopes.items():
        for page, builds in builders.items():
            times = []
            for code in codes:
                for period, start, stop in periods:
                    state = State(code, start, stop)
                    for build in builds:
                        began = time.perf_counter()
                        build(engine, state)
                        times.append((time.perf_counter() - began) * 1000)
                        calls[level].append((times[-1], page, builder_name(build), period))
            timings[level] += times
            slowest[level] = max(slowest.get(level, (0.0, "")), (percentile(times, 0.95), page))
    return {
        level: {
            "n": len(v),
            "p50": statistics.median(v),
            "p95": percentile(v, 0.95),
            "slowest_page": slowest[level][1],
            "slowest_p95": slowest[level][0],
            # where to look first: the slowest single calls, with their page and period
            "slowest_calls": sorted(calls[level], reverse=True)[:3],
        }
        for level, v in timings.items()
    }


def _phase(name: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, *args],
        capture_output=True,
        text=True,
    )
    if out.returncode:
        raise SystemExit(f"phase {name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _run_phase(args: argparse.Namespace) -> dict:
    if args.phase == "floor":
        return phase_floor(args.inbox, args.db)
    if args.phase == "private":
        return phase_private(args.inbox, args.db)
    if args.phase == "load":
        return phase_load(args.inbox, args.db)
    if args.phase == "callbacks":
        return phase_callbacks(args.db, date.fromisoformat(args.last))
    return phase_figures(args.db, date.fromisoformat(args.last), args.repeat, not args.baseline)


# --- one city, and the table -------------------------------------------------------------


@contextmanager
def own_database(admin_url: str) -> Iterator[str]:
    """A database of the benchmark's own on the server of `admin_url`, dropped after."""
    import sqlalchemy as sa

    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"xieshang_bench_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def bench_city(
    counties: int, shape: Shape, end: str, out: Path, admin_url: str, repeat: int
) -> dict:
    began = time.perf_counter()
    full, month = write_city(out / f"city-{counties}x{shape.name}-{end}", counties, shape, end)
    generated = time.perf_counter() - began
    year, number = map(int, end.split("-"))
    last = date(year, number, calendar.monthrange(year, number)[1])
    with own_database(admin_url) as url:
        floor = _phase("floor", "--inbox", str(full), "--db", url)
    with own_database(admin_url) as url:
        private = _phase("private", "--inbox", str(full), "--db", url)
    with own_database(admin_url) as url:
        load = _phase("load", "--inbox", str(full), "--db", url)
        monthly = _phase("load", "--inbox", str(month), "--db", url)
        figures = _phase(
            "figures", "--db", url, "--last", last.isoformat(), "--repeat", str(repeat)
        )
        baseline = _phase(
            "figures", "--db", url, "--last", last.isoformat(), "--repeat", str(repeat),
            "--baseline",
        )  # fmt: skip
        callbacks = _phase("callbacks", "--db", url, "--last", last.isoformat())
    return {
        "counties": counties,
        "generated": generated,
        "floor": floor,
        "private": private,
        "load": load,
        "month": monthly,
        "figures": figures,
        "baseline": baseline,
        "callbacks": callbacks,
    }


def _line(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))


def print_table(results: list[dict]) -> None:
    """The figures of every city size, one row each, then what each load spent its time on."""
    head = ["counties", "rows", "floor s", "floor rows/s", "load s", "load rows/s", "ratio"]
    head += ["month rows", "month s", "db MB", "peak MB"]
    levels = ["city", "county", "township", "village"]
    head += [f"{level} p50/p95 ms" for level in levels]
    rows = []
    for r in results:
        floor, load, month, figures = r["floor"], r["load"], r["month"], r["figures"]
        cells = [
            str(r["counties"]),
            f"{load['rows']:,}",
            f"{floor['seconds']:.1f}",
            f"{floor['rows'] / floor['seconds']:,.0f}",
            f"{load['seconds']:.1f}",
            f"{load['rows'] / load['seconds']:,.0f}",
            f"{load['seconds'] / floor['seconds']:.1f}x",
            f"{month['rows']:,}",
            f"{month['seconds']:.1f}",
            f"{month['database_mb']:,.0f}",
            f"{max(load['peak_mb'], month['peak_mb']):,.0f}",
        ]
        cells += [f"{figures[lv]['p50']:.0f}/{figures[lv]['p95']:.0f}" for lv in levels]
        rows.append(cells)
        base = r["baseline"]
        rows.append(
            ["", "without rollups", *[""] * (len(head) - 6)]
            + [f"{base[lv]['p50']:.0f}/{base[lv]['p95']:.0f}" for lv in levels]
        )
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    print(_line(head, widths))
    for cells in rows:
        print(_line(cells, widths))
    print()
    print("where the time went (s): read and judge / write the rows / marts and commit")
    for r in results:
        for name in ("load", "month"):
            p = r[name]
            print(
                f"  {r['counties']:>2} counties, {name:5s}: {p['read']:.1f} / {p['write']:.1f}"
                f" / {p['marts']:.1f} of {p['seconds']:.1f}"
                f" (the load's own CPU {p['write_own_cpu']:.1f} of the writing"
                f" {p['write'] + p['marts']:.1f})"
                f" ({p['kinds']}, rejected {p['rejected']};"
                f" peak {p['peak_mb']:,.0f} MB, each reading worker at most"
                f" {p['workers_peak_mb']:,.0f} MB)"
            )
    print()
    print(
        "callbacks: every page's builders, no cache, p50/p95 ms (the slowest page's p95)"
        f" at each level (target p95 <= {TARGET_CALLBACK_MS:.0f} ms)"
    )
    for r in results:
        cells = [
            f"{lv} {c['p50']:.0f}/{c['p95']:.0f} ({c['slowest_page']} {c['slowest_p95']:.0f})"
            for lv, c in r["callbacks"].items()
        ]
        print(f"  {r['counties']:>2} counties: {' · '.join(cells)}")
    for r in results:
        for lv, c in r["callbacks"].items():
            slow = [
                f"{ms:.0f} {page} {name} ({period})"
                for ms, page, name, period in c["slowest_calls"]
            ]
            print(f"  {r['counties']:>2} counties, slowest at {lv}: {' · '.join(slow)}")
    print()
    print(
        "CPU seconds of the first load by stage (its own process + its reading workers + the"
        " database server), and the least time they need on this machine's cores"
    )
    for r in results:
        print(f"  {r['counties']:>2} counties: {cpu_budget(r, os.cpu_count() or 1)}")
    print(
        "the private floor (the floor, but every row parsed, each person's identifier"
        " hashed and the name dropped, as data-contract.md requires; one process)"
    )
    for r in results:
        print(f"  {r['counties']:>2} counties: {private_floor(r, os.cpu_count() or 1)}")
    print(
        f"targets: load <= {TARGET_RATIO:.0f}x the floor; figures p95 <= {TARGET_P95_MS:.0f} ms"
        f" and callbacks p95 <= {TARGET_CALLBACK_MS:.0f} ms at every level"
    )


def cpu_budget(result: dict, cores: int) -> str:
    """One city's first load as CPU seconds by stage, against the floor's: on `cores`
    cores, however well its work overlapped, the load could not take less than their sum
    over `cores` seconds."""
    stages, floor = result["load"]["cpu"], result["floor"]
    if any(used[2] is None for used in stages.values()) or floor["cpu"][2] is None:
        return "the database server runs elsewhere: its CPU is not counted"
    parts = " / ".join(
        f"{name} {' + '.join(f'{v:.1f}' for v in used)}" for name, used in stages.items()
    )
    total = sum(sum(used) for used in stages.values())
    least = total / cores
    return (
        f"{parts} = {total:.1f}; the floor {floor['cpu'][0]:.1f} + {floor['cpu'][2]:.1f}"
        f" = {sum(floor['cpu']):.1f}; on {cores} cores the load takes at least {least:.1f} s"
        f" = {least / floor['seconds']:.1f}x the floor"
    )


def private_floor(result: dict, cores: int) -> str:
    """The private floor's time and CPU against the floor's, and the least it needs on
    `cores` however its files were shared out."""
    floor, private = result["floor"], result["private"]
    own, _, server = private["cpu"]
    if server is None:
        return f"{private['seconds']:.1f} s, {private['seconds'] / floor['seconds']:.1f}x the floor"
    least = (own + server) / cores
    return (
        f"{private['seconds']:.1f} s = {private['seconds'] / floor['seconds']:.1f}x the floor"
        f" ({private['rows']:,} rows); CPU {own:.1f} + {server:.1f} = {own + server:.1f}"
        f" against the floor's {sum(floor['cpu']):.1f}; on {cores} cores at least"
        f" {least:.1f} s = {least / floor['seconds']:.1f}x the floor"
    )


def _last_month() -> str:
    today = date.today()
    return f"{today.year - (today.month == 1)}-{(today.month - 2) % 12 + 1:02d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counties", type=int, nargs="+", default=[10])
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="1 county, 12 months")
    parser.add_argument("--out", type=Path, default=OUT, help="where the inboxes are kept")
    parser.add_argument("--end", default=_last_month(), help="the month added, YYYY-MM")
    parser.add_argument("--phase", choices=("floor", "private", "load", "figures", "callbacks"))
    parser.add_argument("--inbox", type=Path)
    parser.add_argument("--db")
    parser.add_argument("--last")
    parser.add_argument("--baseline", action="store_true", help="figures: without the rollups")
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(_run_phase(args)))
        return
    if not all(1 <= n <= MAX_COUNTIES for n in args.counties):
        parser.error(f"--counties: 1 to {MAX_COUNTIES}")
    shape = Shape(months=args.months)
    counties = args.counties
    if args.quick:
        shape, counties = Shape(months=12), [1]
    admin_url = os.environ.get("XIESHANG_BENCH_PG", DEFAULT_PG)
    args.out.mkdir(parents=True, exist_ok=True)
    results = []
    for n in counties:
        results.append(bench_city(n, shape, args.end, args.out, admin_url, args.repeat))
        print(f"{n} counties: generated in {results[-1]['generated']:.0f} s", flush=True)
    print()
    print_table(results)


if __name__ == "__main__":
    main()
