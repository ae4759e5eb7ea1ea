"""Alembic's environment for the warehouse. It runs only through
xieshang.warehouse.migrations (`xieshang db upgrade`), on the connection that passes
it, inside that connection's transaction, which holds the warehouse's write lock: no
load runs half-way through an upgrade. There is no alembic.ini."""

from alembic import context

from xieshang.warehouse import schema

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    # for `alembic revision --autogenerate` in a checkout: what schema.py says now
    target_metadata=schema.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
