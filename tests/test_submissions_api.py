"""POST /api/submissions and the template downloads (dashboard.submissions over
xieshang.submission) on the real app with sign-in on, over 清河县 with a user of every role
(tests/helpers/scoped_county.py), on SQLite and PostgreSQL: 401 signed out, 403 for
leaders and evaluators, 413 over the size limit, 400 without files or for refused names,
503 without a secret; a staff upload with planted bad rows answered with its exact counts
and rejects (the file's own column names, how to fix, another township's row rejected
超出本乡镇范围) and an audit row; the fixed marked-up workbook sent back supersedes the
original's rejects; a failed run answered 200 with its error."""

from __future__ import annotations

import base64
import io
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from tests.helpers.inbox_county import (
    CHENGGUAN,
    DONGHU,
    LIUSHU,
    SECRET,
    XINHUA,
    YANGJIA,
    load_county,
)
from tests.helpers.inbox_files import write_xlsx
from tests.helpers.scoped_county import STAFF, county_with_users, submission_app
from tests.helpers.signin import sign_in
from tests.test_access_scope import body, store
from tests.test_access_scope import post as post_callback
from xieshang import submission
from xieshang.access import audit
from xieshang.contract.settings import MAX_UPLOAD_ENV
from xieshang.dashboard.app import create_app
from xieshang.dashboard.views import submit as submit_view
from xieshang.dashboard.views.submit import file_lines, outcome_lines, reject_part
from xieshang.etl.load import run_load
from xieshang.marked import marked_workbook
from xieshang.metrics import quality
from xieshang.submission import SECRET_KEY, marked_name, submit
from xieshang.warehouse import schema
from xieshang.warehouse.engine import open_warehouse

API = "/api/submissions"
FILE = "会议台账-7月.xlsx"
HEADER = ["会议编号", "区划代码", "召开日期", "形式", "议题", "党组织主持"]
MEETINGS = [
    ["东湖镇2025年7月协商会议台账"],
    HEADER,
    ["HY-10", LIUSHU, "2025-07-03", "议事会", "村道硬化", "是"],
    ["HY-11", YANGJIA, "2025-13-01", "议事会", "路灯维修", "是"],  # row 4: bad date
    ["HY-12", LIUSHU, "2025-07-05", "茶话会", "河塘清淤", "是"],  # row 5: bad form
    ["HY-13", XINHUA, "2025-07-06", "议事会", "加装电梯", "否"],  # row 6: 城关街道's
]
DATE_HINT = (
    "日期填成 2025-03-08、2025/3/8、2025.3.8、2025年3月8日 或 20250308，或用日期格式的单元格"
)
FORM_HINT = (
    "可填：议事会、听证会、恳谈会、座谈会、协调会、评议会、党日活动、协商式民意调查、"
    "愿景工作坊、参与式预算、联席会议、其他"
)
OUTSIDE_HINT = (
    "只能报送本乡镇及所辖村（社区）的行；此行属于 330281001000 城关街道，请删除，由该乡镇报送"
)
PATH = f"东湖镇/{FILE}"
REJECTS = [
    {
        "file": FILE,
        "path": PATH,
        "sheet": "Sheet1",
        "row_number": 4,
        "kind": "meetings",
        "rule": "bad_date",
        "column_name": "meeting_date",
        "header": "召开日期",
        "value": "2025-13-01",
        "reason_zh": "日期无法识别（应为 2025-03-08、2025年3月8日 或 20250308）",
        "reason_en": "unrecognised date (use 2025-03-08, 2025年3月8日 or 20250308)",
        "hint": DATE_HINT,
        "sent_before": False,
    },
    {
        "file": FILE,
        "path": PATH,
        "sheet": "Sheet1",
        "row_number": 5,
        "kind": "meetings",
        "rule": "bad_vocab",
        "column_name": "form",
        "header": "形式",
        "value": "茶话会",
        "reason_zh": "不在规定取值范围内",
        "reason_en": "not one of the allowed values",
        "hint": FORM_HINT,
        "sent_before": False,
    },
    {
        "file": FILE,
        "path": PATH,
        "sheet": "Sheet1",
        "row_number": 6,
        "kind": "meetings",
        "rule": "outside_township",
        "column_name": "area_code",
        "header": "区划代码",
        "value": XINHUA,
        "reason_zh": "超出本乡镇范围",
        "reason_en": "outside your township",
        "hint": OUTSIDE_HINT,
        "sent_before": False,
    },
]
ZERO = {
    "read": 0,
    "inserted": 0,
    "updated": 0,
    "unchanged": 0,
    "rejected": 0,
    "held": 0,
    "released": {"joined": 0, "rejected": 0},
}


@pytest.fixture
def app(engine, tmp_path, monkeypatch):
    with submission_app(engine, tmp_path, monkeypatch) as dash_app:
        yield dash_app


def xlsx_bytes(tmp_path, rows, name: str = FILE) -> bytes:
    return write_xlsx(tmp_path / "made" / name, {"Sheet1": rows}).read_bytes()


def post(client, *files: tuple[str, bytes]):
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post(API, data=data, content_type="multipart/form-data")


def run_count(engine) -> int:
    with engine.connect() as conn:
        return len(conn.execute(schema.load_runs.select()).all())


def without_english_hints(rejects: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "hint_en"} for r in rejects]


# --- who may submit ---------------------------------------------------------------------------------------


def test_signed_out_gets_401(app, engine, tmp_path):
    response = post(app.server.test_client(), (FILE, xlsx_bytes(tmp_path, MEETINGS)))
    assert (response.status_code, response.get_json()) == (401, {"error": "sign-in required"})
    assert run_count(engine) == 1  # the county's own load only


@pytest.mark.parametrize("name", ["zhao", "qian"])  # leader, evaluator
def test_leaders_and_evaluators_get_403(app, engine, tmp_path, name):
    client = sign_in(app.server.test_client(), name)
    response = post(client, (FILE, xlsx_bytes(tmp_path, MEETINGS)))
    assert (response.status_code, response.get_json()) == (
        403,
        {"error": "您的角色不能报送文件 your role may not submit files"},
    )
    assert run_count(engine) == 1
    assert audit.count(engine, action="submission") == 0


@pytest.mark.parametrize("scope", [XINHUA, "330281001", "330281000000", "x"])
def test_a_scope_outside_the_staff_users_township_gets_403(app, engine, tmp_path, scope):
    client = sign_in(app.server.test_client(), "wang")
    data = {"files": [(io.BytesIO(xlsx_bytes(tmp_path, MEETINGS)), FILE)]}
    response = client.post(f"{API}?scope={scope}", data=data, content_type="multipart/form-data")
    assert (response.status_code, response.get_json()) == (
        403,
        {"error": "您不能为该范围报送 you may not submit for that scope"},
    )
    assert run_count(engine) == 1
    # their own township, or one of its villages, is no reason to refuse
    for own in (DONGHU, LIUSHU):
        data = {"files": [(io.BytesIO(xlsx_bytes(tmp_path, MEETINGS)), FILE)]}
        response = client.post(f"{API}?scope={own}", data=data, content_type="multipart/form-data")
        assert response.status_code == 200


def test_over_the_limit_gets_413(app, engine, monkeypatch):
    monkeypatch.setenv(MAX_UPLOAD_ENV, "1")
    client = sign_in(app.server.test_client(), "wang")
    response = post(client, ("会议台账.csv", b"x" * (1024 * 1024 + 1)))  # 1 MB and a byte
    assert response.status_code == 413
    assert response.get_json() == {
        "error": "报送的文件合计超过 1 MB，请分批报送 the files together exceed 1 MB "
        "(XIESHANG_MAX_UPLOAD_MB): send them in several submissions"
    }
    assert run_count(engine) == 1
    # two files of 1 MB together, each under it
    half = "会议编号\n".encode() * 40_000  # 520,000 bytes
    response = post(client, ("会议台账.csv", half), ("会议台账2.csv", half + half[:9000]))
    assert response.status_code == 413
    assert run_count(engine) == 1
    # the limit exactly, its form around it aside, is read and loaded
    exactly = half * 2 + b" " * (1024 * 1024 - 2 * len(half))
    response = post(client, ("会议台账.csv", exactly))
    assert (response.status_code, response.get_json()["status"]) == (200, "committed")


def test_a_callback_carries_an_upload_of_the_limit_in_base64_and_no_more(app, monkeypatch):
    monkeypatch.setenv(MAX_UPLOAD_ENV, "1")
    client = sign_in(app.server.test_client(), "wang")
    limit = 1024 * 1024 * 4 // 3 + 1 + 1024 * 1024  # 1 MB in base64, and the JSON around it
    for size, status in ((limit, 400), (limit + 1, 413)):  # 400: no callback of the app's
        body = b'{"x": "' + b"A" * (size - 9) + b'"}'
        assert len(body) == size
        response = client.post(
            "/_dash-update-component", data=body, content_type="application/json"
        )
        assert response.status_code == status, size


def test_a_form_posted_from_another_sites_page_is_refused(app, engine, tmp_path):
    """A form on another site's page posting here carried the user's cookie and loaded
    (a sibling host is the same site for SameSite=Lax); scripts send neither header."""
    client = sign_in(app.server.test_client(), "wang")
    rows = [HEADER, ["HY-21", XINHUA, "2025-07-08", "座谈会", "加装电梯", "是"]]
    data = xlsx_bytes(tmp_path, rows)
    for headers in (
        {"Origin": "http://evil.example"},
        {"Origin": "http://oa.localhost"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site", "Origin": "http://localhost"},
    ):
        response = client.post(
            API,
            data={"files": [(io.BytesIO(data), FILE)]},
            content_type="multipart/form-data",
            headers=headers,
        )
        assert response.status_code == 403, headers
        assert response.get_json() == {
            "error": "不接受其他网站页面发来的报送 not accepted from another site's page"
        }
    assert run_count(engine) == 1  # the county's load only
    response = client.post(
        API,
        data={"files": [(io.BytesIO(data), FILE)]},
        content_type="multipart/form-data",
        headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
    )
    assert response.status_code == 200
    assert run_count(engine) == 2


def test_with_sign_in_off_the_local_admin_submits(engine, tmp_path, monkeypatch):
    county_with_users(engine, tmp_path)
    app = create_app(engine)
    monkeypatch.setitem(app.server.config, SECRET_KEY, SECRET)
    rows = [HEADER, ["HY-20", XINHUA, "2025-07-08", "座谈会", "加装电梯", "是"]]
    response = post(app.server.test_client(), (FILE, xlsx_bytes(tmp_path, rows)))
    assert response.status_code == 200
    assert response.get_json()["kinds"]["meetings"] == {**ZERO, "read": 1, "inserted": 1}
    (entry,) = audit.entries(engine, action="submission")
    assert (entry.user, entry.scope) == ("(sign-in off)", None)


def test_no_files_and_refused_names_get_400(app, engine):
    client = sign_in(app.server.test_client(), "wang")
    response = client.post(API, data={}, content_type="multipart/form-data")
    assert (response.status_code, response.get_json()) == (
        400,
        {
            "error": "没有收到文件：请选择一个或多个 xlsx/CSV 文件 no files received: send one "
            "or more xlsx/CSV files in the form field `files`"
        },
    )
    response = post(client, ("a/会议.csv", b"x"), ("b\\会议.csv", b"y"))
    assert (response.status_code, response.get_json()) == (
        400,
        {
            "error": "本次报送中有两个文件都叫“会议.csv”，请改名后重新报送 two files are named "
            "“会议.csv”: rename one and send them again"
        },
    )
    response = post(client, (".会议.csv", b"x"))
    assert (response.status_code, response.get_json()) == (
        400,
        {
            "error": "文件名“.会议.csv”无效（为空或以“.”开头），请改名后重新报送 the file name "
            "“.会议.csv” is empty or hidden: rename the file and send it again"
        },
    )
    # 262 bytes: the file system took it as no name at all (500, Errno 36)
    for name in ("会议" * 43 + ".csv", "会议\x01.csv", "会议\x7f.csv", "会议\u202e.csv"):
        response = post(client, (name, b"x"))
        shown = name[:40]
        assert (response.status_code, response.get_json()) == (
            400,
            {
                "error": f"文件名“{shown}…”过长或含控制字符，请改短后重新报送 the file name "
                f"“{shown}…” is too long (at most 255 bytes) or holds a control character:"
                " shorten it and send it again"
            },
        )
    assert run_count(engine) == 1
    assert audit.count(engine, action="submission") == 0


def test_a_marked_workbooks_name_may_be_sent_back(app, engine, tmp_path):
    """Of two files with rejects, one of a long name: its workbook was named 210 bytes,
    and refused when sent back."""
    name = marked_name("东湖镇", date(2025, 12, 1), "会议" * 50)
    assert len(name.encode()) == 255 and name.startswith("东湖镇-拒收行-会议会议")
    client = sign_in(app.server.test_client(), "wang")
    response = post(client, (name, xlsx_bytes(tmp_path, MEETINGS[:3])))
    assert (response.status_code, response.get_json()["status"]) == (200, "committed")


def test_without_a_secret_the_answer_is_503(app, engine, tmp_path, monkeypatch):
    monkeypatch.delitem(app.server.config, SECRET_KEY)
    client = sign_in(app.server.test_client(), "wang")
    response = post(client, (FILE, xlsx_bytes(tmp_path, MEETINGS)))
    assert (response.status_code, response.get_json()) == (
        503,
        {
            "error": "服务器未设置 XIESHANG_SECRET，无法导入：请管理员设置后重启看板 "
            "XIESHANG_SECRET is not set on the server: ask the administrator to set it and "
            "restart the dashboard"
        },
    )
    assert run_count(engine) == 1


# --- a staff user's submission --------------------------------------------------------------------------


def test_a_staff_upload_with_planted_bad_rows(app, engine, tmp_path):
    client = sign_in(app.server.test_client(), "wang")
    client.environ_base["REMOTE_ADDR"] = "10.0.0.7"
    response = post(client, (FILE, xlsx_bytes(tmp_path, MEETINGS)))
    assert (response.status_code, response.mimetype) == (200, "application/json")
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert body["status"] == "committed"
    assert body["files"] == {"loaded": [PATH], "unchanged": [], "skipped": [], "unreadable": []}
    assert (body["sheets_skipped"], body["unknown_columns"]) == ([], [])
    assert body["kinds"] == {
        "areas": ZERO,
        "meetings": {**ZERO, "read": 4, "inserted": 1, "rejected": 3},
        "attendance": ZERO,
        "resolutions": ZERO,
    }
    assert without_english_hints(body["rejects"]) == REJECTS
    assert [r["hint_en"][:30] for r in body["rejects"]] == [
        "write the date as 2025-03-08, ",
        "allowed: 议事会 (council), 听证会 (h",
        "send only rows of your townshi",
    ]
    # the run is the user's; its file is the township's
    with engine.connect() as conn:
        run = conn.execute(
            schema.load_runs.select().where(schema.load_runs.c.run_id == body["run_id"])
        ).one()
        file = conn.execute(
            schema.load_files.select().where(schema.load_files.c.run_id == body["run_id"])
        ).one()
        meeting = conn.execute(
            schema.meetings.select().where(schema.meetings.c.meeting_id == "HY-10")
        ).one()
    assert (run.operator, run.status) == ("wang", "committed")
    assert (file.path, file.township_code, file.status) == (PATH, DONGHU, "loaded")
    assert (meeting.area_code, meeting.meeting_date) == (LIUSHU, date(2025, 7, 3))
    (entry,) = audit.entries(engine, action="submission")
    assert (entry.user, entry.file, entry.scope, entry.address) == (
        "wang",
        FILE,
        DONGHU,
        "10.0.0.7",
    )
    assert entry.detail == {
        "run_id": body["run_id"],
        "status": "committed",
        "files": [FILE],
        "read": 4,
        "inserted": 1,
        "updated": 0,
        "unchanged": 0,
        "held": 0,
        "rejected": 3,
    }


def test_the_fixed_marked_workbook_supersedes_the_rejects(app, engine, tmp_path):
    client = sign_in(app.server.test_client(), "wang")
    original = xlsx_bytes(tmp_path, MEETINGS)
    first = post(client, (FILE, original)).get_json()
    # what the page offers: the staff's own rows marked, made from the answer's rejects
    marked = marked_workbook(PATH, original, first["rejects"], first["run_id"], first["run_id"])
    book = openpyxl.load_workbook(io.BytesIO(marked))
    sheet = book["协商会议台账"]
    assert [row[:4] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        ("HY-11", YANGJIA, "2025-13-01", "议事会"),
        ("HY-12", LIUSHU, "2025-07-05", "茶话会"),
        ("HY-13", XINHUA, "2025-07-06", "议事会"),
    ]
    sheet["C2"] = "2025-07-11"
    sheet["D3"] = "座谈会"
    sheet.delete_rows(4)  # 城关街道's row: theirs to send
    fixed = io.BytesIO()
    book.save(fixed)
    name = f"东湖镇-拒收行-会议台账-7月-{date.today().isoformat()}.xlsx"
    response = post(client, (name, fixed.getvalue()))
    body = response.get_json()
    assert (response.status_code, body["status"]) == (200, "committed")
    assert body["files"]["loaded"] == [f"东湖镇/{name}"]
    assert body["unknown_columns"] == []  # the 问题 column is not the staff's data
    assert body["kinds"]["meetings"] == {**ZERO, "read": 2, "inserted": 2}
    assert body["rejects"] == []
    with engine.connect() as conn:
        replaces = conn.execute(
            schema.load_files.select().where(schema.load_files.c.run_id == body["run_id"])
        ).one()
        fixed_rows = conn.execute(
            schema.meetings.select().where(schema.meetings.c.meeting_id.in_(["HY-11", "HY-12"]))
        ).all()
    assert replaces.replaces == PATH
    assert sorted((r.meeting_id, r.meeting_date, r.form) for r in fixed_rows) == [
        ("HY-11", date(2025, 7, 11), "council"),
        ("HY-12", date(2025, 7, 5), "forum"),
    ]
    # the original's rejects are no longer current, whoever lists them
    listed = quality.rejected_rows(engine, None, limit=None, include_superseded=True)
    assert sorted((r["path"], r["row_number"], r["superseded"]) for r in listed) == [
        (PATH, 4, True),
        (PATH, 5, True),
        (PATH, 6, True),
        ("会议台账.csv", 8, False),
        ("会议台账.csv", 9, False),
        ("会议台账.csv", 10, False),
    ]
    assert [r["path"] for r in quality.rejected_rows(engine, DONGHU, limit=None)] == [
        "会议台账.csv"
    ]
    assert audit.count(engine, action="submission") == 2


def test_a_file_sent_again_unchanged_repeats_its_rows_still_rejected(app, engine, tmp_path):
    client = sign_in(app.server.test_client(), "wang")
    original = xlsx_bytes(tmp_path, MEETINGS)
    first = post(client, (FILE, original)).get_json()
    assert (len(first["rejects"]), first["earlier_rejects"]) == (3, [])
    again = post(client, (FILE, original)).get_json()
    assert again["files"]["unchanged"] == [PATH] and again["rejects"] == []
    assert without_english_hints(again["earlier_rejects"]) == REJECTS
    # HY-11 fixed, sent alone under a name of the office's own: its reject is superseded
    fixed = [MEETINGS[1], ["HY-11", YANGJIA, "2025-07-11", "议事会", "路灯维修", "是"]]
    resent = post(client, ("会议台账-7月(改).xlsx", xlsx_bytes(tmp_path, fixed))).get_json()
    assert resent["kinds"]["meetings"]["inserted"] == 1 and resent["rejects"] == []
    third = post(client, (FILE, original)).get_json()
    assert without_english_hints(third["earlier_rejects"]) == REJECTS[1:]
    # the page's marked-up workbook of the unchanged file marks the rows still wrong
    made = submit(engine, [(FILE, original)], STAFF, secret=SECRET)
    (workbook,) = made.marked
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content))["协商会议台账"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["HY-12", "HY-13"]
    # another township's staff sending the same bytes see none of 东湖镇's rejects
    other = sign_in(app.server.test_client(), "chen")
    theirs = post(other, (FILE, original)).get_json()
    assert theirs["files"]["loaded"] == [f"城关街道/{FILE}"] and theirs["earlier_rejects"] == []


def test_a_file_the_county_loaded_repeats_only_the_staffs_own_rejects(app, engine, tmp_path):
    # the county's loader read 东湖镇's folder, where someone had put 城关街道's row too
    rows = [
        HEADER,
        ["HY-50", LIUSHU, "2025-13-01", "议事会", "村道硬化", "是"],
        ["HY-51", XINHUA, "2025-13-02", "议事会", "加装电梯", "否"],
        ["HY-52", "3302811002", "2025-07-02", "议事会", "路灯维修", "是"],  # no key
    ]
    loaded_as = f"2025-07/东湖镇/{FILE}"
    sent = write_xlsx(tmp_path / "inbox" / loaded_as, {"Sheet1": rows}).read_bytes()
    assert run_load(engine, tmp_path / "inbox", secret=SECRET)["status"] == "committed"
    client = sign_in(app.server.test_client(), "wang")
    body = post(client, (FILE, sent)).get_json()
    assert body["files"]["unchanged"] == [PATH]
    earlier = [(r["file"], r["path"], r["row_number"]) for r in body["earlier_rejects"]]
    assert earlier == [(FILE, loaded_as, 2), (FILE, loaded_as, 4)]
    # the marked-up workbook answers the file as the county loaded it: fixed and sent
    # back, it supersedes both rejects, the one without a row key too
    (marked,) = submit(engine, [(FILE, sent)], STAFF, secret=SECRET).marked
    book = openpyxl.load_workbook(io.BytesIO(marked.content))
    assert book.custom_doc_props["xieshang_replaces"].value == loaded_as
    sheet = book["协商会议台账"]
    sheet["C2"], sheet["B3"] = "2025-07-01", LIUSHU
    fixed = io.BytesIO()
    book.save(fixed)
    answer = post(client, ("会议台账-7月-改.xlsx", fixed.getvalue())).get_json()
    assert answer["kinds"]["meetings"]["inserted"] == 2 and answer["rejects"] == []
    listed = quality.rejected_rows(engine, DONGHU, limit=None)
    assert [r for r in listed if r["path"] == loaded_as] == []
    assert post(client, (FILE, sent)).get_json()["earlier_rejects"] == []


def test_an_admins_file_sent_again_repeats_every_townships_rejects(app, engine, tmp_path):
    # an admin's file named for 东湖镇 holds a bad row of 城关街道's too: both are the
    # admin's to see, whatever the name says
    rows = [
        HEADER,
        ["HY-60", LIUSHU, "2025-13-01", "议事会", "村道硬化", "是"],
        ["HY-61", XINHUA, "2025-13-02", "议事会", "加装电梯", "否"],
    ]
    name = "东湖镇补报会议台账.xlsx"
    data = xlsx_bytes(tmp_path, rows, name)
    client = sign_in(app.server.test_client(), "li")
    first = post(client, (name, data)).get_json()
    assert [r["row_number"] for r in first["rejects"]] == [2, 3]
    again = post(client, (name, data)).get_json()
    assert again["files"]["unchanged"] == [name]
    assert [r["row_number"] for r in again["earlier_rejects"]] == [2, 3]


def test_another_townships_marked_workbook_supersedes_none_of_its_rejects(app, engine, tmp_path):
    original = xlsx_bytes(tmp_path, MEETINGS)
    first = post(sign_in(app.server.test_client(), "wang"), (FILE, original)).get_json()
    marked = marked_workbook(PATH, original, first["rejects"], first["run_id"], first["run_id"])
    # forwarded to 城关街道, whose staff send it as it is
    other = post(sign_in(app.server.test_client(), "chen"), ("转来的.xlsx", marked)).get_json()
    assert other["status"] == "committed"
    with engine.connect() as conn:
        replaces = conn.execute(
            sa.select(schema.load_files.c.replaces).where(
                schema.load_files.c.run_id == other["run_id"]
            )
        ).scalar_one()
    assert replaces is None
    listed = quality.rejected_rows(engine, DONGHU, limit=None)
    assert sorted(r["row_number"] for r in listed if r["path"] == PATH) == [4, 5, 6]


def test_rows_rejected_when_held_rows_were_released_are_repeated_too(app, engine, tmp_path):
    # 决议R.csv: row 2 waits for HY-70, due before it; row 3 is rejected at once
    header = ["决议编号", "会议编号", "区划代码", "决议内容", "责任单位", "完成时限", "落实状态"]
    header += ["完成日期", "更新日期"]
    reports = [
        header,
        ["JY-70", "HY-70", LIUSHU, "修桥", "村委会", "2025-07-01", "推进中", "", "2025-07-20"],
        ["JY-71", "HY-70", LIUSHU, "修路", "村委会", "2025-07-30", "搞定", "", "2025-07-20"],
    ]
    data = "\n".join(",".join(r) for r in reports).encode("utf-8")
    client = sign_in(app.server.test_client(), "wang")
    assert post(client, ("决议R.csv", data)).get_json()["kinds"]["resolutions"]["held"] == 1
    meeting = [HEADER, ["HY-70", LIUSHU, "2025-07-10", "议事会", "修桥", "是"]]
    released = post(client, ("会议HY-70.xlsx", xlsx_bytes(tmp_path, meeting))).get_json()
    assert released["kinds"]["resolutions"]["released"]["rejected"] == 1
    again = post(client, ("决议R.csv", data)).get_json()
    assert [(r["row_number"], r["rule"]) for r in again["earlier_rejects"]] == [
        (2, "due_before_meeting"),
        (3, "bad_vocab"),
    ]


def test_a_column_the_header_lacks_is_answered_in_the_contracts_words(app, tmp_path):
    header = [h if h != "区划代码" else "区划代码（12位）" for h in HEADER]
    rows = [header, ["HY-30", LIUSHU, "2025-07-03", "议事会", "村道硬化", "是"]]
    client = sign_in(app.server.test_client(), "wang")
    body = post(client, (FILE, xlsx_bytes(tmp_path, rows))).get_json()
    assert body["unknown_columns"] == [
        {"path": PATH, "sheet": "Sheet1", "columns": ["区划代码(12位)"]}
    ]
    (reject,) = body["rejects"]
    assert (reject["rule"], reject["column_name"], reject["header"], reject["row_number"]) == (
        "missing_column",
        "area_code",
        "区划代码",
        2,
    )
    assert reject["hint"] == (
        "在表头加上这一列，列名写作 区划代码、单位代码、主办单位代码、area_code 之一（与模板一致）；"
        "运行报告列出的未识别列名，请改成模板的列名"
    )


def test_an_admin_submits_for_the_whole_roster(app, engine, tmp_path):
    client = sign_in(app.server.test_client(), "li")
    rows = [HEADER, ["HY-20", XINHUA, "2025-07-08", "座谈会", "加装电梯", "是"]]
    body = post(client, (FILE, xlsx_bytes(tmp_path, rows))).get_json()
    assert body["files"]["loaded"] == [FILE]  # no township folder
    assert body["kinds"]["meetings"] == {**ZERO, "read": 1, "inserted": 1}
    (entry,) = audit.entries(engine, action="submission")
    assert (entry.user, entry.scope) == ("li", None)


def test_a_failed_run_is_answered_200_with_its_error(app, engine, tmp_path, monkeypatch):
    monkeypatch.setitem(app.server.config, SECRET_KEY, b"another-secret-of-this-server")
    client = sign_in(app.server.test_client(), "chen")
    response = post(client, (FILE, xlsx_bytes(tmp_path, MEETINGS)))
    body = response.get_json()
    assert (response.status_code, body["status"], body["rejects"]) == (200, "failed", [])
    assert body["error"] == (
        "密钥与本仓库载入时所用的不同 XIESHANG_SECRET differs from the secret this warehouse "
        "was loaded with; set the original secret (person identifiers would not match "
        "otherwise) (核对密钥 checking the secret)"
    )
    assert body["kinds"]["meetings"] == ZERO
    (entry,) = audit.entries(engine, action="submission")
    assert (entry.user, entry.scope, entry.detail["status"]) == ("chen", CHENGGUAN, "failed")


@pytest.mark.postgres
def test_a_run_that_committed_is_audited_though_reading_it_back_fails(
    pg_databases, tmp_path, monkeypatch
):
    url = pg_databases.create()
    engine = open_warehouse(f"{url}?options=-c%20lock_timeout%3D200")
    county_with_users(engine, tmp_path)
    holder = open_warehouse(url).connect()

    def load_then_lock(*args, **kwargs):
        report = run_load(*args, **kwargs)
        holder.begin()  # another session's lock on the rejects the submission reads back
        holder.exec_driver_sql("LOCK TABLE rejects IN ACCESS EXCLUSIVE MODE")
        return report

    monkeypatch.setattr(submission, "run_load", load_then_lock)
    rows = xlsx_bytes(tmp_path, MEETINGS)
    with pytest.raises(sa.exc.OperationalError, match="lock timeout"):
        submission.submit(engine, [(FILE, rows)], STAFF, secret=SECRET, address="10.1.2.3")
    holder.rollback()
    holder.close()
    (entry,) = audit.entries(engine, action="submission")
    detail = entry.detail
    assert (entry.user, entry.scope, entry.address) == ("wang", DONGHU, "10.1.2.3")
    assert (detail["status"], detail["inserted"], detail["rejected"]) == ("committed", 1, 3)
    engine.dispose()


# --- templates ------------------------------------------------------------------------------------------


def test_templates(app):
    assert app.server.test_client().get("/download/template/areas.xlsx").status_code == 401
    staff = sign_in(app.server.test_client(), "wang")
    response = staff.get("/download/template/areas.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"areas-template.xlsx\"; filename*=UTF-8''%E5%8C%BA%E5%88%92%E4%B8%8E%E5%85%9A%E5%91%98%E5%90%8D"
        "%E5%86%8C%E6%B1%87%E6%80%BB-%E6%A8%A1%E6%9D%BF.xlsx"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(min_row=2, max_row=4, values_only=True)] == [
        DONGHU,
        LIUSHU,
        YANGJIA,
    ]
    leader = sign_in(app.server.test_client(), "zhao")
    blank = openpyxl.load_workbook(io.BytesIO(leader.get("/download/template/areas.xlsx").data))
    assert blank.worksheets[0].cell(2, 1).value is None
    for kind in ("meetings", "attendance", "resolutions"):
        assert leader.get(f"/download/template/{kind}.xlsx").status_code == 200
    unknown = leader.get("/download/template/persons.xlsx")
    assert (unknown.status_code, unknown.get_data(as_text=True)) == (
        404,
        "404 没有这个下载文件：请检查地址\n",
    )  # in one line with the fix, as every download's address
    english = leader.get("/download/template/persons.xlsx?lang=en").get_data(as_text=True)
    assert english == "404 No such file to download: check the address\n"


# --- the page's answer, in words ------------------------------------------------------------------------


def test_the_answer_in_words(engine, tmp_path):
    load_county(engine, tmp_path)  # without the scope tests' stand-in held rows
    attendance = [
        ["会议编号", "区划代码", "身份证号", "是否党员", "身份类别"],
        ["HY-40", LIUSHU, "330281199001010101", "是", "村民代表"],
        ["HY-40", LIUSHU, "330281199001010102", "否", "网格员"],
    ]
    meeting = [HEADER, ["HY-40", LIUSHU, "2025-07-09", "议事会", "村道硬化", "是"]]
    files = [("参会签到.csv", "\n".join(",".join(r) for r in attendance).encode("gb18030"))]
    made = submit(engine, files, STAFF, secret=SECRET)
    assert made.held == [
        {
            "kind": "attendance",
            "area_code": LIUSHU,
            "area_name": "柳树村",
            "meeting_id": "HY-40",
            "rows": 2,
        }
    ]
    assert outcome_lines(made.report, made.held, "zh") == [
        "暂存 2 行，等待会议 柳树村 HY-40 报送后自动关联（参会签到 2）"
    ]
    assert file_lines(made.report, made.folder, "zh") == ["已导入：参会签到.csv"]
    sent = [(FILE, xlsx_bytes(tmp_path, meeting)), ("说明.txt", b"x")]
    made = submit(engine, sent, STAFF, secret=SECRET)
    assert outcome_lines(made.report, made.held, "zh") == [
        "新增 1 行（会议台账 1）",
        "此前暂存的 2 行已与会议关联（参会签到 2）",
    ]
    assert outcome_lines(made.report, made.held, "en") == [
        "Rows added: 1 (Meetings 1)",
        "Rows held earlier that joined their meeting: 2 (Attendance 2)",
    ]
    # each page in its own language (the reason was one bilingual string on both)
    assert file_lines(made.report, made.folder, "zh") == [
        f"已导入：{FILE}",
        "未导入 说明.txt：不是 CSV 或 xlsx 文件",
    ]
    assert file_lines(made.report, made.folder, "en") == [
        f"Loaded: {FILE}",
        "Not loaded, 说明.txt: not a .csv or .xlsx file",
    ]
    made = submit(engine, sent[:1], STAFF, secret=SECRET)
    assert outcome_lines(made.report, made.held, "zh") == []
    assert file_lines(made.report, made.folder, "zh") == [
        f"与此前报送的文件相同，未重新导入：{FILE}"
    ]
    assert made.marked == []


def test_a_file_or_sheet_not_read_says_how_to_make_it_read(engine, tmp_path):
    """Staff name files as they like (7月报送.csv): the answer said only 文件名中没有表格类型
    关键词 or 找不到表头行, never which names or headers would be read."""
    load_county(engine, tmp_path)
    meeting = [HEADER, ["HY-40", LIUSHU, "2025-07-09", "议事会", "村道硬化", "是"]]
    sent = [
        ("7月报送.csv", "\n".join(",".join(r) for r in meeting).encode()),
        ("7月.xlsx", xlsx_bytes(tmp_path, meeting, "7月.xlsx")),
        ("会议台账-8月.xlsx", xlsx_bytes(tmp_path, [["编号", "单位", "时间"]], "8月.xlsx")),
    ]
    made = submit(engine, sent, STAFF, secret=SECRET)
    assert file_lines(made.report, made.folder, "zh") == [
        "已导入：7月.xlsx、会议台账-8月.xlsx",  # read, though every sheet was skipped
        "未导入 7月报送.csv：文件名中没有表格类型关键词：请在文件名中写明表格类型，"
        "如“协商会议台账”“参会人员签到表”“协商决议落实台账”“区划与党员名册汇总”（空白模板的名称）",
        "跳过工作表 7月.xlsx · Sheet1：工作表名和文件名中都没有类型关键词：请在工作表名或文件名中"
        "写明表格类型，如“协商会议台账”“参会人员签到表”“协商决议落实台账”“区划与党员名册汇总”"
        "（空白模板的名称）",
        "跳过工作表 会议台账-8月.xlsx · Sheet1：找不到表头行：表头行至少要有两个本类表格的列名，"
        "请按空白模板的表头填写",
    ]
    assert file_lines(made.report, made.folder, "en")[1] == (
        "Not loaded, 7月报送.csv: no kind keyword in the file name: name the kind in it as"
        " the blank templates do (协商会议台账, 参会人员签到表, 协商决议落实台账, 区划与党员名册汇总)"
        " or in English (meetings, attendance, resolutions, areas)"
    )


def test_a_long_list_of_rejects_is_shown_a_page_at_a_time(engine, tmp_path, monkeypatch):
    """Over a page of rejects (a column missing rejects every row of a ledger), the grid
    held the first grid.ROW_CAP and a note sent the user to the marked-up workbooks for
    the rest; now its pages turn through them all (tests/test_submit_reject_pages.py)."""
    load_county(engine, tmp_path)
    rows = [HEADER[:-1]] + [[f"HY-{n}", LIUSHU, "2025-07-03", "议事会", "村道"] for n in (1, 2, 3)]
    made = submit(engine, [(FILE, xlsx_bytes(tmp_path, rows))], STAFF, secret=SECRET)
    assert [r["row_number"] for r in made.rejects] == [2, 3, 4]
    monkeypatch.setattr(submit_view, "PAGE_ROWS", 2)
    title, table, pager = reject_part(made.rejects, [], "zh")
    assert [r["row_number"] for r in table.rowData] == [2, 3]
    turn, note = pager.children
    assert (turn.id, turn.max_value, turn.active_page) == ("sb-rejects-pager", 2, 1)
    assert note.children == "共 3 行，每页 2 行，翻页查看全部"
    # a page's order is the file's: AG Grid would sort or filter the page alone
    assert {(c["sortable"], c["filter"]) for c in table.columnDefs} == {(False, False)}
    *_, pager = reject_part(made.rejects, [], "en")
    assert pager.children[1].children == "3 rows, 2 a page: turn the pages to see them all"
    # one page: no pager, sorting and filtering as on every grid
    monkeypatch.setattr(submit_view, "PAGE_ROWS", 3)
    title, table = reject_part(made.rejects, [], "zh")
    assert "sortable" not in table.columnDefs[0]
    # the marked-up workbook holds the three: a sheet's header and a row each
    (marked,) = made.marked
    book = openpyxl.load_workbook(io.BytesIO(marked.content))
    assert [row[0] for row in book.active.iter_rows(values_only=True)] == [
        "会议编号",
        "HY-1",
        "HY-2",
        "HY-3",
    ]


def test_held_rows_name_the_unit_of_the_meeting_they_wait_for():
    # two villages each number a meeting HY-7: the answer tells them apart
    held = [
        {"kind": "attendance", "area_code": LIUSHU, "area_name": "柳树村", "meeting_id": "HY-7"},
        {"kind": "attendance", "area_code": YANGJIA, "area_name": "杨家村", "meeting_id": "HY-7"},
    ]
    report = {"kinds": {"attendance": {**ZERO, "held": 3}}}
    assert outcome_lines(report, held, "zh") == [
        "暂存 3 行，等待会议 柳树村 HY-7、杨家村 HY-7 报送后自动关联（参会签到 3）"
    ]


def test_the_pages_upload_over_the_limit_is_answered_by_the_server_too(app, engine, monkeypatch):
    """The page's gate sends only files that fit; a request that bypasses it is held to
    the same limit (the callback took 1.3 MB in two files under a 1 MB limit)."""
    monkeypatch.setenv(MAX_UPLOAD_ENV, "1")
    client = sign_in(app.server.test_client(), "wang")
    (upload,) = [
        d
        for d in client.get("/_dash-dependencies").get_json()
        if d["inputs"][0]["id"] == "sb-files"
    ]
    data = "data:text/csv;base64," + base64.b64encode(b"x" * 700_000).decode()
    sent = {"contents": [data, data], "names": ["甲会议台账.csv", "乙会议台账.csv"]}
    request = body(upload, store(DONGHU), **{"sb-files.data": sent})
    answer = post_callback(client, request)
    assert answer.status_code == 200
    assert "所选文件合计超过 1 MB，未报送：请分批报送" in answer.get_data(as_text=True)
    assert run_count(engine) == 1  # the county's load only


def test_the_page_refuses_a_submission_in_its_own_language(app, engine):
    """A refusal on the page was one bilingual line; each page now says it in its own."""
    client = sign_in(app.server.test_client(), "wang")
    (upload,) = [
        d
        for d in client.get("/_dash-dependencies").get_json()
        if d["inputs"][0]["id"] == "sb-files"
    ]
    data = "data:text/csv;base64," + base64.b64encode(b"x").decode()
    sent = {"contents": [data, data], "names": ["甲/会议台账.csv", "乙/会议台账.csv"]}
    zh = "本次报送中有两个文件都叫“会议台账.csv”，请改名后重新报送"
    en = "two files are named “会议台账.csv”: rename one and send them again"
    for lang, said, unsaid in (("zh", zh, en), ("en", en, zh)):
        request = body(upload, {**store(DONGHU), "lang": lang}, **{"sb-files.data": sent})
        answer = post_callback(client, request)
        assert answer.status_code == 200
        alert = answer.get_json()["response"]["sb-answer"]["children"]["props"]["children"]
        assert alert["props"]["children"] == said
        assert unsaid not in answer.get_data(as_text=True)
    assert run_count(engine) == 1  # the county's load only
