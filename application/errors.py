"""Application-level errors that the web layer maps to HTTP statuses in one place."""

from __future__ import annotations


class ApplicationError(Exception):
    """Base of the errors a caller can act on."""

    def __init__(self, message: str, **details: object):
        super().__init__(message)
        self.message = message
        self.details = details


class NotFound(ApplicationError):
    """The named aggregate or resource does not exist (404)."""


class Conflict(ApplicationError):
    """The command lost a race or collides with existing state (409)."""


class PreconditionFailed(ApplicationError):
    """The client's expected version (If-Match) is not the current one (412)."""


class Forbidden(ApplicationError):
    """The actor may not do this (403)."""
