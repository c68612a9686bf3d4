"""Sign-in state shared by every web worker: failed authentication attempts and live page sessions.

Both live in the database rather than in a process, so gunicorn's workers throttle one address together and a
session signed out in one worker is over in all of them. They are operational state, not ledger facts: nothing
here is an event, and rows are pruned once they no longer matter.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from uuid import UUID

from sqlalchemy import (
    Column,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Uuid,
    bindparam,
    delete,
    func,
    select,
    update,
)

from infrastructure.database import UTCDateTime, writer

SESSION_LIFETIME = timedelta(hours=8)
metadata = MetaData()

auth_failures = Table(
    "auth_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("address", String(64), nullable=False),
    Column("failed_at", Float, nullable=False),  # seconds since the epoch: comparable across processes
    Index("ix_auth_failures_address_at", "address", "failed_at"),
    Index("ix_auth_failures_at", "failed_at"),
)

page_sessions = Table(
    "page_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("account_id", Uuid, nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("ended_at", UTCDateTime(), nullable=True),
    Index("ix_page_sessions_started", "started_at"),
)


def _hash(session_id: str) -> str:
    """The stored form of a session id (a database reader learns no live session)."""
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def create_tables(engine: Engine) -> None:
    """Create the sign-in tables when missing."""
    metadata.create_all(engine)


_FAILURES_SINCE = select(  # built once: it runs on every request
    func.count(), func.min(auth_failures.c.failed_at), func.max(auth_failures.c.failed_at)).where(
    auth_failures.c.address == bindparam("b_address"), auth_failures.c.failed_at > bindparam("since"))


class AuthFailureLog:
    """Failed authentication attempts per client address or account key, counted across all workers."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def record(self, address: str, at: float) -> None:
        """Store one failed attempt and forget those older than a day."""
        with writer(self.engine).begin() as conn:
            conn.execute(delete(auth_failures).where(auth_failures.c.failed_at < at - 86_400))
            conn.execute(auth_failures.insert().values(address=address[:64], failed_at=at))

    def since(self, address: str, since: float) -> tuple[int, float | None]:
        """How many failures the address had after ``since``, and the earliest of them."""
        count, earliest, _ = self.stats(address, since)
        return count, earliest

    def stats(self, key: str, since: float) -> tuple[int, float | None, float | None]:
        """How many failures the key (an address or an account's key) had after ``since``, the earliest, the latest."""
        with self.engine.connect() as conn:
            count, earliest, latest = conn.execute(_FAILURES_SINCE, {"b_address": key[:64], "since": since}).one()
        return int(count), earliest, latest

    def clear(self, key: str) -> None:
        """Forget the key's failures (an account that signed in successfully starts again)."""
        with writer(self.engine).begin() as conn:
            conn.execute(delete(auth_failures).where(auth_failures.c.address == key[:64]))


class PageSessionStore:
    """Server-side record of page sessions, so signing out ends a session even if its cookie was copied."""

    def __init__(self, engine: Engine, lifetime: timedelta = SESSION_LIFETIME):
        self.engine = engine
        self.lifetime = lifetime

    def start(self, account_id: UUID, now: datetime | None = None) -> str:
        """A new live session for the account; returns its id (kept only in the signed cookie)."""
        now = now or datetime.now(UTC)
        session_id = secrets.token_urlsafe(32)
        with writer(self.engine).begin() as conn:
            conn.execute(delete(page_sessions).where(page_sessions.c.started_at < now - 2 * self.lifetime))
            conn.execute(page_sessions.insert().values(
                id_hash=_hash(session_id), account_id=account_id, started_at=now, ended_at=None))
        return session_id

    def is_live(self, session_id: str, account_id: UUID, now: datetime | None = None) -> bool:
        """True when the session belongs to the account, was not ended and has not outlived its lifetime."""
        now = now or datetime.now(UTC)
        query = select(page_sessions.c.account_id, page_sessions.c.started_at, page_sessions.c.ended_at).where(
            page_sessions.c.id_hash == _hash(session_id))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return (row is not None and row.account_id == account_id and row.ended_at is None
                and row.started_at > now - self.lifetime)

    def end(self, session_id: str, now: datetime | None = None) -> None:
        """End a session (sign-out); a second end changes nothing."""
        with writer(self.engine).begin() as conn:
            conn.execute(update(page_sessions).where(
                page_sessions.c.id_hash == _hash(session_id), page_sessions.c.ended_at.is_(None)
            ).values(ended_at=now or datetime.now(UTC)))
