"""Persons: the one identity behind tokens, accounts and single sign-on; the migration of older principals.

HR registers persons and grants or withdraws their roles; personal access tokens are issued to a person in one of
their roles (the token's scope) and listed and revoked by the person and by HR. ``migrate`` links every token and
account that predates persons to one, by new events only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from uuid import UUID

from application.access import IssuedToken, hash_token, new_token
from application.access_policy import COMMITTEE, AccessPolicy, require
from application.actor import Actor
from application.errors import Conflict, NotFound
from application.ledger import Ledger
from domain.access import AccessGrant
from domain.account import Account
from domain.employee import Employee
from domain.errors import DomainError
from domain.person import ACTIVE, Person, SubjectClaim

MAX_TOKEN_LIFETIME = timedelta(days=366)


class PersonIndex(Protocol):
    """The read side's lookups the person module needs."""

    def unlinked(self) -> list[dict[str, Any]]:
        """Tokens and accounts no person holds yet, oldest first (``kind``, ``principal_id``)."""

    def principal(self, principal_id: UUID) -> dict[str, Any] | None:
        """A token or account with the person behind it."""

    def all(self) -> list[dict[str, Any]]:
        """Every person, by name."""

    def person(self, person_id: UUID) -> dict[str, Any] | None:
        """One person as projected."""

    def principals_of(self, person_id: UUID, kind: str | None = None) -> list[dict[str, Any]]:
        """A person's tokens and accounts, newest first."""

    def subjects_of(self, person_id: UUID) -> list[dict[str, Any]]:
        """The identity providers' subjects linked to a person."""


@dataclass
class MigrationReport:
    """What one run of the migration did."""

    persons_registered: list[UUID] = field(default_factory=list)
    linked: list[tuple[str, UUID, UUID]] = field(default_factory=list)  # (kind, principal, person)
    roles_added: int = 0


class PersonService:
    """Register persons, manage their roles and personal tokens, link older principals."""

    def __init__(self, ledger: Ledger, index: PersonIndex, default_token_lifetime: timedelta | None = None,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC),
                 employee_for_nip: Callable[[str], UUID | None] | None = None):
        self.ledger = ledger
        self.index = index
        self.employee_for_nip = employee_for_nip
        self.default_token_lifetime = default_token_lifetime or timedelta(days=90)
        self.now = now

    # --- persons -------------------------------------------------------------------------------------------------

    def register(self, actor: Actor, name: str, roles: list[str], employee_id: UUID | None = None) -> Person:
        """HR registers a person (an employee is one person: a second registration is a 409)."""
        require(AccessPolicy.may_manage_accounts(actor), "only HR registers persons")
        if employee_id is not None:
            self._employee(employee_id)
        person = Person.register(name, roles, employee_id)
        if self.ledger.exists(person.id):
            raise Conflict("this employee is already a person", field="employee_id", person_id=str(person.id))
        self.ledger.record(actor, person, reason=f"person {person.name} as {', '.join(person.roles)}")
        return person

    def person(self, person_id: UUID) -> Person:
        """One person's current state (404 when unknown)."""
        return self.ledger.load(Person, person_id)

    def grant_role(self, actor: Actor, person_id: UUID, role: str) -> Person:
        """HR lets a person act in one more role."""
        require(AccessPolicy.may_manage_accounts(actor), "only HR grants roles")
        person = self.person(person_id)
        person.grant_role(role)
        self.ledger.record(actor, person, reason=f"role {role} granted")
        return person

    def withdraw_role(self, actor: Actor, person_id: UUID, role: str, reason: str) -> Person:
        """HR withdraws a role; the person's tokens scoped to it stop working."""
        require(AccessPolicy.may_manage_accounts(actor), "only HR withdraws roles")
        person = self.person(person_id)
        person.withdraw_role(role, reason)
        self.ledger.record(actor, person, reason=reason)
        return person

    def deactivate(self, actor: Actor, person_id: UUID, reason: str) -> Person:
        """HR deactivates a person: none of their tokens, accounts or SSO subjects signs in any more."""
        require(AccessPolicy.may_manage_accounts(actor), "only HR deactivates persons")
        person = self.person(person_id)
        person.deactivate(reason)
        self.ledger.record(actor, person, reason=reason)
        return person

    def resolve(self, person_or_principal_id: UUID) -> Person | None:
        """The person with this id, or the person holding the token or account with this id (None: neither)."""
        try:
            return self.person(person_or_principal_id)
        except NotFound:
            pass
        row = self.index.principal(person_or_principal_id)
        return self.person(row["person_id"]) if row and row["person_id"] else None

    def holder_for(self, role: str, name: str, employee_id: UUID | None) -> Person:
        """The person a new token or account of this role, name and employee belongs to: the employee's person, else
        the person of that name (as the migration gathers them); registered, or given the role, as needed. The
        changes are pending: the caller records them with the new principal."""
        person_id = Person.id_for_employee(employee_id) if employee_id is not None else Person.id_for_name(name)
        if not self.ledger.exists(person_id):
            return Person.register(name, [role], employee_id, person_id)
        person = self.person(person_id)
        if not person.active:
            raise DomainError(f"{person.name} is deactivated", field="name")
        if not person.holds(role):
            person.grant_role(role)
        return person

    # --- reads ---------------------------------------------------------------------------------------------------

    def listing(self, actor: Actor) -> list[dict[str, Any]]:
        """Every person with their roles and status (HR and auditors)."""
        require(AccessPolicy.may_read_persons(actor), "the list of persons is for HR and auditors")
        return self.index.all()

    def card(self, actor: Actor, person_id: UUID) -> dict[str, Any]:
        """One person as HR manages them: roles, employee, status, every token and account, linked subjects."""
        require(AccessPolicy.may_read_persons(actor), "persons are for HR and auditors")
        found = self.index.person(person_id)
        if found is None:
            raise NotFound(f"no person {person_id}")
        return {**found, "principals": self.index.principals_of(person_id),
                "subjects": self.index.subjects_of(person_id)}

    def committee(self, actor: Actor) -> list[dict[str, Any]]:
        """The active persons holding the committee role, by name: whom a decision may name as members present."""
        require(AccessPolicy.may_decide_case(actor), "the committee's roster is for the committee deciding")
        return [p for p in self.index.all() if p["status"] == ACTIVE and COMMITTEE in p["roles"]]

    def tokens_of(self, actor: Actor, person_id: UUID | None) -> list[dict[str, Any]]:
        """A person's tokens, newest first (never the tokens themselves): for the person and HR (auditors read)."""
        if person_id is None:
            raise Conflict("this token or account belongs to no person yet: an operator runs `jejak persons "
                           "migrate`", field="person_id")
        require(AccessPolicy.may_manage_tokens_of(actor, person_id) or AccessPolicy.may_read_persons(actor),
                "a person's tokens are theirs and HR's")
        if self.index.person(person_id) is None:
            raise NotFound(f"no person {person_id}")
        return [{"id": t["principal_id"], "name": t["name"], "role": t["role"], "expires_at": t["expires_at"],
                 "revoked": t["revoked"], "granted_at": t["granted_at"], "revoked_at": t["revoked_at"]}
                for t in self.index.principals_of(person_id, "token")]

    # --- personal access tokens ----------------------------------------------------------------------------------

    def issue_token(self, actor: Actor, person_id: UUID | None, name: str, role: str,
                    expires_at: datetime | None = None) -> IssuedToken:
        """A personal access token scoped to one of the person's roles, for the person or HR; it always expires
        (by default after 90 days, at most after a year)."""
        if person_id is None:
            raise Conflict("this token or account belongs to no person yet: an operator runs `jejak persons "
                           "migrate`", field="person_id")
        require(AccessPolicy.may_manage_tokens_of(actor, person_id), "a person's tokens are theirs and HR's")
        person = self.person(person_id)
        if not person.active:
            raise DomainError("the person is deactivated", field="person_id")
        if not person.holds(role):
            raise DomainError(f"the person does not hold the role {role}", field="role")
        now = self.now()
        expires_at = expires_at or now + self.default_token_lifetime
        if expires_at <= now or expires_at > now + MAX_TOKEN_LIFETIME:
            raise DomainError("the expiry must be in the future and within a year", field="expires_at")
        token = new_token()
        grant = AccessGrant.grant(role, name, person.employee_id, hash_token(token), expires_at, person_id=person.id)
        person.link("token", grant.id, role)
        self.ledger.record(actor, grant, person, reason=f"personal token {grant.name} as {role}")
        return IssuedToken(grant.id, token, role)

    def revoke_token(self, actor: Actor, person_id: UUID | None, grant_id: UUID, reason: str) -> AccessGrant:
        """The person or HR revokes one of the person's tokens."""
        require(person_id is not None and AccessPolicy.may_manage_tokens_of(actor, person_id),
                "a person's tokens are theirs and HR's")
        row = self.index.principal(grant_id)
        if row is None or row["kind"] != "token" or row["person_id"] != person_id:
            raise NotFound(f"no token {grant_id} of person {person_id}")
        grant = self.ledger.load(AccessGrant, grant_id)
        grant.revoke(reason)
        self.ledger.record(actor, grant, reason=reason)
        return grant

    # --- single sign-on ------------------------------------------------------------------------------------------

    def link_subject(self, actor: Actor, person_id: UUID, issuer: str, subject: str) -> Person:
        """Link an identity provider's subject to a person, once (HR, or the sign-in flow by NIP claim)."""
        require(AccessPolicy.may_manage_accounts(actor), "only HR links sign-on subjects")
        person = self.person(person_id)
        claim = SubjectClaim.claim(issuer, subject, person.id)
        if self.ledger.exists(claim.id):
            raise Conflict("this subject already signs in a person", field="subject")
        person.link_subject(claim.issuer, subject)
        self.ledger.record(actor, person, claim, reason=f"sign-on subject of {claim.issuer} linked")
        return person

    def sign_on(self, actor: Actor, issuer: str, claims: dict[str, Any], nip_claim: str = "nip",
                role_claim: str | None = None, role_map: dict[str, str] | None = None) -> Person | None:
        """The person a provider's verified ID token signs in, or None (an unknown subject is refused). A subject
        signs in the person it was linked to; a first-time subject is linked once, by the employee whose NIP its
        ``nip_claim`` holds (the employee becomes a person if they were none). Role claims count only through
        ``role_map``; each role it adds is an event."""
        subject = str(claims.get("sub") or "")
        person = self.person_of_subject(issuer, subject)
        if person is None:
            person = self._first_sign_on(actor, issuer, subject, claims.get(nip_claim))
        if person is None or not person.active:
            return None
        values = claims.get(role_claim) if role_claim else None
        for value in [values] if isinstance(values, str) else (values or []):
            role = (role_map or {}).get(str(value))
            if role is not None and not person.holds(role):
                person.grant_role(role)
        if person.pending_events:
            self.ledger.record(actor, person, reason=f"role claim of {issuer} mapped")
        return person

    def _first_sign_on(self, actor: Actor, issuer: str, subject: str, nip: Any) -> Person | None:
        """Link a new subject by its NIP claim; None when the claim names no employee."""
        if not subject or not isinstance(nip, str) or self.employee_for_nip is None:
            return None
        employee_id = self.employee_for_nip(nip)
        if employee_id is None:
            return None
        person_id = Person.id_for_employee(employee_id)
        if self.ledger.exists(person_id):
            person = self.person(person_id)
        else:
            person = Person.register(self._employee(employee_id).name, ["employee"], employee_id, person_id)
        claim = SubjectClaim.claim(issuer, subject, person.id)
        person.link_subject(claim.issuer, subject)
        self.ledger.record(actor, person, claim, reason=f"first sign-on from {claim.issuer}: NIP claim matched")
        return person

    def person_of_subject(self, issuer: str, subject: str) -> Person | None:
        """The person a subject signs in, if it was linked."""
        try:
            claim = self.ledger.load(SubjectClaim, SubjectClaim.id_for(issuer, subject))
        except NotFound:
            return None
        return self.person(claim.person_id)

    # --- the migration of older principals -----------------------------------------------------------------------

    def migrate(self, actor: Actor, progress: Callable[[int], None] = lambda n: None) -> MigrationReport:
        """Link every token and account no person holds to one: the person of its employee, else the person of its
        holder's name; registers persons and adds roles as needed. New events only; a second run does nothing."""
        report = MigrationReport()
        for row in self.index.unlinked():
            principal = self._principal(row["kind"], row["principal_id"])
            if principal.person_id is not None:  # issued to a person: already theirs
                progress(1)
                continue
            person = self._migrated_holder(principal.role, principal.name, principal.employee_id, report)
            if str(principal.id) not in person.principals:
                person.link(row["kind"], principal.id, principal.role)
                report.linked.append((row["kind"], principal.id, person.id))
            if person.pending_events:
                self.ledger.record(actor, person, reason=f"migration: {row['kind']} {principal.id} belongs to "
                                                         f"{person.name}")
            progress(1)
        return report

    def _migrated_holder(self, role: str, name: str, employee_id: UUID | None, report: MigrationReport) -> Person:
        """The person an older principal goes to (a deactivated one too: the link records history)."""
        person_id = Person.id_for_employee(employee_id) if employee_id is not None else Person.id_for_name(name)
        if not self.ledger.exists(person_id):
            report.persons_registered.append(person_id)
            return Person.register(name, [role], employee_id, person_id)
        person = self.person(person_id)
        if not person.holds(role):
            person.grant_role(role)
            report.roles_added += 1
        return person

    def _principal(self, kind: str, principal_id: UUID) -> AccessGrant | Account:
        if kind == "token":
            return self.ledger.load(AccessGrant, principal_id)
        return self.ledger.load(Account, principal_id)

    def _employee(self, employee_id: UUID) -> Employee:
        try:
            return self.ledger.load(Employee, employee_id)
        except NotFound:
            raise DomainError(f"no employee {employee_id}", field="employee_id") from None
