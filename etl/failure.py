"""Why a run failed, in one line: what went wrong and where the run was — the stage, and
the file, sheet and row where known — never the SQL a driver prints with its error."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.exc import StatementError

from xieshang.etl.pii import SecretMismatch
from xieshang.warehouse.engine import SchemaVersionError, WarehouseError

MAX_MESSAGE_CHARS = 300
NAMED_FILES = 3  # a merge over more files names the first few and counts the rest
SOURCE = {"_path", "_sheet", "_row"}  # where each row being merged was read

STAGES = {
    "start": "开始 starting",
    "read": "读取 reading",
    "lock": "等待其他导入结束 waiting for another load to end",
    "secret": "核对密钥 checking the secret",
    "areas": "写入区划 merging areas",
    "meetings": "写入会议 merging meetings",
    "attendance": "写入签到 merging attendance",
    "resolutions": "写入决议 merging resolutions",
    "record": "记录本次导入 recording the run",
    "marts": "刷新汇总表 refreshing the marts",
}


@dataclass
class Position:
    """Where a run is, kept up to date as it reads each file and sheet and merges each
    kind, so that an error can be attributed. A merge keeps its rows and names their files
    only when asked (after a failure): a run that succeeds pays nothing for it."""

    stage: str = "start"
    path: str | None = None
    sheet: str | None = None
    rows: pd.DataFrame | None = None  # the rows being merged (with _path, _sheet, _row)

    def at(self, stage: str, path: str | None = None, sheet: str | None = None) -> None:
        self.stage, self.path, self.sheet, self.rows = stage, path, sheet, None

    def merging(self, kind: str, rows: pd.DataFrame) -> None:
        self.stage, self.path, self.sheet, self.rows = kind, None, None, rows

    def describe(self) -> str:
        parts = [STAGES.get(self.stage, self.stage)]
        if self.path is not None:
            parts.append(_file(self.path, self.sheet))
        elif self.rows is not None and len(self.rows) and SOURCE.issubset(self.rows.columns):
            parts.extend(_merged_files(self.rows))
        return " · ".join(parts)


def _file(path: str, sheet: str | None) -> str:
    return f"文件 file {path}" + (f" · 工作表 sheet {sheet}" if sheet else "")


def _merged_files(rows: pd.DataFrame) -> list[str]:
    sources = rows[["_path", "_sheet"]].astype(object)
    sources = sources.where(sources.notna(), None).drop_duplicates()
    pairs = list(sources.itertuples(index=False, name=None))
    if len(pairs) == 1:
        named = [_file(*pairs[0])]
        if len(rows) == 1:
            row = int(rows["_row"].iloc[0])
            named.append(f"第 {row} 行 row {row}")
        return named
    paths = list(dict.fromkeys(path for path, _ in pairs))
    shown = ", ".join(paths[:NAMED_FILES]) + (" …" if len(paths) > NAMED_FILES else "")
    return [f"{len(paths)} 个文件 files: {shown}"]


# errors whose message is written for the person who reads it (what is wrong, what to do):
# shown as they are, where another error keeps its class name for whoever looks into it
TOLD = (SecretMismatch, SchemaVersionError, WarehouseError)


# what to do about what the database server ended a run for (SQLSTATE): its settings or
# its state, not the inbox; the driver's message names the error, not the fix
_ENDED = (
    "服务器断开了连接 the server ended the connection (pg_terminate_backend, a restart): "
    "nothing was committed; run again"
)
SERVER_FIXES = {
    "57014": "语句超时或被取消 a statement ran past the server's statement_timeout or was "
    "cancelled: set statement_timeout to 0 for the loading user (ALTER ROLE … SET "
    "statement_timeout = 0) and run again",
    "25P03": "事务空闲超时 the server's idle_in_transaction_session_timeout ended the run "
    "between two statements: set it to 0 for the loading user (ALTER ROLE … SET "
    "idle_in_transaction_session_timeout = 0) and run again",
    "55P03": "另一个会话占着要写的表（如 pg_dump 备份、另一次导入）another session held the "
    "tables this run writes (a pg_dump, another load) past the wait: run again once it ends",
    "53100": "数据库服务器磁盘已满 the database server's disk is full: free space on it (or "
    "give it more), then run again",
    "25006": "数据库只读（流复制副本或只读角色）the database is read-only (a streaming replica, "
    "or a read-only role): give --db (or XIESHANG_DB) the primary's URL",
    "57P01": _ENDED,
    "57P02": _ENDED,
    "08000": _ENDED,
    "08003": _ENDED,
    "08006": _ENDED,
}
LOST = "the connection is lost"  # psycopg's words for a connection gone without a SQLSTATE


def one_line(exc: BaseException) -> str:
    """`Type: message` of an error, on one line and short (the message alone of those
    `TOLD`); of a database error, the driver's own error without the statement and
    parameters SQLAlchemy adds, and what to do when the server ended the run
    (`SERVER_FIXES`)."""
    cause = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    lines = str(cause).strip().splitlines()
    message = " ".join(lines[0].split()) if lines else ""
    if len(message) > MAX_MESSAGE_CHARS:
        message = message[: MAX_MESSAGE_CHARS - 1] + "…"
    name = type(cause).__name__
    if isinstance(cause, TOLD) and message:
        return message
    line = f"{name}: {message}" if message else name
    fix = SERVER_FIXES.get(getattr(cause, "sqlstate", None) or "")
    if fix is None and message == LOST:
        fix = _ENDED
    return f"{line} — {fix}" if fix else line


def describe_failure(exc: BaseException, position: Position) -> str:
    """The run report's `error`: the error and where the run was."""
    return f"{one_line(exc)} ({position.describe()})"
