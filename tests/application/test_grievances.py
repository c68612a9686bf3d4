"""Grievances: filing within the window, the investigator's scope, conclusions, reopening and the case file."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import pytest

from application.actor import Actor
from application.errors import Conflict, Forbidden
from domain.errors import DomainError
from domain.grievance import FilingWindowClosed, GrievanceInvalid, NoInvestigator
from domain.promotion_case import PromotionCase
from infrastructure.container import Jejak
from tests.conftest import acting_as
from tests.promotions import AUDITOR, COMMITTEE, HR, MEMBERS, Office

GROUNDS = "Nilai SKP 2024 saya seharusnya Baik; keberatan saya belum diputus saat sidang"


@pytest.fixture
def office(jejak: Jejak) -> Office:
    built = Office.build(jejak)
    built.appraisal("2025", "Baik")
    built.appraisal("2024", "Butuh Perbaikan")
    built.training(20, date(2025, 6, 3))
    return built


def investigator(jejak: Jejak, name: str = "Investigator Inspektorat") -> Actor:
    """An investigator token's actor (its id is the grant id, as the web layer makes it)."""
    issued = jejak.access.issue(HR, "investigator", name)
    return acting_as(jejak, issued.grant_id, "investigator", name)


def filed(office: Office) -> tuple[UUID, UUID]:
    """A rejected case and the candidate's grievance about it."""
    case_id = office.decided("rejected")
    grievance = office.jejak.grievances.file(office.actor("dewi"), "promotion_decision", case_id, GROUNDS)
    return case_id, grievance.id


def test_the_candidate_files_within_the_window_of_the_rule_set(office: Office) -> None:
    case_id, grievance_id = filed(office)

    grievance = office.jejak.grievances.grievance(office.actor("dewi"), grievance_id)

    assert grievance.status == "filed" and grievance.decision_number == 1 and grievance.window_days == 30
    assert grievance.deadline == date.today() + timedelta(days=30)
    with pytest.raises(Conflict):
        office.jejak.grievances.file(office.actor("dewi"), "promotion_decision", case_id, GROUNDS)


def test_a_grievance_after_the_window_is_refused(office: Office) -> None:
    case_id = office.decided("rejected")
    office.jejak.grievances.today = lambda: date.today() + timedelta(days=31)

    with pytest.raises(FilingWindowClosed):
        office.jejak.grievances.file(office.actor("dewi"), "promotion_decision", case_id, GROUNDS)


def test_only_the_employee_concerned_files(office: Office) -> None:
    case_id = office.decided("rejected")

    for someone in (office.actor("siti"), HR):
        with pytest.raises(Forbidden):
            office.jejak.grievances.file(someone, "promotion_decision", case_id, GROUNDS)
    with pytest.raises(GrievanceInvalid):
        office.jejak.grievances.file(office.actor("dewi"), "promotion_decision", case_id, "  ")


def test_a_grievance_about_an_appraisal_result(office: Office) -> None:
    appraisal = office.appraisal("2023", "Butuh Perbaikan")

    grievance = office.jejak.grievances.file(office.actor("dewi"), "appraisal", appraisal, "penilaian tidak adil")

    assert grievance.subject == "appraisal" and grievance.decision_number is None
    file = office.jejak.grievances.case_file(HR, grievance.id)
    assert file["subject"] == "appraisal" and file["evidence"][0]["state"]["period"] == "2023"
    assert file["rule_set"]["version"] == 1


def test_the_investigator_reads_the_case_evidence_only_while_assigned_and_open(office: Office) -> None:
    case_id, grievance_id = filed(office)
    other_case = office.propose(period="2027-04")
    sleuth = investigator(office.jejak)
    with pytest.raises(Forbidden):
        office.jejak.promotions.case(sleuth, case_id)

    office.jejak.grievances.assign(HR, grievance_id, UUID(sleuth.id))

    assert office.jejak.promotions.case(sleuth, case_id).id == case_id
    assert office.jejak.promotions.replay(sleuth, case_id).consistent
    assert office.jejak.grievances.case_file(sleuth, grievance_id)["case_id"] == str(case_id)
    with pytest.raises(Forbidden):
        office.jejak.promotions.case(sleuth, other_case)
    with pytest.raises(Forbidden):
        office.jejak.promotions.case(investigator(office.jejak, "Investigator Lain"), case_id)

    office.jejak.grievances.conclude(sleuth, grievance_id, "dismissed", "keputusan sesuai aturan",
                                     "predikat 2024 final saat sidang")
    with pytest.raises(Forbidden):
        office.jejak.promotions.case(sleuth, case_id)
    with pytest.raises(Forbidden):
        office.jejak.grievances.case_file(sleuth, grievance_id)


def test_only_hr_assigns_and_only_the_assigned_investigator_concludes(office: Office) -> None:
    _, grievance_id = filed(office)
    sleuth, other = investigator(office.jejak), investigator(office.jejak, "Lain")
    with pytest.raises(NoInvestigator):
        office.jejak.grievances.conclude(sleuth, grievance_id, "dismissed", "x", "y")
    with pytest.raises(Forbidden):
        office.jejak.grievances.assign(AUDITOR, grievance_id, UUID(sleuth.id))
    with pytest.raises(DomainError) as not_investigator:
        office.jejak.grievances.assign(HR, grievance_id, office.jejak.access.issue(HR, "auditor", "a").grant_id)
    assert not_investigator.value.field == "investigator_id"

    office.jejak.grievances.assign(HR, grievance_id, UUID(sleuth.id))

    with pytest.raises(Forbidden):
        office.jejak.grievances.conclude(other, grievance_id, "dismissed", "x", "y")
    with pytest.raises(GrievanceInvalid) as no_remedy:
        office.jejak.grievances.conclude(sleuth, grievance_id, "upheld", "temuan", "alasan")
    assert "remedy" in no_remedy.value.errors


def test_an_upheld_grievance_reopens_the_case_for_a_new_assessment_and_decision(office: Office) -> None:
    case_id, grievance_id = filed(office)
    sleuth = investigator(office.jejak)
    office.jejak.grievances.assign(HR, grievance_id, UUID(sleuth.id))

    office.jejak.grievances.conclude(sleuth, grievance_id, "upheld", "sidang tidak mempertimbangkan bukti",
                                     "bukti kinerja 2024 diabaikan", "nilai ulang kelayakan dan putuskan kembali")
    reopened = office.jejak.promotions.case(HR, case_id)
    assert reopened.status == "reopened" and reopened.reopenings[0][0] == grievance_id
    office.jejak.promotions.assess(HR, case_id)
    case = office.jejak.promotions.decide(COMMITTEE, case_id, "approved", "keputusan ulang", MEMBERS,
                                          "bukti kinerja 2024 diterima investigator")

    assert [d.outcome for d in case.decisions] == ["rejected", "approved"]
    office.through_sk(case_id)  # the new rank counts from the TMT once the SK exists (Peraturan BKN 4/2023)
    assert [type(e).__name__ for e in office.jejak.ledger.history(case_id)] == [
        "Proposed", "Assessed", "Decided", "Reopened", "Assessed", "Decided", "PertekRecorded", "SkRecorded",
        "RankApplied"]
    assert office.jejak.grievances.grievance(office.actor("dewi"), grievance_id).status == "upheld"
    assert isinstance(case, PromotionCase)


def test_the_case_file_reconstructs_the_decision_with_its_trail(office: Office) -> None:
    case_id, grievance_id = filed(office)
    sleuth = investigator(office.jejak)
    office.jejak.grievances.assign(HR, grievance_id, UUID(sleuth.id))
    office.jejak.reads.record(AUDITOR, "employee.state", office.ids["dewi"], "pemeriksaan", str(grievance_id))

    file = office.jejak.grievances.case_file(sleuth, grievance_id, "pemeriksaan keberatan promosi")

    assert file["decision_event"]["event"] == "PromotionCase.Decided"
    assert file["decision_event"]["payload"]["outcome"] == "rejected"
    assert file["decision_event"]["actor"] == "Tim Penilai Kinerja"
    employee = next(e for e in file["evidence"] if e["type"] == "employee")
    assert employee["state"]["rank"] == "III/a"
    assert file["replay"]["consistent"] is True and file["drift"]["case_id"] == str(case_id)
    assert file["rule_set"]["version"] == 1 and "promotion" in file["rule_set"]["rules"]
    actors = {entry["actor"] for entry in file["trail"]}
    assert {"Admin BKPSDM", "Tim Penilai Kinerja", "dewi", "siti", "Inspektorat", "Investigator Inspektorat"} <= actors
    reads = [entry["read"] for entry in file["trail"] if "read" in entry]
    assert {r["subject"] for r in reads} == {"employee.state", "grievance.case_file"}


def test_the_investigator_reads_raw_360_responses_only_of_the_case_inputs(jejak: Jejak) -> None:
    office = Office.build(jejak)
    office.appraisal("2025", "Baik")
    round_id = jejak.feedback.open_round(HR, office.ids["dewi"], "2025-Q4", date.today() + timedelta(days=5)).id
    elsewhere = jejak.feedback.open_round(HR, office.ids["siti"], "2025-Q4", date.today() + timedelta(days=5)).id
    case_id = office.decided("rejected")
    grievance = jejak.grievances.file(office.actor("dewi"), "promotion_decision", case_id, GROUNDS)
    sleuth = investigator(jejak)
    jejak.grievances.assign(HR, grievance.id, UUID(sleuth.id))

    assert jejak.feedback.raw_responses(sleuth, round_id, "pemeriksaan", str(grievance.id)) == []
    with pytest.raises(Forbidden):
        jejak.feedback.raw_responses(sleuth, elsewhere, "pemeriksaan", str(grievance.id))
    trail = jejak.grievances.case_file(HR, grievance.id)["trail"]
    assert any(e.get("read", {}).get("subject") == "feedback_round.responses" for e in trail)


def test_init_publishes_the_grievance_window_for_a_ledger_whose_rules_predate_it(jejak: Jejak) -> None:
    book = jejak.rules.book()
    older = {k: v for k, v in book.versions[-1].rules.items() if k != "grievance"}
    jejak.rules.publish(HR, "Aturan lama", "PermenPANRB 6/2022", date(2026, 1, 1), older)

    assert jejak.init(HR) is True
    assert jejak.init(HR) is False

    latest = jejak.rules.all()[-1]
    assert latest.version == 3 and latest.rules["grievance"] == {"filing_window_days": 30}
    assert latest.effective_from == date.today()


def test_hr_may_assign_an_investigator_page_account_which_then_reads_the_case_file(office: Office) -> None:
    _, grievance_id = filed(office)
    svc, accounts = office.jejak.grievances, office.jejak.accounts
    account = accounts.create(HR, "pemeriksa", "kata-sandi-uji-123", "investigator", "Pemeriksa Inspektorat")
    auditor_account = accounts.create(HR, "inspektur", "kata-sandi-uji-123", "auditor", "Inspektur")
    with pytest.raises(DomainError) as not_investigator:
        svc.assign(HR, grievance_id, auditor_account.id)
    assert not_investigator.value.field == "investigator_id"

    assigned = svc.assign(HR, grievance_id, account.id)

    reader = acting_as(office.jejak, account.id, "investigator", account.name)  # as the pages make it
    assert assigned.investigator_name == "Pemeriksa Inspektorat"
    assert svc.case_file(reader, grievance_id, "pemeriksaan")["grievance"]["id"] == str(grievance_id)
