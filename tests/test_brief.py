"""The monthly brief's content (xieshang.brief.content) on SQLite and PostgreSQL, over
清河县 of tests/helpers/scoped_county.py (loaded 2025-06-30, data from June 2024): its
figures are `xieshang kpi`'s for the month, its table, sentences, overdue ages and
data-quality notes are worked out by hand below; months outside the data are refused.
Rendering is tests/test_brief_render.py's.

June 2025 by hand — county: meeting HY-5 (东湖镇's own, no attendance); due JY-2 (柳树村,
06-15, in progress: overdue 15 days) and JY-3 (解放社区, 06-10, implemented 06-12, late,
score 80, 23 days after HY-4 of 05-20); 290 registered Party members. May: HY-4 at
解放社区 (3 attendees, 1 a Party member, 3 stakeholder categories); nothing due on
05-31 (JY-1's only report is dated 06-20). Scores: 城关街道 30 × 1 + 10 × 0.8 = 38.0,
东湖镇 0.0; in 城关街道, 解放社区 38.0 and 新华社区 0.0; in 东湖镇, both villages 0.0.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from tests.helpers.inbox_county import CHENGGUAN, COUNTY, DONGHU, LIUSHU, SECRET, write_inbox
from tests.helpers.inbox_files import write_csv
from tests.helpers.scoped_county import county_with_users
from xieshang import metrics
from xieshang.brief import NoBrief, build_brief
from xieshang.brief.content import Unit, _summary, _units_text
from xieshang.brief.numbers import basis, change, shown
from xieshang.cli import main
from xieshang.etl.load import run_load
from xieshang.warehouse.engine import open_warehouse

pytestmark = pytest.mark.warehouse(fill=county_with_users)

JUNE = (date(2025, 6, 1), date(2025, 6, 30))
MAY = (date(2025, 5, 1), date(2025, 5, 31))
MADE_ON = date(2025, 7, 2)

# (label, this month, last month, change, basis) of the county's June table
COUNTY_ROWS = [
    ("协商会议数", "1", "1", "持平", ""),
    ("常态化率", "0.0%", "25.0%", "下降25.0个百分点", "0/4"),
    ("党组织主持率", "100.0%", "100.0%", "持平", "1/1"),
    ("党员参与率", "0.0%", "0.3%", "下降0.3个百分点", "0/290"),
    ("党员参会占比", "无数据", "33.3%", "无可比", "0/0"),
    ("多元主体覆盖率", "0.0%", "100.0%", "下降100.0个百分点", "0/1"),
    ("多元主体广度", "0.0%", "30.0%", "下降30.0个百分点", "0/10类"),
    ("到期决议数", "2", "0", "增加2", ""),
    ("决议落实率", "50.0%", "无数据", "无可比", "1/2"),
    ("按期落实率", "0.0%", "无数据", "无可比", "0/2"),
    ("逾期未落实数", "1", "0", "增加1", ""),
    ("落实用时中位数(天)", "23.0", "无数据", "无可比", "1件"),
    ("群众满意度", "80.0", "无数据", "无可比", "1个评分"),
    ("上报率", "无数据", "无数据", "无可比", "0/0"),
]
WEIGHTS = "按本月考核得分排名（满分100分；权重：党员参与率25、决议落实率30、多元主体覆盖率20、常态化率15、群众满意度10）。"


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def kpi_cli(capsys, engine, scope: str, start: date, end: date) -> dict:
    args = ["kpi", "--scope", scope, "--from", start.isoformat(), "--to", end.isoformat()]
    assert main([*args, "--db", url_of(engine)]) == 0
    return json.loads(capsys.readouterr().out)


# --- the figures are `xieshang kpi`'s ----------------------------------------------------------------------


@pytest.mark.parametrize("scope", [COUNTY, DONGHU, LIUSHU])
def test_the_figures_are_those_of_xieshang_kpi(engine, capsys, scope):
    brief = build_brief(engine, scope, "2025-06", today=MADE_ON)
    assert (brief.start, brief.end, brief.as_of) == (*JUNE, date(2025, 6, 30))
    assert metrics.to_json(brief.figures) == kpi_cli(capsys, engine, scope, *JUNE)
    assert metrics.to_json(brief.previous) == kpi_cli(capsys, engine, scope, *MAY)
    assert metrics.to_json(brief.figures) == metrics.kpi_json(engine, scope, *JUNE)
    # the table prints exactly these values, in the order of metrics.FIGURES
    assert [r.key for r in brief.rows] == list(metrics.FIGURES)
    assert [r.value for r in brief.rows] == [brief.figures[k] for k in metrics.FIGURES]


def test_the_county_brief(engine):
    brief = build_brief(engine, COUNTY, "2025-06", today=MADE_ON)
    assert brief.title == "清河县工作简报"
    assert brief.cover == "2025年6月 · 数据截至2025年6月30日 · 制发日期：2025年7月2日"
    assert brief.filename("pdf") == "清河县-工作简报-2025年6月.pdf"
    assert [(r.label, r.shown, r.previous, r.change, r.basis) for r in brief.rows] == COUNTY_ROWS
    tones = {r.key: r.tone for r in brief.rows if r.tone != "flat"}
    assert tones == {
        "regularity": "bad",
        "party_participation_rate": "bad",
        "stakeholder_coverage": "bad",
        "stakeholder_breadth": "bad",
        "resolutions_due": "good",
        "overdue_open": "bad",
    }
    assert brief.summary == (
        "2025年6月，清河县召开协商会议1次，常态化率0.0%，党员参与率0.0%；到期决议2件，"
        "落实率50.0%、按期落实率0.0%；截至2025年6月30日，逾期未落实决议1件。"
    )
    assert brief.previous_note == ""
    assert [h for _, h in brief.headings()] == [
        "一、主要指标",
        "二、单位排名",
        "三、逾期未落实决议",
        "四、数据质量",
    ]
    assert brief.ranking == (
        Unit(CHENGGUAN, "城关街道", 1, 38.0, 0, 0, "rejected"),
        Unit(DONGHU, "东湖镇", 2, 0.0, 1, 1),
    )
    # 城关街道's meetings ledger was rejected whole: it is not said to have held none
    assert brief.units_text == (
        WEIGHTS,
        "排名靠前的乡镇（街道）：城关街道（第1名，38.0分）。",
        "排名靠后的乡镇（街道）：东湖镇（第2名，0.0分，逾期未落实决议1件）。",
        "本月会议台账全部被拒收的乡镇（街道）（1个）：城关街道。",
    )
    assert brief.overdue == (("逾期30天以内", 1), ("逾期31–90天", 0), ("逾期90天以上", 0))
    assert brief.overdue_text == (
        "截至2025年6月30日，逾期未落实决议1件：逾期30天以内1件、逾期31–90天0件、"
        "逾期90天以上0件；逾期最久的一件已逾期15天。逾期较多的乡镇（街道）：东湖镇1件。"
    )
    # 报送情况 of June: each township's attendance waits for its meeting (held 11, 12);
    # 城关街道's one meetings file was rejected whole (scoped_county's row 9); rejects 8,
    # 9, 10
    assert brief.quality_text == (
        "2025年6月报送情况：1个单位报送的台账全部被拒收：城关街道（会议）。",
        "待修正的拒收记录3行，等待会议匹配的记录2行（明细见看板“数据质量”页）。",
    )
    assert [(m["month"], m["meetings"]) for m in brief.trend] == [
        ("2024-07", 0),
        ("2024-08", 0),
        ("2024-09", 0),
        ("2024-10", 0),
        ("2024-11", 1),
        ("2024-12", 0),
        ("2025-01", 0),
        ("2025-02", 0),
        ("2025-03", 2),
        ("2025-04", 1),
        ("2025-05", 1),
        ("2025-06", 1),
    ]
    rates = [
        (m["implementation_rate"], m["implemented"], m["resolutions_due"]) for m in brief.trend
    ]
    # JY-5 fell due in December (implemented), JY-2 and JY-3 in June; no other month
    assert rates[5] == (1.0, 1, 1) and rates[11] == (0.5, 1, 2)
    assert [r for i, r in enumerate(rates) if i not in (5, 11)] == [(None, 0, 0)] * 10
    assert not any(m["partial"] for m in brief.trend)


def test_a_townships_brief_names_its_leading_and_lagging_villages(engine):
    brief = build_brief(engine, CHENGGUAN, "2025-06", today=MADE_ON)
    assert brief.units_text == (
        WEIGHTS,
        "排名靠前的村（社区）：解放社区（第1名，38.0分）。",
        "排名靠后的村（社区）：新华社区（第2名，0.0分，本月报送的会议台账全部被拒收）。",
        "本月未召开协商会议的村（社区）（1个）：解放社区。",
        "本月会议台账全部被拒收的村（社区）（1个）：新华社区。",
    )
    assert brief.overdue_text == "截至2025年6月30日，没有逾期未落实的决议。"
    assert brief.quality_text[1] == (
        "待修正的拒收记录1行，等待会议匹配的记录1行（明细见看板“数据质量”页）。"
    )
    donghu = build_brief(engine, DONGHU, "2025-06", today=MADE_ON)
    assert donghu.units_text == (WEIGHTS, "各村（社区）得分相同（0.0分），不分先后。")
    assert donghu.overdue_text.endswith("逾期较多的村（社区）：柳树村1件。")


def test_a_townships_own_overdue_resolutions_are_named_as_its_own(db_url, tmp_path):
    """东湖镇 hosts a meeting itself: its overdue resolution was listed among the villages
    by its bare code, the count run into it (3302811000001件)."""
    engine = open_warehouse(db_url)
    county_with_users(engine, tmp_path)
    inbox = tmp_path / "more"
    write_csv(
        inbox / "会议台账.csv",
        [
            ["会议编号", "区划代码", "召开日期", "形式", "议题", "党组织主持"],
            ["HY-90", DONGHU, "2025-05-10", "联席会议", "河道", "是"],
        ],
    )
    header = ["决议编号", "会议编号", "区划代码", "决议内容", "责任单位", "完成时限"]
    header += ["落实状态", "完成日期", "更新日期"]
    write_csv(
        inbox / "决议落实.csv",
        [
            header,
            ["JY-90", "HY-90", DONGHU, "清淤", "镇政府", "2025-06-10", "未启动", "", "2025-05-20"],
            ["JY-91", "HY-90", DONGHU, "护岸", "镇政府", "2025-06-11", "推进中", "", "2025-05-20"],
        ],
    )
    report = run_load(engine, inbox, secret=SECRET, today=MADE_ON)
    assert report["kinds"]["resolutions"]["inserted"] == 2
    brief = build_brief(engine, DONGHU, "2025-06", today=MADE_ON)
    assert brief.overdue_text.endswith("逾期较多的村（社区）：东湖镇（本级）2件、柳树村1件。")
    engine.dispose()


def test_a_villages_brief_has_no_ranking(engine):
    brief = build_brief(engine, LIUSHU, "2025-06", today=MADE_ON)
    assert brief.ranking == () and brief.units_text == ()
    assert [k for k, _ in brief.headings()] == ["figures", "overdue", "quality"]
    assert brief.headings()[1] == ("overdue", "二、逾期未落实决议")
    assert brief.overdue_text == (
        "截至2025年6月30日，逾期未落实决议1件：逾期30天以内1件、逾期31–90天0件、"
        "逾期90天以上0件；逾期最久的一件已逾期15天。"
    )


def test_the_first_month_of_data_is_not_compared(engine):
    brief = build_brief(engine, COUNTY, "2024-06", today=MADE_ON)
    assert brief.previous is None
    assert brief.previous_note == "2024年5月早于数据起始，“上月”“较上月”两栏不作比较。"
    assert {(r.previous, r.change) for r in brief.rows} == {("—", "无可比")}
    assert brief.rows[0].shown == "1"  # HY-0, the first meeting on record
    assert [m["month"] for m in brief.trend] == ["2024-06"]  # the trend starts with the data


def loaded_mid_june(engine, directory) -> None:
    """The same county, loaded on 2025-06-20: June is not over."""
    report = run_load(
        engine, write_inbox(directory / "inbox"), secret=SECRET, today=date(2025, 6, 20)
    )
    assert report["status"] == "committed"


def test_a_month_not_over_says_so(shared_warehouse, capsys):
    engine = shared_warehouse(loaded_mid_june)
    brief = build_brief(engine, COUNTY, "2025-06", today=MADE_ON)
    assert brief.as_of == date(2025, 6, 20)
    assert (
        brief.cover
        == "2025年6月 · 数据截至2025年6月20日（本月数据尚不完整） · 制发日期：2025年7月2日"
    )
    assert [m["partial"] for m in brief.trend[-2:]] == [False, True]
    assert metrics.to_json(brief.figures) == kpi_cli(capsys, engine, COUNTY, *JUNE)
    # JY-2, due 06-15, is five days late on 06-20
    assert brief.overdue == (("逾期30天以内", 1), ("逾期31–90天", 0), ("逾期90天以上", 0))
    assert "逾期最久的一件已逾期5天" in brief.overdue_text


# --- months outside the data --------------------------------------------------------------------------------


def test_months_outside_the_data_are_refused(engine, db_url):
    with pytest.raises(NoBrief, match=r"^2024-05 早于数据起始（2024-06），没有这个月的简报"):
        build_brief(engine, COUNTY, "2024-05")
    with pytest.raises(NoBrief, match=r"^2025-07 晚于最近一次导入（2025-06-30）"):
        build_brief(engine, COUNTY, "2025-07")
    with pytest.raises(ValueError, match="应写作 YYYY-MM"):
        build_brief(engine, COUNTY, "2025-6x")
    with pytest.raises(metrics.UnknownScope):
        build_brief(engine, "330281999000", "2025-06")
    empty = open_warehouse(db_url)
    try:
        with pytest.raises(NoBrief, match=r"^仓库中还没有会议数据"):
            build_brief(empty, COUNTY, "2025-06")
    finally:
        empty.dispose()


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (
            ["--scope", COUNTY, "--month", "2010-01"],
            1,
            "2010-01 早于数据起始（2024-06），没有这个月的简报：请选 2024-06 及以后的月份 "
            "2010-01 is before the data begin (2024-06): choose 2024-06 or later",
        ),
        (
            ["--scope", COUNTY, "--month", "2025-13"],
            2,
            "--month: 月份 '2025-13' 应写作 YYYY-MM，如 2025-12 month '2025-13' must be "
            "YYYY-MM, e.g. 2025-12",
        ),
        (
            ["--scope", "330281999000", "--month", "2025-06"],
            2,
            "--scope: area 330281999000 is not in the roster (load an areas file that lists it)",
        ),
        (
            ["--scope", "33028", "--month", "2025-06"],
            2,
            "--scope: area code '33028' must be 6, 9 or 12 digits",
        ),
    ],
)
def test_the_command_says_what_is_wrong_in_one_line(engine, capsys, tmp_path, argv, code, message):
    output = tmp_path / "简报.pdf"
    args = ["brief", *argv, "--format", "pdf", "--output", str(output), "--db", url_of(engine)]
    assert main(args) == code
    out, err = capsys.readouterr()
    assert (out, err) == ("", f"xieshang: {message}\n")
    assert not output.exists()


# --- numbers and sentences ----------------------------------------------------------------------------------


def test_figures_are_printed_by_their_kind():
    assert shown("implementation_rate", 0.8125) == "81.3%"  # halves up as written
    assert shown("meetings", 12345) == "12,345"
    assert shown("median_days_to_implement", 48.25) == "48.3"
    assert shown("satisfaction", None) == "无数据"
    assert change("implementation_rate", 0.5, 0.458) == ("上升4.2个百分点", "good")
    assert change("escalation_rate", 0.5, 0.458) == ("上升4.2个百分点", "bad")
    assert change("overdue_open", 3, 5) == ("减少2", "good")
    assert change("median_days_to_implement", 20.0, 22.5) == ("减少2.5天", "good")
    assert change("satisfaction", 86.0, 86.04) == ("持平", "flat")
    assert change("satisfaction", 90.0, 86.0) == ("上升4.0分", "good")
    assert change("party_participation_rate", 0.8, None) == ("无可比", "flat")
    # the difference of the values as printed: 86.3 against 86.0, 0.5% against 0.7%
    assert change("satisfaction", 86.266, 86.023) == ("上升0.3分", "good")
    assert change("escalation_rate", 0.0046, 0.0074) == ("下降0.2个百分点", "good")
    assert change("satisfaction", 86.04, 85.96) == ("持平", "flat")
    assert basis("on_time_rate", {"implemented_on_time": 1234, "resolutions_due": 2000}) == (
        "1,234/2,000"
    )


def test_the_ranking_names_three_at_each_end():
    # 丙村 and 丁村 print alike (70.0) but rank 3 and 4 (say 70.04 and 69.96): a note says
    # why; 己村 and 庚村 tie (rank 6, 6) and need none
    scores = [
        ("甲村", 90.0, 3, 0),
        ("乙村", 80.0, 2, 0),
        ("丙村", 70.0, 2, 1),
        ("丁村", 70.0, 1, 0),
    ]
    scores += [("戊村", 50.0, 1, 2), ("己村", 0.0, 0, 0), ("庚村", 0.0, 0, 4)]
    units = [
        Unit(f"33028110020{i}", name, rank, score, meetings, overdue)
        for i, (name, score, meetings, overdue), rank in zip(
            range(1, 8), scores, (1, 2, 3, 4, 5, 6, 6), strict=True
        )
    ]
    assert _units_text(units, "村（社区）") == (
        WEIGHTS,
        "排名靠前的村（社区）：甲村（第1名，90.0分）、乙村（第2名，80.0分）、丙村（第3名，70.0分）。",
        "排名靠后的村（社区）：庚村（第6名，0.0分，本月未召开协商会议，逾期未落实决议4件）、"
        "己村（第6名，0.0分，本月未召开协商会议）、戊村（第5名，50.0分，逾期未落实决议2件）。",
        "得分显示相同而名次不同的，按未舍入的得分排名：丙村与丁村（70.0分）。",
        "本月未召开协商会议的村（社区）（2个）：己村、庚村。",
    )
    assert _units_text(units[:1], "村（社区）") == (WEIGHTS, "只有一个村（社区）：甲村，90.0分。")


def test_a_unit_that_sent_no_ledger_is_not_said_to_have_held_no_meeting():
    # 杜岭乡 sent nothing in November: "本月未召开协商会议" said what nobody knew
    units = [
        Unit("330281101000", "甲镇", 1, 60.0, 4, 0),
        Unit("330281102000", "乙镇", 2, 10.0, 0, 0, "no_meeting"),
        Unit("330281202000", "杜岭乡", 3, 0.0, 0, 2, "missing"),
    ]
    assert _units_text(units, "乡镇（街道）") == (
        WEIGHTS,
        "排名靠前的乡镇（街道）：甲镇（第1名，60.0分）。",
        "排名靠后的乡镇（街道）：杜岭乡（第3名，0.0分，本月未报送会议台账，逾期未落实决议2件）。",
        "本月未召开协商会议的乡镇（街道）（1个）：乙镇。",
        "本月未报送会议台账的乡镇（街道）（1个）：杜岭乡。",
    )
    missing = [Unit(f"33028120200{i}", f"{i}村", 1, 0.0, 0, 0, "missing") for i in (1, 2)]
    assert _units_text(missing, "村（社区）") == ("本月各村（社区）均未报送会议台账，不作排名。",)
    rejected = [Unit(u.code, u.name, 1, 0.0, 0, 0, "rejected") for u in missing]
    assert _units_text(rejected, "村（社区）") == (
        "本月各村（社区）报送的会议台账均被拒收，不作排名。",
    )
    assert _units_text([missing[0], rejected[1]], "村（社区）") == (
        "本月各村（社区）的会议台账均未报送或全部被拒收，不作排名。",
    )
    figures = {"meetings": 0, "regularity": 0.0, "party_participation_rate": None}
    figures |= {"resolutions_due": 0, "overdue_open": 2}
    assert _summary("杜岭乡", date(2026, 11, 1), date(2026, 11, 30), figures, "missing") == (
        "2026年11月，杜岭乡尚未报送会议台账；本月没有到期决议；截至2026年11月30日，逾期未落实决议2件。"
    )
    assert _summary("杜岭乡", date(2026, 11, 1), date(2026, 11, 30), figures, "rejected") == (
        "2026年11月，杜岭乡报送的会议台账全部被拒收；本月没有到期决议；"
        "截至2026年11月30日，逾期未落实决议2件。"
    )


@pytest.mark.parametrize(
    "command",
    [
        ["brief", "--scope", COUNTY, "--month", "2025-06", "--format", "pdf"],
        [
            "export",
            "assessment",
            "--level",
            "township",
            "--from",
            "2025-06-01",
            "--to",
            "2025-06-30",
            "--format",
            "xlsx",
        ],
    ],
)
def test_a_file_on_a_read_only_database_is_not_handed_out(engine, capsys, tmp_path, command):
    """Both commands record their file in the audit log, so they run against the primary
    (docs/deploy.md's table of what may read from the replica). Pointed at a replica, they
    said only `ReadOnlySqlTransaction: cannot execute INSERT in a read-only transaction`
    and left the file, which the audit log did not list."""
    if engine.dialect.name != "postgresql":
        pytest.skip("a read-only transaction is PostgreSQL's")
    read_only = engine.url.update_query_dict({"options": "-c default_transaction_read_only=on"})
    output = tmp_path / "简报或考核表"
    db = read_only.render_as_string(hide_password=False)
    assert main([*command, "--output", str(output), "--db", db]) == 1
    out, err = capsys.readouterr()
    assert (out, err) == (
        "",
        "xieshang: ReadOnlySqlTransaction: cannot execute INSERT in a read-only transaction"
        " — 数据库只读（流复制副本或只读角色）the database is read-only (a streaming replica, or"
        " a read-only role): give --db (or XIESHANG_DB) the primary's URL (run again with"
        " --debug for details)\n",
    )
    assert not output.exists()


@pytest.mark.parametrize("device", [False, True])
def test_a_refused_audit_row_removes_the_file_written_not_a_link_or_a_device(
    engine, capsys, tmp_path, device
):
    """--output through a link: the file the bytes went to is removed, a device is left
    alone. It removed the path it was given: the link, keeping the workbook it pointed to
    with no audit row; and --output /dev/null (or /dev/stdout), /dev/null itself."""
    if engine.dialect.name != "postgresql":
        pytest.skip("a read-only transaction is PostgreSQL's")
    read_only = engine.url.update_query_dict({"options": "-c default_transaction_read_only=on"})
    written = tmp_path / "考核表.xlsx"
    output = tmp_path / "链接.xlsx"
    output.symlink_to("/dev/null" if device else written)
    command = ["brief", "--scope", COUNTY, "--month", "2025-06", "--format", "pdf"]
    db = read_only.render_as_string(hide_password=False)
    assert main([*command, "--output", str(output), "--db", db]) == 1
    assert "the database is read-only" in capsys.readouterr().err
    assert output.is_symlink()  # the link is the user's: left as it was
    assert not written.exists()
    assert Path("/dev/null").is_char_device()
