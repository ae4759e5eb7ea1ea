"""A small county as inbox files, loaded through the ETL, its figures worked out by hand.

清河县 (330281000000) has two townships: 城关街道 (330281001000, communities 新华社区 and
解放社区) and 东湖镇 (330281100000, villages 柳树村 and 杨家村). Loaded on 2025-06-30, so
the dashboard's default view is 2025-01-01 — 2025-06-30, and the previous period of
equal length (the half-year before) is 2024-07-01 — 2024-12-31.

Hand-computed figures for the county, default period (as_of 2025-06-30):

    meetings 5 (HY-1…HY-5); regularity 4/24 (柳树 Mar+Apr, 新华 Mar, 解放 May; 4 villages
    × 6 months); party_led_rate 4/5; party_participation_rate 3/290 (P1, P3, P5);
    stakeholder_coverage 2/5 (HY-1, HY-4 have 3 stakeholder categories);
    resolutions_due 3 (JY-1, JY-2, JY-3); implementation_rate 2/3; on_time_rate 1/3
    (JY-3 was late); overdue_open 1 (JY-2); satisfaction (92 + 80) / 2 = 86.0;
    median_days_to_implement (73 + 23) / 2 = 48.0

Previous period: meetings 1 (HY-6); regularity 1/24; resolutions_due 1 (JY-5, implemented
on time, satisfaction 90); overdue_open 0.

Townships (default period): 城关街道 meetings 2, implementation 1/1; 东湖镇 meetings 3
(HY-5 is the township's own), implementation 1/2. Monthly meetings Jan–Jun: 0 0 2 1 1 1.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from tests.helpers.inbox_files import write_csv
from xieshang.etl.load import run_load

LOAD_DAY = date(2025, 6, 30)
SECRET = b"dashboard-test"

COUNTY = "330281000000"
CHENGGUAN = "330281001000"
DONGHU = "330281100000"
XINHUA = "330281001001"
JIEFANG = "330281001002"
LIUSHU = "330281100201"
YANGJIA = "330281100202"

ROSTER = [
    ["区划代码", "名称", "上级代码", "类型", "党员人数", "常住人口"],
    [COUNTY, "清河县", "", "县", 50, 100000],
    [CHENGGUAN, "城关街道", COUNTY, "街道", 80, ""],
    [XINHUA, "新华社区", CHENGGUAN, "社区", 40, 3000],
    [JIEFANG, "解放社区", CHENGGUAN, "社区", 20, 2500],
    [DONGHU, "东湖镇", COUNTY, "镇", 60, ""],
    [LIUSHU, "柳树村", DONGHU, "村", 30, 900],
    [YANGJIA, "杨家村", DONGHU, "村", 10, 700],
]
MEETINGS = [
    [
        "会议编号",
        "区划代码",
        "会议日期",
        "协商形式",
        "议题",
        "议题类别",
        "议题来源",
        "是否党组织主持",
        "是否线上",
    ],
    ["HY-1", LIUSHU, "2025-03-08", "议事会", "村道硬化", "道路交通", "群众提议", "是", "否"],
    ["HY-2", XINHUA, "2025-03-10", "听证会", "加装电梯", "", "", "否", "是"],
    ["HY-3", LIUSHU, "2025-04-12", "议事会", "河塘清淤", "环境整治", "党组织确定", "是", "否"],
    ["HY-4", JIEFANG, "2025-05-20", "座谈会", "老年食堂", "养老托育", "群众提议", "是", "否"],
    ["HY-5", DONGHU, "2025-06-05", "协调会", "垃圾分类", "环境整治", "上级交办", "是", "否"],
    ["HY-6", YANGJIA, "2024-11-15", "议事会", "路灯维修", "道路交通", "群众提议", "是", "否"],
    # the first meeting on record: the data start before the default view's previous
    # period (2024-07-01 — 2024-12-31), so the KPI cards compare against it
    ["HY-0", YANGJIA, "2024-06-20", "议事会", "修缮祠堂", "公共设施", "群众提议", "否", "否"],
]


def _pid(n: int) -> str:
    return f"33028119900101{n:04d}"


ATTENDANCE = [
    ["会议编号", "区划代码", "身份证号", "姓名", "是否党员", "身份类别"],
    ["HY-1", LIUSHU, _pid(1), "甲", "是", "村民代表"],
    ["HY-1", LIUSHU, _pid(2), "乙", "否", "网格员"],
    ["HY-1", LIUSHU, _pid(3), "丙", "是", "人大代表"],
    ["HY-3", LIUSHU, _pid(1), "甲", "是", "村民代表"],
    ["HY-3", LIUSHU, _pid(4), "丁", "否", "乡贤"],
    ["HY-4", JIEFANG, _pid(5), "戊", "是", "居民代表"],
    ["HY-4", JIEFANG, _pid(6), "己", "否", "社会组织"],
    ["HY-4", JIEFANG, _pid(7), "庚", "否", "物业企业"],
    ["HY-6", YANGJIA, _pid(8), "辛", "是", "村民代表"],
]
RESOLUTIONS = [
    [
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
    ],
    [
        "JY-1",
        "HY-1",
        LIUSHU,
        "硬化村道2公里",
        "村委会",
        "2025-05-31",
        "已落实",
        "2025-05-20",
        "2025-06-20",
        "92",
        "是",
        "",
    ],
    [
        "JY-2",
        "HY-3",
        LIUSHU,
        "清淤河塘",
        "村委会",
        "2025-06-15",
        "推进中",
        "",
        "2025-06-20",
        "",
        "是",
        "",
    ],
    [
        "JY-3",
        "HY-4",
        JIEFANG,
        "开办老年食堂",
        "社区居委会",
        "2025-06-10",
        "已落实",
        "2025-06-12",
        "2025-06-20",
        "80",
        "是",
        "",
    ],
    [
        "JY-4",
        "HY-2",
        XINHUA,
        "加装电梯",
        "街道办",
        "2025-09-30",
        "未启动",
        "",
        "2025-06-20",
        "",
        "否",
        "",
    ],
    [
        "JY-5",
        "HY-6",
        YANGJIA,
        "修复路灯",
        "村委会",
        "2024-12-31",
        "已落实",
        "2024-12-20",
        "2024-12-25",
        "90",
        "是",
        "",
    ],
]


def write_inbox(root: Path) -> Path:
    """Write the four files of the small county into `root`; returns `root`."""
    write_csv(root / "区划名册.csv", ROSTER)
    write_csv(root / "会议台账.csv", MEETINGS)
    write_csv(root / "参会签到.csv", ATTENDANCE)
    write_csv(root / "决议落实.csv", RESOLUTIONS)
    return root


def load_county(engine: Engine, directory: Path) -> None:
    """Load the small county into the empty warehouse `engine` (its files written in
    `directory`); every row is accepted."""
    inbox = write_inbox(directory / "inbox")
    report = run_load(engine, inbox, secret=SECRET, today=LOAD_DAY)
    assert report["status"] == "committed", report.get("error")
    rejected = {k: v["rejected"] + v["held"] for k, v in report["kinds"].items()}
    assert not any(rejected.values()), (rejected, report)


def load_one_more_meeting(engine: Engine, directory: Path) -> None:
    """A later load: HY-20 of 柳树村 on 2025-06-25, a 6th meeting in the default view."""
    inbox = directory / "one-more"
    write_csv(
        inbox / "会议台账.csv",
        [
            ["会议编号", "区划代码", "会议日期", "协商形式", "议题", "议题类别", "是否党组织主持"],
            ["HY-20", LIUSHU, "2025-06-25", "议事会", "修路", "道路交通", "是"],
        ],
    )
    report = run_load(engine, inbox, secret=SECRET, today=LOAD_DAY)
    assert report["kinds"]["meetings"]["inserted"] == 1, report
