"""`xieshang demo`: generate a demo county (once), load it, and serve the dashboard."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from etl.load import run_load
from xieshang import settings
from xieshang.cli import CommandError
from xieshang.commands.load import terminal_progress
from xieshang.db import open_warehouse
from xieshang.demo_flag import mark_demo
from xieshang.generate import write_inbox


def run(args: argparse.Namespace) -> int:
    console = Console(stderr=True)
    inbox = settings.data_dir() / "demo-inbox"
    if not inbox.exists():
        console.print(f"生成演示数据 generating the demo county in {inbox} …")
        write_inbox(inbox)
    url = settings.default_db_url()
    engine = open_warehouse(url)
    mark_demo(engine)
    with terminal_progress() as progress:
        report = run_load(engine, inbox, secret=settings.demo_secret(), progress=progress)
    if report["status"] != "committed":
        raise CommandError(f"the demo load failed: {report.get('error')}")
    loaded = sum(k["inserted"] + k["updated"] for k in report["kinds"].values())
    print(f"演示仓库 demo warehouse: {url} ({loaded:,} rows loaded in {report['seconds']:.1f} s)")
    sys.stdout.flush()
    if args.no_serve:
        return 0
    from xieshang.commands.serve import serve

    return serve(url, "127.0.0.1", args.port)
