"""`xieshang kpi`: every figure of metrics.md for a scope and period, as one JSON object."""

from __future__ import annotations

import argparse
import json

from xieshang import metrics
from xieshang.cli.errors import CommandError, UsageError
from xieshang.cli.existing import open_existing


def run(args: argparse.Namespace) -> int:
    try:
        scope = metrics.normalize_code(args.scope)
        filters = metrics.Filters.parse(args.form, args.category, args.online)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.end < args.start:
        raise UsageError(
            f"--to {args.end} is before --from {args.start}: give the first day, then the last"
        )
    engine = open_existing(args.db)
    try:
        if metrics.root_area(engine) is None:
            raise CommandError("the warehouse has no roster yet; run `xieshang load INBOX` first")
        try:
            result = metrics.kpi_json(engine, scope, args.start, args.end, filters)
        except metrics.UnknownScope as exc:
            raise UsageError(f"--scope: {exc}") from None
    finally:
        engine.dispose()
    print(json.dumps(result, ensure_ascii=False))
    return 0
