"""Employee registry commands and audit queries: units, employees and their career changes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from application.access_policy import AccessPolicy
from application.actor import Actor
from application.errors import Conflict, Forbidden, NotFound
from application.ledger import Ledger
from domain.employee import Employee
from domain.errors import DomainError
from domain.nip_claim import NipClaim
from domain.unit import Unit

MAX_CHAIN = 64


@dataclass(frozen=True)
class Saved:
    """Identity and new version of the aggregate a command changed."""

    id: UUID
    version: int


class UnknownUnit(DomainError):
    """The unit code is not registered."""

    def __init__(self, code: str):
        super().__init__(f"unit {code!r} is not registered", field="unit", params={"unit_code": code})


class UnknownSupervisor(DomainError):
    """The supervisor id names no employee."""

    def __init__(self, supervisor_id: UUID):
        super().__init__(f"no employee {supervisor_id} to be supervisor", field="supervisor_id")


class Registry:
    """Commands on units and employees; each loads, calls the aggregate and records."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def register_unit(self, actor: Actor, code: str, name: str) -> Saved:
        """Register a unit kerja under a new code."""
        unit = Unit.register(code, name)
        if self.ledger.exists(unit.id):
            raise Conflict(f"unit {code!r} is already registered", field="code")
        self.ledger.record(actor, unit)
        return Saved(unit.id, unit.version)

    def rename_unit(self, actor: Actor, code: str, name: str, reason: str, expected_version: int | None = None) -> Saved:
        """Rename a unit."""
        unit = self.ledger.load(Unit, Unit.id_for(code), expected_version)
        unit.rename(name, reason)
        self.ledger.record(actor, unit, reason=reason)
        return Saved(unit.id, unit.version)

    def register_employee(
        self,
        actor: Actor,
        *,
        nip: str,
        name: str,
        unit: str,
        position: str,
        rank: str,
        rank_since: date,
        supervisor_id: UUID | None = None,
        status: str = "PNS",
        status_since: date | None = None,
    ) -> Saved:
        """Register an employee (PNS, CPNS or PPPK); the NIP or NI PPPK is claimed in the same atomic write so it
        stays unique."""
        employee = Employee.register(
            nip=nip, name=name, unit=unit, position=position, rank=rank, rank_since=rank_since,
            supervisor_id=supervisor_id, today=date.today(), status=status, status_since=status_since,
        )
        self._check_unit(unit)
        if supervisor_id is not None:
            self._check_supervisor(supervisor_id)
        claim = NipClaim.claim(employee.nip, employee.id)
        if self.ledger.exists(claim.id):
            raise Conflict(f"NIP {employee.nip} is already registered", field="nip")
        self.ledger.record(actor, employee, claim)
        return Saved(employee.id, employee.version)

    def move_employee(
        self, actor: Actor, employee_id: UUID, unit: str, effective: date, reason: str, expected_version: int | None = None
    ) -> Saved:
        """Move an employee to another registered unit."""
        employee = self.ledger.load(Employee, employee_id, expected_version)
        self._check_unit(unit)
        employee.move(unit, effective, reason)
        return self._record(actor, employee, reason)

    def change_position(
        self, actor: Actor, employee_id: UUID, position: str, effective: date, reason: str, expected_version: int | None = None
    ) -> Saved:
        """Appoint an employee to another position."""
        employee = self.ledger.load(Employee, employee_id, expected_version)
        employee.change_position(position, effective, reason)
        return self._record(actor, employee, reason)

    def change_supervisor(
        self,
        actor: Actor,
        employee_id: UUID,
        supervisor_id: UUID | None,
        effective: date,
        reason: str,
        expected_version: int | None = None,
    ) -> Saved:
        """Make an employee report to another supervisor, refusing reporting cycles."""
        employee = self.ledger.load(Employee, employee_id, expected_version)
        chain: list[UUID] = []
        if supervisor_id is not None:
            self._check_supervisor(supervisor_id)
            chain = self.supervisor_chain(supervisor_id)
        employee.change_supervisor(supervisor_id, effective, reason, supervisor_chain=chain)
        return self._record(actor, employee, reason)

    def change_rank(
        self,
        actor: Actor,
        employee_id: UUID,
        rank: str,
        effective: date,
        reason: str,
        cause: str | None = None,
        expected_version: int | None = None,
    ) -> Saved:
        """Change an employee's rank from its TMT."""
        employee = self.ledger.load(Employee, employee_id, expected_version)
        employee.change_rank(rank, effective, reason, cause)
        return self._record(actor, employee, reason)

    def change_status(
        self, actor: Actor, employee_id: UUID, status: str, effective: date, reason: str,
        expected_version: int | None = None,
    ) -> Saved:
        """Change an employee's employment status from its TMT (a CPNS appointed PNS)."""
        employee = self.ledger.load(Employee, employee_id, expected_version)
        employee.change_status(status, effective, reason)
        return self._record(actor, employee, reason)

    def change_email(self, actor: Actor, employee_id: UUID, email: str | None, language: str,
                     expected_version: int | None = None) -> Saved:
        """Set the employee's e-mail address (None clears it) and the language their mail is written in."""
        check_own_or_hr(actor, employee_id)
        employee = self.ledger.load(Employee, employee_id, expected_version)
        employee.change_email(email, language)
        self.ledger.record(actor, employee)
        return Saved(employee.id, employee.version)

    def contact(self, actor: Actor, employee_id: UUID) -> Employee:
        """The employee whose e-mail address HR or the employee themself reads."""
        check_own_or_hr(actor, employee_id)
        return self.ledger.load(Employee, employee_id)

    def employee_id_for_nip(self, nip: str) -> UUID:
        """The employee holding a NIP, read from the write side's claim."""
        try:
            claim = self.ledger.load(NipClaim, NipClaim.id_for(nip))
        except NotFound:
            raise NotFound(f"no employee with NIP {nip}") from None
        return claim.employee_id

    def employee(self, employee_id: UUID) -> Employee:
        """The current state of an employee from the event store."""
        return self.ledger.load(Employee, employee_id)

    def employee_as_of(self, employee_id: UUID, version: int | None = None, at: datetime | None = None) -> Employee:
        """An employee as of a version or a moment."""
        return self.ledger.load_as_of(Employee, employee_id, version=version, at=at)

    def supervisor_chain(self, employee_id: UUID) -> list[UUID]:
        """The ids from this employee upward through each supervisor (the employee first)."""
        chain = [employee_id]
        current = self.ledger.load(Employee, employee_id)
        while current.supervisor_id is not None and len(chain) < MAX_CHAIN:
            if current.supervisor_id in chain:
                break
            chain.append(current.supervisor_id)
            current = self.ledger.load(Employee, current.supervisor_id)
        return chain

    def _record(self, actor: Actor, employee: Employee, reason: str) -> Saved:
        self.ledger.record(actor, employee, reason=reason)
        return Saved(employee.id, employee.version)

    def _check_unit(self, code: str) -> None:
        if not code or not self.ledger.exists(Unit.id_for(code)):
            raise UnknownUnit(code)

    def _check_supervisor(self, supervisor_id: UUID) -> None:
        try:
            self.ledger.load(Employee, supervisor_id)
        except NotFound:
            raise UnknownSupervisor(supervisor_id) from None


def check_own_or_hr(actor: Actor, employee_id: UUID) -> None:
    """An employee's contact details are theirs and HR's (the access policy decides)."""
    if not AccessPolicy.may_use_contact(actor, employee_id):
        raise Forbidden("only HR and the employee themself read or change an e-mail address")
