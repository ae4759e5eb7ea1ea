"""`xieshang demo`: generate a demo county (once), load it, and serve the dashboard.

The demo county is generated with `--dirty`: real ledgers carry bad and early rows, and
the 数据质量 page should have something to show. It goes into the default embedded
warehouse (interfaces.md), hashed with the demo's own secret, and never into one that
holds data of a real load."""

from __future__ import annotations

import argparse
import sys

from rich.console import Console

from xieshang.cli.commands.load import terminal_progress
from xieshang.cli.errors import CommandError
from xieshang.contract import settings
from xieshang.demo.inbox import write_inbox
from xieshang.etl.load import run_load
from xieshang.warehouse.engine import open_warehouse
from xieshang.warehouse.meta import mark_demo


def run(args: argparse.Namespace) -> int:
    console = Console(stderr=True)
    url = settings.default_db_url()
    engine = open_warehouse(url)
    if not mark_demo(engine):
        raise CommandError(
            f"默认仓库已有正式数据 the default warehouse {url} holds data loaded with "
            "`xieshang load`, and the demo never writes into it: run the demo with "
            "XIESHANG_HOME set to another folder"
        )
    inbox = settings.data_dir() / "demo-inbox"
    if not inbox.exists():
        console.print(f"生成演示数据 generating the demo county in {inbox} …")
        write_inbox(inbox, dirty=True)
    with terminal_progress() as progress:
        report = run_load(engine, inbox, secret=settings.demo_secret(), progress=progress)
    if report["status"] != "committed":
        raise CommandError(f"the demo load failed: {report.get('error')}")
    kinds = report["kinds"].values()
    loaded = sum(k["inserted"] + k["updated"] for k in kinds)
    rejected = sum(k["rejected"] + k["released"]["rejected"] for k in kinds)
    held = sum(k["held"] for k in kinds)
    if report["files"]["loaded"]:
        print(
            f"演示仓库 demo warehouse: {url} ({loaded:,} rows loaded, {rejected:,} rejected, "
            f"{held:,} held, in {report['seconds']:.1f} s; 数据质量 lists them)"
        )
    else:  # run again: "0 rejected" would say the demo has none to show
        print(
            f"演示仓库已载入 demo warehouse: {url} (loaded before, its files unchanged; "
            "数据质量 lists its rejected and held rows)"
        )
    sys.stdout.flush()
    if args.no_serve:
        return 0
    from xieshang.cli.commands.serve import serve

    return serve(url, "127.0.0.1", args.port, auth=False)  # a laptop: the banner says so
