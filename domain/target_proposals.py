"""The employee's part in planning their appraisal (PermenPANRB 6/2022: expectations agreed between leader and
employee): the employee proposes targets with indicators; the assessor accepts, edits with a reason, or rejects with
a reason; an accepted or edited proposal becomes an agreed target of the appraisal (pinned by its target id). Targets
the assessor adds directly are acknowledged by the employee.

One ``TargetProposals`` aggregate per appraisal keeps all of this beside the appraisal, which keeps its own events.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import DomainError, StateConflict

OUTCOMES: tuple[str, ...] = ("accepted", "edited", "rejected")
MAX_TEXT = 1000
MAX_PROPOSALS = 30


class ProposalInvalid(DomainError):
    """A proposal or decision breaks a rule; ``errors`` names each field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the target proposal is not valid: " + ", ".join(sorted(errors)), errors=errors)


class ProposalState(StateConflict):
    """Decided once; acknowledged once (a 409)."""

    def __init__(self, detail: str):
        super().__init__(detail, field="proposal")


@dataclass
class Proposal:
    """A target the employee proposed, and the assessor's decision on it."""

    id: UUID
    target: str
    indicator: str
    proposed_at: datetime
    outcome: str | None = None
    agreed_target: str | None = None
    agreed_indicator: str | None = None
    reason: str | None = None
    target_id: UUID | None = None


def _text(value: str | None, field: str, errors: dict[str, list[str]]) -> str:
    text = (value or "").strip()
    if not text or len(text) > MAX_TEXT:
        errors[field] = [f"must be 1 to {MAX_TEXT} characters"]
    return text


class TargetProposals(Aggregate):
    """The target proposals and acknowledgements of one appraisal."""

    class Started(Aggregate.Created):
        appraisal_id: UUID
        employee_id: UUID

    class Proposed(Aggregate.Event):
        proposal_id: UUID
        target: str
        indicator: str

        def apply(self, aggregate: Aggregate) -> None:
            """Add the proposal."""
            assert isinstance(aggregate, TargetProposals)
            aggregate.proposals.append(Proposal(self.proposal_id, self.target, self.indicator, self.timestamp))

    class Decided(Aggregate.Event):
        proposal_id: UUID
        outcome: str
        target: str | None
        indicator: str | None
        reason: str | None
        target_id: UUID | None

        def apply(self, aggregate: Aggregate) -> None:
            """Record the assessor's decision (and the agreed target it became)."""
            assert isinstance(aggregate, TargetProposals)
            p = aggregate.proposal(self.proposal_id)
            p.outcome, p.agreed_target, p.agreed_indicator = self.outcome, self.target, self.indicator
            p.reason, p.target_id = self.reason, self.target_id

    class Acknowledged(Aggregate.Event):
        target_id: UUID

        def apply(self, aggregate: Aggregate) -> None:
            """The employee acknowledges a target the assessor added."""
            assert isinstance(aggregate, TargetProposals)
            aggregate.acknowledged[self.target_id] = self.timestamp

    def __init__(self, appraisal_id: UUID, employee_id: UUID):
        self.appraisal_id = appraisal_id
        self.employee_id = employee_id
        self.proposals: list[Proposal] = []
        self.acknowledged: dict[UUID, datetime] = {}

    @staticmethod
    def id_for(appraisal_id: UUID) -> UUID:
        """One aggregate per appraisal."""
        return uuid5(NAMESPACE_URL, f"/appraisals/{appraisal_id}/target-proposals")

    @classmethod
    def start(cls, appraisal_id: UUID, employee_id: UUID) -> TargetProposals:
        """The (empty) proposals of an appraisal."""
        return cls._create(cls.Started, id=cls.id_for(appraisal_id), appraisal_id=appraisal_id,
                           employee_id=employee_id)

    def proposal(self, proposal_id: UUID) -> Proposal:
        """One proposal."""
        found = next((p for p in self.proposals if p.id == proposal_id), None)
        if found is None:
            raise ProposalInvalid({"proposal_id": [f"the appraisal has no proposal {proposal_id}"]})
        return found

    @property
    def proposed_target_ids(self) -> set[UUID]:
        """The agreed targets that came from a proposal (the others the assessor added)."""
        return {p.target_id for p in self.proposals if p.target_id is not None}

    def propose(self, target: str, indicator: str) -> Proposal:
        """The employee proposes a target with its indicator."""
        errors: dict[str, list[str]] = {}
        text, measure = _text(target, "target", errors), _text(indicator, "indicator", errors)
        if len(self.proposals) >= MAX_PROPOSALS:
            errors["target"] = [f"at most {MAX_PROPOSALS} proposals"]
        if errors:
            raise ProposalInvalid(errors)
        self.trigger_event(self.Proposed, proposal_id=uuid4(), target=text, indicator=measure)
        return self.proposals[-1]

    def decide(self, proposal_id: UUID, outcome: str, target: str | None, indicator: str | None,
               reason: str | None, agree: Callable[[str, str], UUID]) -> None:
        """The assessor accepts (as proposed), edits (a new wording, with a reason) or rejects (with a reason); an
        accepted or edited target is agreed on the appraisal through ``agree``, and its target id pinned here."""
        proposal = self.proposal(proposal_id)
        if proposal.outcome is not None:
            raise ProposalState(f"the proposal is already {proposal.outcome}")
        errors: dict[str, list[str]] = {}
        if outcome not in OUTCOMES:
            errors["outcome"] = [f"must be one of {', '.join(OUTCOMES)}"]
        why = _text(reason, "reason", errors) if outcome in ("edited", "rejected") else (reason or "").strip() or None
        agreed: tuple[str, str] | None = None
        if outcome == "accepted":
            agreed = (proposal.target, proposal.indicator)
        elif outcome == "edited":
            agreed = (_text(target, "target", errors), _text(indicator, "indicator", errors))
            if agreed == (proposal.target, proposal.indicator):
                errors["target"] = ["an edit changes the target or its indicator; accept it as proposed instead"]
        if errors:
            raise ProposalInvalid(errors)
        target_id = agree(*agreed) if agreed else None
        self.trigger_event(self.Decided, proposal_id=proposal_id, outcome=outcome,
                           target=agreed[0] if agreed else None, indicator=agreed[1] if agreed else None,
                           reason=why, target_id=target_id)

    def acknowledge(self, target_id: UUID, assessor_target_ids: set[UUID]) -> None:
        """The employee acknowledges a target the assessor added (not one from a proposal), once."""
        if target_id not in assessor_target_ids or target_id in self.proposed_target_ids:
            raise ProposalInvalid({"target_id": ["only a target the assessor added is acknowledged"]})
        if target_id in self.acknowledged:
            raise ProposalState("the target is already acknowledged")
        self.trigger_event(self.Acknowledged, target_id=target_id)
