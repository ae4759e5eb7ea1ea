"""The plain download addresses (dashboard.downloads) on the real app with sign-in on,
over tests/helpers/scoped_county.py (SQLite and PostgreSQL): every role × every file
(status and, where given, the bytes), the same bytes as the pages' buttons and — for the
assessment — as `xieshang export assessment`, a staff user's forged scopes answered 403,
invalid values 400, an audit row for each download and export, and client addresses
behind a trusted reverse proxy."""

from __future__ import annotations

import base64
import csv
import io
import json
import time
from datetime import date, datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from tests.helpers.inbox_county import (
    CHENGGUAN,
    COUNTY,
    DONGHU,
    JIEFANG,
    LIUSHU,
    XINHUA,
    YANGJIA,
)
from tests.helpers.scoped_county import USERS, county_with_users
from tests.helpers.signin import sign_in, signin_app
from xieshang.access import audit
from xieshang.access.scope import may_download
from xieshang.cli import main
from xieshang.contract import settings
from xieshang.dashboard import components, downloads, proxies
from xieshang.dashboard.app import create_app
from xieshang.dashboard.state import State

pytestmark = pytest.mark.warehouse(fill=county_with_users)

START, END = date(2025, 1, 1), date(2025, 6, 30)
DISPATCH = "/_dash-update-component"
FILES = (
    "assessment.csv",
    "assessment.xlsx",
    "overdue.csv",
    "rejects.csv",
    "rejects.xlsx",
    "held-rows.csv",
    "resolution-events.csv",
)
HOME = {user.name: user.township or COUNTY for user in USERS}
ASSESSMENT_HEADER = (
    "rank,area_code,area_name,score,meetings,regularity,party_participation_rate,"
    "party_led_rate,stakeholder_coverage,resolutions_due,implementation_rate,on_time_rate,"
    "overdue_open,satisfaction"
)
OVERDUE_HEADER = "逾期时长,逾期天数,单位,决议编号,决议内容,责任单位,完成时限,会议编号,区划代码"
OVERDUE_JY2 = "≤30天,15,柳树村,JY-2,清淤河塘,村委会,2025-06-15,HY-3,330281100201\t"

# what each user's own scope holds: the rows each file lists (first column(s) that tell them
# apart), worked out from inbox_county.py and scoped_county.py
ROWS = {
    ("li", "assessment.csv"): [CHENGGUAN, DONGHU],
    ("qian", "assessment.csv"): [CHENGGUAN, DONGHU],
    ("wang", "assessment.csv"): [LIUSHU, YANGJIA],
    ("chen", "assessment.csv"): [JIEFANG, XINHUA],  # 解放社区 scores higher
    ("li", "overdue.csv"): ["JY-2"],
    ("qian", "overdue.csv"): ["JY-2"],
    ("wang", "overdue.csv"): ["JY-2"],
    ("chen", "overdue.csv"): [],
    ("li", "rejects.csv"): ["8", "9", "10"],
    ("wang", "rejects.csv"): ["8"],
    ("chen", "rejects.csv"): ["9"],
    ("li", "held-rows.csv"): ["11", "12"],
    ("wang", "held-rows.csv"): ["12"],
    ("chen", "held-rows.csv"): ["11"],
    ("li", "resolution-events.csv"): [],
    ("wang", "resolution-events.csv"): [],
    ("chen", "resolution-events.csv"): [],
}
KEY_COLUMN = {
    "assessment.csv": "area_code",
    "overdue.csv": "决议编号",
    "rejects.csv": "行号",
    "held-rows.csv": "行号",
    "resolution-events.csv": "决议编号",
}


@pytest.fixture
def app(engine, monkeypatch):
    with signin_app(engine, monkeypatch) as dash_app:
        yield dash_app


def client_of(app, name: str):
    client = sign_in(app.server.test_client(), name)
    assert client.get("/").status_code == 200  # Dash's first page adds the pages' callbacks
    return client


def csv_rows(content: bytes) -> list[dict]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def sheet_values(content: bytes) -> dict[str, list[tuple]]:
    """Every sheet's cell values, without the export's time (说明: 导出时间)."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    return {
        sheet.title: [
            row for row in sheet.iter_rows(values_only=True) if not str(row[0]).startswith("导出")
        ]
        for sheet in book.worksheets
    }


def last_downloads(engine, n: int = 1) -> list[audit.Entry]:
    return audit.entries(engine, action="download", limit=n)


# --- every role × every file -------------------------------------------------------------------------------


@pytest.mark.parametrize("file", FILES)
@pytest.mark.parametrize("user", USERS, ids=lambda u: u.name)
def test_each_role_gets_the_files_it_may_have(app, engine, user, file):
    client = client_of(app, user.name)
    plain = client.get("/download/rejects.csv").data.decode("utf-8-sig")  # for rejects.xlsx
    before = audit.count(engine, action="download")
    response = client.get(f"/download/{file}")
    if not may_download(user, file):
        assert (response.status_code, response.get_data(as_text=True)) == (
            403,
            f"403 您的角色不能下载 {file}：如需此文件请联系管理员\n",
        )
        assert audit.count(engine, action="download") == before
        return
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    content = response.data
    if file.endswith(".xlsx"):
        assert response.mimetype == (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        sheets = sheet_values(content)
        if file == "rejects.xlsx":
            # the CSV's codes end in a tab, which Excel needs there and the xlsx does not
            table = [tuple(c.rstrip("\t") for c in row) for row in csv.reader(io.StringIO(plain))]
            shown = [tuple("" if v is None else str(v) for v in row) for row in sheets["拒收记录"]]
            assert shown == table  # the same rows as the CSV
        else:
            codes = [row[1] for row in sheets["考核评估表"][2:]]  # under the title, headers
            assert codes == ROWS[(user.name, "assessment.csv")]
            assert sheets["说明"][0][0] == "范围"
            assert sheets["说明"][0][1].endswith(f"（{HOME[user.name]}）")
    else:
        assert response.mimetype == "text/csv"
        rows = csv_rows(content)
        # (the assessment's codes end in a tab: text in Excel)
        assert [r[KEY_COLUMN[file]].strip() for r in rows] == ROWS[(user.name, file)]
    (entry,) = last_downloads(engine)
    assert audit.count(engine, action="download") == before + 1
    periodic = file.split(".")[0] not in ("rejects", "held-rows")
    assert (entry.user, entry.file, entry.scope, entry.address) == (
        user.name,
        file,
        HOME[user.name],
        "127.0.0.1",
    )
    assert (entry.period_from, entry.period_to) == ((START, END) if periodic else (None, None))
    assert entry.detail["via"] == "address"


def test_the_csv_contents(app):
    admin = client_of(app, "li")
    assessment = admin.get(f"/download/assessment.csv?scope={DONGHU}").data.decode("utf-8-sig")
    assert assessment.splitlines() == [
        ASSESSMENT_HEADER,
        "1,330281100201\t,柳树村,40.9,2,0.3333333333333333,0.06666666666666667,1.0,0.5,2,0.5,"
        "0.5,1,92.0",
        "2,330281100202\t,杨家村,0.0,0,0.0,0.0,,,0,,,0,",
    ]
    overdue = admin.get("/download/overdue.csv").data.decode("utf-8-sig")
    assert overdue.splitlines() == [OVERDUE_HEADER, OVERDUE_JY2]
    english = admin.get("/download/overdue.csv?lang=en").data.decode("utf-8-sig")
    assert english.splitlines()[0].startswith("Late by,Days late,")
    rejects = admin.get(f"/download/rejects.csv?scope={CHENGGUAN}").data.decode("utf-8-sig")
    assert rejects.splitlines() == [
        "载入日,乡镇（街道）,乡镇代码,台账,文件,工作表,行号,列名（按原文件）,值,原因,修改方法",
        "2025-06-30,城关街道,330281001000\t,会议台账,会议台账.csv,,9,会议日期,2025-13-01,日期无效,"
        "日期填成 2025-03-08、2025/3/8、2025.3.8、2025年3月8日 或 20250308，或用日期格式的单元格",
    ]
    english = openpyxl.load_workbook(io.BytesIO(admin.get("/download/rejects.xlsx?lang=en").data))
    assert english.sheetnames == ["Rejected rows"]  # was 拒收记录 under English headers
    response = admin.get(f"/download/rejects.xlsx?scope={CHENGGUAN}")
    # the scope and the day in the name; RFC 6266's filename* carries the Chinese, and the
    # ASCII name of clients that take no other the address's, the code and the day
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the deployment's day
    name = quote(f"城关街道-拒收行-{day}.xlsx")
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=\"rejects-{CHENGGUAN}-{day}.xlsx\"; filename*=UTF-8''{name}"
    )


def test_the_assessment_in_chinese_and_of_a_period_without_data(app, engine):
    client = client_of(app, "qian")
    chinese = client.get(f"/download/assessment.csv?scope={DONGHU}&headers=zh")
    assert chinese.data.decode("utf-8-sig").splitlines() == [
        "排名,区划代码,单位名称,考核得分,协商会议数,常态化率,党员参与率,党组织主持率,"
        "多元主体覆盖率,到期决议数,决议落实率,按期落实率,逾期未落实数,群众满意度",
        "1,330281100201\t,柳树村,40.9,2,33.3%,6.7%,100.0%,50.0%,2,50.0%,50.0%,1,92.0",
        "2,330281100202\t,杨家村,0.0,0,0.0%,0.0%,无数据,无数据,0,无数据,无数据,0,无数据",
    ]
    name = quote("东湖镇-村考核评估-2025年1-6月.csv")
    assert chinese.headers["Content-Disposition"] == (
        f'attachment; filename="assessment-{DONGHU}-20250101-20250630.csv"; '
        f"filename*=UTF-8''{name}"
    )
    assert client.get("/download/assessment.csv?headers=fr").status_code == 400
    # 2010, before the data: nothing to rank, nothing to download (and nothing recorded)
    before = audit.count(engine, action="download")
    for kind in ("csv", "xlsx"):
        response = client.get(f"/download/assessment.{kind}?from=2010-01-01&to=2010-12-31")
        assert (response.status_code, response.get_data(as_text=True)) == (
            404,
            "404 2010-01-01 至 2010-12-31 没有可下载的数据：请选择有数据的统计期\n",
        )
    english = client.get("/download/assessment.csv?from=2010-01-01&to=2010-12-31&lang=en")
    assert english.get_data(as_text=True) == (
        "404 Nothing to download from 2010-01-01 to 2010-12-31: choose a period with data\n"
    )
    assert audit.count(engine, action="download") == before


def test_unknown_files_are_404(app):
    client = client_of(app, "li")
    for path in ("nothing.csv", "brief.xlsx"):
        response = client.get(f"/download/{path}")
        assert (response.status_code, response.get_data(as_text=True)) == (
            404,
            "404 没有这个下载文件：请检查地址\n",
        )
    assert client.get("/download/..%2Fetc%2Fpasswd").status_code == 404


def test_signed_out_downloads_get_401(app):
    client = app.server.test_client()
    for file in (*FILES, "brief.pdf"):
        assert client.get(f"/download/{file}?scope={COUNTY}").status_code == 401


# --- forged scopes and invalid values ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "scope", [CHENGGUAN, COUNTY, XINHUA, JIEFANG, "330281", "330281999999", "abc", "3302811000"]
)
def test_a_staff_user_asking_outside_their_township_gets_403(app, engine, scope):
    client = client_of(app, "wang")
    before = audit.count(engine, action="download")
    for file in FILES:
        response = client.get(f"/download/{file}?scope={scope}&from=2025-01-01&to=2025-06-30")
        assert (response.status_code, response.get_data(as_text=True)) == (
            403,
            f"403 scope=“{scope}” 不在您的查看范围内：请去掉 scope，或改用本乡镇及其村的区划代码\n",
        )
    assert audit.count(engine, action="download") == before
    for own in (DONGHU, LIUSHU, "330281100"):  # the township, a village of it, 9 digits
        assert client.get(f"/download/overdue.csv?scope={own}").status_code == 200


def test_invalid_values_get_400(app):
    client = client_of(app, "li")
    for query, line in (
        ("scope=abc", "scope=“abc” 不是区划代码（应为 6、9 或 12 位数字）"),
        ("scope=330281999999", "scope=“330281999999” 不在区划名册中"),
        ("from=2025-13-01", "from=“2025-13-01” 不是有效日期（格式 YYYY-MM-DD）"),
        ("from=2025-06-30&to=2025-01-01", "起始日期晚于截止日期（2025-06-30 > 2025-01-01）"),
        ("form=nonsense", "form=“nonsense” 不是协商形式的代码或名称"),
        ("online=maybe", "online=“maybe” 应为 yes 或 no"),
        ("superseded=maybe", "superseded=“maybe” 应为 yes 或 no"),
        ("lang=fr", "lang=“fr” 应为 zh 或 en"),
        ("month=2020-13", "month=“2020-13” 不是有效月份（格式 YYYY-MM）"),
        ("headers=xx", "headers=“xx” 应为 zh 或 machine"),
    ):
        response = client.get(f"/download/overdue.csv?{query}")
        assert (response.status_code, response.get_data(as_text=True)) == (
            400,
            f"400 {line}：请改正地址后再下载\n",
        ), query
    english = client.get("/download/overdue.csv?from=2025-02-30&lang=en")
    assert english.get_data(as_text=True) == (
        "400 from=“2025-02-30” is not a valid date (YYYY-MM-DD): correct the address and try "
        "again\n"
    )
    assert client.get("/download/overdue.csv?form=议事会&online=no&lang=en").status_code == 200


def test_every_address_option_has_its_refusal_in_words():
    """An option a page or a download reads from the address (figure=, month=…) refused
    in words, never as the key of a missing text (notice_bad_month)."""
    import gc

    from xieshang.dashboard.i18n import TEXT
    from xieshang.dashboard.state import PageOption

    options = {o.name for o in gc.get_objects() if isinstance(o, PageOption)}
    assert {"figure", "headers", "month", "rotate", "superseded"} <= options
    assert sorted(o for o in options if f"notice_bad_{o}" not in TEXT) == []


def test_the_page_filters_apply(app):
    client = client_of(app, "li")
    # JY-2 comes from HY-3 (议事会, 环境整治, in person)
    assert len(csv_rows(client.get("/download/overdue.csv?form=议事会").data)) == 1
    assert csv_rows(client.get("/download/overdue.csv?form=听证会").data) == []
    assert csv_rows(client.get("/download/overdue.csv?online=yes").data) == []
    assert csv_rows(client.get("/download/overdue.csv?from=2025-01-01&to=2025-03-31").data) == []
    assessment = client.get("/download/assessment.csv?from=2025-03-01&to=2025-03-31").data
    march = {r["area_code"].strip(): r["meetings"] for r in csv_rows(assessment)}
    assert march == {CHENGGUAN: "1", DONGHU: "1"}
    all_rejects = csv_rows(client.get("/download/rejects.csv?superseded=yes").data)
    assert [r["记录状态"] for r in all_rejects] == ["待修正"] * 3


# --- the same bytes as the pages' buttons and the command line ---------------------------------------------


def page_button(client, output: str, button: str, scope: str, options=None) -> bytes:
    """The bytes a page's download button sends for the view of `scope`."""
    dependency = next(
        d for d in client.get("/_dash-dependencies").get_json() if d["output"] == output
    )

    def value(spec):
        name = f"{spec['id']}.{spec['property']}"
        if name == "state.data":
            return State(scope, START, END).to_store()
        if name == "page-options.data":
            return options or {}
        return 1 if spec["property"] == "n_clicks" else None

    body = {
        "output": output,
        "outputs": {"id": output.split(".")[0], "property": "data"},
        "inputs": [{**spec, "value": value(spec)} for spec in dependency["inputs"]],
        "state": [{**spec, "value": value(spec)} for spec in dependency["state"]],
        "changedPropIds": [f"{button}.n_clicks"],
    }
    response = client.post(DISPATCH, json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    sent = response.get_json()["response"][output.split(".")[0]]["data"]
    assert sent["base64"] is True
    return base64.b64decode(sent["content"])


BUTTONS = [
    ("assessment.csv", "as-download.data", "as-csv", None),
    ("overdue.csv", "rs-overdue-download.data", "rs-overdue-csv", None),
    ("rejects.csv", "dq-rejects-download.data", "dq-rejects-csv", None),
    ("rejects.csv", "dq-rejects-download.data", "dq-rejects-csv", {"superseded": "yes"}),
    ("rejects.xlsx", "dq-rejects-xlsx-download.data", "dq-rejects-xlsx", None),
    ("rejects.xlsx", "dq-rejects-xlsx-download.data", "dq-rejects-xlsx", {"superseded": "yes"}),
    ("held-rows.csv", "dq-held-rows-download.data", "dq-held-rows-csv", None),
    ("resolution-events.csv", "dq-events-download.data", "dq-events-csv", None),
]


@pytest.mark.parametrize(("file", "output", "button", "options"), BUTTONS)
def test_a_page_button_sends_the_bytes_of_the_address(app, engine, file, output, button, options):
    for name, scope in (("li", COUNTY), ("li", DONGHU), ("wang", DONGHU), ("wang", LIUSHU)):
        client = client_of(app, name)
        query = f"?scope={scope}&from=2025-01-01&to=2025-06-30"
        query += "&superseded=yes" if options else ""
        address = client.get(f"/download/{file}{query}")
        assert address.status_code == 200
        sent = page_button(client, output, button, scope, options)
        if file.endswith(".xlsx"):  # the same cells: a workbook's bytes carry its second
            assert sheet_values(sent) == sheet_values(address.data)
        else:
            assert sent == address.data
        (entry,) = last_downloads(engine)
        assert (entry.user, entry.file, entry.scope, entry.detail["via"]) == (
            name,
            file,
            scope,
            "page",
        )


def test_the_assessment_is_the_exports(app, engine, tmp_path, capsys):
    client = client_of(app, "qian")
    url = engine.url.render_as_string(hide_password=False)
    for level, scope in (("township", COUNTY), ("village", DONGHU), ("village", XINHUA)):
        within = CHENGGUAN if scope == XINHUA else scope
        for kind in ("csv", "xlsx"):
            output = tmp_path / f"{level}-{scope}.{kind}"
            args = ["export", "assessment", "--level", level, "--within", within]
            args += ["--from", "2025-01-01", "--to", "2025-06-30", "--format", kind]
            assert main([*args, "--output", str(output), "--db", url]) == 0
            capsys.readouterr()
            address = client.get(
                f"/download/assessment.{kind}?scope={scope}&from=2025-01-01&to=2025-06-30"
            )
            if kind == "csv":
                assert address.data == output.read_bytes()
            else:
                assert sheet_values(address.data) == sheet_values(output.read_bytes())
            (entry,) = audit.entries(engine, action="export", limit=1)
            assert (entry.file, entry.scope, entry.period_from, entry.period_to) == (
                output.name,
                within,
                START,
                END,
            )
            assert entry.detail == {"by": "xieshang export", "format": kind, "level": level}


# --- who may press the buttons -----------------------------------------------------------------------------


def page_buttons(client, path: str) -> dict[str, bool]:
    """id -> disabled, of the download buttons of the page at `path`."""
    router = next(
        d
        for d in client.get("/_dash-dependencies").get_json()
        if d["output"].startswith(".._pages_content.children")
    )
    body = {
        "output": router["output"],
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"},
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
    }
    found = {}

    def walk(node):
        if isinstance(node, dict):
            props = node.get("props") if "props" in node else None
            ident = props.get("id") if isinstance(props, dict) else None
            if isinstance(ident, str) and ident.endswith(("-csv", "-xlsx")):
                found[ident] = bool(props.get("disabled"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(client.post(DISPATCH, json=body).get_json())
    return found


def test_the_buttons_a_role_may_not_use_are_disabled(app):
    expected = {
        "zhao": {"as-csv": True, "as-xlsx": True, "rs-overdue-csv": True, "dq-rejects-csv": True},
        "qian": {
            "as-csv": False,
            "as-xlsx": False,
            "rs-overdue-csv": False,
            "dq-rejects-csv": True,
        },
        "wang": {
            "as-csv": False,
            "as-xlsx": False,
            "rs-overdue-csv": False,
            "dq-rejects-csv": False,
        },
    }
    for name, buttons in expected.items():
        client = client_of(app, name)
        shown = {}
        for path in ("/assessment", "/resolutions", "/data-quality"):
            shown |= page_buttons(client, path)
        assert {k: shown[k] for k in buttons} == buttons, name
        assert shown["dq-held-rows-csv"] == shown["dq-events-csv"] == buttons["dq-rejects-csv"]


def test_a_forged_click_on_a_refused_button_sends_nothing(app, engine):
    client = client_of(app, "zhao")
    before = audit.count(engine, action="download")
    for _, output, button, _options in BUTTONS:
        dependency = next(
            d for d in client.get("/_dash-dependencies").get_json() if d["output"] == output
        )
        body = {
            "output": output,
            "outputs": {"id": output.split(".")[0], "property": "data"},
            "inputs": [{**s, "value": 1} for s in dependency["inputs"]],
            "state": [
                {**s, "value": State(COUNTY, START, END).to_store() if s["id"] == "state" else {}}
                for s in dependency["state"]
            ],
            "changedPropIds": [f"{button}.n_clicks"],
        }
        assert client.post(DISPATCH, json=body).status_code == 204
    assert audit.count(engine, action="download") == before


@pytest.mark.parametrize(
    ("sent", "recorded"),
    [
        ("ranking-meetings", "ranking-meetings.csv"),
        # a name the browser makes up: never one of the server's files, nor any text
        ("rejects", "chart.csv"),
        ("../a\nb", "chart.csv"),
        ("x" * 500, "chart.csv"),
        (None, "chart.csv"),
    ],
)
def test_a_chart_csv_is_recorded(app, engine, sent, recorded):
    client = client_of(app, "wang")
    output = next(
        d["output"]
        for d in client.get("/_dash-dependencies").get_json()
        if '"chart-download"' in d["output"]
    )
    table = {"columns": [{"field": "a", "header": "A", "format": "text"}], "rows": [{"a": "x"}]}
    table["filename"] = sent
    body = {
        "output": output,
        "outputs": {"id": {"chart": "ov-ranking", "type": "chart-download"}, "property": "data"},
        "inputs": [
            {"id": {"chart": "ov-ranking", "type": "chart-csv"}, "property": "n_clicks", "value": 1}
        ],
        "state": [
            {
                "id": {"chart": "ov-ranking", "type": "chart-data"},
                "property": "data",
                "value": table,
            },
            {"id": "state", "property": "data", "value": State(COUNTY, START, END).to_store()},
        ],
        "changedPropIds": [json.dumps({"chart": "ov-ranking", "type": "chart-csv"}) + ".n_clicks"],
    }
    response = client.post(DISPATCH, json=body)
    assert response.status_code == 200
    (answer,) = response.get_json()["response"].values()
    assert answer["data"]["filename"] == recorded
    (entry,) = last_downloads(engine)
    assert (entry.user, entry.file, entry.scope, entry.detail["via"]) == (
        "wang",
        recorded,
        DONGHU,  # the forged county became the user's township
        "chart",
    )


# --- behind a reverse proxy ---------------------------------------------------------------------------------


def test_client_addresses_behind_a_trusted_proxy(app, engine, monkeypatch):
    forwarded = {"X-Forwarded-For": "10.1.2.3, 192.168.0.9"}
    client = client_of(app, "li")
    client.get("/download/overdue.csv", headers=forwarded)
    assert last_downloads(engine)[0].address == "127.0.0.1"  # not trusted: not read
    monkeypatch.setenv(proxies.TRUSTED_PROXIES_ENV, "1")
    try:
        create_app(engine, auth=True)
        client.get("/download/overdue.csv", headers=forwarded)
        assert last_downloads(engine)[0].address == "192.168.0.9"  # the one proxy's entry
        # the host is nginx's Host: a client's X-Forwarded-Host would pass through it
        assert (app.server.wsgi_app.x_for, app.server.wsgi_app.x_host) == (1, 0)
        monkeypatch.setenv(proxies.TRUSTED_PROXIES_ENV, "2")
        create_app(engine, auth=True)
        client.get("/download/overdue.csv", headers=forwarded)
        assert last_downloads(engine)[0].address == "10.1.2.3"
        monkeypatch.setenv(proxies.TRUSTED_PROXIES_ENV, "one")
        with pytest.raises(ValueError, match="XIESHANG_TRUSTED_PROXIES='one' must be the number"):
            create_app(engine, auth=True)
    finally:
        monkeypatch.delenv(proxies.TRUSTED_PROXIES_ENV)
        create_app(engine, auth=True)
    client.get("/download/overdue.csv", headers=forwarded)
    assert last_downloads(engine)[0].address == "127.0.0.1"


def test_the_xlsx_table_keeps_text_as_text():
    columns = [("name", "单位", "text"), ("n", "行号", "count"), ("rate", "Rate", "percent")]
    rows = [{"name": '=HYPERLINK("http://x")', "n": 3, "rate": 0.5}, {"name": "-1", "n": None}]
    book = downloads.table_xlsx(components.table_data(columns, rows, "t"), sheet="拒收记录")
    assert sheet_values(book) == {
        "拒收记录": [
            ("单位", "行号", "Rate"),
            ('\'=HYPERLINK("http://x")', 3, 0.5),
            ("-1", None, None),
        ]
    }
    # printed as the assessment is: A4 landscape, one page wide, the headers on every page
    sheet = openpyxl.load_workbook(io.BytesIO(book))["拒收记录"]
    setup = sheet.page_setup
    # fitToWidth left out is OOXML's default, 1
    assert (setup.paperSize, setup.orientation, setup.fitToWidth, setup.fitToHeight) == (
        9,
        "landscape",
        None,
        0,
    )
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert (sheet.print_title_rows, sheet.oddFooter.center.text) == ("$1:$1", "&P / &N")


def test_the_xlsx_table_wraps_long_text_to_print_legibly():
    """A reason or a path wraps in a column 24 wide (12 Chinese characters a line), the
    other columns as wide as their longest value: the rejected-row list, fitted to one A4
    page wide, printed at about 45 % with its long columns 60 wide."""
    columns = [
        ("township_name", "乡镇（街道）", "text"),
        ("reason", "原因", "longtext"),
        ("hint", "修改方法", "longtext"),
    ]
    reason = "日期无法识别：“2025年13月1日”不是有效日期" * 3
    rows = [{"township_name": "东湖镇", "reason": reason, "hint": "改为 2025-12-01"}]
    book = downloads.table_xlsx(components.table_data(columns, rows, "t"), sheet="拒收记录")
    sheet = openpyxl.load_workbook(io.BytesIO(book))["拒收记录"]
    widths = [sheet.column_dimensions[c].width for c in "ABC"]
    # each the longest value's width (a Chinese character two) and 2 more, as xlsxwriter
    # stores it (0.71 added): 乡镇（街道） 12, the reason capped, 改为 2025-12-01 15
    assert [round(w - 0.71, 2) for w in widths] == [14, 24, 17]
    wraps = [sheet.cell(2, c).alignment.wrap_text for c in (1, 2, 3)]
    assert wraps == [None, True, True]
    assert sheet.cell(2, 2).value == reason


def test_the_same_xlsx_table_the_same_day_is_the_same_bytes(monkeypatch):
    """Created on the day its name carries, not at the clock's second: two requests a
    second apart gave two files (the scope tests compare a forged request's answer with
    the user's own byte for byte)."""
    monkeypatch.setattr(settings, "today", lambda: date(2026, 12, 7))
    table = components.table_data([("n", "行号", "count")], [{"n": 1}], "t")
    first = downloads.table_xlsx(table, sheet="拒收记录")
    time.sleep(1.1)
    assert downloads.table_xlsx(table, sheet="拒收记录") == first
    created = openpyxl.load_workbook(io.BytesIO(first)).properties.created
    assert created == datetime(2026, 12, 7)


def test_a_head_request_is_answered_but_not_recorded(app, engine):
    """A client that asks HEAD (a download manager checking the size, a link checker)
    gets the file's headers, but nothing was downloaded: the audit log has no row."""
    client = client_of(app, "li")
    before = audit.count(engine, action="download")
    head = client.head("/download/overdue.csv")
    assert (head.status_code, head.data) == (200, b"")
    assert head.headers["Content-Disposition"].startswith("attachment;")
    assert audit.count(engine, action="download") == before
    assert client.get("/download/overdue.csv").status_code == 200
    assert audit.count(engine, action="download") == before + 1
