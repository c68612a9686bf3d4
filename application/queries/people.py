"""Directory reads: units and employees, with personal fields only for those the policy allows."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import Any, Protocol
from uuid import UUID

from application.access_policy import AccessPolicy
from application.actor import Actor
from application.errors import NotFound
from application.queries.filters import EmployeeFilter, Page

PERSONAL = ("nip", "sex", "birth_date", "service_start")


class DirectoryReadModel(Protocol):
    """The directory read model's lookups these queries use."""

    def unit(self, code: str) -> dict[str, Any] | None:
        """One unit by code."""

    def units(self) -> list[dict[str, Any]]:
        """Every unit with its head count."""

    def employee(self, employee_id: UUID) -> dict[str, Any] | None:
        """One employee's entry."""

    def names(self, employee_ids: Iterable[UUID]) -> dict[UUID, str]:
        """The names of those of these employees in the directory."""

    def choices(self, limit: int, text: str = "", unit: str = "", by_nip: bool = False) -> list[dict[str, Any]]:
        """The first employees by name: id, name and unit."""

    def employees(self, flt: EmployeeFilter, limit: int, cursor: str | None = None) -> Page:
        """A page of employees (items, next_cursor)."""

    def direct_reports(self, supervisor_id: UUID) -> list[dict[str, Any]]:
        """The employees reporting directly to a supervisor."""

    def direct_reports_page(self, supervisor_id: UUID, limit: int, cursor: str | None = None) -> Any:
        """One page of them by name after a cursor (items, next_cursor, total)."""

    def unit_members(self, unit: str) -> list[dict[str, Any]]:
        """Everyone in a unit now, by name."""


def without_personal(row: dict[str, Any], scope: AbstractSet[UUID] | None) -> dict[str, Any]:
    """Drop personal fields unless the scope covers the employee (None = sees everything)."""
    if scope is None or row["id"] in scope:
        return row
    return {k: v for k, v in row.items() if k not in PERSONAL}


class PeopleQueries:
    """Units and employees as the actor may read them (AccessPolicy.may_read_personal_fields)."""

    def __init__(self, view: DirectoryReadModel, policy: AccessPolicy):
        self.view = view
        self.policy = policy

    def unit(self, code: str) -> dict[str, Any]:
        """A unit's entry, or 404."""
        row = self.view.unit(code)
        if row is None:
            raise NotFound(f"no unit {code!r}")
        return row

    def units(self) -> list[dict[str, Any]]:
        """Every unit with its head count (units are for everyone)."""
        return self.view.units()

    def name_of(self, employee_id: UUID) -> str | None:
        """An employee's name (None: no such employee); names are for everyone."""
        row = self.view.employee(employee_id)
        return row["name"] if row else None

    def names_of(self, employee_ids: Iterable[UUID]) -> dict[UUID, str]:
        """Employees' names in one read (an unknown one is left out); names are for everyone."""
        return self.view.names(employee_ids)

    def choices(self, actor: Actor, limit: int, text: str = "", unit: str = "") -> list[dict[str, Any]]:
        """A form's person picker: the first ``limit`` employees by name (those whose name holds every word of
        ``text``, in ``unit`` when given), with their id and unit (names and units are for everyone; nothing
        personal is read). An actor who may read everyone's personal fields also finds people by NIP prefix."""
        by_nip = self.policy.may_find_by_nip(actor)
        return self.view.choices(limit, text, unit, by_nip=by_nip)

    def find(self, actor: Actor, employee_id: UUID) -> dict[str, Any] | None:
        """An employee's entry as the actor may see it, or None for no such employee."""
        row = self.view.employee(employee_id)
        return without_personal(row, self.policy.personal_scope(actor)) if row else None

    def entry(self, employee_id: UUID) -> dict[str, Any]:
        """An employee's full entry, or 404 (for names and checks; not shown as it is)."""
        row = self.view.employee(employee_id)
        if row is None:
            raise NotFound(f"no employee {employee_id}")
        return row

    def employee(self, actor: Actor, employee_id: UUID) -> dict[str, Any]:
        """An employee's entry as the actor may see it."""
        return without_personal(self.entry(employee_id), self.policy.personal_scope(actor))

    def employees(self, actor: Actor, flt: EmployeeFilter, limit: int, cursor: str | None = None) -> dict[str, Any]:
        """A page of the directory as the actor may see it."""
        page = self.view.employees(flt, limit, cursor)
        scope = self.policy.personal_scope(actor)
        return {"items": [without_personal(r, scope) for r in page.items], "next_cursor": page.next_cursor,
                "total": page.total}

    def direct_reports(self, actor: Actor, supervisor_id: UUID) -> list[dict[str, Any]]:
        """An employee's direct reports as the actor may see them."""
        supervisor = self.entry(supervisor_id)
        scope = self.policy.personal_scope(actor)
        return [without_personal(r, scope) for r in self.view.direct_reports(supervisor["id"])]

    def direct_reports_page(self, actor: Actor, supervisor_id: UUID, limit: int,
                            cursor: str | None = None) -> dict[str, Any]:
        """One page of an employee's direct reports as the actor may see them, the next page's cursor and how many
        there are."""
        supervisor = self.entry(supervisor_id)
        scope = self.policy.personal_scope(actor)
        found = self.view.direct_reports_page(supervisor["id"], limit, cursor)
        return {"items": [without_personal(r, scope) for r in found.items], "next_cursor": found.next_cursor,
                "total": found.total}
