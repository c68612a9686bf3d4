"""Audit index: one row per stored event (position, aggregate, topic, actor) for filtering the log.

A filter by date seeks its positions instead of testing every event's time. Events are stamped when a command makes
them and take their position when stored, so the stamps follow the positions only nearly: two commands stamp their
events, the later-stamped one stores first. Each row therefore also keeps ``stamp_max``, the latest stamp of it and
every event before it, which never falls as the position grows, and an event stamped earlier than that (a *late*
one: ``timestamp < stamp_max``) is also in a partial index of its own (a few rows). Then:

- no event before the first position whose ``stamp_max`` reaches ``since`` has a stamp from ``since`` on (each one's
  stamp is at most its ``stamp_max``);
- every event up to the last position whose ``stamp_max`` is at most ``until`` has a stamp up to ``until``, and an
  event after it stamped up to ``until`` is a late one.

So ``since`` and ``until`` are two seeks in the ``stamp_max`` index, the events between the two positions are read in
position order (testing their stamps), and the late events after the second come from the partial index.
"""


from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
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
    bindparam,
    func,
    insert,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from application.ledger import event_meta
from application.queries.filters import AuditFilter
from infrastructure.database import UTCDateTime
from infrastructure.prepared import Prepared
from infrastructure.projection import Projected, Replayer, RowSink, StreamReplay
from infrastructure.replay import RawEvent, sqlite_datetime, unwrapped

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
    Column("stamp_max", UTCDateTime(), nullable=False),  # the latest timestamp of this event and every earlier one
    Index("ix_audit_index_aggregate", "aggregate_id", "version"),
    Index("ix_audit_index_actor", "actor_id", "position"),
    Index("ix_audit_index_topic", "topic", "position"),
    Index("ix_audit_index_stamp_max", "stamp_max", "position"),
)


class _later(FunctionElement[datetime]):
    """The later of two timestamps (SQLite's two-argument ``max``, PostgreSQL's ``GREATEST``)."""

    type = UTCDateTime()
    name = "later"
    inherit_cache = True


@compiles(_later, "sqlite")
def _later_sqlite(element: _later, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


@compiles(_later)
def _later_other(element: _later, compiler: Any, **kw: Any) -> str:
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


class _lateness(FunctionElement[Any]):
    """How late an event was stamped: the latest stamp before it less its own (SQLite: days, as a number;
    PostgreSQL: an interval)."""

    name = "lateness"
    inherit_cache = True


@compiles(_lateness, "sqlite")
def _lateness_sqlite(element: _lateness, compiler: Any, **kw: Any) -> str:
    latest, stamp = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({latest}) - julianday({stamp}))"


@compiles(_lateness)
def _lateness_other(element: _lateness, compiler: Any, **kw: Any) -> str:
    latest, stamp = (compiler.process(c, **kw) for c in element.clauses)
    return f"({latest} - {stamp})"


_LATE = audit_index.c.timestamp < audit_index.c.stamp_max  # a late event; the partial indexes' condition
_LATENESS = _lateness(audit_index.c.stamp_max, audit_index.c.timestamp)
# the late events (a few rows): by stamp, for a filter by date; by how late, for the latest of them
Index("ix_audit_index_late", audit_index.c.timestamp, audit_index.c.position, sqlite_where=_LATE,
      postgresql_where=_LATE)
Index("ix_audit_index_lateness", _LATENESS, sqlite_where=_LATE, postgresql_where=_LATE)
_MOST_LATE = select(_LATENESS).where(_LATE).order_by(_LATENESS.desc()).limit(1)
LATENESS_MARGIN = timedelta(milliseconds=1)  # SQLite's julianday() difference is exact to some microseconds

_LAST_MAX = select(audit_index.c.stamp_max).order_by(audit_index.c.position.desc()).limit(1).scalar_subquery()
# a row's stamp_max: the latest of the stamps before it in its batch and its own (``b_stamp_max``), and the last
# stored row's (one seek: the last page, the one the insert writes)
_INSERT = Prepared(insert(audit_index).values(
    {**{c.name: bindparam(f"b_{c.name}", type_=c.type) for c in audit_index.columns if c.name != "stamp_max"},
     "stamp_max": _later(bindparam("b_stamp_max", type_=UTCDateTime()),
                         func.coalesce(_LAST_MAX, bindparam("b_stamp_max", type_=UTCDateTime())))}))


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
        """Insert one index row per event, each with the latest stamp so far."""
        rows, latest = [], None
        for item in batch:
            row = _row(item)
            latest = row["timestamp"] if latest is None or row["timestamp"] > latest else latest
            rows.append({f"b_{k}": v for k, v in row.items()} | {"b_stamp_max": latest})
        _INSERT.execute_many(conn, rows)

    def replayer(self, conn: Connection) -> Replayer:
        """Index rows straight from the raw events (the same values ``_row`` takes from the decoded ones)."""
        return _AuditReplayer(conn)


class _AuditReplayer(Replayer):
    def __init__(self, conn: Connection):
        self.sink = RowSink(conn, audit_index)
        self.topics: dict[str, str] = {}  # stored topic -> the topic of the class it resolves to (as _row writes)
        last = conn.execute(select(_LAST_MAX)).scalar()  # a replay that goes on from rows already written
        # the latest stamp so far, in SQLite's fixed-width storage form (ordered as text) and as the sink writes it
        self.latest_key = "" if last is None else last.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        self.latest = None if last is None else self.sink.stamp(last.astimezone(UTC).isoformat(timespec="microseconds"))

    def feed(self, events: Sequence[RawEvent]) -> None:
        """One row per event, in the column order of ``audit_index``."""
        rows = []
        topics, stamp = self.topics, self.sink.stamp
        latest_key, latest = self.latest_key, self.latest
        for position, topic, oid, version, state in events:
            meta = state.get("meta")
            meta = unwrapped(meta) if type(meta) is dict else {}
            reason = state.get("reason") or meta.get("reason")
            name = topics.get(topic)
            if name is None:
                name = topics[topic] = get_topic(resolve_topic(topic))
            moment = state["timestamp"]["_data_"]
            stamped = stamp(moment)
            key = stamped if self.sink.sqlite else sqlite_datetime(moment)
            if key > latest_key:
                latest_key, latest = key, stamped
            rows.append((position, oid.replace("-", ""), version, name, stamped,
                         meta.get("actor_id"), meta.get("actor_role"), meta.get("actor_name"),
                         meta.get("correlation_id"), reason if type(reason) is str else None, latest))
        self.latest_key, self.latest = latest_key, latest
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
        a = audit_index.c
        conds = []
        if flt.aggregate_id:
            conds.append(a.aggregate_id == flt.aggregate_id)
        if flt.actor_id:
            conds.append(a.actor_id == flt.actor_id)
        if flt.topic:
            topics = self._topics_named(flt.topic)
            if not topics:
                return [], None
            conds.append(a.topic.in_(topics))
        if flt.since:
            conds.append(a.timestamp >= flt.since)
        if flt.until:
            conds.append(a.timestamp <= flt.until)
        order = a.position.desc() if newest_first else a.position
        rows = []
        with self.engine.connect() as conn:
            parts = self._dated(conn, flt, after, before) if flt.since or flt.until else [(after, before, None)]
            for low, high, late in parts:
                # one lower and one upper bound: SQLite seeks by only one of several
                bounds = [a.position > low, *([a.position < high] if high is not None else [])]
                rows += [dict(r._mapping) for r in conn.execute(
                    select(audit_index).where(*conds, *bounds, *([late] if late is not None else []))
                    .order_by(order).limit(limit + 1))]
        if len(parts) > 1:  # in position order again, both parts together
            rows.sort(key=lambda r: r["position"], reverse=newest_first)
        more = len(rows) > limit
        rows = rows[:limit]
        return rows, (rows[-1]["position"] if more and rows else None)

    @staticmethod
    def _dated(conn: Connection, flt: AuditFilter, after: int, before: int | None) -> list[tuple[int, int | None, Any]]:
        """The parts of the log between positions ``after`` and ``before`` that a date filter reads (see the
        module's docstring), each as (after, before, a condition or None): the positions from the first whose
        ``stamp_max`` reaches ``since`` to the last whose ``stamp_max`` is at most ``until``, and (with ``until``)
        the late events after that; none when no event is stamped from ``since`` on."""
        a = audit_index.c
        low = after
        if flt.since:
            first = conn.execute(select(a.position).where(a.stamp_max >= flt.since)
                                 .order_by(a.stamp_max, a.position).limit(1)).scalar()
            if first is None:
                return []
            low = max(low, first - 1)
        if not flt.until:
            return [(low, before, None)]
        last = conn.execute(select(a.position).where(a.stamp_max <= flt.until)
                            .order_by(a.stamp_max.desc(), a.position.desc()).limit(1)).scalar()
        parts: list[tuple[int, int | None, Any]] = []
        if last is not None:
            parts.append((low, last + 1 if before is None else min(before, last + 1), None))
        # the late events after ``last``, from their partial index: stamped no earlier than the latest of them was
        # late before ``until`` (a late event after ``last`` has a later stamp before it, which is after ``until``)
        most = conn.execute(_MOST_LATE).scalar()
        if most is None:
            return parts
        lateness = most if isinstance(most, timedelta) else timedelta(days=float(most))
        earliest = flt.until - lateness - LATENESS_MARGIN
        late = select(a.position).where(_LATE, a.timestamp <= flt.until,
                                        a.timestamp >= (max(flt.since, earliest) if flt.since else earliest))
        parts.append((max(after, last or 0), before, a.position.in_(late.scalar_subquery())))
        return parts

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
