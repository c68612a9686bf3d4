"""Development needs on SQLite and PostgreSQL: proposed from each kind of source, pinned by id and version, and
decided by the supervisor; read back through the needs read model.

The office of tests/promotions.py: Kepala > Siti > Dewi.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from application.errors import Forbidden
from application.question_book import default_questions
from domain.development import SourceNotUsable
from infrastructure.container import Jejak
from tests.promotions import HR, Office

RATINGS = [q["id"] for q in default_questions()["questions"] if q["kind"] == "rating"]


@pytest.fixture
def office(jejak: Jejak) -> Office:
    return Office.build(jejak)


def sources(jejak: Jejak, employee_id: object) -> list[tuple[str, str | None, str, int | None, str]]:
    jejak.projections.catch_up()
    rows = jejak.development_needs.needs(employee_id, None, None, 100)  # type: ignore[arg-type]
    return sorted((r["source_type"], r["value"], r["area"], r["source_version"], r["status"]) for r in rows)


def test_a_final_appraisal_with_a_rating_below_expectations_proposes_a_pinned_need(office: Office) -> None:
    jejak = office.jejak
    aid = office.appraisal("2025", "Butuh Perbaikan")  # work results below, behaviour as expected
    version = jejak.appraisals.appraisal(aid).version
    [need] = jejak.development.propose(office.actor("siti"), "appraisal", aid)
    assert need.source == {"type": "appraisal", "id": str(aid), "version": version}
    assert need.rule_set_version == 1
    assert jejak.development.propose(HR, "appraisal", aid) == []  # once per source
    assert sources(jejak, office.ids["dewi"]) == [("appraisal", None, "work_results", version, "proposed")]


def test_an_appraisal_not_yet_final_proposes_nothing(office: Office) -> None:
    aid = office.jejak.appraisals.open(HR, office.ids["dewi"], "2026").id
    with pytest.raises(SourceNotUsable):
        office.jejak.development.propose(HR, "appraisal", aid)


def test_a_closed_round_proposes_values_others_rate_low_and_blind_spots(office: Office) -> None:
    jejak, fb = office.jejak, office.jejak.feedback
    rid = fb.open_round(HR, office.ids["dewi"], "2026", date.today() + timedelta(days=30)).id
    fb.add(HR, rid, office.ids["dewi"], "self")
    fb.add(HR, rid, office.ids["siti"], "supervisor")
    fb.submit(office.actor("dewi"), rid, dict.fromkeys(RATINGS, 5), {})
    fb.submit(office.actor("siti"), rid, {**dict.fromkeys(RATINGS, 4), "akuntabel": 2, "harmonis": 3}, {})
    with pytest.raises(SourceNotUsable):
        jejak.development.propose(HR, "feedback_round", rid)
    fb.close(HR, rid, "semua penilai sudah menjawab")
    version = fb.round(rid).version
    new = jejak.development.propose(office.actor("siti"), "feedback_round", rid)
    assert {(n.value, n.figures["others_mean"], n.figures["self_vs_others_gap"]) for n in new} == {
        ("Akuntabel", 2.0, 3.0), ("Harmonis", 3.0, 2.0)}
    assert {n.source["version"] for n in new} == {version}


def test_a_placement_in_a_box_the_rule_set_lists_proposes_its_follow_up(office: Office) -> None:
    jejak = office.jejak
    aid = office.appraisal("2025", "Butuh Perbaikan")
    pid = jejak.talent.assess_potential(office.actor("siti"), office.ids["dewi"], "low", "uji kompetensi").id
    [need] = jejak.development.propose(office.actor("siti"), "talent", pid)
    assert need.source == {"type": "talent", "id": str(pid), "version": 1}
    assert need.figures["box"] == 1 and need.figures["appraisal"]["id"] == str(aid)
    assert need.detail.startswith("Bimbingan kinerja")


def test_the_supervisor_confirms_dismisses_and_records_her_own_judgement(office: Office) -> None:
    jejak, siti = office.jejak, office.actor("siti")
    aid = office.appraisal("2025", "Sangat Kurang")  # both ratings below
    first, second = jejak.development.propose(siti, "appraisal", aid)
    jejak.development.confirm(siti, first.id, "perlu pelatihan manajemen kinerja")
    jejak.development.dismiss(siti, second.id, "perilaku sudah membaik sejak mutasi")
    jejak.development.judge(siti, office.ids["dewi"], "value", "Kolaboratif", "jarang berbagi informasi")
    assert sources(jejak, office.ids["dewi"]) == [
        ("appraisal", None, "behaviour", 4, "dismissed"), ("appraisal", None, "work_results", 4, "confirmed"),
        ("supervisor", "Kolaboratif", "value", None, "confirmed")]


def test_only_the_supervisor_or_hr_proposes_and_decides(office: Office) -> None:
    aid = office.appraisal("2025", "Butuh Perbaikan")
    for outsider in (office.actor("dewi"), office.actor("head")):
        with pytest.raises(Forbidden):
            office.jejak.development.propose(outsider, "appraisal", aid)
    [need] = office.jejak.development.propose(HR, "appraisal", aid)
    with pytest.raises(Forbidden):
        office.jejak.development.confirm(office.actor("dewi"), need.id, "saya setuju")
