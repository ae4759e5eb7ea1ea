"""`xieshang audit [--since DATE] [--user NAME] [--action A] [--format text|csv]`: the
audit log (xieshang.access.audit), oldest first, on standard output. CSV cells that a
spreadsheet would read as a formula are quoted as text (exports.safe_text)."""

from __future__ import annotations

import argparse
import csv
import json
import sys

from xieshang.access import audit
from xieshang.cli.errors import UsageError
from xieshang.cli.existing import open_existing
from xieshang.exports import safe_text

COLUMNS = ("at", "user", "action", "address", "file", "scope", "period_from", "period_to", "detail")


def _cells(entry: audit.Entry) -> list[str]:
    values = [
        entry.at.isoformat(timespec="seconds"),
        entry.user,
        entry.action,
        entry.address,
        entry.file,
        entry.scope,
        entry.period_from,
        entry.period_to,
        json.dumps(entry.detail, ensure_ascii=False, sort_keys=True) if entry.detail else None,
    ]
    return ["" if value is None else str(value) for value in values]


def run(args: argparse.Namespace) -> int:
    if args.action is not None and args.action not in audit.ACTIONS:
        raise UsageError(f"--action {args.action!r}: one of {', '.join(audit.ACTIONS)}")
    engine = open_existing(args.db)
    try:
        entries = audit.entries(engine, since=args.since, user=args.user, action=args.action)
    finally:
        engine.dispose()
    rows = [_cells(entry) for entry in reversed(entries)]
    if args.format == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([[safe_text(cell) for cell in row] for row in rows])
        return 0
    for row in rows:
        at, user, action, address, file, scope, start, end, detail = row
        parts = [at, user or "-", action, address or "-"]
        parts += [f"file={file}"] if file else []
        parts += [f"scope={scope}"] if scope else []
        parts += [f"period={start}..{end}"] if start or end else []
        parts += [detail] if detail else []
        print("  ".join(parts))
    return 0
