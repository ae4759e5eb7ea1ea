"""清河县 as two months of township submissions, loaded through the ETL: what the 报送情况
(submission status) tests read, every cell worked out by hand in their docstrings.

Roster: 清河县 330281000000 with 城关街道 T1 (新华社区 V1, 解放社区 V2, 和平社区 V3) and
东湖镇 T2 (柳树村 V4), which never sends anything.

Run 1, `load_december`, loaded 2025-12-31 (finished 17:30 Beijing time): the roster and 城关街道's
December files, in its folder 城关街道/:
- 会议台账-2025-12.csv: HY-1 and HY-2 of V1, HY-3 of V2 accepted; HY-4 of V2 rejected
  (协商形式 茶话会 is not in the vocabulary); HY-5 rejected (area code of 10 digits: only
  the folder says it is 城关街道's);
- 参会签到-2025-12.csv: two attendees of HY-1 (V1) accepted; one of HY-3 (V2) rejected
  (身份类别 路人);
- 决议落实-2025-12.csv: JY-1 of HY-1 (V1), updated 2025-12-20, accepted.

Run 2, `load_january` (after run 1), loaded 2026-01-20 (finished 09:15 Beijing time):
- 会议台账-2025-12.csv again, fixed: HY-4 now 议事会 (inserted), HY-5 left out; HY-1…3
  unchanged. The file was read again, so run 1's rejects of it are superseded;
- 会议台账-2026-01.csv: HY-10 of V3 (2026-01-08) accepted; HY-11 of V3 dated 2025-12-28
  rejected (茶话会: a December row sent in January); HY-12 of V3 rejected (会议日期
  2026-01-32: its month is unknown, so it counts in the month of its run, January);
- 决议落实-2026-01.csv: JY-1 updated again 2026-01-15, accepted.

run_load stamps finished_at with the wall clock while its `today` is the test's; the
runs' times are pinned to their load days so that the grid reads as a real December.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import Engine

from tests.helpers.inbox_files import write_csv
from xieshang.etl.load import run_load
from xieshang.warehouse import schema

SECRET = b"submitted-county"

COUNTY = "330281000000"
T1, V1, V2, V3 = "330281001000", "330281001001", "330281001002", "330281001003"
T2, V4 = "330281100000", "330281100201"

# a run's times are stored as the loading machine's wall clock, UTC in the tests
# (tests/conftest.py), and shown in Beijing time (XIESHANG_TIMEZONE's default)
DECEMBER_DAY, DECEMBER_AT = date(2025, 12, 31), datetime(2025, 12, 31, 9, 30)
JANUARY_DAY, JANUARY_AT = date(2026, 1, 20), datetime(2026, 1, 20, 1, 15)
DECEMBER_SHOWN = datetime(2025, 12, 31, 17, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
JANUARY_SHOWN = datetime(2026, 1, 20, 9, 15, tzinfo=ZoneInfo("Asia/Shanghai"))

ROSTER = [
    ["区划代码", "名称", "上级代码", "类型", "党员人数", "常住人口"],
    [COUNTY, "清河县", "", "县", 50, 100000],
    [T1, "城关街道", COUNTY, "街道", 80, ""],
    [V1, "新华社区", T1, "社区", 40, 3000],
    [V2, "解放社区", T1, "社区", 20, 2500],
    [V3, "和平社区", T1, "社区", 10, 1500],
    [T2, "东湖镇", COUNTY, "镇", 60, ""],
    [V4, "柳树村", T2, "村", 30, 900],
]
MEETING_HEADER = [
    "会议编号",
    "区划代码",
    "会议日期",
    "协商形式",
    "议题",
    "议题类别",
    "议题来源",
    "是否党组织主持",
    "是否线上",
]
DECEMBER_MEETINGS = [
    ["HY-1", V1, "2025-12-03", "议事会", "加装电梯", "公共设施", "群众提议", "是", "否"],
    ["HY-2", V1, "2025-12-10", "听证会", "停车收费", "道路交通", "群众提议", "是", "否"],
    ["HY-3", V2, "2025-12-12", "座谈会", "老年食堂", "养老托育", "群众提议", "是", "否"],
    ["HY-4", V2, "2025-12-15", "茶话会", "楼道清理", "环境整治", "群众提议", "是", "否"],
    ["HY-5", "3302810010", "2025-12-20", "议事会", "垃圾分类", "环境整治", "群众提议", "是", "否"],
]
ATTENDANCE = [
    ["会议编号", "区划代码", "身份证号", "姓名", "是否党员", "身份类别"],
    ["HY-1", V1, "330281199001010011", "甲", "是", "居民代表"],
    ["HY-1", V1, "330281199001010012", "乙", "否", "网格员"],
    ["HY-3", V2, "330281199001010013", "丙", "否", "路人"],
]
RESOLUTION_HEADER = [
    "决议编号",
    "会议编号",
    "区划代码",
    "决议内容",
    "责任单位",
    "完成时限",
    "落实状态",
    "完成日期",
    "更新日期",
    "满意度",
    "纳入考核",
    "上报至",
]


def _resolution(updated_on: str, status: str) -> list:
    return ["JY-1", "HY-1", V1, "加装电梯", "社区居委会", "2026-03-31", status] + [
        "",
        updated_on,
        "",
        "是",
        "",
    ]


def _pin(engine: Engine, run_id: str, at: datetime) -> None:
    runs = schema.load_runs
    with engine.begin() as conn:
        conn.execute(
            sa.update(runs).where(runs.c.run_id == run_id).values(started_at=at, finished_at=at)
        )


def _load(engine: Engine, inbox: Path, day: date, at: datetime) -> dict:
    report = run_load(engine, inbox, secret=SECRET, today=day)
    assert report["status"] == "committed", report.get("error")
    _pin(engine, report["run_id"], at)
    return report


def load_december(engine: Engine, directory: Path) -> None:
    """Run 1 into the empty warehouse `engine`."""
    inbox = directory / "december"
    write_csv(inbox / "区划名册.csv", ROSTER)
    write_csv(inbox / "城关街道" / "会议台账-2025-12.csv", [MEETING_HEADER, *DECEMBER_MEETINGS])
    write_csv(inbox / "城关街道" / "参会签到-2025-12.csv", ATTENDANCE)
    write_csv(
        inbox / "城关街道" / "决议落实-2025-12.csv",
        [RESOLUTION_HEADER, _resolution("2025-12-20", "未启动")],
    )
    report = _load(engine, inbox, DECEMBER_DAY, DECEMBER_AT)
    kinds = report["kinds"]
    assert (kinds["meetings"]["inserted"], kinds["meetings"]["rejected"]) == (3, 2), kinds
    assert (kinds["attendance"]["inserted"], kinds["attendance"]["rejected"]) == (2, 1), kinds


def load_january(engine: Engine, directory: Path) -> None:
    """Runs 1 and 2 into the empty warehouse `engine`."""
    load_december(engine, directory)
    inbox = directory / "january"
    fixed = [
        *DECEMBER_MEETINGS[:3],
        DECEMBER_MEETINGS[3][:3] + ["议事会"] + DECEMBER_MEETINGS[3][4:],
    ]
    write_csv(inbox / "城关街道" / "会议台账-2025-12.csv", [MEETING_HEADER, *fixed])
    write_csv(
        inbox / "城关街道" / "会议台账-2026-01.csv",
        [
            MEETING_HEADER,
            ["HY-10", V3, "2026-01-08", "议事会", "小区绿化", "环境整治", "群众提议", "是", "否"],
            ["HY-11", V3, "2025-12-28", "茶话会", "路灯维修", "公共设施", "群众提议", "是", "否"],
            ["HY-12", V3, "2026-01-32", "议事会", "快递驿站", "其他", "群众提议", "是", "否"],
        ],
    )
    write_csv(
        inbox / "城关街道" / "决议落实-2026-01.csv",
        [RESOLUTION_HEADER, _resolution("2026-01-15", "推进中")],
    )
    report = _load(engine, inbox, JANUARY_DAY, JANUARY_AT)
    meetings = report["kinds"]["meetings"]
    assert (meetings["inserted"], meetings["unchanged"], meetings["rejected"]) == (2, 3, 2), (
        meetings
    )
