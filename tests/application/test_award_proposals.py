"""Awards proposed from a Sangat Baik annual predicate, on SQLite and PostgreSQL: proposed with the finalisation (or
an upheld objection) in the same write; HR grants (the award counts for an outstanding-achievement promotion) or
dismisses.

The office of tests/promotions.py: Kepala > Siti > Dewi.
"""

from __future__ import annotations

from datetime import date

import pytest

from application.errors import Forbidden
from application.rulebook import default_rules
from domain.award_proposal import AwardProposal
from infrastructure.container import Jejak
from tests.promotions import HR, Office


@pytest.fixture
def office(jejak: Jejak) -> Office:
    return Office.build(jejak)


def test_a_final_sangat_baik_proposes_an_award_that_hr_grants(office: Office) -> None:
    jejak = office.jejak
    aid = office.appraisal("2025", "Sangat Baik")
    office.appraisal("2024", "Baik")  # no proposal
    proposal = jejak.recognition.proposal(AwardProposal.id_for(aid))
    assert (proposal.period, proposal.appraisal_version, proposal.category) == (
        "2025", jejak.appraisals.appraisal(aid).version, "performance")
    with pytest.raises(Forbidden):
        jejak.recognition.grant_proposed(office.actor("siti"), proposal.id, "Kinerja Terbaik", "predikat 2025")
    award = jejak.recognition.grant_proposed(HR, proposal.id, "Pegawai Berkinerja Sangat Baik 2025",
                                             "predikat Sangat Baik 2025")
    jejak.projections.catch_up()
    [row] = jejak.award_proposals.proposals(office.ids["dewi"], None, 10)
    assert (row["status"], row["award_id"]) == ("granted", award.id)
    assert jejak.recognition.award(award.id).category == "performance"


def test_no_proposal_when_the_pinned_rule_set_switches_it_off_and_hr_may_dismiss(office: Office) -> None:
    jejak = office.jejak
    rules = default_rules()
    rules["development"]["award_from_sangat_baik"] = False
    jejak.rules.publish(HR, "Tanpa usulan penghargaan otomatis", "Keputusan Kepala BKPSDM", date(2026, 1, 1), rules)
    off = office.appraisal("2026", "Sangat Baik")  # assessed under the new version
    assert not jejak.ledger.exists(AwardProposal.id_for(off))
    on = office.appraisal("2025", "Sangat Baik")  # 2025 is assessed under the version in effect then
    jejak.recognition.dismiss_proposed(HR, AwardProposal.id_for(on), "sudah menerima Satyalancana tahun ini")
    jejak.projections.catch_up()
    assert [r["status"] for r in jejak.award_proposals.proposals(office.ids["dewi"], None, 10)] == ["dismissed"]
