"""The BerAKHLAK question set with the 21 behaviour guides (SE MenPANRB 20/2021): the default carries them, a
ledger whose question set predates them gets a new version from `jejak init`, and open rounds keep theirs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from application.question_book import default_questions
from infrastructure.container import Jejak
from tests.legacy import INIT, ledger_as_released
from tests.promotions import HR, Office

VALUES = ["berorientasi_pelayanan", "akuntabel", "kompeten", "harmonis", "loyal", "adaptif", "kolaboratif"]


def test_the_default_set_has_three_guides_for_each_of_the_seven_values() -> None:
    questions = {q["id"]: q for q in default_questions()["questions"]}
    assert all(len(questions[v]["guides"]) == 3 and len(questions[v]["guides_en"]) == 3 for v in VALUES)
    assert sum(len(q.get("guides", [])) for q in questions.values()) == 21
    assert questions["akuntabel"]["guides"][2] == "Tidak menyalahgunakan kewenangan jabatan"


def test_a_fresh_ledger_publishes_the_guides_in_its_first_version(jejak: Jejak) -> None:
    latest = jejak.questions.get()
    assert latest.version == 1
    assert sum(len(q.get("guides", [])) for q in latest.questions) == 21


@pytest.fixture
def old_ledger(backend: str, tmp_path: Path) -> Iterator[Jejak]:
    """A ledger whose question set predates the guides, with the rules of the time."""
    yield from ledger_as_released(backend, tmp_path)


def test_init_publishes_the_guides_as_a_new_version_and_an_open_round_keeps_its_own(old_ledger: Jejak) -> None:
    office = Office.build(old_ledger)
    round_id = old_ledger.feedback.open_round(HR, office.ids["dewi"], "2026-Q4",
                                              date.today() + timedelta(days=14)).id

    assert old_ledger.init(INIT) is True

    latest = old_ledger.questions.get()
    assert latest.version == 2 and sum(len(q.get("guides", [])) for q in latest.questions) == 21
    pinned = old_ledger.feedback.round(round_id).question_set
    assert pinned["version"] == 1 and not any(q.get("guides") for q in pinned["questions"])
    assert old_ledger.init(INIT) is False  # nothing left to publish
