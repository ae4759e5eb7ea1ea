"""The assessment page's builders against the small county (tests/helpers/inbox_county.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from tests.helpers.components import text
from tests.helpers.inbox_county import (
    CHENGGUAN,
    COUNTY,
    DONGHU,
    LIUSHU,
    YANGJIA,
    load_county,
)
from xieshang import exports
from xieshang.cli import main
from xieshang.dashboard.state import State
from xieshang.dashboard.views import assessment as view
from xieshang.metrics.assessment import assessment

pytestmark = pytest.mark.warehouse(fill=load_county)

START, END = date(2025, 1, 1), date(2025, 6, 30)
DEFAULT = State(COUNTY, START, END)


def test_townships_of_the_county(engine):
    table = view.build_table(engine, DEFAULT)
    rows, defs, heading = table.rows, table.columns, table.heading
    assert table.offered and table.notes == []
    # 城关街道: party 1/(80+40+20)... computed by xieshang.metrics.assessment; check the order and text
    by_code = {r["area_code"]: r for r in rows}
    assert set(by_code) == {CHENGGUAN, DONGHU}
    assert [d["field"] for d in defs][:4] == ["rank", "area_code", "area_name", "score"]
    assert defs[3]["headerName"] == "考核得分"
    cg, dh = by_code[CHENGGUAN], by_code[DONGHU]
    assert cg["meetings"] == 2 and dh["meetings"] == 3
    assert cg["implementation_rate"] == 1.0 and dh["implementation_rate"] == 0.5
    assert cg["implementation_rate__text"] == "100.0%"
    assert dh["implementation_rate__text"] == "50.0%"
    # 城关街道: satisfaction 80 (JY-3), 东湖镇: 92 (JY-1)
    assert cg["satisfaction__text"] == "80.0" and dh["satisfaction__text"] == "92.0"
    assert cg["resolutions_due__text"] == "1" and dh["overdue_open__text"] == "1"
    assert [r["rank"] for r in rows] == [1, 2]
    # the score is shown rounded half up to one decimal
    for r in rows:
        assert r["score__text"] == f"{float(r['score__text']):.1f}"
    assert "清河县 各乡镇（街道） · 2025-01-01 至 2025-06-30 · 截至 2025-06-30" in text(heading)
    assert (
        "权重：党员参与率 25 · 决议落实率 30 · 多元主体覆盖率 20 · 常态化率 15 · 群众满意度÷100 10"
        in text(heading)
    )


def test_score_by_hand(engine):
    rows = view.build_table(engine, DEFAULT).rows
    by_code = {r["area_code"]: r for r in rows}
    cg = by_code[CHENGGUAN]
    expect = (
        25 * cg["party_participation_rate"]
        + 30 * 1.0
        + 20 * cg["stakeholder_coverage"]
        + 15 * cg["regularity"]
        + 10 * 0.80
    )
    assert cg["score"] == pytest.approx(expect)
    # by hand: 城关街道 party 1/140 (P5 of 80+40+20), regularity 2/12, coverage 1/2,
    # implementation 1/1, satisfaction 80 -> 50.5 + 25/140 = 50.679 -> 50.7
    assert cg["party_participation_rate"] == pytest.approx(1 / 140)
    assert cg["score"] == pytest.approx(50.5 + 25 / 140)
    assert cg["score__text"] == "50.7"
    # 东湖镇 party 2/100, regularity 2/12, coverage 1/3 (HY-1), implementation 1/2,
    # satisfaction 92 -> 0.5 + 15 + 6.667 + 2.5 + 9.2 = 33.867 -> 33.9
    dh = by_code[DONGHU]
    assert dh["score"] == pytest.approx(0.5 + 15 + 20 / 3 + 2.5 + 9.2)
    assert dh["score__text"] == "33.9"
    # 城关街道: regularity 2/12 (新华 Mar, 解放 May), coverage 1/2 (HY-4)
    assert cg["regularity"] == pytest.approx(2 / 12)
    assert cg["stakeholder_coverage"] == pytest.approx(1 / 2)


def test_villages_of_a_township_or_of_a_villages_township(engine):
    table = view.build_table(engine, DEFAULT.replace(scope=DONGHU))
    rows, heading = table.rows, table.heading
    assert [r["area_code"] for r in rows] == [LIUSHU, YANGJIA]
    assert [r["meetings"] for r in rows] == [2, 0]
    assert "东湖镇 各村（社区）" in text(heading)
    assert view.build_table(engine, DEFAULT.replace(scope=YANGJIA)).rows == rows


def test_english_headers(engine):
    table = view.build_table(engine, DEFAULT.replace(lang="en"))
    defs, heading = table.columns, table.heading
    assert defs[3]["headerName"] == "Score"
    assert defs[10]["headerName"] == "Implementation rate"
    assert "Weights: " in text(heading)
    assert "Townships of 清河县 · 2025-01-01 to 2025-06-30 · as of 2025-06-30" in text(heading)


def test_downloads_are_the_export_bytes(engine):
    csv, name = view.download(engine, DEFAULT, "csv")
    assert name == "清河县-乡镇考核评估-2025年1-6月.csv"
    expected = exports.write_assessment_csv(assessment(engine, "township", None, START, END))
    assert csv == expected
    assert csv.startswith("\ufeffrank,area_code".encode())
    at = datetime(2025, 7, 1, 9, 0, tzinfo=UTC)
    xlsx, name = view.download(engine, DEFAULT.replace(scope=DONGHU), "xlsx", exported_at=at)
    assert name == "东湖镇-村考核评估-2025年1-6月.xlsx"
    want = exports.write_assessment_xlsx(
        assessment(engine, "village", DONGHU, START, END), exported_at=at
    )
    assert xlsx == want and xlsx[:4] == b"PK\x03\x04"


def test_a_period_after_the_last_load_is_not_ranked(engine, capsys, tmp_path):
    """July-September 2025 begins after the last load (2025-06-30): none of it is loaded,
    and its figures are read on 2025-06-30. JY-2's backlog (overdue since 2025-06-15) made
    it look rankable: 城关街道 and 东湖镇 both scored 0.0 and tied at rank 1 in a table of
    zeros, offered for download and written by `xieshang export`. It is refused as a
    period before the data is, saying why."""
    later = DEFAULT.replace(start=date(2025, 7, 1), end=date(2025, 9, 30))
    table = view.build_table(engine, later)
    assert (table.offered, table.rows) == (False, [])
    assert "数据截至 2025-06-30，本期（2025-07-01 至 2025-09-30）尚无数据，不作排名" in text(
        table.heading
    )
    assert view.download(engine, later, "csv") is None
    assert view.download(engine, later, "xlsx") is None
    output = tmp_path / "q3.csv"
    url = engine.url.render_as_string(hide_password=False)
    argv = ["export", "assessment", "--level", "township", "--from", "2025-07-01"]
    argv += ["--to", "2025-09-30", "--format", "csv", "--output", str(output), "--db", url]
    code = main(argv)
    err = capsys.readouterr().err
    assert (code, output.exists()) == (1, False), err
    assert err == (
        "xieshang: nothing to rank from 2025-07-01 to 2025-09-30: it begins after the last "
        "load (2025-06-30); choose a period with data\n"
    )
    # the quarter the load falls in is ranked: its figures are read on 2025-06-30
    table = view.build_table(engine, DEFAULT.replace(start=date(2025, 4, 1), end=date(2025, 9, 30)))
    assert table.offered and [r["rank"] for r in table.rows] == [1, 2]


def test_an_empty_warehouse(db_url):
    from xieshang.warehouse.engine import open_warehouse

    empty = open_warehouse(db_url)
    table = view.build_table(empty, State(None, START, END))
    assert table.rows == [] and "xieshang demo" in text(table.heading) and not table.offered
    assert view.download(empty, State(None, START, END), "xlsx") is None
    empty.dispose()
