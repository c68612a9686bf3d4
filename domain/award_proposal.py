"""Awards proposed from performance (PermenPANRB 6/2022, the follow-up stage: reward): a final annual predicate of
Sangat Baik proposes an award for HR to grant or dismiss, where the rule set's ``development.award_from_sangat_baik``
switch is on. The proposal pins the appraisal by id and version; a grant creates the award (which then counts for
an outstanding-achievement promotion where the rule set lists its category).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import DomainError, StateConflict

TRIGGER_PREDICATE = "Sangat Baik"
MAX_REASON = 2000


class ProposalDecided(StateConflict):
    """An award proposal is granted or dismissed once (a 409)."""

    def __init__(self, status: str):
        super().__init__(f"the award proposal is already {status}", field="proposal")


def proposes_award(predicate: str | None, annual: bool, development: Mapping[str, Any]) -> bool:
    """True when a final predicate proposes an award under the rule set's development section."""
    return bool(development.get("award_from_sangat_baik")) and annual and predicate == TRIGGER_PREDICATE


class AwardProposal(Aggregate):
    """The award a final annual appraisal proposed."""

    class Proposed(Aggregate.Created):
        employee_id: UUID
        appraisal_id: UUID
        appraisal_version: int
        period: str
        predicate: str
        category: str
        rule_set_version: int

    class Granted(Aggregate.Event):
        award_id: UUID
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """The award was granted."""
            assert isinstance(aggregate, AwardProposal)
            aggregate.status, aggregate.award_id, aggregate.reason = "granted", self.award_id, self.reason

    class Dismissed(Aggregate.Event):
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """HR dismissed it."""
            assert isinstance(aggregate, AwardProposal)
            aggregate.status, aggregate.reason = "dismissed", self.reason

    def __init__(self, employee_id: UUID, appraisal_id: UUID, appraisal_version: int, period: str, predicate: str,
                 category: str, rule_set_version: int):
        self.employee_id = employee_id
        self.appraisal_id = appraisal_id
        self.appraisal_version = appraisal_version
        self.period = period
        self.predicate = predicate
        self.category = category
        self.rule_set_version = rule_set_version
        self.status = "proposed"
        self.award_id: UUID | None = None
        self.reason: str | None = None

    @staticmethod
    def id_for(appraisal_id: UUID) -> UUID:
        """One proposal per appraisal."""
        return uuid5(NAMESPACE_URL, f"/appraisals/{appraisal_id}/award-proposal")

    @classmethod
    def propose(cls, *, employee_id: UUID, appraisal_id: UUID, appraisal_version: int, period: str, predicate: str,
                category: str, rule_set_version: int) -> AwardProposal:
        """Propose the award of a final appraisal (pinned at its version)."""
        return cls._create(cls.Proposed, id=cls.id_for(appraisal_id), employee_id=employee_id,
                           appraisal_id=appraisal_id, appraisal_version=appraisal_version, period=period,
                           predicate=predicate, category=category, rule_set_version=rule_set_version)

    def grant(self, award_id: UUID, reason: str) -> None:
        """HR granted the award (created in the same write)."""
        self.trigger_event(self.Granted, award_id=award_id, reason=self._reason(reason))

    def dismiss(self, reason: str) -> None:
        """HR dismisses the proposal with a reason."""
        self.trigger_event(self.Dismissed, reason=self._reason(reason))

    def _reason(self, reason: str) -> str:
        if self.status != "proposed":
            raise ProposalDecided(self.status)
        text = (reason or "").strip()
        if not text or len(text) > MAX_REASON:
            raise DomainError(f"the reason must be 1 to {MAX_REASON} characters", field="reason")
        return text
