"""The monthly brief as files, over 清河县 of tests/helpers/scoped_county.py (on SQLite:
the content's figures on both backends are tests/test_brief.py's): the PDF's text
(pdftotext) holds the scope, 工作简报 and every figure as the brief prints it, A4, its
fonts embedded (pdffonts); the Word file has the headings, the figures table and the
chart pictures; `xieshang brief` and /download/brief.pdf|docx make them, under the same
access rules as every download; and nothing is fetched — every socket is refused while
these tests run, and the PDF's URL fetcher sees only the charts' data: URLs."""

from __future__ import annotations

import io
import socket
import subprocess
import warnings
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

import docx
import pytest
import sqlalchemy as sa
from docx.oxml.ns import qn
from docx.shared import Mm

from tests.helpers.inbox_county import CHENGGUAN, COUNTY, DONGHU, LIUSHU, XINHUA
from tests.helpers.scoped_county import county_with_users
from tests.helpers.signin import sign_in, signin_app
from xieshang.access import audit
from xieshang.brief import build_brief, charts, fonts, pdf, render
from xieshang.cli import main
from xieshang.contract import settings
from xieshang.dashboard.state import State
from xieshang.dashboard.views import data_quality, resolutions
from xieshang.warehouse import schema

pytestmark = [
    pytest.mark.warehouse(fill=county_with_users),
    pytest.mark.parametrize("backend", ["sqlite"]),
]

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# (label, this month, last month, change, basis) of the county's June table, as printed
COUNTY_ROWS = [
    ["协商会议数", "1", "1", "持平"],
    ["常态化率", "0.0%", "25.0%", "下降25.0个百分点", "0/4"],
    ["党组织主持率", "100.0%", "100.0%", "持平", "1/1"],
    ["党员参与率", "0.0%", "0.3%", "下降0.3个百分点", "0/290"],
    ["党员参会占比", "无数据", "33.3%", "无可比", "0/0"],
    ["多元主体覆盖率", "0.0%", "100.0%", "下降100.0个百分点", "0/1"],
    ["多元主体广度", "0.0%", "30.0%", "下降30.0个百分点", "0/10类"],
    ["到期决议数", "2", "0", "增加2"],
    ["决议落实率", "50.0%", "无数据", "无可比", "1/2"],
    ["按期落实率", "0.0%", "无数据", "无可比", "0/2"],
    ["逾期未落实数", "1", "0", "增加1"],
    ["落实用时中位数(天)", "23.0", "无数据", "无可比", "1件"],
    ["群众满意度", "80.0", "无数据", "无可比", "1个评分"],
    ["上报率", "无数据", "无数据", "无可比", "0/0"],
]
SENTENCES = [
    "2025年6月，清河县召开协商会议1次，常态化率0.0%，党员参与率0.0%；到期决议2件，"
    "落实率50.0%、按期落实率0.0%；截至2025年6月30日，逾期未落实决议1件。",
    "排名靠前的乡镇（街道）：城关街道（第1名，38.0分）。",
    "排名靠后的乡镇（街道）：东湖镇（第2名，0.0分，逾期未落实决议1件）。",
    "截至2025年6月30日，逾期未落实决议1件：逾期30天以内1件、逾期31–90天0件、逾期90天以上0件；"
    "逾期最久的一件已逾期15天。逾期较多的乡镇（街道）：东湖镇1件。",
    "2025年6月报送情况：1个单位报送的台账全部被拒收：城关街道（会议）。",
]


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Every socket refused, and the test failed afterwards if one was tried even where
    the error was caught: a brief made on an intranet reaches nothing."""
    tried = []

    def refuse(*args, **kwargs):
        tried.append(args[:2])
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield
    assert tried == []


def pdf_text(content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "brief.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_tool(tool: str, content: bytes, tmp_path: Path) -> str:
    path = tmp_path / "tool.pdf"
    path.write_bytes(content)
    return subprocess.run([tool, str(path)], capture_output=True, text=True, check=True).stdout


def table_lines(text: str) -> list[list[str]]:
    """The figures table as pdftotext -layout lays it out: one line per figure."""
    labels = {row[0] for row in COUNTY_ROWS}
    return [
        line.split() for line in text.splitlines() if line.split()[:1] and line.split()[0] in labels
    ]


def flat(text: str) -> str:
    return "".join(text.split())


# --- the PDF ---------------------------------------------------------------------------------------------


def test_the_pdf_holds_the_figures_as_shown(engine, tmp_path):
    brief = build_brief(engine, COUNTY, "2025-06", today=date(2025, 7, 2))
    content = render(brief, "pdf")
    assert content.startswith(b"%PDF-")
    text = pdf_text(content, tmp_path)
    assert "清河县工作简报" in text
    assert "2025年6月 · 数据截至2025年6月30日 · 制发日期：2025年7月2日" in text
    assert table_lines(text) == COUNTY_ROWS
    for sentence in SENTENCES:
        assert sentence in flat(text)
    for heading in ("一、主要指标", "二、单位排名", "三、逾期未落实决议", "四、数据质量"):
        assert heading in text
    assert "第 1 页，共 2 页" in text
    # every page's running header names the month as the rest does (it read 2025-06)
    assert text.count("清河县工作简报 · 2025年6月") == 2
    info = pdf_tool("pdfinfo", content, tmp_path)
    assert "Page size:       595.276 x 841.89 pts (A4)" in info
    assert "Title:           清河县工作简报" in info
    # every font embedded (a subset), the CJK one among them
    rows = pdf_tool("pdffonts", content, tmp_path).splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows)
    assert any("Noto-Sans-CJK" in row for row in rows)


def test_nothing_is_fetched(engine, monkeypatch):
    seen: list[str] = []
    real = pdf.offline_fetcher

    def spy():
        fetcher = real()
        fetch = fetcher.fetch

        def recorded(url, headers=None):
            seen.append(url)
            return fetch(url, headers)

        fetcher.fetch = recorded
        return fetcher

    monkeypatch.setattr(pdf, "offline_fetcher", spy)
    render(build_brief(engine, COUNTY, "2025-06"), "pdf")
    assert len(seen) == 3 and all(url.startswith("data:image/png;base64,") for url in seen)
    # any other address stops the rendering rather than being fetched
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    page = '<html><body><img src="http://192.0.2.1/logo.png"></body></html>'
    with pytest.raises(FatalURLFetchingError):
        HTML(string=page, url_fetcher=real()).write_pdf()


def test_the_charts_are_drawn_in_the_cjk_font(engine):
    brief = build_brief(engine, COUNTY, "2025-06")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        drawn = charts.charts(brief)
    assert [str(w.message) for w in caught] == []  # no "Glyph … missing from font"
    assert [c.title for c in drawn] == [
        "清河县 · 月度协商会议数（2024年7月–2025年6月）",
        "清河县 · 月度决议落实率（2024年7月–2025年6月）",
        "清河县 · 乡镇（街道）考核得分排名（2025年6月）",
    ]
    assert all(c.png.startswith(b"\x89PNG\r\n\x1a\n") for c in drawn)
    assert drawn[1].note == "点旁为落实率与“已落实/到期”件数；没有到期决议的月份不画点。"
    # 城关街道 38.0 and 东湖镇 0.0
    assert drawn[2].note == "虚线为全部2个乡镇（街道）的平均得分 19.0。"


def test_a_scope_with_nothing_due_in_any_month_says_so_in_its_chart(engine):
    brief = build_brief(engine, XINHUA, "2025-06")  # 新华社区: no resolution due in the year
    assert [m["implementation_rate"] for m in brief.trend] == [None] * 12
    drawn = charts.charts(brief)
    assert [c.note for c in drawn] == ["", "各月均没有到期决议，没有落实率。"]


def test_a_brief_that_does_not_rank_its_units_draws_no_ranking(engine, tmp_path):
    """城关街道's villages sent no meetings ledger in April: the text says 不作排名, and a
    chart of every village at 0.0 under it said otherwise (helper's audit)."""
    brief = build_brief(engine, CHENGGUAN, "2025-04")
    assert brief.units_text == ("本月各村（社区）均未报送会议台账，不作排名。",)
    assert brief.ranking == ()
    assert len(charts.charts(brief)) == 2  # the trends alone
    text = pdf_text(render(brief, "pdf"), tmp_path)
    assert "考核得分排名" not in text and "平均得分" not in text


def test_without_a_cjk_font_the_command_says_what_to_install(engine, monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(fonts, "_from_fontconfig", lambda: None)
    monkeypatch.setattr(fonts, "_from_files", lambda: None)
    fonts.cjk_font.cache_clear()
    try:
        output = tmp_path / "brief.pdf"
        url = engine.url.render_as_string(hide_password=False)
        args = ["brief", "--scope", COUNTY, "--month", "2025-06", "--format", "pdf"]
        assert main([*args, "--output", str(output), "--db", url]) == 1
    finally:
        fonts.cjk_font.cache_clear()
    assert capsys.readouterr().err == (
        "xieshang: 没有找到中文字体：请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk）后重试 "
        "no CJK font found: install fonts-noto-cjk (apt-get install fonts-noto-cjk) and try again\n"
    )
    assert not output.exists()


# --- the Word file ---------------------------------------------------------------------------------------


def test_the_docx_has_its_headings_table_and_charts(engine):
    document = docx.Document(io.BytesIO(render(build_brief(engine, COUNTY, "2025-06"), "docx")))
    styled = [(p.style.name, p.text) for p in document.paragraphs if p.style.name != "Normal"]
    assert [text for style, text in styled if style in ("Title", "Heading 1")] == [
        "清河县工作简报",
        "一、主要指标",
        "二、单位排名",
        "三、逾期未落实决议",
        "四、数据质量",
    ]
    (table,) = document.tables
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0] == ["指标", "本月", "上月", "较上月", "依据"]
    assert [[v for v in row if v] for row in cells[1:]] == COUNTY_ROWS
    shapes = document.inline_shapes
    assert len(shapes) == 3 and all(s.width == Mm(160) for s in shapes)
    images = [r for r in document.part.rels.values() if "image" in r.reltype]
    assert sorted(r.target_part.content_type for r in images) == ["image/png"] * 3
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    body = "".join(p.text for p in document.paragraphs)
    for sentence in SENTENCES:
        assert sentence in body
    # CJK text in 黑体 for the title and headings, 宋体 for the body: no theme font, which
    # Word takes over the named one, is left on them
    fonts = {}
    for name in ("Normal", "Title", "Heading 1"):
        rfonts = document.styles[name].element.rPr.rFonts
        fonts[name] = (rfonts.get(qn("w:eastAsia")), rfonts.get(qn("w:eastAsiaTheme")))
    assert fonts == {"Normal": ("宋体", None), "Title": ("黑体", None), "Heading 1": ("黑体", None)}


def test_the_docx_table_s_columns_fit_their_contents_on_the_page(engine):
    """Five equal columns of 32 mm wrapped 下降100.0个百分点 and 9,224/16,617 onto two
    lines where 宋体 is missing: each column has its own width, in the grid and in every
    cell (Word takes the cells'), fixed, and together they fill A4's text width."""
    document = docx.Document(io.BytesIO(render(build_brief(engine, COUNTY, "2025-06"), "docx")))
    (table,) = document.tables
    tbl = table._tbl
    grid = [int(col.get(qn("w:w"))) for col in tbl.tblGrid.findall(qn("w:gridCol"))]
    # 40, 24, 24, 40 and 32 mm in twips (1 mm = 1440/25.4 twips)
    assert grid == [2268, 1361, 1361, 2268, 1814]
    assert [[cell.width.twips for cell in row.cells] for row in table.rows] == [grid] * 15
    section = document.sections[0]
    margins = section.left_margin.twips + section.right_margin.twips
    assert (section.page_width.twips - margins, sum(grid)) == (9072, 9072)
    width = tbl.tblPr.find(qn("w:tblW"))
    assert (width.get(qn("w:type")), width.get(qn("w:w"))) == ("dxa", "9072")
    assert table.autofit is False


def test_a_villages_docx_has_no_ranking(engine):
    document = docx.Document(io.BytesIO(render(build_brief(engine, LIUSHU, "2025-06"), "docx")))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["一、主要指标", "二、逾期未落实决议", "三、数据质量"]
    assert len(document.inline_shapes) == 2


# --- the command -----------------------------------------------------------------------------------------


def test_the_command_writes_the_brief(engine, capsys, tmp_path):
    url = engine.url.render_as_string(hide_password=False)
    output = tmp_path / "东湖镇简报.docx"
    args = ["brief", "--scope", "330281100", "--month", "2025-06", "--format", "docx"]
    assert main([*args, "--output", str(output), "--db", url]) == 0
    assert capsys.readouterr() == (
        "",
        f"wrote the 2025-06 brief of {DONGHU} 东湖镇 (as of 2025-06-30) to {output}\n",
    )
    assert docx.Document(str(output)).paragraphs[0].text == "东湖镇工作简报"
    (entry,) = audit.entries(engine, action="export", limit=1)
    assert (entry.file, entry.scope, entry.period_from, entry.period_to, entry.detail) == (
        output.name,
        DONGHU,
        date(2025, 6, 1),
        date(2025, 6, 30),
        {"by": "xieshang brief", "format": "docx"},
    )


# --- the download addresses ------------------------------------------------------------------------------


@pytest.fixture
def app(engine, monkeypatch):
    with signin_app(engine, monkeypatch) as dash_app:
        yield dash_app


def client_of(app, name: str):
    client = sign_in(app.server.test_client(), name)
    assert client.get("/").status_code == 200
    return client


@pytest.mark.slow
def test_a_leader_downloads_the_brief_of_the_views_last_month(app, engine, tmp_path):
    client = client_of(app, "zhao")  # a leader: the whole county
    asked_on = date.today()
    response = client.get("/download/brief.pdf")  # the default view ends on 2025-06-30
    assert (response.status_code, response.mimetype) == (200, PDF)
    name = quote("清河县-工作简报-2025年6月.pdf")
    assert response.headers["Content-Disposition"].endswith(f"filename*=UTF-8''{name}")
    assert response.headers["Cache-Control"] == "no-store"
    got = pdf_text(response.data, tmp_path)

    def made_on(day: date) -> str:
        return pdf_text(render(build_brief(engine, COUNTY, "2025-06", today=day), "pdf"), tmp_path)

    # the brief carries the day of the request, a day later for a test run over midnight
    expected = made_on(asked_on)
    assert got == (expected if got == expected else made_on(asked_on + timedelta(days=1)))
    (entry,) = audit.entries(engine, action="download", limit=1)
    assert (entry.user, entry.file, entry.scope, entry.period_from, entry.period_to) == (
        "zhao",
        "brief.pdf",
        COUNTY,
        date(2025, 6, 1),
        date(2025, 6, 30),
    )
    assert entry.detail["query"] == f"?scope={COUNTY}&from=2025-06-01&to=2025-06-30"


def test_a_unit_whose_name_no_file_system_takes_gets_a_file_it_can(app, engine):
    """A roster may name a unit 城关/东城街道: its brief's file name had the "/" (and
    a browser saving it a name of its own making). Now each such character is "_", as
    in the assessment's file names."""
    named = {}
    try:
        _rename(engine, CHENGGUAN, '城关/东城:"街道"')
        client = client_of(app, "qian")
        response = client.get(f"/download/brief.docx?scope={CHENGGUAN}&month=2025-05")
        named["header"] = response.headers["Content-Disposition"]
        (entry,) = audit.entries(engine, action="download", limit=1)
        named["audit"] = entry.detail["filename"]
        state = State(CHENGGUAN, date(2025, 5, 1), date(2025, 5, 31))
        named["overdue"] = resolutions.overdue_filename(engine, state)  # the page's lists
        named["held"] = data_quality.list_filename(engine, state, "dq_name_held", "csv")
    finally:
        _rename(engine, CHENGGUAN, "城关街道")  # the warehouse is shared by the module
    name = "城关_东城__街道_-工作简报-2025年5月.docx"
    assert named == {
        "header": f'attachment; filename="brief-{CHENGGUAN}-20250501-20250531.docx"; '
        f"filename*=UTF-8''{quote(name)}",
        "audit": name,
        "overdue": "城关_东城__街道_-逾期未落实决议-截至2025-05-31.csv",
        "held": f"城关_东城__街道_-待匹配行-{settings.today().isoformat()}.csv",
    }


def _rename(engine, code: str, name: str) -> None:
    with engine.begin() as conn:
        areas = schema.areas
        conn.execute(sa.update(areas).where(areas.c.area_code == code).values(area_name=name))


@pytest.mark.slow
def test_the_month_is_the_periods_last_or_the_one_asked_for(app, engine, tmp_path):
    client = client_of(app, "qian")  # an evaluator
    march = client.get("/download/brief.pdf?from=2025-01-01&to=2025-03-31")
    assert "2025年3月 · 数据截至2025年3月31日" in pdf_text(march.data, tmp_path)
    may = client.get(f"/download/brief.pdf?scope={CHENGGUAN}&month=2025-05")
    assert may.status_code == 200
    assert "城关街道工作简报" in pdf_text(may.data, tmp_path)
    assert "2025年5月 · 数据截至2025年5月31日" in pdf_text(may.data, tmp_path)
    (entry,) = audit.entries(engine, action="download", limit=1)
    assert (entry.period_from, entry.period_to) == (date(2025, 5, 1), date(2025, 5, 31))
    assert entry.detail["query"].endswith("&month=2025-05")
    # before the data or after the last load: no brief; not a month: a bad request
    for month, status in (("2010-01", 404), ("2025-07", 404), ("2025-13", 400), ("May", 400)):
        assert client.get(f"/download/brief.docx?month={month}").status_code == status, month


@pytest.mark.slow
def test_staff_get_their_townships_brief_only(app):
    client = client_of(app, "wang")  # staff of 东湖镇
    response = client.get("/download/brief.docx")
    assert (response.status_code, response.mimetype) == (200, DOCX)
    document = docx.Document(io.BytesIO(response.data))
    assert document.paragraphs[0].text == "东湖镇工作简报"
    assert len(document.inline_shapes) == 3
    assert client.get(f"/download/brief.docx?scope={LIUSHU}").status_code == 200
    for scope in (CHENGGUAN, COUNTY):
        for file in ("brief.pdf", "brief.docx"):
            response = client.get(f"/download/{file}?scope={scope}")
            assert (response.status_code, response.get_data(as_text=True)) == (
                403,
                f"403 scope=“{scope}” 不在您的查看范围内：请去掉 scope，或改用本乡镇及其村的区划代码\n",
            )


def test_signed_out_the_brief_is_401(app):
    client = app.server.test_client()
    for file in ("brief.pdf", "brief.docx"):
        assert client.get(f"/download/{file}?scope={COUNTY}").status_code == 401


def test_a_city_s_counts_beside_the_points_do_not_run_together(engine):
    """A city's months: 5,501/9,311 beside 5,501/9,233 (12 months on 16 cm) read as one
    number when every label sat above its point; the counts are thousands separated and
    no two labels touch."""
    import dataclasses

    import matplotlib

    brief = build_brief(engine, COUNTY, "2025-06")
    trend = [
        {**m, "implementation_rate": 5501 / 9311, "implemented": 5501, "resolutions_due": 9311}
        for m in brief.trend
    ]
    brief = dataclasses.replace(brief, trend=trend)
    with charts._LOCK:
        family = charts._use_font()
        with matplotlib.rc_context({"font.family": [family]}):
            figure, _, _ = charts.implementation_figure(brief)
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            renderer = FigureCanvasAgg(figure).get_renderer()
            labels = figure.axes[0].texts
            boxes = [label.get_window_extent(renderer) for label in labels]
    assert labels[0].get_text() == "59.1%\n5,501/9,311"
    assert all(not a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1 :])


def test_the_average_line_breaks_around_a_score_it_crosses(engine):
    """As in the demo county's November 2026: the dashed average 65.8 struck through
    城关街道's 63.6 beside its bar. Each score sits on a white box drawn over the line, and
    the line is tagged with its value at its top."""
    import dataclasses

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from xieshang.brief.content import Unit

    scores = (("大岚乡", 77.9), ("城关街道", 63.6), ("泗门镇", 56.0))
    units = tuple(
        Unit(f"33028100{rank}000", name, rank, score, meetings=1, overdue_open=0)
        for rank, (name, score) in enumerate(scores, 1)
    )
    brief = dataclasses.replace(build_brief(engine, COUNTY, "2025-06"), ranking=units)
    with charts._LOCK, matplotlib.rc_context({"font.family": [charts._use_font()]}):
        figure, _, note = charts.ranking_figure(brief)
        renderer = FigureCanvasAgg(figure).get_renderer()
        ax = figure.axes[0]
        (line,) = ax.lines
        labels, tags = ax.texts[: len(units)], ax.texts[len(units) :]
        line_x = ax.transData.transform((65.8, 0))[0]
        boxes = [label.get_window_extent(renderer) for label in labels]
    crossed = [
        label.get_text()
        for label, box in zip(labels, boxes, strict=True)
        if box.x0 < line_x < box.x1
    ]
    assert note == "虚线为全部3个乡镇（街道）的平均得分 65.8。"
    assert list(line.get_xdata()) == [65.8, 65.8]
    assert crossed == ["63.6"]
    assert [label.get_text() for label in labels] == ["77.9", "63.6", "56.0"]
    # an opaque white box, above the line
    patches = {(label.get_zorder(), label.get_bbox_patch()) for label in labels}
    assert {(z, p and p.get_facecolor()) for z, p in patches} == {(3, (1.0, 1.0, 1.0, 1.0))}
    assert line.get_zorder() == 2
    assert [(t.get_text(), t.xy, t.get_color()) for t in tags] == [
        ("平均 65.8", (65.8, 2.75), charts.ORANGE)
    ]


def test_a_long_ranking_s_title_stays_inside_its_picture(engine):
    """40 townships of a long-named county: the title and its （共40个，显示前15名与后15名）
    ran past the picture's right edge; the cut now takes a line of its own."""
    import dataclasses

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from xieshang.brief.content import Unit

    units = tuple(
        Unit(f"3302811{rank:02d}000", f"第{rank}街道办事处", rank, 90.0 - rank, 1, 0)
        for rank in range(1, 41)
    )
    brief = dataclasses.replace(
        build_brief(engine, COUNTY, "2025-06"),
        ranking=units,
        scope_name="浙江省宁波市余姚市经济开发区",
    )
    with charts._LOCK, matplotlib.rc_context({"font.family": [charts._use_font()]}):
        figure, title, _ = charts.ranking_figure(brief)
        renderer = FigureCanvasAgg(figure).get_renderer()
        shown = figure.axes[0].get_title(loc="left")
        # everything drawn, in inches
        drawn = figure.get_tightbbox(renderer)
    assert title.endswith("（共40个，显示前15名与后15名）") and "\n" not in title
    assert drawn.x1 <= charts.WIDTH_IN  # 7.69 in before
    assert shown.split("\n")[1] == "（共40个，显示前15名与后15名）"
