"""Promotion and grievance read models on SQLite and PostgreSQL: case rows, the decision history, due rank changes,
the evidence index, grievance rows and recorded reads; rebuilding gives the same rows."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from application.queries.filters import CaseFilter, GrievanceFilter
from infrastructure.container import Jejak
from infrastructure.read_models.grievances import grievances, sensitive_reads
from infrastructure.read_models.promotions import cases, decisions
from tests.conftest import acting_as
from tests.promotions import AUDITOR, COMMITTEE, HR, MEMBERS, Office


@pytest.fixture
def office(jejak: Jejak) -> Office:
    built = Office.build(jejak)
    built.eligible_record()
    return built


def rows(jejak: Jejak, table: Any, *order: Any) -> list[dict[str, Any]]:
    with jejak.engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(table).order_by(*order))]


def three_decisions(office: Office) -> list[UUID]:
    """Rejected against the assessment (2026-10: eligible), deferred (2027-04) and rejected (2027-10: without a 2026
    appraisal the candidate is not eligible for these)."""
    return [office.decided("rejected", "formasi penuh"), office.decided("deferred", period="2027-04"),
            office.decided("rejected", period="2027-10")]


def test_case_rows_follow_the_case(office: Office) -> None:
    contrary, deferred, rejected = three_decisions(office)
    view = office.jejak.promotion_view

    row = view.case(contrary)
    assert row is not None
    assert (row["status"], row["eligible"], row["outcome"], row["contrary"], row["rank_applied"]) == (
        "rejected", True, "rejected", True, False)
    assert (row["from_rank"], row["to_rank"], row["effective"], row["unit"], row["rule_set_version"]) == (
        "III/a", "III/b", date(2026, 10, 1), "BKPSDM", 1)
    flagged = view.cases(CaseFilter(flagged=True), 10).items
    assert [r["id"] for r in flagged] == [contrary]
    assert [r["id"] for r in view.cases(CaseFilter(period="2027"), 10).items] == [rejected, deferred]
    assert [r["id"] for r in view.cases(CaseFilter(status="deferred"), 10).items] == [deferred]
    assert view.case(rejected)["eligible"] is False  # type: ignore[index]


def test_the_decision_history_pages_newest_first_with_filters(office: Office) -> None:
    decided = three_decisions(office)
    view = office.jejak.promotion_view

    first = view.decisions(CaseFilter(), 2)
    rest = view.decisions(CaseFilter(), 2, first.next_cursor)

    assert [r["case_id"] for r in first.items + rest.items] == decided[::-1] and rest.next_cursor is None
    assert first.items[0]["members_present"] == MEMBERS
    assert [r["case_id"] for r in view.decisions(CaseFilter(outcome="deferred"), 10).items] == decided[1:2]
    assert view.decisions(CaseFilter(unit="DINKES"), 10).items == []
    assert [r["case_id"] for r in view.decisions(CaseFilter(flagged=True, period="2026-10"), 10).items] == decided[:1]


def test_the_decision_history_is_counted_without_looking_up_a_name_per_decision(office: Office) -> None:
    from tests.infrastructure.query_plans import captured

    three_decisions(office)
    view = office.jejak.promotion_view
    with captured(office.jejak.engine) as seen:
        first = view.decisions(CaseFilter(), 2)
        period = view.decisions(CaseFilter(period="2027"), 1)
    # each page's statement counts the history in a subquery of its own
    counts = [statement[statement.lower().index("(select count("):statement.index(" AS _total")]
              for statement, _ in seen if "count(" in statement.lower()]
    assert (first.total, period.total) == (3, 2) and len(counts) == len(seen) == 2
    # a national ledger's history holds hundreds of thousands of decisions: the count reads the decisions alone
    assert not any("promotion_people" in count for count in counts)
    assert all("promotion_people" in statement for statement, _ in seen)  # the page itself has the names


def test_due_rank_changes_are_approved_unapplied_cases_whose_tmt_came(office: Office) -> None:
    promotions = office.jejak.promotions
    case_id = office.propose(period="2027-02")  # TMT months: February, April, ... (Peraturan BKN 4/2023)
    promotions.assess(HR, case_id)
    promotions.decide(COMMITTEE, case_id, "approved", "kebutuhan organisasi", MEMBERS, "SKP 2026 belum final")

    assert office.jejak.promotion_view.due_rank_changes(date(2027, 1, 31)) == []
    assert office.jejak.promotion_view.due_rank_changes(date(2027, 2, 1)) == [case_id]


def test_the_evidence_index_finds_trainings_of_a_year_and_rounds_of_the_years(office: Office) -> None:
    jejak, dewi = office.jejak, office.ids["dewi"]
    rejected = office.training(5, date(2025, 10, 1), verified=False, number="800/X/2025")
    jejak.trainings.decide(HR, rejected, "rejected", "sertifikat tidak sah")
    office.training(5, date(2024, 10, 1), number="800/Y/2024")
    in_window = jejak.feedback.open_round(HR, dewi, "2025-Q4", date.today() + timedelta(days=3)).id
    jejak.feedback.open_round(HR, dewi, "2026-Q4", date.today() + timedelta(days=3))

    assert len(jejak.training_view.trainings_of(dewi, 2025)) == 3
    assert jejak.feedback_view.feedback_rounds_of(dewi, {2024, 2025}) == [in_window]


def test_grievance_rows_and_the_read_index(office: Office) -> None:
    jejak = office.jejak
    case_id = office.decided("rejected", "formasi penuh")
    grievance = jejak.grievances.file(office.actor("dewi"), "promotion_decision", case_id, "mohon ditinjau")
    grant = jejak.access.issue(HR, "investigator", "Investigator")
    jejak.grievances.assign(HR, grievance.id, grant.grant_id)
    sleuth = acting_as(jejak, grant.grant_id, "investigator", "Investigator")
    jejak.grievances.case_file(sleuth, grievance.id, "pemeriksaan")

    row = jejak.grievance_view.grievances(GrievanceFilter(status="investigating"), 10)[0]
    assert (row["id"], row["grievant_name"], row["investigator_id"]) == (grievance.id, "Dewi Lestari",
                                                                         str(sleuth.person_id))
    assert jejak.grievance_view.open_grievances_of(sleuth.identities()) == [grievance.id]
    assert len(jejak.grievance_view.reads_touching(set(), {str(grievance.id)})) == 1
    assert jejak.grievance_view.reads_touching(set(), set()) == []


def test_rebuilding_gives_the_same_rows(office: Office) -> None:
    jejak = office.jejak
    three_decisions(office)
    jejak.reads.record(AUDITOR, "employee.state", office.ids["dewi"], "audit", "K-1")
    before = (rows(jejak, cases, cases.c.id), rows(jejak, decisions, decisions.c.case_id, decisions.c.number),
              rows(jejak, grievances, grievances.c.id), rows(jejak, sensitive_reads, sensitive_reads.c.id))

    jejak.projections.rebuild("promotions")
    jejak.projections.rebuild("grievances")

    after = (rows(jejak, cases, cases.c.id), rows(jejak, decisions, decisions.c.case_id, decisions.c.number),
             rows(jejak, grievances, grievances.c.id), rows(jejak, sensitive_reads, sensitive_reads.c.id))
    assert after == before and len(before[0]) == 3 and len(before[1]) == 3 and len(before[3]) == 1
