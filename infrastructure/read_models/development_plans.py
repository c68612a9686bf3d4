"""Development-plan read model: one row per plan (status, signatures, planned and linked JP) and one per goal, and
the view over them."""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from typing import Any
from uuid import UUID

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
    select,
    update,
)

from domain.development_plan import DevelopmentPlan
from infrastructure import people_index
from infrastructure.database import UTCDateTime
from infrastructure.people_index import EmployeeRowView, narrowed
from infrastructure.projection import Projected, Projection

metadata = MetaData()
people = people_index.people_table("development_plan_people", metadata)

plans = Table(
    "development_plans",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("employee_id", Uuid, nullable=False),
    Column("year", Integer, nullable=False),
    Column("supervisor_id", Uuid, nullable=True),
    Column("status", String(10), nullable=False),
    Column("employee_signed_at", UTCDateTime(), nullable=True),
    Column("supervisor_signed_at", UTCDateTime(), nullable=True),
    Column("goals", Integer, nullable=False),
    Column("jp_planned", Integer, nullable=False),
    Column("jp_linked", Integer, nullable=False),
    Column("outcome", String(16), nullable=True),
    Column("summary", Text, nullable=True),
    Column("closed_on", Date, nullable=True),
    Column("drafted_at", UTCDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_development_plans_employee_year", "employee_id", "year"),
)

goals = Table(
    "development_plan_goals",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("plan_id", Uuid, nullable=False),
    Column("number", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("need_ids", JSON, nullable=False),
    Column("activities", JSON, nullable=False),
    Column("jp_planned", Integer, nullable=False),
    Column("progress", Integer, nullable=False),
    Column("progress_note", Text, nullable=True),
    Column("trainings", JSON, nullable=False),
    Index("ix_development_plan_goals_plan", "plan_id", "number"),
)


class DevelopmentPlanProjection(Projection):
    """Keeps development plans and their goals current."""

    name = "development_plans"
    metadata = metadata
    people = people  # the module's table: its copy of names and units
    handles = (DevelopmentPlan.Drafted, DevelopmentPlan.GoalAdded, DevelopmentPlan.Signed,
               DevelopmentPlan.ProgressRecorded, DevelopmentPlan.TrainingLinked, DevelopmentPlan.Closed) + people_index.EVENTS

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Apply each event in log order."""
        for item in batch:
            e: Any = item.event
            if people_index.record(conn, people, e):
                continue
            if isinstance(e, DevelopmentPlan.Drafted):
                conn.execute(plans.insert().values(
                    id=e.originator_id, employee_id=e.employee_id, year=e.year, supervisor_id=e.supervisor_id,
                    status="draft", goals=0, jp_planned=0, jp_linked=0, drafted_at=e.timestamp,
                    version=e.originator_version))
            elif isinstance(e, DevelopmentPlan.GoalAdded):
                jp = sum(int(a["jp_planned"]) for a in e.activities)
                conn.execute(goals.insert().values(
                    id=e.goal_id, plan_id=e.originator_id, number=e.originator_version, title=e.title,
                    need_ids=[str(n) for n in e.need_ids], activities=list(e.activities), jp_planned=jp, progress=0,
                    trainings=[]))
                self._plan(conn, e, status="draft", goals=plans.c.goals + 1, jp_planned=plans.c.jp_planned + jp,
                           employee_signed_at=None, supervisor_signed_at=None)
            elif isinstance(e, DevelopmentPlan.Signed):
                self._sign(conn, e)
            elif isinstance(e, DevelopmentPlan.ProgressRecorded):
                conn.execute(update(goals).where(goals.c.id == e.goal_id).values(
                    progress=e.progress, progress_note=e.note))
                self._plan(conn, e)
            elif isinstance(e, DevelopmentPlan.TrainingLinked):
                linked = conn.execute(select(goals.c.trainings).where(goals.c.id == e.goal_id)).scalar_one()
                conn.execute(update(goals).where(goals.c.id == e.goal_id).values(trainings=[*linked, {
                    "training_id": str(e.training_id), "version": e.training_version, "jp": e.jp}]))
                self._plan(conn, e, jp_linked=plans.c.jp_linked + e.jp)
            elif isinstance(e, DevelopmentPlan.Closed):
                self._plan(conn, e, status="closed", outcome=e.outcome, summary=e.summary, closed_on=e.closed_on)

    def _sign(self, conn: Connection, e: Any) -> None:
        column = "employee_signed_at" if e.party == "employee" else "supervisor_signed_at"
        self._plan(conn, e, **{column: e.timestamp})
        row = conn.execute(select(plans.c.employee_signed_at, plans.c.supervisor_signed_at)
                           .where(plans.c.id == e.originator_id)).one()
        if row.employee_signed_at is not None and row.supervisor_signed_at is not None:
            self._plan(conn, e, status="agreed")

    def _plan(self, conn: Connection, e: Any, **values: Any) -> None:
        conn.execute(update(plans).where(plans.c.id == e.originator_id).values(version=e.originator_version,
                                                                                **values))


class DevelopmentPlanView(EmployeeRowView):
    """Development plans as the projection holds them (no writes)."""

    table, people = plans, people

    def plans(self, employee_id: UUID | None, year: int | None, status: str | None, limit: int,
              visible_to: AbstractSet[UUID] | None = None, unit: str | None = None) -> list[dict[str, Any]]:
        """Plans, latest year first; ``visible_to`` limits them to those employees, ``unit`` to the unit's people."""
        stmt = narrowed(self._rows(), ((plans.c.employee_id, employee_id), (plans.c.year, year),
                                       (plans.c.status, status), (people.c.unit, unit)),
                        plans.c.employee_id, visible_to)
        return self._all(stmt.order_by(plans.c.year.desc(), people.c.name, plans.c.id).limit(limit))

    def plan(self, plan_id: UUID) -> dict[str, Any] | None:
        """One plan with its goals in the order they were added."""
        rows = self._all(self._rows().where(plans.c.id == plan_id))
        if not rows:
            return None
        return {**rows[0], "goal_list": self.goals_of([plan_id])[plan_id]}

    def goals_of(self, plan_ids: list[UUID]) -> dict[UUID, list[dict[str, Any]]]:
        """The goals of some plans, by plan."""
        out: dict[UUID, list[dict[str, Any]]] = {p: [] for p in plan_ids}
        if plan_ids:
            for row in self._all(select(goals).where(goals.c.plan_id.in_(plan_ids)).order_by(goals.c.number)):
                out[row["plan_id"]].append(row)
        return out
