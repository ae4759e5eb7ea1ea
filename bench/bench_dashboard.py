"""Dashboard benchmark: server time of each page's builders after a filter change, and page bytes.

Builders are the functions the callbacks call; they run here with no cache (every call
is a cache miss, as after a filter change), and their times are also given as a ratio to
one metrics.figures call (all figures of the scope) measured in the same run. Bytes are
what a first view downloads, as sent to a browser that accepts gzip: the HTML, every
script and stylesheet it names, the layout and the callback graph, plus what the page's
callbacks answer for the county and this year (their outputs as JSON, gzipped).

    python bench/bench_dashboard.py [--db bench/out/warehouse.sqlite]
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gzip
import json
import re
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _answer(built):
    """What a builder built as JSON can hold it: a dataclass's fields (the assessment's
    Table) as a list."""
    if dataclasses.is_dataclass(built):
        return [getattr(built, f.name) for f in dataclasses.fields(built)]
    return built


def page_builders() -> dict:
    """Each page's builders, the functions its callbacks call: page -> [f(engine, state)]."""
    from xieshang.dashboard.views import assessment as assessment_view
    from xieshang.dashboard.views import (
        data_quality,
        overview,
        participation,
        resolutions,
        stakeholders,
    )

    return {
        "overview": [
            overview.build_kpis,
            functools.partial(overview.build_map, key="implementation_rate"),
            functools.partial(overview.build_ranking, key="implementation_rate"),
            overview.build_trends,
        ],
        "participation": [
            participation.build_kpis,
            functools.partial(participation.build_ranking, key="party_participation_rate"),
            functools.partial(participation.build_ranking, key="party_led_rate"),
            participation.build_trend,
        ],
        "resolutions": [
            resolutions.build_kpis,
            resolutions.build_ranking,
            resolutions.build_status_mix,
            resolutions.build_days,
            resolutions.build_satisfaction,
            resolutions.build_overdue,
        ],
        "stakeholders": [
            stakeholders.build_kpis,
            functools.partial(stakeholders.build_ranking, key="stakeholder_coverage"),
            functools.partial(stakeholders.build_ranking, key="stakeholder_breadth"),
            stakeholders.build_heatmap,
            stakeholders.build_never,
        ],
        "assessment": [assessment_view.build_table],
        "data-quality": [
            data_quality.build_summary,
            data_quality.build_status,
            data_quality.build_over_100,
            data_quality.build_held,
            data_quality.build_held_rows,
            data_quality.build_rejects,
            data_quality.build_events,
            data_quality.build_runs,
        ],
    }


def builder_name(build) -> str:
    """A page builder's name as a bench prints it: build_map(implementation_rate)."""
    if isinstance(build, functools.partial):
        return f"{build.func.__name__}({', '.join(map(str, build.keywords.values()))})"
    return build.__name__


def main() -> None:
    sys.path.insert(0, str(ROOT))
    import plotly

    from xieshang import metrics
    from xieshang.dashboard.state import State
    from xieshang.warehouse.engine import open_warehouse

    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=str(ROOT / "bench" / "out" / "warehouse.sqlite"))
    args = parser.parse_args()
    if not Path(args.db).is_file():  # opening it would make an empty warehouse there
        parser.error(f"no warehouse at {args.db}: make it with python bench/bench_etl.py")
    engine = open_warehouse(f"sqlite:///{args.db}")
    with engine.connect() as conn:
        root = metrics.root_area(conn)
        last = metrics.last_load_day(conn)
        townships = [code for code, _ in metrics.children(conn, root)]
    periods = {
        "month": (last.replace(day=1), last),
        "quarter": (date(last.year, 3 * ((last.month - 1) // 3) + 1, 1), last),
        "year": (date(last.year, 1, 1), last),
    }
    states = [State(scope, s, e) for scope in [root, *townships] for s, e in periods.values()]
    builders = page_builders()
    print(f"{len(states)} filter states (county + {len(townships)} townships × month/quarter/year)")
    # baseline: every figure of the state's scope in one metrics.figures call
    base = []
    for state in states:
        start = time.perf_counter()
        metrics.figures(engine, state.scope, state.start, state.end)
        base.append((time.perf_counter() - start) * 1000)
    base_p95 = _pct(base, 0.95)
    print(
        f"{'baseline':14s} metrics.figures n={len(base):4d}  p50 {statistics.median(base):7.1f} ms  "
        f"p95 {base_p95:7.1f} ms"
    )
    for page, funcs in builders.items():
        times = []
        for state in states:
            for func in funcs:
                start = time.perf_counter()
                func(engine, state)
                times.append((time.perf_counter() - start) * 1000)
        p95 = _pct(times, 0.95)
        print(
            f"{page:14s} callbacks n={len(times):4d}  p50 {statistics.median(times):7.1f} ms  "
            f"p95 {p95:7.1f} ms ({p95 / base_p95:4.1f}× baseline)  max {max(times):7.1f} ms  "
            "(target p95 <= 150)"
        )

    from xieshang.dashboard.app import create_app

    # what the callbacks answer on a first view (county, this year), as gzip JSON
    first_state = State(root, *periods["year"])
    answers = {}
    for page, funcs in builders.items():
        payload = [_answer(func(engine, first_state)) for func in funcs]
        body = json.dumps(payload, cls=plotly.utils.PlotlyJSONEncoder).encode()
        answers[page] = len(gzip.compress(body))

    client = create_app(engine).server.test_client()
    paths = {
        "overview": "/",
        "participation": "/participation",
        "resolutions": "/resolutions",
        "stakeholders": "/stakeholders",
        "assessment": "/assessment",
        "data-quality": "/data-quality",
    }
    for page, path in paths.items():
        accept = {"Accept-Encoding": "gzip"}
        total = len(client.get(path, headers=accept).get_data())
        html = client.get(path).get_data()
        for ref in set(re.findall(rb'(?:src|href)="(/[^"]+)"', html)):
            total += len(client.get(ref.decode(), headers=accept).get_data())
        total += len(client.get("/_dash-layout", headers=accept).get_data())
        total += len(client.get("/_dash-dependencies", headers=accept).get_data())
        print(
            f"first view {path:15s} {total / 1024:6.0f} KiB page + {answers[page] / 1024:5.0f} KiB "
            f"callbacks = {(total + answers[page]) / 1024:6.0f} KiB, gzip (target < 1024)"
        )


if __name__ == "__main__":
    main()
