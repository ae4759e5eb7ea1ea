"""The dashboard benchmark's run (bench/bench_dashboard.py) over the small county: every
page's builders timed for every filter state, and every page's first view weighed — so
that the bench keeps up with the builders it calls (it called one that had gone, and
could not write the assessment's answer as JSON)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from tests.helpers.inbox_county import load_county
from xieshang.warehouse.engine import ensure_schema, make_engine

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("overview", "participation", "resolutions", "stakeholders", "assessment", "data-quality")


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_dashboard.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_the_dashboard_bench_times_every_page_and_weighs_its_first_view(tmp_path):
    db = tmp_path / "warehouse.sqlite"
    engine = make_engine(f"sqlite:///{db}")
    ensure_schema(engine)
    load_county(engine, tmp_path)
    engine.dispose()

    done = _run("--db", str(db))

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    states = re.search(r"^(\d+) filter states \(county \+ (\d+) townships", out, re.M)
    assert states and int(states.group(1)) == 3 * (1 + int(states.group(2)))
    timed = re.findall(r"^(\S+)\s+callbacks n=\s*(\d+)\s+p50", out, re.M)
    assert [page for page, _ in timed] == list(PAGES)
    assert all(int(n) % int(states.group(1)) == 0 and int(n) > 0 for _, n in timed)
    weighed = re.findall(r"^first view (\S+)\s+\d+ KiB page", out, re.M)
    assert weighed == ["/", *(f"/{page}" for page in PAGES[1:])]


def test_without_a_warehouse_it_says_which_bench_makes_one(tmp_path):
    missing = tmp_path / "nowhere.sqlite"
    done = _run("--db", str(missing))
    assert done.returncode == 2
    assert "make it with python bench/bench_etl.py" in done.stderr.splitlines()[-1]
    assert not missing.exists()
