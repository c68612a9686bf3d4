"""Alembic environment: migrations run on the connection `infrastructure.schema.upgrade` hands over, inside its
transaction (which holds the migration lock), never on a URL from an ini file."""

from __future__ import annotations

from alembic import context

from infrastructure.schema import VERSION_TABLE

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations with `jejak db upgrade` (infrastructure.schema.upgrade), not alembic itself")
context.configure(connection=connection, version_table=VERSION_TABLE, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
