"""Upward feedback: an employee's feedback to their direct supervisor outside a 360 round, for a period (a year or a
quarter), given while the period runs, once per report.

A report chooses to be named or anonymous. Named feedback is shown with the name. Anonymous feedback follows the 360
report's rule: it is shown only pooled (means and comments without names, comments sorted), only once the period is
over (so nobody learns who answered by reading the pool before and after one more entry), and only when at least
the anonymity threshold of reports gave anonymous feedback in the period; otherwise it is withheld, not merged into
the named feedback, so nothing can be had by difference.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate

from domain.appraisal import period_bounds
from domain.development import BERAKHLAK
from domain.errors import DomainError, StateConflict

MAX_COMMENT = 2000


class FeedbackInvalid(DomainError):
    """The feedback breaks a rule; ``errors`` names each field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the upward feedback is not valid: " + ", ".join(sorted(errors)), errors=errors)


class FeedbackGiven(StateConflict):
    """A report gives feedback to their supervisor once a period (a 409)."""

    def __init__(self) -> None:
        super().__init__("you have already given feedback to this supervisor for the period", field="period")


@dataclass(frozen=True)
class Entry:
    """One report's feedback."""

    id: UUID
    reviewer_id: UUID
    reviewer_name: str
    anonymous: bool
    ratings: dict[str, int]
    comment: str


def upward_report(entries: Iterable[Entry], threshold: int, period_over: bool) -> dict[str, Any]:
    """What the supervisor reads: named entries with names; the anonymous pool only when the period is over and at
    least ``threshold`` reports gave anonymous feedback (withheld otherwise, and never merged with the named)."""
    items = list(entries)
    named = [e for e in items if not e.anonymous]
    anonymous = [e for e in items if e.anonymous]
    shown = period_over and len(anonymous) >= threshold
    pool: dict[str, Any] = {"shown": shown, "threshold": threshold}
    if shown:
        pool["count"] = len(anonymous)
        pool["means"] = {value: round(sum(e.ratings[value] for e in rated) / len(rated), 2)
                         for value in BERAKHLAK
                         if (rated := [e for e in anonymous if value in e.ratings])}
        pool["comments"] = sorted((e.comment for e in anonymous if e.comment), key=str.casefold)
    else:
        pool["reason"] = ("the period is not over yet" if not period_over else
                          f"fewer than {threshold} reports gave anonymous feedback; withheld to protect their anonymity")
    return {"named": [{"reviewer_id": str(e.reviewer_id), "reviewer_name": e.reviewer_name, "ratings": e.ratings,
                       "comment": e.comment} for e in named],
            "anonymous": pool}


class UpwardFeedback(Aggregate):
    """The upward feedback one supervisor receives in one period."""

    class Opened(Aggregate.Created):
        supervisor_id: UUID
        period: str

    class Given(Aggregate.Event):
        entry_id: UUID
        reviewer_id: UUID
        reviewer_name: str
        anonymous: bool
        ratings: dict[str, int]
        comment: str

        def apply(self, aggregate: Aggregate) -> None:
            """Add the entry."""
            assert isinstance(aggregate, UpwardFeedback)
            aggregate.entries.append(Entry(self.entry_id, self.reviewer_id, self.reviewer_name, self.anonymous,
                                           dict(self.ratings), self.comment))

    def __init__(self, supervisor_id: UUID, period: str):
        self.supervisor_id = supervisor_id
        self.period = period
        self.entries: list[Entry] = []

    @staticmethod
    def id_for(supervisor_id: UUID, period: str) -> UUID:
        """One aggregate per supervisor and period."""
        return uuid5(NAMESPACE_URL, f"/upward-feedback/{supervisor_id}/{period}")

    @classmethod
    def open(cls, supervisor_id: UUID, period: str) -> UpwardFeedback:
        """The supervisor's (empty) feedback of a period."""
        period_bounds(period)  # an invalid period is refused here
        return cls._create(cls.Opened, id=cls.id_for(supervisor_id, period), supervisor_id=supervisor_id,
                           period=period)

    def period_over(self, today: date) -> bool:
        """True once the period's last day has passed."""
        return today > period_bounds(self.period)[1]

    def give(self, reviewer_id: UUID, reviewer_name: str, anonymous: bool, ratings: dict[str, int], comment: str,
             today: date) -> None:
        """A report gives feedback while the period runs: ratings 1-5 of BerAKHLAK values and/or a comment."""
        start, end = period_bounds(self.period)
        errors: dict[str, list[str]] = {}
        if not start <= today <= end:
            errors["period"] = [f"feedback for {self.period} is given from {start.isoformat()} to {end.isoformat()}"]
        unknown = sorted(set(ratings) - set(BERAKHLAK))
        if unknown:
            errors["ratings"] = [f"unknown values {', '.join(unknown)}; known: {', '.join(BERAKHLAK)}"]
        elif any(isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 5 for v in ratings.values()):
            errors["ratings"] = ["each rating is a whole number from 1 to 5"]
        text = (comment or "").strip()
        if len(text) > MAX_COMMENT:
            errors["comment"] = [f"must be at most {MAX_COMMENT} characters"]
        if not ratings and not text:
            errors["comment"] = ["give ratings, a comment or both"]
        if errors:
            raise FeedbackInvalid(errors)
        if any(e.reviewer_id == reviewer_id for e in self.entries):
            raise FeedbackGiven()
        self.trigger_event(self.Given, entry_id=uuid4(), reviewer_id=reviewer_id, reviewer_name=reviewer_name,
                           anonymous=anonymous, ratings=dict(ratings), comment=text)
