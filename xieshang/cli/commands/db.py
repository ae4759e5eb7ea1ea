"""`xieshang db upgrade [--db URL]`: bring the warehouse to this release's schema with
Alembic (xieshang.warehouse.migrations), before the new release's app servers start.

It connects without `open_warehouse`, whose `ensure_schema` would itself upgrade an
older warehouse in place; an empty server database is created at this release's schema.
"""

from __future__ import annotations

import argparse

from xieshang.cli.errors import CommandError, UsageError
from xieshang.contract.settings import db_url
from xieshang.warehouse import migrations
from xieshang.warehouse.engine import (
    SchemaVersionError,
    check_url,
    connect_warehouse,
    warehouse_exists,
)


def _state(version: int | None, revision: str | None) -> str:
    if version is None:
        return "空库 empty"
    return f"schema {version} ({revision or '未经 Alembic not under Alembic'})"


def run(args: argparse.Namespace) -> int:
    if args.action != "upgrade":  # pragma: no cover - argparse only offers upgrade
        raise UsageError(f"unknown db action {args.action!r}")
    url = db_url(args.db)
    if not warehouse_exists(url):
        raise CommandError(
            f"没有仓库文件 there is no warehouse file at {check_url(url).database}: nothing to "
            "upgrade; check --db / XIESHANG_DB (`xieshang load` creates a new warehouse)"
        )
    engine = connect_warehouse(url)
    try:
        done = migrations.upgrade(engine)
    except SchemaVersionError as exc:
        raise CommandError(str(exc)) from None
    finally:
        engine.dispose()
    after = _state(done.schema_after, done.revision_after)
    if done.stamped_only:
        print(
            f"仓库结构已是最新，仅记入 Alembic 版本 the warehouse was already schema "
            f"{done.schema_after} (this release brought it up to date when it first opened "
            f"it): only its Alembic revision was recorded, {after}"
        )
    elif done.changed:
        print(
            f"仓库结构已升级 upgraded the warehouse: {_state(done.schema_before, done.revision_before)} → {after}"
        )
    else:
        print(f"仓库结构已是最新 the warehouse is up to date: {after}")
    return 0
