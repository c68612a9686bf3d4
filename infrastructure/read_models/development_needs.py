"""Development-needs read model: one row per need with its pinned source and its status, and the view over it."""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    update,
)

from domain.development import DevelopmentNeed
from infrastructure import people_index
from infrastructure.database import UTCDateTime
from infrastructure.people_index import EmployeeRowView, narrowed
from infrastructure.projection import Projected, Projection

metadata = MetaData()
people = people_index.people_table("development_need_people", metadata)

needs = Table(
    "development_needs",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("employee_id", Uuid, nullable=False),
    Column("source_type", String(16), nullable=False),
    Column("source_id", Uuid, nullable=True),
    Column("source_version", Integer, nullable=True),
    Column("area", String(16), nullable=False),
    Column("value", String(40), nullable=True),
    Column("detail", Text, nullable=False),
    Column("figures", JSON, nullable=False),
    Column("rule_set_version", Integer, nullable=True),
    Column("status", String(10), nullable=False),
    Column("reason", Text, nullable=True),
    Column("decided_by", Uuid, nullable=True),
    Column("proposed_at", UTCDateTime(), nullable=False),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("version", Integer, nullable=False),
    Index("ix_development_needs_employee", "employee_id", "status"),
)


class DevelopmentNeedProjection(Projection):
    """Keeps one row per development need current."""

    name = "development_needs"
    metadata = metadata
    people = people  # the module's table: its copy of names and units
    handles = (DevelopmentNeed.Proposed, DevelopmentNeed.Confirmed, DevelopmentNeed.Dismissed) + people_index.EVENTS

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Insert proposed needs, then apply decisions in log order."""
        for item in batch:
            e: Any = item.event
            if people_index.record(conn, people, e):
                continue
            if isinstance(e, DevelopmentNeed.Proposed):
                source = e.source
                conn.execute(needs.insert().values(
                    id=e.originator_id, employee_id=e.employee_id, source_type=source["type"],
                    source_id=UUID(source["id"]) if source.get("id") else None, source_version=source.get("version"),
                    area=e.area, value=e.value, detail=e.detail, figures=dict(e.figures),
                    rule_set_version=e.rule_set_version, status="proposed", proposed_at=e.timestamp,
                    version=e.originator_version))
            else:
                status = "confirmed" if isinstance(e, DevelopmentNeed.Confirmed) else "dismissed"
                conn.execute(update(needs).where(needs.c.id == e.originator_id).values(
                    status=status, reason=e.reason, decided_by=e.decided_by, decided_at=e.timestamp,
                    version=e.originator_version))


class DevelopmentNeedView(EmployeeRowView):
    """Development needs as the projection holds them (no writes)."""

    table, people = needs, people

    def needs(self, employee_id: UUID | None, status: str | None, source: str | None, limit: int,
              visible_to: AbstractSet[UUID] | None = None, unit: str | None = None) -> list[dict[str, Any]]:
        """Needs, latest first; ``visible_to`` limits them to those employees, ``unit`` to the unit's people now."""
        stmt = narrowed(self._rows(), ((needs.c.employee_id, employee_id), (needs.c.status, status),
                                       (needs.c.source_type, source), (people.c.unit, unit)),
                        needs.c.employee_id, visible_to)
        return self._all(stmt.order_by(needs.c.proposed_at.desc(), needs.c.id).limit(limit))

    def need(self, need_id: UUID) -> dict[str, Any] | None:
        """One need."""
        rows = self._all(self._rows().where(needs.c.id == need_id))
        return rows[0] if rows else None
