"""Whether a warehouse is the demo's (whose person hashes use the demo's own secret)."""

from __future__ import annotations

from sqlalchemy import Engine, insert, select

from xieshang.warehouse import schema

DEMO_KEY = "demo"


def is_demo(engine: Engine) -> bool:
    with engine.connect() as conn:
        return (
            conn.execute(select(schema.meta.c.value).where(schema.meta.c.key == DEMO_KEY)).scalar()
            == "1"
        )


def mark_demo(engine: Engine) -> None:
    if not is_demo(engine):
        with engine.begin() as conn:
            conn.execute(insert(schema.meta).values(key=DEMO_KEY, value="1"))
