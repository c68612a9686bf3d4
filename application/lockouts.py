"""Recording sign-in lockouts as events."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from application.actor import system_actor
from application.ledger import Ledger
from domain.lockout import Lockout


class LockoutLog:
    """Writes one event per lockout (accounts by id or by a digest of the name tried, addresses as given)."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def record(self, scope: str, subject: str, failures: int, until: datetime) -> UUID:
        """Record a lockout; return its id."""
        lockout = Lockout.impose(scope, subject, failures, until)
        self.ledger.record(system_actor("sign-in-throttle"), lockout,
                           reason=f"{failures} failed sign-in attempts: {scope} locked out")
        return lockout.id
