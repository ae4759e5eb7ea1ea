"""Every rejected row of a submission on /submit, a page at a time: a ledger whose every
row is wrong (1,234 rows, each with its own bad 形式) sent by 东湖镇's staff user through
POST /api/submissions, then its rejects read back page by page — by
xieshang.submission.rejects_page and by the page's callback (the pager under the grid) —
on the real app with sign-in on, SQLite and PostgreSQL. Before, the grid held the first
500 rows and nothing on the page reached the others. The run id comes from the browser:
another township's staff user, a leader, or a run that was never sent get nothing."""

from __future__ import annotations

import io

import pytest

from tests.helpers.inbox_county import LIUSHU
from tests.helpers.scoped_county import (
    ADMIN,
    LEADER,
    OTHER_STAFF,
    STAFF,
    submission_app,
)
from tests.helpers.signin import sign_in
from tests.test_access_scope import DONGHU, body, store
from tests.test_access_scope import post as post_callback
from tests.test_submissions_api import HEADER, xlsx_bytes
from xieshang.submission import rejects_page

ROWS = 1234
FILE = "会议台账-7月.xlsx"


@pytest.fixture
def app(engine, tmp_path, monkeypatch):
    with submission_app(engine, tmp_path, monkeypatch) as dash_app:
        yield dash_app


@pytest.fixture
def sent(app, tmp_path):
    """The run id of the ledger wang sent: row n (Excel row n + 1) has the form 茶话会n."""
    rows = [HEADER] + [
        [f"HY-{n}", LIUSHU, "2025-07-03", f"茶话会{n}", "村道硬化", "是"]
        for n in range(1, ROWS + 1)
    ]
    client = sign_in(app.server.test_client(), "wang")
    data = {"files": [(io.BytesIO(xlsx_bytes(tmp_path, rows)), FILE)]}
    response = client.post("/api/submissions", data=data, content_type="multipart/form-data")
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["kinds"]["meetings"]["rejected"] == ROWS
    return answer["run_id"]


def test_any_slice_of_the_rejects_is_read_back_with_their_count(app, engine, sent):
    rows, total = rejects_page(engine, STAFF, sent, "rejects", 1000, 1100)
    assert total == ROWS
    assert len(rows) == 100
    first, last = rows[0], rows[-1]
    # rows[1000] is the ledger's 1,001st row: Excel row 1,002 (the header is row 1)
    assert (first["file"], first["sheet"], first["row_number"]) == (FILE, "Sheet1", 1002)
    assert (first["header"], first["value"], first["reason_zh"]) == (
        "形式",
        "茶话会1001",
        "不在规定取值范围内",
    )
    assert first["hint"].startswith("可填：议事会、听证会")
    assert (last["row_number"], last["value"]) == (1101, "茶话会1100")
    # the last page stops at the last row; the earlier rejects of this run: none
    rows, total = rejects_page(engine, STAFF, sent, "rejects", 1200, 1300)
    assert (len(rows), total, rows[-1]["row_number"]) == (34, ROWS, 1235)
    assert rejects_page(engine, STAFF, sent, "earlier", 0, 100) == ([], 0)
    # an admin reads any run back
    assert rejects_page(engine, ADMIN, sent, "rejects", 0, 1)[0][0]["row_number"] == 2


def test_no_one_else_reads_a_runs_rejects_back(app, engine, sent):
    for user, run_id in (
        (OTHER_STAFF, sent),  # 城关街道's staff, given 东湖镇's run id
        (LEADER, sent),
        (STAFF, "0" * 32),  # no such run
        (STAFF, None),
    ):
        assert rejects_page(engine, user, run_id, "rejects", 1000, 1100) == ([], 0), user


def _pager(client) -> dict:
    (found,) = [
        d
        for d in client.get("/_dash-dependencies").get_json()
        if d["inputs"][0]["id"] == "sb-rejects-pager"
    ]
    return found


def test_the_pages_pager_turns_to_the_last_rows(app, engine, sent):
    client = sign_in(app.server.test_client(), "wang")
    pager = _pager(client)
    for lang, reason in (("zh", "不在规定取值范围内"), ("en", "not one of the allowed values")):
        values = {"sb-rejects-pager.active_page": 3, "sb-done.data": sent}
        answer = post_callback(client, body(pager, {**store(DONGHU), "lang": lang}, **values))
        assert answer.status_code == 200
        rows = answer.get_json()["response"]["sb-rejects"]["rowData"]
        # page 3 of 500 rows: rows 1,000 to 1,233, Excel rows 1,002 to 1,235
        assert len(rows) == 234
        assert [(r["row_number"], r["value"], r["reason"]) for r in (rows[0], rows[-1])] == [
            (1002, "茶话会1001", reason),
            (1235, "茶话会1234", reason),
        ]


def test_another_townships_staff_turns_no_page_of_the_run(app, engine, sent):
    client = sign_in(app.server.test_client(), "chen")
    values = {"sb-rejects-pager.active_page": 3, "sb-done.data": sent}
    answer = post_callback(client, body(_pager(client), store(DONGHU), **values))
    assert answer.status_code == 204  # PreventUpdate: no rows


def test_a_page_of_the_earlier_rejects_runs_on_from_one_file_into_the_next(app, engine, tmp_path):
    """Two files sent again unchanged: their rows still rejected, one list over both."""

    def ledger(name: str, bad: int) -> tuple[str, bytes]:
        rows = [HEADER] + [
            [f"HY-{name}{n}", LIUSHU, "2025-07-03", f"茶话会{n}", "村道硬化", "是"]
            for n in range(1, bad + 1)
        ]
        return name + "会议台账.xlsx", xlsx_bytes(tmp_path, rows, name + ".xlsx")

    files = [ledger("甲", 3), ledger("乙", 4)]
    client = sign_in(app.server.test_client(), "wang")
    for _ in range(2):
        data = {"files": [(io.BytesIO(content), name) for name, content in files]}
        response = client.post("/api/submissions", data=data, content_type="multipart/form-data")
    answer = response.get_json()
    # in the order of the files' paths (乙 U+4E59 before 甲 U+7532), then of their rows
    assert [(r["file"], r["row_number"]) for r in answer["earlier_rejects"]] == [
        ("乙会议台账.xlsx", 2),
        ("乙会议台账.xlsx", 3),
        ("乙会议台账.xlsx", 4),
        ("乙会议台账.xlsx", 5),
        ("甲会议台账.xlsx", 2),
        ("甲会议台账.xlsx", 3),
        ("甲会议台账.xlsx", 4),
    ]
    rows, total = rejects_page(engine, STAFF, answer["run_id"], "earlier", 2, 5)
    assert total == 7
    assert [(r["file"], r["row_number"], r["value"]) for r in rows] == [
        ("乙会议台账.xlsx", 4, "茶话会3"),
        ("乙会议台账.xlsx", 5, "茶话会4"),
        ("甲会议台账.xlsx", 2, "茶话会1"),
    ]
    # past the first file: it is only counted
    rows, _ = rejects_page(engine, STAFF, answer["run_id"], "earlier", 5, 100)
    assert [(r["file"], r["row_number"]) for r in rows] == [
        ("甲会议台账.xlsx", 3),
        ("甲会议台账.xlsx", 4),
    ]
    assert rejects_page(engine, OTHER_STAFF, answer["run_id"], "earlier", 0, 7) == ([], 0)
