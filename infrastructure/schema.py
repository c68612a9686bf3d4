"""Schema migrations (Alembic) for the tables that cannot be rebuilt from the log.

Alembic manages the projection positions and parked events, the seals, the authentication failures, the page
sessions and the mail outbox (`MANAGED`). The events and the hash chain belong to the eventsourcing recorder, and the read models are
rebuilt from the log, so neither is migrated here. `upgrade` runs under a lock (an advisory lock on PostgreSQL, an
immediate transaction on SQLite) so several processes starting at once migrate once; when the database is already
at the head it costs one query and never loads Alembic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

from infrastructure.database import writer
from infrastructure.migrations import HEAD

VERSION_TABLE = "jejak_schema_version"
MANAGED = ("projection_tracking", "projection_parked", "ledger_seals", "auth_failures", "page_sessions",
           "mail_outbox")
SCRIPTS = Path(__file__).resolve().parent / "migrations"
LOCK_KEY = 0x4A454A414B  # "JEJAK": one migration at a time per PostgreSQL database


@dataclass(frozen=True)
class Upgrade:
    """What an upgrade did."""

    before: str | None
    after: str
    adopted: tuple[str, ...] = ()  # tables that existed before Alembic, kept with their rows (stamped)

    @property
    def changed(self) -> bool:
        """True when a revision was applied."""
        return self.before != self.after


def current(engine: Engine) -> str | None:
    """The revision the database is at (None before Alembic)."""
    with engine.connect() as conn:
        return _revision(conn)


def _revision(conn: Connection) -> str | None:
    if not inspect(conn).has_table(VERSION_TABLE):
        return None
    return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()


def upgrade(engine: Engine) -> Upgrade:
    """Bring the managed tables to the newest revision; a database made before Alembic is stamped, not recreated."""
    before = current(engine)
    if before == HEAD:
        return Upgrade(before, HEAD)
    from alembic import command
    from alembic.config import Config

    with writer(engine).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        before = _revision(conn)  # again, under the lock: another process may have just migrated
        adopted = tuple(t for t in MANAGED if before is None and inspect(conn).has_table(t))
        config = Config()
        config.set_main_option("script_location", str(SCRIPTS))
        config.attributes["connection"] = conn
        command.upgrade(config, "head")
        after = _revision(conn)
    return Upgrade(before, after or HEAD, adopted)
