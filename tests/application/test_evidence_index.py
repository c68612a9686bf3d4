"""A promotion assessment finds its evidence from the log, whatever the projections have reached.

The system here runs with catch-up in request turned off, as with a separate projection worker that has not yet
applied the latest events: a training recorded or a round opened a moment before the command must still be read.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from domain.promotion_case import StaleEvidence
from infrastructure.container import Jejak
from tests.conftest import _make
from tests.promotions import COMMITTEE, HR, MEMBERS, Office


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def lagging(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Jejak]:
    """A system whose projections move only when told to (a worker elsewhere, not yet run)."""
    yield from _make(str(request.param), tmp_path, catch_up_in_request=False)


def evidence_ids(jejak: Jejak, case_id: object, kind: str) -> set[str]:
    case = jejak.promotions.case(HR, case_id)  # type: ignore[arg-type]
    assert case.assessment is not None
    return {str(ref.id) for ref in case.assessment.evidence if ref.type == kind}


def test_an_assessment_reads_a_training_and_a_round_the_projections_have_not_reached(lagging: Jejak) -> None:
    office = Office.build(lagging)
    office.appraisal("2025", "Baik")
    lagging.projections.catch_up()
    position = lagging.projections.position("trainings")
    training = office.training(20, date(2025, 6, 3))
    round_id = lagging.feedback.open_round(HR, office.ids["dewi"], "2025-Q4", date.today() + timedelta(days=5)).id
    assert lagging.projections.position("trainings") == position  # the read model has not seen them
    case_id = office.propose()

    lagging.promotions.assess(HR, case_id)

    assert evidence_ids(lagging, case_id, "training") == {str(training)}
    assert evidence_ids(lagging, case_id, "feedback_round") == {str(round_id)}


def test_the_stale_evidence_check_sees_a_training_recorded_after_the_assessment(lagging: Jejak) -> None:
    office = Office.build(lagging)
    office.appraisal("2025", "Baik")
    case_id = office.propose()
    lagging.promotions.assess(HR, case_id)
    lagging.projections.catch_up()
    office.training(20, date(2025, 6, 3))  # not yet projected

    with pytest.raises(StaleEvidence):
        lagging.promotions.decide(COMMITTEE, case_id, "rejected", "belum memenuhi syarat", MEMBERS)


def test_the_index_and_the_log_together_list_each_input_once(lagging: Jejak) -> None:
    office = Office.build(lagging)
    office.appraisal("2025", "Baik")
    training = office.training(20, date(2025, 6, 3))
    lagging.projections.catch_up()
    later = office.training(10, date(2025, 9, 1), number="800/B/2025")

    found = lagging.promotions.index.trainings_of(office.ids["dewi"], 2025)

    assert sorted(found) == sorted([training, later])
