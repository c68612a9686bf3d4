"""Target proposals on SQLite and PostgreSQL: an accepted or edited proposal is an agreed target of the appraisal,
written in the same atomic record; only the appraised employee proposes and acknowledges, only the assessor decides.

The office of tests/promotions.py: Kepala > Siti > Dewi (Siti assesses Dewi).
"""

from __future__ import annotations

import pytest

from application.errors import Forbidden
from domain.appraisal import AppraisalFinal
from infrastructure.container import Jejak
from tests.promotions import HR, Office


@pytest.fixture
def office(jejak: Jejak) -> Office:
    return Office.build(jejak)


def test_the_employee_proposes_the_assessor_decides_and_the_agreed_target_is_pinned(office: Office) -> None:
    jejak, dewi, siti = office.jejak, office.actor("dewi"), office.actor("siti")
    service = jejak.target_proposals
    aid = jejak.appraisals.open(HR, office.ids["dewi"], "2026").id
    service.propose(dewi, aid, "Menyusun 12 kajian", "kajian selesai per bulan")
    service.propose(dewi, aid, "Menjadi narasumber", "dua kali setahun")
    first, second = service.proposals(dewi, aid)["proposals"]
    with pytest.raises(Forbidden):
        service.decide(dewi, aid, first["id"], "accepted", None, None, None)
    service.decide(siti, aid, first["id"], "edited", "Menyusun 10 kajian", "kajian selesai per bulan",
                   "dua kajian dialihkan ke bidang lain")
    service.decide(siti, aid, second["id"], "rejected", None, None, "di luar tugas jabatan")
    added = jejak.appraisals.agree_target(siti, aid, "Melayani 100 usulan", "usulan selesai")
    service.acknowledge(dewi, aid, added)
    data = service.proposals(office.actor("head"), aid)
    appraisal = jejak.appraisals.appraisal(aid)
    assert [t.target for t in appraisal.targets] == ["Menyusun 10 kajian", "Melayani 100 usulan"]
    assert [(t["added_by"], t["acknowledged_at"] is not None) for t in data["targets"]] == [
        ("proposal", False), ("assessor", True)]
    assert [(p["outcome"], p["reason"]) for p in data["proposals"]] == [
        ("edited", "dua kajian dialihkan ke bidang lain"), ("rejected", "di luar tugas jabatan")]
    assert data["proposals"][0]["target_id"] == appraisal.targets[0].id


def test_nothing_is_proposed_on_a_final_appraisal_nor_by_anyone_but_the_appraised(office: Office) -> None:
    jejak = office.jejak
    aid = office.appraisal("2025", "Baik")
    with pytest.raises(AppraisalFinal):
        jejak.target_proposals.propose(office.actor("dewi"), aid, "Terlambat", "x")
    with pytest.raises(Forbidden):
        jejak.target_proposals.propose(office.actor("siti"), aid, "Atas nama pegawai", "x")
