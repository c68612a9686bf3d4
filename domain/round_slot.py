"""RoundSlot: an index aggregate that allows one open feedback round per reviewee and period."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import StateConflict
from domain.ids import natural_id


class RoundAlreadyOpen(StateConflict):
    """The reviewee already has an open round for this period."""

    def __init__(self, round_id: UUID):
        super().__init__(f"round {round_id} is already open for this reviewee and period", field="period")


class RoundSlot(Aggregate):
    """Holds the id of the open round for one reviewee and period (or none)."""

    class Created(Aggregate.Created):
        round_id: UUID

    class Taken(Aggregate.Event):
        round_id: UUID

        def apply(self, aggregate: Aggregate) -> None:
            """Hold the new round."""
            assert isinstance(aggregate, RoundSlot)
            aggregate.open_round_id = self.round_id

    class Released(Aggregate.Event):
        round_id: UUID

        def apply(self, aggregate: Aggregate) -> None:
            """Free the slot."""
            assert isinstance(aggregate, RoundSlot)
            aggregate.open_round_id = None

    def __init__(self, round_id: UUID):
        self.open_round_id: UUID | None = round_id

    @staticmethod
    def id_for(reviewee_id: UUID, period: str) -> UUID:
        """The slot of a reviewee and period."""
        return natural_id("feedback-slot", f"{reviewee_id}:{period}")

    @classmethod
    def take_new(cls, reviewee_id: UUID, period: str, round_id: UUID) -> RoundSlot:
        """Create the slot holding its first round."""
        return cls._create(cls.Created, id=cls.id_for(reviewee_id, period), round_id=round_id)

    def take(self, round_id: UUID) -> None:
        """Hold a new round, if none is open."""
        if self.open_round_id is not None:
            raise RoundAlreadyOpen(self.open_round_id)
        self.trigger_event(self.Taken, round_id=round_id)

    def release(self, round_id: UUID) -> None:
        """Free the slot when its round closes."""
        if self.open_round_id == round_id:
            self.trigger_event(self.Released, round_id=round_id)
