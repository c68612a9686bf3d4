"""Target proposals: the employee proposes, the assessor decides (an accepted or edited proposal is agreed on the
appraisal in the same write), the employee acknowledges targets the assessor added."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.ledger import Ledger
from domain.appraisal import Appraisal
from domain.target_proposals import TargetProposals


class TargetProposalService:
    """Commands and the read of an appraisal's target proposals (from the event store)."""

    def __init__(self, ledger: Ledger, policy: AccessPolicy):
        self.ledger = ledger
        self.policy = policy

    def proposals(self, actor: Actor, appraisal_id: UUID) -> dict[str, Any]:
        """The appraisal's proposals with their decisions, and its targets with who added them and whether the
        employee acknowledged them (readers of the appraisal)."""
        appraisal = self.ledger.load(Appraisal, appraisal_id)
        decider = appraisal.objection.decider_id if appraisal.objection else None
        require(self.policy.may_read_appraisal(actor, appraisal.employee_id, appraisal.assessor_id, decider),
                "target proposals are for the readers of the appraisal")
        book = self._book(appraisal)
        proposed = book.proposed_target_ids
        return {
            "appraisal_id": appraisal.id, "employee_id": appraisal.employee_id, "version": book.version if self.ledger.exists(book.id) else 0,
            "proposals": [vars(p) for p in book.proposals],
            "targets": [{"id": t.id, "target": t.target, "indicator": t.indicator, "agreed_at": t.agreed_at,
                         "added_by": "proposal" if t.id in proposed else "assessor",
                         "acknowledged_at": book.acknowledged.get(t.id)} for t in appraisal.targets],
        }

    def propose(self, actor: Actor, appraisal_id: UUID, target: str, indicator: str) -> None:
        """The appraised employee proposes a target with its indicator while the appraisal is not final."""
        appraisal = self.ledger.load(Appraisal, appraisal_id)
        require(self.policy.is_self(actor, appraisal.employee_id), "only the appraised employee proposes targets")
        appraisal.check_planning()
        book = self._book(appraisal)
        book.propose(target, indicator)
        self.ledger.record(actor, book)

    def decide(self, actor: Actor, appraisal_id: UUID, proposal_id: UUID, outcome: str, target: str | None,
               indicator: str | None, reason: str | None, expected_version: int | None = None) -> None:
        """The assessor accepts, edits with a reason or rejects with a reason; the agreed target is pinned."""
        appraisal = self.ledger.load(Appraisal, appraisal_id)
        require(self.policy.may_act_as_assessor(actor, appraisal.assessor_id), "only the assessor decides proposals")
        appraisal.check_planning()
        book = self._book(appraisal, expected_version)
        book.decide(proposal_id, outcome, target, indicator, reason, appraisal.agree_target)
        self.ledger.record(actor, book, appraisal, reason=reason.strip() if reason else None)

    def acknowledge(self, actor: Actor, appraisal_id: UUID, target_id: UUID) -> None:
        """The appraised employee acknowledges a target the assessor added."""
        appraisal = self.ledger.load(Appraisal, appraisal_id)
        require(self.policy.is_self(actor, appraisal.employee_id), "only the appraised employee acknowledges targets")
        book = self._book(appraisal)
        book.acknowledge(target_id, {t.id for t in appraisal.targets})
        self.ledger.record(actor, book)

    def _book(self, appraisal: Appraisal, expected_version: int | None = None) -> TargetProposals:
        book_id = TargetProposals.id_for(appraisal.id)
        if self.ledger.exists(book_id):
            return self.ledger.load(TargetProposals, book_id, expected_version)
        return TargetProposals.start(appraisal.id, appraisal.employee_id)
