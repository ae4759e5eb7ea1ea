"""The warehouse a command that reads it opens: one that is already there."""

from __future__ import annotations

from sqlalchemy import Engine

from xieshang.cli.errors import CommandError
from xieshang.contract.settings import db_url
from xieshang.warehouse.engine import check_url, open_warehouse, warehouse_exists


def open_existing(db: str | None) -> Engine:
    """The warehouse at --db (or XIESHANG_DB, or the embedded default). A SQLite URL that
    names no file — a typo in --db, a new machine — is refused: opening it would create an
    empty warehouse there, and the command would answer from nothing."""
    url = db_url(db)
    if not warehouse_exists(url):
        raise CommandError(
            f"没有仓库文件 there is no warehouse file at {check_url(url).database}: check "
            "--db / XIESHANG_DB, or run `xieshang load INBOX` first"
        )
    return open_warehouse(url)
