"""The audit log's filter choices and its filter by kind of event cost what they answer, not the log's length.

Rows are written straight into the audit index (this is about its queries; the projection is tested elsewhere): a
short log and one fifty times as long, with the same actors and kinds of events. Work is counted in SQLite virtual
machine steps (``vm_steps``). Before, the actors' list grouped every row of the log on each visit to the log's page
(1.6 s at a million events) and a filter by a topic's tail tested every row's topic from the start of the log.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Engine, create_engine, insert

from application.queries.filters import AuditFilter
from infrastructure.read_models.audit_index import AuditView, audit_index, metadata
from tests.infrastructure.query_plans import assert_within, steps_by_size

SHORT, LONG = 1_000, 50_000  # events in the log
ACTORS = 30
KINDS = [f"domain.kind{k}:Kind{k}.{verb}" for k in range(10) for verb in ("Made", "Changed", "Closed")]
RARE = "domain.rare:Rare.Happened"  # one event in a thousand
RARE_EVERY = 1_000


def _row(position: int, topic: str, actor: int | None, name: str | None) -> dict[str, Any]:
    return {"position": position, "aggregate_id": uuid4(), "version": 1, "topic": topic,
            "timestamp": datetime(2020, 1, 1, tzinfo=UTC) + timedelta(minutes=position),
            "actor_id": None if actor is None else f"grant-{actor:03d}", "actor_role": "hr_admin",
            "actor_name": name, "correlation_id": None, "reason": None}


def _log(path: Path, events: int) -> Engine:
    """A log of ``events`` events by the same actors (every fifth by the system: no actor), of the same kinds."""
    engine = create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    kinds = itertools.cycle(KINDS)
    rows = [_row(p, RARE if p % RARE_EVERY == 0 else next(kinds), None if p % 5 == 0 else p % ACTORS,
                 f"Pegawai {p % ACTORS:03d}") for p in range(1, events + 1)]
    with engine.begin() as conn:
        conn.execute(insert(audit_index), rows)
    return engine


def _reads(view: AuditView) -> Iterator[tuple[str, Callable[[], Any]]]:
    yield "actors", view.actors
    yield "a rare kind by its tail", lambda: view.events(AuditFilter(topic="Rare.Happened"), 20)
    yield "a kind by its last word, newest first", lambda: view.events(AuditFilter(topic="Changed"), 20,
                                                                           newest_first=True)
    yield "a kind never stored", lambda: view.events(AuditFilter(topic="Never.Happened"), 20)


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, int]]:
    """VM steps of each read on the short and the long log."""
    return steps_by_size(_log, {"short": SHORT, "long": LONG}, lambda e: _reads(AuditView(e)), tmp_path_factory.mktemp)


@pytest.mark.parametrize("read", ["actors", "a rare kind by its tail", "a kind by its last word, newest first",
                                  "a kind never stored"])
def test_an_audit_read_does_not_grow_with_the_log(steps: dict[str, dict[str, int]], read: str) -> None:
    """Fifty times as many events: within 1.5 times the work."""
    assert_within(steps, read, "short", "long")


@pytest.fixture
def view(jejak: Any) -> AuditView:
    """The audit index of a fresh database (SQLite file or PostgreSQL), written to directly."""
    return AuditView(jejak.engine)


def _write(view: AuditView, rows: list[dict[str, Any]]) -> None:
    with view.engine.begin() as conn:
        conn.execute(insert(audit_index), rows)


def _start(view: AuditView) -> int:
    with view.engine.connect() as conn:
        return int(conn.execute(audit_index.select().with_only_columns(audit_index.c.position)
                                .order_by(audit_index.c.position.desc()).limit(1)).scalar() or 0)


def test_the_actors_are_listed_by_the_name_and_role_they_last_acted_with(view: AuditView) -> None:
    """Each actor once, with the name and role of their latest event that has one, ordered by that name."""
    start = _start(view)
    rows = [_row(start + 1, KINDS[0], 900, "Budi"), _row(start + 2, KINDS[1], 901, "Zaenal"),
            {**_row(start + 3, KINDS[2], 900, "Ahmad Budi"), "actor_role": "supervisor"},
            {**_row(start + 4, KINDS[0], 900, None), "actor_role": None}, _row(start + 5, KINDS[0], None, None)]
    _write(view, rows)

    mine = [a for a in view.actors() if a["actor_id"] in ("grant-900", "grant-901")]

    assert mine == [{"actor_id": "grant-900", "name": "Ahmad Budi", "role": "supervisor"},
                    {"actor_id": "grant-901", "name": "Zaenal", "role": "hr_admin"}]


def test_a_kind_of_event_is_found_by_its_full_topic_or_either_tail(view: AuditView) -> None:
    """``domain.kind1:Kind1.Made``, ``Kind1.Made`` and ``Made`` (every class's), in log order; a kind never
    stored finds nothing."""
    start = _start(view)
    topics = [KINDS[3], KINDS[0], KINDS[4], KINDS[3], RARE]  # Kind1.Made, Kind0.Made, Kind1.Changed, ...
    _write(view, [_row(start + i, topic, 1, "A") for i, topic in enumerate(topics, 1)])

    def found(topic: str) -> list[int]:
        rows, _ = view.events(AuditFilter(topic=topic), 50, after=start)
        return [r["position"] - start for r in rows]

    assert found(KINDS[3]) == found("Kind1.Made") == [1, 4]
    assert found("Made") == [1, 2, 4]
    assert found("Happened") == found("Rare.Happened") == [5]
    assert found("ade") == found("Kind1") == found("Never.Happened") == []
    newest, _ = view.events(AuditFilter(topic="Made"), 2, after=start, newest_first=True)
    assert [r["position"] - start for r in newest] == [4, 2]
