"""Upward feedback: named entries shown with names; the anonymous pool only after the period and only when at least
the anonymity threshold of reports gave anonymous feedback, never merged with the named ones."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.upward_feedback import Entry, FeedbackGiven, FeedbackInvalid, UpwardFeedback, upward_report


def entry(anonymous: bool, rating: int, comment: str = "") -> Entry:
    return Entry(uuid4(), uuid4(), "Rina", anonymous, {"Kolaboratif": rating}, comment)


def test_below_the_threshold_the_anonymous_pool_is_withheld_and_not_merged_into_the_named() -> None:
    report = upward_report([entry(True, 2, "jarang hadir"), entry(True, 3), entry(False, 4, "jelas")], 3, True)
    assert report["anonymous"]["shown"] is False and "fewer than 3" in report["anonymous"]["reason"]
    assert [n["comment"] for n in report["named"]] == ["jelas"]
    assert "means" not in report["anonymous"] and "comments" not in report["anonymous"]


def test_at_the_threshold_the_pool_is_shown_only_after_the_period() -> None:
    entries = [entry(True, 2, "Rapat terlalu lama"), entry(True, 3, "arahan jelas"), entry(True, 4)]
    running = upward_report(entries, 3, False)
    assert running["anonymous"] == {"shown": False, "threshold": 3, "reason": "the period is not over yet"}
    over = upward_report(entries, 3, True)["anonymous"]
    assert (over["count"], over["means"], over["comments"]) == (3, {"Kolaboratif": 3.0},
                                                              ["arahan jelas", "Rapat terlalu lama"])


def test_a_report_gives_once_while_the_period_runs() -> None:
    feedback = UpwardFeedback.open(uuid4(), "2026-Q2")
    reviewer = uuid4()
    with pytest.raises(FeedbackInvalid):
        feedback.give(reviewer, "Rina", True, {"Kolaboratif": 3}, "", date(2026, 7, 1))
    with pytest.raises(FeedbackInvalid):
        feedback.give(reviewer, "Rina", True, {"Loyalitas": 3}, "", date(2026, 5, 1))
    feedback.give(reviewer, "Rina", True, {"Kolaboratif": 3}, "arahan jelas", date(2026, 5, 1))
    with pytest.raises(FeedbackGiven):
        feedback.give(reviewer, "Rina", False, {}, "lagi", date(2026, 5, 2))
    assert feedback.period_over(date(2026, 7, 1)) and not feedback.period_over(date(2026, 6, 30))
