"""Whether a warehouse is the demo's (whose person hashes use the demo's own secret)."""

from __future__ import annotations

from sqlalchemy import Engine, insert, inspect, select

from xieshang.warehouse import schema
from xieshang.warehouse.engine import begin_write

DEMO_KEY = "demo"


def is_demo(engine: Engine) -> bool:
    """Whether the warehouse is marked as the demo's (one not created yet is not)."""
    with engine.connect() as conn:
        if not inspect(conn).has_table(schema.meta.name):
            return False
        flag = conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == DEMO_KEY))
        return flag.scalar() == "1"


def mark_demo(engine: Engine) -> bool:
    """Mark the warehouse as the demo's, unless it holds data of a real load already;
    returns whether it is the demo's now (a real warehouse is never taken over)."""
    meta, runs = schema.meta, schema.load_runs
    with begin_write(engine) as conn:
        if conn.execute(select(meta.c.value).where(meta.c.key == DEMO_KEY)).scalar() == "1":
            return True
        if conn.execute(select(runs.c.run_id).where(runs.c.status == "committed").limit(1)).first():
            return False
        conn.execute(insert(meta).values(key=DEMO_KEY, value="1"))
        return True
