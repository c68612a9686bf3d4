"""Access reads: grants (never their tokens), accounts and persons, as the actor may see them."""

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


class AccountReadModel(Protocol):
    """The account read model's lookups."""

    def get(self, account_id: UUID) -> dict[str, Any] | None:
        """One account."""

    def all(self) -> list[dict[str, Any]]:
        """Every account, newest first."""


class PersonReadModel(Protocol):
    """The person read model's lookups."""

    def person(self, person_id: UUID) -> dict[str, Any] | None:
        """One person."""

    def all(self) -> list[dict[str, Any]]:
        """Every person, by name."""


class AccessQueries:
    """Grants, accounts and persons as HR and auditors read them (AccessPolicy.may_read_grants, may_read_persons,
    may_assign_investigator)."""

    def __init__(self, view: GrantReadModel, accounts: AccountReadModel, persons: PersonReadModel,
                 policy: AccessPolicy):
        self.view = view
        self.accounts_view = accounts
        self.persons_view = persons
        self.policy = policy

    def accounts(self, actor: Actor) -> list[dict[str, Any]]:
        """Every account, newest first, with who granted and revoked it."""
        require(self.policy.may_read_grants(actor), "accounts are for HR and auditors")
        return self.accounts_view.all()

    def account(self, actor: Actor, account_id: UUID) -> dict[str, Any]:
        """One account (404 unknown)."""
        require(self.policy.may_read_grants(actor), "accounts are for HR and auditors")
        row = self.accounts_view.get(account_id)
        if row is None:
            raise NotFound(f"no account {account_id}")
        return row

    def person(self, actor: Actor, person_id: UUID) -> dict[str, Any]:
        """One person with their roles (empty when not projected yet)."""
        require(self.policy.may_read_persons(actor), "persons are for HR and auditors")
        return self.persons_view.person(person_id) or {}

    def assignable_investigators(self, actor: Actor) -> list[dict[str, Any]]:
        """Active persons holding the investigator role, by name: for those who assign investigators."""
        require(self.policy.may_assign_investigator(actor), "investigators are assigned by HR")
        return [p for p in self.persons_view.all() if "investigator" in p["roles"] and p["status"] == "active"]

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
