"""The assessment at county level (issue 13): a city's counties ranked, over 明州市 of
tests/helpers/city.py (January 2025, SQLite and PostgreSQL) — the metrics, `xieshang
export assessment --level county` (CSV and xlsx), the 考核评估 page at city, county and
township scope, and the downloads, whose bytes are the command's.

By hand (tests/helpers/city.py): 甲县 67.75 (rank 1), 乙县 42.5 (rank 2). One level down,
甲县's townships: 甲一镇 (甲一村: party 2/10, implementation 1/1, coverage 1/1 — alice,
bob, carol are three categories —, regularity 1/1, satisfaction 90) scores
25 × 0.2 + 30 + 20 + 15 + 9 = 79; 甲二镇 (甲二村: party 1/10, nothing due, one category,
regularity 1/1, no score) 25 × 0.1 + 15 = 17.5.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from urllib.parse import quote

import openpyxl
import pytest

from tests.helpers.city import (
    CITY,
    COUNTY_A,
    COUNTY_B,
    JANUARY,
    TOWN_A1,
    TOWN_A2,
    VILLAGE_A1,
    VILLAGE_B1,
    write_city,
)
from tests.helpers.components import text
from tests.helpers.signin import PASSWORD, sign_in, signin_app
from tests.test_downloads import sheet_values
from xieshang import exports
from xieshang.access import audit, users
from xieshang.cli import main
from xieshang.dashboard.state import State
from xieshang.dashboard.views import assessment as view
from xieshang.metrics.assessment import COLUMN_NAMES, assessment


def city_with_an_evaluator(engine, directory) -> None:
    """明州市 and qian, an evaluator (who sees the whole city and may download the
    assessment)."""
    write_city(engine)
    users.add_user(engine, "qian", "evaluator", PASSWORD, None, by="test")


pytestmark = pytest.mark.warehouse(fill=city_with_an_evaluator)

START, END = JANUARY
CITY_VIEW = State(CITY, START, END)
# every column of the table, by hand (tests/helpers/city.py): rank, code, name, score,
# meetings, regularity, party participation, party-led, coverage, due, implementation,
# on time, overdue, satisfaction
TABLE = [
    (1, COUNTY_A, "甲县", 67.75, 2, 1.0, 0.15, 0.5, 0.5, 1, 1.0, 1.0, 0, 90.0),
    (2, COUNTY_B, "乙县", 42.5, 1, 1.0, 0.3, 1.0, 1.0, 1, 0.0, 0.0, 1, None),
]
CSV_HEADER = ",".join(COLUMN_NAMES)


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def export(capsys, engine, output, *extra) -> tuple[int, str]:
    argv = ["export", "assessment", "--from", START.isoformat(), "--to", END.isoformat()]
    code = main([*argv, "--output", str(output), "--db", url_of(engine), *extra])
    return code, capsys.readouterr().err


# --- the metrics -------------------------------------------------------------------------------


def test_the_counties_of_the_city(engine):
    result = assessment(engine, "county", None, START, END)
    assert (result.level, result.scope, result.scope_name) == ("county", CITY, "明州市")
    assert result.as_of == END
    rows = [tuple(row[name] for name in COLUMN_NAMES) for row in result.rows]
    assert rows == [pytest.approx(row, abs=1e-9) for row in TABLE]
    assert [r["score"] for r in result.rows] == [
        pytest.approx(67.75, abs=1e-9),
        pytest.approx(42.5, abs=1e-9),
    ]
    # the root is the default `within`; naming the city gives the same table
    assert assessment(engine, "county", CITY, START, END).rows == result.rows


def test_a_county_or_below_has_no_counties(engine):
    for within, level in ((COUNTY_A, "county"), (TOWN_A1, "township")):
        with pytest.raises(ValueError, match=f"^{within} is a {level}: it has no counties"):
            assessment(engine, "county", within, START, END)
    with pytest.raises(ValueError, match="county, township or village, not 'city'"):
        assessment(engine, "city", None, START, END)


def test_the_townships_of_a_county(engine):
    rows = assessment(engine, "township", COUNTY_A, START, END).rows
    assert [(r["rank"], r["area_name"]) for r in rows] == [(1, "甲一镇"), (2, "甲二镇")]
    assert [r["score"] for r in rows] == [
        pytest.approx(79.0, abs=1e-9),
        pytest.approx(17.5, abs=1e-9),
    ]


# --- the command -------------------------------------------------------------------------------


def test_the_csv(engine, capsys, tmp_path):
    output = tmp_path / "counties.csv"
    code, err = export(capsys, engine, output, "--level", "county", "--format", "csv")
    assert code == 0, err
    assert output.read_bytes().startswith(b"\xef\xbb\xbf")
    assert output.read_bytes().decode("utf-8-sig").splitlines() == [
        CSV_HEADER,
        f"1,{COUNTY_A}\t,甲县,67.8,2,1.0,0.15,0.5,0.5,1,1.0,1.0,0,90.0",
        f"2,{COUNTY_B}\t,乙县,42.5,1,1.0,0.3,1.0,1.0,1,0.0,0.0,1,",
    ]
    assert err == (
        f"wrote 2 county rows ({CITY} 明州市, 2025-01-01–2025-01-31, as of 2025-01-31) "
        f"to {output}\n"
    )
    (entry,) = audit.entries(engine, action="export", limit=1)
    assert (entry.file, entry.scope) == ("counties.csv", CITY)
    assert entry.detail == {"by": "xieshang export", "format": "csv", "level": "county"}


def test_the_csv_with_chinese_headers(engine, capsys, tmp_path):
    output = tmp_path / "counties.csv"
    extra = ("--level", "county", "--within", CITY, "--format", "csv", "--headers", "zh")
    assert export(capsys, engine, output, *extra)[0] == 0
    lines = output.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[1:] == [
        f"1,{COUNTY_A}\t,甲县,67.8,2,100.0%,15.0%,50.0%,50.0%,1,100.0%,100.0%,0,90.0",
        f"2,{COUNTY_B}\t,乙县,42.5,1,100.0%,30.0%,100.0%,100.0%,1,0.0%,0.0%,1,无数据",
    ]


def test_the_workbook(engine, capsys, tmp_path):
    output = tmp_path / "counties.xlsx"
    code, err = export(capsys, engine, output, "--level", "county", "--format", "xlsx")
    assert code == 0, err
    book = openpyxl.load_workbook(output)
    assert book.sheetnames == ["考核评估表", "说明"]
    sheet = book["考核评估表"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "明州市 县考核评估表 · 2025年1月 · 数据截至 2025-01-31"
    assert values[1] == (
        "排名",
        "区划代码",
        "单位名称",
        "考核得分",
        "协商会议数",
        "常态化率",
        "党员参与率",
        "党组织主持率",
        "多元主体覆盖率",
        "到期决议数",
        "决议落实率",
        "按期落实率",
        "逾期未落实数",
        "群众满意度",
    )
    shown = [(*TABLE[0][:3], 67.8, *TABLE[0][4:]), (*TABLE[1][:3], 42.5, *TABLE[1][4:-1], "无数据")]
    assert values[2:] == shown
    assert sheet["B3"].number_format == "@" and sheet["F3"].number_format == "0.0%"
    about = dict(book["说明"].iter_rows(values_only=True))
    assert about["范围"] == f"明州市（{CITY}）"
    assert about["考核对象"] == "县（市、区）"
    assert about["统计期"] == "2025-01-01 至 2025-01-31（2025年1月）"


def test_the_english_workbook(engine, capsys, tmp_path):
    output = tmp_path / "counties.xlsx"
    extra = ("--level", "county", "--format", "xlsx", "--lang", "en")
    assert export(capsys, engine, output, *extra)[0] == 0
    book = openpyxl.load_workbook(output)
    assert book.sheetnames == ["Assessment", "Notes"]
    assert book["Assessment"]["A1"].value == (
        "明州市 county assessment · Jan 2025 · data as of 2025-01-31"
    )
    assert book["Assessment"]["C3"].value == "甲县"
    about = dict(book["Notes"].iter_rows(values_only=True))
    assert about["Units assessed"] == "counties"


def test_the_file_names(engine):
    result = assessment(engine, "county", None, START, END)
    assert exports.filename(result, "xlsx") == "明州市-县考核评估-2025年1月.xlsx"
    assert exports.filename(result, "csv", "en") == (
        "明州市-county-assessment-20250101-20250131.csv"
    )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            ["--level", "county", "--within", "330281"],
            f"xieshang: {COUNTY_A} is a county: it has no counties to assess\n",
        ),
        (
            ["--level", "county", "--within", TOWN_A1],
            f"xieshang: {TOWN_A1} is a township: it has no counties to assess\n",
        ),
        (
            ["--level", "village"],
            "xieshang: --level village needs --within TOWNSHIP_CODE\n",
        ),
        (
            ["--level", "village", "--within", VILLAGE_A1],
            f"xieshang: {VILLAGE_A1} is a village: it has no villages to assess\n",
        ),
    ],
)
def test_levels_a_scope_does_not_have_are_refused_in_one_line(
    engine, capsys, tmp_path, extra, message
):
    output = tmp_path / "x.csv"
    code, err = export(capsys, engine, output, *extra, "--format", "csv")
    assert (code, err, output.exists()) == (2, message, False)


def test_the_villages_of_a_township_as_before(engine, capsys, tmp_path):
    output = tmp_path / "villages.csv"
    extra = ("--level", "village", "--within", TOWN_A2, "--format", "csv")
    assert export(capsys, engine, output, *extra)[0] == 0
    rows = list(csv.DictReader(io.StringIO(output.read_bytes().decode("utf-8-sig"))))
    assert [(r["rank"], r["area_name"], r["score"]) for r in rows] == [("1", "甲二村", "17.5")]


# --- the page ----------------------------------------------------------------------------------


def test_the_page_at_city_scope_ranks_the_counties(engine):
    table = view.build_table(engine, CITY_VIEW)
    assert table.offered and table.notes == []
    assert [(r["rank"], r["area_code"], r["area_name"]) for r in table.rows] == [
        (1, COUNTY_A, "甲县"),
        (2, COUNTY_B, "乙县"),
    ]
    assert [r["score__text"] for r in table.rows] == ["67.8", "42.5"]
    assert [r["score__exact"] for r in table.rows] == ["未取整得分 67.75", "未取整得分 42.5"]
    assert [r["satisfaction__text"] for r in table.rows] == ["90.0", "无数据"]
    assert "明州市 各县（市、区） · 2025-01-01 至 2025-01-31 · 截至 2025-01-31" in text(
        table.heading
    )
    english = view.build_table(engine, CITY_VIEW.replace(lang="en"))
    assert "Counties of 明州市 · 2025-01-01 to 2025-01-31 · as of 2025-01-31" in text(
        english.heading
    )


def test_the_page_at_county_and_township_scope(engine):
    county = view.build_table(engine, CITY_VIEW.replace(scope=COUNTY_A))
    assert [(r["rank"], r["area_name"], r["score__text"]) for r in county.rows] == [
        (1, "甲一镇", "79.0"),
        (2, "甲二镇", "17.5"),
    ]
    assert "甲县 各乡镇（街道）" in text(county.heading)
    township = view.build_table(engine, CITY_VIEW.replace(scope=TOWN_A1))
    assert [(r["rank"], r["area_name"], r["score__text"]) for r in township.rows] == [
        (1, "甲一村", "79.0")
    ]
    assert view.target(engine, CITY_VIEW.replace(scope=VILLAGE_B1)) == ("village", "330282101000")


def test_the_page_says_why_the_counties_are_not_ranked(engine):
    online = CITY_VIEW.replace(online=True)  # every meeting of the city was in person
    table = view.build_table(engine, online)
    assert not table.offered and table.rows == []
    assert (
        "明州市各县（市、区）在 2025-01-01 至 2025-01-31 期间均无协商会议、到期或逾期决议、满意度评分，不作排名"
        in text(table.heading)
    )
    english = view.build_table(engine, online.replace(lang="en"))
    assert "No county of 明州市 held a meeting" in text(english.heading)
    assert view.download(engine, online, "csv") is None


# --- the downloads are the command's bytes -----------------------------------------------------


def test_the_page_downloads_are_the_exports(engine, capsys, tmp_path):
    at = datetime(2025, 2, 1, 9, 0, tzinfo=UTC)
    csv_bytes, name = view.download(engine, CITY_VIEW, "csv")
    assert name == "明州市-县考核评估-2025年1月.csv"
    output = tmp_path / "city.csv"
    assert export(capsys, engine, output, "--level", "county", "--format", "csv")[0] == 0
    assert csv_bytes == output.read_bytes()
    xlsx, name = view.download(engine, CITY_VIEW, "xlsx", exported_at=at)
    assert name == "明州市-县考核评估-2025年1月.xlsx"
    result = assessment(engine, "county", CITY, START, END)
    # the cells; the bytes differ by the zip entries' times (the second each is written)
    assert sheet_values(xlsx) == sheet_values(exports.write_assessment_xlsx(result, exported_at=at))


def test_the_addresses_give_the_command_bytes(engine, capsys, tmp_path, monkeypatch):
    with signin_app(engine, monkeypatch) as app:
        client = sign_in(app.server.test_client(), "qian")
        assert client.get("/").status_code == 200  # Dash's first page adds the callbacks
        for kind in ("csv", "xlsx"):
            output = tmp_path / f"county.{kind}"
            extra = ("--level", "county", "--within", CITY, "--format", kind)
            assert export(capsys, engine, output, *extra)[0] == 0
            response = client.get(
                f"/download/assessment.{kind}?scope={CITY}&from=2025-01-01&to=2025-01-31"
            )
            assert response.status_code == 200
            name = quote(f"明州市-县考核评估-2025年1月.{kind}")
            assert response.headers["Content-Disposition"].endswith(f"filename*=UTF-8''{name}")
            if kind == "csv":
                assert response.data == output.read_bytes()
            else:
                values = sheet_values(response.data)
                assert values == sheet_values(output.read_bytes())
                assert [row[2] for row in values["考核评估表"][2:]] == ["甲县", "乙县"]
