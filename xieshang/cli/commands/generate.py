"""`xieshang generate`: write a synthetic inbox for a demo county and print its report."""

from __future__ import annotations

import argparse
import json

from xieshang.cli.errors import UsageError
from xieshang.demo.inbox import write_inbox


def run(args: argparse.Namespace) -> int:
    if args.townships < 1 or args.villages_per_township < 1 or args.months < 1:
        raise UsageError("--townships, --villages-per-township and --months must be at least 1")
    report = write_inbox(
        args.outdir,
        townships=args.townships,
        villages_per_township=args.villages_per_township,
        months=args.months,
        end=args.end,
        seed=args.seed,
        dirty=args.dirty,
    )
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0
