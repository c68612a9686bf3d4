"""PostgreSQL's planner and tables filled in bulk: the log probe each authenticated request runs (the head, and
whether an event the security read models read was stored since) walks the position index whatever the statistics
say (on a 9.6M-event ledger loaded in bulk and not analyzed yet it was a sequential scan of every event, 2 s per
request), and what a rebuild or a restore fills in bulk has its statistics gathered before anyone reads it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, text

from application.actor import Actor
from infrastructure.container import Jejak
from tests.conftest import PG_URL, _make
from tests.infrastructure.query_plans import captured
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
    head, _ = runner.head_and_touched(SECURITY_READ_MODELS, 0, teach_cache=True)  # the cache's knowledge starts
    again = runner.head_and_touched(SECURITY_READ_MODELS, head, teach_cache=True)  # and reads the changes since
    sql, _ = runner._probe[(tuple(SECURITY_READ_MODELS), False)]
    teaching, _ = runner._probe[(tuple(SECURITY_READ_MODELS), True)]
    assert all(f"'{t}'" in sql for t in jejak.projections._get("access").topics())  # written into the text

    with psycopg.connect(PG_URL) as conn:  # the statements name their schema
        plans = ["\n".join(row[0] for row in conn.execute(f"EXPLAIN {statement}", params).fetchall())
                 for statement, params in ((sql, (head,)), (teaching, (head, head)))]

    assert head >= EVENTS and again == (head, False)
    assert all("Seq Scan" not in plan and "jejak_events_notification_id_idx" in plan for plan in plans)



def never_analyzed(engine: Engine, tables: list[str]) -> list[str]:
    """Those of the tables (in the engine's schema) whose statistics were never gathered."""
    with engine.connect() as conn:
        return [str(name) for name, tuples in conn.execute(text(
            "SELECT relname, reltuples FROM pg_class WHERE relname = ANY(:names) "
            "AND relnamespace = current_schema()::regnamespace"), {"names": tables}) if tuples < 0]


def test_a_rebuild_gathers_the_statistics_of_the_tables_it_filled_and_vacuums_them_afterwards(tmp_path: Path, hr: Actor) -> None:
    for jejak in _make("postgres", tmp_path):
        jejak.registry.register_unit(hr, "BKPSDM", "Badan Kepegawaian")
        with captured(jejak.engine) as sent:
            jejak.projections.rebuild("directory")  # folded in memory, then written
            jejak.projections.rebuild("timeline")  # streamed from the log
            jejak.blue_green.rebuild("audit_index")  # built beside the live tables, then swapped in
        # which pages VACUUM may mark all-visible depends on every other open transaction of the server: the test
        # checks that it ran on each table, after its transaction
        vacuumed = {re.findall(r'"([^"]+)"', statement)[-1] for statement, _ in sent if statement.startswith("VACUUM")}

        assert never_analyzed(jejak.engine, ["directory_units", "career_timeline", "audit_index"]) == []
        assert {"directory_units", "career_timeline", "career_timeline_subjects", "audit_index"} <= vacuumed
