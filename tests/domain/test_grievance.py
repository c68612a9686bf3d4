"""Grievance: the filing window, one per decision, assignment and the investigator's conclusion."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.grievance import FilingWindowClosed, Grievance, GrievanceClosed, GrievanceInvalid, NoInvestigator

DECIDED = date(2026, 3, 25)


def filed(**overrides: Any) -> Grievance:
    fields: dict[str, Any] = {"grievant_id": uuid4(), "subject": "promotion_decision", "subject_id": UUID(int=5),
                              "subject_version": 3, "decision_number": 1, "grounds": "nilai tidak adil",
                              "today": date(2026, 4, 6), "decided_on": DECIDED, "window_days": 30,
                              "rule_set_version": 1}
    fields.update(overrides)
    return Grievance.file(**fields)


def test_a_grievance_on_the_last_day_of_the_window_is_accepted_and_the_day_after_is_not() -> None:
    assert filed(today=date(2026, 4, 24)).deadline == date(2026, 4, 24)
    with pytest.raises(FilingWindowClosed):
        filed(today=date(2026, 4, 25))


def test_one_grievance_per_decision() -> None:
    assert filed().id == filed(grievant_id=uuid4()).id
    assert filed().id != filed(decision_number=2).id


def test_grounds_and_subject_are_required() -> None:
    with pytest.raises(GrievanceInvalid) as refused:
        filed(subject="gaji", grounds="")
    assert set(refused.value.errors) == {"subject", "grounds"}


def test_an_investigator_is_assigned_before_the_conclusion() -> None:
    grievance = filed()
    with pytest.raises(NoInvestigator):
        grievance.conclude("dismissed", "temuan", "alasan", None, date(2026, 5, 4))

    grievance.assign("grant-1", "Tim Pemeriksa")

    assert grievance.status == "investigating" and grievance.investigator_id == "grant-1"
    with pytest.raises(GrievanceInvalid):
        grievance.assign("grant-1", "Tim Pemeriksa")


def test_upheld_needs_a_remedy_and_dismissed_has_none() -> None:
    grievance = filed()
    grievance.assign("grant-1", "Tim Pemeriksa")
    with pytest.raises(GrievanceInvalid) as no_remedy:
        grievance.conclude("upheld", "temuan", "alasan", None, date(2026, 5, 4))
    assert "remedy" in no_remedy.value.errors
    with pytest.raises(GrievanceInvalid):
        grievance.conclude("dismissed", "temuan", "alasan", "nilai ulang", date(2026, 5, 4))

    grievance.conclude("upheld", "temuan", "alasan", "nilai ulang", date(2026, 5, 4))

    assert (grievance.status, grievance.remedy, grievance.is_open) == ("upheld", "nilai ulang", False)
    with pytest.raises(GrievanceClosed):
        grievance.assign("grant-2", "Lain")
