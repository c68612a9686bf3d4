"""The audit log's filter choices, its filter by kind of event and its filter by date cost what they answer, not the
log's length; a filter by date finds every event stamped in its range, late-stored ones too.

Rows are written straight into the audit index (this is about its queries; the projection is tested elsewhere): a
short log and one fifty times as long, with the same actors and kinds of events. Work is counted in SQLite virtual
machine steps (``vm_steps``). Before, the actors' list grouped every row of the log on each visit to the log's page
(1.6 s at a million events), a filter by a topic's tail tested every row's topic from the start of the log, and a
filter by date tested every event's time from the start (or the end) of the log up to its range (166 ms for a day in
the middle of a million events, 396 ms for "since" near its end, oldest first).
"""

from __future__ import annotations

import itertools
import random
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
LATE_EVERY = 97  # every 97th event was stamped three minutes before the event stored before it
T0 = datetime(2020, 1, 1, tzinfo=UTC)
_EVENTS: dict[int, int] = {}  # a log's engine (by id) -> its events


def _stamped(position: int) -> datetime:
    """An event's stamp: a minute per position, the late ones three minutes early."""
    return T0 + timedelta(minutes=position - (3 if position % LATE_EVERY == 0 else 0))


def _row(position: int, topic: str, actor: int | None, name: str | None,
         stamp: datetime | None = None) -> dict[str, Any]:
    return {"position": position, "aggregate_id": uuid4(), "version": 1, "topic": topic,
            "timestamp": stamp or _stamped(position),
            "actor_id": None if actor is None else f"grant-{actor:03d}", "actor_role": "hr_admin",
            "actor_name": name, "correlation_id": None, "reason": None}


def _latest_so_far(rows: list[dict[str, Any]], before: datetime | None = None) -> list[dict[str, Any]]:
    """The rows with ``stamp_max`` as the projection writes it: the latest stamp up to each row (in position
    order, after ``before``, the last one stored)."""
    latest = before
    for row in rows:
        latest = row["timestamp"] if latest is None or row["timestamp"] > latest else latest
        row["stamp_max"] = latest
    return rows


def _log(path: Path, events: int) -> Engine:
    """A log of ``events`` events by the same actors (every fifth by the system: no actor), of the same kinds."""
    engine = create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    kinds = itertools.cycle(KINDS)
    rows = [_row(p, RARE if p % RARE_EVERY == 0 else next(kinds), None if p % 5 == 0 else p % ACTORS,
                 f"Pegawai {p % ACTORS:03d}") for p in range(1, events + 1)]
    with engine.begin() as conn:
        conn.execute(insert(audit_index), _latest_so_far(rows))
    _EVENTS[id(engine)] = events
    return engine


def _at(view: AuditView, share: float) -> datetime:
    """The stamp of the event ``share`` of the way into the view's log."""
    return T0 + timedelta(minutes=int(_EVENTS[id(view.engine)] * share))


def _reads(view: AuditView) -> Iterator[tuple[str, Callable[[], Any]]]:
    yield "actors", view.actors
    yield "a rare kind by its tail", lambda: view.events(AuditFilter(topic="Rare.Happened"), 20)
    yield "a kind by its last word, newest first", lambda: view.events(AuditFilter(topic="Changed"), 20,
                                                                           newest_first=True)
    yield "a kind never stored", lambda: view.events(AuditFilter(topic="Never.Happened"), 20)
    middle = _at(view, 0.5)
    yield "a day in the middle, oldest first", lambda: view.events(
        AuditFilter(since=middle, until=middle + timedelta(days=1)), 20)
    yield "a day in the middle, newest first", lambda: view.events(
        AuditFilter(since=middle, until=middle + timedelta(days=1)), 20, newest_first=True)
    yield "since the last tenth, oldest first", lambda: view.events(AuditFilter(since=_at(view, 0.9)), 20)
    yield "until the first tenth, newest first", lambda: view.events(AuditFilter(until=_at(view, 0.1)), 20,
                                                                     newest_first=True)
    yield "an actor since the middle, oldest first", lambda: view.events(
        AuditFilter(since=middle, actor_id="grant-007"), 20)


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, int]]:
    """VM steps of each read on the short and the long log."""
    return steps_by_size(_log, {"short": SHORT, "long": LONG}, lambda e: _reads(AuditView(e)), tmp_path_factory.mktemp)


@pytest.mark.parametrize("read", ["actors", "a rare kind by its tail", "a kind by its last word, newest first",
                                  "a kind never stored", "a day in the middle, oldest first",
                                  "a day in the middle, newest first", "since the last tenth, oldest first",
                                  "until the first tenth, newest first", "an actor since the middle, oldest first"])
def test_an_audit_read_does_not_grow_with_the_log(steps: dict[str, dict[str, int]], read: str) -> None:
    """Fifty times as many events: within 1.5 times the work."""
    assert_within(steps, read, "short", "long")


@pytest.fixture
def view(jejak: Any) -> AuditView:
    """The audit index of a fresh database (SQLite file or PostgreSQL), written to directly."""
    return AuditView(jejak.engine)


def _write(view: AuditView, rows: list[dict[str, Any]]) -> None:
    with view.engine.begin() as conn:
        last = conn.execute(audit_index.select().with_only_columns(audit_index.c.stamp_max)
                            .order_by(audit_index.c.position.desc()).limit(1)).scalar()
        conn.execute(insert(audit_index), _latest_so_far(rows, last))


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


def _pages(view: AuditView, flt: AuditFilter, newest_first: bool, start: int) -> list[int]:
    """Every position the filter finds after ``start``, page by page (seven a page), as the log's pages follow their
    cursor."""
    found: list[int] = []
    cursor: int | None = None
    while True:
        if newest_first:
            rows, cursor = view.events(flt, 7, start, cursor, newest_first=True)
        else:
            rows, cursor = view.events(flt, 7, cursor or start)
        found += [r["position"] for r in rows]
        if cursor is None:
            return found


def test_a_filter_by_date_finds_every_event_stamped_in_its_range_late_stored_ones_too(view: AuditView) -> None:
    """Events stored after later-stamped ones (by seconds, by a day, one by a year) are found by their own stamp:
    the same events, in the same order, as testing every event's stamp."""
    start = _start(view)
    rng = random.Random(13)
    base = datetime(2031, 3, 1, tzinfo=UTC)
    rows = []
    for i in range(1, 401):
        stamp = base + timedelta(minutes=10 * i)
        if i % 9 == 0:
            stamp -= timedelta(seconds=rng.randint(1, 900))
        if i % 50 == 0:
            stamp -= timedelta(days=1)
        if i == 333:
            stamp -= timedelta(days=365)
        rows.append(_row(start + i, KINDS[i % 3], i % 4, f"Pegawai {i % 4:03d}", stamp))
    _write(view, rows)
    moments = [None, base - timedelta(days=400), base + timedelta(hours=5), base + timedelta(hours=20, seconds=7),
               base + timedelta(days=1, minutes=3), base + timedelta(days=2), base + timedelta(days=40)]

    for since in moments:
        for until in moments:
            for actor in (None, "grant-001"):
                flt = AuditFilter(actor_id=actor, since=since, until=until)
                expected = [r["position"] for r in rows
                            if (since is None or r["timestamp"] >= since) and (until is None or r["timestamp"] <= until)
                            and (actor is None or r["actor_id"] == actor)]
                assert _pages(view, flt, False, start) == expected, (since, until, actor)
                assert _pages(view, flt, True, start) == expected[::-1], (since, until, actor)
