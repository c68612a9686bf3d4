"""What waits for the actor: one count per duty the access policy gives them (reviews to write, nominations to
approve, appraisals to assess, objections to decide, cases to assess or decide, grievances to assign or
investigate, rounds closing this week, open actions of one's performance dialogues). The home page and GET /api/inbox are thin callers of this."""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol
from uuid import UUID

from application.access_policy import AccessPolicy
from application.actor import Actor
from application.queries.feedback import FeedbackQueries
from application.queries.filters import AppraisalFilter, CaseFilter, GrievanceFilter, RoundFilter
from domain.grievance import GrievanceStatus

CLOSING_WINDOW = timedelta(days=7)  # "this week": today and the six days after it


class InboxFeedbackView(Protocol):
    """The feedback read model's counts the inbox uses."""

    def count_rounds(self, flt: RoundFilter, visible_to: AbstractSet[UUID] | None = None) -> int:
        """How many rounds match a filter."""

    def count_pending_nominations(self, supervisors: set[UUID] | None) -> int:
        """How many proposed reviewers wait for approval in open rounds of these supervisors (None: all)."""


class InboxAppraisalView(Protocol):
    """The appraisal read model's count."""

    def count(self, flt: AppraisalFilter, viewer: UUID | None = None, visible_to: AbstractSet[UUID] | None = None) -> int:
        """How many appraisals match a filter."""


class InboxPromotionView(Protocol):
    """The promotion read model's count."""

    def count_cases(self, flt: CaseFilter, visible_to: AbstractSet[UUID] | None = None) -> int:
        """How many cases match a filter."""


class InboxGrievanceView(Protocol):
    """The grievance read model's count."""

    def count(self, flt: GrievanceFilter, grievant: UUID | None = None,
              investigator: Collection[str] | None = None) -> int:
        """How many grievances match a filter."""


class InboxDialogueView(Protocol):
    """The performance-dialogue read model's count."""

    def count_open_actions(self, party_id: UUID) -> int:
        """How many open actions wait in the dialogues where this person is the employee or the supervisor."""


@dataclass(frozen=True)
class InboxItem:
    """One duty and how many things wait under it; ``until`` is the last closing day counted (rounds only)."""

    kind: str
    count: int
    until: date | None = None


class InboxQueries:
    """Counts of what waits for the actor, one per duty ``AccessPolicy.inbox_duties`` gives them."""

    def __init__(self, feedback: FeedbackQueries, rounds: InboxFeedbackView, appraisals: InboxAppraisalView,
                 cases: InboxPromotionView, grievances: InboxGrievanceView, dialogues: InboxDialogueView,
                 policy: AccessPolicy):
        self.feedback = feedback
        self.rounds = rounds
        self.appraisals = appraisals
        self.cases = cases
        self.grievances = grievances
        self.dialogues = dialogues
        self.policy = policy

    def closing_until(self) -> date:
        """The last closing day that counts as "this week"."""
        return self.feedback.today() + CLOSING_WINDOW - timedelta(days=1)

    def items(self, actor: Actor) -> list[InboxItem]:
        """Each duty of the actor with its count, in the policy's order (zero counts included)."""
        return [self.item(actor, duty) for duty in self.policy.inbox_duties(actor)]

    def item(self, actor: Actor, duty: str) -> InboxItem:
        """One duty's count for the actor."""
        me = actor.employee_id
        managed = self.policy.round_manager_scope(actor)
        if duty == "reviews_to_write":
            return InboxItem(duty, sum(1 for r in self.feedback.review_requests(actor) if r["state"] == "pending"))
        if duty == "nominations_to_approve":
            return InboxItem(duty, self.rounds.count_pending_nominations(managed))
        if duty == "rounds_closing":
            until = self.closing_until()
            supervisors = None if managed is None else frozenset(managed)
            return InboxItem(duty, self.rounds.count_rounds(RoundFilter(closes_by=until, supervisors=supervisors)),
                             until)
        if duty == "appraisals_to_assess":
            return InboxItem(duty, self.appraisals.count(AppraisalFilter(assessor_id=me, unfinished=True)))
        if duty == "objections_to_decide":
            return InboxItem(duty, self.appraisals.count(AppraisalFilter(decider_id=me, objection="pending")))
        if duty == "dialogue_actions":  # both parties see an agreed action until either marks it done
            return InboxItem(duty, self.dialogues.count_open_actions(me) if me is not None else 0)
        if duty in CASE_STATUS:
            return InboxItem(duty, self.cases.count_cases(CaseFilter(status=CASE_STATUS[duty]),
                                                          self.policy.case_scope(actor)))
        if duty == "grievances_to_assign":
            return InboxItem(duty, self.grievances.count(GrievanceFilter(status=GrievanceStatus.FILED.value)))
        if duty == "grievances_assigned":  # the open ones assigned to the investigator's person, tokens or accounts
            scope = self.policy.grievance_scope(actor)
            ids = scope[1] if scope is not None and scope[1] is not None else frozenset()
            return InboxItem(duty, self.grievances.count(GrievanceFilter(), investigator=ids))
        raise ValueError(f"unknown inbox duty {duty!r}")


# the promotion cases each duty counts, by the case's status
CASE_STATUS = {"cases_to_assess": "proposed", "cases_reopened": "reopened", "cases_awaiting_decision": "assessed"}
