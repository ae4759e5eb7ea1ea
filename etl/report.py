"""The run report of interfaces.md: its JSON shape and its human table."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from xieshang.contract import KIND_LABELS, LOAD_ORDER

OUTCOMES = ("read", "inserted", "updated", "unchanged", "rejected", "held")


def empty_report(run_id: str) -> dict:
    return {
        "run_id": run_id,
        "status": "failed",
        "seconds": 0.0,
        "files": {"loaded": [], "unchanged": [], "skipped": [], "unreadable": []},
        "sheets_skipped": [],
        "unknown_columns": [],
        "kinds": {
            kind: {**dict.fromkeys(OUTCOMES, 0), "released": {"joined": 0, "rejected": 0}}
            for kind in LOAD_ORDER
        },
    }


def render(report: dict, console: Console) -> None:
    """Print the report as tables: counts by kind, then the files that need attention."""
    files = report["files"]
    status = "已提交 committed" if report["status"] == "committed" else "失败 failed"
    console.print(
        f"导入 load run {report['run_id']} · {status} · {report['seconds']:.2f} s · "
        f"文件 files: {len(files['loaded'])} 已读 loaded, {len(files['unchanged'])} 未变 unchanged, "
        f"{len(files['skipped'])} 跳过 skipped, {len(files['unreadable'])} 无法读取 unreadable"
    )
    if report.get("error"):
        console.print(f"错误 error: {report['error']}")
    table = Table(title="按类型计数 rows by kind")
    table.add_column("类型 kind")
    for name in (*OUTCOMES, "released joined", "released rejected"):
        table.add_column(name, justify="right")
    for kind, counts in report["kinds"].items():
        table.add_row(
            f"{KIND_LABELS[kind]} {kind}",
            *(f"{counts[o]:,}" for o in OUTCOMES),
            f"{counts['released']['joined']:,}",
            f"{counts['released']['rejected']:,}",
        )
    console.print(table)
    problems = [
        *(("跳过 skipped", f["path"], f["reason"]) for f in files["skipped"]),
        *(("无法读取 unreadable", f["path"], f["reason"]) for f in files["unreadable"]),
        *(
            ("工作表跳过 sheet skipped", f"{s['path']} [{s['sheet']}]", s["reason"])
            for s in report["sheets_skipped"]
        ),
        *(
            ("未知列 unknown columns", f"{u['path']}" + (f" [{u['sheet']}]" if u["sheet"] else ""),
             "、".join(u["columns"]))
            for u in report["unknown_columns"]
        ),
    ]
    if problems:
        attention = Table(title="需要注意的文件 files needing attention")
        for name in ("", "文件 file", "原因 reason"):
            attention.add_column(name)
        for row in problems:
            attention.add_row(*row)
        console.print(attention)
