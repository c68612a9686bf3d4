"""Grievance read model: one row per grievance, and an index of recorded sensitive reads for case-file trails."""


from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Column,
    Connection,
    Date,
    Engine,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    Uuid,
    func,
    or_,
    select,
    update,
)

from application.ledger import event_meta
from application.queries.filters import GrievanceFilter, Page
from domain.grievance import Grievance
from domain.sensitive_read import SensitiveRead
from infrastructure import people_index
from infrastructure.database import UTCDateTime
from infrastructure.paging import keyset_page
from infrastructure.projection import Projected, Projection

metadata = MetaData()
# who the rows are about: names and current units, from the registration and move events this model reads too
people = people_index.people_table("grievances_people", metadata)

grievances = Table(
    "grievances",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("grievant_id", Uuid, nullable=False),
    Column("subject", String(20), nullable=False),
    Column("subject_id", Uuid, nullable=False),
    Column("decision_number", Integer, nullable=True),
    Column("grounds", Text, nullable=False),
    Column("filed_on", Date, nullable=False),
    Column("status", String(14), nullable=False),
    Column("investigator_id", String(200), nullable=True),
    Column("investigator_name", String(200), nullable=True),
    Column("outcome", String(10), nullable=True),
    Column("concluded_on", Date, nullable=True),
    Column("filed_at", UTCDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_grievances_investigator", "investigator_id", "status"),
    Index("ix_grievances_grievant", "grievant_id"),
    Index("ix_grievances_filed", "filed_at", "id"),
)

sensitive_reads = Table(
    "sensitive_reads",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("subject", String(64), nullable=False),
    Column("subject_id", Uuid, nullable=False),
    Column("case_id", String(200), nullable=True),
    Column("actor_id", String(200), nullable=True),
    Column("actor_name", String(200), nullable=True),
    Column("reason", Text, nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("position", Integer, nullable=False),
    Index("ix_sensitive_reads_subject", "subject_id"),
    Index("ix_sensitive_reads_case", "case_id"),
)


class GrievanceProjection(Projection):
    """Keeps the grievance rows current and indexes every recorded read by subject and case."""

    name = "grievances"
    metadata = metadata
    people = people  # the module's table: its copy of names and units
    handles = (Grievance.Filed, Grievance.InvestigatorAssigned, Grievance.Concluded, SensitiveRead.Recorded) + people_index.EVENTS

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Fold each event into its row, in log order."""
        for item in batch:
            e: Any = item.event
            if people_index.record(conn, people, e):
                continue
            if isinstance(e, SensitiveRead.Recorded):
                meta = event_meta(e)
                conn.execute(sensitive_reads.insert().values(
                    id=e.originator_id, subject=e.subject, subject_id=e.subject_id, case_id=e.case_id,
                    actor_id=meta.get("actor_id"), actor_name=meta.get("actor_name"), reason=e.reason,
                    recorded_at=e.timestamp, position=item.position))
            elif isinstance(e, Grievance.Filed):
                conn.execute(grievances.insert().values(
                    id=e.originator_id, grievant_id=e.grievant_id, subject=e.subject, subject_id=e.subject_id,
                    decision_number=e.decision_number, grounds=e.grounds, filed_on=e.filed_on, status="filed",
                    filed_at=e.timestamp, version=e.originator_version))
            elif isinstance(e, Grievance.InvestigatorAssigned):
                conn.execute(update(grievances).where(grievances.c.id == e.originator_id).values(
                    status="investigating", investigator_id=e.investigator_id,
                    investigator_name=e.investigator_name, version=e.originator_version))
            else:
                conn.execute(update(grievances).where(grievances.c.id == e.originator_id).values(
                    status=e.outcome, outcome=e.outcome, concluded_on=e.concluded_on, version=e.originator_version))


OPEN = ("filed", "investigating")


_LISTING = (select(grievances, people.c.name.label("grievant_name"))
            .outerjoin(people, people.c.id == grievances.c.grievant_id))


class GrievanceView:
    """Grievances as the grievance projection holds them."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def grievances(self, flt: GrievanceFilter, limit: int, grievant: UUID | None = None,
                   investigator: Collection[str] | None = None) -> list[dict[str, Any]]:
        """Grievances, newest first; ``grievant`` or ``investigator`` narrows to one person's (the investigator's:
        open ones only)."""
        stmt = _filtered(_LISTING, flt, grievant, investigator)
        stmt = stmt.order_by(grievances.c.filed_at.desc(), grievances.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]

    def page(self, flt: GrievanceFilter, limit: int, cursor: str | None = None, grievant: UUID | None = None,
             investigator: Collection[str] | None = None) -> Page:
        """One page of ``grievances``' list after a cursor, and how many there are in all."""
        stmt = _filtered(_LISTING, flt, grievant, investigator)
        with self.engine.connect() as conn:
            return keyset_page(conn, stmt, [(grievances.c.filed_at, True), (grievances.c.id, False)], limit, cursor)

    def count(self, flt: GrievanceFilter, grievant: UUID | None = None,
              investigator: Collection[str] | None = None) -> int:
        """How many grievances ``grievances`` would list without a limit."""
        stmt = _filtered(select(func.count()).select_from(grievances), flt, grievant, investigator)
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar() or 0)

    def open_grievances_of(self, investigator_ids: Collection[str]) -> list[UUID]:
        """Open grievances assigned to any of these ids (an investigator's person, tokens and accounts)."""
        stmt = select(grievances.c.id).where(grievances.c.investigator_id.in_(list(investigator_ids)),
                                             grievances.c.status.in_(OPEN))
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).scalars())

    def reads_touching(self, subject_ids: set[UUID], case_ids: set[str]) -> list[UUID]:
        """Recorded sensitive reads of any of the subjects, or stated under any of the case ids."""
        conds = []
        if subject_ids:
            conds.append(sensitive_reads.c.subject_id.in_(subject_ids))
        if case_ids:
            conds.append(sensitive_reads.c.case_id.in_(case_ids))
        if not conds:
            return []
        stmt = select(sensitive_reads.c.id).where(or_(*conds)).order_by(sensitive_reads.c.position)
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).scalars())


def _filtered(stmt: Select[Any], flt: GrievanceFilter, grievant: UUID | None,
              investigator: Collection[str] | None) -> Select[Any]:
    """Apply the filter and narrow to one grievant's, or one investigator's open, grievances."""
    for column in ("status", "subject", "grievant_id"):
        value = getattr(flt, column)
        if value is not None:
            stmt = stmt.where(grievances.c[column] == value)
    if grievant is not None:
        stmt = stmt.where(grievances.c.grievant_id == grievant)
    if investigator is not None:
        stmt = stmt.where(grievances.c.investigator_id.in_(list(investigator)), grievances.c.status.in_(OPEN))
    return stmt
