"""Several aggregates' histories up to given versions, read together: a decision's replay loads every pinned input
as it stood, and one read of the snapshots and one of the events replace two reads per input (a round trip each
on PostgreSQL: 14 for a case of seven inputs, most of a replay's time on a large ledger). On PostgreSQL the two are
one statement: a round trip there costs more than the statement (0.3 ms of a replay's wall time each on the 2-core
machine, 2026-12-06), and an aggregate the cache does not hold loads through it too (``CachingRepository``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteAggregateRecorder

Histories = tuple[dict[UUID, StoredEvent], dict[UUID, list[StoredEvent]]]


def read_histories(events: Any, snapshots: Any | None, wanted: Mapping[UUID, int]) -> Histories:
    """For each aggregate id, the latest snapshot at or before its version (if any) and its events after that
    snapshot up to the version, in version order: ``events`` and ``snapshots`` are the library's recorders."""
    if not wanted:
        return {}, {}
    if snapshots is not None and not isinstance(events, SQLiteAggregateRecorder):
        return _postgres_histories(events, snapshots, wanted)
    found = _snapshots(snapshots, wanted) if snapshots is not None else {}
    after = {key: found[key].originator_version if key in found else 0 for key in wanted}
    histories: dict[UUID, list[StoredEvent]] = {key: [] for key in wanted}
    for stored in _events(events, wanted, after):
        histories[_uuid(stored.originator_id)].append(stored)
    return found, histories


def _snapshots(recorder: Any, wanted: Mapping[UUID, int]) -> dict[UUID, StoredEvent]:
    sql = ("WITH w(id, v) AS (VALUES {values}) SELECT s.originator_id, s.originator_version, s.topic, s.state "
           "FROM w JOIN {table} s ON s.originator_id = w.id AND s.originator_version = "
           "(SELECT max(x.originator_version) FROM {table} x WHERE x.originator_id = w.id AND x.originator_version <= w.v)")
    rows = _stored(_rows(recorder, sql, [(key, version) for key, version in wanted.items()]))
    return {_uuid(row.originator_id): row for row in rows}


def _events(recorder: Any, wanted: Mapping[UUID, int], after: Mapping[UUID, int]) -> list[StoredEvent]:
    sql = ("WITH w(id, lo, v) AS (VALUES {values}) SELECT e.originator_id, e.originator_version, e.topic, e.state "
           "FROM w JOIN {table} e ON e.originator_id = w.id AND e.originator_version > w.lo "
           "AND e.originator_version <= w.v ORDER BY e.originator_id, e.originator_version")
    return _stored(_rows(recorder, sql, [(key, after[key], version) for key, version in wanted.items()]))


def _postgres_histories(events: Any, snapshots: Any, wanted: Mapping[UUID, int]) -> Histories:
    """``read_histories`` on PostgreSQL in one statement: each snapshot (kind 0), then the events after it (kind 1)."""
    sql = ("WITH w(id, v) AS (VALUES {values}), s AS (SELECT w.id, w.v, (SELECT max(x.originator_version) FROM "
           "{snapshots} x WHERE x.originator_id = w.id AND x.originator_version <= w.v) AS sv FROM w) "
           "SELECT 0, x.originator_id, x.originator_version, x.topic, x.state FROM s JOIN {snapshots} x "
           "ON x.originator_id = s.id AND x.originator_version = s.sv "
           "UNION ALL SELECT 1, e.originator_id, e.originator_version, e.topic, e.state FROM s JOIN {table} e "
           "ON e.originator_id = s.id AND e.originator_version > coalesce(s.sv, 0) AND e.originator_version <= s.v "
           "ORDER BY 1, 2, 3")
    found: dict[UUID, StoredEvent] = {}
    histories: dict[UUID, list[StoredEvent]] = {key: [] for key in wanted}
    for kind, *row in _rows(events, sql, list(wanted.items()), snapshots=_pg_table(snapshots)):
        (stored,) = _stored([tuple(row)])
        if kind == 0:
            found[_uuid(stored.originator_id)] = stored
        else:
            histories[_uuid(stored.originator_id)].append(stored)
    return found, histories


def _rows(recorder: Any, sql: str, rows: list[tuple[Any, ...]], **tables: str) -> list[tuple[Any, ...]]:
    """The statement's rows on the recorder's own database, its VALUES one row per tuple (an id, then integers);
    ``{table}`` is the recorder's table, other names in braces the tables given."""
    width = len(rows[0])
    if isinstance(recorder, SQLiteAggregateRecorder):
        values = ", ".join(["(" + ", ".join("?" * width) + ")"] * len(rows))
        text = sql.format(values=values, table=f'"{recorder.events_table_name}"', **tables)
        params = [value.hex if isinstance(value, UUID) else value for row in rows for value in row]
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(text, params)
            return [tuple(r) for r in cursor.fetchall()]
    marks = "(%s::uuid" + ", %s::bigint" * (width - 1) + ")"
    text = sql.format(values=", ".join([marks] * len(rows)), table=_pg_table(recorder), **tables)
    with recorder.datastore.transaction(commit=False) as cursor:  # the library's cursors give dicts
        cursor.execute(text, [value for row in rows for value in row])
        return [tuple(r.values()) for r in cursor.fetchall()]


def _pg_table(recorder: Any) -> str:
    from psycopg import sql as pg

    return pg.Identifier(recorder.datastore.schema, recorder.events_table_name).as_string(None)


def _stored(rows: list[tuple[Any, ...]]) -> list[StoredEvent]:
    return [StoredEvent(key, version, topic, bytes(state)) for key, version, topic, state in rows]


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)
