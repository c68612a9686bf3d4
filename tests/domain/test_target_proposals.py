"""Target proposals: accepted as proposed, edited with a reason, rejected with a reason; assessor-added targets
acknowledged by the employee."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from domain.target_proposals import ProposalInvalid, ProposalState, TargetProposals


def book() -> tuple[TargetProposals, list[tuple[str, str]]]:
    agreed: list[tuple[str, str]] = []
    return TargetProposals.start(uuid4(), uuid4()), agreed


def agree_into(agreed: list[tuple[str, str]]):  # type: ignore[no-untyped-def]
    def agree(target: str, indicator: str) -> UUID:
        agreed.append((target, indicator))
        return uuid4()
    return agree


def test_an_accepted_proposal_is_agreed_as_proposed_and_pins_its_target() -> None:
    proposals, agreed = book()
    p = proposals.propose("Menyusun 12 kajian", "kajian selesai per bulan")
    proposals.decide(p.id, "accepted", None, None, None, agree_into(agreed))
    assert agreed == [("Menyusun 12 kajian", "kajian selesai per bulan")]
    assert p.outcome == "accepted" and p.target_id in proposals.proposed_target_ids
    with pytest.raises(ProposalState):
        proposals.decide(p.id, "rejected", None, None, "lagi", agree_into(agreed))


def test_an_edit_needs_a_reason_and_a_change_and_a_rejection_needs_a_reason() -> None:
    proposals, agreed = book()
    p = proposals.propose("Menyusun 12 kajian", "kajian selesai per bulan")
    with pytest.raises(ProposalInvalid) as refused:
        proposals.decide(p.id, "edited", "Menyusun 12 kajian", "kajian selesai per bulan", None, agree_into(agreed))
    assert set(refused.value.errors or {}) == {"reason", "target"}
    with pytest.raises(ProposalInvalid):
        proposals.decide(p.id, "rejected", None, None, " ", agree_into(agreed))
    proposals.decide(p.id, "edited", "Menyusun 10 kajian", "kajian selesai per bulan", "dua dialihkan",
                     agree_into(agreed))
    assert (p.agreed_target, p.reason, agreed) == ("Menyusun 10 kajian", "dua dialihkan",
                                                   [("Menyusun 10 kajian", "kajian selesai per bulan")])
    q = proposals.propose("Menjadi narasumber", "dua kali setahun")
    proposals.decide(q.id, "rejected", None, None, "di luar tugas jabatan", agree_into(agreed))
    assert q.target_id is None and len(agreed) == 1


def test_only_targets_the_assessor_added_are_acknowledged_once() -> None:
    proposals, agreed = book()
    p = proposals.propose("Menyusun 12 kajian", "kajian selesai per bulan")
    proposals.decide(p.id, "accepted", None, None, None, agree_into(agreed))
    assert p.target_id is not None
    assessors = uuid4()
    with pytest.raises(ProposalInvalid):
        proposals.acknowledge(p.target_id, {p.target_id, assessors})
    proposals.acknowledge(assessors, {p.target_id, assessors})
    with pytest.raises(ProposalState):
        proposals.acknowledge(assessors, {p.target_id, assessors})
