"""Committee members present at a promotion decision are named by person (issue 18: assignments name the person), by
free text as before, or both; decisions stored before persons existed still load, with no person ids."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from domain.errors import DomainError
from domain.promotion_case import PromotionCase
from infrastructure.container import Jejak
from tests.legacy import store_in_old_shape
from tests.promotions import COMMITTEE, HR, MEMBERS, Office


@pytest.fixture
def office(jejak: Jejak) -> Office:
    built = Office.build(jejak)
    built.eligible_record()
    return built


def assessed(office: Office) -> UUID:
    case_id = office.propose()
    office.jejak.promotions.assess(HR, case_id)
    return case_id


def test_members_named_by_person_are_recorded_by_id_with_their_names(office: Office) -> None:
    persons = office.jejak.persons
    chair = persons.register(HR, "Drs. Bambang Sutrisno", ["committee"])
    member = persons.register(HR, "Sri Wahyuni, S.H.", ["auditor", "committee"])
    case_id = assessed(office)

    office.jejak.promotions.decide(COMMITTEE, case_id, "approved", "memenuhi syarat", ["Ir. Joko (tamu)"],
                                   member_ids=[chair.id, member.id])

    decision = office.jejak.promotions.case(HR, case_id).decision
    assert decision is not None
    assert decision.members_present == ["Ir. Joko (tamu)", "Drs. Bambang Sutrisno", "Sri Wahyuni, S.H."]
    assert decision.member_ids == [str(chair.id), str(member.id)]
    office.jejak.projections.catch_up()
    row = office.jejak.queries.promotions.detail(office.jejak.promotions.case(HR, case_id))["decision"]
    assert row["member_ids"] == [str(chair.id), str(member.id)]


def test_members_may_be_named_by_person_only(office: Office) -> None:
    chair = office.jejak.persons.register(HR, "Drs. Bambang Sutrisno", ["committee"])
    case_id = assessed(office)

    office.jejak.promotions.decide(COMMITTEE, case_id, "approved", "memenuhi syarat", [], member_ids=[chair.id])

    decision = office.jejak.promotions.case(HR, case_id).decision
    assert decision is not None and decision.members_present == ["Drs. Bambang Sutrisno"]


@pytest.mark.parametrize("who", ["unknown", "not_committee", "deactivated"])
def test_a_member_id_that_is_not_an_active_committee_person_is_refused_and_nothing_is_stored(
        office: Office, who: str) -> None:
    persons = office.jejak.persons
    if who == "unknown":
        member_id = uuid4()
    else:
        person = persons.register(HR, "Rudi Hartono", ["auditor" if who == "not_committee" else "committee"])
        if who == "deactivated":
            persons.deactivate(HR, person.id, "pensiun")
        member_id = person.id
    case_id = assessed(office)
    head = office.jejak.projections.head()

    with pytest.raises(DomainError) as refused:
        office.jejak.promotions.decide(COMMITTEE, case_id, "approved", "memenuhi syarat", MEMBERS,
                                       member_ids=[member_id])

    assert refused.value.field == "member_ids"
    assert office.jejak.projections.head() == head
    assert office.jejak.promotions.case(HR, case_id).decision is None


def test_a_decision_stored_before_member_ids_existed_loads_with_none(office: Office) -> None:
    case_id = assessed(office)
    case = office.jejak.promotions.case(HR, case_id)
    assessment = case.assessment
    assert assessment is not None
    rules = office.jejak.rules.version(assessment.rule_set_version).rules
    current = [ref for ref, _ in office.jejak.promotions.current_reads(case, rules)]
    case.decide("approved", "sesuai hasil sidang", MEMBERS, None, office.jejak.promotions.today(), current)
    store_in_old_shape(office.jejak, case.collect_events(), drop=("member_ids",))
    office.jejak.projections.catch_up()

    loaded = office.jejak.ledger.load(PromotionCase, case_id)

    assert loaded.decision is not None
    assert (loaded.decision.members_present, loaded.decision.member_ids) == (MEMBERS, [])
    history = office.jejak.queries.promotions.detail(loaded)["decision"]
    assert history["members_present"] == MEMBERS and history["member_ids"] == []
