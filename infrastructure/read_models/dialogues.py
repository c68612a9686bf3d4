"""Performance-dialogue read model: one row per dialogue (with both accounts) and one per agreed action, and the
view over them (an employee's dialogues, a party's open actions)."""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    bindparam,
    func,
    or_,
    select,
    update,
)

from domain.dialogue import Dialogue
from infrastructure import people_index
from infrastructure.database import UTCDateTime
from infrastructure.pending_rows import LOAD_FROM, PendingRows
from infrastructure.people_index import EmployeeRowView, narrowed
from infrastructure.projection import Projected, Projection

metadata = MetaData()
people = people_index.people_table("dialogue_people", metadata)

dialogues = Table(
    "performance_dialogues",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("employee_id", Uuid, nullable=False),
    Column("supervisor_id", Uuid, nullable=False),
    Column("recorded_by", String(10), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("topics", JSON, nullable=False),
    Column("follow_up_on", Date, nullable=True),
    Column("employee_account", Text, nullable=True),
    Column("supervisor_account", Text, nullable=True),
    Column("open_actions", Integer, nullable=False),
    Column("recorded_at", UTCDateTime(), nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_performance_dialogues_employee", "employee_id", "held_on"),
    Index("ix_performance_dialogues_supervisor", "supervisor_id"),
    # the list's order, latest first: its page is read from here instead of sorting every dialogue
    Index("ix_performance_dialogues_recent", "held_on", "recorded_at"),
)

actions = Table(
    "performance_dialogue_actions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("dialogue_id", Uuid, nullable=False),
    Column("number", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("owner", String(10), nullable=False),
    Column("due_on", Date, nullable=True),
    Column("done_at", UTCDateTime(), nullable=True),
    Column("done_by", String(10), nullable=True),
    Column("done_note", Text, nullable=True),
    Index("ix_performance_dialogue_actions_dialogue", "dialogue_id", "number"),
)


# built once: a statement built per event cost more than its row (dialogues are a large share of a ledger's events)
_ACTION_DONE = update(actions).where(actions.c.id == bindparam("b_id", type_=Uuid))
_DIALOGUE = update(dialogues).where(dialogues.c.id == bindparam("b_id", type_=Uuid))
_ONE_DONE = _DIALOGUE.values(open_actions=dialogues.c.open_actions - 1)


class DialogueProjection(Projection):
    """Keeps performance dialogues and their actions current."""

    name = "dialogues"
    metadata = metadata
    people = people  # the module's table: its copy of names and units
    handles = (Dialogue.Recorded, Dialogue.AccountAdded, Dialogue.ActionDone) + people_index.EVENTS

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Apply each event in log order; a dialogue recorded in this batch is changed in memory and inserted at
        the batch's end (``PendingRows``)."""
        pending = PendingRows()
        if len(batch) >= LOAD_FROM:
            changes = [i.event for i in batch if isinstance(i.event, (Dialogue.AccountAdded, Dialogue.ActionDone))]
            pending.load(conn, dialogues, (e.originator_id for e in changes))
            pending.load(conn, actions, (e.action_id for e in changes if isinstance(e, Dialogue.ActionDone)))
        for item in batch:
            e: Any = item.event
            if people_index.record(conn, people, e):
                continue
            if isinstance(e, Dialogue.Recorded):
                self._record(pending, e)
            elif isinstance(e, Dialogue.AccountAdded):
                pending.update(conn, dialogues, e.originator_id, _DIALOGUE,
                               {"version": e.originator_version, f"{e.party}_account": e.account})
            elif isinstance(e, Dialogue.ActionDone):
                self._action_done(conn, pending, e)
        pending.flush(conn)

    @staticmethod
    def _record(pending: PendingRows, e: Any) -> None:
        pending.add(dialogues, e.originator_id, {
            "id": e.originator_id, "employee_id": e.employee_id, "supervisor_id": e.supervisor_id,
            "recorded_by": e.recorded_by, "held_on": e.held_on, "topics": list(e.topics),
            "follow_up_on": e.follow_up_on, "employee_account": None, "supervisor_account": None,
            f"{e.recorded_by}_account": e.account, "open_actions": len(e.actions),
            "recorded_at": e.timestamp, "version": e.originator_version})
        for number, a in enumerate(e.actions, start=1):
            pending.add(actions, UUID(a["id"]), {
                "id": UUID(a["id"]), "dialogue_id": e.originator_id, "number": number, "text": a["text"],
                "owner": a["owner"], "due_on": _day(a.get("due_on")), "done_at": None, "done_by": None,
                "done_note": None})

    @staticmethod
    def _action_done(conn: Connection, pending: PendingRows, e: Any) -> None:
        pending.update(conn, actions, e.action_id, _ACTION_DONE,
                       {"done_at": e.timestamp, "done_by": e.party, "done_note": e.note})
        pending.update(conn, dialogues, e.originator_id, _ONE_DONE, {"version": e.originator_version},
                       counters={"open_actions": -1})


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class DialogueView(EmployeeRowView):
    """Performance dialogues as the projection holds them (no writes)."""

    table, people = dialogues, people

    def dialogues(self, employee_id: UUID | None, limit: int, visible_to: AbstractSet[UUID] | None = None,
                  viewer: UUID | None = None) -> list[dict[str, Any]]:
        """Dialogues, latest first, each with its actions; with ``visible_to``, only those employees' and those
        held with ``viewer`` as the supervisor."""
        stmt = narrowed(self._rows(), ((dialogues.c.employee_id, employee_id),), dialogues.c.employee_id, None)
        if visible_to is not None:
            stmt = stmt.where(or_(dialogues.c.employee_id.in_(visible_to), dialogues.c.supervisor_id == viewer))
        rows = self._all(stmt.order_by(dialogues.c.held_on.desc(), dialogues.c.recorded_at.desc()).limit(limit))
        return self._with_actions(rows)

    def dialogue(self, dialogue_id: UUID) -> dict[str, Any] | None:
        """One dialogue with its actions."""
        rows = self._with_actions(self._all(self._rows().where(dialogues.c.id == dialogue_id)))
        return rows[0] if rows else None

    def open_actions(self, party_id: UUID) -> list[dict[str, Any]]:
        """Open actions of the dialogues where ``party_id`` is the employee or the supervisor, oldest due first."""
        stmt = (select(actions, dialogues.c.employee_id, dialogues.c.supervisor_id, dialogues.c.held_on,
                       dialogues.c.follow_up_on, people.c.name.label("employee_name"))
                .join(dialogues, dialogues.c.id == actions.c.dialogue_id)
                .outerjoin(people, people.c.id == dialogues.c.employee_id)
                .where(actions.c.done_at.is_(None),
                       or_(dialogues.c.employee_id == party_id, dialogues.c.supervisor_id == party_id))
                .order_by(actions.c.due_on.is_(None), actions.c.due_on, dialogues.c.held_on, actions.c.number))
        return self._all(stmt)

    def count_open_actions(self, party_id: UUID) -> int:
        """How many open actions ``open_actions`` lists for ``party_id`` (the inbox's count)."""
        stmt = (select(func.count()).select_from(actions.join(dialogues, dialogues.c.id == actions.c.dialogue_id))
                .where(actions.c.done_at.is_(None),
                       or_(dialogues.c.employee_id == party_id, dialogues.c.supervisor_id == party_id)))
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar_one())

    def _with_actions(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ids = [r["id"] for r in rows]
        by_dialogue: dict[UUID, list[dict[str, Any]]] = {i: [] for i in ids}
        if ids:
            for a in self._all(select(actions).where(actions.c.dialogue_id.in_(ids)).order_by(actions.c.number)):
                by_dialogue[a["dialogue_id"]].append(a)
        return [{**r, "actions": by_dialogue[r["id"]]} for r in rows]
