"""Read-side query over the career timeline projection's table (no writes)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import Engine, Uuid, bindparam, select

from infrastructure.projections.timeline import KINDS, timeline

__all__ = ["KINDS", "TimelineView"]


_ALL_ITEMS = (select(timeline).where(timeline.c.employee_id == bindparam("b_employee", type_=Uuid))
              .order_by(timeline.c.date, timeline.c.position))


class TimelineView:
    """An employee's career timeline in date order, filtered by date range and kind."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def items(self, employee_id: UUID, since: date | None = None, until: date | None = None,
              kinds: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """The employee's items from ``since`` to ``until`` (both inclusive, by business date) of the given kinds
        (None or empty: all), ordered by date and then by log position (the order things were recorded)."""
        wanted = list(kinds or ())
        if since is None and until is None and not wanted:  # the usual read: a statement built once
            with self.engine.connect() as conn:
                return [dict(r._mapping) for r in conn.execute(_ALL_ITEMS, {"b_employee": employee_id})]
        stmt = select(timeline).where(timeline.c.employee_id == employee_id)
        if since is not None:
            stmt = stmt.where(timeline.c.date >= since)
        if until is not None:
            stmt = stmt.where(timeline.c.date <= until)
        if wanted:
            stmt = stmt.where(timeline.c.kind.in_(wanted))
        stmt = stmt.order_by(timeline.c.date, timeline.c.position)
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(stmt)]
