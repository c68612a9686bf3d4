"""Domain exceptions shared by every aggregate."""

from __future__ import annotations


class DomainError(Exception):
    """A business rule refused a command; maps to 422 with the offending field(s)."""

    def __init__(self, message: str, field: str | None = None, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.errors = errors if errors is not None else ({field: [message]} if field else {})


class StateConflict(DomainError):
    """The command is valid in itself but conflicts with the aggregate's current state (409)."""
