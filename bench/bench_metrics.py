"""Benchmark of the metrics module on the 5-year county warehouse (not a timed test).

    python bench/fill_warehouse.py            # once: bench/out/county.sqlite (~1 min)
    python bench/bench_metrics.py [--db URL] [--repeat 5]

Times every figure for the county, each township and 20 villages, for a month, a quarter
and a year (both "current" periods, ending at the last load, and past ones, which read
the resolution history), then the per-child tables and the monthly series, and prints
p50/p95 per class of call. Targets (SQLite): every single-scope call p95 <= 50 ms; the
county-year per-township table <= 200 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from datetime import date
from pathlib import Path

import sqlalchemy as sa

from xieshang import metrics
from xieshang.warehouse import schema
from xieshang.warehouse.engine import make_engine

PERIODS = {
    "month": [(date(2025, 12, 1), date(2025, 12, 31)), (date(2025, 6, 1), date(2025, 6, 30))],
    "quarter": [(date(2025, 10, 1), date(2025, 12, 31)), (date(2024, 4, 1), date(2024, 6, 30))],
    "year": [(date(2025, 1, 1), date(2025, 12, 31)), (date(2023, 1, 1), date(2023, 12, 31))],
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def sizes(engine) -> dict[str, int]:
    names = [
        "areas",
        "meetings",
        "attendance",
        "resolution_reports",
        "mart_meetings",
        "mart_party_attendance",
        "mart_resolution_states",
        "mart_resolutions_current",
    ]
    with engine.connect() as conn:
        return {
            n: conn.execute(
                sa.select(sa.func.count()).select_from(schema.metadata.tables[n])
            ).scalar()
            for n in names
        }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).parent / "out" / "county.sqlite"
    parser.add_argument("--db", default=f"sqlite:///{default}")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    engine = make_engine(args.db)
    if not sa.inspect(engine).has_table("areas"):
        parser.error(f"{args.db} holds no warehouse: run `python bench/fill_warehouse.py` first")
    with engine.connect() as conn:
        root = metrics.root_area(conn)
        townships = [code for code, _ in metrics.children(conn, root)]
        villages = []
        for town in townships:
            villages += [code for code, _ in metrics.children(conn, town)]
    villages = villages[:: max(1, len(villages) // 20)][:20]
    metrics.figures(
        engine, root, date(2025, 1, 1), date(2025, 1, 31)
    )  # warm the connection and caches
    print(f"warehouse {args.db}: {sizes(engine)}")
    print(f"root {root}, {len(townships)} townships, timing {len(villages)} villages")

    timings: dict[str, list[float]] = defaultdict(list)

    def timed(label: str, fn, *a, **kw):
        t0 = time.perf_counter()
        fn(*a, **kw)
        timings[label].append((time.perf_counter() - t0) * 1000)

    for _ in range(args.repeat):
        for kind, periods in PERIODS.items():
            for start, end in periods:
                timed(f"figures county {kind}", metrics.figures, engine, root, start, end)
                for town in townships:
                    timed(f"figures township {kind}", metrics.figures, engine, town, start, end)
                for village in villages:
                    timed(f"figures village {kind}", metrics.figures, engine, village, start, end)
                timed(
                    f"by_child county->townships {kind}",
                    metrics.figures_by_child,
                    engine,
                    root,
                    start,
                    end,
                )
                timed(
                    f"by_child township->villages {kind}",
                    metrics.figures_by_child,
                    engine,
                    townships[0],
                    start,
                    end,
                )
        for start, end in PERIODS["year"]:
            timed("monthly_series county year", metrics.monthly_series, engine, root, start, end)
            timed(
                "monthly_series township year",
                metrics.monthly_series,
                engine,
                townships[0],
                start,
                end,
            )
        timed(
            "monthly_series county 5 years",
            metrics.monthly_series,
            engine,
            root,
            date(2021, 1, 1),
            date(2025, 12, 31),
        )
        timed(
            "figures county year, filter form=council",
            metrics.figures,
            engine,
            root,
            date(2025, 1, 1),
            date(2025, 12, 31),
            metrics.Filters(form="council"),
        )

    print(f"\n{'call':48s} {'n':>5s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s}")
    single = []
    for label, values in timings.items():
        if label.startswith("figures ") and "filter" not in label:
            single += values
        print(
            f"{label:48s} {len(values):5d} {statistics.median(values):8.1f} "
            f"{percentile(values, 0.95):8.1f} {max(values):8.1f}"
        )
    print(
        f"\nall single-scope calls: n={len(single)} p50={statistics.median(single):.1f} ms "
        f"p95={percentile(single, 0.95):.1f} ms (target p95 <= 50 ms)"
    )
    county_year = timings["by_child county->townships year"]
    print(
        f"county-year per-township table: p95={percentile(county_year, 0.95):.1f} ms "
        "(target <= 200 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
