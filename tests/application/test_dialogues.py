"""Performance dialogues on SQLite and PostgreSQL: recorded by either side, the other's account, open actions listed
for both parties until done.

The office of tests/promotions.py: Kepala > Siti > Dewi.
"""

from __future__ import annotations

from datetime import date

import pytest

from application.errors import Forbidden
from infrastructure.container import Jejak
from tests.promotions import HR, Office

TODAY = date(2026, 6, 15)


@pytest.fixture
def office(jejak: Jejak) -> Office:
    jejak.dialogues.today = lambda: TODAY
    return Office.build(jejak)


def test_open_actions_are_listed_for_both_parties_until_done(office: Office) -> None:
    jejak, dewi, siti = office.jejak, office.actor("dewi"), office.actor("siti")
    dialogue = jejak.dialogues.record(
        dewi, office.ids["dewi"], date(2026, 6, 10), ["Capaian triwulan II"],
        [{"text": "Susun ulang jadwal usulan", "owner": "employee", "due_on": date(2026, 7, 1)}],
        date(2026, 7, 15), "Saya minta bantuan staf pendukung")
    assert dialogue.supervisor_id == office.ids["siti"]
    jejak.dialogues.add_account(siti, dialogue.id, "Disepakati; staf pendukung mulai Juli")
    jejak.projections.catch_up()
    [mine] = jejak.dialogue_view.open_actions(office.ids["dewi"])
    [hers] = jejak.dialogue_view.open_actions(office.ids["siti"])
    assert mine["id"] == hers["id"] and mine["text"] == "Susun ulang jadwal usulan"
    assert jejak.dialogue_view.open_actions(office.ids["head"]) == []
    jejak.dialogues.complete(siti, dialogue.id, mine["id"], "jadwal baru sudah dipakai")
    jejak.projections.catch_up()
    assert jejak.dialogue_view.open_actions(office.ids["dewi"]) == []
    row = jejak.dialogue_view.dialogue(dialogue.id)
    assert row is not None
    assert (row["employee_account"], row["supervisor_account"], row["open_actions"]) == (
        "Saya minta bantuan staf pendukung", "Disepakati; staf pendukung mulai Juli", 0)
    assert row["actions"][0]["done_by"] == "supervisor"


def test_only_the_employee_and_the_direct_supervisor_take_part(office: Office) -> None:
    jejak = office.jejak
    for outsider in (HR, office.actor("head")):
        with pytest.raises(Forbidden):
            jejak.dialogues.record(outsider, office.ids["dewi"], date(2026, 6, 10), ["Capaian"], [], None, "catatan")
    dialogue = jejak.dialogues.record(office.actor("siti"), office.ids["dewi"], date(2026, 6, 10), ["Capaian"], [],
                                      None, "catatan atasan")
    with pytest.raises(Forbidden):
        jejak.dialogues.add_account(office.actor("head"), dialogue.id, "catatan kepala")
    assert jejak.policy.may_read_dialogue(office.actor("head"), office.ids["dewi"], office.ids["siti"])


def test_coaching_notes_on_the_appraisals_are_kept_by_employee_and_a_rebuild_agrees(office: Office) -> None:
    jejak, siti = office.jejak, office.actor("siti")
    appraisal = jejak.appraisals.open(HR, office.ids["dewi"], "2026").id
    jejak.appraisals.record_note(siti, appraisal, "Laporan mingguan sudah lebih rapi")
    jejak.appraisals.record_note(siti, appraisal, "Perlu jadwal rapat yang tetap")
    jejak.projections.catch_up()

    notes = jejak.coaching_notes.notes(office.ids["dewi"], 10)

    assert [(n["text"], n["period"], n["noted_by"], n["appraisal_id"]) for n in notes] == [
        ("Perlu jadwal rapat yang tetap", "2026", office.ids["siti"], appraisal),
        ("Laporan mingguan sudah lebih rapi", "2026", office.ids["siti"], appraisal)]
    assert notes[0]["noted_by_name"] == jejak.registry.employee(office.ids["siti"]).name
    assert jejak.coaching_notes.notes(office.ids["siti"], 10) == []
    jejak.projections.rebuild("coaching_notes")
    assert jejak.coaching_notes.notes(office.ids["dewi"], 10) == notes


def test_the_inbox_counts_open_actions_for_both_parties(office: Office) -> None:
    jejak, dewi = office.jejak, office.actor("dewi")
    agreed = [{"text": text, "owner": "employee", "due_on": None} for text in ("Susun jadwal", "Baca pedoman")]
    dialogue = jejak.dialogues.record(dewi, office.ids["dewi"], date(2026, 6, 10), ["Capaian"], agreed, None, "baik")
    jejak.projections.catch_up()
    counts = [jejak.dialogue_view.count_open_actions(office.ids[who]) for who in ("dewi", "siti", "head")]
    assert counts == [2, 2, 0]
    jejak.dialogues.complete(dewi, dialogue.id, dialogue.actions[0].id, "jadwal dipakai")
    jejak.projections.catch_up()
    assert jejak.dialogue_view.count_open_actions(office.ids["siti"]) == 1
