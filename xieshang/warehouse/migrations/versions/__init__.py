"""Alembic revisions of the warehouse, one module per schema version (a package so that
the wheel carries them)."""
