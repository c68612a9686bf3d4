"""Employee (ASN) aggregate: registration and career changes, each with its TMT and reason."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.employment import PNS, check_rank_for, check_status, check_transition
from domain.errors import DomainError
from domain.nip import Nip


class NameRequired(DomainError):
    """An employee needs a name."""

    def __init__(self) -> None:
        super().__init__("name must not be empty", field="name")


class PositionRequired(DomainError):
    """An employee needs a position (jabatan)."""

    def __init__(self) -> None:
        super().__init__("position must not be empty", field="position")


class ReasonRequired(DomainError):
    """A career change must say why."""

    def __init__(self) -> None:
        super().__init__("reason must not be empty", field="reason")


class NoChange(DomainError):
    """The requested change would leave the value as it is."""

    def __init__(self, field: str, value: object):
        super().__init__(f"{field} is already {value}", field=field, params={"value": value})


class EffectiveDateTooEarly(DomainError):
    """A change cannot take effect before the state it replaces."""

    def __init__(self, field: str, earliest: date):
        super().__init__(f"effective date must be on or after {earliest.isoformat()}", field=field,
                         params={"earliest": earliest})


class SupervisorCycle(DomainError):
    """A supervisor chain may not loop back to the employee."""

    def __init__(self) -> None:
        super().__init__("this supervisor would create a reporting cycle", field="supervisor_id")


class InvalidEmailAddress(DomainError):
    """An e-mail address must look like local@domain, without spaces."""

    def __init__(self) -> None:
        super().__init__("not a valid e-mail address", field="email")


class UnknownLanguage(DomainError):
    """Messages are written in Indonesian or English."""

    def __init__(self, language: str):
        super().__init__(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}", field="language",
                         params={"language": language})


LANGUAGES = ("id", "en")
MAX_EMAIL = 254


class Employee(Aggregate):
    """A civil servant in the registry."""

    email: str | None = None  # until an EmailAddressChanged event gives one
    language: str = "id"

    class Registered(Aggregate.Created):
        nip: str
        name: str
        sex: str
        birth_date: date
        service_start: date
        unit: str
        position: str
        rank: str  # the pangkat of a PNS or CPNS, the grade (golongan I-XVII) of a PPPK
        rank_since: date
        supervisor_id: UUID | None
        status: str
        status_since: date

        class_version = 2

        @staticmethod
        def upcast_v1_v2(state: dict[str, object]) -> None:
            """Registrations before employment status was recorded were all of PNS, from the start of service."""
            state["status"] = PNS
            state["status_since"] = state["service_start"]

    class StatusChanged(Aggregate.Event):
        status: str
        effective: date
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """Take the new employment status (e.g. a CPNS appointed PNS)."""
            assert isinstance(aggregate, Employee)
            aggregate.status, aggregate.status_since = self.status, self.effective

    class Moved(Aggregate.Event):
        unit: str
        effective: date
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """Move to the new unit."""
            assert isinstance(aggregate, Employee)
            aggregate.unit, aggregate.unit_since = self.unit, self.effective

    class PositionChanged(Aggregate.Event):
        position: str
        effective: date
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """Take the new position."""
            assert isinstance(aggregate, Employee)
            aggregate.position, aggregate.position_since = self.position, self.effective

    class SupervisorChanged(Aggregate.Event):
        supervisor_id: UUID | None
        effective: date
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """Report to the new supervisor."""
            assert isinstance(aggregate, Employee)
            aggregate.supervisor_id, aggregate.supervisor_since = self.supervisor_id, self.effective

    class RankChanged(Aggregate.Event):
        rank: str
        effective: date
        reason: str
        cause: str | None

        def apply(self, aggregate: Aggregate) -> None:
            """Take the new rank."""
            assert isinstance(aggregate, Employee)
            aggregate.rank, aggregate.rank_since = self.rank, self.effective

    class EmailAddressChanged(Aggregate.Event):
        email: str | None
        language: str

        def apply(self, aggregate: Aggregate) -> None:
            """Mail goes to the new address (none: the outbox holds it), in the chosen language."""
            assert isinstance(aggregate, Employee)
            aggregate.email, aggregate.language = self.email, self.language

    def __init__(
        self,
        nip: str,
        name: str,
        sex: str,
        birth_date: date,
        service_start: date,
        unit: str,
        position: str,
        rank: str,
        rank_since: date,
        supervisor_id: UUID | None,
        status: str = PNS,
        status_since: date | None = None,
    ):
        self.nip = nip
        self.name = name
        self.sex = sex
        self.birth_date = birth_date
        self.service_start = service_start
        self.unit = unit
        self.unit_since = service_start
        self.position = position
        self.position_since = service_start
        self.rank = rank
        self.rank_since = rank_since
        self.supervisor_id = supervisor_id
        self.supervisor_since = service_start
        self.status = status
        self.status_since = status_since or service_start

    @classmethod
    def register(
        cls,
        *,
        nip: str,
        name: str,
        unit: str,
        position: str,
        rank: str,
        rank_since: date,
        supervisor_id: UUID | None = None,
        today: date | None = None,
        status: str = PNS,
        status_since: date | None = None,
    ) -> Employee:
        """Register an employee; sex, birth date and start of service come from the NIP (an NI PPPK for a PPPK),
        checked against today. A PNS or CPNS holds a pangkat, a PPPK a grade; the status counts from its TMT."""
        check_status(status)
        parsed = Nip.parse(nip, today, status)
        check_rank_for(status, rank)
        check_rank_since(rank_since, parsed.service_start)
        since = status_since or parsed.service_start
        check_not_before("status_since", since, parsed.service_start)
        return cls._create(
            cls.Registered,
            nip=parsed.value,
            name=required_text(name, NameRequired),
            sex=parsed.sex,
            birth_date=parsed.birth_date,
            service_start=parsed.service_start,
            unit=unit,
            position=required_text(position, PositionRequired),
            rank=rank,
            rank_since=rank_since,
            supervisor_id=supervisor_id,
            status=status,
            status_since=since,
        )

    def move(self, unit: str, effective: date, reason: str) -> None:
        """Move the employee to another unit from the effective date."""
        check_changed("unit", self.unit, unit)
        check_not_before("effective", effective, self.unit_since)
        self.trigger_event(self.Moved, unit=unit, effective=effective, reason=required_reason(reason))

    def change_position(self, position: str, effective: date, reason: str) -> None:
        """Appoint the employee to another position from the effective date."""
        position = required_text(position, PositionRequired)
        check_changed("position", self.position, position)
        check_not_before("effective", effective, self.position_since)
        self.trigger_event(self.PositionChanged, position=position, effective=effective, reason=required_reason(reason))

    def change_supervisor(
        self, supervisor_id: UUID | None, effective: date, reason: str, supervisor_chain: Iterable[UUID] = ()
    ) -> None:
        """Report to another supervisor (or none); ``supervisor_chain`` is the new supervisor's own chain upward."""
        check_changed("supervisor_id", self.supervisor_id, supervisor_id)
        check_no_cycle(self.id, supervisor_id, supervisor_chain)
        check_not_before("effective", effective, self.supervisor_since)
        self.trigger_event(
            self.SupervisorChanged, supervisor_id=supervisor_id, effective=effective, reason=required_reason(reason)
        )

    def change_status(self, status: str, effective: date, reason: str) -> None:
        """Change the employment status from its TMT (CPNS to PNS on appointment)."""
        check_transition(self.status, status)
        check_not_before("effective", effective, self.status_since)
        self.trigger_event(self.StatusChanged, status=status, effective=effective, reason=required_reason(reason))

    def change_rank(self, rank: str, effective: date, reason: str, cause: str | None = None) -> None:
        """Change the rank (a PPPK: the grade) from the effective date (TMT); ``cause`` names e.g. a promotion
        case."""
        check_rank_for(self.status, rank)
        check_changed("rank", self.rank, rank)
        check_not_before("effective", effective, self.rank_since)
        self.trigger_event(self.RankChanged, rank=rank, effective=effective, reason=required_reason(reason), cause=cause)

    def change_email(self, email: str | None, language: str) -> None:
        """Set (or clear, with None) the address mail is sent to, and the language it is written in."""
        email = check_email(email)
        check_language(language)
        if (email, language) == (self.email, self.language):
            raise NoChange("email", email)
        self.trigger_event(self.EmailAddressChanged, email=email, language=language)


def check_email(email: str | None) -> str | None:
    """A stripped address with one @, a dotted domain and no spaces; empty means none."""
    if email is None or not email.strip():
        return None
    email = email.strip()
    local, at, domain = email.rpartition("@")
    if (not at or not local or "@" in local or "." not in domain.strip(".") or len(email) > MAX_EMAIL
            or any(ch.isspace() or ord(ch) < 32 for ch in email)):
        raise InvalidEmailAddress()
    return email


def check_language(language: str) -> None:
    """Only the languages Jejak writes in."""
    if language not in LANGUAGES:
        raise UnknownLanguage(language)


def required_text(value: str, error: Callable[[], DomainError]) -> str:
    """Return stripped text or raise ``error`` when empty."""
    if not value or not value.strip():
        raise error()
    return value.strip()


def required_reason(reason: str) -> str:
    """A change must carry a non-empty reason."""
    return required_text(reason, ReasonRequired)


def check_changed(field: str, current: object, new: object) -> None:
    """Refuse a change that changes nothing."""
    if current == new:
        raise NoChange(field, new)


def check_not_before(field: str, effective: date, earliest: date) -> None:
    """Refuse an effective date before the current value took effect."""
    if effective < earliest:
        raise EffectiveDateTooEarly(field, earliest)


def check_rank_since(rank_since: date, service_start: date) -> None:
    """A rank cannot start before the start of civil service."""
    if rank_since < service_start:
        raise EffectiveDateTooEarly("rank_since", service_start)


def check_no_cycle(employee_id: UUID, supervisor_id: UUID | None, supervisor_chain: Iterable[UUID]) -> None:
    """Refuse self-supervision and a supervisor whose own chain reaches this employee."""
    if supervisor_id is None:
        return
    if supervisor_id == employee_id or employee_id in set(supervisor_chain):
        raise SupervisorCycle()
