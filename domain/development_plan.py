"""The individual development plan (IDP, rencana pengembangan individu) of one employee for one year.

Goals are tied to confirmed or proposed development needs and carry planned activities (training, mentoring,
assignment, coaching) with their JP and dates. The plan is agreed when the employee AND the supervisor have both
signed (each by an event); a goal added after a signature voids the signatures, since a signature covers the goals
as they stood. Progress is recorded on an agreed plan, training completions may be linked to the goal they serve,
and the plan is closed once with an outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import DomainError, StateConflict

ACTIVITY_KINDS: tuple[str, ...] = ("training", "mentoring", "assignment", "coaching")
OUTCOMES: tuple[str, ...] = ("achieved", "partly_achieved", "not_achieved")
PARTIES: tuple[str, ...] = ("employee", "supervisor")
MAX_GOALS = 20
MAX_ACTIVITIES = 10
MAX_TITLE = 300
MAX_TEXT = 2000
MAX_JP = 500


class PlanInvalid(DomainError):
    """A goal, activity or decision breaks a rule; ``errors`` names each field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the development plan request is not valid: " + ", ".join(sorted(errors)), errors=errors)


class PlanState(StateConflict):
    """The plan is not in the state the command needs (a 409)."""

    def __init__(self, detail: str):
        super().__init__(detail, field="plan")


@dataclass(frozen=True)
class Activity:
    """A planned activity of a goal."""

    kind: str
    description: str
    jp_planned: int
    starts_on: date
    ends_on: date

    def as_dict(self) -> dict[str, Any]:
        """Plain form, as stored in the event."""
        return {"kind": self.kind, "description": self.description, "jp_planned": self.jp_planned,
                "starts_on": self.starts_on.isoformat(), "ends_on": self.ends_on.isoformat()}


@dataclass
class Goal:
    """One goal with its needs, activities, progress and the trainings that served it."""

    id: UUID
    title: str
    need_ids: list[UUID]
    activities: list[dict[str, Any]]
    progress: int = 0
    progress_note: str | None = None
    trainings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def jp_planned(self) -> int:
        """JP of the goal's planned activities."""
        return sum(int(a["jp_planned"]) for a in self.activities)


def plan_id(employee_id: UUID, year: int) -> UUID:
    """One plan per employee and year."""
    return uuid5(NAMESPACE_URL, f"/development-plans/{employee_id}/{year}")


def check_activities(activities: list[dict[str, Any]], year: int) -> tuple[list[Activity], dict[str, list[str]]]:
    """Planned activities from plain values: a known kind, a description, 0..500 JP, dates in order and in the year."""
    errors: dict[str, list[str]] = {}
    out: list[Activity] = []
    if not activities:
        errors["activities"] = ["plan at least one activity"]
    elif len(activities) > MAX_ACTIVITIES:
        errors["activities"] = [f"at most {MAX_ACTIVITIES} activities"]
    for i, a in enumerate(activities[:MAX_ACTIVITIES]):
        path = f"activities[{i}]"
        kind, text = a.get("kind"), str(a.get("description") or "").strip()
        jp, start, end = a.get("jp_planned"), a.get("starts_on"), a.get("ends_on")
        if kind not in ACTIVITY_KINDS:
            errors[f"{path}.kind"] = [f"must be one of {', '.join(ACTIVITY_KINDS)}"]
        if not text or len(text) > MAX_TITLE:
            errors[f"{path}.description"] = [f"must be 1 to {MAX_TITLE} characters"]
        if not isinstance(jp, int) or isinstance(jp, bool) or not 0 <= jp <= MAX_JP:
            errors[f"{path}.jp_planned"] = [f"must be a whole number from 0 to {MAX_JP}"]
        if not isinstance(start, date) or not isinstance(end, date):
            errors[f"{path}.starts_on"] = ["give both dates"]
        elif end < start:
            errors[f"{path}.ends_on"] = ["must be on or after starts_on"]
        elif start.year != year or end.year != year:
            errors[f"{path}.starts_on"] = [f"the activity falls in the plan's year {year}"]
        if not any(k.startswith(path) for k in errors):
            assert isinstance(kind, str) and isinstance(jp, int) and isinstance(start, date) and isinstance(end, date)
            out.append(Activity(kind, text, jp, start, end))
    return out, errors


class DevelopmentPlan(Aggregate):
    """One employee's development plan for one year."""

    class Drafted(Aggregate.Created):
        employee_id: UUID
        year: int
        supervisor_id: UUID | None

    class GoalAdded(Aggregate.Event):
        goal_id: UUID
        title: str
        need_ids: list[UUID]
        activities: list[dict[str, Any]]

        def apply(self, aggregate: Aggregate) -> None:
            """Add the goal; earlier signatures no longer cover the plan."""
            assert isinstance(aggregate, DevelopmentPlan)
            aggregate.goals.append(Goal(self.goal_id, self.title, list(self.need_ids),
                                        [dict(a) for a in self.activities]))
            aggregate.signatures.clear()

    class Signed(Aggregate.Event):
        party: str
        signer_id: UUID | None

        def apply(self, aggregate: Aggregate) -> None:
            """Record the party's signature."""
            assert isinstance(aggregate, DevelopmentPlan)
            aggregate.signatures[self.party] = self.timestamp

    class ProgressRecorded(Aggregate.Event):
        goal_id: UUID
        progress: int
        note: str

        def apply(self, aggregate: Aggregate) -> None:
            """Update the goal's progress."""
            assert isinstance(aggregate, DevelopmentPlan)
            goal = aggregate.goal(self.goal_id)
            goal.progress, goal.progress_note = self.progress, self.note

    class TrainingLinked(Aggregate.Event):
        goal_id: UUID
        training_id: UUID
        training_version: int
        jp: int

        def apply(self, aggregate: Aggregate) -> None:
            """Name the training as serving the goal."""
            assert isinstance(aggregate, DevelopmentPlan)
            aggregate.goal(self.goal_id).trainings.append(
                {"training_id": str(self.training_id), "version": self.training_version, "jp": self.jp})

    class Closed(Aggregate.Event):
        outcome: str
        summary: str
        closed_on: date

        def apply(self, aggregate: Aggregate) -> None:
            """Close the plan."""
            assert isinstance(aggregate, DevelopmentPlan)
            aggregate.outcome, aggregate.summary, aggregate.closed_on = self.outcome, self.summary, self.closed_on

    def __init__(self, employee_id: UUID, year: int, supervisor_id: UUID | None):
        self.employee_id = employee_id
        self.year = year
        self.supervisor_id = supervisor_id
        self.goals: list[Goal] = []
        self.signatures: dict[str, datetime] = {}
        self.outcome: str | None = None
        self.summary: str | None = None
        self.closed_on: date | None = None

    @classmethod
    def draft(cls, employee_id: UUID, year: int, supervisor_id: UUID | None) -> DevelopmentPlan:
        """Start the year's plan of an employee (its supervisor signs for the organisation)."""
        if not 2000 <= year <= 2100:
            raise PlanInvalid({"year": ["must be a year from 2000 to 2100"]})
        return cls._create(cls.Drafted, id=plan_id(employee_id, year), employee_id=employee_id, year=year,
                           supervisor_id=supervisor_id)

    @property
    def status(self) -> str:
        """draft, agreed (both signed) or closed."""
        if self.outcome is not None:
            return "closed"
        return "agreed" if all(p in self.signatures for p in PARTIES) else "draft"

    def goal(self, goal_id: UUID) -> Goal:
        """One goal of the plan."""
        found = next((g for g in self.goals if g.id == goal_id), None)
        if found is None:
            raise PlanInvalid({"goal_id": [f"the plan has no goal {goal_id}"]})
        return found

    def add_goal(self, title: str, need_ids: list[UUID], activities: list[dict[str, Any]]) -> Goal:
        """Add a goal tied to at least one need, with its planned activities (only while the plan is not agreed)."""
        if self.status != "draft":
            raise PlanState(f"goals are added to a draft plan; this one is {self.status}")
        errors: dict[str, list[str]] = {}
        text = (title or "").strip()
        if not text or len(text) > MAX_TITLE:
            errors["title"] = [f"must be 1 to {MAX_TITLE} characters"]
        if not need_ids or len(set(need_ids)) != len(need_ids):
            errors["need_ids"] = ["tie the goal to one or more development needs, each once"]
        if len(self.goals) >= MAX_GOALS:
            errors["title"] = [f"a plan has at most {MAX_GOALS} goals"]
        planned, activity_errors = check_activities(activities, self.year)
        errors.update(activity_errors)
        if errors:
            raise PlanInvalid(errors)
        self.trigger_event(self.GoalAdded, goal_id=uuid4(), title=text, need_ids=list(need_ids),
                           activities=[a.as_dict() for a in planned])
        return self.goals[-1]

    def sign(self, party: str, signer_id: UUID | None) -> None:
        """The employee or the supervisor signs the goals as they stand; the plan is agreed when both have."""
        if party not in PARTIES:
            raise PlanInvalid({"party": [f"must be one of {', '.join(PARTIES)}"]})
        if self.status == "closed":
            raise PlanState("the plan is closed")
        if not self.goals:
            raise PlanState("a plan without goals cannot be signed")
        if party in self.signatures:
            raise PlanState(f"the {party} has already signed these goals")
        self.trigger_event(self.Signed, party=party, signer_id=signer_id)

    def record_progress(self, goal_id: UUID, progress: int, note: str) -> None:
        """Progress (0-100 %) of a goal of an agreed plan, with a note."""
        self._check_agreed()
        self.goal(goal_id)
        text = (note or "").strip()
        errors: dict[str, list[str]] = {}
        if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
            errors["progress"] = ["must be a whole percentage from 0 to 100"]
        if not text or len(text) > MAX_TEXT:
            errors["note"] = [f"must be 1 to {MAX_TEXT} characters"]
        if errors:
            raise PlanInvalid(errors)
        self.trigger_event(self.ProgressRecorded, goal_id=goal_id, progress=progress, note=text)

    def link_training(self, goal_id: UUID, training_id: UUID, training_version: int, jp: int,
                      training_employee_id: UUID) -> None:
        """Name a training completion of the same employee as serving a goal of the agreed plan (once)."""
        self._check_agreed()
        goal = self.goal(goal_id)
        if training_employee_id != self.employee_id:
            raise PlanInvalid({"training_id": ["the training is another employee's"]})
        if any(g_t["training_id"] == str(training_id) for g in self.goals for g_t in g.trainings):
            raise PlanState("the training already serves a goal of this plan")
        self.trigger_event(self.TrainingLinked, goal_id=goal.id, training_id=training_id,
                           training_version=training_version, jp=jp)

    def close(self, outcome: str, summary: str, today: date) -> None:
        """Close the agreed plan once with its outcome."""
        self._check_agreed()
        errors: dict[str, list[str]] = {}
        if outcome not in OUTCOMES:
            errors["outcome"] = [f"must be one of {', '.join(OUTCOMES)}"]
        text = (summary or "").strip()
        if not text or len(text) > MAX_TEXT:
            errors["summary"] = [f"must be 1 to {MAX_TEXT} characters"]
        if errors:
            raise PlanInvalid(errors)
        self.trigger_event(self.Closed, outcome=outcome, summary=text, closed_on=today)

    def _check_agreed(self) -> None:
        if self.status != "agreed":
            raise PlanState(f"this needs an agreed plan; this one is {self.status}")
