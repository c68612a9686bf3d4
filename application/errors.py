"""Application-level errors that the web layer maps to HTTP statuses in one place.

Each carries a stable ``code`` (the class name in snake case unless a raise site names its own), so the pages can
say it in the visitor's language; ``message`` is the English text the API answers with."""

from __future__ import annotations

from typing import Any, ClassVar

from domain.errors import snake


class ApplicationError(Exception):
    """Base of the errors a caller can act on."""

    code: ClassVar[str] = "application_error"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" not in cls.__dict__:
            cls.code = snake(cls.__name__)

    def __init__(self, message: str, **details: object):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(ApplicationError):
    """The named aggregate or resource does not exist (404)."""


class Conflict(ApplicationError):
    """The command lost a race or collides with existing state (409)."""


class LostRace(Conflict):
    """Another writer stored events for the same aggregate between this command's load and its write (409 when
    running the command again cannot help)."""


class PreconditionFailed(ApplicationError):
    """The client's expected version (If-Match) is not the current one (412)."""


class Forbidden(ApplicationError):
    """The actor may not do this (403)."""
