"""A read of several statements is of one load: a load that commits between its
statements (here, right after the first) makes the read run again, on the new load,
instead of answering figures half of the one and half of the other."""

from __future__ import annotations

from datetime import date

from sqlalchemy import event

from tests.helpers.inbox_county import (
    COUNTY,
    LIUSHU,
    LOAD_DAY,
    RESOLUTIONS,
    SECRET,
    load_county,
)
from tests.helpers.inbox_files import write_csv
from xieshang import metrics
from xieshang.etl.load import run_load
from xieshang.metrics import context
from xieshang.warehouse.engine import make_engine

PERIOD = (date(2025, 1, 1), date(2025, 6, 30))
# after the statement of the meetings' sums (the context, the scope, it) and before that
# of the resolutions due
BETWEEN = 3


def _a_meeting_and_its_resolution(engine, directory) -> None:
    """A later load: HY-21 of 柳树村, and its resolution JY-21, due and done in June."""
    inbox = directory / "later"
    write_csv(
        inbox / "会议台账.csv",
        [
            ["会议编号", "区划代码", "会议日期", "协商形式", "议题", "议题类别", "是否党组织主持"],
            ["HY-21", LIUSHU, "2025-06-20", "议事会", "修路", "道路交通", "是"],
        ],
    )
    write_csv(
        inbox / "参会签到.csv",
        [
            ["会议编号", "区划代码", "身份证号", "是否党员", "身份类别"],
            ["HY-21", LIUSHU, "330281199001019999", "否", "基层干部"],
        ],
    )
    write_csv(
        inbox / "决议落实.csv",
        [
            RESOLUTIONS[0],
            ["JY-21", "HY-21", LIUSHU, "修路", "村委会", "2025-06-25", "已落实", "2025-06-24"]
            + ["2025-06-28", "90", "是", ""],
        ],
    )
    report = run_load(engine, inbox, secret=SECRET, today=LOAD_DAY)
    assert report["kinds"]["resolutions"]["inserted"] == 1, report


def _with_a_load_after(engine, statements: int, load) -> list[str]:
    """Run `load` once, on another engine, after the `statements`-th statement `engine`
    executes; the statements executed, as they were."""
    seen: list[str] = []

    def after(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)
        if len(seen) == statements:
            load()

    event.listen(engine, "after_cursor_execute", after)
    return seen


def test_figures_read_while_a_load_commits_are_those_of_the_new_load(engine, tmp_path):
    load_county(engine, tmp_path)
    before = metrics.figures(engine, COUNTY, *PERIOD)
    writer = make_engine(engine.url.render_as_string(hide_password=False))
    seen = _with_a_load_after(
        engine, BETWEEN, lambda: _a_meeting_and_its_resolution(writer, tmp_path)
    )
    during = metrics.figures(engine, COUNTY, *PERIOD)
    writer.dispose()
    after = metrics.figures(engine, COUNTY, *PERIOD)
    assert (before["meetings"], after["meetings"]) == (5, 6)
    assert (before["counts"]["resolutions_due"], after["counts"]["resolutions_due"]) == (3, 4)
    assert during == after
    # read, found the load committed, read again: the first read's statements twice
    first_read = seen.index(seen[0], 1)
    assert seen[first_read:] == seen[: len(seen) - first_read]


def test_the_last_attempt_is_taken_as_it_is(engine, tmp_path, monkeypatch):
    """A read that sees a load commit on each of its attempts answers its last one."""
    load_county(engine, tmp_path)
    monkeypatch.setattr(context, "READ_ATTEMPTS", 1)
    writer = make_engine(engine.url.render_as_string(hide_password=False))
    _with_a_load_after(engine, BETWEEN, lambda: _a_meeting_and_its_resolution(writer, tmp_path))
    during = metrics.figures(engine, COUNTY, *PERIOD)
    writer.dispose()
    # the meetings before the load, the resolutions after it
    assert (during["meetings"], during["counts"]["resolutions_due"]) == (5, 4)
