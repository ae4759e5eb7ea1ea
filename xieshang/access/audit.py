"""The audit log (等保 2.0's 安全审计): who did what, when, from where.

    audit.record(engine, "download", user="wang", address="10.0.0.7",
                 file="assessment.xlsx", scope="330281101000",
                 period_from=date(2025, 1, 1), period_to=date(2025, 6, 30))
    audit.entries(engine, since=date(2025, 6, 1), user="wang")

Rows are only ever added. Sign-ins and user changes are recorded by
`xieshang.access.users` itself; downloads, exports and submissions by whoever serves them.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import Connection, Engine, func, insert, select

from xieshang.contract import settings
from xieshang.warehouse import schema

ACTIONS: tuple[str, ...] = (
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "user_add",
    "user_disable",
    "user_enable",
    "user_passwd",
    "download",
    "export",
    "submission",
)
"""Every action the log knows (the dashboard's labels: i18n `action_<code>`)."""

_NAME_CAP = 64  # the column's width: a failed sign-in records the name as typed


@dataclass(frozen=True)
class Entry:
    at: datetime  # aware, in the server's local time
    user: str | None
    action: str
    address: str | None
    file: str | None
    scope: str | None
    period_from: date | None
    period_to: date | None
    detail: dict | None


def _printable(text: str) -> str:
    """`text` with control and format characters as "?": a name typed at the sign-in form
    must not rewrite the terminal or forge a line of `xieshang audit`."""
    return "".join("?" if unicodedata.category(c) in ("Cc", "Cf") else c for c in text)


def now_utc() -> datetime:
    """Now, as the warehouse stores times (UTC, no zone)."""
    return datetime.now(UTC).replace(tzinfo=None)


def local_time(stored: datetime | None) -> datetime | None:
    """A stored time (UTC, no zone) in the deployment's zone (XIESHANG_TIMEZONE, by default
    Beijing time, as the exports give times), with its offset: in the server's own zone, a
    machine kept on UTC showed a download at 07:51 that its file dated 15:51."""
    return None if stored is None else stored.replace(tzinfo=UTC).astimezone(settings.time_zone())


def record(
    target: Engine | Connection,
    action: str,
    *,
    user: str | None,
    address: str | None = None,
    file: str | None = None,
    scope: str | None = None,
    period_from: date | None = None,
    period_to: date | None = None,
    detail: dict | None = None,
) -> None:
    """Add one row. `target` is an Engine (its own transaction) or a Connection (the
    caller's, so the row commits with what it records). ValueError for an unknown action."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; one of {', '.join(ACTIONS)}")
    row = {
        "at": now_utc(),
        "user_name": _printable(user)[:_NAME_CAP] if user is not None else None,
        "action": action,
        "address": _printable(address)[:64] if address else None,
        "file": _printable(file) if file is not None else None,
        "scope": scope,
        "period_from": period_from,
        "period_to": period_to,
        "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None,
    }
    if isinstance(target, Connection):
        target.execute(insert(schema.audit_log).values(**row))
        return
    with target.begin() as conn:
        conn.execute(insert(schema.audit_log).values(**row))


def _conditions(since: date | None, user: str | None, action: str | None) -> list:
    log = schema.audit_log
    where = []
    if since is not None:
        # the day begins in the zone the times are shown in
        start = datetime.combine(since, time(), settings.time_zone()).astimezone(UTC)
        where.append(log.c.at >= start.replace(tzinfo=None))
    if user is not None:
        where.append(log.c.user_name == user)
    if action is not None:
        where.append(log.c.action == action)
    return where


def entries(
    engine: Engine,
    *,
    since: date | None = None,
    user: str | None = None,
    action: str | None = None,
    limit: int | None = None,
) -> list[Entry]:
    """Rows on or after the local day `since`, of `user` and `action` when given, newest
    first (at most `limit`)."""
    log = schema.audit_log
    query = (
        select(log)
        .where(*_conditions(since, user, action))
        .order_by(log.c.at.desc(), log.c.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).mappings().all()
    return [
        Entry(
            at=local_time(row["at"]),
            user=row["user_name"],
            action=row["action"],
            address=row["address"],
            file=row["file"],
            scope=row["scope"],
            period_from=row["period_from"],
            period_to=row["period_to"],
            detail=json.loads(row["detail"]) if row["detail"] else None,
        )
        for row in rows
    ]


def count(
    engine: Engine,
    *,
    since: date | None = None,
    user: str | None = None,
    action: str | None = None,
) -> int:
    """How many rows `entries` lists for these filters without a limit."""
    query = (
        select(func.count()).select_from(schema.audit_log).where(*_conditions(since, user, action))
    )
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()
