"""The mail outbox table: written by the event recorders inside the events' transaction, read and updated by
`jejak mail send` through SQLAlchemy."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    func,
    or_,
    select,
    update,
)

from application.outbox import Message, Pending
from infrastructure.database import UTCDateTime, writer

OUTBOX_TABLE = "mail_outbox"

SQLITE_DDL = (
    f"CREATE TABLE IF NOT EXISTS {OUTBOX_TABLE} (id INTEGER PRIMARY KEY AUTOINCREMENT, position INTEGER NOT NULL, "
    "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, kind TEXT NOT NULL, recipient TEXT NOT NULL, "
    "params TEXT NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, "
    "status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TIMESTAMP, "
    "claimed_at TIMESTAMP, sent_at TIMESTAMP, address TEXT, subject TEXT, last_error TEXT, "
    "UNIQUE (position, kind, recipient))"
)
POSTGRES_DDL = (
    "CREATE TABLE IF NOT EXISTS {0} (id bigserial PRIMARY KEY, position bigint NOT NULL, "
    "originator_id text NOT NULL, originator_version integer NOT NULL, kind text NOT NULL, recipient text NOT NULL, "
    "params text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), "
    "status text NOT NULL DEFAULT 'pending', attempts integer NOT NULL DEFAULT 0, next_attempt_at timestamptz, "
    "claimed_at timestamptz, sent_at timestamptz, address text, subject text, last_error text, "
    "UNIQUE (position, kind, recipient))"
)
CLAIM_EXPIRES_SECONDS = 600  # a sender that died mid-run leaves rows "sending"; another run takes them after this


def outbox_rows(positions: Sequence[int], stored_events: Sequence[Any], kwargs: dict[str, Any]
                ) -> list[tuple[int, str, int, str, str, str]]:
    """The rows to insert for the messages a write policy attached to this write (empty when none)."""
    messages: list[tuple[int, Message]] = kwargs.get("outbox") or []
    rows = []
    for index, message in messages:
        event = stored_events[index]
        rows.append((positions[index], str(event.originator_id), event.originator_version, message.kind,
                     message.recipient, json.dumps(message.params, sort_keys=True)))
    return rows


metadata = MetaData()
outbox = Table(
    OUTBOX_TABLE,
    metadata,
    Column("id", Integer, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("originator_id", String, nullable=False),
    Column("originator_version", Integer, nullable=False),
    Column("kind", String, nullable=False),
    Column("recipient", String, nullable=False),
    Column("params", Text, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("status", String, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UTCDateTime(), nullable=True),
    Column("claimed_at", UTCDateTime(), nullable=True),
    Column("sent_at", UTCDateTime(), nullable=True),
    Column("address", String, nullable=True),
    Column("subject", String, nullable=True),
    Column("last_error", Text, nullable=True),
)


class SqlOutbox:
    """The outbox as `jejak mail send` and the tests see it."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def claim_due(self, now: datetime, limit: int) -> list[Pending]:
        """Pending rows whose next try is due (and rows a dead sender left claimed), marked as being sent."""
        stale = datetime.fromtimestamp(now.timestamp() - CLAIM_EXPIRES_SECONDS, now.tzinfo)
        due = or_(
            and_(outbox.c.status == "pending", or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now)),
            and_(outbox.c.status == "sending", outbox.c.claimed_at <= stale),
        )
        with writer(self.engine).begin() as conn:
            query = select(outbox).where(due).order_by(outbox.c.id).limit(limit)
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = conn.execute(query).mappings().all()
            if rows:
                conn.execute(update(outbox).where(outbox.c.id.in_([r["id"] for r in rows]))
                             .values(status="sending", claimed_at=now))
        return [Pending(r["id"], r["position"], r["kind"], r["recipient"], json.loads(r["params"]), r["attempts"],
                        r["created_at"]) for r in rows]

    def mark_sent(self, row_id: int, address: str, subject: str, at: datetime) -> None:
        """Record the delivery."""
        self._set(row_id, status="sent", sent_at=at, address=address, subject=subject, last_error=None)

    def mark_failed(self, row_id: int, attempts: int, error: str, retry_at: datetime | None) -> None:
        """Record a failed try and when to try again (never, with ``retry_at`` None)."""
        self._set(row_id, status="pending" if retry_at else "failed", attempts=attempts, last_error=error,
                  next_attempt_at=retry_at)

    def hold(self, row_id: int, reason: str) -> None:
        """Back to pending without counting a try."""
        self._set(row_id, status="pending", last_error=reason)

    def _set(self, row_id: int, **values: Any) -> None:
        with writer(self.engine).begin() as conn:
            conn.execute(update(outbox).where(outbox.c.id == row_id).values(claimed_at=None, **values))

    def rows(self) -> list[dict[str, Any]]:
        """Every row, oldest first (for status and tests)."""
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(outbox).order_by(outbox.c.id)).mappings()]

    def latest(self, limit: int) -> list[dict[str, Any]]:
        """The newest rows first (for HR's outbox page)."""
        with self.engine.connect() as conn:
            stmt = select(outbox).order_by(outbox.c.id.desc()).limit(limit)
            return [{**r, "params": json.loads(r["params"])} for r in conn.execute(stmt).mappings()]

    def counts(self) -> dict[str, int]:
        """How many rows are in each status."""
        with self.engine.connect() as conn:
            return {s: n for s, n in conn.execute(select(outbox.c.status, func.count()).group_by(outbox.c.status))}
