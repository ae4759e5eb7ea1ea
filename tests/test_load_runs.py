"""Whole runs: idempotency, replacement, held rows, history, atomicity, personal data."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers.inbox_files import write_csv, write_xlsx
from tests.helpers.minimal_inbox import (
    ATTENDANCE,
    ATTENDANCE_HEADER,
    MEETING_HEADER,
    MEETINGS,
    RESOLUTION_HEADER,
    SECRET,
    TODAY,
    base_inbox,
    later_files,
    load,
    rejects,
)
from tests.helpers.reasons import reason
from xieshang.etl import load as load_module
from xieshang.etl.load import run_load
from xieshang.etl.report import empty_report, stored_json
from xieshang.warehouse import schema

DATA_TABLES = [
    schema.areas,
    schema.meetings,
    schema.persons,
    schema.attendance,
    schema.resolution_reports,
    schema.rejects,
    schema.held_rows,
    schema.load_runs,
    schema.load_files,
    schema.meta,
]


def snapshot(engine, tables=DATA_TABLES):
    """Every row of every table, as sorted tuples of strings."""
    with engine.connect() as conn:
        return {
            t.name: sorted(tuple(map(str, r)) for r in conn.execute(sa.select(t))) for t in tables
        }


def hy3_arrives(engine, tmp_path) -> dict:
    """A later run that brings meeting HY-3 (柳树村, 2025-05-01), which held rows wait for."""
    later = tmp_path / "later"
    write_csv(
        later / "会议台账.csv",
        [
            MEETING_HEADER,
            ["HY-3", "330281100201", "2025-05-01", "座谈会", "桥梁", "", "", "是", ""],
        ],
    )
    return load(engine, later)


def counts(report, kind):
    c = report["kinds"][kind]
    return (c["read"], c["inserted"], c["updated"], c["unchanged"], c["rejected"], c["held"])


def test_loading_the_same_inbox_twice_changes_nothing(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    first = load(engine, inbox)
    assert counts(first, "areas") == (5, 5, 0, 0, 0, 0)
    assert counts(first, "meetings") == (2, 2, 0, 0, 0, 0)
    assert counts(first, "attendance") == (2, 2, 0, 0, 0, 0)
    assert counts(first, "resolutions") == (1, 1, 0, 0, 0, 0)
    before = snapshot(engine, DATA_TABLES[:7])
    second = load(engine, inbox)
    assert second["files"]["loaded"] == []
    assert second["files"]["unchanged"] == [
        "会议台账.csv",
        "决议落实.csv",
        "区划名册.csv",
        "参会签到.csv",
    ]
    for kind in ("areas", "meetings", "attendance", "resolutions"):
        assert counts(second, kind) == (0, 0, 0, 0, 0, 0)
    assert snapshot(engine, DATA_TABLES[:7]) == before


def test_a_load_that_commits_the_same_files_while_another_reads_them_leaves_it_nothing(
    engine, tmp_path
):
    # two loads of one inbox at once (the hourly timer and an admin by hand): the second
    # to take the write lock finds the files loaded by the first while it read them
    inbox = base_inbox(tmp_path / "inbox")
    first: list[dict] = []

    def read_done(stage: str, done: int, total: int) -> None:
        if stage == "read" and done == total and not first:
            first.append(load(engine, inbox))  # commits before this one takes the lock

    second = run_load(engine, inbox, secret=SECRET, today=TODAY, progress=read_done)
    assert second["status"] == "committed"
    assert len(first[0]["files"]["loaded"]) == 4
    assert second["files"]["loaded"] == []
    assert len(second["files"]["unchanged"]) == 4
    for kind in ("areas", "meetings", "attendance", "resolutions"):
        assert counts(second, kind) == (0, 0, 0, 0, 0, 0)
    with engine.connect() as conn:
        statuses = conn.execute(
            sa.select(schema.load_files.c.status).where(
                schema.load_files.c.run_id == second["run_id"]
            )
        ).scalars()
        assert sorted(statuses) == ["unchanged"] * 4


def test_a_changed_file_is_read_again_and_only_changed_rows_update(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    load(engine, inbox)
    changed = [MEETINGS[0], [*MEETINGS[1][:4], "加装电梯（二期）", *MEETINGS[1][5:]]]
    write_csv(inbox / "会议台账.csv", [MEETING_HEADER, *changed])
    report = load(engine, inbox)
    assert report["files"]["loaded"] == ["会议台账.csv"]
    assert counts(report, "meetings") == (2, 0, 1, 1, 0, 0)
    with engine.connect() as conn:
        topic = conn.execute(
            sa.select(schema.meetings.c.topic).where(schema.meetings.c.meeting_id == "HY-2")
        ).scalar_one()
    assert topic == "加装电梯(二期)"  # NFKC folds the full-width brackets


def test_a_file_renamed_to_another_kind_as_its_report_says_is_read_again(engine, tmp_path):
    # A workbook whose name and sheet (Sheet1) name no kind, and a meetings ledger named as
    # a sign-in sheet (人员: its row read as attendance and rejected). Renamed as the report
    # says, the same bytes were listed unchanged and their meetings never read; the kind a
    # name names is part of a file's reading, as its bytes are.
    inbox = base_inbox(tmp_path / "inbox")
    hy5 = ["HY-5", "330281100201", "2025-04-01", "议事会", "修桥", "", "", "是", ""]
    hy6 = ["HY-6", "330281001001", "2025-04-02", "座谈会", "停车", "", "", "否", ""]
    write_xlsx(inbox / "报表.xlsx", {"Sheet1": [MEETING_HEADER, hy5]})
    write_csv(inbox / "人员会议.csv", [MEETING_HEADER, hy6])
    first = load(engine, inbox)
    assert [(s["path"], s["sheet"]) for s in first["sheets_skipped"]] == [("报表.xlsx", "Sheet1")]
    assert counts(first, "meetings") == (2, 2, 0, 0, 0, 0)
    assert counts(first, "attendance") == (3, 2, 0, 0, 1, 0)
    (inbox / "报表.xlsx").rename(inbox / "会议台账-补报.xlsx")
    (inbox / "人员会议.csv").rename(inbox / "会议台账-补报.csv")
    second = load(engine, inbox)
    assert second["files"]["loaded"] == ["会议台账-补报.csv", "会议台账-补报.xlsx"]
    assert counts(second, "meetings") == (2, 2, 0, 0, 0, 0)
    with engine.connect() as conn:
        ids = conn.execute(sa.select(schema.meetings.c.meeting_id)).scalars().all()
    assert sorted(ids) == ["HY-1", "HY-2", "HY-5", "HY-6"]
    # renamed within its kind, it is the same reading: unchanged
    (inbox / "会议台账-补报.csv").rename(inbox / "会议台账-2025-04.csv")
    third = load(engine, inbox)
    assert third["files"]["loaded"] == []
    assert third["files"]["unchanged"][:2] == ["会议台账-2025-04.csv", "会议台账-补报.xlsx"]
    assert counts(third, "meetings") == (0, 0, 0, 0, 0, 0)


def test_later_rows_replace_earlier_ones_in_file_then_path_order(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    again = [*MEETINGS[0][:4], "第二稿", *MEETINGS[0][5:]]
    third = [*MEETINGS[0][:4], "第三稿", *MEETINGS[0][5:]]
    write_csv(inbox / "b" / "会议台账.csv", [MEETING_HEADER, again, again])
    write_csv(inbox / "c" / "会议台账.csv", [MEETING_HEADER, third])
    report = load(engine, inbox)
    # 会议台账.csv sorts before b/ and c/ only by code point: 'b' < 'c' < '会'
    assert counts(report, "meetings") == (5, 2, 2, 1, 0, 0)
    with engine.connect() as conn:
        topic = conn.execute(
            sa.select(schema.meetings.c.topic).where(schema.meetings.c.meeting_id == "HY-1")
        ).scalar_one()
    assert topic == "村道硬化"  # 会议台账.csv comes last by code point, so its row wins


def test_a_copy_of_an_earlier_file_in_the_same_inbox_is_read_and_its_rows_win(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    first = [MEETING_HEADER, MEETINGS[0]]
    corrected = [MEETING_HEADER, [*MEETINGS[0][:4], "第二稿", *MEETINGS[0][5:]]]
    write_csv(inbox / "a" / "会议台账.csv", first)
    write_csv(inbox / "b" / "会议台账.csv", corrected)
    write_csv(inbox / "c" / "会议台账.csv", first)  # the first file's bytes, sent again
    report = load(engine, inbox)
    assert report["files"]["unchanged"] == []
    assert [p for p in report["files"]["loaded"] if p.endswith("会议台账.csv")] == [
        "a/会议台账.csv",
        "b/会议台账.csv",
        "c/会议台账.csv",
        "会议台账.csv",
    ]
    # HY-1: a/ inserts it, b/ and c/ update it, 会议台账.csv (last by code point) sets it
    # back to c/'s row: unchanged; HY-2 is only in 会议台账.csv
    assert counts(report, "meetings") == (5, 2, 2, 1, 0, 0)
    with engine.connect() as conn:
        topic = conn.execute(
            sa.select(schema.meetings.c.topic).where(schema.meetings.c.meeting_id == "HY-1")
        ).scalar_one()
    assert topic == "村道硬化"
    # the same inbox again: every file as an earlier run loaded it
    again = load(engine, inbox)
    assert again["files"]["loaded"] == [] and len(again["files"]["unchanged"]) == 7


def test_a_key_held_several_times_in_one_run_is_held_once(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    row = ["HY-3", "330281100201", "330281199001011236", "王五", "否", "乡贤"]
    write_csv(
        inbox / "参会签到-补.csv",
        [ATTENDANCE_HEADER, row, row, [*row[:4], "是", "乡贤"]],
    )
    report = load(engine, inbox)
    # 2 rows of known meetings; of HY-3's key, the first held, the second unchanged
    # against it, the third updated: read = inserted + updated + unchanged + held
    assert counts(report, "attendance") == (5, 2, 1, 1, 0, 1)
    with engine.connect() as conn:
        held = conn.execute(sa.select(schema.held_rows.c.row_number)).scalars().all()
    assert held == [4]
    second = hy3_arrives(engine, tmp_path)
    assert second["kinds"]["attendance"]["released"] == {"joined": 1, "rejected": 0}
    with engine.connect() as conn:
        party = conn.execute(
            sa.select(schema.attendance.c.party_member).where(
                schema.attendance.c.meeting_pk
                == sa.select(schema.meetings.c.id)
                .where(schema.meetings.c.meeting_id == "HY-3")
                .scalar_subquery()
            )
        ).scalar_one()
    assert party is True  # the last row of the key


def test_rows_whose_meeting_is_unknown_are_held_and_join_later(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    write_csv(
        inbox / "参会签到-补.csv",
        [ATTENDANCE_HEADER, ["hy-3", "330281100201", "330281199001011236", "王五", "否", "乡贤"]],
    )
    write_csv(
        inbox / "决议落实-补.csv",
        [
            RESOLUTION_HEADER,
            [
                "JY-3",
                "HY-3",
                "330281100201",
                "修桥",
                "村委会",
                "2025-06-01",
                "推进中",
                "",
                "2025-06-02",
                "",
                "",
                "",
            ],
            [
                "JY-4",
                "HY-3",
                "330281100201",
                "修渠",
                "村委会",
                "2025-04-01",
                "推进中",
                "",
                "2025-06-02",
                "",
                "",
                "",
            ],
        ],
    )
    first = load(engine, inbox)
    assert counts(first, "attendance") == (3, 2, 0, 0, 0, 1)
    assert counts(first, "resolutions") == (3, 1, 0, 0, 0, 2)
    with engine.connect() as conn:
        held = conn.execute(
            sa.select(schema.held_rows.c.kind, schema.held_rows.c.row_number).order_by(
                schema.held_rows.c.id
            )
        ).all()
    assert [tuple(r) for r in held] == [("attendance", 2), ("resolutions", 2), ("resolutions", 3)]

    second = hy3_arrives(engine, tmp_path)
    assert counts(second, "meetings") == (1, 1, 0, 0, 0, 0)
    assert second["kinds"]["attendance"]["released"] == {"joined": 1, "rejected": 0}
    # JY-4 is due before its meeting: it is rejected when it joins, in this run
    assert second["kinds"]["resolutions"]["released"] == {"joined": 1, "rejected": 1}
    assert counts(second, "attendance") == (0, 0, 0, 0, 0, 0)
    assert rejects(engine) == [("resolutions", "due_before_meeting", "due_date", "2025-04-01", 3)]
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.held_rows)).scalar() == 0
        assert conn.execute(sa.select(sa.func.count()).select_from(schema.attendance)).scalar() == 3
        ids = (
            conn.execute(
                sa.select(schema.resolution_reports.c.resolution_id).order_by(
                    schema.resolution_reports.c.resolution_id
                )
            )
            .scalars()
            .all()
        )
    assert ids == ["JY-1", "JY-3"]


def test_a_file_the_system_will_not_give_is_unreadable_and_the_run_goes_on(
    engine, tmp_path, monkeypatch
):
    inbox = base_inbox(tmp_path / "inbox")
    real = Path.read_bytes

    def refuse(path):  # as root, no file mode keeps a file from being read
        if path.name == "参会签到.csv":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    report = load(engine, inbox)
    assert report["files"]["unreadable"] == [
        {
            "path": "参会签到.csv",
            **reason("无法读取（Permission denied）", "cannot be read (Permission denied)"),
        }
    ]
    assert report["kinds"]["meetings"]["inserted"] == 2  # the other files load


def test_resolution_reports_accumulate_as_history(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    april = [
        "JY-2",
        "HY-1",
        "330281100201",
        "路灯",
        "村委会",
        "2025-05-31",
        "推进中",
        "",
        "2025-04-30",
        "",
        "",
        "",
    ]
    write_csv(inbox / "决议落实-4月.csv", [RESOLUTION_HEADER, april])
    load(engine, inbox)
    may = [*april[:6], "已落实", "2025-05-10", "2025-05-31", "88", "", ""]
    write_csv(tmp_path / "may" / "决议落实-5月.csv", [RESOLUTION_HEADER, april, may])
    report = load(engine, tmp_path / "may")
    assert counts(report, "resolutions") == (2, 1, 0, 1, 0, 0)
    t = schema.resolution_reports
    with engine.connect() as conn:
        history = conn.execute(
            sa.select(t.c.updated_on, t.c.status, t.c.completed_date)
            .where(t.c.resolution_id == "JY-2")
            .order_by(t.c.updated_on)
        ).all()
    assert [tuple(r) for r in history] == [
        (date(2025, 4, 30), "in_progress", None),
        (date(2025, 5, 31), "implemented", date(2025, 5, 10)),
    ]


def test_a_run_that_fails_half_way_leaves_the_warehouse_as_it_was(engine, tmp_path, monkeypatch):
    load(engine, base_inbox(tmp_path / "inbox"))
    before = snapshot(engine)
    later = later_files(tmp_path / "later")

    def crash(self, kind, rows):
        raise RuntimeError("disk full")

    monkeypatch.setattr(load_module.Run, "_merge", crash)
    report = run_load(engine, later, secret=SECRET, today=date(2025, 6, 30))
    assert report["status"] == "failed"
    assert report["error"] == (
        "RuntimeError: disk full (写入签到 merging attendance · 文件 file 参会签到.csv · 第 2 行 row 2)"
    )
    after = snapshot(engine)
    runs_before, runs_after = before.pop("load_runs"), after.pop("load_runs")
    assert after == before
    # the failed run is recorded after the rollback, beside the earlier runs
    assert len(runs_after) == len(runs_before) + 1 and set(runs_before) <= set(runs_after)
    monkeypatch.undo()
    retried = load(engine, later)  # nothing but the failed run's row was recorded: it all loads
    assert counts(retried, "meetings") == (1, 1, 0, 0, 0, 0)
    assert counts(retried, "attendance") == (1, 1, 0, 0, 0, 0)


def test_a_different_secret_is_refused(engine, tmp_path):
    load(engine, base_inbox(tmp_path / "inbox"))
    write_csv(tmp_path / "more" / "参会签到.csv", [ATTENDANCE_HEADER, ATTENDANCE[0]])
    report = run_load(engine, tmp_path / "more", secret=b"another", today=date(2025, 6, 30))
    assert report["status"] == "failed"
    assert report["error"].startswith("密钥与本仓库载入时所用的不同 XIESHANG_SECRET differs")


PEOPLE = [
    ("330281199001011234", "张三"),
    ("330281199001011235", "李四"),
    ("11010119850505567X", "欧阳娜娜"),
    ("11010119850505568X", "司马光明"),
]


def _pii_inbox(root):
    inbox = base_inbox(root)
    rows = [["HY-1", "330281100201", pid, name, "是", "乡贤"] for pid, name in PEOPLE[2:]]
    rows.append(
        ["HY-1", "330281100201", "11010119850505569X", "诸葛不存", "也许", "乡贤"]
    )  # rejected
    rows.append(["HY-404", "330281100201", "11010119850505570X", "上官暂存", "是", "乡贤"])  # held
    write_csv(inbox / "人员签到-gb.csv", [ATTENDANCE_HEADER, *rows], encoding="gb18030")
    people = [*PEOPLE, ("11010119850505569X", "诸葛不存"), ("11010119850505570X", "上官暂存")]
    return inbox, people


def _needles(people):
    needles = []
    for pid, name in people:
        for text in (pid, pid.lower(), name):
            needles += [text.encode("utf-8"), text.encode("gb18030"), text.encode("utf-16-le")]
    return needles


def test_no_person_id_or_name_reaches_the_sqlite_file(tmp_path):
    from xieshang.warehouse.engine import open_warehouse

    path = tmp_path / "w.sqlite"
    engine = open_warehouse(f"sqlite:///{path}")
    inbox, people = _pii_inbox(tmp_path / "inbox")
    report = load(engine, inbox)
    assert report["kinds"]["attendance"]["rejected"] == 1
    assert report["kinds"]["attendance"]["held"] == 1
    engine.dispose()
    files = [p for p in tmp_path.glob("w.sqlite*")]
    blob = b"".join(p.read_bytes() for p in files)
    assert len(blob) > 50_000
    found = [n for n in _needles(people) if n in blob]
    assert found == []
    assert "王五".encode() not in blob  # sanity: a name that never was in the input
    assert "新华社区".encode() in blob  # and the scan does see text that is stored


def test_an_unknown_header_cell_is_reported_without_a_personal_number(engine, tmp_path):
    inbox = base_inbox(tmp_path / "inbox")
    header = [*ATTENDANCE_HEADER, "填表人 13812345678 身份证110101199003077798", "备注"]
    write_csv(inbox / "参会签到.csv", [header, *(row + ["", ""] for row in ATTENDANCE)])
    report = load(engine, inbox)
    assert report["unknown_columns"] == [
        {"path": "参会签到.csv", "sheet": None, "columns": ["（已隐去 redacted）", "备注"]}
    ]
    with engine.connect() as conn:
        stored = conn.execute(sa.select(schema.load_runs.c.report)).scalars().all()
    assert "13812345678" not in "".join(stored) and "110101199003077798" not in "".join(stored)


@pytest.mark.postgres
def test_no_person_id_or_name_in_any_postgres_text_column(pg_url, tmp_path):
    from xieshang.warehouse.engine import open_warehouse

    engine = open_warehouse(pg_url)
    schema.metadata.drop_all(engine)
    schema.metadata.create_all(engine)
    inbox, people = _pii_inbox(tmp_path / "inbox")
    load(engine, inbox)
    with engine.connect() as conn:
        texts = []
        for table in schema.metadata.sorted_tables:
            for row in conn.execute(sa.select(*[sa.cast(c, sa.Text) for c in table.columns])):
                texts += [v for v in row if v is not None]
    corpus = "\n".join(texts)
    assert "新华社区" in corpus
    assert [t for pid, name in people for t in (pid, pid.lower(), name) if t in corpus] == []
    engine.dispose()


def test_a_load_that_changes_nothing_keeps_the_marts_fresh_without_a_rebuild(
    engine, tmp_path, monkeypatch
):
    from xieshang import marts

    inbox = base_inbox(tmp_path / "inbox")
    load(engine, inbox)
    rebuilt = []
    monkeypatch.setattr(marts, "refresh", lambda conn, **kw: rebuilt.append(1))
    load(engine, inbox)
    with engine.connect() as conn:
        assert marts.is_fresh(conn)
    assert rebuilt == []


def test_seconds_is_the_whole_run_the_marts_too(engine, tmp_path, monkeypatch):
    """An admin times the hourly load by `seconds` in loads.jsonl: it stopped before the
    marts were refreshed and vacuumed (0.23 s of a 0.41 s first load of three townships;
    the marts are some 70 s of a 10-county first load's 163 s)."""
    from xieshang import marts

    vacuum = marts.vacuum

    def slow_vacuum(eng):
        vacuum(eng)
        time.sleep(1.0)

    monkeypatch.setattr(marts, "vacuum", slow_vacuum)
    began = time.perf_counter()
    report = load(engine, base_inbox(tmp_path / "inbox"))
    took = time.perf_counter() - began
    assert 1.0 <= report["seconds"] <= took


def test_the_stored_report_is_bounded():
    report = empty_report("r1", "sqlite:///w.sqlite")
    report["files"]["unreadable"] = [
        {"path": f"乡镇/{i:05d}.xlsx", "reason": "坏文件 bad file " * 20} for i in range(5000)
    ]
    report["unknown_columns"] = [{"path": "a.csv", "sheet": None, "columns": ["列"] * 5000}]
    whole = json.dumps(report, ensure_ascii=False)
    assert len(whole.encode("utf-8")) > 1_000_000
    stored = json.loads(stored_json(report, 64 * 1024))
    assert len(json.dumps(stored, ensure_ascii=False).encode("utf-8")) <= 64 * 1024
    assert stored["omitted"]["unreadable"] == 5000 - len(stored["files"]["unreadable"])
    assert stored["files"]["unreadable"][0] == report["files"]["unreadable"][0]
    assert stored["kinds"] == report["kinds"]
    small = empty_report("r2", "sqlite:///w.sqlite")
    assert stored_json(small, 64 * 1024) == json.dumps(small, ensure_ascii=False)


def test_finished_at_is_when_the_marts_were_written(engine, tmp_path, monkeypatch):
    """载入记录's 完成时间: it was stamped when the rows were merged, before the marts (about
    a minute of a 10-county first load), so the list said a load had finished while its
    figures could not be seen yet."""
    from xieshang import marts

    refresh = marts.refresh

    def slow_refresh(conn):
        refresh(conn)
        time.sleep(1.0)

    monkeypatch.setattr(marts, "refresh", slow_refresh)
    load(engine, base_inbox(tmp_path / "inbox"))
    runs = schema.load_runs
    with engine.connect() as conn:
        started, finished = conn.execute(sa.select(runs.c.started_at, runs.c.finished_at)).one()
    assert (finished - started).total_seconds() >= 1.0
