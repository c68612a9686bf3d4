"""Awards proposed from performance: only a final annual Sangat Baik under the rule-set switch; decided once."""

from __future__ import annotations

from uuid import uuid4

import pytest

from domain.award_proposal import AwardProposal, ProposalDecided, proposes_award

ON = {"award_from_sangat_baik": True, "award_category": "performance"}


def test_only_an_annual_sangat_baik_under_the_switch_proposes_an_award() -> None:
    assert proposes_award("Sangat Baik", True, ON)
    assert not proposes_award("Baik", True, ON)
    assert not proposes_award("Sangat Baik", False, ON)  # a quarter's
    assert not proposes_award("Sangat Baik", True, {**ON, "award_from_sangat_baik": False})
    assert not proposes_award("Sangat Baik", True, {})  # a rule set before the development section


def test_a_proposal_pins_its_appraisal_and_is_decided_once() -> None:
    appraisal = uuid4()
    proposal = AwardProposal.propose(employee_id=uuid4(), appraisal_id=appraisal, appraisal_version=6, period="2025",
                                     predicate="Sangat Baik", category="performance", rule_set_version=1)
    assert proposal.id == AwardProposal.id_for(appraisal) and proposal.appraisal_version == 6
    proposal.dismiss("sudah menerima penghargaan lain tahun ini")
    with pytest.raises(ProposalDecided):
        proposal.grant(uuid4(), "berubah pikiran")
