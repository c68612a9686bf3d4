"""Unit kerja (organisational unit): registered once by code, may be renamed."""

from __future__ import annotations

import re
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.ids import natural_id

UNIT_CODE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,19}$")


class InvalidUnitCode(DomainError):
    """A unit code is 2-20 upper-case letters, digits or dashes."""

    def __init__(self, code: str):
        super().__init__(f"invalid unit code {code!r}: use 2-20 upper-case letters, digits or '-'", field="code",
                         params={"unit_code": code})


class UnitNameRequired(DomainError):
    """A unit needs a non-empty name."""

    def __init__(self) -> None:
        super().__init__("unit name must not be empty", field="name")


class Unit(Aggregate):
    """An organisational unit identified by its code."""

    class Registered(Aggregate.Created):
        code: str
        name: str

    class Renamed(Aggregate.Event):
        name: str
        reason: str

        def apply(self, aggregate: Aggregate) -> None:
            """Take the new name."""
            assert isinstance(aggregate, Unit)
            aggregate.name = self.name

    def __init__(self, code: str, name: str):
        self.code = code
        self.name = name

    @staticmethod
    def id_for(code: str) -> UUID:
        """The aggregate id of the unit with this code."""
        return natural_id("unit", code)

    @classmethod
    def register(cls, code: str, name: str) -> Unit:
        """Register a unit under a new code."""
        check_unit_code(code)
        name = check_unit_name(name)
        return cls._create(cls.Registered, id=cls.id_for(code), code=code, name=name)

    def rename(self, name: str, reason: str) -> None:
        """Give the unit a new name."""
        name = check_unit_name(name)
        self.trigger_event(self.Renamed, name=name, reason=reason)


def check_unit_code(code: str) -> None:
    """Refuse a malformed unit code."""
    if not UNIT_CODE.match(code or ""):
        raise InvalidUnitCode(code)


def check_unit_name(name: str) -> str:
    """Return the stripped unit name, refusing an empty one."""
    if not name or not name.strip():
        raise UnitNameRequired()
    return name.strip()
