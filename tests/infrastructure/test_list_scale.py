"""HR's lists of training completions, appraisals and performance dialogues cost the page they answer, not every
row of the instansi.

Trainings are listed by end date, latest first; appraisals by period, latest first, then by the employee's name;
dialogues by the day they were held, latest first.
Before each read model kept an index in its list's order (the appraisals a copy of the name to sort by), every page
sorted every row. Rows are written straight into the read models (their projections are tested elsewhere), for a
small instansi and one fifty times as large, and the work of the first and a later page is counted in SQLite virtual
machine steps (``steps_by_size``). A page half the training list in seeks its cursor in the index (a list sorted
in one direction pages by a row-value comparison) instead of reading every row before it; so does a page half the
appraisal list in (latest period first, then names A-Z: a seek for the rest of the cursor's period and one for the
periods after it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Engine, create_engine, insert

from application.queries.filters import AppraisalFilter, TrainingFilter
from infrastructure.database import make_engine
from infrastructure.read_models import appraisals as appraisal_model
from infrastructure.read_models import dialogues as dialogue_model
from infrastructure.read_models import trainings as model
from infrastructure.read_models.appraisals import AppraisalView
from infrastructure.read_models.dialogues import DialogueView
from infrastructure.read_models.trainings import TrainingView
from tests.conftest import drop_schema, settings_for
from tests.infrastructure.query_plans import assert_within, steps_by_size

SMALL, LARGE = 200, 10_000  # completions
PEOPLE = 50


def _instansi(path: Path, completions: int) -> Engine:
    engine = create_engine(f"sqlite:///{path}")
    model.metadata.create_all(engine)
    people = [{"id": uuid4(), "name": f"Pegawai {i:03d}", "unit": f"U{i % 5}"} for i in range(PEOPLE)]
    start = date(2018, 1, 1)
    rows: list[dict[str, Any]] = []
    for n in range(completions):
        end = start + timedelta(days=(n * 7919) % 2900)  # end dates in no particular order
        rows.append({"id": uuid4(), "employee_id": people[n % PEOPLE]["id"], "course": "Pelatihan", "provider": "BPSDM",
                     "jp": 8, "start_date": end - timedelta(days=1), "end_date": end, "year": end.year,
                     "certificate_number": f"C-{n}", "status": "verified", "recorded_at": datetime(2026, 1, 1, tzinfo=UTC),
                     "position": n + 1, "version": 1})
    with engine.begin() as conn:
        conn.execute(insert(model.people), people)
        conn.execute(insert(model.trainings), rows)
        conn.execute(insert(model.completions_kept), [{"id": 1, "counted": completions}])  # as the projection keeps
    return engine


def _pages(view: TrainingView) -> Iterator[tuple[str, Callable[[], Any]]]:
    first = view.trainings(TrainingFilter(), 20, cursor="")
    middle = view.trainings(TrainingFilter(), first.total // 2, cursor="").next_cursor  # half the list in
    yield "first page", lambda: view.trainings(TrainingFilter(), 20, cursor="")
    yield "second page", lambda: view.trainings(TrainingFilter(), 20, cursor=first.next_cursor)
    yield "a page half the list in", lambda: view.trainings(TrainingFilter(), 20, cursor=middle)


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, int]]:
    """VM steps of the first and the second page on the small and the large instansi."""
    return steps_by_size(_instansi, {"small": SMALL, "large": LARGE}, lambda e: _pages(TrainingView(e)),
                         tmp_path_factory.mktemp)


@pytest.mark.parametrize("page", ["first page", "second page", "a page half the list in"])
def test_a_page_of_the_training_list_does_not_grow_with_the_instansi(steps: dict[str, dict[str, int]],
                                                                     page: str) -> None:
    """Fifty times as many completions: within 1.5 times the work."""
    assert_within(steps, page, "small", "large")


def test_the_training_list_pages_latest_end_first(tmp_path: Path) -> None:
    """Pages follow each other in end-date order, latest first (the log position breaking ties), each once."""
    engine = _instansi(tmp_path / "jejak.db", 95)
    view = TrainingView(engine)
    seen, cursor = [], ""
    while cursor is not None:
        page = view.trainings(TrainingFilter(), 20, cursor=cursor)
        assert page.total == 95
        seen += [(row["end_date"], row["position"]) for row in page.items]
        cursor = page.next_cursor
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 95
    engine.dispose()


def _appraisals(path: Path, count: int, engine: Engine | None = None) -> Engine:
    """``count`` appraisals of 50 employees over 8 years, in no particular order (in an SQLite file at ``path``, or
    in the database of ``engine``)."""
    engine = engine or create_engine(f"sqlite:///{path}")
    appraisal_model.metadata.create_all(engine)
    people = [{"id": uuid4(), "name": f"Pegawai {(i * 37) % PEOPLE:03d}", "unit": f"U{i % 5}"} for i in range(PEOPLE)]
    at = datetime(2026, 1, 1, tzinfo=UTC)
    rows = [{"id": uuid4(), "employee_id": people[n % PEOPLE]["id"], "employee_name": people[n % PEOPLE]["name"],
             "period": str(2018 + (n * 7919) % 8), "annual": True, "unit": "U1", "assessor_id": people[0]["id"],
             "assessor_basis": "supervisor", "status": "final", "targets": 1, "notes": 0, "opened_at": at,
             "updated_at": at, "version": 1} for n in range(count)]
    with engine.begin() as conn:
        conn.execute(insert(appraisal_model.people), people)
        conn.execute(insert(appraisal_model.appraisals), rows)
        conn.execute(insert(appraisal_model.opened_kept), [{"id": 1, "counted": count}])  # as the projection keeps
    return engine


def _appraisal_pages(view: AppraisalView) -> Iterator[tuple[str, Callable[[], Any]]]:
    first = view.page(AppraisalFilter(), 20)
    middle = view.page(AppraisalFilter(), first.total // 2).next_cursor  # half the list in: mid-period, mid-names
    yield "first page", lambda: view.page(AppraisalFilter(), 20)
    yield "second page", lambda: view.page(AppraisalFilter(), 20, first.next_cursor)
    yield "a page half the list in", lambda: view.page(AppraisalFilter(), 20, middle)


@pytest.mark.parametrize("page", ["first page", "second page", "a page half the list in"])
def test_a_page_of_the_appraisal_list_does_not_grow_with_the_instansi(tmp_path_factory: pytest.TempPathFactory,
                                                                      page: str) -> None:
    """Fifty times as many appraisals: within 1.5 times the work."""
    steps = steps_by_size(_appraisals, {"small": SMALL, "large": LARGE}, lambda e: _appraisal_pages(AppraisalView(e)),
                          tmp_path_factory.mktemp)
    assert_within(steps, page, "small", "large")


@pytest.mark.parametrize("size", [20, 7, 1])
def test_the_appraisal_list_pages_by_latest_period_then_name(backend: str, tmp_path: Path, size: int) -> None:
    """Pages follow each other latest period first, then by the employee's name (the id breaking ties), each once:
    pages that end inside a period and at its end, on both databases."""
    settings, schema = settings_for(backend, tmp_path)
    engine = _appraisals(tmp_path / "jejak.db", 95, make_engine(settings.database()))
    try:
        view = AppraisalView(engine)
        seen, cursor = [], None
        while True:
            page = view.page(AppraisalFilter(), size, cursor)
            assert page.total == 95
            seen += [(row["period"], row["employee_name"], str(row["id"])) for row in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == sorted(seen, key=lambda r: (-int(r[0]), r[1], r[2])) and len(set(seen)) == 95
    finally:
        engine.dispose()
        if schema:
            drop_schema(schema)


def _dialogues(path: Path, count: int) -> Engine:
    """``count`` dialogues of 50 employees held over 8 years, in no particular order, without actions."""
    engine = create_engine(f"sqlite:///{path}")
    dialogue_model.metadata.create_all(engine)
    people = [{"id": uuid4(), "name": f"Pegawai {i:03d}", "unit": "U1"} for i in range(PEOPLE)]
    start, at = date(2018, 1, 1), datetime(2026, 1, 1, tzinfo=UTC)
    rows = [{"id": uuid4(), "employee_id": people[n % PEOPLE]["id"], "supervisor_id": people[0]["id"],
             "recorded_by": "supervisor", "held_on": start + timedelta(days=(n * 7919) % 2900), "topics": ["kinerja"],
             "open_actions": 0, "recorded_at": at + timedelta(seconds=n), "version": 1} for n in range(count)]
    with engine.begin() as conn:
        conn.execute(insert(dialogue_model.people), people)
        conn.execute(insert(dialogue_model.dialogues), rows)
    return engine


def test_the_dialogue_list_does_not_grow_with_the_instansi(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Fifty times as many dialogues: within 1.5 times the work for the latest twenty, latest first."""
    steps = steps_by_size(_dialogues, {"small": SMALL, "large": LARGE},
                          lambda e: [("latest", lambda: DialogueView(e).dialogues(None, 20))], tmp_path_factory.mktemp)
    assert_within(steps, "latest", "small", "large")
    engine = _dialogues(tmp_path_factory.mktemp("order") / "jejak.db", 95)
    held = [(row["held_on"], row["recorded_at"]) for row in DialogueView(engine).dialogues(None, 95)]
    assert held == sorted(held, reverse=True) and len(held) == 95
    engine.dispose()


def test_hrs_mentoring_and_award_lists_read_their_pages_in_their_index_order(tmp_path: Path) -> None:
    """The first page and a page after a cursor of each list read the table in the list's index, sorting nothing
    (on a province's ledger the first page of 4,319 assignments sorted them all: 11.2 ms, now 3.0)."""
    from infrastructure.cursor import encode_cursor
    from infrastructure.read_models import talent
    from infrastructure.read_models.talent import TalentView
    from tests.infrastructure.query_plans import plans

    engine = create_engine(f"sqlite:///{tmp_path / 'talent.db'}")
    talent.metadata.create_all(engine)
    view = TalentView(engine)
    cursor = encode_cursor(["2026-01-01", "2026-01-01T00:00:00+00:00", "00000000-0000-0000-0000-000000000000"])
    reads = {"talent_mentoring": ("ix_talent_mentoring_listed", lambda c: view.mentorings(None, None, 20, cursor=c)),
             "talent_awards": ("ix_talent_awards_listed", lambda c: view.awards(None, 20, cursor=c))}
    for table, (index, read) in reads.items():
        for page in ("", cursor):
            found = [p.split(" | SCALAR SUBQUERY")[0] for p in plans(engine, partial(read, page), table)
                     if index in p or "FOR ORDER BY" in p]  # the pages' statements, not a count of its own
            reads_of_table = [step for p in found for step in p.split(" | ")
                              if step.startswith((f"SCAN {table} ", f"SEARCH {table} ")) or step == f"SCAN {table}"]
            assert reads_of_table and all(index in step for step in reads_of_table), (table, page, found)
            if not page:  # the first page in the index's order; a later one merges two seeks' few rows
                assert not [p for p in found if "TEMP B-TREE" in p], found
    engine.dispose()
