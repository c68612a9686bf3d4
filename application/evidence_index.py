"""Where a promotion assessment finds a candidate's trainings, 360 rounds and awards: from the log, as of its head.

Trainings, rounds and awards have no natural id, so they are looked up. The read models index them, but only up to the
position their projections have reached (and without any event a projection parked). A command must see every
input committed before it, however fresh the projections are, so the lookup takes the index as far as it is known
to be complete and reads the rest from the event store: the events after the lowest position of the projections
behind the index, and the events they parked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.utils import get_topic

from application.ledger import Ledger
from domain.feedback_round import FeedbackRound
from domain.recognition import Award
from domain.training import Training

TOPICS = (get_topic(Training.Recorded), get_topic(FeedbackRound.Opened), get_topic(Award.Granted))
BATCH = 500


class TrainingIndex(Protocol):
    """The training read model's index of completions."""

    def trainings_of(self, employee_id: UUID, year: int) -> list[UUID]:
        """Training completions of an employee ending in a year."""


class RoundIndex(Protocol):
    """The feedback read model's index of rounds."""

    def feedback_rounds_of(self, employee_id: UUID, years: set[int]) -> list[UUID]:
        """360 rounds of a reviewee whose period falls in one of the years."""


class AwardIndex(Protocol):
    """The talent read model's index of awards."""

    def awards_of(self, employee_id: UUID) -> list[UUID]:
        """Awards granted to an employee."""


@dataclass(frozen=True)
class ReadIndex:
    """The read side's index of trainings, rounds and awards, each from its own read model (complete up to the
    position its projection reached)."""

    trainings: TrainingIndex
    rounds: RoundIndex
    awards: AwardIndex

    def trainings_of(self, employee_id: UUID, year: int) -> list[UUID]:
        """Training completions of an employee ending in a year."""
        return self.trainings.trainings_of(employee_id, year)

    def feedback_rounds_of(self, employee_id: UUID, years: set[int]) -> list[UUID]:
        """360 rounds of a reviewee whose period falls in one of the years."""
        return self.rounds.feedback_rounds_of(employee_id, years)

    def awards_of(self, employee_id: UUID) -> list[UUID]:
        """Awards granted to an employee."""
        return self.awards.awards_of(employee_id)


class LogEvidenceIndex:
    """The read index completed from the event store up to the head of the log (same lookups as ``ReadIndex``)."""

    def __init__(self, index: ReadIndex, ledger: Ledger, indexed_up_to: Callable[[], int],
                 parked: Callable[[], Iterable[int]]):
        self.index = index
        self.ledger = ledger
        self.indexed_up_to = indexed_up_to  # the lowest tracked position of the projections behind the index
        self.parked = parked  # log positions those projections parked (their rows are missing from the index)

    def trainings_of(self, employee_id: UUID, year: int) -> list[UUID]:
        """Training completions of an employee ending in a year, as of the head of the log."""
        position = self.indexed_up_to()  # first: every event up to here is in the index read next
        found = set(self.index.trainings_of(employee_id, year))
        for event in self._unindexed(position):
            if isinstance(event, Training.Recorded) and event.employee_id == employee_id \
                    and event.end_date.year == year:
                found.add(event.originator_id)
        return sorted(found)

    def feedback_rounds_of(self, employee_id: UUID, years: set[int]) -> list[UUID]:
        """360 rounds of a reviewee whose period (2026, 2026-Q3) falls in one of the years, as of the head."""
        position = self.indexed_up_to()
        found = set(self.index.feedback_rounds_of(employee_id, years))
        wanted = {str(y) for y in years}
        for event in self._unindexed(position):
            if isinstance(event, FeedbackRound.Opened) and event.reviewee_id == employee_id \
                    and event.period[:4] in wanted:
                found.add(event.originator_id)
        return sorted(found)

    def awards_of(self, employee_id: UUID) -> list[UUID]:
        """Awards granted to an employee, as of the head of the log."""
        position = self.indexed_up_to()
        found = set(self.index.awards_of(employee_id))
        for event in self._unindexed(position):
            if isinstance(event, Award.Granted) and event.employee_id == employee_id:
                found.add(event.originator_id)
        return sorted(found)

    def _unindexed(self, position: int) -> list[Any]:
        """The training and round creations after ``position`` up to the head, and those parked at or before it."""
        recorder, mapper = self.ledger.recorder, self.ledger.mapper
        events = []
        for parked in sorted(set(self.parked())):
            if parked <= position:
                events += [mapper.to_domain_event(n) for n in recorder.select_notifications(
                    start=parked, limit=1, stop=parked, topics=TOPICS)]
        start = position + 1
        while True:
            batch = recorder.select_notifications(start=start, limit=BATCH, topics=TOPICS)
            events += [mapper.to_domain_event(n) for n in batch]
            if len(batch) < BATCH:
                return events
            start = batch[-1].id + 1
