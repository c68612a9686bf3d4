"""A supervisor's scoped reads cost what they return, not what the instansi holds (issue 13, "scale of reads").

The same supervisor, team and records are read from a small instansi and from one with fifty times as many other
employees, each with their own rounds and promotion cases. The work SQLite does for each read is counted in virtual
machine steps (a progress handler: deterministic, unlike time on a shared machine); a read that scanned the
directory, every round or every case would grow with the instansi (a step per row). What the steps do not see is
the depth of a B-tree search (logarithmic) and a bare ``count(*)`` of a whole table (one step). Rows are written straight into the read
models' tables: this is about the queries, the projections are tested elsewhere.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Engine, create_engine

from application.queries.filters import CaseFilter, EmployeeFilter, RoundFilter
from infrastructure.read_models import directory, feedback, promotions
from infrastructure.read_models.directory import DirectoryView
from infrastructure.read_models.feedback import FeedbackView
from infrastructure.read_models.promotions import PromotionView
from tests.infrastructure.query_plans import steps_of

TEAM_DEPTH, TEAM_WIDTH = 3, 4  # the supervisor, 4 direct reports, 16 below them, 64 below those
SMALL, LARGE = 100, 5_000  # other employees in the instansi


def _employee(i: int, supervisor: UUID | None) -> dict[str, Any]:
    day = date(2015, 1, 1)
    return {"id": uuid4(), "nip": f"{i:018d}", "name": f"Pegawai {i:06d}", "sex": "L", "birth_date": date(1990, 1, 1),
            "service_start": day, "unit": f"U{i % 7}", "unit_since": day, "position": "Analis", "position_since": day,
            "rank": "III/a", "rank_order": 9, "rank_since": day, "supervisor_id": supervisor, "supervisor_since": day,
            "version": 1, "registered_at": datetime(2015, 1, 1, tzinfo=UTC), "updated_at": datetime(2015, 1, 1, tzinfo=UTC),
            "status": "PNS", "status_since": day}


def _records(person: dict[str, Any], n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two rounds and one promotion case of an employee."""
    opened = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(minutes=n)
    rounds = [{"id": uuid4(), "reviewee_id": person["id"], "supervisor_id": person["supervisor_id"],
               "unit": person["unit"], "period": period, "status": "open", "closes_on": date(2030, 1, 1),
               "opened_at": opened + timedelta(seconds=k), "question_set_version": 1, "rule_set_version": 1,
               "anonymity_threshold": 3, "version": 1} for k, period in enumerate(("2024", "2025"))]
    case = {"id": uuid4(), "candidate_id": person["id"], "unit": person["unit"], "kind": "rank", "period": "2025-04",
            "effective": date(2025, 4, 1), "from_rank": "III/a", "to_rank": "III/b", "reason": "reguler",
            "status": "proposed", "assessments": 0, "decisions": 0, "contrary": False, "rank_applied": False,
            "proposed_at": opened, "version": 1, "stage": "proposed"}
    return rounds, [case]


def _nominations(round_row: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """``n`` reviewers of a round: approved and answered, approved, proposed, in turn."""
    at = round_row["opened_at"]
    states = [("approved", at), ("approved", None), ("proposed", None)]
    return [{"id": uuid4(), "round_id": round_row["id"], "reviewer_id": uuid4(), "relationship": "peer",
             "status": states[k % 3][0], "proposed_by": "reviewee", "nominated_at": at, "responded_at": states[k % 3][1],
             "submissions": 0, "reminders": 0} for k in range(n)]


def _instansi(path: Path, others: int) -> tuple[Engine, UUID]:
    """A database holding the supervisor's team and ``others`` employees outside it, each with rounds and a case."""
    engine = create_engine(f"sqlite:///{path}")
    for metadata in (directory.metadata, feedback.metadata, promotions.metadata):
        metadata.create_all(engine)
    serial = itertools.count()
    boss = _employee(next(serial), None)
    people, level = [boss], [boss]
    for _ in range(TEAM_DEPTH):
        level = [_employee(next(serial), above["id"]) for above in level for _ in range(TEAM_WIDTH)]
        people += level
    outside = _employee(next(serial), None)
    people += [outside] + [_employee(next(serial), outside["id"]) for _ in range(others)]
    rounds, cases = [], []
    for n, person in enumerate(people):
        found = _records(person, n)
        rounds += found[0]
        cases += found[1]
    with engine.begin() as conn:
        conn.execute(directory.employees.insert(), people)
        for table in (feedback.people, promotions.people):
            conn.execute(table.insert(), [{"id": p["id"], "name": p["name"], "unit": p["unit"]} for p in people])
        conn.execute(feedback.rounds.insert(), rounds)
        conn.execute(feedback.nominations.insert(), [nomination for n, r in enumerate(rounds)
                                                     for nomination in _nominations(r, n % 4)])
        conn.execute(promotions.cases.insert(), cases)
    return engine, boss["id"]


def _reads(engine: Engine, boss: UUID) -> Iterator[tuple[str, Callable[[], Any]]]:
    """The supervisor's scoped reads (scope: themself and everyone below them)."""
    people, rounds, cases = DirectoryView(engine), FeedbackView(engine), PromotionView(engine)
    scope = frozenset(people.all_reports(boss)) | {boss}
    assert len(scope) == sum(TEAM_WIDTH ** d for d in range(TEAM_DEPTH + 1))
    yield "reports (recursive)", lambda: people.all_reports(boss)
    yield "round list", lambda: rounds.rounds_page(RoundFilter(), 20, visible_to=scope)
    yield "round count", lambda: rounds.count_rounds(RoundFilter(), visible_to=scope)
    yield "case list", lambda: cases.cases(CaseFilter(), 20, visible_to=scope)
    yield "direct reports", lambda: people.direct_reports_page(boss, 20)
    yield "directory by supervisor", lambda: people.employees(EmployeeFilter(supervisor_id=boss), 20)


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, int]]:
    """VM steps of each read on the small and the large instansi."""
    found: dict[str, dict[str, int]] = {}
    for size, others in (("small", SMALL), ("large", LARGE)):
        engine, boss = _instansi(tmp_path_factory.mktemp(size) / "jejak.db", others)
        for name, count in steps_of(engine, _reads(engine, boss)).items():
            found.setdefault(name, {})[size] = count
        engine.dispose()
    return found


@pytest.mark.parametrize("read", ["reports (recursive)", "round list", "round count", "case list", "direct reports",
                                  "directory by supervisor"])
def test_a_scoped_read_does_not_grow_with_the_instansi(steps: dict[str, dict[str, int]], read: str) -> None:
    """Fifty times as many other employees: within 1.5 times the work (the bound of issue 13)."""
    small, large = steps[read]["small"], steps[read]["large"]
    assert small > 0
    assert large <= 1.5 * small, f"{read}: {large} VM steps on {LARGE:,} others, {small} on {SMALL:,}"


def test_a_scoped_round_list_pages_through_every_visible_round_once(tmp_path: Path) -> None:
    """The supervisor's round list (counted in its first page's statement, with the nomination counts computed for
    the page's rows): every page says the same total, and the pages together are the scope's rounds, newest first."""
    engine, boss = _instansi(tmp_path / "jejak.db", 10)
    people, view = DirectoryView(engine), FeedbackView(engine)
    scope = frozenset(people.all_reports(boss)) | {boss}
    with engine.connect() as conn:
        expected = [(r.opened_at, r.id) for r in conn.execute(
            feedback.rounds.select().where(feedback.rounds.c.reviewee_id.in_(scope)))]
        nominations = [dict(r._mapping) for r in conn.execute(feedback.nominations.select())]
    expected.sort(key=lambda key: (-key[0].timestamp(), key[1]))
    seen, cursor, pages = [], None, 0
    while True:
        page = view.rounds_page(RoundFilter(), 7, cursor, visible_to=scope)
        assert page.total == len(expected) == view.count_rounds(RoundFilter(), visible_to=scope)
        for row in page.items:
            mine = [n for n in nominations if n["round_id"] == row["id"]]
            approved = [n for n in mine if n["status"] == "approved"]
            answered = [n for n in approved if n["responded_at"] is not None]
            assert (row["nominated"], row["approved"], row["responded"]) == (len(mine), len(approved), len(answered))
        seen += [(row["opened_at"], row["id"]) for row in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected and pages == -(-len(expected) // 7)
    engine.dispose()
