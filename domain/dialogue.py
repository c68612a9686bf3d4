"""Performance dialogue (dialog kinerja, PermenPANRB 6/2022): a conversation between an employee and their supervisor
recorded by either side with its date, topics, agreed actions and follow-up date; the other side adds their own
account; each agreed action stays open for both until one of them marks it done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain.errors import DomainError, StateConflict

PARTIES: tuple[str, ...] = ("employee", "supervisor")
MAX_TOPICS = 10
MAX_ACTIONS = 10
MAX_SHORT = 300
MAX_ACCOUNT = 4000


class DialogueInvalid(DomainError):
    """A dialogue, account or action breaks a rule; ``errors`` names each field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the performance dialogue is not valid: " + ", ".join(sorted(errors)), errors=errors)


class DialogueState(StateConflict):
    """The dialogue is not in the state the command needs (a 409)."""

    def __init__(self, detail: str):
        super().__init__(detail, field="dialogue")


@dataclass
class Action:
    """An agreed action: who does it, by when, and when it was marked done."""

    id: UUID
    text: str
    owner: str
    due_on: date | None
    done_at: datetime | None = None
    done_note: str | None = None


def _text(value: object, limit: int) -> str | None:
    text = value.strip() if isinstance(value, str) else ""
    return text if text and len(text) <= limit else None


def check_dialogue(held_on: date, topics: list[str], actions: list[dict[str, Any]], follow_up_on: date | None,
                   account: str, today: date) -> tuple[list[str], list[dict[str, Any]], str]:
    """The cleaned topics, actions and account of a new dialogue, or the errors of each field."""
    errors: dict[str, list[str]] = {}
    if held_on > today:
        errors["held_on"] = ["must not be in the future"]
    cleaned = [_text(t, MAX_SHORT) for t in topics]
    if not topics or len(topics) > MAX_TOPICS or any(t is None for t in cleaned):
        errors["topics"] = [f"give 1 to {MAX_TOPICS} topics of 1 to {MAX_SHORT} characters"]
    planned = []
    if len(actions) > MAX_ACTIONS:
        errors["actions"] = [f"at most {MAX_ACTIONS} actions"]
    for i, a in enumerate(actions[:MAX_ACTIONS]):
        text, owner, due = _text(a.get("text"), MAX_SHORT), a.get("owner"), a.get("due_on")
        if text is None:
            errors[f"actions[{i}].text"] = [f"must be 1 to {MAX_SHORT} characters"]
        if owner not in PARTIES:
            errors[f"actions[{i}].owner"] = [f"must be one of {', '.join(PARTIES)}"]
        if due is not None and (not isinstance(due, date) or due < held_on):
            errors[f"actions[{i}].due_on"] = ["must be on or after the dialogue"]
        planned.append({"id": str(uuid4()), "text": text, "owner": owner,
                        "due_on": due.isoformat() if isinstance(due, date) else None})
    if follow_up_on is not None and follow_up_on < held_on:
        errors["follow_up_on"] = ["must be on or after the dialogue"]
    text = _text(account, MAX_ACCOUNT)
    if text is None:
        errors["account"] = [f"must be 1 to {MAX_ACCOUNT} characters"]
    if errors:
        raise DialogueInvalid(errors)
    assert text is not None
    return [t for t in cleaned if t is not None], planned, text


class Dialogue(Aggregate):
    """One performance dialogue between an employee and their supervisor."""

    class Recorded(Aggregate.Created):
        employee_id: UUID
        supervisor_id: UUID
        recorded_by: str
        held_on: date
        topics: list[str]
        actions: list[dict[str, Any]]
        follow_up_on: date | None
        account: str

    class AccountAdded(Aggregate.Event):
        party: str
        account: str

        def apply(self, aggregate: Aggregate) -> None:
            """Add the other side's account."""
            assert isinstance(aggregate, Dialogue)
            aggregate.accounts[self.party] = self.account

    class ActionDone(Aggregate.Event):
        action_id: UUID
        party: str
        note: str

        def apply(self, aggregate: Aggregate) -> None:
            """Mark the action done."""
            assert isinstance(aggregate, Dialogue)
            action = aggregate.action(self.action_id)
            action.done_at, action.done_note = self.timestamp, self.note

    def __init__(self, employee_id: UUID, supervisor_id: UUID, recorded_by: str, held_on: date, topics: list[str],
                 actions: list[dict[str, Any]], follow_up_on: date | None, account: str):
        self.employee_id = employee_id
        self.supervisor_id = supervisor_id
        self.recorded_by = recorded_by
        self.held_on = held_on
        self.topics = list(topics)
        self.actions = [Action(UUID(a["id"]), a["text"], a["owner"],
                               date.fromisoformat(a["due_on"]) if a.get("due_on") else None) for a in actions]
        self.follow_up_on = follow_up_on
        self.accounts: dict[str, str] = {recorded_by: account}

    @classmethod
    def record(cls, *, employee_id: UUID, supervisor_id: UUID, recorded_by: str, held_on: date, topics: list[str],
               actions: list[dict[str, Any]], follow_up_on: date | None, account: str, today: date) -> Dialogue:
        """Either side records a dialogue held on or before today, with their own account of it."""
        if recorded_by not in PARTIES:
            raise DialogueInvalid({"recorded_by": [f"must be one of {', '.join(PARTIES)}"]})
        topics, planned, text = check_dialogue(held_on, topics, actions, follow_up_on, account, today)
        return cls._create(cls.Recorded, employee_id=employee_id, supervisor_id=supervisor_id,
                           recorded_by=recorded_by, held_on=held_on, topics=topics, actions=planned,
                           follow_up_on=follow_up_on, account=text)

    def action(self, action_id: UUID) -> Action:
        """One agreed action."""
        found = next((a for a in self.actions if a.id == action_id), None)
        if found is None:
            raise DialogueInvalid({"action_id": [f"the dialogue has no action {action_id}"]})
        return found

    @property
    def open_actions(self) -> list[Action]:
        """The actions not yet done."""
        return [a for a in self.actions if a.done_at is None]

    def add_account(self, party: str, account: str) -> None:
        """The side that did not record the dialogue adds its own account, once."""
        if party in self.accounts:
            raise DialogueState(f"the {party}'s account is already recorded")
        text = _text(account, MAX_ACCOUNT)
        if text is None:
            raise DialogueInvalid({"account": [f"must be 1 to {MAX_ACCOUNT} characters"]})
        self.trigger_event(self.AccountAdded, party=party, account=text)

    def complete(self, action_id: UUID, party: str, note: str) -> None:
        """Either side marks an open action done, with a note."""
        action = self.action(action_id)
        if action.done_at is not None:
            raise DialogueState("the action is already done")
        text = _text(note, MAX_SHORT)
        if text is None:
            raise DialogueInvalid({"note": [f"must be 1 to {MAX_SHORT} characters"]})
        self.trigger_event(self.ActionDone, action_id=action.id, party=party, note=text)
