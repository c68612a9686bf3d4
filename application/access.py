"""Bearer-token access grants: issue and revoke, both recorded as events."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.actor import Actor
from application.errors import NotFound
from application.ledger import Ledger
from domain.access import AccessGrant
from domain.employee import Employee
from domain.errors import DomainError

TOKEN_PREFIX = "jjk_"


def hash_token(token: str) -> str:
    """The stored form of a token (SHA-256; tokens are 256-bit random, so no slow hash is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A new random bearer token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@dataclass(frozen=True)
class IssuedToken:
    """A grant and its token, shown once at issue time."""

    grant_id: UUID
    token: str
    role: str


class Holders(Protocol):
    """Who a new token or account belongs to (application.persons.PersonService)."""

    def holder_for(self, role: str, name: str, employee_id: UUID | None) -> Aggregate:
        """The person (with pending changes) a new principal of this role, name and employee belongs to."""


def link_holder(holders: Holders | None, kind: str, role: str, name: str, employee_id: UUID | None,
                grant: Callable[[UUID | None], Aggregate]) -> list[Aggregate]:
    """A new token or account made by ``grant(person_id)``, linked to its person; both to be recorded together."""
    if holders is None:
        return [grant(None)]
    person = holders.holder_for(role, name.strip(), employee_id)
    principal = grant(person.id)
    person.link(kind, principal.id, role)  # type: ignore[attr-defined]
    return [principal, person]


class AccessService:
    """Grant and revoke API access."""

    def __init__(self, ledger: Ledger, default_lifetime: timedelta | None = None, holders: Holders | None = None):
        self.ledger = ledger
        self.default_lifetime = default_lifetime
        self.holders = holders  # every new token belongs to a person

    def issue(
        self, actor: Actor, role: str, name: str, employee_id: UUID | None = None, expires_at: datetime | None = None
    ) -> IssuedToken:
        """Grant a role to a new token and return the token (it is never stored in clear); without an expiry the
        token lives for the default lifetime."""
        if expires_at is None and self.default_lifetime is not None:
            expires_at = datetime.now(UTC) + self.default_lifetime
        if employee_id is not None and not isinstance(self._employee(employee_id), Employee):
            raise DomainError(f"no employee {employee_id}", field="employee_id", code="unknown_employee")
        token = new_token()
        AccessGrant.grant(role, name, employee_id, hash_token(token), expires_at)  # refuse bad input first
        grant, *person = link_holder(self.holders, "token", role, name, employee_id, lambda person_id: (
            AccessGrant.grant(role, name, employee_id, hash_token(token), expires_at, person_id)))
        self.ledger.record(actor, grant, *person, reason=f"grant {role} to {name}")
        return IssuedToken(grant.id, token, role)

    def _employee(self, employee_id: UUID) -> Employee | None:
        try:
            return self.ledger.load(Employee, employee_id)
        except NotFound:
            return None

    def revoke(self, actor: Actor, grant_id: UUID, reason: str) -> None:
        """Revoke a grant; the token stops working at once."""
        grant = self.ledger.load(AccessGrant, grant_id)
        grant.revoke(reason)
        self.ledger.record(actor, grant, reason=reason)

    def grant(self, grant_id: UUID) -> AccessGrant:
        """One grant's current state."""
        return self.ledger.load(AccessGrant, grant_id)
