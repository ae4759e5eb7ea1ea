"""The smallest valid inbox (one county, two townships, two meetings, one resolution), to
which the load tests add bad rows, and the calls they make on a warehouse: a load that
must commit, and the rejects it recorded.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy import Engine

from tests.helpers.inbox_files import write_csv
from xieshang.etl.load import run_load
from xieshang.warehouse import schema

TODAY = date(2025, 6, 30)
SECRET = b"test-secret"

ROSTER_HEADER = ["区划代码", "名称", "上级代码", "类型", "党员人数", "常住人口"]
ROSTER = [
    ["330281000000", "清河县", "", "", 50, 100000],
    ["330281001000", "城关街道", "330281000000", "", 80, ""],
    ["330281001001", "新华社区", "", "", 40, 3000],
    ["330281100000", "东湖镇", "330281", "", 60, ""],
    ["330281100201", "柳树村", "330281100", "", 30, 900],
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
MEETINGS = [
    ["HY-1", "330281100201", "2025-03-08", "议事会", "村道硬化", "道路交通", "群众提议", "是", ""],
    ["HY-2", "330281001001", "2025-03-10", "听证会", "加装电梯", "", "", "否", "是"],
]
ATTENDANCE_HEADER = ["会议编号", "区划代码", "身份证号", "姓名", "是否党员", "身份类别"]
ATTENDANCE = [
    ["HY-1", "330281100201", "330281199001011234", "张三", "是", "村民代表"],
    ["HY-1", "330281100201", "330281199001011235", "李四", "否", "网格员"],
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
RESOLUTIONS = [
    [
        "JY-1",
        "HY-1",
        "330281100201",
        "硬化村道2公里",
        "村委会",
        "2025-05-31",
        "已落实",
        "2025-05-20",
        "2025-05-25",
        "92",
        "是",
        "330281100",
    ],
]


def base_inbox(root: Path) -> Path:
    write_csv(root / "区划名册.csv", [ROSTER_HEADER, *ROSTER])
    write_csv(root / "会议台账.csv", [MEETING_HEADER, *MEETINGS])
    write_csv(root / "参会签到.csv", [ATTENDANCE_HEADER, *ATTENDANCE])
    write_csv(root / "决议落实.csv", [RESOLUTION_HEADER, *RESOLUTIONS])
    return root


def later_files(root: Path) -> Path:
    """A later inbox: one meeting more in 柳树村, one Party member attending it."""
    write_csv(
        root / "会议台账.csv",
        [
            MEETING_HEADER,
            ["HY-8", "330281100201", "2025-06-01", "座谈会", "桥梁", "", "", "是", ""],
        ],
    )
    write_csv(
        root / "参会签到.csv",
        [ATTENDANCE_HEADER, ["HY-8", "330281100201", "330281199001011237", "钱七", "是", "乡贤"]],
    )
    return root


def load(engine: Engine, inbox: Path, today: date = TODAY) -> dict:
    report = run_load(engine, inbox, secret=SECRET, today=today)
    assert report["status"] == "committed", report.get("error")
    return report


def rejects(engine: Engine) -> list[tuple]:
    t = schema.rejects
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.select(t.c.kind, t.c.rule, t.c.column_name, t.c.value, t.c.row_number).order_by(
                    t.c.id
                )
            )
        ]
