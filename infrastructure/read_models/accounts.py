"""Accounts read model: who may sign in to the pages, in which role (never the password hash)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Boolean, Column, Connection, Engine, Integer, MetaData, String, Table, Uuid, select

from application.ledger import event_meta
from domain.account import Account
from infrastructure.database import UTCDateTime
from infrastructure.projection import Projected, Projection

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("role", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("employee_id", Uuid, nullable=True),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("granted_at", UTCDateTime(), nullable=False),
    Column("granted_by", String(200), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Column("revoked_by", String(200), nullable=True),
    Column("version", Integer, nullable=False),
)


class AccountProjection(Projection):
    """Keeps the table of accounts that sessions and HR's list read."""

    name = "accounts"
    metadata = metadata
    handles = (Account.Granted, Account.Revoked)

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Insert granted accounts and mark revoked ones."""
        for item in batch:
            e = item.event
            actor = event_meta(e).get("actor_id", "")
            if isinstance(e, Account.Granted):
                conn.execute(accounts.insert().values(
                    id=e.originator_id, username=e.username, role=e.role, name=e.name, employee_id=e.employee_id,
                    revoked=False, granted_at=e.timestamp, granted_by=actor, version=e.originator_version))
            elif isinstance(e, Account.Revoked):
                conn.execute(accounts.update().where(accounts.c.id == e.originator_id).values(
                    revoked=True, revoked_at=e.timestamp, revoked_by=actor, version=e.originator_version))


class AccountView:
    """Accounts as the projection holds them."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def get(self, account_id: UUID) -> dict[str, Any] | None:
        """One account."""
        with self.engine.connect() as conn:
            row = conn.execute(select(accounts).where(accounts.c.id == account_id)).first()
        return dict(row._mapping) if row else None

    def all(self) -> list[dict[str, Any]]:
        """Every account, newest first."""
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(select(accounts).order_by(accounts.c.granted_at.desc()))]
