"""`xieshang marts rebuild`: rebuild the marts from the warehouse tables.

Loads rebuild them inside their own transaction; this is for a warehouse whose marts no
longer reflect it (written by another release, or by hand), which every reader refuses.
"""

from __future__ import annotations

import argparse

from xieshang import marts
from xieshang.cli.errors import UsageError
from xieshang.cli.existing import open_existing


def run(args: argparse.Namespace) -> int:
    if args.action != "rebuild":  # pragma: no cover - argparse only offers rebuild
        raise UsageError(f"unknown marts action {args.action!r}")
    engine = open_existing(args.db)
    try:
        done = marts.rebuild(engine)
    finally:
        engine.dispose()
    before = "were up to date" if done["was_fresh"] else "were stale"
    last = f", the last run {done['last_run']}" if done["last_run"] else ""
    print(f"rebuilt the marts (they {before}): {done['loads']} committed load(s){last}")
    for table, rows in done["rows"].items():
        print(f"  {table:<28} {rows:>10,} rows")
    return 0
