"""`xieshang generate`: write a synthetic inbox for a demo county and print its report."""

from __future__ import annotations

import argparse
import json

from xieshang.cli.errors import CommandError, UsageError
from xieshang.contract import settings
from xieshang.demo.inbox import check_arguments, write_inbox


def run(args: argparse.Namespace) -> int:
    sizes = (args.townships, args.villages_per_township, args.months)
    try:
        check_arguments(*sizes, args.end, settings.today())
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.outdir.is_dir() and any(args.outdir.iterdir()):
        # files already there would be loaded with the new ones: a clean inbox made dirty
        raise UsageError(f"{args.outdir} holds files already; give a folder that is new or empty")
    try:
        report = write_inbox(
            args.outdir,
            townships=args.townships,
            villages_per_township=args.villages_per_township,
            months=args.months,
            end=args.end,
            seed=args.seed,
            dirty=args.dirty,
        )
    except OSError as exc:
        raise CommandError(
            f"cannot write an inbox in {args.outdir}: {exc.strerror or exc}; "
            "give a folder that is new or empty, where you may write"
        ) from None
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0
