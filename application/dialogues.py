"""Performance dialogues: recorded by the employee or their supervisor, the other side's account, agreed actions
marked done by either side."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from application.access_policy import AccessPolicy
from application.actor import Actor
from application.errors import Forbidden
from application.ledger import Ledger
from application.trainings import employee_named
from domain.dialogue import Dialogue, DialogueInvalid


class DialogueService:
    """Commands on performance dialogues; only the two parties act on one."""

    def __init__(self, ledger: Ledger, policy: AccessPolicy, today: Callable[[], date] = date.today):
        self.ledger = ledger
        self.policy = policy
        self.today = today

    def dialogue(self, dialogue_id: UUID) -> Dialogue:
        """One dialogue's current state."""
        return self.ledger.load(Dialogue, dialogue_id)

    def record(self, actor: Actor, employee_id: UUID, held_on: date, topics: list[str],
               actions: list[dict[str, Any]], follow_up_on: date | None, account: str) -> Dialogue:
        """The employee (with their direct supervisor) or the direct supervisor records a dialogue."""
        employee = employee_named(self.ledger, employee_id)
        party = self.policy.dialogue_party(actor, employee_id, employee.supervisor_id)
        if party is None:
            raise Forbidden("a performance dialogue is recorded by the employee or their direct supervisor")
        if employee.supervisor_id is None:
            raise DialogueInvalid({"employee_id": ["the employee has no supervisor to hold a dialogue with"]})
        dialogue = Dialogue.record(employee_id=employee_id, supervisor_id=employee.supervisor_id, recorded_by=party,
                                   held_on=held_on, topics=topics, actions=actions, follow_up_on=follow_up_on,
                                   account=account, today=self.today())
        self.ledger.record(actor, dialogue)
        return dialogue

    def add_account(self, actor: Actor, dialogue_id: UUID, account: str,
                    expected_version: int | None = None) -> Dialogue:
        """The other side adds its own account of the conversation."""
        dialogue, party = self._as_party(actor, dialogue_id, expected_version)
        dialogue.add_account(party, account)
        self.ledger.record(actor, dialogue)
        return dialogue

    def complete(self, actor: Actor, dialogue_id: UUID, action_id: UUID, note: str,
                 expected_version: int | None = None) -> Dialogue:
        """Either side marks an agreed action done."""
        dialogue, party = self._as_party(actor, dialogue_id, expected_version)
        dialogue.complete(action_id, party, note)
        self.ledger.record(actor, dialogue, reason=note.strip())
        return dialogue

    def _as_party(self, actor: Actor, dialogue_id: UUID, expected_version: int | None) -> tuple[Dialogue, str]:
        dialogue = self.ledger.load(Dialogue, dialogue_id, expected_version)
        party = self.policy.dialogue_party(actor, dialogue.employee_id, dialogue.supervisor_id)
        if party is None:
            raise Forbidden("only the employee and the supervisor of the dialogue act on it")
        return dialogue, party
