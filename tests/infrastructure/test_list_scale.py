"""HR's list of training completions costs the page it answers, not every completion of the instansi.

The list is ordered by end date, latest first; before the read model kept an index in that order, each page sorted
every completion. Rows are written straight into the trainings read model (its projection is tested elsewhere), for
a small instansi and one fifty times as large, and the work of the first and a later page is counted in SQLite
virtual machine steps (``steps_of``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Engine, create_engine, insert

from application.queries.filters import TrainingFilter
from infrastructure.read_models import trainings as model
from infrastructure.read_models.trainings import TrainingView
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
    return engine


def _pages(view: TrainingView) -> Iterator[tuple[str, Callable[[], Any]]]:
    second = view.trainings(TrainingFilter(), 20, cursor="").next_cursor
    yield "first page", lambda: view.trainings(TrainingFilter(), 20, cursor="")
    yield "second page", lambda: view.trainings(TrainingFilter(), 20, cursor=second)


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, int]]:
    """VM steps of the first and the second page on the small and the large instansi."""
    return steps_by_size(_instansi, {"small": SMALL, "large": LARGE}, lambda e: _pages(TrainingView(e)),
                         tmp_path_factory.mktemp)


@pytest.mark.parametrize("page", ["first page", "second page"])
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
