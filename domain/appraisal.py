"""Appraisal (SKP) aggregate: one employee's performance appraisal for one period, from planning to objection.

Stages (PermenPANRB 6/2022): planning (targets agreed, each with an indicator), coaching (continuous feedback
notes), assessment by the assessor (two ratings and the predicate from the rule set in effect), finalisation (which
locks it), and the employee's objection (keberatan, PP 30/2019 art. 59), decided with finality by the assessor's own
superior. Every step is an event; an upheld objection changes the current predicate and the original stays in the
log and in ``assessments``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.copying import command_copy
from domain.employee import Employee
from domain.errors import DomainError, StateConflict
from domain.feedback_round import PERIOD, InvalidPeriod
from domain.ids import natural_id
from domain.rules import PREDICATES, RATINGS, predicate_for

OUTCOMES: tuple[str, ...] = ("upheld", "rejected")


class AppraisalStatus(StrEnum):
    """An appraisal's stage (the values are stored in read models and shown by the API: never change them)."""

    PLANNING = "planning"
    ASSESSED = "assessed"
    FINAL = "final"


STATUSES: tuple[str, ...] = tuple(s.value for s in AppraisalStatus)
ASSESSOR_BASES: tuple[str, ...] = ("supervisor", "named")
MAX_TEXT = 2000


class AppraisalFinal(StateConflict):
    """A final appraisal is locked: no more targets, notes or assessments."""

    def __init__(self) -> None:
        super().__init__("the appraisal is final; targets, notes and the assessment are locked", field="appraisal")


class NotFinal(StateConflict):
    """Only a final appraisal can be objected to."""

    def __init__(self) -> None:
        super().__init__("the appraisal is not final yet; an objection is filed against a final result",
                         field="appraisal")


class NoTargets(StateConflict):
    """Planning comes first: an appraisal without agreed targets cannot be assessed."""

    def __init__(self) -> None:
        super().__init__("agree at least one target before assessing", field="targets")


class NotAssessed(StateConflict):
    """Finalising needs an assessment."""

    def __init__(self) -> None:
        super().__init__("assess the appraisal before finalising it", field="assessment")


class InvalidRating(DomainError):
    """A rating is one of above, as_expected, below."""

    def __init__(self, field: str, value: object):
        super().__init__(f"{field} {value!r} must be one of {', '.join(RATINGS)}", field=field, params={"value": value})


class TextRequired(DomainError):
    """A text field must not be empty or too long."""

    def __init__(self, field: str):
        super().__init__(f"{field} must be text of 1 to {MAX_TEXT} characters", field=field, params={"max": MAX_TEXT})


class AssessorIsAppraisee(DomainError):
    """Nobody assesses themself."""

    def __init__(self) -> None:
        super().__init__("the assessor cannot be the appraised employee", field="assessor_id")


class EvidenceRefused(DomainError):
    """A cited 360 round must be of the same reviewee and period."""

    def __init__(self, detail: str, code: str, **params: object):
        super().__init__(detail, field="feedback_round_id", code=code, params=params)


class EvidenceRoundOpen(StateConflict):
    """A 360 round is evidence only once it is closed."""

    def __init__(self) -> None:
        super().__init__("the cited 360 round is still open; only a closed round can be evidence",
                         field="feedback_round_id")


class ObjectionWindowClosed(StateConflict):
    """The objection came after the window (days after finalisation) of the pinned rule set."""

    def __init__(self, deadline: date):
        super().__init__(f"the objection window closed on {deadline.isoformat()}", field="objection",
                         params={"deadline": deadline})


class ObjectionAlreadyFiled(StateConflict):
    """One objection per appraisal."""

    def __init__(self) -> None:
        super().__init__("an objection was already filed against this appraisal", field="objection")


class NoPendingObjection(StateConflict):
    """There is no objection waiting for a decision (none filed, or already decided: the decision is final)."""

    def __init__(self, detail: str = "there is no objection waiting for a decision", code: str | None = None):
        super().__init__(detail, field="objection", code=code)


class ObjectionNotHeard(StateConflict):
    """The objection goes to the assessor's superior; someone must hold that place, and not the objector."""

    def __init__(self, detail: str, code: str):
        super().__init__(detail, field="objection", code=code)


class InvalidOutcome(DomainError):
    """A decision upholds or rejects the objection."""

    def __init__(self, value: object):
        super().__init__(f"outcome {value!r} must be one of {', '.join(OUTCOMES)}", field="outcome",
                         params={"value": value})


class InvalidPredicate(DomainError):
    """An upheld objection names the new predicate; a rejected one names none."""

    def __init__(self, detail: str, code: str, **params: object):
        super().__init__(detail, field="predicate", code=code, params=params)


@dataclass(frozen=True)
class RoundEvidence:
    """The facts of a cited 360 round that the assessment checks and pins."""

    round_id: UUID
    version: int
    reviewee_id: UUID
    period: str
    closed: bool


@dataclass(frozen=True)
class Target:
    """An expectation agreed in planning, with its indicator."""

    id: UUID
    target: str
    indicator: str
    agreed_at: datetime


@dataclass(frozen=True)
class Note:
    """A coaching note (continuous feedback) during the period."""

    id: UUID
    text: str
    noted_by: UUID
    noted_at: datetime


@dataclass(frozen=True)
class Assessment:
    """The assessor's ratings and the predicate under the pinned rule-set version."""

    work_results: str
    behaviour: str
    predicate: str
    rule_set_version: int
    objection_window_days: int
    feedback_round_id: UUID | None
    feedback_round_version: int | None
    assessor_id: UUID
    assessed_at: datetime


@dataclass
class Objection:
    """The employee's objection and, once decided, its final decision."""

    reasons: str
    filed_on: date
    filed_at: datetime
    decider_id: UUID
    objected_predicate: str
    outcome: str | None = None
    predicate: str | None = None
    decision_reason: str | None = None
    decided_on: date | None = None
    decided_at: datetime | None = None

    @property
    def status(self) -> str:
        """pending, upheld or rejected."""
        return self.outcome or "pending"


class Appraisal(Aggregate):
    """A performance appraisal (SKP) of one employee for one period."""

    class Opened(Aggregate.Created):
        employee_id: UUID
        period: str
        unit: str
        assessor_id: UUID
        assessor_basis: str

    class TargetAgreed(Aggregate.Event):
        target_id: UUID
        target: str
        indicator: str

        def apply(self, aggregate: Aggregate) -> None:
            """Add the agreed target."""
            assert isinstance(aggregate, Appraisal)
            aggregate.targets.append(Target(self.target_id, self.target, self.indicator, self.timestamp))

    class NoteRecorded(Aggregate.Event):
        note_id: UUID
        text: str
        noted_by: UUID

        def apply(self, aggregate: Aggregate) -> None:
            """Add the coaching note."""
            assert isinstance(aggregate, Appraisal)
            aggregate.notes.append(Note(self.note_id, self.text, self.noted_by, self.timestamp))

    class Assessed(Aggregate.Event):
        work_results: str
        behaviour: str
        predicate: str
        rule_set_version: int
        objection_window_days: int
        feedback_round_id: UUID | None
        feedback_round_version: int | None
        assessor_id: UUID

        def apply(self, aggregate: Aggregate) -> None:
            """Record the assessment; a later one (before finalising) supersedes it."""
            assert isinstance(aggregate, Appraisal)
            aggregate.assessments.append(Assessment(
                self.work_results, self.behaviour, self.predicate, self.rule_set_version,
                self.objection_window_days, self.feedback_round_id, self.feedback_round_version,
                self.assessor_id, self.timestamp))

    class Finalised(Aggregate.Event):
        finalised_on: date
        unit: str
        predicate: str

        def apply(self, aggregate: Aggregate) -> None:
            """Lock the appraisal; the unit is the employee's unit at finalisation."""
            assert isinstance(aggregate, Appraisal)
            aggregate.finalised_on, aggregate.finalised_at, aggregate.unit = (
                self.finalised_on, self.timestamp, self.unit)

    class ObjectionFiled(Aggregate.Event):
        reasons: str
        filed_on: date
        decider_id: UUID
        objected_predicate: str

        def apply(self, aggregate: Aggregate) -> None:
            """Record the objection, addressed to the decider."""
            assert isinstance(aggregate, Appraisal)
            aggregate.objection = Objection(self.reasons, self.filed_on, self.timestamp, self.decider_id,
                                            self.objected_predicate)

    class ObjectionDecided(Aggregate.Event):
        outcome: str
        predicate: str | None
        previous_predicate: str
        reason: str
        decided_on: date
        decided_by: UUID

        def apply(self, aggregate: Aggregate) -> None:
            """Record the final decision."""
            assert isinstance(aggregate, Appraisal) and aggregate.objection is not None
            objection = aggregate.objection
            objection.outcome, objection.predicate, objection.decision_reason = (
                self.outcome, self.predicate, self.reason)
            objection.decided_on, objection.decided_at = self.decided_on, self.timestamp

    def __init__(self, employee_id: UUID, period: str, unit: str, assessor_id: UUID, assessor_basis: str):
        self.employee_id = employee_id
        self.period = period
        self.unit = unit
        self.assessor_id = assessor_id
        self.assessor_basis = assessor_basis
        self.targets: list[Target] = []
        self.notes: list[Note] = []
        self.assessments: list[Assessment] = []
        self.finalised_on: date | None = None
        self.finalised_at: datetime | None = None
        self.objection: Objection | None = None

    def __deepcopy__(self, memo: dict[int, Any]) -> Appraisal:
        """A copy for a command: targets, notes and assessments are frozen values shared between copies (only
        their lists are copied), the objection (changed when decided) is copied; so the copy a load makes does not
        cost more as assessments accumulate."""
        return command_copy(self, memo, targets=list(self.targets), notes=list(self.notes),
                            assessments=list(self.assessments),
                            objection=replace(self.objection) if self.objection is not None else None)

    @staticmethod
    def id_for(employee_id: UUID, period: str) -> UUID:
        """The one appraisal of an employee and period (the event store refuses a second one)."""
        return natural_id("appraisal", f"{employee_id}:{period}")

    @classmethod
    def open(cls, *, employee_id: UUID, period: str, unit: str, assessor_id: UUID,
             assessor_basis: str = "supervisor") -> Appraisal:
        """Open the appraisal of an employee for a year (2026) or a quarter (2026-Q1)."""
        period_bounds(period)
        if assessor_id == employee_id:
            raise AssessorIsAppraisee()
        assert assessor_basis in ASSESSOR_BASES
        return cls._create(cls.Opened, id=cls.id_for(employee_id, period), employee_id=employee_id, period=period,
                           unit=unit, assessor_id=assessor_id, assessor_basis=assessor_basis)

    # --- state -----------------------------------------------------------------------------------------------

    @property
    def is_final(self) -> bool:
        """True once finalised."""
        return self.finalised_on is not None

    @property
    def assessment(self) -> Assessment | None:
        """The current (latest) assessment."""
        return self.assessments[-1] if self.assessments else None

    @property
    def status(self) -> AppraisalStatus:
        """planning (no assessment yet), assessed, or final."""
        if self.is_final:
            return AppraisalStatus.FINAL
        return AppraisalStatus.ASSESSED if self.assessments else AppraisalStatus.PLANNING

    @property
    def original_predicate(self) -> str | None:
        """The assessor's predicate (as finalised)."""
        return self.assessment.predicate if self.assessment else None

    @property
    def predicate(self) -> str | None:
        """The current predicate: an upheld objection's predicate replaces the assessor's."""
        if self.objection is not None and self.objection.outcome == "upheld":
            return self.objection.predicate
        return self.original_predicate

    @property
    def objection_deadline(self) -> date | None:
        """The last day an objection is accepted (finalisation day + the pinned window)."""
        if self.finalised_on is None or self.assessment is None:
            return None
        return self.finalised_on + timedelta(days=self.assessment.objection_window_days)

    # --- commands --------------------------------------------------------------------------------------------

    def agree_target(self, target: str, indicator: str) -> UUID:
        """Planning: record an agreed target with its indicator."""
        self._check_not_final()
        target_id = uuid4()
        self.trigger_event(self.TargetAgreed, target_id=target_id, target=required_text(target, "target"),
                           indicator=required_text(indicator, "indicator"))
        return target_id

    def record_note(self, text: str, noted_by: UUID) -> UUID:
        """Coaching: record a feedback note."""
        self._check_not_final()
        note_id = uuid4()
        self.trigger_event(self.NoteRecorded, note_id=note_id, text=required_text(text, "text"), noted_by=noted_by)
        return note_id

    def assess(self, work_results: str, behaviour: str, rule_set_version: int, rules: Mapping[str, Any],
               evidence: RoundEvidence | None = None) -> str:
        """Rate work results and behaviour; the predicate follows from the rule set's matrix. Returns it."""
        self._check_not_final()
        check_rating("work_results", work_results)
        check_rating("behaviour", behaviour)
        if not self.targets:
            raise NoTargets()
        if evidence is not None:
            check_evidence(evidence, self.employee_id, self.period)
        predicate = predicate_for(rules, work_results, behaviour)
        self.trigger_event(
            self.Assessed, work_results=work_results, behaviour=behaviour, predicate=predicate,
            rule_set_version=rule_set_version, objection_window_days=int(rules["appraisal"]["objection_window_days"]),
            feedback_round_id=evidence.round_id if evidence else None,
            feedback_round_version=evidence.version if evidence else None, assessor_id=self.assessor_id)
        return predicate

    def finalise(self, today: date, unit: str) -> None:
        """Lock the appraisal; the objection window starts today."""
        self._check_not_final()
        if self.assessment is None:
            raise NotAssessed()
        self.trigger_event(self.Finalised, finalised_on=today, unit=unit, predicate=self.assessment.predicate)

    def file_objection(self, reasons: str, today: date, decider_id: UUID | None) -> None:
        """The employee objects, with reasons, within the window; the objection goes to ``decider_id``."""
        deadline = self.objection_deadline
        if deadline is None:
            raise NotFinal()
        if self.objection is not None:
            raise ObjectionAlreadyFiled()
        if today > deadline:
            raise ObjectionWindowClosed(deadline)
        if decider_id is None:
            raise ObjectionNotHeard("the assessor has no superior in the registry to hear the objection; "
                                    "HR must record one first", "objection_no_hearer")
        if decider_id == self.employee_id:
            raise ObjectionNotHeard("the assessor's superior is the objector, who cannot decide their own objection",
                                    "objection_hearer_is_objector")
        assert self.predicate is not None
        self.trigger_event(self.ObjectionFiled, reasons=required_text(reasons, "reasons"), filed_on=today,
                           decider_id=decider_id, objected_predicate=self.predicate)

    def decide_objection(self, outcome: str, predicate: str | None, reason: str, today: date,
                         decided_by: UUID) -> None:
        """The decider upholds (with the new predicate) or rejects the objection; the decision is final."""
        self.check_objection_pending()
        assert self.objection is not None and self.predicate is not None
        if outcome not in OUTCOMES:
            raise InvalidOutcome(outcome)
        if outcome == "upheld":
            if predicate not in PREDICATES:
                raise InvalidPredicate(f"an upheld objection names the new predicate, one of {', '.join(PREDICATES)}",
                                       "predicate_required_when_upheld")
            if predicate == self.predicate:
                raise InvalidPredicate(f"the predicate is already {predicate}; upholding must change it",
                                       "predicate_unchanged", predicate=predicate)
        elif predicate is not None:
            raise InvalidPredicate("a rejected objection keeps the predicate; send no predicate",
                                   "predicate_given_when_rejected")
        self.trigger_event(self.ObjectionDecided, outcome=outcome, predicate=predicate,
                           previous_predicate=self.predicate, reason=required_text(reason, "reason"),
                           decided_on=today, decided_by=decided_by)

    def check_objection_pending(self) -> None:
        """Refuse unless an objection waits for its decision."""
        if self.objection is None:
            raise NoPendingObjection()
        if self.objection.outcome is not None:
            raise NoPendingObjection("the objection was already decided; the decision is final", "objection_decided")

    def check_planning(self) -> None:
        """Targets are proposed, decided and agreed until the appraisal is final."""
        self._check_not_final()

    def _check_not_final(self) -> None:
        if self.is_final:
            raise AppraisalFinal()


def period_bounds(period: str) -> tuple[date, date]:
    """The first and last day of a year (2026) or a quarter (2026-Q3)."""
    if not isinstance(period, str) or not PERIOD.fullmatch(period):
        raise InvalidPeriod(str(period))
    year = int(period[:4])
    if "-Q" not in period:
        return date(year, 1, 1), date(year, 12, 31)
    quarter = int(period[-1])
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, end - timedelta(days=1)


def is_annual(period: str) -> bool:
    """True for a year period (2026), False for a quarter (2026-Q1)."""
    return "-Q" not in period


def supervisor_on(employee_history: Iterable[object], day: date) -> UUID | None:
    """The supervisor an employee reported to on ``day``, by effective date (TMT), from the employee's events.

    Before any recorded change took effect, the supervisor given at registration applies.
    """
    supervisor: UUID | None = None
    for event in employee_history:
        if isinstance(event, Employee.Registered):
            supervisor = event.supervisor_id
        elif isinstance(event, Employee.SupervisorChanged):
            if event.effective > day:
                break  # effective dates never go backwards (Employee.change_supervisor)
            supervisor = event.supervisor_id
    return supervisor


def check_rating(field: str, value: object) -> None:
    """A rating must be one of above, as_expected, below."""
    if value not in RATINGS:
        raise InvalidRating(field, value)


def check_evidence(evidence: RoundEvidence, employee_id: UUID, period: str) -> None:
    """A cited 360 round must be closed and of the same reviewee and period."""
    if evidence.reviewee_id != employee_id:
        raise EvidenceRefused("the cited 360 round is about another person", "evidence_of_another_person")
    if evidence.period != period:
        raise EvidenceRefused(f"the cited 360 round is of period {evidence.period}, not {period}",
                              "evidence_of_another_period", cited=evidence.period, period=period)
    if not evidence.closed:
        raise EvidenceRoundOpen()


def required_text(value: object, field: str) -> str:
    """Stripped text of 1 to MAX_TEXT characters."""
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > MAX_TEXT:
        raise TextRequired(field)
    return value.strip()
