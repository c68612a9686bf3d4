"""Alembic revisions of the tables that cannot be rebuilt from the log (see infrastructure/schema.py)."""

HEAD = "0002"  # the newest revision; tests/infrastructure/test_migrations.py checks it against the scripts
