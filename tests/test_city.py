"""A city's roster (a city code above two counties) through the load, every figure at
every level, the command line, and every page's callbacks at city, county, township and
village scope (tests/helpers/city.py: the numbers worked out by hand)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from rich.console import Console

from tests.helpers.city import (
    CITY,
    CITY_SECRET,
    COUNTY_A,
    COUNTY_B,
    JANUARY,
    TOWN_A1,
    TOWN_A2,
    TOWN_B1,
    VILLAGE_A1,
    VILLAGE_A2,
    VILLAGE_B1,
    load_city,
    write_city,
    write_city_inbox,
)
from tests.helpers.inbox_files import write_csv
from tests.test_access_scope import body, post, reads_the_state
from xieshang import exports, metrics
from xieshang.brief import build_brief
from xieshang.cli import main
from xieshang.dashboard.app import create_app
from xieshang.dashboard.state import State
from xieshang.dashboard.views import data_quality, resolutions
from xieshang.etl.load import run_load
from xieshang.etl.report import render
from xieshang.metrics.assessment import assessment
from xieshang.warehouse import schema
from xieshang.warehouse.engine import open_warehouse

AREAS = (CITY, COUNTY_A, COUNTY_B, TOWN_A1, TOWN_A2, TOWN_B1, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1)
# (meetings, party participation, led, coverage, due, implementation, overdue) by hand
HAND = {
    CITY: (3, 0.2, 2 / 3, 2 / 3, 2, 0.5, 1),
    COUNTY_A: (2, 0.15, 0.5, 0.5, 1, 1.0, 0),
    COUNTY_B: (1, 0.3, 1.0, 1.0, 1, 0.0, 1),
}
KEYS = (
    "meetings",
    "party_participation_rate",
    "party_led_rate",
    "stakeholder_coverage",
    "resolutions_due",
    "implementation_rate",
    "overdue_open",
)


@pytest.mark.warehouse(fill=load_city)
def test_the_loaded_city_has_the_hand_checked_figures(engine):
    for scope, want in HAND.items():
        got = metrics.figures(engine, scope, *JANUARY)
        assert tuple(got[k] for k in KEYS) == pytest.approx(want, abs=1e-12), scope
    assert metrics.root_area(engine) == CITY
    assert metrics.children(engine, CITY) == [(COUNTY_A, "甲县"), (COUNTY_B, "乙县")]


@pytest.mark.warehouse(fill=load_city)
def test_the_roster_s_parents_and_the_city_s_none(engine):
    # pandas makes a list of codes with a None a string column whose missing value is
    # NaN: written through COPY that was the text 'nan' as the city's parent
    areas = schema.areas
    with engine.connect() as conn:
        parents = dict(conn.execute(sa.select(areas.c.area_code, areas.c.parent_code)).all())
    assert parents[CITY] is None
    assert parents[COUNTY_A] == parents[COUNTY_B] == CITY
    assert parents[TOWN_A1] == parents[TOWN_A2] == COUNTY_A and parents[TOWN_B1] == COUNTY_B
    assert parents[VILLAGE_A1] == TOWN_A1 and parents[VILLAGE_B1] == TOWN_B1


@pytest.mark.warehouse(fill=load_city)
def test_every_figure_at_every_level_equals_the_builders(engine, tmp_path, backend):
    """The ETL's warehouse and the one written straight into the tables agree on every
    figure of every area, and on the children's figures of every area above a village."""
    url = f"sqlite:///{tmp_path / 'built.sqlite'}"
    built = open_warehouse(url)
    write_city(built)
    for scope in AREAS:
        assert metrics.figures(engine, scope, *JANUARY) == metrics.figures(
            built, scope, *JANUARY
        ), scope
    for scope in AREAS[:6]:
        assert metrics.figures_by_child(engine, scope, *JANUARY) == metrics.figures_by_child(
            built, scope, *JANUARY
        ), scope


@pytest.mark.warehouse(fill=load_city)
def test_kpi_at_city_scope(engine, capsys):
    url = engine.url.render_as_string(hide_password=False)
    argv = ["kpi", "--scope", CITY, "--from", "2025-01-01", "--to", "2025-01-31", "--db", url]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["scope"], out["as_of"]) == (CITY, "2025-01-31")
    assert tuple(out[k] for k in KEYS) == pytest.approx(HAND[CITY], abs=1e-12)


@pytest.mark.warehouse(fill=load_city)
@pytest.mark.parametrize("scope", [CITY, COUNTY_B, TOWN_A1, VILLAGE_A1])
def test_every_page_answers_at_every_level(engine, scope):
    """Every callback that reads the view state answers at a city's every level, none
    with an error (the pages' parts; the browser side: tests/browser/test_city_browser.py)."""
    client = create_app(engine).server.test_client()
    assert client.get("/").status_code == 200  # Dash's first page adds the pages' callbacks
    found = [d for d in client.get("/_dash-dependencies").get_json() if reads_the_state(d)]
    assert len(found) >= 40
    store = State(scope, *JANUARY).to_store()
    for dependency in found:
        answer = post(client, body(dependency, store))
        assert answer.status_code in (200, 204), dependency["output"]
        assert "错误编号" not in answer.get_data(as_text=True), dependency["output"]


def test_a_city_s_counties_without_the_city_s_row_are_warned_of(db_url, tmp_path, capsys):
    """data-contract lets a county's city be absent; two counties without it are two
    tops, and the dashboard, exports and briefs show the first alone: the load says so,
    and names the row that joins them."""
    inbox = write_city_inbox(tmp_path / "inbox")
    roster = inbox / "明州市区划名册.csv"
    rows = [line.split(",") for line in roster.read_text("utf-8-sig").splitlines()]
    write_csv(roster, [row for row in rows if row[0] != CITY])
    engine = open_warehouse(db_url)
    report = run_load(engine, inbox, secret=CITY_SECRET, today=JANUARY[1])
    assert report["status"] == "committed", report.get("error")
    assert [w["reason_zh"] for w in report["warnings"]] == [
        f"区划名册有 2 个没有上级的单位：甲县（{COUNTY_A}）、乙县（{COUNTY_B}）；看板、导出和简报"
        f"只显示甲县及其下级。若它们同属一个市，请在区划名册中加入该市一行（区划代码 {CITY}）"
        "后重新载入"
    ]
    assert metrics.root_area(engine) == COUNTY_A
    shown = Console(record=True, width=300)
    render(report, shown)
    assert f"注意 warning: 区划名册有 2 个没有上级的单位：甲县（{COUNTY_A}）" in shown.export_text()

    # the city's row sent: one top again, and no warning
    write_csv(inbox / "明州市区划名册补.csv", [rows[0], [CITY, "明州市", "", "0"]])
    again = run_load(engine, inbox, secret=CITY_SECRET, today=JANUARY[1])
    assert (again["status"], again["warnings"]) == ("committed", [])
    assert metrics.root_area(engine) == CITY
    engine.dispose()


def namesake_inbox(root):
    """The city's inbox with 乙一镇 named 甲一镇, as 甲县's is, and 乙一村 甲一村."""
    inbox = write_city_inbox(root)
    roster = inbox / "明州市区划名册.csv"
    rows = [line.split(",") for line in roster.read_text("utf-8-sig").splitlines()]
    renamed = {TOWN_B1: "甲一镇", VILLAGE_B1: "甲一村"}
    write_csv(roster, [[r[0], renamed.get(r[0], r[1]), *r[2:]] for r in rows])
    return inbox


def test_a_county_folder_tells_a_city_s_namesake_townships_apart(db_url, tmp_path):
    """Two 甲一镇, one in each county: a file in 乙县/甲一镇/ is 乙县's, its reject that
    names no area theirs; one in 甲一镇/ alone is nobody's, and the load says why."""
    inbox = namesake_inbox(tmp_path / "inbox")
    header = ["会议编号", "区划代码", "会议日期", "协商形式", "议题", "是否党组织主持"]
    bad = ["M9", "XYZ", "2025-01-20", "议事会", "议题", "是"]  # an area code of no area
    write_csv(inbox / "乙县" / "甲一镇" / "会议补报.csv", [header, bad])
    write_csv(inbox / "2025-01" / "甲一镇" / "会议补报.csv", [header, bad])
    engine = open_warehouse(db_url)
    report = run_load(engine, inbox, secret=CITY_SECRET, today=JANUARY[1])
    assert report["status"] == "committed", report.get("error")
    assert [w["reason_zh"] for w in report["warnings"]] == [
        "1 个文件的路径中的乡镇名（如“甲一镇”）有多个同名乡镇，文件夹里也没有县名："
        "2025-01/甲一镇/会议补报.csv。它们的拒收行不归属任何乡镇，一个乡镇在同一路径重新报送"
        "还会取代另一个的拒收行；请放入“县名/…/甲一镇/”或“甲一镇（12位区划代码）/”文件夹"
    ]
    with engine.connect() as conn:
        rejects = schema.rejects
        owners = dict(conn.execute(sa.select(rejects.c.path, rejects.c.township_code)).all())
    assert owners == {"乙县/甲一镇/会议补报.csv": TOWN_B1, "2025-01/甲一镇/会议补报.csv": None}
    engine.dispose()


def test_titles_and_file_names_tell_namesakes_apart(db_url, tmp_path, monkeypatch):
    """A city's two 甲一镇 and their two 甲一村: led by their county's name (and their
    township's) wherever a name stands alone — a download's name, the assessment's, the
    brief's title and its data-quality note, the overdue list; an area of its own name
    keeps it alone."""
    engine = open_warehouse(db_url)
    report = run_load(
        engine, namesake_inbox(tmp_path / "inbox"), secret=CITY_SECRET, today=JANUARY[1]
    )
    assert report["status"] == "committed", report.get("error")
    names = metrics.names_apart(engine, [TOWN_A1, TOWN_B1, VILLAGE_B1, TOWN_A2])
    assert names == {
        TOWN_A1: "甲县甲一镇",
        TOWN_B1: "乙县甲一镇",
        VILLAGE_B1: "乙县甲一镇甲一村",
        TOWN_A2: "甲二镇",
    }
    villages = assessment(engine, "village", TOWN_B1, *JANUARY)
    assert exports.filename(villages, "xlsx") == "乙县甲一镇-村考核评估-2025年1月.xlsx"
    brief = build_brief(engine, TOWN_B1, "2025-01", today=JANUARY[1])
    assert (brief.title, brief.filename("pdf")) == (
        "乙县甲一镇工作简报",
        "乙县甲一镇-工作简报-2025年1月.pdf",
    )
    monkeypatch.setenv("XIESHANG_TIMEZONE", "Asia/Shanghai")
    state = State(TOWN_B1, *JANUARY)
    with create_app(engine).server.test_request_context():
        name = data_quality.list_filename(engine, state, "dq_name_rejects", "csv")
        overdue = resolutions.overdue_rows(engine, State(CITY, *JANUARY))
    assert name.startswith("乙县甲一镇-拒收行-")
    assert [(r["area_code"], r["area_name"]) for r in overdue] == [(VILLAGE_B1, "乙县甲一镇甲一村")]
    engine.dispose()


def test_the_city_s_township_assessment_tells_namesakes_apart(db_url, tmp_path):
    """The city's townships ranked together: its two 甲一镇 are 甲县甲一镇 and 乙县甲一镇
    in the rows (the xlsx, the CSV and the notes of shown-equal scores name the rows), not
    two 甲一镇 an evaluator cannot tell apart; 甲二镇, a name of its own, stays alone, and
    a township's villages, each a name of its own there, stay alone too."""
    engine = open_warehouse(db_url)
    report = run_load(
        engine, namesake_inbox(tmp_path / "inbox"), secret=CITY_SECRET, today=JANUARY[1]
    )
    assert report["status"] == "committed", report.get("error")
    townships = assessment(engine, "township", CITY, *JANUARY)
    names = {r["area_code"]: r["area_name"] for r in townships.rows}
    assert names == {TOWN_A1: "甲县甲一镇", TOWN_A2: "甲二镇", TOWN_B1: "乙县甲一镇"}
    assert "乙县甲一镇" in exports.assessment_csv(townships).decode("utf-8-sig")
    villages = assessment(engine, "village", TOWN_B1, *JANUARY)
    assert [r["area_name"] for r in villages.rows] == ["甲一村"]
    engine.dispose()
