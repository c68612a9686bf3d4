"""The operational tables as they stood when Alembic took them over (2026-12).

Each table is created only when missing: a database made before Alembic already has them (with their rows), and
is stamped at this revision rather than recreated. Read models are not here: they are rebuilt from the log.

Revision ID: 0001
Revises:
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the projection tracking, parked events, seals, authentication failures and page sessions tables."""
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "projection_tracking" not in existing:
        op.create_table(
            "projection_tracking",
            sa.Column("name", sa.String(64), primary_key=True),
            sa.Column("position", sa.Integer, nullable=False),
            sa.Column("updated_at", TIMESTAMP, nullable=False),
        )
    if "projection_parked" not in existing:
        op.create_table(
            "projection_parked",
            sa.Column("name", sa.String(64), primary_key=True),
            sa.Column("position", sa.Integer, primary_key=True),
            sa.Column("topic", sa.String(255), nullable=False),
            sa.Column("originator_id", sa.String(64), nullable=False),
            sa.Column("originator_version", sa.Integer, nullable=False),
            sa.Column("error", sa.Text, nullable=False),
            sa.Column("attempts", sa.Integer, nullable=False),
            sa.Column("parked_at", TIMESTAMP, nullable=False),
        )
    if "ledger_seals" not in existing:
        op.create_table(
            "ledger_seals",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("position", sa.Integer, nullable=False),
            sa.Column("digest", sa.LargeBinary, nullable=False),
            sa.Column("sealed_at", TIMESTAMP, nullable=False),
            sa.Column("public_key", sa.String(64), nullable=False),
            sa.Column("signature", sa.LargeBinary, nullable=False),
        )
    if "auth_failures" not in existing:
        op.create_table(
            "auth_failures",
            sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
            sa.Column("address", sa.String(64), nullable=False),
            sa.Column("failed_at", sa.Float, nullable=False),
        )
        op.create_index("ix_auth_failures_address_at", "auth_failures", ["address", "failed_at"])
        op.create_index("ix_auth_failures_at", "auth_failures", ["failed_at"])
    if "page_sessions" not in existing:
        op.create_table(
            "page_sessions",
            sa.Column("id_hash", sa.String(64), primary_key=True),
            sa.Column("account_id", sa.Uuid, nullable=False),
            sa.Column("started_at", TIMESTAMP, nullable=False),
            sa.Column("ended_at", TIMESTAMP, nullable=True),
        )
        op.create_index("ix_page_sessions_started", "page_sessions", ["started_at"])


def downgrade() -> None:
    """Drop the operational tables (their rows are lost: sessions, failures, seals and projection positions)."""
    for table in ("page_sessions", "auth_failures", "ledger_seals", "projection_parked", "projection_tracking"):
        op.drop_table(table)
