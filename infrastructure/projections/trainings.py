"""Training read model: one row per completion with its status, for lists, yearly JP totals and unit reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    update,
)

from domain.training import Training
from infrastructure.database import UTCDateTime
from infrastructure.projection import Projected, Projection

metadata = MetaData()

trainings = Table(
    "training_completions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("employee_id", Uuid, nullable=False),
    Column("course", String(200), nullable=False),
    Column("provider", String(200), nullable=False),
    Column("jp", Integer, nullable=False),
    Column("start_date", Date, nullable=False),
    Column("end_date", Date, nullable=False),
    Column("year", Integer, nullable=False),
    Column("certificate_number", String(200), nullable=False),
    Column("status", String(12), nullable=False),
    Column("decision_reason", Text, nullable=True),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("position", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_training_completions_employee_year", "employee_id", "year", "status"),
    Index("ix_training_completions_year_status", "year", "status"),
)


class TrainingProjection(Projection):
    """Keeps one row per training completion current."""

    name = "trainings"
    metadata = metadata
    handles = (Training.Recorded, Training.Verified, Training.Rejected)

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Insert recorded completions, then apply decisions in log order."""
        for item in batch:
            e: Any = item.event
            if isinstance(e, Training.Recorded):
                conn.execute(trainings.insert().values(
                    id=e.originator_id, employee_id=e.employee_id, course=e.course, provider=e.provider, jp=e.jp,
                    start_date=e.start_date, end_date=e.end_date, year=e.end_date.year,
                    certificate_number=e.certificate_number, status="unverified", recorded_at=e.timestamp,
                    position=item.position, version=e.originator_version))
            else:
                status = "verified" if isinstance(e, Training.Verified) else "rejected"
                conn.execute(update(trainings).where(trainings.c.id == e.originator_id).values(
                    status=status, decision_reason=e.reason, decided_at=e.timestamp, version=e.originator_version))
