"""Coaching-note read model: the notes an assessor records on an employee's appraisals (``Appraisal.NoteRecorded``),
one row each with the appraisal's employee and period, so an employee's dialogue history shows them next to the
performance dialogues (read-only: the notes stay events of the appraisal)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import Column, Connection, Engine, Index, MetaData, String, Table, Text, Uuid, bindparam, select

from domain.appraisal import Appraisal
from infrastructure import people_index
from infrastructure.database import UTCDateTime
from infrastructure.pending_rows import PendingRows
from infrastructure.projection import Projected, Projection

metadata = MetaData()
people = people_index.people_table("coaching_note_people", metadata)

# whose appraisal an id is (a note's event names only its appraisal)
appraisals = Table(
    "coaching_note_appraisals",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("employee_id", Uuid, nullable=False),
    Column("period", String(20), nullable=False),
)

notes = Table(
    "coaching_notes",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("appraisal_id", Uuid, nullable=False),
    Column("employee_id", Uuid, nullable=False),
    Column("period", String(20), nullable=False),
    Column("text", Text, nullable=False),
    Column("noted_by", Uuid, nullable=False),
    Column("noted_at", UTCDateTime(), nullable=False),
    Index("ix_coaching_notes_employee", "employee_id", "noted_at"),
)


# built once: a statement built per event cost more than its row (a ledger's notes are a large share of its events)
_OWNERS = (select(appraisals.c.id, appraisals.c.employee_id, appraisals.c.period)
           .where(appraisals.c.id.in_(bindparam("ids", expanding=True))))
OWNERS_AT_ONCE = 500  # ids per statement: within every database's limit on bound parameters


class CoachingNoteProjection(Projection):
    """Keeps each appraisal's coaching notes with the appraisal's employee and period."""

    name = "coaching_notes"
    metadata = metadata
    people = people  # the module's table: its copy of names and units
    handles = (Appraisal.Opened, Appraisal.NoteRecorded) + people_index.EVENTS

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Apply each event in log order: the owners of the batch's notes are read in one statement, and its new
        rows inserted together at its end (``PendingRows``)."""
        pending = PendingRows()
        owners = self._owners(conn, batch)
        for item in batch:
            e: Any = item.event
            if people_index.record(conn, people, e):
                continue
            if isinstance(e, Appraisal.Opened):
                owners[e.originator_id] = (e.employee_id, e.period)
                pending.add(appraisals, e.originator_id,
                            {"id": e.originator_id, "employee_id": e.employee_id, "period": e.period})
            elif isinstance(e, Appraisal.NoteRecorded):
                owner = owners.get(e.originator_id)
                if owner is None:
                    raise LookupError(f"coaching note {e.note_id}: appraisal {e.originator_id} was never opened")
                pending.add(notes, e.note_id, {
                    "id": e.note_id, "appraisal_id": e.originator_id, "employee_id": owner[0], "period": owner[1],
                    "text": e.text, "noted_by": e.noted_by, "noted_at": e.timestamp})
        pending.flush(conn)

    @staticmethod
    def _owners(conn: Connection, batch: Sequence[Projected]) -> dict[UUID, tuple[UUID, str]]:
        """The employee and period of each appraisal the batch notes on and opened earlier."""
        wanted = {i.event.originator_id for i in batch if isinstance(i.event, Appraisal.NoteRecorded)}
        wanted -= {i.event.originator_id for i in batch if isinstance(i.event, Appraisal.Opened)}
        found: dict[UUID, tuple[UUID, str]] = {}
        ids = sorted(wanted)
        for start in range(0, len(ids), OWNERS_AT_ONCE):
            found.update((row.id, (row.employee_id, row.period)) for row in conn.execute(
                _OWNERS, {"ids": ids[start:start + OWNERS_AT_ONCE]}))
        return found


class CoachingNoteView:
    """Coaching notes as the projection holds them (no writes)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def notes(self, employee_id: UUID, limit: int) -> list[dict[str, Any]]:
        """The coaching notes on the employee's appraisals, latest first, each with its author's name."""
        stmt = (select(notes, people.c.name.label("noted_by_name"))
                .outerjoin(people, people.c.id == notes.c.noted_by)
                .where(notes.c.employee_id == employee_id)
                .order_by(notes.c.noted_at.desc()).limit(limit))
        with self.engine.connect() as conn:
            return [dict(row._mapping) for row in conn.execute(stmt)]
