"""NIP claim: an index aggregate that makes a NIP unique across the ledger."""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.ids import natural_id


class NipClaim(Aggregate):
    """Records which employee holds a NIP; its id derives from the NIP, so a second claim conflicts."""

    class Claimed(Aggregate.Created):
        employee_id: UUID

    def __init__(self, employee_id: UUID):
        self.employee_id = employee_id

    @staticmethod
    def id_for(nip: str) -> UUID:
        """The aggregate id of the claim on this NIP."""
        return natural_id("nip", nip)

    @classmethod
    def claim(cls, nip: str, employee_id: UUID) -> NipClaim:
        """Claim a NIP for an employee."""
        return cls._create(cls.Claimed, id=cls.id_for(nip), employee_id=employee_id)
