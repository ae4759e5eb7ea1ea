"""bench/bench_city.py --quick: a city of one county over 12 months generated, loaded into
a PostgreSQL database of its own, a month added, figures timed — and the table printed."""

from __future__ import annotations

import ast
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
    assert bench_databases() == before  # its databases were dropped
