"""A synthetic inbox for a realistic demo county (interfaces.md, `xieshang generate`).

`write_inbox` writes a county roster and K months of meetings, attendance and monthly
resolution ledgers, one folder per month and office (`2025-03/城关街道/`), in the mix
of formats real offices send (see `xieshang.demo.files`). Townships differ so that the
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

import multiprocessing
import os
import random
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date, datetime
from pathlib import Path
from typing import Any

from xieshang.contract import settings
from xieshang.contract.columns import COLUMNS
from xieshang.demo.files import Workbook, kind_of
from xieshang.demo.names import COUNTY_CODE, COUNTY_NAME
from xieshang.demo.office_run import OfficeResult, run_office
from xieshang.demo.world import (
    DATA_KINDS,
    HELD_PLAN,
    MAX_TOWNSHIPS,
    MAX_UNITS,
    Area,
    Office,
    World,
    add_months,
    build_world,
)


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


def check_arguments(
    townships: int, villages_per_township: int, months: int, end: str | None, today: date
) -> tuple[int, int]:
    """The last month (year, month) of an inbox of these sizes; ValueError, saying which
    argument to change, for sizes or a month `write_inbox` cannot write."""
    end_ym = _parse_end(end, today)
    if not 1 <= townships <= MAX_TOWNSHIPS:
        raise ValueError(f"--townships must be 1 to {MAX_TOWNSHIPS}")
    if not 1 <= villages_per_township <= MAX_UNITS:
        raise ValueError(f"--villages-per-township must be 1 to {MAX_UNITS}")
    first = add_months(end_ym[0], end_ym[1], 1 - months)
    if months < 1 or first < (2000, 1):
        raise ValueError("--months must be at least 1 and start no earlier than 2000-01")
    return end_ym


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
    today = today or settings.today()
    end_ym = check_arguments(townships, villages_per_township, months, end, today)
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
    return [run_office(world, i, outdir) for i in range(len(world.offices))]


def _cost(office: Office) -> int:
    """Rough relative time to write an office's files (xlsx is much slower than CSV)."""
    return (1 + len(office.villages)) * (1 if office.style.is_csv else 8)


# The pool's worker side: top-level names, so that spawned workers can import them, and
# the world handed over once per worker rather than once per office.
_WORLD: World | None = None


def _set_world(world: World) -> None:
    global _WORLD
    _WORLD = world


def _run_in_worker(index: int, outdir: Path) -> OfficeResult:
    assert _WORLD is not None
    return run_office(_WORLD, index, outdir)


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
