"""`xieshang export assessment`: the assessment table of metrics.md as CSV or xlsx, and a
row in the audit log for it. The file goes to --output as given; a period with nothing
to rank (before the data begin, say) is refused, as the dashboard refuses it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xieshang import exports, metrics
from xieshang.cli.errors import CommandError, UsageError, cannot_write
from xieshang.cli.existing import open_existing
from xieshang.cli.exported import record_export
from xieshang.metrics import catalog
from xieshang.metrics.assessment import WeightsError, assessment, load_weights


def _record(engine, args: argparse.Namespace, result) -> None:
    """The export's audit row: the operating-system user who ran it, the file, the
    scope and period (xieshang.access.audit)."""
    record_export(
        engine,
        Path(args.output),
        scope=result.scope,
        period_from=result.start,
        period_to=result.end,
        detail={"by": "xieshang export", "format": args.format, "level": args.level},
    )


def _nothing_to_rank(engine, result) -> str:
    if exports.after_the_data(result):
        return (
            f"nothing to rank from {result.start} to {result.end}: it begins after the last "
            f"load ({result.as_of}); choose a period with data"
        )
    first = catalog.first_meeting_day(engine)
    begin = f" (the data begin in {first:%Y-%m})" if first else ""
    return (
        f"nothing to rank from {result.start} to {result.end}{begin}: no {result.level} held "
        "a meeting or had a resolution due, overdue or scored; choose a period with data"
    )


def run(args: argparse.Namespace) -> int:
    if args.what != "assessment":  # pragma: no cover - argparse only offers assessment
        raise UsageError(f"unknown export {args.what!r}")
    if args.end < args.start:
        raise UsageError(
            f"--to {args.end} is before --from {args.start}: give the first day, then the last"
        )
    if args.level == "village" and not args.within:
        raise UsageError("--level village needs --within TOWNSHIP_CODE")
    if args.headers != "machine" and args.format != "csv":
        raise UsageError("--headers applies to --format csv only")
    if args.lang != "zh" and args.format != "xlsx":
        raise UsageError("--lang applies to --format xlsx only")
    within = None
    if args.within:
        try:
            within = metrics.normalize_code(args.within)
        except ValueError as exc:
            raise UsageError(f"--within: {exc}") from None
    weights, source = None, None
    if args.weights is not None:
        try:
            weights = load_weights(args.weights)
        except WeightsError as exc:
            raise UsageError(f"--weights: {exc}") from None
        source = str(args.weights)
    engine = open_existing(args.db)
    try:
        if metrics.root_area(engine) is None:
            raise CommandError("the warehouse has no roster yet; run `xieshang load INBOX` first")
        try:
            result = assessment(
                engine, args.level, within, args.start, args.end, weights, weights_source=source
            )
        except metrics.UnknownScope as exc:
            raise UsageError(f"--within: {exc}") from None
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        if not exports.has_data(result):
            raise CommandError(_nothing_to_rank(engine, result))
        try:
            if args.format == "csv":
                exports.write_assessment_csv(result, args.output, headers=args.headers)
            else:
                exports.write_assessment_xlsx(result, args.output, lang=args.lang)
        except OSError as exc:
            raise CommandError(cannot_write(args.output, exc)) from None
        _record(engine, args, result)
    finally:
        engine.dispose()
    print(
        f"wrote {len(result.rows)} {args.level} rows ({result.scope} {result.scope_name}, "
        f"{result.start}–{result.end}, as of {result.as_of}) to {args.output}",
        file=sys.stderr,
    )
    return 0
