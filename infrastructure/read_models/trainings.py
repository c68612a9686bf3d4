"""Training read model: one row per completion with its status, for lists, yearly JP totals and unit reports."""


from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
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
    bindparam,
    case,
    func,
    select,
    update,
)

from application.queries.filters import TrainingFilter
from domain.training import Training, TrainingStatus
from infrastructure import people_index
from infrastructure.database import UTCDateTime
from infrastructure.kept_count import KeptCount, kept_count_table
from infrastructure.paging import listed
from infrastructure.pending_rows import LOAD_FROM, PendingRows
from infrastructure.prepared import Prepared
from infrastructure.projection import Projected, Projection

metadata = MetaData()
# who the rows are about: names and current units, from the registration and move events this model reads too
people = people_index.people_table("trainings_people", metadata)

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
    # the list's order, latest end first: a page reads its rows from here instead of sorting every completion
    Index("ix_training_completions_recent", "end_date", "position"),
)
# how many completions there are, kept as they are recorded (a row is never removed): the unfiltered list's total
completions_kept = kept_count_table("training_completions_kept", metadata)
_KEPT = KeptCount(completions_kept)


class TrainingProjection(Projection):
    """Keeps one row per training completion current."""

    name = "trainings"
    metadata = metadata
    people = people  # the module's table: its copy of names and units
    handles = (Training.Recorded, Training.Verified, Training.Rejected) + people_index.EVENTS

    def only_writes(self, batch: Sequence[Projected]) -> bool:
        """A batch below ``LOAD_FROM`` reads no row: its rows are added in memory or changed by key."""
        return len(batch) < LOAD_FROM

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Apply each event in log order; a completion recorded in this batch is decided in memory and inserted at
        the batch's end, one decided in an earlier batch read first when the batch is large (``PendingRows``)."""
        pending = PendingRows()
        if len(batch) >= LOAD_FROM:
            pending.load(conn, trainings, (i.event.originator_id for i in batch
                                           if isinstance(i.event, (Training.Verified, Training.Rejected))))
        for item in batch:
            e: Any = item.event
            if people_index.record(conn, people, e):
                continue
            if isinstance(e, Training.Recorded):
                pending.add(trainings, e.originator_id, dict(
                    id=e.originator_id, employee_id=e.employee_id, course=e.course, provider=e.provider, jp=e.jp,
                    start_date=e.start_date, end_date=e.end_date, year=e.end_date.year,
                    certificate_number=e.certificate_number, status=TrainingStatus.UNVERIFIED.value, recorded_at=e.timestamp,
                    position=item.position, version=e.originator_version, decision_reason=None, decided_at=None))
            else:
                status = (TrainingStatus.VERIFIED if isinstance(e, Training.Verified) else TrainingStatus.REJECTED).value
                pending.update(conn, trainings, e.originator_id, _DECIDE, {
                    "status": status, "decision_reason": e.reason, "decided_at": e.timestamp,
                    "version": e.originator_version})
        pending.flush(conn)
        _KEPT.add(conn, sum(isinstance(item.event, Training.Recorded) for item in batch))


# Built once (SQLAlchemy memoizes a built statement's cache key): deciding a training runs it on every request.
_DECIDE = (update(trainings).where(trainings.c.id == bindparam("b_id"))
           .values(status=bindparam("status"), decision_reason=bindparam("decision_reason"),
                   decided_at=bindparam("decided_at"), version=bindparam("version")))


class TrainingView:
    """Trainings and JP totals."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def trainings(self, flt: TrainingFilter, limit: int, visible_to: AbstractSet[UUID] | None = None,
                  cursor: str | None = None) -> Any:
        """Completions, latest end date first; ``visible_to`` limits them to those employees. With a ``cursor``
        (``""``: the first page) one Page after it, else a plain list."""
        conds = []
        if flt.employee_id is not None:
            conds.append(trainings.c.employee_id == flt.employee_id)
        if flt.unit is not None:
            conds.append(people.c.unit == flt.unit)
        if flt.year is not None:
            conds.append(trainings.c.year == flt.year)
        if flt.status is not None:
            conds.append(trainings.c.status == flt.status)
        if visible_to is not None:
            conds.append(trainings.c.employee_id.in_(visible_to))
        # counted without the names' join unless the unit filter needs it (SQLite would count through the join)
        counted = (select(trainings.c.id) if flt.unit is None else
                   select(trainings.c.id).join(people, people.c.id == trainings.c.employee_id)).where(*conds)
        return listed(self.engine, self._training_rows().where(*conds),
                      [(trainings.c.end_date, True), (trainings.c.position, True)], limit, cursor, count=counted,
                      kept_total=None if conds else _KEPT.total)

    def training(self, training_id: UUID) -> dict[str, Any] | None:
        """One completion."""
        return _ONE.one_off(self.engine, {"b_id": training_id})

    def training_hours(self, employee_id: UUID, year: int) -> dict[str, Any]:
        """JP of the year's completions by status (verified JP is what counts) and the completions themselves."""
        items = self.trainings(TrainingFilter(employee_id=employee_id, year=year), limit=10_000)
        totals = {status: sum(r["jp"] for r in items if r["status"] == status)
                  for status in TrainingStatus}
        return {"verified_jp": totals[TrainingStatus.VERIFIED], "unverified_jp": totals[TrainingStatus.UNVERIFIED],
                "rejected_jp": totals[TrainingStatus.REJECTED], "trainings": items}

    def year_totals(self, year: int, employee_ids: Iterable[UUID]) -> dict[UUID, tuple[int, int]]:
        """Each given employee's verified and unverified JP of the year's completions (absent: none)."""
        ids = list(employee_ids)
        if not ids:
            return {}
        verified = func.sum(case((trainings.c.status == TrainingStatus.VERIFIED.value, trainings.c.jp), else_=0))
        unverified = func.sum(case((trainings.c.status == TrainingStatus.UNVERIFIED.value, trainings.c.jp), else_=0))
        stmt = (select(trainings.c.employee_id, verified, unverified)
                .where(trainings.c.year == year, trainings.c.employee_id.in_(ids)).group_by(trainings.c.employee_id))
        with self.engine.connect() as conn:
            return {row[0]: (int(row[1]), int(row[2])) for row in conn.execute(stmt)}

    @staticmethod
    def _training_rows() -> Select[Any]:
        return (select(trainings, people.c.name.label("employee_name"), people.c.unit)
                .outerjoin(people, people.c.id == trainings.c.employee_id))

    def trainings_of(self, employee_id: UUID, year: int) -> list[UUID]:
        """Training completions of an employee ending in a year (any status)."""
        stmt = select(trainings.c.id).where(trainings.c.employee_id == employee_id, trainings.c.year == year)
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).scalars())

    def _rows(self, stmt: Select[Any]) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]


_ONE = Prepared(TrainingView._training_rows().where(trainings.c.id == bindparam("b_id", type_=Uuid)))
