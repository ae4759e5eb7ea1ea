"""The run report of interfaces.md: its JSON shape and its human table."""

from __future__ import annotations

import copy
import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from xieshang.contract.columns import LOAD_ORDER

OUTCOMES = ("read", "inserted", "updated", "unchanged", "rejected", "held")
HEADERS = (
    "读取 read",
    "新增 inserted",
    "更新 updated",
    "未变 unchanged",
    "拒收 rejected",
    "暂存 held",
    "释放 released",
)
MOST_REJECTS_SHOWN = 20  # the human report's; the JSON, the dashboard and its CSV list all
KIND_SHORT = {
    "areas": "区划 areas",
    "meetings": "会议 meetings",
    "attendance": "签到 attendance",
    "resolutions": "决议 resolutions",
}


def empty_report(run_id: str, warehouse: str) -> dict:
    """The report of a run that has not loaded anything yet; `warehouse` is the URL of the
    warehouse it writes, its password hidden."""
    return {
        "run_id": run_id,
        "status": "failed",
        "seconds": 0.0,
        "warehouse": warehouse,
        "files": {"loaded": [], "unchanged": [], "skipped": [], "unreadable": []},
        "sheets_skipped": [],
        "unknown_columns": [],
        "warnings": [],  # about the warehouse as the run leaves it (load._roster_warnings)
        "kinds": {
            kind: {**dict.fromkeys(OUTCOMES, 0), "released": {"joined": 0, "rejected": 0}}
            for kind in LOAD_ORDER
        },
    }


def failed_report(report: dict, error: str) -> dict:
    """The report of a run that committed nothing: what it found in the inbox stays
    (files unchanged, skipped and unreadable, sheets skipped, unknown columns), but no file
    counts as loaded and every count is 0, so `read = inserted + … + held` still holds;
    `error` says why in one line."""
    nothing = empty_report(report["run_id"], report["warehouse"])
    files = {**report["files"], "loaded": []}
    return {
        **report,
        "status": "failed",
        "error": error,
        "files": files,
        "kinds": nothing["kinds"],
        "warnings": [],  # of a warehouse the rollback undid
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
    console.print(
        f"仓库 warehouse: {report['warehouse']}", markup=False, highlight=False, soft_wrap=True
    )
    if report.get("error"):
        console.print(
            f"错误 error: {report['error']}", markup=False, highlight=False, soft_wrap=True
        )
    table = Table(
        title="按类型计数 rows by kind (释放 = 早先暂存的行本次关联/拒收 joined/rejected)"
    )
    table.add_column("类型 kind")
    for name in HEADERS:
        table.add_column(name, justify="right")
    for kind, counts in report["kinds"].items():
        released = counts["released"]
        table.add_row(
            KIND_SHORT[kind],
            *(f"{counts[o]:,}" for o in OUTCOMES),
            f"{released['joined']:,}/{released['rejected']:,}",
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
            (
                "未知列 unknown columns",
                f"{u['path']}" + (f" [{u['sheet']}]" if u["sheet"] else ""),
                "、".join(u["columns"]),
            )
            for u in report["unknown_columns"]
        ),
    ]
    if problems:
        attention = Table(title="需要注意的文件 files needing attention")
        for name in ("", "文件 file", "原因 reason"):
            attention.add_column(name)
        for row in problems:
            attention.add_row(*map(Text, row))
        console.print(attention)
    for warning in report.get("warnings", []):
        console.print(
            f"注意 warning: {warning['reason']}", markup=False, highlight=False, soft_wrap=True
        )
    _render_rejects(report.get("rejects", []), console)
    earlier = report.get("earlier_rejects", [])
    if earlier:
        console.print(
            f"未变文件中仍有 {len(earlier):,} 行拒收待修改 {len(earlier):,} rows rejected "
            "earlier in the files found unchanged still await their fix: --json lists them, "
            "as do the dashboard's 数据质量 page and /download/rejects.csv",
            markup=False,
            highlight=False,
        )


def _render_rejects(rejects: list[dict], console: Console) -> None:
    """The first rows the run rejected, each with where it is and why; how to see all."""
    if not rejects:
        return
    table = Table(title="拒收的行 rejected rows")
    for name in ("文件 file", "行 row", "列 column", "值 value", "原因 reason"):
        table.add_column(name)
    for r in rejects[:MOST_REJECTS_SHOWN]:
        cells = (
            r["path"] + (f" [{r['sheet']}]" if r["sheet"] else ""),
            str(r["row_number"]),
            r["header"] or r["column_name"] or "",
            r["value"] or "",
            r["reason_zh"],
        )
        table.add_row(*map(Text, cells))  # an office's text as written, never read as markup
    console.print(table)
    if len(rejects) > MOST_REJECTS_SHOWN:
        console.print(
            f"另有 {len(rejects) - MOST_REJECTS_SHOWN:,} 行未列出 and "
            f"{len(rejects) - MOST_REJECTS_SHOWN:,} more: --json lists them all, as do the "
            "dashboard's 数据质量 page and /download/rejects.csv",
            markup=False,
            highlight=False,
        )


_LISTS = (
    ("files", "loaded"),
    ("files", "unchanged"),
    ("files", "skipped"),
    ("files", "unreadable"),
    (None, "sheets_skipped"),
    (None, "unknown_columns"),
)


def stored_json(report: dict, max_bytes: int) -> str:
    """The report as load_runs stores it: as is when it fits `max_bytes`, else with each
    list cut to what fits and `"omitted"` counting what was cut (a hostile inbox of
    thousands of odd files must not store megabytes per run; the counts stay whole)."""
    text = json.dumps(report, ensure_ascii=False)
    keep = 1000
    while len(text.encode("utf-8")) > max_bytes and keep:
        keep //= 4
        short = copy.deepcopy(report)
        omitted = {}
        for outer, key in _LISTS:
            holder = short[outer] if outer else short
            items = holder.get(key) or []
            if len(items) > keep:
                omitted[key] = len(items) - keep
                holder[key] = items[:keep]
        if "unknown_columns" in short:
            short["unknown_columns"] = [
                {**u, "columns": u["columns"][:keep]} for u in short["unknown_columns"]
            ]
        short["error"] = (short.get("error") or "")[:1000] or report.get("error")
        short["omitted"] = omitted
        text = json.dumps(short, ensure_ascii=False)
    return text
