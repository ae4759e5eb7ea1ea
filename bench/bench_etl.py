"""ETL benchmark: a 5-year county inbox loaded end to end, against a floor measured in the same run.

The floor reads the same files with pandas and bulk-inserts every row, as read, into
SQLite with `sqlite3.executemany` in one transaction, with no validation: the least any
loader must do. Then the load proper into a fresh warehouse; a monthly load (an inbox of
the last month's files into a warehouse of the months before, which the bench loads
first, untimed); and a reload of the whole inbox (every file unchanged). Each phase runs
in its own process, so that its peak memory (max RSS) is its own.

    python bench/bench_etl.py [--months 60] [--townships 13] [--villages-per-township 15] [--out DIR]

Targets: load <= 3x the floor, peak <= 1 GB; a monthly load costs time in proportion to
the month, not to the warehouse.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
SECRET = b"bench-secret-0123456789"
TARGET_RATIO = 3.0
TARGET_PEAK_MB = 1024


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _read_raw(path: Path) -> list:
    """Every sheet of a data file as pandas reads it: cells as text, no header."""
    import pandas as pd

    if path.suffix.lower() == ".csv":
        data = path.read_bytes()
        try:
            data.decode("utf-8")
            encoding = "utf-8-sig"
        except UnicodeDecodeError:
            encoding = "gb18030"
        frame = pd.read_csv(path, header=None, dtype=str, keep_default_na=False, encoding=encoding)
        return [frame]
    sheets = pd.read_excel(
        path, sheet_name=None, header=None, dtype=str, keep_default_na=False, engine="calamine"
    )
    return list(sheets.values())


def phase_floor(inbox: Path, db: Path) -> dict:
    from xieshang.etl.read import discover

    start = time.perf_counter()
    paths, _ = discover(inbox)
    rows = 0
    tables: set[int] = set()
    connection = sqlite3.connect(db, isolation_level=None)
    connection.execute("BEGIN")
    for rel in paths:
        try:
            frames = _read_raw(inbox / rel)
        except Exception:  # noqa: BLE001 — a dirty inbox has unreadable files
            continue
        for frame in frames:
            width = frame.shape[1]
            if width not in tables:
                columns = ", ".join(f"c{i} TEXT" for i in range(width))
                connection.execute(f"CREATE TABLE raw_{width} ({columns})")
                tables.add(width)
            marks = ", ".join("?" * width)
            connection.executemany(
                f"INSERT INTO raw_{width} VALUES ({marks})",
                frame.itertuples(index=False, name=None),
            )
            rows += len(frame)
    connection.execute("COMMIT")
    connection.close()
    return {"rows": rows, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def _timed_load(inbox: Path, db: Path) -> dict:
    from xieshang.etl.load import run_load
    from xieshang.warehouse.engine import open_warehouse

    engine = open_warehouse(f"sqlite:///{db}")
    start = time.perf_counter()
    report = run_load(engine, inbox, secret=SECRET, today=date.today())
    seconds = time.perf_counter() - start
    assert report["status"] == "committed", report.get("error")
    kinds = report["kinds"]
    return {
        "rows": sum(k["read"] for k in kinds.values()),
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "kinds": {k: v["read"] for k, v in kinds.items()},
        "changed_rows": sum(k["inserted"] + k["updated"] for k in kinds.values()),
        "loaded_files": len(report["files"]["loaded"]),
        "unchanged_files": len(report["files"]["unchanged"]),
    }


PHASES = {
    "floor": phase_floor,
    "load": _timed_load,
    "before": _timed_load,
    "month": _timed_load,
    "reload": _timed_load,
}


def _run_phase(name: str, inbox: Path, db: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--inbox", str(inbox), "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _split(inbox: Path) -> tuple[Path, Path]:
    """(the inbox less its last month's folder, that folder alone): hard-linked copies,
    since no file of an inbox is ever written."""
    last = max(p.name for p in inbox.iterdir() if p.is_dir())
    before = inbox.with_name(inbox.name + "-before")
    month = inbox.with_name(inbox.name + "-month")
    if not before.exists():
        shutil.copytree(inbox, before, copy_function=os.link, ignore=shutil.ignore_patterns(last))
    if not month.exists():
        shutil.copytree(inbox / last, month / last, copy_function=os.link)
    return before, month


def _fresh(db: Path) -> Path:
    for path in db.parent.glob(db.name + "*"):
        path.unlink()
    return db


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--townships", type=int, default=13)
    parser.add_argument("--villages-per-township", type=int, default=15)
    parser.add_argument("--phase", choices=PHASES)
    parser.add_argument("--inbox", type=Path)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--out", type=Path, default=OUT, help="where the inbox and warehouses go")
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](args.inbox, args.db)))
        return

    from xieshang.demo.inbox import write_inbox

    out = args.out
    out.mkdir(exist_ok=True)
    inbox = out / f"inbox-{args.townships}x{args.villages_per_township}x{args.months}"
    if not inbox.exists():
        start = time.perf_counter()
        write_inbox(
            inbox,
            townships=args.townships,
            villages_per_township=args.villages_per_township,
            months=args.months,
        )
        print(f"generated {inbox.name} in {time.perf_counter() - start:.1f} s")
    files = sum(1 for p in inbox.rglob("*") if p.is_file())
    floor = _run_phase("floor", inbox, _fresh(out / "floor.sqlite"))
    load = _run_phase("load", inbox, _fresh(out / "warehouse.sqlite"))
    monthly_db = _fresh(out / "monthly.sqlite")
    before, last_month = _split(inbox)
    _run_phase("before", before, monthly_db)
    month = _run_phase("month", last_month, monthly_db)
    reload = _run_phase("reload", inbox, out / "warehouse.sqlite")
    ratio = load["seconds"] / floor["seconds"]
    print(f"inbox: {files:,} files; rows read: {load['rows']:,} ({load['kinds']})")
    print(
        f"floor (pandas read + sqlite3 executemany in one transaction, no validation): "
        f"{floor['seconds']:.1f} s, {floor['rows']:,} rows, "
        f"{floor['rows'] / floor['seconds']:,.0f} rows/s, peak {floor['peak_mb']:.0f} MB"
    )
    print(
        f"xieshang load end to end: {load['seconds']:.1f} s, "
        f"{load['rows'] / load['seconds']:,.0f} rows/s, peak {load['peak_mb']:.0f} MB"
    )
    print(
        f"ratio load/floor: {ratio:.2f}x (target <= {TARGET_RATIO:.0f}x); peak memory "
        f"{load['peak_mb']:.0f} MB (target <= {TARGET_PEAK_MB} MB)"
    )
    print(
        f"monthly load (an inbox of the last month's {month['loaded_files']} files into the "
        f"warehouse of the months before): {month['seconds']:.2f} s, {month['rows']:,} rows, "
        f"{month['seconds'] / load['seconds']:.1%} of the full load, "
        f"peak {month['peak_mb']:.0f} MB"
    )
    print(
        f"reload of the same inbox: {reload['seconds']:.1f} s, "
        f"{reload['changed_rows']} rows changed, {reload['unchanged_files']} files unchanged"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
