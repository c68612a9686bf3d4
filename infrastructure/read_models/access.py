"""Access read model: token hashes to grants, for authenticating requests."""


from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    bindparam,
    select,
)

from application.ledger import event_meta
from domain.access import AccessGrant
from infrastructure.database import UTCDateTime
from infrastructure.projection import Projected, Projection

metadata = MetaData()

grants = Table(
    "access_grants",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("role", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("employee_id", Uuid, nullable=True),
    Column("expires_at", UTCDateTime(), nullable=True),
    Column("revoked", Boolean, nullable=False, default=False),
    Column("granted_at", UTCDateTime(), nullable=False),
    Column("granted_by", String(200), nullable=False),
    Column("revoked_at", UTCDateTime(), nullable=True),
    Column("revoked_by", String(200), nullable=True),
    Column("version", Integer, nullable=False),
)


class AccessProjection(Projection):
    """Keeps the table of grants that authentication reads."""

    name = "access"
    metadata = metadata
    handles = (AccessGrant.Granted, AccessGrant.Revoked)

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Insert granted tokens and mark revoked ones."""
        for item in batch:
            e = item.event
            actor = event_meta(e).get("actor_id", "")
            if isinstance(e, AccessGrant.Granted):
                conn.execute(
                    grants.insert().values(
                        id=e.originator_id,
                        token_hash=e.token_hash,
                        role=e.role,
                        name=e.name,
                        employee_id=e.employee_id,
                        expires_at=e.expires_at,
                        revoked=False,
                        granted_at=e.timestamp,
                        granted_by=actor,
                        version=e.originator_version,
                    )
                )
            elif isinstance(e, AccessGrant.Revoked):
                conn.execute(
                    grants.update()
                    .where(grants.c.id == e.originator_id)
                    .values(revoked=True, revoked_at=e.timestamp, revoked_by=actor, version=e.originator_version)
                )


_GRANT_BY_TOKEN = select(grants).where(grants.c.token_hash == bindparam("b_hash"))


class AccessView:
    """Grants, for authentication and for auditors."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def by_token_hash(self, token_hash: str) -> dict[str, Any] | None:
        """The grant holding this token hash, if any."""
        with self.engine.connect() as conn:
            row = conn.execute(_GRANT_BY_TOKEN, {"b_hash": token_hash}).first()
        return dict(row._mapping) if row else None

    def all(self) -> list[dict[str, Any]]:
        """Every grant, newest first (never the token itself)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(grants).order_by(grants.c.granted_at.desc()))
            return [{k: v for k, v in r._mapping.items() if k != "token_hash"} for r in rows]
