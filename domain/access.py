"""Access grants: who may use the API in which role; granting and revoking are events."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError, StateConflict


class Role(StrEnum):
    """The roles a token or account acts in (the values are stored in events: never change them)."""

    HR = "hr_admin"
    SUPERVISOR = "supervisor"
    EMPLOYEE = "employee"
    COMMITTEE = "committee"
    AUDITOR = "auditor"
    INVESTIGATOR = "investigator"


SYSTEM_ROLE = "system"  # operators at the command line and scheduled jobs; never granted to a token
ROLES: tuple[str, ...] = tuple(role.value for role in Role)
EMPLOYEE_ROLES: frozenset[str] = frozenset({Role.SUPERVISOR.value, Role.EMPLOYEE.value})


class UnknownRole(DomainError):
    """The role is not one of the defined roles."""

    def __init__(self, role: str):
        super().__init__(f"unknown role {role!r}; expected one of {', '.join(ROLES)}", field="role",
                         params={"role": role})


class EmployeeRequired(DomainError):
    """Employee and supervisor grants must name the employee they act as."""

    def __init__(self) -> None:
        super().__init__("this role needs the employee the token acts as", field="employee_id")


class AlreadyRevoked(StateConflict):
    """The grant was revoked before."""

    def __init__(self) -> None:
        super().__init__("this access grant is already revoked", field="grant_id")


class AccessGrant(Aggregate):
    """A bearer token's grant of a role; only the token's hash is ever stored."""

    class Granted(Aggregate.Created):
        role: str
        name: str
        employee_id: UUID | None
        token_hash: str
        expires_at: datetime | None
        person_id: UUID | None

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            """Grants issued before persons existed belong to nobody until `jejak persons migrate` links them."""
            state["person_id"] = None

    class Revoked(Aggregate.Event):
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """Mark the grant revoked."""
            assert isinstance(aggregate, AccessGrant)
            aggregate.revoked = True

    def __init__(self, role: str, name: str, employee_id: UUID | None, token_hash: str, expires_at: datetime | None,
                 person_id: UUID | None):
        self.person_id = person_id
        self.role = role
        self.name = name
        self.employee_id = employee_id
        self.token_hash = token_hash
        self.expires_at = expires_at
        self.revoked = False

    @classmethod
    def grant(
        cls, role: str, name: str, employee_id: UUID | None, token_hash: str, expires_at: datetime | None = None,
        person_id: UUID | None = None,
    ) -> AccessGrant:
        """Grant a role to the holder of the token whose hash is given (a personal token names its person)."""
        check_role(role, employee_id)
        if not name or not name.strip():
            raise DomainError("name must not be empty", field="name", code="name_required")
        return cls._create(
            cls.Granted, role=role, name=name.strip(), employee_id=employee_id, token_hash=token_hash, expires_at=expires_at,
            person_id=person_id,
        )

    def revoke(self, reason: str) -> None:
        """Revoke the grant from now on."""
        if self.revoked:
            raise AlreadyRevoked()
        self.trigger_event(self.Revoked, reason=reason or "revoked")


def check_role(role: str, employee_id: UUID | None) -> None:
    """Refuse an unknown role, or an employee role without its employee."""
    if role not in ROLES:
        raise UnknownRole(role)
    if role in EMPLOYEE_ROLES and employee_id is None:
        raise EmployeeRequired()
