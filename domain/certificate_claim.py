"""CertificateClaim: an index aggregate that keeps a certificate number on at most one live training completion.

Its id derives from the normalised certificate number, so two concurrent first claims collide in the event
store (one wins, the other gets a conflict). A rejected completion releases its claim, so a corrected
completion may be recorded again with the same certificate.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import StateConflict
from domain.ids import natural_id


class DuplicateCertificate(StateConflict):
    """The certificate number is already recorded on another completion that was not rejected."""

    def __init__(self, training_id: UUID):
        super().__init__(f"this certificate number is already recorded on training {training_id}",
                         field="certificate_number")
        self.training_id = training_id


class CertificateClaim(Aggregate):
    """Holds the id of the completion that carries one certificate number (or none after a rejection)."""

    class Claimed(Aggregate.Created):
        training_id: UUID

    class Taken(Aggregate.Event):
        training_id: UUID

        def apply(self, aggregate: Aggregate) -> None:
            """Hold the new completion."""
            assert isinstance(aggregate, CertificateClaim)
            aggregate.training_id = self.training_id

    class Released(Aggregate.Event):
        training_id: UUID

        def apply(self, aggregate: Aggregate) -> None:
            """Free the number."""
            assert isinstance(aggregate, CertificateClaim)
            aggregate.training_id = None

    def __init__(self, training_id: UUID):
        self.training_id: UUID | None = training_id

    @staticmethod
    def id_for(certificate_key: str) -> UUID:
        """The claim of a normalised certificate number (see domain.training.normalise_certificate)."""
        return natural_id("training-certificate", certificate_key)

    @classmethod
    def claim(cls, certificate_key: str, training_id: UUID) -> CertificateClaim:
        """Create the claim holding its first completion."""
        return cls._create(cls.Claimed, id=cls.id_for(certificate_key), training_id=training_id)

    def take(self, training_id: UUID) -> None:
        """Hold a new completion, if no live one holds the number."""
        if self.training_id is not None:
            raise DuplicateCertificate(self.training_id)
        self.trigger_event(self.Taken, training_id=training_id)

    def release(self, training_id: UUID) -> None:
        """Free the number when its completion is rejected."""
        if self.training_id == training_id:
            self.trigger_event(self.Released, training_id=training_id)
