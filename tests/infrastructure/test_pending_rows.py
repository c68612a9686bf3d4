"""Read models that hold a batch's new and changed rows in memory (``PendingRows``) give the rows of event-by-event
processing, whatever the batch size, where an aggregate's events fall in one batch or across several."""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import get_topic
from sqlalchemy import event, func, select, update

from bench.generate_instansi import generate
from domain.appraisal import Appraisal
from infrastructure.container import Jejak
from infrastructure.pending_rows import LOAD_FROM
from infrastructure.prepared import watching
from infrastructure.projection import ProjectionRunner, tracking

BATCHED = ("appraisals", "dialogues", "coaching_notes", "feedback", "trainings")


def rows(jejak: Jejak) -> dict[str, list[tuple[Any, ...]]]:
    """The batched read models' rows, in a stable order."""
    with jejak.engine.connect() as conn:
        return {table.name: sorted((tuple(r) for r in conn.execute(select(table))), key=repr)
                for name in BATCHED for table in jejak.projections.projections[name].metadata.sorted_tables}


def rebuilt_in_batches_of(jejak: Jejak, size: int) -> dict[str, list[tuple[Any, ...]]]:
    """The batched read models rebuilt from the log, ``size`` events per ``process`` call."""
    runner = ProjectionRunner(jejak.engine, jejak.ledger, [jejak.projections.projections[n] for n in BATCHED],
                              batch_size=size)
    for name in BATCHED:
        runner.rebuild(name)
    return rows(jejak)


def updates_while_rebuilt_in_batches_of(jejak: Jejak, size: int) -> tuple[dict[str, list[tuple[Any, ...]]], int]:
    """The rows rebuilt ``size`` events per batch, and how many UPDATE statements that took (an executemany: one)."""
    statements = [0]

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements[0] += statement.lstrip().upper().startswith("UPDATE") and "projection_tracking" not in statement

    event.listen(jejak.engine, "before_cursor_execute", count)
    try:
        with watching(lambda conn, sql, parameters, many: count(conn, None, sql)):  # those sent past SQLAlchemy's execution
            return rebuilt_in_batches_of(jejak, size), statements[0]
    finally:
        event.remove(jejak.engine, "before_cursor_execute", count)


def test_a_batch_gives_the_rows_of_event_by_event_processing_whatever_its_size(jejak: Jejak) -> None:
    generate(jejak, 60, 2, seed=5, first_year=2024)  # a year's events in the order they happen: aggregates interleave
    jejak.projections.rebuild_all()  # batches of thousands: most rows are inserted with every change made
    whole = rows(jejak)
    assert len(whole["performance_dialogues"]) > 20 and len(whole["coaching_notes"]) > 50
    assert any(r[6] is not None for r in whole["performance_dialogue_actions"])  # done in the batch it was recorded
    assert min(r[9] for r in whole["appraisals"]) > 0  # counted notes: changed in memory, not only inserted
    assert whole["feedback_reports"] and any(r[10] for r in whole["feedback_nominations"])  # closed, answered
    assert {r[9] for r in whole["training_completions"]} == {"verified", "rejected"}  # decided after recorded

    one_by_one, each = updates_while_rebuilt_in_batches_of(jejak, 1)
    assert one_by_one == whole  # each change an UPDATE of a row written before
    assert rebuilt_in_batches_of(jejak, 7) == whole  # aggregates split across batches: both ways at once
    # from LOAD_FROM events a batch reads the rows earlier batches wrote and writes them back together
    assert LOAD_FROM <= 200
    loaded, together = updates_while_rebuilt_in_batches_of(jejak, 200)
    assert loaded == whole
    assert together * 20 < each


def test_a_note_on_an_appraisal_never_opened_is_parked_not_guessed(sqlite_jejak: Jejak) -> None:
    generate(sqlite_jejak, 12, 2, seed=5, first_year=2024)
    notes = sqlite_jejak.projections.projections["coaching_notes"]
    opened = get_topic(Appraisal.Opened)
    first = next(n.id for n in sqlite_jejak.ledger.recorder.select_notifications(start=1, limit=10**6)
                 if n.topic == opened)
    runner = ProjectionRunner(sqlite_jejak.engine, sqlite_jejak.ledger, [notes], batch_size=50)
    runner.rebuild("coaching_notes")
    with sqlite_jejak.engine.begin() as conn:  # as if the first appraisal's opening had never been read
        for table in ("coaching_notes", "coaching_note_appraisals"):
            conn.execute(notes.metadata.tables[table].delete())
        conn.execute(update(tracking).where(tracking.c.name == "coaching_notes").values(position=first))

    runner.catch_up("coaching_notes")

    (status,) = [s for s in runner.status() if s.name == "coaching_notes"]
    assert status.parked >= 1 and status.lag == 0  # its notes are parked; the other appraisals' are projected
    with sqlite_jejak.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(notes.metadata.tables["coaching_notes"])).scalar_one() > 0
