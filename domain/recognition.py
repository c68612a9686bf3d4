"""Recognition (penghargaan): an award granted to an employee, with its category and the reason for it."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError

# Category -> what it covers (the names users expect to see).
CATEGORIES: dict[str, str] = {
    "performance": "prestasi kerja (outstanding work results)",
    "innovation": "inovasi (an innovation adopted by the organisation)",
    "service": "pelayanan (exemplary public service)",
    "exemplary": "keteladanan (pegawai teladan, role-model conduct)",
    "loyalty": "kesetiaan (long, faithful service, e.g. Satyalancana Karya Satya)",
    "other": "lainnya (any other recognition)",
}
MAX_TITLE = 200
MAX_REASON = 2000


class AwardInvalid(DomainError):
    """The award breaks a rule; ``errors`` names each field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the award is not valid: " + ", ".join(sorted(errors)), errors=errors)


class Award(Aggregate):
    """One award to one employee."""

    class Granted(Aggregate.Created):
        employee_id: UUID
        category: str
        title: str
        reason: str
        awarded_on: date
        granted_by_id: UUID | None

    def __init__(self, employee_id: UUID, category: str, title: str, reason: str, awarded_on: date,
                 granted_by_id: UUID | None):
        self.employee_id = employee_id
        self.category = category
        self.title = title
        self.reason = reason
        self.awarded_on = awarded_on
        self.granted_by_id = granted_by_id

    @classmethod
    def grant(cls, *, employee_id: UUID, category: str, title: str, reason: str, awarded_on: date,
              granted_by_id: UUID | None, today: date) -> Award:
        """Grant an award of a known category, with a title and a reason, dated today or earlier."""
        errors: dict[str, list[str]] = {}
        if category not in CATEGORIES:
            errors["category"] = [f"must be one of {', '.join(CATEGORIES)}"]
        for field, value, limit in (("title", title, MAX_TITLE), ("reason", reason, MAX_REASON)):
            if not value or not value.strip():
                errors[field] = ["must not be empty"]
            elif len(value.strip()) > limit:
                errors[field] = [f"must be at most {limit} characters"]
        if awarded_on > today:
            errors["awarded_on"] = ["must not be in the future"]
        if granted_by_id is not None and granted_by_id == employee_id:
            errors["employee_id"] = ["nobody grants an award to themself"]
        if errors:
            raise AwardInvalid(errors)
        return cls._create(cls.Granted, employee_id=employee_id, category=category, title=title.strip(),
                           reason=reason.strip(), awarded_on=awarded_on, granted_by_id=granted_by_id)
