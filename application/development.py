"""Development needs: proposed from a pinned source by the pure rules of domain.development, confirmed or dismissed
by the employee's supervisor (or HR) with a reason; a supervisor may also record a need of their own judgement.

Every source is read from the event store at its current version and pinned by id and version in the need, never
from a read model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.errors import NotFound
from application.feedback import report_of
from application.ledger import Ledger
from application.rulebook import RuleBookService
from application.trainings import employee_named
from domain.appraisal import Appraisal
from domain.development import (
    DevelopmentNeed,
    ProposedNeed,
    SourceNotUsable,
    SourceRef,
    needs_from_appraisal,
    needs_from_feedback,
    needs_from_talent,
)
from domain.employee import Employee
from domain.errors import DomainError
from domain.feedback_round import FeedbackRound
from domain.potential import PotentialAssessment
from domain.rules import development
from domain.talent_grid import box_cells, boxes_of, place

LOOKBACK_YEARS = 5  # how far back the talent source looks for the latest final annual appraisal


class DevelopmentService:
    """Propose, record, confirm and dismiss development needs."""

    def __init__(self, ledger: Ledger, rules: RuleBookService, policy: AccessPolicy,
                 today: Callable[[], date] = date.today):
        self.ledger = ledger
        self.rules = rules
        self.policy = policy
        self.today = today

    def need(self, need_id: UUID) -> DevelopmentNeed:
        """One need's current state."""
        return self.ledger.load(DevelopmentNeed, need_id)

    def propose(self, actor: Actor, source: str, source_id: UUID) -> list[DevelopmentNeed]:
        """Propose the needs a source gives under the rule set in effect (the employee's supervisor or HR); needs
        already proposed from the same source are not proposed again. Returns the new ones."""
        employee_id, ref, proposed = self._read_source(source, source_id)
        employee = self.ledger.load(Employee, employee_id)
        require(self.policy.may_assess_talent(actor, employee.supervisor_id),
                "only the employee's supervisor or HR proposes development needs")
        version = self.rules.in_effect(self.today()).version
        needs = [DevelopmentNeed.propose(employee_id, ref, p, version) for p in proposed]
        new = [n for n in needs if not self.ledger.exists(n.id)]
        if new:
            self.ledger.record(actor, *new, reason=f"development needs from {source} {source_id}")
        return new

    def judge(self, actor: Actor, employee_id: UUID, area: str, value: str | None, detail: str) -> DevelopmentNeed:
        """The supervisor (or HR) records a need of their own judgement, confirmed at once."""
        employee = employee_named(self.ledger, employee_id)
        require(self.policy.may_assess_talent(actor, employee.supervisor_id),
                "only the employee's supervisor or HR records a development need")
        need = DevelopmentNeed.judge(employee_id, area, value, detail, actor.employee_id)
        self.ledger.record(actor, need, reason=need.detail)
        return need

    def confirm(self, actor: Actor, need_id: UUID, reason: str, expected_version: int | None = None
                ) -> DevelopmentNeed:
        """The supervisor (or HR) confirms a proposed need with a reason."""
        need = self._decidable(actor, need_id, expected_version)
        need.confirm(reason, actor.employee_id)
        self.ledger.record(actor, need, reason=need.reason)
        return need

    def dismiss(self, actor: Actor, need_id: UUID, reason: str, expected_version: int | None = None
                ) -> DevelopmentNeed:
        """The supervisor (or HR) dismisses a proposed need with a reason."""
        need = self._decidable(actor, need_id, expected_version)
        need.dismiss(reason, actor.employee_id)
        self.ledger.record(actor, need, reason=need.reason)
        return need

    def _decidable(self, actor: Actor, need_id: UUID, expected_version: int | None) -> DevelopmentNeed:
        need = self.ledger.load(DevelopmentNeed, need_id, expected_version)
        employee = self.ledger.load(Employee, need.employee_id)
        require(self.policy.may_assess_talent(actor, employee.supervisor_id),
                "only the employee's supervisor or HR confirms or dismisses a development need")
        return need

    # --- sources ---------------------------------------------------------------------------------------------

    def _read_source(self, source: str, source_id: UUID) -> tuple[UUID, SourceRef, list[ProposedNeed]]:
        """The employee, the pinned source and the needs its rule proposes."""
        rules = self.rules.in_effect(self.today()).rules
        if source == "appraisal":
            appraisal = self._load(Appraisal, source_id, "appraisal")
            if not appraisal.is_final or appraisal.assessment is None:
                raise SourceNotUsable("only a final appraisal proposes needs")
            a = appraisal.assessment
            return (appraisal.employee_id, SourceRef(source, appraisal.id, appraisal.version),
                    needs_from_appraisal(a.work_results, a.behaviour))
        if source == "feedback_round":
            fb_round = self._load(FeedbackRound, source_id, "feedback round")
            if fb_round.is_open:
                raise SourceNotUsable("only a closed 360 round proposes needs")
            report = report_of(fb_round)
            return (fb_round.reviewee_id, SourceRef(source, fb_round.id, fb_round.version),
                    needs_from_feedback(report["questions"], development(rules)))
        if source == "talent":
            assessment = self._load(PotentialAssessment, source_id, "potential assessment")
            return (assessment.employee_id, SourceRef(source, assessment.id, assessment.version),
                    self._talent_needs(assessment, rules))
        raise SourceNotUsable(f"unknown source {source!r}")

    def _talent_needs(self, assessment: PotentialAssessment, rules: Mapping[str, Any]) -> list[ProposedNeed]:
        """The 9-box cell of the potential assessment with the latest final annual predicate (pinned in the
        figures), and the need its box proposes."""
        appraisal = self._latest_final(assessment.employee_id)
        if appraisal is None:
            raise SourceNotUsable("the employee has no final annual appraisal to place them on the 9-box")
        talent = rules.get("talent")
        spot = place(appraisal.predicate, assessment.level, boxes_of(talent))
        cell = next((c for c in box_cells(talent) if c["box"] == spot.box), None)
        pin = {"appraisal": {"id": str(appraisal.id), "version": appraisal.version, "period": appraisal.period,
                             "predicate": appraisal.predicate}, "potential": assessment.level}
        return [ProposedNeed(p.area, p.value, p.detail, {**p.figures, **pin})
                for p in needs_from_talent(spot.box, cell["follow_up"] if cell else None, development(rules))]

    def _latest_final(self, employee_id: UUID) -> Appraisal | None:
        year = self.today().year
        for period in (str(y) for y in range(year, year - LOOKBACK_YEARS, -1)):
            appraisal_id = Appraisal.id_for(employee_id, period)
            if self.ledger.exists(appraisal_id):
                appraisal = self.ledger.load(Appraisal, appraisal_id)
                if appraisal.is_final:
                    return appraisal
        return None

    def _load(self, cls: Any, source_id: UUID, what: str) -> Any:
        try:
            return self.ledger.load(cls, source_id)
        except NotFound:
            raise DomainError(f"no {what} {source_id}", field="source_id") from None
