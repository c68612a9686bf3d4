"""The log probe each authenticated request runs (the head, and whether an event the security read models read was
stored since) walks the position index on PostgreSQL whatever the planner's statistics say: on a 9.6M-event ledger
loaded in bulk and not analyzed yet, it was a sequential scan of every event, 2 s per request."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from infrastructure.container import Jejak
from tests.conftest import PG_URL, _make
from web.auth import SECURITY_READ_MODELS

pytestmark = pytest.mark.postgres
EVENTS = 200_000


@pytest.fixture
def bulk_loaded(tmp_path: Path) -> Iterator[tuple[Jejak, str]]:
    """A system whose event table took ``EVENTS`` rows in one statement, with no statistics gathered since."""
    for jejak in _make("postgres", tmp_path):
        schema = jejak.settings.database().schema
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'ALTER TABLE "{schema}".jejak_events SET (autovacuum_enabled = false)')
            conn.execute(f'INSERT INTO "{schema}".jejak_events (originator_id, originator_version, topic, state) '
                         "SELECT gen_random_uuid(), 1, 'domain.appraisal:Appraisal.Noted', '\\x7b7d'::bytea "
                         "FROM generate_series(1, %s)", (EVENTS,))
        yield jejak, str(schema)


def test_the_probe_walks_the_position_index_on_a_ledger_loaded_in_bulk(bulk_loaded: tuple[Jejak, str]) -> None:
    jejak, _ = bulk_loaded
    runner = jejak.projections
    head, _ = runner.head_and_touched(SECURITY_READ_MODELS, 0)
    sql, topics = runner._probe[SECURITY_READ_MODELS]

    with psycopg.connect(PG_URL) as conn:  # the statement names its schema
        plan = "\n".join(row[0] for row in conn.execute(f"EXPLAIN {sql}", (head, list(topics))).fetchall())
    again = runner.head_and_touched(SECURITY_READ_MODELS, head)

    assert head >= EVENTS and again == (head, False)
    assert "Seq Scan" not in plan and "jejak_events_notification_id_idx" in plan

