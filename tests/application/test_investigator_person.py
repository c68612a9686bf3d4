"""An investigator is a person: assigned once, they work the case by page and by token alike; assignments made
before persons (naming a token or account) still count for the person behind it."""

from __future__ import annotations

from uuid import UUID

import pytest

from application.actor import Actor
from application.errors import Forbidden
from application.queries.filters import GrievanceFilter
from domain.errors import DomainError
from domain.grievance import Grievance
from domain.person import Person
from infrastructure.container import Jejak
from tests.conftest import acting_as
from tests.legacy import store_in_old_shape
from tests.promotions import HR, Office

GROUNDS = "Nilai SKP 2024 saya seharusnya Baik; keberatan saya belum diputus saat sidang"


@pytest.fixture
def office(jejak: Jejak) -> Office:
    built = Office.build(jejak)
    built.appraisal("2025", "Baik")
    built.appraisal("2024", "Butuh Perbaikan")
    return built


def filed(office: Office) -> tuple[UUID, UUID]:
    case_id = office.decided("rejected")
    grievance = office.jejak.grievances.file(office.actor("dewi"), "promotion_decision", case_id, GROUNDS)
    return case_id, grievance.id


def investigator_with_token_and_account(jejak: Jejak) -> tuple[Actor, Actor]:
    """One person, Budi, with an investigator token (API) and an investigator account (pages)."""
    token = jejak.access.issue(HR, "investigator", "Budi Pemeriksa")
    account = jejak.accounts.create(HR, "budi", "kata-sandi-uji-123", "investigator", "Budi Pemeriksa")
    return (acting_as(jejak, token.grant_id, "investigator", "Budi Pemeriksa"),
            acting_as(jejak, account.id, "investigator", "Budi Pemeriksa"))


def test_the_assignment_names_the_person_and_both_their_token_and_account_work_the_case(office: Office) -> None:
    case_id, grievance_id = filed(office)
    by_token, by_page = investigator_with_token_and_account(office.jejak)
    assert by_token.person_id == by_page.person_id is not None

    assigned = office.jejak.grievances.assign(HR, grievance_id, by_page.person_id)

    assert (assigned.investigator_id, assigned.investigator_kind) == (str(by_page.person_id), "person")
    for who in (by_token, by_page):
        assert office.jejak.promotions.case(who, case_id).id == case_id
        assert office.jejak.grievances.case_file(who, grievance_id, "pemeriksaan")["case_id"] == str(case_id)
    office.jejak.grievances.conclude(by_token, grievance_id, "dismissed", "sesuai aturan", "bukti lengkap")
    with pytest.raises(Forbidden):
        office.jejak.promotions.case(by_page, case_id)  # closed: the scope ends for every way in


def test_naming_a_token_assigns_the_person_behind_it(office: Office) -> None:
    _, grievance_id = filed(office)
    by_token, by_page = investigator_with_token_and_account(office.jejak)

    assigned = office.jejak.grievances.assign(HR, grievance_id, UUID(by_token.id))

    assert assigned.investigator_id == str(by_page.person_id)
    assert [g["id"] for g in office.jejak.queries.grievances.grievances(by_page, GrievanceFilter(), 10)] == [grievance_id]


def test_an_assignment_stored_before_persons_counts_for_every_way_the_person_signs_in(office: Office) -> None:
    case_id, grievance_id = filed(office)
    by_token, by_page = investigator_with_token_and_account(office.jejak)
    grievance = office.jejak.ledger.load(Grievance, grievance_id)
    grievance.trigger_event(Grievance.InvestigatorAssigned, investigator_id=by_token.id,
                            investigator_name="Budi Pemeriksa", investigator_kind="principal")
    store_in_old_shape(office.jejak, grievance.collect_events(), drop=["investigator_kind"])  # the v1 shape
    office.jejak.projections.catch_up()

    loaded = office.jejak.grievances.grievance(HR, grievance_id)

    assert (loaded.investigator_id, loaded.investigator_kind) == (by_token.id, "principal")  # as stored
    assert office.jejak.promotions.case(by_page, case_id).id == case_id  # the person's account works it too
    stranger = acting_as(office.jejak, office.jejak.access.issue(HR, "investigator", "Orang Lain").grant_id,
                         "investigator", "Orang Lain")
    with pytest.raises(Forbidden):
        office.jejak.promotions.case(stranger, case_id)


def test_a_person_without_the_investigator_role_is_refused(office: Office) -> None:
    _, grievance_id = filed(office)
    auditor = office.jejak.persons.register(HR, "Inspektur", ["auditor"])

    with pytest.raises(DomainError) as refused:
        office.jejak.grievances.assign(HR, grievance_id, auditor.id)

    assert refused.value.field == "investigator_id"
    assert office.jejak.ledger.load(Person, auditor.id).roles == ["auditor"]
