"""Upward feedback: a report's feedback to their direct supervisor outside a 360 round, and the supervisor's view
of it under the 360 anonymity rule (read from the event store)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.ledger import Ledger
from application.rulebook import RuleBookService
from application.trainings import require_employee
from domain.appraisal import period_bounds
from domain.employee import Employee
from domain.upward_feedback import Entry, UpwardFeedback, upward_report


class UpwardFeedbackService:
    """Give upward feedback (a direct report) and read it (the supervisor, HR, auditors)."""

    def __init__(self, ledger: Ledger, rules: RuleBookService, policy: AccessPolicy,
                 today: Callable[[], date] = date.today):
        self.ledger = ledger
        self.rules = rules
        self.policy = policy
        self.today = today

    def give(self, actor: Actor, supervisor_id: UUID, period: str, anonymous: bool, ratings: dict[str, int],
             comment: str) -> Entry:
        """A direct report of the supervisor gives feedback for the running period, once."""
        require_employee(self.ledger, supervisor_id, "supervisor_id")
        reviewer = self.ledger.load(Employee, actor.employee_id) if actor.employee_id else None
        require(reviewer is not None and self.policy.may_give_upward_feedback(actor, reviewer.supervisor_id,
                                                                              supervisor_id),
                "only the supervisor's direct reports give them upward feedback")
        assert reviewer is not None
        feedback_id = UpwardFeedback.id_for(supervisor_id, period)
        feedback = (self.ledger.load(UpwardFeedback, feedback_id) if self.ledger.exists(feedback_id)
                    else UpwardFeedback.open(supervisor_id, period))
        feedback.give(reviewer.id, reviewer.name, anonymous, ratings, comment, self.today())
        self.ledger.record(actor, feedback)
        return feedback.entries[-1]

    def report(self, actor: Actor, supervisor_id: UUID, period: str) -> dict[str, Any]:
        """The supervisor's upward feedback of a period: named entries, and the anonymous pool where the rule shows
        it (threshold of the rule set in effect at the period's end, or today while it runs)."""
        require(self.policy.may_read_upward_feedback(actor, supervisor_id),
                "upward feedback is for the supervisor it was given to, HR and auditors")
        end = period_bounds(period)[1]
        today = self.today()
        rule_set = self.rules.in_effect(min(end, today))
        threshold = int(rule_set.rules["feedback"]["anonymity_threshold"])
        feedback_id = UpwardFeedback.id_for(supervisor_id, period)
        entries = self.ledger.load(UpwardFeedback, feedback_id).entries if self.ledger.exists(feedback_id) else []
        return {"supervisor_id": supervisor_id, "period": period, "period_over": today > end,
                "rule_set_version": rule_set.version, "entries": len(entries),
                **upward_report(entries, threshold, today > end)}
