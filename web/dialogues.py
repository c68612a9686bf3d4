"""Performance dialogues (dialog kinerja): recorded by either side, the other's account, agreed actions until done."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import marshmallow as ma

from domain.dialogue import MAX_ACCOUNT, MAX_ACTIONS, MAX_SHORT, MAX_TOPICS, PARTIES
from web.auth import actor, allow, jejak
from web.blueprint import Blueprint
from web.dump import Out
from web.http import expected_version, parse_id, with_etag
from web.schemas import Strict

blp = Blueprint("dialogues", __name__, url_prefix="/api", description="Performance dialogues (dialog kinerja)")
SHORT = ma.validate.Length(min=1, max=MAX_SHORT)


class DialogueQuery(Strict):
    """Dialogue list filters."""

    employee_id = ma.fields.UUID(load_default=None)
    limit = ma.fields.Integer(load_default=100, validate=ma.validate.Range(min=1, max=500))


class DialogueActionIn(Strict):
    """An agreed action."""

    text = ma.fields.String(required=True, validate=SHORT)
    owner = ma.fields.String(required=True, validate=ma.validate.OneOf(PARTIES))
    due_on = ma.fields.Date(load_default=None)


class DialogueIn(Strict):
    """A conversation held."""

    employee_id = ma.fields.UUID(required=True, metadata={"description": "yourself, or your direct report"})
    held_on = ma.fields.Date(required=True, metadata={"description": "not in the future"})
    topics = ma.fields.List(ma.fields.String(validate=SHORT), required=True,
                            validate=ma.validate.Length(min=1, max=MAX_TOPICS))
    actions = ma.fields.List(ma.fields.Nested(DialogueActionIn), load_default=list,
                             validate=ma.validate.Length(max=MAX_ACTIONS))
    follow_up_on = ma.fields.Date(load_default=None)
    account = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_ACCOUNT),
                               metadata={"description": "your own account of the conversation"})


class DialogueAccountIn(Strict):
    """The other side's own account."""

    account = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=MAX_ACCOUNT))


class ActionDoneIn(Strict):
    """How the action was done."""

    note = ma.fields.String(required=True, validate=SHORT)


class DialogueActionOut(Out):
    """An agreed action."""

    id = ma.fields.UUID()
    dialogue_id = ma.fields.UUID()
    text = ma.fields.String()
    owner = ma.fields.String()
    due_on = ma.fields.Date(allow_none=True)
    done_at = ma.fields.AwareDateTime(allow_none=True)
    done_by = ma.fields.String(allow_none=True)
    done_note = ma.fields.String(allow_none=True)


class OpenActionOut(DialogueActionOut):
    """An open action with its dialogue."""

    employee_id = ma.fields.UUID()
    employee_name = ma.fields.String(allow_none=True)
    supervisor_id = ma.fields.UUID()
    held_on = ma.fields.Date()
    follow_up_on = ma.fields.Date(allow_none=True)


class DialogueOut(Out):
    """A performance dialogue with both accounts and its actions."""

    id = ma.fields.UUID()
    employee_id = ma.fields.UUID()
    employee_name = ma.fields.String(allow_none=True)
    unit = ma.fields.String(allow_none=True)
    supervisor_id = ma.fields.UUID()
    recorded_by = ma.fields.String()
    held_on = ma.fields.Date()
    topics = ma.fields.List(ma.fields.String())
    follow_up_on = ma.fields.Date(allow_none=True)
    employee_account = ma.fields.String(allow_none=True)
    supervisor_account = ma.fields.String(allow_none=True)
    open_actions = ma.fields.Integer()
    actions = ma.fields.List(ma.fields.Nested(DialogueActionOut))
    recorded_at = ma.fields.AwareDateTime()
    version = ma.fields.Integer()


def respond_dialogue(dialogue_id: UUID, status: int = 200) -> Any:
    """A dialogue the caller may read (its two parties and whoever reads the employee's record), with its ETag."""
    row = jejak().queries.development_records.dialogue(actor(), dialogue_id)
    return with_etag(row, row["version"], status)


@blp.route("/performance-dialogues")
@allow()
@blp.arguments(DialogueQuery(), location="query", unknown=ma.RAISE)
@blp.response(200, DialogueOut(many=True))
def list_dialogues(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Dialogues, latest first (employees: their own and those they held as supervisor; supervisors: also their
    reports')."""
    return jejak().queries.development_records.dialogues(actor(), query["employee_id"], query["limit"])


@blp.route("/performance-dialogues", methods=["POST"])
@allow()
@blp.arguments(DialogueIn())
@blp.response(201, DialogueOut)
def record_dialogue(data: dict[str, Any]) -> Any:
    """Record a conversation with its topics, agreed actions and follow-up date (the employee or their direct
    supervisor)."""
    dialogue = jejak().dialogues.record(actor(), data["employee_id"], data["held_on"], data["topics"],
                                        data["actions"], data["follow_up_on"], data["account"])
    return respond_dialogue(dialogue.id, 201)


@blp.route("/performance-dialogues/<dialogue_id>")
@allow()
@blp.response(200, DialogueOut)
def get_dialogue(dialogue_id: str) -> Any:
    """One dialogue."""
    return respond_dialogue(parse_id(dialogue_id, "performance dialogue"))


@blp.route("/performance-dialogues/<dialogue_id>/account", methods=["POST"])
@allow()
@blp.arguments(DialogueAccountIn())
@blp.response(200, DialogueOut)
def add_account(data: dict[str, Any], dialogue_id: str) -> Any:
    """The side that did not record the dialogue adds its own account (once)."""
    did = parse_id(dialogue_id, "performance dialogue")
    jejak().dialogues.add_account(actor(), did, data["account"], expected_version())
    return respond_dialogue(did)


@blp.route("/performance-dialogues/<dialogue_id>/actions/<action_id>/completion", methods=["POST"])
@allow()
@blp.arguments(ActionDoneIn())
@blp.response(200, DialogueOut)
def complete_action(data: dict[str, Any], dialogue_id: str, action_id: str) -> Any:
    """Mark an agreed action done (either side)."""
    did = parse_id(dialogue_id, "performance dialogue")
    jejak().dialogues.complete(actor(), did, parse_id(action_id, "action"), data["note"], expected_version())
    return respond_dialogue(did)


@blp.route("/me/dialogue-actions")
@allow()
@blp.response(200, OpenActionOut(many=True))
def my_actions() -> list[dict[str, Any]]:
    """Open actions of the dialogues you took part in, as the employee or as the supervisor."""
    return jejak().queries.development_records.open_actions(actor())
