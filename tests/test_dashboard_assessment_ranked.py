"""The assessment page's builders and files on 13 townships (tests/helpers/ranked_county.py):
every unit listed with its hand-computed score, the note on 南塘镇 and 北岙镇 (both 69.3,
ranks 4 and 5), the unrounded score as a tooltip, 无数据 for undefined rates, headers that
wrap instead of widening the grid, and periods with nothing to rank: a notice, no files."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import openpyxl
import pytest

from tests.helpers.components import text
from tests.helpers.ranked_county import (
    CODES,
    COUNTY,
    END,
    START,
    TOWNSHIPS,
    load_ranked_county,
    score,
)
from xieshang.dashboard.i18n import figure_definition
from xieshang.dashboard.state import State
from xieshang.dashboard.views import assessment as view

pytestmark = pytest.mark.warehouse(fill=load_ranked_county)

DEFAULT = State(COUNTY, START, END)
NOTE = "南塘镇与北岙镇均显示 69.3 分，名次不同（第 4、5 名）：未取整得分分别为 69.303 与 69.273"
NAMES = [
    "城关街道",
    "东湖镇",
    "西山镇",
    "南塘镇",
    "北岙镇",
    "梨花镇",
    "青石镇",
    "白沙镇",
    "黄岭镇",
    "马渚镇",
    "陆埠镇",
    "龙泉镇",
    "大岚镇",
]


def test_every_township_with_its_score_by_hand(engine):
    table = view.build_table(engine, DEFAULT)
    rows = table.rows
    assert [r["area_name"] for r in rows] == NAMES
    assert [r["rank"] for r in rows] == [1, 2, 3, 4, 5, 6, 6, 8, 9, 10, 11, 12, 12]
    assert [r["score__text"] for r in rows] == [
        "99.5",
        "91.3",
        "81.7",
        "69.3",
        "69.3",
        "64.7",
        "64.7",
        "31.6",
        "26.4",
        "23.9",
        "21.4",
        "0.0",
        "0.0",
    ]
    hand = {code: score(party, months, sat) for code, _, party, months, sat in TOWNSHIPS}
    for row in rows:
        assert row["score"] == pytest.approx(hand[row["area_code"]], abs=1e-9)
        assert row["area_code"] == CODES[row["area_name"]]  # the whole 12 digits
    # 南塘镇 10 + 30 + 20 + 15/11 + 7.94 = 69.30364; 北岙镇 7.91: 69.27364
    by_name = {r["area_name"]: r for r in rows}
    assert by_name["南塘镇"]["score__exact"] == "未取整得分 69.303636"
    assert by_name["北岙镇"]["score__exact"] == "未取整得分 69.273636"
    assert by_name["城关街道"]["score__exact"] == "未取整得分 99.5"
    assert [text(n) for n in table.notes] == [NOTE]
    assert table.offered


def test_rates_without_data_say_so(engine):
    rows = {r["area_name"]: r for r in view.build_table(engine, DEFAULT).rows}
    # 龙泉镇 held no meeting: coverage, implementation and satisfaction are undefined;
    # regularity (0 of 11 village-months) and party participation (0 of 10) are real zeros
    longquan = rows["龙泉镇"]
    assert [longquan[f"{k}__text"] for k in ("regularity", "party_participation_rate")] == [
        "0.0%",
        "0.0%",
    ]
    for key in ("party_led_rate", "stakeholder_coverage", "implementation_rate", "satisfaction"):
        assert longquan[f"{key}__text"] == "无数据", key
        assert longquan[key] is None
    assert rows["白沙镇"]["on_time_rate__text"] == "无数据"  # no resolution due
    assert rows["白沙镇"]["stakeholder_coverage__text"] == "100.0%"
    english = {r["area_name"]: r for r in view.build_table(engine, DEFAULT.replace(lang="en")).rows}
    assert english["龙泉镇"]["satisfaction__text"] == "no data"


def test_the_grid_columns(engine):
    defs = {d["field"]: d for d in view.build_table(engine, DEFAULT).columns}
    assert len(defs) == 14
    for d in defs.values():
        assert d["filter"] is False and d["wrapHeaderText"] and d["autoHeaderHeight"]
    # up to 4 CJK characters on one line, longer ones in two: 7 px a half-width column,
    # 2 × 8 px padding and 2 px
    assert defs["rank"]["minWidth"] == 4 * 7 + 18  # 排名
    assert defs["area_code"]["minWidth"] == 8 * 7 + 18  # 区划代码
    assert defs["meetings"]["minWidth"] == 6 * 7 + 18  # 协商会议数: 协商会 / 议数
    assert defs["stakeholder_coverage"]["minWidth"] == 8 * 7 + 18  # 多元主体 / 覆盖率
    assert defs["score"]["tooltipField"] == "score__exact"
    assert defs["implementation_rate"]["headerTooltip"] == figure_definition(
        "implementation_rate", "zh"
    )
    english = {d["field"]: d for d in view.build_table(engine, DEFAULT.replace(lang="en")).columns}
    # "Party member participation": three lines, but never narrower than "participation"
    assert english["party_participation_rate"]["minWidth"] == 13 * 7 + 18
    assert english["score"]["headerName"] == "Score"


@pytest.mark.parametrize(
    ("start", "end", "why"),
    [
        (
            date(2010, 1, 1),
            date(2010, 12, 31),
            "数据始于 2026年1月，本期（2010-01-01 至 2010-12-31）无数据，不作排名",
        ),
        (
            date(2027, 1, 1),
            date(2027, 3, 31),
            "数据截至 2026-11-30，本期（2027-01-01 至 2027-03-31）尚无数据，不作排名",
        ),
    ],
)
def test_a_period_outside_the_data_is_not_ranked(engine, start, end, why):
    state = DEFAULT.replace(start=start, end=end)
    table = view.build_table(engine, state)
    assert (table.rows, table.columns, table.notes, table.offered) == ([], [], [], False)
    assert why in text(table.heading)
    assert "本期无数据" in text(table.heading)
    assert view.download(engine, state, "csv") is None
    assert view.download(engine, state, "xlsx") is None


def test_a_filter_nothing_matches_is_not_ranked(engine):
    state = DEFAULT.replace(form="hearing")  # every meeting is a 议事会
    table = view.build_table(engine, state)
    assert table.rows == [] and not table.offered
    assert (
        "清河县各乡镇（街道）在 2026-01-01 至 2026-11-30 期间均无协商会议、到期或逾期决议、满意度评分，"
        "不作排名" in text(table.heading)
    )
    assert view.download(engine, state, "xlsx") is None
    english = view.build_table(engine, state.replace(lang="en"))
    assert (
        "No township of 清河县 held a meeting or had a resolution due, overdue or scored "
        "from 2026-01-01 to 2026-11-30, so no ranking" in text(english.heading)
    )


def test_the_csv_files(engine):
    machine, name = view.download(engine, DEFAULT, "csv")
    assert name == "清河县-乡镇考核评估-2026年1-11月.csv"
    lines = machine.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("rank,area_code,area_name,score,meetings,regularity,")
    assert (
        lines[4]
        == "4,330281103000\t,南塘镇,69.3,1,0.09090909090909091,0.4,1.0,1.0,1,1.0,1.0,0,79.4"
    )
    chinese, name = view.download(engine, DEFAULT, "csv", options={"headers": "zh"})
    assert name == "清河县-乡镇考核评估-2026年1-11月.csv"
    rows = list(csv.reader(io.StringIO(chinese.decode("utf-8-sig"))))
    assert rows[0][:4] == ["排名", "区划代码", "单位名称", "考核得分"]
    assert len(rows) == 14
    assert ",".join(rows[1]) == (
        "1,330281001000\t,城关街道,99.5,11,100.0%,100.0%,100.0%,100.0%,1,100.0%,100.0%,0,95.0"
    )
    assert ",".join(rows[4]) == (
        "4,330281103000\t,南塘镇,69.3,1,9.1%,40.0%,100.0%,100.0%,1,100.0%,100.0%,0,79.4"
    )
    assert ",".join(rows[13]) == (
        "12,330281112000\t,大岚镇,0.0,0,0.0%,0.0%,无数据,无数据,0,无数据,无数据,0,无数据"
    )


def test_the_xlsx_file(engine):
    at = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)
    content, name = view.download(engine, DEFAULT, "xlsx", exported_at=at)
    assert name == "清河县-乡镇考核评估-2026年1-11月.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["考核评估表"]
    assert sheet["A1"].value == "清河县 乡镇考核评估表 · 2026年1-11月 · 数据截至 2026-11-30"
    assert [sheet.cell(row=r, column=3).value for r in range(3, 16)] == NAMES
    assert [sheet.cell(row=r, column=4).value for r in (6, 7)] == [69.3, 69.3]
    assert sheet["A17"].value == "注：" + NOTE
    about = dict(book["说明"].iter_rows(values_only=True))
    assert about["导出时间"] == "2026-12-01 09:30:00（北京时间）"
    english, name = view.download(engine, DEFAULT.replace(lang="en"), "xlsx", exported_at=at)
    assert name == "清河县-township-assessment-20260101-20261130.xlsx"
    assert openpyxl.load_workbook(io.BytesIO(english)).sheetnames == ["Assessment", "Notes"]
