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
