"""Audit index: one row per stored event (position, aggregate, topic, actor) for filtering the log."""


from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic, resolve_topic
from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    and_,
    func,
    select,
)

from application.ledger import event_meta
from application.queries.filters import AuditFilter
from infrastructure.database import UTCDateTime
from infrastructure.prepared import insert_many
from infrastructure.projection import Projected, Replayer, RowSink, StreamReplay
from infrastructure.replay import RawEvent, unwrapped

metadata = MetaData()

audit_index = Table(
    "audit_index",
    metadata,
    # on SQLite the table's own rowid (INTEGER PRIMARY KEY): a BIGINT key there is a second b-tree beside the table,
    # one more page every write commits
    Column("position", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("aggregate_id", Uuid, nullable=False),
    Column("version", Integer, nullable=False),
    Column("topic", String(300), nullable=False),
    Column("timestamp", UTCDateTime(), nullable=False),
    Column("actor_id", String(200), nullable=True),
    Column("actor_role", String(32), nullable=True),
    Column("actor_name", String(200), nullable=True),
    Column("correlation_id", String(200), nullable=True),
    Column("reason", Text, nullable=True),
    Index("ix_audit_index_aggregate", "aggregate_id", "version"),
    Index("ix_audit_index_actor", "actor_id", "position"),
    Index("ix_audit_index_topic", "topic", "position"),
    Index("ix_audit_index_timestamp", "timestamp"),
)


def _row(item: Projected) -> dict[str, Any]:
    e = item.event
    meta = event_meta(e)
    reason = getattr(e, "reason", None) or meta.get("reason")
    return {
        "position": item.position,
        "aggregate_id": e.originator_id,
        "version": e.originator_version,
        "topic": get_topic(type(e)),
        "timestamp": item.timestamp,
        "actor_id": meta.get("actor_id"),
        "actor_role": meta.get("actor_role"),
        "actor_name": meta.get("actor_name"),
        "correlation_id": meta.get("correlation_id"),
        "reason": reason if isinstance(reason, str) else None,
    }




def _distinct(column: Any) -> Any:
    """The distinct non-null values of an indexed column, each found by one seek in its index (a loose index scan:
    a recursive CTE asking for the least value above the last), instead of a pass over every row of the log."""
    first = select(func.min(column).label("value")).cte(f"distinct_{column.name}", recursive=True)
    following = select(select(func.min(column)).where(column > first.c.value).scalar_subquery()
                       ).where(first.c.value.is_not(None))
    return first.union_all(following)


def _last_stamped(column: Any, actor: Any) -> Any:
    """The value of ``column`` on the actor's latest event that has one (by the actor index, newest first)."""
    return (select(column).where(audit_index.c.actor_id == actor, column.is_not(None))
            .order_by(audit_index.c.actor_id.desc(), audit_index.c.position.desc()).limit(1).scalar_subquery())


_TOPIC_VALUES = _distinct(audit_index.c.topic)
_TOPICS = select(_TOPIC_VALUES.c.value).where(_TOPIC_VALUES.c.value.is_not(None))
_ACTOR_VALUES = _distinct(audit_index.c.actor_id)
_ACTORS = select(_ACTOR_VALUES.c.value.label("actor_id"),
                 _last_stamped(audit_index.c.actor_name, _ACTOR_VALUES.c.value).label("name"),
                 _last_stamped(audit_index.c.actor_role, _ACTOR_VALUES.c.value).label("role")
                 ).where(_ACTOR_VALUES.c.value.is_not(None))


class AuditIndexProjection(StreamReplay):
    """Indexes every event so auditors can filter by aggregate, actor, topic and time."""

    name = "audit_index"
    metadata = metadata
    handles = ()
    def only_writes(self, batch: Sequence[Projected]) -> bool:
        """Always: ``process`` is one INSERT of its rows."""
        return True

    def process(self, conn: Connection, batch: Sequence[Projected]) -> None:
        """Insert one index row per event."""
        insert_many(conn, audit_index, [_row(item) for item in batch])

    def replayer(self, conn: Connection) -> Replayer:
        """Index rows straight from the raw events (the same values ``_row`` takes from the decoded ones)."""
        return _AuditReplayer(conn)


class _AuditReplayer(Replayer):
    def __init__(self, conn: Connection):
        self.sink = RowSink(conn, audit_index)
        self.topics: dict[str, str] = {}  # stored topic -> the topic of the class it resolves to (as _row writes)

    def feed(self, events: Sequence[RawEvent]) -> None:
        """One row per event, in the column order of ``audit_index``."""
        rows = []
        topics, stamp = self.topics, self.sink.stamp
        for position, topic, oid, version, state in events:
            meta = state.get("meta")
            meta = unwrapped(meta) if type(meta) is dict else {}
            reason = state.get("reason") or meta.get("reason")
            name = topics.get(topic)
            if name is None:
                name = topics[topic] = get_topic(resolve_topic(topic))
            rows.append((position, oid.replace("-", ""), version, name, stamp(state["timestamp"]["_data_"]),
                         meta.get("actor_id"), meta.get("actor_role"), meta.get("actor_name"),
                         meta.get("correlation_id"), reason if type(reason) is str else None))
        self.sink.insert(rows)

    def finish(self) -> None:
        """Nothing is held between batches."""


class AuditView:
    """The audit index: which event, by whom, when, at which position."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def events(self, flt: AuditFilter, limit: int, after: int = 0, before: int | None = None,
               newest_first: bool = False) -> tuple[list[dict[str, Any]], int | None]:
        """Index rows after a position (and before one, when given), filtered, oldest or newest first; returns rows
        and the cursor of the next page (the last row's position, or None): the next 'after' when oldest first, the
        next 'before' when newest first."""
        conds = [audit_index.c.position > after]
        if before is not None:
            conds.append(audit_index.c.position < before)
        if flt.aggregate_id:
            conds.append(audit_index.c.aggregate_id == flt.aggregate_id)
        if flt.actor_id:
            conds.append(audit_index.c.actor_id == flt.actor_id)
        if flt.topic:
            topics = self._topics_named(flt.topic)
            if not topics:
                return [], None
            conds.append(audit_index.c.topic.in_(topics))
        if flt.since:
            conds.append(audit_index.c.timestamp >= flt.since)
        if flt.until:
            conds.append(audit_index.c.timestamp <= flt.until)
        order = audit_index.c.position.desc() if newest_first else audit_index.c.position
        stmt = select(audit_index).where(and_(*conds)).order_by(order).limit(limit + 1)
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(stmt)]
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, (rows[-1]["position"] if more and rows else None)

    def actors(self) -> list[dict[str, Any]]:
        """Everyone who has caused an event (id, name and role as last stamped), by name: the log filter's choices."""
        with self.engine.connect() as conn:
            rows = [dict(r._mapping) for r in conn.execute(_ACTORS)]
        return sorted(rows, key=lambda r: ((r["name"] or "").casefold(), r["actor_id"]))

    def _topics_named(self, name: str) -> list[str]:
        """The stored topics a filter names: the full topic, or its tail after the module (``Employee.Moved``) or
        after the class (``Moved``). Resolved first, so the filter reads the topic index instead of testing the
        tail of every row's topic (which no index serves) from the start of the log."""
        with self.engine.connect() as conn:
            stored = conn.execute(_TOPICS).scalars()
            return [t for t in stored if t == name or t.endswith(("." + name, ":" + name))]

    def positions(self, aggregate_id: UUID) -> dict[int, int]:
        """Version -> log position for one aggregate."""
        stmt = select(audit_index.c.version, audit_index.c.position).where(audit_index.c.aggregate_id == aggregate_id)
        with self.engine.connect() as conn:
            return {int(v): int(p) for v, p in conn.execute(stmt)}
