"""Reading and judging an inbox's files in worker processes (xieshang.etl.judge_chunks):
the same report and the same warehouse as the load's own process reading them one after
another, on SQLite and PostgreSQL, with real spawned workers; and when the workers are
not used (files of the same bytes, an error in a worker, too few bytes, none asked for).
"""

from __future__ import annotations

import gc
import hashlib
import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.helpers.inbox_files import write_csv
from tests.helpers.minimal_inbox import base_inbox
from tests.helpers.reasons import reason
from tests.test_read import NO_KEYWORD_EN, NO_KEYWORD_ZH
from xieshang.demo.inbox import write_inbox
from xieshang.etl import judge_chunks
from xieshang.etl.load import run_load
from xieshang.etl.read import file_key
from xieshang.warehouse import schema
from xieshang.warehouse.engine import open_warehouse

SECRET = b"judge-chunks-secret-0123"
TODAY = date(2025, 7, 1)
# what differs between two runs of the same inbox: their ids, times and where they wrote
RUN_FIELDS = {
    "run_id",
    "first_run_id",
    "superseded_by",
    "read_run_id",
    "started_at",
    "finished_at",
    "seconds",
    "warehouse",
    "report",
}


@pytest.fixture(scope="module")
def messy_inbox(tmp_path_factory) -> Path:
    """A dirty demo inbox (bad rows of every kind, CSV in three encodings and xlsx), with
    a file too large to read, an unreadable workbook and a CSV of no kind."""
    inbox = tmp_path_factory.mktemp("messy") / "inbox"
    write_inbox(inbox, townships=3, villages_per_township=4, months=6, end="2025-06", dirty=True)
    (inbox / "坏的会议台账.xlsx").write_bytes(b"not a workbook")
    write_csv(inbox / "说明.csv", [["备注"], ["no kind in this name"]])
    return inbox


def _rows(engine: sa.Engine) -> dict[str, list[tuple]]:
    """Every table's rows, without the columns that name the run or its time."""
    out = {}
    with engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            columns = [c for c in table.columns if c.name not in RUN_FIELDS]
            query = sa.select(*columns)
            if table is schema.meta:  # the marts' row names the run they reflect
                query = query.where(table.c.key != "marts")
            rows = conn.execute(query).all()
            out[table.name] = sorted(rows, key=repr)
    return out


def _same_parts(report: dict) -> dict:
    return {k: v for k, v in report.items() if k not in RUN_FIELDS}


def _load(
    url: str, inbox: Path, monkeypatch, workers: str, progress=None
) -> tuple[dict, sa.Engine]:
    monkeypatch.setenv("XIESHANG_READ_WORKERS", workers)
    engine = open_warehouse(url)
    return run_load(engine, inbox, secret=SECRET, today=TODAY, progress=progress), engine


def _second_url(backend: str, tmp_path: Path, request) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'second.sqlite'}"
    return request.getfixturevalue("pg_databases").create()


def test_workers_load_what_the_load_s_own_process_loads(
    db_url, backend, tmp_path, request, messy_inbox, monkeypatch
):
    used = []
    judged = judge_chunks.judged_in_runs

    def recorded(*args, **kwargs):
        runs = judged(*args, **kwargs)
        used.append(runs is not None and len(runs.runs))
        return runs

    monkeypatch.setattr(judge_chunks, "MIN_BYTES", 0)
    monkeypatch.setattr("xieshang.etl.load.judged_in_runs", recorded)
    alone, alone_engine = _load(db_url, messy_inbox, monkeypatch, "0")
    reading = []

    def progress(stage, done, total):
        if stage == "read":
            reading.append((done, total))

    shared, shared_engine = _load(
        _second_url(backend, tmp_path, request), messy_inbox, monkeypatch, "2", progress
    )
    assert used == [False, 8]  # 2 workers, 4 runs of files each
    # the files done after each of the 8 runs, then every file of the inbox
    done = [d for d, _ in reading]
    assert len(reading) == 9 and done == sorted(done) and 0 < done[0] < done[-2]
    total = reading[0][1]
    # none of the inbox's files is too large or already loaded: the workers read them all
    assert reading[-1] == (total, total) and done[-2] == total
    assert alone["status"] == shared["status"] == "committed"
    assert _same_parts(shared) == _same_parts(alone)
    assert "坏的会议台账.xlsx" in [f["path"] for f in alone["files"]["unreadable"]]
    assert {
        "path": "说明.csv",
        **reason(NO_KEYWORD_ZH, NO_KEYWORD_EN),
    } in (alone["files"]["skipped"])
    rejected = sum(kind["rejected"] for kind in alone["kinds"].values())
    assert rejected > 0 and alone["kinds"]["attendance"]["read"] > 1000
    assert _rows(shared_engine) == _rows(alone_engine)
    alone_engine.dispose()
    shared_engine.dispose()


def test_a_file_the_warehouse_holds_is_not_read_and_copies_within_an_inbox_are(
    tmp_path, messy_inbox, monkeypatch
):
    monkeypatch.setattr(judge_chunks, "MIN_BYTES", 0)
    monkeypatch.setenv("XIESHANG_READ_WORKERS", "2")
    inbox = tmp_path / "inbox"
    shutil.copytree(messy_inbox, inbox)
    paths = sorted(p.relative_to(inbox).as_posix() for p in inbox.rglob("*.csv"))
    judged = judge_chunks.judged_in_runs(inbox, paths, set(), TODAY, None, lambda n: None)
    assert judged is not None and sorted(judged.files) == paths
    # a file the warehouse holds is hashed, not read; its copy in the inbox neither
    held = judged.digests["说明.csv"]
    shutil.copy(inbox / "说明.csv", inbox / "说明二.csv")
    both = [*paths, "说明二.csv"]
    known = {file_key("说明.csv", held)}  # by its bytes and the kind its name names (none)
    judged = judge_chunks.judged_in_runs(inbox, both, known, TODAY, None, lambda n: None)
    assert judged is not None and sorted(judged.files) == sorted(set(paths) - {"说明.csv"})
    assert judged.digests["说明二.csv"] == held and sorted(judged.digests) == sorted(both)
    # two copies to read: both read, as the load itself reads them
    judged = judge_chunks.judged_in_runs(inbox, both, set(), TODAY, None, lambda n: None)
    assert judged is not None and sorted(judged.files) == sorted(both)


def _changed_after_the_workers(monkeypatch, change) -> None:
    """`change(inbox)` once the workers have read the inbox, before the load goes through
    their results file by file (a file an office saves, copies in or takes back meanwhile:
    a city's workers read for minutes)."""
    judged = judge_chunks.judged_in_runs

    def then_changed(inbox, *args, **kwargs):
        runs = judged(inbox, *args, **kwargs)
        assert runs is not None
        change(inbox)
        return runs

    monkeypatch.setattr(judge_chunks, "MIN_BYTES", 0)
    monkeypatch.setattr("xieshang.etl.load.judged_in_runs", then_changed)


@pytest.mark.parametrize("change", ["emptied", "removed"])
def test_a_file_changed_after_the_workers_read_it_is_what_they_read(tmp_path, monkeypatch, change):
    """Its rows loaded, it was listed unreadable (empty, or the system would not give it)
    and recorded without its bytes' hash."""
    inbox = base_inbox(tmp_path / "inbox")
    meetings = inbox / "会议台账.csv"
    digest = hashlib.sha256(meetings.read_bytes()).hexdigest()
    if change == "emptied":
        _changed_after_the_workers(monkeypatch, lambda _: meetings.write_bytes(b""))
    else:
        _changed_after_the_workers(monkeypatch, lambda _: meetings.unlink())
    report, engine = _load(f"sqlite:///{tmp_path / 'w.sqlite'}", inbox, monkeypatch, "2")
    assert report["status"] == "committed"
    assert (report["files"]["loaded"], report["files"]["unreadable"]) == (
        ["会议台账.csv", "决议落实.csv", "区划名册.csv", "参会签到.csv"],
        [],
    )
    assert report["kinds"]["meetings"]["inserted"] == 2
    files = schema.load_files
    with engine.connect() as conn:
        recorded = conn.execute(
            sa.select(files.c.status, files.c.sha256).where(files.c.path == "会议台账.csv")
        ).one()
    assert tuple(recorded) == ("loaded", digest)
    engine.dispose()


def test_a_file_filled_after_the_workers_found_it_empty_is_empty_this_run(tmp_path, monkeypatch):
    """The load failed as a whole ("KeyError: '会议台账.csv'"): the file, empty when the
    workers were given the inbox, was given none, and had bytes when the load came to it
    (a file being copied into the inbox)."""
    inbox = base_inbox(tmp_path / "inbox")
    meetings = inbox / "会议台账.csv"
    content = meetings.read_bytes()
    meetings.write_bytes(b"")
    _changed_after_the_workers(monkeypatch, lambda _: meetings.write_bytes(content))
    report, engine = _load(f"sqlite:///{tmp_path / 'w.sqlite'}", inbox, monkeypatch, "2")
    assert report["status"] == "committed", report.get("error")
    assert report["files"]["unreadable"] == [
        {"path": "会议台账.csv", **reason("空文件（0字节）", "the file is empty (0 bytes)")}
    ]
    assert report["kinds"]["meetings"]["read"] == 0
    # the next run reads it
    again = run_load(engine, inbox, secret=SECRET, today=TODAY)
    assert again["files"]["loaded"] == ["会议台账.csv"]
    assert again["kinds"]["meetings"]["inserted"] == 2
    engine.dispose()


def test_an_error_in_a_worker_leaves_the_files_to_the_load(messy_inbox, monkeypatch):
    monkeypatch.setattr(judge_chunks, "MIN_BYTES", 0)
    monkeypatch.setenv("XIESHANG_READ_WORKERS", "2")
    paths = sorted(p.relative_to(messy_inbox).as_posix() for p in messy_inbox.rglob("*.csv"))
    # a day that is no date: judging the first row raises, in the worker
    runs = judge_chunks.judged_in_runs(
        messy_inbox, paths, set(), "2025-07-01", None, lambda n: None
    )
    assert runs is None
    ok = judge_chunks.judged_in_runs(messy_inbox, paths, set(), TODAY, None, lambda n: None)
    assert ok is not None and sorted(ok.files) == sorted(ok.digests) == paths


def test_the_collector_is_paused_while_the_runs_come_back_then_as_it_was(messy_inbox, monkeypatch):
    """The load's own process pauses Python's cyclic collector while the workers' runs
    come back (told by `progress`, as each does) and leaves it as it found it: on, after
    runs judged or a worker's error; off, when it was off."""
    monkeypatch.setattr(judge_chunks, "MIN_BYTES", 0)
    monkeypatch.setenv("XIESHANG_READ_WORKERS", "2")
    paths = sorted(p.relative_to(messy_inbox).as_posix() for p in messy_inbox.rglob("*.csv"))
    seen: list[bool] = []
    assert gc.isenabled()
    judged = judge_chunks.judged_in_runs(
        messy_inbox, paths, set(), TODAY, None, lambda n: seen.append(gc.isenabled())
    )
    assert judged is not None and len(seen) == len(judged.runs) > 1 and not any(seen)
    assert gc.isenabled()
    failed = judge_chunks.judged_in_runs(
        messy_inbox, paths, set(), "2025-07-01", None, lambda n: None
    )
    assert failed is None and gc.isenabled()
    gc.disable()
    try:
        judge_chunks.judged_in_runs(messy_inbox, paths, set(), TODAY, None, lambda n: None)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_no_workers_for_few_bytes_or_when_none_are_asked_for(messy_inbox, monkeypatch):
    paths = sorted(p.relative_to(messy_inbox).as_posix() for p in messy_inbox.rglob("*.csv"))
    monkeypatch.setenv("XIESHANG_READ_WORKERS", "2")
    assert (
        judge_chunks.judged_in_runs(messy_inbox, paths, set(), TODAY, None, lambda n: None) is None
    )
    monkeypatch.setattr(judge_chunks, "MIN_BYTES", 0)
    monkeypatch.setenv("XIESHANG_READ_WORKERS", "0")
    assert (
        judge_chunks.judged_in_runs(messy_inbox, paths, set(), TODAY, None, lambda n: None) is None
    )


def test_runs_are_consecutive_files_of_about_equal_bytes():
    sizes = {"a": 10, "b": 10, "c": 30, "d": 5, "e": 5}
    assert judge_chunks._runs(list("abcde"), sizes, 2) == [["a", "b", "c"], ["d", "e"]]
    assert judge_chunks._runs(list("abcde"), sizes, 3) == [["a", "b"], ["c"], ["d", "e"]]
    assert judge_chunks._runs(["a"], sizes, 4) == [["a"]]
