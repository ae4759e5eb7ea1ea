"""清河县 (330281000000) with 13 townships, as many as the demo county, for the first
screen and the layout (tests/test_dashboard_first_screen.py, tests/browser/
test_layout_browser.py), written with the WarehouseBuilder. The last load is on
2026-11-30 and the data begin in January 2026, so the default view is 2026-01-01 —
2026-11-30 and its previous period (2025-02-01 — 2025-12-31) lies before the data.

Each township has one village of 10 registered Party members holding one meeting a
month, January to November (11 meetings; 3 stakeholder groups at each). At its January
meeting `party` distinct Party members attend, and it forms `due` resolutions due
2026-06-30, the first `implemented` of them implemented on 2026-06-20 (the rest in
progress). So, by hand, ranked by 决议落实率 (implemented ÷ due), best first:

    城关街道 10/10  东湖街道 10/10  西城街道 9/10  南山街道 9/10  北仑镇 8/10
    梨花镇 8/10  青石镇 7/10  白沙镇 7/10  黄岭镇 6/10  马渚镇 5/10
    陆埠镇 4/10  龙泉乡 3/10                      大岚乡: none due, no value

— the lagging three: 龙泉乡 30.0%, 陆埠镇 40.0%, 马渚镇 50.0%, then 大岚乡 without a
value. The county: 86 / 120 = 71.7%. 党员参与率 of the county: 81 of 130 members = 62.3%,
the lagging three 大岚乡 1/10, 龙泉乡 2/10, 陆埠镇 3/10.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from tests.helpers.warehouse_builder import WarehouseBuilder

COUNTY = "330281000000"
LOAD_DAY = date(2026, 11, 30)
START, END = date(2026, 1, 1), LOAD_DAY

# (code, name, Party members attending, resolutions due, of them implemented)
TOWNSHIPS: tuple[tuple[str, str, int, int, int], ...] = (
    ("330281001000", "城关街道", 10, 10, 10),
    ("330281002000", "东湖街道", 9, 10, 10),
    ("330281003000", "西城街道", 9, 10, 9),
    ("330281004000", "南山街道", 8, 10, 9),
    ("330281101000", "北仑镇", 8, 10, 8),
    ("330281102000", "梨花镇", 7, 10, 8),
    ("330281103000", "青石镇", 7, 10, 7),
    ("330281104000", "白沙镇", 6, 10, 7),
    ("330281105000", "黄岭镇", 6, 10, 6),
    ("330281106000", "马渚镇", 5, 10, 5),
    ("330281107000", "陆埠镇", 3, 10, 4),
    ("330281201000", "龙泉乡", 2, 10, 3),
    ("330281202000", "大岚乡", 1, 0, 0),
)
CODES = {name: code for code, name, *_ in TOWNSHIPS}
STAKEHOLDERS = ("resident_rep", "npc_deputy", "grid_worker")


def build() -> WarehouseBuilder:
    b = WarehouseBuilder()
    b.area(COUNTY, name="清河县")
    for code, name, party, due, implemented in TOWNSHIPS:
        b.area(code, name=name)
        village = b.area(code[:9] + "201", party_members=10, name=f"{name[:2]}村")
        for month in range(1, 12):
            meeting = b.meeting(village, date(2026, month, 10))
            for category in STAKEHOLDERS:
                b.attend(meeting, f"{code}-{category}-{month}", category=category)
            if month != 1:
                continue
            for n in range(party):
                b.attend(meeting, f"{code}-party-{n}", party=True)
            for n in range(due):
                done = n < implemented
                b.report(
                    meeting,
                    f"JY-{code[6:9]}-{n}",
                    "2026-06-25",
                    status="implemented" if done else "in_progress",
                    due="2026-06-30",
                    completed="2026-06-20" if done else None,
                )
    b.load_run(LOAD_DAY)
    return b


def load_layout_county(engine: Engine, directory: Path) -> None:
    """A `@pytest.mark.warehouse(fill=...)` filler."""
    build().write(engine)
