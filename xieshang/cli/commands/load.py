"""`xieshang load INBOX`: run the ETL and print the run report."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine

from xieshang.cli.errors import OutputError, UsageError
from xieshang.contract import settings
from xieshang.etl.load import Progress as ProgressFn
from xieshang.etl.load import run_load
from xieshang.etl.report import render
from xieshang.metrics import quality
from xieshang.warehouse.engine import (
    check_url,
    connect_warehouse,
    open_warehouse,
    warehouse_exists,
)
from xieshang.warehouse.meta import is_demo

STAGES = {"read": "读取文件 reading files", "merge": "写入仓库 merging into the warehouse"}


@contextmanager
def terminal_progress() -> Iterator[ProgressFn]:
    """A progress bar on stderr when it is a terminal; silence otherwise."""
    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda _stage, _done, _total: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, int] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(STAGES.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        yield update


def _is_demo_warehouse(url: str) -> bool:
    """Whether the warehouse at `url` is the demo's, read without creating anything."""
    if not warehouse_exists(url):
        return False
    engine = connect_warehouse(url)
    try:
        return is_demo(engine)
    finally:
        engine.dispose()


def resolve_secret(url: str) -> bytes:
    """XIESHANG_SECRET, or the demo's own secret for the demo warehouse only (said on
    stderr). Checked before the warehouse is opened: a refused load creates nothing."""
    try:
        secret = settings.secret_from_env()
    except settings.SecretTooShort as exc:
        raise UsageError(str(exc)) from None
    if secret:
        return secret
    if _is_demo_warehouse(url):
        print(
            "xieshang: 未设置 XIESHANG_SECRET，使用演示仓库自带的密钥 XIESHANG_SECRET is not "
            "set: using the demo warehouse's own secret",
            file=sys.stderr,
        )
        return settings.demo_secret()
    raise UsageError(
        "XIESHANG_SECRET is not set 未设置密钥: set it to this deployment's secret (at least "
        f"{settings.MIN_SECRET_CHARS} characters, the key that hashes person identifiers) "
        "and run again"
    )


def run_rejects(engine: Engine, report: dict) -> list[dict]:
    """The rows the run rejected (data-contract.md: "the run report shows" them), in file,
    sheet and row order: where each is, its column and value as the file has them (a
    personal value redacted), why in both languages; none for a run that failed."""
    if report["status"] != "committed":
        return []
    rows = quality.run_rejects(engine, report["run_id"])
    return [{k: v for k, v in row.items() if k not in _NOT_SHOWN} for row in rows]


def earlier_rejects(engine: Engine, report: dict) -> list[dict]:
    """The rows still rejected of the files the run found unchanged, which it did not read
    again (their earlier reading's rejects stand), each under the path it was sent as now:
    a run of the same inbox again reported none, as though they had been fixed. As the
    submissions API's "earlier_rejects"."""
    if report["status"] != "committed" or not report["files"]["unchanged"]:
        return []
    rows = quality.unchanged_files_rejects(engine, report["run_id"])
    return [
        {**{k: v for k, v in row.items() if k not in _NOT_SHOWN + _EARLIER}, "path": row["sent_as"]}
        for row in rows
    ]


_NOT_SHOWN = ("area_code", "read_run_id")  # of quality.REJECT_FIELDS: the file says where
_EARLIER = ("sent_as", "reading")  # of quality.unchanged_files_rejects: its path is sent_as


def run(args: argparse.Namespace) -> int:
    if not args.inbox.is_dir():
        raise UsageError(f"inbox {args.inbox} is not a folder; give the folder of submitted files")
    url = settings.db_url(args.db)
    check_url(url)
    secret = resolve_secret(url)
    engine = open_warehouse(url)
    with terminal_progress() as progress:
        report = run_load(engine, args.inbox, secret=secret, progress=progress)
    unprinted = None
    try:
        report["rejects"] = run_rejects(engine, report)
        report["earlier_rejects"] = earlier_rejects(engine, report)
        if args.json:
            print(json.dumps(report, ensure_ascii=False))
        else:
            render(report, Console(width=None if sys.stdout.isatty() else 132))
        sys.stdout.flush()
    except OutputError as exc:  # the run's outcome stands: its exit code says it
        unprinted = f"its report could not be written: {exc}"
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM once the run was over
        if report["status"] != "committed":
            raise
        unprinted = "it was interrupted before its report was printed"
    if report["status"] != "committed":
        failed = f"xieshang: load failed, nothing was committed: {report.get('error')}"
        print(failed + (f"; {unprinted}" if unprinted else ""), file=sys.stderr)
        return 1
    if unprinted:
        print(
            f"xieshang: 载入已提交 the load committed (run {report['run_id']}), but "
            f"{unprinted}; 数据质量 → 载入记录 lists the run",
            file=sys.stderr,
        )
    return 0
