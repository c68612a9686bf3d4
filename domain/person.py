"""A person: the one identity behind page accounts, API tokens and single sign-on subjects.

A person holds one or more roles (an HR officer who is also an employee); each request acts in exactly one of them.
Tokens and accounts that existed before persons did are linked to one by a ``PrincipalLinked`` event, never by
rewriting their own events.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.access import EMPLOYEE_ROLES, check_role
from domain.errors import DomainError, StateConflict
from domain.ids import natural_id

ACTIVE, DEACTIVATED = "active", "deactivated"
PRINCIPAL_KINDS = ("token", "account")


def normalise_name(name: str) -> str:
    """Names compare without case and with single blanks (the key persons are grouped by when migrating)."""
    return " ".join((name or "").split()).casefold()


class PersonConflict(StateConflict):
    """The command does not fit the person's current state."""


class Person(Aggregate):
    """One identity: name, roles, the employee they are (if any) and status."""

    class Registered(Aggregate.Created):
        name: str
        roles: list[str]
        employee_id: UUID | None

    class RoleGranted(Aggregate.Event):
        role: str

        def apply(self, aggregate: Aggregate) -> None:
            """Add the role."""
            assert isinstance(aggregate, Person)
            aggregate.roles = [*aggregate.roles, self.role]

    class RoleWithdrawn(Aggregate.Event):
        role: str
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """Remove the role."""
            assert isinstance(aggregate, Person)
            aggregate.roles = [r for r in aggregate.roles if r != self.role]

    class PrincipalLinked(Aggregate.Event):
        kind: str  # "token" or "account"
        principal_id: UUID
        role: str

        def apply(self, aggregate: Aggregate) -> None:
            """The token or account now acts for this person."""
            assert isinstance(aggregate, Person)
            aggregate.principals = {**aggregate.principals, str(self.principal_id): self.kind}

    class SubjectLinked(Aggregate.Event):
        issuer: str
        subject: str

        def apply(self, aggregate: Aggregate) -> None:
            """The identity provider's subject signs this person in from now on."""
            assert isinstance(aggregate, Person)
            aggregate.subjects = [*aggregate.subjects, f"{self.issuer}|{self.subject}"]

    class Deactivated(Aggregate.Event):
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """No sign-in method of the person works any more."""
            assert isinstance(aggregate, Person)
            aggregate.status = DEACTIVATED

    class Reactivated(Aggregate.Event):
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """The person may sign in again."""
            assert isinstance(aggregate, Person)
            aggregate.status = ACTIVE

    def __init__(self, name: str, roles: list[str], employee_id: UUID | None):
        self.name = name
        self.roles = list(roles)
        self.employee_id = employee_id
        self.status = ACTIVE
        self.principals: dict[str, str] = {}
        self.subjects: list[str] = []

    @staticmethod
    def id_for_employee(employee_id: UUID) -> UUID:
        """The one person an employee is (so an employee never becomes two persons)."""
        return natural_id("person", f"employee:{employee_id}")

    @staticmethod
    def id_for_name(name: str) -> UUID:
        """The person a migration gathers principals without an employee under, by their normalised name."""
        return natural_id("person", f"name:{normalise_name(name)}")

    @classmethod
    def register(cls, name: str, roles: list[str], employee_id: UUID | None, person_id: UUID | None = None) -> Person:
        """A new person with at least one role; employee roles need the employee."""
        if not name or not name.strip():
            raise DomainError("name must not be empty", field="name")
        if not roles:
            raise DomainError("a person needs at least one role", field="roles")
        for role in roles:
            check_role(role, employee_id)
        unique = list(dict.fromkeys(roles))
        if person_id is None:
            person_id = cls.id_for_employee(employee_id) if employee_id is not None else None
        kwargs = {"id": person_id} if person_id is not None else {}
        return cls._create(cls.Registered, name=name.strip(), roles=unique, employee_id=employee_id, **kwargs)

    @property
    def active(self) -> bool:
        """The person may sign in and act."""
        return self.status == ACTIVE

    def holds(self, role: str) -> bool:
        """The person may act in this role ("supervisor" is the employee role of someone others report to)."""
        return role in self.roles or (role in EMPLOYEE_ROLES and any(r in EMPLOYEE_ROLES for r in self.roles))

    def grant_role(self, role: str) -> None:
        """Let the person act in one more role."""
        check_role(role, self.employee_id)
        if role in self.roles:
            raise PersonConflict(f"the person already holds the role {role}", field="role", code="role_held",
                                 params={"role": role})
        self.trigger_event(self.RoleGranted, role=role)

    def withdraw_role(self, role: str, reason: str) -> None:
        """Take a role away (the last role stays: deactivate the person instead)."""
        if role not in self.roles:
            raise PersonConflict(f"the person does not hold the role {role}", field="role", code="role_not_held",
                                 params={"role": role})
        if len(self.roles) == 1:
            raise PersonConflict("the last role cannot be withdrawn; deactivate the person instead", field="role",
                                 code="last_role")
        self.trigger_event(self.RoleWithdrawn, role=role, reason=reason or "withdrawn")

    def link(self, kind: str, principal_id: UUID, role: str) -> None:
        """Link an existing token or account to this person (once)."""
        if kind not in PRINCIPAL_KINDS:
            raise DomainError(f"kind must be one of {', '.join(PRINCIPAL_KINDS)}", field="kind")
        if str(principal_id) in self.principals:
            raise PersonConflict(f"{kind} {principal_id} is already linked to this person", field="principal_id")
        self.trigger_event(self.PrincipalLinked, kind=kind, principal_id=principal_id, role=role)

    def link_subject(self, issuer: str, subject: str) -> None:
        """Link an identity provider's subject to this person (once)."""
        if not issuer or not subject:
            raise DomainError("issuer and subject must not be empty", field="subject", code="subject_required")
        if f"{issuer}|{subject}" in self.subjects:
            raise PersonConflict("this subject is already linked to the person", field="subject", code="subject_linked")
        self.trigger_event(self.SubjectLinked, issuer=issuer, subject=subject)

    def deactivate(self, reason: str) -> None:
        """End every way the person signs in."""
        if not self.active:
            raise PersonConflict("the person is already deactivated", field="status", code="person_deactivated")
        self.trigger_event(self.Deactivated, reason=reason or "deactivated")

    def reactivate(self, reason: str) -> None:
        """Let a deactivated person sign in again."""
        if self.active:
            raise PersonConflict("the person is active", field="status")
        self.trigger_event(self.Reactivated, reason=reason or "reactivated")


class SubjectClaim(Aggregate):
    """Holds an identity provider's (issuer, subject) for one person, so a subject signs in exactly one person."""

    class Claimed(Aggregate.Created):
        issuer: str
        subject: str
        person_id: UUID

    def __init__(self, issuer: str, subject: str, person_id: UUID):
        self.issuer = issuer
        self.subject = subject
        self.person_id = person_id

    @staticmethod
    def id_for(issuer: str, subject: str) -> UUID:
        """The claim's id for an issuer and subject."""
        return natural_id("oidc-subject", f"{issuer.rstrip('/')}|{subject}")

    @classmethod
    def claim(cls, issuer: str, subject: str, person_id: UUID) -> SubjectClaim:
        """Claim the subject for the person."""
        return cls._create(cls.Claimed, id=cls.id_for(issuer, subject), issuer=issuer.rstrip("/"), subject=subject,
                           person_id=person_id)
