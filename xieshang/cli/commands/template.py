"""`xieshang template KIND --output FILE`: a blank submission template (xieshang.template),
the areas one pre-filled with a township's rows when --township names one."""

from __future__ import annotations

import argparse
import sys

from xieshang import template
from xieshang.cli.errors import CommandError, UsageError, cannot_write
from xieshang.cli.existing import open_existing


def run(args: argparse.Namespace) -> int:
    if args.kind not in template.TEMPLATE_KINDS:
        raise UsageError(
            f"unknown template {args.kind!r}; use one of {', '.join(template.TEMPLATE_KINDS)}"
        )
    roster = None
    if args.township is not None:
        if args.kind != "areas":
            raise UsageError("--township only pre-fills the areas template")
        engine = open_existing(args.db)
        try:
            roster = template.township_roster(engine, args.township)
        except template.UnknownTownship as exc:
            raise UsageError(f"--township: {exc}") from None
        finally:
            engine.dispose()
    try:
        template.write_template(args.kind, args.output, roster)
    except OSError as exc:
        raise CommandError(cannot_write(args.output, exc)) from None
    filled = f", {len(roster)} roster rows filled in" if roster else ""
    print(f"wrote the {args.kind} template{filled} to {args.output}", file=sys.stderr)
    return 0
