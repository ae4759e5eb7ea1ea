"""`xieshang status --month YYYY-MM [--scope CODE] [--format text|csv]`: 报送情况, who has
submitted what for a month (xieshang.metrics.submissions). Text: one line per unit, one
column per kind; CSV: one line per unit × kind, cells that a spreadsheet would read as a
formula quoted as text (exports.safe_text). A month outside the data prints its note
instead of a grid (on stderr for CSV, whose output stays a table)."""

from __future__ import annotations

import argparse
import csv
import io
import sys

from xieshang import metrics
from xieshang.cli.errors import UsageError
from xieshang.cli.existing import open_existing
from xieshang.cli.text_table import text_table
from xieshang.etl.report import KIND_SHORT
from xieshang.exports import CODE_END, safe_text
from xieshang.metrics.submissions import GRID_KINDS, Status, parse_month, submission_status

CSV_COLUMNS = (
    "area_code",
    "area_name",
    "kind",
    "state",
    "received_at",
    "accepted",
    "rejected",
    "held",
)


def _cell(row: dict) -> str:
    """ "已报送 12-03 · 59/2" (accepted/rejected) when rows came, "已报送·待匹配会议 12-03 ·
    暂存 3" when they all wait for their meeting, else the state alone."""
    if row["received_at"] is None:
        return row["state_zh"]
    when = f"{row['state_zh']} {row['received_at']:%m-%d}"
    if row["state"] == "held":
        return f"{when} · 暂存 {row['held']}"
    return f"{when} · {row['accepted']}/{row['rejected']}"


def _grid(status: Status) -> list[list[str]]:
    lines = [["区划代码 code", "名称 name", *(KIND_SHORT[kind] for kind in GRID_KINDS)]]
    by_unit: dict[str, list[str]] = {}
    for row in status.rows:
        line = by_unit.get(row["area_code"])
        if line is None:
            line = by_unit[row["area_code"]] = [row["area_code"], row["area_name"]]
            lines.append(line)
        line.append(_cell(row))
    return lines


def _csv(status: Status) -> None:
    # UTF-8 with a BOM, as every CSV export (metrics.md), whatever the console's encoding
    # (a GBK one could not write the BOM): Excel on a Chinese-locale Windows opens the
    # saved output as UTF-8
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in status.rows:
        at = row["received_at"]
        values = {**row, "received_at": at.isoformat(timespec="seconds") if at else ""}
        # the area code ending in a tab, as the assessment's: Excel keeps its 12 digits
        writer.writerow(
            [safe_text(values[n]) + (CODE_END if n == "area_code" else "") for n in CSV_COLUMNS]
        )
    sys.stdout.flush()
    sys.stdout.buffer.write(("\ufeff" + text.getvalue()).encode("utf-8"))
    sys.stdout.buffer.flush()


def run(args: argparse.Namespace) -> int:
    try:
        parse_month(args.month)
    except ValueError as exc:
        raise UsageError(f"--month: {exc}") from None
    try:
        scope = metrics.normalize_code(args.scope) if args.scope else None
    except ValueError as exc:
        raise UsageError(f"--scope: {exc}") from None
    engine = open_existing(args.db)
    try:
        try:
            status = submission_status(engine, args.month, scope)
        except metrics.UnknownScope as exc:
            raise UsageError(f"--scope: {exc}") from None
        info = metrics.area_info(engine, status.scope) if status.scope else None
    finally:
        engine.dispose()
    if args.format == "csv":
        _csv(status)
        if status.note:
            print(f"xieshang: {status.note}", file=sys.stderr)
        return 0
    if status.note:
        print(status.note)
        return 0
    name = f"{info['area_name']} {status.scope}" if info else status.scope
    print(f"报送情况 submissions {status.month} · {name}")
    print(text_table(_grid(status)))
    return 0
