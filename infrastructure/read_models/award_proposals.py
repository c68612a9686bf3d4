"""Award-proposal read model: one row per award a Sangat Baik predicate proposed, with HR's decision."""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from typing import Any
from uuid import UUID

from sqlalchemy import Column, Connection, Index, Integer, MetaData, String, Table, Text, Uuid, update

from domain.award_proposal import AwardProposal
from infrastructure import people_index
from infrastructure.database import UTCDateTime
from infrastructure.people_index import EmployeeRowView, narrowed
from infrastructure.projection import Projected, Projection

metadata = MetaData()
people = people_index.people_table("award_proposal_people", metadata)

proposals = Table(
    "award_proposals",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("employee_id", Uuid, nullable=False),
    Column("appraisal_id", Uuid, nullable=False),
    Column("appraisal_version", Integer, nullable=False),
    Column("period", String(10), nullable=False),
    Column("predicate", String(20), nullable=False),
    Column("category", String(20), nullable=False),
    Column("rule_set_version", Integer, nullable=False),
    Column("status", String(10), nullable=False),
    Column("award_id", Uuid, nullable=True),
    Column("reason", Text, nullable=True),
    Column("proposed_at", UTCDateTime(), nullable=False),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("version", Integer, nullable=False),
    Index("ix_award_proposals_employee", "employee_id", "status"),
)


class AwardProposalProjection(Projection):
    """Keeps one row per award proposal current."""

    name = "award_proposals"
    metadata = metadata
    people = people  # the module's table: its copy of names and units
    handles = (AwardProposal.Proposed, AwardProposal.Granted, AwardProposal.Dismissed) + people_index.EVENTS

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Apply each event in log order."""
        for item in batch:
            e: Any = item.event
            if people_index.record(conn, people, e):
                continue
            if isinstance(e, AwardProposal.Proposed):
                conn.execute(proposals.insert().values(
                    id=e.originator_id, employee_id=e.employee_id, appraisal_id=e.appraisal_id,
                    appraisal_version=e.appraisal_version, period=e.period, predicate=e.predicate,
                    category=e.category, rule_set_version=e.rule_set_version, status="proposed",
                    proposed_at=e.timestamp, version=e.originator_version))
            else:
                granted = isinstance(e, AwardProposal.Granted)
                conn.execute(update(proposals).where(proposals.c.id == e.originator_id).values(
                    status="granted" if granted else "dismissed", award_id=e.award_id if granted else None,
                    reason=e.reason, decided_at=e.timestamp, version=e.originator_version))


class AwardProposalView(EmployeeRowView):
    """Award proposals as the projection holds them (no writes)."""

    table, people = proposals, people

    def proposals(self, employee_id: UUID | None, status: str | None, limit: int,
                  visible_to: AbstractSet[UUID] | None = None) -> list[dict[str, Any]]:
        """Proposals, latest first."""
        stmt = narrowed(self._rows(), ((proposals.c.employee_id, employee_id), (proposals.c.status, status)),
                        proposals.c.employee_id, visible_to)
        return self._all(stmt.order_by(proposals.c.proposed_at.desc(), proposals.c.id).limit(limit))

    def proposal(self, proposal_id: UUID) -> dict[str, Any] | None:
        """One proposal."""
        rows = self._all(self._rows().where(proposals.c.id == proposal_id))
        return rows[0] if rows else None
