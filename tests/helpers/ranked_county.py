"""清河县 (330281000000) with 13 townships, as many as the demo county, written with the
WarehouseBuilder for the assessment page and its files: every township has one village
of 10 registered Party members (the township and the county none of their own), and the
last load is on 2026-11-30, so the default view is 2026-01-01 — 2026-11-30 (11 months).

Each township's village holds one meeting a month in its first `months` months (3
stakeholder categories at each: coverage 1), `party` distinct Party members attend the
first one, and — where `satisfaction` is given — one resolution of that meeting, due
2026-03-31, is implemented on 2026-03-20 with that score. So, by hand,

    score = 25 × party/10 + 30 × implemented + 20 × covered + 15 × months/11 + satisfaction/10

    城关街道 99.5   东湖镇 91.273   西山镇 81.682   南塘镇 69.304   北岙镇 69.274
    梨花镇 64.727   青石镇 64.727   白沙镇 31.591   黄岭镇 26.364   马渚镇 23.864
    陆埠镇 21.364   龙泉镇 0        大岚镇 0

南塘镇 and 北岙镇 both show 69.3 but rank 4 and 5 (69.304 vs 69.274); 梨花镇 and 青石镇 tie
exactly (rank 6, 6), as do 龙泉镇 and 大岚镇 (rank 12, 12), who held no meeting: their
coverage, implementation and satisfaction are null. The data begin in January 2026.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from tests.helpers.warehouse_builder import WarehouseBuilder

COUNTY = "330281000000"
LOAD_DAY = date(2026, 11, 30)
START, END = date(2026, 1, 1), LOAD_DAY

# (code, name, Party members attending, months with a meeting, satisfaction or None)
TOWNSHIPS: tuple[tuple[str, str, int, int, float | None], ...] = (
    ("330281001000", "城关街道", 10, 11, 95.0),
    ("330281101000", "东湖镇", 8, 9, 90.0),
    ("330281102000", "西山镇", 6, 6, 85.0),
    ("330281103000", "南塘镇", 4, 1, 79.4),
    ("330281104000", "北岙镇", 4, 1, 79.1),
    ("330281105000", "梨花镇", 2, 2, 70.0),
    ("330281106000", "青石镇", 2, 2, 70.0),
    ("330281107000", "白沙镇", 3, 3, None),
    ("330281108000", "黄岭镇", 2, 1, None),
    ("330281109000", "马渚镇", 1, 1, None),
    ("330281110000", "陆埠镇", 0, 1, None),
    ("330281111000", "龙泉镇", 0, 0, None),
    ("330281112000", "大岚镇", 0, 0, None),
)
CODES = {name: code for code, name, *_ in TOWNSHIPS}
STAKEHOLDERS = ("resident_rep", "npc_deputy", "grid_worker")


def score(party: int, months: int, satisfaction: float | None) -> float:
    """The hand formula above (the test's check on xieshang.metrics.assessment)."""
    covered = 1 if months else 0
    implemented = 1 if satisfaction is not None else 0
    return (
        25 * party / 10
        + 30 * implemented
        + 20 * covered
        + 15 * months / 11
        + (satisfaction or 0) / 10
    )


def build() -> WarehouseBuilder:
    b = WarehouseBuilder()
    b.area(COUNTY, name="清河县")
    for code, name, party, months, satisfaction in TOWNSHIPS:
        b.area(code, name=name)
        village = b.area(code[:9] + "201", party_members=10, name=f"{name[:2]}村")
        for month in range(1, months + 1):
            meeting = b.meeting(village, date(2026, month, 10))
            for category in STAKEHOLDERS:
                b.attend(meeting, f"{code}-{category}-{month}", category=category)
            if month == 1:
                for n in range(party):
                    b.attend(meeting, f"{code}-party-{n}", party=True)
                if satisfaction is not None:
                    b.report(
                        meeting,
                        f"JY-{code[6:9]}",
                        "2026-03-25",
                        status="implemented",
                        due="2026-03-31",
                        completed="2026-03-20",
                        satisfaction=satisfaction,
                    )
    b.load_run(LOAD_DAY)
    return b


def load_ranked_county(engine: Engine, directory: Path) -> None:
    """A `@pytest.mark.warehouse(fill=...)` filler."""
    build().write(engine)
