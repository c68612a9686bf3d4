"""Several aggregates' histories up to given versions, read together: a decision's replay loads every pinned input
as it stood, and one read of the snapshots and one of the events replace two reads per input (a round trip each
on PostgreSQL: 14 for a case of seven inputs, most of a replay's time on a large ledger)."""

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
    rows = _run(recorder, sql, [(key, version) for key, version in wanted.items()])
    return {_uuid(row.originator_id): row for row in rows}


def _events(recorder: Any, wanted: Mapping[UUID, int], after: Mapping[UUID, int]) -> list[StoredEvent]:
    sql = ("WITH w(id, lo, v) AS (VALUES {values}) SELECT e.originator_id, e.originator_version, e.topic, e.state "
           "FROM w JOIN {table} e ON e.originator_id = w.id AND e.originator_version > w.lo "
           "AND e.originator_version <= w.v ORDER BY e.originator_id, e.originator_version")
    return _run(recorder, sql, [(key, after[key], version) for key, version in wanted.items()])


def _run(recorder: Any, sql: str, rows: list[tuple[Any, ...]]) -> list[StoredEvent]:
    """The statement on the recorder's own database, its VALUES one row per tuple (an id, then integers)."""
    width = len(rows[0])
    if isinstance(recorder, SQLiteAggregateRecorder):
        values = ", ".join(["(" + ", ".join("?" * width) + ")"] * len(rows))
        text = sql.format(values=values, table=f'"{recorder.events_table_name}"')
        params = [value.hex if isinstance(value, UUID) else value for row in rows for value in row]
        with recorder.datastore.transaction(commit=False) as cursor:
            cursor.execute(text, params)
            found = [tuple(r) for r in cursor.fetchall()]
    else:
        from psycopg import sql as pg

        marks = "(%s::uuid" + ", %s::bigint" * (width - 1) + ")"
        table = pg.Identifier(recorder.datastore.schema, recorder.events_table_name).as_string(None)
        text = sql.format(values=", ".join([marks] * len(rows)), table=table)
        with recorder.datastore.transaction(commit=False) as cursor:  # the library's cursors give dicts
            cursor.execute(text, [value for row in rows for value in row])
            found = [tuple(r.values()) for r in cursor.fetchall()]
    return [StoredEvent(key, version, topic, bytes(state)) for key, version, topic, state in found]


def _uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(value)
