"""bench/bench_city.py --quick: a city of one county over 12 months generated, loaded into
a PostgreSQL database of its own, a month added, figures timed — and the table printed."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.conftest import PG_ADMIN_URL

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_city.py"
HEADER = [
    "counties",
    "rows",
    "floor s",
    "floor rows/s",
    "load s",
    "load rows/s",
    "ratio",
    "month rows",
    "month s",
    "db MB",
    "peak MB",
    "city p50/p95 ms",
    "county p50/p95 ms",
    "township p50/p95 ms",
    "village p50/p95 ms",
]


def bench_databases() -> list[str]:
    admin = sa.create_engine(PG_ADMIN_URL)
    with admin.connect() as conn:
        names = conn.execute(
            sa.text("SELECT datname FROM pg_database WHERE datname LIKE 'xieshang_bench_%'")
        ).scalars()
        found = sorted(names)
    admin.dispose()
    return found


@pytest.mark.postgres
@pytest.mark.slow
def test_quick_run_prints_its_table(tmp_path, pg_databases):
    before = bench_databases()
    out = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--end", "2025-06", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "XIESHANG_BENCH_PG": PG_ADMIN_URL},
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("counties"))
    assert re.split(r"\s{2,}", lines[start].strip()) == HEADER
    cells = dict(zip(HEADER, re.split(r"\s{2,}", lines[start + 1].strip()), strict=True))
    # 12 months and the one added (2025-06) of one demo county, seed 1
    assert (cells["counties"], cells["rows"], cells["month rows"]) == ("1", "226,255", "21,550")
    assert cells["ratio"].endswith("x") and float(cells["ratio"][:-1]) > 1
    for level in ("city", "county", "township", "village"):
        assert re.fullmatch(r"\d+/\d+", cells[f"{level} p50/p95 ms"]), level
    load = next(line for line in lines if "1 counties, load" in line)
    kinds = ast.literal_eval(load[load.index("{") : load.index("}") + 1])
    assert kinds == {"areas": 210, "meetings": 8442, "attendance": 182163, "resolutions": 35440}
    assert sum(kinds.values()) == 226_255
    assert "rejected 0" in load
    # every page's callbacks at every level, and the page slowest at each
    calls = next(line for line in lines if line.startswith("   1 counties: city "))
    pages = "overview|participation|resolutions|stakeholders|assessment|data-quality"
    level = r"{} \d+/\d+ \((?:" + pages + r") \d+\)"
    levels = ("city", "county", "township", "village")
    assert re.fullmatch(r"   1 counties: " + " · ".join(map(level.format, levels)), calls), calls
    # and at each level its three slowest calls: time, page, builder, period
    call = r"\d+ (?:" + pages + r") build_\w+(?:\(\w+\))? \((?:month|quarter|year)\)"
    for name in levels:
        slowest = next(
            line for line in lines if line.startswith(f"   1 counties, slowest at {name}: ")
        )
        assert re.fullmatch(
            rf"   1 counties, slowest at {name}: " + " · ".join([call] * 3), slowest
        ), slowest
    # the CPU of each stage: own + workers + server, their sum, and that over the cores
    budget = next(line for line in lines if line.startswith("   1 counties: read "))
    numbers = [float(n) for n in re.findall(r"\d+\.\d+", budget)]
    stages, total, floor, least = numbers[:9], numbers[9], numbers[10:13], numbers[13]
    assert total == pytest.approx(sum(stages), abs=0.46)  # 9 parts, each rounded
    assert floor[2] == pytest.approx(floor[0] + floor[1], abs=0.11)
    assert least == pytest.approx(total / (os.cpu_count() or 1), abs=0.06)
    assert stages[7] == 0 and stages[8] > 0  # the marts: the server's work alone
    # the private floor: every line of every file (headers and titles too, as the floor)
    private = next(
        line for line in lines if line.startswith("   1 counties: ") and "rows);" in line
    )
    assert re.fullmatch(
        r"   1 counties: \d+\.\d s = \d+\.\dx the floor \(227,296 rows\); CPU \d+\.\d \+ \d+\.\d"
        r" = \d+\.\d against the floor's \d+\.\d; on \d+ cores at least \d+\.\d s = \d+\.\dx the floor",
        private,
    ), private
    assert bench_databases() == before  # its databases were dropped


def _bench_module():
    spec = importlib.util.spec_from_file_location("bench_city", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_cpu_budget_is_the_least_time_of_the_load_s_cpu_seconds_over_the_cores():
    bench = _bench_module()
    result = {
        "floor": {"seconds": 3.0, "cpu": [0.6, 0.0, 2.3]},
        "load": {
            "cpu": {
                "read": [2.7, 20.6, 0.0],
                "write": [6.7, 0.0, 7.1],
                "marts": [0.3, 0.0, 21.0],
            }
        },
    }
    assert bench.cpu_budget(result, 2) == (
        "read 2.7 + 20.6 + 0.0 / write 6.7 + 0.0 + 7.1 / marts 0.3 + 0.0 + 21.0 = 58.4;"
        " the floor 0.6 + 2.3 = 2.9; on 2 cores the load takes at least 29.2 s = 9.7x the floor"
    )
    result["load"]["cpu"]["marts"][2] = None  # a server elsewhere
    assert bench.cpu_budget(result, 2) == (
        "the database server runs elsewhere: its CPU is not counted"
    )


def test_the_private_floor_sends_no_identifier_and_no_name():
    """The private floor's rows of an attendance file in GB18030 with Chinese headers: the
    identifier as its HMAC-SHA256 under the bench's secret (the hex below from Python's
    hmac, by hand), one hash per identifier, the name's column gone."""
    bench = _bench_module()
    data = (
        "会议编号,区划代码,身份证号,姓名,是否党员,身份类别\r\n"
        "M1,330281101001,330281198503150021,张三,是,村民\r\n"
        "M2,330281101001,330281198503150021,张三,否,村民\r\n"
    ).encode("gb18030")
    hashed: dict[str, str] = {}
    width, sent = bench._private_rows(data, b"bench-city-secret-0123456789", hashed)
    key = "4a6ad59defc6336f3ef5e60a8dade2aa039707d23b8af9110b194c566de131e5"
    assert width == 5
    assert sent.decode("utf-8").splitlines() == [
        "会议编号,区划代码,身份证号,是否党员,身份类别",
        f"M1,330281101001,{key},是,村民",
        f"M2,330281101001,{key},否,村民",
    ]
    assert hashed == {"330281198503150021": key}


def test_the_private_floor_is_reported_against_the_floor():
    bench = _bench_module()
    result = {
        "floor": {"seconds": 2.0, "cpu": [0.4, 0.0, 1.2]},
        "private": {"seconds": 7.0, "rows": 1000, "cpu": [6.1, 0.0, 1.5]},
    }
    assert bench.private_floor(result, 2) == (
        "7.0 s = 3.5x the floor (1,000 rows); CPU 6.1 + 1.5 = 7.6 against the floor's 1.6;"
        " on 2 cores at least 3.8 s = 1.9x the floor"
    )
