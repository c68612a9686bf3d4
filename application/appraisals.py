"""Performance appraisal (SKP) commands and the unit predicate distribution.

Who may do what (data-dependent refusals are Forbidden): HR or the employee's current supervisor opens; only HR
names an assessor other than the default (the supervisor in post, by TMT, on the period's first day); the assessor
records targets, notes and the assessment and finalises; the appraised employee objects; the superior the objection
was addressed to decides; HR records organisation ratings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.errors import Conflict, NotFound, PreconditionFailed
from application.ledger import Ledger
from application.registry import Registry
from application.rulebook import RuleBookService
from domain.appraisal import Appraisal, RoundEvidence, is_annual, period_bounds, supervisor_on
from domain.award_proposal import AwardProposal, proposes_award
from domain.distribution import Distribution, check_distribution, count_predicates
from domain.employee import Employee
from domain.errors import DomainError
from domain.feedback_round import FeedbackRound
from domain.rulebook import NoRuleSetInEffect, RuleSet
from domain.unit import Unit
from domain.unit_rating import UnitRating


class UnknownReference(DomainError):
    """The body names an employee or a round that does not exist."""

    def __init__(self, what: str, ref: UUID, field: str):
        super().__init__(f"no {what} {ref}", field=field)


class NoDefaultAssessor(DomainError):
    """Nobody supervised the employee on the first day of the period, so an assessor must be named."""

    def __init__(self, start: date):
        super().__init__(f"the employee had no supervisor on {start.isoformat()}; name an assessor (HR)",
                         field="assessor_id", params={"start": start})


class NoRulesForPeriod(DomainError):
    """No rule set was in effect for the period."""

    def __init__(self, period: str, at: date):
        super().__init__(f"no rule set was in effect on {at.isoformat()} for period {period}", field="period",
                         params={"at": at, "period": period})


@dataclass(frozen=True)
class UnitDistribution:
    """The predicates of a unit's final appraisals for a period, checked against its organisation rating's caps."""

    unit: str
    period: str
    rating: UnitRating | None
    distribution: Distribution


class AppraisalService:
    """The SKP module's application service."""

    def __init__(self, ledger: Ledger, registry: Registry, rules: RuleBookService,
                 today: Callable[[], date] = date.today):
        self.ledger = ledger
        self.registry = registry
        self.rules = rules
        self.today = today

    def appraisal(self, appraisal_id: UUID) -> Appraisal:
        """An appraisal's current state from the event store."""
        return self.ledger.load(Appraisal, appraisal_id)

    def open(self, actor: Actor, employee_id: UUID, period: str, assessor_id: UUID | None = None) -> Appraisal:
        """Open the one appraisal of an employee and period (HR or the employee's supervisor). The assessor is the
        supervisor in post on the period's first day unless HR names another."""
        employee = self._employee(employee_id, "employee_id")
        require(AccessPolicy.may_open_appraisal(actor, employee.supervisor_id),
                "only HR or the employee's supervisor can open an appraisal")
        start, _ = period_bounds(period)
        default = supervisor_on(self.ledger.history(employee_id), start)
        basis = "supervisor"
        if assessor_id is None or assessor_id == default:
            if default is None:
                raise NoDefaultAssessor(start)
            assessor_id = default
        else:
            require(AccessPolicy.may_name_assessor(actor),
                    "only HR names an assessor other than the supervisor at the start of the period")
            self._employee(assessor_id, "assessor_id")
            basis = "named"
        appraisal = Appraisal.open(employee_id=employee_id, period=period, unit=employee.unit,
                                   assessor_id=assessor_id, assessor_basis=basis)
        if self.ledger.exists(appraisal.id):
            raise Conflict(f"the employee already has an appraisal for {period}", field="period",
                           appraisal_id=str(appraisal.id))
        self.ledger.record(actor, appraisal)
        return appraisal

    def agree_target(self, actor: Actor, appraisal_id: UUID, target: str, indicator: str,
                     expected_version: int | None = None) -> UUID:
        """The assessor records an agreed target with its indicator."""
        appraisal = self._as_assessor(actor, appraisal_id, expected_version)
        target_id = appraisal.agree_target(target, indicator)
        self.ledger.record(actor, appraisal)
        return target_id

    def record_note(self, actor: Actor, appraisal_id: UUID, text: str, expected_version: int | None = None) -> UUID:
        """The assessor records a coaching note."""
        appraisal = self._as_assessor(actor, appraisal_id, expected_version)
        assert actor.employee_id is not None
        note_id = appraisal.record_note(text, actor.employee_id)
        self.ledger.record(actor, appraisal)
        return note_id

    def assess(self, actor: Actor, appraisal_id: UUID, work_results: str, behaviour: str,
               feedback_round_id: UUID | None = None, expected_version: int | None = None) -> Appraisal:
        """The assessor rates the two dimensions; the predicate comes from the rule set for the period, whose
        version is pinned, as is the cited closed 360 round's id and version."""
        appraisal = self._as_assessor(actor, appraisal_id, expected_version)
        rule_set = self.rules_for(appraisal.period)
        evidence = self._evidence(feedback_round_id) if feedback_round_id is not None else None
        appraisal.assess(work_results, behaviour, rule_set.version, rule_set.rules, evidence)
        self.ledger.record(actor, appraisal)
        return appraisal

    def finalise(self, actor: Actor, appraisal_id: UUID, expected_version: int | None = None) -> Appraisal:
        """The assessor finalises (locks) the appraisal; the employee's unit now is the unit it counts for."""
        appraisal = self._as_assessor(actor, appraisal_id, expected_version)
        unit = self.registry.employee(appraisal.employee_id).unit
        appraisal.finalise(self.today(), unit)
        self.ledger.record(actor, appraisal, self.award_proposal(appraisal))
        return appraisal

    def object(self, actor: Actor, appraisal_id: UUID, reasons: str, expected_version: int | None = None
               ) -> Appraisal:
        """The appraised employee objects (keberatan) within the window; it goes to the assessor's superior."""
        appraisal = self.ledger.load(Appraisal, appraisal_id, expected_version)
        require(AccessPolicy.may_object(actor, appraisal.employee_id), "only the appraised employee can object")
        decider = self.registry.employee(appraisal.assessor_id).supervisor_id
        appraisal.file_objection(reasons, self.today(), decider)
        self.ledger.record(actor, appraisal, reason=reasons)
        return appraisal

    def decide(self, actor: Actor, appraisal_id: UUID, outcome: str, predicate: str | None, reason: str,
               expected_version: int | None = None) -> Appraisal:
        """The assessor's superior the objection went to decides it, finally."""
        appraisal = self.ledger.load(Appraisal, appraisal_id, expected_version)
        appraisal.check_objection_pending()
        assert appraisal.objection is not None
        require(AccessPolicy.may_decide_objection(actor, appraisal.objection.decider_id),
                "only the assessor's superior the objection was filed with can decide it")
        assert actor.employee_id is not None
        appraisal.decide_objection(outcome, predicate, reason, self.today(), actor.employee_id)
        self.ledger.record(actor, appraisal, self.award_proposal(appraisal), reason=reason)
        return appraisal

    def award_proposal(self, appraisal: Appraisal) -> AwardProposal | None:
        """The award a final annual Sangat Baik proposes, under the switch of the rule set the assessment pinned
        (None when it proposes none, or already did)."""
        assessment = appraisal.assessment
        if assessment is None or not appraisal.is_final or self.ledger.exists(AwardProposal.id_for(appraisal.id)):
            return None
        development = self.rules.version(assessment.rule_set_version).rules.get("development") or {}
        if not proposes_award(appraisal.predicate, is_annual(appraisal.period), development):
            return None
        return AwardProposal.propose(
            employee_id=appraisal.employee_id, appraisal_id=appraisal.id, appraisal_version=appraisal.version,
            period=appraisal.period, predicate=str(appraisal.predicate),
            category=str(development.get("award_category", "performance")),
            rule_set_version=assessment.rule_set_version)

    # --- organisation ratings and the distribution -----------------------------------------------------------

    def record_unit_rating(self, actor: Actor, unit: str, period: str, rating: str, reason: str,
                           expected_version: int | None = None) -> tuple[UnitRating, bool]:
        """HR records (or revises) a unit's organisation rating for a period; True when it was new."""
        require(AccessPolicy.may_rate_organisation(actor), "only HR records organisation ratings")
        self._check_unit(unit)
        rule_set = self.rules_for(period)
        rating_id = UnitRating.id_for(unit, period)
        if self.ledger.exists(rating_id):
            unit_rating = self.ledger.load(UnitRating, rating_id, expected_version)
            if unit_rating.revise(rating, rule_set.version, reason):
                self.ledger.record(actor, unit_rating, reason=reason)
            return unit_rating, False
        if expected_version is not None:
            raise PreconditionFailed(f"no organisation rating of {unit} for {period} yet, not version "
                                     f"{expected_version}", current_version=0)
        unit_rating = UnitRating.record(unit=unit, period=period, rating=rating, rule_set_version=rule_set.version,
                                        reason=reason)
        self.ledger.record(actor, unit_rating, reason=reason)
        return unit_rating, True

    def unit_rating(self, unit: str, period: str) -> UnitRating | None:
        """A unit's organisation rating for a period, if recorded."""
        rating_id = UnitRating.id_for(unit, period)
        return self.ledger.load(UnitRating, rating_id) if self.ledger.exists(rating_id) else None

    def distribution(self, unit: str, period: str, final_predicates: Iterable[str]) -> UnitDistribution:
        """The predicates of the unit's final appraisals (read side) checked against the caps of the unit's
        organisation rating under the rule-set version pinned on that rating (no rating: counts only)."""
        self._check_unit(unit)
        period_bounds(period)
        rating = self.unit_rating(unit, period)
        constraints: list[dict[str, Any]] = []
        if rating is not None:
            constraints = self.rules.version(rating.rule_set_version).rules["distribution_caps"][rating.rating]
        return UnitDistribution(unit, period, rating, check_distribution(count_predicates(final_predicates), constraints))

    def rules_for(self, period: str) -> RuleSet:
        """The rule set governing a period: in effect on its last day, or today while the period is running."""
        _, end = period_bounds(period)
        at = min(end, self.today())
        try:
            return self.rules.in_effect(at)
        except NoRuleSetInEffect:
            raise NoRulesForPeriod(period, at) from None

    # --- helpers ---------------------------------------------------------------------------------------------

    def _as_assessor(self, actor: Actor, appraisal_id: UUID, expected_version: int | None) -> Appraisal:
        appraisal = self.ledger.load(Appraisal, appraisal_id, expected_version)
        require(AccessPolicy.may_act_as_assessor(actor, appraisal.assessor_id), "only the appraisal's assessor can do this")
        return appraisal

    def _employee(self, employee_id: UUID, field: str) -> Employee:
        try:
            return self.ledger.load(Employee, employee_id)
        except NotFound:
            raise UnknownReference("employee", employee_id, field) from None

    def _evidence(self, round_id: UUID) -> RoundEvidence:
        try:
            fb_round = self.ledger.load(FeedbackRound, round_id)
        except NotFound:
            raise UnknownReference("feedback round", round_id, "feedback_round_id") from None
        return RoundEvidence(fb_round.id, fb_round.version, fb_round.reviewee_id, fb_round.period,
                             closed=not fb_round.is_open)

    def _check_unit(self, unit: str) -> None:
        if not unit or not self.ledger.exists(Unit.id_for(unit)):
            raise NotFound(f"no unit {unit!r}")
