"""Talent and development read model: potential assessments, mentoring assignments with sessions, and awards.

The talent grid is read from these rows, the directory (who is in the unit now) and the appraisal read model
(the latest final annual predicate); see infrastructure.career_view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
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

from domain.mentoring import Mentoring
from domain.potential import PotentialAssessment
from domain.recognition import Award
from infrastructure.database import UTCDateTime
from infrastructure.projection import Projected, Projection

metadata = MetaData()

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


class TalentProjection(Projection):
    """Keeps potential assessments, mentoring assignments (and their sessions) and awards current."""

    name = "talent"
    metadata = metadata
    handles = (
        PotentialAssessment.Assessed,
        Mentoring.Assigned,
        Mentoring.SessionLogged,
        Mentoring.Ended,
        Award.Granted,
    )

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Apply each event in log order."""
        for item in batch:
            e: Any = item.event
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
