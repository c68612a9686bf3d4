"""Access-grant reads: the grants (never their tokens) as the actor may see them."""

from __future__ import annotations

from typing import Any, Protocol
from uuid import UUID

from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.errors import NotFound


class GrantReadModel(Protocol):
    """The access read model's list of grants."""

    def all(self) -> list[dict[str, Any]]:
        """Every grant, newest first."""


class AccessQueries:
    """Grants as HR and auditors read them (AccessPolicy.may_read_grants)."""

    def __init__(self, view: GrantReadModel, policy: AccessPolicy):
        self.view = view
        self.policy = policy

    def grants(self, actor: Actor) -> list[dict[str, Any]]:
        """Every grant, newest first, with who granted and revoked it."""
        require(self.policy.may_read_grants(actor), "access grants are for HR and auditors")
        return self.view.all()

    def grant(self, actor: Actor, grant_id: UUID) -> dict[str, Any]:
        """One grant (404 unknown)."""
        found = [g for g in self.grants(actor) if g["id"] == grant_id]
        if not found:
            raise NotFound(f"no access grant {grant_id}")
        return found[0]
