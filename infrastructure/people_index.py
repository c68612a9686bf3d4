"""A read model's own copy of employee names and units, so its queries never read another read model's tables.

A read model that shows who a row is about (an appraisal's employee, a round's reviewee) keeps a small table of
its own, fed by the same registration and move events the directory reads, and rebuilt with it from the log.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic
from sqlalchemy import Column, Connection, Engine, MetaData, Select, String, Table, Text, Uuid, select, update

from domain.employee import Employee
from infrastructure.replay import RawEvent

EVENTS: tuple[type, ...] = (Employee.Registered, Employee.Moved)
TOPICS = frozenset(get_topic(cls) for cls in EVENTS)
_REGISTERED = get_topic(Employee.Registered)
Folded = dict[str, list[str]]  # employee id (32 hex digits) -> [name, unit]


def people_table(name: str, metadata: MetaData) -> Table:
    """A table of employee id, name and current unit, owned by the read model whose metadata it joins."""
    return Table(name, metadata,
                 Column("id", Uuid, primary_key=True),
                 Column("name", Text, nullable=False),
                 Column("unit", String(20), nullable=False))


def record(conn: Connection, table: Table, event: Any) -> bool:
    """Apply an employee event to the table; False when the event is not one of ``EVENTS``."""
    if isinstance(event, Employee.Registered):
        conn.execute(table.insert().values(id=event.originator_id, name=event.name, unit=event.unit))
    elif isinstance(event, Employee.Moved):
        conn.execute(update(table).where(table.c.id == event.originator_id).values(unit=event.unit))
    else:
        return False
    return True


def fold(events: Iterable[RawEvent], people: Folded) -> None:
    """Apply raw registration and move events (in log order) to ``people``, as ``record`` does to a table: a
    one-pass rebuild folds them once for every read model that keeps a copy (``name`` and ``unit`` are in every
    stored version of both events)."""
    for event in events:
        key = event.originator_id.replace("-", "")
        if event.topic == _REGISTERED:
            people[key] = [event.state["name"], event.state["unit"]]
        else:
            row = people.get(key)
            if row is not None:
                row[1] = event.state["unit"]


def narrowed(stmt: Select[Any], equal: Iterable[tuple[Any, Any]], employee_column: Any,
             visible_to: AbstractSet[UUID] | None) -> Select[Any]:
    """A query with ``column == value`` for each given value (None: no filter), and only the employees in
    ``visible_to`` (None: everyone)."""
    for column, value in equal:
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt if visible_to is None else stmt.where(employee_column.in_(visible_to))


class EmployeeRowView:
    """A view over a table of rows that each belong to one employee, shown with the employee's name and unit."""

    table: Table
    people: Table  # the read model's own copy of names and units (``people_table``)

    def __init__(self, engine: Engine):
        self.engine = engine

    def _rows(self) -> Select[Any]:
        return (select(self.table, self.people.c.name.label("employee_name"), self.people.c.unit)
                .outerjoin(self.people, self.people.c.id == self.table.c.employee_id))

    def _all(self, stmt: Select[Any]) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]
