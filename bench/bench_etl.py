"""ETL benchmark: a 5-year county inbox loaded end to end, against a floor measured in the same run.

The floor reads the same files with pandas and bulk-inserts every row as text into
SQLite with no validation: the least any loader must do. Each phase runs in its own
process so that its peak memory (max RSS) is its own.

    python bench/bench_etl.py [--months 60] [--townships 13] [--villages-per-township 15]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def phase_floor(inbox: Path, db: Path) -> dict:
    import pandas as pd
    import sqlalchemy as sa

    from xieshang.etl.read import discover

    engine = sa.create_engine(f"sqlite:///{db}")
    start = time.perf_counter()
    rows = 0
    paths, _ = discover(inbox)
    with engine.begin() as conn:
        for rel in paths:
            path = inbox / rel
            try:
                if rel.lower().endswith(".csv"):
                    frames = {
                        "csv": pd.read_csv(
                            path,
                            header=None,
                            dtype=str,
                            keep_default_na=False,
                            encoding="gb18030" if _is_gb(path) else "utf-8-sig",
                        )
                    }
                else:
                    frames = pd.read_excel(
                        path, sheet_name=None, header=None, dtype=str, engine="calamine"
                    )
            except Exception:  # noqa: BLE001 — the dirty inbox has unreadable files
                continue
            for frame in frames.values():
                frame.columns = [f"c{i}" for i in range(frame.shape[1])]
                table = f"raw_{frame.shape[1]}"
                frame.to_sql(table, conn, if_exists="append", index=False)
                rows += len(frame)
    return {"rows": rows, "seconds": time.perf_counter() - start, "peak_mb": _peak_mb()}


def _is_gb(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def phase_load(inbox: Path, db: Path) -> dict:
    from xieshang.etl.load import run_load
    from xieshang.warehouse.engine import open_warehouse

    engine = open_warehouse(f"sqlite:///{db}")
    start = time.perf_counter()
    report = run_load(engine, inbox, secret=b"bench", today=date.today())
    seconds = time.perf_counter() - start
    assert report["status"] == "committed", report.get("error")
    rows = sum(k["read"] for k in report["kinds"].values())
    return {
        "rows": rows,
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        "kinds": {k: v["read"] for k, v in report["kinds"].items()},
    }


def phase_reload(inbox: Path, db: Path) -> dict:
    from xieshang.etl.load import run_load
    from xieshang.warehouse.engine import open_warehouse

    engine = open_warehouse(f"sqlite:///{db}")
    start = time.perf_counter()
    report = run_load(engine, inbox, secret=b"bench", today=date.today())
    changed = sum(k["inserted"] + k["updated"] for k in report["kinds"].values())
    return {
        "seconds": time.perf_counter() - start,
        "changed_rows": changed,
        "unchanged_files": len(report["files"]["unchanged"]),
    }


PHASES = {"floor": phase_floor, "load": phase_load, "reload": phase_reload}


def _run_phase(name: str, inbox: Path, db: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", name, "--inbox", str(inbox), "--db", str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--townships", type=int, default=13)
    parser.add_argument("--villages-per-township", type=int, default=15)
    parser.add_argument("--phase", choices=PHASES)
    parser.add_argument("--inbox", type=Path)
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    if args.phase:
        print(json.dumps(PHASES[args.phase](args.inbox, args.db)))
        return

    from xieshang.demo.inbox import write_inbox

    OUT.mkdir(exist_ok=True)
    inbox = OUT / f"inbox-{args.townships}x{args.villages_per_township}x{args.months}"
    if not inbox.exists():
        start = time.perf_counter()
        write_inbox(
            inbox,
            townships=args.townships,
            villages_per_township=args.villages_per_township,
            months=args.months,
        )
        print(f"generated {inbox.name} in {time.perf_counter() - start:.1f} s")
    for name in ("floor.sqlite", "warehouse.sqlite"):
        for path in OUT.glob(name + "*"):
            path.unlink()
    floor = _run_phase("floor", inbox, OUT / "floor.sqlite")
    load = _run_phase("load", inbox, OUT / "warehouse.sqlite")
    reload = _run_phase("reload", inbox, OUT / "warehouse.sqlite")
    print(f"rows read: {load['rows']:,} ({load['kinds']})")
    print(
        f"floor (pandas read + bulk insert, no validation): {floor['seconds']:.1f} s, "
        f"{floor['rows'] / floor['seconds']:,.0f} rows/s, peak {floor['peak_mb']:.0f} MB"
    )
    print(
        f"xieshang load end to end: {load['seconds']:.1f} s, "
        f"{load['rows'] / load['seconds']:,.0f} rows/s, peak {load['peak_mb']:.0f} MB"
    )
    print(
        f"ratio load/floor: {load['seconds'] / floor['seconds']:.2f}x (target <= 3x); "
        f"peak memory {load['peak_mb']:.0f} MB (target < 2048 MB)"
    )
    print(
        f"reload of the same inbox: {reload['seconds']:.1f} s, "
        f"{reload['changed_rows']} rows changed, {reload['unchanged_files']} files unchanged"
    )


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    main()
