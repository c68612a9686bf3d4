"""Sign-in accounts for the web pages: a username, a password hash and a role; granting and revoking are events."""

from __future__ import annotations

import re
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.access import check_role
from domain.errors import DomainError, StateConflict
from domain.ids import natural_id

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")


class AccountAlreadyRevoked(StateConflict):
    """The account was revoked before."""

    def __init__(self) -> None:
        super().__init__("this account is already revoked", field="account_id")


class Account(Aggregate):
    """A person's sign-in to the pages; its id derives from the username, so a username is held once."""

    class Granted(Aggregate.Created):
        username: str
        role: str
        name: str
        employee_id: UUID | None
        password_hash: str
        person_id: UUID | None

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            """Accounts created before persons existed belong to nobody until `jejak persons migrate` links them."""
            state["person_id"] = None

    class Revoked(Aggregate.Event):
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """Mark the account revoked."""
            assert isinstance(aggregate, Account)
            aggregate.revoked = True

    def __init__(self, username: str, role: str, name: str, employee_id: UUID | None, password_hash: str,
                 person_id: UUID | None):
        self.person_id = person_id
        self.username = username
        self.role = role
        self.name = name
        self.employee_id = employee_id
        self.password_hash = password_hash
        self.revoked = False

    @staticmethod
    def id_for(username: str) -> UUID:
        """The aggregate id of the account with this username."""
        return natural_id("account", normalise_username(username))

    @classmethod
    def grant(cls, username: str, role: str, name: str, employee_id: UUID | None, password_hash: str,
              person_id: UUID | None = None) -> Account:
        """Grant a role to a new account."""
        check_role(role, employee_id)
        check_username(username)
        if not name or not name.strip():
            raise DomainError("name must not be empty", field="name", code="name_required")
        if not password_hash:
            raise DomainError("password must not be empty", field="password", code="password_required")
        key = normalise_username(username)
        return cls._create(cls.Granted, id=cls.id_for(key), username=key, role=role, name=name.strip(),
                           employee_id=employee_id, password_hash=password_hash, person_id=person_id)

    def revoke(self, reason: str) -> None:
        """Revoke the account: it can no longer sign in and its open sessions end."""
        if self.revoked:
            raise AccountAlreadyRevoked()
        self.trigger_event(self.Revoked, reason=reason or "revoked")


def normalise_username(username: str) -> str:
    """Usernames compare without case or surrounding blanks."""
    return (username or "").strip().lower()


def check_username(username: str) -> None:
    """3 to 64 characters: lowercase letters, digits, dot, underscore, hyphen; starting with a letter or digit."""
    if not USERNAME.match(normalise_username(username)):
        raise DomainError("username must be 3-64 letters, digits, '.', '_' or '-', starting with a letter or digit",
                          field="username", code="invalid_username")
