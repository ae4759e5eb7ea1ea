"""The data-quality page's builders against the small county (tests/helpers/inbox_county.py),
with two rejected rows and one held row added to its warehouse; for the list of status
regressions and later due dates, the same county with four later reports; and, for the
held and rejected rows, the same county loaded with bad and early rows and loaded again
after one file was fixed (worked out below, before its tests)."""

from __future__ import annotations

import json
import re
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import insert, select

from tests.helpers.builder_county import small_county
from tests.helpers.components import text, walk
from tests.helpers.inbox_county import (
    ATTENDANCE,
    CHENGGUAN,
    COUNTY,
    DONGHU,
    JIEFANG,
    LIUSHU,
    LOAD_DAY,
    MEETINGS,
    RESOLUTIONS,
    SECRET,
    XINHUA,
    YANGJIA,
    load_county,
    write_inbox,
)
from tests.helpers.inbox_files import write_csv
from xieshang.dashboard import data, grid
from xieshang.dashboard.state import State
from xieshang.dashboard.views import data_quality as view
from xieshang.etl.load import run_load
from xieshang.metrics import quality
from xieshang.metrics.submissions import GRID_KINDS
from xieshang.warehouse import schema

START, END = date(2025, 1, 1), date(2025, 6, 30)
DEFAULT = State(COUNTY, START, END)


def county_with_rejects(engine, directory) -> None:
    """The small county, and two rejected rows and one held row recorded by its load."""
    load_county(engine, directory)
    with engine.begin() as conn:
        run_id = conn.execute(select(schema.load_runs.c.run_id)).scalar()
        base = {"run_id": run_id, "sheet": None, "rule": "bad_date"}
        conn.execute(
            insert(schema.rejects),
            [
                {
                    **base,
                    "kind": "meetings",
                    "path": "会议台账.csv",
                    "row_number": 8,
                    "column_name": "会议日期",
                    "value": "2025-13-01",
                    "reason_zh": "日期无效",
                    "reason_en": "invalid date",
                    "area_code": LIUSHU,
                    "township_code": DONGHU,
                },
                {
                    **base,
                    "kind": "meetings",
                    "path": "会议台账.csv",
                    "row_number": 9,
                    "column_name": "区划代码",
                    "value": "123",
                    "reason_zh": "区划代码无效",
                    "reason_en": "invalid area code",
                    "area_code": None,
                    "township_code": None,
                },
            ],
        )
        conn.execute(
            insert(schema.held_rows),
            [
                {
                    "kind": "attendance",
                    "row_key": "k1",
                    "area_code": XINHUA,
                    "meeting_id": "HY-9",
                    "township_code": CHENGGUAN,
                    "run_id": run_id,
                    "path": "参会签到.csv",
                    "sheet": None,
                    "row_number": 11,
                    "payload": "{}",
                }
            ],
        )


pytestmark = pytest.mark.warehouse(fill=county_with_rejects)


def counts(tree) -> dict:
    return {
        node.id["key"]: node.children
        for node in walk(tree)
        if isinstance(getattr(node, "id", None), dict) and node.id.get("type") == "dq-count"
    }


def test_summary_counts(engine):
    assert counts(view.build_summary(engine, DEFAULT)) == {
        "rejected_rows": "2",
        "held_rows": "1",
        "not_submitted": "2",  # see test_who_submitted_in_the_last_month
        "party_participation_over_100": "0",
        "status_regressions": "0",
        "due_dates_moved_later": "0",
    }
    assert counts(view.build_summary(engine, DEFAULT.replace(scope=DONGHU)))["rejected_rows"] == "1"


def cells(rows) -> list[tuple]:
    return [
        (r["area_name"], *(r[f"{kind}{grid.STATE_SUFFIX}"] for kind in GRID_KINDS)) for r in rows
    ]


def test_who_submitted_in_the_last_month(engine):
    """June 2025, the period's last month: 东湖镇 sent HY-5 (its own meeting) and one
    rejected meeting row of 柳树村 (the bad date planted above, its run loaded in June);
    both townships' June resolution reports came (JY-1, JY-2 of 柳树村; JY-3, JY-4 of 城关
    街道's communities); 东湖镇 sent no attendance, and 城关街道's one row waits for its
    meeting (the held row planted above)."""
    rows, defs, note = view.build_status(engine, DEFAULT)
    assert note is None
    assert cells(rows) == [
        ("城关街道", "missing", "held", "received"),
        ("东湖镇", "received", "missing", "received"),
    ]
    assert [d["headerName"] for d in defs] == [
        "单位",
        "区划代码",
        "会议台账",
        "参会签到",
        "决议落实",
    ]
    day = rows[1]["meetings"].split(" ")[1]
    assert rows[1]["meetings"] == f"已报送 {day} · 1/1"
    assert (rows[0]["meetings"], rows[0]["resolutions"]) == ("未报送", f"已报送 {day} · 2/0")
    held = rows[0]["attendance"]
    assert held.startswith("已报送·待匹配会议 ") and held.endswith(" · 暂存 1")
    assert counts(view.build_summary(engine, DEFAULT))["not_submitted"] == "2"
    # the township's view: the whole township, then each village
    rows, _, _ = view.build_status(engine, DEFAULT.replace(scope=DONGHU))
    assert cells(rows) == [
        ("东湖镇", "received", "missing", "received"),
        ("柳树村", "rejected", "missing", "received"),
        ("杨家村", "no_meeting", "missing", "no_meeting"),
    ]
    assert [rows[1]["meetings"], rows[2]["meetings"], rows[2]["resolutions"]] == [
        f"全部拒收 {day} · 0/1",
        "已报送·本月无会议",
        "已报送·无决议",
    ]


def test_a_month_before_the_data_says_so(engine):
    state = State(COUNTY, date(2010, 1, 1), date(2010, 3, 31))
    rows, _, note = view.build_status(engine, state)
    assert rows == []
    # in the page's language alone (the command line's note has both)
    assert text(note) == "本期无数据数据始于 2024-06，此前没有报送记录"
    note = view.build_status(engine, state.replace(lang="en"))[2]
    assert (
        text(note) == "No data for this perioddata begin in 2024-06: nothing was submitted before"
    )
    assert counts(view.build_summary(engine, state))["not_submitted"] == "0"


def test_party_participation_over_100(engine):
    rows, defs, note = view.build_over_100(engine, DEFAULT)
    assert rows == [] and text(note) == "没有单位的党员参与率超过100%"
    assert [d["field"] for d in defs][-1] == "party_participation_rate"


def test_the_summary_counts_the_list_the_page_caches(engine, monkeypatch):
    """The Party members over 100 % are counted area by area, the page's dearest signal
    (a 10-county city's year: 0.3–0.7 s): its summary card counts the page's own cached
    list, so that the card and the list built one after the other compute it once (it
    was twice), and a second view not at all."""
    calls = []
    real = quality.party_participation_over_100

    def counted(*args, **kwargs):
        calls.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(quality, "party_participation_over_100", counted)
    app = Flask(__name__)
    data.init_cache(app)  # each process's own cache, as without XIESHANG_CACHE_URL
    with app.app_context():
        for _view in range(2):
            rows, _, _ = view.build_over_100(engine, DEFAULT)
            assert counts(view.build_summary(engine, DEFAULT))[
                "party_participation_over_100"
            ] == str(len(rows))
    assert calls == [COUNTY]


def test_held_and_rejected_by_township(engine):
    rows, _, note = view.build_held(engine, DEFAULT)
    assert [
        (r["township_code"], r["area_name"], r["held"], r["rejected"], r["rejected_last_run"])
        for r in rows
    ] == [
        (CHENGGUAN, "城关街道", 1, 0, 0),
        (DONGHU, "东湖镇", 0, 1, 1),
        (None, "（乡镇不明）", 0, 1, 1),
    ]
    assert note is None


def test_rejected_rows_with_reasons_filtered_by_township(engine):
    rows, defs, _ = view.build_rejects(engine, DEFAULT)
    assert [(r["row_number"], r["township_name"], r["reason"]) for r in rows] == [
        (8, "东湖镇", "日期无效"),
        (9, "（乡镇不明）", "区划代码无效"),
    ]
    assert rows[0]["kind"] == "会议台账" and rows[0]["value"] == "2025-13-01"
    assert rows[0]["loaded_on"] == "2025-06-30"
    rows, _, _ = view.build_rejects(engine, DEFAULT.replace(scope=DONGHU))
    assert [r["row_number"] for r in rows] == [8]
    rows, _, note = view.build_rejects(engine, DEFAULT.replace(scope=CHENGGUAN))
    assert rows == [] and text(note) == "没有拒收的行"
    rows, _, _ = view.build_rejects(engine, DEFAULT.replace(scope=LIUSHU, lang="en"))
    assert [(r["reason"], r["kind"]) for r in rows] == [("invalid date", "Meetings")]
    assert len(quality.rejected_rows(engine, COUNTY, limit=1)) == 1


def test_load_runs(engine):
    rows, defs, note = view.build_runs(engine, DEFAULT)
    assert len(rows) == 1 and note is None
    run = rows[0]
    assert (run["loaded_on"], run["status"], run["files_loaded"]) == ("2025-06-30", "已提交", 4)
    # 7 areas + 7 meetings + 9 attendance + 5 resolutions
    assert (run["read"], run["inserted"], run["rejected"], run["held"]) == (28, 28, 0, 0)


def test_a_runs_time_is_shown_in_the_deployments_zone(monkeypatch):
    """A run's time is stored as the loading machine's wall clock: on a machine kept on
    UTC, Beijing time (the default zone) is 8 hours later, Berlin's summer time 2."""
    monkeypatch.delenv("XIESHANG_TIMEZONE", raising=False)
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        finished = datetime(2025, 6, 30, 23, 30)
        assert view._shown_time(finished) == "2025-07-01 07:30:00"
        monkeypatch.setenv("XIESHANG_TIMEZONE", "Europe/Berlin")
        assert view._shown_time(finished) == "2025-07-01 01:30:00"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_an_empty_warehouse(db_url):
    from xieshang.warehouse.engine import open_warehouse

    empty = open_warehouse(db_url)
    state = State(None, START, END)
    assert "xieshang demo" in text(view.build_summary(empty, state))
    builders = (
        view.build_status,
        view.build_over_100,
        view.build_held,
        view.build_rejects,
        view.build_held_rows,
        view.build_events,
    )
    for builder in builders:
        rows, _, note = builder(empty, state)
        assert rows == [] and "xieshang demo" in text(note)
    for csv in (view.events_csv, view.held_rows_csv, view.rejects_csv):
        assert csv(empty, state) is None
    rows, _, note = view.build_runs(empty, state)
    assert rows == [] and "xieshang demo" in text(note)
    empty.dispose()


# --- status regressions and due dates moved later -------------------------------------------

# Later reports of the small county's resolutions (columns as RESOLUTIONS; each earlier
# report is the one of 2025-06-20, JY-5's of 2024-12-25):
#   JY-1 柳树村 已落实 -> 推进中 on 06-28                       (status backwards)
#   JY-2 柳树村 推进中 -> 未启动, due 06-15 -> 07-15 on 06-27    (both, one report)
#   JY-4 新华社区 due 09-30 -> 12-31 on 06-25                    (due date later)
#   JY-5 杨家村 已落实 -> 推进中 on 2024-12-30                  (before the default period)
LATER_REPORTS = [
    ["JY-1", "HY-1", LIUSHU, "硬化村道2公里", "村委会", "2025-05-31", "推进中", "", "2025-06-28"],
    ["JY-2", "HY-3", LIUSHU, "清淤河塘", "村委会", "2025-07-15", "未启动", "", "2025-06-27"],
    ["JY-4", "HY-2", XINHUA, "加装电梯", "街道办", "2025-12-31", "未启动", "", "2025-06-25"],
    ["JY-5", "HY-6", YANGJIA, "修复路灯", "村委会", "2024-12-31", "推进中", "", "2024-12-30"],
]
EVENT_FIELDS = (
    "township_name",
    "area_name",
    "area_code",
    "resolution_id",
    "meeting_id",
    "kind",
    "previous_updated_on",
    "updated_on",
    "old_value",
    "new_value",
)


def county_with_later_reports(engine, directory) -> None:
    inbox = write_inbox(directory / "inbox")
    later = [[*row, "", "是", ""] for row in LATER_REPORTS]
    write_csv(inbox / "决议落实.csv", [*RESOLUTIONS, *later])
    report = run_load(engine, inbox, secret=SECRET, today=LOAD_DAY)
    assert report["status"] == "committed" and report["kinds"]["resolutions"]["rejected"] == 0


@pytest.fixture
def events_engine(shared_warehouse):
    return shared_warehouse(county_with_later_reports)


def events(rows) -> list[tuple]:
    return [tuple(r[f] for f in EVENT_FIELDS) for r in rows]


def event_counts(engine, state) -> tuple[int, int]:
    shown = counts(view.build_summary(engine, state))
    return int(shown["status_regressions"]), int(shown["due_dates_moved_later"])


def test_status_regressions_and_later_due_dates_listed(events_engine):
    rows, defs, note = view.build_events(events_engine, DEFAULT)
    assert events(rows) == [
        ("东湖镇", "柳树村", LIUSHU, "JY-1", "HY-1", "状态倒退", "2025-06-20", "2025-06-28", "已落实", "推进中"),
        ("东湖镇", "柳树村", LIUSHU, "JY-2", "HY-3", "完成时限推迟", "2025-06-20", "2025-06-27", "2025-06-15", "2025-07-15"),
        ("东湖镇", "柳树村", LIUSHU, "JY-2", "HY-3", "状态倒退", "2025-06-20", "2025-06-27", "推进中", "未启动"),
        ("城关街道", "新华社区", XINHUA, "JY-4", "HY-2", "完成时限推迟", "2025-06-20", "2025-06-25", "2025-09-30", "2025-12-31"),
    ]  # fmt: skip
    assert note is None
    assert rows[0]["updated_on__text"] == "2025-06-28" and rows[0]["old_value__text"] == "已落实"
    assert [d["field"] for d in defs] == list(EVENT_FIELDS)
    kind = next(d for d in defs if d["field"] == "kind")
    assert (kind["headerName"], kind["filter"]) == ("问题", "agTextColumnFilter")
    # the counts above the list are the list's rows of each kind
    assert event_counts(events_engine, DEFAULT) == (2, 2)


def test_event_list_follows_the_scope_and_period(events_engine):
    def listed(state):
        rows, _, note = view.build_events(events_engine, state)
        kinds = [r["kind"] for r in rows]
        assert event_counts(events_engine, state) == (
            kinds.count("状态倒退"),
            kinds.count("完成时限推迟"),
        )
        return [(r["resolution_id"], r["kind"]) for r in rows], note

    assert listed(DEFAULT.replace(scope=CHENGGUAN)) == ([("JY-4", "完成时限推迟")], None)
    donghu = [("JY-1", "状态倒退"), ("JY-2", "完成时限推迟"), ("JY-2", "状态倒退")]
    assert listed(DEFAULT.replace(scope=DONGHU)) == (donghu, None)
    assert listed(DEFAULT.replace(scope=LIUSHU)) == (donghu, None)
    # 杨家村's regression was reported on 2024-12-30, before the period
    rows, note = listed(DEFAULT.replace(scope=YANGJIA))
    assert rows == [] and text(note) == "本期没有状态倒退或完成时限推迟的决议"
    second_half_2024 = State(COUNTY, date(2024, 7, 1), date(2024, 12, 31))
    assert listed(second_half_2024) == ([("JY-5", "状态倒退")], None)
    rows, _, _ = view.build_events(events_engine, second_half_2024)
    assert events(rows) == [
        ("东湖镇", "杨家村", YANGJIA, "JY-5", "HY-6", "状态倒退", "2024-12-25", "2024-12-30", "已落实", "推进中"),
    ]  # fmt: skip


def test_no_events_in_the_plain_county(engine):
    rows, _, note = view.build_events(engine, DEFAULT)
    assert rows == [] and text(note) == "本期没有状态倒退或完成时限推迟的决议"


def test_event_list_in_english(events_engine):
    state = DEFAULT.replace(scope=DONGHU, lang="en")
    rows, defs, _ = view.build_events(events_engine, state)
    assert [(r["kind"], r["old_value"], r["new_value"]) for r in rows] == [
        ("Status went backwards", "Implemented", "In progress"),
        ("Due date moved later", "2025-06-15", "2025-07-15"),
        ("Status went backwards", "In progress", "Not started"),
    ]
    assert [d["headerName"] for d in defs] == [
        "Township",
        "Unit",
        "Area code",
        "Resolution",
        "Meeting",
        "Problem",
        "Previous report",
        "This report",
        "Old value",
        "New value",
    ]
    _, _, note = view.build_events(events_engine, state.replace(scope=YANGJIA))
    assert text(note) == "No status went backwards and no due date moved later in this period"


def test_event_list_csv(events_engine):
    download = view.events_csv(events_engine, DEFAULT.replace(scope=CHENGGUAN))
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the deployment's day
    assert (download["filename"], download["type"]) == (
        f"城关街道-决议异动-{today}.csv",
        "text/csv",
    )
    assert download["content"] == (
        "\ufeff乡镇（街道）,单位,区划代码,决议编号,会议编号,问题,上次更新日期,本次更新日期,原值,新值\r\n"
        f"城关街道,新华社区,{XINHUA}\t,JY-4,HY-2,完成时限推迟,2025-06-20,2025-06-25,2025-09-30,2025-12-31\r\n"
    )
    lines = view.events_csv(events_engine, DEFAULT)["content"].splitlines()
    assert len(lines) == 1 + 4
    assert (
        lines[1]
        == f"东湖镇,柳树村,{LIUSHU}\t,JY-1,HY-1,状态倒退,2025-06-20,2025-06-28,已落实,推进中"
    )


def test_one_wording_for_later_due_dates():
    from xieshang.dashboard.i18n import TEXT, t

    assert t("dq_due_dates_moved_later") == "完成时限推迟"
    assert t("dq_event_due_later") == "完成时限推迟"
    assert not [key for key, (zh, _) in TEXT.items() if "推后" in zh]


# --- held rows and rejected rows, before and after a fixed file ------------------------------

# First load (2025-06-30) of the small county with six more rows (line numbers as a
# spreadsheet shows them; the header is line 1):
#   会议台账.csv line 9   HY-8 杨家村, date 2025-13-01           rejected (bad date)
#   会议台账.csv line 10  HY-7 新华社区, date 2025-02-30         rejected (bad date)
#   参会签到.csv line 11  HY-9 新华社区                          held (no HY-9)
#   参会签到.csv line 12  HY-8 杨家村                            held (HY-8 was rejected)
#   参会签到.csv line 13  HY-1 柳树村, 是否党员 “也许”           rejected (bad yes/no)
#   决议落实.csv line 7   JY-9 of HY-9 新华社区                  held
# Second load (2025-07-01): 会议台账.csv fixed on line 9 only (HY-8 on 2025-06-10); the
# other files are unchanged, so not read again. After it:
#   rejects of each file's latest load: 会议台账 10 (second load), 参会签到 13 (first);
#   superseded: 会议台账 9 and 10 of the first load;
#   held: 决议落实 7 and 参会签到 11 (HY-8 arrived, so 参会签到 12 joined it).
BAD_MEETINGS = [
    ["HY-8", YANGJIA, "2025-13-01", "议事会", "修缮水渠", "环境整治", "群众提议", "是", "否"],
    ["HY-7", XINHUA, "2025-02-30", "议事会", "停车管理", "道路交通", "群众提议", "是", "否"],
]
FIXED_MEETINGS = [
    ["HY-8", YANGJIA, "2025-06-10", "议事会", "修缮水渠", "环境整治", "群众提议", "是", "否"],
    BAD_MEETINGS[1],
]
EARLY_ATTENDANCE = [
    ["HY-9", XINHUA, "330281199001010001", "甲", "是", "居民代表"],
    ["HY-8", YANGJIA, "330281199001010008", "辛", "是", "村民代表"],
    ["HY-1", LIUSHU, "330281199001010009", "壬", "也许", "村民代表"],
]
EARLY_RESOLUTION = [
    "JY-9",
    "HY-9",
    XINHUA,
    "修缮活动室",
    "社区居委会",
    "2025-08-31",
    "未启动",
    "",
    "2025-06-25",
    "",
    "否",
    "",
]
HELD = "会议尚未报送（暂存，待会议报送后自动关联）"
BAD_DATE = "日期无法识别（应为 2025-03-08、2025年3月8日 或 20250308）"
DATE_HINT = (
    "日期填成 2025-03-08、2025/3/8、2025.3.8、2025年3月8日 或 20250308，或用日期格式的单元格"
)
BOOL_HINT = "可填：是、否（也可填 Y/N、yes/no、1/0、√/×、TRUE/FALSE）"
HELD_FIELDS = (
    "township_name",
    "area_name",
    "area_code",
    "kind",
    "path",
    "sheet",
    "row_number",
    "meeting_id",
    "reason",
    "loaded_on",
)
REJECT_FIELDS = (
    "loaded_on",
    "township_name",
    "owner_code",
    "kind",
    "path",
    "sheet",
    "row_number",
    "column_name",
    "value",
    "reason",
    "hint",
)


def first_load(engine, directory) -> None:
    """The county loaded with the bad and early rows above."""
    inbox = write_inbox(directory / "inbox")
    write_csv(inbox / "会议台账.csv", [*MEETINGS, *BAD_MEETINGS])
    write_csv(inbox / "参会签到.csv", [*ATTENDANCE, *EARLY_ATTENDANCE])
    write_csv(inbox / "决议落实.csv", [*RESOLUTIONS, EARLY_RESOLUTION])
    report = run_load(engine, inbox, secret=SECRET, today=LOAD_DAY)
    assert report["status"] == "committed"
    assert [(k["rejected"], k["held"]) for k in report["kinds"].values()] == [
        (0, 0),  # areas
        (2, 0),  # meetings
        (1, 2),  # attendance
        (0, 1),  # resolutions
    ]


def first_and_fixed_load(engine, directory) -> None:
    """The first load, then the second with 会议台账.csv fixed."""
    first_load(engine, directory)
    inbox = directory / "inbox"
    write_csv(inbox / "会议台账.csv", [*MEETINGS, *FIXED_MEETINGS])
    report = run_load(engine, inbox, secret=SECRET, today=date(2025, 7, 1))
    assert report["files"]["loaded"] == ["会议台账.csv"]
    assert report["kinds"]["attendance"]["released"]["joined"] == 1


@pytest.fixture
def resubmitted(shared_warehouse):
    """{"first": after the first load, "fixed": after the second}."""
    return {"first": shared_warehouse(first_load), "fixed": shared_warehouse(first_and_fixed_load)}


def fields(rows, names) -> list[tuple]:
    return [tuple(r[f] for f in names) for r in rows]


def test_held_rows_listed(resubmitted):
    rows, defs, note = view.build_held_rows(resubmitted["fixed"], DEFAULT)
    assert fields(rows, HELD_FIELDS) == [
        ("城关街道", "新华社区", XINHUA, "决议落实", "决议落实.csv", None, 7, "HY-9", HELD, "2025-06-30"),
        ("城关街道", "新华社区", XINHUA, "参会签到", "参会签到.csv", None, 11, "HY-9", HELD, "2025-06-30"),
    ]  # fmt: skip
    assert note is None
    assert (rows[0]["sheet__text"], rows[0]["row_number__text"]) == ("—", "7")
    assert [d["field"] for d in defs] == list(HELD_FIELDS)
    assert [d["headerName"] for d in defs] == [
        "乡镇（街道）",
        "单位",
        "区划代码",
        "台账",
        "文件",
        "工作表",
        "行号",
        "会议编号",
        "原因",
        "首次暂存日",
    ]
    assert defs[6]["filter"] == "agNumberColumnFilter"
    assert counts(view.build_summary(resubmitted["fixed"], DEFAULT))["held_rows"] == "2"


def test_held_rows_follow_the_scope(resubmitted):
    def listed(which, scope):
        engine = resubmitted[which]
        state = DEFAULT.replace(scope=scope)
        rows, _, note = view.build_held_rows(engine, state)
        assert counts(view.build_summary(engine, state))["held_rows"] == str(len(rows))
        return [(r["area_name"], r["row_number"]) for r in rows], text(note)

    both = [("新华社区", 7), ("新华社区", 11)]
    assert listed("fixed", CHENGGUAN) == (both, "")
    # a village sees its own rows only (a held row always has its area code)
    assert listed("fixed", XINHUA) == (both, "")
    assert listed("fixed", JIEFANG) == ([], "没有待匹配的行")
    # 杨家村's row joined HY-8 when the fixed meeting file arrived
    assert listed("fixed", DONGHU) == ([], "没有待匹配的行")
    assert listed("first", COUNTY) == ([*both, ("杨家村", 12)], "")
    assert listed("first", DONGHU) == ([("杨家村", 12)], "")
    assert listed("first", YANGJIA) == ([("杨家村", 12)], "")
    assert listed("first", LIUSHU) == ([], "没有待匹配的行")
    # the per-township table: held, rejected (latest loads), rejected in the last run
    rows, _, _ = view.build_held(resubmitted["fixed"], DEFAULT)
    assert fields(
        rows, ("township_code", "area_name", "held", "rejected", "rejected_last_run")
    ) == [
        (CHENGGUAN, "城关街道", 2, 1, 1),
        (DONGHU, "东湖镇", 0, 1, 0),
    ]


def test_held_rows_keep_no_personal_data(resubmitted):
    # the held store keeps the hashed person id (row key, payload); the list never reads it
    state = DEFAULT.replace(scope=None)
    rows, _, _ = view.build_held_rows(resubmitted["first"], state)
    shown = repr(rows) + view.held_rows_csv(resubmitted["first"], state)["content"]
    for personal in ("330281199001010001", "330281199001010008", "甲", "辛"):
        assert personal not in shown
    assert not re.search(r"[0-9a-f]{64}", shown)
    with resubmitted["first"].connect() as conn:
        payloads = conn.execute(select(schema.held_rows.c.payload)).scalars().all()
    hashes = [json.loads(p)["person_hash"] for p in payloads if "person_hash" in p]
    assert len(hashes) == 2 and not any(h in shown for h in hashes)
    assert set(quality.held_rows(resubmitted["first"])[0]) == {
        "kind",
        "area_code",
        "area_name",
        "township_code",
        "township_name",
        "meeting_id",
        "path",
        "sheet",
        "row_number",
        "run_id",
        "loaded_on",
        "reason_zh",
        "reason_en",
    }


def test_held_rows_csv(resubmitted):
    download = view.held_rows_csv(resubmitted["fixed"], DEFAULT.replace(scope=XINHUA))
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the deployment's day
    assert (download["filename"], download["type"]) == (
        f"新华社区-待匹配行-{today}.csv",
        "text/csv",
    )
    assert download["content"] == (
        "\ufeff乡镇（街道）,单位,区划代码,台账,文件,工作表,行号,会议编号,原因,首次暂存日\r\n"
        f"城关街道,新华社区,{XINHUA}\t,决议落实,决议落实.csv,,7,HY-9,{HELD},2025-06-30\r\n"
        f"城关街道,新华社区,{XINHUA}\t,参会签到,参会签到.csv,,11,HY-9,{HELD},2025-06-30\r\n"
    )
    empty = view.held_rows_csv(resubmitted["fixed"], DEFAULT.replace(scope=DONGHU))
    assert empty["content"].splitlines() == [
        "\ufeff乡镇（街道）,单位,区划代码,台账,文件,工作表,行号,会议编号,原因,首次暂存日"
    ]


def test_held_rows_in_english(resubmitted):
    state = DEFAULT.replace(lang="en")
    rows, defs, _ = view.build_held_rows(resubmitted["fixed"], state)
    assert [(r["kind"], r["reason"]) for r in rows] == [
        ("Resolutions", "unknown meeting (held until it arrives)"),
        ("Attendance", "unknown meeting (held until it arrives)"),
    ]
    assert [d["headerName"] for d in defs] == [
        "Township",
        "Unit",
        "Area code",
        "File kind",
        "File",
        "Sheet",
        "Row",
        "Meeting",
        "Reason",
        "Held since",
    ]
    _, _, note = view.build_held_rows(resubmitted["fixed"], state.replace(scope=DONGHU))
    assert text(note) == "No row is waiting for its meeting"


def test_rejects_of_each_files_latest_load(resubmitted):
    rows, defs, note = view.build_rejects(resubmitted["fixed"], DEFAULT)
    assert fields(rows, REJECT_FIELDS) == [
        ("2025-07-01", "城关街道", CHENGGUAN, "会议台账", "会议台账.csv", None, 10, "会议日期", "2025-02-30", BAD_DATE, DATE_HINT),
        ("2025-06-30", "东湖镇", DONGHU, "参会签到", "参会签到.csv", None, 13, "是否党员", "（已隐去 redacted）", "应填 是/否", BOOL_HINT),
    ]  # fmt: skip
    assert note is None
    assert [d["field"] for d in defs] == list(REJECT_FIELDS)
    assert counts(view.build_summary(resubmitted["fixed"], DEFAULT))["rejected_rows"] == "2"
    # before the fix nothing is superseded: the switch changes nothing
    first, _, _ = view.build_rejects(resubmitted["first"], DEFAULT)
    every, _, _ = view.build_rejects(resubmitted["first"], DEFAULT, include_superseded=True)
    assert [(r["path"], r["row_number"]) for r in first] == [
        ("会议台账.csv", 9),
        ("会议台账.csv", 10),
        ("参会签到.csv", 13),
    ]
    assert [(r["path"], r["row_number"], r["state"]) for r in every] == [
        ("会议台账.csv", 9, "待修正"),
        ("会议台账.csv", 10, "待修正"),
        ("参会签到.csv", 13, "待修正"),
    ]


def test_the_switch_adds_the_superseded_rejects(resubmitted):
    fixed = resubmitted["fixed"]
    rows, defs, _ = view.build_rejects(fixed, DEFAULT, include_superseded=True)
    assert fields(rows, ("loaded_on", "path", "row_number", "state")) == [
        ("2025-07-01", "会议台账.csv", 10, "待修正"),
        ("2025-06-30", "会议台账.csv", 9, "已被重新提交取代"),
        ("2025-06-30", "会议台账.csv", 10, "已被重新提交取代"),
        ("2025-06-30", "参会签到.csv", 13, "待修正"),
    ]
    assert (defs[-1]["field"], defs[-1]["headerName"]) == ("state", "记录状态")

    # the count above the lists is the list's length, with the switch or without; a
    # village lists its own rows (杨家村: line 9, superseded), not its township's
    def shown(scope, include_superseded):
        state = DEFAULT.replace(scope=scope)
        rows, _, _ = view.build_rejects(fixed, state, include_superseded)
        count = counts(view.build_summary(fixed, state, include_superseded))["rejected_rows"]
        assert count == str(len(rows))
        return len(rows)

    expected = {COUNTY: (2, 4), CHENGGUAN: (1, 2), XINHUA: (1, 2), DONGHU: (1, 2), YANGJIA: (0, 1)}
    assert {scope: (shown(scope, False), shown(scope, True)) for scope in expected} == expected
    rows, _, _ = view.build_rejects(fixed, DEFAULT.replace(scope=DONGHU), include_superseded=True)
    assert fields(rows, ("path", "row_number", "value")) == [
        ("会议台账.csv", 9, "2025-13-01"),
        ("参会签到.csv", 13, "（已隐去 redacted）"),
    ]
    # the per-township table counts the same rejects
    rows, _, _ = view.build_held(fixed, DEFAULT, include_superseded=True)
    assert fields(rows, ("township_code", "held", "rejected", "rejected_last_run")) == [
        (CHENGGUAN, 2, 2, 1),
        (DONGHU, 0, 2, 0),
    ]
    state = DEFAULT.replace(lang="en")
    rows, defs, _ = view.build_rejects(fixed, state, include_superseded=True)
    assert [r["state"] for r in rows] == ["To fix", "Superseded", "Superseded", "To fix"]
    # the column as the staff's own file names it, in either language
    assert [r["column_name"] for r in rows] == ["会议日期"] * 3 + ["是否党员"]
    assert [d["headerName"] for d in defs] == [
        "Loaded on",
        "Township",
        "Township code",
        "File kind",
        "File",
        "Sheet",
        "Row",
        "Column (as in the file)",
        "Value",
        "Reason",
        "How to fix",
        "State",
    ]


def test_a_lists_file_name_carries_the_deployments_day(resubmitted, monkeypatch):
    """The day in the name is the deployment's (XIESHANG_TIMEZONE), not the machine's:
    UTC+14 and UTC-12, 26 hours apart, never share a day."""
    names = {}
    for zone in ("Etc/GMT-14", "Etc/GMT+12"):
        monkeypatch.setenv("XIESHANG_TIMEZONE", zone)
        names[zone] = view.rejects_csv(resubmitted["fixed"], DEFAULT)["filename"]
    day = {zone: datetime.now(ZoneInfo(zone)).date().isoformat() for zone in names}
    assert names == {zone: f"清河县-拒收行-{day[zone]}.csv" for zone in names}
    assert len(set(names.values())) == 2


def test_rejects_csv(resubmitted):
    download = view.rejects_csv(resubmitted["fixed"], DEFAULT)
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the deployment's day
    assert (download["filename"], download["type"]) == (f"清河县-拒收行-{today}.csv", "text/csv")
    assert download["content"] == (
        "\ufeff载入日,乡镇（街道）,乡镇代码,台账,文件,工作表,行号,列名（按原文件）,值,原因,修改方法\r\n"
        f"2025-07-01,城关街道,330281001000\t,会议台账,会议台账.csv,,10,会议日期,2025-02-30,{BAD_DATE},{DATE_HINT}\r\n"
        f"2025-06-30,东湖镇,330281100000\t,参会签到,参会签到.csv,,13,是否党员,（已隐去 redacted）,应填 是/否,"
        f"{BOOL_HINT}\r\n"
    )
    download = view.rejects_csv(
        resubmitted["fixed"], DEFAULT.replace(scope=DONGHU), include_superseded=True
    )
    assert download["content"] == (
        "\ufeff载入日,乡镇（街道）,乡镇代码,台账,文件,工作表,行号,列名（按原文件）,值,原因,修改方法,"
        "记录状态\r\n"
        f"2025-06-30,东湖镇,330281100000\t,会议台账,会议台账.csv,,9,会议日期,2025-13-01,{BAD_DATE},{DATE_HINT},"
        "已被重新提交取代\r\n"
        f"2025-06-30,东湖镇,330281100000\t,参会签到,参会签到.csv,,13,是否党员,（已隐去 redacted）,"
        f"应填 是/否,{BOOL_HINT},待修正\r\n"
    )


def test_a_cut_list_says_so(resubmitted, monkeypatch):
    fixed = resubmitted["fixed"]
    monkeypatch.setattr(grid, "ROW_CAP", 1)
    rows, _, note = view.build_rejects(fixed, DEFAULT)
    assert len(rows) == 1 and text(note) == "显示前 1 行，共 2 行；下载 CSV 查看全部"
    rows, _, note = view.build_rejects(fixed, DEFAULT, include_superseded=True)
    assert len(rows) == 1 and text(note) == "显示前 1 行，共 4 行；下载 CSV 查看全部"
    _, _, note = view.build_rejects(fixed, DEFAULT.replace(lang="en"))
    assert text(note) == "Showing the first 1 of 2 rows; download the CSV to see them all"
    rows, _, note = view.build_held_rows(fixed, DEFAULT)
    assert len(rows) == 1 and text(note) == "显示前 1 行，共 2 行；下载 CSV 查看全部"
    # the downloads are never cut
    assert len(view.rejects_csv(fixed, DEFAULT, True)["content"].splitlines()) == 1 + 4
    assert len(view.held_rows_csv(fixed, DEFAULT)["content"].splitlines()) == 1 + 2
    # a list exactly as long as the cap is whole
    monkeypatch.setattr(grid, "ROW_CAP", 2)
    rows, _, note = view.build_rejects(fixed, DEFAULT)
    assert len(rows) == 2 and note is None


def test_the_rejected_list_stops_at_five_hundred_rows(db_url):
    from xieshang.warehouse.engine import open_warehouse

    engine = open_warehouse(db_url)
    builder = small_county()
    builder.load_run("2025-06-30")
    builder.write(engine)
    township = "330281101000"  # 101镇
    with engine.begin() as conn:
        conn.execute(
            insert(schema.rejects),
            [
                {
                    "run_id": "run001",
                    "kind": "meetings",
                    "path": "会议台账.csv",
                    "row_number": line,
                    "rule": "missing",
                    "reason_zh": "必填项为空",
                    "reason_en": "required value is empty",
                    "township_code": township,
                }
                for line in range(2, 503)
            ],
        )
    rows, _, note = view.build_rejects(engine, DEFAULT)
    assert (len(rows), rows[0]["row_number"], rows[-1]["row_number"]) == (500, 2, 501)
    assert text(note) == "显示前 500 行，共 501 行；下载 CSV 查看全部"
    assert counts(view.build_summary(engine, DEFAULT))["rejected_rows"] == "501"
    assert len(view.rejects_csv(engine, DEFAULT)["content"].splitlines()) == 1 + 501
    engine.dispose()


def test_the_page_has_the_switch_and_the_downloads(resubmitted):
    import dash

    from xieshang.dashboard.app import create_app

    create_app(resubmitted["fixed"])
    layout = dash.page_registry["pages.data_quality"]["layout"].__wrapped__
    for lang, label in (
        ("zh", "含已被重新提交取代的记录"),
        ("en", "Include rows superseded by a resubmitted file or row"),
    ):
        tree = layout(lang)
        ids = {node.id: node for node in walk(tree) if isinstance(getattr(node, "id", None), str)}
        assert (ids["dq-superseded"].label, ids["dq-superseded"].value) == (label, False)
        assert {"dq-rejects-csv", "dq-held-rows-csv", "dq-events-csv"} <= set(ids)
        assert "dq-held-rows-grid" in ids


def test_a_status_cells_day_is_written_in_full():
    """ui.md: dates in tables read 2025-03-08. The cell said "已报送 01-05": viewing
    December 2025, a file sent late on 5 January 2026 read as a day before the month it
    reports, and no year told the two apart."""
    from xieshang.dashboard.views import status_grid

    row = {
        "state": "received",
        "state_zh": "已报送",
        "state_en": "Submitted",
        "received_at": datetime(2026, 1, 5, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai")),
        "accepted": 1259,
        "rejected": 2,
        "held": 0,
    }
    assert status_grid.cell(row, "zh") == "已报送 2026-01-05 · 1,259/2"
    assert status_grid.cell(row, "en") == "Submitted 2026-01-05 · 1,259/2"
    held = {**row, "state": "held", "state_zh": "已报送·待匹配会议", "held": 3}
    assert status_grid.cell(held, "zh") == "已报送·待匹配会议 2026-01-05 · 暂存 3"
