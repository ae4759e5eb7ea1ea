"""明州市 (330200000000): a city roster above two counties, written with the
WarehouseBuilder, with one month of meetings whose figures are worked out by hand here.

    明州市 330200000000 (0 party members)
    ├─ 甲县 330281000000 (0)
    │   ├─ 甲一镇 330281101000 (0) ── 甲一村 330281101201 (10)
    │   └─ 甲二镇 330281102000 (0) ── 甲二村 330281102201 (10)
    └─ 乙县 330282000000 (0)
        └─ 乙一镇 330282101000 (0) ── 乙一村 330282101201 (10)

January 2025 (the load ran on 2025-01-31):

| meeting | host | led | attendees (party member?, category) | resolution |
|---|---|---|---|---|
| 1 | 甲一村, 01-10 | yes | alice (P, resident_rep), bob (P, npc_deputy), carol (cppcc_member) | R1 due 01-20, implemented 01-18, satisfaction 90 |
| 2 | 甲二村, 01-12 | no | dave (P, resident_rep) | — |
| 3 | 乙一村, 01-15 | yes | erin (P, resident_rep), frank (P, grid_worker), gina (P, social_org), hank (resident) | R2 due 01-25, in progress |

Figures for January 2025 (hand-checked):

| scope | meetings | party participation | led | coverage (≥3 categories) | due | implemented | overdue | regularity |
|---|---|---|---|---|---|---|---|---|
| 明州市 | 3 | 6/30 = 0.2 | 2/3 | 2/3 | 2 | 1/2 | 1 | 3/3 |
| 甲县 | 2 | 3/20 = 0.15 | 1/2 | 1/2 | 1 | 1/1 | 0 | 2/2 |
| 乙县 | 1 | 3/10 = 0.3 | 1/1 | 1/1 | 1 | 0/1 | 1 | 1/1 |

The counties' assessment scores (weights 25 party participation, 30 implementation, 20
coverage, 15 regularity, 10 satisfaction ÷ 100; a missing value counts 0):
甲县 25×0.15 + 30×1 + 20×0.5 + 15×1 + 10×0.9 = 67.75; 乙县 25×0.3 + 0 + 20×1 + 15×1 + 0 = 42.5.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from tests.helpers.warehouse_builder import WarehouseBuilder

CITY = "330200000000"
COUNTY_A, COUNTY_B = "330281000000", "330282000000"
TOWN_A1, TOWN_A2, TOWN_B1 = "330281101000", "330281102000", "330282101000"
VILLAGE_A1, VILLAGE_A2, VILLAGE_B1 = "330281101201", "330281102201", "330282101201"
JANUARY = (date(2025, 1, 1), date(2025, 1, 31))
SCORES = {COUNTY_A: 67.75, COUNTY_B: 42.5}


def build_city() -> WarehouseBuilder:
    b = WarehouseBuilder()
    b.area(CITY, name="明州市")
    b.area(COUNTY_A, name="甲县")
    b.area(COUNTY_B, name="乙县")
    for town, village, name in (
        (TOWN_A1, VILLAGE_A1, "甲一"),
        (TOWN_A2, VILLAGE_A2, "甲二"),
        (TOWN_B1, VILLAGE_B1, "乙一"),
    ):
        b.area(town, name=f"{name}镇")
        b.area(village, party_members=10, name=f"{name}村")
    m1 = b.meeting(VILLAGE_A1, "2025-01-10", led=True)
    b.attend(m1, "alice", party=True, category="resident_rep")
    b.attend(m1, "bob", party=True, category="npc_deputy")
    b.attend(m1, "carol", category="cppcc_member")
    b.report(
        m1, "R1", "2025-01-25", status="implemented", due="2025-01-20",
        completed="2025-01-18", satisfaction=90,
    )  # fmt: skip
    m2 = b.meeting(VILLAGE_A2, "2025-01-12", led=False)
    b.attend(m2, "dave", party=True, category="resident_rep")
    m3 = b.meeting(VILLAGE_B1, "2025-01-15", led=True)
    b.attend(m3, "erin", party=True, category="resident_rep")
    b.attend(m3, "frank", party=True, category="grid_worker")
    b.attend(m3, "gina", party=True, category="social_org")
    b.attend(m3, "hank", category="resident")
    b.report(m3, "R2", "2025-01-16", status="in_progress", due="2025-01-25")
    b.load_run("2025-01-31")
    return b


def write_city(engine: Engine, directory: Path | None = None) -> None:
    """The shared-warehouse fill (`@pytest.mark.warehouse(fill=write_city)`)."""
    build_city().write(engine)


# --- the same city as inbox files, loaded through the ETL ---------------------------------

CITY_SECRET = b"city-test"
_PEOPLE = {name: f"33028119900101{n:04d}" for n, name in enumerate("甲乙丙丁戊己庚辛", 1)}


def write_city_inbox(root: Path) -> Path:
    """The roster, meetings, attendance and resolution reports of `build_city` as the CSV
    files a city's offices send (the city's roster in one file)."""
    from tests.helpers.inbox_files import write_csv

    write_csv(
        root / "明州市区划名册.csv",
        [
            ["区划代码", "名称", "上级代码", "党员人数"],
            [CITY, "明州市", "", 0],
            [COUNTY_A, "甲县", CITY, 0],
            [COUNTY_B, "乙县", CITY, 0],
            [TOWN_A1, "甲一镇", COUNTY_A, 0],
            [TOWN_A2, "甲二镇", COUNTY_A, 0],
            [TOWN_B1, "乙一镇", COUNTY_B, 0],
            [VILLAGE_A1, "甲一村", TOWN_A1, 10],
            [VILLAGE_A2, "甲二村", TOWN_A2, 10],
            [VILLAGE_B1, "乙一村", TOWN_B1, 10],
        ],
    )
    header = ["会议编号", "区划代码", "会议日期", "协商形式", "议题", "是否党组织主持"]
    write_csv(
        root / "会议台账.csv",
        [
            header,
            ["M1", VILLAGE_A1, "2025-01-10", "议事会", "议题", "是"],
            ["M2", VILLAGE_A2, "2025-01-12", "议事会", "议题", "否"],
            ["M3", VILLAGE_B1, "2025-01-15", "议事会", "议题", "是"],
        ],
    )
    p = _PEOPLE
    write_csv(
        root / "参会签到.csv",
        [
            ["会议编号", "区划代码", "身份证号", "是否党员", "身份类别"],
            ["M1", VILLAGE_A1, p["甲"], "是", "村民代表"],
            ["M1", VILLAGE_A1, p["乙"], "是", "人大代表"],
            ["M1", VILLAGE_A1, p["丙"], "否", "政协委员"],
            ["M2", VILLAGE_A2, p["丁"], "是", "村民代表"],
            ["M3", VILLAGE_B1, p["戊"], "是", "村民代表"],
            ["M3", VILLAGE_B1, p["己"], "是", "网格员"],
            ["M3", VILLAGE_B1, p["庚"], "是", "社会组织"],
            ["M3", VILLAGE_B1, p["辛"], "否", "群众"],
        ],
    )
    write_csv(
        root / "决议落实.csv",
        [
            ["决议编号", "会议编号", "区划代码", "决议内容", "责任单位", "完成时限",
             "落实状态", "完成日期", "更新日期", "满意度"],
            ["R1", "M1", VILLAGE_A1, "决议", "单位", "2025-01-20", "已落实", "2025-01-18",
             "2025-01-25", "90"],
            ["R2", "M3", VILLAGE_B1, "决议", "单位", "2025-01-25", "推进中", "", "2025-01-16",
             ""],
        ],
    )  # fmt: skip
    return root


def load_city(engine: Engine, directory: Path) -> None:
    """The shared-warehouse fill: the city's inbox through the ETL, every row accepted."""
    from xieshang.etl.load import run_load

    report = run_load(
        engine, write_city_inbox(directory / "inbox"), secret=CITY_SECRET, today=JANUARY[1]
    )
    assert report["status"] == "committed", report.get("error")
    refused = {k: v["rejected"] + v["held"] for k, v in report["kinds"].items()}
    assert not any(refused.values()), (refused, report)
