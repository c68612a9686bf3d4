"""The mail outbox (written by the event recorders in the events' transaction; its delivery state cannot be rebuilt).

Created here when missing, with the recorders' own DDL of 2026-12 (which stays `IF NOT EXISTS`, so whichever runs
first makes it); a database that already has it is stamped, its rows kept.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQLITE = (
    "CREATE TABLE IF NOT EXISTS mail_outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, position INTEGER NOT NULL, "
    "originator_id TEXT NOT NULL, originator_version INTEGER NOT NULL, kind TEXT NOT NULL, recipient TEXT NOT NULL, "
    "params TEXT NOT NULL, created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, "
    "status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TIMESTAMP, "
    "claimed_at TIMESTAMP, sent_at TIMESTAMP, address TEXT, subject TEXT, last_error TEXT, "
    "UNIQUE (position, kind, recipient))"
)
POSTGRES = (
    "CREATE TABLE IF NOT EXISTS mail_outbox (id bigserial PRIMARY KEY, position bigint NOT NULL, "
    "originator_id text NOT NULL, originator_version integer NOT NULL, kind text NOT NULL, recipient text NOT NULL, "
    "params text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), "
    "status text NOT NULL DEFAULT 'pending', attempts integer NOT NULL DEFAULT 0, next_attempt_at timestamptz, "
    "claimed_at timestamptz, sent_at timestamptz, address text, subject text, last_error text, "
    "UNIQUE (position, kind, recipient))"
)


def upgrade() -> None:
    """Create the mail outbox when missing."""
    if "mail_outbox" not in sa.inspect(op.get_bind()).get_table_names():
        op.execute(POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE)


def downgrade() -> None:
    """Drop the mail outbox (undelivered messages are lost)."""
    op.drop_table("mail_outbox")
