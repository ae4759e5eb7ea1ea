"""The monthly brief at city scope (issue 13): 明州市 of tests/helpers/city.py for January
2025 ranks its counties. The content on SQLite and PostgreSQL, worked out by hand below;
one PDF and one Word file rendered (on SQLite) hold the same table and sentences.

By hand (tests/helpers/city.py's table, January 2025, the first month of the data, so
nothing is compared): 3 meetings; regularity 3/3; Party-led 2/3; participation 6/30
(alice, bob, dave, erin, frank, gina over 3 × 10 members); Party share 6/8 attendance rows;
coverage 2/3 (meetings 1 and 3 reach three categories); breadth 5/10 (resident_rep,
npc_deputy, cppcc_member, grid_worker, social_org — "resident" is not one of the ten);
due 2 (R1 01-20, R2 01-25); implemented 1/2 and on time 1/2 (R1 on 01-18); overdue 1
(R2, 6 days late on 01-31); days to implement 8 (01-10 → 01-18); satisfaction 90 (one
score); escalated 0/2. Counties: 甲县 67.75 → 67.8 (rank 1), 乙县 42.5 (rank 2, R2
overdue).
"""

from __future__ import annotations

import io
import subprocess
from datetime import date
from pathlib import Path

import docx
import pytest

from tests.helpers.city import CITY, COUNTY_A, COUNTY_B, write_city
from xieshang.brief import build_brief, charts, render
from xieshang.brief.content import Unit

pytestmark = pytest.mark.warehouse(fill=write_city)

MADE_ON = date(2025, 2, 3)
# (label, this month, last month, change, basis)
CITY_ROWS = [
    ("协商会议数", "3", "—", "无可比", ""),
    ("常态化率", "100.0%", "—", "无可比", "3/3"),
    ("党组织主持率", "66.7%", "—", "无可比", "2/3"),
    ("党员参与率", "20.0%", "—", "无可比", "6/30"),
    ("党员参会占比", "75.0%", "—", "无可比", "6/8"),
    ("多元主体覆盖率", "66.7%", "—", "无可比", "2/3"),
    ("多元主体广度", "50.0%", "—", "无可比", "5/10类"),
    ("到期决议数", "2", "—", "无可比", ""),
    ("决议落实率", "50.0%", "—", "无可比", "1/2"),
    ("按期落实率", "50.0%", "—", "无可比", "1/2"),
    ("逾期未落实数", "1", "—", "无可比", ""),
    ("落实用时中位数(天)", "8.0", "—", "无可比", "1件"),
    ("群众满意度", "90.0", "—", "无可比", "1个评分"),
    ("上报率", "0.0%", "—", "无可比", "0/2"),
]
WEIGHTS = (
    "按本月考核得分排名（满分100分；权重：党员参与率25、决议落实率30、多元主体覆盖率20、"
    "常态化率15、群众满意度10）。"
)
LEADING = "排名靠前的县（市、区）：甲县（第1名，67.8分）。"
LAGGING = "排名靠后的县（市、区）：乙县（第2名，42.5分，逾期未落实决议1件）。"
SUMMARY = (
    "2025年1月，明州市召开协商会议3次，常态化率100.0%，党员参与率20.0%；到期决议2件，"
    "落实率50.0%、按期落实率50.0%；截至2025年1月31日，逾期未落实决议1件。"
)
OVERDUE = (
    "截至2025年1月31日，逾期未落实决议1件：逾期30天以内1件、逾期31–90天0件、"
    "逾期90天以上0件；逾期最久的一件已逾期6天。逾期较多的县（市、区）：乙县1件。"
)
HEADINGS = ["一、主要指标", "二、单位排名", "三、逾期未落实决议", "四、数据质量"]


def test_the_city_brief_ranks_its_counties(engine):
    brief = build_brief(engine, CITY, "2025-01", today=MADE_ON)
    assert brief.title == "明州市工作简报"
    assert brief.cover == "2025年1月 · 数据截至2025年1月31日 · 制发日期：2025年2月3日"
    assert brief.filename("docx") == "明州市-工作简报-2025年1月.docx"
    assert brief.previous is None
    assert brief.previous_note == "2024年12月早于数据起始，“上月”“较上月”两栏不作比较。"
    assert [(r.label, r.shown, r.previous, r.change, r.basis) for r in brief.rows] == CITY_ROWS
    assert brief.summary == SUMMARY
    assert brief.unit_word == "县（市、区）"
    assert brief.ranking == (
        # written by the builder, without load runs: no ledger counts as sent
        Unit(COUNTY_A, "甲县", 1, 67.8, 2, 0, "missing"),
        Unit(COUNTY_B, "乙县", 2, 42.5, 1, 1, "missing"),
    )
    assert brief.units_text == (WEIGHTS, LEADING, LAGGING)
    assert brief.overdue == (("逾期30天以内", 1), ("逾期31–90天", 0), ("逾期90天以上", 0))
    assert brief.overdue_text == OVERDUE
    assert [h for _, h in brief.headings()] == HEADINGS
    assert [
        (m["month"], m["meetings"], m["implemented"], m["resolutions_due"]) for m in brief.trend
    ] == [("2025-01", 3, 1, 2)]


# --- rendered (one each, on SQLite) ------------------------------------------------------------


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_pdf(engine, tmp_path: Path):
    brief = build_brief(engine, CITY, "2025-01", today=MADE_ON)
    content = render(brief, "pdf")
    assert content.startswith(b"%PDF-")
    path = tmp_path / "brief.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "明州市工作简报" in text
    labels = {row[0] for row in CITY_ROWS}
    lines = [
        line.split() for line in text.splitlines() if line.split()[:1] and line.split()[0] in labels
    ]
    assert lines == [[cell for cell in row if cell] for row in CITY_ROWS]
    for sentence in (SUMMARY, LEADING, LAGGING, OVERDUE):
        assert sentence in flat(text)
    for heading in HEADINGS:
        assert heading in text


@pytest.mark.parametrize("backend", ["sqlite"])
def test_the_docx(engine):
    brief = build_brief(engine, CITY, "2025-01", today=MADE_ON)
    document = docx.Document(io.BytesIO(render(brief, "docx")))
    headings = [p.text for p in document.paragraphs if p.style.name in ("Title", "Heading 1")]
    assert headings == ["明州市工作简报", *HEADINGS]
    (table,) = document.tables
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0] == ["指标", "本月", "上月", "较上月", "依据"]
    assert [[v for v in row if v] for row in cells[1:]] == [
        [cell for cell in row if cell] for row in CITY_ROWS
    ]
    body = "".join(p.text for p in document.paragraphs)
    for sentence in (SUMMARY, LEADING, LAGGING, OVERDUE):
        assert sentence in body
    assert len(document.inline_shapes) == 3  # meetings, implementation, the counties' scores
    assert [c.title for c in charts.charts(brief)][
        2
    ] == "明州市 · 县（市、区）考核得分排名（2025年1月）"
