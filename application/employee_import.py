"""Importing the employee list as SIASN exports it: plan every change row by row with the registry's own rules,
then record all of them in one atomic write (or nothing), each event caused by the file's digest."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.actor import Actor
from application.errors import Forbidden, NotFound
from application.ledger import Ledger
from domain.access import SYSTEM_ROLE, Role
from domain.employee import Employee, check_email
from domain.employment import PNS
from domain.errors import DomainError
from domain.nip import Nip
from domain.nip_claim import NipClaim
from domain.service_record import LEVELS, ServiceRecord
from domain.unit import Unit

# Columns read from the file and not recorded as they stand: the education column (PENDIDIKAN) names a level but
# not the institution and graduation date a qualification event needs, so a level the service record lacks is a
# note for HR (record the diploma on the service record), counted here.
NOT_YET_APPLIED = ("education",)
MAX_CHAIN = 64


@dataclass(frozen=True)
class Row:
    """One data row of the file, already checked for form (the API's schema), with its line number."""

    line: int
    nip: str
    name: str
    unit: str
    position: str
    rank: str
    rank_since: date
    supervisor_nip: str | None = None
    birth_date: date | None = None
    unit_since: date | None = None
    position_since: date | None = None
    supervisor_since: date | None = None
    email: str | None = None  # an empty cell leaves the address as it is
    extra: Mapping[str, Any] = field(default_factory=dict)  # status (STATUS) and education (PENDIDIKAN)


@dataclass(frozen=True)
class BadRow:
    """A row that cannot be imported, and why (field -> messages)."""

    line: int
    nip: str
    errors: Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Change:
    """One event the import would record."""

    line: int
    nip: str
    name: str
    what: str  # register, status, unit, position, rank, supervisor, email
    old: str | None
    new: str
    effective: date | None


# What a note says, in English (the CLI and the API); the pages say it by code in the visitor's language.
NOTE_TEXTS = {
    "name_differs": "name {given!r} differs from the registry's {held!r}: not changed (names are corrected by HR)",
    "rank_since_differs": "rank TMT {given} differs from the registry's {held}: not changed (same rank)",
    "education_missing": "education {level} is not on the service record: record the diploma (institution, "
                         "graduation date) there",
}


@dataclass(frozen=True)
class Note:
    """Something HR should know about a row the import leaves as it is: a stable code and the values it names."""

    line: int
    code: str
    params: dict[str, Any]

    @property
    def text(self) -> str:
        """The note in English."""
        return NOTE_TEXTS[self.code].format(**self.params)


@dataclass
class Plan:
    """What importing a file would do: the changes, the bad rows, what stays as it is."""

    digest: str
    rows: int = 0
    changes: list[Change] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)
    unchanged: int = 0
    notes: list[Note] = field(default_factory=list)
    not_applied: dict[str, int] = field(default_factory=dict)
    aggregates: list[Aggregate] = field(default_factory=list)

    @property
    def cause(self) -> str:
        """What every event of this import names as its cause."""
        return f"import:sha256:{self.digest}"

    @property
    def registered(self) -> int:
        """How many employees the import adds."""
        return sum(1 for c in self.changes if c.what == "register")


class ImportRefused(DomainError):
    """A real import with bad rows records nothing."""

    def __init__(self, bad: int):
        super().__init__(f"{bad} bad row(s): nothing was imported; fix them and import the file again", field="file",
                         params={"bad": bad})


class EmployeeImport:
    """Plans and records an employee list import (HR only)."""

    def __init__(self, ledger: Ledger):
        self.ledger = ledger

    def plan(self, actor: Actor, rows: Sequence[Row], digest: str, unit_names: Mapping[str, str], today: date,
             progress: Callable[[int], None] | None = None) -> Plan:
        """Every change the rows ask for, checked with the registry's rules; nothing is recorded."""
        check_hr(actor)
        planner = _Planner(self.ledger, digest, unit_names, today)
        for row in rows:
            planner.add(row)
            if progress:
                progress(1)
        return planner.finish()

    def apply(self, actor: Actor, plan: Plan) -> int:
        """Record the plan's events in one atomic write; a plan with bad rows records nothing. Returns the number of
        events recorded (0 when the file changes nothing: importing it again is harmless)."""
        check_hr(actor)
        if plan.bad:
            raise ImportRefused(len(plan.bad))
        events = sum(len(a.pending_events) for a in plan.aggregates)
        if events:
            self.ledger.record(actor, *plan.aggregates, reason=plan.cause)
        return events


def check_hr(actor: Actor) -> None:
    """Imports are HR's (or the operator's, from the command line)."""
    if actor.role not in (Role.HR, SYSTEM_ROLE):
        raise Forbidden("only HR imports the employee list")


class _Planner:
    """Turns rows into changed aggregates, remembering new employees so that later rows may name them."""

    def __init__(self, ledger: Ledger, digest: str, unit_names: Mapping[str, str], today: date):
        self.ledger, self.today = ledger, today
        self.unit_names = {name.strip().casefold(): code for name, code in unit_names.items()}
        self.plan = Plan(digest)
        self.seen: dict[str, int] = {}
        self.rows: dict[str, Row] = {}
        self.employees: dict[str, Employee] = {}  # by NIP: loaded or newly registered, with their pending changes
        self.new: set[str] = set()

    @property
    def reason(self) -> str:
        return f"impor data pegawai (SIASN), sha256:{self.plan.digest}"

    def add(self, row: Row) -> None:
        self.plan.rows += 1
        for column in NOT_YET_APPLIED:
            if row.extra.get(column) not in (None, ""):
                self.plan.not_applied[column] = self.plan.not_applied.get(column, 0) + 1
        if row.nip in self.seen:
            self._bad(row, {"nip": [f"appears again (first on line {self.seen[row.nip]})"]})
            return
        self.seen[row.nip] = row.line
        self.rows[row.nip] = row

    def finish(self) -> Plan:
        # supervisors first, so that a registration can name a supervisor registered by the same file
        for nip in list(self.rows):
            self._settle(nip, ())
        self.plan.aggregates = [a for a in self._aggregates() if a.pending_events]
        return self.plan

    def _aggregates(self) -> list[Aggregate]:
        out: list[Aggregate] = []
        for nip, employee in self.employees.items():
            out.append(employee)
            if nip in self.new:
                out.append(NipClaim.claim(employee.nip, employee.id))
        return out

    def _settle(self, nip: str, chain: tuple[str, ...]) -> Employee | None:
        """The employee of a row with its changes planned (None for a bad row); ``chain`` guards against cycles."""
        if nip in self.employees:
            return self.employees[nip]
        row = self.rows.get(nip)
        if row is None or any(b.nip == nip and b.line == row.line for b in self.plan.bad):
            return None
        if nip in chain:
            self._bad(row, {"supervisor_nip": ["this supervisor would create a reporting cycle"]})
            return None
        try:
            return self._apply_row(row, chain)
        except DomainError as e:
            errors = e.errors or {e.field or "_row": [e.message]}
            # the file names people by NIP: a rule about the supervisor's id is about its supervisor_nip column
            self._bad(row, {("supervisor_nip" if k == "supervisor_id" else k): v for k, v in errors.items()})
            return None

    def _apply_row(self, row: Row, chain: tuple[str, ...]) -> Employee | None:
        unit = self._unit(row.unit)
        supervisor_id = self._supervisor(row, chain)
        if supervisor_id is False:
            return None
        existing = self._existing(row.nip)
        if existing is None:
            employee = self._register(row, unit, supervisor_id if isinstance(supervisor_id, UUID) else None)
        else:
            employee = existing
            self.employees[row.nip] = employee
            self._update(row, employee, unit, supervisor_id if isinstance(supervisor_id, UUID) else None)
        return employee

    def _unit(self, given: str) -> str:
        code = given.strip()
        if self.ledger.exists(Unit.id_for(code)):
            return code
        by_name = self.unit_names.get(code.casefold())
        if by_name:
            return by_name
        raise DomainError(f"unit {given!r} is not registered (give its code or its exact name)", field="unit",
                          code="unknown_unit", params={"unit_code": given})

    def _supervisor(self, row: Row, chain: tuple[str, ...]) -> UUID | None | bool:
        """The supervisor's id, None for none, False when the row is bad because of it."""
        if not row.supervisor_nip:
            return None
        if row.supervisor_nip == row.nip:
            raise DomainError("an employee cannot supervise themself", field="supervisor_nip", code="self_supervision")
        if row.supervisor_nip in self.rows:
            supervisor = self._settle(row.supervisor_nip, (*chain, row.nip))
            if supervisor is None:
                if not any(b.line == row.line for b in self.plan.bad):
                    self._bad(row, {"supervisor_nip": [f"the supervisor's row (NIP {row.supervisor_nip}) is bad"]})
                return False
            return supervisor.id
        existing = self._existing(row.supervisor_nip)
        if existing is None:
            raise DomainError(f"no employee with NIP {row.supervisor_nip} in the registry or the file",
                              field="supervisor_nip", code="unknown_supervisor_nip", params={"nip": row.supervisor_nip})
        return existing.id

    def _existing(self, nip: str) -> Employee | None:
        try:
            claim = self.ledger.load(NipClaim, NipClaim.id_for(nip))
        except NotFound:
            return None
        return self.ledger.load(Employee, claim.employee_id)

    def _register(self, row: Row, unit: str, supervisor_id: UUID | None) -> Employee:
        status = _status(row) or PNS
        employee = Employee.register(nip=row.nip, name=row.name, unit=unit, position=row.position, rank=row.rank,
                                     rank_since=row.rank_since, supervisor_id=supervisor_id, today=self.today,
                                     status=status)
        check_birth_date(row)
        self.employees[row.nip] = employee
        self.new.add(row.nip)
        self.plan.changes.append(Change(row.line, row.nip, row.name, "register", None,
                                        f"{unit} · {row.position} · {status} {row.rank}", row.rank_since))
        self._email(row, employee)
        self._education(row, employee)
        return employee

    def _update(self, row: Row, employee: Employee, unit: str, supervisor_id: UUID | None) -> None:
        check_birth_date(row)
        before = len(self.plan.changes)
        status = _status(row)
        if status is not None and status != employee.status:  # first: a new status decides the rank's scale
            old_status = employee.status
            employee.change_status(status, self.today, self.reason)
            self._changed(row, "status", old_status, status, self.today)
        if employee.name != row.name:
            self.plan.notes.append(Note(row.line, "name_differs", {"given": row.name, "held": employee.name}))
        if employee.unit != unit:
            effective, old = row.unit_since or self.today, employee.unit
            employee.move(unit, effective, self.reason)
            self._changed(row, "unit", old, unit, effective)
        if employee.position != row.position:
            effective = row.position_since or self.today
            old = employee.position
            employee.change_position(row.position, effective, self.reason)
            self._changed(row, "position", old, row.position, effective)
        if employee.rank != row.rank:
            old = employee.rank
            employee.change_rank(row.rank, row.rank_since, self.reason, self.plan.cause)
            self._changed(row, "rank", old, row.rank, row.rank_since)
        elif employee.rank_since != row.rank_since:
            self.plan.notes.append(Note(row.line, "rank_since_differs",
                                        {"given": row.rank_since, "held": employee.rank_since}))
        if employee.supervisor_id != supervisor_id:
            effective = row.supervisor_since or self.today
            old_id = employee.supervisor_id
            employee.change_supervisor(supervisor_id, effective, self.reason, self._chain(supervisor_id))
            self._changed(row, "supervisor", self._nip_of(old_id), row.supervisor_nip or "—", effective)
        self._email(row, employee)
        self._education(row, employee)
        if len(self.plan.changes) == before:
            self.plan.unchanged += 1

    def _education(self, row: Row, employee: Employee) -> None:
        """A level the service record does not hold yet is a note (its event needs the institution and the date)."""
        level = education_level(row.extra.get("education"))
        if level is None:
            return
        held: set[str] = set()
        if employee.id is not None and row.nip not in self.new:
            try:
                held = {q.level for q in self.ledger.load(ServiceRecord, ServiceRecord.id_for(employee.id))
                        .qualifications}
            except NotFound:
                held = set()
        if level not in held:
            self.plan.notes.append(Note(row.line, "education_missing", {"level": level}))

    def _email(self, row: Row, employee: Employee) -> None:
        """A given address that differs is recorded (the language stays as the employee chose)."""
        if row.email and check_email(row.email) != employee.email:
            old = employee.email
            employee.change_email(row.email, employee.language)
            self._changed(row, "email", old, str(employee.email), None)

    def _changed(self, row: Row, what: str, old: str | None, new: str, effective: date | None) -> None:
        self.plan.changes.append(Change(row.line, row.nip, row.name, what, old, new, effective))

    def _chain(self, supervisor_id: UUID | None) -> list[UUID]:
        """The new supervisor's chain upward, as it will stand after this import."""
        by_id = {e.id: e for e in self.employees.values()}
        chain: list[UUID] = []
        current = supervisor_id
        while current is not None and current not in chain and len(chain) < MAX_CHAIN:
            chain.append(current)
            person = by_id.get(current) or self.ledger.load(Employee, current)
            current = person.supervisor_id
        return chain

    def _nip_of(self, employee_id: UUID | None) -> str | None:
        if employee_id is None:
            return None
        for nip, employee in self.employees.items():
            if employee.id == employee_id:
                return nip
        return self.ledger.load(Employee, employee_id).nip

    def _bad(self, row: Row, errors: Mapping[str, Sequence[str]]) -> None:
        self.plan.bad.append(BadRow(row.line, row.nip, {k: list(v) for k, v in errors.items()}))
        self.employees.pop(row.nip, None)


def _status(row: Row) -> str | None:
    """The STATUS column (PNS, CPNS, PPPK; checked for form when read), None when empty."""
    value = row.extra.get("status")
    return str(value) if value else None


# how SIASN and office spreadsheets write education levels -> the service record's levels
LEVEL_ALIASES = {"SMA": "SLTA", "SMK": "SLTA", "MA": "SLTA", "SMU": "SLTA", "SMP": "SLTP", "MTS": "SLTP",
                 "DI": "D1", "DII": "D2", "DIII": "D3", "DIV": "D4"}


def education_level(value: Any) -> str | None:
    """The level an education cell names ("S-1 Ilmu Administrasi" -> S1, "D-IV" -> D4, "SMA" -> SLTA), None when
    it names none of the service record's levels."""
    if not value:
        return None
    first = str(value).strip().split()[0].upper().replace("-", "").replace(".", "").replace("/", "")
    level = LEVEL_ALIASES.get(first, first)
    return level if level in LEVELS else None


def check_birth_date(row: Row) -> None:
    """The birth date column must agree with the NIP's first eight digits."""
    if row.birth_date is not None:
        from_nip = Nip.parse(row.nip).birth_date
        if from_nip != row.birth_date:
            raise DomainError(f"does not match the NIP's birth date {from_nip.isoformat()}", field="birth_date",
                              code="birth_date_mismatch", params={"date": from_nip})
