"""A read model's own copy of employee names and units, so its queries never read another read model's tables.

A read model that shows who a row is about (an appraisal's employee, a round's reviewee) keeps a small table of
its own, fed by the same registration and move events the directory reads, and rebuilt with it from the log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Connection, MetaData, String, Table, Text, Uuid, update

from domain.employee import Employee

EVENTS: tuple[type, ...] = (Employee.Registered, Employee.Moved)


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
