"""Performance dialogue: either side records it, the other adds their own account, actions stay open until done."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.dialogue import Dialogue, DialogueInvalid, DialogueState

TODAY = date(2026, 6, 15)


def recorded(by: str = "supervisor") -> Dialogue:
    return Dialogue.record(employee_id=uuid4(), supervisor_id=uuid4(), recorded_by=by, held_on=date(2026, 6, 10),
                           topics=["Capaian triwulan II", "Beban kerja"],
                           actions=[{"text": "Susun ulang jadwal usulan", "owner": "employee",
                                     "due_on": date(2026, 7, 1)},
                                    {"text": "Tambah satu staf pendukung", "owner": "supervisor", "due_on": None}],
                           follow_up_on=date(2026, 7, 15), account="Capaian 80%; perlu bantuan staf", today=TODAY)


def test_the_other_side_adds_its_own_account_once() -> None:
    dialogue = recorded("supervisor")
    with pytest.raises(DialogueState):
        dialogue.add_account("supervisor", "sekali lagi")
    dialogue.add_account("employee", "Saya sepakat; jadwal akan saya susun minggu ini")
    assert set(dialogue.accounts) == {"employee", "supervisor"}
    with pytest.raises(DialogueState):
        dialogue.add_account("employee", "lagi")


def test_actions_stay_open_until_either_side_marks_them_done() -> None:
    dialogue = recorded("employee")
    first, second = dialogue.actions
    dialogue.complete(second.id, "employee", "staf pendukung sudah ditugaskan")
    assert [a.id for a in dialogue.open_actions] == [first.id]
    with pytest.raises(DialogueState):
        dialogue.complete(second.id, "supervisor", "lagi")


def test_a_dialogue_is_held_by_today_with_topics_and_actions_after_it() -> None:
    with pytest.raises(DialogueInvalid) as refused:
        Dialogue.record(employee_id=uuid4(), supervisor_id=uuid4(), recorded_by="employee",
                        held_on=date(2026, 6, 20), topics=[" "],
                        actions=[{"text": "x", "owner": "hr", "due_on": date(2026, 6, 1)}],
                        follow_up_on=date(2026, 6, 1), account="", today=TODAY)
    assert set(refused.value.errors or {}) == {"held_on", "topics", "actions[0].owner", "actions[0].due_on",
                                               "follow_up_on", "account"}
