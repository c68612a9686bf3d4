"""Sign-in lockouts: each time failed attempts lock an account or an address out, a fact in the ledger."""

from __future__ import annotations

from datetime import datetime

from eventsourcing.domain import Aggregate

from domain.errors import DomainError

SCOPES = ("account", "address")


class UnknownScope(DomainError):
    """A lockout is of an account or of an address."""

    def __init__(self, scope: str):
        super().__init__(f"unknown lockout scope {scope!r}; expected account or address", field="scope")


class Lockout(Aggregate):
    """One lockout: whom it held back (an account, or a client address), after how many failures, until when."""

    class Imposed(Aggregate.Created):
        scope: str
        subject: str
        failures: int
        until: datetime

    @classmethod
    def impose(cls, scope: str, subject: str, failures: int, until: datetime) -> Lockout:
        """Record that ``subject`` may not try again before ``until`` (the subject never holds a password)."""
        if scope not in SCOPES:
            raise UnknownScope(scope)
        return cls._create(cls.Imposed, scope=scope, subject=subject, failures=failures, until=until)

    def __init__(self, scope: str, subject: str, failures: int, until: datetime):
        self.scope = scope
        self.subject = subject
        self.failures = failures
        self.until = until
