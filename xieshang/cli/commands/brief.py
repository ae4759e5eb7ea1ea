"""`xieshang brief --scope CODE --month YYYY-MM --format pdf|docx --output FILE`: the
monthly brief (工作简报) of a scope (xieshang.brief), and a row in the audit log for it."""

from __future__ import annotations

import argparse
import sys

from xieshang import brief, metrics
from xieshang.cli.errors import CommandError, UsageError, cannot_write
from xieshang.cli.existing import open_existing
from xieshang.cli.exported import record_export
from xieshang.metrics.submissions import parse_month


def run(args: argparse.Namespace) -> int:
    try:
        parse_month(args.month)
    except ValueError as exc:
        raise UsageError(f"--month: {exc}") from None
    try:
        scope = metrics.normalize_code(args.scope)
    except ValueError as exc:
        raise UsageError(f"--scope: {exc}") from None
    engine = open_existing(args.db)
    try:
        if metrics.root_area(engine) is None:
            raise CommandError("the warehouse has no roster yet; run `xieshang load INBOX` first")
        try:
            made = brief.build_brief(engine, scope, args.month)
        except metrics.UnknownScope as exc:
            raise UsageError(f"--scope: {exc}") from None
        except brief.NoBrief as exc:
            raise CommandError(str(exc)) from None
        try:
            content = brief.render(made, args.format)
        except brief.NoCjkFont as exc:
            raise CommandError(str(exc)) from None
        try:
            args.output.write_bytes(content)
        except OSError as exc:
            raise CommandError(cannot_write(args.output, exc)) from None
        record_export(
            engine,
            args.output,
            scope=made.scope,
            period_from=made.start,
            period_to=made.end,
            detail={"by": "xieshang brief", "format": args.format},
        )
    finally:
        engine.dispose()
    print(
        f"wrote the {made.month} brief of {made.scope} {made.scope_name} "
        f"(as of {made.as_of}) to {args.output}",
        file=sys.stderr,
    )
    return 0
