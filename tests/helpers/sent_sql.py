"""The SQL an action sends through an engine, as the driver receives it."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa


def statements_sent(engine: sa.Engine, action: Callable[[], object]) -> list[str]:
    """The SQL statements `action()` sends through `engine`."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)
    return sent
