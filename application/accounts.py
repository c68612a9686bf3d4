"""Sign-in accounts for the pages: granted and revoked by HR as events; passwords kept only as argon2id hashes."""

from __future__ import annotations

import functools
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from application.access import Holders, link_holder
from application.access_policy import AccessPolicy, require
from application.actor import Actor
from application.errors import Conflict, NotFound
from application.ledger import Ledger
from domain.account import Account
from domain.employee import Employee
from domain.errors import DomainError

MIN_PASSWORD = 10
MAX_PASSWORD = 200


def check_password(password: str) -> None:
    """A password of 10 to 200 characters, not only blanks."""
    if not password or not password.strip() or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        raise DomainError(f"password must be {MIN_PASSWORD} to {MAX_PASSWORD} characters", field="password",
                          code="password_length", params={"min": MIN_PASSWORD, "max": MAX_PASSWORD})


class AccountService:
    """Grant, revoke and check page accounts."""

    def __init__(self, ledger: Ledger, hasher: PasswordHasher | None = None, holders: Holders | None = None):
        self.ledger = ledger
        self.hasher = hasher or PasswordHasher()
        self.holders = holders  # every new account belongs to a person

    @functools.cached_property
    def _decoy(self) -> str:
        """Verifying against this when the username is unknown makes both failures take the same time."""
        return self.hasher.hash("decoy password nobody holds")

    def create(self, actor: Actor, username: str, password: str, role: str, name: str,
               employee_id: UUID | None = None) -> Account:
        """Grant a role to a new account (HR or an operator); a taken username is a conflict."""
        require(AccessPolicy.may_manage_accounts(actor), "only HR creates accounts")
        check_password(password)
        if employee_id is not None:
            self._employee(employee_id)
        password_hash = self.hasher.hash(password)
        account = Account.grant(username, role, name, employee_id, password_hash)  # refuse bad input first
        if self.ledger.exists(account.id):
            raise Conflict(f"username {account.username!r} is taken", field="username")
        made, *person = link_holder(self.holders, "account", role, name, employee_id, lambda person_id: (
            Account.grant(username, role, name, employee_id, password_hash, person_id)))
        assert isinstance(made, Account)
        self.ledger.record(actor, made, *person, reason=f"account {made.username} for {made.name} as {role}")
        return made

    def revoke(self, actor: Actor, account_id: UUID, reason: str) -> Account:
        """Revoke an account; it cannot sign in any more and its sessions end at their next request."""
        require(AccessPolicy.may_manage_accounts(actor), "only HR revokes accounts")
        account = self.ledger.load(Account, account_id)
        account.revoke(reason)
        self.ledger.record(actor, account, reason=reason)
        return account

    def account(self, account_id: UUID) -> Account:
        """One account's current state."""
        return self.ledger.load(Account, account_id)

    def find(self, username: str) -> Account | None:
        """The account holding a username, if any."""
        try:
            return self.ledger.load(Account, Account.id_for(username))
        except NotFound:
            return None

    def authenticate(self, username: str, password: str) -> Account | None:
        """The active account when the username and password match, else None (never saying which was wrong)."""
        account = self.find(username) if username else None
        stored = account.password_hash if account is not None else self._decoy
        matched: bool
        try:
            matched = self.hasher.verify(stored, password or "")
        except (VerificationError, InvalidHashError):
            matched = False
        if not matched or account is None or account.revoked:
            return None
        return account

    def _employee(self, employee_id: UUID) -> Employee:
        try:
            return self.ledger.load(Employee, employee_id)
        except NotFound:
            raise DomainError(f"no employee {employee_id}", field="employee_id", code="unknown_employee") from None
