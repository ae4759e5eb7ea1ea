"""清河县 (tests/helpers/inbox_county.py) with a user of every role and a few rejected and
held rows in each township: what the scope and download tests sign in to.

Rejected rows (会议台账.csv, 日期无效): row 8 of 柳树村 (东湖镇), row 9 of 新华社区 (城关街道),
row 10 whose area and township are unknown. Held rows (参会签到.csv): row 11 of 新华社区,
row 12 of 杨家村 (东湖镇). Users, each with the password signin.PASSWORD: li (admin), zhao
(leader), qian (evaluator), wang (staff of 东湖镇), chen (staff of 城关街道).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from dash import Dash
from sqlalchemy import insert, select

from tests.helpers.inbox_county import (
    CHENGGUAN,
    DONGHU,
    LIUSHU,
    SECRET,
    XINHUA,
    YANGJIA,
    load_county,
)
from tests.helpers.signin import PASSWORD, signin_app
from xieshang.access import User, users
from xieshang.contract.settings import MAX_UPLOAD_ENV
from xieshang.submission import SECRET_KEY
from xieshang.warehouse import schema

ADMIN = User("li", "admin")
LEADER = User("zhao", "leader")
EVALUATOR = User("qian", "evaluator")
STAFF = User("wang", "staff", DONGHU)  # 东湖镇: 柳树村, 杨家村
OTHER_STAFF = User("chen", "staff", CHENGGUAN)  # 城关街道: 新华社区, 解放社区
USERS = (ADMIN, LEADER, EVALUATOR, STAFF, OTHER_STAFF)


def _reject(run_id: str, row: int, area: str | None, township: str | None) -> dict:
    return {
        "run_id": run_id,
        "kind": "meetings",
        "path": "会议台账.csv",
        "sheet": None,
        "row_number": row,
        "rule": "bad_date",
        "column_name": "会议日期",
        "value": "2025-13-01",
        "reason_zh": "日期无效",
        "reason_en": "invalid date",
        "area_code": area,
        "township_code": township,
    }


def _held(run_id: str, row: int, area: str, township: str) -> dict:
    return {
        "kind": "attendance",
        "row_key": f"k{row}",
        "area_code": area,
        "meeting_id": "HY-9",
        "township_code": township,
        "run_id": run_id,
        "path": "参会签到.csv",
        "sheet": None,
        "row_number": row,
        "payload": "{}",
    }


def county_with_users(engine, directory) -> None:
    """The small county; a rejected row in each township and one whose township is
    unknown; a held row in each township; a user of every role, two of them staff."""
    load_county(engine, directory)
    with engine.begin() as conn:
        run_id = conn.execute(select(schema.load_runs.c.run_id)).scalar()
        conn.execute(
            insert(schema.rejects),
            [
                _reject(run_id, 8, LIUSHU, DONGHU),
                _reject(run_id, 9, XINHUA, CHENGGUAN),
                _reject(run_id, 10, None, None),
            ],
        )
        conn.execute(
            insert(schema.held_rows),
            [_held(run_id, 11, XINHUA, CHENGGUAN), _held(run_id, 12, YANGJIA, DONGHU)],
        )
    for user in USERS:
        users.add_user(engine, user.name, user.role, PASSWORD, user.township, by="test")


@contextmanager
def submission_app(engine, directory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Dash]:
    """The app with sign-in on over the county with users, written to by the tests'
    submissions with the secret the county was loaded with, the upload limit its default."""
    county_with_users(engine, directory)
    monkeypatch.delenv("XIESHANG_SECRET", raising=False)
    monkeypatch.delenv(MAX_UPLOAD_ENV, raising=False)
    with signin_app(engine, monkeypatch) as dash_app:
        monkeypatch.setitem(dash_app.server.config, SECRET_KEY, SECRET)
        yield dash_app
