"""Waiting, in a PostgreSQL test, until some session waits for a lock."""

from __future__ import annotations

import time

import sqlalchemy as sa


def wait_for_a_lock(engine: sa.Engine, mode: str) -> None:
    """Until some session waits for a lock in `mode`."""
    deadline = time.monotonic() + 20
    with engine.connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                sa.text("SELECT count(*) FROM pg_locks WHERE NOT granted AND mode = :m"),
                {"m": mode},
            ).scalar()
            watcher.rollback()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError(f"nobody waited for {mode}")
